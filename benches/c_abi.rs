//! Micro-benchmarks of the C ABI, called exactly as a game server calls it (the `extern "C"`
//! functions, C strings, a caller buffer), with criterion. Run with `cargo bench` (or
//! `scripts/bench.sh`, which also runs the side-by-side comparison and writes BENCHMARKS.md).
//!
//! - `cached_get_token/caller_thread`: `gamelift_auth_get_token` answered from the cache.
//! - `cached_get_token/threads/N`: N threads (1, 2, 4, 8) sharing one client, each calling
//!   `gamelift_auth_get_token` in a loop; the time is per call *as each thread sees it* (wall time
//!   of the batch divided by the calls of one thread), the throughput counts all threads' calls.
//!   On 2 cores, N threads without contention take N/2 times the 1-thread time (N > 2).
//! - `cached_get_token_cpu/threads/N`: the same runs in CPU time (the threads' own CPU clocks):
//!   the CPU that N calls, one per thread, cost together; flat per call without contention.
//! - `fresh_token/invalidate_get`: `gamelift_auth_invalidate_token` then `gamelift_auth_get_token`
//!   against the local stand-in on 127.0.0.1 over a reused keep-alive connection: SigV4 signing,
//!   HTTP, JSON parsing, and the stand-in's own work (it verifies the signature).
//! - `signing/sign_request`: SigV4 alone (`gamelift_auth::signing::sign_request`; no C export).
//! - `client_new/from_environment`: `gamelift_auth_client_new(NULL, &c)` + `_free` with the
//!   configuration in environment variables and empty AWS config files.
//!
//! The stand-in is `gamelift-auth local-endpoint` (feature `cli`). With `--features cli` cargo
//! builds it; without, this bench builds it once with `cargo build --release --features cli`, or
//! uses the binary named by `GAMELIFT_AUTH_STANDIN`.

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use gamelift_auth::ffi::client::{
    gamelift_auth_client, gamelift_auth_client_free, gamelift_auth_client_new,
};
use gamelift_auth::ffi::config::{
    gamelift_auth_config_free, gamelift_auth_config_new, gamelift_auth_config_set_credentials,
    gamelift_auth_config_set_endpoint, gamelift_auth_config_set_region,
};
use gamelift_auth::ffi::error::gamelift_auth_status as St;
use gamelift_auth::ffi::library::gamelift_auth_last_error;
use gamelift_auth::ffi::token::{gamelift_auth_get_token, gamelift_auth_invalidate_token};
use std::ffi::{CStr, CString, c_char};
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Barrier, OnceLock};
use std::time::{Duration, Instant, SystemTime};

const FLEET: &CStr = c"fleet-1a2b3c4d";
const COMPUTE: &CStr = c"game-server-1";
const REGION: &str = "us-west-2";
const ACCESS_KEY: &str = "AKIDLOCALSTANDIN";
const SECRET_KEY: &str = "localstandinsecret";

/// The stand-in, killed (by closing its stdin) when the bench process exits.
struct StandIn {
    url: String,
    _child: Child,
    _stdin: ChildStdin,
    _aws_files: tempfile::TempDir,
}

fn standin_exe() -> PathBuf {
    #[cfg(feature = "cli")]
    {
        PathBuf::from(env!("CARGO_BIN_EXE_gamelift-auth"))
    }
    #[cfg(not(feature = "cli"))]
    {
        if let Some(p) = std::env::var_os("GAMELIFT_AUTH_STANDIN") {
            return PathBuf::from(p);
        }
        // target/release/deps/c_abi-HASH -> target/release/gamelift-auth (cargo releases its
        // build lock while benches run, so a nested build in the same target dir works).
        let exe = std::env::current_exe().expect("current_exe");
        let profile_dir = exe
            .parent()
            .and_then(|d| d.parent())
            .expect("bench binary in <target>/<profile>/deps");
        eprintln!(
            "c_abi bench: building the stand-in (`cargo build --release --features cli`); \
             `cargo bench --features cli` skips this step"
        );
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--features",
                "cli",
                "--bin",
                "gamelift-auth",
            ])
            .arg("--manifest-path")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .env(
                "CARGO_TARGET_DIR",
                profile_dir.parent().expect("target dir"),
            )
            .status()
            .expect("run cargo");
        assert!(status.success(), "building the stand-in failed");
        profile_dir.join("gamelift-auth")
    }
}

fn standin() -> &'static StandIn {
    static S: OnceLock<StandIn> = OnceLock::new();
    S.get_or_init(|| {
        let mut child = Command::new(standin_exe())
            .args(["local-endpoint", "--port", "0", "--exit-on-stdin-eof"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // One log line per request: discarded.
            .stderr(Stdio::null())
            .spawn()
            .expect("start gamelift-auth local-endpoint");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the stand-in's URL");
        let url = line.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "stand-in printed {url:?}"
        );
        let aws_files = hermetic_environment(&url);
        StandIn {
            url,
            _child: child,
            _stdin: stdin,
            _aws_files: aws_files,
        }
    })
}

/// The environment a game server on an Anywhere fleet would have (read by `client_new` from the
/// environment), with empty AWS files so that the machine's ~/.aws plays no part.
fn hermetic_environment(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (config, credentials) = (dir.path().join("config"), dir.path().join("credentials"));
    std::fs::write(&config, "").unwrap();
    std::fs::write(&credentials, "").unwrap();
    // SAFETY: called once, before any thread of this bench reads the environment.
    unsafe {
        std::env::set_var("AWS_REGION", REGION);
        std::env::set_var("AWS_ENDPOINT_URL_GAMELIFT", url);
        std::env::set_var("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        std::env::set_var("AWS_CONFIG_FILE", &config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
        // AWS_CA_BUNDLE (set on some build machines) would make every client parse a PEM
        // bundle: about 1 ms for the system's ~150 roots, which would be all client_new measures.
        for v in [
            "AWS_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_CA_BUNDLE",
        ] {
            std::env::remove_var(v);
        }
    }
    dir
}

fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

#[track_caller]
fn ok(s: St) {
    if s != St::GAMELIFT_AUTH_OK {
        let why = unsafe { CStr::from_ptr(gamelift_auth_last_error()) };
        panic!("{s:?}: {}", why.to_string_lossy());
    }
}

/// A client handle that threads may share (the client is internally synchronized).
#[derive(Clone, Copy)]
struct Shared(*mut gamelift_auth_client);
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// A client for the stand-in, configured explicitly (no environment), holding a cached token.
fn client_for_standin() -> Shared {
    let url = &standin().url;
    let mut client = std::ptr::null_mut();
    unsafe {
        let cfg = gamelift_auth_config_new();
        ok(gamelift_auth_config_set_endpoint(cfg, cs(url).as_ptr()));
        ok(gamelift_auth_config_set_region(cfg, cs(REGION).as_ptr()));
        ok(gamelift_auth_config_set_credentials(
            cfg,
            cs(ACCESS_KEY).as_ptr(),
            cs(SECRET_KEY).as_ptr(),
            std::ptr::null(),
        ));
        ok(gamelift_auth_client_new(cfg, &mut client));
        gamelift_auth_config_free(cfg);
    }
    let c = Shared(client);
    assert_eq!(get_token(c, &mut [0; 128]), St::GAMELIFT_AUTH_OK);
    c
}

/// One `gamelift_auth_get_token` as a game server writes it.
#[inline(always)]
fn get_token(c: Shared, buf: &mut [c_char; 128]) -> St {
    let mut len = 0usize;
    let mut expires = 0i64;
    unsafe {
        gamelift_auth_get_token(
            c.0,
            black_box(FLEET.as_ptr()),
            black_box(COMPUTE.as_ptr()),
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
            &mut expires,
        )
    }
}

/// `threads` threads each make `iters` cached calls on one client, starting together. Returns the
/// wall time from the start signal until the last thread is done, and the CPU time the threads
/// used for their calls (each thread's own CPU clock, so thread start-up is not counted).
fn run_threads(client: Shared, threads: usize, iters: u64) -> (Duration, u64) {
    let start = Barrier::new(threads + 1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut buf = [0; 128];
                    start.wait();
                    let cpu0 = thread_cpu_ns();
                    let mut failures = 0u64;
                    for _ in 0..iters {
                        failures += (get_token(client, &mut buf) != St::GAMELIFT_AUTH_OK) as u64;
                    }
                    (failures, thread_cpu_ns() - cpu0)
                })
            })
            .collect();
        start.wait();
        let t0 = Instant::now();
        let (mut failures, mut cpu) = (0, 0);
        for h in handles {
            let (f, c) = h.join().unwrap();
            failures += f;
            cpu += c;
        }
        let elapsed = t0.elapsed();
        assert_eq!(failures, 0, "cached get_token failed");
        (elapsed, cpu)
    })
}

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn cached(c: &mut Criterion) {
    let client = client_for_standin();
    let mut g = c.benchmark_group("cached_get_token");
    g.throughput(Throughput::Elements(1));
    g.bench_function("caller_thread", |b| {
        let mut buf = [0; 128];
        b.iter(|| get_token(client, &mut buf))
    });
    for threads in [1usize, 2, 4, 8] {
        g.throughput(Throughput::Elements(threads as u64));
        g.bench_function(format!("threads/{threads}"), |b| {
            b.iter_custom(|iters| run_threads(client, threads, iters).0)
        });
    }
    g.finish();
}

/// The same thread runs measured in CPU time: the time per iteration is the CPU all threads used
/// for one call each, so it stays flat as threads are added unless they contend (a shared lock,
/// a bouncing cache line), whatever share of the machine the threads got.
fn cached_cpu(c: &mut Criterion<ThreadCpu>) {
    let client = client_for_standin();
    let mut g = c.benchmark_group("cached_get_token_cpu");
    for threads in [1usize, 2, 4, 8] {
        g.throughput(Throughput::Elements(threads as u64));
        g.bench_function(format!("threads/{threads}"), |b| {
            b.iter_custom(|iters| run_threads(client, threads, iters).1)
        });
    }
    g.finish();
}

/// CPU time in nanoseconds, as the benchmark routine reports it (see [`run_threads`]).
struct ThreadCpu;

impl Measurement for ThreadCpu {
    type Intermediate = ();
    type Value = u64;
    fn start(&self) {}
    fn end(&self, _: ()) -> u64 {
        unreachable!("only iter_custom, which reports its own values")
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = match typical {
            t if t < 1e3 => (1.0, "ns cpu"),
            t if t < 1e6 => (1e3, "us cpu"),
            t if t < 1e9 => (1e6, "ms cpu"),
            _ => (1e9, "s cpu"),
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }

    fn scale_throughputs(
        &self,
        _: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let n = match throughput {
            Throughput::Elements(n) => *n as f64,
            _ => 1.0,
        };
        values.iter_mut().for_each(|v| *v = n * 1e3 / *v);
        "M calls/cpu-s"
    }

    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn fresh(c: &mut Criterion) {
    let client = client_for_standin();
    let mut g = c.benchmark_group("fresh_token");
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("invalidate_get", |b| {
        let mut buf = [0; 128];
        b.iter(|| unsafe {
            ok(gamelift_auth_invalidate_token(
                client.0,
                FLEET.as_ptr(),
                COMPUTE.as_ptr(),
            ));
            ok(get_token(client, &mut buf));
        })
    });
    g.finish();
}

fn signing(c: &mut Criterion) {
    use gamelift_auth::credentials::Credentials;
    use gamelift_auth::signing::{SigningIdentity, sign_request};
    let id = SigningIdentity::new(&Credentials {
        access_key_id: ACCESS_KEY.into(),
        secret_access_key: gamelift_auth::Secret::from(SECRET_KEY),
        session_token: None,
        expiry: None,
        source: "bench".into(),
    });
    let body = br#"{"FleetId":"fleet-1a2b3c4d","ComputeName":"game-server-1"}"#;
    let request = || {
        gamelift_auth::protocol::request(
            "http://127.0.0.1:8080/",
            "GameLift.GetComputeAuthToken",
            body.to_vec(),
        )
        .unwrap()
    };
    let mut g = c.benchmark_group("signing");
    g.bench_function("sign_request", |b| {
        b.iter_batched(
            request,
            |mut r| {
                sign_request(&mut r, &id, REGION, SystemTime::now()).unwrap();
                r
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn client_new(c: &mut Criterion) {
    standin();
    let mut g = c.benchmark_group("client_new");
    g.bench_function("from_environment", |b| {
        b.iter(|| unsafe {
            let mut client = std::ptr::null_mut();
            ok(gamelift_auth_client_new(std::ptr::null(), &mut client));
            gamelift_auth_client_free(black_box(client));
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = cached, fresh, signing, client_new
}
criterion_group! {
    name = cpu;
    config = Criterion::default()
        .with_measurement(ThreadCpu)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = cached_cpu
}
criterion_main!(benches, cpu);

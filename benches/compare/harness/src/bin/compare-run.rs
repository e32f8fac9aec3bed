//! Runs the side-by-side comparison and writes the results; renders BENCHMARKS.md's tables.
//!
//! `compare-run measure --out results.json --inputs inputs.json` — `inputs.json` (written by
//! scripts/bench-compare.sh) names the programs, the deliverables, the clean build times and the
//! tool versions. Starts the comparison server, then:
//! 1. per-call loops (CALLS measured calls after WARMUP, one client, one connection): the
//!    raw-socket floor, this library through the C ABI (a C program on libgamelift_auth.so),
//!    aws-sdk-gamelift, boto3; wall and process CPU time of every call, the connections and the
//!    protocol the server saw, and the server's own CPU time per request;
//! 2. the cached `gamelift_auth_get_token` through the shared library, from C;
//! 3. process start to first token, STARTS runs of each program, round robin;
//! 4. sizes of the deliverables.
//!
//! `compare-run report --results results.json --criterion DIR --benchmarks BENCHMARKS.md
//! [--criterion-log criterion.txt]` —
//! replaces the part of BENCHMARKS.md between `<!-- results:begin -->` and
//! `<!-- results:end -->` with the tables of this run: criterion's figures (DIR =
//! target/criterion), the comparison, the ratios and the targets.

use compare_harness::{COMPUTE, FLEET, Stats, human_ns};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("usage: compare-run measure|report --key value ...");
        std::process::exit(2);
    };
    let mut flags = HashMap::new();
    for pair in args[1..].chunks(2) {
        let key = pair[0].strip_prefix("--").expect("--flag value");
        flags.insert(key.to_string(), pair.get(1).cloned().expect("flag value"));
    }
    let flag = |k: &str| -> String {
        flags
            .get(k)
            .cloned()
            .unwrap_or_else(|| panic!("missing --{k}"))
    };
    match cmd.as_str() {
        "measure" => measure(&flag("inputs"), &flag("out")),
        "report" => report(
            &flag("results"),
            &flag("criterion"),
            &flag("benchmarks"),
            flags.get("criterion-log").map(String::as_str),
        ),
        other => panic!("unknown command {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// measure

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default()
}

fn mem_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|r| r.trim().to_string()))
        .unwrap_or_default()
}

struct Server {
    url: String,
    addr: String,
    _child: std::process::Child,
}

impl Server {
    fn start(exe: &str) -> Server {
        let mut child = Command::new(exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start compare-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        let addr = url.trim_start_matches("http://").to_string();
        Server {
            url,
            addr,
            _child: child,
        }
    }

    fn stats(&self) -> Value {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.write_all(b"GET /__stats HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let body = text.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str(body).unwrap()
    }

    /// Stats once every client connection opened since `before` is closed.
    fn settled(&self, before: &Value) -> Value {
        let limit = Instant::now() + Duration::from_secs(10);
        loop {
            let s = self.stats();
            let opened = n(&s, "connections") - n(before, "connections");
            let closed = n(&s, "closed") - n(before, "closed");
            if closed >= opened || Instant::now() > limit {
                return s;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn n(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or(0.0)
}

fn stats_json(s: &Stats) -> Value {
    json!({"median": s.median, "p99": s.p99, "mean": s.mean})
}

fn run_loop(server: &Server, name: &str, mut cmd: Command) -> Value {
    eprintln!("compare-run: {name}: per-call loop");
    let before = server.stats();
    let load_before = loadavg();
    let out = cmd.stderr(Stdio::inherit()).output().expect(name);
    assert!(out.status.success(), "{name} failed: {:?}", out.status);
    let after = server.settled(&before);
    let samples: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: bad output ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let list = |k: &str| -> Vec<f64> {
        samples[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let (wall, cpu) = (list("wall_ns"), list("cpu_ns"));
    let d = |k: &str| n(&after, k) - n(&before, k);
    let requests = d("closed_requests");
    let protocol = match (d("json") > 0.0, d("cbor") > 0.0) {
        (true, false) => "awsJson1_1",
        (false, true) => "rpcv2Cbor",
        (true, true) => "both",
        _ => "none",
    };
    json!({
        "client": name,
        "calls": wall.len(),
        "wall_ns": stats_json(&Stats::of(&wall)),
        "cpu_ns": stats_json(&Stats::of(&cpu)),
        "connections": d("connections"),
        "requests_seen": d("json") + d("cbor") + d("other"),
        "errors_seen": d("other"),
        "protocol": protocol,
        "server_cpu_ns_per_request": if requests > 0.0 { d("closed_cpu_ns") / requests } else { 0.0 },
        "load_before": load_before,
    })
}

fn start_times(cmds: &[(&str, Command)], warmup: usize, runs: usize) -> Vec<Value> {
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cmds.len()];
    let mut cmds: Vec<(&str, Command)> = cmds
        .iter()
        .map(|(n, c)| {
            let mut c2 = Command::new(c.get_program());
            c2.args(c.get_args());
            for (k, v) in c.get_envs() {
                match v {
                    Some(v) => c2.env(k, v),
                    None => c2.env_remove(k),
                };
            }
            (*n, c2)
        })
        .collect();
    eprintln!("compare-run: process start to first token, {runs} runs each");
    for round in 0..warmup + runs {
        for (i, (name, cmd)) in cmds.iter_mut().enumerate() {
            let t0 = Instant::now();
            let mut child = cmd
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect(name);
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            let elapsed = t0.elapsed();
            let status = child.wait().unwrap();
            assert!(
                status.success() && line.trim().len() >= 8,
                "{name}: {status:?} {line:?}"
            );
            if round >= warmup {
                samples[i].push(elapsed.as_nanos() as f64);
            }
        }
    }
    cmds.iter()
        .zip(samples)
        .map(|((name, _), s)| {
            let mut sorted = s.clone();
            sorted.sort_by(f64::total_cmp);
            json!({"program": name, "runs": s.len(), "median_ns": Stats::of(&s).median,
                   "min_ns": sorted[0], "max_ns": sorted[sorted.len() - 1]})
        })
        .collect()
}

fn measure(inputs: &str, out: &str) {
    let inputs: Value = serde_json::from_str(&std::fs::read_to_string(inputs).unwrap()).unwrap();
    let s = |k: &str| -> String {
        inputs[k]
            .as_str()
            .unwrap_or_else(|| panic!("inputs: {k}"))
            .to_string()
    };
    let calls = inputs["calls"].as_u64().unwrap_or(1000).to_string();
    let warmup = inputs["warmup"].as_u64().unwrap_or(50).to_string();
    let starts = inputs["starts"].as_u64().unwrap_or(20) as usize;
    let load_start = loadavg();
    let started = Instant::now();

    let tmp = std::env::temp_dir().join(format!("gamelift-auth-compare-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let (config, credentials) = (tmp.join("config"), tmp.join("credentials"));
    std::fs::write(&config, "").unwrap();
    std::fs::write(&credentials, "").unwrap();

    let server = Server::start(&s("server"));
    let url = server.url.clone();
    // Every client gets the same hermetic AWS environment.
    let command = |program: &str| {
        let mut c = Command::new(program);
        for (k, _) in std::env::vars() {
            if k.starts_with("AWS_") {
                c.env_remove(k);
            }
        }
        c.env("AWS_REGION", "us-west-2")
            .env("AWS_ENDPOINT_URL_GAMELIFT", &url)
            .env("AWS_ACCESS_KEY_ID", "AKIDLOCALSTANDIN")
            .env("AWS_SECRET_ACCESS_KEY", "localstandinsecret")
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("LD_LIBRARY_PATH", s("lib_dir"));
        c
    };

    // 1. Per-call loops.
    let mut loops = Vec::new();
    let mut c = command(&s("raw_client"));
    c.args([&url, "loop", &calls, &warmup]);
    loops.push(run_loop(&server, "raw socket (floor)", c));
    let mut c = command(&s("c_client"));
    c.args(["loop", &calls, &warmup]);
    loops.push(run_loop(&server, "gamelift-auth (C ABI)", c));
    let mut c = command(&s("sdk_client"));
    c.args([&url, "loop", &calls, &warmup]);
    loops.push(run_loop(&server, "aws-sdk-gamelift", c));
    let mut c = command(&s("python"));
    c.args([&s("boto3_script"), &url, "loop", &calls, &warmup]);
    loops.push(run_loop(&server, "boto3", c));

    // 2. Cached get_token through the shared library.
    eprintln!("compare-run: cached get_token through the shared library");
    let mut c = command(&s("c_client"));
    let o = c.args(["cached", "101", "100000"]).output().unwrap();
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let per_call: Vec<f64> = v["ns_per_call_x10"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() / 10.0)
        .collect();
    let cached_c = json!({"batches": per_call.len(), "calls_per_batch": 100000,
                          "ns_per_call": stats_json(&Stats::of(&per_call))});

    // 3. Process start to first token.
    let py_c = format!(
        "import os, boto3\n\
         c = boto3.client('gamelift', region_name=os.environ['AWS_REGION'], \
         endpoint_url=os.environ['AWS_ENDPOINT_URL_GAMELIFT'], \
         aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'], \
         aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'])\n\
         print(c.get_compute_auth_token(FleetId='{FLEET}', ComputeName='{COMPUTE}')['AuthToken'], flush=True)"
    );
    let mut c_once = command(&s("c_client"));
    c_once.arg("once");
    let mut sdk_once = command(&s("sdk_client"));
    sdk_once.args([&url, "once"]);
    let mut py_once = command(&s("python"));
    py_once.args(["-c", &py_c]);
    let mut raw_once = command(&s("raw_client"));
    raw_once.args([&url, "once"]);
    let starts = start_times(
        &[
            ("C program + libgamelift_auth.so", c_once),
            ("Rust program with aws-sdk-gamelift", sdk_once),
            ("python -c with boto3", py_once),
            ("raw socket program (floor)", raw_once),
        ],
        2,
        starts,
    );

    // 4. Sizes.
    let size = |k: &str| std::fs::metadata(s(k)).map(|m| m.len()).unwrap_or(0);
    let sizes = json!({
        "so": size("so"), "c_client": size("c_client"), "sdk_client": size("sdk_client"),
        "raw_client": size("raw_client"),
    });
    let _ = std::fs::remove_dir_all(&tmp);

    let results = json!({
        "machine": {
            "cpu": cpu_model(),
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "memory": mem_total(),
            "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim(),
            "clocksource": std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource").unwrap_or_default().trim(),
        },
        "versions": inputs["versions"],
        "builds": inputs["builds"],
        "calls": calls.parse::<u64>().unwrap(),
        "warmup": warmup.parse::<u64>().unwrap(),
        "loops": loops,
        "cached_c": cached_c,
        "starts": starts,
        "sizes": sizes,
        "load_start": load_start,
        "load_end": loadavg(),
        "duration_s": started.elapsed().as_secs_f64(),
        "date": inputs["date"],
    });
    std::fs::write(out, serde_json::to_string_pretty(&results).unwrap()).unwrap();
    eprintln!("compare-run: wrote {out}");
}

// ---------------------------------------------------------------------------------------------
// report

/// A criterion estimate (ns): `median` and `mean` with their confidence intervals, and the
/// throughput's element count.
fn criterion(dir: &Path, id: &str) -> Option<(f64, f64, f64, f64)> {
    let est: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(id).join("new/estimates.json")).ok()?,
    )
    .ok()?;
    let bench: Value = std::fs::read_to_string(dir.join(id).join("new/benchmark.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let elements = bench["throughput"]["Elements"].as_f64().unwrap_or(1.0);
    Some((
        est["median"]["point_estimate"].as_f64()?,
        est["median"]["confidence_interval"]["lower_bound"].as_f64()?,
        est["median"]["confidence_interval"]["upper_bound"].as_f64()?,
        elements,
    ))
}

fn mib(b: f64) -> String {
    format!("{:.2} MiB ({} bytes)", b / 1048576.0, b as u64)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

/// criterion's console output reduced to the benchmark names and their `time:` / `thrpt:` lines.
fn criterion_summary(path: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        let is_name = !line.starts_with(' ')
            && ["cached_get_token", "fresh_token", "signing", "client_new"]
                .iter()
                .any(|g| line.starts_with(g));
        if is_name || t.starts_with("time:") || t.starts_with("thrpt:") {
            out.push_str(line);
            out.push('\n');
        }
    }
    (!out.is_empty()).then_some(out)
}

fn report(results: &str, criterion_dir: &str, benchmarks: &str, criterion_log: Option<&str>) {
    use std::fmt::Write as _;
    let r: Value = serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap();
    let cdir = Path::new(criterion_dir);
    let mut md = String::new();
    let m = &r["machine"];
    let v = &r["versions"];
    let _ = writeln!(md, "### The run\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| date | {} |", r["date"].as_str().unwrap_or(""));
    let _ = writeln!(
        md,
        "| machine | {} cores, {}, {}; Linux {}, clocksource {} |",
        m["cores"],
        m["cpu"].as_str().unwrap_or(""),
        m["memory"].as_str().unwrap_or(""),
        m["kernel"].as_str().unwrap_or(""),
        m["clocksource"].as_str().unwrap_or("")
    );
    let _ = writeln!(
        md,
        "| load average (1/5/15 min) | criterion: {} at start, {} at end; comparison: {} at start, {} at end |",
        v["criterion_load_start"].as_str().unwrap_or("?"),
        v["criterion_load_end"].as_str().unwrap_or("?"),
        r["load_start"].as_str().unwrap_or("?"),
        r["load_end"].as_str().unwrap_or("?")
    );
    for (k, label) in [
        ("rustc", "rustc"),
        ("gcc", "gcc"),
        ("python", "python"),
        ("boto3", "boto3 / botocore"),
        ("aws_sdk_gamelift", "aws-sdk-gamelift"),
    ] {
        if let Some(s) = v[k].as_str() {
            let _ = writeln!(md, "| {label} | {s} |");
        }
    }
    let _ = writeln!(md);

    // Criterion.
    let _ = writeln!(md, "### Micro-benchmarks (`cargo bench`, criterion)\n");
    let _ = writeln!(
        md,
        "Median of criterion's samples, with its 95% confidence interval.\n"
    );
    let _ = writeln!(
        md,
        "| benchmark | median | 95% CI | throughput |\n|---|---|---|---|"
    );
    let ids = [
        (
            "cached_get_token/caller_thread",
            "cached `gamelift_auth_get_token`, 1 thread",
        ),
        (
            "cached_get_token/threads_1",
            "cached, 1 thread (thread harness)",
        ),
        (
            "cached_get_token/threads_2",
            "cached, 2 threads sharing one client (per call, per thread)",
        ),
        (
            "cached_get_token/threads_4",
            "cached, 4 threads sharing one client (per call, per thread)",
        ),
        (
            "cached_get_token/threads_8",
            "cached, 8 threads sharing one client (per call, per thread)",
        ),
        (
            "fresh_token/invalidate_get",
            "fresh token: invalidate + get, stand-in on 127.0.0.1, reused connection",
        ),
        ("signing/sign_request", "SigV4 signing alone"),
        (
            "client_new/from_environment",
            "`gamelift_auth_client_new(NULL)` + `_free`, from the environment",
        ),
    ];
    let mut crit = HashMap::new();
    for (id, label) in ids {
        match criterion(cdir, id) {
            Some((med, lo, hi, el)) => {
                crit.insert(id, med);
                let thr = el * 1e9 / med;
                let _ = writeln!(
                    md,
                    "| {label} | {} | {} - {} | {} |",
                    human_ns(med),
                    human_ns(lo),
                    human_ns(hi),
                    if thr > 1e6 {
                        format!("{:.1} M calls/s", thr / 1e6)
                    } else {
                        format!("{:.1} k calls/s", thr / 1e3)
                    }
                );
            }
            None => {
                let _ = writeln!(md, "| {label} | (not run) | | |");
            }
        }
    }
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "The same thread runs measured in CPU time (each thread's own CPU clock): the CPU one \
         cached call costs when N threads share the client. Flat = no contention, whatever share \
         of the 2 cores the threads got (which the wall figures above depend on).\n"
    );
    let _ = writeln!(
        md,
        "| threads | CPU per call | vs 1 thread |\n|---|---|---|"
    );
    let cpu1 = criterion(cdir, "cached_get_token_cpu/threads_1").map(|c| c.0);
    let mut cpu_ratio8 = f64::NAN;
    for n in [1u32, 2, 4, 8] {
        if let Some((med, ..)) = criterion(cdir, &format!("cached_get_token_cpu/threads_{n}")) {
            let per_call = med / n as f64;
            let ratio = cpu1.map_or(f64::NAN, |c| per_call / c);
            if n == 8 {
                cpu_ratio8 = ratio;
            }
            let _ = writeln!(md, "| {n} | {} | {ratio:.2}x |", human_ns(per_call));
        }
    }
    let _ = writeln!(md);
    if let Some(log) = criterion_log.and_then(criterion_summary) {
        let _ = writeln!(
            md,
            "<details><summary>criterion's own output</summary>\n\n```text\n{}```\n</details>\n",
            log
        );
    }

    // Comparison loops.
    let loops = r["loops"].as_array().unwrap();
    let by = |name: &str| {
        loops
            .iter()
            .find(|l| l["client"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (floor, lib, sdk, boto) = (
        by("raw socket (floor)"),
        by("gamelift-auth (C ABI)"),
        by("aws-sdk-gamelift"),
        by("boto3"),
    );
    let _ = writeln!(
        md,
        "### Fresh GetComputeAuthToken, side by side\n\n{} calls per client after {} warm-up calls, one client \
         object and one connection each, against the comparison server on 127.0.0.1. Wall = \
         monotonic clock around the call; CPU = the client process's CPU time (all threads, user + \
         system) around the call. `server CPU/req` is the comparison server's own thread CPU time \
         per request while serving that client (inside every client's wall time alike).\n",
        r["calls"], r["warmup"]
    );
    let _ = writeln!(
        md,
        "| client | protocol | wall median | wall p99 | CPU median | CPU p99 | CPU mean | connections | server CPU/req |\n|---|---|---|---|---|---|---|---|---|"
    );
    for l in [&floor, &lib, &sdk, &boto] {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            l["client"].as_str().unwrap_or("?"),
            l["protocol"].as_str().unwrap_or("?"),
            human_ns(l["wall_ns"]["median"].as_f64().unwrap_or(0.0)),
            human_ns(l["wall_ns"]["p99"].as_f64().unwrap_or(0.0)),
            human_ns(l["cpu_ns"]["median"].as_f64().unwrap_or(0.0)),
            human_ns(l["cpu_ns"]["p99"].as_f64().unwrap_or(0.0)),
            human_ns(l["cpu_ns"]["mean"].as_f64().unwrap_or(0.0)),
            l["connections"].as_f64().unwrap_or(0.0),
            human_ns(l["server_cpu_ns_per_request"].as_f64().unwrap_or(0.0)),
        );
    }
    let _ = writeln!(md);
    let cached_c = r["cached_c"]["ns_per_call"]["median"]
        .as_f64()
        .unwrap_or(f64::NAN);
    let _ = writeln!(
        md,
        "Cached `gamelift_auth_get_token` from C through `libgamelift_auth.so` (PLT call included): \
         median {} per call over {} batches of {} calls.\n",
        human_ns(cached_c),
        r["cached_c"]["batches"],
        r["cached_c"]["calls_per_batch"]
    );

    // Starts.
    let _ = writeln!(
        md,
        "### Process start to first token\n\nFrom `spawn` to the token's line on the program's stdout; {} runs each, \
         programs taken in turn, after 2 unmeasured rounds.\n",
        r["starts"][0]["runs"]
    );
    let _ = writeln!(md, "| program | median | min | max |\n|---|---|---|---|");
    let starts = r["starts"].as_array().unwrap();
    for s in starts {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            s["program"].as_str().unwrap_or(""),
            human_ns(s["median_ns"].as_f64().unwrap_or(0.0)),
            human_ns(s["min_ns"].as_f64().unwrap_or(0.0)),
            human_ns(s["max_ns"].as_f64().unwrap_or(0.0))
        );
    }
    let _ = writeln!(md);
    let start_of = |p: &str| {
        starts
            .iter()
            .find(|s| s["program"].as_str().unwrap_or("").starts_with(p))
            .and_then(|s| s["median_ns"].as_f64())
            .unwrap_or(f64::NAN)
    };

    // Sizes and builds.
    let sz = &r["sizes"];
    let b = &r["builds"];
    let _ = writeln!(md, "### Deliverables and clean release builds\n");
    if b["clean"].as_bool() == Some(false) {
        let _ = writeln!(
            md,
            "**These build times are not clean builds (BENCH_KEEP_BUILDS=1): a trial run.**\n"
        );
    }
    let _ = writeln!(
        md,
        "Each build in an empty target directory with the crates already downloaded; load \
         average at the start: library {}, SDK program {}.\n",
        b["lib_load"].as_str().unwrap_or("?"),
        b["sdk_load"].as_str().unwrap_or("?")
    );
    let _ = writeln!(
        md,
        "| what | size (stripped) | clean release build |\n|---|---|---|"
    );
    let _ = writeln!(
        md,
        "| `libgamelift_auth.so` (`cargo build --release`) | {} | {:.1} s |",
        mib(sz["so"].as_f64().unwrap_or(0.0)),
        b["lib_s"].as_f64().unwrap_or(f64::NAN)
    );
    let _ = writeln!(
        md,
        "| the aws-sdk-gamelift program (same release profile) | {} | {:.1} s |",
        mib(sz["sdk_client"].as_f64().unwrap_or(0.0)),
        b["sdk_s"].as_f64().unwrap_or(f64::NAN)
    );
    let _ = writeln!(
        md,
        "| the C program (`gcc -O2`, links the .so) | {} | |",
        mib(sz["c_client"].as_f64().unwrap_or(0.0))
    );
    let _ = writeln!(md);

    // Ratios and targets.
    let f = |l: &Value, k: &str| l[k]["median"].as_f64().unwrap_or(f64::NAN);
    let cached = crit
        .get("cached_get_token/caller_thread")
        .copied()
        .unwrap_or(f64::NAN);
    let t1 = crit
        .get("cached_get_token/threads_1")
        .copied()
        .unwrap_or(f64::NAN);
    let t8 = crit
        .get("cached_get_token/threads_8")
        .copied()
        .unwrap_or(f64::NAN);
    let so = sz["so"].as_f64().unwrap_or(f64::NAN);
    let sdk_bin = sz["sdk_client"].as_f64().unwrap_or(f64::NAN);
    let rows: Vec<(String, String, String, bool)> = vec![
        (
            "cached token, median through the C ABI (criterion)".into(),
            "<= 100 ns".into(),
            human_ns(cached),
            cached <= 100.0,
        ),
        (
            "cached token from C through the .so".into(),
            "<= 100 ns".into(),
            human_ns(cached_c),
            cached_c <= 100.0,
        ),
        (
            "8 threads / 1 thread, per call per thread".into(),
            "<= 4x".into(),
            format!("{:.2}x ({} / {})", t8 / t1, human_ns(t8), human_ns(t1)),
            t8 / t1 <= 4.0,
        ),
        (
            "(no contention: CPU per call, 8 threads / 1 thread)".into(),
            "(1x)".into(),
            format!("{cpu_ratio8:.2}x"),
            cpu_ratio8 <= 1.25,
        ),
        (
            "fresh token CPU/call: this library / aws-sdk-gamelift".into(),
            "<= 0.5x".into(),
            format!("{:.3}x", f(&lib, "cpu_ns") / f(&sdk, "cpu_ns")),
            f(&lib, "cpu_ns") / f(&sdk, "cpu_ns") <= 0.5,
        ),
        (
            "fresh token CPU/call: this library / boto3".into(),
            "<= 0.1x".into(),
            format!("{:.3}x", f(&lib, "cpu_ns") / f(&boto, "cpu_ns")),
            f(&lib, "cpu_ns") / f(&boto, "cpu_ns") <= 0.1,
        ),
        (
            "fresh token CPU/call: this library / raw-socket floor".into(),
            "<= 1.5x".into(),
            format!("{:.2}x", f(&lib, "cpu_ns") / f(&floor, "cpu_ns")),
            f(&lib, "cpu_ns") / f(&floor, "cpu_ns") <= 1.5,
        ),
        (
            "fresh token wall/call: this library / aws-sdk-gamelift".into(),
            "<= 0.7x".into(),
            format!("{:.3}x", f(&lib, "wall_ns") / f(&sdk, "wall_ns")),
            f(&lib, "wall_ns") / f(&sdk, "wall_ns") <= 0.7,
        ),
        (
            "start to first token: C program / SDK program".into(),
            "<= 0.35x".into(),
            format!("{:.3}x", start_of("C program") / start_of("Rust program")),
            start_of("C program") / start_of("Rust program") <= 0.35,
        ),
        (
            "stripped .so".into(),
            "<= 3 MiB".into(),
            mib(so),
            so <= 3.0 * 1048576.0,
        ),
        (
            "stripped .so / SDK program".into(),
            "<= 0.4x".into(),
            format!("{:.3}x", so / sdk_bin),
            so / sdk_bin <= 0.4,
        ),
        (
            "clean release build of the library".into(),
            "<= 60 s".into(),
            format!("{:.1} s", b["lib_s"].as_f64().unwrap_or(f64::NAN)),
            b["lib_s"].as_f64().unwrap_or(f64::INFINITY) <= 60.0,
        ),
    ];
    let _ = writeln!(md, "### Ratios and targets\n");
    let _ = writeln!(md, "| what | target | this run | |\n|---|---|---|---|");
    for (what, target, got, ok) in &rows {
        let _ = writeln!(md, "| {what} | {target} | {got} | {} |", verdict(*ok));
    }
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "All ratios of this run (this library's median / the peer's median):\n"
    );
    let _ = writeln!(
        md,
        "| | CPU/call | wall/call | start to first token |\n|---|---|---|---|"
    );
    for (label, l, start) in [
        ("/ aws-sdk-gamelift", &sdk, start_of("Rust program")),
        ("/ boto3", &boto, start_of("python")),
        ("/ raw-socket floor", &floor, start_of("raw socket")),
    ] {
        let _ = writeln!(
            md,
            "| this library {label} | {:.3}x | {:.3}x | {:.3}x |",
            f(&lib, "cpu_ns") / f(l, "cpu_ns"),
            f(&lib, "wall_ns") / f(l, "wall_ns"),
            start_of("C program") / start
        );
    }

    let doc = std::fs::read_to_string(benchmarks).unwrap_or_default();
    let (begin, end) = ("<!-- results:begin -->", "<!-- results:end -->");
    let new = match (doc.find(begin), doc.find(end)) {
        (Some(a), Some(z)) if a < z => format!(
            "{}{begin}\n<!-- generated by scripts/bench.sh; do not edit by hand -->\n\n{md}\n{}",
            &doc[..a],
            &doc[z..]
        ),
        _ => format!("{doc}\n{begin}\n\n{md}\n{end}\n"),
    };
    std::fs::write(benchmarks, new).unwrap();
    eprintln!("compare-run: wrote the results into {benchmarks}");
}

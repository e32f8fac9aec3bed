//! Helpers shared by the integration tests: the stand-in (see `standin.rs`), clients configured
//! for it, a log capture, a port with nothing listening, and the process's memory figures.
//!
//! Each test binary compiles this module on its own and uses a part of it.
#![allow(dead_code)]

pub mod native;
pub mod standin;

pub use standin::StandIn;

use gamelift_auth::env::Env;
use gamelift_auth::{Client, Config};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The fleet and compute most tests ask for.
pub const FLEET: &str = "fleet-1a2b";
/// The compute most tests ask for.
pub const COMPUTE: &str = "my-box";
/// The stand-in's default region.
pub const REGION: &str = "us-west-2";
/// The stand-in's default access key id.
pub const ACCESS_KEY: &str = "AKIDLOCALSTANDIN";
/// The stand-in's default secret access key.
pub const SECRET_KEY: &str = "localstandinsecret";

/// A configuration for the stand-in at `url`, resolved from a fixed environment only (no HOME:
/// the process environment and the user's AWS files play no part).
pub fn config(url: &str) -> Config {
    config_with_keys(url, ACCESS_KEY, SECRET_KEY, None)
}

/// Like [`config`], with other credentials.
pub fn config_with_keys(url: &str, key: &str, secret: &str, session: Option<&str>) -> Config {
    let mut pairs = vec![
        ("AWS_REGION", REGION.to_string()),
        ("AWS_ENDPOINT_URL_GAMELIFT", url.to_string()),
        ("AWS_ACCESS_KEY_ID", key.to_string()),
        ("AWS_SECRET_ACCESS_KEY", secret.to_string()),
    ];
    if let Some(t) = session {
        pairs.push(("AWS_SESSION_TOKEN", t.to_string()));
    }
    Config::with_env(Env::from_pairs(pairs))
}

/// A client for the stand-in at `url` with the library's defaults.
pub fn client(url: &str) -> Client {
    client_with(url, |_| {})
}

/// A client for the stand-in at `url`, after `f` adjusted the configuration.
pub fn client_with(url: &str, f: impl FnOnce(&mut Config)) -> Client {
    let mut cfg = config(url);
    f(&mut cfg);
    Client::new(&cfg).expect("a client for the stand-in")
}

/// `total` of the stand-in's stats: every GameLift request it received.
pub fn total(s: &StandIn) -> u64 {
    s.stats()["total"].as_u64().expect("stats.total")
}

/// How many requests of `action` the stand-in received.
pub fn count(s: &StandIn, action: &str) -> u64 {
    s.stats()["actions"][action].as_u64().unwrap_or(0)
}

/// The recorded requests (see the stand-in's `/__standin/requests`).
pub fn requests(s: &StandIn) -> Vec<serde_json::Value> {
    match s.requests() {
        serde_json::Value::Array(v) => v,
        other => panic!("requests: expected an array, got {other}"),
    }
}

/// The first header `name` (case-insensitive) of a recorded request, and how many it has.
pub fn header<'a>(request: &'a serde_json::Value, name: &str) -> (Option<&'a str>, usize) {
    let all: Vec<&str> = request["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .filter_map(|h| h[1].as_str())
        .collect();
    (all.first().copied(), all.len())
}

/// A loopback port on which nothing listens, reserved while this lives: a TCP socket bound to
/// `127.0.0.1:0` that never calls `listen()`, so connecting is refused and no other socket (a
/// stand-in of a parallel test) can take the port meanwhile.
pub struct ClosedPort {
    fd: libc::c_int,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl ClosedPort {
    /// Binds the socket.
    pub fn new() -> ClosedPort {
        // SAFETY: plain socket calls on a socket this function owns; `addr` outlives them.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
            assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
            addr.sin_port = 0;
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            let rc = libc::bind(fd, (&raw const addr).cast(), len);
            assert_eq!(rc, 0, "bind: {}", std::io::Error::last_os_error());
            let mut bound: libc::sockaddr_in = std::mem::zeroed();
            let mut blen = len;
            let rc = libc::getsockname(fd, (&raw mut bound).cast(), &mut blen);
            assert_eq!(rc, 0, "getsockname: {}", std::io::Error::last_os_error());
            let port = u16::from_be(bound.sin_port);
            ClosedPort {
                fd,
                url: format!("http://127.0.0.1:{port}"),
            }
        }
    }
}

impl Drop for ClosedPort {
    fn drop(&mut self) {
        // SAFETY: the socket is ours and closed once.
        unsafe { libc::close(self.fd) };
    }
}

/// A field of `/proc/self/status` in kB (`VmRSS`, `VmHWM`).
pub fn proc_status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} not in /proc/self/status"))
}

/// Polls `cond` every few milliseconds until it holds or `limit` passed; returns whether it held.
pub fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The log sink is process-wide: tests that capture it take this lock first.
static LOG_LOCK: Mutex<()> = Mutex::new(());

/// Serializes tests that install a log sink (a panicking holder does not poison the others).
pub fn log_lock() -> MutexGuard<'static, ()> {
    LOG_LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The library's log lines while it lives (level, message); logging goes off when dropped.
/// Other tests of the same binary run in parallel: their lines arrive too, so filter loosely.
pub struct LogCapture {
    lines: Arc<Mutex<Vec<(i32, String)>>>,
    _lock: MutexGuard<'static, ()>,
}

impl LogCapture {
    /// Installs a Rust sink for levels up to `max_level` (1 error .. 5 trace).
    pub fn start(max_level: i32) -> Self {
        let lock = log_lock();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink_lines = lines.clone();
        gamelift_auth::log::set_sink(
            Some(Arc::new(
                move |level: gamelift_auth::log::Level, msg: &str| {
                    sink_lines
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((level as i32, msg.to_string()));
                },
            )),
            max_level,
        );
        LogCapture { lines, _lock: lock }
    }

    /// The lines captured so far.
    pub fn lines(&self) -> Vec<(i32, String)> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        gamelift_auth::log::set_sink(None, 0);
    }
}

/// Seconds since the epoch, now.
pub fn now_s() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
}

/// A lowercase version-4 UUID.
pub fn is_uuid_v4(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            14 => c == '4',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

/// True when `text` holds "request id " followed by a UUID (the stand-in's x-amzn-RequestId).
pub fn has_request_id(text: &str) -> bool {
    text.match_indices("request id ").any(|(i, m)| {
        let id: String = text[i + m.len()..].chars().take(36).collect();
        id.len() == 36
            && id.char_indices().all(|(j, ch)| match j {
                8 | 13 | 18 | 23 => ch == '-',
                _ => ch.is_ascii_hexdigit(),
            })
    })
}

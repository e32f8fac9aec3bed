//! What the comparison's programs share: the clocks, the request every client sends, and the
//! sample format a client prints after its loop.

/// The fleet every client asks about.
pub const FLEET: &str = "fleet-1a2b3c4d";
/// The compute every client asks about.
pub const COMPUTE: &str = "game-server-1";
/// The region every client signs for.
pub const REGION: &str = "us-west-2";
/// The access key id every client signs with (the server does not verify signatures).
pub const ACCESS_KEY: &str = "AKIDLOCALSTANDIN";
/// The secret key every client signs with.
pub const SECRET_KEY: &str = "localstandinsecret";

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a valid out-pointer.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// CPU time of this process (all threads, user + system), nanoseconds.
pub fn process_cpu_ns() -> u64 {
    clock_ns(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// CPU time of the calling thread (user + system), nanoseconds.
pub fn thread_cpu_ns() -> u64 {
    clock_ns(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// The monotonic clock, nanoseconds.
pub fn mono_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC)
}

/// Per-call samples as every client prints them after its loop: one JSON object on stdout,
/// `{"wall_ns":[...],"cpu_ns":[...]}`.
pub fn samples_json(wall_ns: &[u64], cpu_ns: &[u64]) -> String {
    let list = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    format!(
        "{{\"wall_ns\":[{}],\"cpu_ns\":[{}]}}",
        list(wall_ns),
        list(cpu_ns)
    )
}

/// Median, p99 and mean of samples.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// The median.
    pub median: f64,
    /// The 99th percentile (nearest rank).
    pub p99: f64,
    /// The mean.
    pub mean: f64,
}

impl Stats {
    /// The statistics of `v` (any order).
    pub fn of(v: &[f64]) -> Stats {
        if v.is_empty() {
            return Stats::default();
        }
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        let rank = |q: f64| s[((q * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1];
        let median = if s.len() % 2 == 1 {
            s[s.len() / 2]
        } else {
            (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
        };
        Stats {
            median,
            p99: rank(0.99),
            mean: s.iter().sum::<f64>() / s.len() as f64,
        }
    }
}

/// A duration in the unit that reads best (ns, us, ms, s).
pub fn human_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.1} us", ns / 1e3)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

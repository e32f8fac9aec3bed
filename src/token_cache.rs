//! The per-client token cache: the reuse rule, single flight, stale fallback, invalidation.
//!
//! A cached token is returned while its remaining lifetime is above
//! `min(min_validity, lifetime / 2)` (lifetime = expiry minus fetch time). Callers that need
//! the same fetch share it: one thread fetches, the others wait for its result. When a refresh
//! fails and the cached token has not expired, the cached token is returned with the failure as
//! a warning.
//!
//! The hit path writes no shared memory: slots sit in an append-only list of `OnceLock`s, and
//! each slot publishes its token in a sequence lock made of atomics ([`Published`]), so a reader
//! takes no lock and touches no reference count. Threads sharing one client therefore do not
//! fight over a cache line, and a hit costs a few tens of nanoseconds (BENCHMARKS.md).

use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering, fence};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};
use zeroize::Zeroize;

/// A compute auth token and its times (all on the service's clock).
#[derive(Debug)]
pub struct Token {
    /// The token itself.
    pub value: Secret,
    /// When it expires.
    pub expires_at: SystemTime,
    /// When it was fetched.
    pub fetched_at: SystemTime,
}

impl Token {
    /// Expiry as unix epoch milliseconds.
    pub fn expires_at_ms(&self) -> i64 {
        epoch_ms(self.expires_at)
    }

    /// Time left at `now`; zero when expired.
    pub fn remaining(&self, now: SystemTime) -> Duration {
        self.expires_at
            .duration_since(now)
            .unwrap_or(Duration::ZERO)
    }

    /// True when the token may be reused at `now` under the cache rule.
    pub fn reusable(&self, now: SystemTime, min_validity: Duration) -> bool {
        reusable(
            epoch_ns(self.expires_at),
            epoch_ns(self.fetched_at),
            epoch_ns(now),
            min_validity,
        )
    }
}

/// The cache rule on nanosecond timestamps (see [`epoch_ns`]): the remaining lifetime is above
/// `min(min_validity, lifetime / 2)`. Integers only: the hit path runs it on every call.
fn reusable(expires_ns: u64, fetched_ns: u64, now_ns: u64, min_validity: Duration) -> bool {
    let lifetime = expires_ns.saturating_sub(fetched_ns);
    let remaining = expires_ns.saturating_sub(now_ns);
    let min_validity = u64::try_from(min_validity.as_nanos()).unwrap_or(u64::MAX);
    remaining > min_validity.min(lifetime / 2)
}

/// Nanoseconds since the Unix epoch, saturating: 0 before 1970, `u64::MAX` after 2554.
fn epoch_ns(t: SystemTime) -> u64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => u64::try_from(d.as_nanos()).unwrap_or(u64::MAX),
        Err(_) => 0,
    }
}

/// The service's time as `signing::ClockOffset` keeps it (the local wall clock plus
/// `offset_ms`) in nanoseconds since the Unix epoch, read at the kernel tick's resolution
/// (`CLOCK_REALTIME_COARSE`: a few milliseconds; about 5 ns to read instead of about 22 ns for
/// `SystemTime::now` on the benchmark machine). Precise enough for a reuse rule whose threshold
/// is minutes. Other systems: `SystemTime::now`.
pub fn coarse_now_ns(offset_ms: i64) -> u64 {
    let local = coarse_local_now_ns();
    let offset = offset_ms.unsigned_abs().saturating_mul(1_000_000);
    if offset_ms >= 0 {
        local.saturating_add(offset)
    } else {
        local.saturating_sub(offset)
    }
}

fn coarse_local_now_ns() -> u64 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a valid clock id and a valid out-pointer to a timespec.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut ts) } == 0 {
            return u64::try_from(ts.tv_sec)
                .unwrap_or(0)
                .saturating_mul(1_000_000_000)
                .saturating_add(ts.tv_nsec.clamp(0, 999_999_999) as u64);
        }
    }
    epoch_ns(SystemTime::now())
}

/// Unix epoch milliseconds of `t` (negative before 1970).
pub fn epoch_ms(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_millis().min(i64::MAX as u128) as i64,
        Err(e) => -(e.duration().as_millis().min(i64::MAX as u128) as i64),
    }
}

/// What a get returns: the token and, when it is a stale fallback, the refresh's failure.
#[derive(Debug)]
pub struct Got {
    /// The token to use.
    pub token: Arc<Token>,
    /// `Some` when a refresh failed and this still-valid older token is returned instead.
    pub warning: Option<Error>,
    /// True when the token came from the cache without a fetch.
    pub cached: bool,
}

#[derive(Default)]
struct State {
    token: Option<Arc<Token>>,
    fetching: bool,
    /// Bumped at the end of every fetch.
    generation: u64,
    /// The error of the last fetch, if it failed.
    last_error: Option<Error>,
    /// The token of the last fetch, if it succeeded: what threads that shared it get, even if an
    /// `invalidate` emptied `token` meanwhile.
    fresh: Option<Arc<Token>>,
}

struct Slot {
    fleet: String,
    compute: String,
    state: Mutex<State>,
    done: Condvar,
    /// A copy of `state.token` for lock-free readers; written only under `state`'s lock.
    published: Published,
}

/// The longest token [`Published`] holds: the service's are at most 64 characters (its model's
/// pattern); a longer one (up to the 1024 bytes `operations` accepts) is served through the lock.
const PUBLISHED_MAX: usize = 256;

/// A sequence lock over the slot's token: `seq` is odd while a writer (holding the slot's lock)
/// changes the other fields. A reader copies them, then checks that `seq` did not move. All
/// fields are atomics, so a torn read is detected, never undefined behaviour. The bytes are wiped
/// when the token is replaced or forgotten, and when the cache is dropped.
struct Published {
    seq: AtomicU64,
    /// Token length in bytes; 0 = nothing published.
    len: AtomicUsize,
    /// Expiry and fetch time, see [`epoch_ns`].
    expires_ns: AtomicU64,
    fetched_ns: AtomicU64,
    /// The token's bytes, 8 per word, native order.
    words: [AtomicU64; PUBLISHED_MAX / 8],
}

impl Published {
    fn new() -> Self {
        Published {
            seq: AtomicU64::new(0),
            len: AtomicUsize::new(0),
            expires_ns: AtomicU64::new(0),
            fetched_ns: AtomicU64::new(0),
            words: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// Publishes `token` (`None`: nothing). The caller holds the slot's lock (one writer).
    fn store(&self, token: Option<&Token>) {
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        let old = self.len.load(Ordering::Relaxed);
        for w in &self.words[..old.div_ceil(8)] {
            w.store(0, Ordering::Relaxed);
        }
        let publishable = token.and_then(|t| {
            let bytes = t.value.expose().as_bytes();
            let times = (epoch_ns(t.expires_at), epoch_ns(t.fetched_at));
            (!bytes.is_empty() && bytes.len() <= PUBLISHED_MAX).then_some((bytes, times))
        });
        match publishable {
            Some((bytes, (expires, fetched))) => {
                for (w, chunk) in self.words.iter().zip(bytes.chunks(8)) {
                    let mut word = [0u8; 8];
                    word[..chunk.len()].copy_from_slice(chunk);
                    w.store(u64::from_ne_bytes(word), Ordering::Relaxed);
                    word.zeroize();
                }
                self.expires_ns.store(expires, Ordering::Relaxed);
                self.fetched_ns.store(fetched, Ordering::Relaxed);
                self.len.store(bytes.len(), Ordering::Relaxed);
            }
            None => self.len.store(0, Ordering::Relaxed),
        }
        self.seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// Copies the published token into `out`: its length, expiry and fetch time (see
    /// [`epoch_ns`]), or `None` when nothing is published or a writer kept getting in the way.
    fn load(&self, out: &mut [u8; PUBLISHED_MAX]) -> Option<(usize, u64, u64)> {
        for _ in 0..4 {
            let seq = self.seq.load(Ordering::Acquire);
            if seq & 1 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let len = self.len.load(Ordering::Relaxed).min(PUBLISHED_MAX);
            let expires = self.expires_ns.load(Ordering::Relaxed);
            let fetched = self.fetched_ns.load(Ordering::Relaxed);
            for (w, chunk) in self.words[..len.div_ceil(8)]
                .iter()
                .zip(out.chunks_exact_mut(8))
            {
                chunk.copy_from_slice(&w.load(Ordering::Relaxed).to_ne_bytes());
            }
            fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == seq {
                return (len > 0).then_some((len, expires, fetched));
            }
        }
        None
    }
}

impl Drop for Published {
    fn drop(&mut self) {
        for w in &mut self.words {
            w.get_mut().zeroize();
        }
    }
}

const SEGMENT: usize = 8;

/// A piece of the append-only slot list: slots fill in order, so the first empty cell ends the
/// list. Reading it takes no lock and writes nothing.
#[derive(Default)]
struct Segment {
    slots: [OnceLock<Box<Slot>>; SEGMENT],
    next: OnceLock<Box<Segment>>,
}

/// Tokens of one client, keyed by fleet and compute (the endpoint is the client's).
#[derive(Default)]
pub struct TokenCache {
    first: Segment,
    /// Serializes the addition of slots.
    grow: Mutex<()>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys = 0;
        self.find(|_| {
            keys += 1;
            false
        });
        write!(f, "TokenCache({keys} keys)")
    }
}

impl TokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        TokenCache::default()
    }

    /// The first slot for which `pred` is true. Few keys per client: a linear scan.
    fn find(&self, mut pred: impl FnMut(&Slot) -> bool) -> Option<&Slot> {
        let mut segment = &self.first;
        loop {
            for cell in &segment.slots {
                let slot = cell.get()?;
                if pred(slot) {
                    return Some(slot);
                }
            }
            segment = segment.next.get()?;
        }
    }

    fn find_key(&self, fleet: &[u8], compute: &[u8]) -> Option<&Slot> {
        self.find(|s| s.fleet.as_bytes() == fleet && s.compute.as_bytes() == compute)
    }

    fn slot(&self, fleet: &str, compute: &str) -> &Slot {
        if let Some(s) = self.find_key(fleet.as_bytes(), compute.as_bytes()) {
            return s;
        }
        let _grow = self.grow.lock();
        if let Some(s) = self.find_key(fleet.as_bytes(), compute.as_bytes()) {
            return s;
        }
        let mut segment = &self.first;
        loop {
            if let Some(cell) = segment.slots.iter().find(|c| c.get().is_none()) {
                return cell.get_or_init(|| {
                    Box::new(Slot {
                        fleet: fleet.to_owned(),
                        compute: compute.to_owned(),
                        state: Mutex::new(State::default()),
                        done: Condvar::new(),
                        published: Published::new(),
                    })
                });
            }
            segment = segment.next.get_or_init(Box::default);
        }
    }

    /// The hit path: when (fleet, compute) has a token reusable at `now_ns` (nanoseconds since
    /// the Unix epoch, on the service's clock), calls `f` with its
    /// bytes and expiry (unix epoch milliseconds) and returns `f`'s result; else `None`, and the
    /// caller takes [`TokenCache::get`]. Takes no lock and writes no shared memory. The keys are
    /// compared as bytes: only checked arguments ever made a slot, so a match needs no check.
    pub fn with_cached<R>(
        &self,
        fleet: &[u8],
        compute: &[u8],
        min_validity: Duration,
        now_ns: u64,
        f: impl FnOnce(&[u8], i64) -> R,
    ) -> Option<R> {
        let slot = self.find_key(fleet, compute)?;
        let mut copy = [0u8; PUBLISHED_MAX];
        let hit = slot.published.load(&mut copy);
        let result = match hit {
            Some((len, expires_ns, fetched_ns))
                if reusable(expires_ns, fetched_ns, now_ns, min_validity) =>
            {
                Some(f(&copy[..len], (expires_ns / 1_000_000) as i64))
            }
            _ => None,
        };
        let used = hit.map_or(PUBLISHED_MAX, |(len, _, _)| len.div_ceil(8) * 8);
        copy[..used].zeroize();
        result
    }

    /// Returns a reusable token for (fleet, compute), or fetches one with `fetch`.
    ///
    /// `now` gives the service's time. At most one `fetch` per key runs at a time; callers
    /// arriving meanwhile wait (until `deadline`) and share its result.
    pub fn get(
        &self,
        fleet: &str,
        compute: &str,
        min_validity: Duration,
        now: impl Fn() -> SystemTime,
        deadline: Instant,
        fetch: impl FnOnce() -> Result<Token>,
    ) -> Result<Got> {
        let slot = self.slot(fleet, compute);
        let mut st = slot.state.lock();
        if let Some(t) = &st.token
            && t.reusable(now(), min_validity)
        {
            return Ok(Got {
                token: t.clone(),
                warning: None,
                cached: true,
            });
        }
        if st.fetching {
            // Share the fetch under way.
            let generation = st.generation;
            while st.fetching && st.generation == generation {
                if slot.done.wait_until(&mut st, deadline).timed_out() {
                    break;
                }
            }
            if st.generation != generation {
                return match (&st.fresh, &st.last_error) {
                    (Some(t), None) => Ok(Got {
                        token: t.clone(),
                        warning: None,
                        cached: false,
                    }),
                    (_, Some(e)) => stale_or(st.token.as_ref(), e.clone(), now()),
                    (None, None) => Err(Error::internal("a shared fetch ended without a result")),
                };
            }
            let e = Error::new(
                ErrorKind::Timeout,
                "the call's deadline passed while waiting for another thread's token fetch",
            );
            return stale_or(st.token.as_ref(), e, now());
        }
        st.fetching = true;
        drop(st);

        // Reset `fetching` even if `fetch` panics, so waiters are not stuck.
        struct Finish<'a>(&'a Slot, Option<Result<Arc<Token>>>);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                let mut st = self.0.state.lock();
                st.fetching = false;
                st.generation = st.generation.wrapping_add(1);
                match self.1.take() {
                    Some(Ok(t)) => {
                        self.0.published.store(Some(&t));
                        st.token = Some(t.clone());
                        st.fresh = Some(t);
                        st.last_error = None;
                    }
                    Some(Err(e)) => {
                        st.fresh = None;
                        st.last_error = Some(e);
                    }
                    None => {
                        st.fresh = None;
                        st.last_error = Some(Error::internal("the token fetch panicked"));
                    }
                }
                self.0.done.notify_all();
            }
        }
        let mut finish = Finish(slot, None);
        let result = fetch().map(Arc::new);
        // The fetcher answers with its own result, whatever an `invalidate` did meanwhile.
        let reply = result.clone();
        finish.1 = Some(result);
        drop(finish);
        match reply {
            Ok(token) => Ok(Got {
                token,
                warning: None,
                cached: false,
            }),
            Err(e) => {
                let st = slot.state.lock();
                stale_or(st.token.as_ref(), e, now())
            }
        }
    }

    /// Calls `f` with every token the cache holds (to redact them from error messages).
    pub fn for_each_token(&self, mut f: impl FnMut(&str)) {
        self.find(|slot| {
            let st = slot.state.lock();
            for t in st.token.iter().chain(st.fresh.iter()) {
                f(t.value.expose());
            }
            false
        });
    }

    /// Forgets the token of (fleet, compute): the next get fetches anew.
    pub fn invalidate(&self, fleet: &str, compute: &str) {
        if let Some(s) = self.find_key(fleet.as_bytes(), compute.as_bytes()) {
            let mut st = s.state.lock();
            s.published.store(None);
            st.token = None;
        }
    }
}

/// The stale fallback: an unexpired older token with the error as a warning, else the error.
fn stale_or(token: Option<&Arc<Token>>, e: Error, now: SystemTime) -> Result<Got> {
    match token {
        Some(t) if t.remaining(now) > Duration::ZERO => {
            crate::log_warn!(
                "token refresh failed, returning the cached token which has {} s left: {e}",
                t.remaining(now).as_secs()
            );
            Ok(Got {
                token: t.clone(),
                warning: Some(e),
                cached: true,
            })
        }
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn token(now: SystemTime, lifetime_s: u64, v: &str) -> Token {
        Token {
            value: Secret::from(v),
            expires_at: now + Duration::from_secs(lifetime_s),
            fetched_at: now,
        }
    }

    #[test]
    fn reuse_rule() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let t = token(t0, 3600, "a");
        let mv = Duration::from_secs(900);
        assert!(t.reusable(t0 + Duration::from_secs(2699), mv));
        assert!(!t.reusable(t0 + Duration::from_secs(2700), mv));
        // Short-lived: half the lifetime is the threshold.
        let t = token(t0, 600, "b");
        assert!(t.reusable(t0 + Duration::from_secs(299), mv));
        assert!(!t.reusable(t0 + Duration::from_secs(300), mv));
    }

    #[test]
    fn hit_refresh_stale_invalidate() {
        let cache = TokenCache::new();
        let now = Arc::new(Mutex::new(SystemTime::now()));
        let clock = || *now.lock();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mv = Duration::from_secs(900);
        let fetches = AtomicU32::new(0);
        let ok = |v: &'static str| {
            let start = *now.lock();
            let fetches = &fetches;
            move || {
                fetches.fetch_add(1, Ordering::SeqCst);
                Ok(token(start, 3600, v))
            }
        };
        let g = cache
            .get("fleet-1", "c", mv, clock, deadline, ok("a"))
            .unwrap();
        assert_eq!(g.token.value.expose(), "a");
        assert!(!g.cached);
        let g = cache
            .get("fleet-1", "c", mv, clock, deadline, ok("b"))
            .unwrap();
        assert_eq!(g.token.value.expose(), "a");
        assert!(g.cached);
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // Past the threshold: a refresh.
        *now.lock() += Duration::from_secs(2701);
        let g = cache
            .get("fleet-1", "c", mv, clock, deadline, ok("c"))
            .unwrap();
        assert_eq!(g.token.value.expose(), "c");
        // Refresh fails while unexpired: stale token + warning.
        *now.lock() += Duration::from_secs(2701);
        let g = cache
            .get("fleet-1", "c", mv, clock, deadline, || {
                Err(Error::new(ErrorKind::Network, "down"))
            })
            .unwrap();
        assert_eq!(g.token.value.expose(), "c");
        assert_eq!(g.warning.unwrap().kind(), ErrorKind::Network);
        // Expired: the error.
        *now.lock() += Duration::from_secs(3600);
        let e = cache
            .get("fleet-1", "c", mv, clock, deadline, || {
                Err(Error::new(ErrorKind::Network, "down"))
            })
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network);
        // Invalidate forces a fetch.
        cache
            .get("fleet-1", "c", mv, clock, deadline, ok("d"))
            .unwrap();
        cache.invalidate("fleet-1", "c");
        let g = cache
            .get("fleet-1", "c", mv, clock, deadline, ok("e"))
            .unwrap();
        assert_eq!(g.token.value.expose(), "e");
    }

    #[test]
    fn single_flight() {
        let cache = Arc::new(TokenCache::new());
        let fetches = Arc::new(AtomicU32::new(0));
        let barrier = Arc::new(std::sync::Barrier::new(32));
        let threads: Vec<_> = (0..32)
            .map(|_| {
                let (cache, fetches, barrier) = (cache.clone(), fetches.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let deadline = Instant::now() + Duration::from_secs(10);
                    cache
                        .get(
                            "fleet-1",
                            "c",
                            Duration::from_secs(900),
                            SystemTime::now,
                            deadline,
                            || {
                                fetches.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(100));
                                Ok(token(SystemTime::now(), 3600, "t"))
                            },
                        )
                        .unwrap()
                        .token
                        .value
                        .expose()
                        .to_owned()
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), "t");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn hit_path_reads_the_published_token() {
        let cache = TokenCache::new();
        let now = SystemTime::now();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mv = Duration::from_secs(900);
        let hit = |at: SystemTime| {
            cache.with_cached(b"fleet-1", b"c", mv, epoch_ns(at), |t, ms| (t.to_vec(), ms))
        };
        let fetch = |v: String| move || Ok(token(now, 3600, &v));
        assert_eq!(hit(now), None, "no slot yet");
        cache
            .get("fleet-1", "c", mv, || now, deadline, fetch("tok-a".into()))
            .unwrap();
        let (t, ms) = hit(now).unwrap();
        assert_eq!(t, b"tok-a");
        assert_eq!(ms, epoch_ms(now + Duration::from_secs(3600)));
        // Other keys miss, byte for byte.
        assert!(
            cache
                .with_cached(b"fleet-1", b"C", mv, epoch_ns(now), |_, _| ())
                .is_none()
        );
        assert!(
            cache
                .with_cached(b"fleet-", b"c", mv, epoch_ns(now), |_, _| ())
                .is_none()
        );
        // The same rule as `get`.
        assert!(hit(now + Duration::from_secs(2699)).is_some());
        assert!(hit(now + Duration::from_secs(2700)).is_none());
        // Invalidated: a miss; a new fetch publishes the new token.
        cache.invalidate("fleet-1", "c");
        assert!(hit(now).is_none());
        cache
            .get("fleet-1", "c", mv, || now, deadline, fetch("tok-b".into()))
            .unwrap();
        assert_eq!(hit(now).unwrap().0, b"tok-b");
        // Longer than the published copy holds: served by `get` only.
        let long = "l".repeat(PUBLISHED_MAX + 1);
        cache.invalidate("fleet-1", "c");
        cache
            .get("fleet-1", "c", mv, || now, deadline, fetch(long.clone()))
            .unwrap();
        assert!(hit(now).is_none());
        let g = cache
            .get("fleet-1", "c", mv, || now, deadline, fetch("unused".into()))
            .unwrap();
        assert!(g.cached);
        assert_eq!(g.token.value.expose(), long);
        // Many keys: the slot list grows past one segment and every key still hits.
        for i in 0..3 * SEGMENT {
            let compute = format!("c{i}");
            cache
                .get(
                    "fleet-1",
                    &compute,
                    mv,
                    || now,
                    deadline,
                    fetch(format!("t{i}")),
                )
                .unwrap();
        }
        for i in 0..3 * SEGMENT {
            let got = cache.with_cached(
                b"fleet-1",
                format!("c{i}").as_bytes(),
                mv,
                epoch_ns(now),
                |t, _| t.to_vec(),
            );
            assert_eq!(got.unwrap(), format!("t{i}").as_bytes());
        }
        assert_eq!(
            format!("{cache:?}"),
            format!("TokenCache({} keys)", 3 * SEGMENT + 1)
        );
    }

    #[test]
    fn readers_never_see_a_torn_token() {
        use std::sync::atomic::{AtomicBool, AtomicU64};
        let cache = Arc::new(TokenCache::new());
        let now = SystemTime::now();
        let limit = Instant::now() + Duration::from_secs(20);
        let mv = Duration::from_secs(900);
        let (a, b) = ("a".repeat(40), "b".repeat(PUBLISHED_MAX));
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicU64::new(0));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (cache, stop, hits) = (cache.clone(), stop.clone(), hits.clone());
                let (a, b) = (a.clone(), b.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let got = cache.with_cached(b"fleet-1", b"c", mv, epoch_ns(now), |t, _| {
                            t == a.as_bytes() || t == b.as_bytes()
                        });
                        if let Some(whole) = got {
                            assert!(whole, "a torn token");
                            hits.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        // Swap the token until the readers have hit often enough (or the limit: a failure).
        let mut swaps = 0u64;
        while swaps < 2000 || hits.load(Ordering::Relaxed) < 1000 {
            assert!(Instant::now() < limit, "the readers hit {hits:?} times");
            let v = if swaps.is_multiple_of(2) {
                a.clone()
            } else {
                b.clone()
            };
            cache.invalidate("fleet-1", "c");
            cache
                .get(
                    "fleet-1",
                    "c",
                    mv,
                    || now,
                    limit,
                    || Ok(token(now, 3600, &v)),
                )
                .unwrap();
            swaps += 1;
        }
        stop.store(true, Ordering::Relaxed);
        for r in readers {
            r.join().unwrap();
        }
    }

    #[test]
    fn coarse_clock_follows_the_wall_clock_and_the_offset() {
        let fine = epoch_ns(SystemTime::now());
        let coarse = coarse_now_ns(0);
        // The coarse clock lags by at most a tick (a few ms); allow scheduling noise.
        assert!(coarse.abs_diff(fine) < 100_000_000, "{coarse} vs {fine}");
        let ahead = coarse_now_ns(1_200_000);
        assert!(ahead.abs_diff(fine + 1_200_000_000_000) < 100_000_000);
        let behind = coarse_now_ns(-1_200_000);
        assert!(behind.abs_diff(fine - 1_200_000_000_000) < 100_000_000);
    }
}

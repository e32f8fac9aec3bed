//! The per-client token cache: the reuse rule, single flight, stale fallback, invalidation.
//!
//! A cached token is returned while its remaining lifetime is above
//! `min(min_validity, lifetime / 2)` (lifetime = expiry minus fetch time). Callers that need
//! the same fetch share it: one thread fetches, the others wait for its result. When a refresh
//! fails and the cached token has not expired, the cached token is returned with the failure as
//! a warning. The cached path takes two uncontended locks and clones an `Arc`: no allocation.

use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use parking_lot::{Condvar, Mutex, RwLock};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

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

    fn lifetime(&self) -> Duration {
        self.expires_at
            .duration_since(self.fetched_at)
            .unwrap_or(Duration::ZERO)
    }

    /// Time left at `now`; zero when expired.
    pub fn remaining(&self, now: SystemTime) -> Duration {
        self.expires_at
            .duration_since(now)
            .unwrap_or(Duration::ZERO)
    }

    /// True when the token may be reused at `now` under the cache rule.
    pub fn reusable(&self, now: SystemTime, min_validity: Duration) -> bool {
        self.remaining(now) > min_validity.min(self.lifetime() / 2)
    }
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
}

struct Slot {
    fleet: String,
    compute: String,
    state: Mutex<State>,
    done: Condvar,
}

/// Tokens of one client, keyed by fleet and compute (the endpoint is the client's).
#[derive(Default)]
pub struct TokenCache {
    slots: RwLock<Vec<Arc<Slot>>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenCache({} keys)", self.slots.read().len())
    }
}

impl TokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        TokenCache::default()
    }

    fn slot(&self, fleet: &str, compute: &str) -> Arc<Slot> {
        // Few keys per client: a linear scan compares strings without building a key.
        let find = |v: &Vec<Arc<Slot>>| {
            v.iter()
                .find(|s| s.fleet == fleet && s.compute == compute)
                .cloned()
        };
        if let Some(s) = find(&self.slots.read()) {
            return s;
        }
        let mut w = self.slots.write();
        if let Some(s) = find(&w) {
            return s;
        }
        let s = Arc::new(Slot {
            fleet: fleet.to_owned(),
            compute: compute.to_owned(),
            state: Mutex::new(State::default()),
            done: Condvar::new(),
        });
        w.push(s.clone());
        s
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
                return match (&st.token, &st.last_error) {
                    (Some(t), None) => Ok(Got {
                        token: t.clone(),
                        warning: None,
                        cached: false,
                    }),
                    (token, Some(e)) => stale_or(token.as_ref(), e.clone(), now()),
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
        struct Finish<'a>(&'a Slot, Option<Result<Token>>);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                let mut st = self.0.state.lock();
                st.fetching = false;
                st.generation = st.generation.wrapping_add(1);
                match self.1.take() {
                    Some(Ok(t)) => {
                        st.token = Some(Arc::new(t));
                        st.last_error = None;
                    }
                    Some(Err(e)) => st.last_error = Some(e),
                    None => st.last_error = Some(Error::internal("the token fetch panicked")),
                }
                self.0.done.notify_all();
            }
        }
        let mut finish = Finish(&slot, None);
        let result = fetch();
        let reply = match &result {
            Ok(_) => None,
            Err(e) => Some(e.clone()),
        };
        finish.1 = Some(result);
        drop(finish);
        let st = slot.state.lock();
        match reply {
            None => match &st.token {
                Some(t) => Ok(Got {
                    token: t.clone(),
                    warning: None,
                    cached: false,
                }),
                None => Err(Error::internal("a fetched token vanished")),
            },
            Some(e) => stale_or(st.token.as_ref(), e, now()),
        }
    }

    /// Forgets the token of (fleet, compute): the next get fetches anew.
    pub fn invalidate(&self, fleet: &str, compute: &str) {
        let slots = self.slots.read();
        if let Some(s) = slots
            .iter()
            .find(|s| s.fleet == fleet && s.compute == compute)
        {
            s.state.lock().token = None;
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
}

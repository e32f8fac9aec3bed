//! The cache in front of the credential chain.
//!
//! Credentials are reused while they have more than [`REFRESH_WINDOW`] left (long-term keys
//! forever). One caller at a time refreshes (so concurrent calls do not each run a
//! `credential_process`); the others wait for it, or use the current credentials if they are
//! still valid. When a refresh fails while the cached credentials are still valid, they are used
//! (with a warning) and the refresh is retried after [`RETRY_AFTER_FAILURE`].

use super::{Credentials, ProvideContext, Provider};
use crate::error::{Error, Result};
use parking_lot::Mutex;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Credentials expiring within this window are refreshed before use.
pub const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);
/// After a failed refresh that fell back on still-valid credentials, the next try waits this long.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// A [`Provider`] that caches what its inner provider answers.
pub struct CredentialsCache {
    inner: Arc<dyn Provider>,
    state: Mutex<State>,
    /// Held by the one caller that refreshes.
    refresh: Mutex<()>,
}

#[derive(Default)]
struct State {
    credentials: Option<Credentials>,
    /// No refresh before this instant (set after a failed refresh with a fallback).
    retry_after: Option<Instant>,
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("CredentialsCache")
            .field("inner", &self.inner)
            .field("cached", &state.credentials.is_some())
            .field("expiry", &state.credentials.as_ref().and_then(|c| c.expiry))
            .finish()
    }
}

/// More than [`REFRESH_WINDOW`] left (or no expiry).
fn fresh(c: &Credentials, now: SystemTime) -> bool {
    c.expiry.is_none_or(|e| {
        e.duration_since(now)
            .is_ok_and(|left| left > REFRESH_WINDOW)
    })
}

/// Not expired yet (or no expiry).
fn valid(c: &Credentials, now: SystemTime) -> bool {
    c.expiry.is_none_or(|e| e > now)
}

/// Seconds until `c` expires, for messages.
fn seconds_left(c: &Credentials, now: SystemTime) -> u64 {
    c.expiry
        .and_then(|e| e.duration_since(now).ok())
        .map_or(0, |d| d.as_secs())
}

impl CredentialsCache {
    /// A cache in front of `inner`, empty at first.
    pub fn new(inner: Arc<dyn Provider>) -> Self {
        CredentialsCache {
            inner,
            state: Mutex::new(State::default()),
            refresh: Mutex::new(()),
        }
    }

    /// The cached credentials if they need no refresh now.
    fn usable(&self) -> Option<Credentials> {
        let state = self.state.lock();
        let c = state.credentials.as_ref()?;
        let now = SystemTime::now();
        let backing_off = state.retry_after.is_some_and(|t| Instant::now() < t);
        (fresh(c, now) || (backing_off && valid(c, now))).then(|| c.clone())
    }

    /// The cached credentials if they have not expired.
    fn still_valid(&self) -> Option<Credentials> {
        let state = self.state.lock();
        let c = state.credentials.as_ref()?;
        valid(c, SystemTime::now()).then(|| c.clone())
    }
}

impl Provider for CredentialsCache {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        if let Some(c) = self.usable() {
            return Ok(Some(c));
        }
        let _refreshing = match self.refresh.try_lock() {
            Some(guard) => guard,
            None => {
                // Someone else is refreshing: use what is still valid, or wait for them.
                if let Some(c) = self.still_valid() {
                    return Ok(Some(c));
                }
                self.refresh.try_lock_until(ctx.deadline).ok_or_else(|| {
                    Error::credentials(format!(
                        "timed out waiting for credentials from {} (another call is getting them)",
                        self.inner.name()
                    ))
                })?
            }
        };
        // The caller before us may have refreshed while we waited.
        if let Some(c) = self.usable() {
            return Ok(Some(c));
        }
        let fallback = self.still_valid();
        // With a fallback, a hung source may take only half of the call's remaining time.
        let inner_ctx = ProvideContext {
            env: ctx.env,
            deadline: match fallback {
                Some(_) => {
                    let now = Instant::now();
                    now + ctx.deadline.saturating_duration_since(now) / 2
                }
                None => ctx.deadline,
            },
        };
        let answer = self.inner.provide(&inner_ctx);
        let now = SystemTime::now();
        let mut state = self.state.lock();
        match (answer, fallback) {
            (Ok(Some(c)), _) => {
                if !valid(&c, now) {
                    crate::log_warn!("{} gave credentials that have already expired", c.source);
                } else if !fresh(&c, now) {
                    crate::log_debug!(
                        "{} gave credentials that expire in {} s",
                        c.source,
                        seconds_left(&c, now)
                    );
                }
                state.credentials = Some(c.clone());
                state.retry_after = None;
                Ok(Some(c))
            }
            (Ok(None), Some(c)) => {
                crate::log_warn!(
                    "{} no longer has credentials; using the cached ones from {} \
                     (they expire in {} s)",
                    self.inner.name(),
                    c.source,
                    seconds_left(&c, now)
                );
                state.retry_after = Some(Instant::now() + RETRY_AFTER_FAILURE);
                Ok(Some(c))
            }
            (Err(e), Some(c)) => {
                crate::log_warn!(
                    "refreshing credentials failed ({e}); using the cached ones from {} \
                     (they expire in {} s)",
                    c.source,
                    seconds_left(&c, now)
                );
                state.retry_after = Some(Instant::now() + RETRY_AFTER_FAILURE);
                Ok(Some(c))
            }
            (other, None) => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::error::ErrorKind;
    use crate::secret::Secret;
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    /// Answers queued outcomes (then `None`), counts calls, and can block on a gate.
    #[derive(Default)]
    struct Scripted {
        outcomes: Mutex<VecDeque<Result<Option<Credentials>>>>,
        calls: AtomicUsize,
        gate: Mutex<()>,
        entered: Mutex<Option<mpsc::Sender<()>>>,
    }

    impl fmt::Debug for Scripted {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("Scripted")
        }
    }

    impl Provider for Scripted {
        fn name(&self) -> String {
            "scripted".to_owned()
        }
        fn provide(&self, _: &ProvideContext<'_>) -> Result<Option<Credentials>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if let Some(tx) = self.entered.lock().as_ref() {
                let _ = tx.send(());
            }
            drop(self.gate.lock());
            self.outcomes.lock().pop_front().unwrap_or(Ok(None))
        }
    }

    fn creds(id: &str, expires_in: Option<i64>) -> Result<Option<Credentials>> {
        let now = SystemTime::now();
        let expiry = expires_in.map(|s| {
            if s >= 0 {
                now + Duration::from_secs(s as u64)
            } else {
                now - Duration::from_secs(s.unsigned_abs())
            }
        });
        Ok(Some(Credentials {
            access_key_id: id.to_owned(),
            secret_access_key: Secret::from("CACHESECRET"),
            session_token: None,
            expiry,
            source: format!("source {id}"),
        }))
    }

    fn setup(outcomes: Vec<Result<Option<Credentials>>>) -> (Arc<Scripted>, CredentialsCache) {
        let inner = Arc::new(Scripted::default());
        inner.outcomes.lock().extend(outcomes);
        let cache = CredentialsCache::new(inner.clone());
        (inner, cache)
    }

    fn get_within(cache: &CredentialsCache, timeout: Duration) -> Result<Option<Credentials>> {
        let env = Env::from_pairs::<&str, &str>([]);
        let ctx = ProvideContext {
            env: &env,
            deadline: Instant::now() + timeout,
        };
        cache.provide(&ctx)
    }

    fn get(cache: &CredentialsCache) -> Result<Option<Credentials>> {
        get_within(cache, Duration::from_secs(10))
    }

    fn id(r: Result<Option<Credentials>>) -> String {
        r.unwrap().unwrap().access_key_id
    }

    #[test]
    fn long_term_and_far_expiry_are_reused() {
        let (inner, cache) = setup(vec![creds("A", None)]);
        for _ in 0..3 {
            assert_eq!(id(get(&cache)), "A");
        }
        assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
        let (inner, cache) = setup(vec![creds("A", Some(3600))]);
        for _ in 0..3 {
            assert_eq!(id(get(&cache)), "A");
        }
        assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
        assert!(!format!("{cache:?}").contains("CACHESECRET"));
    }

    #[test]
    fn near_expiry_or_expired_is_refreshed() {
        let (inner, cache) = setup(vec![
            creds("A", Some(299)),
            creds("B", Some(-5)),
            creds("C", Some(3600)),
        ]);
        assert_eq!(id(get(&cache)), "A");
        assert_eq!(id(get(&cache)), "B");
        assert_eq!(id(get(&cache)), "C");
        assert_eq!(id(get(&cache)), "C");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn failed_refresh_keeps_valid_credentials_and_backs_off() {
        let (inner, cache) = setup(vec![
            creds("A", Some(120)),
            Err(Error::credentials("source broke")),
        ]);
        assert_eq!(id(get(&cache)), "A");
        assert_eq!(id(get(&cache)), "A");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 2);
        // Backing off: no new refresh right away.
        assert_eq!(id(get(&cache)), "A");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn failed_refresh_of_expired_credentials_fails() {
        let (inner, cache) = setup(vec![
            creds("A", Some(-1)),
            Err(Error::credentials("source broke")),
            Err(Error::credentials("still broken")),
        ]);
        assert_eq!(id(get(&cache)), "A");
        assert_eq!(get(&cache).unwrap_err().message(), "source broke");
        // Errors are not cached.
        assert_eq!(get(&cache).unwrap_err().message(), "still broken");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 3);
        assert!(get(&cache).unwrap().is_none());
    }

    #[test]
    fn concurrent_callers_share_one_refresh() {
        let (inner, cache) = setup(vec![creds("A", Some(3600)), creds("B", Some(3600))]);
        let cache = Arc::new(cache);
        let (tx, rx) = mpsc::channel();
        *inner.entered.lock() = Some(tx);
        let gate = inner.gate.lock();
        let first = {
            let cache = cache.clone();
            std::thread::spawn(move || id(get(&cache)))
        };
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        let others: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                std::thread::spawn(move || id(get(&cache)))
            })
            .collect();
        drop(gate);
        assert_eq!(first.join().unwrap(), "A");
        for t in others {
            assert_eq!(t.join().unwrap(), "A");
        }
        assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waiting_for_another_refresh_respects_the_deadline() {
        let (inner, cache) = setup(vec![creds("A", Some(3600))]);
        let cache = Arc::new(cache);
        let (tx, rx) = mpsc::channel();
        *inner.entered.lock() = Some(tx);
        let gate = inner.gate.lock();
        let first = {
            let cache = cache.clone();
            std::thread::spawn(move || id(get(&cache)))
        };
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        let err = get_within(&cache, Duration::from_millis(50)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(
            err.message()
                .starts_with("timed out waiting for credentials from scripted")
        );
        drop(gate);
        assert_eq!(first.join().unwrap(), "A");
    }

    #[test]
    fn valid_credentials_are_served_during_a_refresh() {
        let (inner, cache) = setup(vec![creds("A", Some(60)), creds("B", Some(3600))]);
        let cache = Arc::new(cache);
        assert_eq!(id(get(&cache)), "A");
        let (tx, rx) = mpsc::channel();
        *inner.entered.lock() = Some(tx);
        let gate = inner.gate.lock();
        let refresher = {
            let cache = cache.clone();
            std::thread::spawn(move || id(get(&cache)))
        };
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(id(get(&cache)), "A");
        drop(gate);
        assert_eq!(refresher.join().unwrap(), "B");
        assert_eq!(id(get(&cache)), "B");
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_expiration_is_honoured() {
        use crate::credentials::ProcessProvider;
        use crate::credentials::test_support::{count_lines, rfc3339, script};
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        let body = |expires: SystemTime| {
            format!(
                "echo run >> '{}'\necho '{{\"Version\": 1, \"AccessKeyId\": \"A\", \
                 \"SecretAccessKey\": \"S\", \"Expiration\": \"{}\"}}'",
                runs.display(),
                rfc3339(expires)
            )
        };
        // Already expired: every call runs the process.
        let past = script(
            dir.path(),
            "past",
            &body(SystemTime::now() - REFRESH_WINDOW),
        );
        let cache = CredentialsCache::new(Arc::new(ProcessProvider::new("p", past)));
        assert!(get(&cache).unwrap().is_some());
        assert!(get(&cache).unwrap().is_some());
        assert_eq!(count_lines(&runs), 2);
        // An hour left: one run serves many calls.
        std::fs::remove_file(&runs).unwrap();
        let hour = SystemTime::now() + Duration::from_secs(3600);
        let later = script(dir.path(), "later", &body(hour));
        let cache = CredentialsCache::new(Arc::new(ProcessProvider::new("p", later)));
        for _ in 0..3 {
            assert!(get(&cache).unwrap().is_some());
        }
        assert_eq!(count_lines(&runs), 1);
    }
}

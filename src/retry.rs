//! What is retried, how long to wait, and the call's deadline.
//!
//! Retried: 5xx, throttles (and `LimitExceededException`, `NotReadyException`), connection
//! errors and timeouts, with capped exponential backoff and full jitter, within `max_attempts`
//! and the deadline. A signature refused for clock skew is retried once, at once, after the
//! signing clock was corrected from the answer's `Date` header (as the AWS SDKs do); that retry
//! does not count as an attempt.

use crate::error::{Error, ErrorKind};
use crate::signing::ClockOffset;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

/// Backoff base: the first retry waits up to this long.
pub const BASE_DELAY: Duration = Duration::from_millis(100);
/// Backoff cap for one wait.
pub const MAX_DELAY: Duration = Duration::from_secs(20);

/// How a failed attempt may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Final: the same request would fail the same way.
    Never,
    /// A passing fault: retry after a backoff.
    Transient,
    /// The service asks us to slow down: retry after a backoff.
    Throttle,
    /// The signature's time is off: correct the clock and retry at once, once.
    ClockSkew,
}

/// A failed attempt: the error and, if there was an answer, its `Date` header.
#[derive(Debug)]
pub struct Failed {
    /// The error of this attempt.
    pub error: Error,
    /// The answer's `Date` header.
    pub server_date: Option<String>,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Failed {
            error,
            server_date: None,
        }
    }
}

/// Decides whether a failure may be retried.
pub fn classify(e: &Error) -> RetryClass {
    let skew = e.message().contains("Signature expired")
        || e.message().contains("not yet current")
        || e.code() == Some("RequestTimeTooSkewed");
    if skew {
        return RetryClass::ClockSkew;
    }
    match e.kind() {
        ErrorKind::Throttled | ErrorKind::LimitExceeded => RetryClass::Throttle,
        ErrorKind::NotReady | ErrorKind::Network | ErrorKind::Timeout => RetryClass::Transient,
        ErrorKind::Service => match e.http_status() {
            Some(500 | 502 | 503 | 504) => RetryClass::Transient,
            _ => RetryClass::Never,
        },
        _ => RetryClass::Never,
    }
}

/// A random wait in `[0, min(MAX_DELAY, BASE_DELAY * 2^retry)]` ("full jitter").
pub fn backoff(retry: u32) -> Duration {
    let ceiling = BASE_DELAY
        .saturating_mul(1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX))
        .min(MAX_DELAY);
    // std's RandomState is seeded randomly per thread: enough for jitter, no extra crate.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(retry);
    let r = h.finish();
    let nanos = ceiling.as_nanos() as u64;
    Duration::from_nanos(if nanos == 0 { 0 } else { r % (nanos + 1) })
}

/// Runs `attempt` until it succeeds, fails for good, runs out of attempts or of time.
///
/// `attempt` gets the attempt number (1-based). The error returned is the last attempt's, or
/// a timeout when the deadline passed first.
pub fn run<T>(
    action: &str,
    max_attempts: u32,
    deadline: Instant,
    clock: &ClockOffset,
    mut attempt: impl FnMut(u32) -> Result<T, Failed>,
) -> Result<T, Error> {
    let max_attempts = max_attempts.max(1);
    let mut n = 1;
    let mut skew_retried = false;
    loop {
        let failed = match attempt(n) {
            Ok(v) => return Ok(v),
            Err(f) => f,
        };
        let class = classify(&failed.error);
        if class == RetryClass::ClockSkew
            && !skew_retried
            && clock.correct_from_date_header(failed.server_date.as_deref())
        {
            skew_retried = true;
            crate::log_warn!(
                "{action}: the service refused the signature's time; clock corrected by {} ms, retrying once",
                clock.millis()
            );
            continue;
        }
        if matches!(class, RetryClass::Never | RetryClass::ClockSkew) || n >= max_attempts {
            return Err(failed.error);
        }
        let wait = backoff(n - 1);
        if Instant::now() + wait >= deadline {
            crate::log_debug!("{action}: no time left for attempt {}", n + 1);
            return Err(failed.error);
        }
        crate::log_debug!(
            "{action}: attempt {n} failed ({}); retrying after {} ms",
            failed.error.kind_name(),
            wait.as_millis()
        );
        std::thread::sleep(wait);
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_jittered() {
        for retry in 0..40 {
            let d = backoff(retry);
            assert!(d <= MAX_DELAY);
            assert!(d <= BASE_DELAY * 2u32.saturating_pow(retry.min(16)));
        }
        let distinct: std::collections::HashSet<_> = (0..20).map(|_| backoff(3)).collect();
        assert!(distinct.len() > 1, "no jitter");
    }

    #[test]
    fn classes() {
        let e = |k, s: Option<u16>| {
            let e = Error::new(k, "x");
            match s {
                Some(s) => e.with_http_status(s),
                None => e,
            }
        };
        assert_eq!(
            classify(&e(ErrorKind::Service, Some(500))),
            RetryClass::Transient
        );
        assert_eq!(
            classify(&e(ErrorKind::Service, Some(400))),
            RetryClass::Never
        );
        assert_eq!(
            classify(&e(ErrorKind::Throttled, Some(400))),
            RetryClass::Throttle
        );
        assert_eq!(
            classify(&e(ErrorKind::NotFound, Some(400))),
            RetryClass::Never
        );
        assert_eq!(
            classify(&e(ErrorKind::Network, None)),
            RetryClass::Transient
        );
        let skew = Error::service(
            ErrorKind::Unauthorized,
            "Signature expired: 20261121T050000Z is now earlier than ...",
            Some("InvalidSignatureException".into()),
            None,
        );
        assert_eq!(classify(&skew), RetryClass::ClockSkew);
    }

    #[test]
    fn stops_at_max_attempts_and_on_final_errors() {
        let clock = ClockOffset::default();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut calls = 0;
        let r: Result<(), _> = run("X", 3, deadline, &clock, |_| {
            calls += 1;
            Err(Error::new(ErrorKind::Network, "down").into())
        });
        assert_eq!(r.unwrap_err().kind(), ErrorKind::Network);
        assert_eq!(calls, 3);
        let mut calls = 0;
        let r: Result<(), _> = run("X", 3, deadline, &clock, |_| {
            calls += 1;
            Err(Error::new(ErrorKind::NotFound, "no").into())
        });
        assert_eq!(r.unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(calls, 1);
    }
}

//! The token cache through the client, against the stand-in: hits, the refresh threshold,
//! short-lived tokens, single flight, the stale fallback (also through the C ABI),
//! invalidation and per-compute keys.
//!
//! Expiry needs wall-clock time to pass: those tests sleep until a computed instant (the
//! threshold plus a margin), never to wait for an event. The stand-in issues short-lived tokens
//! (`token_lifetime_s`) so that the waits stay under three seconds.

mod common;

use common::{COMPUTE, FLEET, LogCapture, REGION, SECRET_KEY, StandIn, client_with, count};
use gamelift_auth::ErrorKind;
use gamelift_auth::ffi::client::{
    gamelift_auth_client, gamelift_auth_client_free, gamelift_auth_client_new,
};
use gamelift_auth::ffi::config::{
    gamelift_auth_config_free, gamelift_auth_config_new, gamelift_auth_config_set_credentials,
    gamelift_auth_config_set_endpoint, gamelift_auth_config_set_max_attempts,
    gamelift_auth_config_set_min_validity_s, gamelift_auth_config_set_region,
};
use gamelift_auth::ffi::error::gamelift_auth_status as St;
use gamelift_auth::ffi::library::gamelift_auth_last_error;
use gamelift_auth::ffi::token::gamelift_auth_get_token;
use serde_json::json;
use std::ffi::{CStr, CString, c_char};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const GET_TOKEN: &str = "GetComputeAuthToken";

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Sleeps until `at`: only to let wall-clock time pass for a token to age.
fn sleep_until(at: Instant) {
    let now = Instant::now();
    if at > now {
        std::thread::sleep(at - now);
    }
}

#[test]
fn second_call_is_a_cache_hit() {
    let s = StandIn::start();
    let c = client_with(&s.url, |_| {});
    let a = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(!a.cached);
    assert!(a.warning.is_none());
    let b = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(b.cached);
    assert_eq!(a.token.value.expose(), b.token.value.expose());
    assert_eq!(a.token.expires_at_ms(), b.token.expires_at_ms());
    // The stand-in's default lifetime is an hour.
    let left = a.token.expires_at_ms() - now_ms();
    assert!((3_590_000..=3_600_000).contains(&left), "{left} ms left");
    assert_eq!(count(&s, GET_TOKEN), 1);
    assert_eq!(common::total(&s), 1);
}

#[test]
fn refresh_at_half_the_lifetime() {
    let s = StandIn::start();
    s.config(json!({"token_lifetime_s": 3}));
    // min_validity 900 s > lifetime / 2: the threshold is 1.5 s of the 3 s.
    let c = client_with(&s.url, |cfg| cfg.min_validity = Duration::from_secs(900));
    let t0 = Instant::now();
    let a = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(!a.cached);
    let left = a.token.expires_at_ms() - now_ms();
    assert!((2_000..=3_000).contains(&left), "{left} ms left");
    // Before the threshold: a hit.
    sleep_until(t0 + Duration::from_millis(900));
    let b = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(b.cached, "0.9 s into a 3 s token");
    assert_eq!(b.token.value.expose(), a.token.value.expose());
    assert_eq!(count(&s, GET_TOKEN), 1);
    // Past it: a new token.
    sleep_until(t0 + Duration::from_millis(1700));
    let d = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(!d.cached, "1.7 s into a 3 s token");
    assert_ne!(d.token.value.expose(), a.token.value.expose());
    assert!(d.token.expires_at_ms() > a.token.expires_at_ms());
    assert_eq!(count(&s, GET_TOKEN), 2);
}

#[test]
fn refresh_at_min_validity_when_below_half_the_lifetime() {
    let s = StandIn::start();
    s.config(json!({"token_lifetime_s": 3}));
    // min_validity 1 s < lifetime / 2: the token is kept until 1 s is left.
    let c = client_with(&s.url, |cfg| cfg.min_validity = Duration::from_secs(1));
    let t0 = Instant::now();
    let a = c.get_token(FLEET, COMPUTE).unwrap();
    sleep_until(t0 + Duration::from_millis(1500));
    let b = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(b.cached, "1.5 s into a 3 s token with min_validity 1 s");
    assert_eq!(b.token.value.expose(), a.token.value.expose());
    assert_eq!(count(&s, GET_TOKEN), 1);
    sleep_until(t0 + Duration::from_millis(2300));
    let d = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(!d.cached, "2.3 s into a 3 s token with min_validity 1 s");
    assert_ne!(d.token.value.expose(), a.token.value.expose());
    assert_eq!(count(&s, GET_TOKEN), 2);
}

#[test]
fn short_lived_tokens_are_returned_fresh() {
    let s = StandIn::start();
    s.config(json!({"token_lifetime_s": 1}));
    let c = client_with(&s.url, |cfg| cfg.min_validity = Duration::from_secs(900));
    let t0 = Instant::now();
    let a = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(!a.cached);
    let left = a.token.expires_at_ms() - now_ms();
    assert!((0..=1_000).contains(&left), "{left} ms left");
    assert_eq!(count(&s, GET_TOKEN), 1);
    // Past half of its second: the next call fetches, and returns the fresh 1 s token.
    sleep_until(t0 + Duration::from_millis(700));
    let b = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(!b.cached);
    assert_ne!(b.token.value.expose(), a.token.value.expose());
    assert!(b.token.expires_at_ms() > now_ms());
    assert_eq!(count(&s, GET_TOKEN), 2);
}

#[test]
fn concurrent_callers_share_one_fetch() {
    const THREADS: usize = 64;
    let s = StandIn::start();
    // The one fetch is slow, so that all callers arrive while it is under way.
    s.faults(json!([{"action": GET_TOKEN, "delay_ms": 300}]));
    let c = client_with(&s.url, |_| {});
    let barrier = Arc::new(Barrier::new(THREADS));
    let tokens: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (c, barrier) = (&c, barrier.clone());
                scope.spawn(move || {
                    barrier.wait();
                    c.get_token(FLEET, COMPUTE)
                        .expect("a token")
                        .token
                        .value
                        .expose()
                        .to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(tokens.len(), THREADS);
    assert!(
        tokens.iter().all(|t| *t == tokens[0]),
        "all share one token"
    );
    assert_eq!(count(&s, GET_TOKEN), 1);
    assert_eq!(common::total(&s), 1);
}

#[test]
fn stale_token_is_returned_when_the_refresh_fails() {
    let s = StandIn::start();
    s.config(json!({"token_lifetime_s": 3}));
    let c = client_with(&s.url, |cfg| {
        cfg.min_validity = Duration::from_secs(900);
        cfg.max_attempts = 2;
    });
    let t0 = Instant::now();
    let a = c.get_token(FLEET, COMPUTE).unwrap();
    sleep_until(t0 + Duration::from_millis(1700));
    s.faults(json!([{"action": GET_TOKEN, "status": 500,
        "error_type": "InternalServiceException", "message": "injected", "times": 1000}]));
    let log = LogCapture::start(2);
    let b = c.get_token(FLEET, COMPUTE).expect("the stale token");
    let lines = log.lines();
    drop(log);
    assert_eq!(b.token.value.expose(), a.token.value.expose());
    let w = b.warning.as_ref().expect("a warning");
    assert_eq!(w.kind(), ErrorKind::Service, "{w}");
    assert_eq!(w.code(), Some("InternalServiceException"));
    // 1 fetch, then a refresh of 2 attempts.
    assert_eq!(count(&s, GET_TOKEN), 3);
    let warned = lines.iter().any(|(level, m)| {
        *level == 2
            && m.contains("token refresh failed, returning the cached token")
            && m.contains("InternalServiceException")
    });
    assert!(warned, "no warning logged: {lines:#?}");
    assert!(
        !lines
            .iter()
            .any(|(_, m)| m.contains(a.token.value.expose())),
        "a token in the log"
    );

    // Once the old token has expired there is nothing to fall back to.
    let expiry = a.token.expires_at_ms() - now_ms();
    sleep_until(Instant::now() + Duration::from_millis(expiry.max(0) as u64 + 200));
    let e = c.get_token(FLEET, COMPUTE).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service, "{e}");
    assert_eq!(count(&s, GET_TOKEN), 5);
}

fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(gamelift_auth_last_error()) }
        .to_str()
        .unwrap()
        .to_string()
}

/// A C ABI client for the stand-in.
fn ffi_client(url: &str, min_validity_s: u32, attempts: u32) -> *mut gamelift_auth_client {
    unsafe {
        let cfg = gamelift_auth_config_new();
        assert!(!cfg.is_null());
        let ok = St::GAMELIFT_AUTH_OK;
        assert_eq!(
            gamelift_auth_config_set_endpoint(cfg, cstr(url).as_ptr()),
            ok
        );
        assert_eq!(
            gamelift_auth_config_set_region(cfg, cstr(REGION).as_ptr()),
            ok
        );
        assert_eq!(
            gamelift_auth_config_set_credentials(
                cfg,
                cstr(common::ACCESS_KEY).as_ptr(),
                cstr(SECRET_KEY).as_ptr(),
                std::ptr::null()
            ),
            ok
        );
        assert_eq!(
            gamelift_auth_config_set_min_validity_s(cfg, min_validity_s),
            ok
        );
        assert_eq!(gamelift_auth_config_set_max_attempts(cfg, attempts), ok);
        let mut client = std::ptr::null_mut();
        assert_eq!(
            gamelift_auth_client_new(cfg, &mut client),
            ok,
            "{}",
            last_error()
        );
        gamelift_auth_config_free(cfg);
        assert!(!client.is_null());
        client
    }
}

/// `gamelift_auth_get_token` into a 128-byte buffer: (status, token, expires_at_ms).
fn ffi_get(client: *mut gamelift_auth_client) -> (St, String, i64) {
    let mut buf = [0 as c_char; 128];
    let mut len = usize::MAX;
    let mut expires = i64::MIN;
    let fleet = cstr(FLEET);
    let compute = cstr(COMPUTE);
    let st = unsafe {
        gamelift_auth_get_token(
            client,
            fleet.as_ptr(),
            compute.as_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
            &mut expires,
        )
    };
    let token = if st == St::GAMELIFT_AUTH_OK {
        let t = unsafe { CStr::from_ptr(buf.as_ptr()) }
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(t.len(), len);
        t
    } else {
        String::new()
    };
    (st, token, expires)
}

#[test]
fn stale_token_through_the_c_abi() {
    let s = StandIn::start();
    s.config(json!({"token_lifetime_s": 3}));
    let client = ffi_client(&s.url, 900, 2);
    let t0 = Instant::now();
    let (st, a, a_exp) = ffi_get(client);
    assert_eq!(st, St::GAMELIFT_AUTH_OK, "{}", last_error());
    assert_eq!(last_error(), "", "no warning after a clean fetch");
    sleep_until(t0 + Duration::from_millis(1700));
    s.faults(json!([{"action": GET_TOKEN, "status": 500,
        "error_type": "InternalServiceException", "message": "injected", "times": 1000}]));
    let (st, b, b_exp) = ffi_get(client);
    assert_eq!(st, St::GAMELIFT_AUTH_OK, "the stale token comes with OK");
    assert_eq!(b, a);
    assert_eq!(b_exp, a_exp);
    let warning = last_error();
    assert!(warning.contains("InternalServiceException"), "{warning:?}");
    assert!(
        warning.contains("GAMELIFT_AUTH_ERROR_SERVICE"),
        "{warning:?}"
    );
    assert!(!warning.contains(&a), "the token in last_error");
    assert_eq!(count(&s, GET_TOKEN), 3);
    // A clean cached call clears it.
    s.reset();
    s.config(json!({"token_lifetime_s": 3}));
    let (st, c, _) = ffi_get(client);
    assert_eq!(st, St::GAMELIFT_AUTH_OK);
    assert_ne!(c, a, "a refresh after the stand-in recovered");
    assert_eq!(last_error(), "");
    unsafe { gamelift_auth_client_free(client) };
}

#[test]
fn invalidate_forces_a_new_request() {
    let s = StandIn::start();
    let c = client_with(&s.url, |_| {});
    let a = c.get_token(FLEET, COMPUTE).unwrap();
    c.invalidate_token(FLEET, COMPUTE).unwrap();
    assert_eq!(count(&s, GET_TOKEN), 1, "invalidate sends nothing");
    let b = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(!b.cached);
    assert_ne!(a.token.value.expose(), b.token.value.expose());
    assert_eq!(count(&s, GET_TOKEN), 2);
    let d = c.get_token(FLEET, COMPUTE).unwrap();
    assert!(d.cached);
    assert_eq!(d.token.value.expose(), b.token.value.expose());
    assert_eq!(count(&s, GET_TOKEN), 2);
    // Invalidating a key never fetched is fine and sends nothing.
    c.invalidate_token(FLEET, "other-box").unwrap();
    assert_eq!(count(&s, GET_TOKEN), 2);
    // Invalid arguments are refused.
    let e = c.invalidate_token("not-a-fleet", COMPUTE).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn each_compute_has_its_own_token() {
    let s = StandIn::start();
    let c = client_with(&s.url, |_| {});
    let keys = [
        (FLEET, COMPUTE),
        (FLEET, "other-box"),
        ("fleet-9z9z", COMPUTE),
    ];
    let first: Vec<String> = keys
        .iter()
        .map(|(f, n)| c.get_token(f, n).unwrap().token.value.expose().to_string())
        .collect();
    assert_eq!(count(&s, GET_TOKEN), 3);
    assert_ne!(first[0], first[1]);
    assert_ne!(first[0], first[2]);
    assert_ne!(first[1], first[2]);
    let bodies: Vec<String> = common::requests(&s)
        .iter()
        .map(|r| r["body"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        bodies,
        [
            r#"{"FleetId":"fleet-1a2b","ComputeName":"my-box"}"#,
            r#"{"FleetId":"fleet-1a2b","ComputeName":"other-box"}"#,
            r#"{"FleetId":"fleet-9z9z","ComputeName":"my-box"}"#,
        ]
    );
    // Each is cached under its own key.
    for ((f, n), t) in keys.iter().zip(&first) {
        let g = c.get_token(f, n).unwrap();
        assert!(g.cached);
        assert_eq!(g.token.value.expose(), t);
    }
    assert_eq!(count(&s, GET_TOKEN), 3);
    // Invalidating one leaves the others cached.
    c.invalidate_token(FLEET, "other-box").unwrap();
    assert!(c.get_token(FLEET, COMPUTE).unwrap().cached);
    assert!(!c.get_token(FLEET, "other-box").unwrap().cached);
    assert_eq!(count(&s, GET_TOKEN), 4);
}

#[test]
fn invalidate_with_a_shared_cache_dir_forces_a_new_request() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let cached = || client_with(&s.url, |cfg| cfg.cache_dir = Some(dir.path().to_path_buf()));
    let c = cached();
    let a = c.get_token(FLEET, COMPUTE).unwrap();
    assert_eq!(count(&s, GET_TOKEN), 1);
    // Another client on the same directory (another process, in effect) shares the token.
    let other = cached();
    let b = other.get_token(FLEET, COMPUTE).unwrap();
    assert_eq!(b.token.value.expose(), a.token.value.expose());
    assert_eq!(count(&s, GET_TOKEN), 1);
    // Invalidation means "this token was refused": the next call must not hand it out again.
    c.invalidate_token(FLEET, COMPUTE).unwrap();
    let d = c.get_token(FLEET, COMPUTE).unwrap();
    assert_ne!(
        d.token.value.expose(),
        a.token.value.expose(),
        "the invalidated token came back from the cache directory"
    );
    assert_eq!(count(&s, GET_TOKEN), 2);
}

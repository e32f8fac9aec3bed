//! The C entry points that take strings, and the input validators behind them.
//!
//! Input: NUL-separated strings (invalid UTF-8 kept as is); byte 0 of the first picks the
//! entry point. Config setters get a fresh config; client calls go to one client whose endpoint
//! is a loopback port with nothing listening (a socket bound without `listen`, so a request that
//! passes the checks fails at once with NETWORK, and nothing leaves the machine), with explicit
//! credentials, 1 attempt and a 20 ms timeout. A fuzzed endpoint is only set and turned
//! into a client, never sent to.
//!
//! Checks: no panic and never GAMELIFT_AUTH_ERROR_INTERNAL (a caught panic); the last error is
//! never NULL, valid UTF-8, and non-empty after a failure; out-params are written only on
//! success; `config::check_endpoint_url` is idempotent on what it accepts and accepts plain
//! http only for loopback hosts.
#![no_main]

use gamelift_auth::config::{check_endpoint_url, check_region};
use gamelift_auth::ffi::client::*;
use gamelift_auth::ffi::compute::*;
use gamelift_auth::ffi::config::*;
use gamelift_auth::ffi::error::gamelift_auth_status as St;
use gamelift_auth::ffi::library::gamelift_auth_last_error;
use gamelift_auth::ffi::token::*;
use gamelift_auth::ffi::upload::*;
use gamelift_auth::validate;
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::ptr::{null, null_mut};

/// Calls on one client before a new one (its token cache keeps one slot per key it saw).
const CALLS_PER_CLIENT: u32 = 2000;

struct Fixture {
    client: *mut gamelift_auth_client,
    calls: u32,
    endpoint: CString,
}

thread_local! {
    static FIXTURE: RefCell<Option<Fixture>> = const { RefCell::new(None) };
}

/// `http://127.0.0.1:PORT` of a bound, never listening socket (kept open for the process).
fn closed_endpoint() -> CString {
    // SAFETY: plain socket calls on a socket this function owns and never closes.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(libc::bind(fd, (&raw const addr).cast(), len), 0);
        let mut bound: libc::sockaddr_in = std::mem::zeroed();
        let mut blen = len;
        assert_eq!(libc::getsockname(fd, (&raw mut bound).cast(), &mut blen), 0);
        CString::new(format!("http://127.0.0.1:{}", u16::from_be(bound.sin_port))).unwrap()
    }
}

fn ok(st: St) {
    assert_eq!(st, St::GAMELIFT_AUTH_OK, "{}", last_error());
}

fn new_client(endpoint: &CStr) -> *mut gamelift_auth_client {
    unsafe {
        let cfg = gamelift_auth_config_new();
        ok(gamelift_auth_config_set_endpoint(cfg, endpoint.as_ptr()));
        ok(gamelift_auth_config_set_region(cfg, c"us-west-2".as_ptr()));
        ok(gamelift_auth_config_set_credentials(
            cfg,
            c"AKIDFUZZ".as_ptr(),
            c"fuzz-secret".as_ptr(),
            null(),
        ));
        ok(gamelift_auth_config_set_max_attempts(cfg, 1));
        ok(gamelift_auth_config_set_timeout_ms(cfg, 20));
        let mut client = null_mut();
        ok(gamelift_auth_client_new(cfg, &mut client));
        gamelift_auth_config_free(cfg);
        client
    }
}

fn with_client(f: impl FnOnce(*mut gamelift_auth_client)) {
    FIXTURE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let fx = slot.get_or_insert_with(|| {
            // Keep the process environment out of the configurations.
            // SAFETY: libFuzzer runs the target on one thread; this is its first call.
            unsafe {
                std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/gamelift-auth-fuzz/config");
                std::env::set_var(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    "/nonexistent/gamelift-auth-fuzz/credentials",
                );
                std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
            }
            let endpoint = closed_endpoint();
            Fixture {
                client: new_client(&endpoint),
                calls: 0,
                endpoint,
            }
        });
        fx.calls += 1;
        if fx.calls > CALLS_PER_CLIENT {
            unsafe { gamelift_auth_client_free(fx.client) };
            fx.client = new_client(&fx.endpoint);
            fx.calls = 0;
        }
        f(fx.client);
    });
}

fn last_error() -> String {
    let p = gamelift_auth_last_error();
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .expect("the last error is UTF-8")
        .to_owned()
}

/// Checks a status and the last error that goes with it.
fn checked(what: &str, st: St) -> St {
    let e = last_error();
    assert_ne!(st, St::GAMELIFT_AUTH_ERROR_INTERNAL, "{what}: {e}");
    if st != St::GAMELIFT_AUTH_OK {
        assert!(!e.is_empty(), "{what}: {st:?} without a last error");
    }
    st
}

/// A request through the client may only fail (nothing listens), or be refused before it.
fn request_status(what: &str, st: St) {
    let st = checked(what, st);
    assert!(
        matches!(
            st,
            St::GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT
                | St::GAMELIFT_AUTH_ERROR_NETWORK
                | St::GAMELIFT_AUTH_ERROR_TIMEOUT
        ),
        "{what}: {st:?}: {}",
        last_error()
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let parts: Vec<CString> = rest
        .split(|&b| b == 0)
        .take(7)
        .map(|p| CString::new(p).expect("split at NUL"))
        .collect();
    // A missing string is NULL.
    let arg = |i: usize| parts.get(i).map_or(null(), |s| s.as_ptr());
    let text = |i: usize| {
        parts
            .get(i)
            .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
    };

    // The validators, on the lossy text.
    if let Some(s) = text(0) {
        let _ = validate::fleet_id(&s);
        let _ = validate::compute_name(&s);
        let _ = validate::compute_name_or_arn(&s);
        let _ = validate::build_id(&s);
        let _ = validate::ip_address(&s);
        let _ = validate::dns_name(&s);
        let _ = validate::location(&s);
        let _ = validate::certificate_path(&s);
        let _ = validate::auth_token(&s);
        let _ = check_region(&s);
        if let Ok(url) = check_endpoint_url(&s) {
            assert_eq!(check_endpoint_url(&url).as_ref(), Ok(&url), "{s:?}");
            if url.to_ascii_lowercase().starts_with("http://") {
                let host = url[7..].split(['/', ':']).next().unwrap_or("");
                let v6 = url[7..].starts_with('[');
                assert!(
                    v6 || host.eq_ignore_ascii_case("localhost")
                        || host
                            .parse::<std::net::Ipv4Addr>()
                            .is_ok_and(|a| a.is_loopback()),
                    "plain http to {url:?}"
                );
            }
        }
    }

    match selector % 12 {
        // Config setters, then a client from what was accepted (it sends nothing).
        0..=3 => unsafe {
            let cfg = gamelift_auth_config_new();
            let st = match selector % 4 {
                0 => gamelift_auth_config_set_region(cfg, arg(0)),
                1 => gamelift_auth_config_set_endpoint(cfg, arg(0)),
                2 => gamelift_auth_config_set_profile(cfg, arg(0)),
                _ => gamelift_auth_config_set_credentials(cfg, arg(0), arg(1), arg(2)),
            };
            checked("config setter", st);
            if selector % 4 != 0 {
                checked(
                    "set_region",
                    gamelift_auth_config_set_region(cfg, c"us-west-2".as_ptr()),
                );
            }
            if selector % 4 != 1 {
                checked(
                    "set_endpoint",
                    gamelift_auth_config_set_endpoint(cfg, c"https://127.0.0.1:9".as_ptr()),
                );
            }
            let sentinel = std::ptr::NonNull::<gamelift_auth_client>::dangling().as_ptr();
            let mut client = sentinel;
            let st = checked("client_new", gamelift_auth_client_new(cfg, &mut client));
            if st == St::GAMELIFT_AUTH_OK {
                gamelift_auth_client_free(client);
            } else {
                assert_eq!(client, sentinel, "out-param written on failure");
            }
            // The cache directory is only checked, never opened: a fuzzed path must not
            // create directories.
            let cfg2 = gamelift_auth_config_new();
            checked(
                "set_cache_dir",
                gamelift_auth_config_set_cache_dir(cfg2, arg(0)),
            );
            gamelift_auth_config_free(cfg2);
            gamelift_auth_config_free(cfg);
        },
        4 => with_client(|c| unsafe {
            let cap = parts.get(2).map_or(0, |p| p.as_bytes().len() % 64);
            let mut buf = vec![b'Z' as c_char; cap + 1];
            let (mut len, mut expires) = (7usize, 9i64);
            let st = gamelift_auth_get_token(
                c,
                arg(0),
                arg(1),
                if cap == 0 {
                    null_mut()
                } else {
                    buf.as_mut_ptr()
                },
                cap,
                &mut len,
                &mut expires,
            );
            request_status("get_token", st);
            assert_eq!((len, expires), (7, 9), "out-params written on failure");
            assert!(
                buf.iter().all(|&b| b == b'Z' as c_char),
                "buffer written on failure"
            );
        }),
        5 => with_client(|c| unsafe {
            let st = checked(
                "invalidate_token",
                gamelift_auth_invalidate_token(c, arg(0), arg(1)),
            );
            assert!(matches!(
                st,
                St::GAMELIFT_AUTH_OK | St::GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT
            ));
        }),
        6 => with_client(|c| unsafe {
            let mut out = null_mut();
            let st = gamelift_auth_register_compute(
                c,
                arg(0),
                arg(1),
                arg(2),
                arg(3),
                arg(4),
                arg(5),
                &mut out,
            );
            request_status("register_compute", st);
            assert!(out.is_null());
        }),
        7 => with_client(|c| unsafe {
            let mut out = null_mut();
            request_status(
                "describe_compute",
                gamelift_auth_describe_compute(c, arg(0), arg(1), &mut out),
            );
            assert!(out.is_null());
        }),
        8 => with_client(|c| unsafe {
            request_status(
                "deregister_compute",
                gamelift_auth_deregister_compute(c, arg(0), arg(1)),
            );
        }),
        9 => with_client(|c| unsafe {
            let mut out = null_mut();
            request_status(
                "server_parameters_new",
                gamelift_auth_server_parameters_new(c, arg(0), arg(1), &mut out),
            );
            assert!(out.is_null());
        }),
        10 => with_client(|c| unsafe {
            let mut out = null_mut();
            request_status(
                "request_upload_credentials",
                gamelift_auth_request_upload_credentials(c, arg(0), &mut out),
            );
            assert!(out.is_null());
        }),
        _ => unsafe {
            let cfg = gamelift_auth_config_new();
            let cfg_null = std::ptr::null_mut();
            checked(
                "set_profile(NULL cfg)",
                gamelift_auth_config_set_profile(cfg_null, arg(0)),
            );
            checked(
                "set_credentials",
                gamelift_auth_config_set_credentials(cfg, arg(0), arg(1), arg(2)),
            );
            checked(
                "set_credentials again",
                gamelift_auth_config_set_credentials(cfg, arg(3), arg(4), arg(5)),
            );
            gamelift_auth_config_free(cfg);
        },
    }
});

//! The C ABI, called from Rust exactly as C calls it, against the stand-in: every function of
//! the header's sections succeeds at least once; arguments are checked before any request
//! (NULL, invalid UTF-8, the service's patterns); the caller-buffer protocol; out-params
//! untouched on error; `_free(NULL)`; accessors on NULL; configuration checks; status names;
//! the log callback (levels, never a secret); the per-thread last error.

mod common;

use common::{ACCESS_KEY, COMPUTE, FLEET, REGION, SECRET_KEY, StandIn, count, total};
use gamelift_auth::ffi::client::*;
use gamelift_auth::ffi::compute::*;
use gamelift_auth::ffi::config::*;
use gamelift_auth::ffi::error::gamelift_auth_status as St;
use gamelift_auth::ffi::library::*;
use gamelift_auth::ffi::log::gamelift_auth_set_log_callback;
use gamelift_auth::ffi::token::*;
use gamelift_auth::ffi::upload::*;
use serde_json::json;
use std::ffi::{CStr, CString, c_char, c_void};
use std::ptr::{NonNull, null, null_mut};
use std::sync::{Barrier, Mutex};

const OK: St = St::GAMELIFT_AUTH_OK;
const INVALID: St = St::GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT;
const TOO_SMALL: St = St::GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL;

fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// A C string returned by the library, which must never be NULL.
fn text(p: *const c_char) -> String {
    assert!(!p.is_null(), "the library returned NULL");
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string()
}

fn last_error() -> String {
    text(gamelift_auth_last_error())
}

/// Asserts a status, with the last error in the failure message.
#[track_caller]
fn expect(got: St, want: St) {
    let why = last_error();
    assert_eq!(got, want, "last_error: {why}");
    if want == OK {
        assert_eq!(why, "", "OK leaves no last error");
    } else {
        assert!(!why.is_empty(), "a failure without a last error");
    }
}

/// A configuration handle, freed on drop.
struct Cfg(*mut gamelift_auth_config);

impl Drop for Cfg {
    fn drop(&mut self) {
        unsafe { gamelift_auth_config_free(self.0) }
    }
}

impl Cfg {
    fn new() -> Cfg {
        let p = gamelift_auth_config_new();
        assert!(!p.is_null());
        Cfg(p)
    }

    /// Endpoint, region and credentials set explicitly: the process environment plays no part.
    fn standin(url: &str) -> Cfg {
        Cfg::standin_keys(url, SECRET_KEY, None)
    }

    fn standin_keys(url: &str, secret: &str, session: Option<&str>) -> Cfg {
        let c = Cfg::new();
        unsafe {
            expect(gamelift_auth_config_set_endpoint(c.0, cs(url).as_ptr()), OK);
            expect(
                gamelift_auth_config_set_region(c.0, cs(REGION).as_ptr()),
                OK,
            );
            let session = session.map(cs);
            expect(
                gamelift_auth_config_set_credentials(
                    c.0,
                    cs(ACCESS_KEY).as_ptr(),
                    cs(secret).as_ptr(),
                    session.as_ref().map_or(null(), |s| s.as_ptr()),
                ),
                OK,
            );
        }
        c
    }
}

/// A client handle, freed on drop.
struct Client(*mut gamelift_auth_client);

impl Drop for Client {
    fn drop(&mut self) {
        unsafe { gamelift_auth_client_free(self.0) }
    }
}

impl Client {
    fn new(cfg: &Cfg) -> Client {
        let mut out = null_mut();
        expect(unsafe { gamelift_auth_client_new(cfg.0, &mut out) }, OK);
        assert!(!out.is_null());
        Client(out)
    }

    fn standin(url: &str) -> Client {
        Client::new(&Cfg::standin(url))
    }
}

/// A non-NULL pointer that no library object has: an out-param sentinel.
fn sentinel<T>() -> *mut T {
    NonNull::<T>::dangling().as_ptr()
}

/// `gamelift_auth_get_token` into a 128-byte buffer: (status, token).
fn get_token(c: &Client, fleet: &str, compute: &str) -> (St, String) {
    let mut buf = [0 as c_char; 128];
    let mut len = 0usize;
    let st = unsafe {
        gamelift_auth_get_token(
            c.0,
            cs(fleet).as_ptr(),
            cs(compute).as_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
            null_mut(),
        )
    };
    let t = if st == OK {
        let t = text(buf.as_ptr());
        assert_eq!(t.len(), len);
        t
    } else {
        String::new()
    };
    (st, t)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn is_uuid_v4(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, ch)| match i {
            8 | 13 | 18 | 23 => ch == '-',
            14 => ch == '4',
            _ => ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase(),
        })
}

// ---- Library-wide -----------------------------------------------------------------------

#[test]
fn version_abi_and_status_names() {
    assert_eq!(text(gamelift_auth_version()), env!("CARGO_PKG_VERSION"));
    // Static: the same pointer every time.
    assert_eq!(gamelift_auth_version(), gamelift_auth_version());
    assert_eq!(gamelift_auth_abi_version(), ABI_VERSION);
    assert!(gamelift_auth_abi_version() >= 1);

    let table: [(St, i32, &str); 18] = [
        (St::GAMELIFT_AUTH_OK, 0, "GAMELIFT_AUTH_OK"),
        (
            St::GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT,
            1,
            "GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL,
            2,
            "GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_CONFIG,
            3,
            "GAMELIFT_AUTH_ERROR_CONFIG",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_CREDENTIALS,
            4,
            "GAMELIFT_AUTH_ERROR_CREDENTIALS",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_NETWORK,
            5,
            "GAMELIFT_AUTH_ERROR_NETWORK",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_TIMEOUT,
            6,
            "GAMELIFT_AUTH_ERROR_TIMEOUT",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_THROTTLED,
            7,
            "GAMELIFT_AUTH_ERROR_THROTTLED",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_UNAUTHORIZED,
            8,
            "GAMELIFT_AUTH_ERROR_UNAUTHORIZED",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_NOT_FOUND,
            9,
            "GAMELIFT_AUTH_ERROR_NOT_FOUND",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_INVALID_REQUEST,
            10,
            "GAMELIFT_AUTH_ERROR_INVALID_REQUEST",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION,
            11,
            "GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_SERVICE,
            12,
            "GAMELIFT_AUTH_ERROR_SERVICE",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_BAD_RESPONSE,
            13,
            "GAMELIFT_AUTH_ERROR_BAD_RESPONSE",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_CONFLICT,
            14,
            "GAMELIFT_AUTH_ERROR_CONFLICT",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_NOT_READY,
            15,
            "GAMELIFT_AUTH_ERROR_NOT_READY",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED,
            16,
            "GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED",
        ),
        (
            St::GAMELIFT_AUTH_ERROR_INTERNAL,
            99,
            "GAMELIFT_AUTH_ERROR_INTERNAL",
        ),
    ];
    for (status, value, name) in table {
        assert_eq!(status as i32, value, "{name}");
        assert_eq!(text(gamelift_auth_status_name(value)), name);
    }
    for unknown in [-1, 17, 98, 100, i32::MIN, i32::MAX] {
        assert_eq!(
            text(gamelift_auth_status_name(unknown)),
            "GAMELIFT_AUTH_ERROR_UNKNOWN"
        );
    }
}

#[test]
fn last_error_is_per_thread() {
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        let a = scope.spawn(|| {
            assert_eq!(last_error(), "");
            let st = unsafe {
                gamelift_auth_invalidate_token(null_mut(), cs(FLEET).as_ptr(), cs(COMPUTE).as_ptr())
            };
            assert_eq!(st, INVALID);
            let mine = last_error();
            assert!(mine.contains("client is NULL"), "{mine}");
            barrier.wait(); // 1: A failed
            barrier.wait(); // 2: B failed in its own way
            assert_eq!(last_error(), mine, "B's failure shows on A");
            barrier.wait(); // 3
        });
        let b = scope.spawn(|| {
            barrier.wait(); // 1
            assert_eq!(last_error(), "", "A's failure shows on B");
            let cfg = Cfg::new();
            let st = unsafe { gamelift_auth_config_set_timeout_ms(cfg.0, 0) };
            assert_eq!(st, INVALID);
            let mine = last_error();
            assert!(mine.contains("timeout"), "{mine}");
            assert!(!mine.contains("client is NULL"));
            barrier.wait(); // 2
            barrier.wait(); // 3
            assert_eq!(last_error(), mine);
            // A success clears this thread's last error.
            expect(
                unsafe { gamelift_auth_config_set_timeout_ms(cfg.0, 1000) },
                OK,
            );
        });
        a.join().unwrap();
        b.join().unwrap();
    });
}

// ---- Every function succeeds ------------------------------------------------------------

#[test]
fn every_function_succeeds() {
    let s = StandIn::start();
    let cfg = Cfg::standin(&s.url);
    unsafe {
        expect(gamelift_auth_config_set_timeout_ms(cfg.0, 5000), OK);
        expect(gamelift_auth_config_set_max_attempts(cfg.0, 2), OK);
        expect(gamelift_auth_config_set_min_validity_s(cfg.0, 900), OK);
        // (set_cache_dir: see config_setters_check_their_values and tests/token_cache.rs.)
        expect(gamelift_auth_config_set_cache_dir(cfg.0, null()), OK);
    }
    let c = Client::new(&cfg);
    drop(cfg); // the client keeps its own copy
    let (fleet, compute) = (cs(FLEET), cs(COMPUTE));

    // The token: ask for the size, then fetch into an exact buffer.
    let mut need = 0usize;
    let st = unsafe {
        gamelift_auth_get_token(
            c.0,
            fleet.as_ptr(),
            compute.as_ptr(),
            null_mut(),
            0,
            &mut need,
            null_mut(),
        )
    };
    expect(st, TOO_SMALL);
    assert_eq!(need, 37, "a UUID and the NUL");
    let mut buf = vec![0x7f as c_char; need];
    let (mut len, mut expires) = (0usize, 0i64);
    let st = unsafe {
        gamelift_auth_get_token(
            c.0,
            fleet.as_ptr(),
            compute.as_ptr(),
            buf.as_mut_ptr(),
            need,
            &mut len,
            &mut expires,
        )
    };
    expect(st, OK);
    let token = text(buf.as_ptr());
    assert_eq!(len, 36);
    assert!(is_uuid_v4(&token), "{token}");
    let left = expires - now_ms();
    assert!((3_590_000..=3_600_000).contains(&left), "{left} ms left");
    assert_eq!(count(&s, "GetComputeAuthToken"), 1);

    // Invalidate: the next call fetches another.
    expect(
        unsafe { gamelift_auth_invalidate_token(c.0, fleet.as_ptr(), compute.as_ptr()) },
        OK,
    );
    let (st, token2) = get_token(&c, FLEET, COMPUTE);
    expect(st, OK);
    assert_ne!(token2, token);
    assert_eq!(count(&s, "GetComputeAuthToken"), 2);

    // Upload credentials.
    let mut u = null_mut();
    let build = cs("build-1111aaaa");
    expect(
        unsafe { gamelift_auth_request_upload_credentials(c.0, build.as_ptr(), &mut u) },
        OK,
    );
    assert!(!u.is_null());
    unsafe {
        let id = text(gamelift_auth_upload_credentials_access_key_id(u));
        assert!(id.starts_with("ASIA") && id.len() == 20, "{id}");
        assert_eq!(
            text(gamelift_auth_upload_credentials_secret_access_key(u)).len(),
            40
        );
        assert!(
            text(gamelift_auth_upload_credentials_session_token(u)).starts_with("IQoJb3JpZ2luX2Vj")
        );
        assert_eq!(
            text(gamelift_auth_upload_credentials_bucket(u)),
            "gamelift-standin-builds-us-west-2"
        );
        assert_eq!(
            text(gamelift_auth_upload_credentials_key(u)),
            "123456789012/build-1111aaaa"
        );
        assert_eq!(
            text(gamelift_auth_upload_credentials_role_arn(u)),
            "arn:aws:iam::123456789012:role/GameLiftStandInUploadRole"
        );
        assert_eq!(text(gamelift_auth_upload_credentials_object_version(u)), "");
        gamelift_auth_upload_credentials_free(u);
    }
    assert_eq!(count(&s, "RequestUploadCredentials"), 1);

    // Register, describe.
    let check_compute = |p: *const gamelift_auth_compute| unsafe {
        assert_eq!(text(gamelift_auth_compute_fleet_id(p)), FLEET);
        assert_eq!(text(gamelift_auth_compute_name(p)), COMPUTE);
        assert_eq!(
            text(gamelift_auth_compute_arn(p)),
            "arn:aws:gamelift:us-west-2:123456789012:compute/my-box"
        );
        assert_eq!(text(gamelift_auth_compute_status(p)), "ACTIVE");
        assert_eq!(text(gamelift_auth_compute_ip_address(p)), "10.1.2.3");
        assert_eq!(text(gamelift_auth_compute_location(p)), "custom-home");
        assert_eq!(
            text(gamelift_auth_compute_sdk_endpoint(p)),
            "wss://us-west-2.api.amazongamelift.com"
        );
        assert_eq!(
            text(gamelift_auth_compute_agent_endpoint(p)),
            "https://us-west-2.process-manager-api.amazongamelift.com"
        );
    };
    let mut reg = null_mut();
    let st = unsafe {
        gamelift_auth_register_compute(
            c.0,
            fleet.as_ptr(),
            compute.as_ptr(),
            cs("10.1.2.3").as_ptr(),
            null(),
            cs("custom-home").as_ptr(),
            cs("/etc/ssl/certs/game.pem").as_ptr(),
            &mut reg,
        )
    };
    expect(st, OK);
    check_compute(reg);
    unsafe { gamelift_auth_compute_free(reg) };
    let body: serde_json::Value = serde_json::from_str(
        common::requests(&s)
            .iter()
            .find(|r| r["action"] == "RegisterCompute")
            .unwrap()["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body,
        json!({"FleetId": FLEET, "ComputeName": COMPUTE, "IpAddress": "10.1.2.3",
               "Location": "custom-home", "CertificatePath": "/etc/ssl/certs/game.pem"})
    );
    let mut d = null_mut();
    expect(
        unsafe { gamelift_auth_describe_compute(c.0, fleet.as_ptr(), compute.as_ptr(), &mut d) },
        OK,
    );
    check_compute(d);
    unsafe { gamelift_auth_compute_free(d) };
    assert_eq!(count(&s, "DescribeCompute"), 1);

    // Server parameters: the websocket URL learnt from RegisterCompute, the cached token.
    let mut p = null_mut();
    expect(
        unsafe {
            gamelift_auth_server_parameters_new(c.0, fleet.as_ptr(), compute.as_ptr(), &mut p)
        },
        OK,
    );
    let mut q = null_mut();
    expect(
        unsafe {
            gamelift_auth_server_parameters_new(c.0, fleet.as_ptr(), compute.as_ptr(), &mut q)
        },
        OK,
    );
    unsafe {
        assert_eq!(
            text(gamelift_auth_server_parameters_web_socket_url(p)),
            "wss://us-west-2.api.amazongamelift.com"
        );
        assert_eq!(text(gamelift_auth_server_parameters_auth_token(p)), token2);
        assert_eq!(text(gamelift_auth_server_parameters_fleet_id(p)), FLEET);
        assert_eq!(text(gamelift_auth_server_parameters_host_id(p)), COMPUTE);
        let pid = text(gamelift_auth_server_parameters_process_id(p));
        assert!(is_uuid_v4(&pid), "{pid}");
        assert_ne!(
            pid,
            text(gamelift_auth_server_parameters_process_id(q)),
            "a fresh process id per call"
        );
        let exp = gamelift_auth_server_parameters_expires_at_ms(p);
        assert!((exp - now_ms() - 3_600_000).abs() < 60_000, "{exp}");
        gamelift_auth_server_parameters_free(p);
        gamelift_auth_server_parameters_free(q);
    }
    assert_eq!(
        count(&s, "DescribeCompute"),
        1,
        "the websocket URL is cached"
    );
    assert_eq!(count(&s, "GetComputeAuthToken"), 2, "the token is cached");

    // Deregister: the compute is gone.
    expect(
        unsafe { gamelift_auth_deregister_compute(c.0, fleet.as_ptr(), compute.as_ptr()) },
        OK,
    );
    assert_eq!(count(&s, "DeregisterCompute"), 1);
    let mut gone = sentinel();
    let st =
        unsafe { gamelift_auth_describe_compute(c.0, fleet.as_ptr(), compute.as_ptr(), &mut gone) };
    expect(st, St::GAMELIFT_AUTH_ERROR_NOT_FOUND);
    assert_eq!(gone, sentinel(), "out untouched on error");
    assert!(
        last_error().contains("NotFoundException"),
        "{}",
        last_error()
    );
    assert_eq!(total(&s), 7);
}

// ---- Arguments checked before any request -------------------------------------------------

#[test]
fn null_arguments_are_refused_before_any_request() {
    let s = StandIn::start();
    let c = Client::standin(&s.url);
    let (f, n, b) = (cs(FLEET), cs(COMPUTE), cs("build-1"));
    let (f, n, b) = (f.as_ptr(), n.as_ptr(), b.as_ptr());
    let ip = cs("10.0.0.1");
    let ip = ip.as_ptr();
    let mut buf = [0 as c_char; 64];
    let bp = buf.as_mut_ptr();
    let cl = c.0;
    let z = null_mut::<gamelift_auth_client>();
    let mut len = 12345usize;
    let mut exp = 777i64;

    let check = |what: &str, st: St, arg: &str| {
        assert_eq!(st, INVALID, "{what}");
        let e = last_error();
        assert!(
            e.starts_with("GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT"),
            "{what}: {e}"
        );
        assert!(e.contains(&format!("{arg} is NULL")), "{what}: {e}");
    };
    unsafe {
        check(
            "get_token client",
            gamelift_auth_get_token(z, f, n, bp, 64, &mut len, &mut exp),
            "client",
        );
        check(
            "get_token fleet",
            gamelift_auth_get_token(cl, null(), n, bp, 64, &mut len, &mut exp),
            "fleet_id",
        );
        check(
            "get_token compute",
            gamelift_auth_get_token(cl, f, null(), bp, 64, &mut len, &mut exp),
            "compute_name",
        );
        check(
            "invalidate client",
            gamelift_auth_invalidate_token(z, f, n),
            "client",
        );
        check(
            "invalidate fleet",
            gamelift_auth_invalidate_token(cl, null(), n),
            "fleet_id",
        );
        check(
            "invalidate compute",
            gamelift_auth_invalidate_token(cl, f, null()),
            "compute_name",
        );

        let mut u = sentinel();
        check(
            "upload client",
            gamelift_auth_request_upload_credentials(z, b, &mut u),
            "client",
        );
        check(
            "upload build",
            gamelift_auth_request_upload_credentials(cl, null(), &mut u),
            "build_id",
        );
        check(
            "upload out",
            gamelift_auth_request_upload_credentials(cl, b, null_mut()),
            "out",
        );
        assert_eq!(u, sentinel());

        let mut k = sentinel();
        let reg =
            |c, f, n, out| gamelift_auth_register_compute(c, f, n, ip, null(), null(), null(), out);
        check("register client", reg(z, f, n, &mut k), "client");
        check("register fleet", reg(cl, null(), n, &mut k), "fleet_id");
        check(
            "register compute",
            reg(cl, f, null(), &mut k),
            "compute_name",
        );
        check("register out", reg(cl, f, n, null_mut()), "out");
        check(
            "describe client",
            gamelift_auth_describe_compute(z, f, n, &mut k),
            "client",
        );
        check(
            "describe fleet",
            gamelift_auth_describe_compute(cl, null(), n, &mut k),
            "fleet_id",
        );
        check(
            "describe compute",
            gamelift_auth_describe_compute(cl, f, null(), &mut k),
            "compute_name",
        );
        check(
            "describe out",
            gamelift_auth_describe_compute(cl, f, n, null_mut()),
            "out",
        );
        check(
            "deregister client",
            gamelift_auth_deregister_compute(z, f, n),
            "client",
        );
        check(
            "deregister fleet",
            gamelift_auth_deregister_compute(cl, null(), n),
            "fleet_id",
        );
        check(
            "deregister compute",
            gamelift_auth_deregister_compute(cl, f, null()),
            "compute_name",
        );
        assert_eq!(k, sentinel());

        let mut p = sentinel();
        check(
            "params client",
            gamelift_auth_server_parameters_new(z, f, n, &mut p),
            "client",
        );
        check(
            "params fleet",
            gamelift_auth_server_parameters_new(cl, null(), n, &mut p),
            "fleet_id",
        );
        check(
            "params compute",
            gamelift_auth_server_parameters_new(cl, f, null(), &mut p),
            "compute_name",
        );
        check(
            "params out",
            gamelift_auth_server_parameters_new(cl, f, n, null_mut()),
            "out",
        );
        assert_eq!(p, sentinel());

        let cfg = Cfg::standin(&s.url);
        let mut out = sentinel();
        check(
            "client_new out",
            gamelift_auth_client_new(cfg.0, null_mut()),
            "out",
        );
        let zc = null_mut::<gamelift_auth_config>();
        let x = cs("x");
        let x = x.as_ptr();
        check(
            "set_region cfg",
            gamelift_auth_config_set_region(zc, x),
            "cfg",
        );
        check(
            "set_region region",
            gamelift_auth_config_set_region(cfg.0, null()),
            "region",
        );
        check(
            "set_endpoint cfg",
            gamelift_auth_config_set_endpoint(zc, x),
            "cfg",
        );
        check(
            "set_endpoint url",
            gamelift_auth_config_set_endpoint(cfg.0, null()),
            "url",
        );
        check(
            "set_profile cfg",
            gamelift_auth_config_set_profile(zc, x),
            "cfg",
        );
        check(
            "set_profile profile",
            gamelift_auth_config_set_profile(cfg.0, null()),
            "profile",
        );
        check(
            "set_credentials cfg",
            gamelift_auth_config_set_credentials(zc, x, x, null()),
            "cfg",
        );
        check(
            "set_credentials key",
            gamelift_auth_config_set_credentials(cfg.0, null(), x, null()),
            "access_key_id",
        );
        check(
            "set_credentials secret",
            gamelift_auth_config_set_credentials(cfg.0, x, null(), null()),
            "secret_access_key",
        );
        check(
            "set_timeout_ms cfg",
            gamelift_auth_config_set_timeout_ms(zc, 100),
            "cfg",
        );
        check(
            "set_max_attempts cfg",
            gamelift_auth_config_set_max_attempts(zc, 1),
            "cfg",
        );
        check(
            "set_min_validity_s cfg",
            gamelift_auth_config_set_min_validity_s(zc, 1),
            "cfg",
        );
        check(
            "set_cache_dir cfg",
            gamelift_auth_config_set_cache_dir(zc, null()),
            "cfg",
        );
        // The config is unchanged by the refused calls: a client from it works.
        expect(gamelift_auth_client_new(cfg.0, &mut out), OK);
        assert_ne!(out, sentinel());
        gamelift_auth_client_free(out);
    }
    assert_eq!((len, exp), (12345, 777), "out-params untouched");
    assert_eq!(buf, [0 as c_char; 64], "buffer untouched");
    assert_eq!(total(&s), 0, "no request was sent");
    // And the client still works.
    let (st, _) = get_token(&c, FLEET, COMPUTE);
    expect(st, OK);
    assert_eq!(total(&s), 1);
}

#[test]
fn invalid_utf8_is_refused_before_any_request() {
    let s = StandIn::start();
    let c = Client::standin(&s.url);
    let bad = c"fleet-\xff\xfe";
    let bad = bad.as_ptr();
    let (f, n) = (cs(FLEET), cs(COMPUTE));
    let (f, n) = (f.as_ptr(), n.as_ptr());
    let mut buf = [0 as c_char; 64];
    let check = |what: &str, st: St| {
        assert_eq!(st, INVALID, "{what}");
        let e = last_error();
        assert!(e.contains("UTF-8"), "{what}: {e}");
        // The message is valid UTF-8 itself (text() checked it) and names no raw bytes.
    };
    unsafe {
        let mut k = sentinel();
        check(
            "get_token fleet",
            gamelift_auth_get_token(c.0, bad, n, buf.as_mut_ptr(), 64, null_mut(), null_mut()),
        );
        check(
            "get_token compute",
            gamelift_auth_get_token(c.0, f, bad, buf.as_mut_ptr(), 64, null_mut(), null_mut()),
        );
        check("invalidate", gamelift_auth_invalidate_token(c.0, f, bad));
        check(
            "upload",
            gamelift_auth_request_upload_credentials(c.0, bad, &mut null_mut()),
        );
        let ip = cs("10.0.0.1");
        check(
            "register ip",
            gamelift_auth_register_compute(c.0, f, n, bad, null(), null(), null(), &mut k),
        );
        check(
            "register dns",
            gamelift_auth_register_compute(c.0, f, n, null(), bad, null(), null(), &mut k),
        );
        check(
            "register location",
            gamelift_auth_register_compute(c.0, f, n, ip.as_ptr(), null(), bad, null(), &mut k),
        );
        check(
            "register cert",
            gamelift_auth_register_compute(c.0, f, n, ip.as_ptr(), null(), null(), bad, &mut k),
        );
        check(
            "describe",
            gamelift_auth_describe_compute(c.0, f, bad, &mut k),
        );
        check("deregister", gamelift_auth_deregister_compute(c.0, bad, n));
        check(
            "params",
            gamelift_auth_server_parameters_new(c.0, bad, n, &mut null_mut()),
        );
        assert_eq!(k, sentinel());
        let cfg = Cfg::new();
        let x = cs("AKIDX");
        check("set_region", gamelift_auth_config_set_region(cfg.0, bad));
        check(
            "set_endpoint",
            gamelift_auth_config_set_endpoint(cfg.0, bad),
        );
        check("set_profile", gamelift_auth_config_set_profile(cfg.0, bad));
        check(
            "set_credentials key",
            gamelift_auth_config_set_credentials(cfg.0, bad, x.as_ptr(), null()),
        );
        check(
            "set_credentials secret",
            gamelift_auth_config_set_credentials(cfg.0, x.as_ptr(), bad, null()),
        );
        check(
            "set_credentials token",
            gamelift_auth_config_set_credentials(cfg.0, x.as_ptr(), x.as_ptr(), bad),
        );
        check(
            "set_cache_dir",
            gamelift_auth_config_set_cache_dir(cfg.0, bad),
        );
    }
    assert_eq!(buf, [0 as c_char; 64]);
    assert_eq!(total(&s), 0);
}

#[test]
fn pattern_violations_are_refused_before_any_request() {
    let s = StandIn::start();
    let c = Client::standin(&s.url);
    let mut sent = 0; // requests the valid boundary cases send
    let refused = |what: &str, st: St, field: &str| {
        assert_eq!(st, INVALID, "{what}");
        let e = last_error();
        assert!(e.contains(field), "{what}: {e}");
    };
    let long = |n: usize| "a".repeat(n);

    for fleet in [
        "fleet_1",
        "flt-1a2b",
        "fleet-",
        "",
        "arn:aws:gamelift:us-west-2:1:build/fleet-1",
    ] {
        refused(fleet, get_token(&c, fleet, COMPUTE).0, "FleetId");
    }
    for compute in [
        long(1025),
        String::new(),
        "a b".into(),
        "a/b/c".into(),
        "my_box".into(),
    ] {
        refused(&compute, get_token(&c, FLEET, &compute).0, "ComputeName");
    }
    // The boundary: 1024 characters is a valid name.
    let (st, _) = get_token(&c, FLEET, &long(1024));
    expect(st, OK);
    sent += 1;

    unsafe {
        let (f, n) = (cs(FLEET), cs(COMPUTE));
        let (f, n) = (f.as_ptr(), n.as_ptr());
        refused(
            "invalidate",
            gamelift_auth_invalidate_token(c.0, cs("fleet_1").as_ptr(), n),
            "FleetId",
        );
        for build in [
            "b-1234",
            "build-",
            "build-a b",
            "",
            "arn:aws:gamelift:us-west-2:1:fleet/build-1",
        ] {
            let mut u = sentinel();
            refused(
                build,
                gamelift_auth_request_upload_credentials(c.0, cs(build).as_ptr(), &mut u),
                "BuildId",
            );
            assert_eq!(u, sentinel());
        }

        let register = |name: &str, ip: Option<&str>, dns: Option<&str>, loc: Option<&str>| {
            let (name, ip, dns, loc) = (cs(name), ip.map(cs), dns.map(cs), loc.map(cs));
            let p = |s: &Option<CString>| s.as_ref().map_or(null(), |s| s.as_ptr());
            let mut out = sentinel();
            let st = gamelift_auth_register_compute(
                c.0,
                f,
                name.as_ptr(),
                p(&ip),
                p(&dns),
                p(&loc),
                null(),
                &mut out,
            );
            if st == OK {
                gamelift_auth_compute_free(out);
            } else {
                assert_eq!(out, sentinel());
            }
            st
        };
        let e = register(COMPUTE, None, None, None);
        assert_eq!(e, INVALID);
        assert!(
            last_error().contains("IP address or a DNS name"),
            "{}",
            last_error()
        );
        refused(
            "129-char name",
            register(&long(129), Some("10.0.0.1"), None, None),
            "ComputeName",
        );
        refused(
            "arn name",
            register(
                "arn:aws:gamelift:us-west-2:1:compute/x",
                Some("10.0.0.1"),
                None,
                None,
            ),
            "ComputeName",
        );
        refused(
            "bad ip",
            register(COMPUTE, Some("10.0.0.1/8"), None, None),
            "IpAddress",
        );
        refused(
            "bad dns",
            register(COMPUTE, None, Some("game server"), None),
            "DnsName",
        );
        refused(
            "bad location",
            register(COMPUTE, Some("10.0.0.1"), None, Some("us_west")),
            "Location",
        );
        refused(
            "long location",
            register(COMPUTE, Some("10.0.0.1"), None, Some(&long(65))),
            "Location",
        );
        // The boundaries: 128 characters, a DNS name alone.
        expect(
            register(&long(128), Some("10.0.0.1"), None, Some(&long(64))),
            OK,
        );
        expect(
            register("dns-only", None, Some("game-1.example.com"), None),
            OK,
        );
        sent += 2;

        let mut k = sentinel();
        refused(
            "describe",
            gamelift_auth_describe_compute(c.0, cs("fleet_1").as_ptr(), n, &mut k),
            "FleetId",
        );
        refused(
            "deregister",
            gamelift_auth_deregister_compute(c.0, f, cs("a b").as_ptr()),
            "ComputeName",
        );
        refused(
            "params",
            gamelift_auth_server_parameters_new(c.0, f, cs(&long(1025)).as_ptr(), &mut null_mut()),
            "ComputeName",
        );
        assert_eq!(k, sentinel());
    }
    assert_eq!(total(&s), sent);
}

// ---- The caller buffer protocol --------------------------------------------------------

#[test]
fn caller_buffer_protocol() {
    let s = StandIn::start();
    let c = Client::standin(&s.url);
    let (f, n) = (cs(FLEET), cs(COMPUTE));
    let get = |buf: *mut c_char, buf_len: usize, out_len: *mut usize, exp: *mut i64| unsafe {
        gamelift_auth_get_token(c.0, f.as_ptr(), n.as_ptr(), buf, buf_len, out_len, exp)
    };

    // Ask for the size: BUFFER_TOO_SMALL, the length with the NUL; expiry untouched.
    let (mut len, mut exp) = (usize::MAX, i64::MIN);
    expect(get(null_mut(), 0, &mut len, &mut exp), TOO_SMALL);
    assert_eq!(len, 37);
    assert_eq!(exp, i64::MIN);
    assert!(last_error().contains("37"), "{}", last_error());
    // NULL buffer with a non-zero length is still "no buffer".
    len = 0;
    expect(get(null_mut(), 100, &mut len, &mut exp), TOO_SMALL);
    assert_eq!(len, 37);

    // One byte short: refused, nothing written.
    let mut short = [0x55 as c_char; 36];
    len = usize::MAX;
    expect(
        get(short.as_mut_ptr(), short.len(), &mut len, &mut exp),
        TOO_SMALL,
    );
    assert_eq!(len, 37);
    assert_eq!(exp, i64::MIN);
    assert_eq!(short, [0x55 as c_char; 36]);
    // Zero length with a real buffer.
    expect(get(short.as_mut_ptr(), 0, &mut len, &mut exp), TOO_SMALL);
    assert_eq!(short, [0x55 as c_char; 36]);
    // Too small and no out_len: still BUFFER_TOO_SMALL, no crash.
    expect(
        get(short.as_mut_ptr(), short.len(), null_mut(), null_mut()),
        TOO_SMALL,
    );

    // Exactly the size: the token and its NUL, nothing past it.
    let mut exact = [0x7f as c_char; 38];
    expect(get(exact.as_mut_ptr(), 37, &mut len, &mut exp), OK);
    assert_eq!(len, 36);
    assert_eq!(exact[36], 0);
    assert_eq!(exact[37], 0x7f, "wrote past buf_len");
    let token = text(exact.as_ptr());
    assert!(is_uuid_v4(&token), "{token}");
    assert!(exp > now_ms());
    // Larger buffer, NULL out-params: fine.
    let mut big = [0x7f as c_char; 256];
    expect(get(big.as_mut_ptr(), big.len(), null_mut(), null_mut()), OK);
    assert_eq!(text(big.as_ptr()), token);
    assert_eq!(total(&s), 1, "one fetch; the rest came from the cache");

    // A service error leaves every out-param alone.
    s.faults(json!([{"action": "GetComputeAuthToken", "error_type": "NotFoundException"}]));
    let other = cs("other-box");
    let mut buf = [0x33 as c_char; 64];
    let (mut len, mut exp) = (4242usize, -7i64);
    let st = unsafe {
        gamelift_auth_get_token(
            c.0,
            f.as_ptr(),
            other.as_ptr(),
            buf.as_mut_ptr(),
            64,
            &mut len,
            &mut exp,
        )
    };
    expect(st, St::GAMELIFT_AUTH_ERROR_NOT_FOUND);
    assert_eq!((len, exp), (4242, -7));
    assert_eq!(buf, [0x33 as c_char; 64]);
    assert_eq!(total(&s), 2);
}

#[test]
fn object_out_params_untouched_on_error() {
    let s = StandIn::start();
    let c = Client::standin(&s.url);
    let (f, n) = (cs(FLEET), cs(COMPUTE));
    unsafe {
        s.faults(
            json!([{"action": "RequestUploadCredentials", "error_type": "UnauthorizedException"}]),
        );
        let mut u = sentinel();
        let st = gamelift_auth_request_upload_credentials(c.0, cs("build-1").as_ptr(), &mut u);
        expect(st, St::GAMELIFT_AUTH_ERROR_UNAUTHORIZED);
        assert_eq!(u, sentinel());

        // Not registered: DescribeCompute says NotFound, so do the server parameters.
        let mut p = sentinel();
        expect(
            gamelift_auth_server_parameters_new(c.0, f.as_ptr(), n.as_ptr(), &mut p),
            St::GAMELIFT_AUTH_ERROR_NOT_FOUND,
        );
        assert_eq!(p, sentinel());

        // Registering the name again with another address: a conflict.
        let mut k = null_mut();
        let ip1 = cs("10.0.0.1");
        expect(
            gamelift_auth_register_compute(
                c.0,
                f.as_ptr(),
                n.as_ptr(),
                ip1.as_ptr(),
                null(),
                null(),
                null(),
                &mut k,
            ),
            OK,
        );
        gamelift_auth_compute_free(k);
        let mut k = sentinel();
        let ip2 = cs("10.0.0.2");
        expect(
            gamelift_auth_register_compute(
                c.0,
                f.as_ptr(),
                n.as_ptr(),
                ip2.as_ptr(),
                null(),
                null(),
                null(),
                &mut k,
            ),
            St::GAMELIFT_AUTH_ERROR_CONFLICT,
        );
        assert_eq!(k, sentinel());
        assert!(
            last_error().contains("ConflictException"),
            "{}",
            last_error()
        );

        // A client that cannot be made.
        let cfg = Cfg::standin(&s.url);
        expect(
            gamelift_auth_config_set_profile(
                cfg.0,
                cs("gamelift-auth-test-no-such-profile").as_ptr(),
            ),
            OK,
        );
        let mut out = sentinel();
        expect(
            gamelift_auth_client_new(cfg.0, &mut out),
            St::GAMELIFT_AUTH_ERROR_CONFIG,
        );
        assert_eq!(out, sentinel());
        assert!(
            last_error().contains("gamelift-auth-test-no-such-profile"),
            "{}",
            last_error()
        );
    }
    assert_eq!(total(&s), 4);
}

#[test]
fn free_null_is_a_noop() {
    unsafe {
        gamelift_auth_config_free(null_mut());
        gamelift_auth_client_free(null_mut());
        gamelift_auth_upload_credentials_free(null_mut());
        gamelift_auth_compute_free(null_mut());
        gamelift_auth_server_parameters_free(null_mut());
    }
}

#[test]
fn accessors_of_null_return_empty() {
    unsafe {
        let u = null();
        for p in [
            gamelift_auth_upload_credentials_access_key_id(u),
            gamelift_auth_upload_credentials_secret_access_key(u),
            gamelift_auth_upload_credentials_session_token(u),
            gamelift_auth_upload_credentials_bucket(u),
            gamelift_auth_upload_credentials_key(u),
            gamelift_auth_upload_credentials_role_arn(u),
            gamelift_auth_upload_credentials_object_version(u),
        ] {
            assert_eq!(text(p), "");
        }
        let k = null();
        for p in [
            gamelift_auth_compute_fleet_id(k),
            gamelift_auth_compute_name(k),
            gamelift_auth_compute_arn(k),
            gamelift_auth_compute_status(k),
            gamelift_auth_compute_ip_address(k),
            gamelift_auth_compute_location(k),
            gamelift_auth_compute_sdk_endpoint(k),
            gamelift_auth_compute_agent_endpoint(k),
        ] {
            assert_eq!(text(p), "");
        }
        let p = null();
        for t in [
            gamelift_auth_server_parameters_web_socket_url(p),
            gamelift_auth_server_parameters_auth_token(p),
            gamelift_auth_server_parameters_fleet_id(p),
            gamelift_auth_server_parameters_host_id(p),
            gamelift_auth_server_parameters_process_id(p),
        ] {
            assert_eq!(text(t), "");
        }
        assert_eq!(gamelift_auth_server_parameters_expires_at_ms(p), 0);
    }
}

// ---- Configuration ------------------------------------------------------------------------

#[test]
fn config_setters_check_their_values() {
    let cfg = Cfg::new();
    let set_url = |u: &str| unsafe { gamelift_auth_config_set_endpoint(cfg.0, cs(u).as_ptr()) };
    for u in [
        "https://gamelift.us-west-2.amazonaws.com",
        "https://gamelift.us-west-2.amazonaws.com/",
        "https://example.com:8443/base",
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost:1",
        "http://[::1]:9000",
    ] {
        expect(set_url(u), OK);
    }
    for u in [
        "http://example.com",
        "http://10.0.0.1:8080",
        "http://[::2]:80",
        "http://127.0.0.1.example.com",
        "ftp://127.0.0.1",
        "gamelift.us-west-2.amazonaws.com",
        "",
        "https://user:pw@example.com",
        "https://example.com/?x=1",
        "https://exa mple.com",
        "https://example.com:0",
        "https://example.com:99999",
    ] {
        expect(set_url(u), INVALID);
        assert!(
            !last_error().contains("pw@"),
            "the URL's password in {}",
            last_error()
        );
    }
    let set_region = |r: &str| unsafe { gamelift_auth_config_set_region(cfg.0, cs(r).as_ptr()) };
    for r in ["us-west-2", "cn-north-1", "eu-central-1"] {
        expect(set_region(r), OK);
    }
    for r in [
        "",
        "US-WEST-2",
        "us west 2",
        "-us-west-2",
        "us-west-2-",
        "us_west_2",
        &"a".repeat(65),
    ] {
        expect(set_region(r), INVALID);
    }
    unsafe {
        expect(gamelift_auth_config_set_timeout_ms(cfg.0, 0), INVALID);
        expect(
            gamelift_auth_config_set_timeout_ms(cfg.0, 3_600_001),
            INVALID,
        );
        expect(gamelift_auth_config_set_timeout_ms(cfg.0, 1), OK);
        expect(gamelift_auth_config_set_timeout_ms(cfg.0, 3_600_000), OK);
        expect(gamelift_auth_config_set_max_attempts(cfg.0, 0), INVALID);
        expect(gamelift_auth_config_set_max_attempts(cfg.0, 21), INVALID);
        expect(gamelift_auth_config_set_max_attempts(cfg.0, 1), OK);
        expect(gamelift_auth_config_set_max_attempts(cfg.0, 20), OK);
        expect(gamelift_auth_config_set_min_validity_s(cfg.0, 0), OK);
        expect(gamelift_auth_config_set_min_validity_s(cfg.0, 900), OK);

        let profile = |p: &str| gamelift_auth_config_set_profile(cfg.0, cs(p).as_ptr());
        expect(profile("default"), OK);
        expect(profile("my-team_profile.1"), OK);
        expect(profile(""), INVALID);
        expect(profile("a]b"), INVALID);
        expect(profile("a\nb"), INVALID);

        let creds = |k: &str, s: &str, t: Option<&str>| {
            let t = t.map(cs);
            gamelift_auth_config_set_credentials(
                cfg.0,
                cs(k).as_ptr(),
                cs(s).as_ptr(),
                t.as_ref().map_or(null(), |t| t.as_ptr()),
            )
        };
        expect(
            creds(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                None,
            ),
            OK,
        );
        expect(creds("ASIAEXAMPLE", "secret", Some("FwoGZXIvYXdzE")), OK);
        expect(creds("", "secret", None), INVALID);
        expect(creds("AKID EXAMPLE", "secret", None), INVALID);
        expect(creds("AKIDEXAMPLE", "", None), INVALID);
        expect(creds("AKIDEXAMPLE", "sec\nret", None), INVALID);
        assert!(!last_error().contains("sec\nret"));

        let dir = tempfile::tempdir().unwrap();
        expect(
            gamelift_auth_config_set_cache_dir(cfg.0, cs(dir.path().to_str().unwrap()).as_ptr()),
            OK,
        );
        expect(gamelift_auth_config_set_cache_dir(cfg.0, null()), OK);
        expect(
            gamelift_auth_config_set_cache_dir(cfg.0, cs("").as_ptr()),
            INVALID,
        );
    }
}

#[test]
fn a_refused_setter_leaves_the_config_as_it_was() {
    let s = StandIn::start();
    let cfg = Cfg::standin(&s.url);
    unsafe {
        expect(
            gamelift_auth_config_set_endpoint(cfg.0, cs("http://example.com").as_ptr()),
            INVALID,
        );
        expect(
            gamelift_auth_config_set_region(cfg.0, cs("Nowhere").as_ptr()),
            INVALID,
        );
        expect(gamelift_auth_config_set_max_attempts(cfg.0, 0), INVALID);
    }
    let c = Client::new(&cfg);
    let (st, _) = get_token(&c, FLEET, COMPUTE);
    expect(st, OK);
    assert_eq!(
        total(&s),
        1,
        "the request went to the stand-in, signed for its region"
    );
}

#[test]
fn client_without_a_region_is_a_config_error() {
    // An empty environment: no region anywhere (not reachable from C, whose config reads the
    // process environment).
    let cfg =
        gamelift_auth::Config::with_env(gamelift_auth::env::Env::from_pairs::<&str, &str>([]));
    let e = gamelift_auth::Client::new(&cfg).unwrap_err();
    assert_eq!(e.kind(), gamelift_auth::ErrorKind::Config, "{e}");
    assert!(e.to_string().contains("region"), "{e}");
    assert_eq!(
        gamelift_auth::ffi::error::status_of(e.kind()),
        St::GAMELIFT_AUTH_ERROR_CONFIG
    );
}

// ---- The log callback -----------------------------------------------------------------------

/// The log sink is process-wide: log tests take this lock.
static LOG_TEST: Mutex<()> = Mutex::new(());
/// Where the callback puts (level, message); its address is the callback's user data.
static LOG_LINES: Mutex<Vec<(i32, String)>> = Mutex::new(Vec::new());

unsafe extern "C" fn on_log(
    user_data: *mut c_void,
    level: i32,
    message: *const c_char,
    len: usize,
) {
    let sink = unsafe { &*(user_data as *const Mutex<Vec<(i32, String)>>) };
    let bytes = unsafe { std::slice::from_raw_parts(message.cast::<u8>(), len + 1) };
    let text = match (bytes.split_last(), std::str::from_utf8(&bytes[..len])) {
        (Some((0, _)), Ok(t)) => t.to_string(),
        _ => format!("<BAD MESSAGE: not NUL-terminated UTF-8 of {len} bytes>"),
    };
    sink.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((level, text));
}

fn install_log(max_level: i32) {
    let ud = &LOG_LINES as *const Mutex<Vec<(i32, String)>> as *mut c_void;
    gamelift_auth_set_log_callback(Some(on_log), ud, max_level);
}

fn take_log() -> Vec<(i32, String)> {
    std::mem::take(&mut *LOG_LINES.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Turns logging off when a log test ends, even by a panic.
struct LogOff;

impl Drop for LogOff {
    fn drop(&mut self) {
        gamelift_auth_set_log_callback(None, null_mut(), 0);
    }
}

#[test]
fn log_callback_honours_the_level() {
    let _lock = LOG_TEST.lock().unwrap_or_else(|e| e.into_inner());
    let _off = LogOff;
    let s = StandIn::start();
    let c = Client::standin(&s.url);
    // Other tests of this binary log too while the callback is set: look for this test's
    // compute names only.
    let mine = |lines: &[(i32, String)], marker: &str| -> Vec<(i32, String)> {
        lines
            .iter()
            .filter(|(_, m)| m.contains(marker))
            .cloned()
            .collect()
    };

    // Level 2: the "new token" info line is not delivered.
    install_log(2);
    take_log();
    expect(get_token(&c, FLEET, "log-warn-box").0, OK);
    let lines = take_log();
    assert!(mine(&lines, "log-warn-box").is_empty(), "{lines:#?}");
    assert!(lines.iter().all(|(l, _)| (1..=2).contains(l)), "{lines:#?}");

    // Level 3: it is.
    install_log(3);
    expect(get_token(&c, FLEET, "log-info-box").0, OK);
    let lines = take_log();
    let info = mine(&lines, "log-info-box");
    assert!(
        info.iter().any(|(l, m)| *l == 3
            && m.contains("GetComputeAuthToken: new token for fleet-1a2b/log-info-box")),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|(l, _)| (1..=3).contains(l)), "{lines:#?}");

    // Level 5: retries (debug) and each attempt (trace).
    install_log(5);
    s.faults(json!([{"action": "GetComputeAuthToken", "status": 500,
        "error_type": "InternalServiceException"}]));
    expect(get_token(&c, FLEET, "log-trace-box").0, OK);
    let lines = take_log();
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == 5 && m.contains("GetComputeAuthToken: attempt 2")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == 4 && m.contains("attempt 1 failed (Service); retrying after")),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|(l, _)| (1..=5).contains(l)), "{lines:#?}");
    assert!(
        !lines.iter().any(|(_, m)| m.starts_with("<BAD MESSAGE")),
        "{lines:#?}"
    );

    // NULL turns it off.
    gamelift_auth_set_log_callback(None, null_mut(), 5);
    expect(get_token(&c, FLEET, "log-off-box").0, OK);
    let lines = take_log();
    assert!(mine(&lines, "log-off-box").is_empty(), "{lines:#?}");
    assert_eq!(count(&s, "GetComputeAuthToken"), 5);
}

#[test]
fn no_secret_in_logs_or_last_error() {
    const SESSION: &str = "FwoGZXIvYXdzELogTestSessionTokenSecret0123456789";
    const WRONG_SECRET: &str = "wrong-secret-for-the-log-test-5e6f";
    let _lock = LOG_TEST.lock().unwrap_or_else(|e| e.into_inner());
    let _off = LogOff;
    let s = StandIn::start_with(&["--session-token", SESSION]);
    let mut secrets: Vec<String> = vec![SECRET_KEY.into(), SESSION.into(), WRONG_SECRET.into()];
    let mut errors: Vec<String> = Vec::new();
    install_log(5);

    let cfg = Cfg::standin_keys(&s.url, SECRET_KEY, Some(SESSION));
    unsafe { expect(gamelift_auth_config_set_max_attempts(cfg.0, 2), OK) };
    let c = Client::new(&cfg);
    let (f, n) = (cs(FLEET), cs(COMPUTE));

    // Successes: a token, a second one after invalidation, upload credentials, server parameters.
    let (st, t1) = get_token(&c, FLEET, COMPUTE);
    expect(st, OK);
    unsafe {
        expect(
            gamelift_auth_invalidate_token(c.0, f.as_ptr(), n.as_ptr()),
            OK,
        )
    };
    let (st, t2) = get_token(&c, FLEET, COMPUTE);
    expect(st, OK);
    secrets.extend([t1, t2]);
    unsafe {
        let mut u = null_mut();
        expect(
            gamelift_auth_request_upload_credentials(c.0, cs("build-1").as_ptr(), &mut u),
            OK,
        );
        secrets.push(text(gamelift_auth_upload_credentials_secret_access_key(u)));
        secrets.push(text(gamelift_auth_upload_credentials_session_token(u)));
        gamelift_auth_upload_credentials_free(u);
        let mut k = null_mut();
        expect(
            gamelift_auth_register_compute(
                c.0,
                f.as_ptr(),
                n.as_ptr(),
                cs("10.0.0.9").as_ptr(),
                null(),
                null(),
                null(),
                &mut k,
            ),
            OK,
        );
        gamelift_auth_compute_free(k);
        let mut p = null_mut();
        expect(
            gamelift_auth_server_parameters_new(c.0, f.as_ptr(), n.as_ptr(), &mut p),
            OK,
        );
        secrets.push(text(gamelift_auth_server_parameters_auth_token(p)));
        gamelift_auth_server_parameters_free(p);
    }

    // Failures: retried 500s, a final error, throttling, a bad answer holding a token, an
    // answer with a token but no expiry, a wrong secret key, a missing session token, a short
    // buffer, a refused argument.
    const GT: &str = "GetComputeAuthToken";
    let failures = [
        json!({"action": GT, "status": 500, "error_type": "InternalServiceException", "times": 2}),
        json!({"action": GT, "error_type": "NotFoundException", "message": "no such compute"}),
        json!({"action": GT, "error_type": "ThrottlingException", "times": 2}),
        json!({"action": GT, "body": json!({"AuthToken": "Leaked token with spaces 9d8c",
            "ExpirationTimestamp": 4102444800u64}).to_string()}),
        json!({"action": GT, "body": json!({"AuthToken": "KnownTokenWithoutExpiry-1234"}).to_string()}),
    ];
    secrets.push("Leaked token with spaces 9d8c".into());
    secrets.push("KnownTokenWithoutExpiry-1234".into());
    for (i, fault) in failures.iter().enumerate() {
        s.faults(json!([fault]));
        let (st, _) = get_token(&c, FLEET, &format!("fail-{i}"));
        assert_ne!(st, OK, "failure {i}");
        errors.push(last_error());
    }
    let bad = Client::new(&Cfg::standin_keys(&s.url, WRONG_SECRET, Some(SESSION)));
    assert_eq!(
        get_token(&bad, FLEET, COMPUTE).0,
        St::GAMELIFT_AUTH_ERROR_UNAUTHORIZED
    );
    errors.push(last_error());
    let no_session = Client::new(&Cfg::standin_keys(&s.url, SECRET_KEY, None));
    assert_eq!(
        get_token(&no_session, FLEET, COMPUTE).0,
        St::GAMELIFT_AUTH_ERROR_UNAUTHORIZED
    );
    errors.push(last_error());
    let mut small = [0 as c_char; 4];
    let st = unsafe {
        gamelift_auth_get_token(
            c.0,
            f.as_ptr(),
            n.as_ptr(),
            small.as_mut_ptr(),
            4,
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(st, TOO_SMALL);
    errors.push(last_error());
    unsafe {
        let st = gamelift_auth_config_set_credentials(
            cfg.0,
            cs("AK ID").as_ptr(),
            cs(SECRET_KEY).as_ptr(),
            cs(SESSION).as_ptr(),
        );
        assert_eq!(st, INVALID);
    }
    errors.push(last_error());

    // The stale fallback: a warning with the failure.
    s.config(json!({"token_lifetime_s": 1.0}));
    let (st, t3) = get_token(&c, FLEET, "stale-box");
    expect(st, OK);
    secrets.push(t3);
    s.faults(json!([{"action": GT, "status": 500,
        "error_type": "InternalServiceException", "times": 2}]));
    // Only to let wall-clock time pass: the 1 s token ages past half its lifetime.
    std::thread::sleep(std::time::Duration::from_millis(600));
    let (st, _) = get_token(&c, FLEET, "stale-box");
    expect_stale(st);
    errors.push(last_error());

    let lines = take_log();
    assert!(lines.len() > 20, "{lines:#?}");
    assert!(lines.iter().any(|(l, _)| *l == 2), "a warning: {lines:#?}");
    for secret in &secrets {
        assert!(secret.len() >= 16, "{secret}");
        for (_, line) in &lines {
            assert!(
                !line.contains(secret.as_str()),
                "a secret in the log: {line}"
            );
        }
        for e in &errors {
            assert!(!e.is_empty());
            assert!(!e.contains(secret.as_str()), "a secret in last_error: {e}");
        }
    }
}

/// The stale fallback returns OK with a non-empty last error.
#[track_caller]
fn expect_stale(st: St) {
    assert_eq!(st, OK, "{}", last_error());
    assert!(
        last_error().contains("InternalServiceException"),
        "{}",
        last_error()
    );
}

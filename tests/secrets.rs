//! Secrets hygiene: no secret access key, session token or auth token ever reaches a log line,
//! `gamelift_auth_last_error()` or a `Debug` rendering.
//!
//! With a log callback at level 5 (trace) installed through the C ABI, the tests drive every
//! status the C ABI can return against the stand-in (started with its own distinctive key and
//! session token) and its faults, plus the success paths, and collect every secret in play: the
//! signing secret key and session token, wrong and explicit ones, the secrets of profiles and of
//! `credential_process` output, every auth token issued (the stand-in's, read back from
//! successful calls, and the known ones handed out through fault bodies), and the secret key and
//! session token of upload credentials. Then no log line and no last error may contain any of
//! them, nor any 16-character piece of one (a clipped message would show only a piece).
//!
//! The log sink is process-wide and the tests set `AWS_CONFIG_FILE` (for the profile and
//! `credential_process` cases): every test that touches either takes [`LOCK`] first.
#![cfg(unix)]

mod common;

use common::{ClosedPort, StandIn};
use gamelift_auth::credentials::Credentials;
use gamelift_auth::env::Env;
use gamelift_auth::ffi::client::*;
use gamelift_auth::ffi::compute::*;
use gamelift_auth::ffi::config::*;
use gamelift_auth::ffi::error::gamelift_auth_status as St;
use gamelift_auth::ffi::library::gamelift_auth_last_error;
use gamelift_auth::ffi::log::gamelift_auth_set_log_callback;
use gamelift_auth::ffi::token::*;
use gamelift_auth::ffi::upload::*;
use gamelift_auth::{Client, Config, Secret};
use serde_json::json;
use std::ffi::{CStr, CString, c_char, c_void};
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The stand-in's key pair and session token for these tests (passed on its command line).
const AKID: &str = "AKIDSECRETSTEST";
const SECRET: &str = "SecretsTestSigningKey/7f3a9c1e5b2d8f4a+QwErTy";
const SESSION: &str = "FwoGZXIvYXdzSecretsTestSessionToken0a1b2c3d4e5f6a7b8c9d";
/// Credentials the stand-in refuses.
const WRONG_SECRET: &str = "WrongSigningKeyForSecretsTest/0123456789abcdef";
const WRONG_SESSION: &str = "IQoJb3JpZ2luX2VjRefusedStsToken/q8w7e6r5t4y3";
/// What the profiles and `credential_process` scripts hold.
const PROFILE_SECRET: &str = "ProfileFileSecretKey/Mn3Bv5Cx7Zl9Kj";
const PROFILE_SESSION: &str = "ProfileFileSessionToken+Ht6Gf4Ds2Ap0";
const PROC_SECRET: &str = "CredentialProcessSecretKey/SecretsTest/5a6b7c8d9e";
const PROC_SESSION: &str = "HelperPrintedSessionToken+Wq1Er3Ty5Ui7";
/// Auth tokens handed out through fault bodies.
const TOKEN_TRUNCATED: &str = "KnownTokenInTruncatedJson-a1b2c3d4e5";
const TOKEN_NO_EXPIRY: &str = "KnownTokenWithoutExpiry-f6g7h8i9j0";
const TOKEN_BAD_CHARS: &str = "KnownTokenWithBadChars k1l2m3n4o5";
const TOKEN_NOT_JSON: &str = "KnownTokenInNonJsonBody-p6q7r8s9t0";
const TOKEN_WRONG_TYPE: &str = "KnownTokenInAWronglyTypedField-y5z6";
const UPLOAD_SECRET: &str = "KnownUploadSecretKey/Ab7Cd8Ef9Gh0";
const UPLOAD_SESSION: &str = "KnownUploadSessionToken+Ij1Kl2Mn3Op4";

const FLEET: &str = "fleet-secrets1";
const COMPUTE: &str = "secrets-box";
const REGION: &str = "us-west-2";
const GT: &str = "GetComputeAuthToken";
const RUC: &str = "RequestUploadCredentials";
/// A leak is the whole secret or any piece of it this long.
const PIECE: usize = 16;

// ---- the log sink and the process environment --------------------------------------------------

/// Serializes the tests that install the log sink or read the AWS files of the environment.
static LOCK: Mutex<()> = Mutex::new(());
/// Every log line delivered to [`on_log`].
static LINES: Mutex<Vec<(i32, String)>> = Mutex::new(Vec::new());

unsafe extern "C" fn on_log(_: *mut c_void, level: i32, message: *const c_char, len: usize) {
    let bytes = unsafe { std::slice::from_raw_parts(message.cast::<u8>(), len + 1) };
    let text = match (bytes.last(), std::str::from_utf8(&bytes[..len])) {
        (Some(0), Ok(t)) => t.to_string(),
        _ => format!("<BAD MESSAGE of {len} bytes>"),
    };
    LINES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((level, text));
}

/// Holds [`LOCK`] with the trace-level callback installed; removes it when dropped.
struct Logging {
    _lock: MutexGuard<'static, ()>,
}

impl Logging {
    fn start() -> Logging {
        let lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        files(); // the environment is set before any client exists
        LINES.lock().unwrap_or_else(|e| e.into_inner()).clear();
        gamelift_auth_set_log_callback(Some(on_log), null_mut(), 5);
        Logging { _lock: lock }
    }

    fn lines(&self) -> Vec<(i32, String)> {
        LINES.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Logging {
    fn drop(&mut self) {
        gamelift_auth_set_log_callback(None, null_mut(), 0);
    }
}

/// The AWS config file of these tests and the `credential_process` scripts it names.
struct Files {
    config: PathBuf,
    config_text: String,
}

fn script(dir: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write a script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.display().to_string()
}

/// Writes the files once and points the process environment at them (and away from any real
/// AWS setting). Called with [`LOCK`] held, before the first client of this process.
fn files() -> &'static Files {
    static FILES: OnceLock<Files> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        let json = format!(
            r#"{{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "{PROC_SECRET}", "SessionToken": "{PROC_SESSION}"}}"#
        );
        let fail = script(
            &dir,
            "proc_fail.sh",
            &format!("echo '{json}'\necho 'helper: refresh failed, try again later' >&2\nexit 1"),
        );
        let truncated = script(
            &dir,
            "proc_truncated.sh",
            &format!("printf '%s' '{}'", &json[..json.len() - 30]),
        );
        let wrong_type = script(
            &dir,
            "proc_wrong_type.sh",
            &format!(
                r#"echo '{{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": 7, "SessionToken": ["{PROC_SESSION}"], "Expiration": "{PROC_SECRET}"}}'"#
            ),
        );
        let ok = script(&dir, "proc_ok.sh", &format!("echo '{json}'"));
        let stderr_secret = script(
            &dir,
            "proc_stderr_secret.sh",
            &format!("echo '{json}'\necho 'helper: key {PROC_SECRET} was revoked' >&2\nexit 1"),
        );
        let config_text = format!(
            "[default]\nregion = {REGION}\n\n\
             [profile proc-fail]\nregion = {REGION}\ncredential_process = {fail}\n\n\
             [profile proc-truncated]\nregion = {REGION}\ncredential_process = {truncated}\n\n\
             [profile proc-wrong-type]\nregion = {REGION}\ncredential_process = {wrong_type}\n\n\
             [profile proc-ok]\nregion = {REGION}\ncredential_process = {ok}\n\n\
             [profile proc-stderr-secret]\nregion = {REGION}\ncredential_process = {stderr_secret}\n\n\
             [profile session-without-secret]\nregion = {REGION}\naws_access_key_id = AKIDPROFILE\n\
             aws_session_token = {PROFILE_SESSION}\n\n\
             [profile unused]\nregion = {REGION}\naws_access_key_id = AKIDPROFILE\n\
             aws_secret_access_key = {PROFILE_SECRET}\naws_session_token = {PROFILE_SESSION}\n"
        );
        let config = dir.join("config");
        std::fs::write(&config, &config_text).expect("write the config file");
        let credentials = dir.join("credentials");
        std::fs::write(
            &credentials,
            format!("[unused]\naws_secret_access_key = {PROFILE_SECRET}\n"),
        )
        .expect("write the credentials file");
        // SAFETY: every test of this binary that creates a client holds LOCK, and this runs
        // once, under it, before the first client: no thread reads the environment meanwhile.
        unsafe {
            for var in [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_PROFILE",
                "AWS_DEFAULT_PROFILE",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWS_ENDPOINT_URL",
                "AWS_ENDPOINT_URL_GAMELIFT",
                "AWS_ROLE_ARN",
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CA_BUNDLE",
            ] {
                std::env::remove_var(var);
            }
            std::env::set_var("AWS_CONFIG_FILE", &config);
            std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        }
        Files {
            config,
            config_text,
        }
    })
}

// ---- C ABI helpers ----------------------------------------------------------------------------

fn cs(s: &str) -> CString {
    CString::new(s).expect("no NUL")
}

fn text(p: *const c_char) -> String {
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

fn last_error() -> String {
    text(gamelift_auth_last_error())
}

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

    fn endpoint(self, url: &str) -> Cfg {
        unsafe {
            assert_eq!(
                gamelift_auth_config_set_endpoint(self.0, cs(url).as_ptr()),
                St::GAMELIFT_AUTH_OK
            );
            assert_eq!(
                gamelift_auth_config_set_region(self.0, cs(REGION).as_ptr()),
                St::GAMELIFT_AUTH_OK
            );
            assert_eq!(
                gamelift_auth_config_set_max_attempts(self.0, 2),
                St::GAMELIFT_AUTH_OK
            );
        }
        self
    }

    fn keys(self, secret: &str, session: Option<&str>) -> Cfg {
        let session = session.map(cs);
        let st = unsafe {
            gamelift_auth_config_set_credentials(
                self.0,
                cs(AKID).as_ptr(),
                cs(secret).as_ptr(),
                session.as_ref().map_or(null(), |s| s.as_ptr()),
            )
        };
        assert_eq!(st, St::GAMELIFT_AUTH_OK, "{}", last_error());
        self
    }

    fn profile(self, name: &str) -> Cfg {
        let st = unsafe { gamelift_auth_config_set_profile(self.0, cs(name).as_ptr()) };
        assert_eq!(st, St::GAMELIFT_AUTH_OK, "{}", last_error());
        self
    }

    fn timeout_ms(self, ms: u32) -> Cfg {
        let st = unsafe { gamelift_auth_config_set_timeout_ms(self.0, ms) };
        assert_eq!(st, St::GAMELIFT_AUTH_OK);
        self
    }

    fn client(&self) -> Cl {
        let mut out = null_mut();
        let st = unsafe { gamelift_auth_client_new(self.0, &mut out) };
        assert_eq!(st, St::GAMELIFT_AUTH_OK, "{}", last_error());
        Cl(out)
    }
}

struct Cl(*mut gamelift_auth_client);

impl Drop for Cl {
    fn drop(&mut self) {
        unsafe { gamelift_auth_client_free(self.0) }
    }
}

/// The stand-in's client with the right credentials.
fn good(s: &StandIn) -> Cl {
    Cfg::new()
        .endpoint(&s.url)
        .keys(SECRET, Some(SESSION))
        .client()
}

fn get_token(c: &Cl, fleet: &str, compute: &str) -> (St, String) {
    let mut buf = [0 as c_char; 1100];
    let st = unsafe {
        gamelift_auth_get_token(
            c.0,
            cs(fleet).as_ptr(),
            cs(compute).as_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            null_mut(),
            null_mut(),
        )
    };
    let t = if st == St::GAMELIFT_AUTH_OK {
        text(buf.as_ptr())
    } else {
        String::new()
    };
    (st, t)
}

fn upload(c: &Cl, build: &str) -> (St, Option<(String, String)>) {
    let mut u = null_mut();
    let st = unsafe { gamelift_auth_request_upload_credentials(c.0, cs(build).as_ptr(), &mut u) };
    if st != St::GAMELIFT_AUTH_OK {
        return (st, None);
    }
    let pair = unsafe {
        (
            text(gamelift_auth_upload_credentials_secret_access_key(u)),
            text(gamelift_auth_upload_credentials_session_token(u)),
        )
    };
    unsafe { gamelift_auth_upload_credentials_free(u) };
    (st, Some(pair))
}

fn server_parameters(c: &Cl, compute: &str) -> (St, Option<String>) {
    let mut p = null_mut();
    let st = unsafe {
        gamelift_auth_server_parameters_new(c.0, cs(FLEET).as_ptr(), cs(compute).as_ptr(), &mut p)
    };
    if st != St::GAMELIFT_AUTH_OK {
        return (st, None);
    }
    let token = text(unsafe { gamelift_auth_server_parameters_auth_token(p) });
    unsafe { gamelift_auth_server_parameters_free(p) };
    (st, Some(token))
}

fn register(c: &Cl, compute: &str, ip: &str) -> St {
    let mut k = null_mut();
    let st = unsafe {
        gamelift_auth_register_compute(
            c.0,
            cs(FLEET).as_ptr(),
            cs(compute).as_ptr(),
            cs(ip).as_ptr(),
            null(),
            null(),
            null(),
            &mut k,
        )
    };
    unsafe { gamelift_auth_compute_free(k) };
    st
}

fn client_new_status(cfg: &Cfg) -> St {
    let mut out = null_mut();
    let st = unsafe { gamelift_auth_client_new(cfg.0, &mut out) };
    unsafe { gamelift_auth_client_free(out) };
    st
}

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64()
}

/// A GetComputeAuthToken answer handing out `token`, valid for an hour.
fn token_body(token: &str) -> String {
    json!({"FleetId": FLEET, "ComputeName": COMPUTE, "AuthToken": token,
        "ExpirationTimestamp": now_s().round() + 3600.0})
    .to_string()
}

// ---- the bookkeeping ---------------------------------------------------------------------------

/// The secrets in play and every last error seen, with what produced it.
#[derive(Default)]
struct Audit {
    secrets: Vec<String>,
    errors: Vec<(String, String)>,
    statuses: Vec<St>,
}

impl Audit {
    fn secret(&mut self, s: impl Into<String>) {
        let s = s.into();
        assert!(s.len() >= PIECE, "too short to look for: {s}");
        if !self.secrets.contains(&s) {
            self.secrets.push(s);
        }
    }

    /// Asserts the status and keeps the last error (which must say something on failure).
    #[track_caller]
    fn expect(&mut self, what: &str, got: St, want: St) {
        let e = last_error();
        assert_eq!(got, want, "{what}: last error {e:?}");
        if want != St::GAMELIFT_AUTH_OK {
            assert!(!e.is_empty(), "{what}: no last error");
        }
        self.statuses.push(got);
        self.errors.push((what.to_string(), e));
    }

    /// Every place a secret (or a piece of one) showed up.
    fn leaks(&self, lines: &[(i32, String)], extra: &[(String, String)]) -> Vec<String> {
        let mut found = Vec::new();
        let texts = lines
            .iter()
            .map(|(level, line)| (format!("log line (level {level})"), line.clone()))
            .chain(
                self.errors
                    .iter()
                    .map(|(what, e)| (format!("last error of {what}"), e.clone())),
            )
            .chain(extra.iter().cloned());
        for (where_, text) in texts {
            for secret in &self.secrets {
                if let Some(piece) = leaked(&text, secret) {
                    found.push(format!("{where_}: {piece:?} of {secret:?} in {text:?}"));
                }
            }
        }
        found
    }
}

/// The whole `secret`, or its first piece of [`PIECE`] characters found in `text`.
fn leaked<'a>(text: &str, secret: &'a str) -> Option<&'a str> {
    if text.contains(secret) {
        return Some(secret);
    }
    (0..=secret.len() - PIECE)
        .filter(|&i| secret.is_char_boundary(i) && secret.is_char_boundary(i + PIECE))
        .map(|i| &secret[i..i + PIECE])
        .find(|piece| text.contains(piece))
}

fn standin() -> StandIn {
    StandIn::start_with(&[
        "--access-key-id",
        AKID,
        "--secret-access-key",
        SECRET,
        "--session-token",
        SESSION,
    ])
}

// ---- the tests ---------------------------------------------------------------------------------

/// Every status of the C ABI, and the success paths, with the trace log on: no secret anywhere.
#[test]
fn no_secret_in_logs_or_last_error_on_any_path() {
    use St::*;
    let log = Logging::start();
    let s = standin();
    let mut a = Audit::default();
    for secret in [
        SECRET,
        SESSION,
        WRONG_SECRET,
        WRONG_SESSION,
        PROFILE_SECRET,
        PROFILE_SESSION,
        PROC_SECRET,
        PROC_SESSION,
        TOKEN_TRUNCATED,
        TOKEN_NO_EXPIRY,
        TOKEN_BAD_CHARS,
        TOKEN_NOT_JSON,
        UPLOAD_SECRET,
        UPLOAD_SESSION,
    ] {
        a.secret(secret);
    }
    let c = good(&s);

    // -- success paths: tokens, a new one after invalidation, server parameters, upload
    //    credentials, the compute lifecycle.
    let (st, t1) = get_token(&c, FLEET, COMPUTE);
    a.expect("get_token", st, GAMELIFT_AUTH_OK);
    a.secret(t1);
    let st =
        unsafe { gamelift_auth_invalidate_token(c.0, cs(FLEET).as_ptr(), cs(COMPUTE).as_ptr()) };
    a.expect("invalidate_token", st, GAMELIFT_AUTH_OK);
    let (st, t2) = get_token(&c, FLEET, COMPUTE);
    a.expect("get_token after invalidate", st, GAMELIFT_AUTH_OK);
    a.secret(t2);
    a.expect(
        "register_compute",
        register(&c, COMPUTE, "10.1.2.3"),
        GAMELIFT_AUTH_OK,
    );
    let (st, t3) = server_parameters(&c, COMPUTE);
    a.expect("server_parameters_new", st, GAMELIFT_AUTH_OK);
    a.secret(t3.expect("a token"));
    for build in ["build-secrets1", "build-secrets2"] {
        let (st, pair) = upload(&c, build);
        a.expect("request_upload_credentials", st, GAMELIFT_AUTH_OK);
        let (secret, session) = pair.expect("upload credentials");
        a.secret(secret);
        a.secret(session);
    }

    // -- INVALID_ARGUMENT: refused setters and arguments whose text holds a secret.
    let cfg = Cfg::new();
    let bad_utf8 = {
        let mut v = SECRET.as_bytes().to_vec();
        v.push(0xff);
        CString::new(v).expect("no NUL")
    };
    unsafe {
        let st = gamelift_auth_config_set_credentials(
            cfg.0,
            cs("AK ID").as_ptr(),
            cs(SECRET).as_ptr(),
            cs(SESSION).as_ptr(),
        );
        a.expect(
            "set_credentials(bad key id)",
            st,
            GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT,
        );
        let st = gamelift_auth_config_set_credentials(
            cfg.0,
            cs(AKID).as_ptr(),
            cs(&format!("{SECRET}\u{1}")).as_ptr(),
            cs(SESSION).as_ptr(),
        );
        a.expect(
            "set_credentials(control char in secret)",
            st,
            GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT,
        );
        let st = gamelift_auth_config_set_credentials(
            cfg.0,
            cs(AKID).as_ptr(),
            cs(SECRET).as_ptr(),
            cs(&format!("{SESSION}\n")).as_ptr(),
        );
        a.expect(
            "set_credentials(control char in token)",
            st,
            GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT,
        );
        let st = gamelift_auth_config_set_credentials(
            cfg.0,
            cs(AKID).as_ptr(),
            bad_utf8.as_ptr(),
            cs(SESSION).as_ptr(),
        );
        a.expect(
            "set_credentials(bad UTF-8 secret)",
            st,
            GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT,
        );
        for url in [
            format!("https://{AKID}:{SECRET}@gamelift.us-west-2.amazonaws.com"),
            format!("https://gamelift.us-west-2.amazonaws.com/?X-Amz-Security-Token={SESSION}"),
            format!("http://example.com/{SESSION}"),
            format!("https://example.com/{SECRET}\\"),
        ] {
            let st = gamelift_auth_config_set_endpoint(cfg.0, cs(&url).as_ptr());
            a.expect(
                "set_endpoint(secret in URL)",
                st,
                GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT,
            );
        }
    }
    let (st, _) = get_token(&c, "not a fleet", COMPUTE);
    a.expect(
        "get_token(bad fleet)",
        st,
        GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT,
    );

    // -- BUFFER_TOO_SMALL, with a token in the cache.
    let mut small = [0 as c_char; 4];
    let mut needed = 0usize;
    let st = unsafe {
        gamelift_auth_get_token(
            c.0,
            cs(FLEET).as_ptr(),
            cs(COMPUTE).as_ptr(),
            small.as_mut_ptr(),
            small.len(),
            &mut needed,
            null_mut(),
        )
    };
    a.expect(
        "get_token(4-byte buffer)",
        st,
        GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL,
    );

    // -- CONFIG: an unknown profile in a file full of secrets; a malformed file.
    let st = client_new_status(&Cfg::new().endpoint(&s.url).profile("no-such-profile"));
    a.expect(
        "client_new(unknown profile)",
        st,
        GAMELIFT_AUTH_ERROR_CONFIG,
    );
    let f = files();
    std::fs::write(
        &f.config,
        format!(
            "[profile broken]\naws_secret_access_key = {PROFILE_SECRET}\n{PROFILE_SECRET}\n\
             [profile {SESSION}\n"
        ),
    )
    .expect("write a malformed config");
    let st = client_new_status(&Cfg::new().endpoint(&s.url).profile("broken"));
    std::fs::write(&f.config, &f.config_text).expect("restore the config");
    a.expect(
        "client_new(malformed config)",
        st,
        GAMELIFT_AUTH_ERROR_CONFIG,
    );

    // -- CREDENTIALS: credential_process failing (the secret on its stdout), printing
    //    truncated or wrongly typed JSON; a profile with a session token but no secret key.
    for profile in [
        "proc-fail",
        "proc-truncated",
        "proc-wrong-type",
        "session-without-secret",
    ] {
        let pc = Cfg::new().endpoint(&s.url).profile(profile).client();
        let (st, _) = get_token(&pc, FLEET, COMPUTE);
        a.expect(
            &format!("get_token(profile {profile})"),
            st,
            GAMELIFT_AUTH_ERROR_CREDENTIALS,
        );
    }

    // -- NETWORK: nothing listens.
    let closed = ClosedPort::new();
    let nc = Cfg::new()
        .endpoint(&closed.url)
        .keys(SECRET, Some(SESSION))
        .client();
    let (st, _) = get_token(&nc, FLEET, COMPUTE);
    a.expect("get_token(closed port)", st, GAMELIFT_AUTH_ERROR_NETWORK);

    // -- TIMEOUT: the answer comes after the deadline.
    s.faults(json!([{"action": GT, "delay_ms": 3000}]));
    let tc = Cfg::new()
        .endpoint(&s.url)
        .keys(SECRET, Some(SESSION))
        .timeout_ms(300)
        .client();
    let (st, _) = get_token(&tc, FLEET, "timeout-box");
    a.expect("get_token(slow answer)", st, GAMELIFT_AUTH_ERROR_TIMEOUT);

    // -- UNAUTHORIZED: a wrong secret key, a wrong session token, none, a refused one, and the
    //    credential_process credentials (the stand-in knows only its own key).
    for (what, cl) in [
        (
            "wrong secret",
            Cfg::new()
                .endpoint(&s.url)
                .keys(WRONG_SECRET, Some(SESSION)),
        ),
        (
            "wrong session",
            Cfg::new()
                .endpoint(&s.url)
                .keys(SECRET, Some(WRONG_SESSION)),
        ),
        ("no session", Cfg::new().endpoint(&s.url).keys(SECRET, None)),
        (
            "credential_process",
            Cfg::new().endpoint(&s.url).profile("proc-ok"),
        ),
    ] {
        let (st, _) = get_token(&cl.client(), FLEET, COMPUTE);
        a.expect(
            &format!("get_token({what})"),
            st,
            GAMELIFT_AUTH_ERROR_UNAUTHORIZED,
        );
    }
    s.faults(
        json!([{"action": RUC, "error_type": "AccessDeniedException",
        "message": "User is not authorized to perform gamelift:RequestUploadCredentials"}]),
    );
    let (st, _) = upload(&c, "build-denied");
    a.expect(
        "upload(access denied)",
        st,
        GAMELIFT_AUTH_ERROR_UNAUTHORIZED,
    );

    // -- The service's error codes, each as a final answer (retried ones twice: 2 attempts).
    let service_errors = [
        ("ThrottlingException", 400, 2, GAMELIFT_AUTH_ERROR_THROTTLED),
        ("NotFoundException", 400, 1, GAMELIFT_AUTH_ERROR_NOT_FOUND),
        (
            "InvalidRequestException",
            400,
            1,
            GAMELIFT_AUTH_ERROR_INVALID_REQUEST,
        ),
        (
            "UnsupportedRegionException",
            400,
            1,
            GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION,
        ),
        (
            "InternalServiceException",
            500,
            2,
            GAMELIFT_AUTH_ERROR_SERVICE,
        ),
        (
            "SomethingUnexpectedException",
            400,
            1,
            GAMELIFT_AUTH_ERROR_SERVICE,
        ),
        ("NotReadyException", 400, 2, GAMELIFT_AUTH_ERROR_NOT_READY),
        (
            "LimitExceededException",
            400,
            2,
            GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED,
        ),
    ];
    for (i, (code, status, times, want)) in service_errors.iter().enumerate() {
        for error_in in ["body_type", "header"] {
            s.faults(json!([{"action": GT, "error_type": code, "status": status,
                "times": times, "error_in": error_in, "message": "injected for the secrets test"}]));
            let compute = format!("code-{i}-{}", error_in.replace('_', "-"));
            let (st, _) = get_token(&c, FLEET, &compute);
            a.expect(&format!("get_token({code} in {error_in})"), st, *want);
        }
    }
    s.faults(
        json!([{"action": "DescribeCompute", "error_type": "NotReadyException",
        "times": 2}]),
    );
    let (st, _) = server_parameters(&c, "not-ready-box");
    a.expect(
        "server_parameters(not ready)",
        st,
        GAMELIFT_AUTH_ERROR_NOT_READY,
    );

    // -- CONFLICT: the same compute name with another address.
    a.expect(
        "register_compute(conflict)",
        register(&c, COMPUTE, "10.9.9.9"),
        GAMELIFT_AUTH_ERROR_CONFLICT,
    );

    // -- BAD_RESPONSE: answers that carry a token or upload secrets but are cut off, not JSON,
    //    lack a field, have an unusable token, or are too big.
    let truncated_token = token_body(TOKEN_TRUNCATED);
    let truncated_token = &truncated_token
        [..truncated_token.find(TOKEN_TRUNCATED).expect("in") + TOKEN_TRUNCATED.len() + 3];
    let upload_body = json!({"UploadCredentials": {"AccessKeyId": "ASIAUPLOAD",
        "SecretAccessKey": UPLOAD_SECRET, "SessionToken": UPLOAD_SESSION},
        "StorageLocation": {"Bucket": "b", "Key": "k"}})
    .to_string();
    let bad_answers = [
        (GT, json!({"action": GT, "body": truncated_token})),
        (
            GT,
            json!({"action": GT, "body": token_body(TOKEN_TRUNCATED), "truncate": true}),
        ),
        (
            GT,
            json!({"action": GT, "body": json!({"AuthToken": TOKEN_NO_EXPIRY}).to_string()}),
        ),
        (
            GT,
            json!({"action": GT, "body": token_body(TOKEN_BAD_CHARS)}),
        ),
        (
            GT,
            json!({"action": GT, "body": format!("<html>{TOKEN_NOT_JSON}</html>"),
            "content_type": "text/html"}),
        ),
        (GT, json!({"action": GT, "truncate": true})),
        (GT, json!({"action": GT, "oversize_bytes": 1_100_000})),
        (GT, json!({"action": GT, "omit_field": "AuthToken"})),
        (
            RUC,
            json!({"action": RUC, "body": &upload_body[..upload_body.len() - 40]}),
        ),
        (
            RUC,
            json!({"action": RUC, "body": upload_body.replace(
            &format!(r#","SessionToken":"{UPLOAD_SESSION}""#), "")}),
        ),
        (RUC, json!({"action": RUC, "truncate": true})),
    ];
    for (i, (action, fault)) in bad_answers.iter().enumerate() {
        s.faults(json!([fault]));
        let st = if *action == GT {
            get_token(&c, FLEET, &format!("bad-{i}")).0
        } else {
            upload(&c, "build-bad").0
        };
        a.expect(
            &format!("{action}({fault})"),
            st,
            GAMELIFT_AUTH_ERROR_BAD_RESPONSE,
        );
    }

    // -- The stale fallback: OK with the refresh's failure left as a warning.
    s.config(json!({"token_lifetime_s": 2.0}));
    let (st, t4) = get_token(&c, FLEET, "stale-box");
    a.expect("get_token(short-lived)", st, GAMELIFT_AUTH_OK);
    a.secret(t4);
    s.faults(
        json!([{"action": GT, "status": 500, "error_type": "InternalServiceException",
        "times": 2}]),
    );
    // Only to let wall-clock time pass: the 2 s token ages past half its lifetime.
    std::thread::sleep(Duration::from_millis(1100));
    let (st, t5) = get_token(&c, FLEET, "stale-box");
    a.expect("get_token(stale fallback)", st, GAMELIFT_AUTH_OK);
    a.secret(t5);
    assert!(
        a.errors
            .last()
            .is_some_and(|(_, e)| e.contains("InternalServiceException")),
        "the warning: {:?}",
        a.errors.last()
    );

    // Every status of the C ABI but INTERNAL was produced.
    for want in [
        GAMELIFT_AUTH_OK,
        GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT,
        GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL,
        GAMELIFT_AUTH_ERROR_CONFIG,
        GAMELIFT_AUTH_ERROR_CREDENTIALS,
        GAMELIFT_AUTH_ERROR_NETWORK,
        GAMELIFT_AUTH_ERROR_TIMEOUT,
        GAMELIFT_AUTH_ERROR_THROTTLED,
        GAMELIFT_AUTH_ERROR_UNAUTHORIZED,
        GAMELIFT_AUTH_ERROR_NOT_FOUND,
        GAMELIFT_AUTH_ERROR_INVALID_REQUEST,
        GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION,
        GAMELIFT_AUTH_ERROR_SERVICE,
        GAMELIFT_AUTH_ERROR_BAD_RESPONSE,
        GAMELIFT_AUTH_ERROR_CONFLICT,
        GAMELIFT_AUTH_ERROR_NOT_READY,
        GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED,
    ] {
        assert!(a.statuses.contains(&want), "{want:?} was not produced");
    }

    let lines = log.lines();
    assert!(lines.len() > 50, "the trace log: {lines:#?}");
    assert!(
        lines
            .iter()
            .all(|(l, m)| (1..=5).contains(l) && !m.starts_with("<BAD")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|(l, _)| *l == 5),
        "trace lines: {lines:#?}"
    );
    let leaks = a.leaks(&lines, &[]);
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

/// The service (or a proxy in front of it) echoes a secret in an error message, a wrongly typed
/// field, or a credential helper prints its key to stderr: the library knows these values and
/// must not repeat them.
#[test]
fn no_secret_when_an_answer_echoes_one() {
    use St::*;
    let log = Logging::start();
    let s = standin();
    let mut a = Audit::default();
    for secret in [SECRET, SESSION, PROC_SECRET, PROC_SESSION, TOKEN_WRONG_TYPE] {
        a.secret(secret);
    }
    let c = good(&s);
    let (st, token) = get_token(&c, FLEET, COMPUTE);
    a.expect("get_token", st, GAMELIFT_AUTH_OK);
    a.secret(token.clone());

    // AWS's InvalidSignatureException quotes the canonical request, which holds the
    // x-amz-security-token header; the library clips the message at 512 bytes.
    let canonical = format!(
        "The request signature we calculated does not match the signature you provided. Check \
         your AWS Secret Access Key and signing method. Consult the service documentation for \
         details.\n\nThe Canonical String for this request should have been\n'POST\n/\n\n\
         content-type:application/x-amz-json-1.1\nhost:gamelift.us-west-2.amazonaws.com\n\
         x-amz-date:20250101T000000Z\nx-amz-security-token:{SESSION}\n\
         x-amz-target:GameLift.GetComputeAuthToken\n'"
    );
    let echoes = [
        ("InvalidSignatureException", canonical),
        (
            "UnrecognizedClientException",
            format!("The security token {SESSION} is invalid."),
        ),
        (
            "AccessDeniedException",
            format!("Credential should be scoped by key {SECRET}"),
        ),
        (
            "InvalidRequestException",
            format!("Token {token} is no longer valid"),
        ),
    ];
    for (i, (code, message)) in echoes.iter().enumerate() {
        s.faults(json!([{"action": GT, "error_type": code, "message": message}]));
        let (st, _) = get_token(&c, FLEET, &format!("echo-{i}"));
        assert_ne!(st, GAMELIFT_AUTH_OK);
        a.expect(&format!("get_token({code} echoing)"), st, st);
    }
    // A 200 whose fields have the wrong JSON type, holding a token and upload secrets.
    s.faults(
        json!([{"action": GT, "body": json!({"AuthToken": TOKEN_WRONG_TYPE,
        "ExpirationTimestamp": TOKEN_WRONG_TYPE}).to_string()}]),
    );
    let (st, _) = get_token(&c, FLEET, "wrong-type");
    a.expect(
        "get_token(token in a number field)",
        st,
        GAMELIFT_AUTH_ERROR_BAD_RESPONSE,
    );
    s.faults(json!([{"action": RUC, "body": json!({"UploadCredentials": SESSION}).to_string()}]));
    let (st, _) = upload(&c, "build-wrong-type");
    a.expect(
        "upload(secret in an object field)",
        st,
        GAMELIFT_AUTH_ERROR_BAD_RESPONSE,
    );
    // A credential helper that prints its own key to stderr and fails.
    let pc = Cfg::new()
        .endpoint(&s.url)
        .profile("proc-stderr-secret")
        .client();
    let (st, _) = get_token(&pc, FLEET, COMPUTE);
    a.expect(
        "get_token(helper prints its key to stderr)",
        st,
        GAMELIFT_AUTH_ERROR_CREDENTIALS,
    );

    let leaks = a.leaks(&log.lines(), &[]);
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

/// `Debug` of the Rust values that hold secrets shows none of them.
#[test]
fn debug_output_hides_secrets() {
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let s = standin();
    let mut a = Audit::default();
    for secret in [SECRET, SESSION, PROFILE_SECRET] {
        a.secret(secret);
    }
    let env = Env::from_pairs([
        ("AWS_REGION", REGION),
        ("AWS_ENDPOINT_URL_GAMELIFT", s.url.as_str()),
        ("AWS_ACCESS_KEY_ID", AKID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", SESSION),
    ]);
    let mut cfg = Config::with_env(env.clone());
    let explicit = Credentials {
        access_key_id: AKID.into(),
        secret_access_key: Secret::from(SECRET),
        session_token: Some(Secret::from(SESSION)),
        expiry: None,
        source: "test".into(),
    };
    let client = Client::new(&cfg).expect("client from the environment");
    let got = client.get_token(FLEET, COMPUTE).expect("a token");
    a.secret(got.token.value.expose());
    let upload = client
        .request_upload_credentials("build-debug")
        .expect("upload credentials");
    a.secret(upload.secret_access_key.expose());
    a.secret(upload.session_token.expose());
    client
        .register_compute(&gamelift_auth::RegisterComputeInput {
            fleet_id: FLEET.into(),
            compute_name: COMPUTE.into(),
            ip_address: Some("10.0.0.1".into()),
            ..Default::default()
        })
        .expect("register");
    let (params, _) = client
        .server_parameters(FLEET, COMPUTE)
        .expect("parameters");
    a.secret(params.auth_token.expose());
    let resolved = cfg.resolve().expect("resolve");
    cfg.credentials = Some(explicit.clone());
    let explicit_client = Client::new(&cfg).expect("client with explicit credentials");
    let files = gamelift_auth::profile::ProfileSet::parse(
        Path::new("config"),
        Some(&format!(
            "[profile p]\naws_secret_access_key = {PROFILE_SECRET}\ncredential_process = helper --key {PROFILE_SECRET}\n"
        )),
        Path::new("credentials"),
        None,
    )
    .expect("parse");
    let process = gamelift_auth::credentials::ProcessProvider::new(
        "p",
        format!("helper --key {PROFILE_SECRET}"),
    );
    let error = Client::new(&Config::with_env(Env::from_pairs([(
        "AWS_SECRET_ACCESS_KEY",
        SECRET,
    )])))
    .expect_err("no region");

    let debug = [
        ("Config", format!("{cfg:?}")),
        (
            "Config (environment)",
            format!("{:?}", Config::with_env(env)),
        ),
        ("Resolved", format!("{resolved:?}")),
        ("Client", format!("{client:?}")),
        ("Client (explicit)", format!("{explicit_client:?}")),
        ("Credentials", format!("{explicit:?}")),
        ("Credentials (alternate)", format!("{explicit:#?}")),
        ("Got", format!("{got:?}")),
        ("Token", format!("{:?}", got.token)),
        ("UploadCredentials", format!("{upload:?}")),
        ("ServerParameters", format!("{params:?}")),
        ("ServerParameters (alternate)", format!("{params:#?}")),
        ("ProfileSet", format!("{files:?}")),
        ("Section", format!("{:?}", files.profile("p"))),
        ("ProcessProvider", format!("{process:?}")),
        ("Error", format!("{error:?} / {error}")),
        (
            "Secret",
            format!("{:?} {}", Secret::from(SECRET), Secret::from(SESSION)),
        ),
    ];
    for (what, text) in &debug {
        assert!(!text.is_empty(), "{what}");
    }
    let extra: Vec<(String, String)> = debug
        .iter()
        .map(|(w, t)| (format!("Debug of {w}"), t.clone()))
        .collect();
    let leaks = a.leaks(&[], &extra);
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    assert!(
        format!("{explicit:?}").contains(AKID),
        "the key id is not secret"
    );
}

//! The fault table: how the client answers each way the service (the stand-in) can misbehave.
//!
//! Each test injects one fault through the stand-in's control interface and asserts the exact
//! outcome (the `ErrorKind`, which is the C status one-to-one) and the exact number of requests
//! the stand-in saw. The wire-format tests compare the recorded request bytes.

mod common;

use common::standin::HttpConn;
use common::{
    ACCESS_KEY, COMPUTE, ClosedPort, FLEET, LogCapture, REGION, SECRET_KEY, StandIn, client,
    client_with, config_with_keys, count, has_request_id, header, proc_status_kb, requests, total,
};
use gamelift_auth::{Client, Error, ErrorKind};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const GET_TOKEN: &str = "GetComputeAuthToken";
const UPLOAD: &str = "RequestUploadCredentials";

fn get(c: &Client) -> Result<String, Error> {
    c.get_token(FLEET, COMPUTE)
        .map(|g| g.token.value.expose().to_string())
}

fn get_err(c: &Client) -> Error {
    match get(c) {
        Ok(_) => panic!("expected an error, got a token"),
        Err(e) => e,
    }
}

fn statuses(s: &StandIn) -> Vec<Option<u64>> {
    requests(s).iter().map(|r| r["status"].as_u64()).collect()
}

// ---- retried server faults -------------------------------------------------------------

#[test]
fn internal_error_twice_then_ok() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "status": 500,
        "error_type": "InternalServiceException", "message": "injected", "times": 2}]));
    let c = client(&s.url);
    let token = get(&c).expect("the third attempt succeeds");
    assert!(!token.is_empty());
    assert_eq!(total(&s), 3);
    assert_eq!(count(&s, GET_TOKEN), 3);
    assert_eq!(statuses(&s), vec![Some(500), Some(500), Some(200)]);
}

#[test]
fn internal_error_every_time_is_service_after_max_attempts() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "status": 500,
        "error_type": "InternalServiceException", "message": "injected", "times": 100}]));
    let c = client_with(&s.url, |cfg| cfg.max_attempts = 4);
    let e = get_err(&c);
    assert_eq!(e.kind(), ErrorKind::Service, "{e}");
    assert_eq!(e.code(), Some("InternalServiceException"));
    assert_eq!(e.http_status(), Some(500));
    assert_eq!(total(&s), 4);
    // The default is 3 attempts.
    s.reset();
    s.faults(json!([{"action": GET_TOKEN, "status": 500,
        "error_type": "InternalServiceException", "times": 100}]));
    let e = get_err(&client(&s.url));
    assert_eq!(e.kind(), ErrorKind::Service, "{e}");
    assert_eq!(total(&s), 3);
}

#[test]
fn bare_503_is_retried_and_429_is_throttled() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "status": 503}]));
    let c = client(&s.url);
    get(&c).expect("the 503 is retried");
    assert_eq!(statuses(&s), vec![Some(503), Some(200)]);

    s.reset();
    s.faults(json!([{"action": GET_TOKEN, "status": 429, "times": 100}]));
    let c = client_with(&s.url, |cfg| cfg.max_attempts = 2);
    let e = get_err(&c);
    assert_eq!(e.kind(), ErrorKind::Throttled, "{e}");
    assert_eq!(total(&s), 2);
}

#[test]
fn throttled_every_time_backs_off_between_attempts() {
    let s = StandIn::start();
    s.faults(
        json!([{"action": GET_TOKEN, "error_type": "ThrottlingException",
        "message": "Rate exceeded", "times": 100}]),
    );
    let c = client_with(&s.url, |cfg| cfg.max_attempts = 4);
    let log = LogCapture::start(4);
    let started = Instant::now();
    let e = get_err(&c);
    let elapsed = started.elapsed();
    let lines = log.lines();
    drop(log);
    assert_eq!(e.kind(), ErrorKind::Throttled, "{e}");
    assert_eq!(e.code(), Some("ThrottlingException"));
    assert_eq!(total(&s), 4);

    // One "retrying after N ms" debug line per retry: attempts 1, 2 and 3 failed and were retried.
    let mut waited = Duration::ZERO;
    for n in 1..=3 {
        let prefix = format!("{GET_TOKEN}: attempt {n} failed (Throttled); retrying after ");
        let found: Vec<&(i32, String)> = lines
            .iter()
            .filter(|(_, m)| m.starts_with(&prefix))
            .collect();
        assert_eq!(found.len(), 1, "attempt {n}: {lines:#?}");
        let (level, msg) = found[0];
        assert_eq!(*level, 4, "a debug line: {msg}");
        let ms: u64 = msg[prefix.len()..]
            .strip_suffix(" ms")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no wait in {msg:?}"));
        // Full jitter under a doubling cap: 100, 200, 400 ms.
        assert!(ms <= 100 << (n - 1), "attempt {n} waited {ms} ms");
        waited += Duration::from_millis(ms);
    }
    let fourth = format!("{GET_TOKEN}: attempt 4 failed (Throttled); retrying");
    assert!(!lines.iter().any(|(_, m)| m.starts_with(&fourth)));
    assert!(elapsed >= waited, "{elapsed:?} < the waits {waited:?}");
}

#[test]
fn limit_exceeded_is_retried_then_limit_exceeded() {
    let s = StandIn::start();
    s.faults(
        json!([{"action": GET_TOKEN, "error_type": "LimitExceededException",
        "message": "too many", "times": 100}]),
    );
    let e = get_err(&client(&s.url));
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert_eq!(total(&s), 3);
}

// ---- final service errors ------------------------------------------------------------

fn final_error(code: &str, kind: ErrorKind) {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "error_type": code,
        "message": "injected for the test", "times": 100}]));
    let e = get_err(&client(&s.url));
    assert_eq!(e.kind(), kind, "{e}");
    assert_eq!(e.code(), Some(code));
    assert_eq!(e.http_status(), Some(400));
    assert_eq!(total(&s), 1, "{code} is not retried");
    let text = e.to_string();
    assert!(text.contains(code), "{text}");
    assert!(text.contains("injected for the test"), "{text}");
    assert!(has_request_id(&text), "no request id in {text}");
    assert!(e.request_id().is_some_and(|id| text.contains(id)));
}

#[test]
fn not_found_is_final() {
    final_error("NotFoundException", ErrorKind::NotFound);
}

#[test]
fn invalid_request_is_final() {
    final_error("InvalidRequestException", ErrorKind::InvalidRequest);
}

#[test]
fn unauthorized_is_final() {
    final_error("UnauthorizedException", ErrorKind::Unauthorized);
}

#[test]
fn unsupported_region_is_final() {
    final_error("UnsupportedRegionException", ErrorKind::UnsupportedRegion);
}

#[test]
fn unknown_error_type_is_service_and_named() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "error_type": "BrandNewFancyException", "times": 100}]));
    let e = get_err(&client(&s.url));
    assert_eq!(e.kind(), ErrorKind::Service, "{e}");
    assert_eq!(total(&s), 1, "a 400 with an unknown code is not retried");
    let text = e.to_string();
    assert!(text.contains("BrandNewFancyException"), "{text}");
    assert!(has_request_id(&text), "{text}");
}

// ---- error code parsing: header, body code, namespaced __type ---------------------------

#[test]
fn error_code_from_the_header() {
    let s = StandIn::start();
    s.faults(
        json!([{"action": GET_TOKEN, "error_type": "NotFoundException",
        "error_in": "header", "message": "no such compute"}]),
    );
    let e = get_err(&client(&s.url));
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    // The header's ":http://..." suffix is cut.
    assert_eq!(e.code(), Some("NotFoundException"));
    assert!(e.to_string().contains("no such compute"), "{e}");
    assert_eq!(total(&s), 1);

    s.reset();
    s.faults(
        json!([{"action": GET_TOKEN, "error_type": "aws.protocoltests#ThrottlingException",
        "error_in": "header"}]),
    );
    let e = get_err(&client_with(&s.url, |cfg| cfg.max_attempts = 1));
    assert_eq!(e.kind(), ErrorKind::Throttled, "{e}");
    assert_eq!(e.code(), Some("ThrottlingException"));
    assert_eq!(total(&s), 1);
}

#[test]
fn error_code_from_the_body_code() {
    let s = StandIn::start();
    s.faults(
        json!([{"action": GET_TOKEN, "error_type": "InvalidRequestException",
        "error_in": "body_code", "message": "bad fleet"}]),
    );
    let e = get_err(&client(&s.url));
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert_eq!(e.code(), Some("InvalidRequestException"));
    assert_eq!(total(&s), 1);

    // `code` wins over `__type`.
    s.reset();
    let body = r#"{"__type":"InvalidRequestException","code":"NotFoundException","Message":"m"}"#;
    s.faults(json!([{"action": GET_TOKEN, "status": 400, "body": body}]));
    let e = get_err(&client(&s.url));
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(total(&s), 1);
}

#[test]
fn error_code_from_a_namespaced_type() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN,
        "error_type": "com.amazonaws.gamelift#UnsupportedRegionException:http://internal/"}]));
    let e = get_err(&client(&s.url));
    assert_eq!(e.kind(), ErrorKind::UnsupportedRegion, "{e}");
    assert_eq!(e.code(), Some("UnsupportedRegionException"));
    assert_eq!(total(&s), 1);
}

// ---- transport faults -------------------------------------------------------------------

#[test]
fn answer_after_the_deadline_is_a_timeout() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "delay_ms": 5000, "times": 100}]));
    let c = client_with(&s.url, |cfg| cfg.timeout = Duration::from_millis(500));
    let started = Instant::now();
    let e = get_err(&c);
    let elapsed = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(elapsed < Duration::from_millis(2500), "took {elapsed:?}");
    assert!(
        elapsed >= Duration::from_millis(450),
        "gave up early: {elapsed:?}"
    );
    assert_eq!(total(&s), 1, "no time left for a second attempt");
}

#[test]
fn closed_connection_then_ok() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "drop": true}]));
    let token = get(&client(&s.url)).expect("the retry after the dropped connection succeeds");
    assert!(!token.is_empty());
    assert_eq!(total(&s), 2);
    assert_eq!(statuses(&s), vec![None, Some(200)]);
}

#[test]
fn nothing_listening_is_a_network_error() {
    let port = ClosedPort::new();
    let c = client_with(&port.url, |cfg| cfg.timeout = Duration::from_secs(5));
    let started = Instant::now();
    let e = get_err(&c);
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

// ---- bad 200 answers --------------------------------------------------------------------

fn bad_response(fault: Value) -> Error {
    let s = StandIn::start();
    s.faults(json!([fault]));
    let e = get_err(&client(&s.url));
    assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
    assert_eq!(total(&s), 1, "a bad answer is not retried");
    e
}

#[test]
fn invalid_json_is_a_bad_response() {
    let e = bad_response(json!({"action": GET_TOKEN, "body": "{\"AuthToken\": nope"}));
    assert!(e.to_string().contains(GET_TOKEN), "{e}");
}

#[test]
fn missing_auth_token_is_a_bad_response() {
    let e = bad_response(json!({"action": GET_TOKEN, "omit_field": "AuthToken"}));
    assert!(e.to_string().contains("AuthToken"), "{e}");
}

#[test]
fn missing_expiration_is_a_bad_response() {
    let e = bad_response(json!({"action": GET_TOKEN, "omit_field": "ExpirationTimestamp"}));
    assert!(e.to_string().contains("ExpirationTimestamp"), "{e}");
}

#[test]
fn truncated_body_is_a_bad_response() {
    bad_response(json!({"action": GET_TOKEN, "truncate": true}));
}

#[test]
fn fifty_megabyte_body_is_a_bad_response_and_not_read_whole() {
    const SIZE: u64 = 50 * 1024 * 1024;
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "oversize_bytes": SIZE}]));
    let c = client(&s.url);
    let rss_before = proc_status_kb("VmRSS");
    let hwm_before = proc_status_kb("VmHWM");
    let started = Instant::now();
    let e = get_err(&c);
    let elapsed = started.elapsed();
    let hwm_after = proc_status_kb("VmHWM");
    assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
    assert_eq!(total(&s), 1);
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    // The body is capped at 1 MiB: the peak memory grows by far less than 50 MB.
    let grew_kb = hwm_after.saturating_sub(hwm_before.max(rss_before));
    assert!(grew_kb < 16 * 1024, "peak RSS grew by {grew_kb} kB");
}

// ---- signing: clock skew, wrong secret ---------------------------------------------------

#[test]
fn service_clock_twenty_minutes_ahead_is_corrected_once() {
    let s = StandIn::start();
    s.clock(1200);
    let c = client(&s.url);
    get(&c).expect("one corrected retry succeeds");
    assert_eq!(total(&s), 2);
    assert_eq!(s.stats()["auth_failures"].as_u64(), Some(1));
    let reqs = requests(&s);
    assert_eq!(statuses(&s), vec![Some(400), Some(200)]);
    // The retry was signed anew, with the corrected time.
    let date = |r: &Value| header(r, "x-amz-date").0.expect("x-amz-date").to_string();
    let (d1, d2) = (date(&reqs[0]), date(&reqs[1]));
    let secs = |d: &str| {
        let t = &d[9..15];
        t[0..2].parse::<i64>().unwrap() * 3600
            + t[2..4].parse::<i64>().unwrap() * 60
            + t[4..6].parse::<i64>().unwrap()
    };
    let diff = (secs(&d2) - secs(&d1)).rem_euclid(86_400);
    assert!((1190..=1210).contains(&diff), "x-amz-date {d1} then {d2}");
    assert_ne!(
        header(&reqs[0], "authorization").0,
        header(&reqs[1], "authorization").0
    );

    // The correction sticks: the next fetch needs one request.
    c.invalidate_token(FLEET, COMPUTE).unwrap();
    get(&c).expect("signed with the corrected clock");
    assert_eq!(total(&s), 3);
    assert_eq!(s.stats()["auth_failures"].as_u64(), Some(1));
}

#[test]
fn wrong_secret_key_is_unauthorized() {
    let s = StandIn::start();
    let cfg = config_with_keys(&s.url, ACCESS_KEY, "not-the-right-secret-42", None);
    let c = Client::new(&cfg).unwrap();
    let e = get_err(&c);
    assert_eq!(e.kind(), ErrorKind::Unauthorized, "{e}");
    assert_eq!(e.code(), Some("InvalidSignatureException"));
    assert_eq!(total(&s), 1);
    assert_eq!(s.stats()["auth_failures"].as_u64(), Some(1));
    assert!(!e.to_string().contains("not-the-right-secret-42"));
}

// ---- RequestUploadCredentials ------------------------------------------------------------

#[test]
fn upload_credentials_fields() {
    let s = StandIn::start();
    let c = client(&s.url);
    let u = c.request_upload_credentials("build-1111aaaa").unwrap();
    assert!(u.access_key_id.starts_with("ASIA"), "{}", u.access_key_id);
    assert_eq!(u.access_key_id.len(), 20);
    assert_eq!(u.secret_access_key.expose().len(), 40);
    assert!(u.session_token.expose().starts_with("IQoJb3JpZ2luX2Vj"));
    assert_eq!(u.bucket, "gamelift-standin-builds-us-west-2");
    assert_eq!(u.key, "123456789012/build-1111aaaa");
    assert_eq!(
        u.role_arn,
        "arn:aws:iam::123456789012:role/GameLiftStandInUploadRole"
    );
    assert_eq!(u.object_version, "");
    assert_eq!(count(&s, UPLOAD), 1);
    let r = &requests(&s)[0];
    assert_eq!(r["body"], r#"{"BuildId":"build-1111aaaa"}"#);
    assert_eq!(
        header(r, "x-amz-target").0,
        Some("GameLift.RequestUploadCredentials")
    );
    // Not cached: a second call asks again and gets other credentials.
    let v = c.request_upload_credentials("build-1111aaaa").unwrap();
    assert_ne!(v.secret_access_key.expose(), u.secret_access_key.expose());
    assert_eq!(count(&s, UPLOAD), 2);
    assert_eq!(total(&s), 2);
}

#[test]
fn upload_credentials_errors() {
    let s = StandIn::start();
    let c = client(&s.url);
    s.faults(json!([{"action": UPLOAD, "error_type": "NotFoundException", "message": "no build"}]));
    let e = c.request_upload_credentials("build-1111aaaa").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(has_request_id(&e.to_string()), "{e}");
    assert_eq!(total(&s), 1);

    s.faults(json!([{"action": UPLOAD, "omit_field": "StorageLocation"}]));
    let e = c.request_upload_credentials("build-1111aaaa").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
    assert_eq!(total(&s), 2);

    s.faults(
        json!([{"action": UPLOAD, "status": 500, "error_type": "InternalServiceException",
        "times": 100}]),
    );
    let e = c.request_upload_credentials("build-1111aaaa").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service, "{e}");
    assert_eq!(total(&s), 5);

    // Refused before any request.
    let e = c.request_upload_credentials("b-1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert_eq!(total(&s), 5);
}

// ---- the bytes on the wire ---------------------------------------------------------------

/// Checks the Authorization header of a recorded request; returns the signed header names.
fn check_authorization(r: &Value, key: &str) -> Vec<String> {
    let (auth, n) = header(r, "authorization");
    assert_eq!(n, 1, "one Authorization header");
    let auth = auth.unwrap();
    let date = header(r, "x-amz-date").0.expect("x-amz-date");
    assert_eq!(date.len(), 16, "{date}");
    assert!(date.ends_with('Z') && date.as_bytes()[8] == b'T', "{date}");
    let prefix = format!(
        "AWS4-HMAC-SHA256 Credential={key}/{}/{REGION}/gamelift/aws4_request, SignedHeaders=",
        &date[..8]
    );
    assert!(auth.starts_with(&prefix), "{auth}");
    let rest = &auth[prefix.len()..];
    let (signed, sig) = rest.split_once(", Signature=").expect("Signature=");
    assert_eq!(sig.len(), 64, "{auth}");
    assert!(
        sig.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    signed.split(';').map(str::to_string).collect()
}

#[test]
fn request_wire_bytes() {
    let s = StandIn::start();
    let c = client(&s.url);
    get(&c).unwrap();
    let reqs = requests(&s);
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r["method"], "POST");
    assert_eq!(r["path"], "/");
    assert_eq!(r["action"], GET_TOKEN);
    assert_eq!(r["status"], 200);
    assert_eq!(
        r["body"],
        r#"{"FleetId":"fleet-1a2b","ComputeName":"my-box"}"#
    );
    assert_eq!(
        header(r, "content-type"),
        (Some("application/x-amz-json-1.1"), 1)
    );
    assert_eq!(
        header(r, "x-amz-target"),
        (Some("GameLift.GetComputeAuthToken"), 1)
    );
    let port = s.url.rsplit(':').next().unwrap();
    assert_eq!(
        header(r, "host").0,
        Some(format!("127.0.0.1:{port}").as_str())
    );
    assert_eq!(header(r, "x-amz-security-token").1, 0);
    let signed = check_authorization(r, ACCESS_KEY);
    assert_eq!(
        signed,
        ["content-type", "host", "x-amz-date", "x-amz-target"],
        "signed headers"
    );
    assert_eq!(s.stats()["auth_failures"].as_u64(), Some(0));
}

#[test]
fn request_wire_bytes_with_a_session_token() {
    const SESSION: &str = "FwoGZXIvYXdzEStandInSessionToken0123456789";
    let s = StandIn::start_with(&["--session-token", SESSION]);
    let cfg = config_with_keys(&s.url, ACCESS_KEY, SECRET_KEY, Some(SESSION));
    let c = Client::new(&cfg).unwrap();
    get(&c).expect("signed with the session token");
    let r = &requests(&s)[0];
    assert_eq!(header(r, "x-amz-security-token"), (Some(SESSION), 1));
    let signed = check_authorization(r, ACCESS_KEY);
    assert_eq!(
        signed,
        [
            "content-type",
            "host",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-target"
        ]
    );
    assert_eq!(total(&s), 1);

    // Without the session token the stand-in refuses: unauthorized, not retried.
    let c = Client::new(&config_with_keys(&s.url, ACCESS_KEY, SECRET_KEY, None)).unwrap();
    let e = get_err(&c);
    assert_eq!(e.kind(), ErrorKind::Unauthorized, "{e}");
    assert!(!e.to_string().contains(SESSION));
    assert_eq!(total(&s), 2);
}

/// Sends a recorded request again, byte for byte, and returns the status the stand-in answers:
/// its signature is checked once more by the stand-in's verifier.
fn replay(s: &StandIn, r: &Value) -> u16 {
    let mut out = format!(
        "{} {} HTTP/1.1\r\n",
        r["method"].as_str().unwrap(),
        r["path"].as_str().unwrap()
    );
    for h in r["headers"].as_array().unwrap() {
        out.push_str(&format!(
            "{}: {}\r\n",
            h[0].as_str().unwrap(),
            h[1].as_str().unwrap()
        ));
    }
    out.push_str("\r\n");
    out.push_str(r["body"].as_str().unwrap());
    let mut conn = HttpConn::connect(s.addr());
    conn.write(out.as_bytes()).unwrap();
    conn.read_response().unwrap().status
}

#[test]
fn every_retry_is_signed() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "status": 500,
        "error_type": "InternalServiceException", "times": 2}]));
    get(&client(&s.url)).unwrap();
    let reqs = requests(&s);
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(
            check_authorization(r, ACCESS_KEY),
            ["content-type", "host", "x-amz-date", "x-amz-target"]
        );
    }
    assert_eq!(s.stats()["auth_failures"].as_u64(), Some(0));
    // Faulted answers skip the stand-in's signature check: replay each attempt, unfaulted, so the
    // verifier checks every signature (x-amz-date is within the 5 minutes allowed).
    for (i, r) in reqs.iter().enumerate() {
        assert_eq!(replay(&s, r), 200, "attempt {} replayed", i + 1);
    }
    assert_eq!(s.stats()["auth_failures"].as_u64(), Some(0));
    assert_eq!(total(&s), 6);
}

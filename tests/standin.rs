//! The local stand-in (`gamelift-auth local-endpoint`) against its documented behaviour: the
//! GameLift wire format, SigV4 checks, each fault kind, the control interface, concurrency and
//! keep-alive speed. Requests are signed with aws-sigv4 and sent with a byte-level client.

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::standin::{HttpConn, RawResponse, Signer, StandIn};
use serde_json::{Value, json};

const GET_TOKEN: &str = "GetComputeAuthToken";
const TOKEN_INPUT: &str = r#"{"FleetId":"fleet-1a2b","ComputeName":"my-box"}"#;

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Asserts an awsJson1_1 error answer: status, `__type` and (when given) the exact message.
fn assert_error(r: &RawResponse, status: u16, code: &str, message: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.text());
    let body = r.json();
    assert_eq!(body["__type"], code, "{body}");
    if let Some(m) = message {
        assert_eq!(body["message"], m, "{body}");
    }
    assert!(is_uuid(r.header("x-amzn-RequestId").unwrap_or("")));
}

fn stats(s: &StandIn) -> (u64, u64, u64) {
    let st = s.stats();
    (
        st["total"].as_u64().unwrap(),
        st["actions"][GET_TOKEN].as_u64().unwrap_or(0),
        st["auth_failures"].as_u64().unwrap(),
    )
}

/// Polls `cond` until it holds or 10 s passed.
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn prints_its_url_and_exits_when_stdin_closes() {
    let mut s = StandIn::start();
    assert!(s.url.starts_with("http://127.0.0.1:"), "{}", s.url);
    assert!(s.addr().port() > 0);
    assert_eq!(s.child.try_wait().unwrap(), None, "running");
    s.close_stdin();
    let status = s
        .wait_exit(Duration::from_secs(10))
        .expect("exits after stdin EOF");
    assert!(status.success(), "{status:?}");
}

#[test]
fn refuses_a_non_loopback_host() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gamelift-auth"))
        .args(["local-endpoint", "--host", "0.0.0.0", "--port", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

#[test]
fn signed_get_compute_auth_token() {
    let s = StandIn::start();
    let before = now_s();
    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("Content-Type"), Some("application/x-amz-json-1.1"));
    assert!(is_uuid(r.header("x-amzn-RequestId").unwrap()));
    let date = httpdate::parse_http_date(r.header("Date").unwrap()).unwrap();
    let date_s = date.duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
    assert!((date_s - before).abs() < 5.0, "Date {date_s} vs {before}");

    let body = r.json();
    assert_eq!(body["FleetId"], "fleet-1a2b");
    assert_eq!(
        body["FleetArn"],
        "arn:aws:gamelift:us-west-2:123456789012:fleet/fleet-1a2b"
    );
    assert_eq!(body["ComputeName"], "my-box");
    assert_eq!(
        body["ComputeArn"],
        "arn:aws:gamelift:us-west-2:123456789012:compute/my-box"
    );
    let token = body["AuthToken"].as_str().unwrap();
    assert!(gamelift_auth::validate::auth_token(token), "{token}");
    let expires = body["ExpirationTimestamp"].as_f64().expect("a JSON number");
    assert!(
        (expires - (before + 3600.0)).abs() < 5.0,
        "{expires} vs {before}"
    );

    // A second call gets another token.
    let again = s.call(GET_TOKEN, TOKEN_INPUT).json();
    assert_ne!(again["AuthToken"], body["AuthToken"]);

    assert_eq!(stats(&s), (2, 2, 0));
    let log = s.requests();
    let first = &log[0];
    assert_eq!(first["action"], GET_TOKEN);
    assert_eq!(first["method"], "POST");
    assert_eq!(first["path"], "/");
    assert_eq!(first["body"], TOKEN_INPUT);
    assert_eq!(first["status"], 200);
    assert_eq!(first["fault"], Value::Null);
    let names: Vec<&str> = first["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[0].as_str().unwrap())
        .collect();
    // Received order, names as sent by the client (lowercase from the http crate).
    assert_eq!(names[0], "host");
    for name in [
        "x-amz-target",
        "x-amz-date",
        "authorization",
        "content-length",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
}

#[test]
fn signature_failures_answer_like_aws() {
    let s = StandIn::start();
    let wrong_secret = Signer {
        secret_access_key: "not-the-secret".into(),
        ..Signer::default()
    };
    let r = HttpConn::connect(s.addr())
        .send(&wrong_secret.sign(&s.url, GET_TOKEN, TOKEN_INPUT))
        .unwrap();
    assert_error(
        &r,
        400,
        "InvalidSignatureException",
        Some(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details.",
        ),
    );

    let unknown_key = Signer {
        access_key_id: "AKIDSOMEONEELSE".into(),
        ..Signer::default()
    };
    let r = HttpConn::connect(s.addr())
        .send(&unknown_key.sign(&s.url, GET_TOKEN, TOKEN_INPUT))
        .unwrap();
    assert_error(
        &r,
        400,
        "UnrecognizedClientException",
        Some("The security token included in the request is invalid."),
    );

    let other_region = Signer {
        region: "eu-west-1".into(),
        ..Signer::default()
    };
    let r = HttpConn::connect(s.addr())
        .send(&other_region.sign(&s.url, GET_TOKEN, TOKEN_INPUT))
        .unwrap();
    assert_error(
        &r,
        400,
        "InvalidSignatureException",
        Some("Credential should be scoped to a valid region."),
    );

    // Unsigned.
    let mut unsigned = s.signed(GET_TOKEN, TOKEN_INPUT);
    unsigned.headers_mut().remove("authorization");
    let r = HttpConn::connect(s.addr()).send(&unsigned).unwrap();
    assert_error(
        &r,
        400,
        "MissingAuthenticationTokenException",
        Some("Missing Authentication Token"),
    );

    // The body changed after signing.
    let mut changed = s.signed(GET_TOKEN, TOKEN_INPUT);
    *changed.body_mut() = TOKEN_INPUT.replace("my-box", "my-bot").into_bytes();
    let r = HttpConn::connect(s.addr()).send(&changed).unwrap();
    assert_error(&r, 400, "InvalidSignatureException", None);

    assert_eq!(stats(&s), (5, 5, 5));
    let statuses: Vec<Value> = s
        .requests()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!(400); 5]);
}

#[test]
fn clock_offset_drives_signature_expiry_and_date() {
    let s = StandIn::start();
    let shifted = s.clock(1200);
    assert_eq!(shifted["offset_s"], 1200.0);

    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    assert_error(&r, 400, "InvalidSignatureException", None);
    let message = r.json()["message"].as_str().unwrap().to_string();
    assert!(message.starts_with("Signature expired: "), "{message}");
    assert!(message.ends_with(" - 5 min.)"), "{message}");
    // The Date header tells the client the server's time (the SDKs correct skew from it).
    let date = httpdate::parse_http_date(r.header("Date").unwrap()).unwrap();
    let skew = date.duration_since(UNIX_EPOCH).unwrap().as_secs_f64() - now_s();
    assert!((skew - 1200.0).abs() < 5.0, "skew {skew}");

    // Signing with the server's time works.
    let at_server_time = Signer {
        time: Some(SystemTime::now() + Duration::from_secs(1200)),
        ..Signer::default()
    };
    let r = HttpConn::connect(s.addr())
        .send(&at_server_time.sign(&s.url, GET_TOKEN, TOKEN_INPUT))
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let expires = r.json()["ExpirationTimestamp"].as_f64().unwrap();
    assert!((expires - (now_s() + 1200.0 + 3600.0)).abs() < 5.0);

    s.clock(-1200);
    let message = s.call(GET_TOKEN, TOKEN_INPUT).json()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.starts_with("Signature not yet current: "),
        "{message}"
    );
    assert_eq!(stats(&s).2, 2);
}

#[test]
fn session_token_is_required_when_configured() {
    let s = StandIn::start_with(&["--session-token", "sessiontok"]);
    let with_token = Signer {
        session_token: Some("sessiontok".into()),
        ..Signer::default()
    };
    let r = HttpConn::connect(s.addr())
        .send(&with_token.sign(&s.url, GET_TOKEN, TOKEN_INPUT))
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["AuthToken"].as_str().unwrap().to_string();

    let r = s.call(GET_TOKEN, TOKEN_INPUT); // no token
    assert_error(&r, 400, "UnrecognizedClientException", None);
    let wrong = Signer {
        session_token: Some("other".into()),
        ..Signer::default()
    };
    let r = HttpConn::connect(s.addr())
        .send(&wrong.sign(&s.url, GET_TOKEN, TOKEN_INPUT))
        .unwrap();
    assert_error(&r, 400, "UnrecognizedClientException", None);

    // Nothing secret in the log lines.
    eventually("log lines", || s.stderr().len() >= 4);
    for line in s.stderr() {
        for secret in [
            "sessiontok",
            common::standin::SECRET_ACCESS_KEY,
            token.as_str(),
        ] {
            assert!(!line.contains(secret), "{line:?} contains a secret");
        }
    }
}

#[test]
fn injected_errors_in_each_form() {
    let s = StandIn::start();
    s.faults(json!([
        {"action": GET_TOKEN, "status": 500, "error_type": "InternalServiceException", "message": "boom"},
        {"action": GET_TOKEN, "error_type": "ThrottlingException", "message": "slow down", "error_in": "body_code"},
        {"action": GET_TOKEN, "error_type": "UnauthorizedException", "message": "no", "error_in": "header", "status": 403},
    ]));

    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    assert_error(&r, 500, "InternalServiceException", Some("boom"));
    assert_eq!(r.header("Content-Type"), Some("application/x-amz-json-1.1"));
    assert!(r.header("Date").is_some());

    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"code": "ThrottlingException", "message": "slow down"})
    );

    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    assert_eq!(r.status, 403);
    assert_eq!(r.json(), json!({"message": "no"}));
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("UnauthorizedException:http://internal.amazon.com/coral/com.amazon.coral.service/")
    );
    assert_eq!(r.error_code().as_deref(), Some("UnauthorizedException"));

    // Queue used up: back to normal.
    assert_eq!(s.call(GET_TOKEN, TOKEN_INPUT).status, 200);
    assert_eq!(stats(&s), (4, 4, 0));
    let faults: Vec<Value> = s
        .requests()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fault"].clone())
        .collect();
    assert_eq!(
        faults,
        vec![
            json!("error=500 InternalServiceException"),
            json!("error=400 ThrottlingException"),
            json!("error=403 UnauthorizedException"),
            Value::Null
        ]
    );
}

#[test]
fn faults_match_their_action_and_count_down_times() {
    let s = StandIn::start();
    let queued = s.faults(json!([
        {"action": "RequestUploadCredentials", "error_type": "NotFoundException", "times": 2},
        {"action": "GameLift.GetComputeAuthToken", "status": 503, "body": "busy", "content_type": "text/plain"},
    ]));
    assert_eq!(queued, json!({"added": 2, "queued": 2}));

    // The GetComputeAuthToken fault is found behind the other action's fault.
    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    assert_eq!(r.status, 503);
    assert_eq!(r.text(), "busy");
    assert_eq!(r.header("Content-Type"), Some("text/plain"));
    assert_eq!(s.call(GET_TOKEN, TOKEN_INPUT).status, 200);

    let pending = s.pending_faults();
    assert_eq!(pending[0]["action"], "RequestUploadCredentials");
    assert_eq!(pending[0]["remaining"], 2);

    let upload = r#"{"BuildId":"build-1111aaaa"}"#;
    for _ in 0..2 {
        assert_error(
            &s.call("RequestUploadCredentials", upload),
            400,
            "NotFoundException",
            None,
        );
    }
    let r = s.call("RequestUploadCredentials", upload);
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert!(
        body["UploadCredentials"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );
    assert_eq!(
        body["StorageLocation"]["Key"],
        "123456789012/build-1111aaaa"
    );
    assert_eq!(s.pending_faults(), json!([]));
    assert_eq!(s.stats()["actions"]["RequestUploadCredentials"], 3);

    // A bare status: that status, empty body.
    s.faults(json!({"status": 502}));
    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    assert_eq!((r.status, r.body.len()), (502, 0));
}

#[test]
fn delay_holds_up_only_its_own_request() {
    let s = Arc::new(StandIn::start());
    s.faults(json!([{"action": GET_TOKEN, "delay_ms": 1500}]));
    let slow = {
        let s = Arc::clone(&s);
        std::thread::spawn(move || {
            let started = Instant::now();
            let r = s.call(GET_TOKEN, TOKEN_INPUT);
            (r.status, started.elapsed(), Instant::now())
        })
    };
    // Once the delayed request has arrived, others are answered at once.
    eventually("the delayed request to arrive", || stats(&s).0 == 1);
    let started = Instant::now();
    let fast: Vec<_> = (0..20)
        .map(|_| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || s.call(GET_TOKEN, TOKEN_INPUT).status)
        })
        .collect();
    for t in fast {
        assert_eq!(t.join().unwrap(), 200);
    }
    let fast_done = Instant::now();
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    let (status, elapsed, slow_done) = slow.join().unwrap();
    assert_eq!(status, 200);
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
    assert!(slow_done > fast_done);
    assert_eq!(s.requests()[0]["fault"], "delay_ms=1500");
}

#[test]
fn sixty_four_concurrent_requests() {
    let s = Arc::new(StandIn::start());
    let barrier = Arc::new(Barrier::new(64));
    let threads: Vec<_> = (0..64)
        .map(|_| {
            let (s, barrier) = (Arc::clone(&s), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let request = s.signed(GET_TOKEN, TOKEN_INPUT);
                let mut conn = HttpConn::connect(s.addr());
                barrier.wait();
                let r = conn.send(&request).unwrap();
                assert_eq!(r.status, 200, "{}", r.text());
                r.json()["AuthToken"].as_str().unwrap().to_string()
            })
        })
        .collect();
    let mut tokens: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 64, "every token is unique");
    assert_eq!(stats(&s), (64, 64, 0));
}

#[test]
fn keep_alive_requests_do_not_stall() {
    let s = StandIn::start();
    let requests: Vec<_> = (0..200).map(|_| s.signed(GET_TOKEN, TOKEN_INPUT)).collect();
    let mut conn = HttpConn::connect(s.addr());
    let started = Instant::now();
    for request in &requests {
        let r = conn.send(request).unwrap();
        assert_eq!(r.status, 200);
    }
    let elapsed = started.elapsed();
    eprintln!("200 keep-alive requests: {elapsed:?}");
    // With Nagle + delayed ACK each request would take ~40 ms (8 s in all).
    assert!(
        elapsed < Duration::from_millis(1000),
        "200 keep-alive requests took {elapsed:?}"
    );
    assert_eq!(stats(&s).0, 200);
}

#[test]
fn truncate_sends_half_the_body_then_closes() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "truncate": true}]));
    let mut conn = HttpConn::connect(s.addr());
    conn.write(&common::standin::wire_bytes(
        &s.signed(GET_TOKEN, TOKEN_INPUT),
    ))
    .unwrap();
    let raw = conn.read_to_end().unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    let declared: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(declared > 50, "{declared}");
    assert_eq!(body.len(), declared / 2);
    assert!(body.starts_with('{'));
    assert!(serde_json::from_str::<Value>(body).is_err());
    assert_eq!(s.requests()[0]["status"], 200);
    assert_eq!(s.requests()[0]["fault"], "truncate");

    // As a client sees it.
    s.faults(json!([{"truncate": true, "error_type": "InternalServiceException", "status": 500}]));
    let err = HttpConn::connect(s.addr())
        .send(&s.signed(GET_TOKEN, TOKEN_INPUT))
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
}

#[test]
fn oversize_streams_exactly_that_many_bytes() {
    let s = StandIn::start();
    let n = 5 * 1024 * 1024 + 3;
    s.faults(json!([{"oversize_bytes": n}]));
    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Length"), Some(n.to_string().as_str()));
    assert_eq!(r.body.len(), n);
    assert!(r.body.starts_with(br#"{"Padding":"xxxx"#));
    assert!(r.body.ends_with(br#"xx"}"#));
    assert!(r.json().is_object());
    assert_eq!(stats(&s).0, 1);
}

#[test]
fn drop_closes_the_connection_without_a_byte() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "drop": true, "delay_ms": 50}]));
    let mut conn = HttpConn::connect(s.addr());
    conn.write(&common::standin::wire_bytes(
        &s.signed(GET_TOKEN, TOKEN_INPUT),
    ))
    .unwrap();
    assert_eq!(conn.read_to_end().unwrap(), b"");
    let logged = &s.requests()[0];
    assert_eq!(logged["status"], Value::Null);
    assert_eq!(logged["fault"], "delay_ms=50 drop");
    assert_eq!(stats(&s), (1, 1, 0));
    // The server is fine.
    assert_eq!(s.call(GET_TOKEN, TOKEN_INPUT).status, 200);
}

#[test]
fn omit_field_leaves_out_one_output_field() {
    let s = StandIn::start();
    s.faults(json!([{"omit_field": "AuthToken"}]));
    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    assert_eq!(r.status, 200);
    let body = r.json();
    assert!(body.get("AuthToken").is_none(), "{body}");
    assert_eq!(body["FleetId"], "fleet-1a2b");
    assert!(body["ExpirationTimestamp"].is_f64());
    // The signature is still checked under omit_field.
    s.faults(json!([{"omit_field": "AuthToken"}]));
    let bad = Signer {
        secret_access_key: "x".into(),
        ..Signer::default()
    };
    let r = HttpConn::connect(s.addr())
        .send(&bad.sign(&s.url, GET_TOKEN, TOKEN_INPUT))
        .unwrap();
    assert_error(&r, 400, "InvalidSignatureException", None);
}

#[test]
fn control_is_never_faulted_and_faulted_requests_count() {
    let s = StandIn::start();
    s.faults(json!([{"drop": true, "times": 3}]));
    // Control endpoints answer while faults for any action are queued.
    assert_eq!(s.stats()["total"], 0);
    assert_eq!(s.requests(), json!([]));
    assert_eq!(s.pending_faults()[0]["remaining"], 3);
    s.clock(0);
    s.config(json!({"token_lifetime_s": 60}));
    assert_eq!(s.pending_faults()[0]["remaining"], 3);

    for _ in 0..3 {
        let mut conn = HttpConn::connect(s.addr());
        assert!(conn.send(&s.signed(GET_TOKEN, TOKEN_INPUT)).is_err());
    }
    assert_eq!(stats(&s), (3, 3, 0));
    let r = s.call(GET_TOKEN, TOKEN_INPUT);
    let left = r.json()["ExpirationTimestamp"].as_f64().unwrap() - now_s();
    assert!((left - 60.0).abs() < 5.0, "{left}");
}

#[test]
fn reset_clears_everything() {
    let s = StandIn::start();
    s.faults(json!([{"drop": true, "times": 10}]));
    s.clock(3600);
    s.config(json!({"token_lifetime_s": 5, "strict_computes": true}));
    assert!(
        HttpConn::connect(s.addr())
            .send(&s.signed(GET_TOKEN, TOKEN_INPUT))
            .is_err()
    );
    s.reset();
    assert_eq!(
        s.stats(),
        json!({"total": 0, "actions": {}, "auth_failures": 0, "requests_log_dropped": 0})
    );
    assert_eq!(s.requests(), json!([]));
    assert_eq!(s.pending_faults(), json!([]));
    let (_, clock) = s.control("GET", "/__standin/clock", None);
    assert_eq!(clock["offset_s"], 0.0);
    let (_, config) = s.control("GET", "/__standin/config", None);
    assert_eq!(
        config,
        json!({"token_lifetime_s": 3600.0, "strict_computes": false})
    );
    // Signed with real time, unregistered compute: fine again.
    assert_eq!(s.call(GET_TOKEN, TOKEN_INPUT).status, 200);
}

#[test]
fn computes_register_describe_deregister() {
    let s = StandIn::start_with(&["--strict-computes"]);
    assert_error(
        &s.call(GET_TOKEN, TOKEN_INPUT),
        400,
        "NotFoundException",
        None,
    );
    let register = r#"{"FleetId":"fleet-1a2b","ComputeName":"my-box","IpAddress":"10.1.2.3","Location":"custom-desk"}"#;
    let r = s.call("RegisterCompute", register);
    assert_eq!(r.status, 200, "{}", r.text());
    let compute = r.json()["Compute"].clone();
    assert_eq!(compute["ComputeStatus"], "ACTIVE");
    assert_eq!(compute["IpAddress"], "10.1.2.3");
    assert_eq!(compute["Location"], "custom-desk");
    assert_eq!(
        compute["GameLiftServiceSdkEndpoint"],
        "wss://us-west-2.api.amazongamelift.com"
    );
    assert!(compute["CreationTime"].is_f64());

    let moved = register.replace("10.1.2.3", "10.1.2.4");
    assert_error(
        &s.call("RegisterCompute", &moved),
        400,
        "ConflictException",
        None,
    );
    let described = s.call("DescribeCompute", TOKEN_INPUT).json();
    assert_eq!(described["Compute"], compute);
    assert_eq!(s.call(GET_TOKEN, TOKEN_INPUT).status, 200);

    let r = s.call("DeregisterCompute", TOKEN_INPUT);
    assert_eq!((r.status, r.json()), (200, json!({})));
    for action in ["DeregisterCompute", "DescribeCompute", GET_TOKEN] {
        assert_error(&s.call(action, TOKEN_INPUT), 400, "NotFoundException", None);
    }
    assert_error(
        &s.call(
            "RegisterCompute",
            r#"{"FleetId":"fleet-1a2b","ComputeName":"x"}"#,
        ),
        400,
        "InvalidRequestException",
        None,
    );
}

#[test]
fn protocol_errors() {
    let s = StandIn::start();
    assert_error(
        &s.call("GetComputeAuthTokens", TOKEN_INPUT),
        400,
        "UnknownOperationException",
        None,
    );
    assert_error(
        &s.call(GET_TOKEN, "{not json"),
        400,
        "SerializationException",
        None,
    );
    assert_error(
        &s.call(GET_TOKEN, "[1]"),
        400,
        "SerializationException",
        None,
    );
    let r = s.call(GET_TOKEN, r#"{"FleetId":"fleet 1","ComputeName":"my-box"}"#);
    assert_error(&r, 400, "InvalidRequestException", None);
    assert!(r.json()["message"].as_str().unwrap().contains("FleetId"));
    let r = s.call(GET_TOKEN, r#"{"FleetId":"fleet-1"}"#);
    assert_error(
        &r,
        400,
        "InvalidRequestException",
        Some(
            "1 validation error detected: Value null at 'computeName' failed to satisfy \
             constraint: Member must not be null",
        ),
    );

    // A wrong content type, signed as such.
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("{}/", s.url))
        .header("host", s.authority())
        .header("content-type", "application/json")
        .header("x-amz-target", "GameLift.GetComputeAuthToken")
        .body(TOKEN_INPUT.as_bytes().to_vec())
        .unwrap();
    let signed = Signer::default().sign_request(request);
    let r = HttpConn::connect(s.addr()).send(&signed).unwrap();
    assert_error(&r, 400, "SerializationException", None);
    assert_eq!(stats(&s).2, 0, "none of these is an auth failure");
}

#[test]
fn oversized_request_body_gets_413() {
    let s = StandIn::start();
    let big = format!(r#"{{"FleetId":"{}"}}"#, "a".repeat(1 << 20));
    let mut conn = HttpConn::connect(s.addr());
    let r = conn.send(&s.signed(GET_TOKEN, &big)).unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.header("Connection"), Some("close"));
    assert_eq!(stats(&s).0, 1);
    // Just under the cap is read (and refused for its content, not its size).
    let just_under = format!(r#"{{"FleetId":"{}"}}"#, "a".repeat((1 << 20) - 14));
    assert_eq!(just_under.len(), 1 << 20);
    let r = s.call(GET_TOKEN, &just_under);
    assert_error(&r, 400, "InvalidRequestException", None);
}

#[test]
fn bad_control_requests_change_nothing() {
    let s = StandIn::start();
    let (status, body) = s.control(
        "POST",
        "/__standin/faults",
        Some(&json!([{"drop": true}, {"dorp": true}])),
    );
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("fault [1]"),
        "{body}"
    );
    assert_eq!(s.pending_faults(), json!([]));
    let (status, _) = s.control("GET", "/__standin/nothing", None);
    assert_eq!(status, 404);
    let (status, _) = s.control("DELETE", "/__standin/stats", None);
    assert_eq!(status, 405);
    let (status, _) = s.control("POST", "/__standin/clock", Some(&json!({"offset": 1})));
    assert_eq!(status, 400);
    let (status, _) = s.control(
        "POST",
        "/__standin/config",
        Some(&json!({"token_lifetime_s": "long"})),
    );
    assert_eq!(status, 400);
}

#[test]
fn malformed_http_does_not_hurt_the_server() {
    let s = StandIn::start();
    for garbage in [
        &b"\r\n\r\n"[..],
        b"GARBAGE\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST / HTTP/1.1\r\nBad Header\r\n\r\n",
        b"POST / HTTP/9.9\r\n\r\n",
        b"\xff\xfe\xfd / HTTP/1.1\r\n\r\n",
    ] {
        let mut conn = HttpConn::connect(s.addr());
        conn.write(garbage).unwrap();
        conn.shutdown_write().unwrap();
        let answer = conn.read_to_end().unwrap();
        let answer = String::from_utf8_lossy(&answer);
        // Blank lines alone are allowed before a request: the server just sees the EOF.
        if garbage != b"\r\n\r\n" {
            assert!(
                answer.starts_with("HTTP/1.1 40") || answer.starts_with("HTTP/1.1 505"),
                "{answer}"
            );
        }
    }
    // A header block that never ends is cut off.
    let mut conn = HttpConn::connect(s.addr());
    let mut huge = b"POST / HTTP/1.1\r\n".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 70 * 1024));
    let _ = conn.write(&huge);
    let answer = String::from_utf8_lossy(&conn.read_to_end().unwrap_or_default()).into_owned();
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    assert_eq!(s.call(GET_TOKEN, TOKEN_INPUT).status, 200);
}

#[test]
fn chunked_request_bodies_are_signed_over_the_decoded_bytes() {
    let s = StandIn::start();
    let request = s.signed(GET_TOKEN, TOKEN_INPUT);
    let mut wire = b"POST / HTTP/1.1\r\n".to_vec();
    for (name, value) in request.headers() {
        wire.extend_from_slice(format!("{name}: {}\r\n", value.to_str().unwrap()).as_bytes());
    }
    wire.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
    let (a, b) = TOKEN_INPUT.split_at(10);
    for part in [a, b] {
        wire.extend_from_slice(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes());
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    let mut conn = HttpConn::connect(s.addr());
    conn.write(&wire).unwrap();
    let r = conn.read_response().unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.requests()[0]["body"], TOKEN_INPUT);
}

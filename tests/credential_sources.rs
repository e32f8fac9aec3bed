//! The network credential sources (web identity, assume role, container endpoint, EC2 instance
//! metadata) against loopback fakes, resolved through `Config::resolve` so that the chain order
//! is tested too.
//!
//! Every test points the sources at 127.0.0.1 (or turns IMDS off): nothing here reaches for a
//! real metadata service.

use gamelift_auth::credentials::{Credentials, ProvideContext};
use gamelift_auth::env::Env;
use gamelift_auth::{Config, ErrorKind, Result};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

// ---- a scripted loopback HTTP server ------------------------------------------------------------

/// One request the fake received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves `answers` (status, extra headers, body) in order, one connection per request
/// (`Connection: close`), records what it saw and counts connections (those past the last answer
/// are closed unanswered). Its thread stops when the fake is dropped, or after 20 s.
struct Fake {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

type Answer = (u16, Vec<(&'static str, String)>, String);

impl Fake {
    fn start(answers: Vec<Answer>) -> Fake {
        Fake::on(TcpListener::bind("127.0.0.1:0").unwrap(), answers)
    }

    fn on(listener: TcpListener, answers: Vec<Answer>) -> Fake {
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, stop, connections) = (seen.clone(), stop.clone(), connections.clone());
            std::thread::spawn(move || {
                let until = Instant::now() + Duration::from_secs(20);
                let mut answers = answers.into_iter();
                while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            connections.fetch_add(1, Ordering::SeqCst);
                            if let Some(answer) = answers.next() {
                                serve(stream, answer, &seen);
                            }
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        Fake {
            addr,
            seen,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request from `stream`, records it (before answering, so that a test that got the
/// answer sees it), and writes `answer` in one buffer.
fn serve(mut stream: TcpStream, (status, extra, answer): Answer, seen: &Mutex<Vec<Seen>>) {
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    seen.lock().unwrap().push(request);
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.len()
    );
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&answer);
    let _ = stream.write_all(out.as_bytes());
}

/// One HTTP/1.1 request with a `Content-Length` body (or none).
fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.set_nodelay(true).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok().filter(|&n| n > 0)?;
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

// ---- configuration and answers ------------------------------------------------------------------

const ROLE: &str = "arn:aws:iam::123456789012:role/game-server";
const FAR: &str = "2099-01-01T00:00:00Z";
/// An expiry in the past: the cache returns such credentials once, then asks again.
const PAST: &str = "2000-01-01T00:00:00Z";

/// A home directory with the two shared files.
fn home(config: &str, credentials: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".aws")).unwrap();
    std::fs::write(dir.path().join(".aws/config"), config).unwrap();
    std::fs::write(dir.path().join(".aws/credentials"), credentials).unwrap();
    dir
}

/// A configuration from `vars` only, with HOME, a region, and IMDS off unless `vars` point it
/// somewhere.
fn config(home: &Path, vars: &[(&str, &str)]) -> Config {
    let mut pairs = vec![
        ("HOME".to_owned(), home.to_str().unwrap().to_owned()),
        ("AWS_REGION".to_owned(), "us-west-2".to_owned()),
    ];
    if !vars.iter().any(|(k, _)| k.starts_with("AWS_EC2_METADATA")) {
        pairs.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
    }
    pairs.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::with_env(Env::from_pairs(pairs))
}

fn provide(resolved: &gamelift_auth::config::Resolved) -> Result<Option<Credentials>> {
    let ctx = ProvideContext {
        env: &resolved.env,
        deadline: Instant::now() + Duration::from_secs(10),
    };
    resolved.credentials.provide(&ctx)
}

/// Resolves `config` and asks its chain once.
fn credentials(config: &Config) -> Result<Credentials> {
    provide(&config.resolve()?).map(|c| c.expect("the chain answers Some or Err"))
}

fn sts_ok(action: &str, key: &str, secret: &str, token: &str) -> Answer {
    let xml = format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <{action}Result><Credentials><AccessKeyId>{key}</AccessKeyId>\
         <SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>\
         <Expiration>{FAR}</Expiration></Credentials></{action}Result>\
         <ResponseMetadata><RequestId>req-ok</RequestId></ResponseMetadata></{action}Response>"
    );
    (200, vec![("Content-Type", "text/xml".into())], xml)
}

fn sts_error(status: u16, code: &str, message: &str) -> Answer {
    let xml = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
         <Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>req-in-body</RequestId></ErrorResponse>"
    );
    (status, vec![("x-amzn-RequestId", "req-4711".into())], xml)
}

fn json_creds(key: &str, secret: &str, token: &str, expires: &str) -> Answer {
    let json = format!(
        r#"{{"Code": "Success", "AccessKeyId": "{key}", "SecretAccessKey": "{secret}", "Token": "{token}", "Expiration": "{expires}"}}"#
    );
    (200, vec![("Content-Type", "application/json".into())], json)
}

fn ok(body: &str) -> Answer {
    (200, vec![], body.to_owned())
}

/// The error of `r`, checked to hold none of `secrets`.
fn error_of(r: Result<Credentials>, secrets: &[&str]) -> gamelift_auth::Error {
    let err = r.expect_err("the sources should fail");
    for text in [err.to_string(), format!("{err:?}")] {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    err
}

// ---- web identity -------------------------------------------------------------------------------

#[test]
fn web_identity_from_the_environment() {
    let h = home("", "");
    let token_file = h.path().join("token");
    std::fs::write(&token_file, "eyJWEBTOKEN.payload.sig\n").unwrap();
    let sts = Fake::start(vec![sts_ok(
        "AssumeRoleWithWebIdentity",
        "ASIAWEB",
        "WEBSECRET",
        "WEBSESSION",
    )]);
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
        ("AWS_ROLE_ARN", ROLE),
        ("AWS_ROLE_SESSION_NAME", "match-7"),
        ("AWS_ENDPOINT_URL_STS", &sts.url()),
    ];
    let resolved = config(h.path(), &vars).resolve().unwrap();
    let c = provide(&resolved).unwrap().unwrap();
    assert_eq!(c.access_key_id, "ASIAWEB");
    assert_eq!(c.secret_access_key.expose(), "WEBSECRET");
    assert_eq!(c.session_token.as_ref().unwrap().expose(), "WEBSESSION");
    assert_eq!(c.source, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)");
    assert!(c.expiry.unwrap() > SystemTime::now());
    // Cached: a second call asks nobody.
    provide(&resolved).unwrap().unwrap();
    assert_eq!(sts.connections(), 1);
    let seen = sts.seen();
    let r = &seen[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/"));
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("authorization"), None);
    assert_eq!(
        r.body,
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fgame-server\
         &RoleSessionName=match-7&WebIdentityToken=eyJWEBTOKEN.payload.sig"
    );
}

/// Environment, profile, web identity, container endpoint, IMDS: each configured source hides
/// the ones after it, which are not asked.
#[test]
fn chain_order() {
    let h = home("", "");
    let token_file = h.path().join("token");
    std::fs::write(&token_file, "WEBTOKEN").unwrap();
    let sts = Fake::start(vec![sts_ok(
        "AssumeRoleWithWebIdentity",
        "ASIAWEB",
        "S",
        "T",
    )]);
    let ecs = Fake::start(vec![json_creds("ASIAECS", "S", "T", FAR)]);
    let imds = Fake::start(imds_answers());
    let (sts_url, ecs_url, imds_url) = (sts.url(), ecs.url(), imds.url());
    let web = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
        ("AWS_ROLE_ARN", ROLE),
    ];
    let all = [
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "S"),
        web[0],
        web[1],
        ("AWS_ENDPOINT_URL_STS", &sts_url),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &ecs_url),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds_url),
    ];
    let id = |vars: &[(&str, &str)]| credentials(&config(h.path(), vars)).unwrap().access_key_id;
    assert_eq!(id(&all), "AKIDENV");
    std::fs::write(
        h.path().join(".aws/credentials"),
        "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = S\n",
    )
    .unwrap();
    assert_eq!(id(&all[2..]), "AKIDPROFILE");
    std::fs::write(h.path().join(".aws/credentials"), "").unwrap();
    let counts = |f: &(Fake, Fake, Fake)| [f.0.connections(), f.1.connections(), f.2.connections()];
    let f = (sts, ecs, imds);
    assert_eq!(counts(&f), [0, 0, 0]);
    assert_eq!(id(&all[2..]), "ASIAWEB");
    assert_eq!(counts(&f), [1, 0, 0]);
    assert_eq!(id(&all[4..]), "ASIAECS");
    assert_eq!(counts(&f), [1, 1, 0]);
    assert_eq!(id(&all[6..]), "ASIAIMDS");
    assert_eq!(counts(&f), [1, 1, 3]);
}

#[test]
fn web_identity_errors_name_source_code_and_request_id() {
    let h = home("", "");
    let token_file = h.path().join("token");
    std::fs::write(&token_file, "WEBTOKEN123").unwrap();
    let sts = Fake::start(vec![sts_error(
        400,
        "InvalidIdentityToken",
        "Token WEBTOKEN123 has expired",
    )]);
    let cfg = config(
        h.path(),
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
            ("AWS_ROLE_ARN", ROLE),
            ("AWS_ENDPOINT_URL", &sts.url()),
        ],
    );
    let err = error_of(credentials(&cfg), &["WEBTOKEN123"]);
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert_eq!(err.code(), Some("InvalidIdentityToken"));
    assert_eq!(err.request_id(), Some("req-4711"));
    assert_eq!(
        err.to_string(),
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE): STS AssumeRoleWithWebIdentity failed \
         (HTTP 400): Token <redacted> has expired (AWS error InvalidIdentityToken, request id \
         req-4711)"
    );
    // The default session name.
    let body = &sts.seen()[0].body;
    let name = body
        .split("RoleSessionName=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let millis = name.strip_prefix("gamelift-auth-").unwrap();
    assert!(
        millis.len() >= 13 && millis.bytes().all(|b| b.is_ascii_digit()),
        "{name}"
    );

    // A response that is not STS XML.
    let sts = Fake::start(vec![
        ok("<html>WEBSECRET</html>"),
        (502, vec![], "bad gateway".into()),
    ]);
    let cfg = config(
        h.path(),
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
            ("AWS_ROLE_ARN", ROLE),
            ("AWS_ENDPOINT_URL_STS", &sts.url()),
        ],
    );
    let err = error_of(credentials(&cfg), &["WEBTOKEN123", "WEBSECRET"]);
    assert!(err.message().contains("answered <html> where"), "{err}");
    let err = error_of(credentials(&cfg), &["WEBTOKEN123"]);
    assert!(
        err.message()
            .contains("answered HTTP 502 without an STS error"),
        "{err}"
    );
}

#[test]
fn web_identity_from_a_profile() {
    let h = home("", "");
    let token_file = h.path().join("token");
    std::fs::write(&token_file, "PROFILETOKEN").unwrap();
    let config_text = format!(
        "[profile pod]\nrole_arn = {ROLE}\nweb_identity_token_file = {}\n\
         role_session_name = pod-1\n",
        token_file.display()
    );
    std::fs::write(h.path().join(".aws/config"), config_text).unwrap();
    let sts = Fake::start(vec![sts_ok(
        "AssumeRoleWithWebIdentity",
        "ASIAPOD",
        "S",
        "T",
    )]);
    let c = credentials(&config(
        h.path(),
        &[("AWS_PROFILE", "pod"), ("AWS_ENDPOINT_URL_STS", &sts.url())],
    ))
    .unwrap();
    assert_eq!(c.access_key_id, "ASIAPOD");
    assert_eq!(c.source, "web identity of profile 'pod'");
    let body = &sts.seen()[0].body;
    assert!(
        body.ends_with("&RoleSessionName=pod-1&WebIdentityToken=PROFILETOKEN"),
        "{body}"
    );
}

// ---- assume role --------------------------------------------------------------------------------

/// The SigV4 credential scope of an `Authorization` header: (key, date, region, service).
fn scope(authorization: &str) -> (String, String, String, String) {
    let rest = authorization
        .strip_prefix("AWS4-HMAC-SHA256 Credential=")
        .unwrap_or_else(|| panic!("not SigV4: {authorization}"));
    let scope = rest.split(',').next().unwrap();
    let parts: Vec<&str> = scope.split('/').collect();
    assert_eq!(parts.len(), 5, "{scope}");
    assert_eq!(parts[4], "aws4_request");
    let [k, d, r, s] = [0, 1, 2, 3].map(|i| parts[i].to_owned());
    (k, d, r, s)
}

#[test]
fn assume_role_through_source_profiles() {
    let h = home(
        &format!(
            "[profile game]\nrole_arn = {ROLE}\nsource_profile = hop\nexternal_id = ext-42\n\
             duration_seconds = 1800\nrole_session_name = game-1\n\
             [profile hop]\nrole_arn = arn:aws:iam::1:role/hop\nsource_profile = base\n"
        ),
        "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = BASESECRET\n",
    );
    let sts = Fake::start(vec![
        sts_ok("AssumeRole", "ASIAHOP", "HOPSECRET", "HOPSESSION"),
        sts_ok("AssumeRole", "ASIAGAME", "GAMESECRET", "GAMESESSION"),
    ]);
    let c = credentials(&config(
        h.path(),
        &[
            ("AWS_PROFILE", "game"),
            ("AWS_ENDPOINT_URL_STS", &sts.url()),
        ],
    ))
    .unwrap();
    assert_eq!(c.access_key_id, "ASIAGAME");
    assert_eq!(c.secret_access_key.expose(), "GAMESECRET");
    assert_eq!(
        c.source,
        format!("assume role of profile 'game' (role {ROLE})")
    );
    let seen = sts.seen();
    assert_eq!(seen.len(), 2);
    // The source profile's keys sign the first hop; its answer signs the second.
    let first = &seen[0];
    let (key, _, region, service) = scope(first.header("authorization").unwrap());
    assert_eq!(
        (key.as_str(), region.as_str(), service.as_str()),
        ("AKIDBASE", "us-west-2", "sts")
    );
    assert!(
        first
            .header("authorization")
            .unwrap()
            .contains("SignedHeaders=content-type;host;x-amz-date")
    );
    assert!(first.header("x-amz-date").is_some());
    assert_eq!(first.header("x-amz-security-token"), None);
    assert!(first.body.starts_with("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fhop&RoleSessionName=gamelift-auth-"), "{}", first.body);
    let second = &seen[1];
    let (key, _, _, service) = scope(second.header("authorization").unwrap());
    assert_eq!((key.as_str(), service.as_str()), ("ASIAHOP", "sts"));
    assert_eq!(second.header("x-amz-security-token"), Some("HOPSESSION"));
    assert_eq!(
        second.body,
        "Action=AssumeRole&Version=2011-06-15\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fgame-server\
         &RoleSessionName=game-1&ExternalId=ext-42&DurationSeconds=1800"
    );
}

#[test]
fn assume_role_errors_and_credential_source() {
    let h = home(
        &format!(
            "[profile game]\nrole_arn = {ROLE}\nsource_profile = base\n\
             [profile fromenv]\nrole_arn = {ROLE}\ncredential_source = Environment\n"
        ),
        "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = BASESECRET\n",
    );
    let sts = Fake::start(vec![
        sts_error(
            403,
            "AccessDenied",
            "User AKIDBASE is not authorized to perform sts:AssumeRole",
        ),
        sts_ok("AssumeRole", "ASIAENV", "S", "T"),
    ]);
    let err = error_of(
        credentials(&config(
            h.path(),
            &[
                ("AWS_PROFILE", "game"),
                ("AWS_ENDPOINT_URL_STS", &sts.url()),
            ],
        )),
        &["BASESECRET"],
    );
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert_eq!(err.code(), Some("AccessDenied"));
    assert_eq!(err.request_id(), Some("req-4711"));
    assert!(
        err.message().starts_with(&format!(
            "assume role of profile 'game' (role {ROLE}): STS AssumeRole failed (HTTP 403): User"
        )),
        "{err}"
    );

    // credential_source = Environment, with the profile chosen on the configuration.
    let mut cfg = config(
        h.path(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
            ("AWS_ENDPOINT_URL_STS", &sts.url()),
        ],
    );
    cfg.profile = Some("fromenv".into());
    assert_eq!(credentials(&cfg).unwrap().access_key_id, "ASIAENV");
    let (key, ..) = scope(sts.seen()[1].header("authorization").unwrap());
    assert_eq!(key, "AKIDENV");
}

// ---- container endpoint -------------------------------------------------------------------------

#[test]
fn container_endpoint_sends_the_token_file() {
    let h = home("", "");
    let token_file = h.path().join("auth");
    std::fs::write(&token_file, "Bearer FILETOKEN-1").unwrap();
    let ecs = Fake::start(vec![
        json_creds("ASIAECS1", "ECSSECRET", "ECSSESSION", PAST),
        json_creds("ASIAECS2", "ECSSECRET", "ECSSESSION", FAR),
    ]);
    let url = format!("{}/v1/credentials?id=7", ecs.url());
    let resolved = config(
        h.path(),
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &url),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ENVTOKEN"),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token_file.to_str().unwrap(),
            ),
        ],
    )
    .resolve()
    .unwrap();
    let c = provide(&resolved).unwrap().unwrap();
    assert_eq!(c.access_key_id, "ASIAECS1");
    assert_eq!(c.session_token.as_ref().unwrap().expose(), "ECSSESSION");
    assert_eq!(
        c.source,
        "container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)"
    );
    // Expired at once: the next call asks again, with the file's new content.
    std::fs::write(&token_file, "Bearer FILETOKEN-2").unwrap();
    assert_eq!(
        provide(&resolved).unwrap().unwrap().access_key_id,
        "ASIAECS2"
    );
    let seen = ecs.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/v1/credentials?id=7")
    );
    assert_eq!(seen[0].header("authorization"), Some("Bearer FILETOKEN-1"));
    assert_eq!(seen[1].header("authorization"), Some("Bearer FILETOKEN-2"));
}

#[test]
fn container_endpoint_failures() {
    let h = home("", "");
    let ecs = Fake::start(vec![
        (500, vec![], r#"{"message": "ECSSECRET"}"#.into()),
        ok(r#"{"AccessKeyId": "A", "SecretAccessKey": "ECSSECRET", "Token": 5}"#),
        json_creds("A", "ECSSECRET", "T", "tomorrow"),
    ]);
    let url = format!("{}/creds", ecs.url());
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "AUTHSECRET"),
    ];
    let secrets = ["ECSSECRET", "AUTHSECRET"];
    let prefix = "container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or \
                  AWS_CONTAINER_CREDENTIALS_FULL_URI): the URL of AWS_CONTAINER_CREDENTIALS_FULL_URI \
                  answered ";
    for want in [
        "HTTP 500",
        "a body that is not the expected JSON object",
        "an Expiration that is not",
    ] {
        let err = error_of(credentials(&config(h.path(), &vars)), &secrets);
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(
            err.message().starts_with(&format!("{prefix}{want}")),
            "{err}"
        );
    }
    assert_eq!(ecs.connections(), 3);
    // Refused: a configured source that fails stops the chain.
    drop(ecs);
    let err = error_of(credentials(&config(h.path(), &vars)), &secrets);
    assert!(
        err.message()
            .contains("failed: could not connect (connection refused)"),
        "{err}"
    );
    // Plain http to a host that is not allowed: refused before any request.
    let err = error_of(
        credentials(&config(
            h.path(),
            &[(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://192.0.2.1/creds",
            )],
        )),
        &[],
    );
    assert_eq!(err.kind(), ErrorKind::Config);
    // A token with a line break is refused.
    let token_file = h.path().join("auth");
    std::fs::write(&token_file, "TOKEN\r\nX-Injected: 1").unwrap();
    let err = error_of(
        credentials(&config(
            h.path(),
            &[
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.as_str()),
                (
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    token_file.to_str().unwrap(),
                ),
            ],
        )),
        &["Injected"],
    );
    assert!(err.message().contains("contains a line break"), "{err}");
}

// ---- EC2 instance metadata ----------------------------------------------------------------------

fn imds_answers() -> Vec<Answer> {
    vec![
        ok("IMDSTOKEN-abc"),
        ok("game-server-role\n"),
        json_creds("ASIAIMDS", "IMDSSECRET", "IMDSSESSION", FAR),
    ]
}

#[test]
fn imds_v2_token_then_role_then_credentials() {
    let h = home("", "");
    let imds = Fake::start(imds_answers());
    let c = credentials(&config(
        h.path(),
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url())],
    ))
    .unwrap();
    assert_eq!(c.access_key_id, "ASIAIMDS");
    assert_eq!(c.secret_access_key.expose(), "IMDSSECRET");
    assert_eq!(c.source, "EC2 instance metadata (role 'game-server-role')");
    let seen = imds.seen();
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            (
                "GET",
                "/latest/meta-data/iam/security-credentials/game-server-role"
            ),
        ]
    );
    assert_eq!(
        seen[0].header("x-aws-ec2-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(seen[0].header("x-aws-ec2-metadata-token"), None);
    for r in &seen[1..] {
        assert_eq!(r.header("x-aws-ec2-metadata-token"), Some("IMDSTOKEN-abc"));
    }
}

#[test]
fn imds_not_there_is_remembered() {
    let h = home("", "");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}");
    let resolved = config(h.path(), &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)])
        .resolve()
        .unwrap();
    // Refused: "not configured", so the chain lists everything it tried.
    let err = provide(&resolved).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(
        err.message()
            .starts_with("no credentials found: tried environment"),
        "{err}"
    );
    for tried in [
        "profile 'default'",
        "web identity",
        "container endpoint",
        "EC2 instance metadata",
    ] {
        assert!(err.message().contains(tried), "{tried}: {err}");
    }
    // Now something answers there, but this chain does not ask again.
    let imds = Fake::on(TcpListener::bind(addr).unwrap(), imds_answers());
    assert!(provide(&resolved).is_err());
    assert_eq!(imds.connections(), 0);
    // A new configuration asks (and so proves the fake would have answered).
    let fresh = config(h.path(), &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)]);
    assert_eq!(credentials(&fresh).unwrap().access_key_id, "ASIAIMDS");
    assert_eq!(imds.connections(), 3);
}

#[test]
fn imds_failures() {
    let h = home("", "");
    let imds = Fake::start(vec![
        (403, vec![], "forbidden".into()),
        ok("TOKEN"),
        ok("role"),
        ok(
            r#"{"Code": "AssumeRoleUnauthorizedAccess", "AccessKeyId": "A", "SecretAccessKey": "IMDSSECRET"}"#,
        ),
        ok("TOKEN"),
        (404, vec![], "not found".into()),
    ]);
    let vars = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url())];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let err = error_of(credentials(&config(h.path(), &vars)), &[]);
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(
        err.message().starts_with(
            "EC2 instance metadata (IMDSv2): the token request (PUT /latest/api/token) answered \
             HTTP 403"
        ),
        "{err}"
    );
    let err = error_of(
        credentials(&config(h.path(), &vars)),
        &["IMDSSECRET", "TOKEN"],
    );
    assert!(
        err.message().ends_with(
            "the credentials request for role 'role' answered Code \
             'AssumeRoleUnauthorizedAccess' instead of Success"
        ),
        "{err}"
    );
    // No role attached: not configured.
    let err = credentials(&config(h.path(), &vars)).unwrap_err();
    assert!(err.message().starts_with("no credentials found"), "{err}");
    assert_eq!(imds.connections(), 6);
}

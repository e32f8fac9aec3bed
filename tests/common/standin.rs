//! The local GameLift stand-in (`gamelift-auth local-endpoint`) as a child process, and the tools
//! to talk to it at the byte level.
//!
//! ```ignore
//! mod common;
//! use common::standin::{StandIn, Signer};
//!
//! let s = StandIn::start();                       // own process, own port
//! s.faults(json!([{"action": "GetComputeAuthToken", "status": 500,
//!                  "error_type": "InternalServiceException", "message": "boom"}]));
//! let r = s.call("GetComputeAuthToken", r#"{"FleetId":"fleet-1","ComputeName":"box"}"#);
//! assert_eq!(r.status, 500);
//! assert_eq!(s.stats()["actions"]["GetComputeAuthToken"], 1);
//! ```
//!
//! - [`StandIn`]: starts the binary with `--port 0 --exit-on-stdin-eof` (so it dies with the
//!   test even if the test process is killed), reads the URL from its first stdout line, and
//!   wraps the control interface (`/__standin/...`, documented in
//!   `src/bin/gamelift-auth/local_endpoint/mod.rs`). Dropping it kills the process; when the
//!   test is panicking, the stand-in's stderr log is printed first.
//! - [`Signer`]: signs an awsJson1_1 request with aws-sigv4 (defaults: the stand-in's key,
//!   region and the current time).
//! - [`HttpConn`]: a minimal HTTP/1.1 client on one `TcpStream` (keep-alive, exact bytes), for
//!   checks that a full client would hide: truncated bodies, dropped connections, headers.
//!
//! Every method panics with a clear message on failure: these are test helpers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

/// The stand-in's default access key id.
pub const ACCESS_KEY_ID: &str = "AKIDLOCALSTANDIN";
/// The stand-in's default secret access key.
pub const SECRET_ACCESS_KEY: &str = "localstandinsecret";
/// The stand-in's default region.
pub const REGION: &str = "us-west-2";
/// How long to wait for the stand-in to print its URL or exit.
const START_LIMIT: Duration = Duration::from_secs(20);
/// Read/write timeout of [`HttpConn`] (a hung stand-in fails the test instead of hanging it).
const IO_LIMIT: Duration = Duration::from_secs(30);

/// A running stand-in. Public fields: its base URL (`http://127.0.0.1:PORT`) and the process.
pub struct StandIn {
    /// Base URL, `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    /// The process. Its stdin is held by the `StandIn` (see [`StandIn::close_stdin`]).
    pub child: Child,
    addr: SocketAddr,
    stdin: Option<ChildStdin>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl StandIn {
    /// Starts a stand-in with the default flags.
    pub fn start() -> StandIn {
        StandIn::start_with(&[])
    }

    /// Starts a stand-in with extra `local-endpoint` flags, e.g.
    /// `&["--session-token", "tok", "--strict-computes"]`.
    pub fn start_with(args: &[&str]) -> StandIn {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gamelift-auth"))
            .arg("local-endpoint")
            .args(["--port", "0", "--exit-on-stdin-eof"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gamelift-auth local-endpoint (built with --features cli?)");
        let stdin = child.stdin.take();

        let stderr = Arc::new(Mutex::new(Vec::new()));
        let pipe = child.stderr.take().expect("stderr pipe");
        let lines = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });

        let stdout = child.stdout.take().expect("stdout pipe");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let result = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = tx.send(result);
        });
        let first = rx.recv_timeout(START_LIMIT);
        let url = match first {
            Ok(Ok(line)) if line.starts_with("http://") => line.trim_end().to_string(),
            other => {
                let _ = child.kill();
                let _ = child.wait();
                let log = stderr.lock().unwrap_or_else(|e| e.into_inner()).join("\n");
                panic!("the stand-in did not print its URL ({other:?}); stderr:\n{log}");
            }
        };
        let addr = url
            .trim_start_matches("http://")
            .parse()
            .unwrap_or_else(|e| panic!("the stand-in printed {url:?}, not http://IP:PORT: {e}"));
        StandIn {
            url,
            child,
            addr,
            stdin,
            stderr,
        }
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `host:port`, as the `Host` header carries it.
    pub fn authority(&self) -> String {
        self.addr.to_string()
    }

    /// Queues faults (a JSON array of fault objects, or one object); returns
    /// `{"added": n, "queued": total}`.
    pub fn faults(&self, faults: Value) -> Value {
        self.control_ok("POST", "/__standin/faults", Some(&faults))
    }

    /// The faults still queued: `[{"action", "fault", "remaining"}]`.
    pub fn pending_faults(&self) -> Value {
        self.control_ok("GET", "/__standin/faults", None)
    }

    /// `{"total", "actions": {...}, "auth_failures", "requests_log_dropped"}`.
    pub fn stats(&self) -> Value {
        self.control_ok("GET", "/__standin/stats", None)
    }

    /// Every GameLift request received:
    /// `[{"action", "method", "path", "headers": [[name, value]], "body", "status", "fault"}]`.
    pub fn requests(&self) -> Value {
        self.control_ok("GET", "/__standin/requests", None)
    }

    /// Sets the server clock to real time + `offset_s` seconds; returns `{"offset_s", "now"}`.
    pub fn clock(&self, offset_s: i64) -> Value {
        self.control_ok(
            "POST",
            "/__standin/clock",
            Some(&serde_json::json!({ "offset_s": offset_s })),
        )
    }

    /// Changes `token_lifetime_s` and/or `strict_computes`; returns the whole config.
    pub fn config(&self, config: Value) -> Value {
        self.control_ok("POST", "/__standin/config", Some(&config))
    }

    /// Clears faults, stats, the request log, the clock offset, computes and config changes.
    pub fn reset(&self) {
        self.control_ok("POST", "/__standin/reset", Some(&serde_json::json!({})));
    }

    /// Any control request: (status, JSON body). For testing the control interface itself.
    pub fn control(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.url))
            .header("host", self.authority())
            .header("content-type", "application/json")
            .body(body.into_bytes())
            .expect("control request");
        let mut conn = HttpConn::connect(self.addr);
        let response = conn
            .send(&request)
            .unwrap_or_else(|e| panic!("control {method} {path}: {e}"));
        let json = serde_json::from_slice(&response.body).unwrap_or_else(|e| {
            panic!(
                "control {method} {path}: body is not JSON ({e}): {}",
                response.text()
            )
        });
        (response.status, json)
    }

    fn control_ok(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, json) = self.control(method, path, body);
        assert_eq!(
            status, 200,
            "control {method} {path} answered {status}: {json}"
        );
        json
    }

    /// A request for `action` (`"GetComputeAuthToken"`) with this JSON body, signed with the
    /// default credentials at the current time.
    pub fn signed(&self, action: &str, body: &str) -> http::Request<Vec<u8>> {
        Signer::default().sign(&self.url, action, body)
    }

    /// Sends [`StandIn::signed`] on a new connection and reads the answer.
    pub fn call(&self, action: &str, body: &str) -> RawResponse {
        HttpConn::connect(self.addr)
            .send(&self.signed(action, body))
            .unwrap_or_else(|e| panic!("{action}: {e}"))
    }

    /// The stand-in's stderr lines so far (one per request; never secrets).
    pub fn stderr(&self) -> Vec<String> {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Closes the stand-in's stdin: with `--exit-on-stdin-eof` it then exits.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let end = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- stand-in stderr ({}) ---", self.url);
            for line in self.stderr() {
                eprintln!("{line}");
            }
        }
    }
}

/// Signs awsJson1_1 GameLift requests with aws-sigv4. Fields are public: change what a test
/// needs (`Signer { secret_access_key: "wrong".into(), ..Signer::default() }`).
#[derive(Debug, Clone)]
pub struct Signer {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, sent and signed in `x-amz-security-token`.
    pub session_token: Option<String>,
    /// Region of the credential scope.
    pub region: String,
    /// Signing name (`gamelift`).
    pub service: String,
    /// Signing time; `None` means now.
    pub time: Option<SystemTime>,
}

impl Default for Signer {
    fn default() -> Self {
        Signer {
            access_key_id: ACCESS_KEY_ID.into(),
            secret_access_key: SECRET_ACCESS_KEY.into(),
            session_token: None,
            region: REGION.into(),
            service: "gamelift".into(),
            time: None,
        }
    }
}

impl Signer {
    /// `POST {url}/` with `Host`, `Content-Type: application/x-amz-json-1.1`,
    /// `X-Amz-Target: GameLift.{action}` and `body`, signed (adds `X-Amz-Date`, `Authorization`
    /// and, with a session token, `X-Amz-Security-Token`).
    pub fn sign(&self, url: &str, action: &str, body: &str) -> http::Request<Vec<u8>> {
        let uri = format!("{}/", url.trim_end_matches('/'));
        let authority = uri
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let request = http::Request::builder()
            .method("POST")
            .uri(&uri)
            .header("host", authority)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", format!("GameLift.{action}"))
            .body(body.as_bytes().to_vec())
            .expect("request");
        self.sign_request(request)
    }

    /// Signs any request (its body is hashed as is).
    pub fn sign_request(&self, mut request: http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        use aws_sigv4::sign::v4;
        let identity = aws_credential_types::Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            self.session_token.clone(),
            None,
            "standin-test",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(self.time.unwrap_or_else(SystemTime::now))
            .settings(SigningSettings::default())
            .build()
            .expect("signing params")
            .into();
        let uri = request.uri().to_string();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().expect("ASCII header").to_string()))
            .collect();
        let signable = SignableRequest::new(
            request.method().as_str(),
            &uri,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Bytes(request.body()),
        )
        .expect("signable request");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        instructions.apply_to_request_http1x(&mut request);
        request
    }
}

/// The bytes of `request` as [`HttpConn::send`] writes them: request line with the path and
/// query, headers in the map's order, `Content-Length` when the request has none, body.
pub fn wire_bytes(request: &http::Request<Vec<u8>>) -> Vec<u8> {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let mut out = format!("{} {target} HTTP/1.1\r\n", request.method()).into_bytes();
    for (name, value) in request.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !request.headers().contains_key("content-length") {
        out.extend_from_slice(format!("content-length: {}\r\n", request.body().len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(request.body());
    out
}

/// A response as read off the wire.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// Status code.
    pub status: u16,
    /// Headers in received order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (exactly `Content-Length` bytes).
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics with the body when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                self.text()
            )
        })
    }

    /// The awsJson1_1 error code: `__type`, else `code`, else the `x-amzn-ErrorType` header (cut
    /// at `:`).
    pub fn error_code(&self) -> Option<String> {
        let json: Value = serde_json::from_slice(&self.body).unwrap_or(Value::Null);
        json["__type"]
            .as_str()
            .or(json["code"].as_str())
            .map(str::to_string)
            .or_else(|| {
                self.header("x-amzn-ErrorType")
                    .map(|h| h.split(':').next().unwrap_or(h).to_string())
            })
    }
}

/// One client connection to the stand-in.
pub struct HttpConn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl HttpConn {
    /// Connects (with `TCP_NODELAY` and 30 s read/write timeouts).
    pub fn connect(addr: SocketAddr) -> HttpConn {
        let stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
        stream.set_nodelay(true).expect("nodelay");
        stream
            .set_read_timeout(Some(IO_LIMIT))
            .expect("read timeout");
        stream
            .set_write_timeout(Some(IO_LIMIT))
            .expect("write timeout");
        HttpConn {
            reader: BufReader::new(stream.try_clone().expect("clone stream")),
            writer: stream,
        }
    }

    /// Writes raw bytes.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(bytes)
    }

    /// Writes `request` (see [`wire_bytes`]) and reads the response.
    pub fn send(&mut self, request: &http::Request<Vec<u8>>) -> std::io::Result<RawResponse> {
        self.write(&wire_bytes(request))?;
        self.read_response()
    }

    /// Reads one response. A body shorter than its `Content-Length` (the connection closed
    /// early) is an `UnexpectedEof` error; EOF before any byte too.
    pub fn read_response(&mut self) -> std::io::Result<RawResponse> {
        let eof =
            |what: &str| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, what.to_string());
        let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(eof("connection closed before a response"));
        }
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(eof("connection closed in the response head"));
            }
            let l = line.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                break;
            }
            let (n, v) = l
                .split_once(':')
                .ok_or_else(|| bad(format!("bad header line {l:?}")))?;
            headers.push((n.to_string(), v.trim().to_string()));
        }
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| {
                v.parse::<usize>()
                    .map_err(|_| bad(format!("bad content-length {v:?}")))
            })
            .transpose()?;
        let mut body = Vec::new();
        match length {
            Some(n) => {
                (&mut self.reader).take(n as u64).read_to_end(&mut body)?;
                if body.len() < n {
                    return Err(eof(&format!(
                        "body truncated: {} of {n} bytes before the connection closed",
                        body.len()
                    )));
                }
            }
            None => {
                self.reader.read_to_end(&mut body)?;
            }
        }
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// Half-closes: the server sees end of file after what was written.
    pub fn shutdown_write(&mut self) -> std::io::Result<()> {
        self.writer.shutdown(std::net::Shutdown::Write)
    }

    /// Everything the server sends until it closes the connection.
    pub fn read_to_end(&mut self) -> std::io::Result<Vec<u8>> {
        let mut all = Vec::new();
        self.reader.read_to_end(&mut all)?;
        Ok(all)
    }
}

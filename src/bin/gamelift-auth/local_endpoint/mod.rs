//! `gamelift-auth local-endpoint`: a local stand-in for the GameLift service, for tests and for
//! trying the library without an AWS account.
//!
//! # Running it
//!
//! ```text
//! gamelift-auth local-endpoint [--host 127.0.0.1] [--port 0] [--region us-west-2]
//!     [--access-key-id AKIDLOCALSTANDIN] [--secret-access-key localstandinsecret]
//!     [--session-token T] [--token-lifetime-s 3600] [--strict-computes] [--exit-on-stdin-eof]
//! ```
//!
//! It refuses a `--host` that is not a loopback address (`localhost` means 127.0.0.1), binds,
//! prints its base URL (`http://127.0.0.1:PORT`) as the first line of stdout and flushes it;
//! nothing else goes to stdout. Then it serves until it is killed or, with `--exit-on-stdin-eof`,
//! until its stdin reaches end of file (so a test's stand-in never outlives the test). It logs one
//! line per request to stderr: action, status, error code, fault, time; never a secret or token.
//! One thread per connection: a delayed answer never holds up another connection.
//!
//! # The GameLift side: `POST /`
//!
//! The real wire format, awsJson1_1: `POST /` with `Content-Type: application/x-amz-json-1.1`
//! (parameters such as `; charset=utf-8` allowed), `X-Amz-Target: GameLift.<Action>` and a JSON
//! object body (an empty body counts as `{}`), signed with SigV4 for the configured key, region
//! and service `gamelift`. The signature is checked by the stand-in's own verifier (`sigv4.rs`).
//!
//! Every answer carries `x-amzn-RequestId: <uuid>` and `Date` (RFC 1123, from the stand-in's
//! possibly shifted clock). Success is 200 with `Content-Type: application/x-amz-json-1.1` and
//! the output object. Errors are 400 (500 for `InternalServiceException`, 413 for a body over
//! 1 MiB) with body `{"__type":"<Code>","message":"..."}`. Checks, in this order:
//!
//! 1. Signature: no `Authorization` -> `MissingAuthenticationTokenException`; unknown key id, or
//!    a session token missing, wrong, or present when none is configured ->
//!    `UnrecognizedClientException`; wrong region or service in the scope, scope date not the
//!    date of `x-amz-date`, `x-amz-date` more than 5 minutes from the server clock
//!    (`Signature expired: ...` / `Signature not yet current: ...`), `host`, `x-amz-date` (and,
//!    with a session token, `x-amz-security-token`) not signed, `x-amz-content-sha256` not the
//!    body's hash, or a wrong signature -> `InvalidSignatureException`; a malformed
//!    `Authorization` or `x-amz-date` -> `IncompleteSignatureException`. Messages as AWS words
//!    them. Each of these counts in `auth_failures`.
//! 2. Not `POST /`, or an unknown `X-Amz-Target` -> `UnknownOperationException`.
//! 3. Another content type -> `SerializationException`; a body that is not a JSON object ->
//!    `SerializationException`; a member of the wrong JSON type -> `SerializationException`.
//! 4. The action's input checks (the service model's lengths and patterns, the library's
//!    `gamelift_auth::validate`) -> `InvalidRequestException` naming the field.
//!
//! Actions: `GetComputeAuthToken` {FleetId, ComputeName} -> {FleetId, FleetArn, ComputeName,
//! ComputeArn, AuthToken (a new UUIDv4 each call), ExpirationTimestamp (now + token lifetime)};
//! `RequestUploadCredentials` {BuildId} -> {UploadCredentials{AccessKeyId, SecretAccessKey,
//! SessionToken}, StorageLocation{Bucket, Key, RoleArn}}; `RegisterCompute` {FleetId,
//! ComputeName, CertificatePath?, DnsName?, IpAddress?, Location?} -> {Compute{...}} (IpAddress
//! or DnsName required; registering a name again with the same address and location returns the
//! existing compute, with another one -> `ConflictException`); `DescribeCompute` {FleetId,
//! ComputeName} -> {Compute{...}} or `NotFoundException`; `DeregisterCompute` -> {} or
//! `NotFoundException`. A Compute has FleetId, FleetArn, ComputeName, ComputeArn, IpAddress
//! and/or DnsName, ComputeStatus "ACTIVE", Location (default: the region), CreationTime,
//! GameLiftServiceSdkEndpoint (`wss://<region>.api.amazongamelift.com`) and
//! GameLiftAgentEndpoint. GetComputeAuthToken for a compute that is not registered succeeds,
//! unless `--strict-computes` (or `config`) makes it `NotFoundException`. FleetId and ComputeName
//! may be ARNs; outputs carry the bare id and name. ARNs look like
//! `arn:aws:gamelift:<region>:123456789012:fleet/<fleet-id>`. Timestamps are epoch seconds, JSON
//! numbers with milliseconds.
//!
//! # The control interface: `/__standin/...`
//!
//! Unsigned, JSON in and out (`Content-Type: application/json`), on the same port. Never
//! affected by faults, never counted in stats or logged in `requests`. An invalid control request
//! gets 400 `{"error": "<what is wrong>"}` and changes nothing; an unknown path 404, a wrong
//! method 405.
//!
//! - `POST /__standin/faults` — body: a JSON array of fault objects (one object alone is taken as
//!   an array of one). Appends them to a FIFO queue and answers `{"added": n, "queued": total}`.
//!   Each GameLift request takes the first queued fault whose `action` equals the request's
//!   action (the `X-Amz-Target` without `GameLift.`), or whose `action` is absent (any request),
//!   and uses up one of its `times` (default 1); a fault is removed when used up. A fault is
//!   applied before the signature check. Fields (unknown fields are refused):
//!   - `action`: string, `"GetComputeAuthToken"` (a `"GameLift."` prefix is accepted).
//!   - `times`: integer >= 1, default 1.
//!   - `delay_ms`: sleep this long before answering (at most 600000). Combines with any of the
//!     others; alone, the normal answer comes late.
//!   - `error_type` (string code, sent as given) with optional `status` (default 400) and
//!     `message` (default ""): an error answer instead of the normal one, with the usual
//!     `Content-Type`, `x-amzn-RequestId` and `Date`. `error_in` says where the code goes:
//!     `"body_type"` (default): body `{"__type":"<code>","message":"..."}`; `"body_code"`: body
//!     `{"code":"<code>","message":"..."}`; `"header"`: header
//!     `x-amzn-ErrorType: <code>:http://internal.amazon.com/coral/com.amazon.coral.service/`
//!     and body `{"message":"..."}`.
//!   - `body` (string) with optional `status` (default 200) and `content_type` (default
//!     `application/x-amz-json-1.1`): this exact body instead of the normal answer.
//!   - `status` alone: that status with an empty body.
//!   - `oversize_bytes`: a 200 whose body is exactly that many bytes, `{"Padding":"xxx...x"}`
//!     (under 14 bytes: `{}` then spaces), with that `Content-Length`, streamed in 64 KiB pieces.
//!   - `drop: true`: close the connection without sending a byte.
//!   - `omit_field`: the normal answer (signature and input checks included) without this
//!     top-level output field, e.g. `"AuthToken"` (errors are sent unchanged).
//!   - `truncate: true`: whatever the answer would be (normal, error or `body`), sent with its
//!     full `Content-Length` but only the first half of its body bytes (an empty body declares
//!     1 byte), then the connection is closed. Not with `drop` or `oversize_bytes`.
//!
//!   At most one of `error_type`, `body`, `oversize_bytes`, `drop`, `omit_field`; `status` only
//!   with `error_type` or `body` or alone. A fault that would do nothing is refused.
//! - `GET /__standin/faults` — the faults still queued:
//!   `[{"action": "..."|null, "fault": "<description>", "remaining": n}]`.
//! - `POST /__standin/clock` — body `{"offset_s": 1200}` (any number, may be negative or
//!   fractional): the server clock becomes real time + offset (replacing any earlier offset). It
//!   drives the signature time check, the `Date` header, token expiry and CreationTime. Answers
//!   `{"offset_s": 1200.0, "now": <epoch seconds>}`; `GET /__standin/clock` answers the same.
//! - `POST /__standin/config` — body with any of `{"token_lifetime_s": 3600, "strict_computes":
//!   false}`: changes them for later requests (lifetime may be fractional, zero or negative, for
//!   already expired tokens). Answers the whole config; `GET /__standin/config` too.
//! - `GET /__standin/stats` — `{"total": n, "actions": {"GetComputeAuthToken": n, ...},
//!   "auth_failures": n, "requests_log_dropped": n}`: every GameLift request received (counted
//!   on arrival, before any delay), including faulted, refused and malformed-body ones; `actions`
//!   by `X-Amz-Target` without `GameLift.` (requests without the header count only in `total`);
//!   `auth_failures` counts signature refusals.
//! - `GET /__standin/requests` — every GameLift request received, oldest first (the last 10000
//!   and at most 64 MiB of bodies; older ones are counted in `requests_log_dropped`):
//!   `[{"action": "GetComputeAuthToken", "method": "POST", "path": "/" (the request target as
//!   sent, query included), "headers": [["Host", "127.0.0.1:PORT"], ...] (names as sent, in
//!   received order, values trimmed), "body": "<exact body; non-UTF-8 bytes replaced>",
//!   "status": 200, "fault": null}]`. `action` is the `X-Amz-Target` without `GameLift.` (""
//!   without the header). `status` is the status sent (also for a truncated answer), `null` while
//!   the request is still being answered (a delay) and for a dropped connection; it is set
//!   before the answer is written, so a client that has its answer sees it. `fault` is `null`
//!   or the fault applied, as space-separated parts in this order: `delay_ms=<n>`, then one of
//!   `error=<status> <code>`, `body=<status>`, `oversize_bytes=<n>`, `drop`,
//!   `omit_field=<field>`, then `truncate` (e.g. `"delay_ms=50 drop"`). The same text appears in
//!   `GET /__standin/faults` and on the stderr log line.
//! - `POST /__standin/reset` — empties the fault queue, stats, request log and registered
//!   computes, and sets the clock offset back to 0 and the config back to the command line's.
//!   Answers `{}`.
//!
//! # HTTP
//!
//! HTTP/1.1 with keep-alive (HTTP/1.0 too); request bodies by `Content-Length` or chunked, at
//! most 1 MiB (a larger one gets 413 and the connection closes); `Expect: 100-continue` is
//! honoured. Responses are written in one piece on a `TCP_NODELAY` socket. Idle keep-alive
//! connections are closed after 120 s.

mod actions;
mod control;
mod faults;
mod server;
mod sigv4;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde_json::{Map, Value, json};

use actions::{Action, ApiError};
use faults::{ErrorIn, Fault, Kind};
use server::{Body, Reply, Request, Response};

/// The arguments of `gamelift-auth local-endpoint`.
#[derive(clap::Args, Debug)]
#[command(after_help = CONTROL_HELP)]
pub struct Args {
    /// Address to listen on; must be a loopback address (the control interface is unsigned).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free one (the first stdout line says which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Region the requests must be signed for.
    #[arg(long, default_value = "us-west-2")]
    region: String,
    /// The one access key id accepted.
    #[arg(long, default_value = "AKIDLOCALSTANDIN")]
    access_key_id: String,
    /// Its secret access key.
    #[arg(long, default_value = "localstandinsecret")]
    secret_access_key: String,
    /// When given, requests must carry this session token, signed, in x-amz-security-token.
    #[arg(long)]
    session_token: Option<String>,
    /// Lifetime of issued auth tokens, seconds.
    #[arg(long, default_value_t = 3600.0)]
    token_lifetime_s: f64,
    /// GetComputeAuthToken answers NotFoundException for computes that are not registered.
    #[arg(long)]
    strict_computes: bool,
    /// Exit when standard input reaches end of file (for tests: close the pipe to stop it).
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

/// The control interface in brief, for `--help` (the module documentation has the details).
const CONTROL_HELP: &str = "\
Control interface (unsigned JSON on the same port; never faulted, never in stats or requests):
  POST /__standin/faults    [{\"action\"?, \"times\"?, \"delay_ms\"?, \"error_type\"+\"status\"?+\"message\"?+\"error_in\"?,
                             \"body\"+\"status\"?+\"content_type\"?, \"status\", \"oversize_bytes\", \"drop\",
                             \"omit_field\", \"truncate\"?}, ...]   queue faults (FIFO, per action)
  GET  /__standin/faults    faults still queued
  POST /__standin/clock     {\"offset_s\": 1200}   shift the server clock
  POST /__standin/config    {\"token_lifetime_s\": 3600, \"strict_computes\": false}
  GET  /__standin/stats     {\"total\", \"actions\": {...}, \"auth_failures\", \"requests_log_dropped\"}
  GET  /__standin/requests  every GameLift request: action, method, path, headers, body, status, fault
  POST /__standin/reset     clear faults, stats, requests, clock offset, computes, config";

/// Settings that `/__standin/config` may change.
#[derive(Debug, Clone, Copy)]
struct Config {
    token_lifetime_ms: i64,
    strict_computes: bool,
}

/// A lifetime in seconds as milliseconds, if it is a sane number (within 10 years either way).
fn lifetime_ms(seconds: f64) -> Option<i64> {
    (seconds.is_finite() && seconds.abs() <= 10.0 * 365.0 * 86_400.0)
        .then(|| (seconds * 1000.0).round() as i64)
}

/// The stand-in's state, shared by all connection threads.
struct StandIn {
    expected: sigv4::Expected,
    startup_config: Config,
    config: Mutex<Config>,
    clock_offset_ms: AtomicI64,
    faults: faults::Queue,
    registry: actions::Registry,
    record: control::Record,
}

/// Runs the stand-in until killed (or until stdin closes with `--exit-on-stdin-eof`).
pub fn run(args: Args) -> ExitCode {
    match start(args) {
        Ok(never) => match never {},
        Err(message) => {
            eprintln!("gamelift-auth local-endpoint: {message}");
            ExitCode::from(2)
        }
    }
}

fn start(args: Args) -> Result<std::convert::Infallible, String> {
    let ip: IpAddr = if args.host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        args.host
            .parse()
            .map_err(|_| format!("--host {:?} is not an IP address or localhost", args.host))?
    };
    if !ip.is_loopback() {
        return Err(format!(
            "refusing --host {ip}: the stand-in only listens on a loopback address (its control \
             interface is unauthenticated)"
        ));
    }
    let region_ok = !args.region.is_empty()
        && args
            .region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !region_ok {
        return Err(format!(
            "--region {:?} is not a region name like us-west-2",
            args.region
        ));
    }
    if args.access_key_id.is_empty() || args.secret_access_key.is_empty() {
        return Err("--access-key-id and --secret-access-key must not be empty".into());
    }
    let token_lifetime_ms = lifetime_ms(args.token_lifetime_s)
        .ok_or("--token-lifetime-s must be a number of seconds (within 10 years)")?;
    let config = Config {
        token_lifetime_ms,
        strict_computes: args.strict_computes,
    };
    let standin = Arc::new(StandIn {
        expected: sigv4::Expected {
            access_key_id: args.access_key_id,
            secret_access_key: args.secret_access_key,
            session_token: args.session_token,
            region: args.region,
            service: "gamelift".into(),
        },
        startup_config: config,
        config: Mutex::new(config),
        clock_offset_ms: AtomicI64::new(0),
        faults: faults::Queue::default(),
        registry: actions::Registry::default(),
        record: control::Record::default(),
    });

    let listener = TcpListener::bind(SocketAddr::new(ip, args.port))
        .map_err(|e| format!("cannot listen on {ip}:{}: {e}", args.port))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "http://{addr}")
            .and_then(|()| out.flush())
            .map_err(|e| format!("cannot write the URL to stdout: {e}"))?;
    }
    eprintln!(
        "local-endpoint: serving GameLift ({}) on http://{addr}; control at /__standin/",
        standin.expected.region
    );
    if args.exit_on_stdin_eof {
        std::thread::Builder::new()
            .name("stdin-watch".into())
            .spawn(|| {
                let mut stdin = std::io::stdin();
                let mut buf = [0u8; 256];
                while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
                eprintln!("local-endpoint: stdin closed; exiting");
                std::process::exit(0);
            })
            .map_err(|e| format!("cannot start the stdin watcher: {e}"))?;
    }
    server::serve(listener, standin);
    Err("the listener stopped".into())
}

impl server::Handler for StandIn {
    fn handle(&self, request: &Request) -> Reply {
        if request.path().starts_with("/__standin") {
            let started = Instant::now();
            let response = control::handle(self, request);
            eprintln!(
                "local-endpoint: control {} {} -> {} ({})",
                request.method,
                request.path(),
                response.status,
                elapsed(started)
            );
            Reply::Send(response)
        } else {
            self.gamelift(request)
        }
    }
}

fn elapsed(started: Instant) -> String {
    format!("{:.1} ms", started.elapsed().as_secs_f64() * 1000.0)
}

/// Why a request was not answered normally: the error, and whether it was a signature refusal.
struct Refusal {
    error: ApiError,
    auth: bool,
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal { error, auth: false }
    }
}

impl StandIn {
    /// The server clock, epoch milliseconds: real time plus the control offset.
    fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        real.saturating_add(self.clock_offset_ms.load(Ordering::SeqCst))
    }

    fn reset(&self) {
        self.faults.clear();
        self.record.clear();
        self.registry.clear();
        self.clock_offset_ms.store(0, Ordering::SeqCst);
        *self.config.lock() = self.startup_config;
    }

    /// The headers every GameLift answer carries.
    fn aws_headers(&self, request_id: &str, content_type: &str) -> Vec<(String, String)> {
        let date = UNIX_EPOCH + Duration::from_millis(self.now_ms().max(0) as u64);
        vec![
            ("Content-Type".into(), content_type.into()),
            ("x-amzn-RequestId".into(), request_id.into()),
            ("Date".into(), httpdate::fmt_http_date(date)),
        ]
    }

    fn json_response(&self, status: u16, request_id: &str, body: Value) -> Response {
        Response::new(
            status,
            self.aws_headers(request_id, "application/x-amz-json-1.1"),
            body.to_string().into_bytes(),
        )
    }

    fn error_response(&self, request_id: &str, e: &ApiError) -> Response {
        self.json_response(
            e.status,
            request_id,
            json!({ "__type": e.code, "message": e.message }),
        )
    }

    /// One GameLift request: record, fault, answer, record the answer, log.
    fn gamelift(&self, request: &Request) -> Reply {
        let started = Instant::now();
        let action = match request.header("x-amz-target") {
            Some(t) => t.strip_prefix("GameLift.").unwrap_or(t).to_string(),
            None => String::new(),
        };
        let ticket = self.record.received(&action, request);
        let request_id = uuid::Uuid::new_v4().to_string();

        let (reply, code, auth_failed, fault) = if request.body_too_large {
            let e = ApiError {
                status: 413,
                code: "RequestEntityTooLargeException".into(),
                message: "Request body must be at most 1048576 bytes.".into(),
            };
            let reply = Reply::Send(self.error_response(&request_id, &e));
            (reply, Some(e.code), false, None)
        } else {
            let fault = self.faults.take(&action);
            if let Some(delay) = fault.as_ref().and_then(|f| f.delay) {
                std::thread::sleep(delay);
            }
            let (reply, code, auth) = self.answer(request, &action, &request_id, fault.as_ref());
            (reply, code, auth, fault)
        };

        let status = match &reply {
            Reply::Send(r) | Reply::Truncate(r) => Some(r.status),
            Reply::Drop => None,
        };
        let fault_text = fault.as_ref().map(Fault::describe);
        self.record
            .answered(ticket, status, fault_text.clone(), auth_failed);
        eprintln!(
            "local-endpoint: {} -> {}{}{} ({})",
            if action.is_empty() {
                "(no X-Amz-Target)"
            } else {
                &action
            },
            status.map_or("dropped".to_string(), |s| s.to_string()),
            code.map(|c| format!(" {c}")).unwrap_or_default(),
            fault_text
                .map(|f| format!(" [fault: {f}]"))
                .unwrap_or_default(),
            elapsed(started),
        );
        reply
    }

    /// The answer to a request under an optional fault: (reply, error code, auth failure).
    fn answer(
        &self,
        request: &Request,
        action: &str,
        request_id: &str,
        fault: Option<&Fault>,
    ) -> (Reply, Option<String>, bool) {
        let kind = fault.map(|f| &f.kind);
        let (response, code, auth) = match kind {
            Some(Kind::Drop) => return (Reply::Drop, None, false),
            Some(Kind::Error {
                status,
                code,
                message,
                error_in,
            }) => {
                let mut headers = self.aws_headers(request_id, "application/x-amz-json-1.1");
                let body = match error_in {
                    ErrorIn::BodyType => json!({ "__type": code, "message": message }),
                    ErrorIn::BodyCode => json!({ "code": code, "message": message }),
                    ErrorIn::Header => {
                        headers.push((
                            "x-amzn-ErrorType".into(),
                            format!(
                                "{code}:http://internal.amazon.com/coral/com.amazon.coral.service/"
                            ),
                        ));
                        json!({ "message": message })
                    }
                };
                let response = Response::new(*status, headers, body.to_string().into_bytes());
                (response, Some(code.clone()), false)
            }
            Some(Kind::Raw {
                status,
                body,
                content_type,
            }) => {
                let headers = self.aws_headers(request_id, content_type);
                let response = Response::new(*status, headers, body.clone().into_bytes());
                (response, None, false)
            }
            Some(Kind::Oversize(n)) => {
                let response = Response {
                    status: 200,
                    headers: self.aws_headers(request_id, "application/x-amz-json-1.1"),
                    body: Body::Padding(*n),
                };
                (response, None, false)
            }
            Some(Kind::Normal { omit_field }) => {
                self.normal(request, action, request_id, omit_field.as_deref())
            }
            None => self.normal(request, action, request_id, None),
        };
        if fault.is_some_and(|f| f.truncate) {
            (Reply::Truncate(response), code, auth)
        } else {
            (Reply::Send(response), code, auth)
        }
    }

    /// The real service's answer: (response, error code, auth failure).
    fn normal(
        &self,
        request: &Request,
        action: &str,
        request_id: &str,
        omit_field: Option<&str>,
    ) -> (Response, Option<String>, bool) {
        match self.process(request, action) {
            Ok(mut output) => {
                if let Some(field) = omit_field {
                    output.remove(field);
                }
                let response = self.json_response(200, request_id, Value::Object(output));
                (response, None, false)
            }
            Err(refusal) => (
                self.error_response(request_id, &refusal.error),
                Some(refusal.error.code),
                refusal.auth,
            ),
        }
    }

    fn process(&self, request: &Request, action: &str) -> Result<Map<String, Value>, Refusal> {
        let signed = sigv4::SignedRequest {
            method: &request.method,
            target: &request.target,
            headers: &request.headers,
            body: &request.body,
        };
        let now_ms = self.now_ms();
        sigv4::verify(&self.expected, &signed, now_ms.div_euclid(1000)).map_err(|e| Refusal {
            error: ApiError::new(e.code, e.message),
            auth: true,
        })?;

        if request.method != "POST" || request.path() != "/" {
            return Err(ApiError::new(
                "UnknownOperationException",
                format!(
                    "awsJson1_1 requests are POST /, not {} {}",
                    request.method,
                    request.path()
                ),
            )
            .into());
        }
        let known = request
            .header("x-amz-target")
            .and_then(|t| t.strip_prefix("GameLift."))
            .and_then(Action::from_name);
        let Some(operation) = known else {
            return Err(ApiError::new(
                "UnknownOperationException",
                format!(
                    "Unknown operation {:?}",
                    request.header("x-amz-target").unwrap_or(action)
                ),
            )
            .into());
        };
        let content_type = request.header("content-type").unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/x-amz-json-1.1") {
            return Err(ApiError::serialization(format!(
                "Unexpected Content-Type {content_type:?}: awsJson1_1 requests use \
                 application/x-amz-json-1.1"
            ))
            .into());
        }
        let input = if request.body.is_empty() {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(&request.body) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    return Err(
                        ApiError::serialization("The request body must be a JSON object.").into(),
                    );
                }
                Err(e) => {
                    return Err(ApiError::serialization(format!(
                        "The request body is not valid JSON: {e}"
                    ))
                    .into());
                }
            }
        };
        let config = *self.config.lock();
        let ctx = actions::Context {
            region: &self.expected.region,
            now_ms,
            token_lifetime_ms: config.token_lifetime_ms,
            strict_computes: config.strict_computes,
        };
        Ok(actions::call(operation, &input, &ctx, &self.registry)?)
    }
}

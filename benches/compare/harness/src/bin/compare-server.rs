//! The comparison's loopback GameLift: GetComputeAuthToken in both protocols the clients speak.
//!
//! - awsJson1_1: `POST /` with `X-Amz-Target: GameLift.GetComputeAuthToken` (this library,
//!   boto3 when it picks JSON, the raw-socket client).
//! - Smithy RPC v2 CBOR: `POST /service/GameLift/operation/GetComputeAuthToken` with
//!   `smithy-protocol: rpc-v2-cbor` (aws-sdk-gamelift, boto3 when it picks CBOR).
//!
//! Both answers carry the same six members GameLift returns (FleetId, FleetArn, ComputeName,
//! ComputeArn, a new AuthToken each call, ExpirationTimestamp = now + 1 h) plus
//! `x-amzn-RequestId` and `Date`. Signatures are NOT verified and request bodies are not parsed
//! (the fleet and compute are fixed): the server does as little as it can so that it is not the
//! bottleneck. One thread per connection, keep-alive, `TCP_NODELAY`, each response written with
//! one `write_all` (no Nagle / delayed-ACK stall).
//!
//! `GET /__stats` answers `{"json":n,"cbor":n,"other":n,"connections":n,"closed":n,
//! "closed_requests":n,"closed_cpu_ns":n}`: requests by protocol, connections that made a
//! GameLift request, and for those already closed, their requests and the CPU time their threads
//! used (user + system, so the kernel's socket work is included). Connections that only asked
//! for `/__stats` are not counted.
//!
//! Keep-alive unless the request says `Connection: close`.
//!
//! Usage: `compare-server [PORT]` (default 0). Prints `http://127.0.0.1:PORT` as its first
//! stdout line and exits when its stdin reaches end of file.

use compare_harness::{COMPUTE, FLEET, REGION, thread_cpu_ns};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{SystemTime, UNIX_EPOCH};

static JSON: AtomicU64 = AtomicU64::new(0);
static CBOR: AtomicU64 = AtomicU64::new(0);
static OTHER: AtomicU64 = AtomicU64::new(0);
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
static CLOSED: AtomicU64 = AtomicU64::new(0);
static CLOSED_REQUESTS: AtomicU64 = AtomicU64::new(0);
static CLOSED_CPU_NS: AtomicU64 = AtomicU64::new(0);
static SERIAL: AtomicU64 = AtomicU64::new(1);

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .map(|p| p.parse().expect("PORT"))
        .unwrap_or(0);
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind 127.0.0.1");
    println!("http://{}", listener.local_addr().unwrap());
    std::io::stdout().flush().unwrap();
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || serve(stream));
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn serve(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    let mut out: Vec<u8> = Vec::with_capacity(2048);
    let mut date = DateCache::default();
    // A connection counts once it makes a GameLift request (not a `/__stats` one).
    let (mut served, mut counted) = (0u64, false);
    'conn: loop {
        // One request head.
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break 'conn,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = std::str::from_utf8(&buf[..head_end]).unwrap_or("");
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or("").split(' ');
        let (method, path) = (
            request_line.next().unwrap_or(""),
            request_line.next().unwrap_or(""),
        );
        let (mut length, mut target, mut expect_continue, mut chunked) = (0usize, "", false, false);
        let mut close = false;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("x-amz-target") {
                target = value;
            } else if name.eq_ignore_ascii_case("expect") {
                expect_continue = value.eq_ignore_ascii_case("100-continue");
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = true;
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
        let kind = if method == "GET" && path == "/__stats" {
            Kind::Stats
        } else if method == "POST" && path == "/service/GameLift/operation/GetComputeAuthToken" {
            Kind::Cbor
        } else if method == "POST" && path == "/" && target == "GameLift.GetComputeAuthToken" {
            Kind::Json
        } else {
            Kind::Other
        };
        if chunked {
            let _ = stream.write_all(
                b"HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            break;
        }
        if expect_continue
            && buf.len() < head_end + length
            && stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err()
        {
            break;
        }
        while buf.len() < head_end + length {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break 'conn,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + length);
        if !matches!(kind, Kind::Stats) && !counted {
            counted = true;
            CONNECTIONS.fetch_add(1, Relaxed);
        }
        out.clear();
        match kind {
            Kind::Json => {
                JSON.fetch_add(1, Relaxed);
                respond(&mut out, &mut date, false);
            }
            Kind::Cbor => {
                CBOR.fetch_add(1, Relaxed);
                respond(&mut out, &mut date, true);
            }
            Kind::Stats => {
                let body = format!(
                    "{{\"json\":{},\"cbor\":{},\"other\":{},\"connections\":{},\"closed\":{},\
                     \"closed_requests\":{},\"closed_cpu_ns\":{}}}",
                    JSON.load(Relaxed),
                    CBOR.load(Relaxed),
                    OTHER.load(Relaxed),
                    CONNECTIONS.load(Relaxed),
                    CLOSED.load(Relaxed),
                    CLOSED_REQUESTS.load(Relaxed),
                    CLOSED_CPU_NS.load(Relaxed),
                );
                head_into(&mut out, "200 OK", "application/json", &[], body.len());
                out.extend_from_slice(body.as_bytes());
            }
            Kind::Other => {
                OTHER.fetch_add(1, Relaxed);
                let body = br#"{"__type":"UnknownOperationException","message":"comparison server: GetComputeAuthToken only"}"#;
                head_into(
                    &mut out,
                    "400 Bad Request",
                    "application/x-amz-json-1.1",
                    &[],
                    body.len(),
                );
                out.extend_from_slice(body);
            }
        }
        if stream.write_all(&out).is_err() {
            break;
        }
        if !matches!(kind, Kind::Stats) {
            served += 1;
        }
        if close {
            break;
        }
    }
    if counted {
        CLOSED_REQUESTS.fetch_add(served, Relaxed);
        CLOSED_CPU_NS.fetch_add(thread_cpu_ns(), Relaxed);
        CLOSED.fetch_add(1, Relaxed);
    }
}

enum Kind {
    Json,
    Cbor,
    Stats,
    Other,
}

/// The RFC 1123 `Date`, formatted once per second per connection.
#[derive(Default)]
struct DateCache {
    second: u64,
    text: String,
}

impl DateCache {
    fn get(&mut self, now: SystemTime) -> &str {
        let s = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        if s != self.second || self.text.is_empty() {
            self.second = s;
            self.text = httpdate::fmt_http_date(now);
        }
        &self.text
    }
}

fn head_into(
    out: &mut Vec<u8>,
    status: &str,
    content_type: &str,
    extra: &[(&str, &str)],
    length: usize,
) {
    use std::fmt::Write as _;
    let mut h = String::with_capacity(256);
    let _ = write!(h, "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n");
    for (n, v) in extra {
        let _ = write!(h, "{n}: {v}\r\n");
    }
    let _ = write!(h, "Content-Length: {length}\r\n\r\n");
    out.extend_from_slice(h.as_bytes());
}

/// The GetComputeAuthToken answer, head and body in `out`.
fn respond(out: &mut Vec<u8>, date: &mut DateCache, cbor: bool) {
    let now = SystemTime::now();
    let serial = SERIAL.fetch_add(1, Relaxed);
    let token = format!("{:08x}-7a1e-4c0d-9b5f-{:012x}", serial as u32, serial);
    let request_id = format!("{:08x}-0000-4000-8000-{:012x}", serial as u32, serial);
    let expires_ms = now.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64 + 3_600_000;
    let fleet_arn = format!("arn:aws:gamelift:{REGION}:123456789012:fleet/{FLEET}");
    let compute_arn = format!("arn:aws:gamelift:{REGION}:123456789012:compute/{COMPUTE}");
    let body = if cbor {
        let mut b = Vec::with_capacity(320);
        b.push(0xa6); // map(6)
        for (k, v) in [
            ("FleetId", FLEET),
            ("FleetArn", fleet_arn.as_str()),
            ("ComputeName", COMPUTE),
            ("ComputeArn", compute_arn.as_str()),
            ("AuthToken", token.as_str()),
        ] {
            cbor_text(&mut b, k);
            cbor_text(&mut b, v);
        }
        cbor_text(&mut b, "ExpirationTimestamp");
        b.push(0xc1); // tag 1: epoch seconds
        b.push(0xfb); // float64
        b.extend_from_slice(&(expires_ms as f64 / 1000.0).to_be_bytes());
        b
    } else {
        format!(
            "{{\"FleetId\":\"{FLEET}\",\"FleetArn\":\"{fleet_arn}\",\"ComputeName\":\"{COMPUTE}\",\
             \"ComputeArn\":\"{compute_arn}\",\"AuthToken\":\"{token}\",\
             \"ExpirationTimestamp\":{}.{:03}}}",
            expires_ms / 1000,
            expires_ms % 1000
        )
        .into_bytes()
    };
    let date = date.get(now).to_owned();
    let mut extra = vec![
        ("x-amzn-RequestId", request_id.as_str()),
        ("Date", date.as_str()),
    ];
    let content_type = if cbor {
        extra.push(("smithy-protocol", "rpc-v2-cbor"));
        "application/cbor"
    } else {
        "application/x-amz-json-1.1"
    };
    head_into(out, "200 OK", content_type, &extra, body.len());
    out.extend_from_slice(&body);
}

/// A CBOR text string (major type 3).
fn cbor_text(b: &mut Vec<u8>, s: &str) {
    let n = s.len();
    if n < 24 {
        b.push(0x60 | n as u8);
    } else if n < 256 {
        b.extend_from_slice(&[0x78, n as u8]);
    } else {
        b.push(0x79);
        b.extend_from_slice(&(n as u16).to_be_bytes());
    }
    b.extend_from_slice(s.as_bytes());
}

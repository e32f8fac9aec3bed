//! A small HTTP/1.1 server on `std::net`, made for the stand-in.
//!
//! Why not tiny_http: the stand-in must drop a connection without answering, send a short body
//! under a longer `Content-Length`, stream a huge body, and control every header byte. tiny_http
//! 0.12 answers 500 when a request is dropped, adds its own headers, and writes a response in
//! several pieces on a socket without `TCP_NODELAY`; measured on this machine, 200 keep-alive
//! requests with a 1.7 KB response took 8.8 s (Nagle + delayed ACK: ~44 ms each).
//!
//! Here: one thread per connection (a slow answer never holds up another connection), keep-alive,
//! `TCP_NODELAY`, each response head and body written with one `write_all`, request bodies capped
//! at [`MAX_BODY`], and no panic on any input: a malformed request gets a 400 and a closed
//! connection, and a panic in the handler gets a 500.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The largest request body read; a larger one is answered by the handler (413) unread.
pub const MAX_BODY: usize = 1 << 20;
/// The largest request line plus headers.
const MAX_HEAD: usize = 64 * 1024;
/// The most header lines in one request.
const MAX_HEADERS: usize = 256;
/// How long a keep-alive connection may sit idle between requests (ureq's pool drops idle
/// connections after 15 s, so a client never reuses one that the server has closed).
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// How long one read or write may stall in the middle of a request or response.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; more get a 503 and are closed.
const MAX_CONNECTIONS: usize = 1024;
/// The answer when the handler panicked (a stand-in bug).
const PANIC_BODY: &[u8] =
    br#"{"__type":"InternalServiceException","message":"stand-in bug: handler panicked"}"#;
/// Chunk size when streaming a padding body.
const STREAM_CHUNK: usize = 64 * 1024;

/// One parsed request.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The method as sent (`POST`).
    pub method: String,
    /// The request target as sent: path and query (`/`, `/__standin/stats`, `/?a=b`).
    pub target: String,
    /// The headers in received order, names as sent, values trimmed of surrounding whitespace
    /// (obsolete line folding is joined with one space). Non-UTF-8 bytes are replaced.
    pub headers: Vec<(String, String)>,
    /// The body bytes exactly as received (chunked framing removed). Empty when too large.
    pub body: Vec<u8>,
    /// The declared body was larger than [`MAX_BODY`]: it was not read, and the connection is
    /// closed after the answer.
    pub body_too_large: bool,
}

impl Request {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The target without its query.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }
}

/// A response body.
#[derive(Debug, Clone)]
pub enum Body {
    /// These bytes.
    Bytes(Vec<u8>),
    /// `n` bytes of JSON-looking padding, generated while streaming (see [`padding_chunk`]).
    Padding(u64),
}

/// A response: status, headers (the server adds `Content-Length` and, when closing,
/// `Connection: close`) and body.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers in the order to send them.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Response {
    /// A response with a byte body.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        Response {
            status,
            headers,
            body: Body::Bytes(body),
        }
    }
}

/// How a response goes on the wire.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Send it whole.
    Send(Response),
    /// Declare the whole body length, send only the first half of the body, then close.
    Truncate(Response),
    /// Close the connection without sending anything.
    Drop,
}

/// What answers requests. Called from many connection threads at once.
pub trait Handler: Send + Sync + 'static {
    /// The answer to one request.
    fn handle(&self, request: &Request) -> Reply;
}

/// Accepts connections forever, one thread each.
pub fn serve(listener: TcpListener, handler: Arc<dyn Handler>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // EMFILE and friends: wait a little instead of spinning.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            reject(stream, 503, "too many connections");
            continue;
        }
        let handler = Arc::clone(&handler);
        let guard = ActiveGuard(Arc::clone(&active));
        let spawned = std::thread::Builder::new()
            .name("standin-conn".into())
            .spawn(move || {
                let _guard = guard;
                serve_connection(stream, &*handler);
            });
        if spawned.is_err() {
            eprintln!("local-endpoint: cannot start a connection thread; connection dropped");
        }
    }
}

struct ActiveGuard(Arc<AtomicUsize>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A request that could not be parsed: answered with this status, then the connection closes.
#[derive(Debug)]
struct Malformed {
    status: u16,
    message: &'static str,
}

fn malformed(status: u16, message: &'static str) -> Malformed {
    Malformed { status, message }
}

enum ReadError {
    /// The peer closed, timed out or failed between requests: just close.
    Gone,
    Malformed(Malformed),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Gone
    }
}

impl From<Malformed> for ReadError {
    fn from(m: Malformed) -> Self {
        ReadError::Malformed(m)
    }
}

fn serve_connection(stream: TcpStream, handler: &dyn Handler) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::with_capacity(16 * 1024, read_half);
    let mut writer = stream;
    loop {
        let _ = writer.set_read_timeout(Some(IDLE_TIMEOUT));
        let request = match read_request(&mut reader, &mut writer) {
            Ok(Some(r)) => r,
            Ok(None) | Err(ReadError::Gone) => return,
            Err(ReadError::Malformed(m)) => {
                eprintln!(
                    "local-endpoint: {} malformed request: {}",
                    m.status, m.message
                );
                reject(writer, m.status, m.message);
                return;
            }
        };
        let keep_alive = request.keep_alive && !request.request.body_too_large;
        let reply = catch_unwind(AssertUnwindSafe(|| handler.handle(&request.request)))
            .unwrap_or_else(|_| {
                eprintln!("local-endpoint: 500 the handler panicked (a stand-in bug)");
                Reply::Send(Response::new(
                    500,
                    vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
                    PANIC_BODY.to_vec(),
                ))
            });
        match reply {
            Reply::Drop => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Reply::Truncate(response) => {
                let _ = write_truncated(&mut writer, &response);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Reply::Send(response) => {
                if write_response(&mut writer, &response, keep_alive, request.http10).is_err() {
                    return;
                }
                if !keep_alive {
                    close_gracefully(writer, request.request.body_too_large);
                    return;
                }
            }
        }
    }
}

struct Incoming {
    request: Request,
    keep_alive: bool,
    http10: bool,
}

/// Reads one request; `Ok(None)` when the peer closed cleanly before sending anything.
fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> Result<Option<Incoming>, ReadError> {
    let mut budget = MAX_HEAD;
    // Tolerate empty lines before the request line (RFC 9112 section 2.2).
    let request_line = loop {
        let Some(line) = read_line(reader, &mut budget)? else {
            return Ok(None);
        };
        if !line.is_empty() {
            break line;
        }
    };
    // From here on the client is mid-request: a stall is an error, not idleness.
    let _ = writer.set_read_timeout(Some(IO_TIMEOUT));
    let request_line =
        String::from_utf8(request_line).map_err(|_| malformed(400, "request line is not UTF-8"))?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(400, "bad request line").into());
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) || target.is_empty() {
        return Err(malformed(400, "bad request line").into());
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(malformed(505, "HTTP version not supported").into()),
    };

    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let Some(line) = read_line(reader, &mut budget)? else {
            return Err(ReadError::Gone);
        };
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            // Obsolete line folding: continue the previous value with one space.
            let Some((_, value)) = headers.last_mut() else {
                return Err(malformed(400, "continuation line before any header").into());
            };
            let more = String::from_utf8_lossy(&line);
            let more = more.trim_matches([' ', '\t']);
            if !more.is_empty() {
                if !value.is_empty() {
                    value.push(' ');
                }
                value.push_str(more);
            }
            continue;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(malformed(431, "too many headers").into());
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(malformed(400, "header line without ':'").into());
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().copied().all(is_token_byte) {
            return Err(malformed(400, "bad header name").into());
        }
        let value = String::from_utf8_lossy(&line[colon + 1..]);
        headers.push((
            String::from_utf8_lossy(name).into_owned(),
            value.trim_matches([' ', '\t']).to_string(),
        ));
    }

    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body: Vec::new(),
        body_too_large: false,
    };
    let connection = request
        .header("connection")
        .unwrap_or("")
        .to_ascii_lowercase();
    let has_token = |t: &str| connection.split(',').any(|c| c.trim() == t);
    let keep_alive = if http10 {
        has_token("keep-alive")
    } else {
        !has_token("close")
    };

    let chunked = match request.header("transfer-encoding") {
        None => false,
        Some(te) if te.eq_ignore_ascii_case("chunked") => true,
        Some(_) => return Err(malformed(501, "unsupported transfer-encoding").into()),
    };
    let lengths: Vec<&str> = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.as_str())
        .collect();
    if chunked && !lengths.is_empty() {
        return Err(malformed(400, "both content-length and transfer-encoding").into());
    }
    let length = match lengths.as_slice() {
        [] => None,
        [first, rest @ ..] => {
            if rest.iter().any(|v| v != first)
                || first.is_empty()
                || !first.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(malformed(400, "bad content-length").into());
            }
            // Over u64 range means "too large" as surely as any other big number.
            Some(first.parse::<u64>().unwrap_or(u64::MAX))
        }
    };

    let expects_continue = request
        .header("expect")
        .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
    match length {
        Some(n) if n > MAX_BODY as u64 => request.body_too_large = true,
        Some(n) => {
            if expects_continue && !http10 && n > 0 {
                writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            }
            let mut body = vec![0u8; n as usize];
            reader.read_exact(&mut body)?;
            request.body = body;
        }
        None if chunked => {
            if expects_continue && !http10 {
                writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            }
            match read_chunked(reader)? {
                Some(body) => request.body = body,
                None => request.body_too_large = true,
            }
        }
        None => {}
    }
    Ok(Some(Incoming {
        request,
        keep_alive,
        http10,
    }))
}

/// One line without its CRLF (or bare LF); `None` on EOF before any byte.
fn read_line(
    reader: &mut BufReader<TcpStream>,
    budget: &mut usize,
) -> Result<Option<Vec<u8>>, ReadError> {
    let mut line = Vec::new();
    let limit = *budget as u64 + 1;
    let n = reader.by_ref().take(limit).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        if n as u64 >= limit {
            return Err(malformed(431, "request head too large").into());
        }
        return Err(ReadError::Gone); // EOF in the middle of a line
    }
    *budget = budget.saturating_sub(n);
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

/// A chunked body; `None` when it grows past [`MAX_BODY`] (the rest stays unread).
fn read_chunked(reader: &mut BufReader<TcpStream>) -> Result<Option<Vec<u8>>, ReadError> {
    let mut body = Vec::new();
    let mut budget = MAX_HEAD;
    loop {
        let line = read_line(reader, &mut budget)?.ok_or(ReadError::Gone)?;
        let size_text = line.split(|&b| b == b';').next().unwrap_or(&[]);
        let size_text = std::str::from_utf8(size_text)
            .map_err(|_| malformed(400, "bad chunk size"))?
            .trim();
        let size =
            u64::from_str_radix(size_text, 16).map_err(|_| malformed(400, "bad chunk size"))?;
        if size == 0 {
            // Trailers until the empty line.
            while !read_line(reader, &mut budget)?
                .ok_or(ReadError::Gone)?
                .is_empty()
            {}
            return Ok(Some(body));
        }
        if body.len() as u64 + size > MAX_BODY as u64 {
            return Ok(None);
        }
        let start = body.len();
        body.resize(start + size as usize, 0);
        reader.read_exact(&mut body[start..])?;
        let end = read_line(reader, &mut budget)?.ok_or(ReadError::Gone)?;
        if !end.is_empty() {
            return Err(malformed(400, "chunk not followed by CRLF").into());
        }
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    }
}

fn head(response: &Response, content_length: u64, close: bool, http10: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let _ = write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    let _ = write!(out, "Content-Length: {content_length}\r\n");
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    } else if http10 {
        out.extend_from_slice(b"Connection: keep-alive\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn write_response(
    w: &mut TcpStream,
    response: &Response,
    keep_alive: bool,
    http10: bool,
) -> io::Result<()> {
    match &response.body {
        Body::Bytes(body) => {
            let mut out = head(response, body.len() as u64, !keep_alive, http10);
            out.extend_from_slice(body);
            w.write_all(&out)
        }
        Body::Padding(n) => {
            let mut out = head(response, *n, !keep_alive, http10);
            let mut sent = 0u64;
            let mut chunk = Vec::with_capacity(STREAM_CHUNK);
            while sent < *n {
                let len = (*n - sent).min(STREAM_CHUNK as u64) as usize;
                padding_chunk(*n, sent, len, &mut chunk);
                out.extend_from_slice(&chunk);
                w.write_all(&out)?;
                out.clear();
                sent += len as u64;
            }
            if !out.is_empty() {
                w.write_all(&out)?;
            }
            Ok(())
        }
    }
}

fn write_truncated(w: &mut TcpStream, response: &Response) -> io::Result<()> {
    let body: Vec<u8> = match &response.body {
        Body::Bytes(b) => b.clone(),
        Body::Padding(n) => {
            let mut b = Vec::new();
            padding_chunk(*n, 0, (*n).min(MAX_BODY as u64) as usize, &mut b);
            b
        }
    };
    let declared = (body.len() as u64).max(1);
    let mut out = head(response, declared, true, false);
    out.extend_from_slice(&body[..body.len() / 2]);
    w.write_all(&out)?;
    w.flush()
}

/// Writes bytes `offset..offset+len` of an `n`-byte padding body into `out`:
/// `{"Padding":"xxx...x"}` when `n >= 14`, else `{}` followed by spaces (valid JSON text for
/// `n >= 2`).
pub fn padding_chunk(n: u64, offset: u64, len: usize, out: &mut Vec<u8>) {
    const OPEN: &[u8] = br#"{"Padding":""#;
    const CLOSE: &[u8] = br#""}"#;
    out.clear();
    let small = n < (OPEN.len() + CLOSE.len()) as u64;
    for i in offset..offset + len as u64 {
        let b = if small {
            match i {
                0 if n >= 2 => b'{',
                1 => b'}',
                _ => b' ',
            }
        } else if i < OPEN.len() as u64 {
            OPEN[i as usize]
        } else if i >= n - CLOSE.len() as u64 {
            CLOSE[(i - (n - CLOSE.len() as u64)) as usize]
        } else {
            b'x'
        };
        out.push(b);
    }
}

/// Answers a connection that will not be served, then closes it.
fn reject(mut stream: TcpStream, status: u16, message: &str) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let body = serde_json::json!({ "__type": "BadRequest", "message": message }).to_string();
    let response = Response::new(
        status,
        vec![("Content-Type".into(), "application/json".into())],
        body.into_bytes(),
    );
    if write_response(&mut stream, &response, false, false).is_ok() {
        close_gracefully(stream, true);
    }
}

/// Closes after the last response: half-close, then (when the client may still be sending a
/// body we did not read) drain a little so that the client reads our answer instead of a reset.
fn close_gracefully(stream: TcpStream, drain: bool) {
    let _ = stream.shutdown(Shutdown::Write);
    if drain {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let _ = io::copy(&mut (&stream).take(16 * MAX_BODY as u64), &mut io::sink());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padding(n: u64) -> Vec<u8> {
        let mut all = Vec::new();
        let mut chunk = Vec::new();
        let mut off = 0;
        while off < n {
            let len = (n - off).min(7) as usize; // odd chunk size on purpose
            padding_chunk(n, off, len, &mut chunk);
            all.extend_from_slice(&chunk);
            off += len as u64;
        }
        all
    }

    #[test]
    fn padding_is_json_of_the_exact_size() {
        for n in [2u64, 3, 13, 14, 15, 100, 70_000] {
            let p = padding(n);
            assert_eq!(p.len() as u64, n);
            let v: serde_json::Value = serde_json::from_slice(&p).unwrap();
            assert!(v.is_object(), "{n}");
        }
        assert_eq!(padding(14), br#"{"Padding":""}"#);
        assert_eq!(padding(0), b"");
    }

    #[test]
    fn token_bytes() {
        assert!(b"X-Amz-Target".iter().copied().all(is_token_byte));
        assert!(!b"X Amz".iter().copied().all(is_token_byte));
    }
}

//! The floor: one `TcpStream`, one request signed once at start (awsJson1_1, SigV4 by aws-sigv4,
//! the same signer the library uses) and sent again and again byte for byte; the answer is read
//! by `Content-Length` and the token found by a byte search. No HTTP library, no JSON parser, no
//! signing per call: what is left is the kernel's loopback work and the server's answer.
//!
//! Usage: `raw-client URL loop CALLS WARMUP` (prints `{"wall_ns":[...],"cpu_ns":[...]}`) or
//! `raw-client URL once` (prints the token).

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4::SigningParams;
use compare_harness::{
    ACCESS_KEY, COMPUTE, FLEET, REGION, SECRET_KEY, mono_ns, process_cpu_ns, samples_json,
};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::SystemTime;

fn presigned(host: &str) -> Vec<u8> {
    let body = format!(r#"{{"FleetId":"{FLEET}","ComputeName":"{COMPUTE}"}}"#);
    let mut req = http::Request::post(format!("http://{host}/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "GameLift.GetComputeAuthToken")
        .body(body.clone().into_bytes())
        .unwrap();
    let identity =
        aws_credential_types::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "raw").into();
    let params = SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("gamelift")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let signable = SignableRequest::new(
        "POST",
        req.uri().to_string(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    instructions.apply_to_request_http1x(&mut req);
    let mut out = format!("POST / HTTP/1.1\r\nhost: {host}\r\n");
    for (k, v) in req.headers() {
        out.push_str(&format!("{}: {}\r\n", k.as_str(), v.to_str().unwrap()));
    }
    out.push_str(&format!(
        "user-agent: raw-client\r\naccept: */*\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    ));
    out.into_bytes()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Sends the request and returns the token's range in `buf`.
fn call(s: &mut TcpStream, req: &[u8], buf: &mut Vec<u8>) -> (usize, usize) {
    s.write_all(req).unwrap();
    buf.clear();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "server closed");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let length: usize = head
        .split("\r\n")
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .unwrap();
    while buf.len() < head_end + length {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "server closed");
        buf.extend_from_slice(&chunk[..n]);
    }
    let key = b"\"AuthToken\":\"";
    let start = find(&buf[head_end..], key).expect("AuthToken") + head_end + key.len();
    let end = start + buf[start..].iter().position(|&b| b == b'"').unwrap();
    assert!(end > start);
    (start, end)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = &args[1];
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let req = presigned(host);
    let mut s = TcpStream::connect(host).unwrap();
    s.set_nodelay(true).unwrap();
    let mut buf = Vec::with_capacity(4096);
    match args[2].as_str() {
        "once" => {
            let (a, b) = call(&mut s, &req, &mut buf);
            println!("{}", std::str::from_utf8(&buf[a..b]).unwrap());
        }
        "loop" => {
            let calls: usize = args[3].parse().unwrap();
            let warmup: usize = args[4].parse().unwrap();
            for _ in 0..warmup {
                std::hint::black_box(call(&mut s, &req, &mut buf));
            }
            let (mut wall, mut cpu) = (Vec::with_capacity(calls), Vec::with_capacity(calls));
            for _ in 0..calls {
                let (w0, c0) = (mono_ns(), process_cpu_ns());
                std::hint::black_box(call(&mut s, &req, &mut buf));
                let (c1, w1) = (process_cpu_ns(), mono_ns());
                wall.push(w1 - w0);
                cpu.push(c1 - c0);
            }
            println!("{}", samples_json(&wall, &cpu));
        }
        m => panic!("unknown mode {m}"),
    }
}

//! The unsigned control interface under `/__standin/` (documented in `mod.rs`), and the record
//! of GameLift requests it reports: counters and the request log.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::Ordering;

use parking_lot::Mutex;
use serde_json::{Value, json};

use super::StandIn;
use super::faults;
use super::server::{Request, Response};

/// The most requests the log keeps; older ones are dropped (and counted in the stats).
const MAX_LOGGED: usize = 10_000;
/// The most body bytes the log keeps, likewise.
const MAX_LOGGED_BYTES: usize = 64 << 20;

/// Identifies a received request in the record, across resets.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    generation: u64,
    id: u64,
}

struct Entry {
    id: u64,
    action: String,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
    status: Option<u16>,
    fault: Option<String>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    next_id: u64,
    total: u64,
    actions: BTreeMap<String, u64>,
    auth_failures: u64,
    log: VecDeque<Entry>,
    log_bytes: usize,
    log_dropped: u64,
}

/// Counters and the request log.
#[derive(Default)]
pub struct Record {
    inner: Mutex<Inner>,
}

impl Record {
    /// Notes a request as it arrives (before any delay), so that tests see it at once. The log
    /// keeps the last 10000 requests and at most 64 MiB of bodies.
    pub fn received(&self, action: &str, request: &Request) -> Ticket {
        let body = String::from_utf8_lossy(&request.body).into_owned();
        let mut inner = self.inner.lock();
        inner.total += 1;
        if !action.is_empty() {
            *inner.actions.entry(action.to_string()).or_default() += 1;
        }
        let id = inner.next_id;
        inner.next_id += 1;
        inner.log_bytes += body.len();
        while inner.log.len() >= MAX_LOGGED || inner.log_bytes > MAX_LOGGED_BYTES {
            let Some(old) = inner.log.pop_front() else {
                break;
            };
            inner.log_bytes -= old.body.len();
            inner.log_dropped += 1;
        }
        inner.log.push_back(Entry {
            id,
            action: action.to_string(),
            method: request.method.clone(),
            path: request.target.clone(),
            headers: request.headers.clone(),
            body,
            status: None,
            fault: None,
        });
        Ticket {
            generation: inner.generation,
            id,
        }
    }

    /// Notes the answer, just before it is written (`status` is `None` for a dropped connection).
    pub fn answered(
        &self,
        ticket: Ticket,
        status: Option<u16>,
        fault: Option<String>,
        auth_failed: bool,
    ) {
        let mut inner = self.inner.lock();
        if inner.generation != ticket.generation {
            return; // reset while the request was being answered
        }
        if auth_failed {
            inner.auth_failures += 1;
        }
        if let Some(entry) = inner.log.iter_mut().rev().find(|e| e.id == ticket.id) {
            entry.status = status;
            entry.fault = fault;
        }
    }

    fn stats(&self) -> Value {
        let inner = self.inner.lock();
        json!({
            "total": inner.total,
            "actions": inner.actions,
            "auth_failures": inner.auth_failures,
            "requests_log_dropped": inner.log_dropped,
        })
    }

    fn requests(&self) -> Value {
        let inner = self.inner.lock();
        Value::Array(
            inner
                .log
                .iter()
                .map(|e| {
                    json!({
                        "action": e.action,
                        "method": e.method,
                        "path": e.path,
                        "headers": e.headers.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
                        "body": e.body,
                        "status": e.status,
                        "fault": e.fault,
                    })
                })
                .collect(),
        )
    }

    /// Forgets counters and the request log.
    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        let generation = inner.generation + 1;
        let next_id = inner.next_id;
        *inner = Inner {
            generation,
            next_id,
            ..Inner::default()
        };
    }
}

fn reply(status: u16, body: Value) -> Response {
    Response::new(
        status,
        vec![("Content-Type".into(), "application/json".into())],
        body.to_string().into_bytes(),
    )
}

fn error(status: u16, message: impl Into<String>) -> Response {
    reply(status, json!({ "error": message.into() }))
}

fn parse_json(request: &Request) -> Result<Value, Response> {
    serde_json::from_slice(&request.body)
        .map_err(|e| error(400, format!("the body is not JSON: {e}")))
}

/// Reads a JSON object body; each key must be one of `allowed`.
fn parse_object(
    request: &Request,
    allowed: &[&str],
) -> Result<serde_json::Map<String, Value>, Response> {
    let Value::Object(map) = parse_json(request)? else {
        return Err(error(400, "expected a JSON object"));
    };
    if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(error(
            400,
            format!("unknown field '{unknown}' (expected one of {allowed:?})"),
        ));
    }
    Ok(map)
}

/// Answers one `/__standin/...` request.
pub fn handle(standin: &StandIn, request: &Request) -> Response {
    if request.body_too_large {
        return error(413, "request body over 1 MiB");
    }
    let route = request.path().trim_start_matches("/__standin");
    let method = request.method.as_str();
    let result = match (method, route) {
        ("GET", "/stats") => Ok(reply(200, standin.record.stats())),
        ("GET", "/requests") => Ok(reply(200, standin.record.requests())),
        ("GET", "/faults") => Ok(reply(200, standin.faults.list())),
        ("POST", "/faults") => post_faults(standin, request),
        ("GET", "/clock") => Ok(reply(200, clock_json(standin))),
        ("POST", "/clock") => post_clock(standin, request),
        ("GET", "/config") => Ok(reply(200, config_json(standin))),
        ("POST", "/config") => post_config(standin, request),
        ("POST", "/reset") => {
            standin.reset();
            Ok(reply(200, json!({})))
        }
        (_, "/stats" | "/requests" | "/faults" | "/clock" | "/config" | "/reset") => Err(error(
            405,
            format!("{method} is not allowed on /__standin{route}"),
        )),
        _ => Err(error(
            404,
            format!(
                "no control endpoint /__standin{route}; there are /__standin/stats, requests, \
                 faults, clock, config and reset (see `gamelift-auth local-endpoint --help`)"
            ),
        )),
    };
    result.unwrap_or_else(|e| e)
}

fn post_faults(standin: &StandIn, request: &Request) -> Result<Response, Response> {
    let value = parse_json(request)?;
    let batch = faults::parse_batch(&value).map_err(|e| error(400, e))?;
    let added = batch.len();
    let queued = standin.faults.push(batch);
    Ok(reply(200, json!({ "added": added, "queued": queued })))
}

fn clock_json(standin: &StandIn) -> Value {
    json!({
        "offset_s": standin.clock_offset_ms.load(Ordering::SeqCst) as f64 / 1000.0,
        "now": standin.now_ms() as f64 / 1000.0,
    })
}

fn post_clock(standin: &StandIn, request: &Request) -> Result<Response, Response> {
    let map = parse_object(request, &["offset_s"])?;
    let offset = map
        .get("offset_s")
        .and_then(Value::as_f64)
        .filter(|s| s.abs() <= 100.0 * 365.0 * 86_400.0)
        .ok_or_else(|| {
            error(
                400,
                "offset_s must be a number of seconds (within 100 years)",
            )
        })?;
    standin
        .clock_offset_ms
        .store((offset * 1000.0).round() as i64, Ordering::SeqCst);
    Ok(reply(200, clock_json(standin)))
}

fn config_json(standin: &StandIn) -> Value {
    let config = *standin.config.lock();
    json!({
        "token_lifetime_s": config.token_lifetime_ms as f64 / 1000.0,
        "strict_computes": config.strict_computes,
    })
}

fn post_config(standin: &StandIn, request: &Request) -> Result<Response, Response> {
    let map = parse_object(request, &["token_lifetime_s", "strict_computes"])?;
    let lifetime = match map.get("token_lifetime_s") {
        None => None,
        Some(v) => Some(
            v.as_f64()
                .and_then(super::lifetime_ms)
                .ok_or_else(|| error(400, "token_lifetime_s must be a number of seconds"))?,
        ),
    };
    let strict = match map.get("strict_computes") {
        None => None,
        Some(v) => Some(
            v.as_bool()
                .ok_or_else(|| error(400, "strict_computes must be true or false"))?,
        ),
    };
    {
        let mut config = standin.config.lock();
        if let Some(ms) = lifetime {
            config.token_lifetime_ms = ms;
        }
        if let Some(strict) = strict {
            config.strict_computes = strict;
        }
    }
    Ok(reply(200, config_json(standin)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &[u8]) -> Request {
        Request {
            method: "POST".into(),
            target: "/".into(),
            headers: vec![("Host".into(), "h".into())],
            body: body.to_vec(),
            body_too_large: false,
        }
    }

    #[test]
    fn record_counts_logs_and_survives_resets() {
        let record = Record::default();
        let t1 = record.received("GetComputeAuthToken", &request(b"{}"));
        let t2 = record.received("", &request(b"\xff"));
        record.answered(t1, Some(200), None, false);
        record.answered(t2, None, Some("drop".into()), true);
        assert_eq!(
            record.stats(),
            json!({"total": 2, "actions": {"GetComputeAuthToken": 1}, "auth_failures": 1,
                   "requests_log_dropped": 0})
        );
        let log = record.requests();
        assert_eq!(log[0]["status"], 200);
        assert_eq!(log[0]["headers"], json!([["Host", "h"]]));
        assert_eq!(log[1]["body"], "\u{fffd}");
        assert_eq!(log[1]["status"], Value::Null);
        assert_eq!(log[1]["fault"], "drop");

        // An answer that comes after a reset changes nothing.
        let t3 = record.received("GetComputeAuthToken", &request(b"{}"));
        record.clear();
        record.answered(t3, Some(400), None, true);
        assert_eq!(record.stats()["auth_failures"], 0);
        assert_eq!(record.requests(), json!([]));
    }

    #[test]
    fn log_is_capped_by_bytes() {
        let record = Record::default();
        let body = vec![b'a'; 1 << 20];
        for _ in 0..70 {
            record.received("X", &request(&body));
        }
        let stats = record.stats();
        assert_eq!(stats["total"], 70);
        assert_eq!(stats["requests_log_dropped"], 6);
        assert_eq!(record.requests().as_array().unwrap().len(), 64);
    }
}

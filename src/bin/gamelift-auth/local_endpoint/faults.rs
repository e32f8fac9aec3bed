//! Scripted responses: the fault queue behind `POST /__standin/faults`.
//!
//! A fault is parsed and checked when it is queued (an invalid one is refused with a message
//! naming the field, and nothing of that batch is queued), so that a test's typo fails the test
//! at once instead of silently not injecting anything. The wire format is documented in
//! `mod.rs`.

use std::collections::VecDeque;
use std::time::Duration;

use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::Value;

/// Longest accepted `delay_ms` (10 minutes).
const MAX_DELAY_MS: u64 = 600_000;
/// Largest accepted `times`.
const MAX_TIMES: u64 = 1_000_000;

/// A fault object as posted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    action: Option<String>,
    times: Option<u64>,
    status: Option<u16>,
    error_type: Option<String>,
    message: Option<String>,
    error_in: Option<ErrorIn>,
    delay_ms: Option<u64>,
    body: Option<String>,
    content_type: Option<String>,
    truncate: Option<bool>,
    oversize_bytes: Option<u64>,
    drop: Option<bool>,
    omit_field: Option<String>,
}

/// Where an injected error puts its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorIn {
    /// Body `{"__type": code, "message": ...}` (the default).
    BodyType,
    /// Body `{"code": code, "message": ...}`.
    BodyCode,
    /// Header `x-amzn-ErrorType: <code>:http://internal.amazon.com/coral/com.amazon.coral.service/`
    /// and body `{"message": ...}`.
    Header,
}

/// What the faulted request gets instead of (or on top of) the normal answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// The normal answer, minus one top-level field of a successful output when set.
    Normal {
        /// The field to leave out, e.g. `AuthToken`.
        omit_field: Option<String>,
    },
    /// An error response.
    Error {
        /// HTTP status.
        status: u16,
        /// Error code as given.
        code: String,
        /// Message.
        message: String,
        /// Where the code goes.
        error_in: ErrorIn,
    },
    /// This body with this status.
    Raw {
        /// HTTP status.
        status: u16,
        /// Body text.
        body: String,
        /// Content-Type header value.
        content_type: String,
    },
    /// A 200 whose body is this many bytes of JSON padding.
    Oversize(u64),
    /// Close the connection without answering.
    Drop,
}

/// One checked fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// The action it matches (`GetComputeAuthToken`), or any when `None`.
    pub action: Option<String>,
    /// Sleep this long before answering.
    pub delay: Option<Duration>,
    /// Send half of the response body under the full Content-Length, then close.
    pub truncate: bool,
    /// The answer.
    pub kind: Kind,
}

impl Fault {
    /// A short description for the log line and the request log (no message text).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = self.delay {
            parts.push(format!("delay_ms={}", d.as_millis()));
        }
        match &self.kind {
            Kind::Normal { omit_field: None } => {}
            Kind::Normal {
                omit_field: Some(f),
            } => parts.push(format!("omit_field={f}")),
            Kind::Error { status, code, .. } => parts.push(format!("error={status} {code}")),
            Kind::Raw { status, .. } => parts.push(format!("body={status}")),
            Kind::Oversize(n) => parts.push(format!("oversize_bytes={n}")),
            Kind::Drop => parts.push("drop".into()),
        }
        if self.truncate {
            parts.push("truncate".into());
        }
        parts.join(" ")
    }
}

/// Parses a posted batch: a JSON array of fault objects (a single object is taken as a batch of
/// one). Returns each fault with its `times`.
pub fn parse_batch(value: &Value) -> Result<Vec<(Fault, u64)>, String> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![value],
        _ => return Err("expected a JSON array of fault objects".into()),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| parse_one(item).map_err(|e| format!("fault [{i}]: {e}")))
        .collect()
}

fn parse_one(value: &Value) -> Result<(Fault, u64), String> {
    let spec = Spec::deserialize(value).map_err(|e| e.to_string())?;
    let times = spec.times.unwrap_or(1);
    if !(1..=MAX_TIMES).contains(&times) {
        return Err(format!("times must be 1 to {MAX_TIMES}"));
    }
    let action = match spec.action {
        Some(a) => {
            let a = a.strip_prefix("GameLift.").unwrap_or(&a).to_string();
            if a.is_empty() {
                return Err("action must not be empty (leave it out to match any action)".into());
            }
            Some(a)
        }
        None => None,
    };
    let delay = match spec.delay_ms {
        Some(ms) if ms > MAX_DELAY_MS => {
            return Err(format!("delay_ms must be at most {MAX_DELAY_MS}"));
        }
        Some(ms) => Some(Duration::from_millis(ms)),
        None => None,
    };
    if let Some(status) = spec.status
        && !(200..=599).contains(&status)
    {
        return Err("status must be 200 to 599".into());
    }
    let drop = spec.drop.unwrap_or(false);
    let truncate = spec.truncate.unwrap_or(false);

    // Exactly one way of answering.
    let chosen: Vec<&str> = [
        ("error_type", spec.error_type.is_some()),
        ("body", spec.body.is_some()),
        ("oversize_bytes", spec.oversize_bytes.is_some()),
        ("drop", drop),
        ("omit_field", spec.omit_field.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    if chosen.len() > 1 {
        return Err(format!("{} cannot be combined", chosen.join(" and ")));
    }
    let only = |field: &str, set: bool, with: &str| -> Result<(), String> {
        if set && chosen.first() != Some(&with) {
            Err(format!("{field} needs {with}"))
        } else {
            Ok(())
        }
    };
    only("message", spec.message.is_some(), "error_type")?;
    only("error_in", spec.error_in.is_some(), "error_type")?;
    only("content_type", spec.content_type.is_some(), "body")?;
    if spec.status.is_some() && !chosen.is_empty() && !matches!(chosen[0], "error_type" | "body") {
        return Err(format!("status cannot be combined with {}", chosen[0]));
    }
    if truncate && (drop || spec.oversize_bytes.is_some()) {
        return Err("truncate cannot be combined with drop or oversize_bytes".into());
    }

    let kind = if let Some(code) = spec.error_type {
        if code.is_empty() || code.contains(['\r', '\n']) {
            return Err("error_type must be a non-empty single line".into());
        }
        Kind::Error {
            status: spec.status.unwrap_or(400),
            code,
            message: spec.message.unwrap_or_default(),
            error_in: spec.error_in.unwrap_or(ErrorIn::BodyType),
        }
    } else if let Some(body) = spec.body {
        let content_type = spec
            .content_type
            .unwrap_or_else(|| "application/x-amz-json-1.1".into());
        if content_type.contains(['\r', '\n']) {
            return Err("content_type must be a single line".into());
        }
        Kind::Raw {
            status: spec.status.unwrap_or(200),
            body,
            content_type,
        }
    } else if let Some(n) = spec.oversize_bytes {
        Kind::Oversize(n)
    } else if drop {
        Kind::Drop
    } else if let Some(status) = spec.status {
        // A bare status: that status with an empty body.
        Kind::Raw {
            status,
            body: String::new(),
            content_type: "application/x-amz-json-1.1".into(),
        }
    } else {
        if spec.omit_field.as_deref() == Some("") {
            return Err("omit_field must name a field".into());
        }
        Kind::Normal {
            omit_field: spec.omit_field,
        }
    };
    if kind == (Kind::Normal { omit_field: None }) && delay.is_none() && !truncate {
        return Err(
            "the fault does nothing: give error_type, body, status, delay_ms, \
                    truncate, oversize_bytes, drop or omit_field"
                .into(),
        );
    }
    Ok((
        Fault {
            action,
            delay,
            truncate,
            kind,
        },
        times,
    ))
}

struct Queued {
    fault: Fault,
    remaining: u64,
}

/// The FIFO of queued faults.
#[derive(Default)]
pub struct Queue {
    items: Mutex<VecDeque<Queued>>,
}

impl Queue {
    /// Appends a batch; returns the number of faults now queued.
    pub fn push(&self, batch: Vec<(Fault, u64)>) -> usize {
        let mut items = self.items.lock();
        items.extend(
            batch
                .into_iter()
                .map(|(fault, remaining)| Queued { fault, remaining }),
        );
        items.len()
    }

    /// Takes one use of the first queued fault that matches `action`.
    pub fn take(&self, action: &str) -> Option<Fault> {
        let mut items = self.items.lock();
        let i = items
            .iter()
            .position(|q| q.fault.action.as_deref().is_none_or(|a| a == action))?;
        let q = &mut items[i];
        q.remaining -= 1;
        let fault = q.fault.clone();
        if q.remaining == 0 {
            items.remove(i);
        }
        Some(fault)
    }

    /// The faults still queued: `[{"action", "fault", "remaining"}]`.
    pub fn list(&self) -> Value {
        let items = self.items.lock();
        Value::Array(
            items
                .iter()
                .map(|q| {
                    serde_json::json!({
                        "action": q.fault.action,
                        "fault": q.fault.describe(),
                        "remaining": q.remaining,
                    })
                })
                .collect(),
        )
    }

    /// Forgets every queued fault.
    pub fn clear(&self) {
        self.items.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(v: Value) -> Result<(Fault, u64), String> {
        parse_batch(&json!([v])).map(|mut b| b.remove(0))
    }

    #[test]
    fn parses_each_kind() {
        let (f, times) = one(json!({"action": "GetComputeAuthToken", "status": 500,
            "error_type": "InternalServiceException", "message": "boom", "times": 3}))
        .unwrap();
        assert_eq!(times, 3);
        assert_eq!(f.action.as_deref(), Some("GetComputeAuthToken"));
        assert_eq!(
            f.kind,
            Kind::Error {
                status: 500,
                code: "InternalServiceException".into(),
                message: "boom".into(),
                error_in: ErrorIn::BodyType
            }
        );
        let (f, _) =
            one(json!({"error_type": "ThrottlingException", "error_in": "header"})).unwrap();
        assert!(matches!(
            f.kind,
            Kind::Error {
                status: 400,
                error_in: ErrorIn::Header,
                ..
            }
        ));
        let (f, _) = one(json!({"error_in": "body_code", "error_type": "X"})).unwrap();
        assert!(matches!(
            f.kind,
            Kind::Error {
                error_in: ErrorIn::BodyCode,
                ..
            }
        ));
        let (f, _) =
            one(json!({"body": "<html>", "status": 502, "content_type": "text/html"})).unwrap();
        assert_eq!(
            f.kind,
            Kind::Raw {
                status: 502,
                body: "<html>".into(),
                content_type: "text/html".into()
            }
        );
        let (f, _) = one(json!({"body": "{}"})).unwrap();
        assert!(matches!(f.kind, Kind::Raw { status: 200, .. }));
        let (f, _) = one(json!({"status": 503})).unwrap();
        assert!(matches!(f.kind, Kind::Raw { status: 503, ref body, .. } if body.is_empty()));
        assert_eq!(
            one(json!({"oversize_bytes": 5_000_000})).unwrap().0.kind,
            Kind::Oversize(5_000_000)
        );
        assert_eq!(one(json!({"drop": true})).unwrap().0.kind, Kind::Drop);
        let (f, _) =
            one(json!({"omit_field": "AuthToken", "action": "GameLift.GetComputeAuthToken"}))
                .unwrap();
        assert_eq!(
            f.kind,
            Kind::Normal {
                omit_field: Some("AuthToken".into())
            }
        );
        assert_eq!(f.action.as_deref(), Some("GetComputeAuthToken"));
        let (f, _) = one(json!({"delay_ms": 250})).unwrap();
        assert_eq!(f.delay, Some(Duration::from_millis(250)));
        assert_eq!(f.kind, Kind::Normal { omit_field: None });
        let (f, _) = one(json!({"truncate": true, "delay_ms": 5, "error_type": "X"})).unwrap();
        assert!(f.truncate);
        assert_eq!(f.describe(), "delay_ms=5 error=400 X truncate");
        // A single object is a batch of one.
        assert_eq!(parse_batch(&json!({"drop": true})).unwrap().len(), 1);
        assert_eq!(parse_batch(&json!([])).unwrap().len(), 0);
    }

    #[test]
    fn refuses_nonsense_with_the_field_named() {
        let err = |v: Value| one(v).unwrap_err();
        assert!(err(json!({"dorp": true})).contains("unknown field `dorp`"));
        assert!(err(json!({"error_type": "X", "body": "{}"})).contains("error_type and body"));
        assert!(err(json!({"drop": true, "omit_field": "A"})).contains("drop and omit_field"));
        assert!(err(json!({"message": "m"})).contains("message needs error_type"));
        assert!(
            err(json!({"content_type": "a", "error_type": "X"}))
                .contains("content_type needs body")
        );
        assert!(err(json!({"status": 99})).contains("status"));
        assert!(err(json!({"status": 500, "drop": true})).contains("status cannot"));
        assert!(err(json!({"truncate": true, "drop": true})).contains("truncate"));
        assert!(err(json!({"times": 0, "drop": true})).contains("times"));
        assert!(err(json!({"delay_ms": 600_001})).contains("delay_ms"));
        assert!(err(json!({"action": "", "drop": true})).contains("action"));
        assert!(err(json!({"error_type": "A\r\nB"})).contains("error_type"));
        assert!(err(json!({"error_in": "footer", "error_type": "X"})).contains("footer"));
        assert!(err(json!({})).contains("does nothing"));
        assert!(err(json!({"drop": "yes"})).contains("invalid type"));
        assert!(parse_batch(&json!("drop")).is_err());
        assert_eq!(
            parse_batch(&json!([{"drop": true}, {"bad": 1}]))
                .unwrap_err()
                .split(':')
                .next(),
            Some("fault [1]")
        );
    }

    #[test]
    fn queue_is_fifo_per_action_and_counts_uses() {
        let q = Queue::default();
        let batch = parse_batch(&json!([
            {"action": "RegisterCompute", "drop": true},
            {"error_type": "A", "times": 2},
            {"action": "GetComputeAuthToken", "error_type": "B"},
        ]))
        .unwrap();
        assert_eq!(q.push(batch), 3);
        let code = |f: Option<Fault>| match f.map(|f| f.kind) {
            Some(Kind::Error { code, .. }) => code,
            Some(Kind::Drop) => "drop".into(),
            other => format!("{other:?}"),
        };
        assert_eq!(code(q.take("GetComputeAuthToken")), "A");
        assert_eq!(code(q.take("GetComputeAuthToken")), "A");
        assert_eq!(code(q.take("GetComputeAuthToken")), "B");
        assert_eq!(code(q.take("GetComputeAuthToken")), "None");
        assert_eq!(q.list()[0]["action"], "RegisterCompute");
        assert_eq!(q.list()[0]["remaining"], 1);
        assert_eq!(code(q.take("RegisterCompute")), "drop");
        assert_eq!(q.list(), json!([]));
        q.push(parse_batch(&json!([{"drop": true}])).unwrap());
        q.clear();
        assert!(q.take("X").is_none());
    }
}

//! The awsJson1_1 protocol: building requests and reading answers and errors.
//!
//! Error codes are read from `x-amzn-ErrorType`, else the body's `code`, else `__type`; cut at
//! the first `:` and then after the last `#`. The code decides the [`ErrorKind`] here, in
//! [`kind_of_code`]; whether to retry is decided in `retry`.

use crate::error::{Error, ErrorKind, Result};
use crate::transport::HttpResponse;
use serde::de::DeserializeOwned;

/// The awsJson1_1 content type.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Builds `POST /` for `action` (e.g. `GetComputeAuthToken`) with the JSON `body`.
pub fn request(endpoint: &str, target: &str, body: Vec<u8>) -> Result<http::Request<Vec<u8>>> {
    http::Request::post(endpoint)
        .header("content-type", CONTENT_TYPE)
        .header("x-amz-target", target)
        .body(body)
        .map_err(|e| Error::config(format!("the endpoint URL cannot be used: {e}")))
}

/// The normalized error code from the header or body (`aws#Foo:http://...` -> `Foo`).
pub fn error_code(header: Option<&str>, body: Option<&serde_json::Value>) -> Option<String> {
    let raw = header
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            let body = body?;
            ["code", "__type"]
                .iter()
                .find_map(|k| body.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
        })?;
    let cut = raw.split(':').next().unwrap_or("");
    let code = cut.rsplit('#').next().unwrap_or("").trim();
    (!code.is_empty()).then(|| code.to_owned())
}

/// The [`ErrorKind`] of a service error code (and HTTP status when there is no code).
pub fn kind_of_code(code: Option<&str>, status: u16) -> ErrorKind {
    match code {
        Some(
            "UnauthorizedException"
            | "AccessDeniedException"
            | "AccessDenied"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch"
            | "IncompleteSignatureException"
            | "IncompleteSignature"
            | "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "ExpiredTokenException"
            | "ExpiredToken"
            | "MissingAuthenticationTokenException"
            | "MissingAuthenticationToken"
            | "RequestExpired"
            | "RequestTimeTooSkewed"
            | "InvalidAccessKeyId",
        ) => ErrorKind::Unauthorized,
        Some("InvalidRequestException" | "ValidationException" | "SerializationException") => {
            ErrorKind::InvalidRequest
        }
        Some("NotFoundException") => ErrorKind::NotFound,
        Some("UnsupportedRegionException") => ErrorKind::UnsupportedRegion,
        Some("ConflictException") => ErrorKind::Conflict,
        Some("NotReadyException") => ErrorKind::NotReady,
        Some("LimitExceededException") => ErrorKind::LimitExceeded,
        Some(c) if is_throttle_code(c) => ErrorKind::Throttled,
        Some(_) => ErrorKind::Service,
        None => match status {
            401 | 403 => ErrorKind::Unauthorized,
            429 => ErrorKind::Throttled,
            _ => ErrorKind::Service,
        },
    }
}

/// Throttling codes the AWS SDKs know (besides `LimitExceededException`, kept apart).
pub fn is_throttle_code(code: &str) -> bool {
    matches!(
        code,
        "ThrottlingException"
            | "Throttling"
            | "ThrottledException"
            | "TooManyRequestsException"
            | "RequestLimitExceeded"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "SlowDown"
            | "ProvisionedThroughputExceededException"
            | "BandwidthLimitExceeded"
            | "EC2ThrottledException"
            | "PriorRequestNotComplete"
            | "TransactionInProgressException"
    )
}

fn hint(kind: ErrorKind, action: &str) -> String {
    match kind {
        ErrorKind::Unauthorized => format!(
            "check the access key, secret key and session token, that they allow gamelift:{action}, \
             that they have not expired, and the host's clock"
        ),
        ErrorKind::NotFound => "check the fleet id, compute name and region".into(),
        ErrorKind::InvalidRequest => "the service refused the input: check the values".into(),
        ErrorKind::UnsupportedRegion => {
            "use a region where the fleet exists (its home region or a location)".into()
        }
        ErrorKind::Throttled | ErrorKind::LimitExceeded => {
            "the account is over a request or resource limit: slow down and try again later".into()
        }
        ErrorKind::Conflict => "the compute is already registered differently".into(),
        ErrorKind::NotReady => "the fleet is not ready yet: try again in a little while".into(),
        _ => "try again later".into(),
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// A bad-signature message quotes the canonical request and the string to sign, which hold the
/// session token: keep only what comes before them.
fn without_signing_details(m: &str) -> &str {
    ["The Canonical String", "The String-to-Sign"]
        .iter()
        .filter_map(|marker| m.find(marker))
        .min()
        .map_or(m, |cut| m[..cut].trim_end())
}

/// Turns a non-2xx answer into an [`Error`] with code, message, request id and a hint.
pub fn service_error(action: &str, resp: &HttpResponse) -> Error {
    let body: Option<serde_json::Value> = serde_json::from_slice(&resp.body).ok();
    let code = error_code(resp.error_type.as_deref(), body.as_ref());
    let kind = kind_of_code(code.as_deref(), resp.status);
    let message = body
        .as_ref()
        .and_then(|b| {
            ["message", "Message"]
                .iter()
                .find_map(|k| b.get(*k).and_then(|v| v.as_str()))
        })
        .map(|m| clip(without_signing_details(m), 512));
    let text = match (&code, message) {
        (_, Some(m)) if !m.is_empty() => {
            let m = m.trim_end_matches(['.', ' ']);
            format!(
                "{action} failed (HTTP {}): {m}. What to do: {}",
                resp.status,
                hint(kind, action)
            )
        }
        (Some(c), _) if kind == ErrorKind::Service => format!(
            "{action} failed with the unexpected error type {c} (HTTP {}). What to do: {}",
            resp.status,
            hint(kind, action)
        ),
        _ => format!(
            "{action} failed (HTTP {}). What to do: {}",
            resp.status,
            hint(kind, action)
        ),
    };
    Error::service(kind, text, code, resp.request_id.clone()).with_http_status(resp.status)
}

/// Parses a 2xx body as `T`; anything else is a [`ErrorKind::BadResponse`] naming the action.
pub fn parse_success<T: DeserializeOwned>(action: &str, resp: &HttpResponse) -> Result<T> {
    serde_json::from_slice(&resp.body).map_err(|e| {
        let what = if e.is_eof() {
            "is cut off".to_owned()
        } else if e.is_data() {
            // serde's text for a wrong type quotes the value, which may be a secret: name only
            // a missing field, else the place.
            let text = e.to_string();
            match text.strip_prefix("missing field ") {
                Some(rest) => format!(
                    "lacks the field {}",
                    rest.split(" at line").next().unwrap_or(rest)
                ),
                None => format!(
                    "has a value of the wrong type (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            }
        } else {
            format!(
                "is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            )
        };
        Error::service(
            ErrorKind::BadResponse,
            format!("{action}: the service's answer {what}"),
            None,
            resp.request_id.clone(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn code_rules() {
        let b = json!({"__type": "com.amazonaws.gamelift#NotFoundException", "code": "Other"});
        assert_eq!(error_code(None, Some(&b)).as_deref(), Some("Other"));
        let b = json!({"__type": "com.amazonaws.gamelift#NotFoundException"});
        assert_eq!(
            error_code(None, Some(&b)).as_deref(),
            Some("NotFoundException")
        );
        assert_eq!(
            error_code(
                Some("aws.protocoltests#FooError:http://internal.amazon.com/"),
                Some(&b)
            )
            .as_deref(),
            Some("FooError")
        );
        assert_eq!(
            error_code(
                Some("FooError:http://internal.amazon.com/coral/com.amazon/"),
                None
            )
            .as_deref(),
            Some("FooError")
        );
        assert_eq!(error_code(None, Some(&json!({"message": "x"}))), None);
        assert_eq!(error_code(Some(""), None), None);
    }

    #[test]
    fn kinds() {
        assert_eq!(
            kind_of_code(Some("NotFoundException"), 400),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind_of_code(Some("ThrottlingException"), 400),
            ErrorKind::Throttled
        );
        assert_eq!(
            kind_of_code(Some("LimitExceededException"), 400),
            ErrorKind::LimitExceeded
        );
        assert_eq!(kind_of_code(Some("Weird"), 400), ErrorKind::Service);
        assert_eq!(kind_of_code(None, 429), ErrorKind::Throttled);
        assert_eq!(kind_of_code(None, 403), ErrorKind::Unauthorized);
        assert_eq!(kind_of_code(None, 503), ErrorKind::Service);
    }

    #[test]
    fn signing_details_and_wrong_typed_values_are_not_quoted() {
        let resp = HttpResponse {
            status: 400,
            request_id: None,
            error_type: None,
            date: None,
            body: serde_json::to_vec(&json!({"__type": "InvalidSignatureException",
                "message": "The request signature we calculated does not match.\n\nThe Canonical String for this request should have been\n'POST\nx-amz-security-token:SESSIONSECRET\n'"}))
            .unwrap(),
        };
        let text = service_error("GetComputeAuthToken", &resp).to_string();
        assert!(!text.contains("SESSIONSECRET"), "{text}");
        assert!(text.contains("does not match"), "{text}");

        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Out {
            n: f64,
        }
        let resp = HttpResponse {
            status: 200,
            request_id: None,
            error_type: None,
            date: None,
            body: br#"{"n":"TOKENSECRET"}"#.to_vec(),
        };
        let text = parse_success::<Out>("X", &resp).unwrap_err().to_string();
        assert!(!text.contains("TOKENSECRET"), "{text}");
        let resp = HttpResponse {
            body: b"{}".to_vec(),
            ..resp
        };
        let text = parse_success::<Out>("X", &resp).unwrap_err().to_string();
        assert!(text.contains("lacks the field `n`"), "{text}");
    }

    #[test]
    fn error_text_has_code_message_and_request_id() {
        let resp = HttpResponse {
            status: 400,
            request_id: Some("req-123".into()),
            error_type: None,
            date: None,
            body: br#"{"__type":"NotFoundException","message":"No such fleet"}"#.to_vec(),
        };
        let e = service_error("GetComputeAuthToken", &resp);
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let text = e.to_string();
        assert!(text.contains("No such fleet"), "{text}");
        assert!(text.contains("NotFoundException"), "{text}");
        assert!(text.contains("req-123"), "{text}");
    }
}

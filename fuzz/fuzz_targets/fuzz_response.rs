//! The awsJson1_1 answer parsers: `protocol::service_error` (error bodies with the
//! `x-amzn-ErrorType` header) and `protocol::parse_success` for the shapes of the library's
//! outputs (GetComputeAuthToken, RequestUploadCredentials, RegisterCompute/DescribeCompute).
//!
//! Input: byte 0 picks the HTTP status, then the `x-amzn-ErrorType` header up to the first
//! `\n` (absent when empty), then the body.
//!
//! Checks: no panic; the error's kind is the one `kind_of_code` gives for the code read from the
//! header or body; the message is never empty; a success parse never panics on any body.
#![no_main]

use gamelift_auth::protocol::{error_code, kind_of_code, parse_success, service_error};
use gamelift_auth::transport::HttpResponse;
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

const STATUSES: [u16; 12] = [200, 204, 400, 401, 403, 404, 409, 413, 429, 500, 502, 503];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct TokenOutput {
    auth_token: Option<String>,
    expiration_timestamp: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct UploadOutput {
    upload_credentials: Option<UploadCredentials>,
    storage_location: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct UploadCredentials {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct ComputeOutput {
    compute: Option<gamelift_auth::Compute>,
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let status = STATUSES[usize::from(selector) % STATUSES.len()];
    let (header, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&[][..], rest),
    };
    let header = (!header.is_empty()).then(|| String::from_utf8_lossy(header).into_owned());
    let resp = HttpResponse {
        status,
        request_id: Some("00000000-0000-4000-8000-000000000000".to_owned()),
        error_type: header.clone(),
        date: None,
        body: body.to_vec(),
    };

    let e = service_error("GetComputeAuthToken", &resp);
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let code = error_code(header.as_deref(), json.as_ref());
    assert_eq!(e.kind(), kind_of_code(code.as_deref(), status));
    assert_eq!(e.code(), code.as_deref());
    assert!(!e.message().is_empty());
    assert!(!e.to_string().is_empty());
    assert_eq!(e.http_status(), Some(status));

    for result in [
        parse_success::<TokenOutput>("GetComputeAuthToken", &resp).map(|_| ()),
        parse_success::<UploadOutput>("RequestUploadCredentials", &resp).map(|_| ()),
        parse_success::<ComputeOutput>("DescribeCompute", &resp).map(|_| ()),
        parse_success::<serde_json::Value>("DeregisterCompute", &resp).map(|_| ()),
    ] {
        if let Err(e) = result {
            assert_eq!(e.kind(), gamelift_auth::ErrorKind::BadResponse);
            assert!(!e.to_string().is_empty());
        }
    }
});

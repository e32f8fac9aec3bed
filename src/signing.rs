//! SigV4 through aws-sigv4, with a clock offset learnt from the service's `Date` header.

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

/// The signing name of GameLift.
pub const SERVICE: &str = "gamelift";

/// Credentials in the form aws-sigv4 signs with, built once per credential set.
#[derive(Debug)]
pub struct SigningIdentity {
    identity: Identity,
    access_key_id: String,
    /// When the credentials expire, if they do.
    pub expiry: Option<SystemTime>,
}

impl SigningIdentity {
    /// Converts our credentials (the secret is copied into aws-credential-types' zeroizing store).
    pub fn new(c: &Credentials) -> Self {
        let creds = aws_credential_types::Credentials::new(
            c.access_key_id.clone(),
            c.secret_access_key.expose().to_owned(),
            c.session_token.as_ref().map(|t| t.expose().to_owned()),
            c.expiry,
            "gamelift-auth",
        );
        SigningIdentity {
            identity: creds.into(),
            access_key_id: c.access_key_id.clone(),
            expiry: c.expiry,
        }
    }

    /// Removes the secret key and session token from `e`'s message, should a service message
    /// have quoted them back.
    pub fn redact(&self, e: &mut Error) {
        if let Some(c) = self.identity.data::<aws_credential_types::Credentials>() {
            e.redact(c.secret_access_key());
            if let Some(t) = c.session_token() {
                e.redact(t);
            }
        }
    }

    /// True when `c` are the credentials this identity was built from.
    pub fn matches(&self, c: &Credentials) -> bool {
        let Some(mine) = self.identity.data::<aws_credential_types::Credentials>() else {
            return false;
        };
        self.access_key_id == c.access_key_id
            && self.expiry == c.expiry
            && mine.secret_access_key() == c.secret_access_key.expose()
            && mine.session_token() == c.session_token.as_ref().map(|t| t.expose())
    }
}

/// The difference between the service's clock and ours, in milliseconds (service - local).
#[derive(Debug, Default)]
pub struct ClockOffset(AtomicI64);

impl ClockOffset {
    /// The service's time now, as far as we know it.
    pub fn now(&self) -> SystemTime {
        let off = self.0.load(Ordering::Relaxed);
        let now = SystemTime::now();
        if off >= 0 {
            now + Duration::from_millis(off as u64)
        } else {
            now - Duration::from_millis(off.unsigned_abs())
        }
    }

    /// The offset in milliseconds (service - local).
    pub fn millis(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Learns the offset from a response's `Date` header (RFC 1123). Returns false when the header
    /// is missing or not a date.
    pub fn correct_from_date_header(&self, date: Option<&str>) -> bool {
        let Some(server) = date.and_then(|d| httpdate::parse_http_date(d).ok()) else {
            return false;
        };
        let local = SystemTime::now();
        let off = match server.duration_since(local) {
            Ok(ahead) => ahead.as_millis() as i64,
            Err(behind) => -(behind.duration().as_millis() as i64),
        };
        self.0.store(off, Ordering::Relaxed);
        true
    }
}

/// Signs `request` in place: adds `x-amz-date`, `authorization` and, for temporary credentials,
/// `x-amz-security-token`. Signs `host` (from the URI), every header already on the request, and
/// the SHA-256 of the exact body bytes.
pub fn sign_request(
    request: &mut http::Request<Vec<u8>>,
    identity: &SigningIdentity,
    region: &str,
    time: SystemTime,
) -> Result<()> {
    sign_request_for(SERVICE, request, identity, region, time)
}

/// [`sign_request`] for another service's signing name (`sts` for the credential sources).
pub fn sign_request_for<B: AsRef<[u8]>>(
    service: &str,
    request: &mut http::Request<B>,
    identity: &SigningIdentity,
    region: &str,
    time: SystemTime,
) -> Result<()> {
    let settings = SigningSettings::default();
    let params = SigningParams::builder()
        .identity(&identity.identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| Error::internal(format!("signing parameters: {e}")))?
        .into();
    let uri = request.uri().to_string();
    let headers = request
        .headers()
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)));
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri,
        headers,
        SignableBody::Bytes(request.body().as_ref()),
    )
    .map_err(|e| Error::internal(format!("cannot sign the {service} request: {e}")))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| Error::internal(format!("cannot sign the {service} request: {e}")))?
        .into_parts();
    instructions.apply_to_request_http1x(request);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn signs_host_date_target_and_token() {
        let creds = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: Secret::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: Some(Secret::from("session-token")),
            expiry: None,
            source: "test".into(),
        };
        let id = SigningIdentity::new(&creds);
        let mut req = http::Request::post("http://127.0.0.1:8080/")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "GameLift.GetComputeAuthToken")
            .body(b"{}".to_vec())
            .unwrap();
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        sign_request(&mut req, &id, "us-west-2", t).unwrap();
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-west-2/gamelift/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="
        ), "{auth}");
        assert_eq!(req.headers()["x-amz-date"], "20231114T221320Z");
        assert_eq!(req.headers()["x-amz-security-token"], "session-token");
    }

    #[test]
    fn offset_from_date_header() {
        let c = ClockOffset::default();
        let ahead = SystemTime::now() + Duration::from_secs(1200);
        assert!(c.correct_from_date_header(Some(&httpdate::fmt_http_date(ahead))));
        assert!((c.millis() - 1_200_000).abs() < 2_000, "{}", c.millis());
        assert!(!c.correct_from_date_header(Some("yesterday")));
        assert!(!c.correct_from_date_header(None));
    }
}

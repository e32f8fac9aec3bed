//! AWS credentials: the types, the provider chain, and the cache in front of it.
//!
//! Sources, in the AWS SDKs' order: explicit (set on the config, `static_.rs`), environment
//! (`env.rs`), the shared config/credentials profile (`profile.rs`: static keys,
//! `credential_process` in `process.rs`, `role_arn` with `source_profile`/`credential_source` in
//! `assume_role.rs`, `web_identity_token_file`), web identity from the environment
//! (`web_identity.rs`), the container endpoint (`container.rs`) and EC2 instance metadata
//! (`imds.rs`). STS calls live in `sts.rs`, the HTTP the network sources share in `http.rs`.
//! `chain.rs` asks the sources in order and `cache.rs` keeps the answer until shortly before it
//! expires ([`Config::resolve`](crate::config::Config::resolve) puts them together). A provider
//! answers `Ok(None)` when it is not configured (the chain goes on), `Ok(Some(_))` with
//! credentials, or `Err(_)` when it is configured but failed (the chain stops: a broken source is
//! reported, not skipped).

use crate::error::Result;
use crate::secret::Secret;
use std::fmt;
use std::time::{Instant, SystemTime};

/// A set of AWS credentials. The secret parts are [`Secret`]s.
#[derive(Clone)]
pub struct Credentials {
    /// The access key id (not secret).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token of temporary credentials.
    pub session_token: Option<Secret>,
    /// When temporary credentials expire; `None` for long-term keys.
    pub expiry: Option<SystemTime>,
    /// Which source gave them ("environment", "profile default", ...), for messages.
    pub source: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiry", &self.expiry)
            .field("source", &self.source)
            .finish()
    }
}

/// What a provider may use while it works.
pub struct ProvideContext<'a> {
    /// The environment the configuration was resolved from.
    pub env: &'a crate::env::Env,
    /// The call's deadline: a provider must not block past it.
    pub deadline: Instant,
}

/// One source of credentials.
pub trait Provider: Send + Sync + fmt::Debug {
    /// A short name for messages ("environment", "credential_process of profile x").
    fn name(&self) -> String;
    /// `Ok(None)`: not configured here; `Ok(Some)`: credentials; `Err`: configured but failed.
    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>>;
}

mod assume_role;
mod cache;
mod chain;
mod container;
mod env;
mod http;
mod imds;
mod process;
mod profile;
mod static_;
mod sts;
mod web_identity;

pub use assume_role::AssumeRoleProvider;
pub use cache::{CredentialsCache, REFRESH_WINDOW};
pub use chain::ChainProvider;
pub use container::ContainerProvider;
pub use env::EnvironmentProvider;
pub use http::CredentialHttp;
pub use imds::ImdsProvider;
pub use process::ProcessProvider;
pub use profile::{MAX_CHAIN, ProfileProvider};
pub use static_::StaticProvider;
pub use sts::{RoleSettings, StsClient};
pub use web_identity::{WebIdentityProvider, WebIdentitySettings};

/// Reads a small file that holds a secret (a token) into a [`Secret`]. The error text completes
/// "the ... file <path> ..." and never quotes the content.
pub(crate) fn read_secret_file(path: &std::path::Path, max: usize) -> Result<Secret, String> {
    use std::io::Read;
    use zeroize::Zeroizing;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    // Reserved up front so that no reallocation leaves an unwiped copy behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(max + 1));
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() > max {
        return Err(format!("is larger than {} KiB", max / 1024));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| "is not UTF-8 text".to_owned())?;
    Ok(Secret::from(text))
}

/// The JSON credentials of the container endpoint and EC2 instance metadata:
/// `{"Code": "Success", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (`Code`
/// optional; `Token` optional; `Expiration` optional unless `expiration_required`). The error
/// text completes "... answered ..." and never quotes a value but `Code` and `Expiration`.
pub(crate) fn json_credentials(
    body: &[u8],
    expiration_required: bool,
) -> Result<Credentials, String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Answer {
        code: Option<String>,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        token: Option<String>,
        expiration: Option<String>,
    }
    // serde's messages may quote a value (a secret): report only where it went wrong.
    let answer: Answer = serde_json::from_slice(body).map_err(|e| {
        format!(
            "a body that is not the expected JSON object (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let secret = answer.secret_access_key.map(Secret::new);
    let token = answer.token.map(Secret::new);
    if let Some(code) = answer.code.filter(|c| c != "Success") {
        return Err(format!("Code '{}' instead of Success", excerpt(&code)));
    }
    let access_key_id = answer
        .access_key_id
        .filter(|id| !id.is_empty())
        .ok_or("JSON without AccessKeyId")?;
    let secret_access_key = secret
        .filter(|s| !s.is_empty())
        .ok_or("JSON without SecretAccessKey")?;
    let expiry = match answer.expiration.as_deref() {
        None if expiration_required => return Err("JSON without Expiration".to_owned()),
        None => None,
        Some(text) => Some(parse_rfc3339(text).ok_or_else(|| {
            format!(
                "an Expiration that is not an RFC 3339 time: '{}'",
                excerpt(text)
            )
        })?),
    };
    Ok(Credentials {
        access_key_id,
        secret_access_key,
        session_token: token.filter(|t| !t.is_empty()),
        expiry,
        source: String::new(),
    })
}

/// Parses an RFC 3339 time (`2024-05-01T12:00:00Z`, `...+02:00`, fractional seconds allowed),
/// as credential sources write expirations.
pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(SystemTime::from)
}

/// A short, printable excerpt of a non-secret value for a message.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 64;
    let mut out: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().count() > MAX {
        out.push_str("...");
    }
    out
}

/// Helpers shared by the providers' tests.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::Path;
    use std::time::{SystemTime, UNIX_EPOCH};

    /// Writes an executable `#!/bin/sh` script and returns the command line that runs it.
    #[cfg(unix)]
    pub fn script(dir: &Path, name: &str, body: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        format!("'{}'", path.display())
    }

    /// `t` as RFC 3339 UTC, whole seconds.
    pub fn rfc3339(t: SystemTime) -> String {
        let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        let d = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year(),
            d.month() as u8,
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    }

    /// Lines in a file a test script appends to (0 when absent).
    pub fn count_lines(path: &Path) -> usize {
        std::fs::read_to_string(path)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn rfc3339_test_formatter_round_trips() {
        let t = UNIX_EPOCH + Duration::from_secs(1_714_564_800);
        assert_eq!(test_support::rfc3339(t), "2024-05-01T12:00:00Z");
        assert_eq!(parse_rfc3339(&test_support::rfc3339(t)), Some(t));
    }

    #[test]
    fn rfc3339() {
        let at = |s| parse_rfc3339(s).map(|t| t.duration_since(UNIX_EPOCH).unwrap());
        assert_eq!(
            at("2024-05-01T12:00:00Z"),
            Some(Duration::from_secs(1_714_564_800))
        );
        assert_eq!(
            at("2024-05-01T14:00:00+02:00"),
            Some(Duration::from_secs(1_714_564_800))
        );
        assert_eq!(
            at("2024-05-01t12:00:00z"),
            Some(Duration::from_secs(1_714_564_800))
        );
        assert_eq!(
            at("2024-05-01T12:00:00.250Z"),
            Some(Duration::from_millis(1_714_564_800_250))
        );
        for bad in [
            "",
            "2024-05-01",
            "2024-05-01 12:00",
            "2024-13-01T00:00:00Z",
            "1714564800",
            "2024-02-30T00:00:00Z",
            "2024-05-01T12:00:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn json_credentials_parse_and_never_quote_secrets() {
        let good = br#"{"Code": "Success", "AccessKeyId": "ASIA", "SecretAccessKey": "JSONSECRET",
            "Token": "JSONTOKEN", "Expiration": "2030-01-01T00:00:00Z", "Type": "AWS-HMAC"}"#;
        let c = json_credentials(good, true).unwrap();
        assert_eq!(c.access_key_id, "ASIA");
        assert_eq!(c.secret_access_key.expose(), "JSONSECRET");
        assert_eq!(
            c.session_token.as_ref().map(Secret::expose),
            Some("JSONTOKEN")
        );
        assert_eq!(c.expiry, parse_rfc3339("2030-01-01T00:00:00Z"));
        let plain = br#"{"AccessKeyId": "A", "SecretAccessKey": "JSONSECRET"}"#;
        let c = json_credentials(plain, false).unwrap();
        assert!(c.expiry.is_none() && c.session_token.is_none());
        let cases: &[(&[u8], &str)] = &[
            (plain, "without Expiration"),
            (
                b"JSONSECRET",
                "not the expected JSON object (line 1, column 1)",
            ),
            (
                br#"{"AccessKeyId": "A", "SecretAccessKey": ["JSONSECRET"]}"#,
                "not the expected",
            ),
            (
                br#"{"Code": "Failed", "SecretAccessKey": "JSONSECRET"}"#,
                "Code 'Failed'",
            ),
            (
                br#"{"SecretAccessKey": "JSONSECRET"}"#,
                "without AccessKeyId",
            ),
            (
                br#"{"AccessKeyId": "A", "Expiration": "x"}"#,
                "without SecretAccessKey",
            ),
            (
                br#"{"AccessKeyId": "A", "SecretAccessKey": "JSONSECRET", "Expiration": "soon"}"#,
                "Expiration that is not an RFC 3339 time: 'soon'",
            ),
        ];
        for (body, want) in cases {
            let why = json_credentials(body, true).unwrap_err();
            assert!(why.contains(want), "{why}");
            assert!(!why.contains("JSONSECRET"), "{why}");
        }
    }

    #[test]
    fn secret_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, "FILETOKEN").unwrap();
        assert_eq!(read_secret_file(&path, 16).unwrap().expose(), "FILETOKEN");
        std::fs::write(&path, "x".repeat(2049)).unwrap();
        assert_eq!(
            read_secret_file(&path, 2048).unwrap_err(),
            "is larger than 2 KiB"
        );
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert_eq!(
            read_secret_file(&path, 16).unwrap_err(),
            "is not UTF-8 text"
        );
        let err = read_secret_file(&dir.path().join("none"), 16).unwrap_err();
        assert!(err.starts_with("cannot be read: "), "{err}");
    }

    #[test]
    fn excerpt_is_short_and_printable() {
        assert_eq!(excerpt("a\nb"), "a?b");
        assert_eq!(excerpt(&"x".repeat(100)).len(), 67);
    }
}

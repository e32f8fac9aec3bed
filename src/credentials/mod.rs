//! AWS credentials: the types, the provider chain, and the cache in front of it.
//!
//! Sources, in the AWS SDKs' order: explicit (set on the config, `static_.rs`), environment
//! (`env.rs`), the shared config/credentials profile (static keys, `profile.rs`, or
//! `credential_process`, `process.rs`), ... Each source lives in its own file; `chain.rs` asks
//! them in order and `cache.rs` keeps the answer until shortly before it expires
//! ([`Config::resolve`](crate::config::Config::resolve) puts them together). A provider answers `Ok(None)` when it is not configured (the chain goes on),
//! `Ok(Some(_))` with credentials, or `Err(_)` when it is configured but failed (the chain stops:
//! a broken source is reported, not skipped).

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

mod cache;
mod chain;
mod env;
mod process;
mod profile;
mod static_;

pub use cache::{CredentialsCache, REFRESH_WINDOW};
pub use chain::ChainProvider;
pub use env::EnvironmentProvider;
pub use process::ProcessProvider;
pub use profile::ProfileProvider;
pub use static_::StaticProvider;

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
    fn excerpt_is_short_and_printable() {
        assert_eq!(excerpt("a\nb"), "a?b");
        assert_eq!(excerpt(&"x".repeat(100)).len(), 67);
    }
}

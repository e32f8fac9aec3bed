//! AWS credentials: the types, the provider chain, and the cache in front of it.
//!
//! Sources, in the AWS SDKs' order: explicit (set on the config), environment, the shared
//! config/credentials profile (static keys or `credential_process`), ... Each source lives in
//! its own file. A provider answers `Ok(None)` when it is not configured (the chain goes on),
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

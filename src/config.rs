//! Settings and their resolution from the standard AWS sources.
//!
//! [`Config`] holds what the caller set explicitly; [`Config::resolve`] fills every unset value
//! from the environment and the shared config/credentials files in the AWS SDKs' precedence and
//! checks it, giving a [`Resolved`] configuration that a client uses for its whole life.

use crate::credentials::{Credentials, Provider};
use crate::env::Env;
use crate::error::{Error, Result};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Default deadline of one call, retries included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(10_000);
/// Default number of attempts (1 = no retry).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Default minimum remaining validity of a cached token.
pub const DEFAULT_MIN_VALIDITY: Duration = Duration::from_secs(900);

/// What the caller set explicitly; everything else comes from the environment at resolution.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where environment variables are read from.
    pub env: Env,
    /// Explicit region.
    pub region: Option<String>,
    /// Explicit endpoint URL (already checked by [`check_endpoint_url`]).
    pub endpoint: Option<String>,
    /// Explicit profile name.
    pub profile: Option<String>,
    /// Explicit static credentials.
    pub credentials: Option<Credentials>,
    /// Deadline of one call, retries included.
    pub timeout: Duration,
    /// Attempts per call (>= 1).
    pub max_attempts: u32,
    /// Minimum remaining validity of a cached token.
    pub min_validity: Duration,
    /// Directory of the cross-process token cache; `None` = off.
    pub cache_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config::with_env(Env::Process)
    }
}

impl Config {
    /// A configuration that resolves from the process environment.
    pub fn new() -> Self {
        Config::default()
    }

    /// A configuration that resolves from `env`.
    pub fn with_env(env: Env) -> Self {
        Config {
            env,
            region: None,
            endpoint: None,
            profile: None,
            credentials: None,
            timeout: DEFAULT_TIMEOUT,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            min_validity: DEFAULT_MIN_VALIDITY,
            cache_dir: None,
        }
    }
}

/// A fully resolved configuration: every value known and checked.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The signing region, e.g. `us-west-2`.
    pub region: String,
    /// The endpoint URL without trailing slash, e.g. `https://gamelift.us-west-2.amazonaws.com`.
    pub endpoint: String,
    /// Where the endpoint came from ("AWS_ENDPOINT_URL_GAMELIFT", "default", ...), for messages.
    pub endpoint_source: String,
    /// The credential chain to use.
    pub credentials: Arc<dyn Provider>,
    /// The environment (for providers and the transport).
    pub env: Env,
    /// Deadline of one call.
    pub timeout: Duration,
    /// Attempts per call.
    pub max_attempts: u32,
    /// Minimum remaining validity of a cached token.
    pub min_validity: Duration,
    /// Cross-process cache directory.
    pub cache_dir: Option<PathBuf>,
    /// PEM bundle of extra root certificates (`AWS_CA_BUNDLE` or the profile's `ca_bundle`).
    pub ca_bundle: Option<PathBuf>,
}

/// Checks an endpoint URL: `https://host[:port][/]`, or `http://` only for a loopback host
/// (`127.0.0.0/8`, `::1`, `localhost`). Returns it without a trailing slash.
pub fn check_endpoint_url(url: &str) -> Result<String> {
    let _ = url;
    Err(Error::invalid_argument("not implemented"))
}

/// Checks a region name (`us-west-2`, `cn-north-1`, ...): 1-64 of `[a-z0-9-]`.
pub fn check_region(region: &str) -> Result<()> {
    let _ = region;
    Err(Error::invalid_argument("not implemented"))
}

impl Config {
    /// Resolves every unset value from the environment and the shared files.
    pub fn resolve(&self) -> Result<Resolved> {
        Err(Error::config("not implemented"))
    }
}

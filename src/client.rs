//! The client: a resolved configuration, one transport, the signing clock, the token cache.
//!
//! A [`Client`] is internally synchronized: share it between threads freely. Each call has a
//! deadline of `timeout` from its start, retries included.

use crate::config::{Config, Resolved};
use crate::credentials::{Credentials, ProvideContext};
use crate::error::{Error, ErrorKind, Result};
use crate::protocol;
use crate::retry::{self, Failed};
use crate::signing::{ClockOffset, SigningIdentity, sign_request};
use crate::token_cache::TokenCache;
use crate::transport::{HttpResponse, Transport, is_loopback_host};
use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroize;

/// A GameLift client for one region and endpoint.
pub struct Client {
    pub(crate) cfg: Resolved,
    transport: Transport,
    needs_dns: bool,
    pub(crate) clock: ClockOffset,
    identity: Mutex<Option<Arc<SigningIdentity>>>,
    pub(crate) tokens: TokenCache,
    /// The cross-process token cache, when a cache directory is configured.
    pub(crate) shared: Option<crate::shared_cache::SharedCache>,
    /// (fleet, compute, GameLiftServiceSdkEndpoint), learnt from DescribeCompute.
    pub(crate) sdk_endpoints: Mutex<Vec<(String, String, String)>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("region", &self.cfg.region)
            .field("endpoint", &self.cfg.endpoint)
            .finish_non_exhaustive()
    }
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.starts_with('[') {
        return authority.split(']').next().map_or("", |h| &h[1..]);
    }
    authority.split(':').next().unwrap_or("")
}

impl Client {
    /// Resolves `config` and builds a client. Fails with `Config` for a missing region, an
    /// unknown profile or a bad file; credentials are looked up at the first request.
    pub fn new(config: &Config) -> Result<Self> {
        let cfg = config.resolve()?;
        Client::from_resolved(cfg)
    }

    /// Builds a client from an already resolved configuration.
    pub fn from_resolved(cfg: Resolved) -> Result<Self> {
        let transport = Transport::new(&cfg.endpoint, &cfg.env, cfg.ca_bundle.as_deref())?;
        let host = host_of(&cfg.endpoint);
        let needs_dns = host.parse::<std::net::IpAddr>().is_err();
        let shared = match &cfg.cache_dir {
            Some(dir) => Some(crate::shared_cache::SharedCache::open(dir)?),
            None => None,
        };
        crate::log_debug!(
            "client for region {} at {} ({})",
            cfg.region,
            cfg.endpoint,
            cfg.endpoint_source
        );
        Ok(Client {
            needs_dns,
            transport,
            clock: ClockOffset::default(),
            identity: Mutex::new(None),
            tokens: TokenCache::new(),
            sdk_endpoints: Mutex::new(Vec::new()),
            shared,
            cfg,
        })
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.cfg.region
    }

    /// The endpoint URL requests go to.
    pub fn endpoint(&self) -> &str {
        &self.cfg.endpoint
    }

    /// True when the endpoint is on this machine (plain http is allowed only then).
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(host_of(&self.cfg.endpoint))
    }

    /// The deadline of a call starting now.
    pub(crate) fn deadline(&self) -> Instant {
        Instant::now() + self.cfg.timeout
    }

    /// The credentials to sign with, from the chain (which caches temporary ones).
    fn signing_identity(&self, deadline: Instant) -> Result<Arc<SigningIdentity>> {
        let ctx = ProvideContext {
            env: &self.cfg.env,
            deadline,
        };
        let creds: Credentials = self.cfg.credentials.provide(&ctx)?.ok_or_else(|| {
            Error::credentials(format!(
                "no AWS credentials found (tried {}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
                 a profile, or explicit credentials",
                self.cfg.credentials.name()
            ))
        })?;
        let mut slot = self.identity.lock();
        if let Some(id) = slot.as_ref()
            && id.matches(&creds)
        {
            return Ok(id.clone());
        }
        let id = Arc::new(SigningIdentity::new(&creds));
        *slot = Some(id.clone());
        Ok(id)
    }

    /// Sends `action` with `input`, signed, with retries, and parses the answer as `T`.
    ///
    /// `wipe` zeroes the response body after parsing (for answers that carry secrets).
    pub(crate) fn call<I: Serialize, T: DeserializeOwned>(
        &self,
        action: &'static str,
        target: &'static str,
        input: &I,
        deadline: Instant,
        wipe: bool,
    ) -> Result<T> {
        let body = serde_json::to_vec(input)
            .map_err(|e| Error::internal(format!("{action}: cannot encode the request: {e}")))?;
        let identity = self
            .signing_identity(deadline)
            .map_err(|e| e.context(action))?;
        let result = retry::run(
            action,
            self.cfg.max_attempts,
            deadline,
            &self.clock,
            |attempt| {
                let mut req = protocol::request(&self.cfg.endpoint, target, body.clone())?;
                sign_request(&mut req, &identity, &self.cfg.region, self.clock.now())?;
                crate::log_trace!("{action}: attempt {attempt} to {}", self.cfg.endpoint);
                let mut resp: HttpResponse = self
                    .transport
                    .send(req, deadline, self.needs_dns)
                    .map_err(|e| Failed::from(e.context(action)))?;
                let result = if (200..300).contains(&resp.status) {
                    protocol::parse_success::<T>(action, &resp).map_err(Failed::from)
                } else {
                    Err(Failed {
                        error: protocol::service_error(action, &resp),
                        server_date: resp.date.take(),
                    })
                };
                if wipe {
                    resp.body.zeroize();
                }
                result
            },
        );
        result.map_err(|mut e| {
            identity.redact(&mut e);
            self.tokens.for_each_token(|t| e.redact(t));
            e
        })
    }

    /// The per-call deadline as configured.
    pub fn timeout(&self) -> Duration {
        self.cfg.timeout
    }

    /// Attempts per call as configured.
    pub fn max_attempts(&self) -> u32 {
        self.cfg.max_attempts
    }

    /// The error for arguments refused before any request, with the action named.
    pub(crate) fn refuse(action: &str, e: Error) -> Error {
        debug_assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        e.context(action)
    }
}

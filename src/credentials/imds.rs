//! EC2 instance metadata, version 2 only: a session token from `PUT /latest/api/token`, then the
//! instance profile's role name and its credentials from
//! `/latest/meta-data/iam/security-credentials/`.
//!
//! `AWS_EC2_METADATA_DISABLED=true` turns it off. The endpoint is
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`, or `http://[fd00:ec2::254]`
//! with `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`. Each phase may take [`PHASE_TIMEOUT`]
//! (bounded by the call's deadline), so that a host off EC2 does not wait long; when nothing
//! answers the token request, the provider remembers it for its whole life and answers "not
//! configured" at once from then on. IMDSv1 (no token) is not used.

use super::http::{CredentialHttp, SendError};
use super::{Credentials, ProvideContext, Provider, json_credentials};
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const DISABLED: &str = "AWS_EC2_METADATA_DISABLED";
const ENDPOINT: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
const ENDPOINT_MODE: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
const IPV4_ENDPOINT: &str = "http://169.254.169.254";
const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";
const TOKEN_PATH: &str = "/latest/api/token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";
/// Lifetime asked for the session token (the SDKs' 6 hours).
const TOKEN_TTL: &str = "21600";

/// Longest wait for one phase (connect, send, answer) of an IMDS request.
pub const PHASE_TIMEOUT: Duration = Duration::from_secs(1);

/// Credentials of the EC2 instance profile (put a cache in front).
#[derive(Debug)]
pub struct ImdsProvider {
    http: Arc<CredentialHttp>,
    /// Set once nothing answered at the endpoint: not on EC2.
    unreachable: AtomicBool,
}

/// The endpoint configured in `env`, without a trailing slash.
pub(crate) fn endpoint(env: &crate::env::Env) -> Result<String> {
    if let Some(url) = env.get(ENDPOINT) {
        let parsed: http::Uri = url
            .parse()
            .map_err(|_| Error::config(format!("{ENDPOINT} is not a valid URL")))?;
        let scheme_ok = matches!(parsed.scheme_str(), Some("http" | "https"));
        let bare = parsed.path_and_query().is_none_or(|p| p.as_str() == "/");
        if !scheme_ok || parsed.host().is_none() || !bare {
            return Err(Error::config(format!(
                "{ENDPOINT} must be http://host[:port] (like http://169.254.169.254)"
            )));
        }
        return Ok(url.trim_end_matches('/').to_owned());
    }
    match env.get(ENDPOINT_MODE) {
        None => Ok(IPV4_ENDPOINT.to_owned()),
        Some(mode) if mode.eq_ignore_ascii_case("ipv4") => Ok(IPV4_ENDPOINT.to_owned()),
        Some(mode) if mode.eq_ignore_ascii_case("ipv6") => Ok(IPV6_ENDPOINT.to_owned()),
        Some(mode) => Err(Error::config(format!(
            "{ENDPOINT_MODE} must be IPv4 or IPv6, not '{}'",
            super::excerpt(&mode)
        ))),
    }
}

impl ImdsProvider {
    /// The provider, sending through `http`.
    pub fn new(http: Arc<CredentialHttp>) -> Self {
        ImdsProvider {
            http,
            unreachable: AtomicBool::new(false),
        }
    }

    /// True once the provider found nothing at the endpoint (it will not ask again).
    pub fn known_unreachable(&self) -> bool {
        self.unreachable.load(Ordering::Relaxed)
    }

    fn fail(&self, what: impl std::fmt::Display) -> Error {
        Error::credentials(format!("{}: {what}", self.name()))
    }

    /// One request; `what` names it in messages.
    fn send(
        &self,
        ctx: &ProvideContext<'_>,
        request: http::Request<&[u8]>,
        what: &str,
    ) -> Result<super::http::Reply> {
        self.http
            .send(request, ctx.env, ctx.deadline, Some(PHASE_TIMEOUT))
            .map_err(|e| match e {
                SendError::Setup(e) => e,
                e => self.fail(format_args!("{what} failed: {e}")),
            })
    }

    /// The session token, or `None` when nothing answers (not on EC2).
    fn session_token(&self, ctx: &ProvideContext<'_>, endpoint: &str) -> Result<Option<Secret>> {
        // Whether a connect timeout means "nothing there" rather than "the call ran out of time".
        let full_wait = ctx.deadline.saturating_duration_since(Instant::now()) >= PHASE_TIMEOUT;
        let request = http::Request::put(format!("{endpoint}{TOKEN_PATH}"))
            .header("x-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL)
            .body(&b""[..])
            .map_err(|_| Error::config(format!("{ENDPOINT} does not make a valid request")))?;
        let reply = match self
            .http
            .send(request, ctx.env, ctx.deadline, Some(PHASE_TIMEOUT))
        {
            Ok(reply) => reply,
            Err(SendError::Unreachable(why)) => {
                crate::log_debug!("EC2 instance metadata at {endpoint}: {why}; not on EC2");
                self.unreachable.store(true, Ordering::Relaxed);
                return Ok(None);
            }
            Err(SendError::TimedOut { connect: true }) => {
                crate::log_debug!("EC2 instance metadata at {endpoint}: no connection in time");
                if full_wait {
                    self.unreachable.store(true, Ordering::Relaxed);
                }
                return Ok(None);
            }
            Err(SendError::Setup(e)) => return Err(e),
            Err(e) => return Err(self.fail(format_args!("the token request failed: {e}"))),
        };
        if reply.status != 200 {
            return Err(self
                .fail(format_args!(
                    "the token request (PUT {TOKEN_PATH}) answered HTTP {}; IMDSv2 is required \
                     (gamelift-auth does not use IMDSv1)",
                    reply.status
                ))
                .with_http_status(reply.status));
        }
        let token = std::str::from_utf8(&reply.body)
            .map(str::trim)
            .ok()
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| self.fail("the token request answered an empty or malformed token"))?;
        Ok(Some(Secret::from(token)))
    }
}

impl Provider for ImdsProvider {
    fn name(&self) -> String {
        "EC2 instance metadata (IMDSv2)".to_owned()
    }

    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        if ctx.env.flag(DISABLED) == Some(true) || self.known_unreachable() {
            return Ok(None);
        }
        let endpoint = endpoint(ctx.env)?;
        let Some(token) = self.session_token(ctx, &endpoint)? else {
            return Ok(None);
        };
        let get = |path: &str| {
            http::Request::get(format!("{endpoint}{path}"))
                .header("x-aws-ec2-metadata-token", token.expose())
                .body(&b""[..])
                .map_err(|_| self.fail("cannot build the request"))
        };
        let reply = self.send(ctx, get(CREDENTIALS_PATH)?, "the role name request")?;
        if reply.status == 404 {
            crate::log_debug!("EC2 instance metadata: no instance profile (IAM role) attached");
            return Ok(None);
        }
        if reply.status != 200 {
            return Err(self
                .fail(format_args!(
                    "the role name request (GET {CREDENTIALS_PATH}) answered HTTP {}",
                    reply.status
                ))
                .with_http_status(reply.status));
        }
        let role = std::str::from_utf8(&reply.body)
            .ok()
            .and_then(|text| text.lines().map(str::trim).find(|l| !l.is_empty()))
            .filter(|r| r.len() <= 128 && r.bytes().all(|b| b.is_ascii_graphic() && b != b'/'))
            .map(str::to_owned)
            .ok_or_else(|| self.fail("the role name request answered no valid role name"))?;
        let reply = self.send(
            ctx,
            get(&format!("{CREDENTIALS_PATH}{role}"))?,
            "the credentials request",
        )?;
        if reply.status != 200 {
            return Err(self
                .fail(format_args!(
                    "the credentials request for role '{role}' answered HTTP {}",
                    reply.status
                ))
                .with_http_status(reply.status));
        }
        let mut c = json_credentials(&reply.body, true).map_err(|why| {
            self.fail(format_args!(
                "the credentials request for role '{role}' answered {why}"
            ))
        })?;
        c.source = format!("EC2 instance metadata (role '{role}')");
        Ok(Some(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::error::ErrorKind;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn endpoints() {
        assert_eq!(endpoint(&env(&[])).unwrap(), IPV4_ENDPOINT);
        assert_eq!(
            endpoint(&env(&[(ENDPOINT_MODE, "IPv6")])).unwrap(),
            IPV6_ENDPOINT
        );
        assert_eq!(
            endpoint(&env(&[(ENDPOINT_MODE, "ipv4")])).unwrap(),
            IPV4_ENDPOINT
        );
        let both = [
            (ENDPOINT, "http://127.0.0.1:8080/"),
            (ENDPOINT_MODE, "IPv6"),
        ];
        assert_eq!(endpoint(&env(&both)).unwrap(), "http://127.0.0.1:8080");
        assert_eq!(
            endpoint(&env(&[(ENDPOINT, "http://[fd00:ec2::254]")])).unwrap(),
            "http://[fd00:ec2::254]"
        );
        for bad in [
            &[(ENDPOINT_MODE, "dual")][..],
            &[(ENDPOINT, "169.254.169.254")],
            &[(ENDPOINT, "ftp://127.0.0.1")],
            &[(ENDPOINT, "http://127.0.0.1/latest")],
        ] {
            let err = endpoint(&env(bad)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "{bad:?}");
        }
    }

    #[test]
    fn disabled_or_remembered_asks_nothing() {
        let p = ImdsProvider::new(Arc::new(CredentialHttp::new(None)));
        let e = env(&[(DISABLED, "TRUE"), (ENDPOINT, "not a url")]);
        let ctx = ProvideContext {
            env: &e,
            deadline: Instant::now() + Duration::from_secs(1),
        };
        assert!(p.provide(&ctx).unwrap().is_none());
        p.unreachable.store(true, Ordering::Relaxed);
        let e = env(&[(ENDPOINT, "not a url")]);
        let ctx = ProvideContext {
            env: &e,
            deadline: Instant::now() + Duration::from_secs(1),
        };
        assert!(p.provide(&ctx).unwrap().is_none());
    }

    #[test]
    fn refused_is_remembered() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let p = ImdsProvider::new(Arc::new(CredentialHttp::new(None)));
        let url = format!("http://127.0.0.1:{port}");
        let e = env(&[(ENDPOINT, url.as_str())]);
        let ctx = ProvideContext {
            env: &e,
            deadline: Instant::now() + Duration::from_secs(5),
        };
        assert!(!p.known_unreachable());
        assert!(p.provide(&ctx).unwrap().is_none());
        assert!(p.known_unreachable());
    }
}

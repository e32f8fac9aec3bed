//! HTTP for the credential sources that ask a service (STS, the container endpoint, EC2 instance
//! metadata): one ureq agent, per-phase timeouts from the call's deadline (never ureq's
//! `timeout_global`, which starts a thread per request), a 64 KiB body cap, no redirects, and no
//! proxy for loopback and link-local hosts.
//!
//! Response bodies carry secrets: they are returned in a [`Zeroizing`] buffer and never quoted in
//! a message.

use crate::env::Env;
use crate::error::{Error, Result};
use crate::transport::{load_ca_bundle, proxy_from};
use std::fmt;
use std::io::Read;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use ureq::RequestExt;
use zeroize::Zeroizing;

/// Largest response body a credential source accepts.
pub(crate) const MAX_BODY: u64 = 64 * 1024;

/// The HTTP agent the network credential sources share. Cheap to create: the agent (and the
/// `AWS_CA_BUNDLE` roots) is built at the first request. Internally synchronized.
pub struct CredentialHttp {
    ca_bundle: Option<PathBuf>,
    agent: OnceLock<Result<ureq::Agent>>,
}

impl fmt::Debug for CredentialHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialHttp")
            .field("ca_bundle", &self.ca_bundle)
            .finish_non_exhaustive()
    }
}

/// A response: status, `x-amzn-RequestId`, and the body (at most [`MAX_BODY`] bytes).
pub(crate) struct Reply {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: Zeroizing<Vec<u8>>,
}

/// Why a request got no response.
#[derive(Debug)]
pub(crate) enum SendError {
    /// Nothing answered the connection: refused, host or network unreachable.
    Unreachable(String),
    /// A phase took longer than its time; `connect` when it was the connection.
    TimedOut { connect: bool },
    /// Anything else: TLS, a malformed or oversized response, a reset connection.
    Failed(String),
    /// The agent could not be built (an unreadable `AWS_CA_BUNDLE`): a [`ErrorKind::Config`]
    /// error to pass on as it is.
    ///
    /// [`ErrorKind::Config`]: crate::error::ErrorKind::Config
    Setup(Error),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Unreachable(why) => write!(f, "could not connect ({why})"),
            SendError::TimedOut { connect: true } => f.write_str("timed out connecting"),
            SendError::TimedOut { connect: false } => {
                f.write_str("timed out waiting for the answer")
            }
            SendError::Failed(why) => f.write_str(why),
            SendError::Setup(e) => write!(f, "{e}"),
        }
    }
}

/// The host of an absolute URI as written (IPv6 without brackets).
fn host_of(uri: &http::Uri) -> &str {
    let host = uri.host().unwrap_or("");
    host.trim_start_matches('[').trim_end_matches(']')
}

/// Loopback, link-local (IMDS, ECS: 169.254.0.0/16, fe80::/10) or the EC2 IPv6 service range
/// (fd00:ec2::/32): reached directly, never through a proxy.
pub(crate) fn is_local_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => a.is_loopback() || a.is_link_local(),
        Ok(IpAddr::V6(a)) => {
            let s = a.segments();
            a.is_loopback() || (s[0] & 0xffc0) == 0xfe80 || (s[0] == 0xfd00 && s[1] == 0x0ec2)
        }
        Err(_) => false,
    }
}

impl CredentialHttp {
    /// An agent that trusts `ca_bundle` (a PEM file) instead of the built-in roots when given.
    pub fn new(ca_bundle: Option<PathBuf>) -> Self {
        CredentialHttp {
            ca_bundle,
            agent: OnceLock::new(),
        }
    }

    fn agent(&self) -> Result<&ureq::Agent> {
        let built = self.agent.get_or_init(|| {
            let mut tls = ureq::tls::TlsConfig::builder();
            if let Some(path) = &self.ca_bundle {
                tls = tls.root_certs(load_ca_bundle(path)?);
            }
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .https_only(false)
                .max_redirects(0)
                .user_agent(concat!("gamelift-auth/", env!("CARGO_PKG_VERSION")))
                .tls_config(tls.build())
                .no_delay(true)
                .max_idle_connections_per_host(2)
                .max_idle_age(Duration::from_secs(30))
                .build();
            Ok(config.new_agent())
        });
        built.as_ref().map_err(Clone::clone)
    }

    /// Sends `request` and reads the answer. Each phase (connect, send, wait, read) may take the
    /// time left until `deadline`, and at most `cap` when given. Any HTTP status is a reply.
    pub(crate) fn send<B: ureq::AsSendBody>(
        &self,
        request: http::Request<B>,
        env: &Env,
        deadline: Instant,
        cap: Option<Duration>,
    ) -> std::result::Result<Reply, SendError> {
        let agent = self.agent().map_err(SendError::Setup)?;
        let mut left = deadline.saturating_duration_since(Instant::now());
        if let Some(cap) = cap {
            left = left.min(cap);
        }
        if left.is_zero() {
            return Err(SendError::TimedOut { connect: true });
        }
        let host = host_of(request.uri()).to_owned();
        let proxy = if is_local_host(&host) {
            None
        } else {
            proxy_from(env)
        };
        let t = Some(left);
        let mut cfg = request
            .with_agent(agent)
            .configure()
            .proxy(proxy)
            .timeout_connect(t)
            .timeout_send_request(t)
            .timeout_send_body(t)
            .timeout_recv_response(t)
            .timeout_recv_body(t);
        if host.parse::<IpAddr>().is_err() {
            // Only a host name needs a lookup; ureq bounds it with a helper thread.
            cfg = cfg.timeout_resolve(t);
        }
        let mut response = cfg.run().map_err(classify)?;
        let request_id = response
            .headers()
            .get("x-amzn-requestid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let status = response.status().as_u16();
        // Reserved up front so that no reallocation leaves an unwiped copy behind.
        let mut body = Zeroizing::new(Vec::with_capacity(MAX_BODY as usize));
        let read = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .reader()
            .read_to_end(&mut body);
        match read {
            Ok(_) => Ok(Reply {
                status,
                request_id,
                body,
            }),
            Err(e) => Err(read_error(e)),
        }
    }
}

/// Why reading a body failed; ureq wraps its own errors in the `io::Error`.
fn read_error(e: std::io::Error) -> SendError {
    let e = if e.get_ref().is_some_and(|inner| inner.is::<ureq::Error>()) {
        match e.into_inner().map(|inner| inner.downcast::<ureq::Error>()) {
            Some(Ok(inner)) => *inner,
            _ => return SendError::Failed("the response could not be read".to_owned()),
        }
    } else {
        ureq::Error::Io(e)
    };
    match classify(e) {
        SendError::Failed(why) if !why.starts_with("the response is larger") => {
            SendError::Failed(format!("the response was cut off ({why})"))
        }
        other => other,
    }
}

/// Sorts a ureq error into "nothing there", "too slow" and "broken"; messages hold no secret.
fn classify(e: ureq::Error) -> SendError {
    use std::io::ErrorKind as K;
    use ureq::Error as E;
    match e {
        E::Timeout(ureq::Timeout::Connect) => SendError::TimedOut { connect: true },
        E::Timeout(_) => SendError::TimedOut { connect: false },
        E::ConnectionFailed => SendError::Unreachable("connection failed".to_owned()),
        E::HostNotFound => SendError::Unreachable("host name not found".to_owned()),
        E::Io(io) => match io.kind() {
            K::ConnectionRefused => SendError::Unreachable("connection refused".to_owned()),
            K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable => {
                SendError::Unreachable(io.to_string())
            }
            K::TimedOut | K::WouldBlock => SendError::TimedOut { connect: false },
            _ => SendError::Failed(format!("network error: {io}")),
        },
        E::BodyExceedsLimit(_) => SendError::Failed(format!(
            "the response is larger than {} KiB",
            MAX_BODY / 1024
        )),
        E::Protocol(p) => SendError::Failed(format!("malformed HTTP response: {p}")),
        E::Tls(msg) => SendError::Failed(format!("TLS error: {msg}")),
        other => SendError::Failed(format!("HTTP error: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts_skip_the_proxy() {
        for local in [
            "127.0.0.1",
            "localhost",
            "[::1]",
            "169.254.169.254",
            "169.254.170.2",
            "169.254.170.23",
            "[fd00:ec2::254]",
            "fd00:ec2::23",
            "[fe80::1]",
        ] {
            assert!(is_local_host(local), "{local}");
        }
        for remote in [
            "sts.us-west-2.amazonaws.com",
            "10.0.0.1",
            "[fd00::1]",
            "[2001:db8::1]",
        ] {
            assert!(!is_local_host(remote), "{remote}");
        }
    }

    #[test]
    fn refused_is_unreachable() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let http = CredentialHttp::new(None);
        let req = http::Request::get(format!("http://127.0.0.1:{port}/"))
            .body(())
            .unwrap();
        let env = Env::from_pairs::<&str, &str>([]);
        let deadline = Instant::now() + Duration::from_secs(5);
        match http.send(req, &env, deadline, Some(Duration::from_secs(1))) {
            Err(SendError::Unreachable(why)) => assert!(why.contains("refused"), "{why}"),
            Err(other) => panic!("{other:?}"),
            Ok(r) => panic!("answered {}", r.status),
        }
    }

    #[test]
    fn unreadable_ca_bundle_is_a_config_error() {
        let http = CredentialHttp::new(Some(PathBuf::from("/nonexistent/ca.pem")));
        let req = http::Request::get("https://127.0.0.1:1/").body(()).unwrap();
        let env = Env::from_pairs::<&str, &str>([]);
        match http.send(req, &env, Instant::now() + Duration::from_secs(1), None) {
            Err(SendError::Setup(e)) => {
                assert_eq!(e.kind(), crate::error::ErrorKind::Config);
                assert!(e.message().contains("/nonexistent/ca.pem"), "{e}");
            }
            _ => panic!("expected a setup error"),
        }
    }
}

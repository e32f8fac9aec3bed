//! HTTP through one ureq agent: connection reuse, per-phase timeouts from the call's deadline,
//! a response body cap, the https-unless-loopback rule, `AWS_CA_BUNDLE` and the proxy variables.
//!
//! ureq's `timeout_global` starts a thread per request, so each phase gets the time left until
//! the deadline instead (see `shared/dependency-notes.md`).
//!
//! ureq writes a request's head and body with two writes: two TCP segments, and on loopback two
//! wake-ups of the server. [`Coalesce`] holds written bytes back until ureq waits for the answer
//! and sends them with one write (measured: 3.7 us of client CPU and 7 us of wall time per call,
//! BENCHMARKS.md). It also rounds the socket timeouts ureq asks for down to 10 ms, so that the
//! same value repeats from call to call and ureq skips its `setsockopt` calls.

use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};
use std::path::Path;
use std::time::{Duration, Instant};
use ureq::RequestExt;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, DefaultConnector, NextTimeout,
    Transport as UreqTransport,
};
use zeroize::Zeroize;

/// Largest response body accepted (1 MiB); a larger one is a bad response.
pub const MAX_BODY: u64 = 1 << 20;

/// What the protocol layer needs from a response.
#[derive(Debug)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// `x-amzn-RequestId`.
    pub request_id: Option<String>,
    /// `x-amzn-ErrorType`.
    pub error_type: Option<String>,
    /// `Date`, for clock-skew correction.
    pub date: Option<String>,
    /// The body, at most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

/// One agent, shared by every call of a client; internally synchronized.
pub struct Transport {
    agent: ureq::Agent,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transport")
    }
}

/// True when `host` (as in a URL authority, IPv6 in brackets) is a loopback address or name.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") {
        return true;
    }
    h.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// The root certificates of a PEM bundle (`AWS_CA_BUNDLE`), replacing the built-in ones.
pub(crate) fn load_ca_bundle(path: &Path) -> Result<ureq::tls::RootCerts> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "cannot read the CA bundle {} (AWS_CA_BUNDLE): {e}",
            path.display()
        ))
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => {
                return Err(Error::config(format!(
                    "the CA bundle {} is not valid PEM: {e}",
                    path.display()
                )));
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::config(format!(
            "the CA bundle {} holds no certificate",
            path.display()
        )));
    }
    Ok(ureq::tls::RootCerts::new_with_certs(&certs))
}

/// The proxy AWS tools would use for a non-local host (`HTTPS_PROXY`, `NO_PROXY`, ...).
pub(crate) fn proxy_from(env: &Env) -> Option<ureq::Proxy> {
    match env {
        // Reads ALL_PROXY/HTTPS_PROXY/HTTP_PROXY and NO_PROXY (both cases).
        Env::Process => ureq::Proxy::try_from_env(),
        Env::Map(_) => ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
            .iter()
            .find_map(|v| env.get(v))
            .and_then(|p| ureq::Proxy::new(&p).ok()),
    }
}

impl Transport {
    /// A transport for `endpoint` (a checked URL). `ca_bundle` replaces the built-in roots.
    pub fn new(endpoint: &str, env: &Env, ca_bundle: Option<&Path>) -> Result<Self> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(path) = ca_bundle {
            tls = tls.root_certs(load_ca_bundle(path)?);
        }
        let host = endpoint
            .split_once("://")
            .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(""))
            .unwrap_or("");
        let host = match host.rfind(':') {
            Some(i) if !host[i..].contains(']') => &host[..i],
            _ => host,
        };
        // A proxy cannot reach our loopback; never send loopback traffic through one.
        let proxy = if is_loopback_host(host) {
            None
        } else {
            proxy_from(env)
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(false)
            .max_redirects(0)
            .user_agent(concat!("gamelift-auth/", env!("CARGO_PKG_VERSION")))
            .accept("application/json")
            .tls_config(tls.build())
            .proxy(proxy)
            .no_delay(true)
            .max_idle_connections_per_host(8)
            .max_idle_age(Duration::from_secs(50))
            .build();
        Ok(Transport {
            agent: ureq::Agent::with_parts(
                config,
                DefaultConnector::new().chain(Coalesce),
                ureq::unversioned::resolver::DefaultResolver::default(),
            ),
        })
    }

    /// Sends `request` and reads the answer, all before `deadline`.
    ///
    /// Errors: [`ErrorKind::Timeout`] when the deadline passes, [`ErrorKind::Network`] for
    /// connection problems, [`ErrorKind::BadResponse`] for an over-long or cut-off body.
    pub fn send(
        &self,
        request: http::Request<Vec<u8>>,
        deadline: Instant,
        needs_dns: bool,
    ) -> Result<HttpResponse> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::new(ErrorKind::Timeout, "the call's deadline passed"));
        }
        let t = Some(left);
        let mut cfg = request
            .with_agent(&self.agent)
            .configure()
            .timeout_connect(t)
            .timeout_send_request(t)
            .timeout_send_body(t)
            .timeout_recv_response(t)
            .timeout_recv_body(t);
        if needs_dns {
            // Only a host name needs a lookup; ureq bounds it with a helper thread.
            cfg = cfg.timeout_resolve(t);
        }
        let mut response = cfg.run().map_err(map_ureq_error)?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let status = response.status().as_u16();
        let request_id = header("x-amzn-requestid");
        let error_type = header("x-amzn-errortype");
        let date = header("date");
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Error::bad_response(format!(
                    "the response body is larger than the {} byte limit",
                    MAX_BODY
                )),
                other => {
                    let e = map_ureq_error(other);
                    if e.kind() == ErrorKind::Timeout {
                        e
                    } else {
                        Error::bad_response(format!(
                            "the response body was cut off: {}",
                            e.message()
                        ))
                    }
                }
            })?;
        Ok(HttpResponse {
            status,
            request_id,
            error_type,
            date,
            body,
        })
    }
}

/// Wraps ureq's default connection (TCP, proxy, TLS: unchanged) in a [`Coalesced`] one.
/// (ureq's `unversioned` transport API: not covered by ureq's semver promise.)
#[derive(Debug)]
struct Coalesce;

impl Connector<Box<dyn UreqTransport>> for Coalesce {
    type Out = Coalesced;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<Box<dyn UreqTransport>>,
    ) -> std::result::Result<Option<Coalesced>, ureq::Error> {
        Ok(chained.map(|inner| Coalesced {
            inner,
            pending: Vec::new(),
            timeout: None,
        }))
    }
}

/// A connection whose writes wait in `pending` until ureq reads (or the output buffer's worth
/// has gathered), then go out in one write. `pending` may hold a session token: it is wiped
/// after each flush, and `Debug` does not show it.
struct Coalesced {
    inner: Box<dyn UreqTransport>,
    pending: Vec<u8>,
    /// The timeout of the last held-back write: the flush must finish within it.
    timeout: Option<NextTimeout>,
}

/// Rounds a socket timeout down to 10 ms (never to zero, which ureq reads as "no timeout"): a
/// call that starts with the same time left as the previous one then asks for the same value,
/// and ureq skips the `setsockopt`. The rounding shortens no wait by more than 10 ms, and never
/// lengthens one: the call's deadline still holds.
fn round_timeout(mut t: NextTimeout) -> NextTimeout {
    const STEP_MS: u128 = 10;
    if let ureq::unversioned::transport::time::Duration::Exact(d) = t.after {
        let ms = d.as_millis();
        if ms >= 2 * STEP_MS {
            t.after = ureq::unversioned::transport::time::Duration::Exact(Duration::from_millis(
                (ms / STEP_MS * STEP_MS) as u64,
            ));
        }
    }
    t
}

impl std::fmt::Debug for Coalesced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coalesced")
            .field("inner", &self.inner)
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl Coalesced {
    fn flush(&mut self) -> std::result::Result<(), ureq::Error> {
        let Some(timeout) = self.timeout.take() else {
            return Ok(());
        };
        let mut sent = 0;
        while sent < self.pending.len() {
            let out = self.inner.buffers().output();
            let n = out.len().min(self.pending.len() - sent);
            out[..n].copy_from_slice(&self.pending[sent..sent + n]);
            let result = self.inner.transmit_output(n, timeout);
            if result.is_err() {
                self.wipe();
            }
            result?;
            sent += n;
        }
        self.wipe();
        Ok(())
    }

    /// Empties `pending`, wiping the bytes (the capacity beyond them was wiped when it held any).
    fn wipe(&mut self) {
        self.pending.as_mut_slice().zeroize();
        self.pending.clear();
    }
}

impl UreqTransport for Coalesced {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        let out = &self.inner.buffers().output()[..amount];
        self.pending.extend_from_slice(out);
        self.timeout = Some(round_timeout(timeout));
        if self.pending.len() >= self.inner.buffers().output().len() {
            self.flush()?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        self.flush()?;
        self.inner.await_input(round_timeout(timeout))
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

fn map_ureq_error(e: ureq::Error) -> Error {
    use ureq::Error as E;
    match e {
        E::Timeout(phase) => Error::new(
            ErrorKind::Timeout,
            format!("the call's deadline passed while waiting ({phase})"),
        ),
        E::HostNotFound => Error::new(
            ErrorKind::Network,
            "the endpoint's host name was not found (DNS)",
        ),
        E::ConnectionFailed => Error::new(ErrorKind::Network, "could not connect to the endpoint"),
        E::Io(io) => {
            use std::io::ErrorKind as K;
            match io.kind() {
                K::TimedOut | K::WouldBlock => Error::new(
                    ErrorKind::Timeout,
                    "the call's deadline passed while waiting for the endpoint",
                ),
                K::ConnectionRefused => Error::new(
                    ErrorKind::Network,
                    format!("connection refused by the endpoint: {io}"),
                ),
                _ => Error::new(ErrorKind::Network, format!("network error: {io}")),
            }
        }
        E::Tls(msg) => Error::new(ErrorKind::Network, format!("TLS error: {msg}")),
        #[allow(unreachable_patterns)]
        E::Rustls(r) => Error::new(ErrorKind::Network, format!("TLS error: {r}")),
        E::Protocol(p) => Error::bad_response(format!("malformed HTTP response: {p}")),
        E::BodyExceedsLimit(_) => Error::bad_response(format!(
            "the response is larger than the {MAX_BODY} byte limit"
        )),
        other => Error::new(ErrorKind::Network, format!("HTTP error: {other}")),
    }
}

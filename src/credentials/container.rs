//! The container credentials endpoint (Amazon ECS task roles, EKS Pod Identity).
//!
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` names a path on `http://169.254.170.2`;
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` a whole URL, which must be `https`, or `http` to a
//! loopback address, the ECS endpoint 169.254.170.2 or the EKS Pod Identity endpoint
//! (169.254.170.23, `[fd00:ec2::23]`), as the AWS SDKs require. The `Authorization` header comes
//! from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every call; it wins) or
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`. The answer is
//! `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`.

use super::http::{CredentialHttp, SendError};
use super::{Credentials, ProvideContext, Provider, json_credentials, read_secret_file};
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const AUTH_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const AUTH_TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

/// The ECS credentials host of relative URIs.
const ECS_HOST: &str = "http://169.254.170.2";
/// Longest wait for one phase of the request (bounded by the call's deadline too).
const PHASE_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest token file accepted.
const MAX_TOKEN: usize = 16 * 1024;

/// Credentials from the container endpoint configured in the environment (put a cache in front).
#[derive(Debug, Clone)]
pub struct ContainerProvider {
    http: Arc<CredentialHttp>,
}

/// Checks a full URI against the SDKs' rules and returns it. The error text completes
/// "AWS_CONTAINER_CREDENTIALS_FULL_URI ...".
pub(crate) fn check_full_uri(uri: &str) -> std::result::Result<(), String> {
    let parsed: http::Uri = uri.parse().map_err(|_| "is not a valid URL".to_owned())?;
    let host = parsed
        .host()
        .ok_or_else(|| "is not a valid URL (no host)".to_owned())?;
    if parsed.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err("must not contain a user name or password".to_owned());
    }
    match parsed.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if allowed_http_host(host) => Ok(()),
        Some("http") => Err(format!(
            "uses plain http to '{}', which is allowed only for a loopback address, \
             169.254.170.2 (ECS) or 169.254.170.23 / [fd00:ec2::23] (EKS Pod Identity): use https",
            super::excerpt(host)
        )),
        _ => Err("must start with https:// or http://".to_owned()),
    }
}

/// Loopback, the ECS endpoint or the EKS Pod Identity endpoints.
fn allowed_http_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => true,
        Ok(ip) => ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
            .iter()
            .any(|allowed| allowed.parse::<IpAddr>() == Ok(ip)),
        Err(_) => false,
    }
}

/// A token for the `Authorization` header: visible ASCII and spaces, no CR/LF.
fn check_token(token: &Secret) -> std::result::Result<(), &'static str> {
    if token.expose().contains(['\r', '\n']) {
        return Err("contains a line break (CR or LF), which a header cannot carry");
    }
    if !token
        .expose()
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return Err("contains a control or non-ASCII character, which a header cannot carry");
    }
    if token.is_empty() {
        return Err("is empty");
    }
    Ok(())
}

impl ContainerProvider {
    /// The provider, sending through `http`.
    pub fn new(http: Arc<CredentialHttp>) -> Self {
        ContainerProvider { http }
    }

    fn fail(&self, what: impl std::fmt::Display) -> Error {
        Error::credentials(format!("{}: {what}", self.name()))
    }

    /// The URL configured now, and the variable it came from; `None` when neither is set.
    fn url(&self, ctx: &ProvideContext<'_>) -> Result<Option<(String, &'static str)>> {
        if let Some(relative) = ctx.env.get(RELATIVE_URI) {
            if !relative.starts_with('/') || relative.chars().any(|c| c.is_control() || c == ' ') {
                return Err(Error::config(format!(
                    "{RELATIVE_URI} must be a path starting with '/'"
                )));
            }
            return Ok(Some((format!("{ECS_HOST}{relative}"), RELATIVE_URI)));
        }
        let Some(full) = ctx.env.get(FULL_URI) else {
            return Ok(None);
        };
        check_full_uri(&full).map_err(|why| Error::config(format!("{FULL_URI} {why}")))?;
        Ok(Some((full, FULL_URI)))
    }

    /// The `Authorization` value, read now; `None` when neither variable is set.
    fn token(&self, ctx: &ProvideContext<'_>) -> Result<Option<Secret>> {
        let (token, from) = if let Some(file) = ctx.env.get(AUTH_TOKEN_FILE) {
            let path = ctx.env.expand_home(&file);
            let token = read_secret_file(&path, MAX_TOKEN).map_err(|why| {
                self.fail(format_args!(
                    "the authorization token file {} ({AUTH_TOKEN_FILE}) {why}",
                    path.display()
                ))
            })?;
            (token, AUTH_TOKEN_FILE)
        } else if let Some(token) = ctx.env.get(AUTH_TOKEN) {
            (Secret::new(token), AUTH_TOKEN)
        } else {
            return Ok(None);
        };
        check_token(&token)
            .map_err(|why| self.fail(format_args!("the authorization token from {from} {why}")))?;
        Ok(Some(token))
    }
}

impl Provider for ContainerProvider {
    fn name(&self) -> String {
        format!("container endpoint ({RELATIVE_URI} or {FULL_URI})")
    }

    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        let Some((url, var)) = self.url(ctx)? else {
            return Ok(None);
        };
        let token = self.token(ctx)?;
        let mut request = http::Request::get(url.as_str()).header("accept", "application/json");
        if let Some(token) = &token {
            request = request.header("authorization", token.expose());
        }
        let request = request
            .body(())
            .map_err(|_| Error::config(format!("{var} does not make a valid request")))?;
        // The URL came from the environment: name the variable, not a URL that may hold a token.
        let reply = self
            .http
            .send(request, ctx.env, ctx.deadline, Some(PHASE_TIMEOUT))
            .map_err(|e| match e {
                SendError::Setup(e) => e,
                e => self.fail(format_args!("the request to the URL of {var} failed: {e}")),
            })?;
        if reply.status != 200 {
            return Err(self
                .fail(format_args!(
                    "the URL of {var} answered HTTP {}{}",
                    reply.status,
                    if reply.status == 401 || reply.status == 403 {
                        " (check the authorization token)"
                    } else {
                        ""
                    }
                ))
                .with_http_status(reply.status));
        }
        let mut c = json_credentials(&reply.body, false)
            .map_err(|why| self.fail(format_args!("the URL of {var} answered {why}")))?;
        c.source = format!("container endpoint ({var})");
        Ok(Some(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_uri_host_rules() {
        for ok in [
            "https://example.com/creds",
            "https://10.1.2.3:8443/x",
            "http://127.0.0.1:9000/creds",
            "http://127.1.2.3/",
            "http://localhost:8080/x",
            "http://[::1]:80/x",
            "http://169.254.170.2/v2/credentials/abc",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "http://[FD00:EC2:0::23]:80/v1/credentials",
        ] {
            assert_eq!(check_full_uri(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("http://169.254.169.254/latest", "plain http"),
            ("http://169.254.170.3/", "plain http"),
            ("http://10.0.0.1/creds", "plain http"),
            ("http://example.com/creds", "plain http"),
            ("http://localhost.evil.test/", "plain http"),
            ("http://[fd00:ec2::24]/", "plain http"),
            ("ftp://127.0.0.1/", "must start with"),
            ("/relative", "no host"),
            ("http://user:pw@127.0.0.1/", "user name or password"),
            ("not a url", "not a valid URL"),
        ] {
            let err = check_full_uri(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn token_rules() {
        assert_eq!(check_token(&Secret::from("Bearer abc.def")), Ok(()));
        assert!(
            check_token(&Secret::from("abc\n"))
                .unwrap_err()
                .contains("line break")
        );
        assert!(
            check_token(&Secret::from("a\rb"))
                .unwrap_err()
                .contains("line break")
        );
        assert!(
            check_token(&Secret::from("a\u{7}b"))
                .unwrap_err()
                .contains("control")
        );
        assert!(
            check_token(&Secret::from(""))
                .unwrap_err()
                .contains("empty")
        );
    }

    #[test]
    fn environment_settings() {
        use crate::env::Env;
        use crate::error::ErrorKind;
        use std::time::Instant;
        let p = ContainerProvider::new(Arc::new(CredentialHttp::new(None)));
        let run = |pairs: &[(&str, &str)]| {
            let env = Env::from_pairs(pairs.iter().copied());
            let ctx = ProvideContext {
                env: &env,
                deadline: Instant::now() + Duration::from_secs(2),
            };
            p.provide(&ctx)
        };
        assert!(run(&[]).unwrap().is_none());
        assert!(run(&[(AUTH_TOKEN, "t")]).unwrap().is_none());
        let err = run(&[(RELATIVE_URI, "v2/creds")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        let err = run(&[(FULL_URI, "http://169.254.169.254/?token=URLSECRET")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message()
                .starts_with("AWS_CONTAINER_CREDENTIALS_FULL_URI uses plain http")
        );
        assert!(!err.to_string().contains("URLSECRET"));
        let err = run(&[(FULL_URI, "http://127.0.0.1:1/"), (AUTH_TOKEN, "TOK\nEN")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(
            err.message()
                .contains("from AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line")
        );
    }
}

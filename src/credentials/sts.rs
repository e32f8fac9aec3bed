//! AWS STS for the credential sources that assume a role: `AssumeRoleWithWebIdentity` (unsigned)
//! and `AssumeRole` (SigV4, signing name `sts`), as Query-protocol form POSTs to the regional
//! endpoint, answered in XML (parsed with roxmltree).
//!
//! The endpoint is `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL` (unless
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else `https://sts.{region}.amazonaws.com`.
//! Requests carry a web identity token or are signed with secret keys; answers carry new secret
//! keys: none of them is ever quoted in a message.

use super::http::{CredentialHttp, SendError};
use super::{Credentials, ProvideContext, parse_rfc3339};
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use crate::signing::{SigningIdentity, sign_request_for};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::SystemTime;
use zeroize::Zeroizing;

/// The STS API version the requests name.
const VERSION: &str = "2011-06-15";

/// Calls STS in one region through the credential sources' HTTP agent. Cheap to clone.
#[derive(Debug, Clone)]
pub struct StsClient {
    region: String,
    http: Arc<CredentialHttp>,
}

/// A role to assume with `AssumeRole`, as a profile describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSettings {
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`; `gamelift-auth-<millis>` when `None`.
    pub session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `duration_seconds` (STS accepts 900 up to the role's maximum).
    pub duration_seconds: Option<u32>,
}

/// The default role session name: `gamelift-auth-<unix millis>`.
pub(crate) fn default_session_name() -> String {
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("gamelift-auth-{millis}")
}

/// `application/x-www-form-urlencoded` encoding of one value (RFC 3986 unreserved kept).
fn form_encode(out: &mut String, value: &str) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// The form body `Action=..&Version=..&k=v...`, in a buffer wiped after use.
fn form(action: &str, params: &[(&str, &str)]) -> Zeroizing<String> {
    let mut body = Zeroizing::new(String::with_capacity(
        64 + params
            .iter()
            .map(|(k, v)| k.len() + 3 * v.len() + 2)
            .sum::<usize>(),
    ));
    body.push_str("Action=");
    body.push_str(action);
    body.push_str("&Version=");
    body.push_str(VERSION);
    for (key, value) in params {
        body.push('&');
        body.push_str(key);
        body.push('=');
        form_encode(&mut body, value);
    }
    body
}

/// A printable, bounded copy of a service message, with any of `secrets` blanked out.
fn clean_message(text: &str, secrets: &[&str]) -> String {
    let mut text = text.trim().to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        text = text.replace(s, "<redacted>");
    }
    let mut out: String = text
        .chars()
        .take(300)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > 300 {
        out.push_str("...");
    }
    out
}

/// The text of the first element named `name` below `node`.
fn child_text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .and_then(|n| n.text())
}

/// An STS error answer (`<ErrorResponse><Error><Code>..`): code, message, request id.
pub(crate) fn parse_error(body: &[u8]) -> Option<(String, Option<String>, Option<String>)> {
    let text = std::str::from_utf8(body).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "ErrorResponse" {
        return None;
    }
    let error = root
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "Error")?;
    let code = child_text(error, "Code")?.trim().to_owned();
    let message = child_text(error, "Message").map(str::to_owned);
    let request_id = child_text(root, "RequestId").map(|s| s.trim().to_owned());
    Some((code, message, request_id))
}

/// The credentials of a successful `{action}Response`. The error text completes
/// "STS {action} answered ...".
pub(crate) fn parse_credentials(
    action: &str,
    body: &[u8],
) -> std::result::Result<Credentials, String> {
    let text = std::str::from_utf8(body).map_err(|_| "a response that is not UTF-8".to_owned())?;
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        // The parser's own message may quote the text: give the position only.
        let at = e.pos();
        format!(
            "a response that is not well-formed XML (line {}, column {})",
            at.row, at.col
        )
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != format!("{action}Response") {
        return Err(format!(
            "<{}> where <{action}Response> was expected",
            super::excerpt(root.tag_name().name())
        ));
    }
    let result_name = format!("{action}Result");
    let credentials = root
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == result_name)
        .and_then(|r| {
            r.children()
                .find(|n| n.is_element() && n.tag_name().name() == "Credentials")
        })
        .ok_or_else(|| format!("a response without {result_name}/Credentials"))?;
    let field = |name: &str| {
        child_text(credentials, name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("a response without Credentials/{name}"))
    };
    let access_key_id = field("AccessKeyId")?.to_owned();
    let secret_access_key = Secret::from(field("SecretAccessKey")?);
    let session_token = Secret::from(field("SessionToken")?);
    let expiration = field("Expiration")?;
    let expiry = parse_rfc3339(expiration).ok_or_else(|| {
        format!(
            "an Expiration that is not an RFC 3339 time: '{}'",
            super::excerpt(expiration)
        )
    })?;
    Ok(Credentials {
        access_key_id,
        secret_access_key,
        session_token: Some(session_token),
        expiry: Some(expiry),
        source: String::new(),
    })
}

impl StsClient {
    /// A client for STS in `region`, sending through `http`.
    pub fn new(region: impl Into<String>, http: Arc<CredentialHttp>) -> Self {
        StsClient {
            region: region.into(),
            http,
        }
    }

    /// The HTTP agent (shared with the other network sources).
    pub(crate) fn http(&self) -> &Arc<CredentialHttp> {
        &self.http
    }

    /// The STS endpoint for `env` (see the module docs), without a trailing slash.
    pub(crate) fn endpoint(&self, env: &Env) -> Result<String> {
        if env.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") != Some(true) {
            for var in ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"] {
                if let Some(url) = env.get(var) {
                    return crate::config::check_endpoint_url(&url)
                        .map_err(|e| Error::config(format!("{var}: {}", e.message())));
                }
            }
        }
        let suffix = if self.region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        Ok(format!("https://sts.{}.{suffix}", self.region))
    }

    /// `AssumeRoleWithWebIdentity` (unsigned). `source` names the caller in messages.
    pub(crate) fn assume_role_with_web_identity(
        &self,
        ctx: &ProvideContext<'_>,
        source: &str,
        role_arn: &str,
        session_name: &str,
        token: &Secret,
    ) -> Result<Credentials> {
        let body = form(
            "AssumeRoleWithWebIdentity",
            &[
                ("RoleArn", role_arn),
                ("RoleSessionName", session_name),
                ("WebIdentityToken", token.expose()),
            ],
        );
        let request = self.request(ctx.env, body.as_bytes())?;
        self.call(
            ctx,
            source,
            "AssumeRoleWithWebIdentity",
            request,
            &[token.expose()],
        )
    }

    /// `AssumeRole`, signed with `with`. `source` names the caller in messages.
    pub(crate) fn assume_role(
        &self,
        ctx: &ProvideContext<'_>,
        source: &str,
        role: &RoleSettings,
        with: &Credentials,
    ) -> Result<Credentials> {
        let session_name = role
            .session_name
            .clone()
            .unwrap_or_else(default_session_name);
        let duration = role.duration_seconds.map(|d| d.to_string());
        let mut params = vec![
            ("RoleArn", role.role_arn.as_str()),
            ("RoleSessionName", session_name.as_str()),
        ];
        if let Some(id) = &role.external_id {
            params.push(("ExternalId", id));
        }
        if let Some(d) = &duration {
            params.push(("DurationSeconds", d));
        }
        let body = form("AssumeRole", &params);
        let mut request = self.request(ctx.env, body.as_bytes())?;
        self.sign(&mut request, with)?;
        let secret = with.secret_access_key.expose();
        let token = with.session_token.as_ref().map_or("", Secret::expose);
        self.call(ctx, source, "AssumeRole", request, &[secret, token])
    }

    /// The unsigned POST of `body` to the endpoint.
    fn request<'b>(&self, env: &Env, body: &'b [u8]) -> Result<http::Request<&'b [u8]>> {
        let endpoint = self.endpoint(env)?;
        http::Request::post(format!("{endpoint}/"))
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body)
            .map_err(|e| Error::config(format!("the STS endpoint {endpoint} is not usable: {e}")))
    }

    /// Signs `request` for STS with `with` (SigV4: host, content-type, date, body hash).
    fn sign(&self, request: &mut http::Request<&[u8]>, with: &Credentials) -> Result<()> {
        let identity = SigningIdentity::new(with);
        sign_request_for("sts", request, &identity, &self.region, SystemTime::now())
    }

    /// Sends `request` and turns the answer into credentials or an error naming `source`, the
    /// AWS error code and the request id. `secrets` are blanked out of any quoted message.
    fn call(
        &self,
        ctx: &ProvideContext<'_>,
        source: &str,
        action: &str,
        request: http::Request<&[u8]>,
        secrets: &[&str],
    ) -> Result<Credentials> {
        let url = request.uri().to_string();
        let reply = self
            .http
            .send(request, ctx.env, ctx.deadline, None)
            .map_err(|e| match e {
                SendError::Setup(e) => e,
                e => Error::credentials(format!("{source}: STS {action} at {url} failed: {e}")),
            })?;
        if reply.status == 200 {
            return match parse_credentials(action, &reply.body) {
                Ok(mut c) => {
                    c.source = source.to_owned();
                    Ok(c)
                }
                Err(why) => Err(Error::service(
                    ErrorKind::Credentials,
                    format!("{source}: STS {action} answered {why}"),
                    None,
                    reply.request_id,
                )),
            };
        }
        match parse_error(&reply.body) {
            Some((code, message, request_id)) => {
                let message = message
                    .map(|m| format!(": {}", clean_message(&m, secrets)))
                    .unwrap_or_default();
                Err(Error::service(
                    ErrorKind::Credentials,
                    format!(
                        "{source}: STS {action} failed (HTTP {}){message}",
                        reply.status
                    ),
                    Some(clean_message(&code, secrets)),
                    reply.request_id.or(request_id),
                )
                .with_http_status(reply.status))
            }
            None => Err(Error::service(
                ErrorKind::Credentials,
                format!(
                    "{source}: STS {action} at {url} answered HTTP {} without an STS error",
                    reply.status
                ),
                None,
                reply.request_id,
            )
            .with_http_status(reply.status)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>
    <Credentials>
      <SessionToken>STSTOKEN</SessionToken>
      <SecretAccessKey>STSSECRET</SecretAccessKey>
      <Expiration>2030-01-01T00:00:00Z</Expiration>
      <AccessKeyId>ASIAWEB</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#;

    #[test]
    fn parses_credentials() {
        let c = parse_credentials("AssumeRoleWithWebIdentity", OK.as_bytes()).unwrap();
        assert_eq!(c.access_key_id, "ASIAWEB");
        assert_eq!(c.secret_access_key.expose(), "STSSECRET");
        assert_eq!(
            c.session_token.as_ref().map(Secret::expose),
            Some("STSTOKEN")
        );
        assert_eq!(c.expiry, parse_rfc3339("2030-01-01T00:00:00Z"));
    }

    #[test]
    fn rejects_bad_answers_without_quoting_them() {
        let cases = [
            (
                "not xml STSSECRET",
                "not well-formed XML (line 1, column 1)",
            ),
            ("<a>STSSECRET", "not well-formed XML"),
            (
                "<Other/>",
                "<Other> where <AssumeRoleWithWebIdentityResponse>",
            ),
            (
                "<AssumeRoleWithWebIdentityResponse/>",
                "without AssumeRoleWithWebIdentityResult/Credentials",
            ),
            (
                "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>\
                 <AccessKeyId>A</AccessKeyId><SecretAccessKey>STSSECRET</SecretAccessKey>\
                 <Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>\
                 </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
                "without Credentials/SessionToken",
            ),
            (
                &OK.replace("2030-01-01T00:00:00Z", "soon"),
                "Expiration that is not",
            ),
            (
                &OK.replace("<SecretAccessKey>STSSECRET", "<SecretAccessKey> "),
                "Credentials/SecretAccessKey",
            ),
            (
                "<!DOCTYPE x [<!ENTITY e \"STSSECRET\">]><x>&e;</x>",
                "not well-formed XML",
            ),
        ];
        for (body, want) in cases {
            let why = parse_credentials("AssumeRoleWithWebIdentity", body.as_bytes()).unwrap_err();
            assert!(why.contains(want), "{body}: {why}");
            assert!(!why.contains("STSSECRET"), "{why}");
        }
    }

    #[test]
    fn parses_errors() {
        let body = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>
    <Message>Incorrect token audience</Message></Error>
  <RequestId>req-err</RequestId>
</ErrorResponse>"#;
        let (code, message, id) = parse_error(body.as_bytes()).unwrap();
        assert_eq!(code, "InvalidIdentityToken");
        assert_eq!(message.as_deref(), Some("Incorrect token audience"));
        assert_eq!(id.as_deref(), Some("req-err"));
        assert!(parse_error(OK.as_bytes()).is_none());
        assert!(parse_error(b"<ErrorResponse/>").is_none());
        assert!(parse_error(b"oops").is_none());
    }

    #[test]
    fn form_bodies_are_encoded() {
        let body = form(
            "AssumeRole",
            &[("RoleArn", "arn:aws:iam::1:role/x y"), ("E", "a+b=c&d~")],
        );
        assert_eq!(
            &*body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx%20y\
             &E=a%2Bb%3Dc%26d~"
        );
    }

    #[test]
    fn messages_are_cleaned() {
        assert_eq!(
            clean_message(" bad token TOKEN123\nhere ", &["TOKEN123", ""]),
            "bad token <redacted> here"
        );
        assert_eq!(clean_message(&"x".repeat(400), &[]).len(), 303);
    }

    #[test]
    fn endpoints() {
        let sts = |region: &str| StsClient::new(region, Arc::new(CredentialHttp::new(None)));
        let env = |pairs: &[(&str, &str)]| Env::from_pairs(pairs.iter().copied());
        assert_eq!(
            sts("us-west-2").endpoint(&env(&[])).unwrap(),
            "https://sts.us-west-2.amazonaws.com"
        );
        assert_eq!(
            sts("cn-north-1").endpoint(&env(&[])).unwrap(),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        let both = [
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/"),
            ("AWS_ENDPOINT_URL", "https://all.test"),
        ];
        assert_eq!(
            sts("r").endpoint(&env(&both)).unwrap(),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            sts("r").endpoint(&env(&both[1..])).unwrap(),
            "https://all.test"
        );
        let ignore = [both[0], ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")];
        assert_eq!(
            sts("r").endpoint(&env(&ignore)).unwrap(),
            "https://sts.r.amazonaws.com"
        );
        let err = sts("r")
            .endpoint(&env(&[("AWS_ENDPOINT_URL_STS", "http://example.com")]))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message()
                .starts_with("AWS_ENDPOINT_URL_STS: invalid endpoint URL")
        );
    }
}

//! Web identity: a token file (an OIDC JWT, as EKS IAM roles for service accounts write it)
//! exchanged for role credentials with STS `AssumeRoleWithWebIdentity`.
//!
//! From the environment (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`, optional
//! `AWS_ROLE_SESSION_NAME`) or from a profile (`web_identity_token_file`, `role_arn`,
//! `role_session_name`). The token file is read on every call (it is rotated) and never quoted.

use super::sts::{StsClient, default_session_name};
use super::{Credentials, ProvideContext, Provider, read_secret_file};
use crate::error::{Error, Result};

const TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
const ROLE_ARN: &str = "AWS_ROLE_ARN";
const SESSION_NAME: &str = "AWS_ROLE_SESSION_NAME";

/// Largest token file accepted.
const MAX_TOKEN: usize = 16 * 1024;

/// Where a web identity comes from when it is not the environment: a profile's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentitySettings {
    /// The token file (a leading `~` is the home directory).
    pub token_file: String,
    /// The role to assume.
    pub role_arn: String,
    /// The role session name; `gamelift-auth-<millis>` when `None`.
    pub session_name: Option<String>,
    /// Names the source in messages ("web identity of profile 'x'").
    pub source: String,
}

/// Credentials from STS `AssumeRoleWithWebIdentity` (put a cache in front).
#[derive(Debug, Clone)]
pub struct WebIdentityProvider {
    /// `None`: read the settings from the environment on each call.
    settings: Option<WebIdentitySettings>,
    sts: StsClient,
}

impl WebIdentityProvider {
    /// The provider configured by `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`; not
    /// configured (`Ok(None)`) when the token file variable is unset.
    pub fn from_env(sts: StsClient) -> Self {
        WebIdentityProvider {
            settings: None,
            sts,
        }
    }

    /// The provider of fixed `settings` (a profile's).
    pub fn new(settings: WebIdentitySettings, sts: StsClient) -> Self {
        WebIdentityProvider {
            settings: Some(settings),
            sts,
        }
    }

    /// The settings to use now, from the environment when not fixed.
    fn settings(&self, ctx: &ProvideContext<'_>) -> Result<Option<WebIdentitySettings>> {
        if let Some(s) = &self.settings {
            return Ok(Some(s.clone()));
        }
        let Some(token_file) = ctx.env.get(TOKEN_FILE) else {
            return Ok(None);
        };
        let Some(role_arn) = ctx.env.get(ROLE_ARN) else {
            return Err(Error::config(format!(
                "{TOKEN_FILE} is set but {ROLE_ARN} is not: set the role to assume, or unset \
                 {TOKEN_FILE}"
            )));
        };
        Ok(Some(WebIdentitySettings {
            token_file,
            role_arn,
            session_name: ctx.env.get(SESSION_NAME),
            source: self.name(),
        }))
    }
}

impl Provider for WebIdentityProvider {
    fn name(&self) -> String {
        match &self.settings {
            Some(s) => s.source.clone(),
            None => format!("web identity ({TOKEN_FILE})"),
        }
    }

    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        let Some(settings) = self.settings(ctx)? else {
            return Ok(None);
        };
        let path = ctx.env.expand_home(&settings.token_file);
        let token = read_secret_file(&path, MAX_TOKEN).map_err(|why| {
            Error::credentials(format!(
                "{}: the web identity token file {} {why}",
                settings.source,
                path.display()
            ))
        })?;
        let token = super::Secret::from(token.expose().trim());
        if token.is_empty() {
            return Err(Error::credentials(format!(
                "{}: the web identity token file {} is empty",
                settings.source,
                path.display()
            )));
        }
        let session_name = settings
            .session_name
            .clone()
            .unwrap_or_else(default_session_name);
        self.sts
            .assume_role_with_web_identity(
                ctx,
                &settings.source,
                &settings.role_arn,
                &session_name,
                &token,
            )
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialHttp;
    use crate::env::Env;
    use crate::error::ErrorKind;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    fn provide(pairs: &[(&str, &str)]) -> Result<Option<Credentials>> {
        let env = Env::from_pairs(pairs.iter().copied());
        let ctx = ProvideContext {
            env: &env,
            deadline: Instant::now() + Duration::from_secs(2),
        };
        let sts = StsClient::new("us-west-2", Arc::new(CredentialHttp::new(None)));
        WebIdentityProvider::from_env(sts).provide(&ctx)
    }

    #[test]
    fn environment_settings() {
        assert!(provide(&[]).unwrap().is_none());
        assert!(
            provide(&[(ROLE_ARN, "arn:aws:iam::1:role/r")])
                .unwrap()
                .is_none()
        );
        let err = provide(&[(TOKEN_FILE, "/t")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("AWS_ROLE_ARN is not"), "{err}");
    }

    #[test]
    fn token_file_problems_name_the_file_not_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let err = provide(&[
            (TOKEN_FILE, missing.to_str().unwrap()),
            (ROLE_ARN, "arn:aws:iam::1:role/r"),
        ])
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(
            err.message().starts_with(&format!(
                "web identity (AWS_WEB_IDENTITY_TOKEN_FILE): the web identity token file {} \
                 cannot be read",
                missing.display()
            )),
            "{err}"
        );
        let blank = dir.path().join("blank");
        std::fs::write(&blank, " \n").unwrap();
        let err = provide(&[(TOKEN_FILE, blank.to_str().unwrap()), (ROLE_ARN, "r")]).unwrap_err();
        assert!(err.message().ends_with("is empty"), "{err}");
        let big = dir.path().join("big");
        std::fs::write(&big, "TOKENTEXT".repeat(4000)).unwrap();
        let err = provide(&[(TOKEN_FILE, big.to_str().unwrap()), (ROLE_ARN, "r")]).unwrap_err();
        assert!(err.message().contains("larger than 16 KiB"), "{err}");
        assert!(!err.to_string().contains("TOKENTEXT"));
    }
}

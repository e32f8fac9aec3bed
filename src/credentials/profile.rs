//! Credentials from a profile of the shared config/credentials files: static keys
//! (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`) or `credential_process`.
//!
//! Assume-role (`role_arn`) and IAM Identity Center (`sso_*`) profiles are not supported yet: as
//! in the AWS SDKs they take precedence over the profile's other keys, so such a profile is an
//! error rather than silently giving other credentials than the AWS CLI would.

use super::{Credentials, ProcessProvider, ProvideContext, Provider};
use crate::error::{Error, Result};
use crate::profile::{ProfileSet, Section};
use crate::secret::Secret;
use std::sync::Arc;

/// Keys that select a credential source we do not support yet, with its description.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("role_arn", "assume role"),
    ("sso_session", "IAM Identity Center (SSO)"),
    ("sso_start_url", "IAM Identity Center (SSO)"),
    ("sso_account_id", "IAM Identity Center (SSO)"),
    ("sso_role_name", "IAM Identity Center (SSO)"),
];

/// The credentials of one profile of a [`ProfileSet`].
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    files: Arc<ProfileSet>,
    profile: String,
    named: bool,
}

impl ProfileProvider {
    /// The provider of profile `profile` in `files`. `named` is true when the profile was chosen
    /// (explicitly or by `AWS_PROFILE`): a missing or credential-less profile is then an error;
    /// otherwise (the implicit `default`) it is "not configured here".
    pub fn new(files: Arc<ProfileSet>, profile: impl Into<String>, named: bool) -> Self {
        ProfileProvider {
            files,
            profile: profile.into(),
            named,
        }
    }

    fn fail(&self, what: impl std::fmt::Display) -> Error {
        Error::credentials(format!("profile '{}' {what}", self.profile))
    }

    fn files_text(&self) -> String {
        format!(
            "{} or {}",
            self.files.config_path().display(),
            self.files.credentials_path().display()
        )
    }

    /// The key's value, or `None` when it is absent or empty.
    fn value<'a>(section: &'a Section, key: &str) -> Option<&'a str> {
        section.get(key).filter(|v| !v.is_empty())
    }
}

impl Provider for ProfileProvider {
    fn name(&self) -> String {
        format!(
            "profile '{}' (files {}, {})",
            self.profile,
            self.files.config_path().display(),
            self.files.credentials_path().display()
        )
    }

    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        let Some(section) = self.files.profile(&self.profile) else {
            if self.named {
                return Err(self.fail(format_args!("not found in {}", self.files_text())));
            }
            return Ok(None);
        };
        for (key, what) in UNSUPPORTED {
            if let Some(p) = section.property(key) {
                return Err(self.fail(format_args!(
                    "uses {what} ({key} at {}), which gamelift-auth does not support yet: \
                     use a profile with aws_access_key_id/aws_secret_access_key or \
                     credential_process, or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables",
                    self.files.location(p)
                )));
            }
        }
        let id = Self::value(section, "aws_access_key_id");
        let secret = Self::value(section, "aws_secret_access_key");
        match (id, secret) {
            (Some(id), Some(secret)) => {
                return Ok(Some(Credentials {
                    access_key_id: id.to_owned(),
                    secret_access_key: Secret::from(secret),
                    session_token: Self::value(section, "aws_session_token").map(Secret::from),
                    expiry: None,
                    source: format!("profile '{}'", self.profile),
                }));
            }
            (Some(_), None) | (None, Some(_)) => {
                let (has, lacks) = if id.is_some() {
                    ("aws_access_key_id", "aws_secret_access_key")
                } else {
                    ("aws_secret_access_key", "aws_access_key_id")
                };
                let at = section
                    .property(has)
                    .map(|p| self.files.location(p))
                    .unwrap_or_default();
                return Err(self.fail(format_args!("has {has} ({at}) but no {lacks}")));
            }
            (None, None) => {}
        }
        if let Some(command) = Self::value(section, "credential_process") {
            return ProcessProvider::new(self.profile.clone(), command).provide(ctx);
        }
        if self.named {
            return Err(self.fail(format_args!(
                "has no credentials (aws_access_key_id or credential_process) in {}",
                self.files_text()
            )));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::error::ErrorKind;
    use std::path::Path;
    use std::time::{Duration, Instant};

    fn provider(config: &str, credentials: &str, profile: &str, named: bool) -> ProfileProvider {
        let files = ProfileSet::parse(
            Path::new("/c/config"),
            Some(config),
            Path::new("/c/credentials"),
            Some(credentials),
        )
        .unwrap();
        ProfileProvider::new(Arc::new(files), profile, named)
    }

    fn provide(p: &ProfileProvider) -> Result<Option<Credentials>> {
        let env = Env::from_pairs::<&str, &str>([]);
        let ctx = ProvideContext {
            env: &env,
            deadline: Instant::now() + Duration::from_secs(10),
        };
        p.provide(&ctx)
    }

    fn error(p: &ProfileProvider) -> String {
        let err = provide(p).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        let msg = err.to_string();
        assert!(!msg.contains("PROFSECRET"), "{msg}");
        msg
    }

    #[test]
    fn static_keys_from_merged_files() {
        let p = provider(
            "[profile dev]\naws_session_token = TOKEN\nregion = r\n",
            "[dev]\naws_access_key_id = AKID\naws_secret_access_key = PROFSECRET\n",
            "dev",
            true,
        );
        let c = provide(&p).unwrap().unwrap();
        assert_eq!(c.access_key_id, "AKID");
        assert_eq!(c.secret_access_key.expose(), "PROFSECRET");
        assert_eq!(c.session_token.as_ref().map(Secret::expose), Some("TOKEN"));
        assert_eq!(c.source, "profile 'dev'");
        assert!(c.expiry.is_none());
        assert_eq!(p.name(), "profile 'dev' (files /c/config, /c/credentials)");
        assert!(!format!("{p:?}").contains("PROFSECRET"));
    }

    #[test]
    fn half_a_key_pair_is_an_error() {
        let msg = error(&provider(
            "",
            "[default]\naws_access_key_id = A\n",
            "default",
            false,
        ));
        assert_eq!(
            msg,
            "profile 'default' has aws_access_key_id (/c/credentials line 2) but no \
             aws_secret_access_key"
        );
        let msg = error(&provider(
            "[default]\naws_secret_access_key = PROFSECRET\naws_access_key_id =\n",
            "",
            "default",
            false,
        ));
        assert!(
            msg.contains("has aws_secret_access_key (/c/config line 2) but no aws_access_key_id")
        );
    }

    #[test]
    fn missing_or_empty_profile() {
        assert!(
            provide(&provider("", "", "default", false))
                .unwrap()
                .is_none()
        );
        assert!(
            provide(&provider("[default]\nregion = r\n", "", "default", false))
                .unwrap()
                .is_none()
        );
        let msg = error(&provider("", "", "dev", true));
        assert_eq!(
            msg,
            "profile 'dev' not found in /c/config or /c/credentials"
        );
        let msg = error(&provider("[profile dev]\nregion = r\n", "", "dev", true));
        assert_eq!(
            msg,
            "profile 'dev' has no credentials (aws_access_key_id or credential_process) in \
             /c/config or /c/credentials"
        );
    }

    #[test]
    fn unsupported_sources() {
        let msg = error(&provider(
            "[profile r]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n",
            "[r]\naws_access_key_id = A\naws_secret_access_key = PROFSECRET\n",
            "r",
            true,
        ));
        assert!(
            msg.starts_with("profile 'r' uses assume role (role_arn at /c/config line 2)"),
            "{msg}"
        );
        let msg = error(&provider(
            "[default]\nsso_session = corp\n",
            "",
            "default",
            false,
        ));
        assert!(
            msg.contains("uses IAM Identity Center (SSO) (sso_session"),
            "{msg}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn credential_process() {
        use crate::credentials::test_support::script;
        let dir = tempfile::tempdir().unwrap();
        let cmd = script(
            dir.path(),
            "cp",
            "echo '{\"Version\": 1, \"AccessKeyId\": \"FROMPROC\", \"SecretAccessKey\": \"S\"}'",
        );
        let p = provider(
            &format!("[profile p]\ncredential_process = {cmd}\n"),
            "",
            "p",
            true,
        );
        let c = provide(&p).unwrap().unwrap();
        assert_eq!(c.access_key_id, "FROMPROC");
        assert_eq!(c.source, "credential_process of profile 'p'");
        // Static keys come first.
        let p = provider(
            &format!("[profile p]\ncredential_process = {cmd}\n"),
            "[p]\naws_access_key_id = STATIC\naws_secret_access_key = S\n",
            "p",
            true,
        );
        assert_eq!(provide(&p).unwrap().unwrap().access_key_id, "STATIC");
    }
}

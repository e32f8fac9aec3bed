//! Credentials from a profile of the shared config/credentials files: static keys
//! (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`), `credential_process`,
//! a web identity (`role_arn` + `web_identity_token_file`), or an assumed role (`role_arn` with
//! `source_profile` or `credential_source`), as the AWS SDKs read them.
//!
//! For the chosen profile `role_arn` comes first (as in the SDKs); in a profile reached through
//! `source_profile`, static keys come first. A chain of `source_profile`s is followed up to
//! [`MAX_CHAIN`] profiles; a loop, a missing source profile or a malformed role setting is an
//! [`ErrorKind::Config`] error. IAM Identity Center (`sso_*`) profiles are not supported yet: as
//! in the SDKs they take precedence over static keys, so such a profile is an error rather than
//! silently giving other credentials than the AWS CLI would.
//!
//! [`ErrorKind::Config`]: crate::error::ErrorKind::Config

use super::sts::{RoleSettings, StsClient};
use super::{
    AssumeRoleProvider, ContainerProvider, Credentials, EnvironmentProvider, ImdsProvider,
    ProcessProvider, ProvideContext, Provider, StaticProvider, WebIdentityProvider,
    WebIdentitySettings,
};
use crate::error::{Error, Result};
use crate::profile::{ProfileSet, Section};
use crate::secret::Secret;
use std::sync::{Arc, OnceLock};

/// Most profiles one chain of `source_profile`s may go through.
pub const MAX_CHAIN: usize = 8;

/// Keys that select a credential source we do not support yet, with its description.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("sso_session", "IAM Identity Center (SSO)"),
    ("sso_start_url", "IAM Identity Center (SSO)"),
    ("sso_account_id", "IAM Identity Center (SSO)"),
    ("sso_role_name", "IAM Identity Center (SSO)"),
];

/// What a profile's settings come to: the providers to ask, built once.
type Plan = Result<Option<Arc<dyn Provider>>>;

/// The credentials of one profile of a [`ProfileSet`].
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    files: Arc<ProfileSet>,
    profile: String,
    named: bool,
    sts: Option<StsClient>,
    /// The providers the profile's settings come to (the files do not change).
    plan: OnceLock<Plan>,
}

impl ProfileProvider {
    /// The provider of profile `profile` in `files`. `named` is true when the profile was chosen
    /// (explicitly or by `AWS_PROFILE`): a missing or credential-less profile is then an error;
    /// otherwise (the implicit `default`) it is "not configured here". Without
    /// [`with_sts`](Self::with_sts), a profile that needs STS fails.
    pub fn new(files: Arc<ProfileSet>, profile: impl Into<String>, named: bool) -> Self {
        ProfileProvider {
            files,
            profile: profile.into(),
            named,
            sts: None,
            plan: OnceLock::new(),
        }
    }

    /// Uses `sts` for `role_arn` profiles, and its HTTP agent for `credential_source`s.
    pub fn with_sts(mut self, sts: StsClient) -> Self {
        self.sts = Some(sts);
        self.plan = OnceLock::new();
        self
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

    /// "file line n" of `key` in `section`, for messages.
    fn at(&self, section: &Section, key: &str) -> String {
        section
            .property(key)
            .map(|p| self.files.location(p))
            .unwrap_or_default()
    }

    fn sts(&self, name: &str) -> Result<&StsClient> {
        self.sts.as_ref().ok_or_else(|| {
            Error::credentials(format!(
                "profile '{name}' needs STS, which this provider was not given (no region)"
            ))
        })
    }

    /// Static keys of `section`: `None` when it has neither key, an error when it has one.
    fn static_keys(&self, name: &str, section: &Section) -> Result<Option<Arc<dyn Provider>>> {
        let id = Self::value(section, "aws_access_key_id");
        let secret = Self::value(section, "aws_secret_access_key");
        match (id, secret) {
            (Some(id), Some(secret)) => {
                Ok(Some(Arc::new(StaticProvider::with_source(Credentials {
                    access_key_id: id.to_owned(),
                    secret_access_key: Secret::from(secret),
                    session_token: Self::value(section, "aws_session_token").map(Secret::from),
                    expiry: None,
                    source: format!("profile '{name}'"),
                }))))
            }
            (Some(_), None) | (None, Some(_)) => {
                let (has, lacks) = if id.is_some() {
                    ("aws_access_key_id", "aws_secret_access_key")
                } else {
                    ("aws_secret_access_key", "aws_access_key_id")
                };
                Err(Error::credentials(format!(
                    "profile '{name}' has {has} ({}) but no {lacks}",
                    self.at(section, has)
                )))
            }
            (None, None) => Ok(None),
        }
    }

    /// What a profile gives without assuming a role: a web identity, static keys or
    /// `credential_process` (SSO is refused); `None` when it has none of them.
    fn base(&self, name: &str, section: &Section) -> Result<Option<Arc<dyn Provider>>> {
        if let (Some(role_arn), Some(token_file)) = (
            Self::value(section, "role_arn"),
            Self::value(section, "web_identity_token_file"),
        ) {
            let settings = WebIdentitySettings {
                token_file: token_file.to_owned(),
                role_arn: role_arn.to_owned(),
                session_name: Self::value(section, "role_session_name").map(str::to_owned),
                source: format!("web identity of profile '{name}'"),
            };
            let sts = self.sts(name)?.clone();
            return Ok(Some(Arc::new(WebIdentityProvider::new(settings, sts))));
        }
        for (key, what) in UNSUPPORTED {
            if section.property(key).is_some() {
                return Err(Error::credentials(format!(
                    "profile '{name}' uses {what} ({key} at {}), which gamelift-auth does not \
                     support yet: use a profile with aws_access_key_id/aws_secret_access_key, \
                     credential_process or role_arn, or the AWS_ACCESS_KEY_ID/\
                     AWS_SECRET_ACCESS_KEY variables",
                    self.at(section, key)
                )));
            }
        }
        if let Some(p) = self.static_keys(name, section)? {
            return Ok(Some(p));
        }
        if let Some(command) = Self::value(section, "credential_process") {
            return Ok(Some(Arc::new(ProcessProvider::new(name, command))));
        }
        Ok(None)
    }

    /// The role settings of a `role_arn` profile.
    fn role(&self, section: &Section, role_arn: &str) -> Result<RoleSettings> {
        let duration_seconds = match Self::value(section, "duration_seconds") {
            None => None,
            Some(text) => Some(text.trim().parse::<u32>().map_err(|_| {
                Error::config(format!(
                    "duration_seconds ({}) must be a number of seconds (900 to 43200)",
                    self.at(section, "duration_seconds")
                ))
            })?),
        };
        Ok(RoleSettings {
            role_arn: role_arn.to_owned(),
            session_name: Self::value(section, "role_session_name").map(str::to_owned),
            external_id: Self::value(section, "external_id").map(str::to_owned),
            duration_seconds,
        })
    }

    /// The provider a `credential_source` names.
    fn named_source(
        &self,
        name: &str,
        section: &Section,
        source: &str,
    ) -> Result<Arc<dyn Provider>> {
        match source {
            "Environment" => Ok(Arc::new(EnvironmentProvider)),
            "Ec2InstanceMetadata" => {
                Ok(Arc::new(ImdsProvider::new(self.sts(name)?.http().clone())))
            }
            "EcsContainer" => Ok(Arc::new(ContainerProvider::new(
                self.sts(name)?.http().clone(),
            ))),
            other => Err(Error::config(format!(
                "credential_source of profile '{name}' ({}) must be Environment, \
                 Ec2InstanceMetadata or EcsContainer, not '{}'",
                self.at(section, "credential_source"),
                super::excerpt(other)
            ))),
        }
    }

    /// Follows the profile's `source_profile`s to a base provider and wraps it in the roles to
    /// assume, outermost last. `Ok(None)`: the profile has no credentials.
    fn build(&self) -> Plan {
        let mut visited: Vec<&str> = Vec::new();
        let mut roles: Vec<(&str, RoleSettings)> = Vec::new();
        let mut name: &str = &self.profile;
        let base: Arc<dyn Provider> = loop {
            let Some(section) = self.files.profile(name) else {
                let from = visited.last().copied().unwrap_or_default();
                let at = self
                    .files
                    .profile(from)
                    .map(|s| self.at(s, "source_profile"))
                    .unwrap_or_default();
                return Err(Error::config(format!(
                    "source_profile '{name}' of profile '{from}' ({at}) is not a profile in {}",
                    self.files_text()
                )));
            };
            if visited.contains(&name) {
                visited.push(name);
                return Err(Error::config(format!(
                    "profile '{}' has a source_profile loop: {}",
                    self.profile,
                    visited.join(" -> ")
                )));
            }
            visited.push(name);
            if visited.len() > MAX_CHAIN {
                return Err(Error::config(format!(
                    "profile '{}' chains more than {MAX_CHAIN} profiles through source_profile",
                    self.profile
                )));
            }
            if visited.len() > 1
                && let Some(keys) = self.static_keys(name, section)?
            {
                break keys;
            }
            let role_arn = Self::value(section, "role_arn");
            let web_identity = Self::value(section, "web_identity_token_file").is_some();
            let Some(role_arn) = role_arn.filter(|_| !web_identity) else {
                match self.base(name, section)? {
                    Some(base) => break base,
                    None if visited.len() == 1 => return Ok(None),
                    None => {
                        return Err(Error::credentials(format!(
                            "profile '{name}' (source_profile of '{}') has no credentials                              (aws_access_key_id, credential_process or role_arn)",
                            visited[visited.len() - 2]
                        )));
                    }
                }
            };
            self.sts(name)?;
            roles.push((name, self.role(section, role_arn)?));
            let source_profile = Self::value(section, "source_profile");
            let credential_source = Self::value(section, "credential_source");
            match (source_profile, credential_source) {
                (Some(_), Some(_)) => {
                    return Err(Error::config(format!(
                        "profile '{name}' has both source_profile ({}) and credential_source \
                         ({}): keep one",
                        self.at(section, "source_profile"),
                        self.at(section, "credential_source")
                    )));
                }
                (None, None) => {
                    return Err(Error::config(format!(
                        "profile '{name}' has role_arn ({}) but no source_profile, \
                         credential_source or web_identity_token_file to assume it with",
                        self.at(section, "role_arn")
                    )));
                }
                (Some(source), None) if source == name => {
                    // A profile may assume its role with its own keys.
                    match self.static_keys(name, section)? {
                        Some(keys) => break keys,
                        None => match Self::value(section, "credential_process") {
                            Some(command) => break Arc::new(ProcessProvider::new(name, command)),
                            None => {
                                return Err(Error::config(format!(
                                    "profile '{name}' is its own source_profile ({}) but has no \
                                     aws_access_key_id or credential_process",
                                    self.at(section, "source_profile")
                                )));
                            }
                        },
                    }
                }
                (Some(source), None) => name = source,
                (None, Some(source)) => break self.named_source(name, section, source)?,
            }
        };
        let mut provider = base;
        for (name, role) in roles.into_iter().rev() {
            let sts = self.sts(name)?.clone();
            provider = Arc::new(AssumeRoleProvider::new(
                provider,
                role,
                sts,
                format!("assume role of profile '{name}'"),
            ));
        }
        Ok(Some(provider))
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
        if self.files.profile(&self.profile).is_none() {
            if self.named {
                return Err(self.fail(format_args!("not found in {}", self.files_text())));
            }
            return Ok(None);
        }
        match self.plan.get_or_init(|| self.build()).clone()? {
            Some(provider) => provider.provide(ctx),
            None if self.named => Err(self.fail(format_args!(
                "has no credentials (aws_access_key_id, credential_process or role_arn) in {}",
                self.files_text()
            ))),
            None => Ok(None),
        }
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
            "profile 'dev' has no credentials (aws_access_key_id, credential_process or role_arn) in \
             /c/config or /c/credentials"
        );
    }

    #[test]
    fn unsupported_sources() {
        let msg = error(&provider(
            "[default]\nsso_session = corp\n",
            "[default]\naws_access_key_id = A\naws_secret_access_key = PROFSECRET\n",
            "default",
            false,
        ));
        assert!(
            msg.starts_with(
                "profile 'default' uses IAM Identity Center (SSO) (sso_session at /c/config line 2)"
            ),
            "{msg}"
        );
    }

    /// The provider of `profile` with an STS client (that is never reached by these tests).
    fn with_sts(config: &str, credentials: &str, profile: &str) -> ProfileProvider {
        let http = Arc::new(super::super::CredentialHttp::new(None));
        provider(config, credentials, profile, true).with_sts(StsClient::new("us-west-2", http))
    }

    fn plan_error(config: &str, profile: &str) -> Error {
        let p = with_sts(config, "", profile);
        let err = provide(&p).unwrap_err();
        assert!(!err.to_string().contains("PROFSECRET"), "{err}");
        err
    }

    #[test]
    fn role_chain_errors() {
        use crate::error::ErrorKind;
        let role = "role_arn = arn:aws:iam::1:role/x\n";
        let cases: Vec<(String, &str, ErrorKind, &str)> = vec![
            (
                format!(
                    "[profile a]\n{role}source_profile = b\n[profile b]\n{role}source_profile = a\n"
                ),
                "a",
                ErrorKind::Config,
                "profile 'a' has a source_profile loop: a -> b -> a",
            ),
            (
                format!("[profile a]\n{role}source_profile = gone\n"),
                "a",
                ErrorKind::Config,
                "source_profile 'gone' of profile 'a' (/c/config line 3) is not a profile in \
                 /c/config or /c/credentials",
            ),
            (
                format!("[profile a]\n{role}"),
                "a",
                ErrorKind::Config,
                "profile 'a' has role_arn (/c/config line 2) but no source_profile, \
                 credential_source or web_identity_token_file to assume it with",
            ),
            (
                format!("[profile a]\n{role}source_profile = b\ncredential_source = Environment\n"),
                "a",
                ErrorKind::Config,
                "profile 'a' has both source_profile (/c/config line 3) and credential_source \
                 (/c/config line 4): keep one",
            ),
            (
                format!("[profile a]\n{role}credential_source = Ec2\n"),
                "a",
                ErrorKind::Config,
                "credential_source of profile 'a' (/c/config line 3) must be Environment, \
                 Ec2InstanceMetadata or EcsContainer, not 'Ec2'",
            ),
            (
                format!(
                    "[profile a]\n{role}credential_source = Environment\nduration_seconds = 1h\n"
                ),
                "a",
                ErrorKind::Config,
                "duration_seconds (/c/config line 4) must be a number of seconds",
            ),
            (
                format!("[profile a]\n{role}source_profile = a\n"),
                "a",
                ErrorKind::Config,
                "profile 'a' is its own source_profile (/c/config line 3) but has no \
                 aws_access_key_id or credential_process",
            ),
            (
                format!("[profile a]\n{role}source_profile = b\n[profile b]\nregion = r\n"),
                "a",
                ErrorKind::Credentials,
                "profile 'b' (source_profile of 'a') has no credentials",
            ),
            (
                format!(
                    "[profile a]\n{role}source_profile = b\n[profile b]\n\
                     aws_secret_access_key = PROFSECRET\n"
                ),
                "a",
                ErrorKind::Credentials,
                "profile 'b' has aws_secret_access_key (/c/config line 5) but no aws_access_key_id",
            ),
        ];
        for (config, profile, kind, want) in cases {
            let err = plan_error(&config, profile);
            assert_eq!(err.kind(), kind, "{config}: {err}");
            assert!(err.message().starts_with(want), "{config}: {err}");
        }
        // A long chain stops at MAX_CHAIN profiles.
        let mut config = String::new();
        for i in 0..MAX_CHAIN + 2 {
            config.push_str(&format!(
                "[profile p{i}]\n{role}source_profile = p{}\n",
                i + 1
            ));
        }
        let err = plan_error(&config, "p0");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message()
                .starts_with("profile 'p0' chains more than 8 profiles through source_profile"),
            "{err}"
        );
        // Without STS, a role profile cannot work.
        let err = provide(&provider(
            &format!("[profile a]\n{role}credential_source = Environment\n"),
            "",
            "a",
            true,
        ))
        .unwrap_err();
        assert!(err.message().contains("needs STS"), "{err}");
    }

    #[test]
    fn role_chain_shapes() {
        let role = |n: u32| format!("role_arn = arn:aws:iam::1:role/r{n}\n");
        // The plan's outermost provider assumes the chosen profile's role; a source profile's
        // static keys win over its own role_arn; a self-referencing profile uses its own keys.
        let config = format!(
            "[profile a]\n{}source_profile = b\n[profile b]\n{}source_profile = c\n\
             aws_access_key_id = B\naws_secret_access_key = PROFSECRET\n\
             [profile self]\n{}source_profile = self\naws_access_key_id = S\n\
             aws_secret_access_key = PROFSECRET\n[profile web]\n{}\
             web_identity_token_file = /t\nsource_profile = nowhere\n",
            role(1),
            role(2),
            role(3),
            role(4)
        );
        let plan = |profile: &str| {
            let p = with_sts(&config, "", profile);
            let plan = p.build().unwrap().unwrap();
            (plan.name(), format!("{plan:?}"))
        };
        let (name, debug) = plan("a");
        assert_eq!(
            name,
            "assume role of profile 'a' (role arn:aws:iam::1:role/r1)"
        );
        assert!(debug.contains("source: \"profile 'b'\""), "{debug}");
        assert!(
            !debug.contains("r2") && !debug.contains("PROFSECRET"),
            "{debug}"
        );
        let (name, debug) = plan("self");
        assert_eq!(
            name,
            "assume role of profile 'self' (role arn:aws:iam::1:role/r3)"
        );
        assert!(debug.contains("source: \"profile 'self'\""), "{debug}");
        let (name, _) = plan("web");
        assert_eq!(name, "web identity of profile 'web'");
        // Static keys come before role_arn only in source profiles: chosen, b assumes its role.
        let err = with_sts(&config, "", "b").build().unwrap_err();
        assert!(
            err.message()
                .starts_with("source_profile 'c' of profile 'b'"),
            "{err}"
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

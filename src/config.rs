//! Settings and their resolution from the standard AWS sources.
//!
//! [`Config`] holds what the caller set explicitly; [`Config::resolve`] fills every unset value
//! from the environment and the shared config/credentials files in the AWS SDKs' precedence and
//! checks it, giving a [`Resolved`] configuration that a client uses for its whole life.

use crate::credentials::{
    ChainProvider, ContainerProvider, CredentialHttp, Credentials, CredentialsCache,
    EnvironmentProvider, ImdsProvider, ProfileProvider, Provider, StaticProvider, StsClient,
    WebIdentityProvider,
};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::profile::{ProfileSet, Property, Section};
use std::net::{Ipv4Addr, Ipv6Addr};
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

/// Checks an endpoint URL: `https://host[:port][/path]`, or `http://` only for a loopback host
/// (`127.0.0.0/8`, `[::1]`, `localhost`); no user info, query or fragment. Returns it without a
/// trailing slash. Failures are [`ErrorKind::InvalidArgument`]; messages do not quote the URL
/// (it could hold a password or token).
///
/// [`ErrorKind::InvalidArgument`]: crate::error::ErrorKind::InvalidArgument
pub fn check_endpoint_url(url: &str) -> Result<String> {
    let bad = |why: &str| Error::invalid_argument(format!("invalid endpoint URL: {why}"));
    if url.is_empty() {
        return Err(bad("it is empty"));
    }
    if !url.chars().all(|c| c.is_ascii_graphic()) {
        return Err(bad(
            "it contains a space, a control or a non-ASCII character (write an \
             internationalized host name in its xn-- form)",
        ));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad(
            "it must start with https:// (or http:// for a loopback host)",
        ));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(bad(
            "the scheme must be https (or http for a loopback host)",
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(bad("it must not have a query ('?') or a fragment ('#')"));
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return Err(bad(
            "it must not contain a user name or password ('user@host')",
        ));
    }
    let (host, port) = split_host_port(authority).map_err(bad)?;
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => {}
            _ => return Err(bad("the port must be a number from 1 to 65535")),
        }
    }
    if let Some(c) = path.chars().find(|c| "\\\"<>^`{|}".contains(*c)) {
        return Err(bad(&format!("the path contains '{c}'")));
    }
    if scheme == "http" && !is_loopback(host) {
        return Err(bad(&format!(
            "plain http is allowed only for a loopback host (127.0.0.1, [::1], localhost), \
             not '{host}': use https"
        )));
    }
    Ok(format!(
        "{scheme}://{authority}{}",
        path.trim_end_matches('/')
    ))
}

/// Splits `host[:port]` or `[v6]:port`, checking the host's characters.
fn split_host_port(authority: &str) -> std::result::Result<(&str, Option<&str>), &'static str> {
    if let Some(v6) = authority.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else {
            return Err("an IPv6 host lacks its closing ']'");
        };
        if addr.parse::<Ipv6Addr>().is_err() {
            return Err("the IPv6 host is not a valid address");
        }
        let host = &authority[..addr.len() + 2];
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err("unexpected text after the IPv6 host"),
            },
        };
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    let valid_chars = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if !valid_chars || host.starts_with(['.', '-']) || host.contains("..") {
        return Err("the host name is not valid (letters, digits, '-', '.'; or an IP address)");
    }
    Ok((host, port))
}

/// `localhost`, `127.0.0.0/8` or `[::1]`.
fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|a| a.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

/// Longest deadline of one call.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// Most attempts per call.
pub const MAX_ATTEMPTS: u32 = 20;

/// Checks the deadline of one call: 1 ms to [`MAX_TIMEOUT`].
pub fn check_timeout(timeout: Duration) -> Result<()> {
    if timeout < Duration::from_millis(1) || timeout > MAX_TIMEOUT {
        return Err(Error::invalid_argument(format!(
            "the timeout must be 1 to {} ms",
            MAX_TIMEOUT.as_millis()
        )));
    }
    Ok(())
}

/// Checks the attempts per call: 1 to [`MAX_ATTEMPTS`].
pub fn check_max_attempts(attempts: u32) -> Result<()> {
    if !(1..=MAX_ATTEMPTS).contains(&attempts) {
        return Err(Error::invalid_argument(format!(
            "the number of attempts must be 1 to {MAX_ATTEMPTS}"
        )));
    }
    Ok(())
}

/// Checks a region name (`us-west-2`, `cn-north-1`, ...): 1-64 of `[a-z0-9-]`, not starting or
/// ending with `-`. Failures are [`ErrorKind::InvalidArgument`].
///
/// [`ErrorKind::InvalidArgument`]: crate::error::ErrorKind::InvalidArgument
pub fn check_region(region: &str) -> Result<()> {
    let ok = (1..=64).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "invalid region '{}': expected 1 to 64 lowercase letters, digits and '-' (like \
             us-west-2)",
            crate::credentials::excerpt(region)
        )))
    }
}

/// The environment and the chosen profile, for the lookups of [`Config::resolve`].
struct Sources<'a> {
    env: &'a Env,
    files: &'a ProfileSet,
    profile: &'a Section,
    name: &'a str,
}

impl Sources<'_> {
    /// Where a profile property is, for messages: "profile 'x' (/path line 3)".
    fn at(&self, property: &Property) -> String {
        format!(
            "profile '{}' ({})",
            self.name,
            self.files.location(property)
        )
    }

    /// A boolean setting: the variable if set, else the profile key.
    fn flag(&self, var: &str, key: &str) -> Result<Option<bool>> {
        let parse = |v: &str| match v.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        if let Some(value) = self.env.get(var) {
            return parse(&value).map(Some).ok_or_else(|| {
                Error::config(format!(
                    "{var} must be true or false, not '{}'",
                    crate::credentials::excerpt(&value)
                ))
            });
        }
        match self.profile.property(key) {
            None => Ok(None),
            Some(p) => parse(p.value()).map(Some).ok_or_else(|| {
                Error::config(format!("{key} of {} must be true or false", self.at(p)))
            }),
        }
    }

    fn region(&self, explicit: Option<&str>) -> Result<String> {
        if let Some(region) = explicit {
            check_region(region)?;
            return Ok(region.to_owned());
        }
        for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let Some(region) = self.env.get(var) {
                check_region(&region)
                    .map_err(|e| Error::config(format!("{var}: {}", e.message())))?;
                return Ok(region);
            }
        }
        if let Some(p) = self.profile.property("region") {
            check_region(p.value())
                .map_err(|e| Error::config(format!("region of {}: {}", self.at(p), e.message())))?;
            return Ok(p.value().to_owned());
        }
        Err(Error::config(format!(
            "no region: set AWS_REGION, or region in profile '{}' of {}, or set the region on \
             the configuration",
            self.name,
            self.files.config_path().display()
        )))
    }

    /// The endpoint configured by `AWS_ENDPOINT_URL*` or the profile, with its source.
    fn configured_endpoint(&self) -> Result<Option<(String, String)>> {
        for var in ["AWS_ENDPOINT_URL_GAMELIFT", "AWS_ENDPOINT_URL"] {
            if let Some(url) = self.env.get(var) {
                let url = check_endpoint_url(&url)
                    .map_err(|e| Error::config(format!("{var}: {}", e.message())))?;
                return Ok(Some((url, var.to_owned())));
            }
        }
        if let Some(services) = self.profile.property("services") {
            let name = services.value();
            let Some(section) = self.files.services(name) else {
                return Err(Error::config(format!(
                    "services = {name} of {}: {} has no [services {name}] section",
                    self.at(services),
                    self.files.config_path().display()
                )));
            };
            if let Some(gamelift) = section.property("gamelift")
                && let Some(url) = gamelift.sub_property("endpoint_url")
            {
                let source = format!(
                    "gamelift endpoint_url of [services {name}] ({})",
                    self.files.location(gamelift)
                );
                let url = check_endpoint_url(url)
                    .map_err(|e| Error::config(format!("{source}: {}", e.message())))?;
                return Ok(Some((url, source)));
            }
        }
        if let Some(p) = self.profile.property("endpoint_url") {
            let source = format!("endpoint_url of {}", self.at(p));
            let url = check_endpoint_url(p.value())
                .map_err(|e| Error::config(format!("{source}: {}", e.message())))?;
            return Ok(Some((url, source)));
        }
        Ok(None)
    }

    /// The standard endpoint of `region`, with the FIPS and dual-stack settings.
    fn default_endpoint(&self, region: &str) -> Result<String> {
        let fips = self
            .flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?
            .unwrap_or(false);
        let dual_stack = self
            .flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?
            .unwrap_or(false);
        let service = if fips { "gamelift-fips" } else { "gamelift" };
        let suffix = match (region.starts_with("cn-"), dual_stack) {
            (false, false) => "amazonaws.com",
            (false, true) => "api.aws",
            (true, false) => "amazonaws.com.cn",
            (true, true) => "api.amazonwebservices.com.cn",
        };
        Ok(format!("https://{service}.{region}.{suffix}"))
    }
}

impl Config {
    /// Resolves every unset value from the environment and the shared files, in the AWS SDKs'
    /// precedence (see the crate docs), and checks them. Reads the shared files (blocking I/O);
    /// runs no credential source (that happens on first use).
    ///
    /// Errors: [`ErrorKind::Config`] for a missing region, an unknown named profile, an
    /// unreadable or malformed file or a bad value from the environment or a profile;
    /// [`ErrorKind::InvalidArgument`] for a bad explicit value.
    ///
    /// [`ErrorKind::Config`]: crate::error::ErrorKind::Config
    /// [`ErrorKind::InvalidArgument`]: crate::error::ErrorKind::InvalidArgument
    pub fn resolve(&self) -> Result<Resolved> {
        check_timeout(self.timeout)?;
        check_max_attempts(self.max_attempts)?;
        let env = &self.env;
        let files = Arc::new(ProfileSet::load(env)?);
        let (name, named_by) = match (&self.profile, env.get("AWS_PROFILE")) {
            (Some(name), _) if name.is_empty() => {
                return Err(Error::invalid_argument("the profile name is empty"));
            }
            (Some(name), _) => (name.clone(), Some("")),
            (None, Some(name)) => (name, Some(" (named by AWS_PROFILE)")),
            (None, None) => ("default".to_owned(), None),
        };
        let found = files.profile(&name);
        if let (None, Some(by)) = (found, named_by) {
            return Err(Error::config(format!(
                "profile '{name}'{by} not found in {} or {}",
                files.config_path().display(),
                files.credentials_path().display()
            )));
        }
        let empty = Section::default();
        let src = Sources {
            env,
            files: &files,
            profile: found.unwrap_or(&empty),
            name: &name,
        };

        let region = src.region(self.region.as_deref())?;
        let (endpoint, endpoint_source) = match &self.endpoint {
            Some(url) => (check_endpoint_url(url)?, "explicit".to_owned()),
            None => {
                let ignore = src
                    .flag(
                        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                        "ignore_configured_endpoint_urls",
                    )?
                    .unwrap_or(false);
                let configured = if ignore {
                    None
                } else {
                    src.configured_endpoint()?
                };
                match configured {
                    Some(found) => found,
                    None => (src.default_endpoint(&region)?, "default".to_owned()),
                }
            }
        };
        let ca_bundle = env
            .get("AWS_CA_BUNDLE")
            .or_else(|| src.profile.get("ca_bundle").map(str::to_owned))
            .filter(|path| !path.is_empty())
            .map(|path| env.expand_home(&path));

        let credentials: Arc<dyn Provider> = if let Some(c) = &self.credentials {
            if c.access_key_id.is_empty() || c.secret_access_key.is_empty() {
                return Err(Error::invalid_argument(
                    "explicit credentials need an access key id and a secret access key",
                ));
            }
            Arc::new(StaticProvider::new(c.clone()))
        } else {
            // One HTTP agent for the network sources (STS, container endpoint, IMDS), built on
            // first use.
            let http = Arc::new(CredentialHttp::new(ca_bundle.clone()));
            let sts = StsClient::new(region.clone(), http.clone());
            let profile = Arc::new(
                ProfileProvider::new(files.clone(), name.clone(), named_by.is_some())
                    .with_sts(sts.clone()),
            );
            let inner: Arc<dyn Provider> = if self.profile.is_some() {
                profile
            } else {
                // The AWS SDKs' default chain order.
                Arc::new(ChainProvider::new(vec![
                    Arc::new(EnvironmentProvider),
                    profile,
                    Arc::new(WebIdentityProvider::from_env(sts)),
                    Arc::new(ContainerProvider::new(http.clone())),
                    Arc::new(ImdsProvider::new(http)),
                ]))
            };
            Arc::new(CredentialsCache::new(inner))
        };

        Ok(Resolved {
            region,
            endpoint,
            endpoint_source,
            credentials,
            env: env.clone(),
            timeout: self.timeout,
            max_attempts: self.max_attempts,
            min_validity: self.min_validity,
            cache_dir: self.cache_dir.clone(),
            ca_bundle,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::ProvideContext;
    use crate::error::ErrorKind;
    use crate::secret::Secret;
    use std::path::Path;
    use std::time::Instant;

    /// A home directory with the two shared files, and variables around it.
    struct Setup {
        dir: tempfile::TempDir,
    }

    impl Setup {
        fn new(config: &str, credentials: &str) -> Setup {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join(".aws")).unwrap();
            std::fs::write(dir.path().join(".aws/config"), config).unwrap();
            std::fs::write(dir.path().join(".aws/credentials"), credentials).unwrap();
            Setup { dir }
        }

        fn home(&self) -> &Path {
            self.dir.path()
        }

        fn config(&self, vars: &[(&str, &str)]) -> Config {
            let home = self.home().to_str().unwrap().to_owned();
            // Never reach for a real instance metadata service from a unit test.
            let mut pairs: Vec<(String, String)> = vec![
                ("HOME".into(), home),
                ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ];
            pairs.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            Config::with_env(Env::from_pairs(pairs))
        }

        fn resolve(&self, vars: &[(&str, &str)]) -> Result<Resolved> {
            self.config(vars).resolve()
        }
    }

    fn err_of(r: Result<Resolved>) -> Error {
        r.expect_err("resolution should fail")
    }

    #[test]
    fn endpoint_urls() {
        let ok = [
            (
                "https://gamelift.us-west-2.amazonaws.com",
                "https://gamelift.us-west-2.amazonaws.com",
            ),
            (
                "https://gamelift.us-west-2.amazonaws.com/",
                "https://gamelift.us-west-2.amazonaws.com",
            ),
            (
                "HTTPS://Example.com:8443/base/path/",
                "https://Example.com:8443/base/path",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.5.6.7/", "http://127.5.6.7"),
            ("http://localhost:1", "http://localhost:1"),
            ("http://LOCALHOST", "http://LOCALHOST"),
            ("http://[::1]:9000/x", "http://[::1]:9000/x"),
            ("https://[2001:db8::1]", "https://[2001:db8::1]"),
            ("https://my_host.internal", "https://my_host.internal"),
        ];
        for (input, want) in ok {
            assert_eq!(check_endpoint_url(input).unwrap(), want, "{input}");
        }
        let bad = [
            ("", "empty"),
            (
                "gamelift.us-west-2.amazonaws.com",
                "must start with https://",
            ),
            ("ftp://host", "scheme must be https"),
            ("http://example.com", "only for a loopback host"),
            ("http://10.0.0.1:80", "only for a loopback host"),
            ("http://[::2]", "only for a loopback host"),
            ("http://localhost.evil.com", "only for a loopback host"),
            ("http://127.1", "only for a loopback host"),
            ("https://user:PASSWORD@host", "user name or password"),
            ("https://host/?X-Amz-Security-Token=TOKEN", "query"),
            ("https://host#frag", "fragment"),
            ("https://", "no host"),
            ("https://:443", "no host"),
            ("https://host:0", "port"),
            ("https://host:65536", "port"),
            ("https://host:+80", "port"),
            ("https://host:", "port"),
            ("https://ho st", "space"),
            ("https://hôst", "non-ASCII"),
            ("https://host\n", "control"),
            ("https://ho%73t", "host name is not valid"),
            ("https://-host", "host name is not valid"),
            ("https://a..b", "host name is not valid"),
            ("https://[::1", "closing ']'"),
            ("https://[zz::1]", "not a valid address"),
            ("https://[::1]x", "after the IPv6 host"),
            ("https://host/a\\b", "path contains"),
        ];
        for (input, want) in bad {
            let err = check_endpoint_url(input).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{input}");
            let msg = err.to_string();
            assert!(msg.contains(want), "{input:?}: {msg}");
            assert!(!msg.contains("PASSWORD") && !msg.contains("TOKEN"), "{msg}");
        }
    }

    #[test]
    fn regions() {
        for ok in [
            "us-west-2",
            "cn-north-1",
            "us-gov-west-1",
            "a",
            "x1",
            &"a".repeat(64),
        ] {
            check_region(ok).unwrap();
        }
        for bad in [
            "",
            "US-WEST-2",
            "-us",
            "us-",
            "us_west",
            "us west",
            "üs",
            &"a".repeat(65),
        ] {
            let err = check_region(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn profile_precedence_and_unknown_profiles() {
        let s = Setup::new(
            "[default]\nregion = from-default\n[profile env]\nregion = from-env\n\
             [profile mine]\nregion = from-mine\n",
            "[creds-only]\naws_access_key_id = A\naws_secret_access_key = S\n",
        );
        assert_eq!(s.resolve(&[]).unwrap().region, "from-default");
        assert_eq!(
            s.resolve(&[("AWS_PROFILE", "env")]).unwrap().region,
            "from-env"
        );
        let mut cfg = s.config(&[("AWS_PROFILE", "env")]);
        cfg.profile = Some("mine".into());
        assert_eq!(cfg.resolve().unwrap().region, "from-mine");
        // A profile in the credentials file only exists too.
        let r = s.resolve(&[("AWS_PROFILE", "creds-only"), ("AWS_REGION", "us-east-1")]);
        assert_eq!(r.unwrap().region, "us-east-1");

        let config_path = s.home().join(".aws/config");
        let creds_path = s.home().join(".aws/credentials");
        let err = err_of(s.resolve(&[("AWS_PROFILE", "nope")]));
        assert_eq!(err.kind(), ErrorKind::Config);
        assert_eq!(
            err.message(),
            format!(
                "profile 'nope' (named by AWS_PROFILE) not found in {} or {}",
                config_path.display(),
                creds_path.display()
            )
        );
        let mut cfg = s.config(&[]);
        cfg.profile = Some("nope".into());
        let err = err_of(cfg.resolve());
        assert!(
            err.message().starts_with("profile 'nope' not found in"),
            "{err}"
        );
        cfg.profile = Some(String::new());
        assert_eq!(err_of(cfg.resolve()).kind(), ErrorKind::InvalidArgument);

        // No files at all: the implicit default profile is simply empty.
        let empty = Setup::new("", "");
        std::fs::remove_dir_all(empty.home().join(".aws")).unwrap();
        assert_eq!(empty.resolve(&[("AWS_REGION", "r")]).unwrap().region, "r");
    }

    #[test]
    fn region_precedence_and_errors() {
        let s = Setup::new(
            "[default]\nregion = profile-region\n[profile bad]\nregion = Bad!\n",
            "",
        );
        let mut cfg = s.config(&[("AWS_REGION", "env-region"), ("AWS_DEFAULT_REGION", "d")]);
        cfg.region = Some("explicit-region".into());
        assert_eq!(cfg.resolve().unwrap().region, "explicit-region");
        cfg.region = None;
        assert_eq!(cfg.resolve().unwrap().region, "env-region");
        assert_eq!(
            s.resolve(&[("AWS_DEFAULT_REGION", "d")]).unwrap().region,
            "d"
        );
        assert_eq!(s.resolve(&[]).unwrap().region, "profile-region");

        cfg.region = Some("Bad Region".into());
        assert_eq!(err_of(cfg.resolve()).kind(), ErrorKind::InvalidArgument);
        let err = err_of(s.resolve(&[("AWS_REGION", "US_WEST")]));
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message()
                .starts_with("AWS_REGION: invalid region 'US_WEST'"),
            "{err}"
        );
        let err = err_of(s.resolve(&[("AWS_PROFILE", "bad")]));
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("region of profile 'bad' ("), "{err}");
        assert!(err.message().contains(".aws/config line 4"), "{err}");

        let none = Setup::new("[profile p]\noutput = json\n", "");
        let err = err_of(none.resolve(&[("AWS_PROFILE", "p")]));
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message()
                .starts_with("no region: set AWS_REGION, or region in profile 'p'")
        );
    }

    #[test]
    fn endpoint_precedence() {
        let s = Setup::new(
            "[default]\nregion = us-west-2\nservices = local\nendpoint_url = https://profile.test\n\
             [services local]\ngamelift =\n  endpoint_url = http://127.0.0.1:9000/\n\
             [profile plain]\nregion = us-west-2\nendpoint_url = https://plain.test/\n\
             [profile ignoring]\nregion = us-west-2\nendpoint_url = https://plain.test\n\
             ignore_configured_endpoint_urls = true\n",
            "",
        );
        let all = [
            ("AWS_ENDPOINT_URL_GAMELIFT", "https://gamelift-env.test"),
            ("AWS_ENDPOINT_URL", "https://any-env.test"),
        ];
        let r = |vars: &[(&str, &str)]| {
            let r = s.resolve(vars).unwrap();
            (r.endpoint, r.endpoint_source)
        };
        let mut cfg = s.config(&all);
        cfg.endpoint = Some("https://explicit.test".into());
        assert_eq!(cfg.resolve().unwrap().endpoint, "https://explicit.test");
        assert_eq!(cfg.resolve().unwrap().endpoint_source, "explicit");
        assert_eq!(
            r(&all),
            (
                "https://gamelift-env.test".into(),
                "AWS_ENDPOINT_URL_GAMELIFT".into()
            )
        );
        assert_eq!(
            r(&all[1..]),
            ("https://any-env.test".into(), "AWS_ENDPOINT_URL".into())
        );
        let (url, source) = r(&[]);
        assert_eq!(url, "http://127.0.0.1:9000");
        assert!(
            source.starts_with("gamelift endpoint_url of [services local] ("),
            "{source}"
        );
        let (url, source) = r(&[("AWS_PROFILE", "plain")]);
        assert_eq!(url, "https://plain.test");
        assert!(
            source.starts_with("endpoint_url of profile 'plain' ("),
            "{source}"
        );

        // Ignoring configured endpoints: by variable, by profile; the variable wins; never the
        // explicit one.
        let ignore = ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        let default = "https://gamelift.us-west-2.amazonaws.com".to_owned();
        assert_eq!(
            r(&[all[0], all[1], ignore]),
            (default.clone(), "default".into())
        );
        assert_eq!(r(&[("AWS_PROFILE", "ignoring")]).0, default);
        let dont = ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "FALSE");
        assert_eq!(
            r(&[("AWS_PROFILE", "ignoring"), dont]).0,
            "https://plain.test"
        );
        let mut cfg = s.config(&[ignore]);
        cfg.endpoint = Some("https://explicit.test".into());
        assert_eq!(cfg.resolve().unwrap().endpoint, "https://explicit.test");
    }

    #[test]
    fn endpoint_errors_name_their_source() {
        let s = Setup::new(
            "[default]\nregion = us-west-2\n[profile missing]\nregion = r\nservices = nowhere\n\
             [profile badurl]\nregion = r\nendpoint_url = http://example.com\n",
            "",
        );
        let err = err_of(s.resolve(&[("AWS_ENDPOINT_URL_GAMELIFT", "http://evil.test")]));
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message()
                .starts_with("AWS_ENDPOINT_URL_GAMELIFT: invalid endpoint URL")
        );
        let err = err_of(s.resolve(&[("AWS_ENDPOINT_URL", "nonsense")]));
        assert!(
            err.message()
                .starts_with("AWS_ENDPOINT_URL: invalid endpoint URL"),
            "{err}"
        );
        let err = err_of(s.resolve(&[("AWS_PROFILE", "missing")]));
        assert!(
            err.message().contains("has no [services nowhere] section"),
            "{err}"
        );
        let err = err_of(s.resolve(&[("AWS_PROFILE", "badurl")]));
        assert!(
            err.message()
                .starts_with("endpoint_url of profile 'badurl' ("),
            "{err}"
        );
        assert!(
            err.message().contains("line 8): invalid endpoint URL"),
            "{err}"
        );
        let err = err_of(s.resolve(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes")]));
        assert!(
            err.message().contains("must be true or false, not 'yes'"),
            "{err}"
        );
        let mut cfg = s.config(&[]);
        cfg.endpoint = Some("http://example.com".into());
        assert_eq!(err_of(cfg.resolve()).kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn default_endpoints() {
        let s = Setup::new(
            "[profile fips]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = TRUE\n\
             [profile badflag]\nuse_fips_endpoint = 1\n",
            "",
        );
        let fips = ("AWS_USE_FIPS_ENDPOINT", "true");
        let dual = ("AWS_USE_DUALSTACK_ENDPOINT", "true");
        type Vars<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(&str, Vars, &str)] = &[
            ("us-west-2", &[], "https://gamelift.us-west-2.amazonaws.com"),
            (
                "us-west-2",
                &[fips],
                "https://gamelift-fips.us-west-2.amazonaws.com",
            ),
            ("us-west-2", &[dual], "https://gamelift.us-west-2.api.aws"),
            (
                "us-west-2",
                &[fips, dual],
                "https://gamelift-fips.us-west-2.api.aws",
            ),
            (
                "cn-north-1",
                &[],
                "https://gamelift.cn-north-1.amazonaws.com.cn",
            ),
            (
                "cn-north-1",
                &[dual],
                "https://gamelift.cn-north-1.api.amazonwebservices.com.cn",
            ),
            (
                "us-gov-west-1",
                &[fips],
                "https://gamelift-fips.us-gov-west-1.amazonaws.com",
            ),
        ];
        for (region, vars, want) in cases {
            let mut all = vars.to_vec();
            all.push(("AWS_REGION", region));
            let r = s.resolve(&all).unwrap();
            assert_eq!(r.endpoint, *want, "{region} {vars:?}");
            assert_eq!(r.endpoint_source, "default");
        }
        let from_profile = s.resolve(&[("AWS_PROFILE", "fips"), ("AWS_REGION", "eu-west-1")]);
        assert_eq!(
            from_profile.unwrap().endpoint,
            "https://gamelift-fips.eu-west-1.api.aws"
        );
        let off = [
            ("AWS_PROFILE", "fips"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_USE_FIPS_ENDPOINT", "false"),
        ];
        assert_eq!(
            s.resolve(&off).unwrap().endpoint,
            "https://gamelift.eu-west-1.api.aws"
        );
        let err = err_of(s.resolve(&[("AWS_PROFILE", "badflag"), ("AWS_REGION", "r")]));
        assert!(
            err.message()
                .starts_with("use_fips_endpoint of profile 'badflag' ("),
            "{err}"
        );
    }

    #[test]
    fn ca_bundle_and_copied_settings() {
        let s = Setup::new(
            "[default]\nregion = r\nca_bundle = ~/certs/profile.pem\n",
            "",
        );
        let r = s.resolve(&[]).unwrap();
        assert_eq!(r.ca_bundle, Some(s.home().join("certs/profile.pem")));
        let r = s.resolve(&[("AWS_CA_BUNDLE", "/etc/env.pem")]).unwrap();
        assert_eq!(r.ca_bundle, Some(PathBuf::from("/etc/env.pem")));
        let mut cfg = s.config(&[]);
        cfg.timeout = Duration::from_millis(1234);
        cfg.max_attempts = 7;
        cfg.min_validity = Duration::from_secs(60);
        cfg.cache_dir = Some(PathBuf::from("/tmp/cache"));
        let r = cfg.resolve().unwrap();
        assert_eq!(r.timeout, Duration::from_millis(1234));
        assert_eq!(r.max_attempts, 7);
        assert_eq!(r.min_validity, Duration::from_secs(60));
        assert_eq!(r.cache_dir, Some(PathBuf::from("/tmp/cache")));
        assert!(
            Setup::new("", "")
                .resolve(&[("AWS_REGION", "r")])
                .unwrap()
                .ca_bundle
                .is_none()
        );
    }

    fn provide(r: &Resolved) -> Result<Option<Credentials>> {
        let ctx = ProvideContext {
            env: &r.env,
            deadline: Instant::now() + Duration::from_secs(10),
        };
        r.credentials.provide(&ctx)
    }

    #[test]
    fn credential_sources() {
        let s = Setup::new(
            "[default]\nregion = r\n[profile other]\nregion = r\n[profile nokeys]\nregion = r\n",
            "[default]\naws_access_key_id = FROMDEFAULT\naws_secret_access_key = S\n\
             [other]\naws_access_key_id = FROMOTHER\naws_secret_access_key = S\n",
        );
        let env_keys = [
            ("AWS_ACCESS_KEY_ID", "FROMENV"),
            ("AWS_SECRET_ACCESS_KEY", "S"),
        ];
        let id = |r: &Resolved| provide(r).unwrap().unwrap().access_key_id;

        // The chain: environment first, then the profile.
        let r = s.resolve(&env_keys).unwrap();
        assert!(
            r.credentials.name().contains("environment"),
            "{}",
            r.credentials.name()
        );
        assert_eq!(id(&r), "FROMENV");
        assert_eq!(id(&s.resolve(&[]).unwrap()), "FROMDEFAULT");
        let mut vars = env_keys.to_vec();
        vars.push(("AWS_PROFILE", "other"));
        assert_eq!(id(&s.resolve(&vars).unwrap()), "FROMENV");
        assert_eq!(
            id(&s.resolve(&[("AWS_PROFILE", "other")]).unwrap()),
            "FROMOTHER"
        );

        // An explicit profile: that profile only.
        let mut cfg = s.config(&env_keys);
        cfg.profile = Some("other".into());
        let r = cfg.resolve().unwrap();
        assert!(r.credentials.name().starts_with("profile 'other'"));
        assert_eq!(id(&r), "FROMOTHER");
        cfg.profile = Some("nokeys".into());
        let err = provide(&cfg.resolve().unwrap()).unwrap_err();
        assert!(
            err.message()
                .starts_with("profile 'nokeys' has no credentials"),
            "{err}"
        );

        // Explicit credentials: nothing else.
        let mut cfg = s.config(&env_keys);
        cfg.credentials = Some(Credentials {
            access_key_id: "EXPLICIT".into(),
            secret_access_key: Secret::from("S"),
            session_token: None,
            expiry: None,
            source: String::new(),
        });
        assert_eq!(id(&cfg.resolve().unwrap()), "EXPLICIT");
        if let Some(c) = cfg.credentials.as_mut() {
            c.secret_access_key = Secret::from("");
        }
        assert_eq!(err_of(cfg.resolve()).kind(), ErrorKind::InvalidArgument);

        // Nothing anywhere: the chain says what it tried.
        let none = Setup::new("[default]\nregion = r\n", "");
        let err = provide(&none.resolve(&[]).unwrap()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(
            err.message().starts_with(
                "no credentials found: tried environment (AWS_ACCESS_KEY_ID), profile 'default'"
            ),
            "{err}"
        );
        assert!(err.message().contains(".aws/credentials"), "{err}");
    }

    #[test]
    fn timeout_and_attempts_ranges_are_checked_in_the_core() {
        let mut cfg = Config::with_env(Env::from_pairs([("AWS_REGION", "us-west-2")]));
        cfg.timeout = Duration::ZERO;
        assert_eq!(err_of(cfg.resolve()).kind(), ErrorKind::InvalidArgument);
        cfg.timeout = MAX_TIMEOUT + Duration::from_millis(1);
        assert_eq!(err_of(cfg.resolve()).kind(), ErrorKind::InvalidArgument);
        cfg.timeout = DEFAULT_TIMEOUT;
        cfg.max_attempts = 0;
        assert_eq!(err_of(cfg.resolve()).kind(), ErrorKind::InvalidArgument);
        cfg.max_attempts = MAX_ATTEMPTS + 1;
        assert_eq!(err_of(cfg.resolve()).kind(), ErrorKind::InvalidArgument);
        cfg.max_attempts = MAX_ATTEMPTS;
        assert!(cfg.resolve().is_ok());
    }
}

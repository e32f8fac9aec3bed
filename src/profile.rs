//! The AWS shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`).
//!
//! A small parser of our own for the AWS shared-file format, as the AWS SDKs and CLI read it:
//!
//! - sections: `[default]` and `[profile name]` in the config file, `[name]` in the credentials
//!   file (where `[profile x]` is literally the profile "profile x"), `[services name]` and
//!   `[sso-session name]` in the config file; other config-file sections are ignored with a warning;
//! - `key = value` lines, key and value trimmed; keys are matched case-insensitively (the AWS CLI
//!   lowercases them); values are kept verbatim: no backslash escapes, no quote processing, so a
//!   Windows path in `credential_process` survives;
//! - `#` and `;` comment lines; an inline comment must follow whitespace (`value # note`);
//! - an indented line continues the property above it: after `key =` (empty value) the indented
//!   `name = value` lines are its sub-properties (the `services` sections use them), otherwise the
//!   line is appended to the value after a newline;
//! - a repeated section or key is merged, later values winning; `[profile default]` wins over
//!   `[default]` in the config file;
//! - for a profile in both files, the credentials file wins for the keys it has.
//!
//! A missing file is an empty file. An unreadable or malformed one is an [`ErrorKind::Config`]
//! error naming the file and the line; a message never quotes a line (it may hold a secret).
//!
//! [`ErrorKind::Config`]: crate::error::ErrorKind::Config

use crate::env::Env;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Largest shared file we read (a guard against `AWS_CONFIG_FILE=/dev/zero`).
const MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// Which of the two shared files something came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `~/.aws/config` or `AWS_CONFIG_FILE`.
    Config,
    /// `~/.aws/credentials` or `AWS_SHARED_CREDENTIALS_FILE`.
    Credentials,
}

/// One `key = value` property with its nested sub-properties. `Debug` hides the values.
#[derive(Clone)]
pub struct Property {
    value: Zeroizing<String>,
    sub: HashMap<String, Zeroizing<String>>,
    file: FileKind,
    line: usize,
}

impl Property {
    /// The value, trimmed, without an inline comment; continuation lines joined with `\n`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// A nested sub-property (`key =` followed by indented `name = value` lines).
    pub fn sub_property(&self, name: &str) -> Option<&str> {
        self.sub.get(&name.to_ascii_lowercase()).map(|v| v.as_str())
    }

    /// The file the property was read from.
    pub fn file(&self) -> FileKind {
        self.file
    }

    /// Its line number (1-based) in that file.
    pub fn line(&self) -> usize {
        self.line
    }
}

impl fmt::Debug for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut subs: Vec<&String> = self.sub.keys().collect();
        subs.sort();
        f.debug_struct("Property")
            .field("file", &self.file)
            .field("line", &self.line)
            .field("sub_properties", &subs)
            .finish_non_exhaustive()
    }
}

/// A section: a profile, a `services` section or an `sso-session` section. `Debug` shows keys only.
#[derive(Clone, Default)]
pub struct Section {
    name: String,
    properties: HashMap<String, Property>,
}

impl Section {
    /// The section's name ("default", "dev", ...), without `profile `/`services ` prefix.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of `key` (matched case-insensitively).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.property(key).map(Property::value)
    }

    /// The property `key`, with its file and line.
    pub fn property(&self, key: &str) -> Option<&Property> {
        self.properties.get(&key.to_ascii_lowercase())
    }

    /// The sub-property `sub` of property `key` (`services` sections: `gamelift` / `endpoint_url`).
    pub fn sub_property(&self, key: &str, sub: &str) -> Option<&str> {
        self.property(key).and_then(|p| p.sub_property(sub))
    }

    /// The section's keys (lowercase), sorted.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.properties.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("keys", &self.keys())
            .finish()
    }
}

/// The parsed and merged shared files of one environment.
#[derive(Clone)]
pub struct ProfileSet {
    config_path: PathBuf,
    credentials_path: PathBuf,
    profiles: HashMap<String, Section>,
    services: HashMap<String, Section>,
    sso_sessions: HashMap<String, Section>,
}

impl fmt::Debug for ProfileSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.profiles.keys().collect();
        names.sort();
        f.debug_struct("ProfileSet")
            .field("config_path", &self.config_path)
            .field("credentials_path", &self.credentials_path)
            .field("profiles", &names)
            .finish_non_exhaustive()
    }
}

/// What kind of section a header opens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SectionKey {
    Profile(String),
    /// `[default]` in the config file (`[profile default]` wins over it).
    BareDefault,
    Services(String),
    SsoSession(String),
}

/// The sections of one file, before merging.
type Sections = HashMap<SectionKey, Section>;

impl ProfileSet {
    /// Reads the files named by `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` (defaults
    /// `~/.aws/config` and `~/.aws/credentials`). Blocks on file I/O.
    pub fn load(env: &Env) -> Result<ProfileSet> {
        let (config_path, config_default) = file_path(env, "AWS_CONFIG_FILE", "config");
        let (credentials_path, credentials_default) =
            file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
        // With no home directory a default path is left unexpanded ("~/..."): there is no file.
        let no_home = env.home_dir().is_none();
        let config = if config_default && no_home {
            None
        } else {
            read_optional(&config_path)?
        };
        let credentials = if credentials_default && no_home {
            None
        } else {
            read_optional(&credentials_path)?
        };
        ProfileSet::parse(
            &config_path,
            config.as_deref().map(String::as_str),
            &credentials_path,
            credentials.as_deref().map(String::as_str),
        )
    }

    /// Parses file contents directly (`None` = the file does not exist); the paths are only used
    /// in messages.
    pub fn parse(
        config_path: &Path,
        config: Option<&str>,
        credentials_path: &Path,
        credentials: Option<&str>,
    ) -> Result<ProfileSet> {
        let mut set = ProfileSet {
            config_path: config_path.to_path_buf(),
            credentials_path: credentials_path.to_path_buf(),
            profiles: HashMap::new(),
            services: HashMap::new(),
            sso_sessions: HashMap::new(),
        };
        let mut bare_default = None;
        let config_sections = match config {
            Some(text) => parse_file(text, FileKind::Config, config_path)?,
            None => Sections::new(),
        };
        for (key, section) in config_sections {
            match key {
                SectionKey::Profile(name) => {
                    set.profiles.insert(name, section);
                }
                SectionKey::BareDefault => bare_default = Some(section),
                SectionKey::Services(name) => {
                    set.services.insert(name, section);
                }
                SectionKey::SsoSession(name) => {
                    set.sso_sessions.insert(name, section);
                }
            }
        }
        if let Some(section) = bare_default {
            if set.profiles.contains_key("default") {
                crate::log_warn!(
                    "{}: both [default] and [profile default] are present; using [profile default]",
                    config_path.display()
                );
            } else {
                set.profiles.insert("default".to_owned(), section);
            }
        }
        let credentials_sections = match credentials {
            Some(text) => parse_file(text, FileKind::Credentials, credentials_path)?,
            None => Sections::new(),
        };
        for (key, section) in credentials_sections {
            if let SectionKey::Profile(name) = key {
                let merged = set.profiles.entry(name).or_insert_with(|| Section {
                    name: section.name.clone(),
                    properties: HashMap::new(),
                });
                merged.properties.extend(section.properties);
            }
        }
        Ok(set)
    }

    /// The merged profile `name` (config file and credentials file), if either file has it.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    /// The `[services name]` section of the config file.
    pub fn services(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    /// The `[sso-session name]` section of the config file.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    /// The names of all profiles, sorted.
    pub fn profile_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// The config file's path (it may not exist).
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// The credentials file's path (it may not exist).
    pub fn credentials_path(&self) -> &Path {
        &self.credentials_path
    }

    /// Where a property was read, for messages: `/home/me/.aws/config line 12`.
    pub fn location(&self, property: &Property) -> String {
        let path = match property.file {
            FileKind::Config => &self.config_path,
            FileKind::Credentials => &self.credentials_path,
        };
        format!("{} line {}", path.display(), property.line)
    }
}

/// The path of one shared file and whether it is the default one.
fn file_path(env: &Env, var: &str, file: &str) -> (PathBuf, bool) {
    match env.get(var) {
        Some(path) => (env.expand_home(&path), false),
        None => (env.expand_home(&format!("~/.aws/{file}")), true),
    }
}

/// Reads a whole file as UTF-8; a missing file is `None`.
fn read_optional(path: &Path) -> Result<Option<Zeroizing<String>>> {
    let cannot = |e: std::io::Error| Error::config(format!("cannot read {}: {e}", path.display()));
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot(e)),
    };
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(Error::config(format!(
            "{} is larger than {} MiB",
            path.display(),
            MAX_FILE_SIZE / (1024 * 1024)
        )));
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Some(Zeroizing::new(text.to_owned()))),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            Err(Error::config(format!(
                "{} is not valid UTF-8 (line {line})",
                path.display()
            )))
        }
    }
}

/// Where the lines of a section go while parsing.
enum Target {
    /// No section header seen yet.
    Start,
    /// A section we do not use (config-file `[name]` without `profile`).
    Ignored,
    Section(SectionKey),
}

/// Parses one file into its sections; repeated sections and keys merge, later values winning.
fn parse_file(text: &str, kind: FileKind, path: &Path) -> Result<Sections> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections = Sections::new();
    let mut target = Target::Start;
    // The key of the last property of the current section, for continuation lines.
    let mut last_key: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let bad = |what: &str| {
            Error::config(format!(
                "malformed {}, line {line_no}: {what}",
                path.display()
            ))
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let is_header = trimmed.starts_with('[');
        if matches!(target, Target::Ignored) && !is_header {
            continue;
        }
        if line.starts_with([' ', '\t']) && last_key.is_some() {
            let Target::Section(section_key) = &target else {
                continue;
            };
            let key = last_key.as_deref().unwrap_or_default();
            let property = sections
                .get_mut(section_key)
                .and_then(|s| s.properties.get_mut(key))
                .ok_or_else(|| Error::internal("profile parser lost its property"))?;
            continue_property(property, trimmed).map_err(|what| bad(&what))?;
            continue;
        }
        if is_header {
            last_key = None;
            target = match parse_header(trimmed, kind).map_err(bad)? {
                Some(section_key) => {
                    let name = match &section_key {
                        SectionKey::Profile(n)
                        | SectionKey::Services(n)
                        | SectionKey::SsoSession(n) => n.clone(),
                        SectionKey::BareDefault => "default".to_owned(),
                    };
                    sections
                        .entry(section_key.clone())
                        .or_insert_with(|| Section {
                            name,
                            properties: HashMap::new(),
                        });
                    Target::Section(section_key)
                }
                None => {
                    crate::log_warn!(
                        "{} line {line_no}: section ignored (in the config file a profile is \
                         written [profile name])",
                        path.display()
                    );
                    Target::Ignored
                }
            };
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(bad("expected '[section]' or 'key = value'"));
        };
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(bad("a property without a name (nothing before '=')"));
        }
        match &target {
            Target::Start => {
                return Err(bad("a property before the first '[section]' header"));
            }
            Target::Ignored => {}
            Target::Section(section_key) => {
                let property = Property {
                    value: Zeroizing::new(strip_inline_comment(value).to_owned()),
                    sub: HashMap::new(),
                    file: kind,
                    line: line_no,
                };
                if let Some(section) = sections.get_mut(section_key) {
                    section.properties.insert(key.clone(), property);
                }
                last_key = Some(key);
            }
        }
    }
    Ok(sections)
}

/// Parses a trimmed `[...]` line: `Ok(None)` for a section we ignore.
fn parse_header(line: &str, kind: FileKind) -> Result<Option<SectionKey>, &'static str> {
    let inner = &line[1..];
    let Some(end) = inner.find(']') else {
        return Err("a section header without its closing ']'");
    };
    let rest = inner[end + 1..].trim_start();
    if !(rest.is_empty() || rest.starts_with('#') || rest.starts_with(';')) {
        return Err("text after a section header's closing ']'");
    }
    let name = inner[..end].trim();
    if name.is_empty() {
        return Err("an empty section name '[]'");
    }
    if kind == FileKind::Credentials {
        return Ok(Some(SectionKey::Profile(name.to_owned())));
    }
    if name == "default" {
        return Ok(Some(SectionKey::BareDefault));
    }
    let prefixed = |prefix: &str| {
        name.strip_prefix(prefix)
            .filter(|rest| rest.starts_with([' ', '\t']))
            .map(|rest| rest.trim().to_owned())
    };
    Ok(if let Some(n) = prefixed("profile") {
        Some(SectionKey::Profile(n))
    } else if let Some(n) = prefixed("services") {
        Some(SectionKey::Services(n))
    } else {
        prefixed("sso-session").map(SectionKey::SsoSession)
    })
}

/// Applies an indented line to the property above it.
fn continue_property(property: &mut Property, line: &str) -> Result<(), String> {
    let line = strip_inline_comment(line);
    if property.value.is_empty() {
        let Some((name, value)) = line.split_once('=') else {
            return Err("expected an indented 'name = value' sub-property".to_owned());
        };
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err("a sub-property without a name (nothing before '=')".to_owned());
        }
        property
            .sub
            .insert(name, Zeroizing::new(value.trim().to_owned()));
    } else if !line.is_empty() {
        property.value.push('\n');
        property.value.push_str(line);
    }
    Ok(())
}

/// Removes an inline comment (`#` or `;` after whitespace) and trims.
fn strip_inline_comment(value: &str) -> &str {
    let mut prev_space = false;
    for (i, c) in value.char_indices() {
        if prev_space && (c == '#' || c == ';') {
            return value[..i].trim();
        }
        prev_space = c == ' ' || c == '\t';
    }
    value.trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn parse(config: &str, credentials: &str) -> Result<ProfileSet> {
        ProfileSet::parse(
            Path::new("/cfg/config"),
            Some(config),
            Path::new("/cfg/credentials"),
            Some(credentials),
        )
    }

    fn parse_err(config: &str) -> Error {
        parse(config, "").expect_err("should not parse")
    }

    #[test]
    fn sections_of_both_files_and_merge() {
        let set = parse(
            "[default]\nregion = us-west-2\noutput = json\n\n[profile dev]\nregion=eu-west-1\n\
             aws_access_key_id = FROMCONFIG\n[sso-session corp]\nsso_region = us-east-1\n",
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s3cr3t\n\
             [dev]\naws_access_key_id = FROMCREDS\n[profile x]\nregion = ap-south-1\n",
        )
        .unwrap();
        let d = set.profile("default").unwrap();
        assert_eq!(d.get("region"), Some("us-west-2"));
        assert_eq!(d.get("aws_access_key_id"), Some("AKIDDEFAULT"));
        assert_eq!(d.property("region").unwrap().file(), FileKind::Config);
        assert_eq!(
            d.property("aws_secret_access_key").unwrap().file(),
            FileKind::Credentials
        );
        let dev = set.profile("dev").unwrap();
        assert_eq!(dev.get("region"), Some("eu-west-1"));
        assert_eq!(dev.get("aws_access_key_id"), Some("FROMCREDS"));
        // `[profile x]` in the credentials file is the profile "profile x".
        assert!(set.profile("x").is_none());
        assert_eq!(
            set.profile("profile x").unwrap().get("region"),
            Some("ap-south-1")
        );
        assert_eq!(
            set.sso_session("corp").unwrap().get("sso_region"),
            Some("us-east-1")
        );
        assert_eq!(set.profile_names(), vec!["default", "dev", "profile x"]);
        assert_eq!(
            set.location(d.property("output").unwrap()),
            "/cfg/config line 3"
        );
    }

    #[test]
    fn config_sections_without_profile_prefix_are_ignored() {
        let set = parse(
            "[dev]\nregion = x\n  indented = y\n  not a property\n[profile]\nregion = z\n\
             [profile ok]\nregion = r\n",
            "",
        )
        .unwrap();
        assert!(set.profile("dev").is_none());
        assert!(set.profile("profile").is_none());
        assert_eq!(set.profile_names(), vec!["ok"]);
    }

    #[test]
    fn comments() {
        let set = parse(
            "# top\n; also\n[default] # header comment\n  # indented comment\n\
             region = us-east-1 # inline\nkey2 = v ; inline\nkey3 = a#b;c\nkey4 =\t# only\n\
             [profile p];comment\nx = 1\n",
            "",
        )
        .unwrap();
        let d = set.profile("default").unwrap();
        assert_eq!(d.get("region"), Some("us-east-1"));
        assert_eq!(d.get("key2"), Some("v"));
        assert_eq!(d.get("key3"), Some("a#b;c"));
        assert_eq!(d.get("key4"), Some(""));
        assert_eq!(set.profile("p").unwrap().get("x"), Some("1"));
    }

    #[test]
    fn values_are_verbatim_no_escapes_or_quotes() {
        let cmd = r#"C:\Program Files\tool\get.exe --profile "a b" \n 'q' = x"#;
        let set = parse(&format!("[default]\ncredential_process = {cmd}\n"), "").unwrap();
        assert_eq!(
            set.profile("default").unwrap().get("credential_process"),
            Some(cmd)
        );
    }

    #[test]
    fn whitespace_tabs_bom_and_crlf() {
        let set = parse(
            "\u{feff}[ profile \t dev ]\r\n\tregion\t=\tus-west-2\t\r\n",
            "[ default ]\r\nkey=value\r\n",
        )
        .unwrap();
        // The indented line at the start of a section is an ordinary property.
        assert_eq!(set.profile("dev").unwrap().get("region"), Some("us-west-2"));
        assert_eq!(set.profile("default").unwrap().get("key"), Some("value"));
    }

    #[test]
    fn keys_match_case_insensitively_names_do_not() {
        let set = parse("[profile Dev]\nRegion = us-west-2\n", "").unwrap();
        assert_eq!(set.profile("Dev").unwrap().get("region"), Some("us-west-2"));
        assert_eq!(set.profile("Dev").unwrap().get("REGION"), Some("us-west-2"));
        assert!(set.profile("dev").is_none());
    }

    #[test]
    fn sub_properties_and_continuations() {
        let set = parse(
            "[profile p]\nservices = mine\nnote = first\n  second # c\n\n  third\n\
             [services mine]\ngamelift =\n  endpoint_url = http://127.0.0.1:8080 # local\n\
             \tregion = us-west-2\n  # comment\ns3 =\n  endpoint_url = https://s3.local\n",
            "",
        )
        .unwrap();
        let p = set.profile("p").unwrap();
        assert_eq!(p.get("services"), Some("mine"));
        assert_eq!(p.get("note"), Some("first\nsecond\nthird"));
        let svc = set.services("mine").unwrap();
        assert_eq!(
            svc.sub_property("gamelift", "endpoint_url"),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(svc.sub_property("GameLift", "Region"), Some("us-west-2"));
        assert_eq!(
            svc.sub_property("s3", "endpoint_url"),
            Some("https://s3.local")
        );
        assert_eq!(svc.get("gamelift"), Some(""));
        assert_eq!(svc.sub_property("gamelift", "missing"), None);
    }

    #[test]
    fn repeated_sections_and_keys_merge_later_wins() {
        let set = parse(
            "[profile a]\nregion = one\nx = 1\nregion = two\n[profile b]\ny = 2\n\
             [profile a]\nx = 3\nz = 4\n[services s]\ngamelift =\n  endpoint_url = https://old\n\
             [services s]\ngamelift =\n  region = r\n",
            "",
        )
        .unwrap();
        let a = set.profile("a").unwrap();
        assert_eq!(a.get("region"), Some("two"));
        assert_eq!(a.get("x"), Some("3"));
        assert_eq!(a.get("z"), Some("4"));
        assert_eq!(a.property("x").unwrap().line(), 8);
        let s = set.services("s").unwrap();
        assert_eq!(s.sub_property("gamelift", "endpoint_url"), None);
        assert_eq!(s.sub_property("gamelift", "region"), Some("r"));
    }

    #[test]
    fn profile_default_wins_over_bare_default() {
        let set = parse(
            "[default]\nregion = bare\nonly_bare = 1\n[profile default]\nregion = prefixed\n",
            "",
        )
        .unwrap();
        let d = set.profile("default").unwrap();
        assert_eq!(d.get("region"), Some("prefixed"));
        assert_eq!(d.get("only_bare"), None);
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let cases: &[(&str, &str)] = &[
            ("[default]\nregion = x\nAKIDSECRETLINE\n", "line 3"),
            ("region = x\n", "line 1"),
            ("[default]\n[profile x\n", "line 2"),
            ("[default] trailing\n", "line 1"),
            ("[default]\n= value\n", "line 2"),
            ("[]\n", "line 1"),
            (
                "# c\n\n[default]\ngamelift =\n  no-equals-SECRETLINE\n",
                "line 5",
            ),
            ("[default]\ngamelift =\n   = v\n", "line 3"),
        ];
        for (text, line) in cases {
            let err = parse_err(text);
            assert_eq!(err.kind(), ErrorKind::Config, "{text:?}");
            let msg = err.to_string();
            assert!(msg.contains("/cfg/config"), "{msg}");
            assert!(msg.contains(line), "{text:?}: {msg}");
            assert!(!msg.contains("SECRETLINE"), "{msg}");
        }
        let err = parse("", "[default]\nbad line\n").unwrap_err();
        assert!(
            err.to_string().contains("/cfg/credentials, line 2"),
            "{err}"
        );
    }

    #[test]
    fn debug_output_hides_values() {
        let set = parse("", "[default]\naws_secret_access_key = TOPSECRET\n").unwrap();
        let d = set.profile("default").unwrap();
        for text in [
            format!("{set:?}"),
            format!("{d:?}"),
            format!("{:?}", d.property("aws_secret_access_key").unwrap()),
        ] {
            assert!(!text.contains("TOPSECRET"), "{text}");
        }
        assert!(format!("{d:?}").contains("aws_secret_access_key"));
    }

    #[test]
    fn load_missing_files_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([("HOME", dir.path().to_str().unwrap())]);
        let set = ProfileSet::load(&env).unwrap();
        assert!(set.profile_names().is_empty());
        assert_eq!(set.config_path(), dir.path().join(".aws/config"));
        assert_eq!(set.credentials_path(), dir.path().join(".aws/credentials"));
        // No home directory and no variables: no files at all.
        let set = ProfileSet::load(&Env::from_pairs::<&str, &str>([])).unwrap();
        assert!(set.profile_names().is_empty());
    }

    #[test]
    fn load_from_variables_with_home_expansion() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cfg"), "[profile p]\nregion = r\n").unwrap();
        std::fs::create_dir(dir.path().join(".aws")).unwrap();
        std::fs::write(
            dir.path().join(".aws/credentials"),
            "[p]\naws_access_key_id = A\n",
        )
        .unwrap();
        let env = Env::from_pairs([
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_CONFIG_FILE", "~/cfg"),
        ]);
        let set = ProfileSet::load(&env).unwrap();
        let p = set.profile("p").unwrap();
        assert_eq!(p.get("region"), Some("r"));
        assert_eq!(p.get("aws_access_key_id"), Some("A"));
        assert_eq!(set.config_path(), dir.path().join("cfg"));
    }

    #[test]
    fn unreadable_files_are_config_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        // A directory.
        std::fs::create_dir(dir.path().join("adir")).unwrap();
        let env = Env::from_pairs([("HOME", home), ("AWS_CONFIG_FILE", "~/adir")]);
        let err = ProfileSet::load(&env).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("adir"), "{err}");
        // Not UTF-8, on line 2.
        std::fs::write(dir.path().join("latin1"), b"[default]\nregion = caf\xe9\n").unwrap();
        let env = Env::from_pairs([("HOME", home), ("AWS_SHARED_CREDENTIALS_FILE", "~/latin1")]);
        let err = ProfileSet::load(&env).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("latin1"), "{err}");
        assert!(err.to_string().contains("UTF-8 (line 2)"), "{err}");
        // Malformed.
        std::fs::write(dir.path().join("bad"), "[default]\nnonsense\n").unwrap();
        let env = Env::from_pairs([("HOME", home), ("AWS_CONFIG_FILE", "~/bad")]);
        let err = ProfileSet::load(&env).unwrap_err();
        assert!(err.to_string().contains("bad, line 2"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn permission_denied_is_a_config_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret-config");
        std::fs::write(&path, "[default]\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&path).is_ok() {
            return; // running as root: permissions are not enforced
        }
        let env = Env::from_pairs([("AWS_CONFIG_FILE", path.to_str().unwrap())]);
        let err = ProfileSet::load(&env).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("secret-config"), "{err}");
    }
}

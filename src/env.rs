//! Where settings come from: the process environment, or a fixed map in tests.
//!
//! Every module reads environment variables through [`Env`] so that tests can resolve a
//! configuration from a map without touching the process environment (which is shared by all
//! threads of a test binary).

use std::collections::HashMap;
use std::path::PathBuf;

/// A source of environment variables. `Debug` shows variable names only, never values (they may
/// hold secrets such as `AWS_SECRET_ACCESS_KEY`).
#[derive(Clone, Default)]
pub enum Env {
    /// The real process environment, read when asked.
    #[default]
    Process,
    /// A fixed set of variables (tests, embedding hosts).
    Map(HashMap<String, String>),
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Env::Process => f.write_str("Env::Process"),
            Env::Map(map) => {
                let mut names: Vec<&String> = map.keys().collect();
                names.sort();
                f.debug_tuple("Env::Map").field(&names).finish()
            }
        }
    }
}

impl Env {
    /// An environment made of `pairs` only.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Env::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// The variable's value; unset, empty or non-UTF-8 values read as `None`.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match self {
            Env::Process => std::env::var(name).ok(),
            Env::Map(map) => map.get(name).cloned(),
        };
        value.filter(|v| !v.is_empty())
    }

    /// A boolean flag as the AWS SDKs read it (`true`/`false`, case-insensitive).
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.get(name)
            .and_then(|v| match v.trim().to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            })
    }

    /// The user's home directory (`HOME`, or `USERPROFILE` / `HOMEDRIVE`+`HOMEPATH` on Windows).
    pub fn home_dir(&self) -> Option<PathBuf> {
        if let Some(home) = self.get("HOME") {
            return Some(PathBuf::from(home));
        }
        if cfg!(windows) {
            if let Some(p) = self.get("USERPROFILE") {
                return Some(PathBuf::from(p));
            }
            if let (Some(d), Some(p)) = (self.get("HOMEDRIVE"), self.get("HOMEPATH")) {
                return Some(PathBuf::from(format!("{d}{p}")));
            }
        }
        None
    }

    /// Expands a leading `~` or `~/` with the home directory, as the AWS SDKs do for file paths.
    pub fn expand_home(&self, path: &str) -> PathBuf {
        if path == "~" {
            if let Some(h) = self.home_dir() {
                return h;
            }
        } else if let Some(rest) = path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\"))
            && let Some(h) = self.home_dir()
        {
            return h.join(rest);
        }
        PathBuf::from(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_names_not_values() {
        let env = Env::from_pairs([("AWS_SECRET_ACCESS_KEY", "s3cr3t-value"), ("HOME", "/h")]);
        let text = format!("{env:?}");
        assert!(text.contains("AWS_SECRET_ACCESS_KEY"), "{text}");
        assert!(!text.contains("s3cr3t-value"), "{text}");
    }
}

//! A string that never shows itself and is wiped from memory when dropped.
//!
//! Secret keys, session tokens and auth tokens live only in [`Secret`]. `Debug` and `Display`
//! print `<redacted>`, so a secret cannot reach a log line or an error message by accident.

use std::fmt;
use zeroize::Zeroizing;

/// An owned secret string, zeroized on drop, redacted in `Debug`/`Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps `value`; the caller's `String` moves in, so no unwiped copy remains.
    pub fn new(value: String) -> Self {
        Secret(Zeroizing::new(value))
    }

    /// The secret text. Use it only to hand the secret on (signing, a caller's buffer).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_in_debug_and_display() {
        let s = Secret::from("wJalrXUtnFEMI/K7MDENG");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "wJalrXUtnFEMI/K7MDENG");
    }
}

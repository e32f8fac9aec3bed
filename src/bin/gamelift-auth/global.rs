//! What every GameLift command shares: the connection options, the client built from them, the
//! output formats, the exit codes, and how errors, warnings and output are written.
//!
//! # Exit codes
//!
//! - 0: success.
//! - 1: the library failed; stderr says `gamelift-auth: <STATUS_NAME>: <message>`, with the
//!   status names of the C API (`GAMELIFT_AUTH_ERROR_NOT_FOUND`, ...). Also a failure to write
//!   the output.
//! - 2: a usage error (clap's own exit code): unknown option, missing argument, bad value.
//! - `exec` only: once the program runs, its own exit status (and signal); 126 when it cannot be
//!   executed, 127 when it is not found.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use gamelift_auth::ffi::error::{status_name, status_of};
use gamelift_auth::{Client, Config, Error};

/// Exit status after a library error.
pub const EXIT_ERROR: u8 = 1;
/// Exit status of `exec` when the program exists but cannot be executed (as shells do).
pub const EXIT_CANNOT_EXECUTE: u8 = 126;
/// Exit status of `exec` when the program is not found (as shells do).
pub const EXIT_NOT_FOUND: u8 = 127;

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  the library failed; stderr says \"gamelift-auth: <STATUS_NAME>: <message>\" with the status
     name of the C API (GAMELIFT_AUTH_ERROR_NOT_FOUND, ...), the AWS error code and request id
  2  usage error (unknown option, missing or bad argument)";

/// The exit codes of `exec`, for its `--help`.
pub const EXEC_EXIT_CODES: &str = "\
Exit status:
  the program's own exit status (and signal: the program replaces gamelift-auth)
  1    the library failed before the program started (registration, token, websocket URL);
       stderr says \"gamelift-auth: <STATUS_NAME>: <message>\" with the status name of the
       C API (GAMELIFT_AUTH_ERROR_NOT_FOUND, ...), the AWS error code and request id
  2    usage error (unknown option, missing or bad argument)
  126  the program was found but cannot be executed
  127  the program was not found";

/// Options that say where and how to reach GameLift, on every command that calls it. Each one
/// sets the matching explicit `Config` field, which wins over the environment and the profile;
/// unset, the library reads the standard AWS sources itself.
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Connection options")]
pub struct GlobalArgs {
    /// AWS region to sign for, e.g. us-west-2
    /// [default: $AWS_REGION, $AWS_DEFAULT_REGION, then the profile's region]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Profile of the shared AWS config and credentials files; credentials then come from this
    /// profile only [default: $AWS_PROFILE, then "default"]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// GameLift endpoint URL: https://..., or http:// for a loopback host
    /// [default: $AWS_ENDPOINT_URL_GAMELIFT, $AWS_ENDPOINT_URL, the profile's endpoint_url, then
    /// https://gamelift.REGION.amazonaws.com]
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Deadline of each call in milliseconds, retries included (1-3600000)
    #[arg(
        long,
        value_name = "MS",
        default_value_t = gamelift_auth::config::DEFAULT_TIMEOUT.as_millis() as u32,
        value_parser = clap::value_parser!(u32).range(1..=3_600_000),
    )]
    pub timeout_ms: u32,

    /// Attempts per call, 1 = no retry (1-20)
    #[arg(
        long,
        value_name = "N",
        default_value_t = gamelift_auth::config::DEFAULT_MAX_ATTEMPTS,
        value_parser = clap::value_parser!(u32).range(1..=20),
    )]
    pub max_attempts: u32,

    /// Directory of the token cache shared by this user's processes on this host (created with
    /// mode 0700; files 0600). Off by default
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl GlobalArgs {
    /// The library configuration: the process environment, plus these options.
    pub fn config(&self) -> Config {
        let mut cfg = Config::new();
        cfg.region = self.region.clone();
        cfg.endpoint = self.endpoint.clone();
        cfg.profile = self.profile.clone();
        cfg.timeout = Duration::from_millis(u64::from(self.timeout_ms));
        cfg.max_attempts = self.max_attempts;
        cfg.cache_dir = self.cache_dir.clone();
        cfg
    }

    /// A client for these options (resolves the configuration; sends nothing).
    pub fn client(&self) -> Result<Client, Error> {
        self.client_with(|_| {})
    }

    /// Like [`GlobalArgs::client`], after `f` adjusted the configuration.
    pub fn client_with(&self, f: impl FnOnce(&mut Config)) -> Result<Client, Error> {
        let mut cfg = self.config();
        f(&mut cfg);
        Client::new(&cfg)
    }
}

/// The fleet and compute a command acts on.
#[derive(clap::Args, Debug, Clone)]
pub struct Target {
    /// Fleet id or ARN, e.g. fleet-1a2b3c4d-...
    #[arg(long, value_name = "FLEET")]
    pub fleet_id: String,

    /// Compute name or ARN (the Server SDK's host id)
    #[arg(long, value_name = "NAME")]
    pub compute_name: String,
}

/// `--format` of commands whose output is data.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text.
    Text,
    /// One JSON object.
    Json,
}

/// The C API's name of the status an error maps to (`GAMELIFT_AUTH_ERROR_NOT_FOUND`).
pub fn status_label(e: &Error) -> &'static str {
    status_name(status_of(e.kind()) as i32)
        .to_str()
        .unwrap_or("GAMELIFT_AUTH_ERROR_UNKNOWN")
}

/// Reports a library error on stderr and gives the exit status for it.
pub fn fail(e: &Error) -> ExitCode {
    eprintln!("gamelift-auth: {}: {e}", status_label(e));
    ExitCode::from(EXIT_ERROR)
}

/// Reports a call that succeeded with a caveat (a cached token returned after a failed refresh).
pub fn warn(e: &Error) {
    eprintln!("gamelift-auth: warning: {}: {e}", status_label(e));
}

/// Writes `text` to stdout and flushes it. A write failure (a closed pipe) is reported and
/// gives exit status 1.
pub fn emit(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gamelift-auth: cannot write the output: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// A JSON string literal of `s` (for output assembled by hand, so that secrets are written
/// straight into a buffer that is wiped afterwards).
pub fn json_str(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON value for an optional text field: `null` when empty.
pub fn json_opt(s: &str) -> serde_json::Value {
    if s.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::Value::String(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_str_round_trips() {
        for s in ["", "plain-token-1", "a'b\"c$(x)\\\n\r\t\u{1}\u{7f}é€"] {
            let mut out = String::new();
            json_str(&mut out, s);
            let back: String = serde_json::from_str(&out).expect("valid JSON");
            assert_eq!(back, s, "{out}");
        }
    }

    #[test]
    fn status_labels_are_the_c_names() {
        let e = Error::new(gamelift_auth::ErrorKind::NotFound, "x");
        assert_eq!(status_label(&e), "GAMELIFT_AUTH_ERROR_NOT_FOUND");
        let e = Error::invalid_argument("x");
        assert_eq!(status_label(&e), "GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT");
    }
}

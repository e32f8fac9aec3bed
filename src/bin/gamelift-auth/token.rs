//! `gamelift-auth token`: prints a compute auth token (GetComputeAuthToken, under the cache
//! rules).

use std::process::ExitCode;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::global::{self, Format, GlobalArgs, Target};
use crate::spinner::Spinner;

/// Print a compute auth token for the Server SDK's InitSDK().
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Print a compute auth token (GetComputeAuthToken) for the Server SDK's \
                  InitSDK().\n\n\
                  Text: the token and a newline. JSON: {\"token\", \"expires_at_ms\", \
                  \"expires_at\" (RFC 3339, UTC), \"fleet_id\", \"compute_name\"}.\n\
                  With --cache-dir, processes of this user share tokens: a cached one with \
                  enough time left is printed without a request.",
    after_long_help = global::EXIT_CODES
)]
pub struct Args {
    #[command(flatten)]
    target: Target,

    /// A token from the cache is reused only while more than min(SECONDS, lifetime/2) of it
    /// is left; a fresh token is always printed
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = gamelift_auth::config::DEFAULT_MIN_VALIDITY.as_secs() as u32
    )]
    min_validity: u32,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    #[command(flatten)]
    global: GlobalArgs,
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    let min_validity = Duration::from_secs(u64::from(args.min_validity));
    let client = match args.global.client_with(|c| c.min_validity = min_validity) {
        Ok(c) => c,
        Err(e) => return global::fail(&e),
    };
    let spinner = Spinner::start("Getting a compute auth token");
    let got = client.get_token(&args.target.fleet_id, &args.target.compute_name);
    drop(spinner);
    let got = match got {
        Ok(g) => g,
        Err(e) => return global::fail(&e),
    };
    if let Some(w) = &got.warning {
        global::warn(w);
    }
    let token = got.token.value.expose();
    // The output holds the token: build it in a buffer that is wiped afterwards, sized so that
    // it never reallocates (which would leave a copy behind).
    let mut out = Zeroizing::new(String::with_capacity(token.len() + 1024));
    match args.format {
        Format::Text => {
            out.push_str(token);
            out.push('\n');
        }
        Format::Json => {
            let expires_at_ms = got.token.expires_at_ms();
            out.push_str("{\"token\":");
            global::json_str(&mut out, token);
            out.push_str(&format!(",\"expires_at_ms\":{expires_at_ms}"));
            if let Some(at) = rfc3339(expires_at_ms) {
                out.push_str(",\"expires_at\":");
                global::json_str(&mut out, &at);
            }
            out.push_str(",\"fleet_id\":");
            global::json_str(&mut out, &args.target.fleet_id);
            out.push_str(",\"compute_name\":");
            global::json_str(&mut out, &args.target.compute_name);
            out.push_str("}\n");
        }
    }
    global::emit(&out)
}

/// `2026-05-01T12:34:56.789Z` for unix epoch milliseconds; `None` out of range.
pub fn rfc3339(epoch_ms: i64) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let t =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(epoch_ms) * 1_000_000).ok()?;
    t.format(&Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn rfc3339_in_utc_with_milliseconds() {
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            rfc3339(1_767_225_600_123).as_deref(),
            Some("2026-01-01T00:00:00.123Z")
        );
        assert_eq!(rfc3339(i64::MAX), None);
    }
}

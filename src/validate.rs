//! The service's input constraints, checked before any request is sent.
//!
//! Each check is a hand-written matcher of the pattern in the GameLift service model (no regex
//! engine, no allocation), so the cached-token path can check its arguments for free.

use crate::error::{Error, Result};

fn alnum_dash(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn lower_star(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_lowercase())
}

/// `[a-z]*fleet-[a-zA-Z0-9\-]+`
fn bare_fleet_id(s: &str) -> bool {
    // `[a-z]*` is greedy but "fleet-" itself is lowercase letters then '-': find a split where
    // the prefix is lowercase letters ending in "fleet" and the rest after "-" is alnum/dash.
    let Some(dash) = s.find('-') else {
        return false;
    };
    let (head, tail) = (&s[..dash], &s[dash + 1..]);
    head.ends_with("fleet") && lower_star(head) && alnum_dash(tail)
}

/// `[a-zA-Z0-9\-]+(\/[a-zA-Z0-9\-]+)?`
fn bare_compute_name(s: &str) -> bool {
    match s.split_once('/') {
        Some((a, b)) => alnum_dash(a) && alnum_dash(b),
        None => alnum_dash(s),
    }
}

/// `arn:.*:<kind>/<rest>` with the last `:<kind>/` split (`.*` is greedy).
fn arn_resource<'a>(s: &'a str, kind: &str) -> Option<&'a str> {
    if !s.starts_with("arn:") {
        return None;
    }
    // `.*` may contain ':' and '/', so try every occurrence of ":<kind>/" from the right.
    let marker_len = kind.len() + 2;
    let bytes = s.as_bytes();
    let mut i = s.len();
    while i >= 4 + marker_len {
        i -= 1;
        let start = i + 1 - marker_len;
        if start < 3 {
            break;
        }
        if bytes[start] == b':'
            // Bytes, not a str slice: `start` may fall inside a multi-byte character.
            && &bytes[start + 1..start + 1 + kind.len()] == kind.as_bytes()
            && bytes[start + 1 + kind.len()] == b'/'
        {
            return Some(&s[start + marker_len..]);
        }
    }
    None
}

fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(Error::invalid_argument(format!(
            "{field} must be {min} to {max} characters long (got {n})"
        )));
    }
    Ok(())
}

fn pattern_error(field: &str, value: &str, pattern: &str) -> Error {
    let shown: String = value.chars().take(80).collect();
    let more = if value.chars().count() > 80 {
        "..."
    } else {
        ""
    };
    Error::invalid_argument(format!(
        "{field} '{}{more}' does not match the pattern {pattern}",
        shown.escape_debug()
    ))
}

/// FleetIdOrArn: 1-512, `^[a-z]*fleet-[a-zA-Z0-9\-]+$` or
/// `^arn:.*:[a-z]*fleet\/[a-z]*fleet-[a-zA-Z0-9\-]+$`.
pub fn fleet_id(value: &str) -> Result<()> {
    check_len("FleetId", value, 1, 512)?;
    let ok = bare_fleet_id(value) || {
        // `[a-z]*fleet/` then a bare fleet id; the kind before '/' ends in "fleet".
        value.starts_with("arn:")
            && value.rfind('/').is_some_and(|slash| {
                let (before, id) = (&value[..slash], &value[slash + 1..]);
                bare_fleet_id(id)
                    && before.rfind(':').is_some_and(|colon| {
                        let kind = &before[colon + 1..];
                        colon >= 4 && kind.ends_with("fleet") && lower_star(kind)
                    })
            })
    };
    if ok {
        Ok(())
    } else {
        Err(pattern_error(
            "FleetId",
            value,
            "fleet-<id> or arn:...:fleet/fleet-<id>",
        ))
    }
}

/// ComputeNameOrArn (GetComputeAuthToken, DescribeCompute, DeregisterCompute): 1-1024,
/// `^([a-zA-Z0-9\-]+(\/[a-zA-Z0-9\-]+)?|arn:.*:compute\/[a-zA-Z0-9\-]+(\/[a-zA-Z0-9\-]+)?)$`.
pub fn compute_name_or_arn(value: &str) -> Result<()> {
    check_len("ComputeName", value, 1, 1024)?;
    let ok =
        bare_compute_name(value) || arn_resource(value, "compute").is_some_and(bare_compute_name);
    if ok {
        Ok(())
    } else {
        Err(pattern_error(
            "ComputeName",
            value,
            "[a-zA-Z0-9-]+(/[a-zA-Z0-9-]+)? or arn:...:compute/<name>",
        ))
    }
}

/// ComputeName for RegisterCompute: 1-128, `^[a-zA-Z0-9\-]+(\/[a-zA-Z0-9\-]+)?$`.
pub fn compute_name(value: &str) -> Result<()> {
    check_len("ComputeName", value, 1, 128)?;
    if bare_compute_name(value) {
        Ok(())
    } else {
        Err(pattern_error(
            "ComputeName",
            value,
            "[a-zA-Z0-9-]+(/[a-zA-Z0-9-]+)?",
        ))
    }
}

/// BuildIdOrArn: 1-512, `^(build-\S+|arn:.*:build\/build-\S+)$`.
pub fn build_id(value: &str) -> Result<()> {
    check_len("BuildId", value, 1, 512)?;
    let no_space = |s: &str| !s.is_empty() && !s.chars().any(char::is_whitespace);
    let bare = |s: &str| s.strip_prefix("build-").is_some_and(no_space);
    let ok = bare(value) || arn_resource(value, "build").is_some_and(bare);
    if ok {
        Ok(())
    } else {
        Err(pattern_error(
            "BuildId",
            value,
            "build-<id> or arn:...:build/build-<id>",
        ))
    }
}

/// IpAddress: 1-128, `^[0-9A-Fa-f\:\.]+$`.
pub fn ip_address(value: &str) -> Result<()> {
    check_len("IpAddress", value, 1, 128)?;
    if value
        .bytes()
        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    {
        Ok(())
    } else {
        Err(pattern_error("IpAddress", value, "[0-9A-Fa-f:.]+"))
    }
}

/// DnsName: 1-256, `^[0-9a-zA-Z_\-\.]+$`.
pub fn dns_name(value: &str) -> Result<()> {
    check_len("DnsName", value, 1, 256)?;
    if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    {
        Ok(())
    } else {
        Err(pattern_error("DnsName", value, "[0-9a-zA-Z_.-]+"))
    }
}

/// Location: 1-64, `^[A-Za-z0-9\-]+$`.
pub fn location(value: &str) -> Result<()> {
    check_len("Location", value, 1, 64)?;
    if alnum_dash(value) {
        Ok(())
    } else {
        Err(pattern_error("Location", value, "[A-Za-z0-9-]+"))
    }
}

/// CertificatePath (RegisterCompute): 1-1024, no pattern beyond non-empty.
pub fn certificate_path(value: &str) -> Result<()> {
    check_len("CertificatePath", value, 1, 1024)
}

/// AuthToken (output): 1-64, `^[a-zA-Z0-9\-]+$`. A failure is the service's fault.
pub fn auth_token(value: &str) -> bool {
    (1..=64).contains(&value.len()) && alnum_dash(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fleet_ids() {
        for ok in [
            "fleet-1a2b",
            "fleet-2222bbbb-33cc-44dd-55ee-6666ffff77aa",
            "containerfleet-abc",
            "arn:aws:gamelift:us-west-2:111122223333:fleet/fleet-1a2b",
            "arn:aws:gamelift:us-west-2:111122223333:containerfleet/containerfleet-1",
        ] {
            assert!(fleet_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "fleet-",
            "fleet",
            "Fleet-1",
            "fleet-1_2",
            "my fleet-1",
            "arn:aws:gamelift:us-west-2:1:fleet/x",
            "arn:fleet/fleet-1",
            "fleet-1\n",
        ] {
            assert!(fleet_id(bad).is_err(), "{bad:?}");
        }
        assert!(fleet_id(&format!("fleet-{}", "a".repeat(506))).is_ok());
        assert!(fleet_id(&format!("fleet-{}", "a".repeat(507))).is_err());
    }

    #[test]
    fn compute_names() {
        for ok in [
            "my-box",
            "a/b",
            "arn:aws:gamelift:us-west-2:1:compute/my-box",
            "arn:aws:gamelift:us-west-2:1:compute/fleet-1/my-box",
        ] {
            assert!(compute_name_or_arn(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a/b/c", "my box", "a/", "/a", "arn:x:compute/"] {
            assert!(compute_name_or_arn(bad).is_err(), "{bad:?}");
        }
        assert!(compute_name(&"a".repeat(128)).is_ok());
        assert!(compute_name(&"a".repeat(129)).is_err());
        assert!(compute_name("arn:aws:gamelift:us-west-2:1:compute/x").is_err());
        assert!(compute_name_or_arn(&"a".repeat(1024)).is_ok());
        assert!(compute_name_or_arn(&"a".repeat(1025)).is_err());
    }

    #[test]
    fn other_fields() {
        assert!(build_id("build-1111aaaa").is_ok());
        assert!(build_id("arn:aws:gamelift:us-west-2:1:build/build-1").is_ok());
        assert!(build_id("build-").is_err());
        assert!(build_id("build-a b").is_err());
        assert!(ip_address("10.1.2.3").is_ok());
        assert!(ip_address("::1").is_ok());
        assert!(ip_address("10.1.2.3/8").is_err());
        assert!(dns_name("game-1.example.com").is_ok());
        assert!(dns_name("a b").is_err());
        assert!(location("custom-home-desk").is_ok());
        assert!(location("us_west").is_err());
        assert!(location(&"a".repeat(65)).is_err());
        assert!(auth_token("2b9f6a5e-0c1d-4e8f-9a7b-112233445566"));
        assert!(!auth_token("tok en"));
        assert!(!auth_token(&"a".repeat(65)));
    }

    #[test]
    fn non_ascii_near_the_resource_kind_is_refused_not_a_panic() {
        // Found by fuzz_c_strings: a byte index inside 'é' used to panic.
        assert!(compute_name_or_arn("arn:x:computé/y").is_err());
        assert!(build_id("arn:aws:gamelift:r:1:buildé/build-1").is_err());
        assert!(fleet_id("arn:é:fleet/fleet-1").is_ok());
    }

    #[test]
    fn messages_do_not_explode_on_huge_input() {
        let huge = "x".repeat(1 << 20);
        let e = fleet_id(&huge).unwrap_err();
        assert!(e.message().len() < 200);
    }
}

//! Library-wide functions: version, ABI version, status names, last error.

use super::error::{last_error_ptr, status_name};
use std::ffi::c_char;

/// The ABI version; bumps on any ABI break. The header has `GAMELIFT_AUTH_ABI_VERSION`.
pub const ABI_VERSION: u32 = 1;

/// The library version, e.g. `"0.1.0"`: a static string, never freed.
/// Any thread; does not block.
#[unsafe(no_mangle)]
pub extern "C" fn gamelift_auth_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version of the library that is loaded; compare it with `GAMELIFT_AUTH_ABI_VERSION`
/// from the header you compiled against. Any thread; does not block.
#[unsafe(no_mangle)]
pub extern "C" fn gamelift_auth_abi_version() -> u32 {
    ABI_VERSION
}

/// The name of a status (`"GAMELIFT_AUTH_ERROR_NOT_FOUND"`), a static string;
/// `"GAMELIFT_AUTH_ERROR_UNKNOWN"` for a value that is not a status. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn gamelift_auth_status_name(s: super::error::StatusValue) -> *const c_char {
    status_name(s).as_ptr()
}

/// The calling thread's message for its last non-OK status (or the warning left by a call that
/// returned OK with a stale token): NUL-terminated UTF-8, never NULL (`""` when there is none),
/// valid until this thread's next call into the library. Never contains a secret.
#[unsafe(no_mangle)]
pub extern "C" fn gamelift_auth_last_error() -> *const c_char {
    super::boundary_value(c"".as_ptr(), last_error_ptr)
}

#[cfg(test)]
mod header_tests {
    use super::ABI_VERSION;

    const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/gamelift_auth.h"));
    const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/include/gamelift_auth.h");

    fn define(header: &str, name: &str) -> String {
        let prefix = format!("#define {name} ");
        header
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("{name} is not in the header"))
            .trim()
            .to_owned()
    }

    /// The committed header equals a fresh generation. `GAMELIFT_AUTH_BLESS=1` refreshes it.
    #[test]
    fn header_is_up_to_date() {
        if std::env::var_os("GAMELIFT_AUTH_BLESS").is_some() {
            std::fs::write(COMMITTED, GENERATED).unwrap();
        }
        let committed = std::fs::read_to_string(COMMITTED).unwrap();
        assert!(
            committed == GENERATED,
            "include/gamelift_auth.h is stale: run `GAMELIFT_AUTH_BLESS=1 cargo test header` and commit it"
        );
    }

    #[test]
    fn header_version_macros_match_cargo_toml() {
        let h = GENERATED;
        assert_eq!(
            define(h, "GAMELIFT_AUTH_VERSION"),
            format!("\"{}\"", env!("CARGO_PKG_VERSION"))
        );
        let part = |n: &str| n.parse::<u64>().unwrap();
        let (ma, mi, pa) = (
            part(env!("CARGO_PKG_VERSION_MAJOR")),
            part(env!("CARGO_PKG_VERSION_MINOR")),
            part(env!("CARGO_PKG_VERSION_PATCH")),
        );
        assert_eq!(part(&define(h, "GAMELIFT_AUTH_VERSION_MAJOR")), ma);
        assert_eq!(part(&define(h, "GAMELIFT_AUTH_VERSION_MINOR")), mi);
        assert_eq!(part(&define(h, "GAMELIFT_AUTH_VERSION_PATCH")), pa);
        assert_eq!(
            part(&define(h, "GAMELIFT_AUTH_VERSION_NUMBER")),
            ma * 10_000 + mi * 100 + pa
        );
        assert_eq!(
            define(h, "GAMELIFT_AUTH_ABI_VERSION"),
            ABI_VERSION.to_string()
        );
        let v = unsafe { std::ffi::CStr::from_ptr(super::gamelift_auth_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn status_names() {
        let name = |v: i32| {
            unsafe { std::ffi::CStr::from_ptr(super::gamelift_auth_status_name(v)) }
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(name(0), "GAMELIFT_AUTH_OK");
        assert_eq!(name(9), "GAMELIFT_AUTH_ERROR_NOT_FOUND");
        assert_eq!(name(99), "GAMELIFT_AUTH_ERROR_INTERNAL");
        assert_eq!(name(-5), "GAMELIFT_AUTH_ERROR_UNKNOWN");
        // Every status the header declares has its own name.
        for line in GENERATED.lines() {
            let l = line.trim();
            if let Some((n, v)) = l
                .strip_prefix("GAMELIFT_AUTH_")
                .and_then(|r| r.trim_end_matches(',').split_once(" = "))
            {
                assert_eq!(name(v.parse().unwrap()), format!("GAMELIFT_AUTH_{n}"));
            }
        }
    }

    /// Every function of the C ABI contract (shared/c-api.md) is declared in the header.
    #[test]
    fn header_declares_every_contract_function() {
        const CONTRACT: &[&str] = &[
            "gamelift_auth_abi_version",
            "gamelift_auth_client_free",
            "gamelift_auth_client_new",
            "gamelift_auth_compute_agent_endpoint",
            "gamelift_auth_compute_arn",
            "gamelift_auth_compute_fleet_id",
            "gamelift_auth_compute_free",
            "gamelift_auth_compute_ip_address",
            "gamelift_auth_compute_location",
            "gamelift_auth_compute_name",
            "gamelift_auth_compute_sdk_endpoint",
            "gamelift_auth_compute_status",
            "gamelift_auth_config_free",
            "gamelift_auth_config_new",
            "gamelift_auth_config_set_cache_dir",
            "gamelift_auth_config_set_credentials",
            "gamelift_auth_config_set_endpoint",
            "gamelift_auth_config_set_max_attempts",
            "gamelift_auth_config_set_min_validity_s",
            "gamelift_auth_config_set_profile",
            "gamelift_auth_config_set_region",
            "gamelift_auth_config_set_timeout_ms",
            "gamelift_auth_deregister_compute",
            "gamelift_auth_describe_compute",
            "gamelift_auth_get_token",
            "gamelift_auth_invalidate_token",
            "gamelift_auth_last_error",
            "gamelift_auth_register_compute",
            "gamelift_auth_request_upload_credentials",
            "gamelift_auth_server_parameters_auth_token",
            "gamelift_auth_server_parameters_expires_at_ms",
            "gamelift_auth_server_parameters_fleet_id",
            "gamelift_auth_server_parameters_free",
            "gamelift_auth_server_parameters_host_id",
            "gamelift_auth_server_parameters_new",
            "gamelift_auth_server_parameters_process_id",
            "gamelift_auth_server_parameters_web_socket_url",
            "gamelift_auth_set_log_callback",
            "gamelift_auth_status_name",
            "gamelift_auth_upload_credentials_access_key_id",
            "gamelift_auth_upload_credentials_bucket",
            "gamelift_auth_upload_credentials_free",
            "gamelift_auth_upload_credentials_key",
            "gamelift_auth_upload_credentials_object_version",
            "gamelift_auth_upload_credentials_role_arn",
            "gamelift_auth_upload_credentials_secret_access_key",
            "gamelift_auth_upload_credentials_session_token",
            "gamelift_auth_version",
        ];
        for name in CONTRACT {
            assert!(
                GENERATED.contains(&format!(" {name}("))
                    || GENERATED.contains(&format!("*{name}(")),
                "{name} is not declared in the header"
            );
        }
    }
}

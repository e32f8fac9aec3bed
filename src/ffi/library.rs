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
}

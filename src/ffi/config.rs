//! Configuration handles.

use super::error::gamelift_auth_status;
use super::{arg_opt_str, arg_str, boundary, boundary_value, free_box};
use crate::config::{self, Config};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::ffi::c_char;
use std::path::PathBuf;
use std::time::Duration;

/// A configuration under construction. Not synchronized: one thread at a time.
pub struct gamelift_auth_config {
    pub(crate) inner: Config,
}

/// A new configuration that resolves from the standard AWS environment when a client is made.
/// Free it with `gamelift_auth_config_free`. Returns NULL only if memory ran out.
#[unsafe(no_mangle)]
pub extern "C" fn gamelift_auth_config_new() -> *mut gamelift_auth_config {
    boundary_value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(gamelift_auth_config {
            inner: Config::new(),
        }))
    })
}

/// Frees a configuration (and wipes explicit credentials). NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_config_free(cfg: *mut gamelift_auth_config) {
    boundary_value((), || unsafe { free_box(cfg) })
}

fn with_cfg(
    cfg: *mut gamelift_auth_config,
    f: impl FnOnce(&mut Config) -> Result<()>,
) -> gamelift_auth_status {
    boundary(|| {
        // SAFETY: a non-NULL handle from gamelift_auth_config_new, used by one thread.
        let cfg = unsafe { cfg.as_mut() }.ok_or_else(|| Error::invalid_argument("cfg is NULL"))?;
        f(&mut cfg.inner)?;
        Ok(gamelift_auth_status::GAMELIFT_AUTH_OK)
    })
}

/// Sets the region (`us-west-2`); wins over `AWS_REGION` and the profile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_config_set_region(
    cfg: *mut gamelift_auth_config,
    region: *const c_char,
) -> gamelift_auth_status {
    with_cfg(cfg, |c| {
        let r = unsafe { arg_str(region, "region") }?;
        config::check_region(r)?;
        c.region = Some(r.to_owned());
        Ok(())
    })
}

/// Sets the endpoint URL: `https://...`, or plain `http://` only for a loopback host.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_config_set_endpoint(
    cfg: *mut gamelift_auth_config,
    url: *const c_char,
) -> gamelift_auth_status {
    with_cfg(cfg, |c| {
        let u = unsafe { arg_str(url, "url") }?;
        c.endpoint = Some(config::check_endpoint_url(u)?);
        Ok(())
    })
}

/// Sets the profile of the shared config/credentials files; wins over `AWS_PROFILE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_config_set_profile(
    cfg: *mut gamelift_auth_config,
    profile: *const c_char,
) -> gamelift_auth_status {
    with_cfg(cfg, |c| {
        let p = unsafe { arg_str(profile, "profile") }?;
        if p.is_empty()
            || p.len() > 256
            || p.chars()
                .any(|ch| ch.is_control() || ch == ']' || ch == '[')
        {
            return Err(Error::invalid_argument(
                "profile must be 1-256 characters without brackets or control characters",
            ));
        }
        c.profile = Some(p.to_owned());
        Ok(())
    })
}

/// Sets explicit credentials (they win over every other source). `session_token` may be NULL.
/// The library keeps its own copies (wiped when freed); the caller may wipe its strings after.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_config_set_credentials(
    cfg: *mut gamelift_auth_config,
    access_key_id: *const c_char,
    secret_access_key: *const c_char,
    session_token: *const c_char,
) -> gamelift_auth_status {
    with_cfg(cfg, |c| {
        let id = unsafe { arg_str(access_key_id, "access_key_id") }?;
        let secret = unsafe { arg_str(secret_access_key, "secret_access_key") }?;
        let token = unsafe { arg_opt_str(session_token, "session_token") }?;
        if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::invalid_argument(
                "access_key_id must be 1-128 letters and digits",
            ));
        }
        if secret.is_empty() || secret.chars().any(char::is_control) {
            return Err(Error::invalid_argument(
                "secret_access_key must be non-empty, without control characters",
            ));
        }
        if token.is_some_and(|t| t.chars().any(char::is_control)) {
            return Err(Error::invalid_argument(
                "session_token must not contain control characters",
            ));
        }
        c.credentials = Some(Credentials {
            access_key_id: id.to_owned(),
            secret_access_key: Secret::from(secret),
            session_token: token.filter(|t| !t.is_empty()).map(Secret::from),
            expiry: None,
            source: "explicit credentials".into(),
        });
        Ok(())
    })
}

/// Sets the deadline of one call, retries included, in milliseconds (default 10000; 1 to
/// 3600000).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_config_set_timeout_ms(
    cfg: *mut gamelift_auth_config,
    ms: u32,
) -> gamelift_auth_status {
    with_cfg(cfg, |c| {
        let timeout = Duration::from_millis(u64::from(ms));
        config::check_timeout(timeout)?;
        c.timeout = timeout;
        Ok(())
    })
}

/// Sets the attempts per call (default 3; 1 = no retry; at most 20).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_config_set_max_attempts(
    cfg: *mut gamelift_auth_config,
    attempts: u32,
) -> gamelift_auth_status {
    with_cfg(cfg, |c| {
        config::check_max_attempts(attempts)?;
        c.max_attempts = attempts;
        Ok(())
    })
}

/// Sets the minimum remaining validity of a cached token in seconds (default 900). A token is
/// reused while its remaining lifetime is above `min(seconds, lifetime / 2)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_config_set_min_validity_s(
    cfg: *mut gamelift_auth_config,
    seconds: u32,
) -> gamelift_auth_status {
    with_cfg(cfg, |c| {
        c.min_validity = Duration::from_secs(u64::from(seconds));
        Ok(())
    })
}

/// Sets the directory of the cross-process token cache (shared by all processes of one user on
/// this host); NULL turns it off (the default).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_config_set_cache_dir(
    cfg: *mut gamelift_auth_config,
    dir: *const c_char,
) -> gamelift_auth_status {
    with_cfg(cfg, |c| {
        let d = unsafe { arg_opt_str(dir, "dir") }?;
        if d.is_some_and(str::is_empty) {
            return Err(Error::invalid_argument(
                "dir is empty (pass NULL to turn the cache off)",
            ));
        }
        c.cache_dir = d.map(PathBuf::from);
        Ok(())
    })
}

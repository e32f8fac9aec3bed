//! The compute auth token.

use super::client::gamelift_auth_client;
use super::error::{gamelift_auth_status, set_last_warning};
use super::{arg_ref, arg_str, boundary, write_str};
use std::ffi::{CStr, c_char};

/// Writes a compute auth token for (`fleet_id`, `compute_name`) into `buf`, from the cache when
/// it has time left (see the cache rules in the README), else fetched with GetComputeAuthToken.
///
/// `*out_len` (nullable) gets the token's length without the NUL. On
/// `GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL`, `*out_len` is the size needed *including* the NUL
/// (ask with `buf = NULL, buf_len = 0`). `*expires_at_ms` (nullable) gets the expiry in unix
/// epoch milliseconds. If a refresh fails while the cached token is unexpired, that token is
/// returned with `GAMELIFT_AUTH_OK` and the failure stays in `gamelift_auth_last_error()`.
/// Any thread; blocks at most the configured timeout.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_get_token(
    client: *mut gamelift_auth_client,
    fleet_id: *const c_char,
    compute_name: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    expires_at_ms: *mut i64,
) -> gamelift_auth_status {
    boundary(|| {
        let client = unsafe { arg_ref(client, "client") }?;
        let deliver = |token: &[u8], expires_ms: i64| {
            let status = unsafe { write_str(token, buf, buf_len, out_len, "token") }?;
            if !expires_at_ms.is_null() {
                // SAFETY: a non-NULL out-param points to an int64_t.
                unsafe { *expires_at_ms = expires_ms };
            }
            Ok(status)
        };
        if !fleet_id.is_null() && !compute_name.is_null() {
            // SAFETY: the caller promises NUL-terminated strings that outlive this call.
            let (fleet, compute) = unsafe {
                (
                    CStr::from_ptr(fleet_id).to_bytes(),
                    CStr::from_ptr(compute_name).to_bytes(),
                )
            };
            if let Some(result) = client.inner.with_cached_token(fleet, compute, deliver) {
                return result;
            }
        }
        let fleet = unsafe { arg_str(fleet_id, "fleet_id") }?;
        let compute = unsafe { arg_str(compute_name, "compute_name") }?;
        let got = client.inner.get_token(fleet, compute)?;
        let status = deliver(
            got.token.value.expose().as_bytes(),
            got.token.expires_at_ms(),
        )?;
        if let Some(w) = &got.warning {
            set_last_warning(w);
        }
        Ok(status)
    })
}

/// Forgets the cached token of (`fleet_id`, `compute_name`): the next `gamelift_auth_get_token`
/// fetches a new one. Use it when the Server SDK reports the token was refused. Any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_invalidate_token(
    client: *mut gamelift_auth_client,
    fleet_id: *const c_char,
    compute_name: *const c_char,
) -> gamelift_auth_status {
    boundary(|| {
        let client = unsafe { arg_ref(client, "client") }?;
        let fleet = unsafe { arg_str(fleet_id, "fleet_id") }?;
        let compute = unsafe { arg_str(compute_name, "compute_name") }?;
        client.inner.invalidate_token(fleet, compute)?;
        Ok(gamelift_auth_status::GAMELIFT_AUTH_OK)
    })
}

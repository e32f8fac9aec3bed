//! Client handles.

use super::config::gamelift_auth_config;
use super::error::gamelift_auth_status;
use super::{boundary, boundary_value, check_out, free_box, write_out};
use crate::client::Client;
use crate::config::Config;

/// A GameLift client: internally synchronized, any number of threads may share one.
pub struct gamelift_auth_client {
    pub(crate) inner: Client,
}

/// Creates a client from `cfg` (NULL = the standard AWS environment only). The configuration is
/// copied: free it whenever you like. Fails with `GAMELIFT_AUTH_ERROR_CONFIG` for no region, an
/// unknown profile or a malformed file. Credentials are looked up at the first request. Reads
/// files but sends nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_client_new(
    cfg: *const gamelift_auth_config,
    out: *mut *mut gamelift_auth_client,
) -> gamelift_auth_status {
    boundary(|| {
        check_out(out, "out")?;
        // SAFETY: a non-NULL cfg came from gamelift_auth_config_new and is not freed.
        let client = match unsafe { cfg.as_ref() } {
            Some(c) => Client::new(&c.inner)?,
            None => Client::new(&Config::new())?,
        };
        Ok(unsafe { write_out(out, gamelift_auth_client { inner: client }) })
    })
}

/// Frees a client and wipes its cached tokens. NULL is a no-op. No other thread may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_client_free(client: *mut gamelift_auth_client) {
    boundary_value((), || unsafe { free_box(client) })
}

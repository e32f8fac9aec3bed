//! The log callback.

use crate::log::{Level, set_sink};
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// A log callback: `user_data` as given, level 1 (error) to 5 (trace), a pre-formatted UTF-8
/// message of `message_len` bytes (also NUL-terminated), valid only during the call. May be
/// called from any thread, concurrently; never receives a secret.
pub type gamelift_auth_log_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        level: i32,
        message: *const c_char,
        message_len: usize,
    ),
>;

struct UserData(*mut c_void);
// SAFETY: the caller of `gamelift_auth_set_log_callback` promises `user_data` may be used from
// any thread (documented on the function).
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

impl UserData {
    // A method, so closures capture the whole (Send + Sync) wrapper, not the raw field.
    fn ptr(&self) -> *mut c_void {
        self.0
    }
}

/// Installs `cb` for messages up to `max_level` (1 error .. 5 trace); `cb = NULL` turns logging
/// off (the default). Process-wide; any thread may call it, but not the callback itself. When it
/// returns, no call to the previous callback is still running, so the previous `user_data` may
/// be freed. `user_data` is passed back as is and must be usable from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn gamelift_auth_set_log_callback(
    cb: gamelift_auth_log_fn,
    user_data: *mut c_void,
    max_level: i32,
) {
    super::boundary_value((), || match cb {
        None => set_sink(None, 0),
        Some(f) => {
            let ud = UserData(user_data);
            set_sink(
                Some(Arc::new(move |level: Level, msg: &str| {
                    let mut bytes = Vec::with_capacity(msg.len() + 1);
                    bytes.extend(msg.bytes().filter(|b| *b != 0));
                    let len = bytes.len();
                    bytes.push(0);
                    // SAFETY: the callback was given by the C caller for exactly this use.
                    unsafe { f(ud.ptr(), level as i32, bytes.as_ptr().cast(), len) };
                })),
                max_level,
            )
        }
    })
}

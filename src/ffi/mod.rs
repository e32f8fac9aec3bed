//! The C ABI. This layer only converts: C arguments in, statuses and C data out. It makes no
//! decision of its own; every rule lives in the safe core.
//!
//! Pointer plumbing is in this file, once: [`boundary`] (panics -> `GAMELIFT_AUTH_ERROR_INTERNAL`,
//! errors -> thread-local last error), [`arg_str`]/[`arg_opt_str`] (C strings in), [`arg_ref`]
//! (borrow a handle), [`write_out`]/[`free_box`] (hand out and take back a handle) and
//! [`write_str`] (caller buffers). Every export uses these helpers.

#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

pub mod client;
pub mod compute;
pub mod config;
pub mod error;
pub mod library;
pub mod log;
pub mod token;
pub mod upload;

use crate::error::{Error, Result};
use error::{gamelift_auth_status, set_last_error};
use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use zeroize::Zeroize;

/// Runs an export's body: `Ok` -> its status; `Err` -> the error's status and last error;
/// a panic -> `GAMELIFT_AUTH_ERROR_INTERNAL`. Clears a previous last error first.
pub(crate) fn boundary(f: impl FnOnce() -> Result<gamelift_auth_status>) -> gamelift_auth_status {
    error::clear_last_error();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => set_last_error(&e),
        Err(_) => set_last_error(&Error::internal(
            "internal error (a bug in gamelift-auth was caught): please report it",
        )),
    }
}

/// Like [`boundary`] for functions that return a value instead of a status (accessors, `_new`
/// without out-param, `_free`): a panic gives `fallback`.
pub(crate) fn boundary_value<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Reads a required C string argument: NULL or invalid UTF-8 -> `InvalidArgument`.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, name: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(Error::invalid_argument(format!("{name} is NULL")));
    }
    // SAFETY: the caller promises a NUL-terminated string that outlives this call.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|e| {
        Error::invalid_argument(format!(
            "{name} is not valid UTF-8 (bad byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// Reads an optional C string argument: NULL -> `None`.
pub(crate) unsafe fn arg_opt_str<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        unsafe { arg_str(p, name) }.map(Some)
    }
}

/// Borrows a handle: NULL -> `InvalidArgument`.
pub(crate) unsafe fn arg_ref<'a, T>(p: *const T, name: &str) -> Result<&'a T> {
    // SAFETY: a non-NULL handle came from this library's `_new` and is not freed yet.
    unsafe { p.as_ref() }.ok_or_else(|| Error::invalid_argument(format!("{name} is NULL")))
}

/// Checks an out-param for a handle before any work: NULL -> `InvalidArgument`.
pub(crate) fn check_out<T>(out: *mut *mut T, name: &str) -> Result<()> {
    if out.is_null() {
        Err(Error::invalid_argument(format!("{name} is NULL")))
    } else {
        Ok(())
    }
}

/// Boxes `value` and writes the handle to `out` (checked with [`check_out`] before).
pub(crate) unsafe fn write_out<T>(out: *mut *mut T, value: T) -> gamelift_auth_status {
    // SAFETY: `out` is non-NULL (checked) and points to writable storage for a pointer.
    unsafe { *out = Box::into_raw(Box::new(value)) };
    gamelift_auth_status::GAMELIFT_AUTH_OK
}

/// Takes a handle back and drops it; NULL is a no-op.
pub(crate) unsafe fn free_box<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: `p` came from `write_out` and is freed once, by the caller's contract.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// Copies `s` and a NUL into the caller's buffer. On success `*out_len` = `s.len()`; when the
/// buffer is NULL or too short, the status is `BUFFER_TOO_SMALL` and `*out_len` = the size
/// needed *including* the NUL (so `malloc(*out_len)` is enough). `out_len` may be NULL.
pub(crate) unsafe fn write_str(
    s: &[u8],
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    what: &str,
) -> Result<gamelift_auth_status> {
    let needed = s.len() + 1;
    if buf.is_null() || buf_len < needed {
        if !out_len.is_null() {
            // SAFETY: non-NULL out-param points to a size_t.
            unsafe { *out_len = needed };
        }
        return Err(Error::new(
            crate::ErrorKind::BufferTooSmall,
            format!(
                "the buffer ({buf_len} bytes) is too small: the {what} needs {needed} bytes \
                 including the NUL; call again with a larger buffer"
            ),
        ));
    }
    // SAFETY: `buf` has room for `buf_len >= needed` bytes, by the caller's contract.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), s.len());
        *buf.add(s.len()) = 0;
        if !out_len.is_null() {
            *out_len = s.len();
        }
    }
    Ok(gamelift_auth_status::GAMELIFT_AUTH_OK)
}

/// A NUL-terminated string owned by a result object; wiped on drop when it holds a secret.
pub(crate) struct CText {
    bytes: Vec<u8>,
    secret: bool,
}

impl CText {
    /// Copies `s` with a trailing NUL; an interior NUL is a bad response from the service.
    pub(crate) fn new(s: &str, secret: bool, field: &str) -> Result<Self> {
        if s.as_bytes().contains(&0) {
            return Err(Error::bad_response(format!(
                "the service's {field} contains a NUL character"
            )));
        }
        let mut bytes = Vec::with_capacity(s.len() + 1);
        bytes.extend_from_slice(s.as_bytes());
        bytes.push(0);
        Ok(CText { bytes, secret })
    }

    pub(crate) fn as_ptr(&self) -> *const c_char {
        self.bytes.as_ptr().cast()
    }
}

impl Drop for CText {
    fn drop(&mut self) {
        if self.secret {
            self.bytes.zeroize();
        }
    }
}

/// The `""` returned by accessors given NULL.
pub(crate) const EMPTY: &CStr = c"";

/// An accessor: the field of a non-NULL object, or `""`.
pub(crate) unsafe fn text_of<T>(p: *const T, field: impl FnOnce(&T) -> &CText) -> *const c_char {
    boundary_value(EMPTY.as_ptr(), || {
        // SAFETY: a non-NULL object came from this library and is not freed yet.
        match unsafe { p.as_ref() } {
            Some(obj) => field(obj).as_ptr(),
            None => EMPTY.as_ptr(),
        }
    })
}

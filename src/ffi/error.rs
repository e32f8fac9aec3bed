//! Status values, the one mapping from error kinds to them, and the thread-local last error.

use crate::error::{Error, ErrorKind};
use std::cell::RefCell;
use std::ffi::{CStr, c_char};

/// The status every fallible function returns. The numbers are fixed and never reused.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum gamelift_auth_status {
    /// Success.
    GAMELIFT_AUTH_OK = 0,
    /// NULL where not allowed, bad UTF-8, fails a documented pattern/length, bad URL.
    GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT = 1,
    /// The caller's buffer is too small: `*out_len` holds the size needed, NUL included.
    GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL = 2,
    /// No region, unknown profile, unreadable or malformed config file.
    GAMELIFT_AUTH_ERROR_CONFIG = 3,
    /// No credentials found, or a credential provider failed.
    GAMELIFT_AUTH_ERROR_CREDENTIALS = 4,
    /// DNS, connect, TLS, connection reset, after retries.
    GAMELIFT_AUTH_ERROR_NETWORK = 5,
    /// The call's deadline passed.
    GAMELIFT_AUTH_ERROR_TIMEOUT = 6,
    /// Throttling, after retries.
    GAMELIFT_AUTH_ERROR_THROTTLED = 7,
    /// UnauthorizedException, access denied, bad signature, expired credentials.
    GAMELIFT_AUTH_ERROR_UNAUTHORIZED = 8,
    /// NotFoundException.
    GAMELIFT_AUTH_ERROR_NOT_FOUND = 9,
    /// InvalidRequestException: the service refused the input.
    GAMELIFT_AUTH_ERROR_INVALID_REQUEST = 10,
    /// UnsupportedRegionException.
    GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION = 11,
    /// InternalServiceException / 5xx after retries, or any other service error code.
    GAMELIFT_AUTH_ERROR_SERVICE = 12,
    /// Malformed, truncated, oversized (cap 1 MiB) or incomplete response.
    GAMELIFT_AUTH_ERROR_BAD_RESPONSE = 13,
    /// ConflictException.
    GAMELIFT_AUTH_ERROR_CONFLICT = 14,
    /// NotReadyException.
    GAMELIFT_AUTH_ERROR_NOT_READY = 15,
    /// LimitExceededException, after retries.
    GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED = 16,
    /// A bug (a caught panic).
    GAMELIFT_AUTH_ERROR_INTERNAL = 99,
}

use gamelift_auth_status as S;

/// The one mapping from error kinds to statuses.
pub fn status_of(kind: ErrorKind) -> gamelift_auth_status {
    match kind {
        ErrorKind::InvalidArgument => S::GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT,
        ErrorKind::BufferTooSmall => S::GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL,
        ErrorKind::Config => S::GAMELIFT_AUTH_ERROR_CONFIG,
        ErrorKind::Credentials => S::GAMELIFT_AUTH_ERROR_CREDENTIALS,
        ErrorKind::Network => S::GAMELIFT_AUTH_ERROR_NETWORK,
        ErrorKind::Timeout => S::GAMELIFT_AUTH_ERROR_TIMEOUT,
        ErrorKind::Throttled => S::GAMELIFT_AUTH_ERROR_THROTTLED,
        ErrorKind::Unauthorized => S::GAMELIFT_AUTH_ERROR_UNAUTHORIZED,
        ErrorKind::NotFound => S::GAMELIFT_AUTH_ERROR_NOT_FOUND,
        ErrorKind::InvalidRequest => S::GAMELIFT_AUTH_ERROR_INVALID_REQUEST,
        ErrorKind::UnsupportedRegion => S::GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION,
        ErrorKind::Service => S::GAMELIFT_AUTH_ERROR_SERVICE,
        ErrorKind::BadResponse => S::GAMELIFT_AUTH_ERROR_BAD_RESPONSE,
        ErrorKind::Conflict => S::GAMELIFT_AUTH_ERROR_CONFLICT,
        ErrorKind::NotReady => S::GAMELIFT_AUTH_ERROR_NOT_READY,
        ErrorKind::LimitExceeded => S::GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED,
        ErrorKind::Internal => S::GAMELIFT_AUTH_ERROR_INTERNAL,
    }
}

/// The name of a status value, as a static C string (`"GAMELIFT_AUTH_ERROR_UNKNOWN"` for others).
pub fn status_name(value: i32) -> &'static CStr {
    match value {
        0 => c"GAMELIFT_AUTH_OK",
        1 => c"GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT",
        2 => c"GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL",
        3 => c"GAMELIFT_AUTH_ERROR_CONFIG",
        4 => c"GAMELIFT_AUTH_ERROR_CREDENTIALS",
        5 => c"GAMELIFT_AUTH_ERROR_NETWORK",
        6 => c"GAMELIFT_AUTH_ERROR_TIMEOUT",
        7 => c"GAMELIFT_AUTH_ERROR_THROTTLED",
        8 => c"GAMELIFT_AUTH_ERROR_UNAUTHORIZED",
        9 => c"GAMELIFT_AUTH_ERROR_NOT_FOUND",
        10 => c"GAMELIFT_AUTH_ERROR_INVALID_REQUEST",
        11 => c"GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION",
        12 => c"GAMELIFT_AUTH_ERROR_SERVICE",
        13 => c"GAMELIFT_AUTH_ERROR_BAD_RESPONSE",
        14 => c"GAMELIFT_AUTH_ERROR_CONFLICT",
        15 => c"GAMELIFT_AUTH_ERROR_NOT_READY",
        16 => c"GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED",
        99 => c"GAMELIFT_AUTH_ERROR_INTERNAL",
        _ => c"GAMELIFT_AUTH_ERROR_UNKNOWN",
    }
}

thread_local! {
    /// NUL-terminated message of this thread's last failure; empty = none.
    static LAST_ERROR: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Records `e` as this thread's last error and returns its status.
pub fn set_last_error(e: &Error) -> gamelift_auth_status {
    let status = status_of(e.kind());
    // The status name leads: after a stale-token OK it is the only place the failure's status
    // shows.
    let text = format!("{}: {e}", status_name(status as i32).to_string_lossy());
    LAST_ERROR.with(|cell| {
        let mut v = cell.borrow_mut();
        v.clear();
        v.extend(text.bytes().filter(|b| *b != 0));
        v.push(0);
    });
    crate::log_debug!("{text}");
    status
}

/// Records a warning (a call that succeeded with a caveat) as the last error; OK stays OK.
pub fn set_last_warning(e: &Error) {
    set_last_error(e);
}

/// Empties this thread's last error (cheap when it is already empty).
pub fn clear_last_error() {
    LAST_ERROR.with(|cell| {
        if let Ok(mut v) = cell.try_borrow_mut()
            && !v.is_empty()
        {
            v.clear();
        }
    });
}

/// This thread's last error message, NUL-terminated; `""` when none.
pub fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|cell| {
        let v = cell.borrow();
        if v.is_empty() {
            c"".as_ptr()
        } else {
            // The buffer lives in the thread-local until this thread's next call.
            v.as_ptr().cast()
        }
    })
}

/// A status as passed *in* by C code: read as a plain `int32_t` (a value that is not a status is
/// not undefined behaviour). The header names it `gamelift_auth_status`.
pub type StatusValue = i32;

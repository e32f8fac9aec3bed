//! The library's log sink: one process-wide callback, levels 1 (error) to 5 (trace).
//!
//! The core formats a message only when its level is enabled, so a disabled log costs one atomic
//! load. Messages never contain a secret: callers pass only names, codes, ids and durations.

use parking_lot::RwLock;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

/// Log levels, numbered as in the C API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(i32)]
pub enum Level {
    /// Something failed.
    Error = 1,
    /// Something went wrong but the call went on (stale token returned, retry).
    Warn = 2,
    /// A notable event (token fetched).
    Info = 3,
    /// Details for debugging (cache hits and misses, retries).
    Debug = 4,
    /// Every request.
    Trace = 5,
}

/// A log sink: gets the level and the pre-formatted message.
pub type Sink = Arc<dyn Fn(Level, &str) + Send + Sync>;

static MAX_LEVEL: AtomicI32 = AtomicI32::new(0);
static SINK: RwLock<Option<Sink>> = RwLock::new(None);

/// Installs `sink` for all levels up to `max_level`; `None` turns logging off. Waits for calls
/// to the previous sink that are under way. Must not be called from inside a sink.
pub fn set_sink(sink: Option<Sink>, max_level: i32) {
    let mut guard = SINK.write();
    let level = if sink.is_some() {
        max_level.clamp(0, 5)
    } else {
        0
    };
    *guard = sink;
    MAX_LEVEL.store(level, Ordering::Release);
}

/// True when a message at `level` would reach the sink.
#[inline]
pub fn enabled(level: Level) -> bool {
    (level as i32) <= MAX_LEVEL.load(Ordering::Acquire)
}

/// Sends a message to the sink if `level` is enabled. Use the `log_*!` macros.
pub fn emit(level: Level, args: fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    // The read guard is held during the call, so once `set_sink` returns no call with the old
    // sink (and the C caller's old user_data) is still running.
    let guard = SINK.read();
    if let Some(sink) = guard.as_ref() {
        let text = fmt::format(args);
        sink(level, &text);
    }
}

/// Logs at error level.
#[macro_export]
#[doc(hidden)]
macro_rules! log_error { ($($t:tt)*) => { $crate::log::emit($crate::log::Level::Error, format_args!($($t)*)) } }
/// Logs at warn level.
#[macro_export]
#[doc(hidden)]
macro_rules! log_warn { ($($t:tt)*) => { $crate::log::emit($crate::log::Level::Warn, format_args!($($t)*)) } }
/// Logs at info level.
#[macro_export]
#[doc(hidden)]
macro_rules! log_info { ($($t:tt)*) => { $crate::log::emit($crate::log::Level::Info, format_args!($($t)*)) } }
/// Logs at debug level.
#[macro_export]
#[doc(hidden)]
macro_rules! log_debug { ($($t:tt)*) => { $crate::log::emit($crate::log::Level::Debug, format_args!($($t)*)) } }
/// Logs at trace level.
#[macro_export]
#[doc(hidden)]
macro_rules! log_trace { ($($t:tt)*) => { $crate::log::emit($crate::log::Level::Trace, format_args!($($t)*)) } }

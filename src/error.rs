//! The one error type of the library.
//!
//! Every failure is an [`Error`]: a [`ErrorKind`] (which maps one-to-one to a C status in
//! `ffi::error`), a message that says what failed and what to do, and the AWS error code and
//! request id where the service answered. Messages never contain a secret.

use std::fmt;

/// What kind of failure this is. Each kind is one C status value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A caller argument is missing, not UTF-8, or fails the service's pattern/length.
    InvalidArgument,
    /// A caller buffer is too small (only the C layer produces it).
    BufferTooSmall,
    /// No region, unknown profile, unreadable or malformed configuration.
    Config,
    /// No credentials found, or a credential provider failed.
    Credentials,
    /// DNS, connect, TLS or connection reset, after retries.
    Network,
    /// The call's deadline passed.
    Timeout,
    /// The service throttled the call, after retries.
    Throttled,
    /// UnauthorizedException, access denied, bad signature, expired credentials.
    Unauthorized,
    /// NotFoundException.
    NotFound,
    /// InvalidRequestException: the service refused the input.
    InvalidRequest,
    /// UnsupportedRegionException.
    UnsupportedRegion,
    /// InternalServiceException, 5xx after retries, or an unknown service error code.
    Service,
    /// Malformed, truncated, oversized or incomplete response.
    BadResponse,
    /// ConflictException.
    Conflict,
    /// NotReadyException.
    NotReady,
    /// LimitExceededException, after retries.
    LimitExceeded,
    /// A bug: a caught panic or a broken invariant.
    Internal,
}

/// A library error: kind, message, and the service's code and request id when there were any.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    code: Option<String>,
    request_id: Option<String>,
    http_status: Option<u16>,
}

impl Error {
    /// A new error of `kind` with a human message (must not contain a secret).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            code: None,
            request_id: None,
            http_status: None,
        }
    }

    /// The error from a service answer: its code and request id go into the text.
    pub fn service(
        kind: ErrorKind,
        message: impl Into<String>,
        code: Option<String>,
        request_id: Option<String>,
    ) -> Self {
        Error {
            kind,
            message: message.into(),
            code,
            request_id,
            http_status: None,
        }
    }

    /// Shorthand for an [`ErrorKind::InvalidArgument`] error.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// Shorthand for an [`ErrorKind::Config`] error.
    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }

    /// Shorthand for an [`ErrorKind::Credentials`] error.
    pub fn credentials(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Credentials, message)
    }

    /// Shorthand for an [`ErrorKind::BadResponse`] error.
    pub fn bad_response(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::BadResponse, message)
    }

    /// Shorthand for an [`ErrorKind::Internal`] error.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal, message)
    }

    /// The kind, which decides the C status.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The kind's name, for log lines ("Network", "Throttled", ...).
    pub fn kind_name(&self) -> String {
        format!("{:?}", self.kind)
    }

    /// The message without code and request id.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The AWS error code (`NotFoundException`, ...), if the service sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The `x-amzn-RequestId` of the failing response, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status of the failing response, if there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// Records the HTTP status of the failing response.
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// Replaces every occurrence of `secret` in the message with `<redacted>` (for service
    /// messages that quote a secret back, such as the canonical request of a bad signature).
    pub fn redact(&mut self, secret: &str) {
        if secret.len() >= 4 && self.message.contains(secret) {
            self.message = self.message.replace(secret, "<redacted>");
        }
    }

    /// Prefixes the message with context ("GetComputeAuthToken: ...").
    pub fn context(mut self, what: &str) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match (&self.code, &self.request_id) {
            (Some(code), Some(id)) => write!(f, " (AWS error {code}, request id {id})"),
            (Some(code), None) => write!(f, " (AWS error {code})"),
            (None, Some(id)) => write!(f, " (request id {id})"),
            (None, None) => Ok(()),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?}: {self})", self.kind)
    }
}

impl std::error::Error for Error {}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

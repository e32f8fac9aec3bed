//! # gamelift-auth
//!
//! Amazon GameLift compute auth tokens for native game servers. A synchronous Rust core
//! (configuration, credentials, SigV4 signing, the awsJson1_1 protocol, retries, a token cache)
//! behind a C ABI (`src/ffi/`, header `include/gamelift_auth.h`).

#![warn(missing_docs)]

pub mod log;

pub mod config;
pub mod credentials;
pub mod env;
pub mod error;
pub mod profile;
pub mod secret;
pub mod validate;

pub use error::{Error, ErrorKind, Result};
pub use secret::Secret;

pub mod client;
pub mod operations;
pub mod protocol;
pub mod retry;
pub mod shared_cache;
pub mod signing;
pub mod token_cache;
pub mod transport;

pub use client::Client;
pub use config::Config;
pub use operations::{Compute, RegisterComputeInput, ServerParameters, UploadCredentials};
pub mod ffi;

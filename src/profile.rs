//! The shared config/credentials file format.

//! The `gamelift-auth` command line.
fn main() {}

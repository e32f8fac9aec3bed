//! The `gamelift-auth` command line (built with `--features cli`).
//!
//! This file only parses the command line and dispatches: each subcommand lives in its own
//! module, which exposes a clap `Args` struct and a `run(Args) -> ExitCode`.

mod local_endpoint;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Amazon GameLift compute auth tokens for native game servers.
#[derive(Parser, Debug)]
#[command(name = "gamelift-auth", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a local stand-in of the GameLift service (SigV4-checked, with fault injection under
    /// /__standin/). Prints its base URL as the first line of stdout.
    LocalEndpoint(local_endpoint::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::LocalEndpoint(args) => local_endpoint::run(args),
    }
}

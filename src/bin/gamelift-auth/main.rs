//! The `gamelift-auth` command line (built with `--features cli`).
//!
//! This file only parses the command line and dispatches: each subcommand lives in its own
//! module, which exposes a clap `Args` struct and a `run(Args) -> ExitCode`. What the GameLift
//! commands share (connection options, client, output, errors) is in `global.rs`.
//!
//! # Exit codes
//!
//! - 0: success.
//! - 1: the library failed: stderr says `gamelift-auth: <STATUS_NAME>: <message>`, with the
//!   C API's status name (`GAMELIFT_AUTH_ERROR_NOT_FOUND`, ...), the AWS error code and request
//!   id. Also: the output could not be written.
//! - 2: usage error (clap's own): unknown option, missing or bad argument.
//! - `exec`: once the program runs, its own exit status and signals (it replaces this process
//!   on Unix); 126 when it cannot be executed, 127 when it is not found.

mod compute;
mod env_cmd;
mod exec;
mod global;
mod local_endpoint;
mod shell_quote;
mod spinner;
mod token;
mod upload;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Amazon GameLift compute auth tokens for native game servers.
#[derive(Parser, Debug)]
#[command(
    name = "gamelift-auth",
    version,
    about,
    long_about = "Amazon GameLift compute auth tokens for native game servers.\n\n\
        Region, endpoint and credentials come from the standard AWS sources (AWS_REGION, \
        AWS_PROFILE, AWS_ENDPOINT_URL_GAMELIFT, the shared config and credentials files, \
        AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, credential_process, container and instance \
        credentials); each command's connection options override them.",
    after_long_help = global::EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Token(token::Args),
    Env(env_cmd::Args),
    Exec(exec::Args),
    UploadCredentials(upload::Args),
    RegisterCompute(compute::RegisterArgs),
    DescribeCompute(compute::DescribeArgs),
    DeregisterCompute(compute::DeregisterArgs),
    /// Run a local stand-in of the GameLift service (SigV4-checked, with fault injection under
    /// /__standin/). Prints its base URL as the first line of stdout.
    LocalEndpoint(local_endpoint::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Token(args) => token::run(args),
        Command::Env(args) => env_cmd::run(args),
        Command::Exec(args) => exec::run(args),
        Command::UploadCredentials(args) => upload::run(args),
        Command::RegisterCompute(args) => compute::run_register(args),
        Command::DescribeCompute(args) => compute::run_describe(args),
        Command::DeregisterCompute(args) => compute::run_deregister(args),
        Command::LocalEndpoint(args) => local_endpoint::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// clap's own consistency checks (duplicate names, bad groups) on every command.
    #[test]
    fn command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

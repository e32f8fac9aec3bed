//! `gamelift-auth exec`: optionally registers the compute, then replaces itself with the game
//! server, its environment carrying the Server SDK's `GAMELIFT_SDK_*` variables and none of the
//! AWS secrets that fetched them.
//!
//! On Unix the program replaces this process (`execvp`): same pid, and its exit status and
//! signals are its own. Elsewhere it runs as a child whose exit code becomes ours.

use std::ffi::OsString;
use std::net::IpAddr;
use std::process::{Command, ExitCode};

use gamelift_auth::{Client, Compute, Error, ErrorKind, RegisterComputeInput};

use crate::compute::{self, Address};
use crate::env_cmd;
use crate::global::{self, GlobalArgs, Target};

/// Variables that hold secrets the game server must not get: AWS credentials and the Server
/// SDK's own signing keys. The game server's only secret is the auth token.
pub const SECRET_VARS: [&str; 8] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "GAMELIFT_ACCESS_KEY",
    "GAMELIFT_SECRET_KEY",
    "GAMELIFT_SESSION_TOKEN",
];

/// Run a game server with the GAMELIFT_SDK_* variables of InitSDK() set.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Run a game server with the five variables InitSDK() reads set \
        (GAMELIFT_SDK_WEBSOCKET_URL, GAMELIFT_SDK_AUTH_TOKEN, GAMELIFT_SDK_FLEET_ID, \
        GAMELIFT_SDK_HOST_ID, GAMELIFT_SDK_PROCESS_ID).\n\n\
        With --register, the compute is first registered (RegisterCompute). Registering it \
        again with the same address, as on a restart, is fine: when the service answers \
        ConflictException, the compute is described and, if it is registered with the address \
        and location given, the program still starts (with a warning); registered elsewhere, \
        exec stops with the conflict.\n\n\
        Then the program replaces gamelift-auth (same process id; on Windows it runs as a \
        child). Its environment is this one without AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, \
        AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN, \
        GAMELIFT_ACCESS_KEY, GAMELIFT_SECRET_KEY and GAMELIFT_SESSION_TOKEN: the auth token is \
        the only secret the game server gets.",
    after_long_help = global::EXEC_EXIT_CODES
)]
#[command(group = clap::ArgGroup::new("address").multiple(true).requires("register"))]
pub struct Args {
    #[command(flatten)]
    target: Target,

    /// Register the compute first (RegisterCompute); needs --ip-address or --dns-name
    #[arg(long, requires = "address")]
    register: bool,

    #[command(flatten)]
    address: Address,

    #[command(flatten)]
    global: GlobalArgs,

    /// The program to run and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "PROGRAM", num_args = 1..)]
    program: Vec<OsString>,
}

/// Runs the command: returns only on failure (or, without Unix exec, with the program's code).
pub fn run(args: Args) -> ExitCode {
    let client = match args.global.client() {
        Ok(c) => c,
        Err(e) => return global::fail(&e),
    };
    if args.register
        && let Err(e) = register(&client, &args.address.input(&args.target))
    {
        return global::fail(&e);
    }
    let params = match env_cmd::server_parameters(&client, &args.target) {
        Ok(p) => p,
        Err(e) => return global::fail(&e),
    };
    drop(client);

    let (program, program_args) = args.program.split_first().expect("clap requires a program");
    let mut cmd = Command::new(program);
    cmd.args(program_args);
    for name in SECRET_VARS {
        cmd.env_remove(name);
    }
    for (name, value) in env_cmd::sdk_vars(&params) {
        cmd.env(name, value);
    }
    drop(params);
    replace_with(cmd, program)
}

/// RegisterCompute; a ConflictException is accepted when DescribeCompute shows the compute
/// already registered where asked (a restart re-registers the same compute).
fn register(client: &Client, input: &RegisterComputeInput) -> Result<Compute, Error> {
    let conflict = match compute::register(client, input) {
        Ok(c) => return Ok(c),
        Err(e) if e.kind() == ErrorKind::Conflict => e,
        Err(e) => return Err(e),
    };
    let target = Target {
        fleet_id: input.fleet_id.clone(),
        compute_name: input.compute_name.clone(),
    };
    let existing = match compute::describe(client, &target) {
        Ok(c) => c,
        // Not there: the conflict is about something else; report it as it came.
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(conflict),
        Err(e) => {
            return Err(Error::service(
                ErrorKind::Conflict,
                format!(
                    "{}; DescribeCompute could not tell whether it is this compute: {}",
                    conflict.message(),
                    e.message()
                ),
                conflict.code().map(str::to_owned),
                conflict.request_id().map(str::to_owned),
            ));
        }
    };
    if let Some(why) = mismatch(input, &existing) {
        return Err(Error::service(
            ErrorKind::Conflict,
            format!(
                "{}; it is registered with {why}: deregister it first \
                 (gamelift-auth deregister-compute) or use another compute name",
                conflict.message()
            ),
            conflict.code().map(str::to_owned),
            conflict.request_id().map(str::to_owned),
        ));
    }
    eprintln!(
        "gamelift-auth: warning: {}: {conflict}; the compute is already registered with this \
         address (status {}): going on",
        global::status_label(&conflict),
        if existing.compute_status.is_empty() {
            "unknown"
        } else {
            &existing.compute_status
        }
    );
    Ok(existing)
}

/// How the registered compute differs from what was asked, if it does.
fn mismatch(asked: &RegisterComputeInput, found: &Compute) -> Option<String> {
    let mut diffs = Vec::new();
    if let Some(ip) = &asked.ip_address
        && !same_ip(ip, &found.ip_address)
    {
        diffs.push(format!("IP address '{}', not {ip}", found.ip_address));
    }
    if let Some(dns) = &asked.dns_name
        && !dns.eq_ignore_ascii_case(&found.dns_name)
    {
        diffs.push(format!("DNS name '{}', not {dns}", found.dns_name));
    }
    if let Some(location) = &asked.location
        && location != &found.location
    {
        diffs.push(format!("location '{}', not {location}", found.location));
    }
    (!diffs.is_empty()).then(|| diffs.join(", "))
}

/// The same address: compared as IP addresses when both parse (`::1` = `0:0::1`), else as text.
fn same_ip(a: &str, b: &str) -> bool {
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// The exit status and message when the program cannot be started.
fn cannot_run(program: &std::ffi::OsStr, e: &std::io::Error) -> ExitCode {
    let shown = program.to_string_lossy();
    if e.kind() == std::io::ErrorKind::NotFound {
        eprintln!("gamelift-auth: exec: program '{shown}' not found: {e}");
        ExitCode::from(global::EXIT_NOT_FOUND)
    } else {
        eprintln!("gamelift-auth: exec: cannot run '{shown}': {e}");
        ExitCode::from(global::EXIT_CANNOT_EXECUTE)
    }
}

/// Replaces this process with `cmd` (returns only if that fails).
#[cfg(unix)]
fn replace_with(mut cmd: Command, program: &std::ffi::OsStr) -> ExitCode {
    use std::io::Write;
    use std::os::unix::process::CommandExt;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // std resets SIGPIPE (which Rust programs ignore) and the signal mask before the exec.
    let e = cmd.exec();
    cannot_run(program, &e)
}

/// Runs `cmd` as a child and exits with its exit code.
#[cfg(not(unix))]
fn replace_with(mut cmd: Command, program: &std::ffi::OsStr) -> ExitCode {
    match cmd.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => cannot_run(program, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(ip: Option<&str>, dns: Option<&str>, location: Option<&str>) -> RegisterComputeInput {
        RegisterComputeInput {
            fleet_id: "fleet-1".into(),
            compute_name: "box".into(),
            ip_address: ip.map(Into::into),
            dns_name: dns.map(Into::into),
            location: location.map(Into::into),
            certificate_path: None,
        }
    }

    #[test]
    fn conflict_is_accepted_only_for_the_same_address() {
        let found = Compute {
            ip_address: "10.1.2.3".into(),
            dns_name: "Box.example".into(),
            location: "custom-loc".into(),
            ..Compute::default()
        };
        assert_eq!(mismatch(&asked(Some("10.1.2.3"), None, None), &found), None);
        assert_eq!(
            mismatch(
                &asked(Some("10.1.2.3"), Some("box.EXAMPLE"), Some("custom-loc")),
                &found
            ),
            None
        );
        assert_eq!(
            mismatch(&asked(Some("10.9.9.9"), None, None), &found).as_deref(),
            Some("IP address '10.1.2.3', not 10.9.9.9")
        );
        assert!(mismatch(&asked(None, Some("other.example"), None), &found).is_some());
        let v6 = Compute {
            ip_address: "2001:DB8::1".into(),
            ..Compute::default()
        };
        assert_eq!(
            mismatch(&asked(Some("2001:db8:0::1"), None, None), &v6),
            None
        );
        assert!(mismatch(&asked(Some("10.1.2.3"), None, Some("elsewhere")), &found).is_some());
    }
}

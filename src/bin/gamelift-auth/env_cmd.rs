//! `gamelift-auth env`: the Server SDK's `GAMELIFT_SDK_*` variables as shell `export` lines,
//! for `eval "$(gamelift-auth env ...)"`.

use std::process::ExitCode;

use gamelift_auth::{Client, Error, ErrorKind, ServerParameters};
use zeroize::Zeroizing;

use crate::global::{self, GlobalArgs, Target};
use crate::shell_quote;
use crate::spinner::Spinner;

/// Print the GAMELIFT_SDK_* variables of InitSDK() as shell export lines.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Print the five variables the Server SDK's InitSDK() reads \
                  (GAMELIFT_SDK_WEBSOCKET_URL, GAMELIFT_SDK_AUTH_TOKEN, GAMELIFT_SDK_FLEET_ID, \
                  GAMELIFT_SDK_HOST_ID, GAMELIFT_SDK_PROCESS_ID) as POSIX shell lines \
                  `export NAME='value'`, for:\n\n    \
                  eval \"$(gamelift-auth env --fleet-id F --compute-name C)\"\n\n\
                  The websocket URL is the compute's GameLiftServiceSdkEndpoint (DescribeCompute: \
                  the compute must be registered); the process id is a fresh UUID. The SDK never \
                  refreshes the token: start the server before it expires.",
    after_long_help = global::EXIT_CODES
)]
pub struct Args {
    #[command(flatten)]
    target: Target,

    #[command(flatten)]
    global: GlobalArgs,
}

/// The variables InitSDK() reads, with their values.
pub fn sdk_vars(p: &ServerParameters) -> [(&'static str, &str); 5] {
    [
        ("GAMELIFT_SDK_WEBSOCKET_URL", &p.web_socket_url),
        ("GAMELIFT_SDK_AUTH_TOKEN", p.auth_token.expose()),
        ("GAMELIFT_SDK_FLEET_ID", &p.fleet_id),
        ("GAMELIFT_SDK_HOST_ID", &p.host_id),
        ("GAMELIFT_SDK_PROCESS_ID", &p.process_id),
    ]
}

/// The server parameters of (fleet, compute), with a spinner while waiting; a warning (a
/// cached token after a failed refresh) is printed. A compute that is not found gets a hint.
pub fn server_parameters(client: &Client, target: &Target) -> Result<ServerParameters, Error> {
    let spinner = Spinner::start("Getting the server parameters");
    let result = client.server_parameters(&target.fleet_id, &target.compute_name);
    drop(spinner);
    match result {
        Ok((params, warning)) => {
            if let Some(w) = &warning {
                global::warn(w);
            }
            Ok(params)
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Err(Error::service(
            e.kind(),
            format!(
                "{}; a compute is registered with gamelift-auth register-compute or \
                 exec --register",
                e.message()
            ),
            e.code().map(str::to_owned),
            e.request_id().map(str::to_owned),
        )),
        Err(e) => Err(e),
    }
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    let client = match args.global.client() {
        Ok(c) => c,
        Err(e) => return global::fail(&e),
    };
    let params = match server_parameters(&client, &args.target) {
        Ok(p) => p,
        Err(e) => return global::fail(&e),
    };
    let vars = sdk_vars(&params);
    // Holds the token: wiped afterwards, sized so that it never reallocates.
    let size: usize = vars.iter().map(|(n, v)| n.len() + 4 * v.len() + 16).sum();
    let mut out = Zeroizing::new(String::with_capacity(size));
    for (name, value) in vars {
        shell_quote::push_export(&mut out, name, value);
    }
    global::emit(&out)
}

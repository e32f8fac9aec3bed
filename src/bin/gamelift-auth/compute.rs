//! `gamelift-auth register-compute`, `describe-compute`, `deregister-compute`: the Anywhere
//! compute lifecycle, printing the compute as `key: value` lines or one JSON object.

use std::process::ExitCode;

use gamelift_auth::{Client, Compute, Error, RegisterComputeInput};

use crate::global::{self, Format, GlobalArgs, Target};
use crate::spinner::Spinner;

/// The compute's keys and values, in output order (the C API's accessor names).
fn fields(c: &Compute) -> [(&'static str, &str); 10] {
    [
        ("fleet_id", &c.fleet_id),
        ("fleet_arn", &c.fleet_arn),
        ("compute_name", &c.compute_name),
        ("compute_arn", &c.compute_arn),
        ("status", &c.compute_status),
        ("ip_address", &c.ip_address),
        ("dns_name", &c.dns_name),
        ("location", &c.location),
        ("sdk_endpoint", &c.game_lift_service_sdk_endpoint),
        ("agent_endpoint", &c.game_lift_agent_endpoint),
    ]
}

/// What the compute output looks like, for `--help`.
const OUTPUT_HELP: &str = "Text: `key: value` lines (absent fields left out). JSON: one object \
    with fleet_id, fleet_arn, compute_name, compute_arn, status, ip_address, dns_name, \
    location, sdk_endpoint (the websocket URL of InitSDK) and agent_endpoint; null when absent.";

/// The compute as text or JSON, with a final newline.
pub fn render(c: &Compute, format: Format) -> String {
    match format {
        Format::Text => fields(c)
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect(),
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> = fields(c)
                .iter()
                .map(|(k, v)| ((*k).to_owned(), global::json_opt(v)))
                .collect();
            format!("{}\n", serde_json::Value::Object(map))
        }
    }
}

/// Where the compute is: what RegisterCompute takes besides the fleet and name.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Address {
    /// IP address of the compute, where game clients connect
    #[arg(long, value_name = "IP", group = "address")]
    pub ip_address: Option<String>,

    /// DNS name of the compute (instead of or besides --ip-address)
    #[arg(long, value_name = "NAME", group = "address")]
    pub dns_name: Option<String>,

    /// Custom location of the fleet the compute is in, e.g. custom-home-office
    #[arg(long, value_name = "LOCATION", requires = "address")]
    pub location: Option<String>,

    /// Path to the TLS certificate on the compute
    #[arg(long, value_name = "PATH", requires = "address")]
    pub certificate_path: Option<String>,
}

impl Address {
    /// The RegisterCompute input for `target` at this address.
    pub fn input(&self, target: &Target) -> RegisterComputeInput {
        RegisterComputeInput {
            fleet_id: target.fleet_id.clone(),
            compute_name: target.compute_name.clone(),
            certificate_path: self.certificate_path.clone(),
            dns_name: self.dns_name.clone(),
            ip_address: self.ip_address.clone(),
            location: self.location.clone(),
        }
    }
}

/// RegisterCompute with a spinner.
pub fn register(client: &Client, input: &RegisterComputeInput) -> Result<Compute, Error> {
    let _spinner = Spinner::start("Registering the compute");
    client.register_compute(input)
}

/// DescribeCompute with a spinner.
pub fn describe(client: &Client, target: &Target) -> Result<Compute, Error> {
    let _spinner = Spinner::start("Describing the compute");
    client.describe_compute(&target.fleet_id, &target.compute_name)
}

/// Register a compute with an Anywhere fleet (RegisterCompute).
#[derive(clap::Args, Debug)]
#[command(
    long_about = format!("Register a compute with an Anywhere fleet (RegisterCompute) and print \
        it.\n\n{OUTPUT_HELP}"),
    after_long_help = global::EXIT_CODES
)]
#[command(group = clap::ArgGroup::new("address").required(true).multiple(true))]
pub struct RegisterArgs {
    #[command(flatten)]
    target: Target,

    #[command(flatten)]
    address: Address,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    #[command(flatten)]
    global: GlobalArgs,
}

/// Runs `register-compute`.
pub fn run_register(args: RegisterArgs) -> ExitCode {
    let result = args
        .global
        .client()
        .and_then(|client| register(&client, &args.address.input(&args.target)));
    match result {
        Ok(c) => global::emit(&render(&c, args.format)),
        Err(e) => global::fail(&e),
    }
}

/// Describe a compute (DescribeCompute).
#[derive(clap::Args, Debug)]
#[command(
    long_about = format!("Describe a compute (DescribeCompute) and print it.\n\n{OUTPUT_HELP}"),
    after_long_help = global::EXIT_CODES
)]
pub struct DescribeArgs {
    #[command(flatten)]
    target: Target,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    #[command(flatten)]
    global: GlobalArgs,
}

/// Runs `describe-compute`.
pub fn run_describe(args: DescribeArgs) -> ExitCode {
    let result = args
        .global
        .client()
        .and_then(|client| describe(&client, &args.target));
    match result {
        Ok(c) => global::emit(&render(&c, args.format)),
        Err(e) => global::fail(&e),
    }
}

/// Deregister a compute (DeregisterCompute).
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Deregister a compute (DeregisterCompute).\n\n\
                  Text: fleet_id, compute_name and `deregistered: true` as `key: value` lines. \
                  JSON: {\"fleet_id\", \"compute_name\", \"deregistered\": true}.",
    after_long_help = global::EXIT_CODES
)]
pub struct DeregisterArgs {
    #[command(flatten)]
    target: Target,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    #[command(flatten)]
    global: GlobalArgs,
}

/// Runs `deregister-compute`.
pub fn run_deregister(args: DeregisterArgs) -> ExitCode {
    let t = &args.target;
    let result = args.global.client().and_then(|client| {
        let _spinner = Spinner::start("Deregistering the compute");
        client.deregister_compute(&t.fleet_id, &t.compute_name)
    });
    if let Err(e) = result {
        return global::fail(&e);
    }
    let out = match args.format {
        Format::Text => format!(
            "fleet_id: {}\ncompute_name: {}\nderegistered: true\n",
            t.fleet_id, t.compute_name
        ),
        Format::Json => format!(
            "{}\n",
            serde_json::json!({
                "fleet_id": t.fleet_id,
                "compute_name": t.compute_name,
                "deregistered": true,
            })
        ),
    };
    global::emit(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compute() -> Compute {
        Compute {
            fleet_id: "fleet-1".into(),
            compute_name: "box".into(),
            compute_status: "ACTIVE".into(),
            ip_address: "10.1.2.3".into(),
            game_lift_service_sdk_endpoint: "wss://x".into(),
            ..Compute::default()
        }
    }

    #[test]
    fn text_leaves_out_absent_fields() {
        assert_eq!(
            render(&compute(), Format::Text),
            "fleet_id: fleet-1\ncompute_name: box\nstatus: ACTIVE\nip_address: 10.1.2.3\n\
             sdk_endpoint: wss://x\n"
        );
    }

    #[test]
    fn json_has_every_key() {
        let v: serde_json::Value = serde_json::from_str(&render(&compute(), Format::Json)).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 10);
        assert_eq!(v["status"], "ACTIVE");
        assert_eq!(v["dns_name"], serde_json::Value::Null);
        assert_eq!(v["sdk_endpoint"], "wss://x");
    }
}

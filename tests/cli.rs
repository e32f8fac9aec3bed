//! The `gamelift-auth` command line, run as a subprocess against the stand-in.
//!
//! Every run gets a controlled environment: `env_clear()`, then only `PATH`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL_GAMELIFT` (the stand-in) and the stand-in's default credentials (no `HOME`:
//! the user's AWS files play no part). Each test asserts stdout, stderr and the exit status, and
//! counts what the stand-in received.

mod common;

use common::{ACCESS_KEY, COMPUTE, FLEET, REGION, SECRET_KEY, StandIn, count, total};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime};

const BIN: &str = env!("CARGO_BIN_EXE_gamelift-auth");

/// The secret variables `exec` removes from the program's environment.
const SECRET_VARS: [&str; 8] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "GAMELIFT_ACCESS_KEY",
    "GAMELIFT_SECRET_KEY",
    "GAMELIFT_SESSION_TOKEN",
];

/// The command with an empty environment but `PATH`.
fn bare() -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null());
    c
}

/// The command with the controlled environment for the stand-in `s`.
fn cli(s: &StandIn) -> Command {
    let mut c = bare();
    c.env("AWS_REGION", REGION)
        .env("AWS_ENDPOINT_URL_GAMELIFT", &s.url)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    c
}

/// What a run gave.
#[derive(Debug)]
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Exit 0 with an empty stderr.
    fn ok(&self) -> &Self {
        assert_eq!(self.code(), Some(0), "{self:#?}");
        assert_eq!(self.stderr, "", "{self:#?}");
        self
    }

    /// Exit 1, nothing on stdout, one stderr line `gamelift-auth: <status>: ...`.
    fn failed(&self, status: &str) -> &Self {
        assert_eq!(self.code(), Some(1), "{self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        assert!(
            self.stderr
                .starts_with(&format!("gamelift-auth: {status}: ")),
            "{self:#?}"
        );
        assert_eq!(self.stderr.lines().count(), 1, "{self:#?}");
        assert!(!self.stderr.contains(SECRET_KEY), "{self:#?}");
        self
    }

    /// Exit 2 (a usage error from clap), nothing on stdout.
    fn usage_error(&self) -> &Self {
        assert_eq!(self.code(), Some(2), "{self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        self
    }
}

fn run(mut cmd: Command, args: &[&str]) -> Run {
    let out = cmd.args(args).output().expect("run gamelift-auth");
    Run {
        status: out.status,
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// `--fleet-id FLEET --compute-name <compute>` followed by `rest`.
fn target<'a>(compute: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--fleet-id", FLEET, "--compute-name", compute];
    v.extend_from_slice(rest);
    v
}

/// The model's AuthToken pattern `^[a-zA-Z0-9-]+$`.
fn is_token(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Registers `compute` at `ip` through the CLI.
fn register(s: &StandIn, compute: &str, ip: &str) {
    run(
        cli(s),
        &[
            &["register-compute"][..],
            &target(compute, &["--ip-address", ip]),
        ]
        .concat(),
    )
    .ok();
}

/// Runs `sh -c script sh args...` and returns its stdout (asserting success).
fn sh(script: &str, args: &[&str]) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .args(args)
        .env_clear()
        .output()
        .expect("run sh");
    assert!(out.status.success(), "sh failed: {out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// `NAME=value` lines (of `env`) as a map; lines without `=` are ignored.
fn env_map(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn help_for_every_command() {
    let commands = [
        "",
        "token",
        "env",
        "exec",
        "upload-credentials",
        "register-compute",
        "describe-compute",
        "deregister-compute",
        "local-endpoint",
    ];
    for command in commands {
        for flag in ["--help", "-h"] {
            let args: Vec<&str> = [command, flag]
                .into_iter()
                .filter(|a| !a.is_empty())
                .collect();
            let r = run(bare(), &args);
            r.ok();
            assert!(r.stdout.contains("Usage: gamelift-auth"), "{r:#?}");
            if command.is_empty() || command == "local-endpoint" {
                continue;
            }
            assert!(r.stdout.contains("--fleet-id") || r.stdout.contains("--build-id"));
            for option in [
                "--region",
                "--profile",
                "--endpoint",
                "--timeout-ms",
                "--max-attempts",
                "--cache-dir",
            ] {
                assert!(r.stdout.contains(option), "{command} {flag}: {option}");
            }
            if flag == "--help" {
                assert!(r.stdout.contains("$AWS_REGION"), "{command}");
                assert!(r.stdout.contains("$AWS_PROFILE"), "{command}");
                assert!(r.stdout.contains("$AWS_ENDPOINT_URL_GAMELIFT"), "{command}");
                assert!(r.stdout.contains("Exit status:"), "{command}");
                assert!(r.stdout.contains("GAMELIFT_AUTH_ERROR_"), "{command}");
            }
        }
    }
    let r = run(bare(), &["exec", "--help"]);
    assert!(
        r.stdout.contains("127  the program was not found"),
        "{r:#?}"
    );
    let r = run(bare(), &["--help"]);
    for command in &commands[1..] {
        assert!(r.stdout.contains(command), "{command} missing from --help");
    }
    let r = run(bare(), &["--version"]);
    r.ok();
    assert_eq!(
        r.stdout,
        format!("gamelift-auth {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2_without_a_request() {
    let s = StandIn::start();
    let exec = |rest: &[&'static str]| [&["exec"][..], &target(COMPUTE, rest)].concat();
    for args in [
        vec![],
        vec!["no-such-command"],
        vec!["token"],
        vec!["token", "--fleet-id", FLEET],
        [&["token"][..], &target(COMPUTE, &["--format", "xml"])].concat(),
        [&["token"][..], &target(COMPUTE, &["--timeout-ms", "0"])].concat(),
        [&["token"][..], &target(COMPUTE, &["--max-attempts", "21"])].concat(),
        [&["token"][..], &target(COMPUTE, &["--min-validity", "-1"])].concat(),
        [&["register-compute"][..], &target(COMPUTE, &[])].concat(),
        [&["upload-credentials"][..], &["--format", "text"][..]].concat(),
        exec(&[]),
        exec(&["env"]),
        exec(&["--"]),
        exec(&["--ip-address", "10.1.2.3", "--", "env"]),
        exec(&["--register", "--", "env"]),
        exec(&["--location", "x", "--", "env"]),
        exec(&["--ip-address", "10.1.2.3", "--location", "x", "--", "env"]),
        exec(&["--certificate-path", "/x", "--", "env"]),
    ] {
        let r = run(cli(&s), &args);
        assert_eq!(r.code(), Some(2), "{args:?}: {r:#?}");
        assert!(r.stdout.is_empty() || args.is_empty(), "{args:?}: {r:#?}");
    }
    // The ones with a clear message.
    run(cli(&s), &exec(&["--register", "--", "env"])).usage_error();
    let r = run(cli(&s), &exec(&["--ip-address", "10.1.2.3", "--", "env"]));
    r.usage_error();
    assert!(r.stderr.contains("--register"), "{r:#?}");
    assert_eq!(total(&s), 0);
}

#[test]
fn token_text_and_json() {
    let s = StandIn::start();
    let r = run(cli(&s), &[&["token"][..], &target(COMPUTE, &[])].concat());
    r.ok();
    let token = r.stdout.strip_suffix('\n').expect("a final newline");
    assert!(is_token(token), "{token:?}");
    assert_eq!(count(&s, "GetComputeAuthToken"), 1);
    let sent: Value = serde_json::from_str(
        common::requests(&s)[0]["body"]
            .as_str()
            .expect("request body"),
    )
    .unwrap();
    assert_eq!(sent, json!({"FleetId": FLEET, "ComputeName": COMPUTE}));

    let before = now_ms();
    let r = run(
        cli(&s),
        &[&["token"][..], &target(COMPUTE, &["--format", "json"])].concat(),
    );
    r.ok();
    assert_eq!(r.stdout.lines().count(), 1, "{r:#?}");
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON output");
    let token = v["token"].as_str().expect("token");
    assert!(is_token(token), "{v}");
    let expires_at_ms = v["expires_at_ms"].as_i64().expect("expires_at_ms");
    // The stand-in issues tokens for an hour.
    assert!(expires_at_ms > before + 3_500_000, "{v}");
    assert!(expires_at_ms < now_ms() + 3_700_000, "{v}");
    let at = time::OffsetDateTime::parse(
        v["expires_at"].as_str().expect("expires_at"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339");
    assert_eq!(
        (at.unix_timestamp_nanos() / 1_000_000) as i64,
        expires_at_ms,
        "{v}"
    );
    assert_eq!(v["fleet_id"], FLEET);
    assert_eq!(v["compute_name"], COMPUTE);
    assert_eq!(v.as_object().unwrap().len(), 5, "{v}");
    assert_eq!(count(&s, "GetComputeAuthToken"), 2);
}

/// The printed token is the one the service issued: with a cache directory, a second process
/// gets the same token without a request.
#[test]
fn token_is_the_one_issued_and_shared_through_the_cache_dir() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let args = [
        &["token"][..],
        &target(COMPUTE, &["--cache-dir", cache.to_str().unwrap()]),
    ]
    .concat();
    let first = run(cli(&s), &args);
    first.ok();
    let second = run(cli(&s), &args);
    second.ok();
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(count(&s, "GetComputeAuthToken"), 1);
    // The reuse threshold is min(--min-validity, lifetime / 2): a 3000 s minimum on a one-hour
    // token still reuses it.
    let third = run(cli(&s), &[&args[..], &["--min-validity", "3000"]].concat());
    third.ok();
    assert_eq!(
        count(&s, "GetComputeAuthToken"),
        1,
        "min(3000, 3600/2) < 3600"
    );
    let fourth = run(
        cli(&s),
        &[
            &args[..],
            &["--min-validity", "900", "--timeout-ms", "5000"],
        ]
        .concat(),
    );
    fourth.ok();
    assert_eq!(fourth.stdout, first.stdout);
    assert_eq!(third.stdout, first.stdout);
    assert_eq!(count(&s, "GetComputeAuthToken"), 1);
}

#[test]
fn connection_options_win_over_the_environment() {
    let s = StandIn::start();
    fn token<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [&["token"][..], &target(COMPUTE, extra)].concat()
    }

    // A wrong region and endpoint in the environment; the options put them right.
    let closed = common::ClosedPort::new();
    let mut wrong = cli(&s);
    wrong
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_GAMELIFT", &closed.url);
    run(
        wrong,
        &token(&["--region", REGION, "--endpoint", &format!("{}/", s.url)]),
    )
    .ok();
    assert_eq!(count(&s, "GetComputeAuthToken"), 1);

    // Bad explicit values are refused before any request.
    let r = run(cli(&s), &token(&["--region", "US_WEST"]));
    r.failed("GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT");
    assert!(r.stderr.contains("invalid region"), "{r:#?}");
    run(cli(&s), &token(&["--endpoint", "http://example.com"]))
        .failed("GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT");
    let r = run(cli(&s), &token(&["--profile", "nope"]));
    r.failed("GAMELIFT_AUTH_ERROR_CONFIG");
    assert!(r.stderr.contains("profile 'nope'"), "{r:#?}");
    let mut no_region = cli(&s);
    no_region.env_remove("AWS_REGION");
    let r = run(no_region, &token(&[]));
    r.failed("GAMELIFT_AUTH_ERROR_CONFIG");
    assert!(r.stderr.contains("no region"), "{r:#?}");
    let mut no_credentials = cli(&s);
    no_credentials
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let r = run(no_credentials, &token(&[]));
    r.failed("GAMELIFT_AUTH_ERROR_CREDENTIALS");
    assert!(r.stderr.contains("AWS_ACCESS_KEY_ID"), "{r:#?}");
    assert_eq!(total(&s), 1);

    // --max-attempts: one attempt only.
    s.faults(
        json!({"action": "GetComputeAuthToken", "times": 5, "status": 500,
                    "error_type": "InternalServiceException", "message": "boom"}),
    );
    let r = run(cli(&s), &token(&["--max-attempts", "1"]));
    r.failed("GAMELIFT_AUTH_ERROR_SERVICE");
    assert!(r.stderr.contains("InternalServiceException"), "{r:#?}");
    assert_eq!(count(&s, "GetComputeAuthToken"), 2);
    s.reset();

    // --timeout-ms: the deadline of the call.
    s.faults(json!({"action": "GetComputeAuthToken", "delay_ms": 5000}));
    let started = Instant::now();
    let r = run(cli(&s), &token(&["--timeout-ms", "300"]));
    r.failed("GAMELIFT_AUTH_ERROR_TIMEOUT");
    assert!(started.elapsed() < Duration::from_secs(4), "{r:#?}");
}

#[test]
fn service_error_names_status_code_and_request_id() {
    let s = StandIn::start();
    s.faults(
        json!({"action": "GetComputeAuthToken", "error_type": "NotFoundException",
                    "message": "No compute my-box"}),
    );
    let r = run(cli(&s), &[&["token"][..], &target(COMPUTE, &[])].concat());
    r.failed("GAMELIFT_AUTH_ERROR_NOT_FOUND");
    assert!(r.stderr.contains("GetComputeAuthToken"), "{r:#?}");
    assert!(r.stderr.contains("NotFoundException"), "{r:#?}");
    let id = r
        .stderr
        .split("request id ")
        .nth(1)
        .and_then(|rest| rest.get(..36))
        .expect("a request id");
    uuid::Uuid::parse_str(id).expect("the stand-in's request ids are UUIDs");
    assert_eq!(
        count(&s, "GetComputeAuthToken"),
        1,
        "NotFound is not retried"
    );
}

#[test]
fn env_output_evaluated_in_sh() {
    let s = StandIn::start();
    register(&s, COMPUTE, "10.1.2.3");
    let described = run(
        cli(&s),
        &[
            &["describe-compute"][..],
            &target(COMPUTE, &["--format", "json"]),
        ]
        .concat(),
    );
    described.ok();
    let sdk_endpoint = serde_json::from_str::<Value>(&described.stdout).unwrap()["sdk_endpoint"]
        .as_str()
        .expect("sdk_endpoint")
        .to_owned();
    assert!(sdk_endpoint.starts_with("wss://"), "{sdk_endpoint}");

    let r = run(cli(&s), &[&["env"][..], &target(COMPUTE, &[])].concat());
    r.ok();
    let names: Vec<&str> = r
        .stdout
        .lines()
        .map(|l| {
            l.strip_prefix("export ")
                .and_then(|l| l.split_once("='"))
                .expect("export NAME='value'")
                .0
        })
        .collect();
    assert_eq!(
        names,
        [
            "GAMELIFT_SDK_WEBSOCKET_URL",
            "GAMELIFT_SDK_AUTH_TOKEN",
            "GAMELIFT_SDK_FLEET_ID",
            "GAMELIFT_SDK_HOST_ID",
            "GAMELIFT_SDK_PROCESS_ID"
        ]
    );
    let out = sh(
        "eval \"$1\"; printf '%s\\n' \"$GAMELIFT_SDK_WEBSOCKET_URL\" \"$GAMELIFT_SDK_AUTH_TOKEN\" \
         \"$GAMELIFT_SDK_FLEET_ID\" \"$GAMELIFT_SDK_HOST_ID\" \"$GAMELIFT_SDK_PROCESS_ID\"",
        &[&r.stdout],
    );
    let values: Vec<&str> = out.lines().collect();
    assert_eq!(values.len(), 5, "{out}");
    assert_eq!(values[0], sdk_endpoint);
    assert!(is_token(values[1]), "{out}");
    assert_eq!(values[2], FLEET);
    assert_eq!(values[3], COMPUTE);
    let pid = uuid::Uuid::parse_str(values[4]).expect("a UUID process id");
    assert_eq!(pid.get_version_num(), 4);
    assert_eq!(count(&s, "GetComputeAuthToken"), 1);

    // A new process id each time.
    let again = run(cli(&s), &[&["env"][..], &target(COMPUTE, &[])].concat());
    again.ok();
    assert!(!again.stdout.contains(values[4]));

    // A compute that is not registered: NotFound, with the way out.
    let r = run(cli(&s), &[&["env"][..], &target("nobody", &[])].concat());
    r.failed("GAMELIFT_AUTH_ERROR_NOT_FOUND");
    assert!(r.stderr.contains("register-compute"), "{r:#?}");
}

/// The stand-in with a session token, and every secret variable set: `exec` hands the program
/// the five GAMELIFT_SDK_* variables and none of the secrets.
#[test]
fn exec_sets_sdk_vars_and_removes_secrets() {
    let s = StandIn::start_with(&["--session-token", "sessiontokenvalue"]);
    let mut cmd = cli(&s);
    cmd.env("AWS_SESSION_TOKEN", "sessiontokenvalue")
        .env("AWS_SECURITY_TOKEN", "legacytokenvalue")
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "containertokenvalue")
        .env("GAMELIFT_ACCESS_KEY", "gameliftaccesskey")
        .env("GAMELIFT_SECRET_KEY", "gameliftsecretkey")
        .env("GAMELIFT_SESSION_TOKEN", "gameliftsessiontoken")
        .env("GAMELIFT_SDK_AUTH_TOKEN", "stale-token-from-before")
        .env("KEEP_ME", "kept");
    let r = run(
        cmd,
        &[
            &["exec"][..],
            &target(
                COMPUTE,
                &["--register", "--ip-address", "10.1.2.3", "--", "env"],
            ),
        ]
        .concat(),
    );
    r.ok();
    let env = env_map(&r.stdout);
    assert!(
        env["GAMELIFT_SDK_WEBSOCKET_URL"].starts_with("wss://"),
        "{env:?}"
    );
    assert!(is_token(&env["GAMELIFT_SDK_AUTH_TOKEN"]), "{env:?}");
    assert_ne!(env["GAMELIFT_SDK_AUTH_TOKEN"], "stale-token-from-before");
    assert_eq!(env["GAMELIFT_SDK_FLEET_ID"], FLEET);
    assert_eq!(env["GAMELIFT_SDK_HOST_ID"], COMPUTE);
    uuid::Uuid::parse_str(&env["GAMELIFT_SDK_PROCESS_ID"]).expect("a UUID process id");
    for var in SECRET_VARS {
        assert!(!env.contains_key(var), "{var} reached the program: {env:?}");
    }
    for secret in [
        SECRET_KEY,
        "sessiontokenvalue",
        "legacytokenvalue",
        "containertokenvalue",
        "gameliftsecretkey",
        "gameliftsessiontoken",
    ] {
        assert!(!r.stdout.contains(secret), "{secret} reached the program");
    }
    assert_eq!(env["KEEP_ME"], "kept");
    assert_eq!(env["AWS_REGION"], REGION);
    assert_eq!(count(&s, "RegisterCompute"), 1);
    assert_eq!(count(&s, "GetComputeAuthToken"), 1);
    // RegisterCompute's answer already had the websocket URL.
    assert_eq!(count(&s, "DescribeCompute"), 0);
    assert_eq!(total(&s), 2);
    assert_eq!(s.stats()["auth_failures"], 0);
}

#[cfg(unix)]
#[test]
fn exec_replaces_itself_status_and_signals_are_the_programs() {
    use std::os::unix::process::ExitStatusExt;
    let s = StandIn::start();
    register(&s, COMPUTE, "10.1.2.3");
    let exec = |program: &[&'static str]| {
        [
            &["exec"][..],
            &target(COMPUTE, &[&["--"][..], program].concat()),
        ]
        .concat()
    };

    let r = run(cli(&s), &exec(&["sh", "-c", "exit 7"]));
    assert_eq!(r.code(), Some(7), "{r:#?}");
    assert_eq!(r.stderr, "");

    let r = run(cli(&s), &exec(&["sh", "-c", "kill -TERM $$"]));
    assert_eq!(r.status.signal(), Some(libc::SIGTERM), "{r:#?}");

    // Same process: the program's pid is the one spawned.
    let child = cli(&s)
        .args(exec(&["sh", "-c", "echo $$"]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), pid.to_string());

    // Arguments reach the program untouched, hyphens and quotes included.
    let r = run(
        cli(&s),
        &exec(&[
            "sh",
            "-c",
            "printf '%s|' \"$@\"",
            "sh",
            "--help",
            "a'b c",
            "",
        ]),
    );
    r.ok();
    assert_eq!(r.stdout, "--help|a'b c||");

    // SIGPIPE is back to its default in the program (Rust ignores it in gamelift-auth).
    #[cfg(target_os = "linux")]
    {
        let r = run(cli(&s), &exec(&["grep", "^SigIgn:", "/proc/self/status"]));
        r.ok();
        let mask = u64::from_str_radix(r.stdout.trim().trim_start_matches("SigIgn:").trim(), 16)
            .expect("hex mask");
        assert_eq!(mask & (1 << (libc::SIGPIPE - 1)), 0, "{r:#?}");
    }
}

#[test]
fn exec_program_not_found_or_not_executable() {
    let s = StandIn::start();
    register(&s, COMPUTE, "10.1.2.3");
    let r = run(
        cli(&s),
        &[
            &["exec"][..],
            &target(COMPUTE, &["--", "no-such-program-gamelift-auth"]),
        ]
        .concat(),
    );
    assert_eq!(r.code(), Some(127), "{r:#?}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .starts_with("gamelift-auth: exec: program 'no-such-program-gamelift-auth' not found"),
        "{r:#?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-executable");
        std::fs::write(&file, "#!/bin/sh\necho ran\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let r = run(
            cli(&s),
            &[
                &["exec"][..],
                &target(COMPUTE, &["--", file.to_str().unwrap()]),
            ]
            .concat(),
        );
        assert_eq!(r.code(), Some(126), "{r:#?}");
        assert!(r.stderr.contains("cannot run"), "{r:#?}");
        assert!(!r.stderr.contains(SECRET_KEY));
    }
}

#[test]
fn exec_register_refuses_bad_input_before_any_request() {
    let s = StandIn::start();
    let long = "c".repeat(129);
    let cases: [(&str, &[&str]); 6] = [
        (long.as_str(), &["--ip-address", "10.1.2.3"]),
        (
            COMPUTE,
            &["--ip-address", "10.1.2.3", "--location", "bad location!"],
        ),
        (COMPUTE, &["--ip-address", "not-an-ip"]),
        (COMPUTE, &["--dns-name", "bad dns name"]),
        ("bad/name/twice", &["--ip-address", "10.1.2.3"]),
        ("it's", &["--ip-address", "10.1.2.3"]),
    ];
    for (compute, address) in cases {
        let args = [
            &["exec"][..],
            &target(compute, &[&["--register"][..], address].concat()),
            &["--", "sh", "-c", "echo ran"],
        ]
        .concat();
        let r = run(cli(&s), &args);
        r.failed("GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT");
        assert!(r.stderr.contains("RegisterCompute"), "{r:#?}");
    }
    let bad_fleet = [
        &["exec", "--fleet-id", "nofleet", "--compute-name", COMPUTE][..],
        &[
            "--register",
            "--ip-address",
            "10.1.2.3",
            "--",
            "sh",
            "-c",
            "echo ran",
        ],
    ]
    .concat();
    run(cli(&s), &bad_fleet).failed("GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT");
    // Without an address: clap refuses it.
    run(
        cli(&s),
        &[
            &["exec"][..],
            &target(COMPUTE, &["--register", "--", "sh", "-c", "echo ran"]),
        ]
        .concat(),
    )
    .usage_error();
    assert_eq!(total(&s), 0, "{}", s.stats());
}

/// Registering the same compute again (a restart) starts the program; a conflicting
/// registration stops it.
#[test]
fn exec_register_again_and_conflicts() {
    let s = StandIn::start();
    let exec = |compute: &'static str, ip: &'static str| {
        [
            &["exec"][..],
            &target(
                compute,
                &[
                    "--register",
                    "--ip-address",
                    ip,
                    "--",
                    "sh",
                    "-c",
                    "echo ran",
                ],
            ),
        ]
        .concat()
    };

    // Twice the same: the service gives the existing compute back.
    run(cli(&s), &exec(COMPUTE, "10.1.2.3")).ok();
    let r = run(cli(&s), &exec(COMPUTE, "10.1.2.3"));
    r.ok();
    assert_eq!(r.stdout, "ran\n");
    assert_eq!(count(&s, "RegisterCompute"), 2);

    // The service says Conflict, but the compute is registered at this address: go on.
    s.faults(
        json!({"action": "RegisterCompute", "error_type": "ConflictException",
                    "message": "already registered"}),
    );
    let r = run(cli(&s), &exec(COMPUTE, "10.1.2.3"));
    assert_eq!(r.code(), Some(0), "{r:#?}");
    assert_eq!(r.stdout, "ran\n");
    assert!(
        r.stderr
            .starts_with("gamelift-auth: warning: GAMELIFT_AUTH_ERROR_CONFLICT: "),
        "{r:#?}"
    );
    assert!(r.stderr.contains("status ACTIVE"), "{r:#?}");
    assert_eq!(count(&s, "DescribeCompute"), 1);

    // Registered at another address: stop, and say where it is.
    let r = run(cli(&s), &exec(COMPUTE, "10.9.9.9"));
    r.failed("GAMELIFT_AUTH_ERROR_CONFLICT");
    assert!(
        r.stderr.contains("IP address '10.1.2.3', not 10.9.9.9"),
        "{r:#?}"
    );
    assert!(r.stderr.contains("deregister-compute"), "{r:#?}");

    // Conflict about a compute that DescribeCompute does not know: the conflict stands.
    s.faults(
        json!({"action": "RegisterCompute", "error_type": "ConflictException",
                    "message": "something else"}),
    );
    let r = run(cli(&s), &exec("other-box", "10.1.2.4"));
    r.failed("GAMELIFT_AUTH_ERROR_CONFLICT");
    assert!(r.stderr.contains("something else"), "{r:#?}");
    assert_eq!(
        count(&s, "GetComputeAuthToken"),
        3,
        "the failed ones fetch no token"
    );
}

#[test]
fn compute_register_describe_deregister() {
    let s = StandIn::start();
    let r = run(
        cli(&s),
        &[
            &["register-compute"][..],
            &target(
                COMPUTE,
                &["--ip-address", "10.1.2.3", "--dns-name", "box.example"],
            ),
        ]
        .concat(),
    );
    r.ok();
    let text: HashMap<&str, &str> = r
        .stdout
        .lines()
        .map(|l| l.split_once(": ").expect("key: value"))
        .collect();
    assert_eq!(text["fleet_id"], FLEET);
    assert_eq!(text["compute_name"], COMPUTE);
    assert_eq!(text["status"], "ACTIVE");
    assert_eq!(text["ip_address"], "10.1.2.3");
    assert_eq!(text["dns_name"], "box.example");
    assert!(text["sdk_endpoint"].starts_with("wss://"));
    assert!(text["compute_arn"].starts_with("arn:aws:gamelift:"));

    let described = run(
        cli(&s),
        &[&["describe-compute"][..], &target(COMPUTE, &[])].concat(),
    );
    described.ok();
    assert_eq!(described.stdout, r.stdout);
    let json_out = run(
        cli(&s),
        &[
            &["describe-compute"][..],
            &target(COMPUTE, &["--format", "json"]),
        ]
        .concat(),
    );
    json_out.ok();
    let v: Value = serde_json::from_str(&json_out.stdout).unwrap();
    for (k, val) in &text {
        assert_eq!(v[*k], *val, "{k}");
    }
    assert_eq!(v.as_object().unwrap().len(), 10, "{v}");

    let r = run(
        cli(&s),
        &[
            &["deregister-compute"][..],
            &target(COMPUTE, &["--format", "json"]),
        ]
        .concat(),
    );
    r.ok();
    assert_eq!(
        serde_json::from_str::<Value>(&r.stdout).unwrap(),
        json!({"fleet_id": FLEET, "compute_name": COMPUTE, "deregistered": true})
    );
    let r = run(
        cli(&s),
        &[&["describe-compute"][..], &target(COMPUTE, &[])].concat(),
    );
    r.failed("GAMELIFT_AUTH_ERROR_NOT_FOUND");
    assert!(r.stderr.contains("NotFoundException"), "{r:#?}");
    assert!(r.stderr.contains("request id "), "{r:#?}");
    let r = run(
        cli(&s),
        &[&["deregister-compute"][..], &target(COMPUTE, &[])].concat(),
    );
    r.failed("GAMELIFT_AUTH_ERROR_NOT_FOUND");
    assert_eq!(count(&s, "RegisterCompute"), 1);
    assert_eq!(count(&s, "DescribeCompute"), 3);
    assert_eq!(count(&s, "DeregisterCompute"), 2);

    // Input checked before any request.
    let before = total(&s);
    let r = run(
        cli(&s),
        &[
            &["register-compute"][..],
            &target(
                COMPUTE,
                &["--ip-address", "10.1.2.3", "--location", "no_underscores"],
            ),
        ]
        .concat(),
    );
    r.failed("GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT");
    run(
        cli(&s),
        &[&[
            "describe-compute",
            "--fleet-id",
            "x",
            "--compute-name",
            COMPUTE,
        ][..]]
        .concat(),
    )
    .failed("GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT");
    assert_eq!(total(&s), before);
}

#[test]
fn upload_credentials_json_and_env() {
    let s = StandIn::start();
    let r = run(cli(&s), &["upload-credentials", "--build-id", "build-123"]);
    r.ok();
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    for key in [
        "access_key_id",
        "secret_access_key",
        "session_token",
        "bucket",
        "key",
    ] {
        assert!(v[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {v}");
    }
    assert!(v.get("role_arn").is_some() && v.get("object_version").is_some());
    assert_eq!(v.as_object().unwrap().len(), 7);

    let r = run(
        cli(&s),
        &[
            "upload-credentials",
            "--build-id",
            "build-123",
            "--format",
            "env",
        ],
    );
    r.ok();
    assert_eq!(r.stdout.lines().count(), 5, "{r:#?}");
    assert!(r.stdout.lines().all(|l| l.starts_with("export ")));
    let out = sh(
        "eval \"$1\"; printf '%s\\n' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \
         \"$AWS_SESSION_TOKEN\" \"$GAMELIFT_UPLOAD_BUCKET\" \"$GAMELIFT_UPLOAD_KEY\"",
        &[&r.stdout],
    );
    let values: Vec<&str> = out.lines().collect();
    assert_eq!(values.len(), 5, "{out}");
    assert!(values.iter().all(|v| !v.is_empty()), "{out}");
    // Each value is exactly the quoted text of its line.
    for (line, value) in r.stdout.lines().zip(&values) {
        assert!(line.ends_with(&format!("='{value}'")), "{line} vs {value}");
    }
    assert_eq!(values[3], v["bucket"]);
    assert_eq!(values[4], v["key"]);
    assert_ne!(
        values[1], v["secret_access_key"],
        "each call gets new credentials"
    );
    assert_eq!(count(&s, "RequestUploadCredentials"), 2);

    run(cli(&s), &["upload-credentials", "--build-id", "nobuild"])
        .failed("GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT");
    assert_eq!(total(&s), 2);
}

/// The file name the shared cache uses: `token-<FNV-1a 64 of endpoint\0fleet\0compute\0>`
/// (src/shared_cache.rs).
fn cache_file(dir: &Path, endpoint: &str, fleet: &str, compute: &str) -> PathBuf {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [endpoint, fleet, compute] {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    dir.join(format!("token-{h:016x}"))
}

/// A well-formed cache entry for the stand-in at `url`, valid for an hour.
fn entry(url: &str, token: &str) -> String {
    let now = now_ms();
    json!({"v": 1, "endpoint": url, "fleet": FLEET, "compute": COMPUTE, "token": token,
           "expires_at_ms": now + 3_600_000, "fetched_at_ms": now})
    .to_string()
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8], mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Issue 4: 16 processes starting at once share one GetComputeAuthToken through the cache
/// directory (the first one's answer comes 300 ms late, so the others wait on its lock).
#[cfg(unix)]
#[test]
fn sixteen_processes_share_one_request() {
    let s = StandIn::start();
    s.faults(json!({"action": "GetComputeAuthToken", "delay_ms": 300}));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let args = [
        &["token"][..],
        &target(COMPUTE, &["--cache-dir", cache.to_str().unwrap()]),
    ]
    .concat();
    let children: Vec<_> = (0..16)
        .map(|_| {
            cli(&s)
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    let first = String::from_utf8_lossy(&outputs[0].stdout).into_owned();
    assert!(is_token(first.trim_end()), "{outputs:?}");
    for out in &outputs {
        assert!(out.status.success(), "{out:?}");
        assert!(out.stderr.is_empty(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), first);
    }
    assert_eq!(count(&s, "GetComputeAuthToken"), 1, "{}", s.stats());
    assert!(s.pending_faults().as_array().unwrap().is_empty());

    use std::os::unix::fs::MetadataExt;
    let file = cache_file(&cache, &s.url, FLEET, COMPUTE);
    assert_eq!(std::fs::metadata(&file).unwrap().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&cache).unwrap().mode() & 0o777, 0o700);
}

/// Files planted under the cache file's name are ignored safely: a fresh request, exit 0, and
/// a symlink's target left alone. A well-formed private file is used (the control).
#[cfg(unix)]
#[test]
fn planted_cache_files_are_ignored() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    let file = cache_file(&cache, &s.url, FLEET, COMPUTE);
    let args = [
        &["token"][..],
        &target(COMPUTE, &["--cache-dir", cache.to_str().unwrap()]),
    ]
    .concat();
    let outside = tempfile::tempdir().unwrap();
    let target_file = outside.path().join("victim");
    let planted = entry(&s.url, "planted-token");

    let reset = || {
        let _ = std::fs::remove_file(&file);
        let _ = std::fs::remove_dir(&file);
    };

    // The control: a well-formed private file is used, without a request.
    write_private(&file, planted.as_bytes(), 0o600);
    let r = run(cli(&s), &args);
    r.ok();
    assert_eq!(r.stdout, "planted-token\n");
    assert_eq!(count(&s, "GetComputeAuthToken"), 0);

    type Plant<'a> = Box<dyn Fn() + 'a>;
    let cases: Vec<(&str, Plant)> = vec![
        (
            "symlink to a valid entry",
            Box::new(|| {
                write_private(&target_file, planted.as_bytes(), 0o600);
                std::os::unix::fs::symlink(&target_file, &file).unwrap();
            }),
        ),
        (
            "mode 0644",
            Box::new(|| write_private(&file, planted.as_bytes(), 0o644)),
        ),
        (
            "truncated",
            Box::new(|| write_private(&file, &planted.as_bytes()[..planted.len() / 2], 0o600)),
        ),
        (
            "garbage",
            Box::new(|| write_private(&file, b"\x00\xff{{not json\n", 0o600)),
        ),
        ("empty", Box::new(|| write_private(&file, b"", 0o600))),
        (
            "another endpoint's entry",
            Box::new(|| {
                let other = entry("http://127.0.0.1:1", "planted-token");
                write_private(&file, other.as_bytes(), 0o600);
            }),
        ),
        (
            "a directory",
            Box::new(|| std::fs::create_dir(&file).unwrap()),
        ),
        (
            "a FIFO",
            Box::new(|| {
                let c = std::ffi::CString::new(file.to_str().unwrap()).unwrap();
                // SAFETY: a valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            }),
        ),
    ];
    for (n, (what, plant)) in cases.iter().enumerate() {
        reset();
        plant();
        let before = count(&s, "GetComputeAuthToken");
        let started = Instant::now();
        let r = run(cli(&s), &args);
        assert_eq!(r.code(), Some(0), "{what}: {r:#?}");
        assert_eq!(r.stderr, "", "{what}");
        let token = r.stdout.trim_end();
        assert!(is_token(token), "{what}: {r:#?}");
        assert_ne!(token, "planted-token", "{what}: the planted file was used");
        assert_eq!(
            count(&s, "GetComputeAuthToken"),
            before + 1,
            "{what} (case {n}): a fresh request"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{what}: slow");
    }
    // The symlink's target was never written through.
    assert_eq!(std::fs::read_to_string(&target_file).unwrap(), planted);
}

//! The C and C++ examples (`examples-c/`) and the C ABI test program, built as a C/C++ user
//! builds them: gcc/g++ with `-Wall -Wextra -Wpedantic -Werror`, against `include/` and the
//! `libgamelift_auth.so`/`.a` that cargo built for this test, linked shared and static, then run
//! against the local stand-in, configured through the standard AWS environment only.
//!
//! `CC` and `CXX` choose the compilers (default `gcc` and `g++`). Linux only: the static link
//! uses the Linux list of `--print native-static-libs`.
#![cfg(target_os = "linux")]

mod common;

use common::native::{self, Run, root};
use common::{
    COMPUTE, FLEET, REGION, SECRET_KEY, StandIn, count, has_request_id, is_uuid_v4, now_s,
    requests, total,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// What `libgamelift_auth.a` needs from the system on Linux, as printed by
/// `cargo rustc --release --lib --crate-type staticlib -- --print native-static-libs`.
const NATIVE_STATIC_LIBS: &[&str] = &[
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];
const WARNINGS: &[&str] = &["-Wall", "-Wextra", "-Wpedantic", "-Werror"];
/// How long one example may run (each library call is bounded by its 10 s default timeout).
const RUN_LIMIT: Duration = Duration::from_secs(120);
/// A token the stand-in is told to hand out, so that the tests know the secret to look for.
const KNOWN_TOKEN: &str = "Kn0w-c-example-secret-token-0123456789";
const GET_TOKEN: &str = "GetComputeAuthToken";

// ---- building ----------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Lang {
    C,
    Cxx,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Link {
    Shared,
    Static,
}

fn lib_dir() -> PathBuf {
    native::lib_dir(native::SHARED_AND_STATIC)
}

/// Where the programs go: a directory of this test under cargo's scratch space.
fn out_dir() -> PathBuf {
    native::out_dir("c_examples")
}

fn compiler(lang: Lang) -> String {
    match lang {
        Lang::C => native::compiler("CC", "gcc"),
        Lang::Cxx => native::compiler("CXX", "g++"),
    }
}

/// Runs a compiler; `Err` holds the command line and its diagnostics.
fn run_compiler(lang: Lang, args: &[String]) -> Result<(), String> {
    native::run_compiler(&compiler(lang), args, "set CC/CXX")
}

/// Compiles and links `source` (relative to the crate root) into `name`, once per test process;
/// later calls get the same result. Written under a temporary name, then renamed, so that a
/// concurrent run of this test never executes a half-written file.
fn build(name: &'static str, lang: Lang, source: &str, link: Link) -> PathBuf {
    static BUILT: native::Built<&'static str> = Mutex::new(None);
    native::build_once(&BUILT, name, name, || {
        let libs = lib_dir();
        let out = out_dir().join(name);
        let tmp = out_dir().join(format!("{name}.{}.tmp", std::process::id()));
        let std = if lang == Lang::C { "c99" } else { "c++17" };
        let mut args = vec![format!("-std={std}")];
        args.extend(WARNINGS.iter().map(|s| s.to_string()));
        args.extend(["-O2".into(), "-g".into()]);
        args.push(format!("-I{}", root().join("include").display()));
        args.push(format!("-I{}", root().join("examples-c").display()));
        args.extend(["-o".into(), tmp.display().to_string()]);
        args.push(root().join(source).display().to_string());
        match link {
            Link::Shared => {
                args.push(format!("-L{}", libs.display()));
                args.push("-lgamelift_auth".into());
                args.push(format!("-Wl,-rpath,{}", libs.display()));
                args.push("-lpthread".into());
            }
            Link::Static => {
                args.push(libs.join("libgamelift_auth.a").display().to_string());
                args.extend(NATIVE_STATIC_LIBS.iter().map(|s| s.to_string()));
            }
        }
        run_compiler(lang, &args)?;
        native::rename_into_place(&tmp, &out)
    })
}

fn c_example(link: Link) -> PathBuf {
    match link {
        Link::Shared => build("game_server", Lang::C, "examples-c/game_server.c", link),
        Link::Static => build(
            "game_server_static",
            Lang::C,
            "examples-c/game_server.c",
            link,
        ),
    }
}

fn cpp_example(link: Link) -> PathBuf {
    match link {
        Link::Shared => build(
            "game_server_cpp",
            Lang::Cxx,
            "examples-c/game_server_cpp.cpp",
            link,
        ),
        Link::Static => build(
            "game_server_cpp_static",
            Lang::Cxx,
            "examples-c/game_server_cpp.cpp",
            link,
        ),
    }
}

// ---- running -----------------------------------------------------------------------------------

/// Runs `program` against the stand-in with nothing but a fixed environment: the standard AWS
/// variables for the stand-in (no HOME config, no profile, no IMDS), the library log at trace
/// level (so that a secret in any log line would show), then `extra` on top.
fn run(program: &Path, s: &StandIn, extra: &[(&str, &str)]) -> Run {
    run_without(program, s, extra, &[])
}

/// [`run`], with the variables `unset` left out.
fn run_without(program: &Path, s: &StandIn, extra: &[(&str, &str)], unset: &[&str]) -> Run {
    let mut cmd = native::standin_command(program, &out_dir().join("home"), &s.url);
    cmd.env("GAME_LOG_LEVEL", "5");
    native::adjust_env(&mut cmd, extra, unset);
    let (run, finished) = native::run_limited(&mut cmd, RUN_LIMIT)
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
    assert!(
        finished,
        "{} did not finish within {RUN_LIMIT:?}\n{}",
        program.display(),
        run.all()
    );
    run
}

// ---- what the output must say ------------------------------------------------------------------

/// The value after `label` on its line of stdout.
fn field<'a>(r: &'a Run, label: &str) -> &'a str {
    r.stdout
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no line starting with {label:?}\n{}", r.all()))
}

/// "<4 chars>... (redacted)..." -> the 4 chars.
fn redacted_prefix<'a>(r: &Run, value: &'a str) -> &'a str {
    let (prefix, rest) = value
        .split_once("...")
        .unwrap_or_else(|| panic!("{value:?} is not redacted\n{}", r.all()));
    assert!(rest.starts_with(" (redacted)"), "{value:?}\n{}", r.all());
    assert_eq!(
        prefix.chars().count(),
        4,
        "{value:?}: 4 characters before ...\n{}",
        r.all()
    );
    prefix
}

/// A successful run: every InitSDK() parameter printed, the token redacted to the same 4
/// characters both times, the expiry about an hour away, `token acquired (N chars)`. Returns
/// the token prefix and N.
fn assert_success(r: &Run) -> (String, usize) {
    assert!(r.status.success(), "exit status {}\n{}", r.status, r.all());
    assert!(r.stdout.contains("InitSDK() parameters:"), "{}", r.all());
    assert_eq!(
        field(r, "webSocketUrl:"),
        "wss://us-west-2.api.amazongamelift.com"
    );
    assert_eq!(field(r, "fleetId:"), FLEET);
    assert_eq!(field(r, "hostId:"), COMPUTE);
    assert!(is_uuid_v4(field(r, "processId:")), "{}", r.all());
    let prefix = redacted_prefix(r, field(r, "authToken:")).to_string();
    let expires: i64 = field(r, "token expires in")
        .trim_end_matches(" s")
        .parse()
        .unwrap_or_else(|e| panic!("expiry: {e}\n{}", r.all()));
    assert!(
        (3500..=3601).contains(&expires),
        "expires in {expires} s\n{}",
        r.all()
    );

    let again = field(r, "gamelift_auth_get_token:");
    assert_eq!(
        redacted_prefix(r, again),
        prefix,
        "the same (cached) token\n{}",
        r.all()
    );
    let chars: usize = field(r, "token acquired (")
        .trim_end_matches(" chars)")
        .parse()
        .unwrap_or_else(|e| panic!("token acquired: {e}\n{}", r.all()));
    assert!(
        r.stderr.contains("[gamelift-auth "),
        "the log callback printed\n{}",
        r.all()
    );
    (prefix, chars)
}

/// Neither stream holds `secret`, nor its first 8 characters.
fn assert_never_printed(r: &Run, secret: &str) {
    assert!(secret.len() >= 8);
    assert!(
        !r.all().contains(&secret[..8]),
        "{secret:?} (or its start) was printed:\n{}",
        r.all()
    );
}

/// The stand-in answers GetComputeAuthToken with [`KNOWN_TOKEN`], valid for an hour.
fn hand_out_known_token(s: &StandIn) {
    let body = json!({
        "FleetId": FLEET,
        "FleetArn": format!("arn:aws:gamelift:{REGION}:123456789012:fleet/{FLEET}"),
        "ComputeName": COMPUTE,
        "ComputeArn": format!("arn:aws:gamelift:{REGION}:123456789012:compute/{COMPUTE}"),
        "AuthToken": KNOWN_TOKEN,
        "ExpirationTimestamp": (now_s() * 1000.0).round() / 1000.0 + 3600.0,
    });
    s.faults(json!([{"action": GET_TOKEN, "body": body.to_string(), "times": 10}]));
}

/// One run of an example that registers the compute and gets a known token.
fn known_token_run(program: &Path) {
    let s = StandIn::start();
    hand_out_known_token(&s);
    let r = run(program, &s, &[("GAME_COMPUTE_IP", "127.0.0.1")]);
    let (prefix, chars) = assert_success(&r);
    assert_eq!(prefix, &KNOWN_TOKEN[..4], "{}", r.all());
    assert_eq!(chars, KNOWN_TOKEN.len(), "{}", r.all());
    assert!(
        r.stdout
            .contains("registered compute my-box (127.0.0.1) in fleet-1a2b"),
        "{}",
        r.all()
    );
    assert_never_printed(&r, KNOWN_TOKEN);
    assert_never_printed(&r, SECRET_KEY);
    // One fetch: server parameters fetch the token, the get_token calls (the size query and
    // the real one) are served from the client's cache.
    assert_eq!(count(&s, GET_TOKEN), 1, "{:#?}", requests(&s));
    assert_eq!(count(&s, "RegisterCompute"), 1, "{:#?}", requests(&s));
    assert_eq!(s.stats()["auth_failures"], 0);
}

/// The run failed with exit status 1 and reported `status` (once, as the example prints it)
/// with the AWS error code and the request id.
fn assert_failed_with(r: &Run, call: &str, status: &str, aws_code: &str) {
    assert_eq!(
        r.status.code(),
        Some(1),
        "exit status {}\n{}",
        r.status,
        r.all()
    );
    assert!(!r.stdout.contains("token acquired"), "{}", r.all());
    let line = r
        .stderr
        .lines()
        .skip_while(|l| !l.starts_with("error: "))
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        line.contains(&format!("{call} returned {status}")),
        "{line:?}\n{}",
        r.all()
    );
    assert!(
        line.contains(aws_code),
        "{aws_code} in {line:?}\n{}",
        r.all()
    );
    assert!(
        has_request_id(&line),
        "a request id in {line:?}\n{}",
        r.all()
    );
}

// ---- the tests ---------------------------------------------------------------------------------

/// Compiles a translation unit holding only `#include "<header>"` with each `(lang, std)`.
fn compiles_alone(header: &str, cases: &[(Lang, &str)]) {
    let include = format!("-I{}", root().join("include").display());
    let examples = format!("-I{}", root().join("examples-c").display());
    let mut errors = Vec::new();
    for &(lang, std) in cases {
        let ext = if lang == Lang::C { "c" } else { "cpp" };
        let tu = out_dir().join(format!("alone_{}.{ext}", header.replace('.', "_")));
        std::fs::write(&tu, format!("#include \"{header}\"\n")).expect("write the test TU");
        let mut args = vec![format!("-std={std}")];
        args.extend(WARNINGS.iter().map(|s| s.to_string()));
        args.extend([include.clone(), examples.clone(), "-fsyntax-only".into()]);
        args.push(tu.display().to_string());
        if let Err(e) = run_compiler(lang, &args) {
            errors.push(e);
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}

#[test]
fn header_compiles_alone_as_c_and_cpp() {
    compiles_alone(
        "gamelift_auth.h",
        &[
            (Lang::C, "c99"),
            (Lang::C, "c11"),
            (Lang::Cxx, "c++17"),
            (Lang::Cxx, "c++20"),
        ],
    );
}

#[test]
fn cpp_wrapper_compiles_alone() {
    compiles_alone(
        "gamelift_auth.hpp",
        &[(Lang::Cxx, "c++17"), (Lang::Cxx, "c++20")],
    );
}

#[test]
fn c_example_shared() {
    known_token_run(&c_example(Link::Shared));
}

#[test]
fn c_example_static() {
    let program = c_example(Link::Static);
    let bytes = std::fs::read(&program).expect("read the program");
    assert!(
        !bytes.windows(19).any(|w| w == b"libgamelift_auth.so"),
        "the static build still needs libgamelift_auth.so"
    );
    known_token_run(&program);
}

#[test]
fn cpp_example_shared() {
    known_token_run(&cpp_example(Link::Shared));
}

#[test]
fn cpp_example_static() {
    known_token_run(&cpp_example(Link::Static));
}

/// The stand-in's own tokens (UUIDs), unknown to the test: the redacted prefix is all there is.
#[test]
fn c_example_with_the_standins_tokens() {
    let s = StandIn::start();
    let r = run(
        &c_example(Link::Shared),
        &s,
        &[("GAME_COMPUTE_IP", "127.0.0.1")],
    );
    let (prefix, chars) = assert_success(&r);
    assert_eq!(chars, 36, "the stand-in's tokens are UUIDs\n{}", r.all());
    // Every place the prefix shows up (the process id aside) is the redacted form.
    let process_id = field(&r, "processId:").to_string();
    let text = r.all().replace(&process_id, "");
    for (i, _) in text.match_indices(&prefix) {
        assert!(
            text[i + 4..].starts_with("..."),
            "the token at byte {i}:\n{}",
            r.all()
        );
    }
    assert_eq!(count(&s, GET_TOKEN), 1);
    assert_eq!(s.stats()["auth_failures"], 0);
}

#[test]
fn examples_report_not_found_from_a_fault() {
    for (program, is_cpp) in [
        (c_example(Link::Shared), false),
        (cpp_example(Link::Shared), true),
    ] {
        let s = StandIn::start();
        s.faults(json!([{"error_type": "NotFoundException",
            "message": "Compute my-box not found (injected).", "times": 100}]));
        let r = run(&program, &s, &[]);
        assert_failed_with(
            &r,
            "gamelift_auth_server_parameters_new",
            "GAMELIFT_AUTH_ERROR_NOT_FOUND",
            "NotFoundException",
        );
        if is_cpp {
            let line = r
                .stderr
                .lines()
                .find(|l| l.starts_with("error: "))
                .unwrap_or_default();
            assert_eq!(
                line.matches("GAMELIFT_AUTH_ERROR_NOT_FOUND").count(),
                1,
                "{line}"
            );
        }
        assert!(r.stderr.contains("not transient"), "{}", r.all());
        // NotFound is not retried.
        assert_eq!(total(&s), 1, "{:#?}", requests(&s));
    }
}

/// Without registration the stand-in does not know the compute: DescribeCompute says so.
#[test]
fn c_example_reports_an_unregistered_compute() {
    let s = StandIn::start();
    let r = run(&c_example(Link::Shared), &s, &[]);
    assert_failed_with(
        &r,
        "gamelift_auth_server_parameters_new",
        "GAMELIFT_AUTH_ERROR_NOT_FOUND",
        "NotFoundException",
    );
    assert_eq!(count(&s, "DescribeCompute"), 1, "{:#?}", requests(&s));
    assert_eq!(total(&s), 1, "{:#?}", requests(&s));
}

#[test]
fn c_example_reports_wrong_credentials() {
    const WRONG_SECRET: &str = "wrong-secret-for-the-c-example-7a8b";
    let program = c_example(Link::Shared);

    let s = StandIn::start();
    let r = run(&program, &s, &[("AWS_SECRET_ACCESS_KEY", WRONG_SECRET)]);
    assert_failed_with(
        &r,
        "gamelift_auth_server_parameters_new",
        "GAMELIFT_AUTH_ERROR_UNAUTHORIZED",
        "InvalidSignatureException",
    );
    assert_never_printed(&r, WRONG_SECRET);
    assert_eq!(s.stats()["auth_failures"], 1, "{:#?}", requests(&s));
    assert_eq!(
        total(&s),
        1,
        "a refused signature is not retried: {:#?}",
        requests(&s)
    );

    let s = StandIn::start();
    let r = run(&program, &s, &[("AWS_ACCESS_KEY_ID", "AKIDSOMEONEELSE")]);
    assert_failed_with(
        &r,
        "gamelift_auth_server_parameters_new",
        "GAMELIFT_AUTH_ERROR_UNAUTHORIZED",
        "UnrecognizedClientException",
    );
    assert_never_printed(&r, SECRET_KEY);
    assert_eq!(total(&s), 1, "{:#?}", requests(&s));
}

#[test]
fn c_example_reports_a_missing_region() {
    let s = StandIn::start();
    let r = run_without(&c_example(Link::Static), &s, &[], &["AWS_REGION"]);
    assert_eq!(r.status.code(), Some(1), "{}", r.all());
    assert!(
        r.stderr
            .contains("gamelift_auth_client_new returned GAMELIFT_AUTH_ERROR_CONFIG"),
        "{}",
        r.all()
    );
    assert!(r.stderr.contains("AWS_REGION"), "what to do\n{}", r.all());
    assert_eq!(total(&s), 0);
}

/// examples-c/tests/abi_test.c: the C ABI conventions, from C.
#[test]
fn abi_conformance_from_c() {
    let program = build(
        "abi_test",
        Lang::C,
        "examples-c/tests/abi_test.c",
        Link::Shared,
    );
    let s = StandIn::start();
    let r = run(&program, &s, &[]);
    assert!(r.status.success(), "exit status {}\n{}", r.status, r.all());
    assert!(r.stdout.contains("checks passed"), "{}", r.all());

    // The refused arguments sent nothing; the valid calls sent exactly what they should.
    let log = requests(&s);
    assert_eq!(
        count(&s, GET_TOKEN),
        3,
        "the first fetch, after invalidate, after deregister: {log:#?}"
    );
    assert_eq!(count(&s, "RegisterCompute"), 1, "{log:#?}");
    assert_eq!(count(&s, "RequestUploadCredentials"), 1, "{log:#?}");
    assert_eq!(count(&s, "DeregisterCompute"), 1, "{log:#?}");
    let refused: Vec<_> = log
        .iter()
        .filter(|r| r["status"] != 200)
        .map(|r| {
            (
                r["action"].as_str().unwrap_or_default().to_string(),
                r["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        vec![("DescribeCompute".to_string(), json!(400))],
        "only the DescribeCompute after DeregisterCompute fails: {log:#?}"
    );
    assert_eq!(s.stats()["auth_failures"], 0);
}

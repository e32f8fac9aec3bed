//! The C programs under AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer included)
//! and under valgrind, against the debug `libgamelift_auth.so` that cargo built for this test and
//! the local stand-in: zero errors, zero leaks.
//!
//! - `examples-c/tests/abi_test.c`, `examples-c/game_server.c` and
//!   `examples-c/tests/misuse_test.c` (NULLs, "", invalid UTF-8, 1 MiB strings, zero-length
//!   buffers, 16 threads sharing a client while another invalidates) built with
//!   `-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all` and run with
//!   `ASAN_OPTIONS=detect_leaks=1:abort_on_error=1` and
//!   `UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1`. LeakSanitizer watches the whole process,
//!   the library's Rust allocations included (they go through the same `malloc`). No
//!   suppressions are needed: what the library keeps for the process's life (the log sink, the
//!   TLS provider) is still reachable, which LeakSanitizer does not report.
//! - `game_server` and `abi_test` built plainly and run under
//!   `valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect`.
//! - Two canaries prove the setup can fail: a program that leaks a library object must be caught
//!   by LeakSanitizer and by valgrind.
//!
//! A missing ASan/UBSan runtime or a missing valgrind FAILS these tests (CI installs valgrind;
//! gcc brings libasan and libubsan). `scripts/sanitize.sh` does the same outside `cargo test`.
#![cfg(target_os = "linux")]

mod common;

use common::native::{self, Run, root};
use common::{StandIn, count, requests};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

/// How long one program may run (the slowest, misuse_test, takes about a second under ASan).
const RUN_LIMIT: Duration = Duration::from_secs(180);
const WARNINGS: &[&str] = &["-Wall", "-Wextra", "-Wpedantic", "-Werror"];
const SANITIZE: &[&str] = &[
    "-O1",
    "-g",
    "-fsanitize=address,undefined",
    "-fno-omit-frame-pointer",
    "-fno-sanitize-recover=all",
];
const ASAN_OPTIONS: &str = "detect_leaks=1:abort_on_error=1:check_initialization_order=1";
const UBSAN_OPTIONS: &str = "halt_on_error=1:print_stacktrace=1";
/// What any sanitizer prints when it finds something.
const SANITIZER_REPORTS: &[&str] = &[
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "UndefinedBehaviorSanitizer",
];
const VALGRIND_ARGS: &[&str] = &[
    "--error-exitcode=99",
    "--leak-check=full",
    "--errors-for-leak-kinds=definite,indirect",
    "--show-leak-kinds=definite,indirect",
];

// ---- building ----------------------------------------------------------------------------------

/// The debug `libgamelift_auth.so` cargo built with this test: next to the test binary.
fn lib_dir() -> PathBuf {
    native::lib_dir(native::SHARED)
}

fn out_dir() -> PathBuf {
    native::out_dir("sanitizers")
}

fn cc() -> String {
    native::compiler("CC", "gcc")
}

/// Fails the test, with what to install, unless the compiler has the ASan and UBSan runtimes.
fn require_sanitizer_runtimes() {
    for lib in ["libasan.so", "libubsan.so"] {
        let out = Command::new(cc())
            .arg(format!("-print-file-name={lib}"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {} (set CC): {e}", cc()));
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        // gcc prints the bare name back when it does not have the file.
        assert!(
            out.status.success() && Path::new(&path).is_absolute() && Path::new(&path).exists(),
            "{} has no {lib} (got {path:?}): install the sanitizer runtimes \
             (Debian: apt-get install gcc, which depends on libasan8 and libubsan1)",
            cc()
        );
    }
}

/// Fails the test unless valgrind runs.
fn require_valgrind() {
    let out = Command::new("valgrind").arg("--version").output();
    match out {
        Ok(o) if o.status.success() => {}
        other => panic!("valgrind is required (apt-get install valgrind): {other:?}"),
    }
}

/// Compiles `source` (a path under the crate root, or an absolute path) into `name`, linked to
/// the debug shared library; once per test process.
fn build(name: &'static str, source: &Path, sanitize: bool) -> PathBuf {
    static BUILT: native::Built<&'static str> = Mutex::new(None);
    native::build_once(&BUILT, name, name, || {
        if sanitize {
            require_sanitizer_runtimes();
        }
        let libs = lib_dir();
        let out = out_dir().join(name);
        let tmp = out_dir().join(format!("{name}.{}.tmp", std::process::id()));
        let mut args: Vec<String> = vec!["-std=c99".into()];
        args.extend(WARNINGS.iter().map(|s| s.to_string()));
        if sanitize {
            args.extend(SANITIZE.iter().map(|s| s.to_string()));
        } else {
            args.extend(["-O2".into(), "-g".into()]);
        }
        args.push(format!("-I{}", root().join("include").display()));
        args.push(format!("-I{}", root().join("examples-c").display()));
        args.extend(["-o".into(), tmp.display().to_string()]);
        args.push(root().join(source).display().to_string());
        args.push(format!("-L{}", libs.display()));
        args.push("-lgamelift_auth".into());
        args.push(format!("-Wl,-rpath,{}", libs.display()));
        args.push("-lpthread".into());
        native::run_compiler(&cc(), &args, "set CC")?;
        native::rename_into_place(&tmp, &out)
    })
}

// ---- running -----------------------------------------------------------------------------------

impl Run {
    /// The tail of both streams.
    fn report(&self) -> String {
        // The stand-in is quiet; the library's trace log can be long: keep the tail.
        let tail = |s: &str| {
            let start = s.len().saturating_sub(20_000);
            let start = (start..=s.len())
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(s.len());
            s[start..].to_string()
        };
        format!(
            "--- stdout ---\n{}--- stderr (tail) ---\n{}",
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }
}

/// Runs `argv` against the stand-in with a fixed environment: the standard AWS variables for
/// the stand-in, no user config, the sanitizer options, then `extra`.
fn run(argv: &[String], s: &StandIn, extra: &[(&str, &str)]) -> Run {
    let mut cmd = native::standin_command(&argv[0], &out_dir().join("home"), &s.url);
    cmd.args(&argv[1..])
        .env("ASAN_OPTIONS", ASAN_OPTIONS)
        .env("UBSAN_OPTIONS", UBSAN_OPTIONS);
    native::adjust_env(&mut cmd, extra, &[]);
    let (run, finished) = native::run_limited(&mut cmd, RUN_LIMIT)
        .unwrap_or_else(|e| panic!("spawn {}: {e}", argv[0]));
    assert!(
        finished,
        "{argv:?} did not finish within {RUN_LIMIT:?}\n{}",
        run.report()
    );
    run
}

fn sanitized(name: &'static str, source: &str) -> Vec<String> {
    vec![build(name, Path::new(source), true).display().to_string()]
}

fn under_valgrind(name: &'static str, source: &Path) -> Vec<String> {
    require_valgrind();
    let program = build(name, source, false);
    let mut argv = vec!["valgrind".to_string()];
    argv.extend(VALGRIND_ARGS.iter().map(|s| s.to_string()));
    argv.push(program.display().to_string());
    argv
}

/// Exit status 0 and no sanitizer report.
#[track_caller]
fn assert_sanitizer_clean(r: &Run) {
    assert!(
        r.status.success(),
        "exit status {}\n{}",
        r.status,
        r.report()
    );
    for report in SANITIZER_REPORTS {
        assert!(!r.stderr.contains(report), "{report}\n{}", r.report());
    }
}

/// Exit status 0 (not 99), no error, nothing definitely or indirectly lost.
#[track_caller]
fn assert_valgrind_clean(r: &Run) {
    assert!(
        r.status.success(),
        "exit status {}\n{}",
        r.status,
        r.report()
    );
    assert!(
        r.stderr.contains("ERROR SUMMARY: 0 errors from 0 contexts"),
        "{}",
        r.report()
    );
    let all_freed = r.stderr.contains("All heap blocks were freed");
    let no_loss = r.stderr.contains("definitely lost: 0 bytes in 0 blocks")
        && r.stderr.contains("indirectly lost: 0 bytes in 0 blocks");
    assert!(all_freed || no_loss, "{}", r.report());
}

/// The example's success output (see tests/c_examples.rs for the full checks).
#[track_caller]
fn assert_game_server_succeeded(r: &Run) {
    for line in [
        "registered compute my-box (127.0.0.1) in fleet-1a2b",
        "InitSDK() parameters:",
        "token acquired (36 chars)",
    ] {
        assert!(r.stdout.contains(line), "{line}\n{}", r.report());
    }
}

// ---- the tests ---------------------------------------------------------------------------------

#[test]
fn sanitizer_runtimes_and_valgrind_are_installed() {
    require_sanitizer_runtimes();
    require_valgrind();
}

#[test]
fn abi_test_under_asan_and_ubsan() {
    let s = StandIn::start();
    let r = run(
        &sanitized("abi_test_asan", "examples-c/tests/abi_test.c"),
        &s,
        &[],
    );
    assert_sanitizer_clean(&r);
    assert!(r.stdout.contains("checks passed"), "{}", r.report());
    assert_eq!(count(&s, "GetComputeAuthToken"), 3, "{:#?}", requests(&s));
}

#[test]
fn game_server_under_asan_and_ubsan() {
    let s = StandIn::start();
    let r = run(
        &sanitized("game_server_asan", "examples-c/game_server.c"),
        &s,
        &[("GAME_COMPUTE_IP", "127.0.0.1"), ("GAME_LOG_LEVEL", "5")],
    );
    assert_sanitizer_clean(&r);
    assert_game_server_succeeded(&r);
    assert_eq!(count(&s, "GetComputeAuthToken"), 1, "{:#?}", requests(&s));
}

#[test]
fn misuse_test_under_asan_and_ubsan() {
    let s = StandIn::start();
    let r = run(
        &sanitized("misuse_test_asan", "examples-c/tests/misuse_test.c"),
        &s,
        &[],
    );
    assert_sanitizer_clean(&r);
    let summary = r
        .stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("misuse_test: ")?
                .strip_suffix(" passed, 0 failed")
        })
        .unwrap_or_else(|| panic!("no 'N passed, 0 failed' line\n{}", r.report()));
    let passed: u32 = summary.parse().expect("a count");
    assert!(passed > 5000, "{passed} checks\n{}", r.report());
    let invalidations: u64 = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("misuse_test: invalidations="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no invalidation count\n{}", r.report()));

    // The refused calls sent nothing: the stand-in saw only valid requests, all signed right.
    let stats = s.stats();
    assert_eq!(stats["auth_failures"], 0, "{stats}");
    let log = requests(&s);
    let refused: Vec<_> = log.iter().filter(|r| r["status"] != 200).collect();
    assert!(refused.is_empty(), "{refused:#?}");
    // One registration; fetches of the shared key are bounded by the invalidations (single
    // flight), plus one per worker's own key (16).
    assert_eq!(count(&s, "RegisterCompute"), 1, "{stats}");
    let fetches = count(&s, "GetComputeAuthToken");
    assert!(
        fetches >= 17 && fetches <= invalidations + 1 + 16,
        "{fetches} fetches for {invalidations} invalidations: {stats}"
    );
}

#[test]
fn game_server_under_valgrind() {
    let s = StandIn::start();
    let r = run(
        &under_valgrind("game_server_plain", Path::new("examples-c/game_server.c")),
        &s,
        &[("GAME_COMPUTE_IP", "127.0.0.1"), ("GAME_LOG_LEVEL", "5")],
    );
    assert_valgrind_clean(&r);
    assert_game_server_succeeded(&r);
}

#[test]
fn abi_test_under_valgrind() {
    let s = StandIn::start();
    let r = run(
        &under_valgrind("abi_test_plain", Path::new("examples-c/tests/abi_test.c")),
        &s,
        &[],
    );
    assert_valgrind_clean(&r);
    assert!(r.stdout.contains("checks passed"), "{}", r.report());
}

/// A program that leaks one library object (a config that holds explicit credentials).
fn leaky_program(name: &str) -> PathBuf {
    let source = out_dir().join(format!("{name}.c"));
    std::fs::write(
        &source,
        "#include \"gamelift_auth.h\"\n\
         int main(void)\n{\n\
         \x20   gamelift_auth_config *cfg = gamelift_auth_config_new();\n\
         \x20   gamelift_auth_config_set_credentials(cfg, \"AKIDCANARY\", \"canary-secret\", NULL);\n\
         \x20   cfg = 0; /* leaked */\n\
         \x20   return cfg != 0;\n}\n",
    )
    .expect("write the canary");
    source
}

/// LeakSanitizer does see a leak of the library's own memory (nothing suppresses it).
#[test]
fn canary_leak_is_caught_by_leak_sanitizer() {
    let s = StandIn::start();
    let argv = vec![
        build("leak_canary_asan", &leaky_program("leak_canary_asan"), true)
            .display()
            .to_string(),
    ];
    let r = run(&argv, &s, &[]);
    assert!(!r.status.success(), "{}", r.report());
    assert!(
        r.stderr
            .contains("ERROR: LeakSanitizer: detected memory leaks"),
        "{}",
        r.report()
    );
}

/// valgrind does see it too, and exits with the error code.
#[test]
fn canary_leak_is_caught_by_valgrind() {
    let s = StandIn::start();
    let r = run(
        &under_valgrind("leak_canary_plain", &leaky_program("leak_canary_plain")),
        &s,
        &[],
    );
    assert_eq!(r.status.code(), Some(99), "{}", r.report());
    assert!(r.stderr.contains("definitely lost:"), "{}", r.report());
}

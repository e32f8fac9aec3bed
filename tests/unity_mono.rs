//! The Unity package (`bindings/unity/`): its files as Unity needs them, its P/Invoke
//! declarations against the header, and its C# code compiled with Mono's `mcs` together with the
//! test program `bindings/unity/Tests~/MonoTest.cs`, then run with `mono` against the
//! `libgamelift_auth.so` cargo built for this test and the local stand-in.
//!
//! The full run is traced (`mono --trace=T:GameLiftAuth.NativeMethods`): the test fails unless
//! every function `NativeMethods.cs` declares was called, and the declarations are exactly the
//! header's functions. `mcs` and `mono` are required (Debian: `mono-mcs`, `mono-runtime`); when
//! they are missing the tests fail, they do not skip.
#![cfg(target_os = "linux")]

mod common;

use common::native::{self, Run, root};
use common::{ClosedPort, SECRET_KEY, StandIn, count, requests};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// How long one run of the test program may take (its slowest part waits ~2 s for a token to
/// go stale; every library call is bounded by its timeout).
const RUN_LIMIT: Duration = Duration::from_secs(180);
/// The wrong secret MonoTest.cs uses; it must never be printed.
const WRONG_SECRET: &str = "wrong-secret-mono-5e6f7a8b";
/// The start of the long token MonoTest.cs has the stand-in hand out.
const LONG_TOKEN_PREFIX: &str = "Kn0w-mono-long-token-";

fn package() -> PathBuf {
    root().join("bindings/unity")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

// ---- the package's files -------------------------------------------------------------------

/// Files and folders of the package that Unity imports: everything except hidden entries and
/// folders ending in `~` (Unity ignores both), and except the `.meta` files themselves.
fn imported_entries(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read_dir {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with('~') || name.ends_with(".meta") {
            continue;
        }
        if path.is_dir() {
            imported_entries(&path, out);
        }
        out.push(path);
    }
}

/// The `guid:` of a `.meta` file.
fn meta_guid(meta: &Path) -> String {
    let text = read(meta);
    assert!(
        text.starts_with("fileFormatVersion: 2\n"),
        "{}: not a Unity .meta file",
        meta.display()
    );
    let guid = text
        .lines()
        .find_map(|l| l.strip_prefix("guid: "))
        .unwrap_or_else(|| panic!("{}: no guid", meta.display()))
        .trim()
        .to_string();
    assert!(
        guid.len() == 32
            && guid
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{}: guid {guid:?} is not 32 lowercase hex digits",
        meta.display()
    );
    guid
}

#[test]
fn package_manifest_asmdef_and_meta_files() {
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&package().join("package.json"))).expect("package.json");
    let name = manifest["name"].as_str().expect("package.json: name");
    assert!(
        name.split('.').count() >= 3
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'),
        "package.json: {name:?} is not a reverse-domain UPM name"
    );
    assert_eq!(
        manifest["version"],
        env!("CARGO_PKG_VERSION"),
        "package.json: the crate's version"
    );
    for field in ["displayName", "description", "unity", "license"] {
        assert!(
            manifest[field].as_str().is_some_and(|s| !s.is_empty()),
            "package.json: {field}"
        );
    }

    let asmdef: serde_json::Value =
        serde_json::from_str(&read(&package().join("Runtime/GameLiftAuth.asmdef")))
            .expect("GameLiftAuth.asmdef");
    assert_eq!(asmdef["name"], "GameLiftAuth");
    assert_eq!(asmdef["allowUnsafeCode"], false, "no unsafe code needed");
    assert_eq!(asmdef["references"], serde_json::json!([]));

    // An installed package is read-only: Unity ignores an asset without its .meta there.
    let mut entries = Vec::new();
    imported_entries(&package(), &mut entries);
    let mut guids: HashMap<String, PathBuf> = HashMap::new();
    for entry in &entries {
        let meta = PathBuf::from(format!("{}.meta", entry.display()));
        assert!(meta.is_file(), "{} has no .meta file", entry.display());
        let guid = meta_guid(&meta);
        if entry.is_dir() {
            assert!(
                read(&meta).contains("folderAsset: yes"),
                "{}",
                meta.display()
            );
        }
        if let Some(other) = guids.insert(guid.clone(), entry.clone()) {
            panic!(
                "{} and {} share the guid {guid}",
                other.display(),
                entry.display()
            );
        }
    }
    for required in [
        "package.json",
        "README.md",
        "Runtime",
        "Runtime/GameLiftAuth.cs",
        "Runtime/GameLiftAuth.asmdef",
        "Runtime/NativeMethods.cs",
        "Plugins",
        "Plugins/README.md",
    ] {
        assert!(
            entries.contains(&package().join(required)),
            "bindings/unity/{required} is missing"
        );
    }
    // No .meta without its asset.
    let mut metas = Vec::new();
    find_metas(&package(), &mut metas);
    for meta in metas {
        let asset = PathBuf::from(meta.display().to_string().trim_end_matches(".meta"));
        assert!(
            entries.contains(&asset),
            "{} has no asset (or lies in a folder Unity ignores)",
            meta.display()
        );
    }
}

fn find_metas(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            find_metas(&path, out);
        } else if path.extension().is_some_and(|e| e == "meta") {
            out.push(path);
        }
    }
}

// ---- the declarations against the header ---------------------------------------------------

/// The functions the header declares (outside comments).
fn header_functions() -> BTreeSet<String> {
    let header = read(&root().join("include/gamelift_auth.h"));
    let mut names = BTreeSet::new();
    for line in header.lines() {
        let t = line.trim_start();
        if t.starts_with("/*") || t.starts_with('*') || t.starts_with("//") || t.starts_with('#') {
            continue;
        }
        for (i, _) in line.match_indices("gamelift_auth_") {
            if i > 0 {
                let before = line.as_bytes()[i - 1];
                if before.is_ascii_alphanumeric() || before == b'_' {
                    continue;
                }
            }
            let ident: String = line[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if line[i + ident.len()..].starts_with('(') {
                names.insert(ident);
            }
        }
    }
    assert!(names.len() > 40, "parsed only {names:?} from the header");
    names
}

/// One `static extern` declaration of NativeMethods.cs: its name, full text and attribute line.
struct Declaration {
    name: String,
    text: String,
    attribute: String,
}

fn declarations() -> Vec<Declaration> {
    let source = read(&package().join("Runtime/NativeMethods.cs"));
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.contains("static extern ") {
            continue;
        }
        let mut text = String::new();
        for l in &lines[i..] {
            text.push_str(l.trim());
            text.push(' ');
            if l.contains(';') {
                break;
            }
        }
        let head = text.split('(').next().expect("a declaration");
        let name = head.split_whitespace().last().expect("a name").to_string();
        let attribute = lines[..i]
            .iter()
            .rev()
            .find(|l| l.trim().starts_with('['))
            .map(|l| l.trim().to_string())
            .unwrap_or_default();
        out.push(Declaration {
            name,
            text,
            attribute,
        });
    }
    out
}

/// `#define NAME value` of the header.
fn header_define(name: &str) -> String {
    read(&root().join("include/gamelift_auth.h"))
        .lines()
        .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
        .unwrap_or_else(|| panic!("no #define {name} in the header"))
        .trim()
        .to_string()
}

/// `GAMELIFT_AUTH_ERROR_NOT_FOUND` -> `NotFound`; `GAMELIFT_AUTH_OK` -> `Ok`.
fn pascal_case(c_name: &str) -> String {
    let bare = c_name
        .strip_prefix("GAMELIFT_AUTH_ERROR_")
        .or_else(|| c_name.strip_prefix("GAMELIFT_AUTH_"))
        .expect("a status name");
    bare.split('_')
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `NAME = number,` lines between `marker` and the next `}`.
fn enum_values(text: &str, marker: &str) -> BTreeMap<String, i64> {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not found"));
    let body = &text[start..];
    let body = &body[body.find('{').expect("{") + 1..body.find('}').expect("}")];
    body.lines()
        .filter_map(|l| {
            let (name, value) = l.trim().trim_end_matches(',').split_once(" = ")?;
            Some((name.trim().to_string(), value.trim().parse().ok()?))
        })
        .collect()
}

#[test]
fn declarations_are_exactly_the_header_functions() {
    let header = header_functions();
    let decls = declarations();
    let declared: BTreeSet<String> = decls.iter().map(|d| d.name.clone()).collect();
    assert_eq!(decls.len(), declared.len(), "a function declared twice");
    let missing: Vec<_> = header.difference(&declared).collect();
    let extra: Vec<_> = declared.difference(&header).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "NativeMethods.cs lacks {missing:?} and has {extra:?} that the header does not"
    );
    for d in &decls {
        assert_eq!(
            d.attribute, "[DllImport(Library, CallingConvention = CallingConvention.Cdecl)]",
            "{}",
            d.name
        );
        // Blittable: no bool, no string, no char, no StringBuilder, no CharSet marshalling.
        for word in [
            "bool",
            "string",
            "char",
            "StringBuilder",
            "CharSet",
            "MarshalAs",
        ] {
            assert!(
                !d.text
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| w == word),
                "{}: {word} in {}",
                d.name,
                d.text
            );
        }
    }

    let source = read(&package().join("Runtime/NativeMethods.cs"));
    assert!(
        source.contains("[UnmanagedFunctionPointer(CallingConvention.Cdecl)]\n        internal delegate void LogFn(IntPtr userData, int level, IntPtr message, UIntPtr messageLen);"),
        "the log callback's delegate: Cdecl, blittable"
    );
    assert!(
        source.contains(&format!(
            "internal const uint AbiVersion = {};",
            header_define("GAMELIFT_AUTH_ABI_VERSION")
        )),
        "NativeMethods.AbiVersion is the header's GAMELIFT_AUTH_ABI_VERSION"
    );
    assert!(
        source.contains("internal const string Library = \"__Internal\";")
            && source.contains("internal const string Library = \"gamelift_auth\";"),
        "both library names"
    );

    // The status enum: the same names and numbers on both sides.
    let c_statuses: BTreeMap<String, i64> = enum_values(
        &read(&root().join("include/gamelift_auth.h")),
        "enum gamelift_auth_status",
    )
    .into_iter()
    .map(|(name, value)| (pascal_case(&name), value))
    .collect();
    let cs_statuses = enum_values(
        &read(&package().join("Runtime/GameLiftAuth.cs")),
        "public enum GameLiftAuthStatus",
    );
    assert_eq!(
        cs_statuses, c_statuses,
        "GameLiftAuthStatus against the header"
    );
    assert_eq!(c_statuses.len(), 18);
}

// ---- compiling with mcs --------------------------------------------------------------------

/// Where cargo left the libgamelift_auth.so it built for this test: next to the test binary,
/// in target/<profile>/deps (`cargo test` does not copy it up to target/<profile>).
fn lib_dir() -> PathBuf {
    native::lib_dir(native::SHARED)
}

fn out_dir() -> PathBuf {
    native::out_dir("unity_mono")
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Build {
    /// The Runtime as plain Mono/.NET sees it: no Unity defines.
    Plain,
    /// The Runtime as Unity compiles it for a statically linking platform
    /// (`UNITY_5_3_OR_NEWER;UNITY_IOS`), with Tests~/UnityStubs.cs for UnityEngine.
    UnityStatic,
}

/// Compiles the Runtime and the test program into an .exe, once per test process. C# 6 (the
/// oldest Unity scripting runtimes with .NET 4.x), warnings as errors. Written under a
/// temporary name, then renamed.
fn build(which: Build) -> PathBuf {
    static BUILT: native::Built<Build> = Mutex::new(None);
    native::build_once(&BUILT, which, "the Mono test program", || {
        let name = match which {
            Build::Plain => "MonoTest.exe",
            Build::UnityStatic => "MonoTestUnity.exe",
        };
        let out = out_dir().join(name);
        let tmp = out_dir().join(format!("{name}.{}.tmp.exe", std::process::id()));
        let mut args = vec![
            "-langversion:6".to_string(),
            "-warn:4".into(),
            "-warnaserror".into(),
            "-debug".into(),
            "-nologo".into(),
            format!("-out:{}", tmp.display()),
        ];
        if which == Build::UnityStatic {
            args.push("-define:UNITY_5_3_OR_NEWER;UNITY_IOS".into());
        }
        let mut sources: Vec<PathBuf> = std::fs::read_dir(package().join("Runtime"))
            .expect("bindings/unity/Runtime")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "cs"))
            .collect();
        sources.sort();
        assert!(sources.len() >= 2, "the Runtime's C# files: {sources:?}");
        sources.push(package().join("Tests~/MonoTest.cs"));
        if which == Build::UnityStatic {
            sources.push(package().join("Tests~/UnityStubs.cs"));
        }
        args.extend(sources.iter().map(|p| p.display().to_string()));
        native::run_compiler(
            "mcs",
            &args,
            "install Mono's C# compiler: apt-get install mono-mcs",
        )?;
        // The debug symbols go along with the program, for line numbers in stack traces.
        let _ = std::fs::rename(tmp.with_extension("pdb"), out.with_extension("pdb"));
        native::rename_into_place(&tmp, &out)
    })
}

// ---- running with mono ---------------------------------------------------------------------

impl Run {
    /// stderr (the test program's report), and the size of stdout (the trace).
    fn report(&self) -> String {
        format!(
            "exit status {}\n--- stderr ---\n{}--- stdout: {} bytes ---",
            self.status,
            self.stderr,
            self.stdout.len()
        )
    }

    /// `(passed, failed)` from the program's last line, "mono_test <mode>: N passed, M failed".
    fn counts(&self, mode: &str) -> (u32, u32) {
        let prefix = format!("mono_test {mode}: ");
        let line = self
            .stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no summary line\n{}", self.report()));
        let numbers: Vec<u32> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().expect("a count"))
            .collect();
        assert_eq!(numbers.len(), 2, "{line:?}");
        (numbers[0], numbers[1])
    }

    /// The run passed with at least `min_checks` checks.
    fn assert_passed(&self, mode: &str, min_checks: u32) {
        let (passed, failed) = self.counts(mode);
        assert!(
            self.status.success() && failed == 0 && passed >= min_checks,
            "{passed} passed, {failed} failed (at least {min_checks} checks expected)\n{}",
            self.report()
        );
    }

    fn assert_never_printed(&self, secret: &str) {
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "{secret:?} was printed\n{}",
            self.report()
        );
    }
}

/// What a run gets: the library found through LD_LIBRARY_PATH, LD_PRELOADed (a statically
/// linked player: "__Internal"), or not at all.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Library {
    Path,
    Preload,
    Missing,
}

/// Runs `mono [--trace=...] <program> <mode>` with nothing but a fixed environment: the
/// standard AWS variables for the stand-in (no HOME config, no IMDS), then `extra`, minus
/// `unset`.
fn run_mono(
    program: &Path,
    mode: &str,
    s: &StandIn,
    library: Library,
    trace: bool,
    extra: &[(&str, &str)],
    unset: &[&str],
) -> Run {
    let libs = lib_dir();
    let mut cmd = native::standin_command("mono", &out_dir().join("home"), &s.url);
    cmd.env("STANDIN_URL", &s.url)
        .env("EXPECTED_VERSION", env!("CARGO_PKG_VERSION"))
        .env(
            "EXPECTED_ABI_VERSION",
            header_define("GAMELIFT_AUTH_ABI_VERSION"),
        );
    match library {
        Library::Path => {
            cmd.env("LD_LIBRARY_PATH", &libs);
        }
        Library::Preload => {
            cmd.env("LD_PRELOAD", libs.join("libgamelift_auth.so"));
        }
        Library::Missing => {
            cmd.env("LD_LIBRARY_PATH", out_dir().join("no-library-here"));
        }
    }
    native::adjust_env(&mut cmd, extra, unset);
    cmd.arg("--debug");
    if trace {
        cmd.arg("--trace=T:GameLiftAuth.NativeMethods");
    }
    cmd.arg(program).arg(mode);
    let (run, finished) = native::run_limited(&mut cmd, RUN_LIMIT).unwrap_or_else(|e| {
        panic!("cannot run mono: {e} (install the Mono runtime: apt-get install mono-runtime)")
    });
    assert!(
        finished,
        "mono {} {mode} did not finish within {RUN_LIMIT:?}\n{}",
        program.display(),
        run.report()
    );
    run
}

/// The NativeMethods functions `mono --trace` saw entered.
fn traced_calls(trace: &str) -> BTreeSet<String> {
    const MARK: &str = "GameLiftAuth.NativeMethods:";
    trace
        .lines()
        .filter(|l| l.contains("ENTER:"))
        .filter_map(|l| {
            let rest = &l[l.find(MARK)? + MARK.len()..];
            Some(
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect(),
            )
        })
        .collect()
}

/// GameLiftAuth requests of `action` whose body names `compute`.
fn requests_for(s: &StandIn, action: &str, compute: &str) -> usize {
    let needle = format!("\"ComputeName\":\"{compute}\"");
    requests(s)
        .iter()
        .filter(|r| r["action"] == action)
        .filter(|r| {
            r["body"]
                .as_str()
                .is_some_and(|b| b.replace(": ", ":").contains(&needle))
        })
        .count()
}

// ---- the runs ------------------------------------------------------------------------------

/// The whole contract through the C# bindings: every declared function called (by the trace),
/// every check of MonoTest.cs passed, and the requests the stand-in saw are the expected ones.
#[test]
fn mono_program_exercises_every_declared_function() {
    let program = build(Build::Plain);
    let s = StandIn::start();
    let closed = ClosedPort::new();
    let run = run_mono(
        &program,
        "all",
        &s,
        Library::Path,
        true,
        &[("CLOSED_URL", &closed.url)],
        &[],
    );
    run.assert_passed("all", 400);

    let declared: BTreeSet<String> = declarations().into_iter().map(|d| d.name).collect();
    let called = traced_calls(&run.stdout);
    let never: Vec<_> = declared.difference(&called).collect();
    assert!(
        never.is_empty(),
        "declared in NativeMethods.cs but never called by the test program: {never:?}\n{}",
        run.report()
    );
    assert_eq!(called, declared, "the trace names only declared functions");

    let log = requests(&s);
    // 8 threads sharing one client: one fetch, and the websocket URL remembered from
    // RegisterCompute (no DescribeCompute).
    assert_eq!(
        requests_for(&s, "GetComputeAuthToken", "threads-box"),
        1,
        "{log:#?}"
    );
    assert_eq!(requests_for(&s, "DescribeCompute", "threads-box"), 0);
    assert_eq!(requests_for(&s, "RegisterCompute", "threads-box"), 1);
    // Two fetches for the token tests: the first one, and the one after InvalidateToken.
    assert_eq!(requests_for(&s, "GetComputeAuthToken", "token-box"), 2);
    // Refused arguments sent nothing.
    for compute in ["null-box", "no-address-box"] {
        assert_eq!(
            log.iter()
                .filter(|r| r["body"]
                    .as_str()
                    .is_some_and(|b| b.contains(&format!("\"{compute}\""))))
                .count(),
            0,
            "a request for {compute:?}: {log:#?}"
        );
    }
    assert_eq!(count(&s, "RequestUploadCredentials"), 2, "never cached");
    // unity-box (then its conflict), unity-dns-box, threads-box.
    assert_eq!(count(&s, "RegisterCompute"), 4, "{log:#?}");
    // unity-box, unity-box again (NotFound), unity-dns-box.
    assert_eq!(count(&s, "DeregisterCompute"), 3, "{log:#?}");
    // The wrong secret once, and the first attempt of each of the two clock-skewed calls.
    assert_eq!(s.stats()["auth_failures"], 3, "{log:#?}");

    // The console sink wrote to stderr; no secret anywhere.
    assert!(
        run.stderr
            .contains("[gamelift-auth INFO] GetComputeAuthToken: "),
        "{}",
        run.report()
    );
    run.assert_never_printed(SECRET_KEY);
    run.assert_never_printed(WRONG_SECRET);
    run.assert_never_printed(LONG_TOKEN_PREFIX);
}

/// No region and no credentials in the environment: CONFIG when the client is made, then
/// CREDENTIALS at the first request (nothing is sent).
#[test]
fn mono_program_reports_a_bare_environment() {
    let program = build(Build::Plain);
    let s = StandIn::start();
    let run = run_mono(
        &program,
        "bare-environment",
        &s,
        Library::Path,
        false,
        &[],
        &["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    );
    run.assert_passed("bare-environment", 8);
    assert_eq!(common::total(&s), 0, "{:#?}", requests(&s));
}

/// The native library is not there: GameLiftAuthLoadException saying what to do, from every
/// entry point, every time.
#[test]
fn mono_program_reports_a_missing_native_library() {
    let program = build(Build::Plain);
    let s = StandIn::start();
    let run = run_mono(
        &program,
        "missing-library",
        &s,
        Library::Missing,
        false,
        &[],
        &[],
    );
    run.assert_passed("missing-library", 8);
}

/// The Runtime as Unity compiles it for iOS-like targets: it imports from "__Internal", which
/// resolves against the global symbols of the process (the library LD_PRELOADed stands in for
/// a statically linked player), and the default sink routes by level to UnityEngine.Debug.
#[test]
fn unity_build_imports_from_internal_and_routes_logs_to_debug() {
    let program = build(Build::UnityStatic);
    let s = StandIn::start();
    let run = run_mono(&program, "unity", &s, Library::Preload, false, &[], &[]);
    run.assert_passed("unity", 8);
    assert_eq!(count(&s, "GetComputeAuthToken"), 2, "{:#?}", requests(&s));
    assert_eq!(
        s.stats()["auth_failures"],
        1,
        "the clock-skewed first attempt"
    );
}

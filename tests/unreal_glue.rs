//! The Unreal plugin (`bindings/unreal/GameLiftAuth/`) without the engine, which cannot be built
//! here:
//!
//! - its engine-free core (`Source/GameLiftAuth/Private/GameLiftAuthCore.cpp`, on
//!   `examples-c/gamelift_auth.hpp`), compiled with g++ roughly as Unreal compiles a module (no
//!   RTTI; `-Wshadow -Wundef` on top of `-Wall -Wextra -Wpedantic -Werror`), linked with a test
//!   driver (`Tests~/core_test.cpp`) against the `libgamelift_auth.so` and `.a` that cargo built
//!   for this test, and run against the local stand-in: success with all five `InitSDK()` values,
//!   NotFound, Unauthorized, arguments refused before sending, a failed client creation that is
//!   not remembered, the log level mapping and the real log through it, concurrent first use;
//! - its Unreal glue (`Private/GameLiftAuth.cpp`, `Public/GameLiftAuth.h`), compiled syntax-only
//!   against stubs of the few engine types it uses (`Tests~/ue_stubs/`), on both sides of
//!   `PLATFORM_WINDOWS`, and as a unity build with the core under the stubs' `CoreMinimal.h`
//!   (whose one-argument `check` macro is Unreal's); negative controls show that the stubs catch
//!   the mistakes they claim to. This proves consistency with the stubs, not with the engine;
//! - its descriptors: the `.uplugin` JSON and the module names in the `Build.cs` files.
//!
//! A missing compiler fails the tests: it is not a skip. `CXX` chooses it (default `g++`).
#![cfg(target_os = "linux")]

mod common;

use common::native::{self, Run, root};
use common::{
    COMPUTE, FLEET, REGION, SECRET_KEY, StandIn, count, has_request_id, is_uuid_v4, now_s,
    requests, total,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// What Unreal adds to the usual warnings for a module: shadowing and undefined macros in `#if`
/// are errors there.
const WARNINGS: &[&str] = &[
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-Wshadow",
    "-Wundef",
];
/// How long one run of the driver may take (each library call is bounded by its 10 s timeout).
const RUN_LIMIT: Duration = Duration::from_secs(120);
const GET_TOKEN: &str = "GetComputeAuthToken";
/// A token the stand-in is told to hand out, so that the log test knows the secret to look for.
const KNOWN_TOKEN: &str = "Kn0w-unreal-core-secret-token-0123456789";

// ---- paths and the compiler --------------------------------------------------------------------

fn plugin() -> PathBuf {
    root().join("bindings/unreal/GameLiftAuth")
}

fn private_dir() -> PathBuf {
    plugin().join("Source/GameLiftAuth/Private")
}

fn stubs_dir() -> PathBuf {
    plugin().join("Tests~/ue_stubs")
}

/// The libgamelift_auth.so and .a cargo built for this test.
fn lib_dir() -> PathBuf {
    native::lib_dir(native::SHARED_AND_STATIC)
}

/// Where the objects, programs and test translation units go.
fn out_dir() -> PathBuf {
    native::out_dir("unreal_glue")
}

fn inc(dir: &Path) -> String {
    format!("-I{}", dir.display())
}

/// Runs the C++ compiler. Panics when it cannot be started (a missing compiler fails the test);
/// `Err` holds the command line and the diagnostics of a failed compilation.
fn run_compiler(args: &[String]) -> Result<(), String> {
    native::run_compiler(&native::compiler("CXX", "g++"), args, "set CXX")
}

/// `-std=<std>`, the warnings and no RTTI, as Unreal compiles a module.
fn base_args(std: &str) -> Vec<String> {
    let mut args = vec![format!("-std={std}"), "-fno-rtti".to_string()];
    args.extend(WARNINGS.iter().map(|s| s.to_string()));
    args
}

/// The include paths of the core: the C header, the C++ wrapper, the plugin's Private folder.
fn core_includes() -> Vec<String> {
    vec![
        inc(&root().join("include")),
        inc(&root().join("examples-c")),
        inc(&private_dir()),
    ]
}

/// The include paths of the glue: the stubs first, as Unreal's own headers would be.
fn glue_includes() -> Vec<String> {
    let mut v = vec![
        inc(&stubs_dir()),
        inc(&plugin().join("Source/GameLiftAuth/Public")),
    ];
    v.extend(core_includes());
    v
}

// ---- building the driver -----------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Link {
    Shared,
    Static,
}

/// The system libraries the Linux branch of GameLiftAuthLibrary.Build.cs links the static library
/// with (`string[] LinuxSystemLibraries = { "gcc_s", ... };`): the static driver is linked with
/// exactly these, so that the list is known to be enough (for g++ and libstdc++, at least).
fn build_cs_linux_system_libraries() -> Vec<String> {
    let path = plugin().join("Source/ThirdParty/GameLiftAuthLibrary/GameLiftAuthLibrary.Build.cs");
    let text = std::fs::read_to_string(&path).expect("read GameLiftAuthLibrary.Build.cs");
    let start = text
        .find("LinuxSystemLibraries = {")
        .expect("GameLiftAuthLibrary.Build.cs declares LinuxSystemLibraries");
    let rest = &text[start..];
    let list = &rest[rest.find('{').expect("{") + 1..rest.find('}').expect("}")];
    let libs: Vec<String> = list
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    assert!(libs.contains(&"pthread".to_string()), "{libs:?}");
    libs
}

/// Compiles the core and the driver once per test process, then links them shared or static
/// (also once each). Written under a temporary name, then renamed.
fn driver(link: Link) -> PathBuf {
    type Built = HashMap<&'static str, Result<PathBuf, String>>;
    static BUILT: Mutex<Option<Built>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let built = built.get_or_insert_with(HashMap::new);

    let objects = built
        .entry("objects")
        .or_insert_with(|| {
            for (source, object) in [
                (private_dir().join("GameLiftAuthCore.cpp"), "core.o"),
                (plugin().join("Tests~/core_test.cpp"), "core_test.o"),
            ] {
                let mut args = base_args("c++17");
                args.extend(["-O2".into(), "-g".into(), "-pthread".into()]);
                args.extend(core_includes());
                args.extend(["-c".into(), source.display().to_string()]);
                args.extend(["-o".into(), out_dir().join(object).display().to_string()]);
                run_compiler(&args)?;
            }
            Ok(out_dir())
        })
        .clone();
    let objects = objects.unwrap_or_else(|e| panic!("compiling the core and the driver:\n{e}"));

    let name = match link {
        Link::Shared => "core_test",
        Link::Static => "core_test_static",
    };
    let result = built.entry(name).or_insert_with(|| {
        let libs = lib_dir();
        let out = out_dir().join(name);
        let tmp = out_dir().join(format!("{name}.{}.tmp", std::process::id()));
        let mut args = vec![
            objects.join("core.o").display().to_string(),
            objects.join("core_test.o").display().to_string(),
            "-pthread".into(),
            "-o".into(),
            tmp.display().to_string(),
        ];
        match link {
            Link::Shared => {
                args.push(format!("-L{}", libs.display()));
                args.push("-lgamelift_auth".into());
                args.push(format!("-Wl,-rpath,{}", libs.display()));
            }
            Link::Static => {
                args.push(libs.join("libgamelift_auth.a").display().to_string());
                args.extend(
                    build_cs_linux_system_libraries()
                        .iter()
                        .map(|l| format!("-l{l}")),
                );
            }
        }
        run_compiler(&args)?;
        native::rename_into_place(&tmp, &out)
    });
    match result {
        Ok(path) => path.clone(),
        Err(e) => panic!("linking {name} failed:\n{e}"),
    }
}

// ---- running the driver ------------------------------------------------------------------------

impl Run {
    /// The value of the `key=value` line.
    fn get(&self, key: &str) -> &str {
        let prefix = format!("{key}=");
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .unwrap_or_else(|| panic!("no {key}= line\n{}", self.all()))
    }

    fn assert_ok(&self) {
        assert!(
            self.status.success(),
            "exit status {}\n{}",
            self.status,
            self.all()
        );
        assert_eq!(self.get("result"), "ok", "{}", self.all());
    }
}

/// Runs `core_test <case> <FLEET> <COMPUTE>` against the stand-in with nothing but a fixed
/// environment (the standard AWS variables for the stand-in; no HOME config, no IMDS), then
/// `extra` on top and without `unset`.
fn run(program: &Path, s: &StandIn, case: &str, extra: &[(&str, &str)], unset: &[&str]) -> Run {
    let mut cmd = native::standin_command(program, &out_dir().join("home"), &s.url);
    cmd.args([case, FLEET, COMPUTE]);
    native::adjust_env(&mut cmd, extra, unset);
    let (run, finished) = native::run_limited(&mut cmd, RUN_LIMIT)
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
    assert!(
        finished,
        "core_test {case} did not finish within {RUN_LIMIT:?}\n{}",
        run.all()
    );
    run
}

/// Neither stream holds `secret`, nor its first 8 characters.
fn assert_never_printed(r: &Run, secret: &str) {
    assert!(
        !r.all().contains(&secret[..8]),
        "{secret:?} (or its start) was printed:\n{}",
        r.all()
    );
}

// ---- the core against the stand-in -------------------------------------------------------------

/// All five InitSDK() values; then, in the driver, the cached token, a new process id per call,
/// invalidation and reset(). The stand-in saw exactly the requests that implies.
fn success_run(program: &Path) {
    let s = StandIn::start();
    let r = run(program, &s, "success", &[], &[]);
    r.assert_ok();
    assert_eq!(
        r.get("web_socket_url"),
        "wss://us-west-2.api.amazongamelift.com"
    );
    assert_eq!(r.get("fleet_id"), FLEET);
    assert_eq!(r.get("host_id"), COMPUTE);
    assert!(is_uuid_v4(r.get("process_id")), "{}", r.all());
    assert_eq!(r.get("token_len"), "36", "the stand-in's tokens are UUIDs");
    assert_eq!(r.get("token_prefix").len(), 4);
    let expires: i64 = r.get("expires_in_s").parse().expect("expires_in_s");
    assert!((3500..=3601).contains(&expires), "{}", r.all());
    assert_eq!(r.get("warning"), "");
    assert_eq!(r.get("clients_created"), "2");

    let log = requests(&s);
    assert_eq!(count(&s, "RegisterCompute"), 1, "{log:#?}");
    // The websocket URL is described once per client; the second server_parameters() call and
    // the token calls do not describe again.
    assert_eq!(count(&s, "DescribeCompute"), 1, "{log:#?}");
    assert_eq!(
        count(&s, GET_TOKEN),
        3,
        "the first fetch, after invalidate_token, after reset: {log:#?}"
    );
    assert_eq!(total(&s), 5, "{log:#?}");
    assert_eq!(s.stats()["auth_failures"], 0);
}

#[test]
fn core_gets_server_parameters_shared() {
    success_run(&driver(Link::Shared));
}

/// Linked with libgamelift_auth.a and exactly the system libraries GameLiftAuthLibrary.Build.cs
/// names for Linux.
#[test]
fn core_gets_server_parameters_static() {
    let program = driver(Link::Static);
    let bytes = std::fs::read(&program).expect("read the program");
    assert!(
        !bytes.windows(19).any(|w| w == b"libgamelift_auth.so"),
        "the static build still needs libgamelift_auth.so"
    );
    success_run(&program);
}

/// Without registration the stand-in does not know the compute: DescribeCompute says so, once.
#[test]
fn core_reports_not_found() {
    let s = StandIn::start();
    let r = run(&driver(Link::Shared), &s, "failure", &[], &[]);
    assert!(r.status.success(), "{}", r.all());
    assert_eq!(r.get("status"), "9", "{}", r.all());
    assert_eq!(r.get("status_name"), "GAMELIFT_AUTH_ERROR_NOT_FOUND");
    assert_eq!(r.get("transient"), "0");
    let message = r.get("message");
    assert!(
        message.starts_with(
            "gamelift_auth_server_parameters_new returned GAMELIFT_AUTH_ERROR_NOT_FOUND: "
        ),
        "{message}"
    );
    assert!(message.contains("NotFoundException"), "{message}");
    assert!(has_request_id(message), "{message}");
    assert_eq!(count(&s, "DescribeCompute"), 1, "{:#?}", requests(&s));
    assert_eq!(total(&s), 1, "NotFound is not retried: {:#?}", requests(&s));
}

#[test]
fn core_reports_wrong_credentials() {
    const WRONG_SECRET: &str = "wrong-secret-for-the-unreal-core-5c6d";
    let s = StandIn::start();
    let r = run(
        &driver(Link::Shared),
        &s,
        "failure",
        &[("AWS_SECRET_ACCESS_KEY", WRONG_SECRET)],
        &[],
    );
    assert!(r.status.success(), "{}", r.all());
    assert_eq!(r.get("status"), "8", "{}", r.all());
    assert_eq!(r.get("status_name"), "GAMELIFT_AUTH_ERROR_UNAUTHORIZED");
    assert_eq!(r.get("transient"), "0");
    let message = r.get("message");
    assert!(message.contains("InvalidSignatureException"), "{message}");
    assert!(has_request_id(message), "{message}");
    assert_never_printed(&r, WRONG_SECRET);
    assert_eq!(s.stats()["auth_failures"], 1);
    assert_eq!(
        total(&s),
        1,
        "a refused signature is not retried: {:#?}",
        requests(&s)
    );
}

#[test]
fn core_refuses_bad_arguments_before_sending() {
    let s = StandIn::start();
    let r = run(&driver(Link::Shared), &s, "invalid_argument", &[], &[]);
    r.assert_ok();
    assert_eq!(total(&s), 0, "{:#?}", requests(&s));
}

/// A client that could not be made (no region) is not remembered: once the region is set, the
/// next call makes it.
#[test]
fn core_retries_client_creation_after_a_config_error() {
    let s = StandIn::start();
    let r = run(
        &driver(Link::Shared),
        &s,
        "config_error_then_retry",
        &[("CORE_TEST_REGION_LATER", REGION)],
        &["AWS_REGION"],
    );
    r.assert_ok();
    let message = r.get("message");
    assert!(
        message.starts_with("gamelift_auth_client_new returned GAMELIFT_AUTH_ERROR_CONFIG"),
        "{message}"
    );
    assert!(message.contains("AWS_REGION"), "what to do: {message}");
    assert_eq!(count(&s, GET_TOKEN), 1, "{:#?}", requests(&s));
    assert_eq!(total(&s), 1, "{:#?}", requests(&s));
}

/// The mapping table (in the driver), then the library's real log through the sink: info ->
/// Log, trace -> VeryVerbose, nothing at Warning for a successful fetch, nothing when off; never
/// the token.
#[test]
fn core_maps_log_levels_and_routes_the_log() {
    let s = StandIn::start();
    let body = json!({
        "FleetId": FLEET,
        "FleetArn": format!("arn:aws:gamelift:{REGION}:123456789012:fleet/{FLEET}"),
        "ComputeName": COMPUTE,
        "ComputeArn": format!("arn:aws:gamelift:{REGION}:123456789012:compute/{COMPUTE}"),
        "AuthToken": KNOWN_TOKEN,
        "ExpirationTimestamp": (now_s() * 1000.0).round() / 1000.0 + 3600.0,
    });
    s.faults(json!([{"action": GET_TOKEN, "body": body.to_string(), "times": 10}]));
    let r = run(&driver(Link::Shared), &s, "log_levels", &[], &[]);
    r.assert_ok();
    assert!(
        r.stdout.contains(&format!(
            "log Log GetComputeAuthToken: new token for {FLEET}/{COMPUTE}"
        )),
        "{}",
        r.all()
    );
    assert!(
        r.stdout
            .contains("log VeryVerbose GetComputeAuthToken: attempt 1"),
        "{}",
        r.all()
    );
    assert_eq!(r.get("lines_at_warning"), "0");
    assert_never_printed(&r, KNOWN_TOKEN);
    assert_never_printed(&r, SECRET_KEY);
    // The first fetch, then one after each of the three invalidations.
    assert_eq!(count(&s, GET_TOKEN), 4, "{:#?}", requests(&s));
}

/// 16 threads make the first call on the process-wide core at once: one client and, with the
/// token fetch slowed down so that they all wait on it, one GetComputeAuthToken request.
#[test]
fn core_concurrent_first_use_shares_one_client() {
    let s = StandIn::start();
    s.faults(json!([{"action": GET_TOKEN, "delay_ms": 300}]));
    let r = run(&driver(Link::Shared), &s, "concurrent", &[], &[]);
    r.assert_ok();
    assert_eq!(r.get("threads"), "16");
    assert_eq!(r.get("clients_created"), "1");
    assert_eq!(count(&s, GET_TOKEN), 1, "{:#?}", requests(&s));
    assert_eq!(count(&s, "RegisterCompute"), 1);
    assert_eq!(s.stats()["auth_failures"], 0);
}

#[test]
fn core_checks_the_abi() {
    let s = StandIn::start();
    let r = run(&driver(Link::Shared), &s, "abi", &[], &[]);
    r.assert_ok();
    assert_eq!(r.get("version"), env!("CARGO_PKG_VERSION"));
    assert!(r.get("abi_problem").contains("9.9.9"), "{}", r.all());
    assert_eq!(total(&s), 0);
}

// ---- compiled, not run ---------------------------------------------------------------------------

/// Writes a test translation unit and returns its path.
fn test_tu(name: &str, text: &str) -> PathBuf {
    let path = out_dir().join(name);
    std::fs::write(&path, text).expect("write the test TU");
    path
}

/// The core as Unreal would see it: as C++17 and C++20 (UE 5.3 and later default to C++20),
/// alone and with the stubs' CoreMinimal.h force-included (Unreal force-includes its PCH into
/// every file of a module, and with it the one-argument `check` macro).
#[test]
fn core_compiles_as_a_module_file() {
    let core = private_dir().join("GameLiftAuthCore.cpp");
    let mut errors = Vec::new();
    for std in ["c++17", "c++20"] {
        for prelude in [false, true] {
            let mut args = base_args(std);
            args.extend(core_includes());
            if prelude {
                args.push(inc(&stubs_dir()));
                args.extend(["-include".into(), "CoreMinimal.h".into()]);
            }
            args.extend(["-fsyntax-only".into(), core.display().to_string()]);
            if let Err(e) = run_compiler(&args) {
                errors.push(e);
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}

/// The glue against the stubs, syntax only: both sides of PLATFORM_WINDOWS, C++17 and C++20,
/// without exceptions (the glue needs none), with GAMELIFTAUTH_API empty (monolithic) and as an
/// attribute (as the export macro of a modular build sits).
#[test]
fn glue_compiles_against_the_stubs() {
    let glue = private_dir().join("GameLiftAuth.cpp");
    let mut errors = Vec::new();
    let cases = [
        ("c++17", "0", ""),
        ("c++17", "1", ""),
        ("c++20", "0", ""),
        ("c++20", "1", ""),
        ("c++17", "0", "__attribute__((visibility(\"default\")))"),
    ];
    for (std, windows, api) in cases {
        let mut args = base_args(std);
        args.push("-fno-exceptions".into());
        args.extend(glue_includes());
        args.push(format!("-DPLATFORM_WINDOWS={windows}"));
        args.push(format!("-DGAMELIFTAUTH_API={api}"));
        args.extend(["-fsyntax-only".into(), glue.display().to_string()]);
        if let Err(e) = run_compiler(&args) {
            errors.push(e);
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}

/// A unity build (Unreal's default) puts the module's .cpp files into one translation unit, in
/// either order, under the force-included PCH, with the module's exceptions on.
#[test]
fn unity_build_of_the_module_compiles() {
    let glue = private_dir().join("GameLiftAuth.cpp");
    let core = private_dir().join("GameLiftAuthCore.cpp");
    let mut errors = Vec::new();
    for (name, first, second) in [
        ("unity_glue_first.cpp", &glue, &core),
        ("unity_core_first.cpp", &core, &glue),
    ] {
        let tu = test_tu(
            name,
            &format!(
                "#include \"{}\"\n#include \"{}\"\n",
                first.display(),
                second.display()
            ),
        );
        let mut args = base_args("c++17");
        args.extend(glue_includes());
        args.extend(["-include".into(), "CoreMinimal.h".into()]);
        args.push("-DGAMELIFTAUTH_API=".into());
        args.extend(["-fsyntax-only".into(), tu.display().to_string()]);
        if let Err(e) = run_compiler(&args) {
            errors.push(e);
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}

/// Negative controls: each snippet is a mistake the stubs claim to catch, and must not compile,
/// with the expected diagnostic; the same prelude with a correct line compiles.
#[test]
fn stubs_catch_the_mistakes_they_claim_to() {
    const PRELUDE: &str = "#include \"CoreMinimal.h\"\n\
         #include \"Templates/ValueOrError.h\"\n\
         DECLARE_LOG_CATEGORY_EXTERN(LogStubTest, Log, All);\n\
         DEFINE_LOG_CATEGORY(LogStubTest);\n";
    let compile = |name: &str, body: &str| {
        let tu = test_tu(name, &format!("{PRELUDE}{body}\n"));
        let mut args = base_args("c++17");
        args.extend(glue_includes());
        args.extend(["-fsyntax-only".into(), tu.display().to_string()]);
        run_compiler(&args)
    };
    compile(
        "stub_ok.cpp",
        "void F(const FString& S) { UE_LOG(LogStubTest, Log, TEXT(\"%s\"), *S); }\n\
         TValueOrError<int32, FString> G() { return MakeValue(1); }\n\
         void H(FString& S) { FString T = MoveTemp(S); (void)T; }",
    )
    .unwrap_or_else(|e| panic!("the correct snippet does not compile:\n{e}"));

    // The C++ wrapper itself compiles under Unreal's one-argument `check` macro.
    compile("wrapper_under_check.cpp", "#include \"gamelift_auth.hpp\"").unwrap_or_else(|e| {
        panic!("gamelift_auth.hpp does not compile under Unreal's macros:\n{e}")
    });

    let mistakes = [
        (
            "an FString passed to UE_LOG",
            "void F(const FString& S) { UE_LOG(LogStubTest, Log, TEXT(\"%s\"), S); }",
            "pass *SomeFString, not the FString",
        ),
        (
            "a format that is not a TEXT() literal",
            "void F(const TCHAR* Format) { UE_LOG(LogStubTest, Log, Format); }",
            "no matching function",
        ),
        (
            "a verbosity that does not exist",
            "void F() { UE_LOG(LogStubTest, Info, TEXT(\"x\")); }",
            "Info",
        ),
        (
            "UTF-8 from FTCHARToUTF8 read as char",
            "const char* F(const FTCHARToUTF8& C) { return C.Get(); }",
            "cannot convert",
        ),
        (
            "MoveTemp of a const object",
            "void F(const FString& S) { FString T = MoveTemp(S); (void)T; }",
            "MoveTemp called on a const object",
        ),
        (
            "a TValueOrError made without MakeValue/MakeError",
            "TValueOrError<int32, FString> F() { return TValueOrError<int32, FString>(); }",
            "no matching function",
        ),
    ];
    let mut wrong = Vec::new();
    for (i, (what, body, expected)) in mistakes.iter().enumerate() {
        match compile(&format!("stub_mistake_{i}.cpp"), body) {
            Ok(()) => wrong.push(format!("{what}: compiled")),
            Err(e) if !e.contains(expected) => {
                wrong.push(format!("{what}: failed without {expected:?}:\n{e}"));
            }
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

// ---- the descriptors ---------------------------------------------------------------------------

/// The .uplugin parses and lists the runtime module; every module it lists has
/// Source/<Name>/<Name>.Build.cs declaring class <Name>; the ThirdParty module is External and
/// only reached as a dependency (an External module in .uplugin would be loaded as a binary); the
/// export macro the header uses is the one UBT defines for the module.
#[test]
fn plugin_descriptors_are_consistent() {
    let text =
        std::fs::read_to_string(plugin().join("GameLiftAuth.uplugin")).expect("read .uplugin");
    let uplugin: Value = serde_json::from_str(&text).expect("the .uplugin is JSON");
    assert_eq!(uplugin["FileVersion"], 3);
    assert_eq!(uplugin["VersionName"], env!("CARGO_PKG_VERSION"));
    let modules = uplugin["Modules"].as_array().expect("Modules");
    assert_eq!(modules.len(), 1, "{modules:#?}");
    assert_eq!(modules[0]["Name"], "GameLiftAuth");
    assert_eq!(modules[0]["Type"], "Runtime");

    let build_cs = |dir: &str, name: &str| -> String {
        let path = plugin().join(format!("Source/{dir}{name}/{name}.Build.cs"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for needle in [
            format!("public class {name} : ModuleRules"),
            format!("public {name}(ReadOnlyTargetRules Target) : base(Target)"),
        ] {
            assert!(
                text.contains(&needle),
                "{} lacks {needle:?}",
                path.display()
            );
        }
        text
    };
    let runtime = build_cs("", "GameLiftAuth");
    let library = build_cs("ThirdParty/", "GameLiftAuthLibrary");
    assert!(
        runtime.contains("\"GameLiftAuthLibrary\""),
        "the runtime module depends on it"
    );
    assert!(
        runtime.contains("bEnableExceptions = true"),
        "gamelift_auth.hpp throws"
    );
    assert!(library.contains("Type = ModuleType.External"));
    for needle in [
        "gamelift_auth.dll.lib",
        "PublicDelayLoadDLLs.Add(\"gamelift_auth.dll\")",
        "RuntimeDependencies.Add(\"$(BinaryOutputDir)/gamelift_auth.dll\"",
        "libgamelift_auth.a",
        "libgamelift_auth.so",
        "libgamelift_auth.dylib",
        "UnrealTargetPlatform.LinuxArm64",
    ] {
        assert!(
            library.contains(needle),
            "GameLiftAuthLibrary.Build.cs lacks {needle:?}"
        );
    }

    let header =
        std::fs::read_to_string(plugin().join("Source/GameLiftAuth/Public/GameLiftAuth.h"))
            .expect("read GameLiftAuth.h");
    assert!(header.contains("class GAMELIFTAUTH_API FGameLiftAuth"));
    assert!(header.contains("GAMELIFTAUTH_API DECLARE_LOG_CATEGORY_EXTERN(LogGameLiftAuth"));
    let glue = std::fs::read_to_string(private_dir().join("GameLiftAuth.cpp")).expect("read glue");
    assert!(glue.contains("IMPLEMENT_MODULE(FGameLiftAuthModule, GameLiftAuth)"));
}

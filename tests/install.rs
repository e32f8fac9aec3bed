//! `scripts/install.sh` into temporary prefixes, then the installed library used the ways
//! the README shows: CMake's `find_package` (the shared and the static imported target)
//! and pkg-config (`--cflags --libs`, and `--static`), each program run against the local
//! stand-in with no `LD_LIBRARY_PATH`, so that the SONAME, the symlinks and the rpath are what
//! find the library.
//!
//! The script builds the release library itself (`cargo rustc --release --lib`, in the same
//! target directory: about 80 s from nothing on two cores, a second when up to date).
//! cmake, pkg-config, patchelf, readelf and a C compiler (`cc`) must be installed: a missing one
//! fails the test (.ci/run installs them). Linux only, like the script.
#![cfg(target_os = "linux")]

mod common;

use common::native::{self, root};
use common::{COMPUTE, FLEET, SECRET_KEY, StandIn, count};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where the staged (`--destdir`) install says it will live.
const STAGED_PREFIX: &str = "/opt/gamelift-auth";
/// How long one example may run (each library call is bounded by its 10 s default timeout).
const RUN_LIMIT: Duration = Duration::from_secs(120);

fn version_parts() -> (u64, u64, u64) {
    let n = |s: &str| s.parse::<u64>().expect("a numeric version part");
    (
        n(env!("CARGO_PKG_VERSION_MAJOR")),
        n(env!("CARGO_PKG_VERSION_MINOR")),
        n(env!("CARGO_PKG_VERSION_PATCH")),
    )
}

/// cargo-c's rule, which the script follows: MAJOR for MAJOR >= 1, 0.MINOR, or 0.0.PATCH.
fn soname() -> String {
    let sover = match version_parts() {
        (0, 0, patch) => format!("0.0.{patch}"),
        (0, minor, _) => format!("0.{minor}"),
        (major, _, _) => format!("{major}"),
    };
    format!("libgamelift_auth.so.{sover}")
}

// ---- running tools -----------------------------------------------------------------------------

/// Runs `cmd` to completion; panics with its output when it cannot start or fails.
fn check(cmd: &mut Command) -> String {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\n{}",
        out.status,
        text(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `cmd` to completion; panics when it cannot start (a missing tool fails the test).
fn output(cmd: &mut Command) -> Output {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {program}: {e}. This test needs cmake, pkg-config, patchelf, binutils \
             (readelf, nm) and a C compiler; Debian: apt-get install cmake pkg-config patchelf \
             build-essential (.ci/run does)"
        )
    })
}

fn text(out: &Output) -> String {
    format!(
        "--- stdout ---\n{}--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `readelf -d`: the NEEDED entries, the SONAME and the RUNPATH/RPATH of an ELF file.
struct Dynamic {
    needed: Vec<String>,
    soname: Option<String>,
    runpath: Option<String>,
}

fn dynamic(file: &Path) -> Dynamic {
    let out = check(Command::new("readelf").arg("-d").arg(file));
    let value = |line: &str| -> String {
        let start = line.find('[').expect("readelf prints [value]") + 1;
        let end = line.rfind(']').expect("readelf prints [value]");
        line[start..end].to_string()
    };
    let mut d = Dynamic {
        needed: Vec::new(),
        soname: None,
        runpath: None,
    };
    for line in out.lines() {
        if line.contains("(NEEDED)") {
            d.needed.push(value(line));
        } else if line.contains("(SONAME)") {
            d.soname = Some(value(line));
        } else if line.contains("(RUNPATH)") || line.contains("(RPATH)") {
            d.runpath = Some(value(line));
        }
    }
    d
}

// ---- the installs ------------------------------------------------------------------------------

/// This process's scratch directory, under cargo's; those of finished runs are removed.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("install");
        fs::create_dir_all(&base).expect("create the scratch directory");
        for entry in fs::read_dir(&base)
            .expect("read the scratch directory")
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let alive = name
                .parse::<u32>()
                .is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
            if !alive {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        let dir = base.join(std::process::id().to_string());
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the scratch directory");
        dir
    })
}

/// `scripts/install.sh` with `args`, in the test's environment less the loader path that
/// `cargo test` sets.
fn install_script(args: &[&OsStr]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/install.sh"))
        .args(args)
        .env("CARGO", env!("CARGO"))
        .env_remove("LD_LIBRARY_PATH");
    output(&mut cmd)
}

fn install_into(args: &[&OsStr]) {
    let out = install_script(args);
    assert!(
        out.status.success(),
        "scripts/install.sh {args:?} failed ({})\n{}",
        out.status,
        text(&out)
    );
}

/// The plain install: `--prefix <scratch>/prefix`. Its directory.
fn prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let prefix = scratch().join("prefix");
        install_into(&[OsStr::new("--prefix"), prefix.as_os_str()]);
        prefix
    })
}

/// The staged install: `--destdir <scratch>/stage --prefix /opt/gamelift-auth`. Where its
/// prefix landed, `<scratch>/stage/opt/gamelift-auth`. Waits for [`prefix`] first: the two
/// would only queue on cargo's lock.
fn staged_prefix() -> &'static Path {
    static STAGED: OnceLock<PathBuf> = OnceLock::new();
    STAGED.get_or_init(|| {
        prefix();
        let stage = scratch().join("stage");
        install_into(&[
            OsStr::new("--destdir"),
            stage.as_os_str(),
            OsStr::new("--prefix"),
            OsStr::new(STAGED_PREFIX),
        ]);
        stage.join(STAGED_PREFIX.trim_start_matches('/'))
    })
}

/// A fresh directory holding examples-c/game_server.c, for one build.
fn project_dir(name: &str) -> PathBuf {
    let dir = scratch().join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create the project directory");
    fs::copy(
        root().join("examples-c/game_server.c"),
        dir.join("game_server.c"),
    )
    .expect("copy game_server.c");
    dir
}

// ---- running the programs ----------------------------------------------------------------------

/// Runs `program` against a fresh stand-in with nothing but the standard AWS variables for it
/// (no `LD_LIBRARY_PATH`: the program finds the library by itself), as a game server that
/// registers its compute first, and checks that it got a token from it.
fn run_against_standin(program: &Path) {
    let s = StandIn::start();
    let mut cmd = native::standin_command(program, &scratch().join("home"), &s.url);
    cmd.args([FLEET, COMPUTE, "127.0.0.1"]);
    let (out, finished) = native::run_limited(&mut cmd, RUN_LIMIT)
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
    assert!(
        finished,
        "{} did not finish within {RUN_LIMIT:?}\n{}",
        program.display(),
        out.all()
    );
    assert!(
        out.status.success() && out.stdout.contains("token acquired ("),
        "{} ({})\n{}",
        program.display(),
        out.status,
        out.all()
    );
    assert!(
        !out.all().contains(SECRET_KEY),
        "the secret key was printed\n{}",
        out.all()
    );
    assert_eq!(count(&s, "RegisterCompute"), 1);
    assert_eq!(count(&s, "GetComputeAuthToken"), 1);
}

/// Where the dynamic loader finds `lib` for `program`, as `ldd` would say, in an environment
/// without `LD_LIBRARY_PATH`.
fn resolved(program: &Path, lib: &str) -> Option<PathBuf> {
    let out = check(
        Command::new(program)
            .env_clear()
            .env("LD_TRACE_LOADED_OBJECTS", "1"),
    );
    out.lines().find_map(|l| {
        let (name, rest) = l.trim().split_once(" => ")?;
        (name == lib).then(|| PathBuf::from(rest.split(" (").next().unwrap_or(rest).trim()))
    })
}

/// A program linked to the installed shared library: it names the SONAME, and the loader finds
/// it in `libdir` through the symlink.
fn assert_links_shared(program: &Path, libdir: &Path) {
    let d = dynamic(program);
    assert!(
        d.needed.contains(&soname()),
        "{} needs {:?}, not {}",
        program.display(),
        d.needed,
        soname()
    );
    assert_eq!(
        resolved(program, &soname()),
        Some(libdir.join(soname())),
        "{} loads the installed library",
        program.display()
    );
}

/// A program linked to the installed static library needs no libgamelift_auth at run time.
fn assert_links_static(program: &Path) {
    let d = dynamic(program);
    assert!(
        !d.needed.iter().any(|n| n.starts_with("libgamelift_auth")),
        "{} needs {:?}",
        program.display(),
        d.needed
    );
    let symbols = check(Command::new("nm").arg(program));
    assert!(
        symbols.contains(" T gamelift_auth_client_new"),
        "{} holds the library's code",
        program.display()
    );
}

// ---- the tests ---------------------------------------------------------------------------------

#[test]
fn installs_the_files_with_a_soname_and_symlinks() {
    let prefix = prefix();
    let lib = prefix.join("lib");
    let real = format!("libgamelift_auth.so.{VERSION}");
    let mode = |p: &Path| {
        fs::symlink_metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };

    // The real file, and the two symlinks to it (relative, so that the tree can move).
    assert!(lib.join(&real).is_file(), "{real}");
    assert_eq!(mode(&lib.join(&real)), 0o755);
    for link in [soname(), "libgamelift_auth.so".to_string()] {
        let target = fs::read_link(lib.join(&link)).unwrap_or_else(|e| panic!("{link}: {e}"));
        assert_eq!(target, Path::new(&real), "{link} -> {real}");
    }
    let d = dynamic(&lib.join(&real));
    assert_eq!(d.soname, Some(soname()));
    assert_eq!(d.runpath, None, "no rpath in the installed library");

    // The static library, the header (the committed one), the pkg-config and CMake files.
    let archive = fs::read(lib.join("libgamelift_auth.a")).expect("libgamelift_auth.a");
    assert!(archive.starts_with(b"!<arch>\n"), "an ar archive");
    assert_eq!(
        fs::read(prefix.join("include/gamelift_auth.h")).expect("installed header"),
        fs::read(root().join("include/gamelift_auth.h")).expect("committed header")
    );
    for f in [
        "lib/libgamelift_auth.a",
        "include/gamelift_auth.h",
        "lib/pkgconfig/gamelift-auth.pc",
        "lib/cmake/GameLiftAuth/GameLiftAuthConfig.cmake",
        "lib/cmake/GameLiftAuth/GameLiftAuthConfigVersion.cmake",
    ] {
        assert_eq!(mode(&prefix.join(f)), 0o644, "{f}");
    }

    // Nothing else was installed.
    let mut all = Vec::new();
    let mut dirs = vec![prefix.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("read the prefix").flatten() {
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                dirs.push(path);
            } else {
                let rel = path.strip_prefix(prefix).expect("inside the prefix");
                all.push(rel.display().to_string());
            }
        }
    }
    all.sort();
    let mut expected = vec![
        "include/gamelift_auth.h".to_string(),
        "lib/cmake/GameLiftAuth/GameLiftAuthConfig.cmake".to_string(),
        "lib/cmake/GameLiftAuth/GameLiftAuthConfigVersion.cmake".to_string(),
        "lib/libgamelift_auth.a".to_string(),
        "lib/libgamelift_auth.so".to_string(),
        format!("lib/{}", soname()),
        format!("lib/{real}"),
        "lib/pkgconfig/gamelift-auth.pc".to_string(),
    ];
    expected.sort();
    assert_eq!(all, expected);
}

#[test]
fn the_installed_library_exports_only_the_c_api() {
    let so = prefix().join("lib").join(soname());
    let out = check(Command::new("nm").args(["-D", "--defined-only"]).arg(&so));
    let names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    assert!(
        names.contains(&"gamelift_auth_client_new") && names.contains(&"gamelift_auth_get_token"),
        "{names:?}"
    );
    let others: Vec<&&str> = names
        .iter()
        .filter(|n| !n.starts_with("gamelift_auth_"))
        .collect();
    assert!(
        others.is_empty(),
        "exported besides gamelift_auth_*: {others:?}"
    );
}

#[test]
fn pkg_config_describes_the_install() {
    let prefix = prefix();
    let pc = |args: &[&str]| {
        check(
            Command::new("pkg-config")
                .args(args)
                .arg("gamelift-auth")
                .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig")),
        )
        .trim()
        .to_string()
    };
    let lib = prefix.join("lib");
    assert_eq!(pc(&["--modversion"]), VERSION);
    assert_eq!(
        pc(&["--cflags"]),
        format!("-I{}", prefix.join("include").display())
    );
    assert_eq!(
        pc(&["--libs"]),
        format!("-L{} -lgamelift_auth", lib.display())
    );
    // The native libraries rustc names for the static library, after the library itself.
    let statics = pc(&["--static", "--libs"]);
    let expected = format!("-L{} -lgamelift_auth ", lib.display());
    assert!(statics.starts_with(&expected), "{statics}");
    for l in ["-lpthread", "-ldl", "-lm", "-lrt", "-lutil", "-lgcc_s"] {
        assert!(
            statics.split_whitespace().any(|w| w == l),
            "{l} in {statics}"
        );
    }
    assert_eq!(pc(&["--variable=libdir"]), lib.display().to_string());
}

#[test]
fn pkg_config_snippet_builds_shared_and_static() {
    let prefix = prefix();
    let dir = project_dir("pkg-config");
    check(
        Command::new("sh")
            .arg(root().join("packaging/example/build-with-pkg-config.sh"))
            .current_dir(&dir)
            .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
            .env_remove("LD_LIBRARY_PATH")
            .env_remove("LIBRARY_PATH"),
    );
    let shared = dir.join("game_server");
    assert_links_shared(&shared, &prefix.join("lib"));
    assert_eq!(
        dynamic(&shared).runpath,
        Some(prefix.join("lib").display().to_string())
    );
    let fixed = dir.join("game_server_static");
    assert_links_static(&fixed);
    run_against_standin(&shared);
    run_against_standin(&fixed);
}

/// Through the staged (`--destdir`) install, found where it was unpacked, not where its files
/// say: the CMake package is relocatable.
#[test]
fn cmake_find_package_builds_shared_and_static() {
    let prefix = staged_prefix();
    let dir = project_dir("cmake");
    fs::copy(
        root().join("packaging/example/CMakeLists.txt"),
        dir.join("CMakeLists.txt"),
    )
    .expect("copy CMakeLists.txt");
    let build = dir.join("build");
    check(
        Command::new("cmake")
            .arg("-S")
            .arg(&dir)
            .arg("-B")
            .arg(&build)
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
            .env_remove("LD_LIBRARY_PATH"),
    );
    check(Command::new("cmake").arg("--build").arg(&build));
    let shared = build.join("game_server");
    assert_links_shared(&shared, &prefix.join("lib"));
    let fixed = build.join("game_server_static");
    assert_links_static(&fixed);
    run_against_standin(&shared);
    run_against_standin(&fixed);
}

#[test]
fn destdir_stages_the_files_for_the_final_prefix() {
    let staged = staged_prefix();
    let stage = scratch().join("stage");
    // Everything under <destdir>/opt/gamelift-auth, nothing beside it.
    let top: Vec<_> = fs::read_dir(&stage)
        .expect("read the stage")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(top, vec![OsStr::new("opt").to_os_string()]);
    assert!(staged.join("lib").join(soname()).exists());
    // The pkg-config file names the final prefix, not the stage.
    let pc = fs::read_to_string(staged.join("lib/pkgconfig/gamelift-auth.pc")).expect(".pc");
    assert!(
        pc.lines().any(|l| l == format!("prefix={STAGED_PREFIX}")),
        "{pc}"
    );
    assert!(!pc.contains(&stage.display().to_string()), "{pc}");
}

/// Our hand-written SameMajorVersion file answers every request as the file CMake writes with
/// `write_basic_package_version_file(... COMPATIBILITY SameMajorVersion)` does (ranges, EXACT,
/// a 32-bit build).
#[test]
fn cmake_version_file_agrees_with_cmakes_own() {
    let installed = prefix().join("lib/cmake/GameLiftAuth/GameLiftAuthConfigVersion.cmake");
    let (major, minor, patch) = version_parts();
    let requests = [
        format!("{major}"),
        format!("{major}.{minor}"),
        VERSION.to_string(),
        format!("{VERSION} EXACT"),
        format!("{major}.{minor} EXACT"),
        format!("{major}.{minor}.{}", patch + 1),
        format!("{major}.{}", minor + 1),
        format!("{}", major + 1),
        format!("{}.0", major + 1),
        format!("{major}.0...{major}.{minor}"),
        format!("{major}.{minor}...<{major}.{}", minor + 1),
        format!("{major}.0...<{}", major + 1),
        format!("{major}.0...<{}", major + 2),
        format!("{major}.0...{}", major + 1),
        format!("{major}.{}...{major}.{}", minor + 1, minor + 2),
        "0.0.1".to_string(),
    ];

    let dir = scratch().join("version-check");
    let _ = fs::remove_dir_all(&dir);
    let ours = dir.join("ours");
    fs::create_dir_all(&ours).expect("create dir");
    fs::copy(&installed, ours.join("GameLiftAuthConfigVersion.cmake")).expect("copy");
    // An empty package: only the version file is under test here.
    fs::write(ours.join("GameLiftAuthConfig.cmake"), "").expect("write");
    let cmakelists = format!(
        r#"cmake_minimum_required(VERSION 3.19)
project(version_check NONE)
include(CMakePackageConfigHelpers)
set(CMAKE_SIZEOF_VOID_P 8)
set(reference "${{CMAKE_BINARY_DIR}}/reference")
write_basic_package_version_file("${{reference}}/GameLiftAuthConfigVersion.cmake"
  VERSION {VERSION} COMPATIBILITY SameMajorVersion)
file(WRITE "${{reference}}/GameLiftAuthConfig.cmake" "")
set(ours "{ours}")
foreach(bytes 8 4)
  set(CMAKE_SIZEOF_VOID_P ${{bytes}})
  foreach(request IN ITEMS {requests})
    separate_arguments(args UNIX_COMMAND "${{request}}")
    foreach(which ours reference)
      unset(GameLiftAuth_DIR CACHE)
      unset(GameLiftAuth_FOUND)
      find_package(GameLiftAuth ${{args}} QUIET NO_DEFAULT_PATH PATHS "${{${{which}}}}")
      message(STATUS "RESULT|${{which}}|${{bytes}}|${{request}}|${{GameLiftAuth_FOUND}}")
    endforeach()
  endforeach()
endforeach()
"#,
        ours = ours.display(),
        requests = requests
            .iter()
            .map(|r| format!("\"{r}\""))
            .collect::<Vec<_>>()
            .join(" "),
    );
    fs::write(dir.join("CMakeLists.txt"), cmakelists).expect("write CMakeLists.txt");
    let out = check(
        Command::new("cmake")
            .arg("-S")
            .arg(&dir)
            .arg("-B")
            .arg(dir.join("build")),
    );

    // (bytes, request) -> found, for each version file.
    let mut results: BTreeMap<&str, BTreeMap<(String, String), bool>> = BTreeMap::new();
    for line in out.lines() {
        let Some(rest) = line.strip_prefix("-- RESULT|") else {
            continue;
        };
        let f: Vec<&str> = rest.split('|').collect();
        let which = if f[0] == "ours" { "ours" } else { "reference" };
        let found = matches!(f[3], "1" | "TRUE" | "ON" | "YES");
        results
            .entry(which)
            .or_default()
            .insert((f[1].to_string(), f[2].to_string()), found);
    }
    assert_eq!(results["ours"].len(), 2 * requests.len(), "{out}");
    assert_eq!(results["ours"], results["reference"], "{out}");

    // And what that means, spelled out for this version.
    let found = |bytes: &str, request: String| results["ours"][&(bytes.to_string(), request)];
    assert!(found("8", format!("{major}.{minor}")));
    assert!(found("8", format!("{VERSION} EXACT")));
    assert!(!found("8", format!("{major}.{}", minor + 1)), "newer");
    assert!(!found("8", format!("{}", major + 1)), "another major");
    assert!(!found("4", format!("{major}.{minor}")), "a 32-bit build");
}

#[test]
fn the_docs_show_the_snippets_the_tests_build() {
    let docs = fs::read_to_string(root().join("README.md")).expect("README.md");
    for snippet in [
        "packaging/example/CMakeLists.txt",
        "packaging/example/build-with-pkg-config.sh",
    ] {
        let text = fs::read_to_string(root().join(snippet)).expect(snippet);
        assert!(
            docs.contains(&text),
            "README.md must show {snippet} verbatim"
        );
    }
    assert!(docs.contains("scripts/install.sh --prefix"));
}

#[test]
fn refuses_bad_arguments_before_building() {
    let cases: [(&[&str], &str); 4] = [
        (&["--prefix", "relative/dir"], "absolute"),
        (
            &["--prefix", "/opt/x", "--libdir", "/usr/lib"],
            "not inside",
        ),
        (&["--prefix", "/opt/x", "--libdir", "../lib"], "plain path"),
        (&["--frobnicate"], "unknown argument"),
    ];
    for (args, message) in cases {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let out = install_script(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}\n{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("building"),
            "{args:?}: refused before building"
        );
    }
}

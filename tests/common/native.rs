//! Helpers for the tests that build and run native programs against the library cargo built
//! for the test (C and C++ examples, the Unreal glue, the sanitizers, the Mono program, the
//! install script): where the library and the outputs are, running a compiler, building once
//! per test process, and running a program against the stand-in with a controlled environment
//! and a time limit.

use super::{ACCESS_KEY, REGION, SECRET_KEY};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::hash::Hash;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// The shared library alone.
pub const SHARED: &[&str] = &["libgamelift_auth.so"];
/// The shared and the static library.
pub const SHARED_AND_STATIC: &[&str] = &["libgamelift_auth.so", "libgamelift_auth.a"];

/// The crate root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where cargo left the libgamelift_auth.so and .a it built for this test: next to the test
/// binary, in target/<profile>/deps. (Not target/<profile>: `cargo test` does not copy them up
/// there, only `cargo build` does, so the copies there may be stale or missing.) Asserts that
/// each of `libs` is there.
pub fn lib_dir(libs: &[&str]) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let dir = exe
        .parent()
        .expect("the test binary lives in target/<profile>/deps")
        .to_path_buf();
    for lib in libs {
        assert!(
            dir.join(lib).is_file(),
            "{} does not exist: cargo builds it with the tests (crate-type cdylib and staticlib)",
            dir.join(lib).display()
        );
    }
    dir
}

/// The directory `name` under cargo's scratch space for the tests, created.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("create the output directory");
    dir
}

/// The compiler the variable `var` names, or `default`.
pub fn compiler(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

/// Runs the compiler `cc` with `args`. Panics when it cannot be started (a missing compiler
/// fails the test; `hint` says what to set or install); `Err` holds the command line and the
/// diagnostics of a failed compilation.
pub fn run_compiler(cc: &str, args: &[String], hint: &str) -> Result<(), String> {
    let out = Command::new(cc)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cc}: {e} ({hint})"));
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cc} {} failed ({}):\n{}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The programs a test process built, by key (see [`build_once`]).
pub type Built<K> = Mutex<Option<HashMap<K, Result<PathBuf, String>>>>;

/// The program `key` of `built`, made by `make` on the first call of this test process; later
/// calls get the same result. Panics with `what` when making it failed.
pub fn build_once<K: Eq + Hash>(
    built: &Built<K>,
    key: K,
    what: &str,
    make: impl FnOnce() -> Result<PathBuf, String>,
) -> PathBuf {
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    let result = built
        .get_or_insert_with(HashMap::new)
        .entry(key)
        .or_insert_with(make);
    match result {
        Ok(path) => path.clone(),
        Err(e) => panic!("building {what} failed:\n{e}"),
    }
}

/// Moves the finished `tmp` to `out`: programs are written under a temporary name, then
/// renamed, so that a concurrent run of the test never executes a half-written file.
pub fn rename_into_place(tmp: &Path, out: &Path) -> Result<PathBuf, String> {
    std::fs::rename(tmp, out).map_err(|e| format!("rename {}: {e}", tmp.display()))?;
    Ok(out.to_path_buf())
}

/// `program` with nothing but a fixed environment: the standard AWS variables for the stand-in
/// at `url` (HOME is `home`, created, with no AWS config or credentials files; no IMDS).
pub fn standin_command(program: impl AsRef<OsStr>, home: &Path, url: &str) -> Command {
    std::fs::create_dir_all(home).expect("create HOME");
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", REGION)
        .env("AWS_ENDPOINT_URL_GAMELIFT", url)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    cmd
}

/// Sets each `extra` variable, then removes each of `unset`.
pub fn adjust_env<'c>(
    cmd: &'c mut Command,
    extra: &[(&str, &str)],
    unset: &[&str],
) -> &'c mut Command {
    for (k, v) in extra {
        cmd.env(k, v);
    }
    for k in unset {
        cmd.env_remove(k);
    }
    cmd
}

/// What a program run with [`run_limited`] did.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Both streams, for the "never printed" checks and for failure messages.
    pub fn all(&self) -> String {
        format!(
            "--- stdout ---\n{}--- stderr ---\n{}",
            self.stdout, self.stderr
        )
    }
}

/// Runs `cmd` with no stdin, reading both streams (lossily as UTF-8) while it runs; kills it
/// when it has not finished within `limit`. `Err` when it cannot be started; with the run,
/// whether it finished in time.
pub fn run_limited(cmd: &mut Command, limit: Duration) -> std::io::Result<(Run, bool)> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = read(Box::new(child.stdout.take().expect("stdout")));
    let err = read(Box::new(child.stderr.take().expect("stderr")));
    let mut status = None;
    let finished = super::wait_until(limit, || {
        status = child.try_wait().expect("try_wait");
        status.is_some()
    });
    if !finished {
        let _ = child.kill();
    }
    let run = Run {
        status: status.unwrap_or_else(|| child.wait().expect("wait")),
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    };
    Ok((run, finished))
}

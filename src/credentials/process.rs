//! `credential_process`: credentials printed as JSON by a command of the user's choice.
//!
//! The command line runs as the AWS SDKs run it: `sh -c <command>` on Unix, `cmd.exe /C <command>`
//! on Windows, with stdin closed and stdout/stderr captured (capped). The call's deadline is
//! enforced: past it the command is killed (on Unix its whole process group, so a shell's children
//! go too) and the provider fails. The output must be
//! `{"Version": 1, "AccessKeyId": .., "SecretAccessKey": .., "SessionToken": .., "Expiration": ..}`
//! (`SessionToken` and the RFC 3339 `Expiration` optional). Stdout holds secrets: it is wiped after
//! use and never quoted in a message; the first line of stderr may be.

use super::{Credentials, ProvideContext, Provider, excerpt, parse_rfc3339};
use crate::error::{Error, Result};
use crate::secret::Secret;
use serde::Deserialize;
use std::fmt;
use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use zeroize::{Zeroize, Zeroizing};

/// Most stdout we keep; more is an error.
const MAX_STDOUT: usize = 64 * 1024;
/// Most stderr we keep; more is dropped.
const MAX_STDERR: usize = 16 * 1024;
/// Longest pause between two checks of the child.
const MAX_POLL: Duration = Duration::from_millis(20);

/// Runs the `credential_process` command of one profile on each call (put a cache in front).
#[derive(Clone)]
pub struct ProcessProvider {
    profile: String,
    command: String,
}

impl fmt::Debug for ProcessProvider {
    // The command line may carry a token: leave it out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessProvider")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl ProcessProvider {
    /// The provider of `command`, the `credential_process` of profile `profile`.
    pub fn new(profile: impl Into<String>, command: impl Into<String>) -> Self {
        ProcessProvider {
            profile: profile.into(),
            command: command.into(),
        }
    }

    fn fail(&self, what: impl fmt::Display) -> Error {
        Error::credentials(format!("{} {what}", self.name()))
    }
}

impl Provider for ProcessProvider {
    fn name(&self) -> String {
        format!("credential_process of profile '{}'", self.profile)
    }

    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        if self.command.trim().is_empty() {
            return Err(self.fail("is empty"));
        }
        let output = run(&self.command, ctx.deadline).map_err(|e| self.fail(e))?;
        if !output.status.success() {
            let how = match output.status.code() {
                Some(code) => format!("exit code {code}"),
                None => output.status.to_string(),
            };
            let detail = match first_line(&output.stderr)
                .map(|line| redact_stdout_words(line, &output.stdout))
            {
                Some(line) => format!(": {line}"),
                None => String::new(),
            };
            return Err(self.fail(format_args!("failed with {how}{detail}")));
        }
        if output.stdout_truncated {
            return Err(self.fail(format_args!("printed more than {} KiB", MAX_STDOUT / 1024)));
        }
        self.parse(&output.stdout).map(Some)
    }
}

/// The JSON the command prints. Values move into [`Secret`]s at once.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput {
    version: Option<serde_json::Value>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    expiration: Option<String>,
}

impl ProcessProvider {
    fn parse(&self, stdout: &[u8]) -> Result<Credentials> {
        if stdout.iter().all(u8::is_ascii_whitespace) {
            return Err(self.fail(
                "printed nothing; expected {\"Version\": 1, \"AccessKeyId\": ..., \
                 \"SecretAccessKey\": ...}",
            ));
        }
        // serde's messages may quote a value (a secret): report only where it went wrong.
        let out: ProcessOutput = serde_json::from_slice(stdout).map_err(|e| {
            let why = match e.classify() {
                serde_json::error::Category::Data => "is not the expected JSON object",
                serde_json::error::Category::Eof => "is truncated JSON",
                _ => "is not JSON",
            };
            self.fail(format_args!(
                "printed output that {why} (line {}, column {}); expected \
                 {{\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...}}",
                e.line(),
                e.column()
            ))
        })?;
        let secret = out.secret_access_key.map(Secret::new);
        let session_token = out.session_token.map(Secret::new);
        match &out.version {
            Some(v) if v.as_u64() == Some(1) => {}
            Some(v) if v.is_number() => {
                return Err(self.fail(format_args!(
                    "printed Version {v}; only Version 1 is supported"
                )));
            }
            Some(_) => return Err(self.fail("printed a Version that is not the number 1")),
            None => return Err(self.fail("printed no Version (expected \"Version\": 1)")),
        }
        let access_key_id = out
            .access_key_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| self.fail("printed no AccessKeyId"))?;
        let secret_access_key = secret
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.fail("printed no SecretAccessKey"))?;
        let expiry = match out.expiration.as_deref() {
            None => None,
            Some(text) => Some(parse_rfc3339(text).ok_or_else(|| {
                self.fail(format_args!(
                    "printed an Expiration that is not an RFC 3339 time: '{}'",
                    excerpt(text)
                ))
            })?),
        };
        Ok(Credentials {
            access_key_id,
            secret_access_key,
            session_token: session_token.filter(|t| !t.is_empty()),
            expiry,
            source: self.name(),
        })
    }
}

/// What a finished command left.
struct Output {
    status: ExitStatus,
    stdout: Zeroizing<Vec<u8>>,
    stdout_truncated: bool,
    stderr: Vec<u8>,
}

/// Which pipe a reader thread read.
enum Pipe {
    Stdout,
    Stderr,
}

/// Runs `command` through the shell until it exits and closes its output, or until `deadline`.
/// The error text completes "credential_process of profile 'x' ...".
fn run(command: &str, deadline: Instant) -> Result<Output, String> {
    const TIMED_OUT: &str = "timed out (the call's deadline passed); it was stopped";
    if Instant::now() >= deadline {
        return Err(TIMED_OUT.to_owned());
    }
    let mut cmd = shell_command(command);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not be started: {e}"))?;
    let (tx, rx) = mpsc::channel();
    let pipes = [
        child
            .stdout
            .take()
            .map(|p| (Pipe::Stdout, Box::new(p) as Box<dyn Read + Send>)),
        child
            .stderr
            .take()
            .map(|p| (Pipe::Stderr, Box::new(p) as Box<dyn Read + Send>)),
    ];
    for (pipe, reader) in pipes.into_iter().flatten() {
        let tx = tx.clone();
        let cap = match pipe {
            Pipe::Stdout => MAX_STDOUT,
            Pipe::Stderr => MAX_STDERR,
        };
        let spawned = std::thread::Builder::new()
            .name("gamelift-auth-credential-process".to_owned())
            .spawn(move || {
                // The receiver may be gone (deadline passed): nothing left to do then.
                let _ = tx.send((pipe, read_capped(reader, cap)));
            });
        if let Err(e) = spawned {
            kill(&mut child);
            return Err(format!("could not be watched (no thread): {e}"));
        }
    }
    drop(tx);

    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                kill(&mut child);
                return Err(format!("could not be waited for: {e}"));
            }
        }
        let now = Instant::now();
        if now >= deadline {
            kill(&mut child);
            return Err(TIMED_OUT.to_owned());
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(MAX_POLL);
    };

    let (mut stdout, mut stderr) = (None, None);
    while stdout.is_none() || stderr.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((Pipe::Stdout, read)) => stdout = Some(read),
            Ok((Pipe::Stderr, read)) => stderr = Some(read),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // What holds the pipes is most likely still in the command's process group (a
                // group id is not reused while the group has members): stop it.
                kill_group(child.id());
                return Err(
                    "timed out: it exited but something it started kept its output \
                            open past the call's deadline"
                        .to_owned(),
                );
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err("output could not be read".to_owned());
            }
        }
    }
    let (stdout, stdout_truncated) = stdout
        .unwrap_or_else(|| Ok((Zeroizing::new(Vec::new()), false)))
        .map_err(|e| format!("output could not be read: {e}"))?;
    let stderr = match stderr {
        Some(Ok((bytes, _))) => bytes.to_vec(),
        _ => Vec::new(),
    };
    Ok(Output {
        status,
        stdout,
        stdout_truncated,
        stderr,
    })
}

/// Reads `reader` to its end, keeping at most `cap` bytes; `true` when some were dropped.
fn read_capped(mut reader: impl Read, cap: usize) -> std::io::Result<(Zeroizing<Vec<u8>>, bool)> {
    // Reserved up front so that no reallocation leaves an unwiped copy behind.
    let mut kept = Zeroizing::new(Vec::with_capacity(cap));
    let mut chunk = [0u8; 8192];
    let mut truncated = false;
    let result = loop {
        match reader.read(&mut chunk) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                let room = cap - kept.len();
                kept.extend_from_slice(&chunk[..n.min(room)]);
                truncated |= n > room;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    chunk.zeroize();
    result.map(|()| (kept, truncated))
}

/// The first non-empty line of stderr, printable and short.
/// Stdout holds the secrets (or part of them, when the command failed half way): a helper that
/// repeats one on stderr must not put it in our message. Every run of 12 or more key-like
/// characters found on stdout is blanked in the stderr line.
fn redact_stdout_words(mut line: String, stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(stdout);
    let key_like = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-');
    for word in text.split(|c: char| !key_like(c)).filter(|w| w.len() >= 12) {
        if line.contains(word) {
            line = line.replace(word, "<redacted>");
        }
    }
    line
}

fn first_line(stderr: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut out: String = line
        .chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if line.chars().count() > 200 {
        out.push_str("...");
    }
    Some(out)
}

#[cfg(unix)]
fn shell_command(command: &str) -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command);
    // Its own process group, so that a timeout kills what the shell started too.
    cmd.process_group(0);
    cmd
}

#[cfg(windows)]
fn shell_command(command: &str) -> Command {
    use std::os::windows::process::CommandExt;
    /// No console window for the command.
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    let mut cmd = Command::new("cmd.exe");
    // Passed verbatim: std's quoting would wrap the whole line in quotes cmd.exe then mangles.
    cmd.arg("/C").raw_arg(command);
    cmd.creation_flags(CREATE_NO_WINDOW);
    cmd
}

/// Stops the command (and on Unix its process group) and reaps it.
fn kill(child: &mut Child) {
    // The child is not reaped yet, so its pid (its process group id) cannot have been reused.
    kill_group(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// Sends SIGKILL to the process group `pgid` (the command's, see `shell_command`). No-op on
/// Windows, where only the direct child is stopped.
fn kill_group(pgid: u32) {
    #[cfg(unix)]
    if let Ok(pgid) = libc::pid_t::try_from(pgid)
        && pgid > 1
    {
        // SAFETY: a plain system call with no memory arguments.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = pgid;
}

#[cfg(all(test, unix))]
mod tests {
    use super::super::test_support::{count_lines, script};
    use super::*;
    use crate::env::Env;
    use crate::error::ErrorKind;
    use std::time::{SystemTime, UNIX_EPOCH};

    #[test]
    fn a_secret_repeated_on_stderr_is_blanked() {
        let stdout = br#"{"SecretAccessKey": "wJalrXUtnFEMIK7MDENGbPxRfiCY", "SessionToken": "FwoGZXIvYXdzEBYaDH"}"#;
        let line = redact_stdout_words(
            "helper: key wJalrXUtnFEMIK7MDENGbPxRfiCY revoked (FwoGZXIvYXdzEBYaDH)".into(),
            stdout,
        );
        assert_eq!(line, "helper: key <redacted> revoked (<redacted>)");
        assert_eq!(
            redact_stdout_words("plain failure".into(), b""),
            "plain failure"
        );
    }

    const GOOD: &str = r#"{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "PROCSECRET", "SessionToken": "PROCTOKEN", "Expiration": "2030-01-01T00:00:00Z"}"#;

    fn provide_within(command: &str, timeout: Duration) -> Result<Option<Credentials>> {
        let env = Env::from_pairs::<&str, &str>([]);
        let ctx = ProvideContext {
            env: &env,
            deadline: Instant::now() + timeout,
        };
        ProcessProvider::new("p", command).provide(&ctx)
    }

    fn provide(command: &str) -> Result<Option<Credentials>> {
        provide_within(command, Duration::from_secs(10))
    }

    fn failure(body: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let err = provide(&script(dir.path(), "cp", body)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        let msg = err.to_string();
        assert!(
            msg.starts_with("credential_process of profile 'p' "),
            "{msg}"
        );
        assert!(!msg.contains("SECRET"), "{msg}");
        assert!(!format!("{err:?}").contains("SECRET"));
        msg
    }

    #[test]
    fn success() {
        let dir = tempfile::tempdir().unwrap();
        let c = provide(&script(dir.path(), "cp", &format!("echo '{GOOD}'")))
            .unwrap()
            .unwrap();
        assert_eq!(c.access_key_id, "AKIDPROC");
        assert_eq!(c.secret_access_key.expose(), "PROCSECRET");
        assert_eq!(
            c.session_token.as_ref().map(Secret::expose),
            Some("PROCTOKEN")
        );
        assert_eq!(
            c.expiry,
            Some(UNIX_EPOCH + Duration::from_secs(1_893_456_000))
        );
        assert_eq!(c.source, "credential_process of profile 'p'");
    }

    #[test]
    fn runs_through_the_shell_with_arguments_and_no_expiration() {
        let c =
            provide(r#"printf '%s %s' '{"Version":1,"AccessKeyId":"A",' '"SecretAccessKey":"S"}'"#)
                .unwrap()
                .unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.expose()),
            ("A", "S")
        );
        assert!(c.session_token.is_none() && c.expiry.is_none());
    }

    #[test]
    fn stdin_is_closed() {
        // `cat` would wait forever on an open stdin.
        let dir = tempfile::tempdir().unwrap();
        let c = provide(&script(dir.path(), "cp", &format!("cat; echo '{GOOD}'"))).unwrap();
        assert!(c.is_some());
    }

    #[test]
    fn non_zero_exit_names_code_and_stderr_not_stdout() {
        let msg = failure(&format!(
            "echo '{GOOD}'\necho '' >&2\necho 'token refresh failed: try login' >&2\n\
             echo second >&2\nexit 3"
        ));
        assert!(
            msg.contains("failed with exit code 3: token refresh failed: try login"),
            "{msg}"
        );
        assert!(!msg.contains("second"), "{msg}");
    }

    #[test]
    fn killed_by_signal() {
        // The shell itself is killed (a script run by it would turn into "exit code 137").
        let err = provide("kill -9 $$").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(err.to_string().contains("failed with signal: 9"), "{err}");
    }

    #[test]
    fn malformed_output_is_not_echoed() {
        for body in [
            "echo 'not json PROCSECRET'",
            "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": [\"PROCSECRET\"]}'",
            "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"PROCSECRET\"'",
            "echo '[\"PROCSECRET\"]'",
        ] {
            let msg = failure(body);
            assert!(msg.contains("printed output that"), "{body}: {msg}");
        }
        assert!(failure("true").contains("printed nothing; expected {\"Version\": 1"));
    }

    #[test]
    fn version_must_be_1() {
        let body = |v: &str| {
            format!("echo '{{{v}\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"PROCSECRET\"}}'")
        };
        assert!(failure(&body("\"Version\": 2, ")).contains("printed Version 2; only Version 1"));
        assert!(failure(&body("\"Version\": \"1\", ")).contains("not the number 1"));
        assert!(failure(&body("")).contains("printed no Version"));
    }

    #[test]
    fn missing_keys_and_bad_expiration() {
        let msg = failure("echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'");
        assert!(msg.contains("printed no SecretAccessKey"), "{msg}");
        let msg = failure(
            "echo '{\"Version\": 1, \"AccessKeyId\": \"\", \"SecretAccessKey\": \"PROCSECRET\"}'",
        );
        assert!(msg.contains("printed no AccessKeyId"), "{msg}");
        let msg = failure(
            "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"PROCSECRET\", \
             \"Expiration\": \"soon\"}'",
        );
        assert!(
            msg.contains("Expiration that is not an RFC 3339 time: 'soon'"),
            "{msg}"
        );
    }

    #[test]
    fn oversized_output() {
        let msg = failure("head -c 70000 /dev/zero | tr '\\0' a");
        assert!(msg.contains("printed more than 64 KiB"), "{msg}");
    }

    #[test]
    fn missing_command() {
        let msg = failure("exec /nonexistent/credential-helper");
        assert!(msg.contains("failed with exit code 127"), "{msg}");
        assert!(provide("   ").unwrap_err().to_string().contains("is empty"));
    }

    #[test]
    fn deadline_kills_a_hung_command() {
        let dir = tempfile::tempdir().unwrap();
        // The shell starts `sleep` as a child: the whole group must go.
        let started = Instant::now();
        let cmd = script(dir.path(), "cp", "sleep 30\necho '{}'");
        let err = provide_within(&cmd, Duration::from_millis(500)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(
            err.to_string().contains("of profile 'p' timed out"),
            "{err}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn deadline_covers_output_held_open_after_exit() {
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let cmd = script(dir.path(), "cp", &format!("sleep 30 &\necho '{GOOD}'"));
        let err = provide_within(&cmd, Duration::from_millis(500)).unwrap_err();
        assert!(err.to_string().contains("kept its output open"), "{err}");
        assert!(!err.to_string().contains("PROCSECRET"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn past_deadline_does_not_start() {
        let dir = tempfile::tempdir().unwrap();
        let count = dir.path().join("count");
        let cmd = script(
            dir.path(),
            "cp",
            &format!("echo run >> '{}'", count.display()),
        );
        let env = Env::from_pairs::<&str, &str>([]);
        let ctx = ProvideContext {
            env: &env,
            deadline: Instant::now(),
        };
        let err = ProcessProvider::new("p", cmd).provide(&ctx).unwrap_err();
        assert!(err.to_string().contains("timed out"), "{err}");
        assert_eq!(count_lines(&count), 0);
        let _ = SystemTime::now();
    }

    #[test]
    fn debug_hides_the_command() {
        let p = ProcessProvider::new("p", "helper --token CMDSECRET");
        assert!(!format!("{p:?}").contains("CMDSECRET"));
    }
}

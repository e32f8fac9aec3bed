//! The `credential_process` output parser, through the public provider: the input is what the
//! command prints (the command is `cat` of a file holding it).
//!
//! The parser itself (`ProcessProvider::parse`) is private, so each input costs a `sh` + `cat`
//! start (a few hundred inputs a second): making it reachable (see the README (Quality checks)) would let
//! this target run in-process.
//!
//! Checks: no panic; a failure is a credentials error that never quotes the SecretAccessKey or
//! SessionToken the output holds (the Expiration is quoted on purpose, so a secret equal to it
//! is not looked for); a success returns exactly the printed values, and `Debug` hides them.
#![no_main]

use gamelift_auth::ErrorKind;
use gamelift_auth::credentials::{ProcessProvider, ProvideContext, Provider};
use gamelift_auth::env::Env;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn output_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("gamelift-auth-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        dir.join("output")
    })
}

/// Every fixed text a message may hold: a "secret" found in here proves nothing.
const VOCABULARY: &str = "credential_process of profile 'fuzz' printed output that is not the \
    expected JSON object is truncated JSON is not JSON (line 1, column 1); expected \
    {\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...} printed nothing; \
    printed Version 2; only Version 1 is supported printed a Version that is not the number 1 \
    printed no Version (expected \"Version\": 1) printed no AccessKeyId printed no \
    SecretAccessKey printed an Expiration that is not an RFC 3339 time: failed with exit code \
    printed more than 64 KiB timed out (the call's deadline passed); it was stopped";

/// The string values of `key` in a JSON object (the last one wins, as in serde_json's Value).
fn string_field(json: &serde_json::Value, key: &str) -> Option<String> {
    json.get(key)?.as_str().map(str::to_owned)
}

fuzz_target!(|data: &[u8]| {
    let file = output_file();
    std::fs::write(file, data).expect("write the output");
    let provider = ProcessProvider::new("fuzz", format!("cat '{}'", file.display()));
    let env = Env::from_pairs::<&str, &str>([]);
    let ctx = ProvideContext {
        env: &env,
        deadline: Instant::now() + Duration::from_secs(10),
    };
    let json: Option<serde_json::Value> = serde_json::from_slice(data).ok();
    let field = |k: &str| json.as_ref().and_then(|j| string_field(j, k));
    let expiration = field("Expiration").unwrap_or_default();
    let secrets: Vec<String> = ["SecretAccessKey", "SessionToken"]
        .iter()
        .filter_map(|k| field(k))
        .filter(|s| {
            s.len() >= 12 && !expiration.contains(s.as_str()) && !VOCABULARY.contains(s.as_str())
        })
        .collect();
    match provider.provide(&ctx) {
        Ok(Some(c)) => {
            // Only a JSON object can have given credentials: the values are the printed ones.
            let j = json
                .as_ref()
                .expect("credentials from output that is not JSON");
            assert_eq!(
                Some(c.access_key_id.clone()),
                string_field(j, "AccessKeyId")
            );
            assert_eq!(
                Some(c.secret_access_key.expose().to_owned()),
                string_field(j, "SecretAccessKey")
            );
            let debug = format!("{c:?}");
            for s in &secrets {
                if !c.access_key_id.contains(s.as_str()) && !c.source.contains(s.as_str()) {
                    assert!(!debug.contains(s.as_str()), "Debug shows {s:?}: {debug}");
                }
            }
        }
        Ok(None) => panic!("credential_process never answers 'not configured'"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Credentials, "{e}");
            let msg = format!("{e} {e:?}");
            for s in &secrets {
                assert!(!msg.contains(s.as_str()), "the message quotes {s:?}: {msg}");
            }
        }
    }
});

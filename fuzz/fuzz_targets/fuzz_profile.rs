//! The shared config/credentials file parser, `profile::ProfileSet::parse`.
//!
//! Input: the config file, then (after the first 0xFF byte, which UTF-8 never has) the
//! credentials file; invalid UTF-8 is replaced.
//!
//! Checks: no panic; every listed profile can be looked up, with every key it lists; an error
//! is a configuration error that quotes no line of the input (the seeds carry the marker
//! `SECRET` in values; no fixed message contains it), and no log line (warnings for ignored
//! sections) quotes one either.
#![no_main]

use gamelift_auth::ErrorKind;
use gamelift_auth::log::{Level, set_sink};
use gamelift_auth::profile::ProfileSet;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::{Arc, Mutex, Once};

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn install_log() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        set_sink(
            Some(Arc::new(|_: Level, msg: &str| {
                LOG.lock().unwrap().push(msg.to_owned());
            })),
            5,
        );
    });
}

fuzz_target!(|data: &[u8]| {
    install_log();
    LOG.lock().unwrap().clear();
    let (config, credentials) = match data.iter().position(|&b| b == 0xff) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let config = String::from_utf8_lossy(config);
    let credentials = credentials.map(String::from_utf8_lossy);
    let result = ProfileSet::parse(
        Path::new("config"),
        Some(&config),
        Path::new("credentials"),
        credentials.as_deref(),
    );
    match result {
        Ok(set) => {
            for name in set.profile_names() {
                let section = set.profile(name).expect("a listed profile");
                assert_eq!(section.name(), name);
                for key in section.keys() {
                    let property = section.property(key).expect("a listed key");
                    assert_eq!(section.get(key), Some(property.value()));
                    let _ = set.location(property);
                    let _ = section.sub_property(key, "endpoint_url");
                }
                let _ = format!("{section:?}");
            }
            let _ = set.services("gamelift");
            let _ = set.sso_session("s");
            // Debug shows the profile names, never a value.
            let named = set.profile_names().iter().any(|n| n.contains("SECRET"));
            let debug = format!("{set:?}");
            assert!(named || !debug.contains("SECRET"), "{debug}");
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Config);
            let msg = e.to_string();
            assert!(!msg.contains("SECRET"), "an input line quoted: {msg}");
        }
    }
    for line in LOG.lock().unwrap().iter() {
        assert!(!line.contains("SECRET"), "an input line logged: {line}");
    }
});

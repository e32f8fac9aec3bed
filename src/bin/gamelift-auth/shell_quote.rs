//! POSIX shell quoting, for output meant for `eval "$(gamelift-auth ...)"`.
//!
//! A value goes between single quotes, inside which a POSIX shell takes every byte literally
//! (`$`, `` ` ``, `\`, `"`, newlines); a single quote itself becomes `'\''` (close the quotes,
//! an escaped quote, reopen them). That is all there is to it, for any value.

/// Appends `value` single-quoted to `out`.
pub fn push_quoted(out: &mut String, value: &str) {
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
}

/// Appends `export NAME='value'` and a newline to `out`. `name` must be a valid variable name
/// (it is one of ours, never user input).
pub fn push_export(out: &mut String, name: &str, value: &str) {
    debug_assert!(
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    );
    out.push_str("export ");
    out.push_str(name);
    out.push('=');
    push_quoted(out, value);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    const HOSTILE: &str = "a'b\"c$(x)`y`\\n ${HOME}\n'' !*?;|&<>#~\ttail'";

    fn quoted(v: &str) -> String {
        let mut s = String::new();
        push_quoted(&mut s, v);
        s
    }

    #[test]
    fn quotes_by_the_rule() {
        assert_eq!(quoted(""), "''");
        assert_eq!(quoted("plain"), "'plain'");
        assert_eq!(quoted("a'b"), "'a'\\''b'");
        assert_eq!(quoted("$(x)\n"), "'$(x)\n'");
        let mut out = String::new();
        push_export(&mut out, "GAMELIFT_SDK_HOST_ID", "it's");
        assert_eq!(out, "export GAMELIFT_SDK_HOST_ID='it'\\''s'\n");
    }

    /// The shell gives back the exact value, whatever it holds, and runs none of it.
    #[cfg(unix)]
    #[test]
    fn sh_reads_back_the_exact_value() {
        for value in [HOSTILE, "", "'", "''", "\n", "plain-token-123"] {
            let mut script = String::new();
            push_export(&mut script, "V", value);
            script.push_str("printf '%s' \"$V\"");
            let out = Command::new("sh")
                .arg("-c")
                .arg(&script)
                .env_clear()
                .env("x", "ran")
                .output()
                .expect("run sh");
            assert!(out.status.success(), "sh failed for {value:?}: {out:?}");
            assert_eq!(String::from_utf8_lossy(&out.stdout), value, "{script}");
            assert!(out.stderr.is_empty(), "{:?}", out.stderr);
        }
    }

    /// Several lines evaluated together, as `eval "$(gamelift-auth env ...)"` does.
    #[cfg(unix)]
    #[test]
    fn eval_of_several_exports() {
        let mut lines = String::new();
        push_export(&mut lines, "A", HOSTILE);
        push_export(&mut lines, "B", "second");
        let out = Command::new("sh")
            .arg("-c")
            .arg("eval \"$1\"; printf '%s|%s' \"$A\" \"$B\"")
            .arg("sh")
            .arg(&lines)
            .env_clear()
            .output()
            .expect("run sh");
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{HOSTILE}|second")
        );
    }
}

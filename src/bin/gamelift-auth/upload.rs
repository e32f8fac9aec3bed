//! `gamelift-auth upload-credentials`: temporary S3 credentials and the place to upload a
//! build to (RequestUploadCredentials).

use std::process::ExitCode;

use gamelift_auth::UploadCredentials;
use zeroize::Zeroizing;

use crate::global::{self, GlobalArgs};
use crate::shell_quote;
use crate::spinner::Spinner;

/// `--format` of `upload-credentials`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFormat {
    /// One JSON object.
    Json,
    /// POSIX shell `export` lines, for eval.
    Env,
}

/// Print temporary S3 credentials for uploading a build (RequestUploadCredentials).
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Print temporary S3 credentials and the S3 location for uploading a build's \
        files (RequestUploadCredentials). Each call asks the service; nothing is cached.\n\n\
        JSON: {\"access_key_id\", \"secret_access_key\", \"session_token\", \"bucket\", \"key\", \
        \"role_arn\", \"object_version\"} (null when absent).\n\
        env: POSIX shell lines `export NAME='value'` for AWS_ACCESS_KEY_ID, \
        AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, GAMELIFT_UPLOAD_BUCKET and \
        GAMELIFT_UPLOAD_KEY; in a subshell, so that your own credentials stay:\n\n    \
        ( eval \"$(gamelift-auth upload-credentials --build-id B --format env)\" &&\n      \
        aws s3 cp build.zip \"s3://$GAMELIFT_UPLOAD_BUCKET/$GAMELIFT_UPLOAD_KEY\" )",
    after_long_help = global::EXIT_CODES
)]
pub struct Args {
    /// Build id or ARN, e.g. build-1111aaaa-...
    #[arg(long, value_name = "BUILD")]
    build_id: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = UploadFormat::Json)]
    format: UploadFormat,

    #[command(flatten)]
    global: GlobalArgs,
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    let result = args.global.client().and_then(|client| {
        let _spinner = Spinner::start("Requesting upload credentials");
        client.request_upload_credentials(&args.build_id)
    });
    match result {
        Ok(c) => global::emit(&render(&c, args.format)),
        Err(e) => global::fail(&e),
    }
}

/// The output (it holds the secrets: a buffer wiped when dropped, sized never to reallocate).
fn render(c: &UploadCredentials, format: UploadFormat) -> Zeroizing<String> {
    let secret = c.secret_access_key.expose();
    let session = c.session_token.expose();
    let fields: [(&str, &str, &str); 7] = [
        ("access_key_id", "AWS_ACCESS_KEY_ID", &c.access_key_id),
        ("secret_access_key", "AWS_SECRET_ACCESS_KEY", secret),
        ("session_token", "AWS_SESSION_TOKEN", session),
        ("bucket", "GAMELIFT_UPLOAD_BUCKET", &c.bucket),
        ("key", "GAMELIFT_UPLOAD_KEY", &c.key),
        ("role_arn", "", &c.role_arn),
        ("object_version", "", &c.object_version),
    ];
    let size: usize = fields
        .iter()
        .map(|(k, n, v)| k.len() + n.len() + 6 * v.len() + 32)
        .sum();
    let mut out = Zeroizing::new(String::with_capacity(size));
    match format {
        UploadFormat::Json => {
            out.push('{');
            for (i, (key, _, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                global::json_str(&mut out, key);
                out.push(':');
                if value.is_empty() {
                    out.push_str("null");
                } else {
                    global::json_str(&mut out, value);
                }
            }
            out.push_str("}\n");
        }
        UploadFormat::Env => {
            for (_, name, value) in fields.iter().filter(|(_, n, _)| !n.is_empty()) {
                shell_quote::push_export(&mut out, name, value);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> UploadCredentials {
        UploadCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "se/cr+et'".into(),
            session_token: "tok==".into(),
            bucket: "bucket-1".into(),
            key: "123/build-1".into(),
            role_arn: String::new(),
            object_version: "v1".into(),
        }
    }

    #[test]
    fn json_output() {
        let out = render(&creds(), UploadFormat::Json);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["secret_access_key"], "se/cr+et'");
        assert_eq!(v["role_arn"], serde_json::Value::Null);
        assert_eq!(v["object_version"], "v1");
        assert_eq!(v.as_object().unwrap().len(), 7);
    }

    #[test]
    fn env_output() {
        let out = render(&creds(), UploadFormat::Env);
        assert_eq!(
            out.as_str(),
            "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\n\
             export AWS_SECRET_ACCESS_KEY='se/cr+et'\\'''\n\
             export AWS_SESSION_TOKEN='tok=='\n\
             export GAMELIFT_UPLOAD_BUCKET='bucket-1'\n\
             export GAMELIFT_UPLOAD_KEY='123/build-1'\n"
        );
    }
}

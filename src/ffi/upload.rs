//! Upload credentials (RequestUploadCredentials).

use super::client::gamelift_auth_client;
use super::error::gamelift_auth_status;
use super::{
    CText, arg_ref, arg_str, boundary, boundary_value, check_out, free_box, text_of, write_out,
};
use std::ffi::c_char;

/// Temporary S3 credentials and the upload location. Secrets are wiped by `_free`.
pub struct gamelift_auth_upload_credentials {
    access_key_id: CText,
    secret_access_key: CText,
    session_token: CText,
    bucket: CText,
    key: CText,
    role_arn: CText,
    object_version: CText,
}

/// Asks the service for temporary credentials to upload the build `build_id` (`build-...` or
/// its ARN) to S3. Not cached: every call sends a request. Free the result with
/// `gamelift_auth_upload_credentials_free`. Any thread; blocks at most the configured timeout.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_request_upload_credentials(
    client: *mut gamelift_auth_client,
    build_id: *const c_char,
    out: *mut *mut gamelift_auth_upload_credentials,
) -> gamelift_auth_status {
    boundary(|| {
        let client = unsafe { arg_ref(client, "client") }?;
        let build = unsafe { arg_str(build_id, "build_id") }?;
        check_out(out, "out")?;
        let c = client.inner.request_upload_credentials(build)?;
        let obj = gamelift_auth_upload_credentials {
            access_key_id: CText::new(&c.access_key_id, false, "AccessKeyId")?,
            secret_access_key: CText::new(c.secret_access_key.expose(), true, "SecretAccessKey")?,
            session_token: CText::new(c.session_token.expose(), true, "SessionToken")?,
            bucket: CText::new(&c.bucket, false, "Bucket")?,
            key: CText::new(&c.key, false, "Key")?,
            role_arn: CText::new(&c.role_arn, false, "RoleArn")?,
            object_version: CText::new(&c.object_version, false, "ObjectVersion")?,
        };
        Ok(unsafe { write_out(out, obj) })
    })
}

/// The access key id; `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_upload_credentials_access_key_id(
    c: *const gamelift_auth_upload_credentials,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.access_key_id) }
}

/// The secret access key (a secret: never log it); `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_upload_credentials_secret_access_key(
    c: *const gamelift_auth_upload_credentials,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.secret_access_key) }
}

/// The session token (a secret: never log it); `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_upload_credentials_session_token(
    c: *const gamelift_auth_upload_credentials,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.session_token) }
}

/// The S3 bucket; `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_upload_credentials_bucket(
    c: *const gamelift_auth_upload_credentials,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.bucket) }
}

/// The S3 key; `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_upload_credentials_key(
    c: *const gamelift_auth_upload_credentials,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.key) }
}

/// The role ARN; `""` if absent or for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_upload_credentials_role_arn(
    c: *const gamelift_auth_upload_credentials,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.role_arn) }
}

/// The object version; `""` if absent or for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_upload_credentials_object_version(
    c: *const gamelift_auth_upload_credentials,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.object_version) }
}

/// Frees upload credentials and wipes the secret key and session token. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_upload_credentials_free(
    c: *mut gamelift_auth_upload_credentials,
) {
    boundary_value((), || unsafe { free_box(c) })
}

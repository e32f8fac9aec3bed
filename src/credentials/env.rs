//! Credentials from the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN` and the optional `AWS_CREDENTIAL_EXPIRATION` (RFC 3339).

use super::{Credentials, ProvideContext, Provider, excerpt, parse_rfc3339};
use crate::error::{Error, Result};
use crate::secret::Secret;

const ACCESS_KEY: &str = "AWS_ACCESS_KEY_ID";
const SECRET_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";

/// Reads credentials from the context's environment each time it is asked.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvironmentProvider;

impl Provider for EnvironmentProvider {
    fn name(&self) -> String {
        format!("environment ({ACCESS_KEY})")
    }

    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        let env = ctx.env;
        let (access_key_id, secret) = match (env.get(ACCESS_KEY), env.get(SECRET_KEY)) {
            (None, None) => return Ok(None),
            (Some(id), Some(secret)) => (id, Secret::new(secret)),
            (Some(_), None) => {
                return Err(Error::credentials(format!(
                    "{ACCESS_KEY} is set but {SECRET_KEY} is not: set both, or neither"
                )));
            }
            (None, Some(_)) => {
                return Err(Error::credentials(format!(
                    "{SECRET_KEY} is set but {ACCESS_KEY} is not: set both, or neither"
                )));
            }
        };
        let expiry = match env.get(EXPIRATION) {
            None => None,
            Some(text) => Some(parse_rfc3339(&text).ok_or_else(|| {
                Error::credentials(format!(
                    "{EXPIRATION} is not an RFC 3339 time (like 2024-05-01T12:00:00Z): '{}'",
                    excerpt(&text)
                ))
            })?),
        };
        Ok(Some(Credentials {
            access_key_id,
            secret_access_key: secret,
            session_token: env.get(SESSION_TOKEN).map(Secret::new),
            expiry,
            source: "environment".to_owned(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::error::ErrorKind;
    use std::time::{Duration, Instant, UNIX_EPOCH};

    fn provide(pairs: &[(&str, &str)]) -> Result<Option<Credentials>> {
        let env = Env::from_pairs(pairs.iter().copied());
        let ctx = ProvideContext {
            env: &env,
            deadline: Instant::now(),
        };
        EnvironmentProvider.provide(&ctx)
    }

    #[test]
    fn not_configured() {
        assert!(provide(&[]).unwrap().is_none());
        assert!(provide(&[(SESSION_TOKEN, "t")]).unwrap().is_none());
    }

    #[test]
    fn full_set() {
        let c = provide(&[
            (ACCESS_KEY, "AKID"),
            (SECRET_KEY, "ENVSECRET"),
            (SESSION_TOKEN, "TOKEN"),
            (EXPIRATION, "2030-01-01T00:00:00Z"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.access_key_id, "AKID");
        assert_eq!(c.secret_access_key.expose(), "ENVSECRET");
        assert_eq!(c.session_token.as_ref().map(Secret::expose), Some("TOKEN"));
        assert_eq!(
            c.expiry,
            Some(UNIX_EPOCH + Duration::from_secs(1_893_456_000))
        );
        assert_eq!(c.source, "environment");
        assert!(!format!("{c:?}").contains("ENVSECRET"));
        let c = provide(&[(ACCESS_KEY, "AKID"), (SECRET_KEY, "S")])
            .unwrap()
            .unwrap();
        assert!(c.session_token.is_none() && c.expiry.is_none());
    }

    #[test]
    fn half_set_names_the_missing_variable() {
        let err = provide(&[(ACCESS_KEY, "AKID")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(
            err.message()
                .starts_with("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        );
        let err = provide(&[(SECRET_KEY, "HALFSECRET")]).unwrap_err();
        assert!(
            err.message()
                .starts_with("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        );
        assert!(!err.message().contains("HALFSECRET"));
    }

    #[test]
    fn bad_expiration() {
        let err = provide(&[
            (ACCESS_KEY, "A"),
            (SECRET_KEY, "S"),
            (EXPIRATION, "tomorrow"),
        ])
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(err.message().contains(EXPIRATION), "{err}");
    }
}

//! Credentials set explicitly on the configuration.

use super::{Credentials, ProvideContext, Provider};
use crate::error::Result;

/// Always answers the same credentials (set with `gamelift_auth_config_set_credentials`).
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// A provider of `credentials`, whose `source` becomes "explicit credentials".
    pub fn new(mut credentials: Credentials) -> Self {
        credentials.source = "explicit credentials".to_owned();
        StaticProvider { credentials }
    }

    /// A provider of `credentials` that keeps their `source` (a profile's static keys).
    pub fn with_source(credentials: Credentials) -> Self {
        StaticProvider { credentials }
    }
}

impl Provider for StaticProvider {
    fn name(&self) -> String {
        self.credentials.source.clone()
    }

    fn provide(&self, _ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        Ok(Some(self.credentials.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::secret::Secret;
    use std::time::Instant;

    #[test]
    fn answers_its_credentials() {
        let p = StaticProvider::new(Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: Secret::from("STATICSECRET"),
            session_token: None,
            expiry: None,
            source: String::new(),
        });
        let env = Env::from_pairs::<&str, &str>([]);
        let ctx = ProvideContext {
            env: &env,
            deadline: Instant::now(),
        };
        let c = p.provide(&ctx).unwrap().unwrap();
        assert_eq!(c.access_key_id, "AKID");
        assert_eq!(c.secret_access_key.expose(), "STATICSECRET");
        assert_eq!(c.source, "explicit credentials");
        assert!(!format!("{p:?}").contains("STATICSECRET"));
    }
}

//! The credential chain: sources asked in order until one answers.

use super::{Credentials, ProvideContext, Provider};
use crate::error::{Error, Result};
use std::sync::Arc;

/// Asks its providers in order: the first `Some` wins, the first error stops the chain (a
/// configured but broken source is reported, not skipped), and when none is configured the
/// chain fails with a message listing what it tried.
#[derive(Debug, Clone)]
pub struct ChainProvider {
    providers: Vec<Arc<dyn Provider>>,
}

impl ChainProvider {
    /// A chain of `providers`, asked in this order.
    pub fn new(providers: Vec<Arc<dyn Provider>>) -> Self {
        ChainProvider { providers }
    }
}

impl Provider for ChainProvider {
    fn name(&self) -> String {
        let names: Vec<String> = self.providers.iter().map(|p| p.name()).collect();
        format!("credential chain ({})", names.join(", "))
    }

    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        for provider in &self.providers {
            if let Some(credentials) = provider.provide(ctx)? {
                crate::log_debug!("credentials from {}", credentials.source);
                return Ok(Some(credentials));
            }
        }
        let tried: Vec<String> = self.providers.iter().map(|p| p.name()).collect();
        Err(Error::credentials(format!(
            "no credentials found: tried {}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
             give the profile aws_access_key_id/aws_secret_access_key, credential_process or \
             role_arn, or set credentials on the configuration",
            if tried.is_empty() {
                "nothing".to_owned()
            } else {
                tried.join(", ")
            }
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::error::ErrorKind;
    use crate::secret::Secret;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    /// Answers a fixed outcome and counts calls.
    #[derive(Debug)]
    struct Fixed {
        name: &'static str,
        outcome: Result<Option<&'static str>>,
        calls: AtomicUsize,
    }

    impl Fixed {
        fn new(name: &'static str, outcome: Result<Option<&'static str>>) -> Arc<Fixed> {
            Arc::new(Fixed {
                name,
                outcome,
                calls: AtomicUsize::new(0),
            })
        }
    }

    impl Provider for Fixed {
        fn name(&self) -> String {
            self.name.to_owned()
        }
        fn provide(&self, _: &ProvideContext<'_>) -> Result<Option<Credentials>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.outcome.clone().map(|o| {
                o.map(|id| Credentials {
                    access_key_id: id.to_owned(),
                    secret_access_key: Secret::from("S"),
                    session_token: None,
                    expiry: None,
                    source: self.name.to_owned(),
                })
            })
        }
    }

    fn run(providers: &[Arc<Fixed>]) -> Result<Option<Credentials>> {
        let chain = ChainProvider::new(
            providers
                .iter()
                .map(|p| p.clone() as Arc<dyn Provider>)
                .collect(),
        );
        let env = Env::from_pairs::<&str, &str>([]);
        let ctx = ProvideContext {
            env: &env,
            deadline: Instant::now() + Duration::from_secs(1),
        };
        chain.provide(&ctx)
    }

    #[test]
    fn first_some_wins() {
        let (a, b, c) = (
            Fixed::new("a", Ok(None)),
            Fixed::new("b", Ok(Some("B"))),
            Fixed::new("c", Ok(Some("C"))),
        );
        let got = run(&[a.clone(), b.clone(), c.clone()]).unwrap().unwrap();
        assert_eq!(got.access_key_id, "B");
        let calls: Vec<usize> = [a, b, c]
            .iter()
            .map(|p| p.calls.load(Ordering::SeqCst))
            .collect();
        assert_eq!(calls, [1, 1, 0]);
    }

    #[test]
    fn first_error_stops() {
        let (a, b) = (
            Fixed::new("a", Err(Error::credentials("a is broken"))),
            Fixed::new("b", Ok(Some("B"))),
        );
        let err = run(&[a, b.clone()]).unwrap_err();
        assert_eq!(err.message(), "a is broken");
        assert_eq!(b.calls.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn none_lists_what_was_tried() {
        let err = run(&[
            Fixed::new("environment (AWS_ACCESS_KEY_ID)", Ok(None)),
            Fixed::new("profile 'default' (/c, /k)", Ok(None)),
        ])
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(
            err.message().starts_with(
                "no credentials found: tried environment (AWS_ACCESS_KEY_ID), \
                 profile 'default' (/c, /k). Set AWS_ACCESS_KEY_ID"
            ),
            "{err}"
        );
        assert!(run(&[]).unwrap_err().message().contains("tried nothing"));
    }
}

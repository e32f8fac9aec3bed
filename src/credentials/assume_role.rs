//! Assume role: credentials from a source provider, exchanged for a role's with STS `AssumeRole`
//! (a profile's `role_arn` with `source_profile` or `credential_source`; see `profile.rs` for how
//! a profile's chain of roles is put together).

use super::sts::{RoleSettings, StsClient};
use super::{Credentials, ProvideContext, Provider};
use crate::error::{Error, Result};
use std::sync::Arc;

/// Asks `source` for credentials, then assumes `role` with them (put a cache in front: each call
/// asks STS).
#[derive(Debug, Clone)]
pub struct AssumeRoleProvider {
    source: Arc<dyn Provider>,
    role: RoleSettings,
    sts: StsClient,
    name: String,
}

impl AssumeRoleProvider {
    /// Assumes `role` with the credentials of `source`. `name` names it in messages
    /// ("assume role of profile 'x'").
    pub fn new(
        source: Arc<dyn Provider>,
        role: RoleSettings,
        sts: StsClient,
        name: impl Into<String>,
    ) -> Self {
        AssumeRoleProvider {
            source,
            role,
            sts,
            name: name.into(),
        }
    }
}

impl Provider for AssumeRoleProvider {
    fn name(&self) -> String {
        format!("{} (role {})", self.name, self.role.role_arn)
    }

    fn provide(&self, ctx: &ProvideContext<'_>) -> Result<Option<Credentials>> {
        let Some(with) = self.source.provide(ctx)? else {
            return Err(Error::credentials(format!(
                "{}: its source, {}, has no credentials",
                self.name(),
                self.source.name()
            )));
        };
        crate::log_debug!(
            "assuming role {} with credentials from {}",
            self.role.role_arn,
            with.source
        );
        self.sts
            .assume_role(ctx, &self.name(), &self.role, &with)
            .map(Some)
    }
}

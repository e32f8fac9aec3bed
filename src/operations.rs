//! One function per GameLift action, plus the token and server-parameter calls built on them.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use crate::token_cache::{Got, Token, epoch_ms};
use crate::validate;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant, SystemTime};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct FleetCompute<'a> {
    fleet_id: &'a str,
    compute_name: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetComputeAuthTokenOutput {
    auth_token: Option<String>,
    expiration_timestamp: Option<f64>,
}

/// Temporary S3 credentials and the place to upload a build to (RequestUploadCredentials).
#[derive(Debug, Clone)]
pub struct UploadCredentials {
    /// Access key id of the temporary credentials.
    pub access_key_id: String,
    /// Secret access key (a secret).
    pub secret_access_key: Secret,
    /// Session token (a secret).
    pub session_token: Secret,
    /// S3 bucket.
    pub bucket: String,
    /// S3 key.
    pub key: String,
    /// Role ARN, "" if absent.
    pub role_arn: String,
    /// Object version, "" if absent.
    pub object_version: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UploadCredentialsWire {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StorageLocationWire {
    bucket: Option<String>,
    key: Option<String>,
    role_arn: Option<String>,
    object_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RequestUploadCredentialsOutput {
    upload_credentials: Option<UploadCredentialsWire>,
    storage_location: Option<StorageLocationWire>,
}

/// A compute of an Anywhere or container fleet, as the service describes it.
/// Absent fields are empty strings.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase", default)]
pub struct Compute {
    /// Fleet id.
    pub fleet_id: String,
    /// Fleet ARN.
    pub fleet_arn: String,
    /// Compute name.
    pub compute_name: String,
    /// Compute ARN.
    pub compute_arn: String,
    /// IP address.
    pub ip_address: String,
    /// DNS name.
    pub dns_name: String,
    /// `ACTIVE`, `PENDING`, `TERMINATING`, `IMPAIRED`.
    pub compute_status: String,
    /// Location.
    pub location: String,
    /// The websocket URL the Server SDK's InitSDK() connects to.
    pub game_lift_service_sdk_endpoint: String,
    /// The GameLift Agent endpoint.
    pub game_lift_agent_endpoint: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ComputeOutput {
    compute: Option<Compute>,
}

/// What RegisterCompute takes.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegisterComputeInput {
    /// Fleet id or ARN.
    pub fleet_id: String,
    /// Compute name (1-128, `[a-zA-Z0-9-]+(/[a-zA-Z0-9-]+)?`).
    pub compute_name: String,
    /// Path to a TLS certificate on the compute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_path: Option<String>,
    /// DNS name of the compute (this or `ip_address` is required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_name: Option<String>,
    /// IP address of the compute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// A custom location of the fleet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Everything the Server SDK's `InitSDK()` needs.
#[derive(Debug, Clone)]
pub struct ServerParameters {
    /// The compute's `GameLiftServiceSdkEndpoint`.
    pub web_socket_url: String,
    /// A compute auth token with time left (a secret).
    pub auth_token: Secret,
    /// Fleet id, as given.
    pub fleet_id: String,
    /// Host id: the compute name.
    pub host_id: String,
    /// A fresh UUIDv4.
    pub process_id: String,
    /// Token expiry, unix epoch milliseconds.
    pub expires_at_ms: i64,
}

fn missing(action: &str, field: &str, request_id: Option<&str>) -> Error {
    Error::service(
        ErrorKind::BadResponse,
        format!("{action}: the service's answer has no {field}"),
        None,
        request_id.map(str::to_owned),
    )
}

/// The checks of (FleetIdOrArn, ComputeNameOrArn), before any request of `action`.
fn check_fleet_compute(action: &str, fleet_id: &str, compute_name: &str) -> Result<()> {
    validate::fleet_id(fleet_id).map_err(|e| Client::refuse(action, e))?;
    validate::compute_name_or_arn(compute_name).map_err(|e| Client::refuse(action, e))
}

fn epoch_secs_to_time(secs: f64) -> Option<SystemTime> {
    if !secs.is_finite() || !(0.0..=1.0e11).contains(&secs) {
        return None;
    }
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs))
}

/// Auth tokens go into a websocket URL: accept URL-safe text only, at most 1024 bytes (the
/// Server SDK's buffers). The service model says `[a-zA-Z0-9-]{1,64}`.
fn token_acceptable(t: &str) -> bool {
    (1..=1024).contains(&t.len())
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

impl Client {
    /// GetComputeAuthToken, uncached: one signed request (with retries).
    pub fn fetch_compute_auth_token(
        &self,
        fleet_id: &str,
        compute_name: &str,
        deadline: Instant,
    ) -> Result<Token> {
        const ACTION: &str = "GetComputeAuthToken";
        check_fleet_compute(ACTION, fleet_id, compute_name)?;
        let out: GetComputeAuthTokenOutput = self.call(
            ACTION,
            "GameLift.GetComputeAuthToken",
            &FleetCompute {
                fleet_id,
                compute_name,
            },
            deadline,
            true,
        )?;
        let fetched_at = self.clock.now();
        let token = out
            .auth_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing(ACTION, "AuthToken", None))?;
        let token = Secret::new(token);
        if !token_acceptable(token.expose()) {
            return Err(Error::bad_response(format!(
                "{ACTION}: the service's AuthToken is not 1-1024 URL-safe characters ({} bytes)",
                token.expose().len()
            )));
        }
        if !validate::auth_token(token.expose()) {
            crate::log_debug!("{ACTION}: the AuthToken is outside the model's pattern");
        }
        let expires_at = out
            .expiration_timestamp
            .ok_or_else(|| missing(ACTION, "ExpirationTimestamp", None))
            .and_then(|s| {
                epoch_secs_to_time(s).ok_or_else(|| {
                    Error::bad_response(format!(
                        "{ACTION}: ExpirationTimestamp {s} is not a time in epoch seconds"
                    ))
                })
            })?;
        crate::log_info!(
            "{ACTION}: new token for {fleet_id}/{compute_name}, valid for {} s",
            expires_at
                .duration_since(fetched_at)
                .unwrap_or_default()
                .as_secs()
        );
        Ok(Token {
            value: token,
            expires_at,
            fetched_at,
        })
    }

    /// A token for (fleet, compute) under the cache rules (see `token_cache`).
    pub fn get_token(&self, fleet_id: &str, compute_name: &str) -> Result<Got> {
        const ACTION: &str = "GetComputeAuthToken";
        check_fleet_compute(ACTION, fleet_id, compute_name)?;
        let deadline = self.deadline();
        self.tokens.get(
            fleet_id,
            compute_name,
            self.cfg.min_validity,
            || self.clock.now(),
            deadline,
            || self.fetch_shared(fleet_id, compute_name, deadline),
        )
    }

    /// The hit path of [`Client::get_token`]: when the cache holds a reusable token for exactly
    /// these argument bytes, calls `f` with the token and its expiry (unix epoch ms). Only
    /// checked arguments ever made a cache key, so a match needs no UTF-8 or pattern check; the
    /// coarse clock is precise enough for a rule whose threshold is minutes. No lock, no
    /// allocation. `None`: take [`Client::get_token`].
    pub fn with_cached_token<R>(
        &self,
        fleet_id: &[u8],
        compute_name: &[u8],
        f: impl FnOnce(&[u8], i64) -> R,
    ) -> Option<R> {
        self.tokens.with_cached(
            fleet_id,
            compute_name,
            self.cfg.min_validity,
            crate::token_cache::coarse_now_ns(self.clock.millis()),
            f,
        )
    }

    /// A fetch through the cross-process cache when there is one: a reusable token another
    /// process stored, else (holding the key's lock, so that processes starting at once send
    /// one request) a new token, stored for the others.
    fn fetch_shared(&self, fleet_id: &str, compute_name: &str, deadline: Instant) -> Result<Token> {
        let Some(shared) = &self.shared else {
            return self.fetch_compute_auth_token(fleet_id, compute_name, deadline);
        };
        let endpoint = self.endpoint();
        // Under the key's lock: a process that starts while another fetches waits, then reads.
        let _lock = shared.lock(endpoint, fleet_id, compute_name, deadline);
        if let Some(t) = shared
            .read(endpoint, fleet_id, compute_name)
            .filter(|t| t.reusable(self.clock.now(), self.cfg.min_validity))
        {
            crate::log_debug!(
                "token cache: token for {fleet_id}/{compute_name} from another process"
            );
            return Ok(t);
        }
        let t = self.fetch_compute_auth_token(fleet_id, compute_name, deadline)?;
        shared.write(endpoint, fleet_id, compute_name, &t);
        Ok(t)
    }

    /// Forgets the cached token of (fleet, compute).
    pub fn invalidate_token(&self, fleet_id: &str, compute_name: &str) -> Result<()> {
        const ACTION: &str = "invalidate_token";
        check_fleet_compute(ACTION, fleet_id, compute_name)?;
        self.forget_token(fleet_id, compute_name);
        Ok(())
    }

    /// Drops the token of (fleet, compute) from this client and from the shared cache directory.
    fn forget_token(&self, fleet_id: &str, compute_name: &str) {
        self.tokens.invalidate(fleet_id, compute_name);
        if let Some(shared) = &self.shared {
            shared.remove(self.endpoint(), fleet_id, compute_name);
        }
    }

    /// RequestUploadCredentials: temporary S3 credentials for a build upload. Not cached.
    pub fn request_upload_credentials(&self, build_id: &str) -> Result<UploadCredentials> {
        const ACTION: &str = "RequestUploadCredentials";
        validate::build_id(build_id).map_err(|e| Client::refuse(ACTION, e))?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input<'a> {
            build_id: &'a str,
        }
        let out: RequestUploadCredentialsOutput = self.call(
            ACTION,
            "GameLift.RequestUploadCredentials",
            &Input { build_id },
            self.deadline(),
            true,
        )?;
        let creds = out
            .upload_credentials
            .ok_or_else(|| missing(ACTION, "UploadCredentials", None))?;
        let loc = out
            .storage_location
            .ok_or_else(|| missing(ACTION, "StorageLocation", None))?;
        let need = |v: Option<String>, field: &str| {
            v.filter(|s| !s.is_empty())
                .ok_or_else(|| missing(ACTION, field, None))
        };
        // Move the secrets into `Secret`s first so that an error below still wipes them.
        let secret_access_key = Secret::new(need(
            creds.secret_access_key,
            "UploadCredentials.SecretAccessKey",
        )?);
        let session_token =
            Secret::new(need(creds.session_token, "UploadCredentials.SessionToken")?);
        Ok(UploadCredentials {
            access_key_id: need(creds.access_key_id, "UploadCredentials.AccessKeyId")?,
            secret_access_key,
            session_token,
            bucket: need(loc.bucket, "StorageLocation.Bucket")?,
            key: need(loc.key, "StorageLocation.Key")?,
            role_arn: loc.role_arn.unwrap_or_default(),
            object_version: loc.object_version.unwrap_or_default(),
        })
    }

    /// RegisterCompute (Anywhere fleets). Needs an IP address or a DNS name.
    pub fn register_compute(&self, input: &RegisterComputeInput) -> Result<Compute> {
        const ACTION: &str = "RegisterCompute";
        let refuse = |e| Client::refuse(ACTION, e);
        validate::fleet_id(&input.fleet_id).map_err(refuse)?;
        validate::compute_name(&input.compute_name).map_err(refuse)?;
        if let Some(v) = &input.ip_address {
            validate::ip_address(v).map_err(refuse)?;
        }
        if let Some(v) = &input.dns_name {
            validate::dns_name(v).map_err(refuse)?;
        }
        if let Some(v) = &input.location {
            validate::location(v).map_err(refuse)?;
        }
        if let Some(v) = &input.certificate_path {
            validate::certificate_path(v).map_err(refuse)?;
        }
        if input.ip_address.is_none() && input.dns_name.is_none() {
            return Err(refuse(Error::invalid_argument(
                "an IP address or a DNS name is required",
            )));
        }
        let out: ComputeOutput = self.call(
            ACTION,
            "GameLift.RegisterCompute",
            input,
            self.deadline(),
            false,
        )?;
        let compute = out
            .compute
            .ok_or_else(|| missing(ACTION, "Compute", None))?;
        self.remember_sdk_endpoint(&input.fleet_id, &input.compute_name, &compute);
        Ok(compute)
    }

    /// DescribeCompute.
    pub fn describe_compute(&self, fleet_id: &str, compute_name: &str) -> Result<Compute> {
        const ACTION: &str = "DescribeCompute";
        check_fleet_compute(ACTION, fleet_id, compute_name)?;
        let out: ComputeOutput = self.call(
            ACTION,
            "GameLift.DescribeCompute",
            &FleetCompute {
                fleet_id,
                compute_name,
            },
            self.deadline(),
            false,
        )?;
        let compute = out
            .compute
            .ok_or_else(|| missing(ACTION, "Compute", None))?;
        self.remember_sdk_endpoint(fleet_id, compute_name, &compute);
        Ok(compute)
    }

    /// DeregisterCompute. Also forgets the compute's cached token and websocket URL.
    pub fn deregister_compute(&self, fleet_id: &str, compute_name: &str) -> Result<()> {
        const ACTION: &str = "DeregisterCompute";
        check_fleet_compute(ACTION, fleet_id, compute_name)?;
        let _: serde_json::Value = self.call(
            ACTION,
            "GameLift.DeregisterCompute",
            &FleetCompute {
                fleet_id,
                compute_name,
            },
            self.deadline(),
            false,
        )?;
        self.forget_token(fleet_id, compute_name);
        self.sdk_endpoints
            .lock()
            .retain(|(f, c, _)| !(f == fleet_id && c == compute_name));
        Ok(())
    }

    fn remember_sdk_endpoint(&self, fleet_id: &str, compute_name: &str, c: &Compute) {
        if c.game_lift_service_sdk_endpoint.is_empty() {
            return;
        }
        let mut v = self.sdk_endpoints.lock();
        v.retain(|(f, n, _)| !(f == fleet_id && n == compute_name));
        v.push((
            fleet_id.to_owned(),
            compute_name.to_owned(),
            c.game_lift_service_sdk_endpoint.clone(),
        ));
    }

    /// The websocket URL of (fleet, compute): cached for the client's life, else DescribeCompute.
    pub fn sdk_endpoint(&self, fleet_id: &str, compute_name: &str) -> Result<String> {
        if let Some((_, _, url)) = self
            .sdk_endpoints
            .lock()
            .iter()
            .find(|(f, c, _)| f == fleet_id && c == compute_name)
        {
            return Ok(url.clone());
        }
        let compute = self.describe_compute(fleet_id, compute_name)?;
        if compute.game_lift_service_sdk_endpoint.is_empty() {
            return Err(missing(
                "DescribeCompute",
                "Compute.GameLiftServiceSdkEndpoint",
                None,
            ));
        }
        Ok(compute.game_lift_service_sdk_endpoint)
    }

    /// Everything `InitSDK()` needs: websocket URL, a token by the cache rules, fleet id,
    /// host id (the compute name), a fresh UUIDv4 process id and the token's expiry.
    pub fn server_parameters(
        &self,
        fleet_id: &str,
        compute_name: &str,
    ) -> Result<(ServerParameters, Option<Error>)> {
        let web_socket_url = self.sdk_endpoint(fleet_id, compute_name)?;
        let got = self.get_token(fleet_id, compute_name)?;
        Ok((
            ServerParameters {
                web_socket_url,
                auth_token: got.token.value.clone(),
                fleet_id: fleet_id.to_owned(),
                host_id: compute_name.to_owned(),
                process_id: uuid::Uuid::new_v4().to_string(),
                expires_at_ms: epoch_ms(got.token.expires_at),
            },
            got.warning,
        ))
    }
}

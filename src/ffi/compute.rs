//! The Anywhere compute lifecycle and the InitSDK parameters.

use super::client::gamelift_auth_client;
use super::error::{gamelift_auth_status, set_last_warning};
use super::{
    CText, arg_opt_str, arg_ref, arg_str, boundary, boundary_value, check_out, free_box, text_of,
    write_out,
};
use crate::error::Result;
use crate::operations::{Compute, RegisterComputeInput};
use std::ffi::c_char;

/// A compute as the service describes it. Accessors return `""` for absent fields.
pub struct gamelift_auth_compute {
    fleet_id: CText,
    name: CText,
    arn: CText,
    status: CText,
    ip_address: CText,
    location: CText,
    sdk_endpoint: CText,
    agent_endpoint: CText,
}

impl gamelift_auth_compute {
    fn new(c: &Compute) -> Result<Self> {
        Ok(gamelift_auth_compute {
            fleet_id: CText::new(&c.fleet_id, false, "FleetId")?,
            name: CText::new(&c.compute_name, false, "ComputeName")?,
            arn: CText::new(&c.compute_arn, false, "ComputeArn")?,
            status: CText::new(&c.compute_status, false, "ComputeStatus")?,
            ip_address: CText::new(&c.ip_address, false, "IpAddress")?,
            location: CText::new(&c.location, false, "Location")?,
            sdk_endpoint: CText::new(
                &c.game_lift_service_sdk_endpoint,
                false,
                "GameLiftServiceSdkEndpoint",
            )?,
            agent_endpoint: CText::new(
                &c.game_lift_agent_endpoint,
                false,
                "GameLiftAgentEndpoint",
            )?,
        })
    }
}

/// Registers this host as a compute of an Anywhere fleet (RegisterCompute). `compute_name`:
/// 1-128 of `[a-zA-Z0-9-]+(/[a-zA-Z0-9-]+)?`; `ip_address` or `dns_name` is required; the rest
/// may be NULL. Free the result with `gamelift_auth_compute_free`. Any thread; blocks at most
/// the configured timeout.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_register_compute(
    client: *mut gamelift_auth_client,
    fleet_id: *const c_char,
    compute_name: *const c_char,
    ip_address: *const c_char,
    dns_name: *const c_char,
    location: *const c_char,
    certificate_path: *const c_char,
    out: *mut *mut gamelift_auth_compute,
) -> gamelift_auth_status {
    boundary(|| {
        let client = unsafe { arg_ref(client, "client") }?;
        let input = RegisterComputeInput {
            fleet_id: unsafe { arg_str(fleet_id, "fleet_id") }?.to_owned(),
            compute_name: unsafe { arg_str(compute_name, "compute_name") }?.to_owned(),
            ip_address: unsafe { arg_opt_str(ip_address, "ip_address") }?.map(str::to_owned),
            dns_name: unsafe { arg_opt_str(dns_name, "dns_name") }?.map(str::to_owned),
            location: unsafe { arg_opt_str(location, "location") }?.map(str::to_owned),
            certificate_path: unsafe { arg_opt_str(certificate_path, "certificate_path") }?
                .map(str::to_owned),
        };
        check_out(out, "out")?;
        let c = client.inner.register_compute(&input)?;
        Ok(unsafe { write_out(out, gamelift_auth_compute::new(&c)?) })
    })
}

/// Describes a compute (DescribeCompute). Free the result with `gamelift_auth_compute_free`.
/// Any thread; blocks at most the configured timeout.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_describe_compute(
    client: *mut gamelift_auth_client,
    fleet_id: *const c_char,
    compute_name: *const c_char,
    out: *mut *mut gamelift_auth_compute,
) -> gamelift_auth_status {
    boundary(|| {
        let client = unsafe { arg_ref(client, "client") }?;
        let fleet = unsafe { arg_str(fleet_id, "fleet_id") }?;
        let compute = unsafe { arg_str(compute_name, "compute_name") }?;
        check_out(out, "out")?;
        let c = client.inner.describe_compute(fleet, compute)?;
        Ok(unsafe { write_out(out, gamelift_auth_compute::new(&c)?) })
    })
}

/// Deregisters a compute (DeregisterCompute) and forgets its cached token and websocket URL.
/// Any thread; blocks at most the configured timeout.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_deregister_compute(
    client: *mut gamelift_auth_client,
    fleet_id: *const c_char,
    compute_name: *const c_char,
) -> gamelift_auth_status {
    boundary(|| {
        let client = unsafe { arg_ref(client, "client") }?;
        let fleet = unsafe { arg_str(fleet_id, "fleet_id") }?;
        let compute = unsafe { arg_str(compute_name, "compute_name") }?;
        client.inner.deregister_compute(fleet, compute)?;
        Ok(gamelift_auth_status::GAMELIFT_AUTH_OK)
    })
}

// Written out one by one (not by a macro): cbindgen does not expand macros.
/// The fleet id. `""` when absent or for NULL; valid until `gamelift_auth_compute_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_compute_fleet_id(
    c: *const gamelift_auth_compute,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.fleet_id) }
}

/// The compute name. `""` when absent or for NULL; valid until `gamelift_auth_compute_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_compute_name(
    c: *const gamelift_auth_compute,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.name) }
}

/// The compute ARN. `""` when absent or for NULL; valid until `gamelift_auth_compute_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_compute_arn(
    c: *const gamelift_auth_compute,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.arn) }
}

/// The compute status (`ACTIVE`, `PENDING`, ...). `""` when absent or for NULL; valid until `gamelift_auth_compute_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_compute_status(
    c: *const gamelift_auth_compute,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.status) }
}

/// The IP address. `""` when absent or for NULL; valid until `gamelift_auth_compute_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_compute_ip_address(
    c: *const gamelift_auth_compute,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.ip_address) }
}

/// The location. `""` when absent or for NULL; valid until `gamelift_auth_compute_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_compute_location(
    c: *const gamelift_auth_compute,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.location) }
}

/// The `GameLiftServiceSdkEndpoint`: the websocket URL for `InitSDK()`. `""` when absent or for NULL; valid until `gamelift_auth_compute_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_compute_sdk_endpoint(
    c: *const gamelift_auth_compute,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.sdk_endpoint) }
}

/// The `GameLiftAgentEndpoint`. `""` when absent or for NULL; valid until `gamelift_auth_compute_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_compute_agent_endpoint(
    c: *const gamelift_auth_compute,
) -> *const c_char {
    unsafe { text_of(c, |c| &c.agent_endpoint) }
}

/// Frees a compute. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_compute_free(c: *mut gamelift_auth_compute) {
    boundary_value((), || unsafe { free_box(c) })
}

/// Everything `InitSDK()` needs. The auth token is wiped by `_free`.
pub struct gamelift_auth_server_parameters {
    web_socket_url: CText,
    auth_token: CText,
    fleet_id: CText,
    host_id: CText,
    process_id: CText,
    expires_at_ms: i64,
}

/// Gathers everything `InitSDK()` needs in one call: the compute's websocket URL
/// (`GameLiftServiceSdkEndpoint`, from DescribeCompute, cached for the client's life), a token by
/// the cache rules, the fleet id, the host id (the compute name), a fresh UUIDv4 process id and
/// the token's expiry. Free the result with `gamelift_auth_server_parameters_free`. Any thread;
/// blocks at most the configured timeout per request it sends.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_server_parameters_new(
    client: *mut gamelift_auth_client,
    fleet_id: *const c_char,
    compute_name: *const c_char,
    out: *mut *mut gamelift_auth_server_parameters,
) -> gamelift_auth_status {
    boundary(|| {
        let client = unsafe { arg_ref(client, "client") }?;
        let fleet = unsafe { arg_str(fleet_id, "fleet_id") }?;
        let compute = unsafe { arg_str(compute_name, "compute_name") }?;
        check_out(out, "out")?;
        let (p, warning) = client.inner.server_parameters(fleet, compute)?;
        let obj = gamelift_auth_server_parameters {
            web_socket_url: CText::new(&p.web_socket_url, false, "GameLiftServiceSdkEndpoint")?,
            auth_token: CText::new(p.auth_token.expose(), true, "AuthToken")?,
            fleet_id: CText::new(&p.fleet_id, false, "FleetId")?,
            host_id: CText::new(&p.host_id, false, "ComputeName")?,
            process_id: CText::new(&p.process_id, false, "process id")?,
            expires_at_ms: p.expires_at_ms,
        };
        let status = unsafe { write_out(out, obj) };
        if let Some(w) = &warning {
            set_last_warning(w);
        }
        Ok(status)
    })
}

/// The websocket URL for `InitSDK()`; `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_server_parameters_web_socket_url(
    p: *const gamelift_auth_server_parameters,
) -> *const c_char {
    unsafe { text_of(p, |p| &p.web_socket_url) }
}

/// The auth token (a secret: never log it); `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_server_parameters_auth_token(
    p: *const gamelift_auth_server_parameters,
) -> *const c_char {
    unsafe { text_of(p, |p| &p.auth_token) }
}

/// The fleet id; `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_server_parameters_fleet_id(
    p: *const gamelift_auth_server_parameters,
) -> *const c_char {
    unsafe { text_of(p, |p| &p.fleet_id) }
}

/// The host id (the compute name); `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_server_parameters_host_id(
    p: *const gamelift_auth_server_parameters,
) -> *const c_char {
    unsafe { text_of(p, |p| &p.host_id) }
}

/// The process id, a fresh UUIDv4 per `_new`; `""` for NULL. Valid until `_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_server_parameters_process_id(
    p: *const gamelift_auth_server_parameters,
) -> *const c_char {
    unsafe { text_of(p, |p| &p.process_id) }
}

/// The token's expiry in unix epoch milliseconds; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_server_parameters_expires_at_ms(
    p: *const gamelift_auth_server_parameters,
) -> i64 {
    boundary_value(0, || unsafe { p.as_ref() }.map_or(0, |p| p.expires_at_ms))
}

/// Frees server parameters and wipes the token. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gamelift_auth_server_parameters_free(
    p: *mut gamelift_auth_server_parameters,
) {
    boundary_value((), || unsafe { free_box(p) })
}

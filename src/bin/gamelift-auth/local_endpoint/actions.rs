//! The GameLift actions the stand-in answers, their input checks and output shapes, and the
//! registered computes they share.
//!
//! Inputs are checked with the library's own pattern matchers (`gamelift_auth::validate`), so the
//! stand-in refuses exactly what the service model refuses, with `InvalidRequestException` and a
//! message naming the field. Outputs have the real shapes: timestamps are epoch seconds as JSON
//! numbers (with milliseconds), ARNs use account 123456789012.

use std::collections::HashMap;

use parking_lot::Mutex;
use serde_json::{Map, Value, json};

/// The account id in every ARN the stand-in makes up.
pub const ACCOUNT: &str = "123456789012";

/// An awsJson1_1 error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status (400, or 500 for InternalServiceException).
    pub status: u16,
    /// The error code (`__type`).
    pub code: String,
    /// The message.
    pub message: String,
}

impl ApiError {
    /// An error with status 400.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: 400,
            code: code.into(),
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        ApiError::new("InvalidRequestException", message)
    }

    fn not_found(message: impl Into<String>) -> Self {
        ApiError::new("NotFoundException", message)
    }

    /// A SerializationException (the body is not what the operation takes).
    pub fn serialization(message: impl Into<String>) -> Self {
        ApiError::new("SerializationException", message)
    }
}

/// The actions the stand-in knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// GetComputeAuthToken.
    GetComputeAuthToken,
    /// RequestUploadCredentials.
    RequestUploadCredentials,
    /// RegisterCompute.
    RegisterCompute,
    /// DescribeCompute.
    DescribeCompute,
    /// DeregisterCompute.
    DeregisterCompute,
}

impl Action {
    /// The action for the part of `X-Amz-Target` after `GameLift.`.
    pub fn from_name(name: &str) -> Option<Action> {
        Some(match name {
            "GetComputeAuthToken" => Action::GetComputeAuthToken,
            "RequestUploadCredentials" => Action::RequestUploadCredentials,
            "RegisterCompute" => Action::RegisterCompute,
            "DescribeCompute" => Action::DescribeCompute,
            "DeregisterCompute" => Action::DeregisterCompute,
            _ => return None,
        })
    }
}

/// What an action may depend on besides its input.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The stand-in's region.
    pub region: &'a str,
    /// The (possibly shifted) server time, epoch milliseconds.
    pub now_ms: i64,
    /// Lifetime of new auth tokens, milliseconds.
    pub token_lifetime_ms: i64,
    /// GetComputeAuthToken refuses computes that are not registered.
    pub strict_computes: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Compute {
    ip_address: Option<String>,
    dns_name: Option<String>,
    location: String,
    certificate_path: Option<String>,
    creation_ms: i64,
}

/// Registered computes, by (fleet id, compute name).
#[derive(Default)]
pub struct Registry {
    computes: Mutex<HashMap<(String, String), Compute>>,
}

impl Registry {
    /// Forgets every compute.
    pub fn clear(&self) {
        self.computes.lock().clear();
    }

    fn get(&self, fleet: &str, name: &str) -> Option<Compute> {
        self.computes
            .lock()
            .get(&(fleet.to_string(), name.to_string()))
            .cloned()
    }
}

/// Runs `action` on the parsed JSON body.
pub fn call(
    action: Action,
    input: &Map<String, Value>,
    ctx: &Context<'_>,
    registry: &Registry,
) -> Result<Map<String, Value>, ApiError> {
    match action {
        Action::GetComputeAuthToken => get_compute_auth_token(input, ctx, registry),
        Action::RequestUploadCredentials => request_upload_credentials(input, ctx),
        Action::RegisterCompute => register_compute(input, ctx, registry),
        Action::DescribeCompute => describe_compute(input, ctx, registry),
        Action::DeregisterCompute => deregister_compute(input, registry),
    }
}

/// A string member: `None` when absent or null, SerializationException when not a string.
fn string<'a>(input: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match input.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ApiError::serialization(format!(
            "{field}: expected a string, got {}",
            type_name(other)
        ))),
    }
}

/// A required string member, checked by `check`.
fn required<'a>(
    input: &'a Map<String, Value>,
    field: &str,
    check: fn(&str) -> gamelift_auth::Result<()>,
) -> Result<&'a str, ApiError> {
    let Some(value) = string(input, field)? else {
        // The wording AWS uses for a missing required member.
        let mut member = field.to_string();
        member[..1].make_ascii_lowercase();
        return Err(ApiError::invalid(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy \
             constraint: Member must not be null"
        )));
    };
    check(value).map_err(|e| ApiError::invalid(e.message()))?;
    Ok(value)
}

/// An optional string member, checked by `check` when present.
fn optional<'a>(
    input: &'a Map<String, Value>,
    field: &str,
    check: fn(&str) -> gamelift_auth::Result<()>,
) -> Result<Option<&'a str>, ApiError> {
    let value = string(input, field)?;
    if let Some(v) = value {
        check(v).map_err(|e| ApiError::invalid(e.message()))?;
    }
    Ok(value)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The fleet id of a fleet id or fleet ARN (already validated).
fn fleet_id(value: &str) -> &str {
    value.rsplit('/').next().unwrap_or(value)
}

/// The compute name of a compute name or compute ARN (already validated).
fn compute_name(value: &str) -> &str {
    if value.starts_with("arn:") {
        value
            .rsplit_once(":compute/")
            .map_or(value, |(_, name)| name)
    } else {
        value
    }
}

fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

fn arn(ctx: &Context<'_>, resource: &str) -> String {
    format!(
        "arn:{}:gamelift:{}:{ACCOUNT}:{resource}",
        partition(ctx.region),
        ctx.region
    )
}

/// Epoch milliseconds as epoch seconds, a JSON number with up to three decimals.
fn seconds(ms: i64) -> Value {
    json!(ms as f64 / 1000.0)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn get_compute_auth_token(
    input: &Map<String, Value>,
    ctx: &Context<'_>,
    registry: &Registry,
) -> Result<Map<String, Value>, ApiError> {
    let fleet = fleet_id(required(
        input,
        "FleetId",
        gamelift_auth::validate::fleet_id,
    )?);
    let name = compute_name(required(
        input,
        "ComputeName",
        gamelift_auth::validate::compute_name_or_arn,
    )?);
    if ctx.strict_computes && registry.get(fleet, name).is_none() {
        return Err(ApiError::not_found(format!(
            "Compute {name} not found in fleet {fleet}."
        )));
    }
    Ok(object(json!({
        "FleetId": fleet,
        "FleetArn": arn(ctx, &format!("fleet/{fleet}")),
        "ComputeName": name,
        "ComputeArn": arn(ctx, &format!("compute/{name}")),
        "AuthToken": uuid::Uuid::new_v4().to_string(),
        "ExpirationTimestamp": seconds(ctx.now_ms.saturating_add(ctx.token_lifetime_ms)),
    })))
}

/// `n` random characters from `alphabet`.
fn random_text(alphabet: &[u8], n: usize) -> String {
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in uuid::Uuid::new_v4().as_bytes() {
            if out.len() < n {
                out.push(alphabet[*b as usize % alphabet.len()] as char);
            }
        }
    }
    out
}

fn request_upload_credentials(
    input: &Map<String, Value>,
    ctx: &Context<'_>,
) -> Result<Map<String, Value>, ApiError> {
    let build = required(input, "BuildId", gamelift_auth::validate::build_id)?;
    let build = build.rsplit('/').next().unwrap_or(build);
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    Ok(object(json!({
        "UploadCredentials": {
            "AccessKeyId": format!("ASIA{}", random_text(UPPER, 16)),
            "SecretAccessKey": random_text(B64, 40),
            "SessionToken": format!("IQoJb3JpZ2luX2Vj{}", random_text(B64, 300)),
        },
        "StorageLocation": {
            "Bucket": format!("gamelift-standin-builds-{}", ctx.region),
            "Key": format!("{ACCOUNT}/{build}"),
            "RoleArn": format!(
                "arn:{}:iam::{ACCOUNT}:role/GameLiftStandInUploadRole",
                partition(ctx.region)
            ),
        },
    })))
}

fn compute_json(ctx: &Context<'_>, fleet: &str, name: &str, c: &Compute) -> Value {
    let mut out = json!({
        "FleetId": fleet,
        "FleetArn": arn(ctx, &format!("fleet/{fleet}")),
        "ComputeName": name,
        "ComputeArn": arn(ctx, &format!("compute/{name}")),
        "ComputeStatus": "ACTIVE",
        "Location": c.location,
        "CreationTime": seconds(c.creation_ms),
        "GameLiftServiceSdkEndpoint": format!("wss://{}.api.amazongamelift.com", ctx.region),
        "GameLiftAgentEndpoint": format!(
            "https://{}.process-manager-api.amazongamelift.com",
            ctx.region
        ),
    });
    if let Some(ip) = &c.ip_address {
        out["IpAddress"] = json!(ip);
    }
    if let Some(dns) = &c.dns_name {
        out["DnsName"] = json!(dns);
    }
    out
}

fn register_compute(
    input: &Map<String, Value>,
    ctx: &Context<'_>,
    registry: &Registry,
) -> Result<Map<String, Value>, ApiError> {
    use gamelift_auth::validate;
    let fleet = fleet_id(required(input, "FleetId", validate::fleet_id)?);
    let name = required(input, "ComputeName", validate::compute_name)?;
    let certificate_path = optional(input, "CertificatePath", validate::certificate_path)?;
    let dns_name = optional(input, "DnsName", validate::dns_name)?;
    let ip_address = optional(input, "IpAddress", validate::ip_address)?;
    let location = optional(input, "Location", validate::location)?;
    if ip_address.is_none() && dns_name.is_none() {
        return Err(ApiError::invalid(
            "Either IpAddress or DnsName is required to register a compute.",
        ));
    }
    let wanted = Compute {
        ip_address: ip_address.map(str::to_string),
        dns_name: dns_name.map(str::to_string),
        location: location.unwrap_or(ctx.region).to_string(),
        certificate_path: certificate_path.map(str::to_string),
        creation_ms: ctx.now_ms,
    };
    let mut computes = registry.computes.lock();
    let key = (fleet.to_string(), name.to_string());
    let compute = match computes.get(&key) {
        Some(existing) => {
            let same = Compute {
                creation_ms: existing.creation_ms,
                ..wanted
            };
            if *existing != same {
                return Err(ApiError::new(
                    "ConflictException",
                    format!(
                        "Compute {name} is already registered in fleet {fleet} with a different \
                         address or location."
                    ),
                ));
            }
            same
        }
        None => {
            computes.insert(key, wanted.clone());
            wanted
        }
    };
    drop(computes);
    Ok(object(
        json!({ "Compute": compute_json(ctx, fleet, name, &compute) }),
    ))
}

fn describe_compute(
    input: &Map<String, Value>,
    ctx: &Context<'_>,
    registry: &Registry,
) -> Result<Map<String, Value>, ApiError> {
    use gamelift_auth::validate;
    let fleet = fleet_id(required(input, "FleetId", validate::fleet_id)?);
    let name = compute_name(required(
        input,
        "ComputeName",
        validate::compute_name_or_arn,
    )?);
    let Some(compute) = registry.get(fleet, name) else {
        return Err(ApiError::not_found(format!(
            "Compute {name} not found in fleet {fleet}."
        )));
    };
    Ok(object(
        json!({ "Compute": compute_json(ctx, fleet, name, &compute) }),
    ))
}

fn deregister_compute(
    input: &Map<String, Value>,
    registry: &Registry,
) -> Result<Map<String, Value>, ApiError> {
    use gamelift_auth::validate;
    let fleet = fleet_id(required(input, "FleetId", validate::fleet_id)?);
    let name = compute_name(required(
        input,
        "ComputeName",
        validate::compute_name_or_arn,
    )?);
    let removed = registry
        .computes
        .lock()
        .remove(&(fleet.to_string(), name.to_string()));
    match removed {
        Some(_) => Ok(Map::new()),
        None => Err(ApiError::not_found(format!(
            "Compute {name} not found in fleet {fleet}."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context<'static> {
        Context {
            region: "us-west-2",
            now_ms: 1_795_238_400_123,
            token_lifetime_ms: 3_600_000,
            strict_computes: false,
        }
    }

    fn run(action: Action, input: Value, registry: &Registry) -> Result<Value, ApiError> {
        run_with(action, input, registry, &ctx())
    }

    fn run_with(
        action: Action,
        input: Value,
        registry: &Registry,
        ctx: &Context<'_>,
    ) -> Result<Value, ApiError> {
        call(action, &object(input), ctx, registry).map(Value::Object)
    }

    #[test]
    fn get_compute_auth_token_shape() {
        let r = Registry::default();
        let out = run(
            Action::GetComputeAuthToken,
            json!({"FleetId": "arn:aws:gamelift:us-west-2:1:fleet/fleet-1a", "ComputeName": "box-1"}),
            &r,
        )
        .unwrap();
        assert_eq!(out["FleetId"], "fleet-1a");
        assert_eq!(
            out["FleetArn"],
            "arn:aws:gamelift:us-west-2:123456789012:fleet/fleet-1a"
        );
        assert_eq!(out["ComputeName"], "box-1");
        assert_eq!(
            out["ComputeArn"],
            "arn:aws:gamelift:us-west-2:123456789012:compute/box-1"
        );
        let token = out["AuthToken"].as_str().unwrap();
        assert!(gamelift_auth::validate::auth_token(token), "{token}");
        assert_eq!(out["ExpirationTimestamp"].as_f64(), Some(1_795_242_000.123));
        assert_eq!(out["ExpirationTimestamp"].to_string(), "1795242000.123");
        let again = run(
            Action::GetComputeAuthToken,
            json!({"FleetId": "fleet-1a", "ComputeName": "arn:aws:gamelift:us-west-2:1:compute/box-1"}),
            &r,
        )
        .unwrap();
        assert_eq!(again["ComputeName"], "box-1");
        assert_ne!(again["AuthToken"], out["AuthToken"]);
    }

    #[test]
    fn input_checks_name_the_field() {
        let r = Registry::default();
        let err = |input: Value| run(Action::GetComputeAuthToken, input, &r).unwrap_err();
        let e = err(json!({"ComputeName": "box"}));
        assert_eq!(e.code, "InvalidRequestException");
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'fleetId' failed to satisfy constraint: \
             Member must not be null"
        );
        let e = err(json!({"FleetId": "fleet-1", "ComputeName": "a b"}));
        assert_eq!(e.code, "InvalidRequestException");
        assert!(e.message.contains("ComputeName"), "{}", e.message);
        let e = err(json!({"FleetId": "nope", "ComputeName": "box"}));
        assert!(e.message.contains("FleetId"), "{}", e.message);
        let e = err(json!({"FleetId": 7, "ComputeName": "box"}));
        assert_eq!(e.code, "SerializationException");
        assert!(e.message.contains("FleetId"));
        let e = err(json!({"FleetId": "fleet-1", "ComputeName": "a".repeat(1025)}));
        assert!(e.message.contains("1 to 1024"), "{}", e.message);
        let e = run(
            Action::RequestUploadCredentials,
            json!({"BuildId": "b-1"}),
            &r,
        )
        .unwrap_err();
        assert!(e.message.contains("BuildId"));
        // Unknown members are ignored, as the service does.
        assert!(
            run(
                Action::GetComputeAuthToken,
                json!({"FleetId": "fleet-1", "ComputeName": "b", "X": 1}),
                &r
            )
            .is_ok()
        );
    }

    #[test]
    fn upload_credentials_shape() {
        let out = run(
            Action::RequestUploadCredentials,
            json!({"BuildId": "build-1111aaaa"}),
            &Registry::default(),
        )
        .unwrap();
        let c = &out["UploadCredentials"];
        assert!(c["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
        assert_eq!(c["AccessKeyId"].as_str().unwrap().len(), 20);
        assert_eq!(c["SecretAccessKey"].as_str().unwrap().len(), 40);
        assert!(c["SessionToken"].as_str().unwrap().len() > 100);
        let s = &out["StorageLocation"];
        assert_eq!(s["Bucket"], "gamelift-standin-builds-us-west-2");
        assert_eq!(s["Key"], "123456789012/build-1111aaaa");
        assert!(
            s["RoleArn"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:iam::123456789012:role/")
        );
    }

    #[test]
    fn compute_lifecycle() {
        let r = Registry::default();
        let reg = json!({"FleetId": "fleet-1", "ComputeName": "box-1", "IpAddress": "10.0.0.5",
                         "Location": "custom-home"});
        let out = run(Action::RegisterCompute, reg.clone(), &r).unwrap();
        let c = &out["Compute"];
        assert_eq!(c["ComputeStatus"], "ACTIVE");
        assert_eq!(c["IpAddress"], "10.0.0.5");
        assert!(c.get("DnsName").is_none());
        assert_eq!(c["Location"], "custom-home");
        assert_eq!(c["CreationTime"].as_f64(), Some(1_795_238_400.123));
        assert_eq!(
            c["GameLiftServiceSdkEndpoint"],
            "wss://us-west-2.api.amazongamelift.com"
        );
        assert!(
            c["GameLiftAgentEndpoint"]
                .as_str()
                .unwrap()
                .contains("us-west-2")
        );

        // Registering again the same way is fine and keeps the creation time.
        let later = Context {
            now_ms: ctx().now_ms + 5000,
            ..ctx()
        };
        let again = run_with(Action::RegisterCompute, reg, &r, &later).unwrap();
        assert_eq!(again["Compute"]["CreationTime"], c["CreationTime"]);
        // Another address is a conflict.
        let e = run(
            Action::RegisterCompute,
            json!({"FleetId": "fleet-1", "ComputeName": "box-1", "IpAddress": "10.0.0.6", "Location": "custom-home"}),
            &r,
        )
        .unwrap_err();
        assert_eq!(e.code, "ConflictException");

        let d = run(
            Action::DescribeCompute,
            json!({"FleetId": "fleet-1", "ComputeName": "box-1"}),
            &r,
        )
        .unwrap();
        assert_eq!(d["Compute"], out["Compute"]);

        let strict = Context {
            strict_computes: true,
            ..ctx()
        };
        let token = |name: &str| {
            run_with(
                Action::GetComputeAuthToken,
                json!({"FleetId": "fleet-1", "ComputeName": name}),
                &r,
                &strict,
            )
        };
        assert!(token("box-1").is_ok());
        assert_eq!(token("box-2").unwrap_err().code, "NotFoundException");

        assert_eq!(
            run(
                Action::DeregisterCompute,
                json!({"FleetId": "fleet-1", "ComputeName": "box-1"}),
                &r
            )
            .unwrap(),
            json!({})
        );
        for action in [Action::DeregisterCompute, Action::DescribeCompute] {
            let e = run(
                action,
                json!({"FleetId": "fleet-1", "ComputeName": "box-1"}),
                &r,
            )
            .unwrap_err();
            assert_eq!(e.code, "NotFoundException");
        }
    }

    #[test]
    fn register_compute_input_checks() {
        let r = Registry::default();
        let err = |input: Value| run(Action::RegisterCompute, input, &r).unwrap_err();
        let e = err(json!({"FleetId": "fleet-1", "ComputeName": "box"}));
        assert!(e.message.contains("IpAddress or DnsName"));
        let e = err(
            json!({"FleetId": "fleet-1", "ComputeName": "a".repeat(129), "IpAddress": "1.2.3.4"}),
        );
        assert!(e.message.contains("ComputeName"));
        let e = err(
            json!({"FleetId": "fleet-1", "ComputeName": "arn:aws:gamelift:us-west-2:1:compute/x", "IpAddress": "1.2.3.4"}),
        );
        assert!(e.message.contains("ComputeName"));
        let e = err(json!({"FleetId": "fleet-1", "ComputeName": "b", "IpAddress": "1.2.3.4/8"}));
        assert!(e.message.contains("IpAddress"));
        let e = err(json!({"FleetId": "fleet-1", "ComputeName": "b", "DnsName": "a b"}));
        assert!(e.message.contains("DnsName"));
        let e = err(
            json!({"FleetId": "fleet-1", "ComputeName": "b", "DnsName": "a", "Location": "us_west"}),
        );
        assert!(e.message.contains("Location"));
        let e = err(
            json!({"FleetId": "fleet-1", "ComputeName": "b", "DnsName": "a", "CertificatePath": ""}),
        );
        assert!(e.message.contains("CertificatePath"));
        let ok = run(
            Action::RegisterCompute,
            json!({"FleetId": "fleet-1", "ComputeName": "b", "DnsName": "game.example.com"}),
            &r,
        )
        .unwrap();
        assert_eq!(ok["Compute"]["DnsName"], "game.example.com");
        assert_eq!(ok["Compute"]["Location"], "us-west-2");
    }
}

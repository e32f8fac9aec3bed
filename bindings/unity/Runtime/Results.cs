// Results.cs: what the client's calls return.
//
// Secrets (AuthToken.Value, GameLiftServerParameters.AuthToken, the UploadCredentials secrets):
// the library wipes its own copies when freed, but a .NET string cannot be wiped, so a copy made
// here lives until the GC reuses its memory. Never log them; ToString() leaves them out.

using System;

namespace GameLiftAuth
{
    internal static class Epoch
    {
        private static readonly DateTime Zero = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        internal static DateTime FromMilliseconds(long ms)
        {
            return Zero.AddMilliseconds(ms);
        }
    }

    /// <summary>A compute auth token.</summary>
    public sealed class AuthToken
    {
        internal AuthToken(string value, long expiresAtMs, string warning)
        {
            Value = value;
            ExpiresAtMs = expiresAtMs;
            Warning = warning ?? string.Empty;
        }

        /// <summary>The token (a secret: never log it).</summary>
        public string Value { get; private set; }

        /// <summary>Expiry, unix epoch milliseconds.</summary>
        public long ExpiresAtMs { get; private set; }

        /// <summary>Expiry, UTC.</summary>
        public DateTime ExpiresAt { get { return Epoch.FromMilliseconds(ExpiresAtMs); } }

        /// <summary>Non-empty when a refresh failed and this cached, still unexpired token was
        /// returned: the failure, as gamelift_auth_last_error() words it.</summary>
        public string Warning { get; private set; }

        /// <summary>The length and expiry, not the token.</summary>
        public override string ToString()
        {
            return "AuthToken(" + (Value ?? string.Empty).Length + " chars, expires "
                + ExpiresAt.ToString("u") + ")";
        }
    }

    /// <summary>Everything the GameLift Server SDK for C#'s ServerParameters takes:
    /// <c>new ServerParameters(p.WebSocketUrl, p.ProcessId, p.HostId, p.FleetId, p.AuthToken)</c>.</summary>
    public sealed class GameLiftServerParameters
    {
        /// <summary>The compute's GameLiftServiceSdkEndpoint (wss://...).</summary>
        public string WebSocketUrl { get; private set; }

        /// <summary>The auth token (a secret: never log it).</summary>
        public string AuthToken { get; private set; }

        /// <summary>The fleet id.</summary>
        public string FleetId { get; private set; }

        /// <summary>The host id: the compute name.</summary>
        public string HostId { get; private set; }

        /// <summary>A fresh UUIDv4 per call.</summary>
        public string ProcessId { get; private set; }

        /// <summary>The token's expiry, unix epoch milliseconds.</summary>
        public long ExpiresAtMs { get; private set; }

        /// <summary>The token's expiry, UTC.</summary>
        public DateTime ExpiresAt { get { return Epoch.FromMilliseconds(ExpiresAtMs); } }

        /// <summary>As AuthToken.Warning.</summary>
        public string Warning { get; private set; }

        /// <summary>Copies the values out, then frees the native object (which wipes its
        /// copy of the token).</summary>
        internal static GameLiftServerParameters From(ServerParametersHandle p, string warning)
        {
            using (p)
            {
                GameLiftServerParameters result = new GameLiftServerParameters();
                result.WebSocketUrl = Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_web_socket_url(p));
                result.AuthToken = Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_auth_token(p));
                result.FleetId = Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_fleet_id(p));
                result.HostId = Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_host_id(p));
                result.ProcessId = Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_process_id(p));
                result.ExpiresAtMs = NativeMethods.gamelift_auth_server_parameters_expires_at_ms(p);
                result.Warning = warning ?? string.Empty;
                return result;
            }
        }

        /// <summary>Everything but the token.</summary>
        public override string ToString()
        {
            return "GameLiftServerParameters(WebSocketUrl=" + WebSocketUrl + ", FleetId=" + FleetId
                + ", HostId=" + HostId + ", ProcessId=" + ProcessId + ", AuthToken=("
                + (AuthToken ?? string.Empty).Length + " chars), ExpiresAt=" + ExpiresAt.ToString("u") + ")";
        }
    }

    /// <summary>A compute as the service describes it; "" for absent fields.</summary>
    public sealed class ComputeInfo
    {
        /// <summary>The fleet id.</summary>
        public string FleetId { get; private set; }

        /// <summary>The compute name.</summary>
        public string Name { get; private set; }

        /// <summary>The compute ARN.</summary>
        public string Arn { get; private set; }

        /// <summary>"ACTIVE", "PENDING", ...</summary>
        public string Status { get; private set; }

        /// <summary>The IP address.</summary>
        public string IpAddress { get; private set; }

        /// <summary>The location.</summary>
        public string Location { get; private set; }

        /// <summary>GameLiftServiceSdkEndpoint: the websocket URL for InitSDK().</summary>
        public string SdkEndpoint { get; private set; }

        /// <summary>GameLiftAgentEndpoint.</summary>
        public string AgentEndpoint { get; private set; }

        /// <summary>Copies the values out, then frees the native object.</summary>
        internal static ComputeInfo From(ComputeHandle c)
        {
            using (c)
            {
                ComputeInfo result = new ComputeInfo();
                result.FleetId = Utf8.FromNative(NativeMethods.gamelift_auth_compute_fleet_id(c));
                result.Name = Utf8.FromNative(NativeMethods.gamelift_auth_compute_name(c));
                result.Arn = Utf8.FromNative(NativeMethods.gamelift_auth_compute_arn(c));
                result.Status = Utf8.FromNative(NativeMethods.gamelift_auth_compute_status(c));
                result.IpAddress = Utf8.FromNative(NativeMethods.gamelift_auth_compute_ip_address(c));
                result.Location = Utf8.FromNative(NativeMethods.gamelift_auth_compute_location(c));
                result.SdkEndpoint = Utf8.FromNative(NativeMethods.gamelift_auth_compute_sdk_endpoint(c));
                result.AgentEndpoint = Utf8.FromNative(NativeMethods.gamelift_auth_compute_agent_endpoint(c));
                return result;
            }
        }

        /// <summary>All fields.</summary>
        public override string ToString()
        {
            return "ComputeInfo(FleetId=" + FleetId + ", Name=" + Name + ", Arn=" + Arn + ", Status="
                + Status + ", IpAddress=" + IpAddress + ", Location=" + Location + ", SdkEndpoint="
                + SdkEndpoint + ", AgentEndpoint=" + AgentEndpoint + ")";
        }
    }

    /// <summary>Temporary S3 credentials for a build upload. The values stay in library memory
    /// and are decoded on each read; Dispose wipes them. Reading after Dispose throws
    /// ObjectDisposedException.</summary>
    public sealed class UploadCredentials : IDisposable
    {
        private readonly UploadCredentialsHandle handle;

        internal UploadCredentials(UploadCredentialsHandle handle)
        {
            this.handle = handle;
        }

        private UploadCredentialsHandle Handle
        {
            get
            {
                if (handle.IsClosed)
                {
                    throw new ObjectDisposedException("UploadCredentials");
                }
                return handle;
            }
        }

        /// <summary>The access key id.</summary>
        public string AccessKeyId
        {
            get { return Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_access_key_id(Handle)); }
        }

        /// <summary>The secret access key (a secret: never log it).</summary>
        public string SecretAccessKey
        {
            get { return Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_secret_access_key(Handle)); }
        }

        /// <summary>The session token (a secret: never log it).</summary>
        public string SessionToken
        {
            get { return Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_session_token(Handle)); }
        }

        /// <summary>The S3 bucket.</summary>
        public string Bucket
        {
            get { return Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_bucket(Handle)); }
        }

        /// <summary>The S3 key.</summary>
        public string Key
        {
            get { return Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_key(Handle)); }
        }

        /// <summary>The role ARN; "" if absent.</summary>
        public string RoleArn
        {
            get { return Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_role_arn(Handle)); }
        }

        /// <summary>The object version; "" if absent.</summary>
        public string ObjectVersion
        {
            get { return Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_object_version(Handle)); }
        }

        /// <summary>The location and key id, not the secrets.</summary>
        public override string ToString()
        {
            if (handle.IsClosed)
            {
                return "UploadCredentials(disposed)";
            }
            return "UploadCredentials(s3://" + Bucket + "/" + Key + ", AccessKeyId=" + AccessKeyId + ")";
        }

        /// <summary>Frees the credentials and wipes the secret key and session token.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }
    }
}

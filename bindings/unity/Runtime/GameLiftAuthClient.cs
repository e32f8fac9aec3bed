// GameLiftAuthClient.cs: the configuration and the client.

using System;

namespace GameLiftAuth
{
    /// <summary>A client configuration. Starts from the standard AWS environment (AWS_REGION,
    /// AWS_PROFILE, AWS_ENDPOINT_URL_GAMELIFT, the shared config files, the credential chain),
    /// resolved when a client is made; each setter wins over it. Not thread-safe: one thread at
    /// a time. Setters throw GameLiftAuthException(InvalidArgument) for a refused value.</summary>
    public sealed class GameLiftAuthConfig : IDisposable
    {
        private readonly ConfigHandle handle;

        /// <summary>A new configuration.</summary>
        public GameLiftAuthConfig()
        {
            GameLiftAuthLibrary.EnsureLoaded();
            handle = NativeMethods.gamelift_auth_config_new();
            if (handle.IsInvalid)
            {
                throw new OutOfMemoryException("gamelift_auth_config_new returned NULL");
            }
        }

        internal ConfigHandle Handle
        {
            get
            {
                if (handle.IsClosed)
                {
                    throw new ObjectDisposedException("GameLiftAuthConfig");
                }
                return handle;
            }
        }

        /// <summary>The region, e.g. "us-west-2".</summary>
        public GameLiftAuthConfig SetRegion(string region)
        {
            GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_config_set_region(Handle,
                Utf8.ToNative(region, "region")), "gamelift_auth_config_set_region");
            return this;
        }

        /// <summary>The endpoint: https://..., or plain http:// only for a loopback host.</summary>
        public GameLiftAuthConfig SetEndpoint(string url)
        {
            GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_config_set_endpoint(Handle,
                Utf8.ToNative(url, "url")), "gamelift_auth_config_set_endpoint");
            return this;
        }

        /// <summary>The profile of the shared config/credentials files.</summary>
        public GameLiftAuthConfig SetProfile(string profile)
        {
            GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_config_set_profile(Handle,
                Utf8.ToNative(profile, "profile")), "gamelift_auth_config_set_profile");
            return this;
        }

        /// <summary>Explicit credentials; they win over every other source. The library keeps
        /// its own copies (wiped when freed); the UTF-8 copies made here are wiped at once.</summary>
        public GameLiftAuthConfig SetCredentials(string accessKeyId, string secretAccessKey,
            string sessionToken = null)
        {
            byte[] key = null, secret = null, token = null;
            try
            {
                key = Utf8.ToNative(accessKeyId, "accessKeyId");
                secret = Utf8.ToNative(secretAccessKey, "secretAccessKey");
                token = Utf8.ToNative(sessionToken, "sessionToken");
                GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_config_set_credentials(Handle,
                    key, secret, token), "gamelift_auth_config_set_credentials");
            }
            finally
            {
                Utf8.Wipe(secret);
                Utf8.Wipe(token);
            }
            return this;
        }

        /// <summary>The deadline of one call, retries included (default 10000; 1 to 3600000).</summary>
        public GameLiftAuthConfig SetTimeoutMs(uint milliseconds)
        {
            GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_config_set_timeout_ms(Handle,
                milliseconds), "gamelift_auth_config_set_timeout_ms");
            return this;
        }

        /// <summary>Attempts per call (default 3; 1 = no retry; at most 20).</summary>
        public GameLiftAuthConfig SetMaxAttempts(uint attempts)
        {
            GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_config_set_max_attempts(Handle,
                attempts), "gamelift_auth_config_set_max_attempts");
            return this;
        }

        /// <summary>A cached token is reused while its remaining lifetime is above
        /// min(seconds, lifetime / 2) (default 900).</summary>
        public GameLiftAuthConfig SetMinValiditySeconds(uint seconds)
        {
            GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_config_set_min_validity_s(Handle,
                seconds), "gamelift_auth_config_set_min_validity_s");
            return this;
        }

        /// <summary>The directory of the cross-process token cache (shared by the processes of
        /// one user on this host); null turns it off (the default).</summary>
        public GameLiftAuthConfig SetCacheDir(string dir)
        {
            GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_config_set_cache_dir(Handle,
                Utf8.ToNative(dir, "dir")), "gamelift_auth_config_set_cache_dir");
            return this;
        }

        /// <summary>Frees the configuration and wipes explicit credentials.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }
    }

    /// <summary>A GameLift client. Thread-safe: make one per process and share it; its token
    /// cache makes repeated calls free and concurrent first calls share one request. Every
    /// method blocks at most the configured timeout per request it sends (call them off the
    /// main thread in a game loop) and throws GameLiftAuthException on failure. Dispose waits
    /// for calls running on other threads before freeing the native client.</summary>
    public sealed class GameLiftAuthClient : IDisposable
    {
        private readonly ClientHandle handle;

        /// <summary>A client from the standard AWS environment only.</summary>
        public static GameLiftAuthClient FromEnvironment()
        {
            return new GameLiftAuthClient(null);
        }

        /// <summary>A client from <paramref name="config"/> (copied: dispose it whenever you
        /// like); null means the standard AWS environment only. Reads files, sends nothing;
        /// throws GameLiftAuthException(Config) for no region or an unknown profile.</summary>
        public GameLiftAuthClient(GameLiftAuthConfig config)
        {
            GameLiftAuthLibrary.EnsureLoaded();
            // No configuration: a handle holding NULL, which the C function reads as "defaults".
            ConfigHandle cfg = config != null ? config.Handle : new ConfigHandle();
            try
            {
                ClientHandle created;
                int status = NativeMethods.gamelift_auth_client_new(cfg, out created);
                GameLiftAuthLibrary.Check(status, "gamelift_auth_client_new");
                handle = created;
            }
            finally
            {
                if (config == null)
                {
                    cfg.Dispose();
                }
            }
        }

        internal ClientHandle Handle
        {
            get
            {
                if (handle.IsClosed)
                {
                    throw new ObjectDisposedException("GameLiftAuthClient");
                }
                return handle;
            }
        }

        /// <summary>A compute auth token: from the cache while it has time left, else fetched
        /// with GetComputeAuthToken. Call it right before InitSDK(), not at process start.</summary>
        public AuthToken GetToken(string fleetId, string computeName)
        {
            byte[] fleet = Utf8.ToNative(fleetId, "fleetId");
            byte[] compute = Utf8.ToNative(computeName, "computeName");
            ClientHandle client = Handle;
            // Tokens are at most 64 characters today: the first buffer nearly always suffices.
            byte[] buf = new byte[128];
            try
            {
                UIntPtr len;
                long expiresAtMs;
                int status = NativeMethods.gamelift_auth_get_token(client, fleet, compute, buf,
                    (UIntPtr)buf.Length, out len, out expiresAtMs);
                // On BUFFER_TOO_SMALL len is the size needed, NUL included. Loops again only if
                // the token was refreshed, and grew, between two calls.
                while (status == (int)GameLiftAuthStatus.BufferTooSmall)
                {
                    Utf8.Wipe(buf);
                    buf = new byte[checked((int)len.ToUInt64())];
                    status = NativeMethods.gamelift_auth_get_token(client, fleet, compute, buf,
                        (UIntPtr)buf.Length, out len, out expiresAtMs);
                }
                GameLiftAuthLibrary.Check(status, "gamelift_auth_get_token");
                string warning = GameLiftAuthLibrary.Warning();
                return new AuthToken(Utf8.FromBuffer(buf, checked((int)len.ToUInt64())), expiresAtMs,
                    warning);
            }
            finally
            {
                Utf8.Wipe(buf);
            }
        }

        /// <summary>Forgets the cached token: the next GetToken fetches a new one. Call it when
        /// the Server SDK reports that the token was refused.</summary>
        public void InvalidateToken(string fleetId, string computeName)
        {
            GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_invalidate_token(Handle,
                Utf8.ToNative(fleetId, "fleetId"), Utf8.ToNative(computeName, "computeName")),
                "gamelift_auth_invalidate_token");
        }

        /// <summary>Temporary credentials to upload build <paramref name="buildId"/>
        /// ("build-..." or its ARN) to S3. Never cached. Dispose the result to wipe them.</summary>
        public UploadCredentials RequestUploadCredentials(string buildId)
        {
            UploadCredentialsHandle created;
            int status = NativeMethods.gamelift_auth_request_upload_credentials(Handle,
                Utf8.ToNative(buildId, "buildId"), out created);
            GameLiftAuthLibrary.Check(status, "gamelift_auth_request_upload_credentials");
            return new UploadCredentials(created);
        }

        /// <summary>Registers this host as a compute of an Anywhere fleet. <paramref
        /// name="ipAddress"/> or <paramref name="dnsName"/> is required; the rest may be null.</summary>
        public ComputeInfo RegisterCompute(string fleetId, string computeName, string ipAddress,
            string dnsName = null, string location = null, string certificatePath = null)
        {
            ComputeHandle created;
            int status = NativeMethods.gamelift_auth_register_compute(Handle,
                Utf8.ToNative(fleetId, "fleetId"), Utf8.ToNative(computeName, "computeName"),
                Utf8.ToNative(ipAddress, "ipAddress"), Utf8.ToNative(dnsName, "dnsName"),
                Utf8.ToNative(location, "location"), Utf8.ToNative(certificatePath, "certificatePath"),
                out created);
            GameLiftAuthLibrary.Check(status, "gamelift_auth_register_compute");
            return ComputeInfo.From(created);
        }

        /// <summary>Describes a compute (DescribeCompute).</summary>
        public ComputeInfo DescribeCompute(string fleetId, string computeName)
        {
            ComputeHandle created;
            int status = NativeMethods.gamelift_auth_describe_compute(Handle,
                Utf8.ToNative(fleetId, "fleetId"), Utf8.ToNative(computeName, "computeName"),
                out created);
            GameLiftAuthLibrary.Check(status, "gamelift_auth_describe_compute");
            return ComputeInfo.From(created);
        }

        /// <summary>Deregisters a compute and forgets its cached token and websocket URL.</summary>
        public void DeregisterCompute(string fleetId, string computeName)
        {
            GameLiftAuthLibrary.Check(NativeMethods.gamelift_auth_deregister_compute(Handle,
                Utf8.ToNative(fleetId, "fleetId"), Utf8.ToNative(computeName, "computeName")),
                "gamelift_auth_deregister_compute");
        }

        /// <summary>Everything the GameLift Server SDK's ServerParameters takes (websocket URL,
        /// process id, host id, fleet id, auth token) in one call, with a fresh process id.</summary>
        public GameLiftServerParameters GetServerParameters(string fleetId, string computeName)
        {
            ServerParametersHandle created;
            int status = NativeMethods.gamelift_auth_server_parameters_new(Handle,
                Utf8.ToNative(fleetId, "fleetId"), Utf8.ToNative(computeName, "computeName"),
                out created);
            GameLiftAuthLibrary.Check(status, "gamelift_auth_server_parameters_new");
            string warning = GameLiftAuthLibrary.Warning();
            return GameLiftServerParameters.From(created, warning);
        }

        /// <summary>Frees the client and wipes its cached tokens, once no call on another
        /// thread still uses it.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }
    }
}

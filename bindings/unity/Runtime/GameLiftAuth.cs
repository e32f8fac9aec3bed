// GameLiftAuth.cs: the library-wide part of the C# API over the gamelift-auth C ABI: status
// values, the exceptions, version and ABI checks, status names, the log sink.
//
//   using GameLiftAuth;
//
//   using (var client = GameLiftAuthClient.FromEnvironment())
//   {
//       GameLiftServerParameters p = client.GetServerParameters("fleet-1a2b", "my-box");
//       var sdk = new Aws.GameLift.Server.Model.ServerParameters(
//           p.WebSocketUrl, p.ProcessId, p.HostId, p.FleetId, p.AuthToken);
//       GameLiftServerAPI.InitSDK(sdk);
//   }
//
// Every call that fails throws GameLiftAuthException with the status and the library's message.
// The first use of the library checks that the native plugin has the ABI this file was written
// for (GameLiftAuthLoadException otherwise, also when the plugin is missing).

using System;

namespace GameLiftAuth
{
    /// <summary>The status values of the C ABI (gamelift_auth_status). The numbers are fixed
    /// and never reused.</summary>
    public enum GameLiftAuthStatus
    {
        /// <summary>GAMELIFT_AUTH_OK: success.</summary>
        Ok = 0,
        /// <summary>NULL where not allowed, bad UTF-8, fails a documented pattern/length, bad URL.</summary>
        InvalidArgument = 1,
        /// <summary>The caller's buffer is too small (handled inside this wrapper).</summary>
        BufferTooSmall = 2,
        /// <summary>No region, unknown profile, unreadable or malformed config file.</summary>
        Config = 3,
        /// <summary>No credentials found, or a credential provider failed.</summary>
        Credentials = 4,
        /// <summary>DNS, connect, TLS, connection reset, after retries.</summary>
        Network = 5,
        /// <summary>The call's deadline passed.</summary>
        Timeout = 6,
        /// <summary>Throttling, after retries.</summary>
        Throttled = 7,
        /// <summary>UnauthorizedException, access denied, bad signature, expired credentials.</summary>
        Unauthorized = 8,
        /// <summary>NotFoundException.</summary>
        NotFound = 9,
        /// <summary>InvalidRequestException: the service refused the input.</summary>
        InvalidRequest = 10,
        /// <summary>UnsupportedRegionException.</summary>
        UnsupportedRegion = 11,
        /// <summary>InternalServiceException / 5xx after retries, or any other service error code.</summary>
        Service = 12,
        /// <summary>Malformed, truncated, oversized (cap 1 MiB) or incomplete response.</summary>
        BadResponse = 13,
        /// <summary>ConflictException.</summary>
        Conflict = 14,
        /// <summary>NotReadyException.</summary>
        NotReady = 15,
        /// <summary>LimitExceededException, after retries.</summary>
        LimitExceeded = 16,
        /// <summary>A bug in gamelift-auth (a caught panic); please report it.</summary>
        Internal = 99,
    }

    /// <summary>A failed gamelift-auth call: the status, and the calling thread's
    /// gamelift_auth_last_error() text, read right after the call.</summary>
    public class GameLiftAuthException : Exception
    {
        /// <summary>The status the C function returned.</summary>
        public GameLiftAuthStatus Status { get; private set; }

        /// <summary>The status' C name, e.g. "GAMELIFT_AUTH_ERROR_NOT_FOUND".</summary>
        public string StatusName { get; private set; }

        /// <summary>The C function that failed, e.g. "gamelift_auth_get_token".</summary>
        public string Operation { get; private set; }

        /// <summary>The library's message: what failed, the AWS error code and request id when
        /// the service answered, and what to do. Never a secret.</summary>
        public string LastError { get; private set; }

        /// <summary>Message: "&lt;operation&gt; returned &lt;STATUS_NAME&gt;: &lt;last error&gt;".</summary>
        public GameLiftAuthException(GameLiftAuthStatus status, string operation, string lastError)
            : base(Describe(status, operation, lastError))
        {
            Status = status;
            StatusName = NameOf(status);
            Operation = operation;
            LastError = lastError ?? string.Empty;
        }

        /// <summary>True for failures that may pass if tried again later: network, timeout,
        /// throttling, service errors, compute not ready.</summary>
        public bool IsTransient
        {
            get
            {
                switch (Status)
                {
                    case GameLiftAuthStatus.Network:
                    case GameLiftAuthStatus.Timeout:
                    case GameLiftAuthStatus.Throttled:
                    case GameLiftAuthStatus.Service:
                    case GameLiftAuthStatus.NotReady:
                        return true;
                    default:
                        return false;
                }
            }
        }

        /// <summary>The C name of a status, without calling into the library (the exception
        /// may describe a failure to load it). The test checks it against
        /// gamelift_auth_status_name for every value.</summary>
        internal static string NameOf(GameLiftAuthStatus status)
        {
            switch (status)
            {
                case GameLiftAuthStatus.Ok: return "GAMELIFT_AUTH_OK";
                case GameLiftAuthStatus.InvalidArgument: return "GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT";
                case GameLiftAuthStatus.BufferTooSmall: return "GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL";
                case GameLiftAuthStatus.Config: return "GAMELIFT_AUTH_ERROR_CONFIG";
                case GameLiftAuthStatus.Credentials: return "GAMELIFT_AUTH_ERROR_CREDENTIALS";
                case GameLiftAuthStatus.Network: return "GAMELIFT_AUTH_ERROR_NETWORK";
                case GameLiftAuthStatus.Timeout: return "GAMELIFT_AUTH_ERROR_TIMEOUT";
                case GameLiftAuthStatus.Throttled: return "GAMELIFT_AUTH_ERROR_THROTTLED";
                case GameLiftAuthStatus.Unauthorized: return "GAMELIFT_AUTH_ERROR_UNAUTHORIZED";
                case GameLiftAuthStatus.NotFound: return "GAMELIFT_AUTH_ERROR_NOT_FOUND";
                case GameLiftAuthStatus.InvalidRequest: return "GAMELIFT_AUTH_ERROR_INVALID_REQUEST";
                case GameLiftAuthStatus.UnsupportedRegion: return "GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION";
                case GameLiftAuthStatus.Service: return "GAMELIFT_AUTH_ERROR_SERVICE";
                case GameLiftAuthStatus.BadResponse: return "GAMELIFT_AUTH_ERROR_BAD_RESPONSE";
                case GameLiftAuthStatus.Conflict: return "GAMELIFT_AUTH_ERROR_CONFLICT";
                case GameLiftAuthStatus.NotReady: return "GAMELIFT_AUTH_ERROR_NOT_READY";
                case GameLiftAuthStatus.LimitExceeded: return "GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED";
                case GameLiftAuthStatus.Internal: return "GAMELIFT_AUTH_ERROR_INTERNAL";
                default: return "GAMELIFT_AUTH_ERROR_UNKNOWN";
            }
        }

        private static string Describe(GameLiftAuthStatus status, string operation, string lastError)
        {
            string name = NameOf(status);
            string text = operation + " returned ";
            if (string.IsNullOrEmpty(lastError))
            {
                return text + name;
            }
            // The library's message may already start with the name: say it once.
            if (lastError.StartsWith(name + ": ", StringComparison.Ordinal))
            {
                return text + lastError;
            }
            return text + name + ": " + lastError;
        }
    }

    /// <summary>The native plugin cannot be used: it is missing, lacks a function, or was built
    /// for another ABI than this C# code. Fix the package's Plugins (see the README).</summary>
    public class GameLiftAuthLoadException : Exception
    {
        /// <summary>The ABI version this C# code was written for.</summary>
        public uint ExpectedAbiVersion { get; private set; }

        /// <summary>The ABI version of the loaded plugin; 0 when it could not be loaded.</summary>
        public uint LoadedAbiVersion { get; private set; }

        /// <summary>A load failure with its cause.</summary>
        public GameLiftAuthLoadException(string message, uint loadedAbiVersion, Exception inner)
            : base(message, inner)
        {
            ExpectedAbiVersion = NativeMethods.AbiVersion;
            LoadedAbiVersion = loadedAbiVersion;
        }
    }

    /// <summary>Library-wide functions. All are thread-safe.</summary>
    public static class GameLiftAuthLibrary
    {
        /// <summary>GAMELIFT_AUTH_ABI_VERSION of the header this C# code mirrors.</summary>
        public const uint ExpectedAbiVersion = NativeMethods.AbiVersion;

        private static readonly object LoadLock = new object();
        private static volatile bool loaded;
        private static GameLiftAuthLoadException loadError;

        /// <summary>The native library's version, e.g. "0.1.0".</summary>
        public static string Version
        {
            get
            {
                EnsureLoaded();
                return Utf8.FromNative(NativeMethods.gamelift_auth_version());
            }
        }

        /// <summary>The ABI version of the loaded native library.</summary>
        public static uint AbiVersion
        {
            get
            {
                EnsureLoaded();
                return NativeMethods.gamelift_auth_abi_version();
            }
        }

        /// <summary>The C name of a status ("GAMELIFT_AUTH_ERROR_NOT_FOUND");
        /// "GAMELIFT_AUTH_ERROR_UNKNOWN" for a value that is not one.</summary>
        public static string StatusName(GameLiftAuthStatus status)
        {
            EnsureLoaded();
            return Utf8.FromNative(NativeMethods.gamelift_auth_status_name((int)status));
        }

        /// <summary>The calling thread's message for its last failed call (or the warning of
        /// a call that returned a stale token); "" when there is none. The wrapper's methods
        /// already put it into their exceptions and results.</summary>
        public static string LastError
        {
            get
            {
                EnsureLoaded();
                return Utf8.FromNative(NativeMethods.gamelift_auth_last_error());
            }
        }

        /// <summary>Sends the library's log messages up to <paramref name="maxLevel"/> to
        /// <paramref name="sink"/>; null turns logging off (the default). Process-wide. The
        /// sink is called from any thread, concurrently; exceptions it throws are swallowed.
        /// When this returns, the previous sink gets no further call.</summary>
        public static void SetLogSink(ILogSink sink, LogLevel maxLevel = LogLevel.Info)
        {
            EnsureLoaded();
            LogBridge.Set(sink, maxLevel);
        }

        /// <summary>Loads the native library and checks its ABI, once; later calls rethrow the
        /// first failure. Every entry point of this API calls it first.</summary>
        internal static void EnsureLoaded()
        {
            if (loaded)
            {
                return;
            }
            lock (LoadLock)
            {
                if (loaded)
                {
                    return;
                }
                if (loadError == null)
                {
                    loadError = TryLoad();
                }
                if (loadError != null)
                {
                    // A new exception each time (a thrown one carries its stack), same cause.
                    throw new GameLiftAuthLoadException(loadError.Message, loadError.LoadedAbiVersion,
                        loadError.InnerException);
                }
                loaded = true;
            }
        }

        private static GameLiftAuthLoadException TryLoad()
        {
            uint abi;
            try
            {
                abi = NativeMethods.gamelift_auth_abi_version();
            }
            catch (DllNotFoundException e)
            {
                return new GameLiftAuthLoadException(
                    "the gamelift-auth native library (\"" + NativeMethods.Library + "\") was not found: "
                    + "put libgamelift_auth.so / gamelift_auth.dll / libgamelift_auth.dylib under the "
                    + "package's Plugins folder for this platform (" + e.Message + ")", 0, e);
            }
            catch (EntryPointNotFoundException e)
            {
                return new GameLiftAuthLoadException(
                    "the library loaded as \"" + NativeMethods.Library + "\" is not gamelift-auth "
                    + "(no gamelift_auth_abi_version): " + e.Message, 0, e);
            }
            return CheckAbi(abi);
        }

        /// <summary>null when <paramref name="loadedAbi"/> is the ABI this code expects, else
        /// the exception that says so.</summary>
        internal static GameLiftAuthLoadException CheckAbi(uint loadedAbi)
        {
            if (loadedAbi == ExpectedAbiVersion)
            {
                return null;
            }
            return new GameLiftAuthLoadException(
                "the gamelift-auth native library has ABI version " + loadedAbi + " but this C# code "
                + "was written for ABI version " + ExpectedAbiVersion + ": use the plugin and the "
                + "C# files of the same gamelift-auth release", loadedAbi, null);
        }

        /// <summary>Throws GameLiftAuthException for a non-OK status, with this thread's last
        /// error read at once (it is valid only until the thread's next call).</summary>
        internal static void Check(int status, string operation)
        {
            if (status != (int)GameLiftAuthStatus.Ok)
            {
                string message = Utf8.FromNative(NativeMethods.gamelift_auth_last_error());
                throw new GameLiftAuthException((GameLiftAuthStatus)status, operation, message);
            }
        }

        /// <summary>The warning a call that returned OK may leave (a refresh failed and the
        /// cached, unexpired token was returned); "" when there is none.</summary>
        internal static string Warning()
        {
            return Utf8.FromNative(NativeMethods.gamelift_auth_last_error());
        }
    }
}

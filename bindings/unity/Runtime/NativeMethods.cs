// NativeMethods.cs: the P/Invoke declarations of the whole gamelift-auth C ABI
// (include/gamelift_auth.h), the SafeHandle subclasses of its five handles, and the UTF-8
// marshalling helpers. Internal: the public API is in GameLiftAuth.cs.
//
// Rules every declaration here follows, so that Mono, IL2CPP and .NET all marshal it the same
// way without runtime code generation surprises:
//   - CallingConvention.Cdecl, exact C names (the method name is the entry point);
//   - blittable types only: int32_t -> int (statuses too), uint32_t -> uint, int64_t -> long,
//     size_t -> UIntPtr, pointers -> IntPtr or a SafeHandle; no bool, no string, no struct;
//   - strings in: NUL-terminated UTF-8 byte[] built by Utf8.ToNative (null -> C NULL);
//   - strings out: IntPtr decoded by Utf8.FromNative (Marshal.PtrToStringUTF8 is missing on
//     older Mono/Unity profiles); the library owns those strings, nothing here frees them;
//   - the _free functions take IntPtr: only the handles' ReleaseHandle calls them.
//
// The test tests/unity_mono.rs checks that this file declares exactly the header's functions,
// each with CallingConvention.Cdecl, and that the Mono test program calls every one of them.

using System;
using System.Runtime.InteropServices;
using System.Text;

namespace GameLiftAuth
{
    internal static class NativeMethods
    {
        // Platforms where the library is linked into the player statically (iOS/tvOS link
        // libgamelift_auth.a; consoles and WebGL have no dynamic loading): "__Internal".
        // Everywhere else the shared library: Mono/Unity map "gamelift_auth" to
        // libgamelift_auth.so (Linux), gamelift_auth.dll (Windows), libgamelift_auth.dylib (macOS).
#if (UNITY_IOS || UNITY_TVOS || UNITY_WEBGL || UNITY_SWITCH || UNITY_PS4 || UNITY_PS5 || UNITY_GAMECORE) && !UNITY_EDITOR
        internal const string Library = "__Internal";
#else
        internal const string Library = "gamelift_auth";
#endif

        /// <summary>GAMELIFT_AUTH_ABI_VERSION of the header these declarations mirror.</summary>
        internal const uint AbiVersion = 1;

        // ---- library-wide ----------------------------------------------------------------

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint gamelift_auth_abi_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_status_name(int status);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_last_error();

        /// <summary>gamelift_auth_log_fn. The message is UTF-8, messageLen bytes, valid only
        /// during the call; any thread.</summary>
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void LogFn(IntPtr userData, int level, IntPtr message, UIntPtr messageLen);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void gamelift_auth_set_log_callback(LogFn cb, IntPtr userData, int maxLevel);

        // ---- configuration ---------------------------------------------------------------

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern ConfigHandle gamelift_auth_config_new();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void gamelift_auth_config_free(IntPtr cfg);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_config_set_region(ConfigHandle cfg, byte[] region);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_config_set_endpoint(ConfigHandle cfg, byte[] url);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_config_set_profile(ConfigHandle cfg, byte[] profile);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_config_set_credentials(ConfigHandle cfg,
            byte[] accessKeyId, byte[] secretAccessKey, byte[] sessionToken);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_config_set_timeout_ms(ConfigHandle cfg, uint ms);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_config_set_max_attempts(ConfigHandle cfg, uint attempts);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_config_set_min_validity_s(ConfigHandle cfg, uint seconds);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_config_set_cache_dir(ConfigHandle cfg, byte[] dir);

        // ---- client and token ------------------------------------------------------------

        /// <summary>cfg: an invalid (zero) ConfigHandle passes NULL, the AWS environment only.</summary>
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_client_new(ConfigHandle cfg, out ClientHandle client);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void gamelift_auth_client_free(IntPtr client);

        /// <summary>buf may be null (with bufLen 0) to ask for the size needed. On
        /// BUFFER_TOO_SMALL outLen is the size needed including the NUL; on OK the length
        /// without it.</summary>
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_get_token(ClientHandle client, byte[] fleetId,
            byte[] computeName, [In, Out] byte[] buf, UIntPtr bufLen, out UIntPtr outLen,
            out long expiresAtMs);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_invalidate_token(ClientHandle client, byte[] fleetId,
            byte[] computeName);

        // ---- upload credentials ----------------------------------------------------------

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_request_upload_credentials(ClientHandle client,
            byte[] buildId, out UploadCredentialsHandle credentials);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_upload_credentials_access_key_id(UploadCredentialsHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_upload_credentials_secret_access_key(UploadCredentialsHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_upload_credentials_session_token(UploadCredentialsHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_upload_credentials_bucket(UploadCredentialsHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_upload_credentials_key(UploadCredentialsHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_upload_credentials_role_arn(UploadCredentialsHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_upload_credentials_object_version(UploadCredentialsHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void gamelift_auth_upload_credentials_free(IntPtr c);

        // ---- compute lifecycle -----------------------------------------------------------

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_register_compute(ClientHandle client, byte[] fleetId,
            byte[] computeName, byte[] ipAddress, byte[] dnsName, byte[] location,
            byte[] certificatePath, out ComputeHandle compute);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_describe_compute(ClientHandle client, byte[] fleetId,
            byte[] computeName, out ComputeHandle compute);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_deregister_compute(ClientHandle client, byte[] fleetId,
            byte[] computeName);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_compute_fleet_id(ComputeHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_compute_name(ComputeHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_compute_arn(ComputeHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_compute_status(ComputeHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_compute_ip_address(ComputeHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_compute_location(ComputeHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_compute_sdk_endpoint(ComputeHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_compute_agent_endpoint(ComputeHandle c);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void gamelift_auth_compute_free(IntPtr c);

        // ---- InitSDK() parameters --------------------------------------------------------

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int gamelift_auth_server_parameters_new(ClientHandle client, byte[] fleetId,
            byte[] computeName, out ServerParametersHandle parameters);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_server_parameters_web_socket_url(ServerParametersHandle p);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_server_parameters_auth_token(ServerParametersHandle p);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_server_parameters_fleet_id(ServerParametersHandle p);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_server_parameters_host_id(ServerParametersHandle p);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr gamelift_auth_server_parameters_process_id(ServerParametersHandle p);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern long gamelift_auth_server_parameters_expires_at_ms(ServerParametersHandle p);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void gamelift_auth_server_parameters_free(IntPtr p);
    }

    // ---- handles ---------------------------------------------------------------------------
    //
    // One SafeHandle per C handle: the runtime frees it exactly once (Dispose or finalizer), and
    // a P/Invoke call that takes the handle holds a reference for the call's duration, so a
    // Dispose on another thread waits for the call instead of freeing a client under it. A
    // disposed handle passed to a call throws ObjectDisposedException instead of crashing.
    // The parameterless constructors are for the marshaller (out-params and return values),
    // which calls them by reflection: [Preserve] keeps Unity's managed code stripping from
    // removing them. An instance made with one holds NULL, which is how "no handle" is passed.

    /// <summary>Unity's linker keeps whatever carries an attribute named PreserveAttribute,
    /// from any namespace: this one spares the package a UnityEngine reference.</summary>
    [AttributeUsage(AttributeTargets.Constructor | AttributeTargets.Method | AttributeTargets.Class)]
    internal sealed class PreserveAttribute : Attribute
    {
    }


    /// <summary>A gamelift_auth_config*. Not synchronized: one thread at a time.</summary>
    internal sealed class ConfigHandle : SafeHandle
    {
        [Preserve]
        public ConfigHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        protected override bool ReleaseHandle()
        {
            NativeMethods.gamelift_auth_config_free(handle);
            return true;
        }
    }

    /// <summary>A gamelift_auth_client*. Internally synchronized: share it between threads.</summary>
    internal sealed class ClientHandle : SafeHandle
    {
        [Preserve]
        public ClientHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        protected override bool ReleaseHandle()
        {
            NativeMethods.gamelift_auth_client_free(handle);
            return true;
        }
    }

    /// <summary>A gamelift_auth_upload_credentials*. Freeing wipes the secrets.</summary>
    internal sealed class UploadCredentialsHandle : SafeHandle
    {
        [Preserve]
        public UploadCredentialsHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        protected override bool ReleaseHandle()
        {
            NativeMethods.gamelift_auth_upload_credentials_free(handle);
            return true;
        }
    }

    /// <summary>A gamelift_auth_compute*.</summary>
    internal sealed class ComputeHandle : SafeHandle
    {
        [Preserve]
        public ComputeHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        protected override bool ReleaseHandle()
        {
            NativeMethods.gamelift_auth_compute_free(handle);
            return true;
        }
    }

    /// <summary>A gamelift_auth_server_parameters*. Freeing wipes the auth token.</summary>
    internal sealed class ServerParametersHandle : SafeHandle
    {
        [Preserve]
        public ServerParametersHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        protected override bool ReleaseHandle()
        {
            NativeMethods.gamelift_auth_server_parameters_free(handle);
            return true;
        }
    }

    // ---- UTF-8 -----------------------------------------------------------------------------

    /// <summary>UTF-8 both ways, without CharSet marshalling or Marshal.PtrToStringUTF8.</summary>
    internal static class Utf8
    {
        // Throws on a lone surrogate instead of silently sending U+FFFD.
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        /// <summary>A NUL-terminated UTF-8 copy of <paramref name="value"/>; null for null (C
        /// NULL). A string holding U+0000 (it would cut the value short) or a lone surrogate
        /// (not encodable) throws GameLiftAuthException(InvalidArgument): nothing is sent.</summary>
        internal static byte[] ToNative(string value, string name)
        {
            if (value == null)
            {
                return null;
            }
            if (value.IndexOf('\0') >= 0)
            {
                throw new GameLiftAuthException(GameLiftAuthStatus.InvalidArgument, "argument check",
                    name + " contains a NUL character");
            }
            try
            {
                int n = Strict.GetByteCount(value);
                byte[] bytes = new byte[n + 1];
                Strict.GetBytes(value, 0, value.Length, bytes, 0);
                return bytes;
            }
            catch (EncoderFallbackException)
            {
                throw new GameLiftAuthException(GameLiftAuthStatus.InvalidArgument, "argument check",
                    name + " is not valid UTF-16 (a lone surrogate): it has no UTF-8 form");
            }
        }

        /// <summary>The NUL-terminated UTF-8 string at <paramref name="p"/>; "" for NULL.
        /// Invalid sequences become U+FFFD (the library only returns valid UTF-8).</summary>
        internal static string FromNative(IntPtr p)
        {
            if (p == IntPtr.Zero)
            {
                return string.Empty;
            }
            int len = 0;
            while (Marshal.ReadByte(p, len) != 0)
            {
                len++;
            }
            return FromNative(p, len);
        }

        /// <summary><paramref name="len"/> UTF-8 bytes at <paramref name="p"/>.</summary>
        internal static string FromNative(IntPtr p, int len)
        {
            if (p == IntPtr.Zero || len <= 0)
            {
                return string.Empty;
            }
            byte[] bytes = new byte[len];
            Marshal.Copy(p, bytes, 0, len);
            return Encoding.UTF8.GetString(bytes);
        }

        /// <summary>The first <paramref name="len"/> bytes of <paramref name="buf"/>.</summary>
        internal static string FromBuffer(byte[] buf, int len)
        {
            return len <= 0 ? string.Empty : Encoding.UTF8.GetString(buf, 0, len);
        }

        /// <summary>Overwrites a buffer that held a secret.</summary>
        internal static void Wipe(byte[] bytes)
        {
            if (bytes != null)
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }
    }
}

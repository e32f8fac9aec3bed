// MonoTest.cs: the test program of the Unity bindings, run with plain Mono against the built
// libgamelift_auth.so and the local GameLift stand-in (tests/unity_mono.rs builds and runs it).
// This folder ends in "~": Unity ignores it, so it never ends up in a game.
//
//   mcs -out:MonoTest.exe Runtime/*.cs Tests~/MonoTest.cs
//   AWS_REGION=us-west-2 AWS_ENDPOINT_URL_GAMELIFT=http://127.0.0.1:PORT \
//   AWS_ACCESS_KEY_ID=AKIDLOCALSTANDIN AWS_SECRET_ACCESS_KEY=localstandinsecret \
//   LD_LIBRARY_PATH=target/debug/deps mono MonoTest.exe [mode]
//
// Modes:
//   all (default)     every function of NativeMethods.cs, through the public API and raw:
//                     version/ABI/status names, NULL handles, config validation, token and
//                     the buffer protocol, upload credentials, compute lifecycle, server
//                     parameters, every error status the stand-in can produce, the stale-token
//                     warning, the log callback, 8 threads sharing one client, Dispose races.
//   bare-environment  no AWS_REGION and no credentials in the environment: Config, Credentials.
//   missing-library   the native library cannot be found: GameLiftAuthLoadException.
//   unity             built with -define:UNITY_5_3_OR_NEWER;UNITY_IOS and Tests~/UnityStubs.cs,
//                     run with the library LD_PRELOADed: "__Internal" resolves, UnityLogSink
//                     routes by level.
//
// Environment: the AWS variables above; STANDIN_URL (the control interface, defaults to
// AWS_ENDPOINT_URL_GAMELIFT), CLOSED_URL (a loopback URL where nothing listens),
// EXPECTED_VERSION and EXPECTED_ABI_VERSION (from Cargo.toml and the header).
//
// Output goes to stderr (stdout is left to `mono --trace`): one line per failed check, then
// "mono_test <mode>: N passed, M failed". Exit status 0 only when nothing failed.
//
// Request names the Rust test counts on the stand-in: "threads-box" gets exactly one
// GetComputeAuthToken (8 threads share one client); the wrong secret causes exactly one
// signature failure.

using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using GameLiftAuth;

internal static class MonoTest
{
    private const string Fleet = "fleet-1a2b";
    private const string AccessKey = "AKIDLOCALSTANDIN";
    private const string SecretKey = "localstandinsecret";
    private const string WrongSecret = "wrong-secret-mono-5e6f7a8b";
    private const string UnicodeName = "b\u00f5x-\u00fcn\u00ef-\u540d\u524d";   // "bõx-ünï-名前"
    private const string GetToken = "GetComputeAuthToken";

    private static int passed;
    private static int failed;

    private static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "all";
        try
        {
            switch (mode)
            {
                case "all":
                    RunAll();
                    break;
                case "bare-environment":
                    BareEnvironment();
                    break;
                case "missing-library":
                    MissingLibrary();
                    break;
                case "unity":
                    Unity();
                    break;
                default:
                    Check(false, "unknown mode " + mode);
                    break;
            }
        }
        catch (Exception e)
        {
            Check(false, "unexpected exception: " + e);
        }
        Console.Error.WriteLine("mono_test " + mode + ": " + passed + " passed, " + failed + " failed");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    private static void RunAll()
    {
        Library();
        NullHandles();
        ConfigValidation();
        using (GameLiftAuthClient client = StandInClient(3))
        {
            Tokens(client);
            LongToken(client);
            Upload(client);
            Computes(client);
            Threads(client);
        }
        FromEnvironment();
        ServiceErrors();
        StaleToken();
        Logging();
        DisposeRace();
    }

    // ---- checks ----------------------------------------------------------------------------

    private static void Check(bool ok, string what, [CallerLineNumber] int line = 0)
    {
        if (ok)
        {
            passed++;
            return;
        }
        failed++;
        Console.Error.WriteLine("MonoTest.cs:" + line + ": FAILED: " + what);
    }

    private static void Equal<T>(T got, T want, string what, [CallerLineNumber] int line = 0)
    {
        Check(EqualityComparer<T>.Default.Equals(got, want),
            what + ": got \"" + got + "\", expected \"" + want + "\"", line);
    }

    /// <summary>The call throws GameLiftAuthException with <paramref name="want"/>, its
    /// LastError set and its Message "&lt;operation&gt; returned &lt;NAME&gt;...".</summary>
    private static GameLiftAuthException Throws(GameLiftAuthStatus want, Action call, string what,
        [CallerLineNumber] int line = 0)
    {
        try
        {
            call();
        }
        catch (GameLiftAuthException e)
        {
            Check(e.Status == want, what + ": status " + e.Status + ", expected " + want + " (" + e.Message + ")", line);
            Check(e.LastError.Length > 0, what + ": LastError set", line);
            Check(e.StatusName == GameLiftAuthException.NameOf(want), what + ": StatusName " + e.StatusName, line);
            Check(e.Message.StartsWith(e.Operation + " returned " + e.StatusName, StringComparison.Ordinal)
                && CountOf(e.Message, e.StatusName) == 1, what + ": Message " + e.Message, line);
            return e;
        }
        catch (Exception e)
        {
            Check(false, what + ": threw " + e.GetType().Name + ", expected GameLiftAuthException(" + want + "): " + e, line);
            return null;
        }
        Check(false, what + ": did not throw, expected " + want, line);
        return null;
    }

    /// <summary>The call throws exactly <typeparamref name="T"/>.</summary>
    private static void ThrowsType<T>(Action call, string what, [CallerLineNumber] int line = 0) where T : Exception
    {
        try
        {
            call();
            Check(false, what + ": did not throw " + typeof(T).Name, line);
        }
        catch (Exception e)
        {
            Check(e.GetType() == typeof(T), what + ": threw " + e.GetType().Name + ", expected " + typeof(T).Name, line);
        }
    }

    /// <summary>A raw C call returned <paramref name="want"/>; a failure left a message.</summary>
    private static void Status(int got, GameLiftAuthStatus want, string what, [CallerLineNumber] int line = 0)
    {
        string lastError = GameLiftAuthLibrary.LastError;
        Check(got == (int)want, what + ": returned " + GameLiftAuthException.NameOf((GameLiftAuthStatus)got)
            + ", expected " + GameLiftAuthException.NameOf(want) + " (" + lastError + ")", line);
        if (want == GameLiftAuthStatus.Ok)
        {
            Check(lastError.Length == 0, what + ": an OK call clears the last error", line);
        }
        else
        {
            Check(lastError.Length > 0, what + ": last error set", line);
        }
    }

    private static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0;
             i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            n++;
        }
        return n;
    }

    private static bool Contains(string text, string part)
    {
        return text != null && text.IndexOf(part, StringComparison.Ordinal) >= 0;
    }

    private static bool IsUuidV4(string s)
    {
        return Regex.IsMatch(s ?? "", "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    }

    private static bool IsTokenText(string s)
    {
        return Regex.IsMatch(s ?? "", "^[A-Za-z0-9._~-]{1,1024}$");
    }

    private static long NowMs()
    {
        return (long)(DateTime.UtcNow - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalMilliseconds;
    }

    /// <summary>An expiry about an hour from now, as the stand-in hands out.</summary>
    private static bool AboutAnHour(long expiresAtMs)
    {
        long left = expiresAtMs - NowMs();
        return left > 3500 * 1000L && left <= 3601 * 1000L;
    }

    /// <summary>A NUL-terminated byte string.</summary>
    private static byte[] Z(string s)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        Array.Resize(ref b, b.Length + 1);
        return b;
    }

    /// <summary>Raw bytes (invalid UTF-8 on purpose) plus the NUL.</summary>
    private static byte[] Raw(params byte[] bytes)
    {
        byte[] b = new byte[bytes.Length + 1];
        Array.Copy(bytes, b, bytes.Length);
        return b;
    }

    private static string Env(string name)
    {
        string v = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(v))
        {
            throw new InvalidOperationException("the environment variable " + name + " is not set");
        }
        return v;
    }

    // ---- the stand-in's control interface ------------------------------------------------

    private static string StandInUrl
    {
        get
        {
            string v = Environment.GetEnvironmentVariable("STANDIN_URL");
            return string.IsNullOrEmpty(v) ? Env("AWS_ENDPOINT_URL_GAMELIFT") : v;
        }
    }

    private static string Control(string method, string path, string body)
    {
        HttpWebRequest request = (HttpWebRequest)WebRequest.Create(StandInUrl + path);
        request.Method = method;
        request.Proxy = null;
        request.Timeout = 30000;
        request.ContentType = "application/json";
        if (body != null)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(body);
            request.ContentLength = bytes.Length;
            using (Stream s = request.GetRequestStream())
            {
                s.Write(bytes, 0, bytes.Length);
            }
        }
        using (HttpWebResponse response = (HttpWebResponse)request.GetResponse())
        using (StreamReader reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8))
        {
            return reader.ReadToEnd();
        }
    }

    private static void Fault(string json)
    {
        Control("POST", "/__standin/faults", json);
    }

    /// <summary>How many requests of <paramref name="action"/> the stand-in received.</summary>
    private static long Count(string action)
    {
        Match m = Regex.Match(Control("GET", "/__standin/stats", null), "\"" + action + "\"\\s*:\\s*(\\d+)");
        return m.Success ? long.Parse(m.Groups[1].Value) : 0;
    }

    private static long Total()
    {
        return Count("total");
    }

    private static string JsonString(string s)
    {
        StringBuilder b = new StringBuilder("\"");
        foreach (char c in s)
        {
            if (c == '"' || c == '\\')
            {
                b.Append('\\').Append(c);
            }
            else if (c < 0x20 || c > 0x7e)
            {
                b.Append("\\u").Append(((int)c).ToString("x4"));
            }
            else
            {
                b.Append(c);
            }
        }
        return b.Append('"').ToString();
    }

    /// <summary>An error answer for the next request of <paramref name="action"/>.</summary>
    private static void ErrorFault(string action, string code, int status, string message, int times = 1)
    {
        Fault("{\"action\":\"" + action + "\",\"error_type\":\"" + code + "\",\"status\":" + status
            + ",\"message\":" + JsonString(message) + ",\"times\":" + times + "}");
    }

    // ---- clients -------------------------------------------------------------------------

    /// <summary>A client for the stand-in with every setter used explicitly.</summary>
    private static GameLiftAuthClient StandInClient(uint attempts, string secret = SecretKey, uint timeoutMs = 10000)
    {
        using (GameLiftAuthConfig cfg = new GameLiftAuthConfig())
        {
            cfg.SetRegion(Env("AWS_REGION"))
               .SetEndpoint(Env("AWS_ENDPOINT_URL_GAMELIFT"))
               .SetCredentials(AccessKey, secret, null)
               .SetTimeoutMs(timeoutMs)
               .SetMaxAttempts(attempts)
               .SetMinValiditySeconds(900)
               .SetCacheDir(null);
            return new GameLiftAuthClient(cfg);
        }
    }

    // ---- library-wide --------------------------------------------------------------------

    private static void Library()
    {
        Equal(GameLiftAuthLibrary.LastError, "", "no last error before any call");
        Equal(GameLiftAuthLibrary.Version, Env("EXPECTED_VERSION"), "Version");
        Equal(Utf8.FromNative(NativeMethods.gamelift_auth_version()), Env("EXPECTED_VERSION"), "gamelift_auth_version");
        Equal(GameLiftAuthLibrary.ExpectedAbiVersion, uint.Parse(Env("EXPECTED_ABI_VERSION")), "ExpectedAbiVersion = the header's");
        Equal(GameLiftAuthLibrary.AbiVersion, GameLiftAuthLibrary.ExpectedAbiVersion, "AbiVersion");
        Equal(NativeMethods.Library, "gamelift_auth", "the shared library name outside Unity");

        // The ABI guard.
        Check(GameLiftAuthLibrary.CheckAbi(GameLiftAuthLibrary.ExpectedAbiVersion) == null, "CheckAbi(expected)");
        GameLiftAuthLoadException abi = GameLiftAuthLibrary.CheckAbi(GameLiftAuthLibrary.ExpectedAbiVersion + 1);
        Check(abi != null && abi.LoadedAbiVersion == GameLiftAuthLibrary.ExpectedAbiVersion + 1
            && abi.ExpectedAbiVersion == GameLiftAuthLibrary.ExpectedAbiVersion
            && Contains(abi.Message, "ABI version"), "CheckAbi(other) explains the mismatch");

        // Fixed numbers and names, the same on both sides.
        object[,] table =
        {
            { GameLiftAuthStatus.Ok, 0, "GAMELIFT_AUTH_OK" },
            { GameLiftAuthStatus.InvalidArgument, 1, "GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT" },
            { GameLiftAuthStatus.BufferTooSmall, 2, "GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL" },
            { GameLiftAuthStatus.Config, 3, "GAMELIFT_AUTH_ERROR_CONFIG" },
            { GameLiftAuthStatus.Credentials, 4, "GAMELIFT_AUTH_ERROR_CREDENTIALS" },
            { GameLiftAuthStatus.Network, 5, "GAMELIFT_AUTH_ERROR_NETWORK" },
            { GameLiftAuthStatus.Timeout, 6, "GAMELIFT_AUTH_ERROR_TIMEOUT" },
            { GameLiftAuthStatus.Throttled, 7, "GAMELIFT_AUTH_ERROR_THROTTLED" },
            { GameLiftAuthStatus.Unauthorized, 8, "GAMELIFT_AUTH_ERROR_UNAUTHORIZED" },
            { GameLiftAuthStatus.NotFound, 9, "GAMELIFT_AUTH_ERROR_NOT_FOUND" },
            { GameLiftAuthStatus.InvalidRequest, 10, "GAMELIFT_AUTH_ERROR_INVALID_REQUEST" },
            { GameLiftAuthStatus.UnsupportedRegion, 11, "GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION" },
            { GameLiftAuthStatus.Service, 12, "GAMELIFT_AUTH_ERROR_SERVICE" },
            { GameLiftAuthStatus.BadResponse, 13, "GAMELIFT_AUTH_ERROR_BAD_RESPONSE" },
            { GameLiftAuthStatus.Conflict, 14, "GAMELIFT_AUTH_ERROR_CONFLICT" },
            { GameLiftAuthStatus.NotReady, 15, "GAMELIFT_AUTH_ERROR_NOT_READY" },
            { GameLiftAuthStatus.LimitExceeded, 16, "GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED" },
            { GameLiftAuthStatus.Internal, 99, "GAMELIFT_AUTH_ERROR_INTERNAL" },
        };
        Equal(table.GetLength(0), Enum.GetValues(typeof(GameLiftAuthStatus)).Length, "every status in the table");
        for (int i = 0; i < table.GetLength(0); i++)
        {
            GameLiftAuthStatus s = (GameLiftAuthStatus)table[i, 0];
            string name = (string)table[i, 2];
            Equal((int)s, (int)table[i, 1], "the number of " + s);
            Equal(GameLiftAuthLibrary.StatusName(s), name, "StatusName(" + s + ")");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_status_name((int)s)), name, "gamelift_auth_status_name(" + s + ")");
            Equal(GameLiftAuthException.NameOf(s), name, "NameOf(" + s + ")");
        }
        foreach (int n in new[] { -1, 17, 98, 100, int.MaxValue })
        {
            Equal(GameLiftAuthLibrary.StatusName((GameLiftAuthStatus)n), "GAMELIFT_AUTH_ERROR_UNKNOWN", "StatusName(" + n + ")");
            Equal(GameLiftAuthException.NameOf((GameLiftAuthStatus)n), "GAMELIFT_AUTH_ERROR_UNKNOWN", "NameOf(" + n + ")");
        }
        Equal(Utf8.FromNative(NativeMethods.gamelift_auth_last_error()), "", "gamelift_auth_last_error before any failure");

        // Which failures are worth retrying.
        Check(new GameLiftAuthException(GameLiftAuthStatus.Throttled, "op", "x").IsTransient, "Throttled is transient");
        Check(!new GameLiftAuthException(GameLiftAuthStatus.NotFound, "op", "x").IsTransient, "NotFound is not");
        Equal(new GameLiftAuthException(GameLiftAuthStatus.NotFound, "op", "GAMELIFT_AUTH_ERROR_NOT_FOUND: gone").Message,
            "op returned GAMELIFT_AUTH_ERROR_NOT_FOUND: gone", "the status name once in the message");
        Equal(new GameLiftAuthException(GameLiftAuthStatus.NotFound, "op", "").Message,
            "op returned GAMELIFT_AUTH_ERROR_NOT_FOUND", "a message without last error");
    }

    // ---- NULL handles: _free(NULL), accessors of NULL, every function given a NULL handle --

    private static void NullHandles()
    {
        NativeMethods.gamelift_auth_config_free(IntPtr.Zero);
        NativeMethods.gamelift_auth_client_free(IntPtr.Zero);
        NativeMethods.gamelift_auth_upload_credentials_free(IntPtr.Zero);
        NativeMethods.gamelift_auth_compute_free(IntPtr.Zero);
        NativeMethods.gamelift_auth_server_parameters_free(IntPtr.Zero);
        Check(true, "_free(NULL) is a no-op");

        using (UploadCredentialsHandle u = new UploadCredentialsHandle())
        {
            Check(u.IsInvalid, "a new handle holds NULL");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_access_key_id(u)), "", "access_key_id(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_secret_access_key(u)), "", "secret_access_key(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_session_token(u)), "", "session_token(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_bucket(u)), "", "bucket(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_key(u)), "", "key(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_role_arn(u)), "", "role_arn(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_upload_credentials_object_version(u)), "", "object_version(NULL)");
            Check(NativeMethods.gamelift_auth_upload_credentials_key(u) != IntPtr.Zero, "accessors never return NULL");
        }
        using (ComputeHandle c = new ComputeHandle())
        {
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_compute_fleet_id(c)), "", "compute_fleet_id(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_compute_name(c)), "", "compute_name(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_compute_arn(c)), "", "compute_arn(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_compute_status(c)), "", "compute_status(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_compute_ip_address(c)), "", "compute_ip_address(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_compute_location(c)), "", "compute_location(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_compute_sdk_endpoint(c)), "", "compute_sdk_endpoint(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_compute_agent_endpoint(c)), "", "compute_agent_endpoint(NULL)");
        }
        using (ServerParametersHandle p = new ServerParametersHandle())
        {
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_web_socket_url(p)), "", "web_socket_url(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_auth_token(p)), "", "auth_token(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_fleet_id(p)), "", "fleet_id(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_host_id(p)), "", "host_id(NULL)");
            Equal(Utf8.FromNative(NativeMethods.gamelift_auth_server_parameters_process_id(p)), "", "process_id(NULL)");
            Equal(NativeMethods.gamelift_auth_server_parameters_expires_at_ms(p), 0L, "expires_at_ms(NULL)");
        }

        ConfigHandle cfg = new ConfigHandle();
        Status(NativeMethods.gamelift_auth_config_set_region(cfg, Z("us-west-2")), GameLiftAuthStatus.InvalidArgument, "set_region(NULL cfg)");
        Check(Contains(GameLiftAuthLibrary.LastError, "NULL"), "the message names NULL: " + GameLiftAuthLibrary.LastError);
        Status(NativeMethods.gamelift_auth_config_set_endpoint(cfg, Z("https://example.com")), GameLiftAuthStatus.InvalidArgument, "set_endpoint(NULL cfg)");
        Status(NativeMethods.gamelift_auth_config_set_profile(cfg, Z("default")), GameLiftAuthStatus.InvalidArgument, "set_profile(NULL cfg)");
        Status(NativeMethods.gamelift_auth_config_set_credentials(cfg, Z("AKID"), Z("secret"), null), GameLiftAuthStatus.InvalidArgument, "set_credentials(NULL cfg)");
        Status(NativeMethods.gamelift_auth_config_set_timeout_ms(cfg, 1000), GameLiftAuthStatus.InvalidArgument, "set_timeout_ms(NULL cfg)");
        Status(NativeMethods.gamelift_auth_config_set_max_attempts(cfg, 3), GameLiftAuthStatus.InvalidArgument, "set_max_attempts(NULL cfg)");
        Status(NativeMethods.gamelift_auth_config_set_min_validity_s(cfg, 900), GameLiftAuthStatus.InvalidArgument, "set_min_validity_s(NULL cfg)");
        Status(NativeMethods.gamelift_auth_config_set_cache_dir(cfg, null), GameLiftAuthStatus.InvalidArgument, "set_cache_dir(NULL cfg)");

        long before = Total();
        ClientHandle client = new ClientHandle();
        byte[] fleet = Z(Fleet), compute = Z("null-box"), buf = new byte[64];
        UIntPtr len;
        long expires;
        Status(NativeMethods.gamelift_auth_get_token(client, fleet, compute, buf, (UIntPtr)buf.Length, out len, out expires),
            GameLiftAuthStatus.InvalidArgument, "get_token(NULL client)");
        Status(NativeMethods.gamelift_auth_invalidate_token(client, fleet, compute), GameLiftAuthStatus.InvalidArgument, "invalidate_token(NULL client)");
        UploadCredentialsHandle upload;
        Status(NativeMethods.gamelift_auth_request_upload_credentials(client, Z("build-1"), out upload), GameLiftAuthStatus.InvalidArgument, "request_upload_credentials(NULL client)");
        Check(upload.IsInvalid, "no upload credentials on failure");
        ComputeHandle c2;
        Status(NativeMethods.gamelift_auth_register_compute(client, fleet, compute, Z("127.0.0.1"), null, null, null, out c2), GameLiftAuthStatus.InvalidArgument, "register_compute(NULL client)");
        Check(c2.IsInvalid, "no compute on failure");
        Status(NativeMethods.gamelift_auth_describe_compute(client, fleet, compute, out c2), GameLiftAuthStatus.InvalidArgument, "describe_compute(NULL client)");
        Status(NativeMethods.gamelift_auth_deregister_compute(client, fleet, compute), GameLiftAuthStatus.InvalidArgument, "deregister_compute(NULL client)");
        ServerParametersHandle p2;
        Status(NativeMethods.gamelift_auth_server_parameters_new(client, fleet, compute, out p2), GameLiftAuthStatus.InvalidArgument, "server_parameters_new(NULL client)");
        Check(p2.IsInvalid, "no server parameters on failure");
        Equal(Total(), before, "a NULL handle sends nothing");
    }

    // ---- configuration -------------------------------------------------------------------

    private static void ConfigValidation()
    {
        const GameLiftAuthStatus Invalid = GameLiftAuthStatus.InvalidArgument;
        using (GameLiftAuthConfig cfg = new GameLiftAuthConfig())
        {
            Throws(Invalid, () => cfg.SetRegion(null), "SetRegion(null)");
            Status(NativeMethods.gamelift_auth_config_set_region(cfg.Handle, Raw(0x75, 0x73, 0xff)), Invalid, "set_region(invalid UTF-8)");
            Check(Contains(GameLiftAuthLibrary.LastError, "UTF-8"), "the message says UTF-8: " + GameLiftAuthLibrary.LastError);
            GameLiftAuthException nul = Throws(Invalid, () => cfg.SetRegion("us-west-2\0evil"), "SetRegion(embedded NUL)");
            Check(nul != null && nul.Operation == "argument check" && Contains(nul.LastError, "NUL"), "an embedded NUL is refused before the call");
            Throws(Invalid, () => cfg.SetRegion("us-\ud800"), "SetRegion(lone surrogate)");
            Throws(Invalid, () => cfg.SetEndpoint(null), "SetEndpoint(null)");
            Throws(Invalid, () => cfg.SetEndpoint("ftp://example.com"), "SetEndpoint(ftp)");
            Throws(Invalid, () => cfg.SetEndpoint("http://example.com"), "SetEndpoint(plain http, not loopback)");
            Status(NativeMethods.gamelift_auth_config_set_endpoint(cfg.Handle, Raw(0x68, 0x74, 0xc3, 0x28)), Invalid, "set_endpoint(invalid UTF-8)");
            Throws(Invalid, () => cfg.SetProfile(null), "SetProfile(null)");
            Status(NativeMethods.gamelift_auth_config_set_profile(cfg.Handle, Raw(0x80)), Invalid, "set_profile(invalid UTF-8)");
            Throws(Invalid, () => cfg.SetCredentials(null, "secret"), "SetCredentials(null key)");
            Throws(Invalid, () => cfg.SetCredentials("AKID", null), "SetCredentials(null secret)");
            Status(NativeMethods.gamelift_auth_config_set_credentials(cfg.Handle, Z("AKID"), Z("secret"), Raw(0x74, 0xff)), Invalid, "set_credentials(invalid UTF-8 session token)");
            Throws(Invalid, () => cfg.SetTimeoutMs(0), "SetTimeoutMs(0)");
            Throws(Invalid, () => cfg.SetTimeoutMs(3600001), "SetTimeoutMs(3600001)");
            Throws(Invalid, () => cfg.SetMaxAttempts(0), "SetMaxAttempts(0)");
            Throws(Invalid, () => cfg.SetMaxAttempts(21), "SetMaxAttempts(21)");
            Status(NativeMethods.gamelift_auth_config_set_cache_dir(cfg.Handle, Raw(0x2f, 0xff)), Invalid, "set_cache_dir(invalid UTF-8)");

            // The documented bounds and nullable arguments are accepted; an OK call clears the
            // last error.
            cfg.SetTimeoutMs(1).SetTimeoutMs(3600000).SetMaxAttempts(1).SetMaxAttempts(20)
               .SetMinValiditySeconds(60).SetCacheDir(null).SetCredentials("AKIDOTHER", "other-secret", "a-session-token")
               .SetProfile("default").SetRegion("us-west-2").SetEndpoint("https://gamelift.example.com");
            Equal(GameLiftAuthLibrary.LastError, "", "last error after OK calls");
            Status(NativeMethods.gamelift_auth_config_set_min_validity_s(cfg.Handle, 900), GameLiftAuthStatus.Ok, "set_min_validity_s(900)");
            string dir = Path.Combine(Path.GetTempPath(), "gamelift-auth-mono-" + Guid.NewGuid().ToString("N"));
            cfg.SetCacheDir(dir);
        }

        // An unknown profile fails when the client is made (CONFIG), naming the profile.
        using (GameLiftAuthConfig cfg = new GameLiftAuthConfig())
        {
            cfg.SetProfile("mono-no-such-profile-" + UnicodeName);
            GameLiftAuthException e = Throws(GameLiftAuthStatus.Config, () => new GameLiftAuthClient(cfg), "client with an unknown profile");
            Check(e != null && Contains(e.LastError, "mono-no-such-profile-" + UnicodeName),
                "the message names the profile, UTF-8 both ways: " + (e == null ? "" : e.LastError));
            Check(e != null && e.Operation == "gamelift_auth_client_new", "Operation");
            Check(e != null && !e.IsTransient, "CONFIG is not transient");
        }

        // A disposed configuration: ObjectDisposedException, not a crash.
        GameLiftAuthConfig gone = new GameLiftAuthConfig();
        gone.Dispose();
        gone.Dispose();
        ThrowsType<ObjectDisposedException>(() => gone.SetRegion("us-west-2"), "a disposed config");
        ThrowsType<ObjectDisposedException>(() => new GameLiftAuthClient(gone), "a client from a disposed config");
    }

    // ---- clients from the environment ------------------------------------------------------

    private static void FromEnvironment()
    {
        long before = Count(GetToken);
        using (GameLiftAuthClient env = GameLiftAuthClient.FromEnvironment())
        using (GameLiftAuthClient nullConfig = new GameLiftAuthClient(null))
        {
            AuthToken a = env.GetToken(Fleet, "env-box");
            AuthToken b = nullConfig.GetToken(Fleet, "env-box");
            Check(IsTokenText(a.Value) && IsTokenText(b.Value), "tokens from the environment's configuration");
            Check(a.Value != b.Value, "two clients, two caches");
        }
        Equal(Count(GetToken) - before, 2L, "one fetch per client");
    }

    // ---- tokens ----------------------------------------------------------------------------

    private static void Tokens(GameLiftAuthClient client)
    {
        const string Box = "token-box";
        long before = Count(GetToken);
        AuthToken t1 = client.GetToken(Fleet, Box);
        Check(IsTokenText(t1.Value), "a token: " + t1.Value.Length + " chars");
        Check(AboutAnHour(t1.ExpiresAtMs), "expires in about an hour: " + (t1.ExpiresAtMs - NowMs()) + " ms");
        Check(Math.Abs((t1.ExpiresAt - DateTime.UtcNow).TotalSeconds - 3600) < 100, "ExpiresAt in UTC");
        Equal(t1.Warning, "", "no warning");
        Check(!Contains(t1.ToString(), t1.Value), "ToString leaves the token out");
        AuthToken t2 = client.GetToken(Fleet, Box);
        Equal(t2.Value, t1.Value, "the cached token");
        Equal(t2.ExpiresAtMs, t1.ExpiresAtMs, "the cached expiry");
        Equal(Count(GetToken) - before, 1L, "one fetch for two calls");

        // The caller-buffer protocol, raw.
        byte[] fleet = Z(Fleet), compute = Z(Box);
        UIntPtr len;
        long expires;
        Status(NativeMethods.gamelift_auth_get_token(client.Handle, fleet, compute, null, UIntPtr.Zero, out len, out expires),
            GameLiftAuthStatus.BufferTooSmall, "get_token(NULL, 0)");
        int needed = (int)len.ToUInt64();
        Equal(needed, t1.Value.Length + 1, "the size needed, NUL included");
        byte[] small = new byte[needed - 1];
        for (int i = 0; i < small.Length; i++)
        {
            small[i] = (byte)'X';
        }
        len = UIntPtr.Zero;
        Status(NativeMethods.gamelift_auth_get_token(client.Handle, fleet, compute, small, (UIntPtr)small.Length, out len, out expires),
            GameLiftAuthStatus.BufferTooSmall, "get_token(one byte short)");
        Equal((int)len.ToUInt64(), needed, "the same size reported");
        Check(Array.TrueForAll(small, b => b == (byte)'X'), "a short buffer is left untouched");
        byte[] exact = new byte[needed];
        Status(NativeMethods.gamelift_auth_get_token(client.Handle, fleet, compute, exact, (UIntPtr)exact.Length, out len, out expires),
            GameLiftAuthStatus.Ok, "get_token(exact size)");
        Equal((int)len.ToUInt64(), needed - 1, "the length without the NUL");
        Equal(exact[needed - 1], (byte)0, "NUL-terminated");
        Equal(Utf8.FromBuffer(exact, needed - 1), t1.Value, "the same token through the raw call");
        Equal(expires, t1.ExpiresAtMs, "the same expiry through the raw call");

        // Invalidate: the next call fetches a new token.
        client.InvalidateToken(Fleet, Box);
        AuthToken t3 = client.GetToken(Fleet, Box);
        Check(t3.Value != t1.Value && IsTokenText(t3.Value), "a new token after InvalidateToken");
        Equal(Count(GetToken) - before, 2L, "one more fetch after InvalidateToken");

        // Refused arguments: INVALID_ARGUMENT, nothing sent.
        long total = Total();
        const GameLiftAuthStatus Invalid = GameLiftAuthStatus.InvalidArgument;
        Throws(Invalid, () => client.GetToken(null, Box), "GetToken(null fleet)");
        Throws(Invalid, () => client.GetToken(Fleet, null), "GetToken(null compute)");
        Throws(Invalid, () => client.GetToken("not a fleet", Box), "GetToken(bad fleet id)");
        Throws(Invalid, () => client.GetToken(Fleet, ""), "GetToken(empty compute)");
        Throws(Invalid, () => client.GetToken(Fleet, new string('a', 1100)), "GetToken(compute too long)");
        Throws(Invalid, () => client.GetToken(Fleet, "box\0x"), "GetToken(embedded NUL)");
        GameLiftAuthException e = Throws(Invalid, () => client.GetToken(Fleet, UnicodeName), "GetToken(non-ASCII compute)");
        Check(e != null && Contains(e.LastError, UnicodeName), "the message quotes the name, UTF-8 both ways: " + (e == null ? "" : e.LastError));
        Status(NativeMethods.gamelift_auth_get_token(client.Handle, Raw(0x66, 0xff), compute, exact, (UIntPtr)exact.Length, out len, out expires),
            Invalid, "get_token(invalid UTF-8 fleet)");
        Throws(Invalid, () => client.InvalidateToken(null, Box), "InvalidateToken(null fleet)");
        Throws(Invalid, () => client.InvalidateToken(Fleet, null), "InvalidateToken(null compute)");
        Equal(Total(), total, "refused arguments send nothing");
    }

    /// <summary>A token longer than the wrapper's first buffer: the BUFFER_TOO_SMALL loop.</summary>
    private static void LongToken(GameLiftAuthClient client)
    {
        string token = "Kn0w-mono-long-token-" + new string('x', 279);
        long expiresS = NowMs() / 1000 + 3600;
        string body = "{\"FleetId\":\"" + Fleet + "\",\"FleetArn\":\"arn:aws:gamelift:us-west-2:123456789012:fleet/" + Fleet
            + "\",\"ComputeName\":\"long-box\",\"ComputeArn\":\"arn:aws:gamelift:us-west-2:123456789012:compute/long-box\","
            + "\"AuthToken\":\"" + token + "\",\"ExpirationTimestamp\":" + expiresS + "}";
        Fault("{\"action\":\"" + GetToken + "\",\"body\":" + JsonString(body) + "}");
        AuthToken t = client.GetToken(Fleet, "long-box");
        Equal(t.Value, token, "a 300-character token");
        Equal(t.ExpiresAtMs, expiresS * 1000, "its expiry");
    }

    // ---- upload credentials ----------------------------------------------------------------

    private static void Upload(GameLiftAuthClient client)
    {
        const string Build = "build-1111aaaa-2222-bbbb-3333-cccc4444dddd";
        long before = Count("RequestUploadCredentials");
        UploadCredentials c = client.RequestUploadCredentials(Build);
        using (c)
        {
            Check(c.AccessKeyId.Length > 0, "AccessKeyId");
            Check(c.SecretAccessKey.Length > 0, "SecretAccessKey");
            Check(c.SessionToken.Length > 0, "SessionToken");
            Check(c.Bucket.Length > 0, "Bucket");
            Check(c.Key.Length > 0, "Key");
            Check(c.RoleArn.StartsWith("arn:", StringComparison.Ordinal), "RoleArn: " + c.RoleArn);
            Equal(c.ObjectVersion, "", "ObjectVersion absent");
            string text = c.ToString();
            Check(Contains(text, c.Bucket) && !Contains(text, c.SecretAccessKey) && !Contains(text, c.SessionToken),
                "ToString leaves the secrets out: " + text);
        }
        ThrowsType<ObjectDisposedException>(() => { string unused = c.AccessKeyId; }, "credentials after Dispose");
        Equal(c.ToString(), "UploadCredentials(disposed)", "ToString after Dispose");
        using (UploadCredentials again = client.RequestUploadCredentials(Build))
        {
            Check(again.AccessKeyId.Length > 0, "a second request");
        }
        Equal(Count("RequestUploadCredentials") - before, 2L, "upload credentials are never cached");

        long total = Total();
        Throws(GameLiftAuthStatus.InvalidArgument, () => client.RequestUploadCredentials("notabuild"), "RequestUploadCredentials(bad id)");
        Throws(GameLiftAuthStatus.InvalidArgument, () => client.RequestUploadCredentials(null), "RequestUploadCredentials(null)");
        Equal(Total(), total, "refused build ids send nothing");
    }

    // ---- computes and server parameters ----------------------------------------------------

    private static void Computes(GameLiftAuthClient client)
    {
        const string Box = "unity-box";
        ComputeInfo c = client.RegisterCompute(Fleet, Box, "127.0.0.1");
        Equal(c.FleetId, Fleet, "FleetId");
        Equal(c.Name, Box, "Name");
        Check(c.Arn.StartsWith("arn:aws:gamelift:us-west-2:", StringComparison.Ordinal) && c.Arn.EndsWith("compute/" + Box, StringComparison.Ordinal), "Arn: " + c.Arn);
        Equal(c.Status, "ACTIVE", "Status");
        Equal(c.IpAddress, "127.0.0.1", "IpAddress");
        Equal(c.Location, "us-west-2", "Location defaults to the region");
        Equal(c.SdkEndpoint, "wss://us-west-2.api.amazongamelift.com", "SdkEndpoint");
        Check(c.AgentEndpoint.Length > 0, "AgentEndpoint: " + c.AgentEndpoint);
        Check(Contains(c.ToString(), Box), "ComputeInfo.ToString");

        ComputeInfo dns = client.RegisterCompute(Fleet, "unity-dns-box", null, "game.example.com", "custom-mono-desk", "/etc/gamelift/cert.pem");
        Equal(dns.Location, "custom-mono-desk", "a custom location");
        Equal(dns.IpAddress, "", "no IP address: \"\"");

        GameLiftAuthException conflict = Throws(GameLiftAuthStatus.Conflict, () => client.RegisterCompute(Fleet, Box, "127.0.0.2"), "RegisterCompute(same name, other IP)");
        Check(conflict != null && Contains(conflict.LastError, "ConflictException"), "the AWS code in the message");
        Throws(GameLiftAuthStatus.InvalidArgument, () => client.RegisterCompute(Fleet, "no-address-box", null), "RegisterCompute(no IP, no DNS name)");
        Throws(GameLiftAuthStatus.InvalidArgument, () => client.RegisterCompute(Fleet, Box, "127.0.0.1", null, "bad location!"), "RegisterCompute(bad location)");

        ComputeInfo d = client.DescribeCompute(Fleet, Box);
        Equal(d.Arn, c.Arn, "DescribeCompute: Arn");
        Equal(d.SdkEndpoint, c.SdkEndpoint, "DescribeCompute: SdkEndpoint");
        Equal(d.AgentEndpoint, c.AgentEndpoint, "DescribeCompute: AgentEndpoint");
        Throws(GameLiftAuthStatus.InvalidArgument, () => client.DescribeCompute(Fleet, null), "DescribeCompute(null)");

        long describes = Count("DescribeCompute");
        GameLiftServerParameters p = client.GetServerParameters(Fleet, Box);
        Equal(p.WebSocketUrl, c.SdkEndpoint, "WebSocketUrl");
        Check(IsTokenText(p.AuthToken), "AuthToken");
        Equal(p.FleetId, Fleet, "FleetId");
        Equal(p.HostId, Box, "HostId: the compute name");
        Check(IsUuidV4(p.ProcessId), "ProcessId: a UUIDv4: " + p.ProcessId);
        Check(AboutAnHour(p.ExpiresAtMs), "ExpiresAtMs");
        Check(Math.Abs((p.ExpiresAt - DateTime.UtcNow).TotalSeconds - 3600) < 100, "ExpiresAt");
        Equal(p.Warning, "", "no warning");
        Check(!Contains(p.ToString(), p.AuthToken) && Contains(p.ToString(), p.ProcessId), "ToString leaves the token out");
        GameLiftServerParameters p2 = client.GetServerParameters(Fleet, Box);
        Check(p2.ProcessId != p.ProcessId && IsUuidV4(p2.ProcessId), "a fresh process id per call");
        Equal(p2.AuthToken, p.AuthToken, "the cached token");
        Equal(client.GetToken(Fleet, Box).Value, p.AuthToken, "GetToken gives the same token");
        Equal(Count("DescribeCompute"), describes, "the websocket URL remembered from RegisterCompute");
        Throws(GameLiftAuthStatus.InvalidArgument, () => client.GetServerParameters(Fleet, "bad name!"), "GetServerParameters(bad name)");
        Throws(GameLiftAuthStatus.InvalidArgument, () => client.GetServerParameters(null, Box), "GetServerParameters(null fleet)");

        client.DeregisterCompute(Fleet, Box);
        GameLiftAuthException gone = Throws(GameLiftAuthStatus.NotFound, () => client.DescribeCompute(Fleet, Box), "DescribeCompute after DeregisterCompute");
        Check(gone != null && Contains(gone.LastError, "NotFoundException") && Contains(gone.LastError, "request id "),
            "the AWS code and request id: " + (gone == null ? "" : gone.LastError));
        Throws(GameLiftAuthStatus.NotFound, () => client.GetServerParameters(Fleet, Box), "GetServerParameters after DeregisterCompute");
        Throws(GameLiftAuthStatus.NotFound, () => client.DeregisterCompute(Fleet, Box), "DeregisterCompute twice");
        Throws(GameLiftAuthStatus.InvalidArgument, () => client.DeregisterCompute(null, Box), "DeregisterCompute(null)");
        client.DeregisterCompute(Fleet, "unity-dns-box");
    }

    // ---- every error status the service side can cause ---------------------------------------

    private static void ServiceErrors()
    {
        using (GameLiftAuthClient once = StandInClient(1))
        {
            ExpectFault(once, "NotFoundException", 400, GameLiftAuthStatus.NotFound, false);
            ExpectFault(once, "ThrottlingException", 400, GameLiftAuthStatus.Throttled, true);
            ExpectFault(once, "InvalidRequestException", 400, GameLiftAuthStatus.InvalidRequest, false);
            ExpectFault(once, "UnsupportedRegionException", 400, GameLiftAuthStatus.UnsupportedRegion, false);
            ExpectFault(once, "InternalServiceException", 500, GameLiftAuthStatus.Service, true);
            ExpectFault(once, "NotReadyException", 400, GameLiftAuthStatus.NotReady, true);
            ExpectFault(once, "LimitExceededException", 400, GameLiftAuthStatus.LimitExceeded, false);
            ExpectFault(once, "AccessDeniedException", 400, GameLiftAuthStatus.Unauthorized, false);

            Fault("{\"action\":\"" + GetToken + "\",\"body\":\"this is not JSON\"}");
            Throws(GameLiftAuthStatus.BadResponse, () => once.GetToken(Fleet, "bad-response-box"), "a body that is not JSON");
            Fault("{\"action\":\"" + GetToken + "\",\"omit_field\":\"AuthToken\"}");
            Throws(GameLiftAuthStatus.BadResponse, () => once.GetToken(Fleet, "no-token-box"), "an answer without AuthToken");
        }

        // Retried: two throttling answers, then the token, with three attempts.
        using (GameLiftAuthClient thrice = StandInClient(3))
        {
            long before = Count(GetToken);
            ErrorFault(GetToken, "ThrottlingException", 400, "Rate exceeded (injected).", 2);
            Check(IsTokenText(thrice.GetToken(Fleet, "retried-box").Value), "a token after two throttled attempts");
            Equal(Count(GetToken) - before, 3L, "three attempts");
        }

        // A wrong secret: the stand-in refuses the signature; the secret is never in the message.
        using (GameLiftAuthClient wrong = StandInClient(3, WrongSecret))
        {
            long before = Total();
            GameLiftAuthException e = Throws(GameLiftAuthStatus.Unauthorized, () => wrong.GetToken(Fleet, "wrong-secret-box"), "a wrong secret");
            Check(e != null && Contains(e.LastError, "InvalidSignatureException"), "the AWS code: " + (e == null ? "" : e.LastError));
            Check(e != null && !Contains(e.Message, WrongSecret) && !Contains(e.Message, WrongSecret.Substring(0, 12)), "the secret is not in the message");
            Equal(Total() - before, 1L, "a refused signature is not retried");
        }

        // The deadline: the answer comes after the timeout.
        using (GameLiftAuthClient quick = StandInClient(1, SecretKey, 300))
        {
            Fault("{\"action\":\"" + GetToken + "\",\"delay_ms\":3000}");
            DateTime start = DateTime.UtcNow;
            GameLiftAuthException e = Throws(GameLiftAuthStatus.Timeout, () => quick.GetToken(Fleet, "slow-box"), "an answer after the deadline");
            Check((DateTime.UtcNow - start).TotalMilliseconds < 2500, "the call returned at its deadline");
            Check(e != null && e.IsTransient, "Timeout is transient");
        }

        // Nothing listens: NETWORK.
        using (GameLiftAuthConfig cfg = new GameLiftAuthConfig())
        {
            cfg.SetRegion("us-west-2").SetEndpoint(Env("CLOSED_URL")).SetCredentials(AccessKey, SecretKey).SetMaxAttempts(1);
            using (GameLiftAuthClient closed = new GameLiftAuthClient(cfg))
            {
                GameLiftAuthException e = Throws(GameLiftAuthStatus.Network, () => closed.GetToken(Fleet, "closed-box"), "a closed port");
                Check(e != null && e.IsTransient, "Network is transient");
            }
        }
    }

    private static void ExpectFault(GameLiftAuthClient client, string code, int httpStatus, GameLiftAuthStatus want, bool transient)
    {
        string message = "Injected " + code + " for " + UnicodeName + ".";
        ErrorFault(GetToken, code, httpStatus, message);
        GameLiftAuthException e = Throws(want, () => client.GetToken(Fleet, "fault-" + code.ToLowerInvariant().Replace("exception", "")), code);
        if (e == null)
        {
            return;
        }
        Check(Contains(e.LastError, code), code + ": the AWS code in the message: " + e.LastError);
        Check(Contains(e.LastError, "request id "), code + ": the request id in the message");
        Check(Contains(e.LastError, UnicodeName), code + ": the service's message, UTF-8 intact: " + e.LastError);
        Equal(e.IsTransient, transient, code + ": IsTransient");
        Equal(e.Operation, "gamelift_auth_get_token", code + ": Operation");
    }

    // ---- a refresh that fails while the cached token is still valid ------------------------

    private static void StaleToken()
    {
        Control("POST", "/__standin/config", "{\"token_lifetime_s\": 4}");
        try
        {
            using (GameLiftAuthClient client = StandInClient(1))
            {
                AuthToken first = client.GetToken(Fleet, "stale-box");
                ErrorFault(GetToken, "InternalServiceException", 500, "Refresh refused (injected).");
                // Cached while more than half its 4 s lifetime is left; then the refresh fails and
                // the still valid token comes back with the failure as a warning.
                AuthToken stale = null;
                DateTime deadline = DateTime.UtcNow.AddSeconds(20);
                while (DateTime.UtcNow < deadline)
                {
                    stale = client.GetToken(Fleet, "stale-box");
                    if (stale.Warning.Length > 0)
                    {
                        break;
                    }
                    Thread.Sleep(20);
                }
                Check(stale != null && stale.Warning.Length > 0, "a warning once the refresh failed");
                if (stale != null)
                {
                    Equal(stale.Value, first.Value, "the stale token");
                    Check(Contains(stale.Warning, "InternalServiceException"), "the warning says why: " + stale.Warning);
                    Check(stale.ExpiresAtMs > NowMs(), "the stale token has not expired");
                }
            }
        }
        finally
        {
            Control("POST", "/__standin/config", "{\"token_lifetime_s\": 3600}");
        }
    }

    // ---- the log callback ----------------------------------------------------------------

    private sealed class Capture : ILogSink
    {
        private readonly List<KeyValuePair<LogLevel, string>> lines = new List<KeyValuePair<LogLevel, string>>();
        private readonly HashSet<int> threads = new HashSet<int>();

        public void Log(LogLevel level, string message)
        {
            lock (lines)
            {
                lines.Add(new KeyValuePair<LogLevel, string>(level, message));
                threads.Add(Thread.CurrentThread.ManagedThreadId);
            }
        }

        public List<KeyValuePair<LogLevel, string>> Lines
        {
            get
            {
                lock (lines)
                {
                    return new List<KeyValuePair<LogLevel, string>>(lines);
                }
            }
        }

        public int Threads
        {
            get
            {
                lock (lines)
                {
                    return threads.Count;
                }
            }
        }

        public bool Any(LogLevel level)
        {
            return Lines.Exists(l => l.Key == level);
        }
    }

    private sealed class Throwing : ILogSink
    {
        public int Calls;

        public void Log(LogLevel level, string message)
        {
            Interlocked.Increment(ref Calls);
            throw new InvalidOperationException("a sink that throws");
        }
    }

    /// <summary>A token fetched while the stand-in's clock is 20 minutes ahead: the first
    /// signature is refused (one auth failure on the stand-in), the client corrects its clock
    /// from the Date header, says so at WARN level, and retries once. A client of its own: the
    /// correction stays with the client.</summary>
    private static void SkewedCall(string compute)
    {
        Control("POST", "/__standin/clock", "{\"offset_s\": 1200}");
        try
        {
            using (GameLiftAuthClient client = StandInClient(1))
            {
                Check(IsTokenText(client.GetToken(Fleet, compute).Value), "a token despite a skewed clock");
            }
        }
        finally
        {
            Control("POST", "/__standin/clock", "{\"offset_s\": 0}");
        }
    }

    private static void Logging()
    {
        Check(LogSinks.Default is ConsoleLogSink, "the default sink outside Unity is the console");
        Equal(LogSinks.Name(LogLevel.Warn), "WARN", "level names");
        Capture capture = new Capture();
        using (GameLiftAuthClient client = StandInClient(2))
        {
            string token;
            try
            {
                GameLiftAuthLibrary.SetLogSink(capture, LogLevel.Trace);
                token = client.GetToken(Fleet, "log-box").Value;
                SkewedCall("log-skew-box");
            }
            finally
            {
                GameLiftAuthLibrary.SetLogSink(null);
            }
            List<KeyValuePair<LogLevel, string>> lines = capture.Lines;
            Check(lines.Count > 0, "messages arrived");
            Check(capture.Any(LogLevel.Info), "an INFO message (token fetched)");
            Check(capture.Any(LogLevel.Warn), "a WARN message (the clock corrected)");
            Check(capture.Any(LogLevel.Trace) || capture.Any(LogLevel.Debug), "DEBUG/TRACE messages at max level Trace");
            Check(lines.TrueForAll(l => l.Key >= LogLevel.Error && l.Key <= LogLevel.Trace), "levels 1..5");
            Check(lines.TrueForAll(l => l.Value.Length > 0 && l.Value.IndexOf('\0') < 0), "whole messages");
            Check(lines.TrueForAll(l => !Contains(l.Value, token) && !Contains(l.Value, SecretKey)), "never a secret");

            // Off: nothing more arrives.
            int count = capture.Lines.Count;
            client.GetToken(Fleet, "log-off-box");
            Equal(capture.Lines.Count, count, "no message after SetLogSink(null)");

            // max_level is honoured.
            Capture warnings = new Capture();
            try
            {
                GameLiftAuthLibrary.SetLogSink(warnings, LogLevel.Warn);
                SkewedCall("log-warn-box");
            }
            finally
            {
                GameLiftAuthLibrary.SetLogSink(null);
            }
            Check(warnings.Any(LogLevel.Warn), "the WARN message at max level Warn");
            Check(warnings.Lines.TrueForAll(l => l.Key <= LogLevel.Warn), "nothing above max level Warn");

            // A sink that throws: the exception stays on the C# side.
            Throwing throwing = new Throwing();
            try
            {
                GameLiftAuthLibrary.SetLogSink(throwing, LogLevel.Trace);
                Check(IsTokenText(client.GetToken(Fleet, "log-throw-box").Value), "a call with a throwing sink works");
            }
            finally
            {
                GameLiftAuthLibrary.SetLogSink(null);
            }
            Check(throwing.Calls > 0, "the throwing sink was called");

            // The console sink (tests/unity_mono.rs looks for its lines on stderr).
            try
            {
                GameLiftAuthLibrary.SetLogSink(new ConsoleLogSink());
                client.GetToken(Fleet, "log-console-box");
            }
            finally
            {
                GameLiftAuthLibrary.SetLogSink(null);
            }
        }
    }

    // ---- 8 threads, one client -----------------------------------------------------------

    private static void Threads(GameLiftAuthClient client)
    {
        const string Box = "threads-box";
        const int N = 8;
        client.RegisterCompute(Fleet, Box, "127.0.0.1");
        long tokensBefore = Count(GetToken);
        long describesBefore = Count("DescribeCompute");
        Capture capture = new Capture();
        GameLiftAuthLibrary.SetLogSink(capture, LogLevel.Trace);
        List<string> tokens = new List<string>();
        List<string> processIds = new List<string>();
        List<Exception> errors = new List<Exception>();
        Barrier start = new Barrier(N);
        List<Thread> threads = new List<Thread>();
        try
        {
            for (int t = 0; t < N; t++)
            {
                Thread thread = new Thread(() =>
                {
                    try
                    {
                        start.SignalAndWait();
                        for (int i = 0; i < 10; i++)
                        {
                            string v = client.GetToken(Fleet, Box).Value;
                            lock (tokens)
                            {
                                tokens.Add(v);
                            }
                        }
                        for (int i = 0; i < 2; i++)
                        {
                            GameLiftServerParameters p = client.GetServerParameters(Fleet, Box);
                            lock (tokens)
                            {
                                tokens.Add(p.AuthToken);
                                processIds.Add(p.ProcessId);
                            }
                        }
                        // Each thread its own last error: a refused argument here does not leak
                        // into the other threads' messages.
                        try
                        {
                            client.GetToken(Fleet, "bad name " + Thread.CurrentThread.ManagedThreadId);
                        }
                        catch (GameLiftAuthException e)
                        {
                            if (!Contains(e.LastError, "bad name " + Thread.CurrentThread.ManagedThreadId))
                            {
                                throw new Exception("another thread's last error: " + e.LastError);
                            }
                        }
                    }
                    catch (Exception e)
                    {
                        lock (errors)
                        {
                            errors.Add(e);
                        }
                    }
                });
                threads.Add(thread);
                thread.Start();
            }
            foreach (Thread thread in threads)
            {
                Check(thread.Join(TimeSpan.FromSeconds(60)), "a thread finished");
            }
        }
        finally
        {
            GameLiftAuthLibrary.SetLogSink(null);
        }
        Check(errors.Count == 0, "no thread failed: " + string.Join(" | ", errors.ConvertAll(e => e.ToString()).ToArray()));
        Equal(tokens.Count, N * 12, "every call answered");
        Check(tokens.TrueForAll(v => v == tokens[0]) && IsTokenText(tokens[0]), "one token for all");
        Equal(new HashSet<string>(processIds).Count, N * 2, "a fresh process id per call");
        Equal(Count(GetToken) - tokensBefore, 1L, "8 threads, one GetComputeAuthToken");
        Equal(Count("DescribeCompute") - describesBefore, 0L, "the websocket URL remembered from RegisterCompute");
        Check(capture.Threads >= 1 && capture.Lines.Count > 0, "the log callback under 8 threads");
    }

    // ---- Dispose while other threads use the client ----------------------------------------

    private static void DisposeRace()
    {
        const int N = 4;
        GameLiftAuthClient client = StandInClient(3);
        client.GetToken(Fleet, "race-box");
        int[] calls = new int[N];
        List<string> unexpected = new List<string>();
        List<Thread> threads = new List<Thread>();
        for (int t = 0; t < N; t++)
        {
            int me = t;
            Thread thread = new Thread(() =>
            {
                try
                {
                    for (int i = 0; i < 100000; i++)
                    {
                        client.GetToken(Fleet, "race-box");
                        Interlocked.Increment(ref calls[me]);
                        Thread.Sleep(0);
                    }
                    lock (unexpected)
                    {
                        unexpected.Add("a thread was never stopped by Dispose");
                    }
                }
                catch (ObjectDisposedException)
                {
                    // Expected: the client was disposed under this thread.
                }
                catch (Exception e)
                {
                    lock (unexpected)
                    {
                        unexpected.Add(e.ToString());
                    }
                }
            });
            threads.Add(thread);
            thread.Start();
        }
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !AllReached(calls, 50))
        {
            Thread.Sleep(5);
        }
        client.Dispose();
        client.Dispose();
        foreach (Thread thread in threads)
        {
            Check(thread.Join(TimeSpan.FromSeconds(60)), "a racing thread finished");
        }
        Check(unexpected.Count == 0, "Dispose under running calls: only ObjectDisposedException: " + string.Join(" | ", unexpected.ToArray()));
        ThrowsType<ObjectDisposedException>(() => client.GetToken(Fleet, "race-box"), "a disposed client");
    }

    private static bool AllReached(int[] counters, int n)
    {
        for (int i = 0; i < counters.Length; i++)
        {
            if (Thread.VolatileRead(ref counters[i]) < n)
            {
                return false;
            }
        }
        return true;
    }

    // ---- other modes -----------------------------------------------------------------------

    /// <summary>No AWS_REGION, no credentials in the environment.</summary>
    private static void BareEnvironment()
    {
        GameLiftAuthException e = Throws(GameLiftAuthStatus.Config, () => GameLiftAuthClient.FromEnvironment(), "no region");
        Check(e != null && Contains(e.LastError, "AWS_REGION"), "the message says what to set: " + (e == null ? "" : e.LastError));
        using (GameLiftAuthConfig cfg = new GameLiftAuthConfig())
        {
            cfg.SetRegion("us-west-2").SetEndpoint(Env("AWS_ENDPOINT_URL_GAMELIFT"));
            using (GameLiftAuthClient client = new GameLiftAuthClient(cfg))
            {
                Throws(GameLiftAuthStatus.Credentials, () => client.GetToken(Fleet, "bare-box"), "no credentials");
            }
        }
    }

    private static void MissingLibrary()
    {
        for (int i = 0; i < 2; i++)
        {
            try
            {
                string unused = GameLiftAuthLibrary.Version;
                Check(false, "the library loaded: " + unused);
            }
            catch (GameLiftAuthLoadException e)
            {
                Check(e.InnerException is DllNotFoundException, "the cause is kept: " + e.InnerException);
                Check(Contains(e.Message, "not found") && Contains(e.Message, "Plugins"), "the message says what to do: " + e.Message);
                Equal(e.LoadedAbiVersion, 0u, "LoadedAbiVersion");
                Equal(e.ExpectedAbiVersion, GameLiftAuthLibrary.ExpectedAbiVersion, "ExpectedAbiVersion");
            }
        }
        ThrowsType<GameLiftAuthLoadException>(() => new GameLiftAuthConfig(), "a config without the library");
        ThrowsType<GameLiftAuthLoadException>(() => GameLiftAuthClient.FromEnvironment(), "a client without the library");
    }

    private static void Unity()
    {
#if UNITY_5_3_OR_NEWER
        Equal(NativeMethods.Library, "__Internal", "a statically linked platform imports from __Internal");
        Equal(GameLiftAuthLibrary.Version, Env("EXPECTED_VERSION"), "Version through __Internal");
        Check(LogSinks.Default is UnityLogSink, "the default sink inside Unity routes to UnityEngine.Debug");
        UnityEngine.Debug.Clear();
        ILogSink sink = LogSinks.Default;
        sink.Log(LogLevel.Error, "e");
        sink.Log(LogLevel.Warn, "w");
        sink.Log(LogLevel.Info, "i");
        sink.Log(LogLevel.Debug, "d");
        sink.Log(LogLevel.Trace, "t");
        Equal(string.Join(",", UnityEngine.Debug.Calls.ToArray()),
            "LogError:[gamelift-auth] e,LogWarning:[gamelift-auth] w,Log:[gamelift-auth] i,Log:[gamelift-auth] d,Log:[gamelift-auth] t",
            "routing by level");

        UnityEngine.Debug.Clear();
        try
        {
            GameLiftAuthLibrary.SetLogSink(LogSinks.Default, LogLevel.Info);
            SkewedCall("unity-log-box");
        }
        finally
        {
            GameLiftAuthLibrary.SetLogSink(null);
        }
        List<string> calls = UnityEngine.Debug.Calls;
        Check(calls.Exists(c => c.StartsWith("LogWarning:[gamelift-auth] ", StringComparison.Ordinal)), "the clock warning went to Debug.LogWarning");
        Check(calls.Exists(c => c.StartsWith("Log:[gamelift-auth] ", StringComparison.Ordinal)), "the info message went to Debug.Log");
        Check(!calls.Exists(c => c.StartsWith("LogError:", StringComparison.Ordinal)), "nothing went to Debug.LogError");
#else
        Check(false, "the unity mode needs -define:UNITY_5_3_OR_NEWER and Tests~/UnityStubs.cs");
#endif
    }
}

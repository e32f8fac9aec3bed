// Logging.cs: the library's log messages routed to an ILogSink. The C callback is one static
// method marked [MonoPInvokeCallback] (IL2CPP can only call static methods back from native
// code) whose delegate lives in a static field for the life of the process; the sink is a
// static field it reads, so no GCHandle and no user_data are needed.
//
// Outside Unity the default sink writes to Console.Error; inside Unity, UnityLogSink routes by
// level to Debug.LogError / Debug.LogWarning / Debug.Log (all thread-safe).

using System;
using AOT;

#if !UNITY_5_3_OR_NEWER
namespace AOT
{
    /// <summary>Stands in for Unity's AOT.MonoPInvokeCallbackAttribute outside Unity, so that
    /// the same source compiles with plain Mono/.NET. Unity's IL2CPP needs the attribute on
    /// every static method that native code calls back.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        public MonoPInvokeCallbackAttribute(Type type)
        {
            Type = type;
        }

        public Type Type { get; private set; }
    }
}
#endif

namespace GameLiftAuth
{
    /// <summary>Log levels of the library, as in gamelift_auth_set_log_callback.</summary>
    public enum LogLevel
    {
        /// <summary>1: a call failed.</summary>
        Error = 1,
        /// <summary>2: something to look at (e.g. a stale token was returned).</summary>
        Warn = 2,
        /// <summary>3: requests and their outcome.</summary>
        Info = 3,
        /// <summary>4: details.</summary>
        Debug = 4,
        /// <summary>5: everything.</summary>
        Trace = 5,
    }

    /// <summary>Where the library's log messages go. Called from any thread, concurrently,
    /// sometimes from threads the library made; messages never contain a secret. Must not call
    /// GameLiftAuthLibrary.SetLogSink.</summary>
    public interface ILogSink
    {
        /// <summary>One pre-formatted message.</summary>
        void Log(LogLevel level, string message);
    }

    /// <summary>Writes "[gamelift-auth LEVEL] message" lines to Console.Error.</summary>
    public sealed class ConsoleLogSink : ILogSink
    {
        /// <inheritdoc />
        public void Log(LogLevel level, string message)
        {
            Console.Error.WriteLine("[gamelift-auth " + LogSinks.Name(level) + "] " + message);
        }
    }

#if UNITY_5_3_OR_NEWER
    /// <summary>Routes by level to UnityEngine.Debug.LogError / LogWarning / Log.</summary>
    public sealed class UnityLogSink : ILogSink
    {
        /// <inheritdoc />
        public void Log(LogLevel level, string message)
        {
            string text = "[gamelift-auth] " + message;
            switch (level)
            {
                case LogLevel.Error:
                    UnityEngine.Debug.LogError(text);
                    break;
                case LogLevel.Warn:
                    UnityEngine.Debug.LogWarning(text);
                    break;
                default:
                    UnityEngine.Debug.Log(text);
                    break;
            }
        }
    }
#endif

    /// <summary>The sinks that come with the package.</summary>
    public static class LogSinks
    {
        /// <summary>UnityLogSink inside Unity, ConsoleLogSink elsewhere.</summary>
        public static ILogSink Default
        {
            get
            {
#if UNITY_5_3_OR_NEWER
                return new UnityLogSink();
#else
                return new ConsoleLogSink();
#endif
            }
        }

        /// <summary>"ERROR", "WARN", "INFO", "DEBUG", "TRACE" (or the number).</summary>
        public static string Name(LogLevel level)
        {
            switch (level)
            {
                case LogLevel.Error: return "ERROR";
                case LogLevel.Warn: return "WARN";
                case LogLevel.Info: return "INFO";
                case LogLevel.Debug: return "DEBUG";
                case LogLevel.Trace: return "TRACE";
                default: return ((int)level).ToString();
            }
        }
    }

    /// <summary>The one C callback and the sink it forwards to.</summary>
    internal static class LogBridge
    {
        private static readonly object SetLock = new object();

        // The delegate handed to native code: a static field, so the GC never collects it.
        private static readonly NativeMethods.LogFn Trampoline = OnLog;

        private static volatile ILogSink sink;
        private static bool unloadHooked;

        internal static void Set(ILogSink newSink, LogLevel maxLevel)
        {
            lock (SetLock)
            {
                if (newSink == null)
                {
                    // Off first: when the call returns no callback is running, then forget.
                    NativeMethods.gamelift_auth_set_log_callback(null, IntPtr.Zero, 0);
                    sink = null;
                    return;
                }
                HookUnload();
                sink = newSink;
                // Returns once no call that may still see the previous sink is running.
                NativeMethods.gamelift_auth_set_log_callback(Trampoline, IntPtr.Zero, (int)maxLevel);
            }
        }

        // The native library outlives a domain reload in the Unity editor and lives until the
        // very end of the process: leaving it a pointer into an unloaded domain (or a runtime
        // shutting down) would crash at its next log message. Turn the callback off first.
        private static void HookUnload()
        {
            if (unloadHooked)
            {
                return;
            }
            unloadHooked = true;
            AppDomain.CurrentDomain.DomainUnload += Unhook;
            AppDomain.CurrentDomain.ProcessExit += Unhook;
        }

        private static void Unhook(object sender, EventArgs e)
        {
            lock (SetLock)
            {
                NativeMethods.gamelift_auth_set_log_callback(null, IntPtr.Zero, 0);
                sink = null;
            }
        }

        [MonoPInvokeCallback(typeof(NativeMethods.LogFn))]
        private static void OnLog(IntPtr userData, int level, IntPtr message, UIntPtr messageLen)
        {
            try
            {
                ILogSink target = sink;
                if (target == null)
                {
                    return;
                }
                ulong n = messageLen.ToUInt64();
                string text = Utf8.FromNative(message, n > int.MaxValue ? int.MaxValue : (int)n);
                target.Log((LogLevel)level, text);
            }
            catch (Exception)
            {
                // Nothing may unwind into native code (IL2CPP would abort): the message is dropped.
            }
        }
    }
}

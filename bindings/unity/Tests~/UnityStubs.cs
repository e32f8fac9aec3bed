// UnityStubs.cs: just enough of UnityEngine for compiling the Runtime with
// -define:UNITY_5_3_OR_NEWER outside Unity (tests/unity_mono.rs, MonoTest.cs "unity" mode).
// UnityEngine.Debug records its calls instead of logging; AOT.MonoPInvokeCallbackAttribute
// stands in for Unity's own (the Runtime defines one only outside Unity).

#if UNITY_5_3_OR_NEWER
using System;
using System.Collections.Generic;

namespace UnityEngine
{
    public static class Debug
    {
        private static readonly List<string> calls = new List<string>();

        /// <summary>"LogError:message", "LogWarning:message", "Log:message", in call order.</summary>
        public static List<string> Calls
        {
            get
            {
                lock (calls)
                {
                    return new List<string>(calls);
                }
            }
        }

        public static void Clear()
        {
            lock (calls)
            {
                calls.Clear();
            }
        }

        public static void Log(object message)
        {
            Record("Log", message);
        }

        public static void LogWarning(object message)
        {
            Record("LogWarning", message);
        }

        public static void LogError(object message)
        {
            Record("LogError", message);
        }

        private static void Record(string kind, object message)
        {
            lock (calls)
            {
                calls.Add(kind + ":" + message);
            }
        }
    }
}

namespace AOT
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        public MonoPInvokeCallbackAttribute(Type type)
        {
        }
    }
}
#endif

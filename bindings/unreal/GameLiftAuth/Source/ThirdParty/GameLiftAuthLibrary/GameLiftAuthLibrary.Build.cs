// GameLiftAuthLibrary.Build.cs: the prebuilt gamelift-auth library as an External module (no
// sources of its own): its headers in include/, one library per platform in lib/<Platform>/,
// where <Platform> is the target platform's name (Win64, Linux, LinuxArm64, Mac). What goes where
// is in the plugin README. Not compiled here: no Unreal Build Tool was available.

using System.IO;
using UnrealBuildTool;

public class GameLiftAuthLibrary : ModuleRules
{
	public GameLiftAuthLibrary(ReadOnlyTargetRules Target) : base(Target)
	{
		Type = ModuleType.External;

		// gamelift_auth.h (the C API) and gamelift_auth.hpp (the C++17 wrapper).
		string IncludeDir = Path.Combine(ModuleDirectory, "include");
		RequireFile(Path.Combine(IncludeDir, "gamelift_auth.h"));
		RequireFile(Path.Combine(IncludeDir, "gamelift_auth.hpp"));
		PublicIncludePaths.Add(IncludeDir);

		string LibDir = Path.Combine(ModuleDirectory, "lib", Target.Platform.ToString());

		// What the Rust static library needs from the system on Linux, as printed by
		// `cargo rustc --release --lib --crate-type staticlib -- --print native-static-libs`
		// (tests/unreal_glue.rs links its static test program with exactly this list).
		string[] LinuxSystemLibraries = { "gcc_s", "util", "rt", "pthread", "m", "dl", "c" };

		if (Target.Platform == UnrealTargetPlatform.Win64)
		{
			// The DLL and its import library, as `cargo build --release` names them on Windows
			// (x86_64-pc-windows-msvc). Delay-loaded: FGameLiftAuthModule::StartupModule loads it
			// from the copy staged next to the module's binary before any call reaches it.
			string Dll = Path.Combine(LibDir, "gamelift_auth.dll");
			string ImportLib = Path.Combine(LibDir, "gamelift_auth.dll.lib");
			RequireFile(Dll);
			RequireFile(ImportLib);
			PublicAdditionalLibraries.Add(ImportLib);
			PublicDelayLoadDLLs.Add("gamelift_auth.dll");
			RuntimeDependencies.Add("$(BinaryOutputDir)/gamelift_auth.dll", Dll);
		}
		else if (Target.Platform == UnrealTargetPlatform.Linux || Target.Platform == UnrealTargetPlatform.LinuxArm64)
		{
			// Static if libgamelift_auth.a is there (nothing to stage, no rpath), else shared.
			string StaticLib = Path.Combine(LibDir, "libgamelift_auth.a");
			string SharedLib = Path.Combine(LibDir, "libgamelift_auth.so");
			if (File.Exists(StaticLib))
			{
				PublicAdditionalLibraries.Add(StaticLib);
				PublicSystemLibraries.AddRange(LinuxSystemLibraries);
			}
			else
			{
				// Build it with a SONAME (see the README): without one the linker records the
				// build machine's full path to it.
				RequireFile(SharedLib);
				PublicAdditionalLibraries.Add(SharedLib);
				RuntimeDependencies.Add("$(BinaryOutputDir)/libgamelift_auth.so", SharedLib);
			}
		}
		else if (Target.Platform == UnrealTargetPlatform.Mac)
		{
			// Universal (arm64 + x86_64, lipo) when the target is. Static if present, else the
			// dylib, whose install name must be @rpath/libgamelift_auth.dylib (otool -D).
			string StaticLib = Path.Combine(LibDir, "libgamelift_auth.a");
			string Dylib = Path.Combine(LibDir, "libgamelift_auth.dylib");
			if (File.Exists(StaticLib))
			{
				PublicAdditionalLibraries.Add(StaticLib);
				// Unverified: check against `--print native-static-libs` for the Apple targets.
				PublicFrameworks.AddRange(new string[] { "CoreFoundation", "Security" });
				PublicSystemLibraries.Add("iconv");
			}
			else
			{
				RequireFile(Dylib);
				PublicAdditionalLibraries.Add(Dylib);
				RuntimeDependencies.Add("$(BinaryOutputDir)/libgamelift_auth.dylib", Dylib);
			}
		}
		else
		{
			throw new BuildException("GameLiftAuthLibrary: no gamelift-auth library for " + Target.Platform +
				" (Win64, Linux, LinuxArm64 and Mac only; see the GameLiftAuth plugin README)");
		}
	}

	/// Fails the build with what to do, instead of a linker error naming a missing file.
	private static void RequireFile(string FilePath)
	{
		if (!File.Exists(FilePath))
		{
			throw new BuildException("GameLiftAuthLibrary: " + FilePath + " is missing: build gamelift-auth " +
				"and copy its headers and libraries into Source/ThirdParty/GameLiftAuthLibrary (see the GameLiftAuth plugin README)");
		}
	}
}

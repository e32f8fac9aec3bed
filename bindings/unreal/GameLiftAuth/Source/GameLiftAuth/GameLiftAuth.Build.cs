// GameLiftAuth.Build.cs: the plugin's runtime module (FGameLiftAuth, LogGameLiftAuth).
// Not compiled here: no Unreal Build Tool was available (see the plugin README).

using UnrealBuildTool;

public class GameLiftAuth : ModuleRules
{
	public GameLiftAuth(ReadOnlyTargetRules Target) : base(Target)
	{
		PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;

		// Private/GameLiftAuthCore.cpp uses gamelift_auth.hpp, which reports failures with C++
		// exceptions; the core catches every one of them, none reaches the engine.
		bEnableExceptions = true;

		PublicDependencyModuleNames.Add("Core");

		// The prebuilt library and its headers (an External module, see its Build.cs). Private:
		// the public header does not include gamelift_auth.h. A game module that wants the C API
		// or gamelift_auth.hpp itself adds "GameLiftAuthLibrary" to its own dependencies.
		PrivateDependencyModuleNames.Add("GameLiftAuthLibrary");

		if (Target.Platform == UnrealTargetPlatform.Win64)
		{
			// IPluginManager: where the delay-loaded gamelift_auth.dll was staged.
			PrivateDependencyModuleNames.Add("Projects");
		}
	}
}

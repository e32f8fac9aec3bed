// GameLiftAuth.cpp: the Unreal glue, kept thin on purpose: FString <-> UTF-8 std::string, the
// engine-free core's results -> TValueOrError / TOptional, the library's log -> LogGameLiftAuth,
// and the module's startup and shutdown. Every decision is in GameLiftAuthCore.cpp, which is
// compiled and tested without the engine; this file was compiled only against stubs of the few
// engine types it uses (Tests~/ue_stubs), never against the real engine.

#include "GameLiftAuth.h"

#include "GameLiftAuthCore.h"
#include "Modules/ModuleManager.h"

#include <atomic>

#if PLATFORM_WINDOWS
#include "HAL/PlatformProcess.h"
#include "Interfaces/IPluginManager.h"
#include "Misc/Paths.h"
#endif

DEFINE_LOG_CATEGORY(LogGameLiftAuth);

// Not an anonymous namespace: a unity build puts this file and GameLiftAuthCore.cpp into one
// translation unit.
namespace GameLiftAuthGlue
{
	/** False while the library cannot be called: on Windows, until StartupModule has loaded the
	 * delay-loaded DLL (calling into a missing delay-loaded DLL crashes the process). */
	std::atomic<bool> GLibraryLoaded{!PLATFORM_WINDOWS};

	std::string ToUtf8(const FString& Text)
	{
		const FTCHARToUTF8 Converted(*Text);
		return std::string(reinterpret_cast<const char*>(Converted.Get()), static_cast<size_t>(Converted.Length()));
	}

	FString ToFString(std::string_view Utf8)
	{
		const FUTF8ToTCHAR Converted(Utf8.data(), static_cast<int32>(Utf8.size()));
		FString Out;
		Out.AppendChars(Converted.Get(), Converted.Length());
		return Out;
	}

	/** For a secret: also clears the conversion buffer and the core's copy. */
	FString ToFStringWiping(std::string& Secret)
	{
		FString Out;
		{
			const FUTF8ToTCHAR Converted(Secret.data(), static_cast<int32>(Secret.size()));
			Out.AppendChars(Converted.Get(), Converted.Length());
			FMemory::Memzero(const_cast<TCHAR*>(Converted.Get()), static_cast<SIZE_T>(Converted.Length()) * sizeof(TCHAR));
		}
		gamelift_auth_ue::wipe(Secret);
		return Out;
	}

	/** Converts, and logs the failure as a warning. */
	FGameLiftAuthError ToError(const gamelift_auth_ue::ErrorInfo& Info)
	{
		FGameLiftAuthError Error;
		Error.Status = Info.status;
		Error.StatusName = ToFString(Info.status_name);
		Error.Message = ToFString(Info.message);
		Error.bTransient = Info.transient;
		UE_LOG(LogGameLiftAuth, Warning, TEXT("%s"), *Error.Message);
		return Error;
	}

	FGameLiftAuthError NotLoadedError()
	{
		return ToError(gamelift_auth_ue::unavailable("gamelift_auth.dll was not loaded (see the LogGameLiftAuth error at startup)"));
	}

	gamelift_auth_ue::Verbosity ToCore(ELogVerbosity::Type Verbosity)
	{
		switch (Verbosity & ELogVerbosity::VerbosityMask)
		{
		case ELogVerbosity::NoLogging:   return gamelift_auth_ue::Verbosity::NoLogging;
		case ELogVerbosity::Fatal:       return gamelift_auth_ue::Verbosity::Fatal;
		case ELogVerbosity::Error:       return gamelift_auth_ue::Verbosity::Error;
		case ELogVerbosity::Warning:     return gamelift_auth_ue::Verbosity::Warning;
		case ELogVerbosity::Display:     return gamelift_auth_ue::Verbosity::Display;
		case ELogVerbosity::Log:         return gamelift_auth_ue::Verbosity::Log;
		case ELogVerbosity::Verbose:     return gamelift_auth_ue::Verbosity::Verbose;
		default:                         return gamelift_auth_ue::Verbosity::VeryVerbose;
		}
	}

	/** The log sink: any thread (UE_LOG is thread-safe). */
	void LogLine(gamelift_auth_ue::Verbosity Verbosity, std::string_view Utf8)
	{
		const FString Line = ToFString(Utf8);
		switch (Verbosity)
		{
		case gamelift_auth_ue::Verbosity::Error:   UE_LOG(LogGameLiftAuth, Error, TEXT("%s"), *Line); break;
		case gamelift_auth_ue::Verbosity::Warning: UE_LOG(LogGameLiftAuth, Warning, TEXT("%s"), *Line); break;
		case gamelift_auth_ue::Verbosity::Verbose: UE_LOG(LogGameLiftAuth, Verbose, TEXT("%s"), *Line); break;
		case gamelift_auth_ue::Verbosity::VeryVerbose: UE_LOG(LogGameLiftAuth, VeryVerbose, TEXT("%s"), *Line); break;
		default:                                   UE_LOG(LogGameLiftAuth, Log, TEXT("%s"), *Line); break;
		}
	}
}

TValueOrError<FGameLiftAuthServerParameters, FGameLiftAuthError> FGameLiftAuth::GetServerParameters(
	const FString& FleetId, const FString& ComputeName)
{
	if (!GameLiftAuthGlue::GLibraryLoaded)
	{
		return MakeError(GameLiftAuthGlue::NotLoadedError());
	}
	gamelift_auth_ue::Result<gamelift_auth_ue::ServerParams> Result = gamelift_auth_ue::shared_core().server_parameters(
		GameLiftAuthGlue::ToUtf8(FleetId), GameLiftAuthGlue::ToUtf8(ComputeName));
	if (!Result.ok())
	{
		return MakeError(GameLiftAuthGlue::ToError(Result.error()));
	}
	gamelift_auth_ue::ServerParams& Params = Result.value();
	FGameLiftAuthServerParameters Out;
	Out.WebSocketUrl = GameLiftAuthGlue::ToFString(Params.web_socket_url);
	Out.AuthToken = GameLiftAuthGlue::ToFStringWiping(Params.auth_token);
	Out.FleetId = GameLiftAuthGlue::ToFString(Params.fleet_id);
	Out.HostId = GameLiftAuthGlue::ToFString(Params.host_id);
	Out.ProcessId = GameLiftAuthGlue::ToFString(Params.process_id);
	Out.ExpiresAtUnixMs = Params.expires_at_ms;
	Out.Warning = GameLiftAuthGlue::ToFString(Params.warning);
	return MakeValue(MoveTemp(Out));
}

TValueOrError<FGameLiftAuthToken, FGameLiftAuthError> FGameLiftAuth::GetToken(const FString& FleetId, const FString& ComputeName)
{
	if (!GameLiftAuthGlue::GLibraryLoaded)
	{
		return MakeError(GameLiftAuthGlue::NotLoadedError());
	}
	gamelift_auth_ue::Result<gamelift_auth_ue::TokenInfo> Result = gamelift_auth_ue::shared_core().token(
		GameLiftAuthGlue::ToUtf8(FleetId), GameLiftAuthGlue::ToUtf8(ComputeName));
	if (!Result.ok())
	{
		return MakeError(GameLiftAuthGlue::ToError(Result.error()));
	}
	FGameLiftAuthToken Out;
	Out.Value = GameLiftAuthGlue::ToFStringWiping(Result.value().value);
	Out.ExpiresAtUnixMs = Result.value().expires_at_ms;
	Out.Warning = GameLiftAuthGlue::ToFString(Result.value().warning);
	return MakeValue(MoveTemp(Out));
}

TOptional<FGameLiftAuthError> FGameLiftAuth::InvalidateToken(const FString& FleetId, const FString& ComputeName)
{
	if (!GameLiftAuthGlue::GLibraryLoaded)
	{
		return GameLiftAuthGlue::NotLoadedError();
	}
	const std::optional<gamelift_auth_ue::ErrorInfo> Error = gamelift_auth_ue::shared_core().invalidate_token(
		GameLiftAuthGlue::ToUtf8(FleetId), GameLiftAuthGlue::ToUtf8(ComputeName));
	if (Error)
	{
		return GameLiftAuthGlue::ToError(*Error);
	}
	return TOptional<FGameLiftAuthError>();
}

FString FGameLiftAuth::GetLibraryVersion()
{
	return GameLiftAuthGlue::GLibraryLoaded ? GameLiftAuthGlue::ToFString(gamelift_auth_ue::library_version()) : FString();
}

void FGameLiftAuthModule::StartupModule()
{
#if PLATFORM_WINDOWS
	// gamelift_auth.dll is delay-loaded (GameLiftAuthLibrary.Build.cs): load it now, from where
	// RuntimeDependencies staged it (next to this module's binary: the plugin's Binaries/Win64 in
	// editor builds, next to the executable in packaged ones), before any call can reach it.
	const TSharedPtr<IPlugin> Plugin = IPluginManager::Get().FindPlugin(TEXT("GameLiftAuth"));
	const FString PluginBinaries = Plugin.IsValid() ? FPaths::Combine(Plugin->GetBaseDir(), TEXT("Binaries"), TEXT("Win64")) : FString();
	if (!PluginBinaries.IsEmpty())
	{
		FPlatformProcess::PushDllDirectory(*PluginBinaries);
	}
	LibraryHandle = FPlatformProcess::GetDllHandle(TEXT("gamelift_auth.dll"));
	if (!PluginBinaries.IsEmpty())
	{
		FPlatformProcess::PopDllDirectory(*PluginBinaries);
	}
	if (LibraryHandle == nullptr)
	{
		UE_LOG(LogGameLiftAuth, Error,
			TEXT("gamelift_auth.dll was found neither next to the executable nor in %s: every FGameLiftAuth call will fail. Copy it to Source/ThirdParty/GameLiftAuthLibrary/lib/Win64 and rebuild."),
			*PluginBinaries);
		return;
	}
	GameLiftAuthGlue::GLibraryLoaded = true;
#endif

	if (const std::optional<std::string> Problem = gamelift_auth_ue::abi_problem())
	{
		// Calls fail with the same message (the core checks before creating its client).
		UE_LOG(LogGameLiftAuth, Error, TEXT("%s"), *GameLiftAuthGlue::ToFString(*Problem));
		return;
	}
	gamelift_auth_ue::set_log_sink(&GameLiftAuthGlue::LogLine, GameLiftAuthGlue::ToCore(LogGameLiftAuth.GetVerbosity()));
	UE_LOG(LogGameLiftAuth, Log, TEXT("gamelift-auth %s"), *GameLiftAuthGlue::ToFString(gamelift_auth_ue::library_version()));
}

void FGameLiftAuthModule::ShutdownModule()
{
	if (!GameLiftAuthGlue::GLibraryLoaded || gamelift_auth_ue::abi_problem())
	{
		return; // nothing was installed
	}
	// When this returns no call to the sink is running: the module's code may go away.
	gamelift_auth_ue::set_log_sink(nullptr, gamelift_auth_ue::Verbosity::NoLogging);
	gamelift_auth_ue::shared_core().reset();
	// The DLL stays loaded (Windows): a call still running on another thread would crash if it
	// were unloaded under it, and the delay-load thunks stay bound to it.
}

IMPLEMENT_MODULE(FGameLiftAuthModule, GameLiftAuth)

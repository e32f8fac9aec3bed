// GameLiftAuth.h: the Unreal-facing API of the GameLiftAuth plugin: everything the GameLift
// Server SDK's InitSDK() needs on an Anywhere or container fleet, from the gamelift-auth library.
//
//	TValueOrError<FGameLiftAuthServerParameters, FGameLiftAuthError> Result =
//		FGameLiftAuth::GetServerParameters(TEXT("fleet-1a2b"), TEXT("my-box"));
//	if (Result.HasError())
//	{
//		UE_LOG(LogTemp, Error, TEXT("%s"), *Result.GetError().Message);
//	}
//
// The client behind it is created at the first call from the standard AWS environment of the
// process (AWS_REGION, AWS_PROFILE, credentials, ...) and shared by all calls; every function may
// be called from any thread and blocks at most the library's timeout (10 s by default) per request
// it sends: call it at server start-up or from a worker thread, not on the game thread of a
// running match. The library's own log goes to the LogGameLiftAuth category.

#pragma once

#include "CoreMinimal.h"
#include "Misc/Optional.h"
#include "Modules/ModuleInterface.h"
#include "Templates/ValueOrError.h"

GAMELIFTAUTH_API DECLARE_LOG_CATEGORY_EXTERN(LogGameLiftAuth, Log, All);

/** Everything InitSDK() needs: copy the five strings into the Server SDK's FServerParameters. */
struct FGameLiftAuthServerParameters
{
	/** The compute's GameLiftServiceSdkEndpoint. */
	FString WebSocketUrl;
	/** The compute auth token: a secret, never log it. */
	FString AuthToken;
	FString FleetId;
	/** The compute name. */
	FString HostId;
	/** A fresh UUID per call. */
	FString ProcessId;
	/** When the token expires, unix epoch milliseconds. */
	int64 ExpiresAtUnixMs = 0;
	/** Non-empty when a refresh failed and a cached, still unexpired, token was returned. */
	FString Warning;
};

/** A compute auth token. */
struct FGameLiftAuthToken
{
	/** A secret: never log it. */
	FString Value;
	int64 ExpiresAtUnixMs = 0;
	FString Warning;
};

/** Why a call failed. */
struct FGameLiftAuthError
{
	/** A gamelift_auth_status value: GAMELIFT_AUTH_ERROR_NOT_FOUND (9), ... (gamelift_auth.h). */
	int32 Status = 0;
	/** E.g. "GAMELIFT_AUTH_ERROR_NOT_FOUND". */
	FString StatusName;
	/** What failed, the AWS error code and request id, and what to do. Never a secret. */
	FString Message;
	/** True when trying again later may help (network, timeout, throttling, service errors). */
	bool bTransient = false;
};

/** The plugin's API. Static functions; any thread. */
class GAMELIFTAUTH_API FGameLiftAuth
{
public:
	/** Everything InitSDK() needs for this compute (a new ProcessId each call). */
	static TValueOrError<FGameLiftAuthServerParameters, FGameLiftAuthError> GetServerParameters(
		const FString& FleetId, const FString& ComputeName);

	/** The compute auth token: cached while it has time left, else fetched. */
	static TValueOrError<FGameLiftAuthToken, FGameLiftAuthError> GetToken(const FString& FleetId, const FString& ComputeName);

	/** Forgets the cached token, so that the next call fetches a new one (call it when the Server
	 * SDK reports that the token was refused). Unset on success. */
	static TOptional<FGameLiftAuthError> InvalidateToken(const FString& FleetId, const FString& ComputeName);

	/** The loaded library's version, e.g. "0.1.0"; empty when it could not be loaded. */
	static FString GetLibraryVersion();
};

/** The module: loads the library (Windows), checks its ABI, routes its log into LogGameLiftAuth. */
class FGameLiftAuthModule : public IModuleInterface
{
public:
	virtual void StartupModule() override;
	virtual void ShutdownModule() override;

private:
#if PLATFORM_WINDOWS
	void* LibraryHandle = nullptr;
#endif
};

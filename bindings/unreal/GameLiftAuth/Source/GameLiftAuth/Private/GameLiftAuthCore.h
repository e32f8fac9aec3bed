// GameLiftAuthCore.h: the engine-free part of the Unreal plugin. Plain C++17: no Unreal type, no
// Unreal header, and no exception leaves it. GameLiftAuth.cpp (the Unreal glue) only converts
// between these types and Unreal's (FString, TValueOrError, TOptional, ELogVerbosity); every
// decision lives here, where it is compiled and tested without the engine (Tests~/core_test.cpp,
// run by `cargo test --features cli --test unreal_glue` against the local GameLift stand-in).
//
// Built on the C++ wrapper gamelift_auth.hpp, which only GameLiftAuthCore.cpp includes (see the
// note there about Unreal's `check` macro); this header does not, so the glue never sees it.

#ifndef GAMELIFT_AUTH_UE_CORE_H
#define GAMELIFT_AUTH_UE_CORE_H

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gamelift_auth {
class Client;
}

namespace gamelift_auth_ue {

/// A failed call.
struct ErrorInfo {
    /// A gamelift_auth_status value (GAMELIFT_AUTH_ERROR_NOT_FOUND = 9, ...; see gamelift_auth.h).
    std::int32_t status = 0;
    /// Its name, e.g. "GAMELIFT_AUTH_ERROR_NOT_FOUND".
    std::string status_name;
    /// "<operation> returned <STATUS_NAME>: <what failed, the AWS error code and request id, what
    /// to do>". Never contains a secret.
    std::string message;
    /// True when trying again later may help (network, timeout, throttling, service errors,
    /// compute not ready).
    bool transient = false;
};

/// A value, or the ErrorInfo of the failure.
template <class T> class Result {
public:
    Result(T value) : value_(std::move(value)) {}
    Result(ErrorInfo error) : error_(std::move(error)) {}

    bool ok() const noexcept { return value_.has_value(); }
    /// Only when ok().
    T &value() { return *value_; }
    const T &value() const { return *value_; }
    /// Only when !ok().
    const ErrorInfo &error() const noexcept { return error_; }

private:
    std::optional<T> value_;
    ErrorInfo error_;
};

/// Everything the GameLift Server SDK's InitSDK() needs. `auth_token` is a secret: never log it,
/// wipe() it when done.
struct ServerParams {
    std::string web_socket_url;
    std::string auth_token;
    std::string fleet_id;
    /// The compute name.
    std::string host_id;
    /// A fresh UUIDv4 per call.
    std::string process_id;
    /// The token's expiry, unix epoch milliseconds.
    std::int64_t expires_at_ms = 0;
    /// Non-empty when a refresh failed and a cached, still unexpired, token was returned.
    std::string warning;
};

/// A compute auth token. `value` is a secret: never log it, wipe() it when done.
struct TokenInfo {
    std::string value;
    std::int64_t expires_at_ms = 0;
    std::string warning;
};

/// Overwrites a string holding a secret, then empties it.
void wipe(std::string &secret) noexcept;

/// Unreal's ELogVerbosity levels, without the engine: same names, same order. The glue maps one
/// enum onto the other.
enum class Verbosity : std::uint8_t {
    NoLogging,
    Fatal,
    Error,
    Warning,
    Display,
    Log,
    Verbose,
    VeryVerbose,
};

/// The verbosity of a library log level: 1 error -> Error, 2 warn -> Warning, 3 info -> Log,
/// 4 debug -> Verbose, 5 trace -> VeryVerbose; below 1 -> Error, above 5 -> VeryVerbose. Never
/// Fatal: a Fatal log line ends an Unreal process.
Verbosity verbosity_for_level(std::int32_t level) noexcept;

/// The library's max_level for a category verbosity: NoLogging -> 0 (off), Fatal and Error -> 1,
/// Warning -> 2, Display and Log -> 3, Verbose -> 4, VeryVerbose -> 5.
std::int32_t max_level_for(Verbosity verbosity) noexcept;

/// Receives one log message: its verbosity and the pre-formatted UTF-8 text (valid only during
/// the call; never a secret).
using LogSink = std::function<void(Verbosity verbosity, std::string_view message)>;

/// Sends the library's log messages up to `max` to `sink`; an empty sink or NoLogging turns
/// logging off. Process-wide. `sink` is called from any thread, concurrently: it must be
/// thread-safe. After logging is turned off no call to a sink is running (the C contract).
void set_log_sink(LogSink sink, Verbosity max);

/// The loaded library's version ("0.1.0").
std::string library_version();

/// Empty when the loaded library has the ABI this code was compiled for (gamelift_auth.h's
/// GAMELIFT_AUTH_ABI_VERSION); otherwise what is wrong and what to do. Call it before anything
/// else: no other library function is safe to call on a mismatch.
std::optional<std::string> abi_problem();

/// The same check with the numbers given (so that the mismatch can be tested).
std::optional<std::string> abi_problem(std::uint32_t loaded_abi, std::uint32_t compiled_abi,
                                       std::string_view loaded_version);

/// The error every call returns while the library cannot be called at all (on Windows: the
/// delay-loaded DLL was not found), a GAMELIFT_AUTH_ERROR_CONFIG naming `what`.
ErrorInfo unavailable(std::string_view what);

/// One GameLift client, created at first use from the standard AWS environment (AWS_REGION,
/// AWS_PROFILE, the credential chain, AWS_ENDPOINT_URL_GAMELIFT, ...) and shared by every call.
/// Every method may be called from any thread; concurrent first calls create one client. A
/// failed creation (no region, ABI mismatch, ...) is returned and not remembered: the next call
/// tries again. Each call blocks at most the library's timeout per request it sends.
class Core {
public:
    Core();
    ~Core();
    Core(const Core &) = delete;
    Core &operator=(const Core &) = delete;

    /// Everything InitSDK() needs (DescribeCompute once per client, then the token by the
    /// library's cache rules).
    Result<ServerParams> server_parameters(const std::string &fleet_id,
                                           const std::string &compute_name);

    /// The compute auth token: cached while it has time left, else fetched.
    Result<TokenInfo> token(const std::string &fleet_id, const std::string &compute_name);

    /// Forgets the cached token (call it when the Server SDK reports that it was refused).
    /// Empty on success.
    std::optional<ErrorInfo> invalidate_token(const std::string &fleet_id,
                                              const std::string &compute_name);

    /// Drops the client; it is freed (and its cached tokens wiped) when the last call still
    /// using it returns. The next call creates a new one.
    void reset();

    /// How many clients this Core has created: 1 after any number of calls from any number of
    /// threads, unless reset() was called.
    std::uint64_t clients_created() const;

private:
    Result<std::shared_ptr<gamelift_auth::Client>> client();

    mutable std::mutex mutex_;
    std::shared_ptr<gamelift_auth::Client> client_;
    std::uint64_t clients_created_ = 0;
};

/// The process-wide Core the Unreal module uses. Never destroyed: a call on another thread may
/// still be running while static objects are destroyed at exit.
Core &shared_core();

} // namespace gamelift_auth_ue

#endif // GAMELIFT_AUTH_UE_CORE_H

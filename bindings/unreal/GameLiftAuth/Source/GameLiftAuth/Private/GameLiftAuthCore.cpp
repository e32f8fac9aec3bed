// GameLiftAuthCore.cpp: the engine-free core of the Unreal plugin (see GameLiftAuthCore.h).

#include "GameLiftAuthCore.h"

// THIRD_PARTY_INCLUDES_START/END are Unreal's markers around third-party headers (they relax
// engine-only warnings); outside Unreal they do not exist. The wrapper names nothing after an
// Unreal macro (such as the one-argument `check`), so it needs no other care.
#ifdef THIRD_PARTY_INCLUDES_START
THIRD_PARTY_INCLUDES_START
#endif
#include "gamelift_auth.hpp"
#ifdef THIRD_PARTY_INCLUDES_END
THIRD_PARTY_INCLUDES_END
#endif

#include <exception>
#include <new>

namespace gamelift_auth_ue {

namespace {

ErrorInfo error_info(gamelift_auth_status status, std::string message, bool transient) {
    ErrorInfo info;
    info.status = status;
    info.status_name = gamelift_auth_status_name(status);
    info.message = std::move(message);
    info.transient = transient;
    return info;
}

ErrorInfo from_error(const gamelift_auth::Error &e) {
    return error_info(e.status(), e.what(), e.is_transient());
}

ErrorInfo internal(const char *what) {
    return error_info(GAMELIFT_AUTH_ERROR_INTERNAL,
                      std::string("gamelift-auth Unreal plugin: ") + what, false);
}

/// Runs `f` and turns every exception into an ErrorInfo: nothing is thrown past the core.
template <class F> auto guarded(F &&f) -> decltype(f()) {
    try {
        return f();
    } catch (const gamelift_auth::Error &e) {
        return from_error(e);
    } catch (const std::bad_alloc &) {
        return internal("out of memory");
    } catch (const std::exception &e) {
        return internal(e.what());
    } catch (...) {
        return internal("unexpected exception");
    }
}

} // namespace

void wipe(std::string &secret) noexcept { gamelift_auth::wipe(secret); }

Verbosity verbosity_for_level(std::int32_t level) noexcept {
    if (level <= 1) {
        return Verbosity::Error;
    }
    switch (level) {
    case 2:
        return Verbosity::Warning;
    case 3:
        return Verbosity::Log;
    case 4:
        return Verbosity::Verbose;
    default:
        return Verbosity::VeryVerbose;
    }
}

std::int32_t max_level_for(Verbosity verbosity) noexcept {
    switch (verbosity) {
    case Verbosity::NoLogging:
        return 0;
    case Verbosity::Fatal:
    case Verbosity::Error:
        return 1;
    case Verbosity::Warning:
        return 2;
    case Verbosity::Display:
    case Verbosity::Log:
        return 3;
    case Verbosity::Verbose:
        return 4;
    case Verbosity::VeryVerbose:
        return 5;
    }
    return 3;
}

void set_log_sink(LogSink sink, Verbosity max) {
    const std::int32_t max_level = max_level_for(max);
    if (!sink || max_level == 0) {
        gamelift_auth::set_log_callback(nullptr);
        return;
    }
    gamelift_auth::set_log_callback(
        [sink = std::move(sink)](int level, std::string_view message) {
            sink(verbosity_for_level(level), message);
        },
        max_level);
}

std::string library_version() { return gamelift_auth::version(); }

std::optional<std::string> abi_problem(std::uint32_t loaded_abi, std::uint32_t compiled_abi,
                                       std::string_view loaded_version) {
    if (loaded_abi == compiled_abi) {
        return std::nullopt;
    }
    return "gamelift-auth Unreal plugin: the loaded gamelift_auth library " +
           std::string(loaded_version) + " has ABI version " + std::to_string(loaded_abi) +
           ", but the plugin was compiled against gamelift_auth.h with ABI version " +
           std::to_string(compiled_abi) +
           ": copy the library and the headers of one build into "
           "Source/ThirdParty/GameLiftAuthLibrary and rebuild. No call is made to this library.";
}

std::optional<std::string> abi_problem() {
    return abi_problem(gamelift_auth_abi_version(), GAMELIFT_AUTH_ABI_VERSION,
                       gamelift_auth_version());
}

ErrorInfo unavailable(std::string_view what) {
    return error_info(GAMELIFT_AUTH_ERROR_CONFIG,
                      "gamelift-auth Unreal plugin: the gamelift_auth library cannot be called: " +
                          std::string(what),
                      false);
}

Core::Core() = default;
Core::~Core() = default;

Result<std::shared_ptr<gamelift_auth::Client>> Core::client() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (client_) {
        return client_;
    }
    if (std::optional<std::string> problem = abi_problem()) {
        return error_info(GAMELIFT_AUTH_ERROR_CONFIG, std::move(*problem), false);
    }
    // Reads the AWS environment and files; sends nothing. Throws on failure, which leaves
    // client_ empty so that the next call tries again.
    client_ = std::make_shared<gamelift_auth::Client>(gamelift_auth::Client::from_env());
    ++clients_created_;
    return client_;
}

Result<ServerParams> Core::server_parameters(const std::string &fleet_id,
                                             const std::string &compute_name) {
    return guarded([&]() -> Result<ServerParams> {
        Result<std::shared_ptr<gamelift_auth::Client>> c = client();
        if (!c.ok()) {
            return c.error();
        }
        gamelift_auth::ServerParameters p = c.value()->server_parameters(fleet_id, compute_name);
        ServerParams out;
        out.web_socket_url = std::move(p.web_socket_url);
        out.auth_token = std::move(p.auth_token);
        out.fleet_id = std::move(p.fleet_id);
        out.host_id = std::move(p.host_id);
        out.process_id = std::move(p.process_id);
        out.expires_at_ms = p.expires_at_ms;
        out.warning = std::move(p.warning);
        return out;
    });
}

Result<TokenInfo> Core::token(const std::string &fleet_id, const std::string &compute_name) {
    return guarded([&]() -> Result<TokenInfo> {
        Result<std::shared_ptr<gamelift_auth::Client>> c = client();
        if (!c.ok()) {
            return c.error();
        }
        gamelift_auth::Token t = c.value()->token(fleet_id, compute_name);
        TokenInfo out;
        out.value = std::move(t.value);
        out.expires_at_ms = t.expires_at_ms;
        out.warning = std::move(t.warning);
        return out;
    });
}

std::optional<ErrorInfo> Core::invalidate_token(const std::string &fleet_id,
                                                const std::string &compute_name) {
    return guarded([&]() -> std::optional<ErrorInfo> {
        Result<std::shared_ptr<gamelift_auth::Client>> c = client();
        if (!c.ok()) {
            return c.error();
        }
        c.value()->invalidate_token(fleet_id, compute_name);
        return std::nullopt;
    });
}

void Core::reset() {
    std::shared_ptr<gamelift_auth::Client> dropped;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        dropped = std::move(client_);
    }
    // Freed here (outside the lock) unless a call on another thread still holds it.
}

std::uint64_t Core::clients_created() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return clients_created_;
}

Core &shared_core() {
    static Core *core = new Core();
    return *core;
}

} // namespace gamelift_auth_ue

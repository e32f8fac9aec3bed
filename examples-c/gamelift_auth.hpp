// gamelift_auth.hpp: a small header-only C++17 wrapper over the gamelift-auth C API.
//
// RAII handles (std::unique_ptr with the library's _free as deleter), exceptions instead of
// status codes, std::string in and out. No engine types: an Unreal module or any other C++17
// code base can include it as is.
//
//   auto client = gamelift_auth::Client::from_env();
//   gamelift_auth::ServerParameters p = client.server_parameters("fleet-1a2b", "my-box");
//   // ... fill the Server SDK's ServerParameters from p and call InitSDK().
//
// Every call that fails throws gamelift_auth::Error, which carries the status and the library's
// message (what failed, the AWS error code and request id, what to do). Out of memory throws
// std::bad_alloc. A Client may be shared by any number of threads, as the C client.
//
// Secrets: Token::value, ServerParameters::auth_token and the UploadCredentials secrets are
// secrets. The library wipes its own copies when freed; std::string copies made here are not
// wiped unless you call gamelift_auth::wipe() on them. Never log them.

#ifndef GAMELIFT_AUTH_HPP
#define GAMELIFT_AUTH_HPP

#include "gamelift_auth.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace gamelift_auth {

/// A status value of the C API (GAMELIFT_AUTH_OK, GAMELIFT_AUTH_ERROR_...).
using Status = gamelift_auth_status;

/// A failed call: the status, and the thread's gamelift_auth_last_error() text at the time.
class Error : public std::runtime_error {
public:
    /// what() is "<operation> returned <STATUS_NAME>: <last_error>" (the status name once, even
    /// when the library's message already starts with it).
    Error(Status status, const std::string &operation, std::string last_error)
        : std::runtime_error(describe(status, operation, last_error)), status_(status),
          last_error_(std::move(last_error)) {}

    /// The status the C function returned.
    Status status() const noexcept { return status_; }
    /// Its name, e.g. "GAMELIFT_AUTH_ERROR_NOT_FOUND" (a static string).
    const char *status_name() const noexcept { return gamelift_auth_status_name(status_); }
    /// The library's message: what failed, the AWS code and request id, what to do.
    const std::string &last_error() const noexcept { return last_error_; }
    /// True for failures that may pass if tried again later (network, timeout, throttling,
    /// service errors, compute not ready).
    bool is_transient() const noexcept {
        switch (status_) {
        case GAMELIFT_AUTH_ERROR_NETWORK:
        case GAMELIFT_AUTH_ERROR_TIMEOUT:
        case GAMELIFT_AUTH_ERROR_THROTTLED:
        case GAMELIFT_AUTH_ERROR_SERVICE:
        case GAMELIFT_AUTH_ERROR_NOT_READY:
            return true;
        default:
            return false;
        }
    }

private:
    static std::string describe(Status status, const std::string &operation,
                                const std::string &last_error) {
        const std::string name = gamelift_auth_status_name(status);
        std::string text = operation + " returned ";
        if (last_error.compare(0, name.size() + 2, name + ": ") == 0) {
            return text + last_error;
        }
        return text + name + (last_error.empty() ? std::string() : ": " + last_error);
    }

    Status status_;
    std::string last_error_;
};

/// Overwrites a string holding a secret, then empties it.
inline void wipe(std::string &s) noexcept {
    volatile char *p = s.empty() ? nullptr : &s[0];
    for (std::size_t i = 0; i < s.size(); ++i) {
        p[i] = 0;
    }
    s.clear();
}

namespace detail {

/// Throws Error for a non-OK status. Copies the last error at once: it is valid only until
/// this thread's next call into the library.
inline void check_status(Status status, const char *operation) {
    if (status != GAMELIFT_AUTH_OK) {
        std::string message = gamelift_auth_last_error();
        throw Error(status, operation, std::move(message));
    }
}

/// The warning a successful call may leave (a refresh failed, the cached token was returned).
inline std::string warning() { return gamelift_auth_last_error(); }

/// A C string argument. std::string (not string_view) guarantees the NUL; an embedded NUL
/// would silently cut the value, so it is refused.
inline const char *arg(const std::string &s, const char *name) {
    if (s.find('\0') != std::string::npos) {
        throw Error(GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT, "argument check",
                    std::string(name) + " contains a NUL character");
    }
    return s.c_str();
}

inline const char *arg(const std::optional<std::string> &s, const char *name) {
    return s ? arg(*s, name) : nullptr;
}

inline void wipe_bytes(char *p, std::size_t n) noexcept {
    volatile char *v = p;
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = 0;
    }
}

/// A deleter calling the library's _free function.
template <auto Free> struct Deleter {
    template <class T> void operator()(T *p) const noexcept { Free(p); }
};

} // namespace detail

/// Owning handles of the C objects; each frees with its own _free.
using ConfigHandle = std::unique_ptr<gamelift_auth_config, detail::Deleter<&gamelift_auth_config_free>>;
using ClientHandle = std::unique_ptr<gamelift_auth_client, detail::Deleter<&gamelift_auth_client_free>>;
using UploadCredentialsHandle =
    std::unique_ptr<gamelift_auth_upload_credentials,
                    detail::Deleter<&gamelift_auth_upload_credentials_free>>;
using ComputeHandle = std::unique_ptr<gamelift_auth_compute, detail::Deleter<&gamelift_auth_compute_free>>;
using ServerParametersHandle =
    std::unique_ptr<gamelift_auth_server_parameters,
                    detail::Deleter<&gamelift_auth_server_parameters_free>>;

/// The library version ("0.1.0").
inline const char *version() noexcept { return gamelift_auth_version(); }

/// True when the loaded library has the ABI this header was compiled for.
inline bool abi_matches() noexcept { return gamelift_auth_abi_version() == GAMELIFT_AUTH_ABI_VERSION; }

/// A client configuration. Starts from the standard AWS environment; each setter wins over it.
/// Not thread-safe. Movable, not copyable.
class Config {
public:
    Config() : handle_(gamelift_auth_config_new()) {
        if (!handle_) {
            throw std::bad_alloc();
        }
    }

    Config &set_region(const std::string &region) {
        detail::check_status(gamelift_auth_config_set_region(get(), detail::arg(region, "region")),
                      "gamelift_auth_config_set_region");
        return *this;
    }
    /// https://..., or http:// for a loopback host only.
    Config &set_endpoint(const std::string &url) {
        detail::check_status(gamelift_auth_config_set_endpoint(get(), detail::arg(url, "url")),
                      "gamelift_auth_config_set_endpoint");
        return *this;
    }
    Config &set_profile(const std::string &profile) {
        detail::check_status(gamelift_auth_config_set_profile(get(), detail::arg(profile, "profile")),
                      "gamelift_auth_config_set_profile");
        return *this;
    }
    /// The library copies the strings; wipe yours afterwards if you like.
    Config &set_credentials(const std::string &access_key_id, const std::string &secret_access_key,
                            const std::optional<std::string> &session_token = std::nullopt) {
        detail::check_status(gamelift_auth_config_set_credentials(
                          get(), detail::arg(access_key_id, "access_key_id"),
                          detail::arg(secret_access_key, "secret_access_key"),
                          detail::arg(session_token, "session_token")),
                      "gamelift_auth_config_set_credentials");
        return *this;
    }
    /// The deadline of one call, retries included.
    Config &set_timeout_ms(std::uint32_t ms) {
        detail::check_status(gamelift_auth_config_set_timeout_ms(get(), ms),
                      "gamelift_auth_config_set_timeout_ms");
        return *this;
    }
    Config &set_max_attempts(std::uint32_t attempts) {
        detail::check_status(gamelift_auth_config_set_max_attempts(get(), attempts),
                      "gamelift_auth_config_set_max_attempts");
        return *this;
    }
    Config &set_min_validity_s(std::uint32_t seconds) {
        detail::check_status(gamelift_auth_config_set_min_validity_s(get(), seconds),
                      "gamelift_auth_config_set_min_validity_s");
        return *this;
    }
    /// The cross-process token cache directory; std::nullopt turns it off.
    Config &set_cache_dir(const std::optional<std::string> &dir) {
        detail::check_status(gamelift_auth_config_set_cache_dir(get(), detail::arg(dir, "dir")),
                      "gamelift_auth_config_set_cache_dir");
        return *this;
    }

    gamelift_auth_config *get() const noexcept { return handle_.get(); }

private:
    ConfigHandle handle_;
};

/// A compute auth token. `value` is a secret.
struct Token {
    std::string value;
    /// Expiry, unix epoch milliseconds.
    std::int64_t expires_at_ms = 0;
    /// Non-empty when a refresh failed and this cached, still unexpired, token was returned.
    std::string warning;
};

/// Everything InitSDK() needs. `auth_token` is a secret.
struct ServerParameters {
    std::string web_socket_url;
    std::string auth_token;
    std::string fleet_id;
    std::string host_id;
    std::string process_id;
    /// Token expiry, unix epoch milliseconds.
    std::int64_t expires_at_ms = 0;
    /// As Token::warning.
    std::string warning;
};

/// A compute as the service describes it; "" for absent fields.
struct Compute {
    std::string fleet_id;
    std::string name;
    std::string arn;
    std::string status;
    std::string ip_address;
    std::string location;
    /// GameLiftServiceSdkEndpoint: the websocket URL for InitSDK().
    std::string sdk_endpoint;
    std::string agent_endpoint;
};

/// Temporary S3 credentials for a build upload. The strings stay in library memory, which is
/// wiped when this object is destroyed; the views are valid while it lives (moves included).
class UploadCredentials {
public:
    explicit UploadCredentials(UploadCredentialsHandle handle) : handle_(std::move(handle)) {}

    std::string_view access_key_id() const noexcept {
        return gamelift_auth_upload_credentials_access_key_id(get());
    }
    /// A secret.
    std::string_view secret_access_key() const noexcept {
        return gamelift_auth_upload_credentials_secret_access_key(get());
    }
    /// A secret.
    std::string_view session_token() const noexcept {
        return gamelift_auth_upload_credentials_session_token(get());
    }
    std::string_view bucket() const noexcept { return gamelift_auth_upload_credentials_bucket(get()); }
    std::string_view key() const noexcept { return gamelift_auth_upload_credentials_key(get()); }
    /// "" if absent.
    std::string_view role_arn() const noexcept { return gamelift_auth_upload_credentials_role_arn(get()); }
    /// "" if absent.
    std::string_view object_version() const noexcept {
        return gamelift_auth_upload_credentials_object_version(get());
    }

    const gamelift_auth_upload_credentials *get() const noexcept { return handle_.get(); }

private:
    UploadCredentialsHandle handle_;
};

/// A GameLift client. Thread-safe: share one per process. Every method blocks at most the
/// configured timeout (per request sent) and throws Error on failure.
class Client {
public:
    /// A client configured from the standard AWS environment only.
    static Client from_env() { return Client(nullptr); }

    /// A client from `config` (copied: the Config may go away afterwards).
    explicit Client(const Config &config) : Client(config.get()) {}

    /// A compute auth token: from the cache while it has time left, else fetched.
    Token token(const std::string &fleet_id, const std::string &compute_name) {
        const char *fleet = detail::arg(fleet_id, "fleet_id");
        const char *compute = detail::arg(compute_name, "compute_name");
        Token token;
        // Tokens are at most 64 characters today: the stack buffer nearly always suffices.
        char stack[128];
        std::size_t len = 0;
        Status status = gamelift_auth_get_token(get(), fleet, compute, stack, sizeof stack, &len,
                                                &token.expires_at_ms);
        if (status == GAMELIFT_AUTH_OK) {
            token.value.assign(stack, len);
            detail::wipe_bytes(stack, sizeof stack);
        }
        // On BUFFER_TOO_SMALL `len` is the size needed, NUL included. Loops again only if the
        // token was refreshed, and grew, between two calls.
        while (status == GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL) {
            wipe(token.value);
            token.value.assign(len, '\0');
            status = gamelift_auth_get_token(get(), fleet, compute, &token.value[0],
                                             token.value.size(), &len, &token.expires_at_ms);
            if (status == GAMELIFT_AUTH_OK) {
                token.value.resize(len); // shrinking: no reallocation, no stray copy
            }
        }
        if (status != GAMELIFT_AUTH_OK) {
            wipe(token.value);
        }
        detail::check_status(status, "gamelift_auth_get_token");
        token.warning = detail::warning();
        return token;
    }

    /// Forgets the cached token: the next token() fetches a new one. Call it when the Server
    /// SDK reports that the token was refused.
    void invalidate_token(const std::string &fleet_id, const std::string &compute_name) {
        detail::check_status(gamelift_auth_invalidate_token(get(), detail::arg(fleet_id, "fleet_id"),
                                                     detail::arg(compute_name, "compute_name")),
                      "gamelift_auth_invalidate_token");
    }

    /// Temporary credentials to upload build `build_id` to S3 (never cached).
    UploadCredentials upload_credentials(const std::string &build_id) {
        gamelift_auth_upload_credentials *out = nullptr;
        detail::check_status(gamelift_auth_request_upload_credentials(
                          get(), detail::arg(build_id, "build_id"), &out),
                      "gamelift_auth_request_upload_credentials");
        return UploadCredentials(UploadCredentialsHandle(out));
    }

    /// Registers this host as a compute of an Anywhere fleet. `ip_address` or `dns_name` is
    /// required.
    Compute register_compute(const std::string &fleet_id, const std::string &compute_name,
                             const std::optional<std::string> &ip_address,
                             const std::optional<std::string> &dns_name = std::nullopt,
                             const std::optional<std::string> &location = std::nullopt,
                             const std::optional<std::string> &certificate_path = std::nullopt) {
        gamelift_auth_compute *out = nullptr;
        detail::check_status(gamelift_auth_register_compute(
                          get(), detail::arg(fleet_id, "fleet_id"),
                          detail::arg(compute_name, "compute_name"),
                          detail::arg(ip_address, "ip_address"), detail::arg(dns_name, "dns_name"),
                          detail::arg(location, "location"),
                          detail::arg(certificate_path, "certificate_path"), &out),
                      "gamelift_auth_register_compute");
        return to_compute(ComputeHandle(out));
    }

    Compute describe_compute(const std::string &fleet_id, const std::string &compute_name) {
        gamelift_auth_compute *out = nullptr;
        detail::check_status(gamelift_auth_describe_compute(get(), detail::arg(fleet_id, "fleet_id"),
                                                     detail::arg(compute_name, "compute_name"),
                                                     &out),
                      "gamelift_auth_describe_compute");
        return to_compute(ComputeHandle(out));
    }

    /// Deregisters the compute and forgets its cached token and websocket URL.
    void deregister_compute(const std::string &fleet_id, const std::string &compute_name) {
        detail::check_status(gamelift_auth_deregister_compute(get(), detail::arg(fleet_id, "fleet_id"),
                                                       detail::arg(compute_name, "compute_name")),
                      "gamelift_auth_deregister_compute");
    }

    /// Everything InitSDK() needs, with a fresh process id.
    ServerParameters server_parameters(const std::string &fleet_id,
                                       const std::string &compute_name) {
        gamelift_auth_server_parameters *out = nullptr;
        detail::check_status(gamelift_auth_server_parameters_new(get(), detail::arg(fleet_id, "fleet_id"),
                                                          detail::arg(compute_name, "compute_name"),
                                                          &out),
                      "gamelift_auth_server_parameters_new");
        std::string warning = detail::warning();
        ServerParametersHandle p(out);
        ServerParameters result;
        result.web_socket_url = gamelift_auth_server_parameters_web_socket_url(p.get());
        result.auth_token = gamelift_auth_server_parameters_auth_token(p.get());
        result.fleet_id = gamelift_auth_server_parameters_fleet_id(p.get());
        result.host_id = gamelift_auth_server_parameters_host_id(p.get());
        result.process_id = gamelift_auth_server_parameters_process_id(p.get());
        result.expires_at_ms = gamelift_auth_server_parameters_expires_at_ms(p.get());
        result.warning = std::move(warning);
        return result;
    }

    gamelift_auth_client *get() const noexcept { return handle_.get(); }

private:
    explicit Client(const gamelift_auth_config *config) {
        gamelift_auth_client *out = nullptr;
        detail::check_status(gamelift_auth_client_new(config, &out), "gamelift_auth_client_new");
        handle_.reset(out);
    }

    static Compute to_compute(ComputeHandle c) {
        Compute result;
        result.fleet_id = gamelift_auth_compute_fleet_id(c.get());
        result.name = gamelift_auth_compute_name(c.get());
        result.arn = gamelift_auth_compute_arn(c.get());
        result.status = gamelift_auth_compute_status(c.get());
        result.ip_address = gamelift_auth_compute_ip_address(c.get());
        result.location = gamelift_auth_compute_location(c.get());
        result.sdk_endpoint = gamelift_auth_compute_sdk_endpoint(c.get());
        result.agent_endpoint = gamelift_auth_compute_agent_endpoint(c.get());
        return result;
    }

    ClientHandle handle_;
};

/// A log handler: level 1 (error) .. 5 (trace) and the message (valid only during the call).
using LogFunction = std::function<void(int level, std::string_view message)>;

namespace detail {

struct LogSlot {
    std::mutex mutex;
    std::shared_ptr<const LogFunction> function;
};

/// The one slot the trampoline reads. Never destroyed: a library thread may still log while
/// static objects are being destroyed at exit.
inline LogSlot &log_slot() {
    static LogSlot *slot = new LogSlot();
    return *slot;
}

inline void log_trampoline(void *user_data, std::int32_t level, const char *message,
                           std::size_t message_len) noexcept {
    auto *slot = static_cast<LogSlot *>(user_data);
    std::shared_ptr<const LogFunction> function;
    {
        std::lock_guard<std::mutex> lock(slot->mutex);
        function = slot->function;
    }
    if (function) {
        try {
            (*function)(level, std::string_view(message, message_len));
        } catch (...) {
            // An exception must not unwind into the library; the message is dropped.
        }
    }
}

} // namespace detail

/// Sends the library's log messages up to `max_level` (1 error .. 5 trace) to `function`;
/// an empty function turns logging off. Process-wide.
///
/// Threads: `function` may be called from any thread, concurrently, so it must be thread-safe.
/// Lifetime: the wrapper keeps its own copy of `function` until it is replaced; a call already
/// running on another thread keeps that copy alive until it returns, so replacing is always
/// safe. But such a call may still be running after set_log_callback() returns: whatever the
/// function refers to (captured by reference or pointer) must outlive that. Capture by value or
/// by std::shared_ptr. Exceptions thrown by `function` are swallowed.
inline void set_log_callback(LogFunction function, int max_level = 3) {
    detail::LogSlot &slot = detail::log_slot();
    if (!function) {
        gamelift_auth_set_log_callback(nullptr, nullptr, 0);
        std::lock_guard<std::mutex> lock(slot.mutex);
        slot.function.reset();
        return;
    }
    auto shared = std::make_shared<const LogFunction>(std::move(function));
    {
        std::lock_guard<std::mutex> lock(slot.mutex);
        slot.function = std::move(shared);
    }
    gamelift_auth_set_log_callback(&detail::log_trampoline, &slot, max_level);
}

} // namespace gamelift_auth

#endif // GAMELIFT_AUTH_HPP

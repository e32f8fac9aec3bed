// core_test.cpp: drives the Unreal plugin's engine-free core (Source/GameLiftAuth/Private/
// GameLiftAuthCore.cpp) against the local GameLift stand-in. Built with g++ and run by
// tests/unreal_glue.rs; not part of the plugin (Unreal never compiles this folder).
//
//   core_test <case> <fleet-id> <compute-name>
//
// The environment (AWS_REGION, AWS_ENDPOINT_URL_GAMELIFT, the stand-in's keys) points the library
// at the stand-in. Each case checks what it can itself (a failed CHECK prints the line and exits
// with 1) and prints `key=value` lines for what the Rust test checks against the stand-in (request
// counts, exact values). A token is printed only as its first 4 characters and its length.

#include "GameLiftAuthCore.h"

#include "gamelift_auth.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using gamelift_auth_ue::Core;
using gamelift_auth_ue::ErrorInfo;
using gamelift_auth_ue::Result;
using gamelift_auth_ue::ServerParams;
using gamelift_auth_ue::TokenInfo;
using gamelift_auth_ue::Verbosity;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);          \
            std::exit(1);                                                                          \
        }                                                                                          \
    } while (0)

/// The result must be a success; otherwise its error is printed and the run fails.
#define CHECK_OK(result)                                                                           \
    do {                                                                                           \
        const auto &checked_ = (result);                                                           \
        if (!checked_.ok()) {                                                                      \
            std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #result,           \
                         checked_.error().message.c_str());                                        \
            std::exit(1);                                                                          \
        }                                                                                          \
    } while (0)

template <class T> void print(const char *key, const T &value) {
    std::cout << key << '=' << value << '\n';
}

std::string redacted(const std::string &token) { return token.substr(0, 4); }

long long seconds_left(std::int64_t expires_at_ms) {
    return static_cast<long long>(expires_at_ms / 1000) - static_cast<long long>(std::time(nullptr));
}

void print_error(const ErrorInfo &e) {
    print("status", e.status);
    print("status_name", e.status_name);
    print("transient", e.transient ? 1 : 0);
    print("message", e.message);
}

/// Registers the compute with a client of its own, as a server's start script would: the Core's
/// client then sends only what the Core itself asks for.
void register_compute(const std::string &fleet, const std::string &compute) {
    gamelift_auth::Client::from_env().register_compute(fleet, compute, std::string("127.0.0.1"));
}

const char *verbosity_name(Verbosity v) {
    switch (v) {
    case Verbosity::NoLogging:
        return "NoLogging";
    case Verbosity::Fatal:
        return "Fatal";
    case Verbosity::Error:
        return "Error";
    case Verbosity::Warning:
        return "Warning";
    case Verbosity::Display:
        return "Display";
    case Verbosity::Log:
        return "Log";
    case Verbosity::Verbose:
        return "Verbose";
    case Verbosity::VeryVerbose:
        return "VeryVerbose";
    }
    return "?";
}

// ---- the cases ---------------------------------------------------------------------------------

/// All five InitSDK() values; the token cached, invalidated, and fetched anew by a new client
/// after reset().
int success(const std::string &fleet, const std::string &compute) {
    register_compute(fleet, compute);
    Core core;
    CHECK(core.clients_created() == 0);

    Result<ServerParams> p = core.server_parameters(fleet, compute);
    CHECK_OK(p);
    const ServerParams &params = p.value();
    print("web_socket_url", params.web_socket_url);
    print("fleet_id", params.fleet_id);
    print("host_id", params.host_id);
    print("process_id", params.process_id);
    print("token_prefix", redacted(params.auth_token));
    print("token_len", params.auth_token.size());
    print("expires_in_s", seconds_left(params.expires_at_ms));
    print("warning", params.warning);

    // The same token from the client's cache, and a new process id per call.
    Result<TokenInfo> cached = core.token(fleet, compute);
    CHECK_OK(cached);
    CHECK(cached.value().value == params.auth_token);
    CHECK(cached.value().expires_at_ms == params.expires_at_ms);
    Result<ServerParams> again = core.server_parameters(fleet, compute);
    CHECK_OK(again);
    CHECK(again.value().auth_token == params.auth_token);
    CHECK(again.value().process_id != params.process_id);

    // Invalidated: the next call fetches (the stand-in hands out a new UUID each time).
    CHECK(!core.invalidate_token(fleet, compute).has_value());
    Result<TokenInfo> fresh = core.token(fleet, compute);
    CHECK_OK(fresh);
    CHECK(fresh.value().value != params.auth_token);
    CHECK(core.clients_created() == 1);

    // reset(): the next call creates a new client, with an empty cache.
    core.reset();
    Result<TokenInfo> after_reset = core.token(fleet, compute);
    CHECK_OK(after_reset);
    CHECK(after_reset.value().value != fresh.value().value);
    CHECK(core.clients_created() == 2);
    print("clients_created", core.clients_created());

    std::string secret = after_reset.value().value;
    gamelift_auth_ue::wipe(secret);
    CHECK(secret.empty());
    print("result", "ok");
    return 0;
}

/// A call that must fail: its error, printed for the test to check.
int failure(const std::string &fleet, const std::string &compute) {
    Core core;
    Result<ServerParams> p = core.server_parameters(fleet, compute);
    CHECK(!p.ok());
    print_error(p.error());
    CHECK(!p.error().message.empty());
    CHECK(p.error().status_name ==
          gamelift_auth_status_name(static_cast<gamelift_auth_status>(p.error().status)));
    return 0;
}

/// Refused before anything is sent: an empty fleet id (the library's check), an embedded NUL
/// (the C++ wrapper's check), a fleet id outside the service's pattern.
int invalid_argument(const std::string &, const std::string &compute) {
    Core core;
    Result<TokenInfo> empty = core.token("", compute);
    CHECK(!empty.ok());
    CHECK(empty.error().status == GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT);
    Result<ServerParams> nul = core.server_parameters(std::string("fleet-1\0x", 9), compute);
    CHECK(!nul.ok());
    CHECK(nul.error().status == GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT);
    CHECK(nul.error().message.find("NUL") != std::string::npos);
    std::optional<ErrorInfo> pattern = core.invalidate_token("fleet 1 with spaces", compute);
    CHECK(pattern.has_value());
    CHECK(pattern->status == GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT);
    const ErrorInfo *errors[] = {&empty.error(), &nul.error(), &*pattern};
    for (const ErrorInfo *e : errors) {
        CHECK(!e->transient);
        CHECK(e->status_name == "GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT");
        print("message", e->message);
    }
    print("result", "ok");
    return 0;
}

/// Without a region the client cannot be made: a CONFIG error, not remembered. Once the region
/// is there (CORE_TEST_REGION_LATER), the next call creates the client and succeeds.
int config_error_then_retry(const std::string &fleet, const std::string &compute) {
    Core core;
    Result<TokenInfo> first = core.token(fleet, compute);
    CHECK(!first.ok());
    CHECK(first.error().status == GAMELIFT_AUTH_ERROR_CONFIG);
    CHECK(core.clients_created() == 0);
    print("message", first.error().message);

    const char *region = std::getenv("CORE_TEST_REGION_LATER");
    CHECK(region != nullptr);
    CHECK(setenv("AWS_REGION", region, 1) == 0);
    Result<TokenInfo> second = core.token(fleet, compute);
    CHECK_OK(second);
    CHECK(core.clients_created() == 1);
    print("result", "ok");
    return 0;
}

struct Captured {
    std::mutex mutex;
    std::vector<std::pair<Verbosity, std::string>> lines;

    std::vector<std::pair<Verbosity, std::string>> take() {
        std::lock_guard<std::mutex> lock(mutex);
        return std::exchange(lines, {});
    }
};

/// The level mapping as a table, then the library's real log through the sink at three
/// thresholds.
int log_levels(const std::string &fleet, const std::string &compute) {
    using gamelift_auth_ue::max_level_for;
    using gamelift_auth_ue::verbosity_for_level;
    CHECK(verbosity_for_level(1) == Verbosity::Error);
    CHECK(verbosity_for_level(2) == Verbosity::Warning);
    CHECK(verbosity_for_level(3) == Verbosity::Log);
    CHECK(verbosity_for_level(4) == Verbosity::Verbose);
    CHECK(verbosity_for_level(5) == Verbosity::VeryVerbose);
    CHECK(verbosity_for_level(0) == Verbosity::Error);
    CHECK(verbosity_for_level(-7) == Verbosity::Error);
    CHECK(verbosity_for_level(6) == Verbosity::VeryVerbose);
    CHECK(verbosity_for_level(1000) == Verbosity::VeryVerbose);
    for (int level = -100; level <= 100; ++level) {
        const Verbosity v = verbosity_for_level(level);
        CHECK(v != Verbosity::Fatal); // a Fatal line would end an Unreal process
        CHECK(v != Verbosity::NoLogging);
        CHECK(v != Verbosity::Display);
    }
    CHECK(max_level_for(Verbosity::NoLogging) == 0);
    CHECK(max_level_for(Verbosity::Fatal) == 1);
    CHECK(max_level_for(Verbosity::Error) == 1);
    CHECK(max_level_for(Verbosity::Warning) == 2);
    CHECK(max_level_for(Verbosity::Display) == 3);
    CHECK(max_level_for(Verbosity::Log) == 3);
    CHECK(max_level_for(Verbosity::Verbose) == 4);
    CHECK(max_level_for(Verbosity::VeryVerbose) == 5);
    for (int level = 1; level <= 5; ++level) {
        CHECK(max_level_for(verbosity_for_level(level)) == level);
    }

    auto captured = std::make_shared<Captured>();
    auto sink = [captured](Verbosity v, std::string_view message) {
        std::lock_guard<std::mutex> lock(captured->mutex);
        captured->lines.emplace_back(v, std::string(message));
    };

    // Everything: the fetch logs an info line (-> Log) and trace lines (-> VeryVerbose).
    gamelift_auth_ue::set_log_sink(sink, Verbosity::VeryVerbose);
    Core core;
    CHECK_OK(core.token(fleet, compute));
    std::vector<std::pair<Verbosity, std::string>> all = captured->take();
    CHECK(!all.empty());
    std::set<Verbosity> seen;
    for (const auto &[v, message] : all) {
        std::cout << "log " << verbosity_name(v) << ' ' << message << '\n';
        seen.insert(v);
        CHECK(v == Verbosity::Error || v == Verbosity::Warning || v == Verbosity::Log ||
              v == Verbosity::Verbose || v == Verbosity::VeryVerbose);
    }
    CHECK(seen.count(Verbosity::Log) == 1);
    CHECK(seen.count(Verbosity::VeryVerbose) == 1);
    const bool info_line = std::any_of(all.begin(), all.end(), [](const auto &line) {
        return line.first == Verbosity::Log &&
               line.second.find("GetComputeAuthToken: new token") != std::string::npos;
    });
    CHECK(info_line);

    // Warning: a successful fetch has nothing at or above it.
    gamelift_auth_ue::set_log_sink(sink, Verbosity::Warning);
    CHECK(!core.invalidate_token(fleet, compute).has_value());
    CHECK_OK(core.token(fleet, compute));
    std::vector<std::pair<Verbosity, std::string>> warnings = captured->take();
    for (const auto &line : warnings) {
        CHECK(line.first == Verbosity::Error || line.first == Verbosity::Warning);
    }
    print("lines_at_warning", warnings.size());

    // Off, both ways.
    gamelift_auth_ue::set_log_sink(sink, Verbosity::NoLogging);
    CHECK(!core.invalidate_token(fleet, compute).has_value());
    CHECK_OK(core.token(fleet, compute));
    CHECK(captured->take().empty());
    gamelift_auth_ue::set_log_sink(nullptr, Verbosity::VeryVerbose);
    CHECK(!core.invalidate_token(fleet, compute).has_value());
    CHECK_OK(core.token(fleet, compute));
    CHECK(captured->take().empty());
    print("result", "ok");
    return 0;
}

/// Many threads make the first call on the process-wide core at once: one client, one token
/// fetch (the Rust side counts the requests), a process id each.
int concurrent(const std::string &fleet, const std::string &compute) {
    constexpr int threads = 16;
    register_compute(fleet, compute);
    Core &core = gamelift_auth_ue::shared_core();
    CHECK(core.clients_created() == 0);
    CHECK(&core == &gamelift_auth_ue::shared_core());

    std::mutex mutex;
    std::condition_variable cv;
    int waiting = 0;
    bool go = false;
    std::vector<std::optional<Result<ServerParams>>> results(threads);
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            {
                std::unique_lock<std::mutex> lock(mutex);
                ++waiting;
                cv.notify_all();
                cv.wait(lock, [&] { return go; });
            }
            results[static_cast<std::size_t>(i)] = core.server_parameters(fleet, compute);
        });
    }
    {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [&] { return waiting == threads; });
        go = true;
    }
    cv.notify_all();
    for (std::thread &t : pool) {
        t.join();
    }

    std::set<std::string> tokens;
    std::set<std::string> process_ids;
    for (std::optional<Result<ServerParams>> &r : results) {
        CHECK(r.has_value());
        CHECK_OK(*r);
        tokens.insert(r->value().auth_token);
        process_ids.insert(r->value().process_id);
    }
    CHECK(tokens.size() == 1);
    CHECK(process_ids.size() == static_cast<std::size_t>(threads));
    CHECK(core.clients_created() == 1);
    print("threads", threads);
    print("clients_created", core.clients_created());
    print("result", "ok");
    return 0;
}

/// The ABI check: the loaded library matches; a mismatch is described.
int abi(const std::string &, const std::string &) {
    CHECK(!gamelift_auth_ue::abi_problem().has_value());
    CHECK(gamelift_auth_ue::library_version() == GAMELIFT_AUTH_VERSION);
    std::optional<std::string> problem = gamelift_auth_ue::abi_problem(2, 1, "9.9.9");
    CHECK(problem.has_value());
    CHECK(problem->find("9.9.9") != std::string::npos);
    CHECK(problem->find("ABI version 2") != std::string::npos);
    CHECK(problem->find("ABI version 1") != std::string::npos);
    CHECK(!gamelift_auth_ue::abi_problem(7, 7, "x").has_value());
    print("abi_problem", *problem);

    ErrorInfo unavailable = gamelift_auth_ue::unavailable("the DLL is missing");
    CHECK(unavailable.status == GAMELIFT_AUTH_ERROR_CONFIG);
    CHECK(unavailable.status_name == "GAMELIFT_AUTH_ERROR_CONFIG");
    CHECK(unavailable.message.find("the DLL is missing") != std::string::npos);
    CHECK(!unavailable.transient);
    print("version", gamelift_auth_ue::library_version());
    print("result", "ok");
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 4) {
        std::cerr << "usage: core_test <case> <fleet-id> <compute-name>\n";
        return 2;
    }
    const std::string which = argv[1];
    const std::string fleet = argv[2];
    const std::string compute = argv[3];
    const std::pair<const char *, int (*)(const std::string &, const std::string &)> cases[] = {
        {"success", success},
        {"failure", failure},
        {"invalid_argument", invalid_argument},
        {"config_error_then_retry", config_error_then_retry},
        {"log_levels", log_levels},
        {"concurrent", concurrent},
        {"abi", abi},
    };
    for (const auto &[name, run] : cases) {
        if (which == name) {
            return run(fleet, compute);
        }
    }
    std::cerr << "unknown case " << which << '\n';
    return 2;
}

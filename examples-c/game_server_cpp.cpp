// game_server_cpp.cpp: game_server.c, through the C++ wrapper gamelift_auth.hpp.
//
//   game_server_cpp [fleet-id [compute-name [ip-address]]]
//
// Same inputs (arguments, GAME_FLEET_ID / GAME_COMPUTE_NAME / GAME_COMPUTE_IP, GAME_LOG_LEVEL,
// the standard AWS environment), same output, same exit status. The auth token is a secret: only its first 4
// characters are printed.

#include "gamelift_auth.hpp"

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

std::optional<std::string> arg_or_env(int argc, char **argv, int index, const char *var) {
    const char *value = argc > index ? argv[index] : std::getenv(var);
    if (value != nullptr && value[0] != '\0') {
        return value;
    }
    return std::nullopt;
}

long long seconds_left(std::int64_t expires_at_ms) {
    return static_cast<long long>(expires_at_ms / 1000) - static_cast<long long>(std::time(nullptr));
}

std::string redacted(const std::string &token) { return token.substr(0, 4) + "... (redacted)"; }

void print_warning(const std::string &warning) {
    if (!warning.empty()) {
        std::cerr << "warning: " << warning << '\n';
    }
}

} // namespace

int main(int argc, char **argv) {
    const std::string fleet_id = arg_or_env(argc, argv, 1, "GAME_FLEET_ID").value_or("fleet-1a2b");
    const std::string compute_name =
        arg_or_env(argc, argv, 2, "GAME_COMPUTE_NAME").value_or("my-box");
    const std::optional<std::string> compute_ip = arg_or_env(argc, argv, 3, "GAME_COMPUTE_IP");
    const char *log_level = std::getenv("GAME_LOG_LEVEL");

    if (!gamelift_auth::abi_matches()) {
        std::cerr << "libgamelift_auth " << gamelift_auth::version()
                  << " has another ABI than this program was built for\n";
        return 1;
    }
    // Called from any thread; std::cerr is safe to share (lines may interleave).
    gamelift_auth::set_log_callback(
        [](int level, std::string_view message) {
            static const char *const names[] = {"?", "error", "warn", "info", "debug", "trace"};
            std::cerr << "[gamelift-auth " << (level >= 1 && level <= 5 ? names[level] : "?")
                      << "] " << message << '\n';
        },
        log_level ? std::atoi(log_level) : 3);

    try {
        // 1. A client, configured from the standard AWS environment.
        auto client = gamelift_auth::Client::from_env();

        // 2. Optional: register this host as a compute of the Anywhere fleet.
        if (compute_ip) {
            gamelift_auth::Compute c = client.register_compute(fleet_id, compute_name, compute_ip);
            std::cout << "registered compute " << c.name << " (" << *compute_ip << ") in "
                      << c.fleet_id << '\n';
        }

        // 3. Everything InitSDK() needs, in one call.
        gamelift_auth::ServerParameters p = client.server_parameters(fleet_id, compute_name);
        print_warning(p.warning);
        std::cout << "InitSDK() parameters:\n"
                  << "  webSocketUrl: " << p.web_socket_url << '\n'
                  << "  authToken:    " << redacted(p.auth_token) << '\n'
                  << "  fleetId:      " << p.fleet_id << '\n'
                  << "  hostId:       " << p.host_id << '\n'
                  << "  processId:    " << p.process_id << '\n'
                  << "  token expires in " << seconds_left(p.expires_at_ms) << " s\n";
        // A real server would now fill Aws::GameLift::Server::Model::ServerParameters and call
        // InitSDK().
        gamelift_auth::wipe(p.auth_token);

        // 4. The token alone (from the client's cache here).
        gamelift_auth::Token token = client.token(fleet_id, compute_name);
        print_warning(token.warning);
        std::cout << "gamelift_auth_get_token: " << redacted(token.value) << ", expires in "
                  << seconds_left(token.expires_at_ms) << " s\n"
                  << "token acquired (" << token.value.size() << " chars)\n";
        gamelift_auth::wipe(token.value);
    } catch (const gamelift_auth::Error &e) {
        std::cerr << "error: " << e.what() << '\n'
                  << (e.is_transient() ? "  (transient: a real server would wait and try again)\n"
                                       : "  (not transient: fix the cause above; retrying will "
                                         "not help)\n");
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}

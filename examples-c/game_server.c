/*
 * game_server.c: what a GameLift Anywhere game server does before it calls InitSDK().
 *
 * It gets everything InitSDK() needs from gamelift-auth in one call, then shows the lower-level
 * gamelift_auth_get_token() and its caller-buffer protocol. Configuration comes from the standard
 * AWS environment (AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, ..., AWS_ENDPOINT_URL_GAMELIFT),
 * exactly as for the AWS CLI; no setter is needed.
 *
 *   game_server [fleet-id [compute-name [ip-address]]]
 *
 * The fleet and compute come from the arguments, else GAME_FLEET_ID / GAME_COMPUTE_NAME, else
 * the demo values below. With an IP address (argument or GAME_COMPUTE_IP) the program first
 * registers the compute, as an Anywhere host does at boot; without one the compute must already
 * be registered. GAME_LOG_LEVEL (1 error .. 5 trace, default 3) sets how much the library logs
 * to stderr. Exit status: 0 on success, 1 on any failure.
 *
 * The auth token is a secret: this program prints only its first 4 characters.
 */

#include "gamelift_auth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_FLEET_ID "fleet-1a2b"
#define DEFAULT_COMPUTE_NAME "my-box"

/* Library log messages go to stderr. Called from any thread; never given a secret. */
static void log_to_stderr(void *user_data, int32_t level, const char *message, size_t message_len)
{
    static const char *const names[] = {"?", "error", "warn", "info", "debug", "trace"};
    (void)user_data;
    fprintf(stderr, "[gamelift-auth %s] %.*s\n", (level >= 1 && level <= 5) ? names[level] : "?",
            (int)message_len, message);
}

/* Reports a failed call: the status name and the library's message, which says what failed,
 * the AWS error code and request id, and what to do. Returns the exit status. */
static int fail(const char *what, gamelift_auth_status status)
{
    /* Read the message first: it is valid only until this thread's next library call. */
    const char *message = gamelift_auth_last_error();
    fprintf(stderr, "error: %s returned %s\n  %s\n", what, gamelift_auth_status_name(status),
            message);
    switch (status) {
    case GAMELIFT_AUTH_ERROR_NETWORK:
    case GAMELIFT_AUTH_ERROR_TIMEOUT:
    case GAMELIFT_AUTH_ERROR_THROTTLED:
    case GAMELIFT_AUTH_ERROR_SERVICE:
    case GAMELIFT_AUTH_ERROR_NOT_READY:
        fprintf(stderr, "  (transient: a real server would wait and try again)\n");
        break;
    default:
        fprintf(stderr, "  (not transient: fix the cause above; retrying will not help)\n");
        break;
    }
    return 1;
}

/* A call that returned OK may still leave a warning: a refresh failed and the cached token,
 * still unexpired, was returned instead. */
static void print_warning(void)
{
    const char *warning = gamelift_auth_last_error();
    if (warning[0] != '\0') {
        fprintf(stderr, "warning: %s\n", warning);
    }
}

static const char *arg_or_env(int argc, char **argv, int index, const char *var, const char *def)
{
    const char *value = (argc > index) ? argv[index] : getenv(var);
    return (value != NULL && value[0] != '\0') ? value : def;
}

static long long seconds_left(int64_t expires_at_ms)
{
    return (long long)(expires_at_ms / 1000) - (long long)time(NULL);
}

/* Overwrites a secret before its memory is freed (volatile: the compiler may not skip it). */
static void wipe(char *p, size_t n)
{
    volatile char *v = p;
    while (n-- > 0) {
        *v++ = 0;
    }
}

/* InitSDK() lets these environment variables override its parameters, even when set to "". */
static void warn_about_sdk_overrides(void)
{
    static const char *const vars[] = {"GAMELIFT_SDK_WEBSOCKET_URL", "GAMELIFT_SDK_AUTH_TOKEN",
                                       "GAMELIFT_SDK_FLEET_ID", "GAMELIFT_SDK_HOST_ID",
                                       "GAMELIFT_SDK_PROCESS_ID"};
    size_t i;
    for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        if (getenv(vars[i]) != NULL) {
            printf("note: %s is set: InitSDK() will use it instead of the value below\n", vars[i]);
        }
    }
}

int main(int argc, char **argv)
{
    const char *fleet_id = arg_or_env(argc, argv, 1, "GAME_FLEET_ID", DEFAULT_FLEET_ID);
    const char *compute_name = arg_or_env(argc, argv, 2, "GAME_COMPUTE_NAME", DEFAULT_COMPUTE_NAME);
    const char *compute_ip = arg_or_env(argc, argv, 3, "GAME_COMPUTE_IP", NULL);
    const char *log_level = getenv("GAME_LOG_LEVEL");
    gamelift_auth_config *config;
    gamelift_auth_client *client = NULL;
    gamelift_auth_server_parameters *params = NULL;
    gamelift_auth_status status;
    char *token = NULL;
    size_t capacity = 0, len = 0;
    int64_t expires_at_ms = 0;
    int exit_code = 0;

    /* The header and the loaded library must agree. */
    if (gamelift_auth_abi_version() != GAMELIFT_AUTH_ABI_VERSION) {
        fprintf(stderr, "libgamelift_auth %s has ABI %u, this program was built for ABI %u\n",
                gamelift_auth_version(), (unsigned)gamelift_auth_abi_version(),
                (unsigned)GAMELIFT_AUTH_ABI_VERSION);
        return 1;
    }
    gamelift_auth_set_log_callback(log_to_stderr, NULL, log_level ? atoi(log_level) : 3);

    /* 1. A client, configured from the standard AWS environment. */
    config = gamelift_auth_config_new();
    if (config == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    status = gamelift_auth_client_new(config, &client);
    gamelift_auth_config_free(config); /* the client keeps its own copy */
    if (status != GAMELIFT_AUTH_OK) {
        return fail("gamelift_auth_client_new", status);
    }

    /* 2. Optional: register this host as a compute of the Anywhere fleet, as a host does when
     *    it boots (or an operator does it, e.g. with `aws gamelift register-compute`). */
    if (compute_ip != NULL) {
        gamelift_auth_compute *compute = NULL;
        status = gamelift_auth_register_compute(client, fleet_id, compute_name, compute_ip,
                                                NULL, NULL, NULL, &compute);
        if (status != GAMELIFT_AUTH_OK) {
            exit_code = fail("gamelift_auth_register_compute", status);
            goto done;
        }
        gamelift_auth_compute_free(compute);
        printf("registered compute %s (%s) in %s\n", compute_name, compute_ip, fleet_id);
    }

    /* 3. Everything InitSDK() needs, in one call: the compute's websocket URL, a token (a
     *    cached one only while it has over 15 minutes left, by default: the Server SDK never
     *    refreshes it), and a fresh process id. */
    status = gamelift_auth_server_parameters_new(client, fleet_id, compute_name, &params);
    if (status != GAMELIFT_AUTH_OK) {
        exit_code = fail("gamelift_auth_server_parameters_new", status);
        goto done;
    }
    print_warning();

    warn_about_sdk_overrides();
    printf("InitSDK() parameters:\n");
    printf("  webSocketUrl: %s\n", gamelift_auth_server_parameters_web_socket_url(params));
    printf("  authToken:    %.4s... (redacted)\n", gamelift_auth_server_parameters_auth_token(params));
    printf("  fleetId:      %s\n", gamelift_auth_server_parameters_fleet_id(params));
    printf("  hostId:       %s\n", gamelift_auth_server_parameters_host_id(params));
    printf("  processId:    %s\n", gamelift_auth_server_parameters_process_id(params));
    printf("  token expires in %lld s\n",
           seconds_left(gamelift_auth_server_parameters_expires_at_ms(params)));
    /* A real server would now fill Aws::GameLift::Server::Model::ServerParameters with these
     * strings and call InitSDK(); they stay valid until gamelift_auth_server_parameters_free(). */
    gamelift_auth_server_parameters_free(params); /* wipes the token */

    /* 4. The token alone, e.g. for a new InitSDK() after the SDK refused the old token (call
     *    gamelift_auth_invalidate_token() first then). Here it comes from the client's cache.
     *    Caller-buffer protocol: ask with a NULL buffer, allocate what it says, fetch. `len` is
     *    the size needed, NUL included, after BUFFER_TOO_SMALL; the length without the NUL
     *    after OK. */
    status = gamelift_auth_get_token(client, fleet_id, compute_name, NULL, 0, &len, NULL);
    while (status == GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL) {
        /* Loops again only if the token was refreshed, and grew, between the two calls. */
        char *bigger = realloc(token, len);
        if (bigger == NULL) {
            fprintf(stderr, "out of memory\n");
            exit_code = 1;
            goto done;
        }
        token = bigger;
        capacity = len;
        status = gamelift_auth_get_token(client, fleet_id, compute_name, token, capacity, &len,
                                         &expires_at_ms);
    }
    if (status != GAMELIFT_AUTH_OK) {
        exit_code = fail("gamelift_auth_get_token", status);
        goto done;
    }
    print_warning();
    printf("gamelift_auth_get_token: %.4s... (redacted), expires in %lld s\n", token,
           seconds_left(expires_at_ms));
    printf("token acquired (%zu chars)\n", len);

done:
    if (token != NULL) {
        wipe(token, capacity);
        free(token);
    }
    gamelift_auth_client_free(client);
    return exit_code;
}

/*
 * abi_test.c: checks the C ABI conventions of c-api.md from C, against a running GameLift
 * stand-in configured through the standard AWS environment (see ../run-with-standin.sh, or
 * tests/c_examples.rs which runs it):
 *
 *   - library functions: version, ABI version, status names, last error never NULL;
 *   - _free(NULL) is a no-op; accessors given NULL return "" (0 for the expiry);
 *   - NULL, invalid UTF-8 and out-of-pattern arguments -> GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT
 *     with a message, out-params untouched, and no request sent;
 *   - the caller-buffer protocol: ask with NULL/0, one byte short, exact size;
 *   - result objects and their accessors; the last error is per thread;
 *   - the log callback: gets messages, levels 1..5, lengths right, never a secret, honours
 *     max_level, stops when removed.
 *
 * Requests it sends (tests/c_examples.rs checks them on the stand-in): exactly three
 * GetComputeAuthToken (the first fetch, the one after gamelift_auth_invalidate_token, the one
 * after gamelift_auth_deregister_compute, which forgets the token), every other token from the
 * cache, and none for a refused argument.
 *
 * Prints "abi_test: N checks passed" and exits 0, or prints each failed check and exits 1.
 */

#include "gamelift_auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FLEET "fleet-abi1"
#define COMPUTE "abi-box"

static int checks;
static int failures;

static void check_at(int ok, const char *what, int line)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "abi_test.c:%d: FAILED: %s (last error: \"%s\")\n", line, what,
                gamelift_auth_last_error());
    }
}
#define CHECK(cond) check_at((cond) ? 1 : 0, #cond, __LINE__)

static void expect_status_at(gamelift_auth_status got, gamelift_auth_status want,
                             const char *call, int line)
{
    checks++;
    if (got != want) {
        failures++;
        fprintf(stderr, "abi_test.c:%d: FAILED: %s returned %s, expected %s (last error: \"%s\")\n",
                line, call, gamelift_auth_status_name(got), gamelift_auth_status_name(want),
                gamelift_auth_last_error());
    }
}
#define EXPECT(call, want) expect_status_at((call), (want), #call, __LINE__)

/* A refused argument: INVALID_ARGUMENT with a non-empty message. */
#define EXPECT_INVALID(call)                                                                    \
    do {                                                                                        \
        expect_status_at((call), GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT, #call, __LINE__);        \
        check_at(gamelift_auth_last_error()[0] != '\0', "last error set after: " #call,         \
                 __LINE__);                                                                     \
    } while (0)

static int is_empty_string(const char *s)
{
    return s != NULL && s[0] == '\0';
}

static int is_uuid_v4(const char *s)
{
    size_t i;
    if (strlen(s) != 36) {
        return 0;
    }
    for (i = 0; i < 36; i++) {
        int dash = (i == 8 || i == 13 || i == 18 || i == 23);
        if (dash ? s[i] != '-' : strchr("0123456789abcdef", s[i]) == NULL) {
            return 0;
        }
    }
    return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

static int is_token_text(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 64 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

/* ---- log capture: any thread may call the callback, so everything is under a mutex ---- */

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static char *log_text;       /* every message, one per line */
static size_t log_text_len;
static int log_count;
static int log_bad_level;    /* messages with a level outside 1..5 or above the max asked */
static int log_bad_length;   /* message_len != strlen(message) */
static int log_max_level = 5;

static void record_log(void *user_data, int32_t level, const char *message, size_t message_len)
{
    char *bigger;
    pthread_mutex_lock(&log_mutex);
    log_count++;
    if (user_data != (void *)&log_count) {
        log_bad_level += 1000; /* wrong user_data: make it fail loudly */
    }
    if (level < 1 || level > log_max_level) {
        log_bad_level++;
    }
    if (message == NULL || strlen(message) != message_len) {
        log_bad_length++;
    } else {
        bigger = realloc(log_text, log_text_len + message_len + 2);
        if (bigger != NULL) {
            log_text = bigger;
            memcpy(log_text + log_text_len, message, message_len);
            log_text_len += message_len;
            log_text[log_text_len++] = '\n';
            log_text[log_text_len] = '\0';
        }
    }
    pthread_mutex_unlock(&log_mutex);
}

static int log_contains(const char *needle)
{
    int found;
    pthread_mutex_lock(&log_mutex);
    found = log_text != NULL && needle[0] != '\0' && strstr(log_text, needle) != NULL;
    pthread_mutex_unlock(&log_mutex);
    return found;
}

static int log_messages(void)
{
    int n;
    pthread_mutex_lock(&log_mutex);
    n = log_count;
    pthread_mutex_unlock(&log_mutex);
    return n;
}

/* ---- the checks ---- */

static void library_functions(void)
{
    static const struct {
        gamelift_auth_status status;
        const char *name;
    } names[] = {
        {GAMELIFT_AUTH_OK, "GAMELIFT_AUTH_OK"},
        {GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT, "GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT"},
        {GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL, "GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL"},
        {GAMELIFT_AUTH_ERROR_CONFIG, "GAMELIFT_AUTH_ERROR_CONFIG"},
        {GAMELIFT_AUTH_ERROR_CREDENTIALS, "GAMELIFT_AUTH_ERROR_CREDENTIALS"},
        {GAMELIFT_AUTH_ERROR_NETWORK, "GAMELIFT_AUTH_ERROR_NETWORK"},
        {GAMELIFT_AUTH_ERROR_TIMEOUT, "GAMELIFT_AUTH_ERROR_TIMEOUT"},
        {GAMELIFT_AUTH_ERROR_THROTTLED, "GAMELIFT_AUTH_ERROR_THROTTLED"},
        {GAMELIFT_AUTH_ERROR_UNAUTHORIZED, "GAMELIFT_AUTH_ERROR_UNAUTHORIZED"},
        {GAMELIFT_AUTH_ERROR_NOT_FOUND, "GAMELIFT_AUTH_ERROR_NOT_FOUND"},
        {GAMELIFT_AUTH_ERROR_INVALID_REQUEST, "GAMELIFT_AUTH_ERROR_INVALID_REQUEST"},
        {GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION, "GAMELIFT_AUTH_ERROR_UNSUPPORTED_REGION"},
        {GAMELIFT_AUTH_ERROR_SERVICE, "GAMELIFT_AUTH_ERROR_SERVICE"},
        {GAMELIFT_AUTH_ERROR_BAD_RESPONSE, "GAMELIFT_AUTH_ERROR_BAD_RESPONSE"},
        {GAMELIFT_AUTH_ERROR_CONFLICT, "GAMELIFT_AUTH_ERROR_CONFLICT"},
        {GAMELIFT_AUTH_ERROR_NOT_READY, "GAMELIFT_AUTH_ERROR_NOT_READY"},
        {GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED, "GAMELIFT_AUTH_ERROR_LIMIT_EXCEEDED"},
        {GAMELIFT_AUTH_ERROR_INTERNAL, "GAMELIFT_AUTH_ERROR_INTERNAL"},
    };
    static const int32_t not_statuses[] = {-1, 17, 98, 100, 2147483647};
    size_t i;

    CHECK(strcmp(gamelift_auth_version(), GAMELIFT_AUTH_VERSION) == 0);
    CHECK(gamelift_auth_abi_version() == GAMELIFT_AUTH_ABI_VERSION);
    CHECK(GAMELIFT_AUTH_VERSION_NUMBER == GAMELIFT_AUTH_VERSION_MAJOR * 10000 +
                                              GAMELIFT_AUTH_VERSION_MINOR * 100 +
                                              GAMELIFT_AUTH_VERSION_PATCH);
    CHECK(sizeof(gamelift_auth_status) == 4);
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        CHECK(strcmp(gamelift_auth_status_name(names[i].status), names[i].name) == 0);
    }
    for (i = 0; i < sizeof not_statuses / sizeof not_statuses[0]; i++) {
        CHECK(strcmp(gamelift_auth_status_name((gamelift_auth_status)not_statuses[i]),
                     "GAMELIFT_AUTH_ERROR_UNKNOWN") == 0);
    }
    CHECK(is_empty_string(gamelift_auth_last_error()));
}

static void free_null_and_null_accessors(void)
{
    gamelift_auth_config_free(NULL);
    gamelift_auth_client_free(NULL);
    gamelift_auth_compute_free(NULL);
    gamelift_auth_server_parameters_free(NULL);
    gamelift_auth_upload_credentials_free(NULL);
    CHECK(1); /* still alive */

    CHECK(is_empty_string(gamelift_auth_server_parameters_web_socket_url(NULL)));
    CHECK(is_empty_string(gamelift_auth_server_parameters_auth_token(NULL)));
    CHECK(is_empty_string(gamelift_auth_server_parameters_fleet_id(NULL)));
    CHECK(is_empty_string(gamelift_auth_server_parameters_host_id(NULL)));
    CHECK(is_empty_string(gamelift_auth_server_parameters_process_id(NULL)));
    CHECK(gamelift_auth_server_parameters_expires_at_ms(NULL) == 0);

    CHECK(is_empty_string(gamelift_auth_upload_credentials_access_key_id(NULL)));
    CHECK(is_empty_string(gamelift_auth_upload_credentials_secret_access_key(NULL)));
    CHECK(is_empty_string(gamelift_auth_upload_credentials_session_token(NULL)));
    CHECK(is_empty_string(gamelift_auth_upload_credentials_bucket(NULL)));
    CHECK(is_empty_string(gamelift_auth_upload_credentials_key(NULL)));
    CHECK(is_empty_string(gamelift_auth_upload_credentials_role_arn(NULL)));
    CHECK(is_empty_string(gamelift_auth_upload_credentials_object_version(NULL)));

    CHECK(is_empty_string(gamelift_auth_compute_fleet_id(NULL)));
    CHECK(is_empty_string(gamelift_auth_compute_name(NULL)));
    CHECK(is_empty_string(gamelift_auth_compute_arn(NULL)));
    CHECK(is_empty_string(gamelift_auth_compute_status(NULL)));
    CHECK(is_empty_string(gamelift_auth_compute_ip_address(NULL)));
    CHECK(is_empty_string(gamelift_auth_compute_location(NULL)));
    CHECK(is_empty_string(gamelift_auth_compute_sdk_endpoint(NULL)));
    CHECK(is_empty_string(gamelift_auth_compute_agent_endpoint(NULL)));
}

static void config_arguments(void)
{
    gamelift_auth_config *cfg = gamelift_auth_config_new();
    gamelift_auth_client *sentinel = (gamelift_auth_client *)&checks;
    gamelift_auth_client *out = sentinel;

    CHECK(cfg != NULL);
    EXPECT_INVALID(gamelift_auth_config_set_region(NULL, "us-west-2"));
    EXPECT_INVALID(gamelift_auth_config_set_region(cfg, NULL));
    EXPECT_INVALID(gamelift_auth_config_set_region(cfg, "us-west-\xff"));
    EXPECT_INVALID(gamelift_auth_config_set_endpoint(NULL, "https://example.com"));
    EXPECT_INVALID(gamelift_auth_config_set_endpoint(cfg, NULL));
    EXPECT_INVALID(gamelift_auth_config_set_endpoint(cfg, "ftp://example.com"));
    EXPECT_INVALID(gamelift_auth_config_set_endpoint(cfg, "http://example.com"));
    EXPECT_INVALID(gamelift_auth_config_set_endpoint(cfg, "https://\xc3\x28.example.com"));
    EXPECT_INVALID(gamelift_auth_config_set_profile(NULL, "default"));
    EXPECT_INVALID(gamelift_auth_config_set_profile(cfg, NULL));
    EXPECT_INVALID(gamelift_auth_config_set_profile(cfg, "\x80"));
    EXPECT_INVALID(gamelift_auth_config_set_credentials(NULL, "AKID", "secret", NULL));
    EXPECT_INVALID(gamelift_auth_config_set_credentials(cfg, NULL, "secret", NULL));
    EXPECT_INVALID(gamelift_auth_config_set_credentials(cfg, "AKID", NULL, NULL));
    EXPECT_INVALID(gamelift_auth_config_set_credentials(cfg, "AKID\xff", "secret", NULL));
    EXPECT_INVALID(gamelift_auth_config_set_credentials(cfg, "AKID", "secret", "tok\xff"));
    EXPECT_INVALID(gamelift_auth_config_set_timeout_ms(NULL, 1000));
    EXPECT_INVALID(gamelift_auth_config_set_timeout_ms(cfg, 0));
    EXPECT_INVALID(gamelift_auth_config_set_timeout_ms(cfg, 3600001));
    EXPECT_INVALID(gamelift_auth_config_set_max_attempts(NULL, 3));
    EXPECT_INVALID(gamelift_auth_config_set_max_attempts(cfg, 0));
    EXPECT_INVALID(gamelift_auth_config_set_max_attempts(cfg, 21));
    EXPECT_INVALID(gamelift_auth_config_set_min_validity_s(NULL, 900));
    EXPECT_INVALID(gamelift_auth_config_set_cache_dir(NULL, "/tmp"));
    EXPECT_INVALID(gamelift_auth_config_set_cache_dir(cfg, "/tmp/\xff"));
    EXPECT_INVALID(gamelift_auth_client_new(cfg, NULL));

    /* The documented bounds and nullable arguments are accepted. */
    EXPECT(gamelift_auth_config_set_timeout_ms(cfg, 1), GAMELIFT_AUTH_OK);
    EXPECT(gamelift_auth_config_set_timeout_ms(cfg, 3600000), GAMELIFT_AUTH_OK);
    EXPECT(gamelift_auth_config_set_max_attempts(cfg, 1), GAMELIFT_AUTH_OK);
    EXPECT(gamelift_auth_config_set_max_attempts(cfg, 20), GAMELIFT_AUTH_OK);
    EXPECT(gamelift_auth_config_set_cache_dir(cfg, NULL), GAMELIFT_AUTH_OK);
    EXPECT(gamelift_auth_config_set_credentials(cfg, "AKIDOTHER", "other-secret", NULL),
           GAMELIFT_AUTH_OK);
    CHECK(is_empty_string(gamelift_auth_last_error())); /* an OK call clears it */

    gamelift_auth_config_free(cfg);

    /* A failed _new leaves the out-param alone (an unknown profile is a configuration error). */
    cfg = gamelift_auth_config_new();
    EXPECT(gamelift_auth_config_set_profile(cfg, "abi-test-no-such-profile"), GAMELIFT_AUTH_OK);
    EXPECT(gamelift_auth_client_new(cfg, &out), GAMELIFT_AUTH_ERROR_CONFIG);
    CHECK(strstr(gamelift_auth_last_error(), "abi-test-no-such-profile") != NULL);
    CHECK(out == sentinel);
    gamelift_auth_config_free(cfg);
}

/* Every function that takes a client, given NULL where it must not. `client` is valid. */
static void client_arguments(gamelift_auth_client *client)
{
    char buf[128];
    size_t len = 12345;
    int64_t expires = 777;
    gamelift_auth_compute *compute_sentinel = (gamelift_auth_compute *)&checks;
    gamelift_auth_compute *compute = compute_sentinel;
    gamelift_auth_server_parameters *params_sentinel = (gamelift_auth_server_parameters *)&checks;
    gamelift_auth_server_parameters *params = params_sentinel;
    gamelift_auth_upload_credentials *upload_sentinel = (gamelift_auth_upload_credentials *)&checks;
    gamelift_auth_upload_credentials *upload = upload_sentinel;
    char long_name[1100];

    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';

    EXPECT_INVALID(gamelift_auth_get_token(NULL, FLEET, COMPUTE, buf, sizeof buf, &len, &expires));
    EXPECT_INVALID(gamelift_auth_get_token(client, NULL, COMPUTE, buf, sizeof buf, &len, &expires));
    EXPECT_INVALID(gamelift_auth_get_token(client, FLEET, NULL, buf, sizeof buf, &len, &expires));
    EXPECT_INVALID(gamelift_auth_get_token(client, "fleet-\xff", COMPUTE, buf, sizeof buf, &len,
                                           &expires));
    EXPECT_INVALID(gamelift_auth_get_token(client, FLEET, "box-\xc0\xaf", buf, sizeof buf, &len,
                                           &expires));
    EXPECT_INVALID(gamelift_auth_get_token(client, "not a fleet", COMPUTE, buf, sizeof buf, &len,
                                           &expires));
    EXPECT_INVALID(gamelift_auth_get_token(client, FLEET, "", buf, sizeof buf, &len, &expires));
    EXPECT_INVALID(gamelift_auth_get_token(client, FLEET, long_name, buf, sizeof buf, &len,
                                           &expires));
    CHECK(len == 12345 && expires == 777); /* out-params written only on success */

    EXPECT_INVALID(gamelift_auth_invalidate_token(NULL, FLEET, COMPUTE));
    EXPECT_INVALID(gamelift_auth_invalidate_token(client, NULL, COMPUTE));
    EXPECT_INVALID(gamelift_auth_invalidate_token(client, FLEET, NULL));

    EXPECT_INVALID(gamelift_auth_request_upload_credentials(NULL, "build-1", &upload));
    EXPECT_INVALID(gamelift_auth_request_upload_credentials(client, NULL, &upload));
    EXPECT_INVALID(gamelift_auth_request_upload_credentials(client, "build-1", NULL));
    EXPECT_INVALID(gamelift_auth_request_upload_credentials(client, "notabuild", &upload));
    EXPECT_INVALID(gamelift_auth_request_upload_credentials(client, "build-\xff", &upload));
    CHECK(upload == upload_sentinel);

    EXPECT_INVALID(gamelift_auth_register_compute(NULL, FLEET, COMPUTE, "127.0.0.1", NULL, NULL,
                                                  NULL, &compute));
    EXPECT_INVALID(gamelift_auth_register_compute(client, NULL, COMPUTE, "127.0.0.1", NULL, NULL,
                                                  NULL, &compute));
    EXPECT_INVALID(gamelift_auth_register_compute(client, FLEET, NULL, "127.0.0.1", NULL, NULL,
                                                  NULL, &compute));
    EXPECT_INVALID(gamelift_auth_register_compute(client, FLEET, COMPUTE, "127.0.0.1", NULL, NULL,
                                                  NULL, NULL));
    EXPECT_INVALID(gamelift_auth_register_compute(client, FLEET, COMPUTE, NULL, NULL, NULL, NULL,
                                                  &compute)); /* IP or DNS name required */
    EXPECT_INVALID(gamelift_auth_register_compute(client, FLEET, COMPUTE, "127.0.0.x", NULL, NULL,
                                                  NULL, &compute));
    EXPECT_INVALID(gamelift_auth_register_compute(client, FLEET, COMPUTE, NULL, "host\xff", NULL,
                                                  NULL, &compute));
    EXPECT_INVALID(gamelift_auth_register_compute(client, FLEET, COMPUTE, "127.0.0.1", NULL,
                                                  "bad location!", NULL, &compute));
    EXPECT_INVALID(gamelift_auth_register_compute(client, FLEET, COMPUTE, "127.0.0.1", NULL, NULL,
                                                  "\xff", &compute));
    CHECK(compute == compute_sentinel);

    EXPECT_INVALID(gamelift_auth_describe_compute(NULL, FLEET, COMPUTE, &compute));
    EXPECT_INVALID(gamelift_auth_describe_compute(client, NULL, COMPUTE, &compute));
    EXPECT_INVALID(gamelift_auth_describe_compute(client, FLEET, NULL, &compute));
    EXPECT_INVALID(gamelift_auth_describe_compute(client, FLEET, COMPUTE, NULL));
    CHECK(compute == compute_sentinel);

    EXPECT_INVALID(gamelift_auth_deregister_compute(NULL, FLEET, COMPUTE));
    EXPECT_INVALID(gamelift_auth_deregister_compute(client, NULL, COMPUTE));
    EXPECT_INVALID(gamelift_auth_deregister_compute(client, FLEET, NULL));

    EXPECT_INVALID(gamelift_auth_server_parameters_new(NULL, FLEET, COMPUTE, &params));
    EXPECT_INVALID(gamelift_auth_server_parameters_new(client, NULL, COMPUTE, &params));
    EXPECT_INVALID(gamelift_auth_server_parameters_new(client, FLEET, NULL, &params));
    EXPECT_INVALID(gamelift_auth_server_parameters_new(client, FLEET, COMPUTE, NULL));
    EXPECT_INVALID(gamelift_auth_server_parameters_new(client, "\xff", COMPUTE, &params));
    CHECK(params == params_sentinel);
}

/* The caller-buffer protocol. Returns the token (malloc'd) for the secret checks. */
static char *buffer_protocol(gamelift_auth_client *client, int64_t *expires_out)
{
    size_t needed = 0, len = 0;
    int64_t expires = 777, expires2 = 0;
    char *token, *again;
    long long now_ms = (long long)time(NULL) * 1000;

    /* Ask with NULL/0: the size needed, NUL included; nothing else written. */
    EXPECT(gamelift_auth_get_token(client, FLEET, COMPUTE, NULL, 0, &needed, &expires),
           GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL);
    CHECK(gamelift_auth_last_error()[0] != '\0');
    CHECK(needed >= 2 && needed <= 1025);
    CHECK(expires == 777);
    /* Asking without out_len is allowed (and useless). */
    EXPECT(gamelift_auth_get_token(client, FLEET, COMPUTE, NULL, 0, NULL, NULL),
           GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL);
    if (needed < 2 || needed > 1025) {
        return NULL;
    }

    /* One byte short: still too small, the same size reported, the buffer untouched. */
    token = malloc(needed + 16);
    if (token == NULL) {
        CHECK(!"out of memory");
        return NULL;
    }
    memset(token, 'X', needed + 16);
    len = 0;
    EXPECT(gamelift_auth_get_token(client, FLEET, COMPUTE, token, needed - 1, &len, &expires),
           GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL);
    CHECK(len == needed);
    CHECK(expires == 777);
    CHECK(token[0] == 'X' && token[needed - 2] == 'X' && token[needed - 1] == 'X');

    /* Exact size: OK, NUL-terminated, *out_len without the NUL, last error cleared. */
    EXPECT(gamelift_auth_get_token(client, FLEET, COMPUTE, token, needed, &len, &expires),
           GAMELIFT_AUTH_OK);
    CHECK(len == needed - 1);
    CHECK(token[needed - 1] == '\0');
    CHECK(strlen(token) == len);
    CHECK(token[needed] == 'X'); /* nothing written past buf_len */
    CHECK(is_token_text(token));
    CHECK(expires > now_ms + 60 * 1000);
    CHECK(is_empty_string(gamelift_auth_last_error()));

    /* Nullable out_len and expires_at_ms on success; the cached token comes back. */
    again = calloc(1, needed + 100);
    if (again == NULL) {
        CHECK(!"out of memory");
        free(token);
        return NULL;
    }
    EXPECT(gamelift_auth_get_token(client, FLEET, COMPUTE, again, needed + 100, NULL, NULL),
           GAMELIFT_AUTH_OK);
    CHECK(strcmp(again, token) == 0);
    EXPECT(gamelift_auth_get_token(client, FLEET, COMPUTE, again, needed + 100, &len, &expires2),
           GAMELIFT_AUTH_OK);
    CHECK(len == needed - 1 && expires2 == expires);
    free(again);
    *expires_out = expires;
    return token;
}

static void *other_thread(void *arg)
{
    int *ok = arg;
    /* A new thread starts with no last error, and its own failure stays its own. */
    ok[0] = is_empty_string(gamelift_auth_last_error());
    ok[1] = gamelift_auth_get_token(NULL, FLEET, COMPUTE, NULL, 0, NULL, NULL) ==
            GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT;
    ok[2] = strstr(gamelift_auth_last_error(), "client") != NULL;
    return NULL;
}

static void last_error_is_per_thread(void)
{
    pthread_t thread;
    int ok[3] = {0, 0, 0};
    char mine[512];

    EXPECT_INVALID(gamelift_auth_get_token(NULL, NULL, NULL, NULL, 0, NULL, NULL));
    snprintf(mine, sizeof mine, "%s", gamelift_auth_last_error());
    CHECK(pthread_create(&thread, NULL, other_thread, ok) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK(ok[0] && ok[1] && ok[2]);
    CHECK(strcmp(gamelift_auth_last_error(), mine) == 0);
}

int main(void)
{
    gamelift_auth_client *client = NULL;
    gamelift_auth_compute *compute = NULL;
    gamelift_auth_server_parameters *params = NULL, *params2 = NULL;
    gamelift_auth_upload_credentials *upload = NULL;
    char *token = NULL;
    char fresh[128];
    size_t len = 0;
    int64_t expires = 0;
    const char *secret_key = getenv("AWS_SECRET_ACCESS_KEY");
    char upload_secret[256] = "", upload_session[4096] = "";
    int messages;

    if (getenv("AWS_ENDPOINT_URL_GAMELIFT") == NULL) {
        fprintf(stderr, "abi_test: run it against the stand-in (../run-with-standin.sh)\n");
        return 2;
    }
    gamelift_auth_set_log_callback(record_log, &log_count, 5);

    library_functions();
    free_null_and_null_accessors();
    config_arguments();

    /* NULL config = the standard AWS environment. */
    EXPECT(gamelift_auth_client_new(NULL, &client), GAMELIFT_AUTH_OK);
    if (client == NULL) {
        fprintf(stderr, "abi_test: no client, stopping\n");
        return 1;
    }
    client_arguments(client);
    last_error_is_per_thread();

    /* Register the compute, so that DescribeCompute knows it. */
    EXPECT(gamelift_auth_register_compute(client, FLEET, COMPUTE, "127.0.0.1", NULL, NULL, NULL,
                                          &compute),
           GAMELIFT_AUTH_OK);
    CHECK(strcmp(gamelift_auth_compute_name(compute), COMPUTE) == 0);
    CHECK(strcmp(gamelift_auth_compute_fleet_id(compute), FLEET) == 0);
    CHECK(strcmp(gamelift_auth_compute_ip_address(compute), "127.0.0.1") == 0);
    gamelift_auth_compute_free(compute);
    compute = NULL;

    token = buffer_protocol(client, &expires);

    /* Server parameters: the cached token, fresh process ids. */
    EXPECT(gamelift_auth_server_parameters_new(client, FLEET, COMPUTE, &params), GAMELIFT_AUTH_OK);
    EXPECT(gamelift_auth_server_parameters_new(client, FLEET, COMPUTE, &params2), GAMELIFT_AUTH_OK);
    if (params != NULL && params2 != NULL) {
        CHECK(strncmp(gamelift_auth_server_parameters_web_socket_url(params), "wss://", 6) == 0);
        CHECK(token != NULL &&
              strcmp(gamelift_auth_server_parameters_auth_token(params), token) == 0);
        CHECK(strcmp(gamelift_auth_server_parameters_fleet_id(params), FLEET) == 0);
        CHECK(strcmp(gamelift_auth_server_parameters_host_id(params), COMPUTE) == 0);
        CHECK(is_uuid_v4(gamelift_auth_server_parameters_process_id(params)));
        CHECK(is_uuid_v4(gamelift_auth_server_parameters_process_id(params2)));
        CHECK(strcmp(gamelift_auth_server_parameters_process_id(params),
                     gamelift_auth_server_parameters_process_id(params2)) != 0);
        CHECK(gamelift_auth_server_parameters_expires_at_ms(params) == expires);
    }

    /* DescribeCompute: its websocket URL is the one InitSDK() gets. */
    EXPECT(gamelift_auth_describe_compute(client, FLEET, COMPUTE, &compute), GAMELIFT_AUTH_OK);
    CHECK(strcmp(gamelift_auth_compute_name(compute), COMPUTE) == 0);
    CHECK(strcmp(gamelift_auth_compute_status(compute), "ACTIVE") == 0);
    CHECK(strncmp(gamelift_auth_compute_arn(compute), "arn:", 4) == 0);
    CHECK(gamelift_auth_compute_location(compute)[0] != '\0');
    CHECK(gamelift_auth_compute_agent_endpoint(compute) != NULL);
    CHECK(strcmp(gamelift_auth_compute_sdk_endpoint(compute),
                 gamelift_auth_server_parameters_web_socket_url(params)) == 0);
    gamelift_auth_compute_free(compute);
    compute = NULL;
    gamelift_auth_server_parameters_free(params);
    gamelift_auth_server_parameters_free(params2);

    /* Invalidate: the next call fetches a new token. */
    EXPECT(gamelift_auth_invalidate_token(client, FLEET, COMPUTE), GAMELIFT_AUTH_OK);
    EXPECT(gamelift_auth_get_token(client, FLEET, COMPUTE, fresh, sizeof fresh, &len, NULL),
           GAMELIFT_AUTH_OK);
    CHECK(token != NULL && strcmp(fresh, token) != 0);

    /* Upload credentials: accessors, secrets never in the log. */
    EXPECT(gamelift_auth_request_upload_credentials(client, "build-1234", &upload),
           GAMELIFT_AUTH_OK);
    CHECK(gamelift_auth_upload_credentials_access_key_id(upload)[0] != '\0');
    CHECK(gamelift_auth_upload_credentials_secret_access_key(upload)[0] != '\0');
    CHECK(gamelift_auth_upload_credentials_session_token(upload)[0] != '\0');
    CHECK(gamelift_auth_upload_credentials_bucket(upload)[0] != '\0');
    CHECK(gamelift_auth_upload_credentials_key(upload)[0] != '\0');
    CHECK(gamelift_auth_upload_credentials_role_arn(upload) != NULL);
    CHECK(gamelift_auth_upload_credentials_object_version(upload) != NULL);
    snprintf(upload_secret, sizeof upload_secret, "%s",
             gamelift_auth_upload_credentials_secret_access_key(upload));
    snprintf(upload_session, sizeof upload_session, "%s",
             gamelift_auth_upload_credentials_session_token(upload));
    gamelift_auth_upload_credentials_free(upload);

    /* Deregister: then DescribeCompute is NOT_FOUND, with the request id in the message. */
    EXPECT(gamelift_auth_deregister_compute(client, FLEET, COMPUTE), GAMELIFT_AUTH_OK);
    compute = (gamelift_auth_compute *)&checks;
    EXPECT(gamelift_auth_describe_compute(client, FLEET, COMPUTE, &compute),
           GAMELIFT_AUTH_ERROR_NOT_FOUND);
    CHECK(strstr(gamelift_auth_last_error(), "NotFoundException") != NULL);
    CHECK(strstr(gamelift_auth_last_error(), "request id") != NULL);
    CHECK(compute == (gamelift_auth_compute *)&checks);

    /* The log: messages arrived, well-formed, without a secret. */
    pthread_mutex_lock(&log_mutex);
    CHECK(log_count > 0);
    CHECK(log_bad_level == 0);
    CHECK(log_bad_length == 0);
    pthread_mutex_unlock(&log_mutex);
    CHECK(log_contains("GetComputeAuthToken"));
    CHECK(token != NULL && !log_contains(token));
    CHECK(!log_contains(fresh));
    CHECK(secret_key != NULL && !log_contains(secret_key));
    CHECK(!log_contains(upload_secret));
    CHECK(!log_contains(upload_session));

    /* max_level: only errors now. Deregistering forgot the token, so this fetches a new one
     * and logs it at info level, which must not arrive. */
    pthread_mutex_lock(&log_mutex);
    log_max_level = 1;
    pthread_mutex_unlock(&log_mutex);
    gamelift_auth_set_log_callback(record_log, &log_count, 1);
    EXPECT(gamelift_auth_get_token(client, FLEET, COMPUTE, fresh, sizeof fresh, &len, NULL),
           GAMELIFT_AUTH_OK);
    pthread_mutex_lock(&log_mutex);
    CHECK(log_bad_level == 0);
    pthread_mutex_unlock(&log_mutex);

    /* A NULL callback: no more messages, even for a failure. */
    gamelift_auth_set_log_callback(NULL, NULL, 5);
    messages = log_messages();
    EXPECT_INVALID(gamelift_auth_get_token(client, NULL, COMPUTE, NULL, 0, NULL, NULL));
    EXPECT(gamelift_auth_get_token(client, FLEET, COMPUTE, fresh, sizeof fresh, &len, NULL),
           GAMELIFT_AUTH_OK);
    CHECK(log_messages() == messages);

    gamelift_auth_client_free(client);
    if (token != NULL) {
        memset(token, 0, strlen(token));
        free(token);
    }
    free(log_text);

    if (failures > 0) {
        fprintf(stderr, "abi_test: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    printf("abi_test: %d checks passed\n", checks);
    return 0;
}

/*
 * misuse_test.c: every exported function of the C ABI called the wrong way, against a running
 * GameLift stand-in configured through the standard AWS environment. Built with
 * -fsanitize=address,undefined and run by tests/sanitizers.rs (and scripts/sanitize.sh), so
 * "no crash" includes "no invalid read or write, no leak, no undefined behaviour".
 *
 *   - NULL for every pointer argument, one at a time;
 *   - "" for every string argument;
 *   - invalid UTF-8 (a lone continuation byte, an overlong encoding, a surrogate, a cut
 *     sequence) for every string argument;
 *   - 1 MiB strings for every string argument (plain, and with one bad byte at the end);
 *   - zero-length, one-byte and NULL caller buffers;
 *   - 16 threads sharing one client (tokens, server parameters, compute calls, upload
 *     credentials, refused arguments and their per-thread last error) while another thread
 *     invalidates the token and another swaps the log callback.
 *
 * Every call's status is checked exactly; every refused call must leave a message in
 * gamelift_auth_last_error() and its out-params untouched.
 *
 * Prints "misuse_test: N passed, M failed", then "misuse_test: invalidations=I" (the Rust side
 * compares I with the GetComputeAuthToken count the stand-in saw). Exit 0 only when M is 0.
 */

#include "gamelift_auth.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLEET "fleet-misuse1"
#define COMPUTE "misuse-box"
#define MIB (1024 * 1024)
#define WORKERS 16
#define ROUNDS 60

#define OK GAMELIFT_AUTH_OK
#define INV GAMELIFT_AUTH_ERROR_INVALID_ARGUMENT
#define SMALL GAMELIFT_AUTH_ERROR_BUFFER_TOO_SMALL

static pthread_mutex_t count_mutex = PTHREAD_MUTEX_INITIALIZER;
static int passed;
static int failed;

static void record(int ok, const char *what, int line, const char *detail)
{
    pthread_mutex_lock(&count_mutex);
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "misuse_test.c:%d: FAILED: %s%s%s\n", line, what, detail ? ": " : "",
                detail ? detail : "");
    }
    pthread_mutex_unlock(&count_mutex);
}

#define CHECK(cond) record((cond) ? 1 : 0, #cond, __LINE__, NULL)

static void expect_at(gamelift_auth_status got, gamelift_auth_status want, const char *call,
                      int line)
{
    char detail[512];
    const char *err = gamelift_auth_last_error();
    int ok = got == want;
    if (err == NULL) {
        record(0, "gamelift_auth_last_error() returned NULL", line, call);
        return;
    }
    if (ok && want != OK && err[0] == '\0') {
        record(0, "a refused call left no last error", line, call);
        return;
    }
    snprintf(detail, sizeof detail, "returned %s, expected %s (last error: \"%.300s\")",
             gamelift_auth_status_name(got), gamelift_auth_status_name(want), err);
    record(ok, call, line, ok ? NULL : detail);
}

/* The call returns exactly `want`; a failure leaves a non-empty last error. */
#define EXPECT(call, want) expect_at((call), (want), #call, __LINE__)

/* ---- strings ---------------------------------------------------------------------------- */

static char *huge;      /* 1 MiB of 'a' */
static char *huge_bad;  /* 1 MiB of 'a' ending in 0xff */
static char *huge_https; /* "https://" + 1 MiB of 'a': a well-formed but absurd host */

static const char *const bad_utf8[] = {
    "\x80",             /* lone continuation byte */
    "a\xc0\xaf",        /* overlong '/' */
    "b\xed\xa0\x80",    /* UTF-16 surrogate */
    "c\xe2\x82",        /* cut sequence */
    "\xff\xfe",         /* never valid */
};
#define N_BAD (sizeof bad_utf8 / sizeof bad_utf8[0])

static char *make_huge(char fill, const char *prefix, char last)
{
    size_t plen = strlen(prefix);
    char *s = malloc(plen + MIB + 1);
    if (s == NULL) {
        fprintf(stderr, "misuse_test: out of memory\n");
        exit(2);
    }
    memcpy(s, prefix, plen);
    memset(s + plen, fill, MIB);
    if (last != '\0') {
        s[plen + MIB - 1] = last;
    }
    s[plen + MIB] = '\0';
    return s;
}

/* ---- library-wide functions --------------------------------------------------------------- */

static void log_sink(void *user_data, int32_t level, const char *message, size_t message_len)
{
    (void)user_data;
    (void)level;
    /* Touch every byte, so that ASan sees a bad length or a missing NUL. */
    if (message != NULL && strlen(message) != message_len) {
        record(0, "log message length", __LINE__, NULL);
    }
}

static void library_functions(void)
{
    static const int32_t odd_statuses[] = {INT32_MIN, -1, 17, 98, 100, INT32_MAX};
    size_t i;
    CHECK(gamelift_auth_version() != NULL && gamelift_auth_version()[0] != '\0');
    CHECK(gamelift_auth_abi_version() == GAMELIFT_AUTH_ABI_VERSION);
    for (i = 0; i < sizeof odd_statuses / sizeof odd_statuses[0]; i++) {
        CHECK(strcmp(gamelift_auth_status_name((gamelift_auth_status)odd_statuses[i]),
                     "GAMELIFT_AUTH_ERROR_UNKNOWN") == 0);
    }
    CHECK(gamelift_auth_last_error() != NULL);
    /* Out-of-range levels, NULL user data, NULL callback with a level: accepted, no crash. */
    gamelift_auth_set_log_callback(log_sink, NULL, -7);
    gamelift_auth_set_log_callback(log_sink, NULL, INT32_MAX);
    gamelift_auth_set_log_callback(NULL, NULL, 5);
    gamelift_auth_set_log_callback(NULL, &passed, INT32_MIN);
    CHECK(1);
}

static void free_and_accessors_of_null(void)
{
    gamelift_auth_config_free(NULL);
    gamelift_auth_client_free(NULL);
    gamelift_auth_compute_free(NULL);
    gamelift_auth_server_parameters_free(NULL);
    gamelift_auth_upload_credentials_free(NULL);
    CHECK(strcmp(gamelift_auth_compute_fleet_id(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_compute_name(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_compute_arn(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_compute_status(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_compute_ip_address(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_compute_location(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_compute_sdk_endpoint(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_compute_agent_endpoint(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_server_parameters_web_socket_url(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_server_parameters_auth_token(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_server_parameters_fleet_id(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_server_parameters_host_id(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_server_parameters_process_id(NULL), "") == 0);
    CHECK(gamelift_auth_server_parameters_expires_at_ms(NULL) == 0);
    CHECK(strcmp(gamelift_auth_upload_credentials_access_key_id(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_upload_credentials_secret_access_key(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_upload_credentials_session_token(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_upload_credentials_bucket(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_upload_credentials_key(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_upload_credentials_role_arn(NULL), "") == 0);
    CHECK(strcmp(gamelift_auth_upload_credentials_object_version(NULL), "") == 0);
}

/* ---- configuration ------------------------------------------------------------------------ */

/* A string setter given NULL, "", each bad UTF-8 string and the huge strings. */
typedef gamelift_auth_status (*string_setter)(gamelift_auth_config *, const char *);

static void string_setter_misuse(string_setter set, const char *name, gamelift_auth_status null_st,
                                 gamelift_auth_status empty_st, gamelift_auth_status huge_st)
{
    gamelift_auth_config *cfg = gamelift_auth_config_new();
    char what[128];
    size_t i;
    CHECK(cfg != NULL);
    snprintf(what, sizeof what, "%s(NULL cfg)", name);
    expect_at(set(NULL, "x"), INV, what, __LINE__);
    snprintf(what, sizeof what, "%s(cfg, NULL)", name);
    expect_at(set(cfg, NULL), null_st, what, __LINE__);
    snprintf(what, sizeof what, "%s(cfg, \"\")", name);
    expect_at(set(cfg, ""), empty_st, what, __LINE__);
    for (i = 0; i < N_BAD; i++) {
        snprintf(what, sizeof what, "%s(cfg, bad_utf8[%zu])", name, i);
        expect_at(set(cfg, bad_utf8[i]), INV, what, __LINE__);
    }
    snprintf(what, sizeof what, "%s(cfg, 1 MiB)", name);
    expect_at(set(cfg, huge), huge_st, what, __LINE__);
    snprintf(what, sizeof what, "%s(cfg, 1 MiB ending in 0xff)", name);
    expect_at(set(cfg, huge_bad), INV, what, __LINE__);
    gamelift_auth_config_free(cfg);
}

static void config_misuse(void)
{
    gamelift_auth_config *cfg;
    gamelift_auth_client *sentinel = (gamelift_auth_client *)&passed;
    gamelift_auth_client *out = sentinel;
    size_t i;

    string_setter_misuse(gamelift_auth_config_set_region, "set_region", INV, INV, INV);
    string_setter_misuse(gamelift_auth_config_set_endpoint, "set_endpoint", INV, INV, INV);
    string_setter_misuse(gamelift_auth_config_set_profile, "set_profile", INV, INV, INV);
    /* NULL turns the cache off; a long path is only refused when the client opens it. */
    string_setter_misuse(gamelift_auth_config_set_cache_dir, "set_cache_dir", OK, INV, OK);

    cfg = gamelift_auth_config_new();
    CHECK(cfg != NULL);
    /* set_credentials: each of the three strings misused in turn. */
    EXPECT(gamelift_auth_config_set_credentials(NULL, "AKID", "secret", NULL), INV);
    EXPECT(gamelift_auth_config_set_credentials(cfg, NULL, "secret", NULL), INV);
    EXPECT(gamelift_auth_config_set_credentials(cfg, "AKID", NULL, NULL), INV);
    EXPECT(gamelift_auth_config_set_credentials(cfg, NULL, NULL, NULL), INV);
    EXPECT(gamelift_auth_config_set_credentials(cfg, "", "secret", NULL), INV);
    EXPECT(gamelift_auth_config_set_credentials(cfg, "AKID", "", NULL), INV);
    EXPECT(gamelift_auth_config_set_credentials(cfg, "AKID", "secret", ""), OK);
    for (i = 0; i < N_BAD; i++) {
        EXPECT(gamelift_auth_config_set_credentials(cfg, bad_utf8[i], "secret", NULL), INV);
        EXPECT(gamelift_auth_config_set_credentials(cfg, "AKID", bad_utf8[i], NULL), INV);
        EXPECT(gamelift_auth_config_set_credentials(cfg, "AKID", "secret", bad_utf8[i]), INV);
    }
    EXPECT(gamelift_auth_config_set_credentials(cfg, huge, "secret", NULL), INV);
    EXPECT(gamelift_auth_config_set_credentials(cfg, huge_bad, "secret", NULL), INV);
    EXPECT(gamelift_auth_config_set_credentials(cfg, "AKID", huge_bad, NULL), INV);
    EXPECT(gamelift_auth_config_set_credentials(cfg, "AKID", "secret", huge_bad), INV);
    /* Secrets have no documented length limit: a 1 MiB key and token are stored (and wiped). */
    EXPECT(gamelift_auth_config_set_credentials(cfg, "AKID", huge, huge), OK);
    EXPECT(gamelift_auth_config_set_credentials(cfg, "AKID", huge, huge), OK); /* replaced */

    /* The numeric setters at and past their bounds. */
    EXPECT(gamelift_auth_config_set_timeout_ms(NULL, 1000), INV);
    EXPECT(gamelift_auth_config_set_timeout_ms(cfg, 0), INV);
    EXPECT(gamelift_auth_config_set_timeout_ms(cfg, UINT32_MAX), INV);
    EXPECT(gamelift_auth_config_set_timeout_ms(cfg, 3600000), OK);
    EXPECT(gamelift_auth_config_set_max_attempts(NULL, 3), INV);
    EXPECT(gamelift_auth_config_set_max_attempts(cfg, 0), INV);
    EXPECT(gamelift_auth_config_set_max_attempts(cfg, UINT32_MAX), INV);
    EXPECT(gamelift_auth_config_set_max_attempts(cfg, 20), OK);
    EXPECT(gamelift_auth_config_set_min_validity_s(NULL, 1), INV);
    EXPECT(gamelift_auth_config_set_min_validity_s(cfg, 0), OK);
    EXPECT(gamelift_auth_config_set_min_validity_s(cfg, UINT32_MAX), OK);

    /* client_new: NULL out; a 1 MiB cache directory path cannot be opened (CONFIG). */
    EXPECT(gamelift_auth_client_new(cfg, NULL), INV);
    EXPECT(gamelift_auth_client_new(NULL, NULL), INV);
    EXPECT(gamelift_auth_config_set_region(cfg, "us-west-2"), OK);
    EXPECT(gamelift_auth_config_set_cache_dir(cfg, huge), OK);
    EXPECT(gamelift_auth_client_new(cfg, &out), GAMELIFT_AUTH_ERROR_CONFIG);
    CHECK(out == sentinel);
    /* An unknown profile (of a very long name) is a configuration error, not a crash. */
    EXPECT(gamelift_auth_config_set_cache_dir(cfg, NULL), OK);
    EXPECT(gamelift_auth_config_set_profile(cfg, "misuse-no-such-profile"), OK);
    EXPECT(gamelift_auth_client_new(cfg, &out), GAMELIFT_AUTH_ERROR_CONFIG);
    CHECK(out == sentinel);
    gamelift_auth_config_free(cfg);

    /* A well-formed https URL whose host is 1 MiB long: accepted by the setter (it has no
     * length rule); nothing is sent here. */
    cfg = gamelift_auth_config_new();
    EXPECT(gamelift_auth_config_set_endpoint(cfg, huge_https), OK);
    gamelift_auth_config_free(cfg);
}

/* ---- client functions --------------------------------------------------------------------- */

/* The string arguments of the client functions: each one misused with each bad value. */
static void client_string_misuse(gamelift_auth_client *c, const char *bad)
{
    char buf[64];
    size_t len = 4242;
    int64_t expires = 4343;
    gamelift_auth_compute *compute = (gamelift_auth_compute *)&passed;
    gamelift_auth_server_parameters *params = (gamelift_auth_server_parameters *)&passed;
    gamelift_auth_upload_credentials *upload = (gamelift_auth_upload_credentials *)&passed;

    memset(buf, 'Z', sizeof buf);
    EXPECT(gamelift_auth_get_token(c, bad, COMPUTE, buf, sizeof buf, &len, &expires), INV);
    EXPECT(gamelift_auth_get_token(c, FLEET, bad, buf, sizeof buf, &len, &expires), INV);
    EXPECT(gamelift_auth_invalidate_token(c, bad, COMPUTE), INV);
    EXPECT(gamelift_auth_invalidate_token(c, FLEET, bad), INV);
    EXPECT(gamelift_auth_request_upload_credentials(c, bad, &upload), INV);
    EXPECT(gamelift_auth_register_compute(c, bad, COMPUTE, "127.0.0.1", NULL, NULL, NULL, &compute),
           INV);
    EXPECT(gamelift_auth_register_compute(c, FLEET, bad, "127.0.0.1", NULL, NULL, NULL, &compute),
           INV);
    EXPECT(gamelift_auth_register_compute(c, FLEET, COMPUTE, bad, NULL, NULL, NULL, &compute), INV);
    EXPECT(gamelift_auth_register_compute(c, FLEET, COMPUTE, NULL, bad, NULL, NULL, &compute), INV);
    if (bad != NULL) { /* location and certificate_path are nullable */
        EXPECT(gamelift_auth_register_compute(c, FLEET, COMPUTE, "127.0.0.1", NULL, bad, NULL,
                                              &compute),
               INV);
        EXPECT(gamelift_auth_register_compute(c, FLEET, COMPUTE, "127.0.0.1", NULL, NULL, bad,
                                              &compute),
               INV);
    }
    EXPECT(gamelift_auth_describe_compute(c, bad, COMPUTE, &compute), INV);
    EXPECT(gamelift_auth_describe_compute(c, FLEET, bad, &compute), INV);
    EXPECT(gamelift_auth_deregister_compute(c, bad, COMPUTE), INV);
    EXPECT(gamelift_auth_deregister_compute(c, FLEET, bad), INV);
    EXPECT(gamelift_auth_server_parameters_new(c, bad, COMPUTE, &params), INV);
    EXPECT(gamelift_auth_server_parameters_new(c, FLEET, bad, &params), INV);
    /* Out-params untouched. */
    CHECK(buf[0] == 'Z' && buf[sizeof buf - 1] == 'Z');
    CHECK(len == 4242 && expires == 4343);
    CHECK(compute == (gamelift_auth_compute *)&passed);
    CHECK(params == (gamelift_auth_server_parameters *)&passed);
    CHECK(upload == (gamelift_auth_upload_credentials *)&passed);
}

static void client_null_misuse(gamelift_auth_client *c)
{
    char buf[64];
    gamelift_auth_compute *compute = (gamelift_auth_compute *)&passed;
    gamelift_auth_server_parameters *params = (gamelift_auth_server_parameters *)&passed;
    gamelift_auth_upload_credentials *upload = (gamelift_auth_upload_credentials *)&passed;

    /* NULL client. */
    EXPECT(gamelift_auth_get_token(NULL, FLEET, COMPUTE, buf, sizeof buf, NULL, NULL), INV);
    EXPECT(gamelift_auth_get_token(NULL, NULL, NULL, NULL, 0, NULL, NULL), INV);
    EXPECT(gamelift_auth_invalidate_token(NULL, FLEET, COMPUTE), INV);
    EXPECT(gamelift_auth_request_upload_credentials(NULL, "build-1", &upload), INV);
    EXPECT(gamelift_auth_register_compute(NULL, FLEET, COMPUTE, "127.0.0.1", NULL, NULL, NULL,
                                          &compute),
           INV);
    EXPECT(gamelift_auth_describe_compute(NULL, FLEET, COMPUTE, &compute), INV);
    EXPECT(gamelift_auth_deregister_compute(NULL, FLEET, COMPUTE), INV);
    EXPECT(gamelift_auth_server_parameters_new(NULL, FLEET, COMPUTE, &params), INV);
    /* NULL strings (NULL optional strings of register_compute are allowed, but not both of
     * ip_address and dns_name). */
    client_string_misuse(c, NULL);
    EXPECT(gamelift_auth_register_compute(c, FLEET, COMPUTE, NULL, NULL, NULL, NULL, &compute),
           INV);
    /* NULL out-params for objects. */
    EXPECT(gamelift_auth_request_upload_credentials(c, "build-1", NULL), INV);
    EXPECT(gamelift_auth_register_compute(c, FLEET, COMPUTE, "127.0.0.1", NULL, NULL, NULL, NULL),
           INV);
    EXPECT(gamelift_auth_describe_compute(c, FLEET, COMPUTE, NULL), INV);
    EXPECT(gamelift_auth_server_parameters_new(c, FLEET, COMPUTE, NULL), INV);
    CHECK(compute == (gamelift_auth_compute *)&passed);
    CHECK(params == (gamelift_auth_server_parameters *)&passed);
    CHECK(upload == (gamelift_auth_upload_credentials *)&passed);
}

static void client_misuse(gamelift_auth_client *c)
{
    size_t i;
    client_null_misuse(c);
    client_string_misuse(c, "");
    for (i = 0; i < N_BAD; i++) {
        client_string_misuse(c, bad_utf8[i]);
    }
    client_string_misuse(c, huge);
    client_string_misuse(c, huge_bad);
}

/* Zero-length, one-byte and NULL caller buffers (the token is cached by then). */
static void buffer_misuse(gamelift_auth_client *c)
{
    char buf[8] = {'Q', 'Q', 'Q', 'Q', 'Q', 'Q', 'Q', 'Q'};
    size_t needed = 0, len = 0;
    int64_t expires = 99;
    char *exact;

    EXPECT(gamelift_auth_get_token(c, FLEET, COMPUTE, NULL, 0, &needed, &expires), SMALL);
    CHECK(needed >= 2 && needed <= 1025);
    CHECK(expires == 99);
    len = 0;
    EXPECT(gamelift_auth_get_token(c, FLEET, COMPUTE, buf, 0, &len, &expires), SMALL);
    CHECK(len == needed && buf[0] == 'Q' && expires == 99);
    len = 0;
    EXPECT(gamelift_auth_get_token(c, FLEET, COMPUTE, buf, 1, &len, &expires), SMALL);
    CHECK(len == needed && buf[0] == 'Q' && buf[1] == 'Q');
    /* A NULL buffer with a non-zero length is a NULL buffer. */
    len = 0;
    EXPECT(gamelift_auth_get_token(c, FLEET, COMPUTE, NULL, 4096, &len, NULL), SMALL);
    CHECK(len == needed);
    /* No out_len at all. */
    EXPECT(gamelift_auth_get_token(c, FLEET, COMPUTE, buf, 0, NULL, NULL), SMALL);
    CHECK(buf[0] == 'Q');
    /* Exactly the size asked for, in a heap block of exactly that size (ASan checks the
     * bounds), then the same with SIZE_MAX claimed for a buffer that is big enough. */
    exact = malloc(needed);
    if (exact == NULL) {
        CHECK(!"out of memory");
        return;
    }
    EXPECT(gamelift_auth_get_token(c, FLEET, COMPUTE, exact, needed, &len, &expires), OK);
    CHECK(len == needed - 1 && exact[len] == '\0' && expires > 0);
    EXPECT(gamelift_auth_get_token(c, FLEET, COMPUTE, exact, needed, NULL, NULL), OK);
    memset(exact, 0, needed);
    free(exact);
}

/* ---- threads ------------------------------------------------------------------------------ */

static gamelift_auth_client *shared_client;
static volatile int workers_done; /* written under count_mutex, read by the helpers */
static long invalidations;

static int workers_finished(void)
{
    int done;
    pthread_mutex_lock(&count_mutex);
    done = workers_done == WORKERS;
    pthread_mutex_unlock(&count_mutex);
    return done;
}

static int is_token_text(const char *s, size_t n)
{
    return n >= 1 && n <= 1024 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~") == n;
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    int round;
    char buf[1100];
    size_t len;
    int64_t expires;
    for (round = 0; round < ROUNDS; round++) {
        gamelift_auth_server_parameters *p = NULL;
        len = 0;
        expires = 0;
        EXPECT(gamelift_auth_get_token(shared_client, FLEET, COMPUTE, buf, sizeof buf, &len,
                                       &expires),
               OK);
        CHECK(is_token_text(buf, len) && strlen(buf) == len && expires > 0);

        /* A refused argument on this thread: its own message, whatever the others do. */
        EXPECT(gamelift_auth_get_token(shared_client, "not-a-fleet", COMPUTE, buf, sizeof buf,
                                       NULL, NULL),
               INV);
        CHECK(strstr(gamelift_auth_last_error(), "FleetId") != NULL);

        switch ((round + id) % 6) {
        case 0:
            EXPECT(gamelift_auth_server_parameters_new(shared_client, FLEET, COMPUTE, &p), OK);
            CHECK(p != NULL && strlen(gamelift_auth_server_parameters_auth_token(p)) >= 1 &&
                  strncmp(gamelift_auth_server_parameters_web_socket_url(p), "wss://", 6) == 0);
            gamelift_auth_server_parameters_free(p);
            break;
        case 1: {
            gamelift_auth_compute *c = NULL;
            EXPECT(gamelift_auth_describe_compute(shared_client, FLEET, COMPUTE, &c), OK);
            CHECK(c != NULL && strcmp(gamelift_auth_compute_name(c), COMPUTE) == 0);
            gamelift_auth_compute_free(c);
            break;
        }
        case 2: {
            gamelift_auth_upload_credentials *u = NULL;
            EXPECT(gamelift_auth_request_upload_credentials(shared_client, "build-misuse", &u), OK);
            CHECK(u != NULL && gamelift_auth_upload_credentials_secret_access_key(u)[0] != '\0');
            gamelift_auth_upload_credentials_free(u);
            break;
        }
        case 3:
            /* Ask for the size, then a buffer one byte short. */
            EXPECT(gamelift_auth_get_token(shared_client, FLEET, COMPUTE, NULL, 0, &len, NULL),
                   SMALL);
            if (len >= 2 && len <= sizeof buf) {
                EXPECT(gamelift_auth_get_token(shared_client, FLEET, COMPUTE, buf, 1, &len, NULL),
                       SMALL);
            }
            break;
        case 4: {
            /* Another key of the same client: its own cache slot. */
            char compute[32];
            snprintf(compute, sizeof compute, "misuse-w%d", id);
            EXPECT(gamelift_auth_get_token(shared_client, FLEET, compute, buf, sizeof buf, &len,
                                           NULL),
                   OK);
            break;
        }
        default:
            sched_yield();
            break;
        }
    }
    pthread_mutex_lock(&count_mutex);
    workers_done++;
    pthread_mutex_unlock(&count_mutex);
    return NULL;
}

static void *invalidator(void *arg)
{
    long n = 0;
    (void)arg;
    /* Bounded: stops when the workers are done, or after 20000 invalidations. */
    while (!workers_finished() && n < 20000) {
        EXPECT(gamelift_auth_invalidate_token(shared_client, FLEET, COMPUTE), OK);
        n++;
        sched_yield();
    }
    invalidations = n;
    return NULL;
}

static void *log_swapper(void *arg)
{
    int n = 0;
    (void)arg;
    while (!workers_finished() && n < 20000) {
        gamelift_auth_set_log_callback((n % 2) ? log_sink : NULL, NULL, 5);
        n++;
        sched_yield();
    }
    gamelift_auth_set_log_callback(NULL, NULL, 0);
    return NULL;
}

static void threads(void)
{
    pthread_t w[WORKERS], inv, logs;
    int i, started = 0;
    int inv_ok, logs_ok;
    inv_ok = pthread_create(&inv, NULL, invalidator, NULL) == 0;
    logs_ok = pthread_create(&logs, NULL, log_swapper, NULL) == 0;
    CHECK(inv_ok && logs_ok);
    for (i = 0; i < WORKERS; i++) {
        if (pthread_create(&w[i], NULL, worker, (void *)(intptr_t)i) == 0) {
            started++;
        } else {
            CHECK(!"pthread_create");
            pthread_mutex_lock(&count_mutex);
            workers_done++; /* so that the helpers stop */
            pthread_mutex_unlock(&count_mutex);
        }
    }
    for (i = 0; i < started; i++) {
        pthread_join(w[i], NULL);
    }
    if (inv_ok) {
        pthread_join(inv, NULL);
    }
    if (logs_ok) {
        pthread_join(logs, NULL);
    }
}

int main(void)
{
    gamelift_auth_compute *compute = NULL;

    if (getenv("AWS_ENDPOINT_URL_GAMELIFT") == NULL) {
        fprintf(stderr, "misuse_test: run it against the stand-in (tests/sanitizers.rs)\n");
        return 2;
    }
    huge = make_huge('a', "", '\0');
    huge_bad = make_huge('a', "", '\xff');
    huge_https = make_huge('a', "https://", '\0');

    library_functions();
    free_and_accessors_of_null();
    config_misuse();

    EXPECT(gamelift_auth_client_new(NULL, &shared_client), OK);
    if (shared_client == NULL) {
        fprintf(stderr, "misuse_test: no client, stopping\n");
        return 1;
    }
    client_misuse(shared_client);
    EXPECT(gamelift_auth_register_compute(shared_client, FLEET, COMPUTE, "127.0.0.1", NULL, NULL,
                                          NULL, &compute),
           OK);
    gamelift_auth_compute_free(compute);
    buffer_misuse(shared_client);
    threads();
    gamelift_auth_client_free(shared_client);

    free(huge);
    free(huge_bad);
    free(huge_https);
    printf("misuse_test: %d passed, %d failed\n", passed, failed);
    printf("misuse_test: invalidations=%ld\n", invalidations);
    return failed == 0 ? 0 : 1;
}

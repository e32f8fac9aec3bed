/* The comparison's C program: gamelift-auth through libgamelift_auth.so, as a game server uses it.
 *
 *   c_client once            client from the environment, one token, printed (process start to
 *                            first token)
 *   c_client loop N WARMUP   N fresh tokens (invalidate + get) on one client and one connection;
 *                            prints {"wall_ns":[...],"cpu_ns":[...]} per call
 *   c_client cached BATCHES PER_BATCH
 *                            cached gamelift_auth_get_token through the shared library; prints
 *                            {"ns_per_call":[...]} (one figure per batch)
 *
 * The client always comes from the environment (gamelift_auth_client_new(NULL, ...)):
 * AWS_REGION, AWS_ENDPOINT_URL_GAMELIFT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gamelift_auth.h"

static const char *FLEET = "fleet-1a2b3c4d";
static const char *COMPUTE = "game-server-1";

static uint64_t clock_ns(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, gamelift_auth_status s) {
    fprintf(stderr, "%s: %s: %s\n", what, gamelift_auth_status_name(s), gamelift_auth_last_error());
    exit(1);
}

static void get(gamelift_auth_client *c, char *buf, size_t len) {
    size_t out_len = 0;
    int64_t expires = 0;
    gamelift_auth_status s = gamelift_auth_get_token(c, FLEET, COMPUTE, buf, len, &out_len, &expires);
    if (s != GAMELIFT_AUTH_OK) die("gamelift_auth_get_token", s);
}

static void print_list(const char *name, const uint64_t *v, size_t n) {
    printf("\"%s\":[", name);
    for (size_t i = 0; i < n; i++) printf(i ? ",%llu" : "%llu", (unsigned long long)v[i]);
    printf("]");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: c_client once | loop N WARMUP | cached BATCHES PER_BATCH\n");
        return 2;
    }
    gamelift_auth_client *c = NULL;
    gamelift_auth_status s = gamelift_auth_client_new(NULL, &c);
    if (s != GAMELIFT_AUTH_OK) die("gamelift_auth_client_new", s);
    char token[1100];

    if (strcmp(argv[1], "once") == 0) {
        get(c, token, sizeof token);
        printf("%s\n", token);
        fflush(stdout);
    } else if (strcmp(argv[1], "loop") == 0 && argc == 4) {
        size_t n = strtoul(argv[2], NULL, 10), warmup = strtoul(argv[3], NULL, 10);
        uint64_t *wall = calloc(n, sizeof *wall), *cpu = calloc(n, sizeof *cpu);
        for (size_t i = 0; i < warmup + n; i++) {
            uint64_t w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
            s = gamelift_auth_invalidate_token(c, FLEET, COMPUTE);
            if (s != GAMELIFT_AUTH_OK) die("gamelift_auth_invalidate_token", s);
            get(c, token, sizeof token);
            uint64_t c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), w1 = clock_ns(CLOCK_MONOTONIC);
            if (i >= warmup) {
                wall[i - warmup] = w1 - w0;
                cpu[i - warmup] = c1 - c0;
            }
        }
        printf("{");
        print_list("wall_ns", wall, n);
        printf(",");
        print_list("cpu_ns", cpu, n);
        printf("}\n");
        free(wall);
        free(cpu);
    } else if (strcmp(argv[1], "cached") == 0 && argc == 4) {
        size_t batches = strtoul(argv[2], NULL, 10), per = strtoul(argv[3], NULL, 10);
        uint64_t *ns = calloc(batches, sizeof *ns);
        get(c, token, sizeof token); /* fills the cache */
        for (size_t b = 0; b < batches; b++) {
            uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
            for (size_t i = 0; i < per; i++) get(c, token, sizeof token);
            uint64_t t1 = clock_ns(CLOCK_MONOTONIC);
            /* tenths of a nanosecond per call, as an integer */
            ns[b] = (t1 - t0) * 10 / per;
        }
        printf("{");
        print_list("ns_per_call_x10", ns, batches);
        printf("}\n");
        free(ns);
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    gamelift_auth_client_free(c);
    return 0;
}

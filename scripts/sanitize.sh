#!/usr/bin/env bash
# The sanitizer and leak sweep over the C ABI (what tests/sanitizers.rs runs in `cargo test`):
#
#   scripts/sanitize.sh
#
# 1. builds the debug library and the stand-in (`cargo build --features cli`);
# 2. builds examples-c/tests/abi_test.c, examples-c/tests/misuse_test.c and
#    examples-c/game_server.c with -fsanitize=address,undefined against target/debug/libgamelift_auth.so
#    and runs each against a local stand-in with LeakSanitizer on (ASAN_OPTIONS=detect_leaks=1);
# 3. builds game_server.c and abi_test.c plainly and runs them under
#    valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect.
#
# Passes only with zero sanitizer reports, zero valgrind errors and no definite or indirect leak.
# Needs gcc (with libasan/libubsan) and valgrind; CC picks another compiler. Programs and logs go
# to target/sanitize/. Ends with "sanitize: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

cc=${CC:-gcc}
out=target/sanitize
lib=target/debug
mkdir -p "$out"

for lib_so in libasan.so libubsan.so; do
    path=$("$cc" -print-file-name="$lib_so")
    case $path in
    /*) [ -e "$path" ] || { echo "sanitize: $cc has no $lib_so (install gcc's sanitizer runtimes)" >&2; exit 1; } ;;
    *) echo "sanitize: $cc has no $lib_so (install gcc's sanitizer runtimes)" >&2; exit 1 ;;
    esac
done
command -v valgrind >/dev/null || { echo "sanitize: valgrind is required (apt-get install valgrind)" >&2; exit 1; }

echo "== cargo build --features cli (debug library and stand-in)"
cargo build --features cli

sanitize_flags=(-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
plain_flags=(-O2 -g)
build() { # name source flags...
    local name=$1 source=$2
    shift 2
    "$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror "$@" -Iinclude -Iexamples-c \
        -o "$out/$name" "$source" -L"$lib" -lgamelift_auth -Wl,-rpath,"$PWD/$lib" -lpthread
}
echo "== building the C programs"
build abi_test_asan examples-c/tests/abi_test.c "${sanitize_flags[@]}"
build misuse_test_asan examples-c/tests/misuse_test.c "${sanitize_flags[@]}"
build game_server_asan examples-c/game_server.c "${sanitize_flags[@]}"
build abi_test_plain examples-c/tests/abi_test.c "${plain_flags[@]}"
build game_server_plain examples-c/game_server.c "${plain_flags[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
valgrind=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect)

passed=0
failed=0
run() { # label command...
    local label=$1
    shift
    local log="$out/$label.log"
    if examples-c/run-with-standin.sh "$lib/gamelift-auth" "$@" >"$log" 2>&1 &&
        ! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|UndefinedBehaviorSanitizer' "$log"; then
        echo "ok      $label"
        passed=$((passed + 1))
    else
        echo "FAILED  $label (log: $log)"
        grep -v '^local-endpoint:' "$log" | tail -40 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
}

echo "== under AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer)"
run abi_test_asan "$out/abi_test_asan"
run misuse_test_asan "$out/misuse_test_asan"
GAME_COMPUTE_IP=127.0.0.1 GAME_LOG_LEVEL=5 run game_server_asan "$out/game_server_asan"
echo "== under valgrind"
GAME_COMPUTE_IP=127.0.0.1 GAME_LOG_LEVEL=5 run game_server_valgrind "${valgrind[@]}" "$out/game_server_plain"
run abi_test_valgrind "${valgrind[@]}" "$out/abi_test_plain"

echo "sanitize: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

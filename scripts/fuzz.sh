#!/usr/bin/env bash
# Runs one cargo-fuzz target for a bounded time:
#
#   scripts/fuzz.sh <target> [seconds]      # default 300 s
#   scripts/fuzz.sh list                    # the targets
#
# Targets (fuzz/fuzz_targets/): fuzz_response, fuzz_profile, fuzz_process_output, fuzz_c_strings.
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The toolchain is stable: RUSTC_BOOTSTRAP=1 lets
# it accept the nightly-only flags cargo-fuzz passes (-Zsanitizer=address, ...).
#
# The committed seeds in fuzz/corpus/<target>/ are read, never written: what the run discovers
# goes to fuzz/target/corpus/<target>/ (ignored by git). A crash is saved in
# fuzz/artifacts/<target>/ and reproduced with `scripts/fuzz.sh <target> 0 <artifact file>`.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

if ! command -v cargo-fuzz >/dev/null; then
    echo "fuzz: cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 1
fi
export RUSTC_BOOTSTRAP=1
target=${1:?usage: scripts/fuzz.sh <target> [seconds] [artifact] | list}
if [ "$target" = list ]; then
    exec cargo fuzz list
fi
seconds=${2:-300}
artifact=${3:-}

# One justified LeakSanitizer suppression (read the file): a glibc record of an exiting thread.
export LSAN_OPTIONS="suppressions=$PWD/lsan-suppressions.txt${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

if [ -n "$artifact" ]; then
    # Reproduce one input (a crash or any file).
    exec cargo fuzz run "$target" "$artifact"
fi
work=target/corpus/$target
mkdir -p "$work" "artifacts/$target"
# -rss_limit_mb: the process_output target starts a shell per input; 2 GiB is ample.
cargo fuzz run "$target" "$work" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

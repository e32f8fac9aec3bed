#!/usr/bin/env bash
# Regenerates BENCHMARKS.md in one run: the criterion micro-benchmarks (`cargo bench`), the
# side-by-side comparison (scripts/bench-compare.sh), then the tables, ratios and targets
# written between the results markers of BENCHMARKS.md.
#
#   scripts/bench.sh
#
# Run it on an otherwise idle machine: the load average at the start and the end of each part is
# recorded in BENCHMARKS.md. Takes about 15 minutes on 2 cores (most of it the two clean release
# builds of the comparison).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
crit_dir=${CARGO_TARGET_DIR:-$root/target}/criterion
load() { cut -d' ' -f1-3 /proc/loadavg; }

results=$root/benches/compare/results
mkdir -p "$results"

# Build first, then let the load of the build die down (at most BENCH_SETTLE_S, 180 s) before
# measuring.
cargo bench --features cli --bench c_abi --no-run
settle() {
    local limit=$((SECONDS + ${BENCH_SETTLE_S:-180}))
    while [ $SECONDS -lt $limit ] && awk '{ exit !($1 >= 1.0) }' /proc/loadavg; do sleep 5; done
}
settle

echo "== cargo bench (criterion), load $(load)" >&2
rm -rf "$crit_dir"
crit_load_start=$(load)
# --bench c_abi: only the criterion target (plain `cargo bench` also builds the unit-test
# harnesses in the release profile, which takes long and measures nothing).
cargo bench --features cli --bench c_abi 2>&1 | tee "$results/criterion.txt" >&2
crit_load_end=$(load)

BENCH_EXTRA_VERSIONS="\"criterion_load_start\": \"$crit_load_start\", \"criterion_load_end\": \"$crit_load_end\"" \
    "$root/scripts/bench-compare.sh"

work=${BENCH_COMPARE_DIR:-$root/benches/compare/target}
"$work/harness/release/compare-run" report \
    --results "$results/results.json" \
    --criterion "$crit_dir" \
    --criterion-log "$results/criterion.txt" \
    --benchmarks "$root/BENCHMARKS.md"

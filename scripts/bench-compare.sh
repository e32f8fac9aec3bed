#!/usr/bin/env bash
# The side-by-side comparison of BENCHMARKS.md: this library (C ABI) vs aws-sdk-gamelift vs boto3
# vs a raw-socket floor, on the loopback comparison server (benches/compare/).
#
#   scripts/bench-compare.sh            # writes benches/compare/results/results.json
#
# Steps: a clean release build of the library and of the SDK program, each timed, in their own
# target directories under benches/compare/target/ (never target/); the harness; the C program
# (gcc, linked to the fresh libgamelift_auth.so); a Python venv with boto3 (pip, pinned in
# benches/compare/python/requirements.txt); then `compare-run measure`.
# Needs: cargo, gcc, python3 with venv, network access to crates.io and PyPI on the first run.
# Environment: BENCH_CALLS (1000), BENCH_WARMUP (50), BENCH_STARTS (20), BENCH_SETTLE_S (180:
# the longest wait, after the builds, for the 1-minute load average to fall under 1.0),
# BENCH_COMPARE_DIR (benches/compare/target), BENCH_KEEP_BUILDS=1 (reuse earlier builds: quick
# trial runs; the build times are then not clean ones and the results say so),
# BENCH_EXTRA_VERSIONS (JSON members added to "versions", used by scripts/bench.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmp=$root/benches/compare
work=${BENCH_COMPARE_DIR:-$cmp/target}
mkdir -p "$work" "$cmp/results"

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== fetching crates (not timed)" >&2
cargo fetch --manifest-path "$root/Cargo.toml" >&2
cargo fetch --manifest-path "$cmp/Cargo.toml" >&2

clean=true
if [ "${BENCH_KEEP_BUILDS:-}" = 1 ]; then clean=false; fi

echo "== clean release build of the library (timed), load $(load)" >&2
$clean && rm -rf "$work/lib"
lib_load=$(load)
t0=$(now)
CARGO_TARGET_DIR=$work/lib cargo build --release --lib --manifest-path "$root/Cargo.toml" >&2
lib_s=$(secs "$t0" "$(now)")
libdir=$work/lib/release
echo "   ${lib_s} s" >&2

echo "== clean release build of the aws-sdk-gamelift program (timed), load $(load)" >&2
$clean && rm -rf "$work/sdk"
sdk_load=$(load)
t0=$(now)
CARGO_TARGET_DIR=$work/sdk cargo build --release -p sdk-client --manifest-path "$cmp/Cargo.toml" >&2
sdk_s=$(secs "$t0" "$(now)")
echo "   ${sdk_s} s" >&2

echo "== the harness and the C program" >&2
CARGO_TARGET_DIR=$work/harness cargo build --release -p compare-harness \
    --manifest-path "$cmp/Cargo.toml" >&2
gcc -O2 -std=c11 -Wall -Wextra -Werror -I "$root/include" "$cmp/c-client/c_client.c" \
    -L "$libdir" -lgamelift_auth -Wl,-rpath,"$libdir" -o "$work/c_client"

echo "== Python venv with boto3" >&2
if [ ! -x "$work/venv/bin/python" ]; then
    python3 -m venv "$work/venv"
fi
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$cmp/python/requirements.txt" >&2

boto=$("$work/venv/bin/python" -c 'import boto3, botocore; print(f"{boto3.__version__} / {botocore.__version__}")')
sdk_version=$(awk '/^name = "aws-sdk-gamelift"/ { getline; gsub(/[" ]/, "", $0); sub("version=", "", $0); print; exit }' "$cmp/Cargo.lock")
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

cat > "$work/inputs.json" <<EOF
{
  "date": $(json_str "$(date -u '+%Y-%m-%d %H:%M UTC')"),
  "calls": ${BENCH_CALLS:-1000},
  "warmup": ${BENCH_WARMUP:-50},
  "starts": ${BENCH_STARTS:-20},
  "server": "$work/harness/release/compare-server",
  "raw_client": "$work/harness/release/raw-client",
  "c_client": "$work/c_client",
  "sdk_client": "$work/sdk/release/sdk-client",
  "python": "$work/venv/bin/python",
  "boto3_script": "$cmp/python/boto3_client.py",
  "lib_dir": "$libdir",
  "so": "$libdir/libgamelift_auth.so",
  "builds": {"clean": $clean, "lib_s": $lib_s, "sdk_s": $sdk_s, "lib_load": "$lib_load", "sdk_load": "$sdk_load"},
  "versions": {
    ${BENCH_EXTRA_VERSIONS:+$BENCH_EXTRA_VERSIONS,}
    "rustc": $(json_str "$(rustc --version)"),
    "gcc": $(json_str "$(gcc --version | head -n1)"),
    "python": $(json_str "$("$work/venv/bin/python" --version 2>&1)"),
    "boto3": $(json_str "$boto"),
    "aws_sdk_gamelift": $(json_str "$sdk_version")
  }
}
EOF

# Let the load of the builds die down (at most BENCH_SETTLE_S, 180 s) before measuring.
limit=$((SECONDS + ${BENCH_SETTLE_S:-180}))
while [ $SECONDS -lt $limit ] && awk '{ exit !($1 >= 1.0) }' /proc/loadavg; do sleep 5; done

echo "== measuring, load $(load)" >&2
"$work/harness/release/compare-run" measure --inputs "$work/inputs.json" \
    --out "$cmp/results/results.json"

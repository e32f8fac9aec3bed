#!/bin/sh
# Runs a program against a local GameLift stand-in, configured only through the standard AWS
# environment, and stops the stand-in afterwards whatever happens.
#
#   run-with-standin.sh <path to the gamelift-auth binary> <program> [args...]
#
# The stand-in (`gamelift-auth local-endpoint`, built with `cargo build --features cli`) accepts
# only its own test keys (AKIDLOCALSTANDIN / localstandinsecret, region us-west-2). The user's
# AWS profile, config files and session token are kept out, so nothing real is ever used.
# Exit status: the program's.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 <gamelift-auth binary> <program> [args...]" >&2
    exit 2
fi
cli=$1
shift

work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

: >"$work/stdout"
"$cli" local-endpoint --port 0 >>"$work/stdout" 2>"$work/stderr" &
pid=$!

# The stand-in prints its URL as the first stdout line once it listens. Wait for that line
# (complete, with its newline) for at most 20 s, or for the stand-in to die.
tries=0
while [ "$(wc -l <"$work/stdout")" -lt 1 ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "$0: the stand-in exited before printing its URL:" >&2
        cat "$work/stderr" >&2
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 400 ]; then
        echo "$0: the stand-in printed no URL within 20 s" >&2
        exit 1
    fi
    sleep 0.05
done
url=$(head -n 1 "$work/stdout")
case $url in
http://*) ;;
*)
    echo "$0: the stand-in printed '$url', not a URL" >&2
    exit 1
    ;;
esac
echo "stand-in at $url" >&2

unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_DEFAULT_REGION
status=0
AWS_ENDPOINT_URL_GAMELIFT=$url \
    AWS_REGION=us-west-2 \
    AWS_ACCESS_KEY_ID=AKIDLOCALSTANDIN \
    AWS_SECRET_ACCESS_KEY=localstandinsecret \
    AWS_CONFIG_FILE="$work/no-config" \
    AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials" \
    "$@" || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- stand-in log ---" >&2
    cat "$work/stderr" >&2
fi
exit "$status"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Shared helpers of the CLI tests. Each test is run as TEST MEDCHECK SOURCE_ROOT.
# MC_WRAPPER (e.g. "valgrind --error-exitcode=99 --leak-check=full") prefixes
# every medcheck run, so the same tests run under valgrind.
set -u
MEDCHECK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$2
PASS=0
FAIL=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mccli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT" || exit 1

# mc ARGS...: run medcheck, stdout to $TMP/out, stderr to $TMP/err, status in $RC
mc() {
    # shellcheck disable=SC2086
    ${MC_WRAPPER:-} "$MEDCHECK" "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
}

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }

# check DESCRIPTION COMMAND...: the command must succeed
check() {
    local d=$1; shift
    if "$@"; then ok; else bad "$d"; fi
}

expect_rc() {
    if [ "$RC" -eq "$1" ]; then ok; else bad "$2: exit $RC, expected $1 ($(head -c 300 "$TMP/err"))"; fi
}

# jq-like look-ups with python3 (meson needs python3, so it is there)
pyq() { python3 -c "$1" "${@:2}"; }

# The sample benchmarks as --bench arguments.
sample_bench() {
    local f
    for f in corpora/benchmarks/*.zst; do printf -- '--bench\n%s\n' "$f"; done
}

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}

# Skip (exit 77) unless the shared external data is there.
need_external() {
    if [ -z "${MEDCHECK_EXTERNAL_DATA:-}" ] || [ ! -d "${MEDCHECK_EXTERNAL_DATA}" ]; then
        echo "skip: MEDCHECK_EXTERNAL_DATA is not set"
        exit 77
    fi
    X=$MEDCHECK_EXTERNAL_DATA
}

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every global symbol of the static library carries the mc_ prefix, and the
# shared library exports only the public mc_ API (no mc__ internals).
set -euo pipefail
B=${1:-build}
bad=$(nm -g --defined-only "$B/src/libmedcheck.a" | awk 'NF == 3 {print $3}' | grep -v '^mc_' || true)
if [ -n "$bad" ]; then
    echo "symbols without the mc_ prefix in libmedcheck.a:" >&2
    echo "$bad" >&2
    exit 1
fi
so=$(ls "$B"/src/libmedcheck.so.*.*.* | head -n 1)
exported=$(nm -D --defined-only "$so" | awk 'NF == 3 {print $3}')
leak=$(echo "$exported" | grep -v '^mc_' | grep -v '^_' || true)
internal=$(echo "$exported" | grep '^mc__' || true)
if [ -n "$leak$internal" ]; then
    echo "unexpected exports from $so:" >&2
    echo "$leak$internal" >&2
    exit 1
fi
echo "symbols ok: $(echo "$exported" | grep -c '^mc_') public functions exported"

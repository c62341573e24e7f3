#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build (if needed) and run the whole test suite. Tests that need more data
# than corpora/ holds read MEDCHECK_EXTERNAL_DATA; when unset and the shared
# external data sits next to the repository, it is used; otherwise those
# tests are skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${MC_BUILD_DIR:-build}
if [ ! -f "$B/build.ninja" ]; then
    meson setup "$B" --buildtype=debugoptimized >/dev/null
fi
ninja -C "$B" >/dev/null
if [ -z "${MEDCHECK_EXTERNAL_DATA:-}" ] && [ -d ../shared/data/external ]; then
    MEDCHECK_EXTERNAL_DATA=$(cd ../shared/data/external && pwd)
    export MEDCHECK_EXTERNAL_DATA
fi
exec meson test -C "$B" --print-errorlogs "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install medcheck's build dependencies from Debian 12 packages and build it.
#   scripts/setup.sh            install (as root, or through sudo) and build into ./build
#   MC_SETUP_NO_INSTALL=1 ...   only configure and build
#   MC_BUILD_DIR=dir ...        build somewhere else
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="meson ninja-build pkg-config gcc clang zstd gzip valgrind
      libxxhash-dev libzstd-dev zlib1g-dev libutf8proc-dev libjansson-dev
      libcmocka-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libyaml-dev sqlite3
      liblzma-dev libbz2-dev xz-utils bzip2 libisal-dev
      nginx-light openssl chromium"

need=""
for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ] && [ -z "${MC_SETUP_NO_INSTALL:-}" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing:$need" >&2
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

B=${MC_BUILD_DIR:-build}
if [ ! -f "$B/build.ninja" ]; then
    meson setup "$B" --buildtype=debugoptimized >/dev/null
fi
ninja -C "$B" >/dev/null
echo "setup: built $B/medcheck" >&2

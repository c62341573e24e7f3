#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what tests/cli/slurm.sh needs: Debian's slurmctld, slurmd,
# slurm-client and munge, without recommends (about 10-20 s the first
# time; nothing to do the next). Run as root from .ci/run before the tests.
# Where they cannot be installed (not root, no apt-get, no network) this
# says why and exits 0: tests/cli/slurm.sh then skips with its own message.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "ci_slurm.sh: not root: Slurm not installed; tests/cli/slurm.sh will skip" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "ci_slurm.sh: no apt-get: Slurm not installed; tests/cli/slurm.sh will skip" >&2
    exit 0
fi
if ! bash "$here/slurm_localhost.sh" install; then
    echo "ci_slurm.sh: installing Slurm failed; tests/cli/slurm.sh will skip" >&2
fi
exit 0

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real Slurm cluster on 127.0.0.1 (scripts/slurm_localhost.sh): a scan as
# a 4-task job array with a dependent merge job, byte-identical to a single
# process; then a failed task, reported FAILED, re-submitted alone.
# Skips (77) without root or without slurmctld, slurmd, sbatch and munged
# (scripts/ci_slurm.sh installs them).
. "$(dirname "$0")/lib.sh"
export PATH=$PATH:/usr/sbin:/sbin

if [ "$(id -u)" != 0 ]; then
    echo "skip: the local Slurm cluster needs root"
    exit 77
fi
for c in sbatch slurmctld slurmd munged; do
    if ! command -v "$c" >/dev/null; then
        echo "skip: $c is not installed (run scripts/ci_slurm.sh as root)"
        exit 77
    fi
done

HERE=$PWD
cluster() { bash "$HERE/scripts/slurm_localhost.sh" "$@"; }
SUBMIT=$PWD/scripts/slurm/submit.sh
export SLURM_CI_DIR=$TMP/slurm
mkdir -p "$SLURM_CI_DIR"

# free_port PREFERRED: PREFERRED if nothing listens there, else one the kernel picks
free_port() {
    python3 -c 'import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$1"
}
SLURM_CI_CTLD_PORT=$(free_port 6817)
SLURM_CI_SLURMD_PORT=$(free_port 6818)
[ "$SLURM_CI_SLURMD_PORT" != "$SLURM_CI_CTLD_PORT" ] || SLURM_CI_SLURMD_PORT=$(free_port 0)
export SLURM_CI_CTLD_PORT SLURM_CI_SLURMD_PORT

trap 'cluster stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT
T0=$SECONDS
if ! cluster start 2>"$TMP/start.err"; then
    cat "$TMP/start.err" >&2
    bad "local cluster did not start"
    finish
    exit 1
fi
# shellcheck source=/dev/null
. "$SLURM_CI_DIR/env"
ok

# the same comparison as merge.sh
same_files() {
    local f
    for f in items.jsonl shards.jsonl shard_results.jsonl shard_list.txt; do
        cmp -s "$1/$f" "$2/$f" || { echo "$f differs" >&2; return 1; }
    done
    diff <(grep -v '"elapsed_s":' "$1/summary.json" | sed '/"command": \[/,/\]/d') \
        <(grep -v '"elapsed_s":' "$2/summary.json" | sed '/"command": \[/,/\]/d') >&2
}

# The four sample shards, by absolute path.
LIST=$TMP/shards.txt
for s in corpora/sample/*; do echo "$PWD/$s"; done >"$LIST"
mapfile -t BENCH < <(sample_bench)
mc scan --quiet "${BENCH[@]}" --shards-from "$LIST" -o "$TMP/single"
expect_rc 0 "single-process scan"

# submit ARGS...: run submit.sh, setting ARRAY_JOB and MERGE_JOB
submit() {
    "$SUBMIT" --medcheck "$MEDCHECK" "$@" >"$TMP/submit.out" 2>"$TMP/submit.err" || return 1
    ARRAY_JOB=$(sed -n 's/^ARRAY_JOB=//p' "$TMP/submit.out")
    MERGE_JOB=$(sed -n 's/^MERGE_JOB=//p' "$TMP/submit.out")
    [ -n "$ARRAY_JOB" ] && [ -n "$MERGE_JOB" ]
}

# 1. four array tasks and the merge
args=(--shards-from "$LIST" --tasks 4 --mem 1G --time 10)
for b in corpora/benchmarks/*.zst; do args+=(--bench "$b"); done
check "submit the array and the merge" submit "${args[@]}" --parts "$TMP/parts" --out "$TMP/merged"
check "the 4 array tasks completed" cluster wait "$ARRAY_JOB" 300
check "the merge job completed" cluster wait "$MERGE_JOB" 300
check "4 parts written" test -f "$TMP/parts/part-3/summary.json"
check "Slurm merge == single-process scan" same_files "$TMP/single" "$TMP/merged"

# 2. task 2 fails: reported FAILED (exit 3), the merge is cancelled
export MC_SLURM_FAIL_TASKS=2
check "submit with a failing task" submit "${args[@]}" --parts "$TMP/parts2" --out "$TMP/merged2"
unset MC_SLURM_FAIL_TASKS
cluster wait "$ARRAY_JOB" 300 2>/dev/null
# shellcheck disable=SC2034 # RC is read by expect_rc
RC=$?
expect_rc 1 "wait reports the failed array"
task_state() {
    grep -E "ArrayJobId=$ARRAY_JOB ArrayTaskId=$1 |JobId=${ARRAY_JOB}_$1 " \
        "$SLURM_CI_DIR/log/jobcomp.txt" | grep -o "JobState=[A-Z_]* .*ExitCode=[0-9:]*" |
        sed 's/ .*ExitCode=/ ExitCode=/' | tail -n1
}
check "task 2 is FAILED with exit 3 in the completion log" \
    grep -qx "JobState=FAILED ExitCode=3:0" <(task_state 2)
check "task 1 is COMPLETED" grep -qx "JobState=COMPLETED ExitCode=0:0" <(task_state 1)
check "sacct -c reports it" grep -q "FAILED" <(sacct -c -n -P -o jobid,state,exitcode 2>/dev/null)
cluster wait "$MERGE_JOB" 60 2>/dev/null
check "the merge did not run" test ! -e "$TMP/merged2"
check "the other parts are there" test -f "$TMP/parts2/part-3/summary.json"

# 3. re-submit only task 2 (and a merge); identical again
check "re-submit task 2 alone" submit --resubmit "$TMP/parts2" --only 2
check "re-run task completed" cluster wait "$ARRAY_JOB" 300
check "its merge completed" cluster wait "$MERGE_JOB" 300
check "after the re-run, merge == single-process scan" same_files "$TMP/single" "$TMP/merged2"
echo "slurm test took $((SECONDS - T0)) s" >&2
finish

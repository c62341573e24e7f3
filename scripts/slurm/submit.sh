#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Submit a medcheck scan as a Slurm job array plus a merge job that runs
# when every task succeeded (--dependency=afterok). Prints
#   ARRAY_JOB=<id>
#   MERGE_JOB=<id>
# on stdout. See docs/scale-out.md.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/slurm/submit.sh --bench FILE [--bench FILE ...] --shards-from LIST
           --tasks N --parts DIR --out DIR [options]
       scripts/slurm/submit.sh --resubmit DIR --only I[,J...] [options]

  --medcheck BIN      medcheck binary (default: medcheck on PATH), same path on every node
  --bench FILE        benchmark file (repeatable)
  --shards-from LIST  shard list, one path a line (as for medcheck scan)
  --tasks N           number of array tasks (parts of the shard list)
  --parts DIR         where each task writes part-I/ (and job.conf, logs/)
  --out DIR           merged result directory
  --scan-arg ARG      extra option for medcheck scan (repeatable; e.g. --scan-arg=--preset
                      --scan-arg=palm)
  --partition P       Slurm partition (default: the cluster's default)
  --mem M             memory per task (sbatch --mem, e.g. 4G)
  --time T            time limit per task (sbatch --time, e.g. 02:00:00)
  --cpus N            CPUs per task, passed on as medcheck -j (default 1)
  --resubmit DIR      re-use DIR/job.conf of an earlier submission (same binary,
                      benchmark, shard list, parameters) ...
  --only LIST         ... and run only these task ids (e.g. the failed ones), then merge
  --no-merge          submit the array only

Paths are used from the directory submit.sh runs in (the jobs get --chdir to it).
USAGE
}

die() {
    echo "submit.sh: $*" >&2
    exit 2
}

HERE=$(cd "$(dirname "$0")" && pwd)
MEDCHECK=medcheck BENCH=() SHARDS="" TASKS="" PARTS="" OUT="" SCAN_ARGS=()
SB=() CPUS=1 RESUBMIT="" ONLY="" MERGE=1
while [ $# -gt 0 ]; do
    opt=$1
    case $opt in
    --*=*)
        set -- "${opt%%=*}" "${opt#*=}" "${@:2}"
        continue
        ;;
    --no-merge | -h | --help) ;;
    *) [ $# -ge 2 ] || die "$opt needs a value" ;;
    esac
    case $opt in
    --medcheck) MEDCHECK=$2 ;;
    --bench) BENCH+=("$2") ;;
    --shards-from) SHARDS=$2 ;;
    --tasks) TASKS=$2 ;;
    --parts) PARTS=$2 ;;
    --out) OUT=$2 ;;
    --scan-arg) SCAN_ARGS+=("$2") ;;
    --partition) SB+=(--partition "$2") ;;
    --mem) SB+=(--mem "$2") ;;
    --time) SB+=(--time "$2") ;;
    --cpus) CPUS=$2 ;;
    --resubmit) RESUBMIT=$2 ;;
    --only) ONLY=$2 ;;
    --no-merge) MERGE=0 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *) die "unknown option $opt (see --help)" ;;
    esac
    case $opt in --no-merge) shift ;; *) shift 2 ;; esac
done

abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac }

if [ -n "$RESUBMIT" ]; then
    CONF=$(abs "$RESUBMIT")/job.conf
    [ -f "$CONF" ] || die "$CONF: no earlier submission there"
    [ -n "$ONLY" ] || die "--resubmit needs --only I[,J...]"
    # shellcheck source=/dev/null
    . "$CONF"
    ARRAY=$ONLY
    WORKDIR=$MC_WORKDIR
else
    [ ${#BENCH[@]} -gt 0 ] || die "--bench is required"
    if [ -z "$SHARDS" ] || [ -z "$PARTS" ] || [ -z "$OUT" ]; then
        die "--shards-from, --parts and --out are required"
    fi
    [[ $TASKS =~ ^[1-9][0-9]*$ ]] || die "--tasks N: a positive number"
    case $MEDCHECK in */*) MEDCHECK=$(abs "$MEDCHECK") ;; *) MEDCHECK=$(command -v "$MEDCHECK") || die "medcheck not on PATH" ;; esac
    WORKDIR=$PWD
    PARTS=$(abs "$PARTS")
    mkdir -p "$PARTS/logs"
    CONF=$PARTS/job.conf
    {
        echo "# written by scripts/slurm/submit.sh; sourced by the sbatch scripts"
        printf 'MC_MEDCHECK=%q\nMC_SHARDS=%q\nMC_TASKS=%q\n' "$MEDCHECK" "$SHARDS" "$TASKS"
        printf 'MC_PARTS=%q\nMC_OUT=%q\nMC_WORKDIR=%q\n' "$PARTS" "$(abs "$OUT")" "$WORKDIR"
        printf 'MC_BENCH=(%s)\n' "$(printf '%q ' "${BENCH[@]}")"
        if [ ${#SCAN_ARGS[@]} -gt 0 ]; then
            printf 'MC_SCAN_ARGS=(%s)\n' "$(printf '%q ' "${SCAN_ARGS[@]}")"
        else
            echo 'MC_SCAN_ARGS=()'
        fi
    } >"$CONF"
    ARRAY=0-$((TASKS - 1))
    ONLY=""
    # shellcheck source=/dev/null
    . "$CONF"
fi

common=(--parsable --chdir "$WORKDIR" ${SB[@]+"${SB[@]}"})
array_job=$(sbatch "${common[@]}" --array="$ARRAY" --cpus-per-task="$CPUS" \
    --output="$MC_PARTS/logs/scan-%A_%a.out" "$HERE/scan-array.sbatch" "$CONF")
array_job=${array_job%%;*}
echo "ARRAY_JOB=$array_job"
if [ "$MERGE" = 1 ]; then
    # --kill-on-invalid-dep: if a task fails, the merge is cancelled rather
    # than left pending forever; re-submit the failed tasks with --only.
    merge_job=$(sbatch "${common[@]}" --dependency="afterok:$array_job" \
        --kill-on-invalid-dep=yes --output="$MC_PARTS/logs/merge-%j.out" \
        "$HERE/merge.sbatch" "$CONF")
    echo "MERGE_JOB=${merge_job%%;*}"
fi

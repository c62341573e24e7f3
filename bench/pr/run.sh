#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Precision/recall harness (issue 3): build the planted corpus, scan it with
# every preset, score each scan against the labels, print one markdown table
# per preset.  See bench/pr/README.md.
#
#   bench/pr/run.sh [--append] [--presets "medcheck gpt3 palm llama2"] [--near on|off]
#                   [--seed N] [--per-bench N] [--negatives N] [--jobs N] [--out DIR]
#                   [--results FILE]
#
# Environment: MEDCHECK (default build/src/cli/medcheck), EXTERNAL (default
# ../shared/data/external from the repository root).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MEDCHECK=${MEDCHECK:-$REPO/build/src/cli/medcheck}
EXTERNAL=${EXTERNAL:-$REPO/../shared/data/external}
OUT=$REPO/bench/data/pr
PRESETS="medcheck gpt3 palm llama2"
NEAR=""            # empty: the binary's own default for each preset
SEED=20241125
PER_BENCH=40
NEGATIVES=150
JOBS=2
APPEND=0
RESULTS=$REPO/bench/RESULTS.md
ARGS=("$@")

usage() { sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case $1 in
        --append) APPEND=1 ;;
        --presets) PRESETS=$2; shift ;;
        --near) NEAR=$2; shift ;;
        --seed) SEED=$2; shift ;;
        --per-bench) PER_BENCH=$2; shift ;;
        --negatives) NEGATIVES=$2; shift ;;
        --jobs|-j) JOBS=$2; shift ;;
        --out) OUT=$2; shift ;;
        --results) RESULTS=$2; shift ;;
        -h|--help) usage 0 ;;
        *) echo "run.sh: unknown option $1" >&2; usage 2 >&2 ;;
    esac
    shift
done
[ -x "$MEDCHECK" ] || { echo "run.sh: no medcheck binary at $MEDCHECK (set MEDCHECK)" >&2; exit 2; }
[ -d "$EXTERNAL" ] || { echo "run.sh: no external data at $EXTERNAL (set EXTERNAL)" >&2; exit 2; }
EXTERNAL=$(cd "$EXTERNAL" && pwd)
CONTROL=$EXTERNAL/dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz
mkdir -p "$OUT"

# 1. the cases (rebuilt only when the generator or its arguments changed)
GEN=(python3 "$HERE/make_cases.py" --external "$EXTERNAL" --out "$OUT" --seed "$SEED"
     --per-bench "$PER_BENCH" --negatives "$NEGATIVES")
STAMP="$(sha256sum "$HERE/make_cases.py" | cut -c1-16) ${GEN[*]:2}"
if [ -f "$OUT/labels.tsv" ] && [ -f "$OUT/corpus.jsonl.zst" ] && [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$STAMP" ]; then
    echo "run.sh: reusing the cases in $OUT" >&2
else
    rm -f "$OUT/.stamp"
    "${GEN[@]}"
    echo "$STAMP" > "$OUT/.stamp"
fi
BENCH=()
while IFS= read -r f; do BENCH+=(--bench "$EXTERNAL/$f"); done < "$OUT/bench.txt"

# 2. one scan of the planted corpus and one of the clean Common Crawl file per preset
TABLES=$OUT/tables.md
: > "$TABLES"
declare -A SECS
for p in $PRESETS; do
    NEAROPT=()
    [ -n "$NEAR" ] && NEAROPT=(--near "$NEAR")
    t0=$(date +%s.%N)
    "$MEDCHECK" scan --quiet -j "$JOBS" --preset "$p" "${NEAROPT[@]}" --max-evidence 50 \
        "${BENCH[@]}" -o "$OUT/scan-$p" "$OUT/corpus.jsonl.zst" > "$OUT/scan-$p.log"
    t1=$(date +%s.%N)
    "$MEDCHECK" scan --quiet -j "$JOBS" --preset "$p" "${NEAROPT[@]}" \
        "${BENCH[@]}" -o "$OUT/control-$p" "$CONTROL" > "$OUT/control-$p.log"
    SECS[$p]=$(python3 -c "print('%.1f' % ($t1 - $t0))")
    python3 "$HERE/score.py" --labels "$OUT/labels.tsv" --external "$EXTERNAL" \
        --scan "$OUT/scan-$p" --control "$OUT/control-$p" --json "$OUT/score-$p.json" \
        | tee -a "$TABLES"
done

# 3. RESULTS.md
if [ "$APPEND" = 1 ]; then
    cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "?")
    dirty=$(git -C "$REPO" status --porcelain -- src include 2>/dev/null | wc -l)
    man=$OUT/manifest.json
    {
        echo
        echo "## Precision/recall harness (bench/pr), $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "- machine: $(nproc) cores, ${cpu:-?}, kernel $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "- medcheck: $("$MEDCHECK" --version), HEAD $rev$([ "$dirty" -gt 0 ] && echo ", src/include modified ($dirty files)")"
        echo "- cases: $(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print('%d documents, %.1f MB decompressed, seed %d, %d per form and benchmark, %d hard negatives per kind, corpus sha256 %s' % (m['documents'], m['bytes_decompressed']/1e6, m['seed'], m['per_bench'], m['negatives'], m['sha256_decompressed'][:16]))" "$man")"
        echo "- scan time of the planted corpus (-j $JOBS, s): $(for p in $PRESETS; do printf '%s %s; ' "$p" "${SECS[$p]}"; done)"
        echo "- command: \`bench/pr/run.sh${ARGS[*]:+ ${ARGS[*]}}\`; each scan: \`medcheck scan --quiet -j $JOBS --preset P${NEAR:+ --near $NEAR} --max-evidence 50 --bench FILE... -o OUT corpus.jsonl.zst\` with the files of \`bench.txt\`, and the same on \`dolma_tests/CC-MAIN-...-00140.jsonl.gz\` for the clean control"
        echo
        cat "$TABLES"
    } >> "$RESULTS"
    echo "run.sh: appended to $RESULTS" >&2
fi

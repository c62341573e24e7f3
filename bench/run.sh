#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scan-throughput benchmark of `medcheck scan` against `zstd -d` on the same
# synthetic shard, in the same run.  See bench/README.md.
#
# Environment (all optional):
#   MEDCHECK   binary              (build/src/cli/medcheck; built with ninja if missing)
#   EXTERNAL   benchmark/corpus data dir   (../shared/data/external from the repo)
#   MB         decompressed shard size in MB of 10^6 bytes            (200)
#   ROUNDS     alternating rounds of zstd -d / scan -j 1              (3)
#   SCALE_ROUNDS  rounds of the -j 1 / -j 2 runs over the split shard (3; 0 = skip)
#   SPLIT      number of shards in the split copy                     (4)
#   GZIP_ROUNDS  rounds of gzip -dc / scan of a gzip copy (ISA-L and zlib) (3; 0 = skip)
#   PROFILE    1 = one extra `perf record` of the -j 1 scan, top 10 symbols (0)
#   RESULTS    file the dated section is appended to  (bench/RESULTS.md; - = none)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
MEDCHECK=${MEDCHECK:-$repo/build/src/cli/medcheck}
EXTERNAL=${EXTERNAL:-$(cd "$repo/../shared/data/external" 2>/dev/null && pwd || echo "$repo/../shared/data/external")}
MB=${MB:-200}
ROUNDS=${ROUNDS:-3}
SCALE_ROUNDS=${SCALE_ROUNDS:-3}
SPLIT=${SPLIT:-4}
PROFILE=${PROFILE:-0}
GZIP_ROUNDS=${GZIP_ROUNDS:-3}
RESULTS=${RESULTS:-$here/RESULTS.md}
data=$here/data
shard=$data/shard-${MB}mb.jsonl.zst
work=$(mktemp -d /tmp/mcbench.XXXXXX)
out=/tmp/mcbench-out
trap 'rm -rf "$work"' EXIT

for tool in zstd python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is required (apt-get install -y zstd python3 time)" >&2; exit 2; }
done
if [ ! -x "$MEDCHECK" ]; then
    ninja -C "$repo/build" >&2
fi

# ---- the shard (and its split copy), built once --------------------------------
parts=()
for ((k = 0; k < SPLIT; k++)); do parts+=("$data/shard-${MB}mb.part${k}of${SPLIT}.jsonl.zst"); done
need=0
[ -f "$shard" ] && [ -f "$shard.planted.tsv" ] || need=1
if [ "$SCALE_ROUNDS" -gt 0 ]; then for p in "${parts[@]}"; do [ -f "$p" ] || need=1; done; fi
if [ "$need" = 1 ]; then
    echo "== building $shard (and $SPLIT-way split)" >&2
    /usr/bin/time -f 'make_shard: %e s, %M KB' \
        python3 "$here/make_shard.py" --external "$EXTERNAL" --out "$shard" --mb "$MB" --split "$SPLIT"
fi

# ---- the scan command ----------------------------------------------------------
mmlu=(anatomy clinical_knowledge college_biology college_medicine human_aging
      medical_genetics nutrition professional_medicine virology)
benchargs=(--bench "$EXTERNAL/medqa/US_4_options_phrases_no_exclude_test.jsonl"
           --bench "$EXTERNAL/medmcqa/dev.json"
           --bench "$EXTERNAL/pubmedqa/ori_pqal.json")
for s in "${mmlu[@]}"; do benchargs+=(--bench "$EXTERNAL/mmlu_hendrycks/test/${s}_test.csv"); done

# run LABEL CMD...: wall seconds (ns clock) and peak RSS (KB) into $work/times.tsv
run() {
    local label=$1; shift
    local t0 t1
    t0=$(date +%s%N)
    if ! /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr"; then
        cat "$work/stderr" >&2
        echo "run.sh: $label failed" >&2
        exit 1
    fi
    t1=$(date +%s%N)
    read -r _ rss usr sys < "$work/time"
    printf '%s\t%s\t%s\t%s\n' "$label" "$(( (t1 - t0) / 1000 ))" "$rss" \
        "$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')" >> "$work/times.tsv"
    awk -v l="$label" -v ns=$((t1 - t0)) -v m="$rss" -v u="$usr" -v s="$sys" \
        'BEGIN { printf "  %-8s %8.3f s wall %8.2f s cpu %9d KB\n", l, ns / 1e9, u + s, m }' >&2
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== decompressed size" >&2
bytes=$(zstd -dc "$shard" | wc -c)
split_bytes=0
if [ "$SCALE_ROUNDS" -gt 0 ]; then split_bytes=$(zstd -dc "${parts[@]}" | wc -c); fi
: > "$work/times.tsv"

zcmd=(zstd -d -q -c "$shard")
scmd=("$MEDCHECK" scan --quiet -j 1 "${benchargs[@]}" -o "$out" "$shard")
# warm the page cache and the binary once (not timed)
zstd -dc "$shard" > /dev/null
# fixed cost: loading the benchmarks and building the index, over a 1-record shard
printf '{"id":"empty","text":"nothing to see here"}\n' > "$work/empty.jsonl"
run setup "$MEDCHECK" scan --quiet -j 1 "${benchargs[@]}" -o "$out" "$work/empty.jsonl"
for ((r = 1; r <= ROUNDS; r++)); do
    echo "== round $r/$ROUNDS" >&2
    run zstd sh -c '"$@" > /dev/null' sh "${zcmd[@]}"
    run scan "${scmd[@]}"
done
python3 "$here/check_found.py" "$shard.planted.tsv" "$out" --json > "$work/found.json"

gz_bytes=0
if [ "$GZIP_ROUNDS" -gt 0 ]; then
    # gzip: the first part of the split shard (a quarter of the data), made once
    gz=$data/shard-${MB}mb.part0of${SPLIT}.jsonl.gz
    src=$data/shard-${MB}mb.part0of${SPLIT}.jsonl.zst
    [ -f "$src" ] || src=$shard
    if [ ! -f "$gz" ]; then
        echo "== building $gz" >&2
        zstd -dc "$src" | gzip -6 > "$gz.tmp" && mv "$gz.tmp" "$gz"
    fi
    gz_bytes=$(gzip -dc "$gz" | wc -c)
    for ((r = 1; r <= GZIP_ROUNDS; r++)); do
        echo "== gzip round $r/$GZIP_ROUNDS" >&2
        run gzip-d sh -c 'gzip -dc "$1" > /dev/null' sh "$gz"
        run gz-isal "$MEDCHECK" scan --quiet -j 1 "${benchargs[@]}" -o "$out-gz" "$gz"
        run gz-zlib env MEDCHECK_INFLATE=zlib "$MEDCHECK" scan --quiet -j 1 "${benchargs[@]}" -o "$out-gz" "$gz"
    done
fi

if [ "$SCALE_ROUNDS" -gt 0 ]; then
    for ((r = 1; r <= SCALE_ROUNDS; r++)); do
        echo "== split round $r/$SCALE_ROUNDS" >&2
        run split-j1 "$MEDCHECK" scan --quiet -j 1 "${benchargs[@]}" -o "$out-split" "${parts[@]}"
        run split-j2 "$MEDCHECK" scan --quiet -j 2 "${benchargs[@]}" -o "$out-split" "${parts[@]}"
    done
    python3 "$here/check_found.py" "$shard.planted.tsv" "$out-split" --json > "$work/found-split.json"
fi

: > "$work/profile.txt"
if [ "$PROFILE" = 1 ]; then
    if perf record -e cpu-clock -F 999 -o "$work/perf.data" -- \
            "$MEDCHECK" scan --quiet -j 1 "${benchargs[@]}" -o "$out" "$shard" 2>"$work/perf.log"; then
        perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
            | awk '$1 ~ /^[0-9.]+%$/ { printf "%7s  %-22s %s\n", $1, $2, $4; if (++n == 10) exit }' \
            > "$work/profile.txt" || true
        { echo; echo "by object:"
          perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null \
            | awk '$1 ~ /^[0-9.]+%$/ { printf "%7s  %s\n", $1, $2; if (++n == 6) exit }'
        } >> "$work/profile.txt" || true
    else
        echo "run.sh: perf record failed (see below); no profile" >&2
        cat "$work/perf.log" >&2
    fi
fi

# ---- report --------------------------------------------------------------------
printf -v cmd_zstd '%q ' "${zcmd[@]}"
printf -v cmd_scan '%q ' "${scmd[@]}"
python3 "$here/report.py" \
    --times "$work/times.tsv" --bytes "$bytes" --split-bytes "$split_bytes" --split "$SPLIT" \
    --gz-bytes "$gz_bytes" \
    --found "$work/found.json" --found-split "$work/found-split.json" \
    --profile "$work/profile.txt" --medcheck "$MEDCHECK" --repo "$repo" --shard "$shard" \
    --cmd-zstd "${cmd_zstd% } > /dev/null" --cmd-scan "${cmd_scan% }" \
    --load-start "$load_start" --results "$RESULTS"

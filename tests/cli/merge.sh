#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `medcheck merge`: the --task parts of a scan merge into exactly the single
# run, for every preset; parts that do not fit together are refused.
. "$(dirname "$0")/lib.sh"

mapfile -t BENCH < <(sample_bench)
SHARDS=(corpora/sample corpora/malformed/bad-lines.jsonl)
CANARY=(--canary "patient" --canary "no such canary string")

# same_files A B: the result files are byte-identical, and summary.json is
# identical apart from "command" and "elapsed_s"
same_files() {
    local f
    for f in items.jsonl shards.jsonl shard_results.jsonl shard_list.txt; do
        cmp -s "$1/$f" "$2/$f" || { echo "$f differs" >&2; return 1; }
    done
    pyq '
import sys
def strip(path):
    out, skip = [], False
    for line in open(path):
        if line.startswith("  \"command\": ["):
            skip = not line.rstrip().endswith("],")
            continue
        if skip:
            skip = not line.startswith("  ],")
            continue
        if not line.startswith("  \"elapsed_s\":"):
            out.append(line)
    return out
a, b = strip(sys.argv[1] + "/summary.json"), strip(sys.argv[2] + "/summary.json")
sys.exit(0 if a == b and "  \"task\": null,\n" in a else 1)' "$1" "$2" || { echo "summary.json differs" >&2; return 1; }
}

# scan_parts NAME ARGS...: a single run and three --task parts
scan_parts() {
    local name=$1 i
    shift
    mkdir -p "$TMP/$name"
    mc scan --quiet -j 2 "${BENCH[@]}" "$@" -o "$TMP/$name/single" "${SHARDS[@]}"
    expect_rc 0 "$name: single scan"
    for i in 0 1 2; do
        mc scan --quiet "${BENCH[@]}" "$@" --task "$i/3" -o "$TMP/$name/p$i" "${SHARDS[@]}"
        expect_rc 0 "$name: scan --task $i/3"
    done
}

for preset in medcheck gpt3 palm llama2; do
    scan_parts "$preset" --preset "$preset" "${CANARY[@]}"
    # parts in any order
    mc merge "$TMP/$preset/p2" "$TMP/$preset/p0" "$TMP/$preset/p1" -o "$TMP/$preset/merged"
    expect_rc 0 "$preset: merge"
    check "$preset: merge prints a summary" grep -q "^items: " "$TMP/out"
    check "$preset: merged == single run" same_files "$TMP/$preset/single" "$TMP/$preset/merged"
done
check "canaries were found" pyq 'import json,sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["canaries"][0]["hits"] > 0 and s["canaries"][1]["hits"] == 0 else 1)' \
    "$TMP/medcheck/merged/summary.json"
check "parts record their task" grep -q '"index": 1' "$TMP/medcheck/p1/summary.json"

# a whole run merges into itself
mc merge "$TMP/gpt3/single" -o "$TMP/gpt3/again"
expect_rc 0 "merge of one complete run"
check "one complete run merges into itself" same_files "$TMP/gpt3/single" "$TMP/gpt3/again"

P=$TMP/medcheck
# a missing part: named by the paths of its shards
mc merge "$P/p0" "$P/p2" -o "$TMP/nope"
expect_rc 2 "missing part"
missing_named() {
    local s
    for s in $(pyq 'import json,sys
for l in open(sys.argv[1]): print(json.loads(l)["shard"])' "$P/p1/shards.jsonl"); do
        grep -q "missing shard $s " "$TMP/err" || return 1
    done
}
check "names every missing shard by path" missing_named
check "nothing written when refused" test ! -e "$TMP/nope"

# a part given twice
mc merge "$P/p0" "$P/p1" "$P/p2" "$P/p1" -o "$TMP/nope"
expect_rc 2 "duplicated part"
dup_named() {
    local s
    for s in $(pyq 'import json,sys
for l in open(sys.argv[1]): print(json.loads(l)["shard"])' "$P/p1/shards.jsonl"); do
        grep -q "duplicated shard $s " "$TMP/err" || return 1
    done
}
check "names every duplicated shard by path" dup_named
check "says which parts hold a duplicate" grep -q "in $P/p1 and $P/p1" "$TMP/err"

# parts of different scans
mkdir -p "$TMP/x" "$TMP/f"
mc scan --quiet "${BENCH[@]}" "${CANARY[@]}" --preset gpt3 --task 1/3 -o "$TMP/x/gpt3" "${SHARDS[@]}"
mc merge "$P/p0" "$TMP/x/gpt3" "$P/p2" -o "$TMP/nope"
expect_rc 2 "different --preset"
check "names the preset" grep -q "preset differs" "$TMP/err"
mc scan --quiet "${BENCH[@]}" "${CANARY[@]}" --ngram 9 --task 1/3 -o "$TMP/x/n9" "${SHARDS[@]}"
mc merge "$P/p0" "$TMP/x/n9" "$P/p2" -o "$TMP/nope"
expect_rc 2 "different --ngram"
check "names the parameter" grep -q "params.ngram differs (9 vs 8)" "$TMP/err"
mc scan --quiet "${BENCH[@]}" --task 1/3 -o "$TMP/x/nocan" "${SHARDS[@]}"
mc merge "$P/p0" "$TMP/x/nocan" "$P/p2" -o "$TMP/nope"
expect_rc 2 "different --canary"
mc scan --quiet --bench corpora/benchmarks/dev.json.zst "${CANARY[@]}" --task 1/3 -o "$TMP/x/b" "${SHARDS[@]}"
mc merge "$P/p0" "$TMP/x/b" "$P/p2" -o "$TMP/nope"
expect_rc 2 "different benchmark"
check "names the benchmark" grep -q "benchmark.fingerprint differs" "$TMP/err"
check "nothing written by refused merges" test ! -e "$TMP/nope"

# a failed shard inside a part: exit 3, and still the single run's results
BROKEN=(corpora/sample/pubmed-000.jsonl corpora/malformed/truncated.jsonl.zst corpora/sample/notes-000.txt)
mc scan --quiet --bench corpora/benchmarks/dev.json.zst -o "$TMP/f/single" "${BROKEN[@]}"
expect_rc 3 "single scan with a broken shard"
for i in 0 1; do
    mc scan --quiet --bench corpora/benchmarks/dev.json.zst --task "$i/2" -o "$TMP/f/p$i" "${BROKEN[@]}"
done
mc merge "$TMP/f/p0" "$TMP/f/p1" -o "$TMP/f/merged"
expect_rc 3 "merge with a failed shard"
check "says a shard failed" grep -q "shard(s) failed" "$TMP/err"
check "merged == single run with a failed shard" same_files "$TMP/f/single" "$TMP/f/merged"

# usage
mc merge --help
expect_rc 0 "merge --help"
check "--help documents -o" grep -q -- "--out" "$TMP/out"
mc merge "$P/p0"
expect_rc 2 "merge without -o"
mc merge -o "$TMP/nope"
expect_rc 2 "merge without parts"
mc merge "$TMP/does-not-exist" -o "$TMP/nope"
expect_rc 2 "merge of a missing directory"
check "names it" grep -q "does-not-exist" "$TMP/err"
finish

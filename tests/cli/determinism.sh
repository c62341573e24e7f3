#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Outputs are byte-identical whatever -j (apart from elapsed_s and command),
# a --task split covers every shard once, and OUTDIR is replaced atomically.
. "$(dirname "$0")/lib.sh"
mapfile -t B < <(sample_bench)

mc scan --quiet -j 1 "${B[@]}" -o "$TMP/j1" corpora/sample corpora/malformed/bad-lines.jsonl
expect_rc 0 "-j 1"
mc scan --quiet -j 4 "${B[@]}" -o "$TMP/j4" corpora/sample corpora/malformed/bad-lines.jsonl
expect_rc 0 "-j 4"
check "items.jsonl identical for -j 1 and -j 4" cmp -s "$TMP/j1/items.jsonl" "$TMP/j4/items.jsonl"
check "shards.jsonl identical for -j 1 and -j 4" cmp -s "$TMP/j1/shards.jsonl" "$TMP/j4/shards.jsonl"
strip() {
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
s.pop("elapsed_s"); s.pop("command")
print(json.dumps(s))' "$1"
}
check "summary.json identical apart from elapsed_s and command" \
    test "$(strip "$TMP/j1/summary.json")" = "$(strip "$TMP/j4/summary.json")"

# --task I/N: the parts together are the shard list, each shard once
for i in 0 1 2; do
    mc scan --quiet --task "$i/3" "${B[@]}" -o "$TMP/t$i" corpora/sample
    expect_rc 0 "--task $i/3"
done
pyq '
import json, sys
seen = []
for d in sys.argv[1:4]:
    seen += [json.loads(l)["shard"] for l in open(d + "/shards.jsonl")]
full = [json.loads(l)["shard"] for l in open(sys.argv[4] + "/shards.jsonl")]
full = [s for s in full if "malformed" not in s]
assert sorted(seen) == sorted(full), (seen, full)
' "$TMP/t0" "$TMP/t1" "$TMP/t2" "$TMP/j1"
check "--task parts cover every shard exactly once" test $? -eq 0

# OUTDIR: an earlier result is replaced; a foreign directory is refused
mc scan --quiet "${B[@]}" -o "$TMP/j1" corpora/sample/pubmed-000.jsonl
expect_rc 0 "replace an earlier result"
check "earlier result replaced" test "$(wc -l <"$TMP/j1/shards.jsonl")" -eq 1
check "no temporary directories left" test -z "$(ls -d "$TMP"/j1.* 2>/dev/null)"
mkdir -p "$TMP/mine" && echo keep >"$TMP/mine/notes.txt"
mc scan --quiet "${B[@]}" -o "$TMP/mine" corpora/sample/pubmed-000.jsonl
expect_rc 2 "refuse to replace a foreign directory"
check "foreign directory untouched" test -f "$TMP/mine/notes.txt"
mc scan --quiet "${B[@]}" -o /proc/medcheck-cannot-write corpora/sample/pubmed-000.jsonl
check "unwritable OUTDIR is an error" test "$RC" -ne 0
finish

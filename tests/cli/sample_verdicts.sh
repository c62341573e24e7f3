#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scan the bundled sample corpus with every bundled benchmark and compare each planted
# item's status with corpora/EXPECTED.tsv; also fail on any contaminated item
# that EXPECTED.tsv does not list.
#   usage: sample_verdicts.sh MEDCHECK_BINARY SOURCE_ROOT
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 MEDCHECK_BINARY SOURCE_ROOT" >&2
    exit 2
fi
MEDCHECK=$1
ROOT=$2
case $MEDCHECK in /*) ;; *) MEDCHECK=$PWD/$MEDCHECK ;; esac
command -v python3 >/dev/null || { echo "sample_verdicts: python3 is needed" >&2; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sample_verdicts.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT" || exit 1

args=()
while IFS= read -r f; do
    args+=(--bench "$f")
done < <(find corpora/benchmarks -maxdepth 1 -type f -name '*.zst' | LC_ALL=C sort)
if [ ${#args[@]} -eq 0 ]; then
    echo "sample_verdicts: no benchmark files in $ROOT/corpora/benchmarks" >&2
    exit 1
fi

"$MEDCHECK" scan --quiet -j 2 "${args[@]}" -o "$TMP/out" corpora/sample
rc=$?
if [ $rc -ne 0 ]; then
    echo "sample_verdicts: medcheck scan exited $rc (expected 0)" >&2
    exit 1
fi

python3 - corpora/EXPECTED.tsv "$TMP/out/items.jsonl" <<'EOF'
import json
import sys

expected_path, items_path = sys.argv[1], sys.argv[2]
items = {}
with open(items_path, encoding="utf-8") as f:
    for line in f:
        if line.strip():
            j = json.loads(line)
            items[j["key"]] = j

expected = []
with open(expected_path, encoding="utf-8") as f:
    header = f.readline().rstrip("\n").split("\t")
    col = {name: k for k, name in enumerate(header)}
    for line in f:
        if not line.strip() or line.startswith("#"):
            continue
        row = line.rstrip("\n").split("\t")
        expected.append({name: row[k] for name, k in col.items()})


def best_snippet(j):
    ev = j.get("evidence") or []
    if not ev:
        return "-"
    e = max(ev, key=lambda e: e.get("match_tokens") or 0)
    snip = (e.get("snippet") or "").replace("\n", " ")
    if len(snip) > 160:
        snip = snip[:157] + "..."
    return "%s record %s doc %s (%s, %s tokens): %s" % (
        e.get("shard"), e.get("record"), e.get("doc_id"), e.get("component"),
        e.get("match_tokens"), snip)


passed = failed = 0
listed = set()
for e in expected:
    key, want = e["key"], e["expected_status"]
    listed.add(key)
    j = items.get(key)
    got = j["status"] if j else "(missing)"
    if got == want:
        passed += 1
    else:
        failed += 1
        print("MISMATCH %s: expected %s, got %s [form %s, %s %s]" % (
            key, want, got, e.get("form"), e.get("shard"), e.get("doc_id")))
        if j:
            print("    score %s coverage %s; best evidence: %s" % (
                j.get("score"), j.get("coverage"), best_snippet(j)))

unexpected = [j for k, j in items.items() if j.get("contaminated") and k not in listed]
for j in unexpected:
    failed += 1
    print("UNEXPECTED contaminated %s: %s; best evidence: %s" % (j["key"], j["status"], best_snippet(j)))

print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 else 1)
EOF

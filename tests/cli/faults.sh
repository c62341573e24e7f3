#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Broken shards: a bad record is skipped and counted (shard ok); a truncated
# stream fails its shard (exit 3) while every other shard is still scanned;
# compression comes from the bytes, not the name; stdin is a shard.
. "$(dirname "$0")/lib.sh"
mapfile -t B < <(sample_bench)

mc scan --quiet "${B[@]}" -o "$TMP/o" corpora/malformed/truncated.jsonl.zst \
    corpora/sample/web-000.jsonl.zst corpora/malformed/truncated.json.gz \
    corpora/malformed/bad-lines.jsonl corpora/malformed/not-zstd.jsonl.zst
expect_rc 3 "truncated shards give exit 3"
S=$TMP/o/shards.jsonl
pyq '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
st = [r["status"] for r in rows]
assert st == ["failed", "ok", "failed", "ok", "ok"], st
for r in (rows[0], rows[2]):
    assert r["error"] and "offset" in r["error"] and r["shard"] in r["error"], r["error"]
    assert r["xxh64"] is None
bad = rows[3]
assert bad["records_skipped"] == 2 and bad["records"] > 0, bad
assert rows[4]["records"] > 0 and rows[4]["error"] is None
' "$S"
check "shards.jsonl statuses, errors with offsets, skipped records" test $? -eq 0
check "the failed shard is reported on stderr" grep -q "truncated.jsonl.zst" "$TMP/err"
check "bad records are warned with record and offset" grep -Eq "bad-lines.jsonl: record [0-9]+ at byte offset [0-9]+" "$TMP/err"
pyq '
import json, sys
s = json.load(open(sys.argv[1]))
c = s["corpus"]
assert s["complete"] is True
assert c["shards_ok"] == 3 and c["shards_failed"] == 2, c
assert c["records_skipped"] == 2, c
# evidence never points into a failed shard
for l in open(sys.argv[2]):
    for e in json.loads(l)["evidence"]:
        assert "truncated" not in e["shard"], e
' "$TMP/o/summary.json" "$TMP/o/items.jsonl"
check "summary counts, no evidence from failed shards" test $? -eq 0

# the same shard from stdin gives the same verdicts
mc scan --quiet "${B[@]}" -o "$TMP/file" corpora/sample/web-001.json.gz
# shellcheck disable=SC2086
${MC_WRAPPER:-} "$MEDCHECK" scan --quiet "${B[@]}" -o "$TMP/stdin" - \
    <corpora/sample/web-001.json.gz >/dev/null 2>&1
RC=$?
expect_rc 0 "stdin shard"
pyq '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert [(x["key"], x["status"], x["score"]) for x in a] == [(x["key"], x["status"], x["score"]) for x in b]
assert sum(x["contaminated"] for x in a) > 0
sh = [json.loads(l) for l in open(sys.argv[3])]
assert sh[0]["shard"] == "-", sh
' "$TMP/file/items.jsonl" "$TMP/stdin/items.jsonl" "$TMP/stdin/shards.jsonl"
check "stdin and file give the same verdicts; the shard is named -" test $? -eq 0

# a missing shard is a failed shard, not a crash
mc scan --quiet "${B[@]}" -o "$TMP/m" "$TMP/nope.jsonl" corpora/sample/pubmed-000.jsonl
expect_rc 3 "missing shard"
check "missing shard named in shards.jsonl" grep -q '"status":"failed"' "$TMP/m/shards.jsonl"

# an oversized record is skipped, the shard stays ok
mc scan --quiet --max-record-bytes 2K "${B[@]}" -o "$TMP/big" corpora/sample/pubmed-000.jsonl
expect_rc 0 "record cap"
pyq '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["status"] == "ok" and r["records_skipped"] > 0, r
' "$TMP/big/shards.jsonl"
check "records over --max-record-bytes are skipped and counted" test $? -eq 0
# nested text and id fields (dotted paths), and a document without an id
python3 - "$TMP/nested.jsonl" <<'PY'
import json, subprocess, sys
stem = None
for line in subprocess.run(["zstd", "-dc", "corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst"],
                           capture_output=True, check=True).stdout.decode().splitlines()[:1]:
    stem = json.loads(line)["question"]
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"meta": {"body": "Unrelated page."}, "doc": {"id": "n-0"}}) + "\n")
    f.write(json.dumps({"meta": {"body": "Quiz: " + stem}, "doc": {"id": "n-1"}}) + "\n")
    f.write(json.dumps({"meta": {"body": stem}}) + "\n")
PY
mc scan --quiet --text-field meta.body --id-field doc.id \
    --bench corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst -o "$TMP/n" "$TMP/nested.jsonl"
expect_rc 0 "dotted --text-field and --id-field"
pyq '
import json, sys
it = json.loads(open(sys.argv[1]).readline())
assert it["status"] == "input_only", it["status"]
ids = sorted((e["record"], e["doc_id"]) for e in it["evidence"])
assert ids == [(1, "n-1"), (2, None)], ids
s = json.load(open(sys.argv[2]))
assert s["params"]["text_field"] == "meta.body" and s["params"]["id_field"] == "doc.id"
assert s["corpus"]["records"] == 3 and s["corpus"]["records_skipped"] == 0
' "$TMP/n/items.jsonl" "$TMP/n/summary.json"
check "nested fields: text found, doc ids read, a missing id is null" test $? -eq 0
finish

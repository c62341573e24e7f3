#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SIGINT during a scan: results are still written, marked incomplete, the
# unread shards are failed ("interrupted" or "not scanned"), exit 130. If the
# scan finished before the signal landed, it is complete and exits 0; the
# two must never be mixed.
. "$(dirname "$0")/lib.sh"
mapfile -t B < <(sample_bench)

# a few large shards: the sample corpus text repeated
python3 - "$TMP" <<'PY'
import sys, json
src = [json.loads(l) for l in open("corpora/sample/pubmed-000.jsonl")]
for k in range(3):
    with open(f"{sys.argv[1]}/big{k}.jsonl", "w") as f:
        for i in range(6000):
            d = src[i % len(src)]
            f.write(json.dumps({"id": f"{k}-{i}", "text": d["text"]}) + "\n")
PY
# shellcheck disable=SC2086
${MC_WRAPPER:-} "$MEDCHECK" scan --quiet -j 1 "${B[@]}" -o "$TMP/o" "$TMP"/big0.jsonl \
    "$TMP"/big1.jsonl "$TMP"/big2.jsonl >/dev/null 2>"$TMP/err" &
pid=$!
sleep 1
kill -INT "$pid" 2>/dev/null
wait "$pid"
RC=$?
check "interrupted scan still writes its results" test -f "$TMP/o/summary.json"
pyq '
import json, sys
rc = int(sys.argv[2])
s = json.load(open(sys.argv[1] + "/summary.json"))
sh = [json.loads(l) for l in open(sys.argv[1] + "/shards.jsonl")]
if rc == 130:
    assert s["complete"] is False, s["complete"]
    bad = [x for x in sh if x["status"] == "failed"]
    assert bad and all(x["error"] in ("interrupted", "not scanned") for x in bad), sh
    assert all(x["xxh64"] is None for x in bad)
else:
    assert rc == 0 and s["complete"] is True and all(x["status"] == "ok" for x in sh), (rc, sh)
print("exit", rc, "complete", s["complete"])
' "$TMP/o" "$RC"
check "exit status and complete flag agree" test $? -eq 0
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Forms of a copied item the sample corpus does not show: options shuffled
# and relettered, with the answer key naming the new letter (found), or a
# wrong letter (not an answer); the answer given by the file's own label.
. "$(dirname "$0")/lib.sh"

python3 - "$TMP" <<'PY'
import json, random, subprocess, sys
out = sys.argv[1]
lines = subprocess.run(["zstd", "-dc", "corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst"],
                       capture_output=True, check=True).stdout.decode().splitlines()
rnd = random.Random(3)
recs, want = [], {}
for idx in (3, 17, 40):
    it = json.loads(lines[idx])
    keys = list(it["options"])
    order = keys[:]
    while order == keys:
        rnd.shuffle(order)
    new = "ABCD"
    listing = "\n".join(f"({new[k].lower()}) {it['options'][o]}" for k, o in enumerate(order))
    right = new[order.index(it["answer_idx"])]
    wrong = next(l for l in new if l != right)
    for tag, letter, status in (("right", right, "input_and_answer"), ("wrong", wrong, "input_only")):
        recs.append({"id": f"{tag}-{idx}", "text": f"Practice question\n{it['question']}\n{listing}\n\nThe correct answer is ({letter.lower()})."})
    want[idx] = status
with open(out + "/right.jsonl", "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in recs if r["id"].startswith("right"))
with open(out + "/wrong.jsonl", "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in recs if r["id"].startswith("wrong"))
PY
B=(--bench corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst)
mc scan --quiet "${B[@]}" -o "$TMP/r" "$TMP/right.jsonl"
expect_rc 0 "relettered, right letter"
mc scan --quiet "${B[@]}" -o "$TMP/w" "$TMP/wrong.jsonl"
expect_rc 0 "relettered, wrong letter"
pyq '
import json, sys
def status(d):
    return {json.loads(l)["index"]: json.loads(l)["status"] for l in open(d + "/items.jsonl")}
r, w = status(sys.argv[1] + "/r"), status(sys.argv[1] + "/w")
for i in (3, 17, 40):
    assert r[i] == "input_and_answer", (i, r[i])
    assert w[i] == "input_only", (i, w[i])
assert sum(v != "clean" for v in r.values()) == 3 and sum(v != "clean" for v in w.values()) == 3
' "$TMP"
check "shuffled, relettered options: the page's own letter names the answer" test $? -eq 0
finish

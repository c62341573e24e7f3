#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The near-duplicate pass in the scan: real MedQA stems with every eighth
# word changed, inside a real-looking page, are near_duplicate (with the window
# and its containment as evidence) when the pass is on, clean when off; a
# verbatim copy stays input_only/input_and_answer; parameters are recorded;
# --task parts merge into the single run; bad options exit 2.
. "$(dirname "$0")/lib.sh"

BENCH=corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst
python3 - "$BENCH" "$TMP/near.jsonl" "$TMP/expect.json" <<'PY'
import json, random, subprocess, sys
lines = subprocess.run(["zstd", "-dc", sys.argv[1]], capture_output=True,
                       check=True).stdout.decode().splitlines()
items = [json.loads(l) for l in lines]
rng = random.Random(7)
host = ("Welcome to our study notes. These pages collect questions that students "
        "shared after their exams, with our own comments. ")
docs, changed, verbatim = [], [], []
# stems of 60 words or more: every third verbatim, the others with every
# eighth word replaced (no run of eight words is left for the exact pass,
# about three quarters of the word pairs are)
picks = [i for i, it in enumerate(items) if len(it["question"].split()) >= 60][:30]
for n, i in enumerate(picks):
    words = items[i]["question"].split()
    if n % 3 == 0:
        verbatim.append(i)
        text = " ".join(words)
    else:
        for k in range(rng.randrange(8), len(words), 8):
            words[k] = rng.choice(["banana", "orchestra", "velvet", "harbor", "lantern"])
        changed.append(i)
        text = " ".join(words)
    docs.append({"id": "page-%d" % n, "text": host + text + " Share your answer below."})
with open(sys.argv[2], "w") as f:
    for d in docs:
        f.write(json.dumps(d) + "\n")
json.dump({"changed": changed, "verbatim": verbatim}, open(sys.argv[3], "w"))
PY
check "test pages built" test -s "$TMP/near.jsonl"
split -n l/2 -d "$TMP/near.jsonl" "$TMP/part-" && mv "$TMP/part-00" "$TMP/a.jsonl" &&
    mv "$TMP/part-01" "$TMP/b.jsonl"

mc scan --quiet --bench "$BENCH" -o "$TMP/on" "$TMP/a.jsonl" "$TMP/b.jsonl"
expect_rc 0 "scan with the default (near on for medcheck)"
mc scan --quiet --near off --bench "$BENCH" -o "$TMP/off" "$TMP/a.jsonl" "$TMP/b.jsonl"
expect_rc 0 "scan with --near off"
pyq '
import json, sys
exp = json.load(open(sys.argv[3]))
def load(d):
    return {json.loads(l)["index"]: json.loads(l) for l in open(d + "/items.jsonl")}
on, off = load(sys.argv[1]), load(sys.argv[2])
near = [i for i in exp["changed"] if on[i]["status"] == "near_duplicate"]
exact = [i for i in exp["changed"] if on[i]["status"] in ("input_only", "input_and_answer")]
assert len(near) + len(exact) >= 0.95 * len(exp["changed"]), (near, exact)
assert len(near) >= len(exp["changed"]) // 2, ("few near_duplicate", near, exact)
for i in near:
    it = on[i]
    assert it["contaminated"] and 0.7 <= it["score"] <= 1.0, it
    ev = it["evidence"][0]
    assert ev["method"] == "near" and abs(ev["similarity"] - it["score"]) < 1e-6, ev
    assert ev["doc_id"].startswith("page-") and ev["component"] == "question", ev
    assert ev["match_tokens"] > 0 and ev["snippet"], ev
    assert off[i]["status"] != "near_duplicate", off[i]
for i in exp["verbatim"]:
    assert on[i]["status"] in ("input_only", "input_and_answer"), on[i]
    assert all("method" not in e for e in on[i]["evidence"]), on[i]["evidence"]
    assert off[i]["status"] == on[i]["status"], (on[i], off[i])
other = [i for i, it in on.items() if it["contaminated"] and i not in exp["changed"] + exp["verbatim"]]
assert not other, other
s_on = json.load(open(sys.argv[1] + "/summary.json"))
s_off = json.load(open(sys.argv[2] + "/summary.json"))
assert s_on["params"]["near"] is True and s_on["params"]["near_threshold"] == 0.7, s_on["params"]
assert s_on["params"]["near_params"]["shingle_words"] == 2, s_on["params"]
assert s_off["params"]["near"] is False and "near_params" not in s_off["params"], s_off["params"]
assert s_on["counts"]["near_duplicate"] == len(near), s_on["counts"]
print("near_duplicate %d, exact %d of %d changed stems" % (len(near), len(exact), len(exp["changed"])))
' "$TMP/on" "$TMP/off" "$TMP/expect.json"
check "changed stems are near_duplicate with window evidence; verbatim ones exact; off: none" \
    test $? -eq 0

# a higher threshold keeps fewer; the threshold is recorded
mc scan --quiet --near-threshold 0.99 --bench "$BENCH" -o "$TMP/strict" "$TMP/a.jsonl" "$TMP/b.jsonl"
expect_rc 0 "--near-threshold 0.99"
pyq '
import json, sys
a = json.load(open(sys.argv[1] + "/summary.json"))
b = json.load(open(sys.argv[2] + "/summary.json"))
assert b["params"]["near_threshold"] == 0.99, b["params"]
assert b["counts"]["near_duplicate"] < a["counts"]["near_duplicate"], (a["counts"], b["counts"])
' "$TMP/on" "$TMP/strict"
check "a stricter threshold finds fewer near duplicates" test $? -eq 0

# --task parts merge into the single run, near-duplicate evidence included
for t in 0 1; do
    mc scan --quiet --task "$t/2" --bench "$BENCH" -o "$TMP/task$t" "$TMP/a.jsonl" "$TMP/b.jsonl"
    expect_rc 0 "part $t of 2"
done
mc merge "$TMP/task0" "$TMP/task1" -o "$TMP/merged"
expect_rc 0 "merge of the parts"
check "merged items.jsonl equals the single run" cmp -s "$TMP/on/items.jsonl" "$TMP/merged/items.jsonl"

# usage errors
mc scan --near maybe --bench "$BENCH" -o "$TMP/x" "$TMP/a.jsonl"
expect_rc 2 "--near maybe"
mc scan --near-threshold 0 --bench "$BENCH" -o "$TMP/x" "$TMP/a.jsonl"
expect_rc 2 "--near-threshold 0"
mc scan --near on --preset llama2 --bench "$BENCH" -o "$TMP/x" "$TMP/a.jsonl"
expect_rc 2 "--near on with llama2"
check "says why" grep -q "llama2" "$TMP/err"
finish

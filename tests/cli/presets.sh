#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The four presets on the sample corpus, canaries and redacted snippets.
. "$(dirname "$0")/lib.sh"
mapfile -t B < <(sample_bench)

for p in gpt3 palm llama2 medcheck; do
    mc scan --quiet --preset "$p" "${B[@]}" -o "$TMP/$p" corpora/sample
    expect_rc 0 "--preset $p"
done
pyq '
import json, sys
d = sys.argv[1]
want = {"gpt3": (13, 0.0), "palm": (8, 0.7), "llama2": (10, 0.8), "medcheck": (8, 0.5)}
exp, form = {}, {}
for l in open(sys.argv[2]):
    k, st, fm = l.rstrip("\n").split("\t")[:3]
    if k != "key":
        exp[k] = st
        form[k] = fm
for p, (n, thr) in want.items():
    s = json.load(open(f"{d}/{p}/summary.json"))
    assert s["preset"] == p and s["params"]["ngram"] == n and s["params"]["threshold"] == thr, s["params"]
    items = {}
    for l in open(f"{d}/{p}/items.jsonl"):
        it = json.loads(l)
        items[it["key"]] = it
        assert it["contaminated"] == (it["status"] in ("input_only", "input_and_answer", "near_duplicate"))
        if p == "llama2":
            assert it["bucket"] in ("clean", "not_clean", "not_dirty", "dirty")
            assert (it["bucket"] == "dirty") == it["contaminated"], it
        if p == "gpt3" and not it["judged"]:
            assert it["components"]["question"]["tokens"] < 13 and not it["contaminated"]
        if p == "medcheck":
            assert it["judged"] or it.get("error")
    # planted verbatim copies with full options are found by every preset
    verb = [k for k, st in exp.items() if st == "input_and_answer"]
    found = sum(items[k]["contaminated"] for k in verb)
    if p == "medcheck":
        assert all(items[k]["status"] == exp[k] for k in exp), p
    else:
        # the other rules see every verbatim copy (score > 0) but need more
        # than medcheck to call it contaminated: the palm 8-grams across
        # "A. ... B. ..." option letters break on short options
        long = [k for k in verb if items[k]["judged"] and not form[k].startswith("short")]
        seen = sum(items[k]["score"] > 0 for k in long)
        assert found >= 1 and seen >= 0.6 * len(long), (p, found, seen, len(long))
        assert all(items[k]["score"] >= thr for k in verb if items[k]["contaminated"])
    # nothing unexpected is contaminated, except under gpt3, whose rule
    # flags one shared 13-gram: here a vital-signs sentence ("pulse is
    # 67/min, and blood pressure is 122/98 mm Hg") that MedQA #15 shares
    # with the planted copy of another item
    extra = [k for k, it in items.items() if it["contaminated"] and k not in exp]
    if p == "gpt3":
        assert all(items[k]["score"] < 0.1 for k in extra), extra
    else:
        assert not extra, (p, extra[:5])
' "$TMP" corpora/EXPECTED.tsv
check "preset parameters, statuses, buckets, no unexpected flags" test $? -eq 0

# canaries and redaction
mc scan --quiet --canary "Netanyahu" --canary "no-such-canary-string" --redact-snippets \
    "${B[@]}" -o "$TMP/c" corpora/sample corpora/malformed/bad-lines.jsonl
expect_rc 0 "canaries"
pyq '
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
c = s["canaries"]
assert c[0]["string"] == "Netanyahu" and c[0]["hits"] >= 1 and len(c[0]["examples"]) >= 1, c
ex = c[0]["examples"][0]
assert set(ex) == {"shard", "record", "offset"}
assert c[1]["hits"] == 0 and c[1]["examples"] == []
assert s["params"]["redact_snippets"] is True
n = 0
for l in open(sys.argv[1] + "/items.jsonl"):
    for e in json.loads(l)["evidence"]:
        assert e["snippet"] is None
        n += 1
assert n > 0
' "$TMP/c"
check "canary hits with examples; snippets redacted" test $? -eq 0
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Items of benchmarks that corpora/ does not hold (HEAD-QA EN, BioASQ,
# MedBullets, MedExQA, AfriMed-QA, MedXpertQA) planted into real Common
# Crawl text in web forms (verbatim with an answer key, re-wrapped, without
# the answer), chosen by a seeded draw; skipped without
# MEDCHECK_EXTERNAL_DATA. Every planted item must get its expected status
# and nothing else may be flagged.
. "$(dirname "$0")/lib.sh"
need_external

python3 - "$X" "$TMP" <<'PY'
import gzip, json, random, sys
X, out = sys.argv[1], sys.argv[2]
rnd = random.Random(7)
docs = [json.loads(l)["text"] for l in
        gzip.open(X + "/dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz", "rt")]
def headqa():
    d, items = json.load(open(X + "/headqa/test_HEAD_EN.json")), []
    for ex in d["exams"].values():
        for it in ex["data"]:
            items.append((it["qtext"], [a["atext"] for a in it["answers"]], int(it["ra"]) - 1, None))
    return items
def agents(name):
    items = []
    for l in open(X + "/medagentsbench/" + name):
        j = json.loads(l)
        keys = list(j["options"])
        items.append((j["question"], list(j["options"].values()), keys.index(j["answer_idx"]), None))
    return items
def bioasq():
    qs = json.load(open(X + "/bioasq/7B1_golden.json"))["questions"]
    res = []
    for q in qs:
        ia = q["ideal_answer"][0] if isinstance(q["ideal_answer"], list) else q["ideal_answer"]
        res.append((q["body"], [], -1, ia))
    return res
sets = {"headqa/test_HEAD_EN.json": headqa(), "medagentsbench/medbullets_test.jsonl": agents("medbullets_test.jsonl"),
        "medagentsbench/medexqa_test.jsonl": agents("medexqa_test.jsonl"),
        "medagentsbench/afrimedqa_test.jsonl": agents("afrimedqa_test.jsonl"),
        "medagentsbench/medxpertqa-u_test.jsonl": agents("medxpertqa-u_test.jsonl"),
        "bioasq/7B1_golden.json": bioasq()}
recs, expect = [], []
for src, items in sets.items():
    for i in rnd.sample(range(len(items)), 8):
        q, opts, ans, ideal = items[i]
        form = rnd.choice(["verbatim", "wrapped", "noanswer"])
        body = q + ("\n" + "\n".join(f"{'ABCDEFGHIJ'[k]}. {o}" for k, o in enumerate(opts)) if opts else "")
        answered = form != "noanswer" and (ans >= 0 or ideal)
        if answered:
            body += f"\nAnswer: {'ABCDEFGHIJ'[ans]}" if ans >= 0 else "\n" + ideal
        if form == "wrapped":
            w = body.split()
            body = "\n".join(" ".join(w[k:k + 9]) for k in range(0, len(w), 9))
        recs.append({"id": f"gen-{len(recs)}",
                     "text": rnd.choice(docs)[:1500] + "\n\n" + body + "\n\n" + rnd.choice(docs)[:1500]})
        # a stem of fewer than 8 words alone, with neither options nor an
        # answer next to it, is not evidence (docs/presets.md)
        short_alone = len(q.split()) < 8 and not opts and not answered
        want = "clean" if short_alone else ("input_and_answer" if answered else "input_only")
        expect.append((f"{X}/{src}#{i}", want, form))
rnd.shuffle(recs)
with open(out + "/gen.jsonl", "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in recs)
with open(out + "/expect.tsv", "w") as f:
    f.writelines("\t".join(e) + "\n" for e in expect)
PY
B=()
for f in headqa/test_HEAD_EN.json medagentsbench/medbullets_test.jsonl medagentsbench/medexqa_test.jsonl \
    medagentsbench/afrimedqa_test.jsonl medagentsbench/medxpertqa-u_test.jsonl bioasq/7B1_golden.json; do
    B+=(--bench "$X/$f")
done
mc scan --quiet -j 2 "${B[@]}" -o "$TMP/o" "$TMP/gen.jsonl"
expect_rc 0 "scan of the planted pages"
pyq '
import json, sys
items = {}
for l in open(sys.argv[1] + "/o/items.jsonl"):
    it = json.loads(l)
    items[it["key"]] = it
exp = [l.rstrip("\n").split("\t") for l in open(sys.argv[1] + "/expect.tsv")]
bad = [(k, want, items[k]["status"], form) for k, want, form in exp if items[k]["status"] != want]
extra = [k for k, it in items.items() if it["contaminated"] and k not in {e[0] for e in exp}]
print(f"{len(exp) - len(bad)} of {len(exp)} planted items as expected; {len(extra)} others flagged")
assert not bad and not extra, (bad, extra[:5])
' "$TMP"
check "other benchmarks in web forms: expected statuses, nothing else flagged" test $? -eq 0
finish

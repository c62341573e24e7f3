#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# medcheck audit on the shared real data (skipped without
# MEDCHECK_EXTERNAL_DATA): the counts of issue 4 on the original files.
#  - MedMCQA dev: 17 duplicate stems (lm-eval rule: lower case, ASCII
#    punctuation deleted), 20 under the medcheck normalisation;
#  - HEAD-QA EN test: 12 surplus items in 8 groups of equal stems;
#  - MMLU test college_medicine + clinical_knowledge: 77 shared questions;
#  - answer balance of files with 5 options and with mixed option counts
#    against an independent computation; every benchmark at once.
. "$(dirname "$0")/lib.sh"
need_external

mc audit --bench "$X/medmcqa/dev.json" -o "$TMP/mm"
expect_rc 0 "MedMCQA dev"
pyq '
import json, sys
st = json.load(open(sys.argv[1]))["duplicates"]["stems"]
assert (st["gpt3_rule"]["exact_groups"], st["gpt3_rule"]["surplus_items"]) == (17, 17), st
assert (st["exact_groups"], st["surplus_items"]) == (20, 20), st
' "$TMP/mm/audit.json"
check "MedMCQA dev: 17 duplicate stems (lm-eval rule), 20 (medcheck)" test $? -eq 0

mc audit --bench "$X/headqa/test_HEAD_EN.json" -o "$TMP/hq"
expect_rc 0 "HEAD-QA EN test"
pyq '
import json, sys
d = json.load(open(sys.argv[1]))
st = d["duplicates"]["stems"]
assert (st["exact_groups"], st["surplus_items"], st["items_in_groups"]) == (8, 12, 20), st
assert (st["gpt3_rule"]["exact_groups"], st["gpt3_rule"]["surplus_items"]) == (8, 12), st
assert d["duplicates"]["exact_groups"] == 1, d["duplicates"]["exact_groups"]
' "$TMP/hq/audit.json"
check "HEAD-QA EN: 12 surplus items in 8 stem groups" test $? -eq 0

T=$X/mmlu_hendrycks/test
mc audit --bench "$T/college_medicine_test.csv" --bench "$T/clinical_knowledge_test.csv" -o "$TMP/mmlu"
expect_rc 0 "MMLU college_medicine + clinical_knowledge"
pyq '
import json, sys
c = json.load(open(sys.argv[1]))["cross_source"]
assert (c["stem_groups"], c["groups"]) == (77, 78), c
' "$TMP/mmlu/audit.json"
check "MMLU: 77 shared questions" test $? -eq 0

# Answer balance of a 5-option file (df 4), HEAD-QA EN test (4 options)
# and a file of real MedQA items with 5 and with 4 options (the expected
# count of a letter is the sum of 1/options over the items that have it),
# recomputed in Python.
pyq '
import json, sys
five = [json.loads(l) for l in open(sys.argv[1])][:300]
four = [json.loads(l) for l in open(sys.argv[2])][300:700]
with open(sys.argv[3], "w") as f:
    for r in five + four:
        f.write(json.dumps({"question": r["question"], "options": r["options"],
                            "answer_idx": r["answer_idx"]}) + "\n")
' "$X/medagentsbench/medqa_5options_test.jsonl" "$X/medqa/US_4_options_phrases_no_exclude_test.jsonl" \
    "$TMP/mixed_test.jsonl"
mc audit --quiet --bench "$X/medagentsbench/medqa_5options_test.jsonl" \
    --bench "$X/headqa/test_HEAD_EN.json" --bench "$TMP/mixed_test.jsonl" -o "$TMP/bal"
expect_rc 0 "balance files"
pyq '
import json, math, sys, collections
d = {b["source"]: b for b in json.load(open(sys.argv[1]))["answer_balance"]}
def sf(x, df):
    # closed forms of the chi-square tail: a Poisson sum for even df,
    # erfc plus a finite series for odd df
    h = x / 2
    if df % 2 == 0:
        return math.fsum(math.exp(i * math.log(h) - h - math.lgamma(i + 1))
                         for i in range(df // 2))
    return math.erfc(math.sqrt(h)) + math.fsum(
        math.exp((i - 0.5) * math.log(h) - h - math.lgamma(i + 0.5))
        for i in range(1, (df - 1) // 2 + 1))
def check(src, answers):
    # answers: (position 0-based, number of options) per item
    c = collections.Counter(p for p, _ in answers)
    k = max(n for _, n in answers)
    exp = [sum(1 / n for _, n in answers if n > j) for j in range(k)]
    chi = sum((c[j] - exp[j]) ** 2 / exp[j] for j in range(k))
    b = d[src]
    assert b["counts"] == {"ABCDE"[j]: c[j] for j in range(k)}, (b["counts"], c)
    assert abs(b["chi_square"] - chi) < 1e-5 and b["df"] == k - 1, (b, chi)
    assert abs(b["p_value"] - sf(chi, k - 1)) <= 1e-9 * sf(chi, k - 1), (b, sf(chi, k - 1))
    print(src, dict(c), round(chi, 3), b["p_value"])
rows = [json.loads(l) for l in open(sys.argv[2])]
check(sys.argv[2], [("ABCDE".index(r["answer_idx"]), len(r["options"])) for r in rows])
h = json.load(open(sys.argv[3]))
ans = []
for ex in h["exams"].values():
    for q in ex["data"]:
        aids = [a["aid"] for a in q["answers"]]
        ans.append((aids.index(int(q["ra"])), len(aids)))
check(sys.argv[3], ans)
rows = [json.loads(l) for l in open(sys.argv[4])]
check(sys.argv[4], [("ABCDE".index(r["answer_idx"]), len(r["options"])) for r in rows])
assert d[sys.argv[4]]["options"] == {"4": 400, "5": 300}, d[sys.argv[4]]["options"]
' "$TMP/bal/audit.json" "$X/medagentsbench/medqa_5options_test.jsonl" "$X/headqa/test_HEAD_EN.json" \
    "$TMP/mixed_test.jsonl"
check "answer balance (5 options; 4 options; mixed 4 and 5) matches Python" test $? -eq 0

# Every benchmark at once: completes, and MedMCQA dev reappears in
# MedAgentsBench's medmcqa test file under another split name.
A=()
for f in "$X"/medqa/*.jsonl "$X"/medmcqa/dev.json "$X"/pubmedqa/ori_pqal.json "$X"/headqa/*.json \
    "$X"/bioasq/*.json "$X"/medagentsbench/*.jsonl "$X"/mmlu_hendrycks/*/*.csv; do
    A+=(--bench "$f")
done
mc audit --quiet "${A[@]}" -o "$TMP/all"
expect_rc 0 "every benchmark"
pyq '
import json, sys
d = json.load(open(sys.argv[1]))
p = {tuple(x["sources"]): x for x in d["cross_source"]["pairs"]}
mm = p[(sys.argv[2] + "/medmcqa/dev.json", sys.argv[2] + "/medagentsbench/medmcqa_test.jsonl")]
assert mm["shared"] >= 2800, mm
assert d["split_leakage"]["pairs"].get("dev/test", 0) >= 2800, d["split_leakage"]["pairs"]
assert d["phi"]["by_kind"]["email"] >= 10, d["phi"]["by_kind"]
assert d["codes"]["by_system"]["ICD-9"]["valid"] >= 1, d["codes"]
' "$TMP/all/audit.json" "$X"
check "all benchmarks: MedMCQA dev inside MedAgentsBench's test, author e-mails in BioASQ" test $? -eq 0
finish

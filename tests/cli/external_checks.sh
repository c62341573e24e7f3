#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Verdicts on the shared real data (skipped without MEDCHECK_EXTERNAL_DATA):
#  - MMLU-Pro health items with the MMLU test CSVs as the corpus: at least
#    816 of 818 found (groundtruth/cross_benchmark_pairs.tsv: 816 exact);
#  - MedQA against every MMLU file: only template sentences are shared;
#    every flagged item must be in tests/data/medqa_vs_mmlu.tsv, labelled;
#  - every benchmark against the 697 real Common Crawl documents of
#    dolma_tests: nothing flagged, under every preset.
. "$(dirname "$0")/lib.sh"
need_external

mc scan --quiet -j 2 --bench "$X/medagentsbench/mmlu-pro_test.jsonl" -o "$TMP/pro" "$X/mmlu_hendrycks/test"
expect_rc 0 "MMLU-Pro against MMLU"
pyq '
import json, sys
items = [json.loads(l) for l in open(sys.argv[1])]
gt = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.startswith("mmlu_pro_health")]
exact = {int(r[2]) for r in gt if "NO_MATCH" not in "\t".join(r)}
found = {i for i, it in enumerate(items) if it["contaminated"]}
assert len(items) == 818 and len(exact) == 816, (len(items), len(exact))
missed = sorted(exact - found)
assert not missed and len(found) >= 816, (len(found), missed[:10])
print(f"MMLU-Pro: {len(found)} of 818 found; all {len(exact)} exact copies among them")
' "$TMP/pro/items.jsonl" "$X/groundtruth/cross_benchmark_pairs.tsv"
check "MMLU-Pro: every exact copy found" test $? -eq 0

mc scan --quiet -j 2 --bench "$X/medqa/US_4_options_phrases_no_exclude_test.jsonl" -o "$TMP/medqa" \
    "$X/mmlu_hendrycks" "$X/mmlu_mirage"
expect_rc 0 "MedQA against MMLU"
pyq '
import json, sys
labels = {}
for l in open(sys.argv[2]):
    if l.startswith("#") or l.startswith("index\t"):
        continue
    idx, label = l.split("\t")[:2]
    labels[int(idx)] = label
flagged = []
for l in open(sys.argv[1]):
    it = json.loads(l)
    if it["contaminated"]:
        flagged.append(it["index"])
unlabelled = [i for i in flagged if i not in labels]
assert not unlabelled, ("flagged but not labelled", unlabelled)
fp = [i for i in flagged if labels[i] != "true_positive"]
assert not fp, ("flagged, labelled as not contamination", fp)
print(f"MedQA vs MMLU: {len(flagged)} flagged, all labelled true_positive")
' "$TMP/medqa/items.jsonl" "$ROOT/tests/data/medqa_vs_mmlu.tsv"
check "MedQA vs MMLU: template-only overlaps are clean" test $? -eq 0

# MedQA against MedXpertQA (MedAgentsBench's copies) as the corpus: the four
# pairs of groundtruth/cross_benchmark_pairs.tsv at containment >= 0.95 are
# found, with the near-duplicate pass on and off
for near in on off; do
    mc scan --quiet --near "$near" --bench "$X/medqa/US_4_options_phrases_no_exclude_test.jsonl" \
        --text-field question -o "$TMP/xq-$near" \
        "$X/medagentsbench/medxpertqa-r_test.jsonl" "$X/medagentsbench/medxpertqa-u_test.jsonl"
    expect_rc 0 "MedQA against MedXpertQA (near $near)"
    pyq '
import csv, json, sys
want = set()
for row in csv.reader(open(sys.argv[2]), delimiter="\t"):
    if len(row) > 6 and row[0] == "medqa" and row[3].startswith("medxpertqa") and float(row[6]) >= 0.95:
        want.add(int(row[2]))
assert len(want) == 4, want
got = {json.loads(l)["index"] for l in open(sys.argv[1]) if json.loads(l)["contaminated"]}
assert want <= got, (sorted(want - got), sorted(got))
s = json.load(open(sys.argv[3]))
assert s["params"]["near"] == (sys.argv[4] == "on"), s["params"]
' "$TMP/xq-$near/items.jsonl" "$X/groundtruth/cross_benchmark_pairs.tsv" "$TMP/xq-$near/summary.json" "$near"
    check "the four MedQA/MedXpertQA pairs at containment >= 0.95 are found (near $near)" test $? -eq 0
done

B=()
for f in "$X"/medqa/*.jsonl "$X"/medmcqa/dev.json "$X"/pubmedqa/ori_pqal.json "$X"/headqa/*.json \
    "$X"/bioasq/*.json "$X"/medagentsbench/*.jsonl "$X"/mmlu_hendrycks/test/*.csv; do
    B+=(--bench "$f")
done
for p in medcheck gpt3 palm llama2; do
    mc scan --quiet -j 2 --preset "$p" "${B[@]}" -o "$TMP/cc-$p" "$X"/dolma_tests/*.gz "$X"/dolma_tests/*.zst
    expect_rc 0 "all benchmarks against Common Crawl ($p)"
    pyq '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["benchmark"]["items"] > 26000, s["benchmark"]["items"]
assert s["corpus"]["records"] >= 697 * 2, s["corpus"]
assert s["items_contaminated"] == 0, s["counts"]
' "$TMP/cc-$p/summary.json"
    check "no item flagged against 697 Common Crawl documents ($p)" test $? -eq 0
done
finish

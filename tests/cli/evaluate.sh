#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `medcheck evaluate`: lm-evaluation-harness per-sample logs, JSONL and CSV
# results for real MedQA, MedMCQA and PubMedQA items with known
# contamination (the sample corpus's planted items, and PubMedQA questions
# planted here); accuracies, intervals and p-values are computed again in
# Python (tests/data/eval/evaltest.py, eval_ref.py) and must agree; joins by
# key, by source and index, by id and by text only; unjoined rows counted.
. "$(dirname "$0")/lib.sh"

EV=tests/data/eval/evaltest.py
mapfile -t BENCH < <(sample_bench)

# PubMedQA questions with their long answers in a forum-like shard, so that
# PubMedQA has contaminated items too (the first and last entries included)
python3 - "$TMP/pq-shard.jsonl" <<'EOF'
import json, subprocess, sys
d = json.loads(subprocess.run(["zstd", "-dc", "corpora/benchmarks/ori_pqal.json.zst"],
                              check=True, capture_output=True).stdout)
keys = list(d)
with open(sys.argv[1], "w") as f:
    for i in [0] + list(range(20, 400, 20)) + [len(keys) - 1]:
        v = d[keys[i]]
        f.write(json.dumps({"id": "pq-%d" % i, "text": "Forum post. Q: " + v["QUESTION"] +
                            " My notes say: " + v["LONG_ANSWER"] + " Thanks."}) + "\n")
EOF
mc scan --quiet "${BENCH[@]}" -o "$TMP/scan" corpora/sample "$TMP/pq-shard.jsonl"
expect_rc 0 "scan"
check "PubMedQA has contaminated items" pyq 'import json, sys
n = sum(1 for l in open(sys.argv[1]) if "ori_pqal" in l and "\"contaminated\":true" in l)
sys.exit(0 if n >= 10 else 1)' "$TMP/scan/items.jsonl"

mapfile -t RESULTS < <(python3 "$EV" make "$TMP/scan" "$TMP/res")
check "fixtures written" test "${#RESULTS[@]}" -eq 8
ARGS=()
for f in "${RESULTS[@]}"; do ARGS+=(--results "$f"); done

mc evaluate --scan "$TMP/scan" "${ARGS[@]}" --resamples 1000 --seed 7 -o "$TMP/ev"
expect_rc 0 "evaluate"
check "prints the table" grep -q '^| org__medlm-7b | corpora/benchmarks/dev.json.zst |' "$TMP/out"
check "prints the counts" grep -q 'unjoined' "$TMP/out"
check "evaluation.md" grep -q '^| model | benchmark | overall | clean | contaminated' \
    "$TMP/ev/evaluation.md"
check "format" pyq 'import json, sys
sys.exit(json.load(open(sys.argv[1]))["format"] != "medcheck-evaluation/1")' \
    "$TMP/ev/evaluation.json"
python3 "$EV" check "$TMP/ev" "$TMP/res/plan.json" 1000 7 >"$TMP/check.out" 2>&1
RC=$?
check "expected accuracies, intervals, p-values and joins ($(tail -1 "$TMP/check.out"))" \
    test "$RC" -eq 0
[ "$RC" -eq 0 ] || head -20 "$TMP/check.out" >&2

# the same inputs give the same files (fixed seed), whatever the run
mc evaluate --scan "$TMP/scan" "${ARGS[@]}" --resamples 1000 --seed 7 -o "$TMP/ev2" --quiet
expect_rc 0 "evaluate again"
check "deterministic" pyq 'import json, sys
a, b = (json.load(open(p + "/evaluation.json")) for p in sys.argv[1:])
a.pop("command"); b.pop("command")
sys.exit(a != b)' "$TMP/ev" "$TMP/ev2"
check "quiet" test ! -s "$TMP/out"

# --metric: a metric the logs do not have makes every lm-eval row unjoined
mc evaluate --scan "$TMP/scan" --results "${RESULTS[0]}" --metric bleu -o "$TMP/ev3" --quiet
expect_rc 0 "evaluate --metric bleu"
check "missing metric counted" pyq 'import json, sys
u = json.load(open(sys.argv[1]))["unjoined"]
sys.exit(0 if u["by_reason"] == {"the --metric value is missing": u["count"]} and
         u["count"] > 100 else 1)' "$TMP/ev3/evaluation.json"

# a gzip-compressed results file reads the same
gzip -c "${RESULTS[4]}" >"$TMP/keyed.jsonl.gz"
mc evaluate --scan "$TMP/scan" --results "$TMP/keyed.jsonl.gz" -o "$TMP/ev4" --quiet
expect_rc 0 "gzip results"
check "gzip: joined" pyq 'import json, sys
i = json.load(open(sys.argv[1]))["inputs"][0]
sys.exit(0 if i["joined"] > 50 and i["joined_by"]["key"] == i["joined"] else 1)' \
    "$TMP/ev4/evaluation.json"

# --root: the scan's relative benchmark paths from elsewhere
(cd /tmp && ${MC_WRAPPER:-} "$MEDCHECK" evaluate --scan "$TMP/scan" --root "$ROOT" \
    --results "${RESULTS[6]}" -o "$TMP/ev5" --quiet >/dev/null 2>"$TMP/err")
RC=$?
expect_rc 0 "evaluate --root from another directory"

# usage errors and unusable inputs: exit 2, nothing written
mc evaluate --scan "$TMP/scan" -o "$TMP/ev6"
expect_rc 2 "no --results"
check "no --results: message" grep -q 'results' "$TMP/err"
mc evaluate --scan "$TMP/nope" --results "${RESULTS[4]}" -o "$TMP/ev6"
expect_rc 2 "missing scan"
check "missing scan: nothing written" test ! -e "$TMP/ev6"
printf 'a,b\n1,2\n' >"$TMP/bad.csv"
mc evaluate --scan "$TMP/scan" --results "$TMP/bad.csv" -o "$TMP/ev6"
expect_rc 2 "not a results file"
check "not a results file: named" grep -q 'bad.csv' "$TMP/err"
mkdir -p "$TMP/notours" && touch "$TMP/notours/keep"
mc evaluate --scan "$TMP/scan" --results "${RESULTS[4]}" -o "$TMP/notours"
expect_rc 2 "foreign OUTDIR"
check "foreign OUTDIR kept" test -e "$TMP/notours/keep"
mc evaluate --scan "$TMP/scan" --results "${RESULTS[4]}" -o "$TMP/ev6" --level 1.5
expect_rc 2 "bad --level"
# the demo shows the table (a simulated model on the sample's verdicts)
mc demo -o "$TMP/demo"
expect_rc 0 "demo"
check "demo: the evaluation table" test "$(grep -c '^| simulated | corpora/benchmarks/' "$TMP/out")" -eq 8
check "demo: evaluation.json" test -s "$TMP/demo/evaluation/evaluation.json"

mc evaluate --help
expect_rc 0 "--help"
check "--help names the formats" grep -q 'lm-evaluation-harness' "$TMP/out"

finish

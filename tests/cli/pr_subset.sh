#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fast subset of the precision/recall harness (bench/pr, issue 3): about 150
# real items of MedQA, MedMCQA, MMLU, HEAD-QA, MedBullets and PubMedQA planted
# in real Common Crawl pages in every form, 30 hard negatives, the 4
# MedQA/MedBullets same-vignette pairs; one scan with the default preset and
# its default near-duplicate setting, one scan of the 697 clean Common Crawl
# documents. Skipped without MEDCHECK_EXTERNAL_DATA. The full harness is
# bench/pr/run.sh.
. "$(dirname "$0")/lib.sh"
need_external

# ---- thresholds, one row per check (read by bench/pr/score.py --check):
#   FORM METRIC min|max VALUE   asserted
#   FORM print                  reported only
# METRIC: recall (share reported contaminated), as_expected (share with the
# exact expected status), fp / fp_rate (hard negatives), flagged (control:
# items flagged by the clean documents; other: items planted nowhere but
# flagged). The near-duplicate forms are asserted with some slack for the
# subset's size (13 items a form: one miss is 0.923); the full harness
# (bench/pr/run.sh) holds the issue's targets (0.95 shuffled and changed
# words, 0.9 numbers and truncated stems).
THRESHOLDS='
verbatim            recall       min 0.99
rewrapped           recall       min 0.99
layout              recall       min 0.99
case_punct          recall       min 0.99
no_answer           as_expected  min 0.9    # input_only (a "Yes" of the host page
                                            # counts as the PubMedQA answer)
answer_only         as_expected  min 1.0    # clean
neg_template        fp_rate      max 0.01
neg_translated      fp_rate      max 0.01
neg_same_topic      fp_rate      max 0.01
control             flagged      max 0      # the 697 clean Common Crawl documents
shuffled            recall       min 0.95
changed_words       recall       min 0.9    # stems of 20 words or more
numbers             recall       min 0.84
truncated           recall       min 0.84
verbatim            print                   # exact statuses (input_and_answer)
rewrapped           print
layout              print
case_punct          print
shuffled            print
changed_words       print
changed_words_lt20  print
numbers             print
truncated           print
other               print
'
SEED=20241125

python3 bench/pr/make_cases.py --external "$X" --out "$TMP/pr" --seed "$SEED" --small \
    --per-bench 3 --negatives 10 2>"$TMP/gen.err"
check "make_cases.py builds the subset ($(tail -n 1 "$TMP/gen.err"))" test $? -eq 0
B=()
while IFS= read -r f; do B+=(--bench "$X/$f"); done < "$TMP/pr/bench.txt"

mc scan --quiet -j 2 --max-evidence 50 "${B[@]}" -o "$TMP/scan" "$TMP/pr/corpus.jsonl.zst"
expect_rc 0 "scan of the planted pages"
mc scan --quiet -j 2 "${B[@]}" -o "$TMP/control" \
    "$X/dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
expect_rc 0 "scan of the clean Common Crawl documents"

printf '%s\n' "$THRESHOLDS" > "$TMP/thresholds"
python3 bench/pr/score.py --labels "$TMP/pr/labels.tsv" --external "$X" --scan "$TMP/scan" \
    --control "$TMP/control" --check "$TMP/thresholds" > "$TMP/check.out" 2>&1
rc=$?
[ "$rc" -le 1 ] || bad "score.py failed (exit $rc): $(head -c 300 "$TMP/check.out")"
while IFS= read -r line; do
    case $line in
        PASS*) ok ;;
        FAIL*) bad "${line#FAIL }" ;;
        INFO*) echo "$line" ;;
    esac
done < "$TMP/check.out"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# medcheck audit on the bundled real benchmarks (corpora/benchmarks):
#  - the duplicate counts of issue 4 that the bundled files hold: MedMCQA
#    dev 17 duplicate stems (lm-eval rule; 20 under the medcheck
#    normalisation, 12 on question + options), MMLU college_medicine and
#    clinical_knowledge test sharing 77 questions (78 items);
#  - split leakage on a fixture of real MedQA items put in a train and a
#    test file (some with case, punctuation and spacing changed);
#  - PHI-like strings planted into real MedQA items, with look-alikes;
#  - answer balance checked by an independent computation in Python;
#  - usage errors, --criteria validation, atomic OUTDIR replacement.
# The real files under MEDCHECK_EXTERNAL_DATA are in audit_external.sh.
. "$(dirname "$0")/lib.sh"

B=corpora/benchmarks
MEDQA=$B/US_4_options_phrases_no_exclude_test.jsonl.zst

mc audit --help
expect_rc 0 "audit --help"
for opt in --bench --format --fields --out --near-threshold --max-examples --criteria --quiet; do
    check "audit --help documents $opt" grep -q -- "$opt" "$TMP/out"
done
mc audit -o "$TMP/x"
expect_rc 2 "audit without --bench"
check "says why" grep -q -- '--bench' "$TMP/err"
mc audit --bench $B/dev.json.zst
expect_rc 2 "audit without -o"
mc audit --bench $B/dev.json.zst -o "$TMP/x" --near-threshold 1.5
expect_rc 2 "bad --near-threshold"
mc audit --bench "$TMP/missing.jsonl" -o "$TMP/x"
expect_rc 2 "missing benchmark file"
check "names the file" grep -q "missing.jsonl" "$TMP/err"
mc audit --bench $B/dev.json.zst -o "$TMP/x" --criteria "$TMP/none.json"
expect_rc 2 "--criteria: missing file"
check "names the catalog" grep -q "none.json" "$TMP/err"
sed 's/"basis": "review"/"basis": "reviewer"/' data/criteria.json >"$TMP/bad-criteria.json"
mc audit --bench $B/dev.json.zst -o "$TMP/x" --criteria "$TMP/bad-criteria.json"
expect_rc 2 "--criteria: invalid catalog"
check "names the file and the criterion" grep -q "bad-criteria.json: criterion 3: \"basis\"" "$TMP/err"
check "nothing written on usage errors" test ! -e "$TMP/x"

# ---- MedMCQA dev: duplicate stems and question + options texts
mc audit --bench $B/dev.json.zst -o "$TMP/mm"
expect_rc 0 "audit MedMCQA dev"
check "summary on stdout" grep -q "duplicate stems (question): *20 groups" "$TMP/out"
pyq '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "medcheck-audit/1" and d["items"] == 4183, d["items"]
du = d["duplicates"]
assert (du["exact_groups"], du["surplus_items"]) == (12, 12), du
st = du["stems"]
assert (st["gpt3_rule"]["exact_groups"], st["gpt3_rule"]["surplus_items"]) == (17, 17), st
assert (st["exact_groups"], st["surplus_items"]) == (20, 20), st
for e in du["examples"]:
    for k in e["keys"]:
        src, idx = k.rsplit("#", 1)
        assert src == "corpora/benchmarks/dev.json.zst" and 0 <= int(idx) < 4183, k
assert set(d) >= {"duplicates", "split_leakage", "answer_balance", "malformed", "phi"}
assert d["split_leakage"]["splits"] == {"dev": 4183}
' "$TMP/mm/audit.json"
check "MedMCQA dev: 17 stems (lm-eval rule), 20 (medcheck), 12 question+options" test $? -eq 0
check "audit.md written" grep -q "^# medcheck audit" "$TMP/mm/audit.md"

# The 17 lm-eval-rule stem groups, computed independently, are among the 20.
zstd -dc $B/dev.json.zst >"$TMP/dev.jsonl"
pyq '
import json, string, sys, collections
tbl = str.maketrans("", "", string.punctuation)
g = collections.defaultdict(list)
for i, l in enumerate(open(sys.argv[1])):
    g[" ".join(json.loads(l)["question"].lower().translate(tbl).split())].append(i)
groups = sorted(v for v in g.values() if len(v) > 1)
assert len(groups) == 17 and sum(len(v) - 1 for v in groups) == 17, len(groups)
' "$TMP/dev.jsonl"
check "MedMCQA dev: independent lm-eval-rule count is 17" test $? -eq 0

# ---- MMLU college_medicine and clinical_knowledge (test) share 77 questions
mc audit --bench $B/college_medicine_test.csv.zst --bench $B/clinical_knowledge_test.csv.zst -o "$TMP/mmlu"
expect_rc 0 "audit two MMLU files"
pyq '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["cross_source"]
assert c["groups"] == 78 and c["items"] == 156 and c["stem_groups"] == 77, c
p = c["pairs"]
assert len(p) == 1 and (p[0]["shared"], p[0]["shared_stems"]) == (78, 77), p
assert p[0]["sources"] == ["corpora/benchmarks/college_medicine_test.csv.zst",
                           "corpora/benchmarks/clinical_knowledge_test.csv.zst"], p
' "$TMP/mmlu/audit.json"
check "MMLU: 77 shared questions (78 items each side)" test $? -eq 0

# ---- split leakage from real items: MedQA items 0-59 as train, 50-99 as
# test; of the 10 shared items, 4 are re-cased, re-spaced or re-punctuated.
mkdir -p "$TMP/split"
zstd -dc $MEDQA >"$TMP/medqa.jsonl"
pyq '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])][:100]
out = sys.argv[2]
def vary(r, k):
    r = dict(r)
    q = r["question"]
    r["question"] = [q.upper(), "  " + q.replace(" ", "   "), q.replace(",", " ,"), q.lower()][k]
    return r
with open(out + "/medqa_train.jsonl", "w") as f:
    for i in range(60):
        f.write(json.dumps(rows[i]) + "\n")
with open(out + "/medqa_test.jsonl", "w") as f:
    for i in range(50, 100):
        f.write(json.dumps(vary(rows[i], i - 50) if 50 <= i < 54 else rows[i]) + "\n")
' "$TMP/medqa.jsonl" "$TMP/split"
mc audit --bench "$TMP/split/medqa_train.jsonl" --bench "$TMP/split/medqa_test.jsonl" -o "$TMP/leak"
expect_rc 0 "audit train + test"
pyq '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["split_leakage"]
assert s["splits"] == {"train": 60, "test": 50}, s["splits"]
assert (s["items"], s["groups"]) == (20, 10), s
assert s["pairs"] == {"test/train": 10}, s["pairs"]
keys = sorted(k for e in s["examples"] for k in e["keys"])
tr = sys.argv[2] + "/medqa_train.jsonl#"
te = sys.argv[2] + "/medqa_test.jsonl#"
want = sorted([tr + str(i) for i in range(50, 60)] + [te + str(i) for i in range(10)])
assert keys == want, keys
assert d["cross_source"]["groups"] == 10
' "$TMP/leak/audit.json" "$TMP/split"
check "split leakage: the 10 shared items (4 re-cased or re-spaced) in 20 keys" test $? -eq 0
check "the summary reports it" grep -q "split leakage: *20 items" "$TMP/out"

# ---- PHI-like strings planted into real items, one per kind, and
# look-alikes (vitals, lab values, years, a CT scan) that must not count
pyq '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])][:30]
plant = {3: " Her records were faxed to jane.doe@mercyhealth.org yesterday.",
         7: " His wife can be reached at (312) 555-0188.",
         11: " Intake form lists SSN 123-45-6789.",
         15: " DOB: 07/04/1961.",
         19: " MRN: 004417823.",
         23: " He lives at 2207 Lakeview Drive with his daughter."}
lookalike = {5: " BP 150/95 mm Hg, pulse 110/min, born at 38 weeks in 1988.",
             9: " CT shows 18 PET CT uptake; PMID 23456789; ratio 2019-2020."}
for i, r in enumerate(rows):
    r["question"] += plant.get(i, "") + lookalike.get(i, "")
with open(sys.argv[2], "w") as f:
    for r in rows:
        f.write(json.dumps(r) + "\n")
' "$TMP/medqa.jsonl" "$TMP/phi_test.jsonl"
mc audit --bench "$TMP/phi_test.jsonl" -o "$TMP/phi"
expect_rc 0 "audit planted PHI"
pyq '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["phi"]
assert p["items"] == 6 and p["matches"] == 6, p
assert all(v == 1 for v in p["by_kind"].values()) and len(p["by_kind"]) == 6, p["by_kind"]
got = {e["kind"]: (e["key"].rsplit("#", 1)[1], e["text"]) for e in p["examples"]}
want = {"email": ("3", "jane.doe@mercyhealth.org"), "phone": ("7", "(312) 555-0188"),
        "ssn": ("11", "123-45-6789"), "date_of_birth": ("15", "07/04/1961"),
        "medical_record_number": ("19", "004417823"),
        "street_address": ("23", "2207 Lakeview Drive")}
assert got == want, got
' "$TMP/phi/audit.json"
check "PHI: each planted kind found once, in its item; no look-alike flagged" test $? -eq 0

# ---- answer balance, recomputed independently (df = 3: closed form)
mc audit --quiet --bench $MEDQA --bench $B/dev.json.zst -o "$TMP/bal"
expect_rc 0 "audit MedQA + MedMCQA"
check "--quiet: no summary" test ! -s "$TMP/out"
pyq '
import json, math, sys, collections
d = json.load(open(sys.argv[1]))
def sf3(x):
    return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
files = {sys.argv[2]: lambda r: r["answer_idx"], sys.argv[3]: lambda r: "ABCD"[r["cop"] - 1]}
bal = {b["source"]: b for b in d["answer_balance"]}
for path, letter in files.items():
    rows = [json.loads(l) for l in open(sys.argv[4] if "US_4" in path else sys.argv[5])]
    c = collections.Counter(letter(r) for r in rows)
    e = len(rows) / 4
    chi = sum((c[k] - e) ** 2 / e for k in "ABCD")
    b = bal[path]
    assert b["counts"] == {k: c[k] for k in "ABCD"}, (b["counts"], c)
    assert b["df"] == 3 and abs(b["chi_square"] - chi) < 1e-5, (b["chi_square"], chi)
    assert abs(b["p_value"] - sf3(chi)) <= 1e-9 * sf3(chi), (b["p_value"], sf3(chi))
    print(path, dict(c), round(chi, 3), b["p_value"])
' "$TMP/bal/audit.json" "$MEDQA" "$B/dev.json.zst" "$TMP/medqa.jsonl" "$TMP/dev.jsonl"
check "answer balance: counts, chi-square and p-value match a Python computation" test $? -eq 0

# ---- OUTDIR: replaced atomically; a foreign directory is never replaced
mkdir -p "$TMP/foreign" && echo keep >"$TMP/foreign/notes.txt"
mc audit --bench $B/dev.json.zst -o "$TMP/foreign"
expect_rc 2 "OUTDIR that is not an audit result"
check "foreign directory kept" test -f "$TMP/foreign/notes.txt"
cp "$TMP/mm/audit.json" "$TMP/first.json"
mc audit --bench $B/dev.json.zst -o "$TMP/mm"
expect_rc 0 "audit again into the same OUTDIR"
check "no temporary directories left" test -z "$(ls -d "$TMP"/mm.* 2>/dev/null)"
pyq '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
a.pop("command"); b.pop("command")
assert a == b
' "$TMP/first.json" "$TMP/mm/audit.json"
check "same inputs, same audit.json" test $? -eq 0

# ---- a valid replacement catalog is used and named
cp data/criteria.json "$TMP/criteria-copy.json"
mc audit --quiet --bench $B/dev.json.zst -o "$TMP/cc" --criteria "$TMP/criteria-copy.json"
expect_rc 0 "--criteria with a valid catalog"
pyq '
import json, sys
c = json.load(open(sys.argv[1]))["criteria"]
assert c["catalog"].endswith("criteria-copy.json"), c["catalog"]
ids = [x["id"] for x in c["informed"]]
assert 21 in ids and 22 in ids and 14 in ids, ids
' "$TMP/cc/audit.json"
check "catalog named in audit.json" test $? -eq 0
finish

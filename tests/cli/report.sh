#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# medcheck report on the bundled sample (scan of the demo, audit of the
# bundled benchmarks):
#  - report.json: format, 46 criteria in five phases with the contract's
#    names, fields and types; percentages recomputed here in Python from
#    the scores; no manifest -> every manifest criterion null;
#  - a manifest with one error of each kind (bad SPDX id, bad URL, checksum
#    mismatch, unknown key with a suggestion, wrong type), each reported
#    with file and line; a Hugging Face dataset card's front matter; an
#    alias bomb refused;
#  - criterion 23's formula on the four combinations of measured share and
#    declared mitigation;
#  - report.html: a <script> planted in benchmark (and corpus) text and in
#    the manifest is escaped, no http(s) resource is loaded; in headless
#    Chromium (when installed) all 46 criteria and 5 SVG charts render
#    with no console errors, and a screenshot is kept in the test's TMP.
. "$(dirname "$0")/lib.sh"

mapfile -t BENCH < <(sample_bench)

mc report --help
expect_rc 0 "report --help"
for opt in --scan --audit --manifest --criteria --out; do
    check "report --help documents $opt" grep -q -- "$opt" "$TMP/out"
done
mc report -o "$TMP/x"
expect_rc 2 "report without --scan"
mc report --scan "$TMP/none" -o "$TMP/x"
expect_rc 2 "report with a missing scan"
check "names the file" grep -q "none/summary.json" "$TMP/err"

# The inputs: the demo's scan and the audit of the same files.
mc demo -o "$TMP/scan"
expect_rc 0 "demo"
# the demo writes the audit and the report of the sample too
pyq '
import json, sys
r = json.load(open(sys.argv[1] + "/report/report.json"))
assert r["format"] == "medcheck-report/1" and len(r["criteria"]) == 46, r.get("format")
a = json.load(open(sys.argv[1] + "/audit/audit.json"))
assert a["format"] == "medcheck-audit/1", a.get("format")
assert "<svg" in open(sys.argv[1] + "/report/report.html").read()
assert r["inputs"]["evaluation"], r["inputs"]
ev = {c["id"]: c["evidence"] for c in r["criteria"]}
assert "medcheck evaluate" in ev[36] and "Fisher exact" in ev[37], (ev[36], ev[37])
' "$TMP/scan"
check "the demo writes audit/audit.json and report/report.{json,html}" test $? -eq 0
mc audit "${BENCH[@]}" -o "$TMP/audit"
expect_rc 0 "audit"

# ---- no manifest
mc report --scan "$TMP/scan" --audit "$TMP/audit" -o "$TMP/r0"
expect_rc 0 "report without a manifest"
for f in report.json report.md report.html; do
    check "writes $f" test -s "$TMP/r0/$f"
done

# Structure, names, and the percentages recomputed from the scores.
check_json() {
    pyq '
import json, sys
d = json.load(open(sys.argv[1]))
names = ["Design & Conceptualization", "Dataset Construction & Management",
         "Technical Implementation & Evaluation Methodology",
         "Benchmark Validity & Performance Verification",
         "Documentation, Openness & Governance"]
assert d["format"] == "medcheck-report/1", d["format"]
cr = d["criteria"]
assert [c["id"] for c in cr] == list(range(1, 47)), "ids"
for c in cr:
    for k in ("id", "phase", "name", "score", "basis", "evidence", "catalog_source"):
        assert k in c, (c["id"], k)
    assert c["phase"] in range(1, 6)
    assert c["score"] in (None, 0, 1, 2), c
    assert c["basis"] in ("computed", "manifest", "review")
    assert c["catalog_source"] in ("confirmed", "reconstructed")
    assert isinstance(c["evidence"], str) and c["evidence"]
    if c["basis"] == "review":
        assert c["score"] is None, c
conf = sorted(c["id"] for c in cr if c["catalog_source"] == "confirmed")
assert conf == [9, 12, 13, 16, 23, 28, 30, 37], conf
assert len({c["phase"] for c in cr}) == 5
assert [p["phase"] for p in d["phases"]] == [1, 2, 3, 4, 5]
assert [p["name"] for p in d["phases"]] == names, [p["name"] for p in d["phases"]]
tp = ts = 0
for p in d["phases"]:
    sc = [c["score"] for c in cr if c["phase"] == p["phase"] and c["score"] is not None]
    tp += sum(sc); ts += len(sc)
    if sc:
        want = 100.0 * sum(sc) / (2 * len(sc))
        assert abs(p["percent"] - want) < 0.006, (p, want)
    else:
        assert p["percent"] is None, p
want = 100.0 * tp / (2 * ts) if ts else None
got = d["overall_percent"]
assert (want is None and got is None) or abs(got - want) < 0.006, (got, want)
assert d["unscored"] == sum(c["score"] is None for c in cr), d["unscored"]
assert set(d["for_review"]) == {c["id"] for c in cr if c["score"] is None}
assert cr[22]["basis"] == "computed" and "Formula" in cr[22]["evidence"]
' "$1"
}
check "report.json: 46 criteria, 5 phases, percentages as stated" check_json "$TMP/r0/report.json"
check "no manifest: every manifest criterion is null" pyq '
import json, sys
d = json.load(open(sys.argv[1]))
m = [c for c in d["criteria"] if c["basis"] == "manifest"]
assert len(m) >= 30 and all(c["score"] is None for c in m), [c["id"] for c in m if c["score"] is not None]
assert all("No manifest" in c["evidence"] for c in m)
assert d["manifest"] is None
' "$TMP/r0/report.json"
check "computed criteria scored from the audit" pyq '
import json, sys
d = json.load(open(sys.argv[1])); c = {x["id"]: x for x in d["criteria"]}
assert c[21]["score"] == 0 and "136 of 7411" in c[21]["evidence"], c[21]
assert c[17]["score"] == 2 and c[9]["score"] == 2 and c[22]["score"] == 1 and c[14]["score"] == 1
' "$TMP/r0/report.json"
check "lists the contaminated items with evidence" pyq '
import json, sys
d = json.load(open(sys.argv[1]))
n = sum(1 for l in open(sys.argv[2]) if json.loads(l)["contaminated"])
ct = d["contamination"]
assert ct["contaminated_items"] == n == len(ct["items"]) == 34, (n, ct["contaminated_items"])
assert all(i["evidence"] for i in ct["items"] if i["status"] != "near_duplicate")
' "$TMP/r0/report.json" "$TMP/scan/items.jsonl"
check "report.md lists the reviewer section" grep -q "What a reviewer must still look at" "$TMP/r0/report.md"
check "report.md escapes Markdown" grep -q 'Design \\& Conceptualization\|Design &amp; Conceptualization' "$TMP/r0/report.md"
mc report --scan "$TMP/scan" -o "$TMP/r0"
expect_rc 0 "replaces an existing report; audit criteria null without --audit"
check "without --audit, audit criteria are null" pyq '
import json, sys
d = json.load(open(sys.argv[1])); c = {x["id"]: x for x in d["criteria"]}
assert all(c[i]["score"] is None for i in (9, 14, 17, 21, 22)) and c[23]["score"] == 1
' "$TMP/r0/report.json"
sed 's/"basis": "review"/"basis": "reviewer"/' data/criteria.json >"$TMP/bad-criteria.json"
mc report --scan "$TMP/scan" --criteria "$TMP/bad-criteria.json" -o "$TMP/rc"
expect_rc 2 "--criteria: invalid catalog"
check "names the catalog file" grep -q "bad-criteria.json" "$TMP/err"
mc report --scan "$TMP/scan" --criteria data/criteria.json -o "$TMP/rc"
expect_rc 0 "--criteria with the catalog file"
check "records the catalog" grep -q '"criteria": "data/criteria.json"' "$TMP/rc/report.json"
mkdir -p "$TMP/notreport" && echo x >"$TMP/notreport/keep"
mc report --scan "$TMP/scan" -o "$TMP/notreport"
expect_rc 2 "refuses to replace a directory that is not a report"
check "kept the foreign file" test -f "$TMP/notreport/keep"

# ---- the example manifest
mc report --scan "$TMP/scan" --audit "$TMP/audit" --manifest docs/example-manifest.yaml -o "$TMP/r1"
expect_rc 0 "report with the example manifest"
check "example manifest: no findings" test ! -s "$TMP/err"
check "report.json with a manifest" check_json "$TMP/r1/report.json"
check "example manifest: licence, sources, checksums scored" pyq '
import json, sys
d = json.load(open(sys.argv[1])); c = {x["id"]: x for x in d["criteria"]}
assert c[43]["score"] == 2 and c[13]["score"] == 2 and c[24]["score"] == 2, (c[43], c[24])
assert c[4]["score"] is None and "declares none of" in c[4]["evidence"]
' "$TMP/r1/report.json"

# The complete example of docs/manifest.md: no findings, every criterion but
# the reviewer's decided.
mkdir -p "$TMP/full/data" && printf 'hello\n' >"$TMP/full/data/test.jsonl"
python3 -c '
import sys
s = open("docs/manifest.md").read(); i = s.index("```yaml\n") + 8
open(sys.argv[1], "w").write(s[i:s.index("```", i)])' "$TMP/full/m.yaml"
mc report --scan "$TMP/scan" --audit "$TMP/audit" --manifest "$TMP/full/m.yaml" -o "$TMP/rf"
expect_rc 0 "report with the complete example of docs/manifest.md"
check "complete example: no findings" test ! -s "$TMP/err"
check "complete example: only reviewer criteria undecided" pyq '
import json, sys
d = json.load(open(sys.argv[1]))
assert [c["id"] for c in d["criteria"] if c["score"] is None] == [3, 6, 7, 11, 34, 35, 38, 39, 40]
assert d["manifest"]["findings"] == []
' "$TMP/rf/report.json"

# ---- a manifest with one error of each kind
printf 'hello\n' >"$TMP/data.txt"
cat >"$TMP/bad.yaml" <<'EOF'
name: broken manifest
version: "1.0"
license: MIT-2
release:
  data_url: htp://example.org/data
checksums:
  - file: data.txt
    sha256: 0000000000000000000000000000000000000000000000000000000000000000
licence_url: https://example.org/licence
agreement:
  statistic: Cohen kappa
  value: high
EOF
mc report --scan "$TMP/scan" --manifest "$TMP/bad.yaml" -o "$TMP/r2"
expect_rc 0 "a manifest with errors still gives a report"
check "SPDX error with file and line" grep -q "bad.yaml:3: .*\"MIT-2\" is not a known SPDX licence id" "$TMP/err"
check "URL error with file and line" grep -q "bad.yaml:5: .*htp://example.org/data\" is not a well-formed http(s) URL" "$TMP/err"
check "checksum mismatch with file and line" grep -q "bad.yaml:8: checksum mismatch for \"data.txt\"" "$TMP/err"
check "unknown key with a suggestion" grep -q "bad.yaml:9: unknown key \"licence_url\" (did you mean \"license_url\"?)" "$TMP/err"
check "wrong type with file and line" grep -q "bad.yaml:12: \"agreement.value\" must be a number, not \"high\"" "$TMP/err"
check "findings in report.json" pyq '
import json, sys
d = json.load(open(sys.argv[1]))
kinds = sorted(f["kind"] for f in d["manifest"]["findings"])
assert kinds == ["checksum", "spdx", "type", "unknown_key", "url"], kinds
c = {x["id"]: x for x in d["criteria"]}
assert c[43]["score"] == 1 and c[24]["score"] == 1 and c[42]["score"] == 0 and c[20]["score"] == 1, (c[43], c[24], c[42], c[20])
' "$TMP/r2/report.json"

# Syntax errors and alias bombs name the file and line and are refused.
printf 'name: [unclosed\nversion: 1\n' >"$TMP/syntax.yaml"
mc report --scan "$TMP/scan" --manifest "$TMP/syntax.yaml" -o "$TMP/r3"
check "YAML syntax error with file and line" grep -q "syntax.yaml:[0-9]*: YAML" "$TMP/err"
python3 - "$TMP/bomb.yaml" <<'EOF'
import sys
lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 9):
    p, c = chr(ord('a') + i - 1), chr(ord('a') + i)
    lines.append(f'{c}: &{c} [' + ','.join([f'*{p}'] * 9) + ']')
open(sys.argv[1], 'w').write('\n'.join(lines) + '\n')
EOF
mc report --scan "$TMP/scan" --manifest "$TMP/bomb.yaml" -o "$TMP/r3"
expect_rc 0 "alias bomb: report written, manifest refused"
check "alias bomb refused" grep -q "bomb.yaml:[0-9]*: more than .*manifest refused" "$TMP/err"

# A Hugging Face dataset card.
cat >"$TMP/README.md" <<'EOF'
---
license: cc-by-sa-4.0
language:
- en
annotations_creators:
- expert-generated
source_datasets:
- original
task_categories:
- question-answering
pretty_name: Some card
size_categories:
- 1K<n<10K
licence_link: https://example.org
---
# Some dataset
EOF
mc report --scan "$TMP/scan" --manifest "$TMP/README.md" -o "$TMP/r4"
expect_rc 0 "report with a dataset card"
check "dataset card: unknown key on its line" grep -q "README.md:14: unknown key \"licence_link\" (did you mean \"license_link\"?)" "$TMP/err"
check "dataset card fields mapped" pyq '
import json, sys
d = json.load(open(sys.argv[1])); c = {x["id"]: x for x in d["criteria"]}
assert d["manifest"]["kind"] == "dataset-card"
assert c[43]["score"] == 2, c[43]
assert c[13]["score"] == 1, c[13]
assert c[5]["score"] == 1, c[5]
' "$TMP/r4/report.json"

# ---- criterion 23: share x mitigation
cp -r "$TMP/scan" "$TMP/scan-high"
pyq '
import json, sys
p = sys.argv[1] + "/summary.json"; d = json.load(open(p))
d["items_contaminated"] = 200   # 2.7% of 7411
json.dump(d, open(p, "w"))
' "$TMP/scan-high"
printf 'contamination:\n  canary: "MEDCHECK-CANARY-0123"\n' >"$TMP/mit.yaml"
printf 'contamination:\n  private_test_set: false\n' >"$TMP/nomit.yaml"
c23() { pyq 'import json,sys; print(json.load(open(sys.argv[1]))["criteria"][22]["score"])' "$1/report.json"; }
for case in "scan mit 2" "scan nomit 1" "scan-high nomit 0" "scan-high mit 1"; do
    set -- $case
    mc report --scan "$TMP/$1" --manifest "$TMP/$2.yaml" -o "$TMP/c23"
    got=$(c23 "$TMP/c23")
    if [ "$got" = "$3" ]; then ok; else bad "criterion 23 for $1/$2: $got, expected $3"; fi
done
check "criterion 23 prints the formula and the canary's scan status" pyq '
import json, sys
e = json.load(open(sys.argv[1]))["criteria"][22]["evidence"]
assert "Formula: score = 2 if" in e and "2.70%" in e and "not run with --canary" in e, e
' "$TMP/c23/report.json"

# ---- HTML: planted <script> in benchmark text, corpus text and manifest
mkdir -p "$TMP/corp"
python3 - "$TMP" <<'EOF'
import json, sys
t = sys.argv[1]
q = ('A 45-year-old man <script>alert("x")</script> presents to the emergency department with '
     'crushing substernal chest pain radiating to the left arm for the past two hours and '
     'diaphoresis. Which of the following is the most appropriate next step in management?')
items = [{"question": q, "options": {"A": "Aspirin & nitroglycerin", "B": "CT of the head",
          "C": "Observation", "D": "Discharge"}, "answer": "Aspirin & nitroglycerin", "answer_idx": "A"},
         {"question": "Which vitamin deficiency causes scurvy in sailors on long voyages without fresh fruit?",
          "options": {"A": "Vitamin C", "B": "Vitamin D", "C": "Vitamin A", "D": "Vitamin K"},
          "answer": "Vitamin C", "answer_idx": "A"}]
with open(t + "/planted.jsonl", "w") as f:
    for i in items:
        f.write(json.dumps(i) + "\n")
with open(t + "/corp/web.jsonl", "w") as f:
    f.write(json.dumps({"id": "doc-<b>1</b>", "text": "Quiz. " + q + " A. Aspirin & nitroglycerin. Answer: Aspirin & nitroglycerin"}) + "\n")
    f.write(json.dumps({"id": "doc-2", "text": "Unrelated text about gardening and tomatoes."}) + "\n")
EOF
printf 'name: "<script>alert(1)</script> [x](javascript:y)"\nintended_use: "<img src=https://evil.example/x.png>"\n' >"$TMP/xss.yaml"
mc scan --bench "$TMP/planted.jsonl" -o "$TMP/pscan" "$TMP/corp"
expect_rc 0 "scan of the planted benchmark"
mc report --scan "$TMP/pscan" --manifest "$TMP/xss.yaml" -o "$TMP/r5"
expect_rc 0 "report on the planted benchmark"
H=$TMP/r5/report.html
check "the planted item is listed" grep -q 'class="contaminated"' "$H"
check "no <script> element in the HTML" bash -c "! grep -qi '<script' '$H'"
check "benchmark <script> escaped" grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' "$H"
check "manifest <script> escaped" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$H"
check "no <img> from manifest text" bash -c "! grep -qi '<img' '$H'"
check "no http(s) resource loads" pyq '
import sys
from html.parser import HTMLParser
bad = []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe", "object", "embed", "video", "audio", "source"):
            bad.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "action", "poster", "data", "srcset") and v and "//" in v:
                bad.append((tag, k, v))
    def handle_data(self, d):
        pass
h = open(sys.argv[1]).read()
P().feed(h)
import re
style = " ".join(re.findall(r"<style>(.*?)</style>", h, re.S))
assert "url(" not in style and "@import" not in style
assert not bad, bad
' "$H"
check "report.md escapes HTML and Markdown" pyq '
import sys
m = open(sys.argv[1]).read()
assert "<script" not in m and "<img" not in m
assert "&lt;script&gt;" in m and "&lt;img src=https://evil" in m
assert r"\[x\]\(javascript:y\)" in m, m[:400]
' "$TMP/r5/report.md"
check "five SVG charts, 46 criterion rows" pyq '
import sys
h = open(sys.argv[1]).read()
assert h.count("<svg class=\"phase-chart\"") == 5, h.count("<svg")
assert h.count("class=\"criterion\"") == 46
' "$TMP/r0/report.html"

# ---- headless Chromium (Debian package `chromium`)
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "skip: chromium is not installed (scripts/setup.sh installs it): HTML rendering not checked"
else
    for r in r0 r5; do
        shot="$TMP/$r-screenshot.png"
        timeout 120 "$CHROME" --headless --disable-gpu --no-sandbox --user-data-dir="$TMP/chrome-$r" \
            --enable-logging=stderr --v=0 --window-size=1200,3000 --screenshot="$shot" \
            "file://$TMP/$r/report.html" >/dev/null 2>"$TMP/chrome-$r.err"
        check "chromium screenshot of $r ($shot)" test -s "$shot"
        timeout 120 "$CHROME" --headless --disable-gpu --no-sandbox --user-data-dir="$TMP/chrome-$r" \
            --enable-logging=stderr --v=0 --dump-dom "file://$TMP/$r/report.html" \
            >"$TMP/$r-dom.html" 2>>"$TMP/chrome-$r.err"
        check "rendered DOM of $r: 46 criteria and 5 SVG charts" pyq '
import re, sys
h = open(sys.argv[1]).read()
ids = set(re.findall(r"id=\"criterion-(\d+)\"", h))
assert ids == {str(i) for i in range(1, 47)}, sorted(ids)
assert len(re.findall(r"<svg[^>]*class=\"phase-chart\"", h)) == 5
assert "<script" not in h.lower()
' "$TMP/$r-dom.html"
        check "no console errors in $r" bash -c "! grep -E 'Uncaught|ERROR:CONSOLE' '$TMP/chrome-$r.err'"
    done
    # TMP is removed at exit: under meson, keep the screenshots in the build's logs
    if [ -n "${MC_BUILD_ROOT:-}" ] && mkdir -p "$MC_BUILD_ROOT/meson-logs/report-screenshots"; then
        cp "$TMP"/*-screenshot.png "$MC_BUILD_ROOT/meson-logs/report-screenshots/" &&
            echo "screenshots: $MC_BUILD_ROOT/meson-logs/report-screenshots/"
    fi
fi

finish

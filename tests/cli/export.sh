#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `medcheck export --clean`: the clean files, read again with the benchmark
# readers (a scan of them), hold exactly the items that were not
# contaminated, in order; their bytes are the original's without the
# removed items (JSONL lines, CSV records, PubMedQA entries re-checked in
# Python); an export with nothing contaminated is byte-identical to the
# input. With MEDCHECK_EXTERNAL_DATA, also HEAD-QA and BioASQ (JSON
# documents) and uncompressed files.
. "$(dirname "$0")/lib.sh"

mapfile -t BENCH < <(sample_bench)
echo "nothing to see here" >"$TMP/empty.txt"

# plant PubMedQA entries (the first, some in the middle, the last) so that
# the JSON document loses members at both ends
python3 - "$TMP/pq-shard.jsonl" <<'EOF'
import json, subprocess, sys
d = json.loads(subprocess.run(["zstd", "-dc", "corpora/benchmarks/ori_pqal.json.zst"],
                              check=True, capture_output=True).stdout)
keys = list(d)
with open(sys.argv[1], "w") as f:
    for i in [0, 1, 2] + list(range(30, 300, 30)) + [len(keys) - 2, len(keys) - 1]:
        v = d[keys[i]]
        f.write(json.dumps({"id": "pq-%d" % i, "text": "Q: " + v["QUESTION"] + " A: " +
                            v["LONG_ANSWER"]}) + "\n")
EOF
mc scan --quiet "${BENCH[@]}" -o "$TMP/scan" corpora/sample "$TMP/pq-shard.jsonl"
expect_rc 0 "scan"

mc export --scan "$TMP/scan" --clean -o "$TMP/clean"
expect_rc 0 "export"
check "summary printed" grep -q 'items removed as contaminated' "$TMP/out"

# the clean files through the readers: a scan of them against nothing
mapfile -t OUTS < <(pyq 'import json, sys
for f in json.load(open(sys.argv[1]))["files"]:
    print(sys.argv[2] + "/" + f["output"])' "$TMP/clean/export_manifest.json" "$TMP/clean")
check "one output per benchmark file" test "${#OUTS[@]}" -eq $((${#BENCH[@]} / 2))
RB=()
for f in "${OUTS[@]}"; do RB+=(--bench "$f"); done
mc scan --quiet "${RB[@]}" -o "$TMP/rescan" "$TMP/empty.txt"
expect_rc 0 "scan of the clean files"

# verify ORIGSCAN CLEANDIR RESCAN: items, bytes and manifest
verify() {
    pyq '
import csv, io, json, subprocess, sys
scan, clean, rescan = sys.argv[1:4]
def content(p):
    data = open(p, "rb").read()
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return subprocess.run(["zstd", "-dc", p], check=True, capture_output=True).stdout
    if data[:2] == b"\x1f\x8b":
        return subprocess.run(["gzip", "-dc", p], check=True, capture_output=True).stdout
    return data
# JSON documents: when json.dumps of Python in some style gives the original
# byte for byte (PubMedQA: indent=4; BioASQ: Python 2 indent=2; HEAD-QA: one
# line), the clean file must be the dump in that style of the remaining entries
STYLES = [dict(indent=4), dict(indent=2, separators=(", ", ": ")), dict(indent=2), {}]
def restyle(orig, obj):
    for kw in STYLES:
        if json.dumps(json.loads(orig), **kw).encode() == orig:
            return json.dumps(obj, **kw).encode()
    return None
def sig(it):
    return (it["id"], it["split"], it["judged"],
            sorted((k, v["tokens"]) for k, v in it["components"].items()))
man = json.load(open(clean + "/export_manifest.json"))
items = [json.loads(l) for l in open(scan + "/items.jsonl")]
again = [json.loads(l) for l in open(rescan + "/items.jsonl")]
fmts = {f["source"]: f["format"] for f in json.load(open(scan + "/summary.json"))["benchmark"]["files"]}
fmts2 = {f["source"]: f["format"] for f in json.load(open(rescan + "/summary.json"))["benchmark"]["files"]}
bad = []
removed = {(r["source"], r["index"]): r for r in man["removed"]}
want_removed = [(i["source"], i["index"]) for i in items if i["contaminated"]]
if sorted(removed) != sorted(want_removed):
    bad.append("manifest lists %d removed, the scan has %d contaminated" % (len(removed), len(want_removed)))
for i in items:
    r = removed.get((i["source"], i["index"]))
    if r and (r["key"] != i["key"] or r["status"] != i["status"] or r["score"] != i["score"] or r["id"] != i["id"]):
        bad.append("manifest entry %s differs from the scan" % r)
for f in man["files"]:
    src, out = f["source"], clean + "/" + f["output"]
    kept = [sig(i) for i in items if i["source"] == src and not i["contaminated"]]
    got = [sig(i) for i in again if i["source"] == out]
    if kept != got:
        bad.append("%s: %d items read back, %d expected (or they differ)" % (out, len(got), len(kept)))
    if fmts2.get(out) != fmts[src]:
        bad.append("%s read as %s, not %s" % (out, fmts2.get(out), fmts[src]))
    if f["kept"] != len(kept) or f["removed"] + f["kept"] != f["items"]:
        bad.append("%s: counts %s" % (out, f))
    a, b = content(src), content(out)
    gone = sorted(i["index"] for i in items if i["source"] == src and i["contaminated"])
    if f["format"] in ("medqa", "medmcqa", "jsonl"):
        lines = [l for l in a.splitlines(True) if l.strip()]
        want = b"".join(l for k, l in enumerate(lines) if k not in gone)
        ok = want == b
    elif f["format"] in ("mmlu", "csv"):
        ra = list(csv.reader(io.StringIO(a.decode(), newline="")))
        rb = list(csv.reader(io.StringIO(b.decode(), newline="")))
        off = 1 if f["format"] == "csv" else 0
        ok = [r for k, r in enumerate(ra) if k - off not in gone] == rb
    elif f["format"] == "pubmedqa":
        d = json.loads(a)
        keys = list(d)
        e = {k: d[k] for n, k in enumerate(keys) if n not in gone}
        # the original is json.dumps(indent=4); so must the clean file be
        ok = json.loads(b) == e and restyle(a, e) in (None, b)
    elif f["format"] == "bioasq":
        d = json.loads(a)
        d["questions"] = [q for k, q in enumerate(d["questions"]) if k not in gone]
        ok = json.loads(b) == d and restyle(a, d) in (None, b)
    elif f["format"] == "headqa":
        d = json.loads(a)
        n = 0
        for ex in d["exams"].values():
            keep = []
            for q in ex["data"]:
                if n not in gone:
                    keep.append(q)
                n += 1
            ex["data"] = keep
        ok = json.loads(b) == d and restyle(a, d) in (None, b)
    else:
        ok = False
    if not ok:
        bad.append("%s: the bytes are not the original without the removed items" % out)
    if not gone and a != b:
        bad.append("%s: nothing removed, yet the content differs" % out)
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)' "$@"
}
check "clean files: the expected items, bytes and manifest" verify "$TMP/scan" "$TMP/clean" "$TMP/rescan"
check "PubMedQA lost entries at both ends" pyq 'import json, sys
m = json.load(open(sys.argv[1]))
idx = {r["index"] for r in m["removed"] if "ori_pqal" in r["source"]}
sys.exit(0 if 0 in idx and 999 in idx and len(idx) >= 8 else 1)' "$TMP/clean/export_manifest.json"
check "every contaminated file changed" pyq 'import json, sys
m = json.load(open(sys.argv[1]))
sys.exit(0 if all(f["unchanged"] == (f["removed"] == 0) for f in m["files"]) and
         m["items_removed"] == sum(f["removed"] for f in m["files"]) > 30 else 1)' \
    "$TMP/clean/export_manifest.json"

# nothing contaminated: every file byte-identical to its input
mc scan --quiet "${BENCH[@]}" -o "$TMP/scan0" "$TMP/empty.txt"
expect_rc 0 "scan against nothing"
mc export --scan "$TMP/scan0" --clean -o "$TMP/clean0" --quiet
expect_rc 0 "export of a clean benchmark"
same=0
for f in "${BENCH[@]}"; do
    [ "$f" = --bench ] && continue
    cmp -s "$f" "$TMP/clean0/$(basename "$f")" && same=$((same + 1))
done
check "nothing removed: byte-identical ($same files)" test "$same" -eq $((${#BENCH[@]} / 2))

# an export is replaced atomically; a foreign directory never
mc export --scan "$TMP/scan" --clean -o "$TMP/clean0" --quiet
expect_rc 0 "export over an earlier export"
check "replaced" test -n "$(pyq 'import json, sys
print(json.load(open(sys.argv[1]))["items_removed"] or "")' "$TMP/clean0/export_manifest.json")"
mkdir -p "$TMP/foreign" && touch "$TMP/foreign/x"
mc export --scan "$TMP/scan" --clean -o "$TMP/foreign"
expect_rc 2 "foreign directory"
check "foreign directory kept" test -e "$TMP/foreign/x"
mc export --scan "$TMP/scan" -o "$TMP/e2"
expect_rc 2 "without --clean"
# a benchmark file changed since the scan is refused
mkdir -p "$TMP/moved/corpora/benchmarks"
for f in "${BENCH[@]}"; do
    [ "$f" = --bench ] || cp "$f" "$TMP/moved/$f"
done
zstd -dc corpora/benchmarks/anatomy_test.csv.zst | sed '1s/a/b/' | zstd -q -f -o "$TMP/moved/corpora/benchmarks/anatomy_test.csv.zst"
mc export --scan "$TMP/scan" --root "$TMP/moved" --clean -o "$TMP/e3"
expect_rc 2 "changed benchmark"
check "changed benchmark: named" grep -q 'anatomy_test.csv.zst: changed since the scan' "$TMP/err"
check "changed benchmark: nothing written" test ! -e "$TMP/e3"

# external data: JSON documents (HEAD-QA, BioASQ) and plain files
if [ -n "${MEDCHECK_EXTERNAL_DATA:-}" ] && [ -d "${MEDCHECK_EXTERNAL_DATA}" ]; then
    X=$MEDCHECK_EXTERNAL_DATA
    EXT=("$X/headqa/dev_HEAD_EN.json" "$X/bioasq/7B1_golden.json" "$X/medqa/US_4_options_phrases_no_exclude_test.jsonl" "$X/medmcqa/dev.json")
    python3 - "$TMP/ext-shard.jsonl" "${EXT[@]}" <<'EOF'
import json, sys
out = open(sys.argv[1], "w")
hq = json.load(open(sys.argv[2]))
qs = [q for ex in hq["exams"].values() for q in ex["data"]]
for i in [0, 5, len(qs) - 1]:
    q = qs[i]
    out.write(json.dumps({"text": q["qtext"] + " " + " ".join(a["atext"] for a in q["answers"])}) + "\n")
bio = json.load(open(sys.argv[3]))["questions"]
for i in [0, 7, len(bio) - 1]:
    q = bio[i]
    ans = q["ideal_answer"][0] if isinstance(q["ideal_answer"], list) else q["ideal_answer"]
    out.write(json.dumps({"text": q["body"] + " " + ans + " " + " ".join(s["text"] for s in q["snippets"])}) + "\n")
for line in [l for l in open(sys.argv[4]) if l.strip()][:3] + [l for l in open(sys.argv[5]) if l.strip()][-2:]:
    o = json.loads(line)
    opts = o.get("options") or {k: o[k] for k in ("opa", "opb", "opc", "opd")}
    out.write(json.dumps({"text": o["question"] + " " + " ".join(opts.values())}) + "\n")
EOF
    EB=()
    for f in "${EXT[@]}"; do EB+=(--bench "$f"); done
    mc scan --quiet "${EB[@]}" -o "$TMP/xscan" "$TMP/ext-shard.jsonl"
    expect_rc 0 "external: scan"
    mc export --scan "$TMP/xscan" --clean -o "$TMP/xclean" --quiet
    expect_rc 0 "external: export"
    mapfile -t XOUTS < <(pyq 'import json, sys
for f in json.load(open(sys.argv[1]))["files"]:
    print(sys.argv[2] + "/" + f["output"])' "$TMP/xclean/export_manifest.json" "$TMP/xclean")
    XB=()
    for f in "${XOUTS[@]}"; do XB+=(--bench "$f"); done
    mc scan --quiet "${XB[@]}" -o "$TMP/xrescan" "$TMP/empty.txt"
    expect_rc 0 "external: scan of the clean files"
    check "external: items, bytes and manifest" verify "$TMP/xscan" "$TMP/xclean" "$TMP/xrescan"
    check "external: every file lost items" pyq 'import json, sys
sys.exit(0 if all(f["removed"] > 0 for f in json.load(open(sys.argv[1]))["files"]) else 1)' \
        "$TMP/xclean/export_manifest.json"
else
    echo "external part skipped: MEDCHECK_EXTERNAL_DATA is not set"
fi

finish

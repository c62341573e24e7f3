#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Shard formats: the bundled sample corpus stored as JSONL, xz, bzip2 (both
# multi-stream, recompressed here with the xz and bzip2 tools) and Common
# Crawl WET (written here by scripts/make_wet_sample.py) gives the same
# verdicts and evidence text; truncated and corrupt xz/bz2 shards fail alone
# (exit 3); a WET file with bad records is read around them; --corpus NAME
# parses for every built-in descriptor; WET evidence survives --task/merge.
. "$(dirname "$0")/lib.sh"
for tool in xz bzip2 zstd gzip; do
    command -v "$tool" >/dev/null || { echo "skip: $tool is needed"; exit 77; }
done
mapfile -t B < <(sample_bench)
S=corpora/sample
JSONL=(web-000.jsonl.zst web-001.json.gz pubmed-000.jsonl notes-000.txt)

# xz and bz2 copies of every sample shard, each in two streams (the halves
# split at a line boundary), names kept so the shard order is the same
mkdir -p "$TMP/xz" "$TMP/bz2" "$TMP/wet" "$TMP/plain"
for f in "${JSONL[@]}"; do
    case $f in
    *.zst) zstd -dc "$S/$f" ;;
    *.gz) gzip -dc "$S/$f" ;;
    *) cat "$S/$f" ;;
    esac >"$TMP/plain/$f"
    n=$(wc -l <"$TMP/plain/$f")
    head -n $((n / 2)) "$TMP/plain/$f" >"$TMP/a"
    tail -n +$((n / 2 + 1)) "$TMP/plain/$f" >"$TMP/b"
    { xz -c "$TMP/a"; xz -c "$TMP/b"; } >"$TMP/xz/$f"
    { bzip2 -c "$TMP/a"; bzip2 -c "$TMP/b"; } >"$TMP/bz2/$f"
done
# WET: one conversion record per JSONL document (gzip member per record);
# the plain-text shard has no WET form and is scanned as it is
for f in web-000.jsonl.zst web-001.json.gz pubmed-000.jsonl; do
    python3 scripts/make_wet_sample.py --convert "$S/$f" "$TMP/wet/$f" 2>/dev/null
done
cp "$S/notes-000.txt" "$TMP/wet/notes-000.txt"

scan_set() { # NAME DIR: scan the four shards of DIR in the JSONL order
    local name=$1 dir=$2 f list=()
    for f in "${JSONL[@]}"; do list+=("$dir/$f"); done
    mc scan --quiet -j 2 "${B[@]}" -o "$TMP/o_$name" "${list[@]}"
    expect_rc 0 "$name: scan"
}
scan_set jsonl "$S"
scan_set xz "$TMP/xz"
scan_set bz2 "$TMP/bz2"
scan_set wet "$TMP/wet"

pyq '
import json, sys
t = sys.argv[1]
def items(name):
    return [json.loads(l) for l in open(t + "/o_" + name + "/items.jsonl")]
def shards(name):
    return [json.loads(l) for l in open(t + "/o_" + name + "/shards.jsonl")]
def verdicts(its):
    return [(i["key"], i["status"], i["score"], i["longest_match"], i["coverage"]) for i in its]
def ev_text(its):
    return [[(e["component"], e["match_tokens"], e["snippet"]) for e in i["evidence"]] for i in its]
j = items("jsonl")
assert sum(i["contaminated"] for i in j) >= 30, "the sample has planted items"
for name in ("xz", "bz2", "wet"):
    o = items(name)
    assert verdicts(o) == verdicts(j), name + ": verdicts differ"
    assert ev_text(o) == ev_text(j), name + ": evidence text differs"
for name, comp in (("xz", "xz"), ("bz2", "bz2")):
    o = items(name)
    # same decompressed stream: records, offsets and doc ids are the same too
    strip = lambda its: [[(e["record"], e["offset"], e["doc_id"]) for e in i["evidence"]] for i in its]
    assert strip(o) == strip(j), name + ": record/offset differ"
    a, b = shards("jsonl"), shards(name)
    assert [(x["records"], x["bytes_decompressed"], x["xxh64"]) for x in a] == \
           [(x["records"], x["bytes_decompressed"], x["xxh64"]) for x in b], name
# WET: doc_id is the page URL, warc_record_id is added, record = line + 1
# (the warcinfo record is record 0), offset = start of the record block
for a, b in zip(j, items("wet")):
    for x, y in zip(a["evidence"], b["evidence"]):
        if y["shard"].endswith("notes-000.txt"):
            assert "warc_record_id" not in y and y == dict(x, shard=y["shard"]), y
            continue
        assert y["doc_id"].startswith(("http://", "https://")), y
        assert y["warc_record_id"].startswith("<urn:uuid:"), y
        assert y["record"] == x["record"] + 1, (x, y)
        assert "warc_record_id" not in x
w = shards("wet")
assert [x["records"] for x in w] == [x["records"] for x in shards("jsonl")]
' "$TMP"
check "JSONL, xz, bz2 and WET: same verdicts and evidence text" test $? -eq 0

# WET offsets point at the block: the header just before it names the record
pyq '
import gzip, json, sys
t = sys.argv[1]
n = 0
for l in open(t + "/o_wet/items.jsonl"):
    for e in json.loads(l)["evidence"]:
        if "warc_record_id" not in e:
            continue
        data = gzip.open(e["shard"]).read()
        off = e["offset"]
        head = data[:off]
        assert head.endswith(b"\r\n\r\n"), e
        hdr = head[head.rindex(b"WARC/1.0\r\n"):]
        assert ("WARC-Record-ID: " + e["warc_record_id"]).encode() in hdr, e
        assert ("WARC-Target-URI: " + e["doc_id"]).encode() in hdr, e
        n += 1
assert n > 0
' "$TMP"
check "WET evidence offsets are block starts; header has the record id and URI" test $? -eq 0

# broken xz and bz2 shards fail alone, with the shard and offsets named
cp "$TMP/xz/web-000.jsonl.zst" "$TMP/x.full"
head -c 100000 "$TMP/x.full" >"$TMP/trunc.xz"
head -c 100000 "$TMP/bz2/web-000.jsonl.zst" >"$TMP/trunc.bz2"
cp "$TMP/x.full" "$TMP/corrupt.xz"
printf '\125\125\125\125' | dd of="$TMP/corrupt.xz" bs=1 seek=60000 conv=notrunc 2>/dev/null
cp "$TMP/bz2/web-000.jsonl.zst" "$TMP/corrupt.bz2"
printf '\125\125\125\125' | dd of="$TMP/corrupt.bz2" bs=1 seek=60000 conv=notrunc 2>/dev/null
python3 - "$TMP/bigdict.xz" <<'PY'
import lzma, struct, sys, zlib
x = bytearray(lzma.compress(b'{"text": "hello"}\n', format=lzma.FORMAT_XZ))
hs, flags, i = (x[12] + 1) * 4, x[13], 14
for f in (0x40, 0x80):
    if flags & f:
        while x[i] & 0x80:
            i += 1
        i += 1
assert x[i] == 0x21 and x[i + 1] == 1
x[i + 2] = 40  # a 4 GiB dictionary
x[12 + hs - 4:12 + hs] = struct.pack("<I", zlib.crc32(bytes(x[12:12 + hs - 4])))
open(sys.argv[1], "wb").write(x)
PY
mc scan --quiet "${B[@]}" -o "$TMP/f" "$TMP/trunc.xz" "$S/web-001.json.gz" "$TMP/trunc.bz2" \
    "$TMP/corrupt.xz" "$TMP/corrupt.bz2" "$TMP/bigdict.xz" "$TMP/xz/pubmed-000.jsonl"
expect_rc 3 "broken xz/bz2 shards give exit 3"
pyq '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/shards.jsonl")]
st = [r["status"] for r in rows]
assert st == ["failed", "ok", "failed", "failed", "failed", "failed", "ok"], st
want = ["truncated xz stream at byte offset", None, "truncated bzip2 stream at byte offset",
        "corrupt xz data at byte offset", "corrupt bzip2 data at byte offset",
        "over the 128 MiB limit", None]
for r, w in zip(rows, want):
    if w:
        assert r["shard"] in r["error"] and w in r["error"], r["error"]
        assert "decompressed" in r["error"], r["error"]
        assert r["xxh64"] is None
assert rows[6]["records"] == 5
s = json.load(open(sys.argv[1] + "/summary.json"))
assert s["corpus"]["shards_failed"] == 5 and s["corpus"]["shards_ok"] == 2
for l in open(sys.argv[1] + "/items.jsonl"):
    for e in json.loads(l)["evidence"]:
        assert e["shard"].endswith(("web-001.json.gz", "pubmed-000.jsonl")), e
' "$TMP/f"
check "truncated, corrupt and over-limit xz/bz2 shards fail with shard and offsets" test $? -eq 0
check "the failed xz shard is reported on stderr" grep -q "trunc.xz: truncated xz stream" "$TMP/err"

# a WET file with bad records: the shard stays ok, each bad record is warned
mc scan --quiet "${B[@]}" -o "$TMP/m" corpora/malformed/bad-records.warc.wet.gz
expect_rc 0 "bad WARC records do not fail the shard"
pyq '
import json, sys
r = json.loads(open(sys.argv[1] + "/shards.jsonl").readline())
assert r["status"] == "ok" and r["records"] == 6 and r["records_skipped"] == 5, r
' "$TMP/m"
check "bad-records.warc.wet.gz: 6 documents, 5 skipped" test $? -eq 0
check "bad WARC records are warned with shard, record and offset" \
    grep -Eq "bad-records.warc.wet.gz: WARC record 2 at byte offset [0-9]+: Content-Length" "$TMP/err"
check "a WARC record cut by the end of the file is named" \
    grep -q "WARC record 12 at byte offset [0-9]*: truncated" "$TMP/err"
check "non-document record types are noted once" grep -q "WARC-Type 'response'" "$TMP/err"

# the committed WET sample: a passage of one of its pages, as a benchmark item
python3 - "$TMP/wetbench.jsonl" <<'PY'
import gzip, json, sys
data = gzip.open("corpora/wet/dolma-cc-00140.warc.wet.gz").read().decode()
recs = data.split("WARC/1.0\r\n")[1:]
words = None
for r in recs:
    head, _, body = r.partition("\r\n\r\n")
    if "WARC-Type: conversion" in head and len(body.split()) > 200:
        words = body.split()[100:160]
        break
q = " ".join(words)
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"question": q, "options": {"A": "alpha", "B": "beta", "C": "gamma",
                        "D": "delta"}, "answer": "alpha", "answer_idx": "A"}) + "\n")
PY
mc scan --quiet --bench "$TMP/wetbench.jsonl" -o "$TMP/ws" corpora/wet/dolma-cc-00140.warc.wet.gz
expect_rc 0 "scan of the WET sample"
pyq '
import json, sys
it = json.loads(open(sys.argv[1] + "/items.jsonl").readline())
assert it["contaminated"], it["status"]
e = it["evidence"][0]
assert e["doc_id"].startswith("http") and e["warc_record_id"].startswith("<urn:uuid:"), e
s = json.loads(open(sys.argv[1] + "/shards.jsonl").readline())
assert s["records"] == 100 and s["records_skipped"] == 0, s
' "$TMP/ws"
check "WET sample: a page passage is found, evidence has URL and WARC-Record-ID" test $? -eq 0

# --task parts of a scan with WET shards merge into the single run
WS=("$TMP/wet/web-000.jsonl.zst" "$TMP/wet/web-001.json.gz" "$TMP/wet/pubmed-000.jsonl")
mc scan --quiet "${B[@]}" -o "$TMP/single" "${WS[@]}"
for i in 0 1; do
    mc scan --quiet "${B[@]}" --task "$i/2" -o "$TMP/p$i" "${WS[@]}"
done
mc merge --quiet -o "$TMP/merged" "$TMP/p0" "$TMP/p1"
expect_rc 0 "merge of WET parts"
check "merged WET evidence equals the single run" cmp -s "$TMP/single/items.jsonl" "$TMP/merged/items.jsonl"
check "merged evidence keeps warc_record_id" grep -q '"warc_record_id":"<urn:uuid:' "$TMP/merged/items.jsonl"

# corpus descriptors: the list, one descriptor, every --corpus NAME parses
mc corpora
expect_rc 0 "medcheck corpora"
check "medcheck corpora lists 10 descriptors" test "$(tail -n +2 "$TMP/out" | wc -l)" -eq 10
mc corpora cc-wet
check "medcheck corpora NAME names the source" grep -q "^source: *https://commoncrawl.org/" "$TMP/out"
mc corpora --json
cp "$TMP/out" "$TMP/corpora.jsonl"
mc corpora no-such-corpus
expect_rc 2 "unknown descriptor name"
fail=0
while IFS= read -r line; do
    name=$(pyq 'import json,sys; print(json.loads(sys.argv[1])["name"])' "$line")
    mc scan --quiet --corpus "$name" --bench corpora/benchmarks/ori_pqal.json.zst \
        -o "$TMP/c_$name" "$S/pubmed-000.jsonl"
    if [ "$RC" -ne 0 ]; then
        echo "FAIL: --corpus $name: exit $RC ($(head -c 300 "$TMP/err"))" >&2
        fail=1
        continue
    fi
    pyq '
import json, sys
d = json.loads(sys.argv[1])
p = json.load(open(sys.argv[2] + "/summary.json"))["params"]
assert p["text_field"] == (d["text_field"] or "text"), (p["text_field"], d)
assert p["id_field"] == (d["id_field"] or "id"), (p["id_field"], d)
' "$line" "$TMP/c_$name" || fail=1
    if [ "$(pyq 'import json,sys; print(json.loads(sys.argv[1])["readable"])' "$line")" = False ]; then
        grep -q "does not read" "$TMP/err" || { echo "FAIL: no Parquet warning for $name" >&2; fail=1; }
    fi
done <"$TMP/corpora.jsonl"
check "--corpus NAME parses and sets the fields, for every descriptor" test "$fail" -eq 0
check "there are 10 descriptors in --json" test "$(wc -l <"$TMP/corpora.jsonl")" -eq 10
mc scan --quiet --corpus no-such-corpus "${B[@]}" -o "$TMP/x" "$S/pubmed-000.jsonl"
expect_rc 2 "--corpus with an unknown name"
check "the unknown name is named with the known ones" grep -q "unknown corpus 'no-such-corpus'; known: c4" "$TMP/err"
# an explicit field wins over the descriptor; c4 takes the url as the id
mc scan --quiet --corpus redpajama-v2 --text-field text "${B[@]}" -o "$TMP/rp" "$S/web-000.jsonl.zst"
expect_rc 0 "--corpus with --text-field"
pyq '
import json, sys
p = json.load(open(sys.argv[1] + "/summary.json"))["params"]
assert p["text_field"] == "text" and p["id_field"] == "url", p
ids = [e["doc_id"] for l in open(sys.argv[1] + "/items.jsonl") for e in json.loads(l)["evidence"]]
assert ids and all(i and not i.startswith("planted-") for i in ids), ids[:5]
' "$TMP/rp"
check "--text-field wins over --corpus; the descriptor's id field is used" test $? -eq 0

# benchmark files may be xz or bzip2 too (the same registry of decoders)
zstd -dc corpora/benchmarks/dev.json.zst >"$TMP/dev.json"
xz -c "$TMP/dev.json" >"$TMP/dev.json.xz"
bzip2 -c "$TMP/dev.json" >"$TMP/dev.json.bz2"
for f in dev.json.xz dev.json.bz2; do
    mc scan --quiet --bench "$TMP/$f" -o "$TMP/b_$f" "$S/pubmed-000.jsonl"
    expect_rc 0 "benchmark file $f"
    check "benchmark file $f: 4183 items" \
        pyq 'import json,sys; assert json.load(open(sys.argv[1]))["benchmark"]["items"] == 4183' \
        "$TMP/b_$f/summary.json"
done

# real data (skipped without MEDCHECK_EXTERNAL_DATA): --corpus dolma on Dolma's
# own shard; the WET sample holds its first 100 pages under their URLs
if [ -n "${MEDCHECK_EXTERNAL_DATA:-}" ] && [ -d "${MEDCHECK_EXTERNAL_DATA}/dolma_tests" ]; then
    D=$MEDCHECK_EXTERNAL_DATA/dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz
    mc scan --quiet --corpus dolma --canary "the" "${B[@]}" -o "$TMP/dolma" "$D" \
        corpora/wet/dolma-cc-00140.warc.wet.gz
    expect_rc 0 "--corpus dolma on the Dolma test shard"
    pyq '
import gzip, json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/shards.jsonl")]
assert rows[0]["records"] == 697 and rows[1]["records"] == 100, rows
docs = [json.loads(l) for l in gzip.open(sys.argv[2])][:100]
wet = gzip.open("corpora/wet/dolma-cc-00140.warc.wet.gz").read().decode()
for d in docs:
    assert "WARC-Target-URI: " + d["metadata"]["warc_url"] + "\r\n" in wet
    assert d["text"] in wet
' "$TMP/dolma" "$D"
    check "Dolma shard read with --corpus dolma; WET sample = its first 100 pages" test $? -eq 0
fi
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `medcheck show`: evidence read back from zstd and gzip shards (streamed
# from their start) and from plain JSONL and text shards (read at the
# offset); the document printed is the one at the recorded record, checked
# in Python, and the marked words are the item's; missing or changed
# shards and standard input are reported (exit 3).
. "$(dirname "$0")/lib.sh"

mapfile -t BENCH < <(sample_bench)
mc scan --quiet "${BENCH[@]}" -o "$TMP/scan" corpora/sample
expect_rc 0 "scan"

# doc_text SHARD OFFSET: the record's text, as Python reads it
# check_shown KEY SHARD: the output names the shard, shows a part of the
# record at the recorded offset, and marks words of the item's component
check_shown() {
    pyq '
import gzip, json, re, subprocess, sys
out, items, key, shard = sys.argv[1:5]
text = open(out, encoding="utf-8").read()
item = next(json.loads(l) for l in open(items) if json.loads(l)["key"] == key)
ev = [e for e in item["evidence"] if e["shard"] == shard]
if not ev:
    sys.exit("no evidence in " + shard)
e = ev[0]
raw = open(shard, "rb").read()
if raw[:4] == b"\x28\xb5\x2f\xfd":
    raw = subprocess.run(["zstd", "-dc", shard], check=True, capture_output=True).stdout
elif raw[:2] == b"\x1f\x8b":
    raw = gzip.decompress(raw)
rest = raw[e["offset"]:]
if shard.endswith(".txt"):
    doc = re.split(rb"\n[ \t\r]*\n", rest, maxsplit=1)[0].decode().replace("\r\n", "\n")
else:
    doc = json.loads(rest.split(b"\n", 1)[0])["text"]
want = "record %d, offset %d, doc %s" % (e["record"], e["offset"], e["doc_id"] or "(no id)")
if want not in text:
    sys.exit("header %r not printed" % want)
marked = re.findall(r">>>(.*?)<<<", text, re.S)
if not marked:
    sys.exit("nothing marked")
for m in marked:
    if m not in doc:
        sys.exit("marked text %r is not in the document" % m[:80])
# the first entry of that shard: the lines after its "(streamed ..." or
# "(read at the offset ..." line, up to the next entry
part = text.split(want, 1)[1].split("\n", 2)[2].split("\n\n[", 1)[0]
part = re.sub(r">>>|<<<", "", part)
part = part[2:] if part.startswith("  ") else part
part = part[3:] if part.startswith("...") else part
part = part.rstrip("\n")
part = part[:-3] if part.endswith("...") else part
pieces = re.split(r" \[\.\.\. \d+ bytes \.\.\.\] ", part)
if not pieces or any(p not in doc for p in pieces) or sum(map(len, pieces)) < 50:
    sys.exit("the text shown is not the document: %r" % part[:120])
words = lambda s: re.findall(r"\w+", s.lower())
comp = words(e["snippet"])[:6]
if " ".join(comp) not in " ".join(words(" ".join(marked))):
    sys.exit("the marks do not cover the start of the matched component")
' "$TMP/out" "$TMP/scan/items.jsonl" "$1" "$2"
}

MQ=corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst
# zstd (web-000.jsonl.zst): streamed
mc show --scan "$TMP/scan" "$MQ#27"
expect_rc 0 "show: zstd shard"
check "zstd: streamed" grep -q "streamed from the shard's start" "$TMP/out"
check "zstd: the record, marked" check_shown "$MQ#27" corpora/sample/web-000.jsonl.zst
check "zstd: item header" grep -q '^  status input_and_answer (contaminated)' "$TMP/out"
NEV=$(pyq 'import json, sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    if j["key"] == sys.argv[2]:
        print(len(j["evidence"]))' "$TMP/scan/items.jsonl" "$MQ#27")
check "zstd: every entry ($NEV)" test "$(grep -c "^\[[0-9]*/$NEV\] " "$TMP/out")" -eq "$NEV"
check "zstd: the answer entry" grep -q "^\[2/$NEV\] answer" "$TMP/out"
check "no colour when not a terminal" test "$(grep -c $'\033' "$TMP/out")" -eq 0

# gzip (web-001.json.gz): streamed
mc show --scan "$TMP/scan" corpora/benchmarks/dev.json.zst#2097
expect_rc 0 "show: gzip shard"
check "gzip: streamed" grep -q "streamed from the shard's start" "$TMP/out"
check "gzip: the record, marked" check_shown corpora/benchmarks/dev.json.zst#2097 \
    corpora/sample/web-001.json.gz

# plain JSONL and plain text: read at the offset
mc show --scan "$TMP/scan" corpora/benchmarks/ori_pqal.json.zst#982
expect_rc 0 "show: plain JSONL"
check "plain JSONL: read at the offset" grep -q "read at the offset" "$TMP/out"
check "plain JSONL: the record, marked" check_shown corpora/benchmarks/ori_pqal.json.zst#982 \
    corpora/sample/pubmed-000.jsonl
mc show --scan "$TMP/scan" corpora/benchmarks/medical_genetics_test.csv.zst#68
expect_rc 0 "show: plain text"
check "plain text: the record, marked" check_shown \
    corpora/benchmarks/medical_genetics_test.csv.zst#68 corpora/sample/notes-000.txt

# options: colour, --max-evidence, --full, --context
mc show --scan "$TMP/scan" --color always --max-evidence 1 "$MQ#27"
expect_rc 0 "show --color always --max-evidence 1"
check "colour: ANSI bold" grep -q $'\033\\[1;4m' "$TMP/out"
check "--max-evidence 1" grep -q "^($((NEV - 1)) more evidence entr" "$TMP/out"
check "--max-evidence 1: one entry" test "$(grep -c '^\[' "$TMP/out")" -eq 1
mc show --scan "$TMP/scan" --full --max-evidence 1 "$MQ#27"
n_full=$(wc -c <"$TMP/out")
mc show --scan "$TMP/scan" --context 20 --max-evidence 1 "$MQ#27"
n_short=$(wc -c <"$TMP/out")
check "--full shows more than --context 20 ($n_full > $n_short)" test "$n_full" -gt "$n_short"

# a clean item: no evidence
mc show --scan "$TMP/scan" "$MQ#0"
expect_rc 0 "show: clean item"
check "clean item: no entries" grep -q '0 evidence entries' "$TMP/out"

# errors: unknown key (2); shards missing or changed (3, the rest shown)
mc show --scan "$TMP/scan" "$MQ#999999"
expect_rc 2 "unknown key"
check "unknown key: named" grep -q 'no item .*#999999' "$TMP/err"
mkdir -p "$TMP/root/corpora/sample"
mc show --scan "$TMP/scan" --root "$TMP/root" "$MQ#27"
expect_rc 3 "missing shard"
check "missing shard: said" grep -q 'not read back: corpora/sample/web-000.jsonl.zst: cannot open' \
    "$TMP/out"
check "missing benchmark: snippets marked instead" grep -q 'marking the evidence snippets' \
    "$TMP/err"
# the same shard with its first record dropped: the record moved
zstd -dc corpora/sample/web-000.jsonl.zst | tail -n +2 | zstd -q -o "$TMP/root/corpora/sample/web-000.jsonl.zst"
mc show --scan "$TMP/scan" --root "$TMP/root" --max-evidence 1 "$MQ#27"
expect_rc 3 "changed zstd shard"
check "changed zstd shard: said" grep -q 'changed since the scan' "$TMP/out"
tail -n +2 corpora/sample/pubmed-000.jsonl >"$TMP/root/corpora/sample/pubmed-000.jsonl"
mc show --scan "$TMP/scan" --root "$TMP/root" corpora/benchmarks/ori_pqal.json.zst#982
expect_rc 3 "changed plain shard"
check "changed plain shard: said" grep -q 'changed since the scan' "$TMP/out"

# standard input cannot be read again
mc scan --quiet "${BENCH[@]}" -o "$TMP/scan-stdin" - <corpora/sample/pubmed-000.jsonl
expect_rc 0 "scan of standard input"
mc show --scan "$TMP/scan-stdin" corpora/benchmarks/ori_pqal.json.zst#982
expect_rc 3 "show: standard input"
check "standard input: said" grep -q 'standard input cannot be read again' "$TMP/out"

mc show --scan "$TMP/scan"
expect_rc 2 "no key"
mc show --help
expect_rc 0 "--help"

finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `medcheck index` and `scan --index`: the index file gives byte-identical
# scan results under every preset (and merges), is reproducible, and every
# damaged, foreign or mismatched file is refused with exit 2 and a message
# naming it.
. "$(dirname "$0")/lib.sh"

mapfile -t BENCH < <(sample_bench)
SHARDS=(corpora/sample corpora/malformed/bad-lines.jsonl)

# same_results A B: the result files are byte-identical, and summary.json
# is identical apart from "command", "elapsed_s" and benchmark "index"
same_results() {
    local f
    for f in items.jsonl shards.jsonl shard_results.jsonl shard_list.txt; do
        cmp -s "$1/$f" "$2/$f" || { echo "$f differs" >&2; return 1; }
    done
    pyq '
import json, sys
def core(d):
    s = json.load(open(d + "/summary.json"))
    for k in ("command", "elapsed_s"):
        del s[k]
    ix = s["benchmark"].pop("index")
    return s, ix
a, ia = core(sys.argv[1])
b, ib = core(sys.argv[2])
sys.exit(0 if a == b and ia is None and ib["path"] == sys.argv[3] else 1)' "$1" "$2" "$3" ||
        { echo "summary.json differs" >&2; return 1; }
}

# the checksum in the header is what summary.json names
header_xxh64() { pyq 'import struct,sys; print("%016x" % struct.unpack_from("<Q", open(sys.argv[1],"rb").read(), 32)[0])' "$1"; }

for preset in medcheck gpt3 palm llama2; do
    ix=$TMP/$preset.mcx
    mc index --preset "$preset" "${BENCH[@]}" -o "$ix"
    expect_rc 0 "$preset: index"
    check "$preset: index prints a summary" grep -q "^indexed 7411 items of 8 benchmark files (preset $preset" "$TMP/out"
    mc scan --quiet --preset "$preset" "${BENCH[@]}" -o "$TMP/$preset-bench" "${SHARDS[@]}"
    expect_rc 0 "$preset: scan --bench"
    # the preset comes from the index when not given
    mc scan --quiet --index "$ix" -o "$TMP/$preset-index" "${SHARDS[@]}"
    expect_rc 0 "$preset: scan --index"
    check "$preset: --index gives the --bench results" same_results "$TMP/$preset-bench" "$TMP/$preset-index" "$ix"
    check "$preset: summary names the index by its checksum" grep -q "\"xxh64\": \"$(header_xxh64 "$ix")\"" "$TMP/$preset-index/summary.json"
done
check "the index names the benchmark files and their sha256" pyq 'import json,sys
s = json.load(open(sys.argv[1]))
f = s["benchmark"]["files"]
sys.exit(0 if len(f) == 8 and all(len(x["sha256"]) == 64 and x["format"] for x in f) else 1)' "$TMP/medcheck-index/summary.json"

IX=$TMP/medcheck.mcx
# the same preset given explicitly, and -j 1
mc scan --quiet -j 1 --preset medcheck --index "$IX" -o "$TMP/again" "${SHARDS[@]}"
expect_rc 0 "scan --index --preset medcheck -j 1"
check "explicit preset and -j 1: same results" same_results "$TMP/medcheck-bench" "$TMP/again" "$IX"

# reproducible: the same files and options give the same bytes
mc index --quiet "${BENCH[@]}" -o "$TMP/again.mcx"
expect_rc 0 "index again"
check "index files are reproducible" cmp -s "$IX" "$TMP/again.mcx"
check "index --quiet prints nothing" test ! -s "$TMP/out"
check "no temporary file is left" test -z "$(find "$TMP" -name '*.tmp-*')"

# --fields is recorded in the index and in the scan's summary
mc index --format jsonl --fields question=question,options=options,answer=answer_idx \
    --bench tests/data/bench/bom_medqa.jsonl -o "$TMP/fields.mcx"
expect_rc 0 "index with --fields"
mc scan --quiet --format jsonl --fields question=question,options=options,answer=answer_idx \
    --bench tests/data/bench/bom_medqa.jsonl -o "$TMP/fields-bench" corpora/sample
mc scan --quiet --index "$TMP/fields.mcx" -o "$TMP/fields-index" corpora/sample
expect_rc 0 "scan --index of a --fields index"
check "--fields: same results and summary" same_results "$TMP/fields-bench" "$TMP/fields-index" "$TMP/fields.mcx"

# --task parts of an --index scan merge into the single run
for i in 0 1 2; do
    mc scan --quiet --index "$IX" --task "$i/3" -o "$TMP/part$i" "${SHARDS[@]}"
    expect_rc 0 "scan --index --task $i/3"
done
mc merge "$TMP/part2" "$TMP/part0" "$TMP/part1" -o "$TMP/merged"
expect_rc 0 "merge of --index parts"
same_merge() {
    local f
    for f in items.jsonl shards.jsonl shard_results.jsonl shard_list.txt; do
        cmp -s "$TMP/medcheck-index/$f" "$TMP/merged/$f" || return 1
    done
    pyq 'import json,sys
a, b = (json.load(open(d + "/summary.json")) for d in sys.argv[1:3])
for s in (a, b):
    del s["command"], s["elapsed_s"]
sys.exit(0 if a == b else 1)' "$TMP/medcheck-index" "$TMP/merged"
}
check "merged --index parts == single --index run" same_merge
mc merge "$TMP/part0" "$TMP/medcheck-bench" -o "$TMP/mixed"
expect_rc 2 "merge of an --index part with a --bench run"
check "mixed merge names the difference" grep -q "index" "$TMP/err"

# ---- usage errors --------------------------------------------------------------
mc scan --index "$IX" "${BENCH[@]}" -o "$TMP/x" corpora/sample
expect_rc 2 "--bench with --index"
check "--bench with --index: message" grep -q "cannot be used together" "$TMP/err"
mc scan --index "$IX" --format medqa -o "$TMP/x" corpora/sample
expect_rc 2 "--format with --index"
mc scan --index "$TMP/gpt3.mcx" --preset medcheck -o "$TMP/x" corpora/sample
expect_rc 2 "another preset"
check "another preset: message names the file and both presets" \
    grep -q "gpt3.mcx: built with --preset gpt3; this scan asks for --preset medcheck" "$TMP/err"
mc scan --index "$TMP/gpt3.mcx" --ngram 12 -o "$TMP/x" corpora/sample
expect_rc 2 "another n-gram length"
mc scan --index "$IX" --template-items 3 -o "$TMP/x" corpora/sample
expect_rc 2 "another template-items"
check "nothing written on a usage error" test ! -e "$TMP/x"
mc index -o "$TMP/x.mcx"
expect_rc 2 "index without --bench"
mc index "${BENCH[@]}"
expect_rc 2 "index without -o"
mc index "${BENCH[@]}" -o "$TMP/x.mcx" corpora/sample
expect_rc 2 "index with a corpus argument"
mc index --bench no/such/file.jsonl -o "$TMP/x.mcx"
expect_rc 2 "index of a missing benchmark"
mc index --help
expect_rc 0 "index --help"
mc index "${BENCH[@]}" -o "$TMP/no/such/dir/x.mcx"
expect_rc 3 "index into a missing directory"
check "unwritable: message names the file" grep -q "no/such/dir/x.mcx" "$TMP/err"

# ---- damaged and foreign files: exit 2, the file named, nothing written -------
refused() { # DESCRIPTION FILE [WORDS]
    mc scan --quiet --index "$2" -o "$TMP/bad" corpora/sample/web-000.jsonl.zst
    expect_rc 2 "$1"
    if grep -qF "$2" "$TMP/err" && { [ -z "${3:-}" ] || grep -q "$3" "$TMP/err"; } &&
        [ ! -e "$TMP/bad" ]; then ok; else bad "$1: message: $(head -c 300 "$TMP/err")"; fi
}
SMALL=$TMP/small.mcx
mc index --quiet --bench tests/data/bench/malformed.jsonl --bench corpora/benchmarks/anatomy_test.csv.zst -o "$SMALL"
expect_rc 0 "small index"

# flip one byte at the start, middle and end of every section, and in the
# header and the table
pyq '
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
n = struct.unpack_from("<I", d, 20)[0]
spots = [0, 9, 13, 17, 21, 25, 33, 45, 64, 64 + 32 * n - 1]
for k in range(n):
    i, fl, off, size, el, r = struct.unpack_from("<IIQQII", d, 64 + 32 * k)
    if size:
        spots += [off, off + size // 2, off + size - 1]
for j, at in enumerate(spots):
    e = bytearray(d)
    e[at] ^= 0x10
    open("%s/flip-%03d-at-%d.mcx" % (sys.argv[2], j, at), "wb").write(e)
' "$SMALL" "$TMP"
nflip=0
for f in "$TMP"/flip-*.mcx; do
    refused "flipped byte ($(basename "$f"))" "$f"
    nflip=$((nflip + 1))
done
check "a flip in each of the 17 sections was tried" test "$nflip" -ge 60
size=$(stat -c %s "$SMALL")
for cut in 0 1 8 63 64 65 600 4096 $((size / 2)) $((size - 64)) $((size - 1)); do
    head -c "$cut" "$SMALL" > "$TMP/cut.mcx"
    refused "truncated at $cut" "$TMP/cut.mcx" "truncated"
done
patch() { # OFFSET FORMAT VALUE OUT
    pyq 'import struct,sys
d = bytearray(open(sys.argv[1],"rb").read())
struct.pack_into(sys.argv[3], d, int(sys.argv[2]), int(sys.argv[4], 0))
open(sys.argv[5],"wb").write(d)' "$SMALL" "$1" "$2" "$3" "$4"
}
patch 8 '<I' 2 "$TMP/v2.mcx"
refused "format version 2" "$TMP/v2.mcx" "format version 2; this medcheck reads version 1"
patch 0 '<B' 0x41 "$TMP/magic.mcx"
refused "wrong magic" "$TMP/magic.mcx" "not a medcheck index file"
patch 12 '<I' 0x0D0C0B0A "$TMP/endian.mcx"
refused "other byte order" "$TMP/endian.mcx" "big-endian machine"
patch 24 '<Q' 0x4000000000000000 "$TMP/huge.mcx"
refused "huge file size" "$TMP/huge.mcx" "truncated"
patch 80 '<Q' 0x7000000000000000 "$TMP/huge-section.mcx" # first section's size
refused "huge section size" "$TMP/huge-section.mcx"
cp corpora/benchmarks/anatomy_test.csv.zst "$TMP/not-an-index.mcx"
refused "a zstd file" "$TMP/not-an-index.mcx" "not a medcheck index file"
refused "a directory" "$TMP" "not a regular file"
refused "a missing file" "$TMP/missing.mcx" "cannot open"

# the near-duplicate detector is stored (optional sections 32-40) for the
# presets whose scans run the near pass, and gives the --bench results:
# pages of MedQA stems with every eighth word changed (as in near.sh) are
# near_duplicate either way; another --near-threshold rebuilds it
section_ids() { pyq 'import struct, sys
d = open(sys.argv[1], "rb").read()
print(" ".join(str(struct.unpack_from("<I", d, 64 + 32 * k)[0]) for k in range(struct.unpack_from("<I", d, 20)[0])))' "$1"; }
NEAR_IDS="32 33 34 35 36 37 38 39 40"
for preset in medcheck gpt3; do
    check "$preset: the index holds the near sections" grep -q "$NEAR_IDS" <(section_ids "$TMP/$preset.mcx")
done
for preset in palm llama2; do
    check "$preset: no near sections" test -z "$(section_ids "$TMP/$preset.mcx" | grep -w 32)"
done
NB=corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst
python3 - "$NB" "$TMP/near.jsonl" <<'PY'
import json, random, subprocess, sys
lines = subprocess.run(["zstd", "-dc", sys.argv[1]], capture_output=True,
                       check=True).stdout.decode().splitlines()
items = [json.loads(l) for l in lines]
rng = random.Random(7)
with open(sys.argv[2], "w") as f:
    picks = [i for i, it in enumerate(items) if len(it["question"].split()) >= 60][:20]
    for n, i in enumerate(picks):
        words = items[i]["question"].split()
        for k in range(rng.randrange(8), len(words), 8):
            words[k] = rng.choice(["banana", "orchestra", "velvet", "harbor", "lantern"])
        f.write(json.dumps({"id": "page-%d" % n, "text": "Study notes. " + " ".join(words)}) + "\n")
PY
mc index --quiet --bench "$NB" -o "$TMP/nq.mcx"
expect_rc 0 "index of MedQA"
for thr in 0.7 0.6; do
    mc scan --quiet --near-threshold "$thr" --bench "$NB" -o "$TMP/nq-bench-$thr" "$TMP/near.jsonl"
    expect_rc 0 "near pages: scan --bench (threshold $thr)"
    mc scan --quiet --near-threshold "$thr" --index "$TMP/nq.mcx" -o "$TMP/nq-index-$thr" "$TMP/near.jsonl"
    expect_rc 0 "near pages: scan --index (threshold $thr)"
    check "near pages, threshold $thr: --index gives the --bench results" \
        same_results "$TMP/nq-bench-$thr" "$TMP/nq-index-$thr" "$TMP/nq.mcx"
    check "near pages, threshold $thr: near_duplicate items found" pyq 'import json, sys
sys.exit(0 if json.load(open(sys.argv[1]))["counts"]["near_duplicate"] >= 5 else 1)' "$TMP/nq-index-$thr/summary.json"
done
mc index --quiet --preset gpt3 --bench "$NB" -o "$TMP/nq-gpt3.mcx"
mc scan --quiet --preset gpt3 --near on --bench "$NB" -o "$TMP/nq-gpt3-bench" "$TMP/near.jsonl"
mc scan --quiet --near on --index "$TMP/nq-gpt3.mcx" -o "$TMP/nq-gpt3-index" "$TMP/near.jsonl"
expect_rc 0 "near pages: gpt3 scan --index --near on"
check "near pages, gpt3 --near on: --index gives the --bench results" \
    same_results "$TMP/nq-gpt3-bench" "$TMP/nq-gpt3-index" "$TMP/nq-gpt3.mcx"

# the index replaces an existing file atomically
cp "$SMALL" "$TMP/replace.mcx"
mc index --quiet "${BENCH[@]}" -o "$TMP/replace.mcx"
expect_rc 0 "index over an existing file"
check "the new index replaced the old" cmp -s "$TMP/replace.mcx" "$IX"

finish

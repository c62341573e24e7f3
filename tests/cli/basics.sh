#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --version, --help, usage errors and exit statuses.
. "$(dirname "$0")/lib.sh"

mc --version
expect_rc 0 "--version"
check "--version prints 'medcheck X.Y.Z'" grep -Eqx 'medcheck [0-9]+\.[0-9]+\.[0-9]+' "$TMP/out"
mc --help
expect_rc 0 "--help"
check "--help names scan and demo" grep -q 'scan' "$TMP/out"
mc scan --help
expect_rc 0 "scan --help"
for opt in --bench --format --fields --preset --text-field --id-field --jobs --task \
    --shards-from --max-evidence --max-record-bytes --canary --redact-snippets --fail-on --quiet; do
    check "scan --help documents $opt" grep -q -- "$opt" "$TMP/out"
done
mc
expect_rc 2 "no command"
mc frobnicate
expect_rc 2 "unknown command"
mc merge "$TMP/no-such-part" -o "$TMP/m"
expect_rc 2 "merge of a part that does not exist"
mc query --sketch x -o y
expect_rc 2 "command of a later version"
mc audit --bench "$TMP/no-such-benchmark.jsonl" -o "$TMP/a"
expect_rc 2 "audit of a benchmark file that does not exist"
mc scan -o "$TMP/x" corpora/sample
expect_rc 2 "scan without --bench"
check "says why" grep -q -- '--bench' "$TMP/err"
mc scan --bench corpora/benchmarks/dev.json.zst corpora/sample
expect_rc 2 "scan without -o"
mc scan --bench corpora/benchmarks/dev.json.zst -o "$TMP/x" --preset nope corpora/sample
expect_rc 2 "bad preset"
mc scan --bench corpora/benchmarks/dev.json.zst -o "$TMP/x" --task 3/3 corpora/sample
expect_rc 2 "bad --task"
mc scan --bench corpora/benchmarks/dev.json.zst -o "$TMP/x" --max-evidence x corpora/sample
expect_rc 2 "bad number"
mc scan --bench "$TMP/missing.jsonl" -o "$TMP/x" corpora/sample
expect_rc 2 "missing benchmark file"
check "names the file" grep -q "missing.jsonl" "$TMP/err"
check "nothing written on usage errors" test ! -e "$TMP/x"

# --fail-on contaminated: exit 1 when something is found
mc scan --quiet --fail-on contaminated --bench corpora/benchmarks/dev.json.zst -o "$TMP/f" corpora/sample
expect_rc 1 "--fail-on contaminated with findings"
mc scan --quiet --fail-on contaminated --bench corpora/benchmarks/dev.json.zst -o "$TMP/g" corpora/malformed/bad-lines.jsonl
expect_rc 0 "--fail-on contaminated without findings"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# medcheck nightly: the sequence run -> add shards -> run -> corrupt a shard
# -> run -> repair -> run -> kill -9 mid-run -> run, each step checking
# exactly which shards the state records and which new flags appear; the
# lock (a second run exits 2 at once); bad configs (exit 2, file and line).
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "skip: no sqlite3 CLI"; exit 77; }

W=$TMP/w
mkdir -p "$W/sh"
BENCH=$(for f in corpora/benchmarks/*.zst; do printf '  - %s\n' "$ROOT/$f"; done)
cat >"$W/nightly.yaml" <<YAML
# nightly test config
benchmark:
$BENCH
shards:
  - sh/*
state: state.db
out: out
scan:
  jobs: 2
  max-evidence: 3
YAML
CFG=nightly.yaml  # relative: shard locations are recorded as sh/...
DB=$W/state.db
q() { sqlite3 "$DB" "$1"; }

# contaminated KEYS of a plain scan of the given shards (sorted)
expected() {
    local d=$TMP/exp.$RANDOM
    mc scan $(sample_bench) -j 2 --max-evidence 3 -o "$d" "$@"
    pyq 'import json,sys
for l in open(sys.argv[1]):
    o=json.loads(l)
    if o["contaminated"]: print(o["key"])' "$d/items.jsonl" | sort
}
# keys of a JSONL file (sorted)
keys() { pyq 'import json,sys
for l in open(sys.argv[1]): print(json.loads(l)["key"])' "$1" | sort; }
last_run() { ls -d "$W"/out/runs/*Z | tail -n 1; }
# shards a run scanned, as recorded in its shards.jsonl
run_shards() { pyq 'import json,sys
for l in open(sys.argv[1]): o=json.loads(l); print(o["shard"], o["status"])' "$1/shards.jsonl"; }
nightly() { mc nightly --config "$CFG"; }

cd "$W" || exit 1
# The absolute benchmark paths are the item keys; scans run from $W too.
cp "$ROOT"/corpora/sample/web-000.jsonl.zst "$ROOT"/corpora/sample/pubmed-000.jsonl sh/
# (expected() uses sample_bench, relative to ROOT: give it absolute paths)
sample_bench() { local f; for f in "$ROOT"/corpora/benchmarks/*.zst; do printf -- '--bench\n%s\n' "$f"; done; }

# 1. first run: both shards scanned, new flags = their contaminated items
E1=$(expected sh/web-000.jsonl.zst sh/pubmed-000.jsonl)
nightly
expect_rc 1 "first run finds new items"
R1=$(last_run)
check "run 1 new flags = contaminated items" [ "$(keys "$R1/new_flags.jsonl")" = "$E1" ]
check "flags.jsonl = run 1 flags" [ "$(keys out/flags.jsonl)" = "$E1" ]
check "run 1 scanned both" [ "$(run_shards "$R1")" = "$(printf 'sh/pubmed-000.jsonl ok\nsh/web-000.jsonl.zst ok')" ]
check "state: 2 shards ok" [ "$(q "select location,status from shards order by 1")" = \
    "$(printf 'sh/pubmed-000.jsonl|ok\nsh/web-000.jsonl.zst|ok')" ]
check "some flags" [ -n "$E1" ]

# 2. add shards: only they are scanned; new flags = what they add
cp "$ROOT"/corpora/sample/web-001.json.gz "$ROOT"/corpora/sample/notes-000.txt sh/
E2all=$(expected sh/web-001.json.gz sh/notes-000.txt)
E2=$(comm -23 <(echo "$E2all") <(echo "$E1") | sed '/^$/d')
check "the added shards hold items not flagged before" [ -n "$E2" ]
sleep 1
nightly
if [ -n "$E2" ]; then expect_rc 1 "run 2 (new items)"; else expect_rc 0 "run 2 (no new items)"; fi
R2=$(last_run)
check "run 2 scanned only the added shards" [ "$(run_shards "$R2")" = \
    "$(printf 'sh/notes-000.txt ok\nsh/web-001.json.gz ok')" ]
check "run 2 new flags = items of the added shards not flagged before" \
    [ "$(keys "$R2/new_flags.jsonl")" = "$E2" ]
check "state: 4 shards ok" [ "$(q "select count(*) from shards where status='ok'")" = 4 ]
check "flags.jsonl = union" [ "$(keys out/flags.jsonl)" = "$(printf '%s\n%s\n' "$E1" "$E2" | sed '/^$/d' | sort)" ]
check "first_shard of run-2 flags is an added shard" [ -z "$(q "select key from flags where first_run=2 and first_shard not in ('sh/web-001.json.gz','sh/notes-000.txt')")" ]

# 3. corrupt one shard: it fails, exit 3, not recorded as ok
head -c 100000 "$ROOT"/corpora/sample/web-000.jsonl.zst >sh/web-000.jsonl.zst
sleep 1
nightly
expect_rc 3 "run 3 (corrupt shard)"
R3=$(last_run)
check "run 3 scanned only the corrupt shard" [ "$(run_shards "$R3")" = "sh/web-000.jsonl.zst failed" ]
check "state: corrupt shard failed" [ "$(q "select status from shards where location='sh/web-000.jsonl.zst'")" = failed ]
check "state: error recorded" [ -n "$(q "select error from shards where location='sh/web-000.jsonl.zst'")" ]
check "run 3: no new flags" [ ! -s "$R3/new_flags.jsonl" ]
check "state: 3 ok" [ "$(q "select count(*) from shards where status='ok'")" = 3 ]

# 4. repair it: rescanned, ok, nothing new (its items were flagged in run 1)
cp "$ROOT"/corpora/sample/web-000.jsonl.zst sh/
sleep 1
nightly
expect_rc 0 "run 4 (repaired)"
R4=$(last_run)
check "run 4 rescanned the repaired shard" [ "$(run_shards "$R4")" = "sh/web-000.jsonl.zst ok" ]
check "state: 4 ok" [ "$(q "select count(*) from shards where status='ok'")" = 4 ]
check "run 4: no new flags" [ ! -s "$R4/new_flags.jsonl" ]
NFLAGS=$(q "select count(*) from flags")

# 5. kill -9 mid-run: a FIFO shard that is fed slowly keeps the run busy
cp "$ROOT"/corpora/sample/web-001.json.gz sh/web-002.json.gz
mkfifo sh/zz-slow.jsonl
sleep 1
${MC_WRAPPER:-} "$MEDCHECK" nightly --config "$CFG" >"$TMP/bg.out" 2>"$TMP/bg.err" &
BG=$!
( head -n 3 "$ROOT"/corpora/sample/pubmed-000.jsonl; sleep 60 ) >sh/zz-slow.jsonl &
FEED=$!
# wait until the run is recorded as started (it then blocks on the FIFO)
for _ in $(seq 1200); do
    [ "$(q "select count(*) from runs where status='running'" 2>/dev/null)" = 1 ] && break
    sleep 0.1
done
sleep 1
# the lock: a second run exits 2 at once while the first holds the state
START=$(date +%s)
nightly
expect_rc 2 "second run on a locked state"
check "lock message" grep -q "locked by another nightly run" "$TMP/err"
# (at once: well under the time a run takes; valgrind makes startup slow)
check "second run exits at once" [ $(($(date +%s) - START)) -le "$([ -n "${MC_WRAPPER:-}" ] && echo 30 || echo 3)" ]
check "first run is mid-run when killed" [ "$(q "select count(*) from runs where status='running'")" = 1 ]
check "first run still running" kill -0 "$BG"
kill -9 "$BG"
wait "$BG" 2>/dev/null
kill "$FEED" 2>/dev/null
wait "$FEED" 2>/dev/null
check "killed run: nothing recorded" [ "$(q "select count(*) from shards")" = 4 ]
check "killed run: flags unchanged" [ "$(q "select count(*) from flags")" = "$NFLAGS" ]
check "killed run: left as running" [ "$(q "select status from runs order by id desc limit 1")" = running ]
# the FIFO becomes a regular file; the next run redoes both unfinished shards
rm sh/zz-slow.jsonl
cp "$ROOT"/corpora/sample/pubmed-000.jsonl sh/zz-slow.jsonl
sleep 1
nightly
expect_rc 0 "run after kill -9"
R6=$(last_run)
check "unfinished shards redone" [ "$(run_shards "$R6")" = \
    "$(printf 'sh/web-002.json.gz ok\nsh/zz-slow.jsonl ok')" ]
check "state: 6 shards ok, none twice" [ "$(q "select count(*), count(distinct location) from shards where status='ok'")" = "6|6" ]
check "no new flags (copies of scanned shards)" [ ! -s "$R6/new_flags.jsonl" ]
check "flags not duplicated" [ "$(keys out/flags.jsonl | uniq -d)" = "" ]
check "flags.jsonl = all flags" [ "$(keys out/flags.jsonl)" = "$(printf '%s\n%s\n' "$E1" "$E2" | sed '/^$/d' | sort)" ]
check "no scan temporaries left" [ -z "$(compgen -G "out/runs/*.tmp-*")" ]
check "runs recorded" [ "$(q "select group_concat(status) from runs")" = "done,done,done,done,running,done" ]
nightly
expect_rc 0 "nothing to do"
check "nothing scanned" [ "$(q "select shards_planned from runs order by id desc limit 1")" = 0 ]

# 6. bad configs: exit 2, naming the file and line
bad() { printf '%s\n' "$@" >"$TMP/bad.yaml"; mc nightly --config "$TMP/bad.yaml"; }
bad "benchmark: [$ROOT/corpora/benchmarks/dev.json.zst]" "shards: [sh]" "state: s.db" \
    "out: o" "bogus: 1"
expect_rc 2 "unknown key"
check "unknown key named with line" grep -q "bad.yaml:5: unknown key 'bogus'" "$TMP/err"
bad "benchmark: [$ROOT/corpora/benchmarks/dev.json.zst]" "shards: [sh]" "state: s.db" \
    "out: o" "scan:" "  jobs: 1" "  max-evidnce: 2"
expect_rc 2 "unknown scan option"
check "unknown scan option named with line" grep -q "bad.yaml:7: unknown scan option 'max-evidnce'" "$TMP/err"
bad "shards: [sh]" "state: s.db" "out: o"
expect_rc 2 "no benchmark"
check "no benchmark named" grep -q "bad.yaml:1: no 'benchmark'" "$TMP/err"
bad "benchmark:" "  - $TMP/nope.jsonl" "shards: [sh]" "state: s.db" "out: o"
expect_rc 2 "missing benchmark file"
check "missing benchmark file named with line" grep -q "bad.yaml:2: benchmark file $TMP/nope.jsonl" "$TMP/err"
bad "benchmark: [a" "shards: [sh]"
expect_rc 2 "bad YAML"
check "bad YAML with line" grep -q "bad.yaml:2: bad YAML" "$TMP/err"
mc nightly
expect_rc 2 "no --config"
finish

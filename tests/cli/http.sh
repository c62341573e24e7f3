#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# http(s) shards against real servers on 127.0.0.1: nginx (plain and TLS)
# for the normal path, and tests/cli/http_fault_server.py for dropped
# connections, stalls, wrong lengths, error statuses, redirects, Range not
# honoured and extra headers. Results over http must be byte-identical to
# the same files scanned from disk. Without nginx the fault tests still run
# and the script exits 77 (skipped) if they pass.
. "$(dirname "$0")/lib.sh"
mapfile -t B < <(sample_bench)
B1=(--bench corpora/benchmarks/dev.json.zst)
SHARDS=(web-000.jsonl.zst web-001.json.gz pubmed-000.jsonl notes-000.txt)
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset MEDCHECK_HTTP_HEADERS MEDCHECK_HTTP_RETRIES MEDCHECK_HTTP_TIMEOUT MEDCHECK_HTTP_BACKOFF_MS
# quick retries unless a test says otherwise
export MEDCHECK_HTTP_BACKOFF_MS=50

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

mc scan --quiet "${B1[@]}" -o "$TMP/probe" http://127.0.0.1:9/x
if grep -q "without libcurl" "$TMP/err"; then
    echo "skip: medcheck was built without libcurl"
    exit 77
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {
    python3 - "$1" <<'PY'
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# The local reference: every sample shard scanned from disk.
LOCAL=()
for s in "${SHARDS[@]}"; do LOCAL+=("corpora/sample/$s"); done
mc scan --quiet "${B[@]}" -o "$TMP/local" "${LOCAL[@]}"
expect_rc 0 "local reference scan"

# same_as_local DIR PREFIX [LOCALDIR]: DIR's results, with the URL PREFIX
# of each shard replaced by corpora/sample/, are byte-identical to LOCALDIR's.
same_as_local() {
    pyq '
import json, sys
d, prefix, ref = sys.argv[1], sys.argv[2], sys.argv[3]
def text(p, fix):
    t = open(p, encoding="utf-8").read()
    return t.replace(prefix, "corpora/sample/") if fix else t
for f in ("items.jsonl", "shards.jsonl", "shard_results.jsonl", "shard_list.txt"):
    a, b = text(d + "/" + f, True), text(ref + "/" + f, False)
    assert a == b, f
sa = json.loads(text(d + "/summary.json", True))
sb = json.loads(text(ref + "/summary.json", False))
for s in (sa, sb):  # the list hash is of the names, which differ
    del s["command"], s["elapsed_s"], s["shard_list"]["xxh64"]
assert sa == sb, "summary.json"
rows = [json.loads(l) for l in open(d + "/shards.jsonl")]
assert all(r["status"] == "ok" and r["shard"].startswith(prefix) for r in rows), rows
' "$1" "$2" "${3:-$TMP/local}"
}

# shard_field DIR N KEY: field KEY of the N-th line of DIR/shards.jsonl
shard_field() {
    pyq 'import json, sys
print(json.loads(open(sys.argv[1] + "/shards.jsonl").readlines()[int(sys.argv[2])])[sys.argv[3]])' "$@"
}

# ---------------------------------------------------------------- fault server
mkdir -p "$TMP/fault"
python3 tests/cli/http_fault_server.py corpora "$TMP/fault/port" "$TMP/fault/log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/fault/port" ] && break; sleep 0.05; done
FP=$(cat "$TMP/fault/port")
F=http://127.0.0.1:$FP

# fault_urls SPEC: the sample shards at /SPEC/sample/...
fault_urls() {
    local s
    for s in "${SHARDS[@]}"; do echo "$F/$1/sample/$s"; done
}
# scan_fault SPEC [ENV=VALUE...]: scan the sample shards through SPEC into $TMP/SPEC
scan_fault() {
    local spec=$1; shift
    mapfile -t U < <(fault_urls "$spec")
    # shellcheck disable=SC2086
    env "$@" ${MC_WRAPPER:-} "$MEDCHECK" scan --quiet "${B[@]}" -o "$TMP/$spec" "${U[@]}" \
        >"$TMP/out" 2>"$TMP/err"
    RC=$?
}
requests() { grep -c "^/$1/" "$TMP/fault/log"; }
ranged() { grep "^/$1/" "$TMP/fault/log" | awk -F'\t' -v s="$2" '$2 != "-" && $3 == s' | wc -l; }

scan_fault -
expect_rc 0 "plain transfer"
check "plain transfer: results identical to the local files" same_as_local "$TMP/-" "$F/-/sample/"

# connection reset every 100 kB: resumed with Range requests
scan_fault drop=100000
expect_rc 0 "reset every 100 kB"
check "resumed transfers: results identical to the local files" \
    same_as_local "$TMP/drop=100000" "$F/drop=100000/sample/"
check "resumed with Range requests answered 206" test "$(ranged drop=100000 206)" -ge 4

# dropped once, then Range ignored (200 with the whole body): bytes skipped
scan_fault dropfirst=70000,norange
expect_rc 0 "Range not honoured"
check "Range not honoured: results identical" \
    same_as_local "$TMP/dropfirst=70000,norange" "$F/dropfirst=70000,norange/sample/"
check "Range not honoured: the resume got a 200" test "$(ranged dropfirst=70000,norange 200)" -ge 2

# dropped once, then a 206 from the wrong offset: asked again without Range
scan_fault dropfirst=70000,badrange
expect_rc 0 "wrong Content-Range"
check "wrong Content-Range: results identical" \
    same_as_local "$TMP/dropfirst=70000,badrange" "$F/dropfirst=70000,badrange/sample/"

# chunked bodies (no Content-Length), dropped once
scan_fault chunked,dropfirst=70000
expect_rc 0 "chunked"
check "chunked and dropped: results identical" \
    same_as_local "$TMP/chunked,dropfirst=70000" "$F/chunked,dropfirst=70000/sample/"

# a 503 on the first request is retried
scan_fault statusfirst=503
expect_rc 0 "503 then ok"
check "503 then ok: results identical" \
    same_as_local "$TMP/statusfirst=503" "$F/statusfirst=503/sample/"

# a stall (nothing for 30 s) times out and resumes
scan_fault stallfirst=50000 MEDCHECK_HTTP_TIMEOUT=2
expect_rc 0 "stall then resume"
check "stall then resume: results identical" \
    same_as_local "$TMP/stallfirst=50000" "$F/stallfirst=50000/sample/"

# a redirect to the same server is followed
mapfile -t U < <(fault_urls -)
R=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' \
    "$F/-/sample/web-000.jsonl.zst")
mc scan --quiet "${B[@]}" -o "$TMP/redir" "$F/redirect=$R/sample/web-000.jsonl.zst" \
    "${U[@]:1}"
expect_rc 0 "redirect followed"
check "redirect followed: same verdicts" pyq '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert [(x["key"], x["status"], x["score"]) for x in a] == [(x["key"], x["status"], x["score"]) for x in b]
' "$TMP/redir/items.jsonl" "$TMP/local/items.jsonl"

# failures: each is a failed shard with the status or curl error, the URL
# and the byte offset; the other shard is still scanned and the exit is 3
# fail_case NAME URL PATTERN [ENV=VALUE...]
fail_case() {
    local name=$1 url=$2 pat=$3; shift 3
    # shellcheck disable=SC2086
    env "$@" ${MC_WRAPPER:-} "$MEDCHECK" scan --quiet "${B1[@]}" -o "$TMP/f" "$url" \
        corpora/sample/pubmed-000.jsonl >"$TMP/out" 2>"$TMP/err"
    RC=$?
    expect_rc 3 "$name: exit 3"
    local st err ok2
    st=$(shard_field "$TMP/f" 0 status)
    err=$(shard_field "$TMP/f" 0 error)
    ok2=$(shard_field "$TMP/f" 1 status)
    if [ "$st" = failed ] && [ "$ok2" = ok ] && [[ $err == "$url: "* ]] &&
        [[ $err =~ $pat ]] && [[ $err == *"byte offset"* ]]; then
        ok
    else
        bad "$name: status $st / $ok2, error: $err (wanted /$pat/)"
    fi
    check "$name: the error is on stderr" grep -qF "$url" "$TMP/err"
}
fail_case "404" "$F/status=404/sample/web-000.jsonl.zst" "HTTP 404 at byte offset 0$"
check "404 is not retried" test "$(requests status=404)" -eq 1
fail_case "500 after retries" "$F/status=500/sample/web-000.jsonl.zst" \
    "HTTP 500 at byte offset 0 after 3 attempts" MEDCHECK_HTTP_RETRIES=2
check "500 is retried" test "$(requests status=500)" -eq 3
fail_case "slow response" "$F/slowhead=4/sample/web-000.jsonl.zst" \
    "curl error 28 .* at byte offset 0 after 2 attempts" MEDCHECK_HTTP_TIMEOUT=1 \
    MEDCHECK_HTTP_RETRIES=1
fail_case "Content-Length larger than the body" "$F/clplus=1000/sample/web-000.jsonl.zst" \
    "at byte offset 264000 after" MEDCHECK_HTTP_RETRIES=2
fail_case "shard changed during a resume" "$F/dropfirst=70000,etagchange/sample/web-000.jsonl.zst" \
    "ETag changed during the transfer at byte offset 70000"
fail_case "redirect to file://" "$F/redirect=file%3A%2F%2F%2Fetc%2Fpasswd/sample/web-000.jsonl.zst" \
    "redirect to a file: URL refused"
fail_case "redirect to ftp://" "$F/redirect=ftp%3A%2F%2F127.0.0.1%2Fx/sample/web-000.jsonl.zst" \
    "redirect to a ftp: URL refused"
fail_case "connection refused" "http://127.0.0.1:$(free_port)/x.jsonl" "curl error 7 " \
    MEDCHECK_HTTP_RETRIES=1

# extra headers: from a file or the environment, never printed, and not
# sent to another origin after a redirect
printf '# token for the test server\n\nX-Test-Token: let-me-in\r\n' >"$TMP/headers"
AUTH=$F/auth,id=1/sample/web-000.jsonl.zst
fail_case "no token" "$AUTH" "HTTP 401"
mc scan --quiet "${B1[@]}" --http-header-file "$TMP/headers" -o "$TMP/h1" "$AUTH"
expect_rc 0 "token from --http-header-file"
MEDCHECK_HTTP_HEADERS=$'X-Other: 1\nX-Test-Token: let-me-in' \
    mc scan --quiet "${B1[@]}" -o "$TMP/h2" "$F/auth,id=2/sample/web-000.jsonl.zst"
expect_rc 0 "token from MEDCHECK_HTTP_HEADERS"
R=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' \
    "http://localhost:$FP/auth,id=3/sample/web-000.jsonl.zst")
fail_case "no token for another origin" "$F/redirect=$R/sample/web-000.jsonl.zst" "HTTP 401" \
    MEDCHECK_HTTP_HEADERS="X-Test-Token: let-me-in"
check "the token went to its own origin only" \
    test "$(grep -c $'^/auth,id=3/.*\ttoken$' "$TMP/fault/log")" -eq 0
check "the token is in no output" \
    bash -c "! grep -rq let-me-in '$TMP/h1' '$TMP/h2' '$TMP/f' '$TMP/err' '$TMP/out'"

# usage errors: bad header lines, a missing CA file, other schemes
printf 'X-Ok: 1\nnot a header\n' >"$TMP/badheaders"
mc scan --quiet "${B1[@]}" --http-header-file "$TMP/badheaders" -o "$TMP/u" "$AUTH"
expect_rc 2 "bad header file"
check "bad header file: the line is named" grep -q "line 2" "$TMP/err"
printf 'X-Secret: hunter2\r\nRange: bytes=0-\n' >"$TMP/badheaders"
mc scan --quiet "${B1[@]}" --http-header-file "$TMP/badheaders" -o "$TMP/u" "$AUTH"
expect_rc 2 "Range in the header file"
check "header values are never printed" bash -c "! grep -q hunter2 '$TMP/err'"
MEDCHECK_HTTP_HEADERS=$'X-A: 1\r\nX-B: 2\x01' mc scan --quiet "${B1[@]}" -o "$TMP/u" "$AUTH"
expect_rc 2 "control byte in MEDCHECK_HTTP_HEADERS"
mc scan --quiet "${B1[@]}" --ca-file "$TMP/nope.pem" -o "$TMP/u" "$AUTH"
expect_rc 2 "missing --ca-file"
mc scan --quiet "${B1[@]}" -o "$TMP/u" ftp://127.0.0.1/x.jsonl
expect_rc 2 "ftp:// argument"

# --shards-from with URLs and paths mixed
{
    echo "# mixed list"
    echo "$F/-/sample/web-000.jsonl.zst"
    echo "$ROOT/corpora/sample/web-001.json.gz"
    echo "$F/-/sample/pubmed-000.jsonl"
    echo "$ROOT/corpora/sample/notes-000.txt"
} >"$TMP/list.txt"
mc scan --quiet "${B[@]}" -o "$TMP/list" --shards-from "$TMP/list.txt"
expect_rc 0 "--shards-from with URLs"
check "--shards-from with URLs: same verdicts and shard names" pyq '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1] + "/items.jsonl")]
b = [json.loads(l) for l in open(sys.argv[2] + "/items.jsonl")]
assert [(x["key"], x["status"], x["score"]) for x in a] == [(x["key"], x["status"], x["score"]) for x in b]
sh = [json.loads(l)["shard"] for l in open(sys.argv[1] + "/shards.jsonl")]
assert sh[0].startswith("http://") and sh[1].startswith("/") and sh[2].startswith("http://"), sh
' "$TMP/list" "$TMP/local"

# --shards-from a list served over http (nightly's @URL): absolute URLs, a
# local path, and an entry relative to the list's URL
mkdir -p "$TMP/lists"
cp corpora/sample/pubmed-000.jsonl "$TMP/lists/rel-pubmed.jsonl"
{
    echo "# list at a URL"
    echo "$F/-/sample/web-000.jsonl.zst"
    echo "$ROOT/corpora/sample/web-001.json.gz"
    echo ""
    echo "rel-pubmed.jsonl"
    echo "$ROOT/corpora/sample/notes-000.txt"
} | gzip >"$TMP/lists/list.txt.gz"
python3 tests/cli/http_fault_server.py "$TMP/lists" "$TMP/lists.port" "$TMP/lists.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/lists.port" ] && break; sleep 0.1; done
L="http://127.0.0.1:$(cat "$TMP/lists.port")/-"
mc scan --quiet "${B[@]}" -o "$TMP/urllist" --shards-from "$L/list.txt.gz"
expect_rc 0 "--shards-from URL (a gzip list)"
check "--shards-from URL: same verdicts, shard names from the list" pyq '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1] + "/items.jsonl")]
b = [json.loads(l) for l in open(sys.argv[2] + "/items.jsonl")]
assert [(x["key"], x["status"], x["score"]) for x in a] == [(x["key"], x["status"], x["score"]) for x in b]
sh = [json.loads(l)["shard"] for l in open(sys.argv[1] + "/shards.jsonl")]
assert sh[2].startswith("http://") and sh[2].endswith("/-/rel-pubmed.jsonl"), sh
' "$TMP/urllist" "$TMP/local"
mc scan --quiet "${B[@]}" -o "$TMP/urllist2" --shards-from "$L/no-such-list.txt"
expect_rc 2 "--shards-from URL that does not exist"
check "--shards-from URL: the error names the URL" grep -q "no-such-list.txt" "$TMP/err"

# SIGINT while waiting on a stalled server: prompt exit 130, incomplete results
# shellcheck disable=SC2086
${MC_WRAPPER:-} "$MEDCHECK" scan --quiet "${B1[@]}" -o "$TMP/int" \
    "$F/stallfirst=1000,id=int/sample/web-000.jsonl.zst" >/dev/null 2>&1 &
MPID=$!
for _ in $(seq 200); do grep -q "id=int" "$TMP/fault/log" && break; sleep 0.1; done
sleep 0.5
t0=$(date +%s)
kill -INT "$MPID"
wait "$MPID"
RC=$?
expect_rc 130 "SIGINT during a stalled transfer"
check "SIGINT is handled within 5 s" test $(($(date +%s) - t0)) -le 5
check "interrupted results are marked incomplete" grep -q '"complete": *false' "$TMP/int/summary.json"

# ---------------------------------------------------------------- nginx
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null)
if [ -z "$NGINX" ]; then
    echo "skip: nginx is not installed (apt-get install nginx-light); the fault tests ran"
    finish || exit 1
    exit 77
fi
N=$TMP/nginx
mkdir -p "$N/www/sample" "$N/tmp"
cp "${LOCAL[@]}" "$N/www/sample/"
NP=$(free_port)
SP=$(free_port)
TLS=""
if command -v openssl >/dev/null &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$N/key.pem" -out "$N/cert.pem" >/dev/null 2>&1; then
    TLS="server { listen 127.0.0.1:$SP ssl; ssl_certificate $N/cert.pem;
                  ssl_certificate_key $N/key.pem; root $N/www; }"
fi
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root root;"
cat >"$N/nginx.conf" <<EOF
$USER_LINE
daemon off;
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log;
events { worker_connections 64; }
http {
    access_log $N/access.log;
    client_body_temp_path $N/tmp/body;
    proxy_temp_path $N/tmp/proxy;
    fastcgi_temp_path $N/tmp/fastcgi;
    uwsgi_temp_path $N/tmp/uwsgi;
    scgi_temp_path $N/tmp/scgi;
    default_type application/octet-stream;
    sendfile on;
    server { listen 127.0.0.1:$NP; root $N/www; }
    $TLS
}
EOF
"$NGINX" -p "$N" -e "$N/error.log" -c "$N/nginx.conf" &
PIDS+=($!)
if ! wait_port "$NP"; then
    bad "nginx did not start: $(cat "$N/error.log")"
    finish
    exit 1
fi

NU=()
for s in "${SHARDS[@]}"; do NU+=("http://127.0.0.1:$NP/sample/$s"); done
mc scan --quiet "${B[@]}" -o "$TMP/ng" "${NU[@]}"
expect_rc 0 "nginx"
check "nginx: results identical to the local files" \
    same_as_local "$TMP/ng" "http://127.0.0.1:$NP/sample/"
mc scan --quiet -j 1 "${B[@]}" -o "$TMP/ng1" "${NU[@]}"
check "nginx with -j 1: results identical" same_as_local "$TMP/ng1" "http://127.0.0.1:$NP/sample/"

mc scan --quiet "${B1[@]}" -o "$TMP/ng404" "http://127.0.0.1:$NP/sample/missing.jsonl" \
    "${NU[@]:2:1}"
expect_rc 3 "nginx 404"
check "nginx 404: failed with the status" test \
    "$(shard_field "$TMP/ng404" 0 error)" = "http://127.0.0.1:$NP/sample/missing.jsonl: HTTP 404 at byte offset 0"

if [ -n "$TLS" ] && wait_port "$SP"; then
    SU=()
    for s in "${SHARDS[@]}"; do SU+=("https://127.0.0.1:$SP/sample/$s"); done
    mc scan --quiet "${B[@]}" --ca-file "$N/cert.pem" -o "$TMP/tls" "${SU[@]}"
    expect_rc 0 "https with --ca-file"
    check "https: results identical" same_as_local "$TMP/tls" "https://127.0.0.1:$SP/sample/"
    mc scan --quiet "${B1[@]}" -o "$TMP/tlsbad" "${SU[0]}"
    expect_rc 3 "https without the CA: verification fails"
    check "https without the CA: a certificate error" \
        grep -q "curl error 60" "$TMP/tlsbad/shards.jsonl"
    mc scan --quiet "${B1[@]}" --ca-file "$N/cert.pem" -o "$TMP/tlshost" \
        "https://localhost:$SP/sample/${SHARDS[0]}"
    expect_rc 0 "https by a name in the certificate"
else
    echo "note: openssl or nginx ssl missing: https not tested"
fi
finish

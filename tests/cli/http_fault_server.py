#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A small HTTP/1.1 server that misbehaves on request, for tests/cli/http.sh.

    http_fault_server.py ROOT PORTFILE LOGFILE

serves files under ROOT on 127.0.0.1 (a free port, written to PORTFILE) at
/SPEC/PATH, where SPEC is "-" or comma-separated faults, each NAME or
NAME=VALUE (VALUE percent-encoded):

    drop=N        every response stops after N body bytes (connection reset)
    dropfirst=N   only the first request of this URL stops after N bytes (FIN)
    norange       Range is ignored: always 200 with the whole file
    badrange      a Range request gets a 206 that starts at byte 0
    stallfirst=N  the first request sends N bytes, then nothing for 30 s
    slowhead=S    wait S seconds before the status line
    clplus=K      declare K bytes more than the file has (and close after it)
    status=C      answer every request with status C
    statusfirst=C answer the first request of this URL with status C
    etagchange    a new ETag on every request
    redirect=URL  302 to URL
    chunked       Transfer-Encoding: chunked, no Content-Length
    auth          401 unless "X-Test-Token: let-me-in" is sent

Requests are counted per URL (SPEC and PATH), so a test names its own
URL with a distinct SPEC (e.g. a trailing "id=N"). Each request is logged
to LOGFILE as "PATH<TAB>RANGE<TAB>STATUS<TAB>TOKEN" (TOKEN: whether the
X-Test-Token header came).
"""
import email.utils
import http.server
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse

ROOT = os.path.abspath(sys.argv[1])
COUNTS = {}
LOCK = threading.Lock()
LOG = open(sys.argv[3], "a", buffering=1)


def parse_spec(spec):
    out = {}
    if spec == "-":
        return out
    for item in spec.split(","):
        name, _, value = item.partition("=")
        out[name] = urllib.parse.unquote(value)
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log(self, status):
        LOG.write("%s\t%s\t%s\t%s\n" % (self.path, self.headers.get("Range", "-"), status,
                                        "token" if self.headers.get("X-Test-Token") else "-"))

    def simple(self, status, body=b"", headers=()):
        self.log(status)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = self.path.split("/", 2)
        if len(parts) < 3:
            return self.simple(404, b"no spec\n")
        spec = parse_spec(parts[1])
        with LOCK:
            nth = COUNTS.get(self.path, 0)
            COUNTS[self.path] = nth + 1
        first = nth == 0
        if "slowhead" in spec:
            time.sleep(float(spec["slowhead"]))
        if "status" in spec:
            return self.simple(int(spec["status"]), b"fault\n")
        if "statusfirst" in spec and first:
            return self.simple(int(spec["statusfirst"]), b"fault\n")
        if "redirect" in spec:
            return self.simple(302, b"", [("Location", spec["redirect"])])
        if "auth" in spec and self.headers.get("X-Test-Token") != "let-me-in":
            return self.simple(401, b"token needed\n")
        path = os.path.normpath(os.path.join(ROOT, urllib.parse.unquote(parts[2])))
        if not path.startswith(ROOT + os.sep) or not os.path.isfile(path):
            return self.simple(404, b"not found\n")
        with open(path, "rb") as f:
            data = f.read()
        self.send_file(spec, first, nth, data, os.stat(path).st_mtime)

    def send_file(self, spec, first, nth, data, mtime):
        size = len(data)
        declared = size + int(spec.get("clplus", 0))
        etag = '"v%d"' % nth if "etagchange" in spec else '"%x-%x"' % (size, int(mtime))
        start, status = 0, 200
        rng = self.headers.get("Range")
        if rng and "norange" not in spec and rng.startswith("bytes="):
            a, _, _ = rng[6:].partition("-")
            start = int(a)
            if start >= declared:
                return self.simple(416, b"", [("Content-Range", "bytes */%d" % declared)])
            status = 206
            if "badrange" in spec:
                start = 0
        self.log(status)
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, declared - 1, declared))
        chunked = "chunked" in spec
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(declared - start))
        self.end_headers()
        body = data[start:]
        cut, how = None, None
        if "drop" in spec:
            cut, how = int(spec["drop"]), "reset"
        elif "dropfirst" in spec and first:
            cut, how = int(spec["dropfirst"]), "close"
        elif "stallfirst" in spec and first:
            cut, how = int(spec["stallfirst"]), "stall"
        elif "clplus" in spec:
            cut, how = len(body), "close"
        if cut is not None:
            body = body[:cut]
        try:
            if chunked:
                for i in range(0, len(body), 65536):
                    piece = body[i:i + 65536]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                if cut is None:
                    self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(body)
            self.wfile.flush()
            if how == "stall":
                time.sleep(30)
        except OSError:
            pass
        if how is not None:
            self.close_connection = True
            if how == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            else:
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up early are what this server is for


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, sys.argv[2])
    srv.serve_forever()


if __name__ == "__main__":
    main()

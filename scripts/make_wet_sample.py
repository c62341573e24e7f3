#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write Common Crawl WET files (WARC/1.0, one gzip member per record).

    python3 scripts/make_wet_sample.py [--external DIR] [--out DIR]
        rebuild the committed samples from the shared external data:
        corpora/wet/dolma-cc-00140.warc.wet.gz      100 real Common Crawl documents
        corpora/malformed/bad-records.warc.wet.gz    the same kind of file with broken records

    python3 scripts/make_wet_sample.py --convert IN.jsonl[.gz|.zst] OUT.warc.wet.gz \\
        [--text-field text] [--url-field url] [--date-field created]
        any JSONL corpus shard as a WET file, one conversion record per document
        (the tests use this to store corpora/sample in WET)

Python 3 standard library only (plus the `zstd` tool to read .zst input). The
output is byte-identical from run to run: gzip members carry no time stamp and
the record ids are UUIDv5 of the document's URL and position.

Layout, following the WARC/1.0 specification (ISO 28500:2009) and Common
Crawl's WET files: a `warcinfo` record, then per document a `conversion`
record with WARC-Target-URI, WARC-Date, WARC-Record-ID, WARC-Refers-To,
WARC-Block-Digest, Content-Type: text/plain and Content-Length (bytes of the
UTF-8 block), the block, and CRLF CRLF.  The record ids are made up here (the
Dolma test data kept no per-page record ids); WARC-Date is the page's fetch
time (Dolma's `created`).
"""
import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import uuid

CC_FILE = "dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
N_SAMPLE = 100          # documents 0..99 of CC_FILE -> corpora/wet/
MALFORMED_FROM = 100    # documents 100.. -> corpora/malformed/bad-records.warc.wet.gz
NS = uuid.UUID("6f0f7e4c-6d65-4463-6865-636b2d776574")  # medcheck's WET namespace
DEFAULT_DATE = "2019-07-17T12:15:59Z"


def record_id(*parts):
    return "<urn:uuid:%s>" % uuid.uuid5(NS, "\x1f".join(parts))


def block_digest(block):
    return "sha1:" + base64.b32encode(hashlib.sha1(block).digest()).decode()


def warc_record(fields, block, eol=b"\r\n", length=None):
    """One record: version line, fields, blank line, block, CRLF CRLF.
    `length` overrides Content-Length (to write broken records)."""
    head = [b"WARC/1.0"]
    for k, v in fields:
        head.append(("%s: %s" % (k, v)).encode())
    head.append(b"Content-Length: %d" % (len(block) if length is None else length))
    return eol.join(head) + eol + eol + block + eol + eol


def member(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def warcinfo(filename, description):
    block = ("software: medcheck scripts/make_wet_sample.py\r\n"
             "format: WARC File Format 1.0\r\n"
             "conformsTo: https://iipc.github.io/warc-specifications/specifications/"
             "warc-format/warc-1.0/\r\n"
             "description: %s\r\n" % description).encode()
    fields = [("WARC-Type", "warcinfo"), ("WARC-Date", DEFAULT_DATE),
              ("WARC-Filename", filename), ("WARC-Record-ID", record_id("warcinfo", filename)),
              ("Content-Type", "application/warc-fields")]
    return warc_record(fields, block)


def iso_date(s):
    """2019-07-17T13:39:42.000Z -> 2019-07-17T13:39:42Z (WARC-Date, W3C form)."""
    if not s:
        return DEFAULT_DATE
    return s[:19] + "Z"


def conversion(doc, pos, text_field="text", url_field="url", date_field="created", **kw):
    url = doc.get(url_field) or doc.get("metadata", {}).get("warc_url") or ""
    if "://" not in url:
        url = "http://" + url
    date = iso_date(doc.get(date_field))
    block = doc[text_field].encode("utf-8")
    fields = [("WARC-Type", kw.pop("wtype", "conversion")), ("WARC-Target-URI", url),
              ("WARC-Date", date), ("WARC-Record-ID", record_id(url, str(pos), "conversion")),
              ("WARC-Refers-To", record_id(url, str(pos), "response")),
              ("WARC-Block-Digest", block_digest(block)), ("Content-Type", "text/plain")]
    drop = kw.pop("drop", None)
    fields = [f for f in fields if f[0] != drop]
    return warc_record(fields, block, **kw)


def read_jsonl(path):
    if path.endswith(".zst"):
        raw = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    elif path.endswith(".gz"):
        raw = gzip.open(path).read()
    else:
        raw = open(path, "rb").read()
    return [json.loads(line) for line in raw.decode("utf-8").split("\n") if line.strip()]


def write(path, members):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        for m in members:
            f.write(m)
    return os.path.getsize(path)


def convert(src, dst, text_field, url_field, date_field):
    docs = read_jsonl(src)
    name = os.path.basename(dst)
    out = [member(warcinfo(name, "documents of %s as WET conversion records"
                           % os.path.basename(src)))]
    for i, d in enumerate(docs):
        out.append(member(conversion(d, i, text_field, url_field, date_field)))
    write(dst, out)
    return len(docs)


def malformed(docs):
    """Records 0..12 (warcinfo first). Documents: 1, 3, 5, 8, 10 (LF line ends) and
    11 (no WARC-Target-URI); bad: 2 (Content-Length 100 too long), 4 (no
    Content-Length), 6 (not a record), 9 (Content-Length half the block), 12 (cut by
    the end of the file); 7 is a response record, passed over."""
    d = docs
    resp_block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>not text</html>"
    response = warc_record([("WARC-Type", "response"),
                            ("WARC-Target-URI", "http://example.org/response"),
                            ("WARC-Date", DEFAULT_DATE),
                            ("WARC-Record-ID", record_id("response-record")),
                            ("Content-Type", "application/http; msgtype=response")], resp_block)
    cut = conversion(d[9], 9)
    return [
        member(warcinfo("bad-records.warc.wet.gz", "broken records for medcheck's reader tests")),
        member(conversion(d[0], 0)),                                      # 1 good
        member(conversion(d[1], 1, length=len(d[1]["text"].encode()) + 100)),  # 2 too long
        member(conversion(d[2], 2)),                                      # 3 good
        member(conversion(d[3], 3).replace(b"Content-Length:", b"Content-Lenght:", 1)),
        # 4 above: no Content-Length (misspelt)
        member(conversion(d[4], 4)),                                      # 5 good
        member(b"this line is not a WARC record\r\n\r\n"),                # 6 garbage
        member(response),                                                 # 7 response
        member(conversion(d[5], 5)),                                      # 8 good
        member(conversion(d[6], 6, length=len(d[6]["text"].encode()) // 2)),  # 9 too short
        member(conversion(d[7], 7, eol=b"\n")),                           # 10 good, LF only
        member(conversion(d[8], 8, wtype="conversion", drop="WARC-Target-URI")),  # 11 no URI
        member(cut[:len(cut) - 24]),                                      # 12 cut short
    ]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--external", default=os.path.join(root, "..", "shared", "data", "external"))
    ap.add_argument("--out", default=os.path.join(root, "corpora"))
    ap.add_argument("--convert", nargs=2, metavar=("IN", "OUT"))
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--url-field", default="url")
    ap.add_argument("--date-field", default="created")
    a = ap.parse_args()
    if a.convert:
        n = convert(a.convert[0], a.convert[1], a.text_field, a.url_field, a.date_field)
        print("%s: %d documents" % (a.convert[1], n), file=sys.stderr)
        return
    docs = read_jsonl(os.path.join(a.external, CC_FILE))
    name = "dolma-cc-00140.warc.wet.gz"
    out = [member(warcinfo(name, "the first %d documents of Common Crawl file "
                           "CC-MAIN-20190717121559-20190717143559-00140 as kept in the Dolma "
                           "test data (github allenai/dolma, Apache-2.0)" % N_SAMPLE))]
    for i, d in enumerate(docs[:N_SAMPLE]):
        out.append(member(conversion(d, i, url_field="warc_url")))
    size = write(os.path.join(a.out, "wet", name), out)
    print("wet/%s: %d documents, %d bytes" % (name, N_SAMPLE, size), file=sys.stderr)
    size = write(os.path.join(a.out, "malformed", "bad-records.warc.wet.gz"),
                 malformed(docs[MALFORMED_FROM:MALFORMED_FROM + 10]))
    print("malformed/bad-records.warc.wet.gz: %d bytes" % size, file=sys.stderr)


if __name__ == "__main__":
    main()

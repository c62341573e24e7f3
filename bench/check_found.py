#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compare a medcheck scan result with the items planted by make_shard.py.

usage: check_found.py PLANTED.tsv OUTDIR [--json]

Prints one line: planted items reported contaminated / planted, planted items
with any non-clean status, and contaminated items that were not planted
(typically items sharing text with a planted item; counted separately when all
their evidence lies in records that hold a planted item).
"""

import json
import os
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    planted = set()
    docs = set()
    with open(sys.argv[1], encoding="utf-8") as f:
        next(f)
        for line in f:
            fil, idx, doc = line.rstrip("\n").split("\t")
            planted.add((fil, int(idx)))
            docs.add(doc)

    found = nonclean = extra = extra_in_planted = 0
    status = {}
    with open(os.path.join(sys.argv[2], "items.jsonl"), encoding="utf-8") as f:
        for line in f:
            it = json.loads(line)
            src = it["source"]
            # the sidecar names files relative to the external data directory
            rel = "/".join(src.replace("\\", "/").split("/")[-2:])
            if rel.startswith("test/"):
                rel = "mmlu_hendrycks/" + rel
            key = (rel, it["index"])
            if key in planted:
                status[it["status"]] = status.get(it["status"], 0) + 1
                found += bool(it["contaminated"])
                nonclean += it["status"] != "clean"
            elif it["contaminated"]:
                extra += 1
                # text shared with a planted item: all evidence in planted records
                ev = it.get("evidence") or []
                extra_in_planted += bool(ev) and all(e.get("doc_id") in docs for e in ev)
    res = {"planted": len(planted), "found": found, "nonclean": nonclean,
           "extra_contaminated": extra,
           "extra_in_planted_docs": extra_in_planted, "planted_status": status}
    if "--json" in sys.argv:
        print(json.dumps(res))
    else:
        print("planted found (contaminated): %d/%d; non-clean: %d/%d; "
              "contaminated but not planted: %d (%d only in records with planted items); "
              "planted by status: %s"
              % (found, len(planted), nonclean, len(planted), extra, extra_in_planted,
                 ", ".join("%s %d" % kv for kv in sorted(status.items()))))


if __name__ == "__main__":
    main()

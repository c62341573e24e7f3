#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build a synthetic zstd JSONL shard for the medcheck scan benchmark.

Documents are real Common Crawl documents (dolma test files, Apache-2.0)
whose whitespace tokens are shuffled with a fresh random permutation for
every generated document, so that word n-grams practically never repeat
while the byte statistics (and so the zstd ratio) stay those of text.
Benchmark items (MedQA, MedMCQA, PubMedQA, MMLU medical) are planted once
each, at a random token position of a random generated document; the
planted items are listed in a sidecar TSV (<out>.planted.tsv).

Python 3 standard library only; deterministic for a given --seed.
"""

import argparse
import csv
import glob
import gzip
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_EXTERNAL = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "external"))

MEDQA = "medqa/US_4_options_phrases_no_exclude_test.jsonl"
MEDMCQA = "medmcqa/dev.json"
PUBMEDQA = "pubmedqa/ori_pqal.json"
MMLU_MEDICAL = [
    "anatomy", "clinical_knowledge", "college_biology", "college_medicine",
    "human_aging", "medical_genetics", "nutrition", "professional_medicine",
    "virology",
]


def mmlu_files():
    return ["mmlu_hendrycks/test/%s_test.csv" % s for s in MMLU_MEDICAL]


def load_sources(ext):
    """Real documents: the text of every record of dolma_tests/*.gz, deduplicated."""
    seen = set()
    docs = []
    for path in sorted(glob.glob(os.path.join(ext, "dolma_tests", "*.gz"))):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                text = rec.get("text") if isinstance(rec, dict) else None
                if not isinstance(text, str) or text in seen:
                    continue
                seen.add(text)
                toks = text.split()
                if len(toks) >= 30:
                    docs.append(toks)
    if not docs:
        sys.exit("make_shard: no source documents under %s/dolma_tests" % ext)
    return docs


def load_items(ext, rng, n_medqa, n_medmcqa, n_pubmedqa, n_mmlu):
    """[(file, index, text)] for a random sample of each benchmark."""
    items = []

    def sample(n, total):
        return sorted(rng.sample(range(total), min(n, total)))

    with open(os.path.join(ext, MEDQA), encoding="utf-8") as f:
        rows = [json.loads(l) for l in f if l.strip()]
    for i in sample(n_medqa, len(rows)):
        r = rows[i]
        opts = r["options"]
        vals = [opts[k] for k in sorted(opts)] if isinstance(opts, dict) else list(opts)
        items.append((MEDQA, i, r["question"] + " " + " ".join(vals)))

    with open(os.path.join(ext, MEDMCQA), encoding="utf-8") as f:
        rows = [json.loads(l) for l in f if l.strip()]
    for i in sample(n_medmcqa, len(rows)):
        r = rows[i]
        items.append((MEDMCQA, i, " ".join(
            [r["question"]] + [r[k] for k in ("opa", "opb", "opc", "opd") if r.get(k)])))

    with open(os.path.join(ext, PUBMEDQA), encoding="utf-8") as f:
        d = json.load(f)  # dict keeps file order: index = position
    vals = list(d.values())
    for i in sample(n_pubmedqa, len(vals)):
        v = vals[i]
        items.append((PUBMEDQA, i, v["QUESTION"] + " " + " ".join(v["CONTEXTS"])))

    mrows = []
    for rel in mmlu_files():
        with open(os.path.join(ext, rel), encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.reader(f)):
                if len(row) >= 6:
                    mrows.append((rel, i, " ".join(row[:5])))  # question + 4 choices
    for j in sample(n_mmlu, len(mrows)):
        items.append(mrows[j])
    return items


class Writer:
    """Writes JSONL lines into one or more `zstd -3 -T1` pipes."""

    def __init__(self, path, level):
        self.path = path
        self.f = open(path + ".tmp", "wb")
        self.p = subprocess.Popen(["zstd", "-%d" % level, "-T1", "-q", "-c"],
                                  stdin=subprocess.PIPE, stdout=self.f)
        self.buf = []
        self.nbuf = 0
        self.bytes = 0

    def write(self, b):
        self.buf.append(b)
        self.nbuf += len(b)
        self.bytes += len(b)
        if self.nbuf >= 1 << 22:
            self.flush()

    def flush(self):
        if self.buf:
            self.p.stdin.write(b"".join(self.buf))
            self.buf = []
            self.nbuf = 0

    def close(self):
        self.flush()
        self.p.stdin.close()
        if self.p.wait() != 0:
            sys.exit("make_shard: zstd failed for %s" % self.path)
        self.f.close()
        os.replace(self.path + ".tmp", self.path)


def split_name(out, k, n):
    base = out[:-len(".jsonl.zst")] if out.endswith(".jsonl.zst") else out
    return "%s.part%dof%d.jsonl.zst" % (base, k, n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--external", default=DEFAULT_EXTERNAL)
    ap.add_argument("--out", default=os.path.join(HERE, "data", "shard-200mb.jsonl.zst"))
    ap.add_argument("--mb", type=float, default=200.0, help="decompressed MB (10^6 bytes)")
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--level", type=int, default=3)
    ap.add_argument("--split", type=int, default=0,
                    help="also write the same records as N contiguous shards")
    ap.add_argument("--no-single", action="store_true",
                    help="with --split: do not write the single shard")
    ap.add_argument("--medqa", type=int, default=300)
    ap.add_argument("--medmcqa", type=int, default=300)
    ap.add_argument("--pubmedqa", type=int, default=200)
    ap.add_argument("--mmlu", type=int, default=300)
    a = ap.parse_args()

    t0 = time.time()
    rng = random.Random(a.seed)
    ext = a.external
    docs = load_sources(ext)
    items = load_items(ext, rng, a.medqa, a.medmcqa, a.pubmedqa, a.mmlu)
    target = int(a.mb * 1e6)

    # Where to plant: distinct generated documents spread over ~95% of the shard.
    mean_tok = sum(len(d) for d in docs) / len(docs)
    mean_bytes = sum(sum(len(t) + 1 for t in d) for d in docs) / len(docs) + 30
    est_docs = max(len(items) * 2, int(target / mean_bytes * 0.95))
    slots = rng.sample(range(est_docs), len(items))
    rng.shuffle(items)
    plant = dict(zip(slots, range(len(items))))
    pending = []  # planted items whose slot was not reached (tiny shards)

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    writers = []
    if not (a.split and a.no_single):
        writers.append(Writer(a.out, a.level))
    parts = [Writer(split_name(a.out, k, a.split), a.level) for k in range(a.split)]
    part_i = 0

    planted_rows = []
    total = 0
    n = 0
    shuffle = rng.shuffle
    randrange = rng.randrange
    ndocs = len(docs)
    dumps = json.dumps
    while True:
        if total >= target:
            if plant:  # slots past the end (tiny shards): plant in extra documents
                pending.extend(plant.values())
                plant.clear()
            if not pending:
                break
        toks = docs[randrange(ndocs)][:]
        shuffle(toks)
        k = plant.pop(n, None)
        if k is None and pending:
            k = pending.pop()
        if k is not None:
            f, idx, text = items[k]
            pos = randrange(len(toks) + 1)
            toks.insert(pos, text)
            planted_rows.append((f, idx, "bench-%d" % n))
        line = (dumps({"id": "bench-%d" % n, "text": " ".join(toks)},
                      ensure_ascii=False) + "\n").encode("utf-8")
        for w in writers:
            w.write(line)
        if parts:
            while part_i < len(parts) - 1 and total >= target * (part_i + 1) / len(parts):
                part_i += 1
            parts[part_i].write(line)
        total += len(line)
        n += 1
    for w in writers + parts:
        w.close()

    side = a.out + ".planted.tsv"
    with open(side, "w", encoding="utf-8") as f:
        f.write("file\tindex\tdoc_id\n")
        for row in sorted(planted_rows):
            f.write("%s\t%d\t%s\n" % row)
    sys.stderr.write("make_shard: %d docs, %.1f MB decompressed, %d items planted, "
                     "%d source docs (%.0f tokens avg), %.1f s\n"
                     % (n, total / 1e6, len(planted_rows), ndocs, mean_tok, time.time() - t0))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of the near-duplicate detector (src/near/near.h).

Recomputes, from the written rules and with none of the C code's structure
(plain sets, every window tried), the known answers of
tests/data/near_vectors.txt: permutation coefficients, shingle keys,
templates, entry status/class/need, MinHash signatures, LSH band keys, and
the hits of a few documents (the best window of each entry's class).

    tests/data/near_ref.py > tests/data/near_vectors.txt     # regenerate
    tests/data/near_ref.py --check tests/data/near_vectors.txt

Word hashes are not text: a "run" (seed, n) stands for the n values that
splitmix64 returns from state `seed`, so the file stays small and C and
Python need no tokenizer or XXH3 to agree on the words.
"""
import math
import sys

M64 = (1 << 64) - 1
PHI = 0x9E3779B97F4A7C15
POLY = 0x9E3779B97F4A7C15  # MC_HASH_POLY (fp/hash.h)
SEED = 0x6D636E6561723031  # MC_NEAR_SEED
BLOCK = 16  # MC_NEAR_BLOCK
MAX_CLASS = 13


def mix(x):
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & M64
    x ^= x >> 31
    return x


class SplitMix:
    def __init__(self, state):
        self.state = state & M64

    def next(self):
        self.state = (self.state + PHI) & M64
        return mix(self.state)


def hash_finish(poly, length):
    """mc__hash_finish of fp/hash.h (the project's n-gram key mixer)."""
    x = poly ^ ((length * 0xFF51AFD7ED558CCD) & M64)
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & M64
    x ^= x >> 29
    x = (x * 0x94D049BB133111EB) & M64
    x ^= x >> 32
    return x


def shingle(words, k):
    poly = 0
    for w in words:
        poly = (poly * POLY + w) & M64
    return hash_finish(poly, k)


def run_words(runs):
    out = []
    for seed, n in runs:
        g = SplitMix(seed)
        out.extend(g.next() for _ in range(n))
    return out


class Params:
    def __init__(self, k=3, perms=32, bands=16, rows=2, min_shingles=6, template_items=8,
                 threshold="0.7", seed=SEED):
        self.k, self.perms, self.bands, self.rows = k, perms, bands, rows
        self.min_shingles, self.template_items = min_shingles, template_items
        self.threshold, self.seed = threshold, seed


def coefficients(p):
    g = SplitMix(p.seed)
    a, b = [], []
    for _ in range(p.perms):
        a.append(g.next() | 1)
        b.append(g.next())
    return a, b, g.next()


def perm(a, b, x):
    return ((a * x + b) & M64) >> 32


def band_key(band_seed, j, cls, vals):
    h = band_seed ^ ((((cls << 32) | j) * PHI) & M64)
    for i in range(0, len(vals), 2):
        x = vals[i] | ((vals[i + 1] << 32) if i + 1 < len(vals) else 0)
        h = mix(h ^ x)
    return h or 1


def build(p, entries):
    """entries: list of dicts with item, comp, group, parts (lists of word hashes)."""
    k = p.k
    for e in entries:
        e["ntok"] = sum(len(w) for w in e["parts"])
        keys = set()
        for w in e["parts"]:
            for i in range(len(w) - k + 1):
                keys.add(shingle(w[i:i + k], k))
        e["all"] = keys
    # templates: in template_items or more distinct items of one group
    items_of = {}
    for e in entries:
        for x in e["all"]:
            items_of.setdefault(x, {}).setdefault(e["group"], set()).add(e["item"])
    T = p.template_items
    tmpl = set()
    if T:
        for x, groups in items_of.items():
            if max(len(s) for s in groups.values()) >= T:
                tmpl.add(x)
    t = float(p.threshold)
    for e in entries:
        distinct = sorted(e["all"] - tmpl)
        if e["ntok"] > BLOCK << MAX_CLASS:
            e["status"] = 3
        elif len(e["all"]) < p.min_shingles:
            e["status"] = 1
        elif len(distinct) < p.min_shingles:
            e["status"] = 2
        else:
            e["status"] = 0
        e["sh"] = distinct if e["status"] == 0 else []
        e["need"] = max(1, math.ceil(t * len(e["sh"]) - 1e-9)) if e["sh"] else 0
        e["cls"] = 0
        if e["status"] == 0:
            while (BLOCK << e["cls"]) < e["ntok"]:
                e["cls"] += 1
    a, b, band_seed = coefficients(p)
    for e in entries:
        sig = []
        for i in range(p.perms):
            sig.append(min((perm(a[i], b[i], x) for x in e["sh"]), default=0xFFFFFFFF))
        e["sig"] = sig
        e["bands"] = []
        if e["status"] == 0:
            for j in range(p.bands):
                e["bands"].append(band_key(band_seed, j, e["cls"], sig[j * p.rows:(j + 1) * p.rows]))
    return a, b, band_seed


def doc_hits(p, entries, words):
    """The best window of every indexed entry's class: the most distinct
    matches (the earliest window among equals); a hit when need is met."""
    k = p.k
    npos = len(words) - k + 1
    if npos <= 0:
        return []
    keys = [shingle(words[i:i + k], k) for i in range(npos)]
    hits = []
    for idx, e in enumerate(entries):
        if e["status"] != 0:
            continue
        s = BLOCK << e["cls"]
        S = set(e["sh"])
        best = None
        nblocks = (npos + s - 1) // s
        for j in range(nblocks):
            ws, we = max(0, (j - 1) * s), min((j + 1) * s, npos)
            seen, first, last = set(), None, None
            for pos in range(ws, we):
                if keys[pos] in S and keys[pos] not in seen:
                    seen.add(keys[pos])
                    first = pos if first is None else first
                    last = pos
            if best is None or len(seen) > best[0]:
                best = (len(seen), first, last)
        if best and best[0] >= e["need"]:
            hits.append((idx, best[0], len(S), best[1], best[2] + k))
    return hits


# ---- the cases ----

def cases():
    p = Params(template_items=2)
    R = lambda seed, n: (seed, n)
    shared = R(900, 6)  # a phrase two items of group 0 share: template shingles
    e = []
    # 0: a stem of 40 words
    e.append(dict(item=0, comp=0, group=0, runs=[[R(1, 17), shared, R(2, 17)]]))
    # 1: the same stem with options (5 words, 2 words: no shingle, 4 words)
    e.append(dict(item=0, comp=1, group=0,
                  runs=[[R(1, 17), shared, R(2, 17)], [R(3, 5)], [R(4, 2)], [R(5, 4)]]))
    # 2: another item of group 0 with the shared phrase
    e.append(dict(item=1, comp=0, group=0, runs=[[R(10, 12), shared, R(11, 12)]]))
    # 3: an item of group 1 with the phrase: no template in group 1
    e.append(dict(item=2, comp=0, group=1, runs=[[R(20, 9), shared, R(21, 9)]]))
    # 4: too short
    e.append(dict(item=3, comp=0, group=0, runs=[[R(30, 5)]]))
    # 5: a passage of 300 words (class 5)
    e.append(dict(item=4, comp=3, group=0, runs=[[R(40, 300)]]))
    # 6: only template shingles (the shared phrase and a second shared one)
    e.append(dict(item=5, comp=0, group=0, runs=[[shared], [R(901, 6)], [R(901, 6)]]))
    # 7: shares R(901, 6) with item 5 -> templates in group 0; plus own words
    e.append(dict(item=6, comp=0, group=0, runs=[[R(901, 6), R(50, 20)]]))
    # 8: too long for the largest class
    e.append(dict(item=7, comp=0, group=2, runs=[[R(60, (BLOCK << MAX_CLASS) + 1)]]))
    for x in e:
        x["parts"] = [run_words(r) for r in x["runs"]]
    noise = lambda seed, n: [(seed, n)]
    docs = [
        # the stem verbatim inside noise: hits for the stem and stem+options
        dict(name="verbatim", runs=noise(1000, 300) + [R(1, 17), shared, R(2, 17)] +
             noise(1001, 200)),
        # the passage with every tenth word changed
        dict(name="edited", runs=noise(1002, 50) + [(("edit", 40, 300, 15, 7000))] +
             noise(1003, 50)),
        # half of item 1: below the threshold
        dict(name="partial", runs=noise(1004, 40) + [R(10, 12), shared] + noise(1005, 40)),
        # a long page: item 2 near the start, item 6 at the end
        dict(name="long", runs=noise(1006, 100) + [R(20, 9), shared, R(21, 9)] +
             noise(1007, 20000) + [R(901, 6), R(50, 20)]),
        # fewer words than a shingle
        dict(name="tiny", runs=noise(1008, 2)),
        # the options only, relettered around noise: the stem is missing
        dict(name="options", runs=noise(1009, 30) + [R(3, 5)] + noise(1010, 1) + [R(5, 4)] +
             noise(1011, 30)),
    ]
    for d in docs:
        words = []
        for r in d["runs"]:
            if r[0] == "edit":
                _, seed, n, every, nseed = r
                w = run_words([(seed, n)])
                g = SplitMix(nseed)
                for i in range(0, n, every):
                    w[i] = g.next()
                words.extend(w)
            else:
                words.extend(run_words([r]))
        d["words"] = words
    return p, e, docs


def runs_text(runs):
    out = []
    for r in runs:
        if r[0] == "edit":
            out.append("edit:%d:%d:%d:%d" % r[1:])
        else:
            out.append("%d:%d" % r)
    return " ".join(out)


def generate():
    p, entries, docs = cases()
    a, b, band_seed = build(p, entries)
    out = []
    w = out.append
    w("# Known answers of the near-duplicate detector, written by tests/data/near_ref.py")
    w("# (do not edit: regenerate). Runs are SEED:N (N splitmix64 values from SEED);")
    w("# parts of an entry are separated by '|'. All numbers decimal or 0x hex.")
    w("params %d %d %d %d %d %d %s 0x%016x" % (p.k, p.perms, p.bands, p.rows, p.min_shingles,
                                             p.template_items, p.threshold, p.seed))
    for i in range(p.perms):
        w("perm %d 0x%016x 0x%016x" % (i, a[i], b[i]))
    w("band_seed 0x%016x" % band_seed)
    for idx, e in enumerate(entries):
        w("entry %d item %d comp %d group %d runs %s" % (
            idx, e["item"], e["comp"], e["group"], " | ".join(runs_text(r) for r in e["runs"])))
        w("  status %d class %d ntok %d nall %d nsh %d need %d" % (
            e["status"], e["cls"], e["ntok"], len(e["all"]), len(e["sh"]), e["need"]))
        if e["status"] == 0:
            w("  shingles " + " ".join("0x%016x" % x for x in e["sh"]))
            w("  sig " + " ".join("%d" % v for v in e["sig"]))
            w("  bands " + " ".join("0x%016x" % v for v in e["bands"]))
    # the first shingle keys of entry 0, position by position
    k = p.k
    w0 = entries[0]["parts"][0]
    w("shingle_keys entry 0 " + " ".join("0x%016x" % shingle(w0[i:i + k], k) for i in range(8)))
    for d in docs:
        hits = doc_hits(p, entries, d["words"])
        w("doc %s ntok %d runs %s" % (d["name"], len(d["words"]), runs_text(d["runs"])))
        for h in hits:
            w("  hit entry %d matched %d nsh %d t0 %d t1 %d" % h)
        w("  end")
    return "\n".join(out) + "\n"


def main():
    text = generate()
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        with open(sys.argv[2]) as f:
            if f.read() != text:
                print("near_ref: %s differs from the reference" % sys.argv[2], file=sys.stderr)
                return 1
        print("near_ref: %s matches" % sys.argv[2])
        return 0
    if len(sys.argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

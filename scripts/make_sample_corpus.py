#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build medcheck's bundled sample data in corpora/ from the shared external data.

    python3 scripts/make_sample_corpus.py [--external DIR] [--out DIR]

--external defaults to ../shared/data/external relative to the repository root,
--out to corpora/ in the repository.  Needs only the Python 3 standard library and
the `zstd` and `gzip` command-line tools.  Everything random comes from one
random.Random(SEED), so two runs write byte-identical files (for the same zstd
version: the compressed bytes depend on it).

What is written (see corpora/README.md, which this script also writes):
  corpora/benchmarks/   real benchmark files (MIT), zstd -19, plus LICENSES/
  corpora/sample/       corpus shards: real Common Crawl text (Apache-2.0, from the
                        Dolma test data) with planted benchmark items, EXPECTED.tsv
  corpora/malformed/    small broken shards for reader tests
  corpora/LICENSES/     the licence of the Common Crawl text (Dolma, Apache-2.0)
"""
import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

SEED = 20240611
N_BACKGROUND = 300

CC_FILE = "dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
MMLU_SUBJECTS = ["anatomy", "clinical_knowledge", "college_medicine", "medical_genetics",
                 "professional_medicine"]

# name in corpora/benchmarks -> (path under external, benchmark, licence file, provenance)
BENCH_FILES = [
    ("US_4_options_phrases_no_exclude_test.jsonl", "medqa/US_4_options_phrases_no_exclude_test.jsonl",
     "medqa"),
    ("dev.json", "medmcqa/dev.json", "medmcqa"),
    ("ori_pqal.json", "pubmedqa/ori_pqal.json", "pubmedqa"),
] + [("%s_test.csv" % s, "mmlu_hendrycks/test/%s_test.csv" % s, "mmlu") for s in MMLU_SUBJECTS]

LICENSES = {  # corpora/.../LICENSES/<name>.txt <- external path
    "benchmarks/LICENSES/medqa.txt": "medqa/LICENSE",
    "benchmarks/LICENSES/medmcqa.txt": "medmcqa/LICENSE.md",
    "benchmarks/LICENSES/pubmedqa.txt": "pubmedqa/LICENSE",
    "benchmarks/LICENSES/mmlu_hendrycks.txt": "mmlu_hendrycks/LICENSE",
    "LICENSES/dolma.txt": "dolma_tests/LICENSE",
}

PROVENANCE = {
    "medqa": ("MedQA (USMLE, 4 options), jind11/MedQA release vendored in github Teddy-XiongGZ/MIRAGE",
              "rawdata/medqa/data_clean/questions/US/4_options/phrases_no_exclude_test.jsonl",
              "224ebe9a721e1bc525a07b10eceb01ed52df7b29", "MIT (Copyright 2022 Di Jin)"),
    "medmcqa": ("MedMCQA dev split, vendored in github Teddy-XiongGZ/MIRAGE",
                "rawdata/medmcqa/data/dev.json", "224ebe9a721e1bc525a07b10eceb01ed52df7b29",
                "MIT (Copyright 2022 MedMCQA)"),
    "pubmedqa": ("PubMedQA PQA-L, github pubmedqa/pubmedqa", "data/ori_pqal.json",
                 "1f00b98d5cc626844bf8c4ca513b6e62c40071ec", "MIT"),
    "mmlu": ("MMLU, github hendrycks/test", "data/test/<subject>_test.csv",
             "785eba57b455b9f9be12a0d3c1106d67274fea0e", "MIT"),
    "dolma": ("Dolma test data, github allenai/dolma",
              "tests/data/formats/gz/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz",
              "937ccc06f6fa4cefba496b2f48cc77418b941345", "Apache-2.0"),
}

# Hard negatives written for this corpus (project licence, MIT).  Clinical template
# sentences shared by many MedQA items, planted alone in real pages.
TEMPLATE_SENTENCES = [
    "Which of the following is the most appropriate next step in management?",
    "Which of the following is the most likely diagnosis?",
    "A 45-year-old man comes to the physician because of",
]

# Original quiz questions on topics of planted items, worded differently (no line in
# EXPECTED.tsv: they reuse no benchmark item).  Each: (stem, options, answer letter).
ORIGINAL_QUESTIONS = [
    # cardiac markers after myocardial infarction (cf. a planted MedMCQA item)
    ("After a heart attack, which blood test usually stays raised for the longest time, "
     "sometimes for up to two weeks?",
     ["Troponin", "Myoglobin", "CK-MB", "Potassium"], "A"),
    # digoxin toxicity through a drug interaction (cf. a planted MedQA item)
    ("An older man who has taken digoxin for years starts a new heart rhythm drug and then "
     "has nausea and sees yellow halos around lights; what is the most likely explanation?",
     ["A higher digoxin level caused by the new drug", "A migraine aura", "Early cataract",
      "Low blood sugar"], "A"),
    # nerves of the face and palate (cf. planted MMLU / MedMCQA anatomy items)
    ("Damage to which cranial nerve near the ear would leave a person unable to close one "
     "eye and smile evenly on that side of the face?",
     ["Trigeminal nerve", "Facial nerve", "Vagus nerve", "Hypoglossal nerve"], "B"),
    # X-linked inheritance, same options as a planted MMLU item
    ("A father has an X-linked recessive bleeding disorder and his wife is not a carrier; "
     "what is the chance that any one of his daughters carries the gene?",
     ["0%", "25%", "50%", "100%"], "D"),
    # protein malnutrition (cf. a planted MedMCQA item)
    ("Which feature helps a doctor tell kwashiorkor apart from marasmus in a malnourished "
     "toddler during the first visit?",
     ["Swelling of the legs and belly from fluid", "Very low body weight",
      "Loss of nearly all body fat", "A normal appetite"], "A"),
]

WORD = re.compile(r"[^\W_]+")


def toks(s):
    """The scanner's words: lower-cased runs of Unicode letters/digits."""
    return WORD.findall(s.lower())


def grams(t, n=8):
    return {tuple(t[i:i + n]) for i in range(len(t) - n + 1)}


def contains_seq(hay, needle):
    if not needle:
        return False
    n = len(needle)
    first = needle[0]
    for i in range(len(hay) - n + 1):
        if hay[i] == first and hay[i:i + n] == needle:
            return True
    return False


def coverage(t, gset, n=8):
    """Fraction of the words of t covered by n-grams found in gset."""
    if len(t) < n:
        return 0.0
    cov = [False] * len(t)
    for i in range(len(t) - n + 1):
        if tuple(t[i:i + n]) in gset:
            for k in range(i, i + n):
                cov[k] = True
    return sum(cov) / len(t)


# ---------------------------------------------------------------- benchmarks

class Item:
    def __init__(self, bench, fname, index, question, options, answer, passage=None, extra=None):
        self.bench = bench          # medqa | medmcqa | mmlu | pubmedqa
        self.fname = fname          # file name in corpora/benchmarks (without .zst)
        self.index = index
        self.question = question
        self.options = options      # list of (letter, text)
        self.answer = answer        # letter, or None
        self.passage = passage      # list of str (PubMedQA CONTEXTS)
        self.extra = extra or {}
        self.qt = toks(question)

    @property
    def key(self):
        return "corpora/benchmarks/%s.zst#%d" % (self.fname, self.index)

    def answer_text(self):
        return dict(self.options)[self.answer]


def load_items(ext):
    items = []
    fn = "US_4_options_phrases_no_exclude_test.jsonl"
    with open(os.path.join(ext, "medqa", fn), encoding="utf-8") as f:
        lines = [l for l in f.read().split("\n") if l.strip()]
    for i, l in enumerate(lines):
        d = json.loads(l)
        items.append(Item("medqa", fn, i, d["question"], sorted(d["options"].items()), d["answer_idx"]))
    with open(os.path.join(ext, "medmcqa", "dev.json"), encoding="utf-8") as f:
        lines = [l for l in f.read().split("\n") if l.strip()]
    for i, l in enumerate(lines):
        d = json.loads(l)
        opts = [("A", d["opa"]), ("B", d["opb"]), ("C", d["opc"]), ("D", d["opd"])]
        items.append(Item("medmcqa", "dev.json", i, d["question"], opts, "ABCD"[d["cop"] - 1]))
    with open(os.path.join(ext, "pubmedqa", "ori_pqal.json"), encoding="utf-8") as f:
        pq = json.load(f)
    for i, (pmid, d) in enumerate(pq.items()):
        items.append(Item("pubmedqa", "ori_pqal.json", i, d["QUESTION"], [], None,
                          passage=d["CONTEXTS"],
                          extra={"pmid": pmid, "meshes": d.get("MESHES", []),
                                 "long_answer": d.get("LONG_ANSWER", "")}))
    for s in MMLU_SUBJECTS:
        fn = "%s_test.csv" % s
        with open(os.path.join(ext, "mmlu_hendrycks", "test", fn), encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.reader(f)):
                items.append(Item("mmlu", fn, i, row[0], list(zip("ABCD", row[1:5])), row[5].strip(),
                                  extra={"subject": s}))
    return items


class Bank:
    """All benchmark items, with an 8-gram index to keep planted copies unambiguous."""

    def __init__(self, items):
        self.items = items
        self.by_gram = {}
        self.short_stem = {}
        for n, it in enumerate(items):
            for g in grams(it.qt):
                self.by_gram.setdefault(g, set()).add(n)
            if len(it.qt) < 8:
                self.short_stem.setdefault(tuple(it.qt), []).append(n)

    def unambiguous(self, it, planted_text, skip_templates=False):
        """True when copying planted_text could reveal no benchmark item other than `it`:
        no other long stem is >= 30% covered by its 8-grams, and no other short stem occurs
        in it together with all of its options.  With skip_templates, 8-grams shared by
        >= 5 benchmark items (templates, which the scanner does not count on their own)
        are ignored."""
        pt = toks(planted_text)
        pg = grams(pt)
        if skip_templates:
            pg = {g for g in pg if len(self.by_gram.get(g, ())) < 5}
        others = set()
        for g in pg:
            others |= self.by_gram.get(g, set())
        for n in others:
            o = self.items[n]
            if o is it or len(o.qt) < 8:
                continue
            if coverage(o.qt, pg) >= 0.3:
                return False
        for n, o in enumerate(self.items):
            if o is it or len(o.qt) >= 8 or not o.qt or not o.options:
                continue
            if contains_seq(pt, o.qt) and all(contains_seq(pt, toks(t)) for _, t in o.options):
                return False
        return True


def well_formed(it):
    """An MCQ item usable for planting: four distinct non-empty options whose correct text
    does not occur in the stem or inside another option (otherwise 'answer found' is not
    decidable from the copy)."""
    if it.answer not in "ABCD" or len(it.options) != 4:
        return False
    ot = [toks(t) for _, t in it.options]
    if any(not t for t in ot) or len({tuple(t) for t in ot}) != 4:
        return False
    at = toks(it.answer_text())
    if contains_seq(it.qt, at):
        return False
    for (l, t), tt in zip(it.options, ot):
        if l != it.answer and contains_seq(tt, at):
            return False
    if "\n" in it.question.strip() and it.bench != "mmlu":
        return False
    return True


# ---------------------------------------------------------------- planted forms

def collapse(s):
    return re.sub(r"\s+", " ", s).strip()


def punct_changed(s):
    """Upper case, punctuation removed or changed (words stay separated)."""
    s = s.upper()
    s = re.sub(r"[,;:?!]", "", s)
    s = re.sub(r"(?<=\w)-(?=\w)", " ", s)
    s = re.sub(r"\.(\s|$)", r" -\1", s)
    s = s.replace("(", "").replace(")", "").replace('"', "")
    return collapse(s)


def form_block(form, it, rng):
    """The text a planted item takes on the web, for one form."""
    stem = it.question.strip()
    if form == "verbatim":
        return "%s\n%s\nAnswer: %s" % (
            stem, "\n".join("%s. %s" % (l, t) for l, t in it.options), it.answer)
    if form == "rewrapped":
        w = lambda s: textwrap.fill(collapse(s), width=60)
        return "%s\n%s\nCorrect answer: %s" % (
            w(stem), "\n".join(w("%s. %s" % (l, t)) for l, t in it.options), it.answer_text())
    if form == "case_punct":
        return "%s\n%s\nAns: %s" % (
            punct_changed(stem), " ".join("(%s) %s" % (l.lower(), t) for l, t in it.options),
            it.answer.lower())
    if form == "no_answer":
        return "%s\n%s" % (stem, "\n".join("%s. %s" % (l, t) for l, t in it.options))
    if form == "stem_only":
        return collapse(stem)
    if form == "html_quiz":
        return "<div class=\"quiz\">\nQ1. %s\n%s\nAnswer: %s\n</div>" % (
            collapse(stem), "\n".join("%s) %s" % (l.lower(), t) for l, t in it.options),
            it.answer.lower())
    if form == "short_with_options":
        return "%s\n%s\nAns: %s" % (
            stem, "\n".join("%s. %s" % (l.lower(), t) for l, t in it.options), it.answer.lower())
    if form == "short_alone":
        return collapse(stem)
    if form == "partial30":
        w = stem.split()
        return " ".join(w[:max(1, (len(w) * 3) // 10)])
    raise ValueError(form)


# (form, expected status, [(benchmark, count)], candidate filter)
def long_stem(n):
    return lambda it: len(it.question.split()) >= n and len(it.qt) >= n


def short_stem(it):
    return 3 <= len(it.qt) < 8 and len(it.question.split()) < 8


FORMS = [
    ("verbatim", "input_and_answer", [("medqa", 2), ("medmcqa", 2), ("mmlu", 2)], long_stem(8)),
    ("rewrapped", "input_and_answer", [("medqa", 2), ("medmcqa", 1), ("mmlu", 2)], long_stem(8)),
    ("case_punct", "input_and_answer", [("medqa", 2), ("medmcqa", 1), ("mmlu", 2)], long_stem(8)),
    ("no_answer", "input_only", [("medqa", 2), ("medmcqa", 1), ("mmlu", 2)], long_stem(8)),
    ("stem_only", "input_only", [("medqa", 2), ("mmlu", 2)], long_stem(20)),
    ("html_quiz", "input_and_answer", [("medqa", 1), ("medmcqa", 2), ("mmlu", 2)], long_stem(8)),
    ("pubmed_passage", "passage_only", [("pubmedqa", 5)], None),
    ("short_with_options", "input_and_answer", [("medmcqa", 4)], short_stem),
    ("short_alone", "clean", [("medmcqa", 2)], short_stem),
    ("partial30", "clean", [("medqa", 3)], long_stem(60)),
]

FORM_DOC = {
    "verbatim": "1. verbatim in a longer page: stem + options \"A. ...\" + \"Answer: C\"",
    "rewrapped": "2. re-wrapped at ~60 columns, spaces collapsed, options, \"Correct answer: <option text>\"",
    "case_punct": "3. UPPER-CASE stem with punctuation removed/changed, options \"(a) ... (b) ...\", \"Ans: b\"",
    "no_answer": "4. stem + all options, no answer anywhere in the document",
    "stem_only": "5. stem only (>= 20 words), no options",
    "html_quiz": "6. HTML-ish quiz: \"Q1. stem\", options \"a) ...\" on separate lines, \"Answer: b\"",
    "pubmed_passage": "7. PubMed-style abstract: MeSH-term title + PubMedQA CONTEXTS, no question, no long answer",
    "short_with_options": "8a. short MedMCQA stem (< 8 words) + its four options + \"Ans: c\"",
    "short_alone": "8b. short MedMCQA stem alone inside a page (no options)",
    "partial30": "9. first 30% of the words of a long (>= 60 words) MedQA stem inside a page",
}


# ---------------------------------------------------------------- helpers

def run(cmd, data):
    return subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True).stdout


def zstd(data):
    return run(["zstd", "-19", "--no-progress", "-q", "-c"], data)


def gz(data):
    return run(["gzip", "-9", "-n", "-c"], data)


def jsonl(records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def english_like(text):
    if not text:
        return False
    ascii_letters = sum(1 for c in text if c.isascii() and c.isalpha())
    return ascii_letters / len(text) > 0.6


def paragraphs(text):
    return [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def embed(host_text, block, rng, sep="\n\n"):
    """Real page text before and after the block (split at a paragraph boundary)."""
    ps = paragraphs(host_text)
    k = rng.randint(1, len(ps) - 1)
    return sep.join(ps[:k] + [block] + ps[k:])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--external", default=os.path.join(repo, "..", "shared", "data", "external"),
                    help="the shared external data (default: ../shared/data/external from the repo)")
    ap.add_argument("--out", default=os.path.join(repo, "corpora"), help="output folder (default: corpora/)")
    a = ap.parse_args()
    ext = os.path.normpath(a.external)
    for tool in ("zstd", "gzip"):
        if not shutil.which(tool):
            sys.exit("make_sample_corpus: `%s` not found" % tool)
    rng = random.Random(SEED)

    items = load_items(ext)
    bank = Bank(items)
    by_bench = {}
    for it in items:
        by_bench.setdefault(it.bench, []).append(it)

    with gzip.open(os.path.join(ext, CC_FILE), "rt", encoding="utf-8") as f:
        cc = [json.loads(l) for l in f if l.strip()]
    cc_order = list(range(len(cc)))
    rng.shuffle(cc_order)
    background = sorted(cc_order[:N_BACKGROUND])
    hosts = [i for i in cc_order[N_BACKGROUND:]
             if english_like(cc[i]["text"]) and 1500 <= len(cc[i]["text"]) <= 12000
             and len(paragraphs(cc[i]["text"])) >= 4]
    spare = [i for i in cc_order[N_BACKGROUND:] if i not in set(hosts) and cc[i]["text"].strip()]

    # ---- choose planted items: seeded random choice among eligible ones
    used = set()
    cases = []   # dicts: form, status, item, block
    for form, status, quota, filt in FORMS:
        for bench, count in quota:
            pool = list(by_bench[bench])
            rng.shuffle(pool)
            got = 0
            for it in pool:
                if got == count:
                    break
                if id(it) in used:
                    continue
                if bench == "pubmedqa":
                    ctx = " ".join(it.passage)
                    ct = toks(ctx)
                    if len(toks(ctx)) < 100 or not it.qt:
                        continue
                    # the passage must not reveal the question
                    if coverage(it.qt, grams(ct)) > 0 or contains_seq(ct, it.qt):
                        continue
                    if contains_seq(ct, toks(it.extra["long_answer"])):
                        continue
                    block = ctx
                else:
                    if not well_formed(it) or not filt(it):
                        continue
                    if form in ("short_with_options", "short_alone") and \
                            len(bank.short_stem.get(tuple(it.qt), [])) != 1:
                        continue
                    block = form_block(form, it, rng)
                    full = it.question + "\n" + "\n".join(t for _, t in it.options)
                    if not bank.unambiguous(it, full):
                        continue
                used.add(id(it))
                cases.append({"form": form, "status": status, "item": it, "block": block})
                got += 1
            assert got == count, (form, bench)

    # ---- hard negatives (no benchmark item, no EXPECTED line)
    negatives = []
    for s in TEMPLATE_SENTENCES:
        negatives.append({"form": "neg_template", "block": s})
    for stem, opts, ans in ORIGINAL_QUESTIONS:
        negatives.append({"form": "neg_same_topic", "block": "%s\nA. %s\nB. %s\nC. %s\nD. %s\nAnswer: %s" % (
            (stem,) + tuple(opts) + (ans,))})
    for d in negatives:   # a hard negative must reveal no benchmark item
        assert bank.unambiguous(None, d["block"], skip_templates=True), d["block"]

    # ---- documents: seeded shuffle, planted numbering in that order
    docs = cases + negatives
    rng.shuffle(docs)
    host_iter = iter(hosts)
    web, notes, pubmed = [], [], []
    nonpub = [d for d in docs if d["form"] != "pubmed_passage"]
    notes_ids = set(id(d) for d in nonpub[:4])      # the first 4 in shuffled order -> notes
    for n, d in enumerate(docs, 1):
        d["doc_id"] = "planted-%03d" % n
        if d["form"] == "pubmed_passage":
            it = d["item"]
            meshes = it.extra["meshes"][:4]
            title = "; ".join(meshes) if meshes else "Abstract"
            d["text"] = title + "\n" + "\n".join(it.passage)
            d["shard"] = "pubmed-000.jsonl"
            d["record"] = {"id": d["doc_id"], "text": d["text"],
                           "url": "https://pubmed.example.org/%s/" % d["doc_id"]}
            pubmed.append(d)
            continue
        # a host page with real text before and after; for "no answer" forms the
        # page must not contain the correct option's text anywhere
        it = d.get("item")
        while True:
            h = next(host_iter)
            ht = cc[h]["text"]
            if it is not None and d["form"] in ("no_answer", "stem_only", "short_alone", "partial30") \
                    and contains_seq(toks(ht), toks(it.answer_text())):
                continue
            break
        d["host"] = cc[h]["id"]
        text = embed(ht, d["block"], rng)
        if id(d) in notes_ids:
            d["shard"] = "notes-000.txt"
            d["text"] = re.sub(r"\n\s*\n", "\n", text).strip()
            notes.append(d)
        else:
            d["shard"] = None
            d["text"] = text
            d["record"] = {"id": d["doc_id"], "text": text, "url": cc[h]["metadata"].get("url", "")}
            web.append(d)
    # web planted docs alternate between the two web shards in shuffled order
    for k, d in enumerate(web):
        d["shard"] = "web-000.jsonl.zst" if k % 2 == 0 else "web-001.json.gz"

    def bg_record(i):
        return {"id": cc[i]["id"], "text": cc[i]["text"], "url": cc[i]["metadata"].get("url", "")}

    bg = list(background)
    rng.shuffle(bg)
    n_notes_bg = 6
    notes_bg = [i for i in bg if english_like(cc[i]["text"]) and len(cc[i]["text"]) < 6000][:n_notes_bg]
    rest = [i for i in bg if i not in set(notes_bg)]
    half = len(rest) // 2
    shard_recs = {
        "web-000.jsonl.zst": [bg_record(i) for i in sorted(rest[:half])],
        "web-001.json.gz": [bg_record(i) for i in sorted(rest[half:])],
    }
    for name in shard_recs:
        recs = shard_recs[name] + [d["record"] for d in web if d["shard"] == name]
        rng.shuffle(recs)
        shard_recs[name] = recs
        for k, r in enumerate(recs):
            for d in web:
                if d["record"] is r:
                    d["recno"] = k
    for k, d in enumerate(pubmed):
        d["recno"] = k
    note_blocks = [("bg", re.sub(r"\n\s*\n", "\n", cc[i]["text"]).strip(), cc[i]["id"]) for i in notes_bg]
    note_blocks += [("planted", d["text"], d) for d in notes]
    rng.shuffle(note_blocks)

    # ---- write everything into a temporary folder, then swap it in
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".make_sample.", dir=out)
    files = {}   # relative path -> bytes

    for name, src, _ in BENCH_FILES:
        with open(os.path.join(ext, src), "rb") as f:
            files["benchmarks/" + name + ".zst"] = zstd(f.read())
    for dst, src in LICENSES.items():
        with open(os.path.join(ext, src), "rb") as f:
            files[dst] = f.read()

    w0 = shard_recs["web-000.jsonl.zst"]
    h0 = len(w0) // 2
    files["sample/web-000.jsonl.zst"] = zstd(jsonl(w0[:h0])) + zstd(jsonl(w0[h0:]))
    w1 = shard_recs["web-001.json.gz"]
    h1 = len(w1) // 2
    files["sample/web-001.json.gz"] = gz(jsonl(w1[:h1])) + gz(jsonl(w1[h1:]))
    files["sample/pubmed-000.jsonl"] = jsonl([d["record"] for d in pubmed])
    # blocks contain no blank lines (the reader splits records there)
    files["sample/notes-000.txt"] = ("\n\n".join(t for _, t, _ in note_blocks) + "\n").encode("utf-8")
    for k, (kind, text, ref) in enumerate(note_blocks):
        if kind == "planted":
            ref["recno"] = k

    # EXPECTED.tsv: one line per planted benchmark item, in planted-id order
    rows = ["key\texpected_status\tform\tshard\tdoc_id"]
    for d in docs:
        if "item" in d:
            rows.append("\t".join([d["item"].key, d["status"], d["form"], d["shard"], d["doc_id"]]))
    files["EXPECTED.tsv"] = ("\n".join(rows) + "\n").encode("utf-8")

    # ---- malformed shards (real CC text from the spare documents)
    mal = [bg_record(i) for i in spare[:40]]
    body = jsonl(mal[:30])
    z = zstd(body)
    files["malformed/truncated.jsonl.zst"] = z[:len(z) // 2]
    g = gz(body)
    files["malformed/truncated.json.gz"] = g[:len(g) // 2]
    good = [json.dumps(r, ensure_ascii=False) for r in mal[30:38]]
    bad_json = json.dumps(mal[38], ensure_ascii=False)
    bad_json = bad_json[:len(bad_json) // 2]          # cut inside the text string
    bad_type = json.dumps({"id": mal[39]["id"], "text": 42, "url": mal[39]["url"]})
    files["malformed/bad-lines.jsonl"] = ("\n".join(good[:4] + [bad_json, bad_type] + good[4:]) + "\n").encode("utf-8")
    files["malformed/not-zstd.jsonl.zst"] = jsonl(mal[30:35])

    files["README.md"] = readme(files, docs, cases, negatives, shard_recs, pubmed, note_blocks,
                                background, cc).encode("utf-8")

    for rel, data in files.items():
        p = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    # replace what this script owns
    for top in ("benchmarks", "sample", "malformed", "LICENSES", "README.md"):
        p = os.path.join(out, top)
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.remove(p)
        os.rename(os.path.join(tmp, top), p)
    shutil.rmtree(tmp)
    total = sum(len(v) for v in files.values())
    print("make_sample_corpus: wrote %d files, %d bytes, %d planted items, %d hard negatives into %s"
          % (len(files), total, len(cases), len(negatives), out))


def readme(files, docs, cases, negatives, shard_recs, pubmed, note_blocks, background, cc):
    L = []
    add = L.append
    add("# Sample data bundled with medcheck")
    add("")
    add("Generated by `scripts/make_sample_corpus.py` (do not edit by hand):")
    add("")
    add("    python3 scripts/make_sample_corpus.py --external ../shared/data/external")
    add("")
    add("Python 3 standard library plus the `zstd` and `gzip` command-line tools; every random "
        "choice comes from one `random.Random(%d)`, so running it again gives byte-identical files "
        "(with the same zstd version). `medcheck demo` and `tests/cli/sample_verdicts.sh` scan "
        "`corpora/sample` with every file of `corpora/benchmarks` and compare the statuses with "
        "`EXPECTED.tsv`." % SEED)
    add("")
    add("Only data under MIT, Apache-2.0 or public-domain terms is bundled. HEAD-QA, BioASQ and "
        "MedAgentsBench are deliberately not included (licences unclear).")
    add("")
    add("## Sources")
    add("")
    add("| data | origin | path | commit | licence | licence file |")
    add("|---|---|---|---|---|---|")
    lic = {"medqa": "benchmarks/LICENSES/medqa.txt", "medmcqa": "benchmarks/LICENSES/medmcqa.txt",
           "pubmedqa": "benchmarks/LICENSES/pubmedqa.txt", "mmlu": "benchmarks/LICENSES/mmlu_hendrycks.txt",
           "dolma": "LICENSES/dolma.txt"}
    for k in ("medqa", "medmcqa", "pubmedqa", "mmlu", "dolma"):
        o, p, c, l = PROVENANCE[k]
        add("| %s | %s | `%s` | %s | %s | `%s` |" % (k, o, p, c, l, lic[k]))
    add("")
    add("The planted wrappers (quiz layout, answer keys, titles), the %d template-sentence and %d "
        "same-topic hard negatives, and everything else written by this script are part of medcheck "
        "(MIT). The Common Crawl pages come from the Dolma test data (Apache-2.0); the planted "
        "documents are **modified** copies of such pages (a benchmark item or a hard negative "
        "inserted at a paragraph boundary; in `notes-000.txt` blank lines removed)."
        % (len(TEMPLATE_SENTENCES), len(ORIGINAL_QUESTIONS)))
    add("")
    add("## Files")
    add("")
    add("| file | bytes | sha256 | what |")
    add("|---|---|---|---|")
    what = {
        "benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst": "MedQA US 4-option test, 1273 items (JSONL), byte-identical original, zstd -19",
        "benchmarks/dev.json.zst": "MedMCQA dev, 4183 items (JSONL despite the name), zstd -19",
        "benchmarks/ori_pqal.json.zst": "PubMedQA PQA-L, 1000 items (JSON object keyed by PMID), zstd -19",
        "sample/web-000.jsonl.zst": "zstd JSONL in 2 frames; {id, text, url}",
        "sample/web-001.json.gz": "gzip JSONL in 2 members; {id, text, url}",
        "sample/pubmed-000.jsonl": "plain JSONL, PubMed-style abstracts {id, text, url}",
        "sample/notes-000.txt": "plain text; a record is a block between blank lines",
        "EXPECTED.tsv": "expected status of every planted benchmark item (kept outside sample/ so it is not scanned)",
        "malformed/truncated.jsonl.zst": "30 CC documents, zstd JSONL, cut in the middle of the frame",
        "malformed/truncated.json.gz": "the same 30 documents, gzip, cut in the middle of the member",
        "malformed/bad-lines.jsonl": "10 lines: 4 valid, one broken JSON (line 5), one with \"text\": 42 (line 6), 4 valid",
        "malformed/not-zstd.jsonl.zst": "5 documents, plain JSONL despite the .zst name",
    }
    for s in MMLU_SUBJECTS:
        what["benchmarks/%s_test.csv.zst" % s] = "MMLU %s test CSV (headerless, 6 columns), zstd -19" % s
    for rel in sorted(files):
        if rel == "README.md":
            continue
        w = what.get(rel, "licence text" if "LICENSES/" in rel else "")
        add("| `%s` | %d | `%s` | %s |" % (rel, len(files[rel]), hashlib.sha256(files[rel]).hexdigest()[:16], w))
    add("")
    add("## Corpus shards (`sample/`)")
    add("")
    add("%d real Common Crawl documents (ids kept) from `%s` are spread over the shards as "
        "background; %d planted documents (ids `planted-NNN`, numbered in a seeded shuffled order) "
        "carry benchmark items or hard negatives. Plain-text records have no id: in "
        "`notes-000.txt` the planted documents are blocks %s (0-based record numbers)."
        % (len(background), CC_FILE, len(docs),
           ", ".join("%d (%s)" % (k, ref["doc_id"]) for k, (kind, _, ref) in enumerate(note_blocks)
                     if kind == "planted")))
    add("")
    per_shard = {}
    for d in docs:
        per_shard[d["shard"]] = per_shard.get(d["shard"], 0) + 1
    add("| shard | records | planted |")
    add("|---|---|---|")
    add("| web-000.jsonl.zst | %d | %d |" % (len(shard_recs["web-000.jsonl.zst"]), per_shard.get("web-000.jsonl.zst", 0)))
    add("| web-001.json.gz | %d | %d |" % (len(shard_recs["web-001.json.gz"]), per_shard.get("web-001.json.gz", 0)))
    add("| pubmed-000.jsonl | %d | %d |" % (len(pubmed), per_shard.get("pubmed-000.jsonl", 0)))
    add("| notes-000.txt | %d | %d |" % (len(note_blocks), per_shard.get("notes-000.txt", 0)))
    add("")
    add("## Planted forms")
    add("")
    add("Items are drawn by a seeded random choice among the items of each benchmark that fit the "
        "form (stem length) and are unambiguous: four distinct non-empty options, the correct "
        "option's text not inside the stem or another option, no other benchmark item whose stem "
        "would be >= 30% covered by the copy (or, for short stems, found with all its options), "
        "short stems unique in the benchmarks. For PubMedQA the CONTEXTS must share no 8-gram "
        "with the question. For forms without an answer, the host page must not contain the "
        "correct option's text.")
    add("")
    add("| form | expected | items | benchmarks |")
    add("|---|---|---|---|")
    for form, status, quota, _ in FORMS:
        n = sum(c for _, c in quota)
        add("| %s | %s | %d | %s |" % (FORM_DOC[form], status, n, ", ".join("%s %d" % q for q in quota)))
    add("| hard negative: CC page + clinical template sentence (%s) | clean | - | - |"
        % "; ".join('"%s"' % s for s in TEMPLATE_SENTENCES))
    add("| hard negative: original quiz question on a planted topic, different wording | clean | - | - |")
    add("")
    add("Total: %d planted benchmark items (lines of `EXPECTED.tsv`), %d hard-negative documents."
        % (len(cases), len(negatives)))
    add("")
    add("`EXPECTED.tsv` columns: `key` (exactly as medcheck builds it from the demo's command line: "
        "`corpora/benchmarks/<file>.zst#<0-based index>`; MedQA/MedMCQA: non-empty line number, "
        "MMLU: CSV row, PubMedQA: position of the PMID key in the file), `expected_status`, `form`, "
        "`shard`, `doc_id`.")
    add("")
    add("## Malformed shards (`malformed/`)")
    add("")
    add("Built from other documents of the same Common Crawl file; no benchmark text. Not scanned by "
        "the demo.")
    add("")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()

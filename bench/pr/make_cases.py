#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build the precision/recall cases of issue 3: real benchmark items planted in
real Common Crawl pages, each in one web form, plus hard negatives.

    python3 bench/pr/make_cases.py [--external DIR] [--out DIR] [--seed N]
                                   [--per-bench N] [--negatives N] [--small]

Writes into --out (default bench/data/pr):
  corpus.jsonl.zst  the shard: {"id": "pr-NNNNN", "text": ...} per document
  labels.tsv        one line per case: key, form, expected, doc_id, bench,
                    stem_tokens, planted_key, detail
  cases.jsonl       every case in full: the planted block, host documents,
                    what was changed (for auditing by reading)
  bench.txt         the benchmark files to scan (relative to --external)
  manifest.json     seed, parameters, counts per form and benchmark

Everything random comes from one random.Random(--seed), sets are never
iterated unsorted, so two runs with the same arguments write identical files
(corpus.jsonl.zst: for the same zstd version).  Python 3 standard library and
the `zstd` command-line tool only.  See bench/pr/README.md for the forms.
"""

import argparse
import csv
import glob
import gzip
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import textwrap
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_EXTERNAL = os.path.normpath(os.path.join(REPO, "..", "shared", "data", "external"))
VERSION = 1

MMLU_MEDICAL = ["anatomy", "clinical_knowledge", "college_biology", "college_medicine",
                "human_aging", "medical_genetics", "nutrition", "professional_medicine",
                "virology"]

# benchmark -> files scanned (relative to the external folder), in --bench order
SCANNED = [
    ("medqa", ["medqa/US_4_options_phrases_no_exclude_test.jsonl"]),
    ("medmcqa", ["medmcqa/dev.json"]),
    ("pubmedqa", ["pubmedqa/ori_pqal.json"]),
    ("mmlu", ["mmlu_hendrycks/test/%s_test.csv" % s for s in MMLU_MEDICAL]),
    ("headqa", ["headqa/test_HEAD_EN.json"]),
    ("medbullets", ["medagentsbench/medbullets_test.jsonl"]),
]
HEADQA_ES = "headqa/test_HEAD_es.json"
PAIRS = "groundtruth/cross_benchmark_pairs.tsv"
CC_MAIN = "dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
CC_OTHER = ["dolma_tests/multiple_files_cc_en_head-0091.jsonl.gz",
            "dolma_tests/multiple_files_cc_en_head-0174.jsonl.gz",
            "dolma_tests/provided_documents_000.json.gz"]

# (form, expected status, benchmarks it applies to)
#   expected: a status, or "contaminated" (any of input_and_answer, input_only,
#   near_duplicate), for the forms only a near-duplicate pass can be asked to find.
MCQ = ("medqa", "medmcqa", "mmlu", "headqa", "medbullets")
FORMS = [
    ("verbatim", "input_and_answer", MCQ + ("pubmedqa",)),
    ("rewrapped", "input_and_answer", MCQ + ("pubmedqa",)),
    ("layout", "input_and_answer", MCQ + ("pubmedqa",)),
    ("case_punct", "input_and_answer", MCQ + ("pubmedqa",)),
    ("shuffled", "contaminated", MCQ),
    ("changed_words", "contaminated", MCQ),           # stems of >= 20 words
    ("changed_words_lt20", "contaminated", MCQ),      # stems of 8-19 words (no target)
    ("numbers", "contaminated", MCQ),
    ("truncated", "contaminated", MCQ),
    ("no_answer", "input_only", MCQ + ("pubmedqa",)),
    ("answer_only", "clean", MCQ + ("pubmedqa",)),
]
NEGATIVE_FORMS = ["neg_template", "neg_translated", "neg_same_topic"]
# per-benchmark quota relative to --per-bench (small files give fewer items)
QUOTA_SCALE = {"medqa": 1.0, "medmcqa": 1.0, "mmlu": 1.0, "headqa": 1.0, "medbullets": 0.3,
               "pubmedqa": 0.5}

# ---------------------------------------------------------------- words

WORD = re.compile(r"[^\W_]+")
COMBINING = re.compile("[%s]" % "".join(re.escape(chr(c)) for c in range(0x10000)
                                         if unicodedata.combining(chr(c))))


def toks(s):
    """medcheck's words, approximately: NFKD, case-folded, combining marks
    dropped, runs of letters and digits."""
    if s.isascii():
        return WORD.findall(s.lower())
    s = unicodedata.normalize("NFKD", s)
    if not s.isascii():
        s = COMBINING.sub("", s)
    return WORD.findall(s.casefold())


def grams(t, n=8):
    return {tuple(t[i:i + n]) for i in range(len(t) - n + 1)}


def joined(t):
    return " " + " ".join(t) + " "


def contains_seq(hay_joined, needle):
    return bool(needle) and joined(needle) in hay_joined


def coverage(t, gset, n=8):
    if len(t) < n:
        return 0.0
    cov = bytearray(len(t))
    for i in range(len(t) - n + 1):
        if tuple(t[i:i + n]) in gset:
            cov[i:i + n] = b"\x01" * n
    return sum(cov) / len(t)


def longest_run(t, gset, n=8):
    """Longest run of words of t covered by consecutive n-grams found in gset."""
    best = run = 0
    for i in range(len(t) - n + 1):
        if tuple(t[i:i + n]) in gset:
            run += 1
            best = max(best, run + n - 1)
        else:
            run = 0
    return best


def collapse(s):
    return re.sub(r"\s+", " ", s).strip()


# ---------------------------------------------------------------- items

class Item:
    def __init__(self, bench, rel, index, iid, question, options, answer, passage=None,
                 long_answer=None, decision=None):
        self.bench = bench
        self.rel = rel              # file, relative to the external folder
        self.index = index          # medcheck's 0-based index in that file
        self.id = iid               # the file's own id (checked against items.jsonl), or None
        self.question = question
        self.options = options      # [(label, text)]
        self.answer = answer        # label of the correct option, or None
        self.passage = passage or []
        self.long_answer = long_answer
        self.decision = decision
        self.qt = toks(question)

    @property
    def key(self):
        return "%s#%d" % (self.rel, self.index)

    def answer_text(self):
        if self.answer is None:
            return self.long_answer or ""
        return dict(self.options)[self.answer]


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [l for l in f.read().split("\n") if l.strip()]


def load_medqa_like(ext, rel, bench):
    items = []
    for i, l in enumerate(read_lines(os.path.join(ext, rel))):
        d = json.loads(l)
        iid = d.get("realidx")
        items.append(Item(bench, rel, i, None if iid is None else str(iid), d["question"],
                          list(d["options"].items()), d["answer_idx"]))
    return items


def load_medmcqa(ext, rel):
    items = []
    for i, l in enumerate(read_lines(os.path.join(ext, rel))):
        d = json.loads(l)
        opts = [("A", d["opa"]), ("B", d["opb"]), ("C", d["opc"]), ("D", d["opd"])]
        cop = d.get("cop")
        ans = "ABCD"[cop - 1] if isinstance(cop, int) and 1 <= cop <= 4 else None
        items.append(Item("medmcqa", rel, i, d.get("id"), d["question"], opts, ans))
    return items


def load_pubmedqa(ext, rel):
    with open(os.path.join(ext, rel), encoding="utf-8") as f:
        d = json.load(f)
    return [Item("pubmedqa", rel, i, pmid, v["QUESTION"], [], None, passage=v["CONTEXTS"],
                 long_answer=v.get("LONG_ANSWER", ""), decision=v.get("final_decision"))
            for i, (pmid, v) in enumerate(d.items())]


def load_mmlu(ext, rel, bench="mmlu"):
    items = []
    with open(os.path.join(ext, rel), encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            if len(row) < 6:
                continue
            items.append(Item(bench, rel, i, None, row[0], list(zip("ABCD", row[1:5])),
                              row[5].strip()))
    return items


def load_headqa(ext, rel, bench="headqa"):
    with open(os.path.join(ext, rel), encoding="utf-8") as f:
        d = json.load(f)
    items = []
    for name, exam in d["exams"].items():
        for q in exam["data"]:
            opts = [("ABCDE"[k], a["atext"]) for k, a in enumerate(q["answers"])]
            ra = int(q["ra"])
            ans = "ABCDE"[ra - 1] if 1 <= ra <= len(opts) else None
            items.append(Item(bench, rel, len(items), "%s/%s" % (name, q["qid"]), q["qtext"],
                              opts, ans))
    return items


def load_scanned(ext):
    by_bench = {}
    for bench, rels in SCANNED:
        for rel in rels:
            if bench == "medqa" or bench == "medbullets":
                its = load_medqa_like(ext, rel, bench)
            elif bench == "medmcqa":
                its = load_medmcqa(ext, rel)
            elif bench == "pubmedqa":
                its = load_pubmedqa(ext, rel)
            elif bench == "mmlu":
                its = load_mmlu(ext, rel)
            else:
                its = load_headqa(ext, rel)
            by_bench.setdefault(bench, []).extend(its)
    return by_bench


def load_topic_sources(ext):
    """Real items of files that are NOT scanned: the same-topic hard negatives."""
    out = []
    for split in ("dev", "val"):
        for s in MMLU_MEDICAL:
            out += load_mmlu(ext, "mmlu_hendrycks/%s/%s_%s.csv" % (split, s, split), "mmlu_" + split)
    out += load_headqa(ext, "headqa/dev_HEAD_EN.json", "headqa_dev")
    for name in ("medexqa", "afrimedqa", "medxpertqa-u"):
        rel = "medagentsbench/%s_test.jsonl" % name
        for i, l in enumerate(read_lines(os.path.join(ext, rel))):
            d = json.loads(l)
            q = d["question"].split("\nAnswer Choices:")[0].replace("\r\n", "\n").strip()
            opts = [(k, v.strip()) for k, v in d["options"].items()
                    if isinstance(v, str) and v.strip() and v.strip().lower() != "n/a"]
            if d.get("answer_idx") not in dict(opts):
                continue
            out.append(Item(name, rel, i, None, q, opts, d["answer_idx"]))
    return out


# ---------------------------------------------------------------- the bank

class Bank:
    """Every scanned item, with an 8-gram index, to keep planted texts unambiguous."""

    def __init__(self, items):
        self.items = items
        self.by_gram = {}
        self.short = {}
        for n, it in enumerate(items):
            for g in grams(it.qt):
                self.by_gram.setdefault(g, []).append(n)
            if len(it.qt) < 8 and it.qt:
                self.short.setdefault(tuple(it.qt), []).append(n)
        self.short_first = {}
        for k in self.short:
            self.short_first.setdefault(k[0], []).append(k)
        # templates: 8-grams of 3 or more distinct stems ("Which of the following is
        # the most likely ..."); sharing them reveals no item
        self.stem_count, sid, stem_of = {}, {}, []
        for it in items:
            k = tuple(it.qt)
            self.stem_count[k] = self.stem_count.get(k, 0) + 1
            stem_of.append(sid.setdefault(k, len(sid)))
        self.template = {g for g, ns in self.by_gram.items()
                         if len(ns) >= 3 and len({stem_of[n] for n in ns}) >= 3}

    def revealed(self, text, exclude=(), thr=0.3, span=20):
        """Keys of the scanned items other than `exclude` that `text` could reveal:
        a stem of 8+ words covered >= thr by the text's 8-grams that are not
        templates, a stem sharing a run of `span` or more words with the text
        (templates included: a reading passage several MMLU items share is not a
        template), or a short stem found whole with at least two of its options."""
        t = toks(text)
        g_all = grams(t)
        g = {x for x in g_all if x not in self.template}
        shared, shared_all = {}, {}
        for x in g_all:
            tmpl = x in self.template
            for n in self.by_gram.get(x, ()):
                shared_all[n] = shared_all.get(n, 0) + 1
                if not tmpl:
                    shared[n] = shared.get(n, 0) + 1
        out = []
        for n in sorted(shared_all):
            it = self.items[n]
            if it.key in exclude:
                continue
            # k shared 8-grams cover at most 8k words
            if 8 * shared.get(n, 0) >= thr * len(it.qt) and coverage(it.qt, g) >= thr:
                out.append(it.key)
            elif shared_all[n] >= span - 7 and longest_run(it.qt, g_all) >= span:
                out.append(it.key)
        tj = joined(t)
        seen = set()
        for w in sorted(set(t)):
            for k in self.short_first.get(w, ()):
                if k in seen or joined(k) not in tj:
                    continue
                seen.add(k)
                for n in self.short[k]:
                    it = self.items[n]
                    if it.key in exclude:
                        continue
                    found = sum(1 for _, o in it.options if contains_seq(tj, toks(o)))
                    if found >= min(2, len(it.options)) or not it.options:
                        out.append(it.key)
        return out


_WF = {}


def well_formed(it):
    k = (it.rel, it.index)
    if k not in _WF:
        _WF[k] = _well_formed(it)
    return _WF[k]


def _well_formed(it):
    """An item whose copy can be judged: 4-5 distinct non-empty options, the correct
    one's text neither in the stem nor inside another option; PubMedQA: a context
    of 50+ words that shares no 8-gram with the long answer."""
    if not it.qt:
        return False
    if it.bench == "pubmedqa":
        ct = toks(" ".join(it.passage))
        lt = toks(it.long_answer or "")
        return len(ct) >= 50 and len(lt) >= 8 and not (grams(ct) & grams(lt)) and it.decision
    if it.answer is None or len(it.options) < 4:
        return False
    ot = [toks(t) for _, t in it.options]
    if any(not t for t in ot) or len({tuple(t) for t in ot}) != len(ot):
        return False
    at = toks(it.answer_text())
    if contains_seq(joined(it.qt), at):
        return False
    for (l, _), tt in zip(it.options, ot):
        if l != it.answer and contains_seq(joined(tt), at):
            return False
    return True


# ---------------------------------------------------------------- transformations

def opt_lines(options, style="A."):
    out = []
    for k, (_, t) in enumerate(options):
        L = "ABCDEFGHIJ"[k]
        lab = {"A.": "%s." % L, "(A)": "(%s)" % L, "a)": "%s)" % L.lower(),
               "A)": "%s)" % L}[style]
        out.append("%s %s" % (lab, collapse(t)))
    return out


def letter_of(it, options=None):
    """The letter (by position) of the correct option in `options`."""
    options = options if options is not None else it.options
    for k, (l, _) in enumerate(options):
        if l == it.answer:
            return "ABCDEFGHIJ"[k]
    raise ValueError(it.key)


def key_line(rng, it, options=None):
    L = letter_of(it, options)
    style = rng.choice(["Answer: %s", "Correct answer: %s", "Answer: %s. {t}", "Ans. %s"])
    return (style % L).replace("{t}", collapse(it.answer_text())), \
        style.replace("%s", "X").replace("{t}", "<answer text>")


def mcq_block(it, stem, rng, options=None, style="A.", with_key=True):
    options = options if options is not None else it.options
    lines = [stem] + opt_lines(options, style)
    detail = ""
    if with_key:
        k, detail = key_line(rng, it, options)
        lines.append(k)
    return "\n".join(lines), detail


def pubmed_block(it, question, long_answer, contexts, with_answer=True):
    parts = [question]
    if with_answer:
        parts.append("%s. %s" % (it.decision.capitalize(), long_answer))
    parts.append(contexts)
    return "\n".join(parts)


PUNCT_SEP = re.compile(r"[,;:?!\"“”()\[\]]")


def punct_changed(s, variant):
    if variant in ("upper_punct", "lower_nopunct", "punct_only"):
        s = re.sub(r"(?<=\w)-(?=\w)", " ", s)          # 45-year-old -> 45 year old
        s = s.replace("'", "’")
    if variant == "upper_punct":
        s = s.upper()
        s = re.sub(r"[,;:]", " ;", s)
        s = re.sub(r"\.(\s|$)", r" -\1", s)
        s = s.replace("?", " ??")
    elif variant == "lower_nopunct":
        s = s.lower()
        s = PUNCT_SEP.sub(" ", s)
        s = re.sub(r"\.(\s|$)", r"\1", s)
    elif variant == "punct_only":
        s = s.replace(",", ";").replace("(", "[").replace(")", "]")
        s = re.sub(r"\.(\s|$)", r";\1", s)
    elif variant == "title":
        s = " ".join(w[:1].upper() + w[1:] for w in s.split(" "))
    return collapse(s)


SYNONYMS = {
    "patient": "individual", "man": "male", "woman": "lady", "boy": "child", "girl": "child",
    "presents": "comes", "comes": "presents", "physician": "doctor", "doctor": "physician",
    "department": "room", "emergency": "urgent", "history": "record", "shows": "reveals",
    "reveals": "shows", "examination": "exam", "following": "listed", "likely": "probable",
    "most": "more", "appropriate": "suitable", "diagnosis": "condition", "pain": "discomfort",
    "severe": "serious", "began": "started", "started": "began", "mother": "parent",
    "father": "parent", "ago": "before", "daily": "everyday", "normal": "regular",
    "increased": "raised", "decreased": "reduced", "which": "what", "following:": "below:",
    "treatment": "therapy", "therapy": "treatment", "symptoms": "complaints",
    "blood": "serum", "fever": "pyrexia", "reports": "states", "states": "reports",
    "shortness": "difficulty", "weeks": "wks", "days": "d", "hours": "hrs",
    "cause": "reason", "drug": "medication", "medication": "drug", "common": "frequent",
    "found": "seen", "seen": "found", "associated": "linked", "used": "employed",
    "true": "correct", "false": "incorrect", "except": "but", "all": "each",
}

WORD_RE = re.compile(r"[A-Za-z][A-Za-z]*")


def change_words(rng, stem, k, vocab):
    """Change k distinct words of the stem (3+ letters): a synonym when the table
    has one, else, at random, a typo (two adjacent inner letters swapped) or a
    random other word of the benchmarks' vocabulary."""
    ms = [m for m in WORD_RE.finditer(stem) if len(m.group()) >= 3]
    if len(ms) < k:
        return None, None
    pick = sorted(rng.sample(range(len(ms)), k))
    out, last, changes = [], 0, []
    for p in pick:
        m = ms[p]
        w = m.group()
        new = SYNONYMS.get(w.lower())
        if new is None and len(w) >= 4 and rng.random() < 0.5:
            i = rng.randrange(1, len(w) - 2)
            if w[i] != w[i + 1]:
                new = (w[:i] + w[i + 1] + w[i] + w[i + 2:]).lower()
        if new is None or new == w.lower():
            while True:
                new = rng.choice(vocab)
                if new != w.lower():
                    break
        if w[0].isupper():
            new = new[0].upper() + new[1:]
        if w.isupper() and len(w) > 1:
            new = new.upper()
        out.append(stem[last:m.start()])
        out.append(new)
        last = m.end()
        changes.append("%s->%s" % (w, new))
    out.append(stem[last:])
    return "".join(out), changes


UNITS = r"(?:mg|mcg|g|kg|mL|ml|L|dL|mm|cm|mmHg|mEq|mmol|IU|U|Gy|ng|pg|nmol|µg|μg)"
NUM_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "eleven", "twelve"]
TIME_UNITS = r"(?:days?|weeks?|months?|years?|hours?|times|minutes?)"
NUMBER_RULES = [
    ("mmhg", re.compile(r"\bmm Hg\b"), lambda m: "mmHg"),
    ("unit_join", re.compile(r"\b(\d+(?:\.\d+)?) (" + UNITS + r")\b(?! Hg)"),
     lambda m: m.group(1) + m.group(2)),
    ("unit_split", re.compile(r"\b(\d+(?:\.\d+)?)(" + UNITS + r")\b"), lambda m: m.group(1) + " " + m.group(2)),
    ("thousands", re.compile(r"\b(\d{1,3}),(\d{3})(?:,(\d{3}))?\b"),
     lambda m: "".join(g for g in m.groups() if g)),
    ("fraction", re.compile(r"(?<![\d/.,])([13])/([24])(?![\d/])"),
     lambda m: {"1/2": "0.5", "1/4": "0.25", "3/4": "0.75", "3/2": "1.5"}[m.group(0)]),
    ("decimal_half", re.compile(r"(?<![\d/.,])0\.5(?![\d/])"), lambda m: "1/2"),
    ("leading_zero", re.compile(r"(?<![\d.,])0\.(\d+)"), lambda m: "." + m.group(1)),
    ("digit_word", re.compile(r"\b([1-9]|1[0-2]) (" + TIME_UNITS + r")\b"),
     lambda m: NUM_WORDS[int(m.group(1))] + " " + m.group(2)),
    ("word_digit", re.compile(r"\b(" + "|".join(NUM_WORDS[1:]) + r") (" + TIME_UNITS + r")\b", re.I),
     lambda m: str([w.lower() for w in NUM_WORDS].index(m.group(1).lower())) + " " + m.group(2)),
]


def reformat_numbers(rng, stem, options):
    """Choose a random non-empty subset of the number styles the stem uses and
    apply them to every occurrence, in the stem and the options."""
    applicable = [r for r in NUMBER_RULES if r[1].search(stem)]
    # a rule and its inverse are not applied together
    names = [r[0] for r in applicable]
    if "unit_join" in names and "unit_split" in names:
        applicable = [r for r in applicable if r[0] != rng.choice(["unit_join", "unit_split"])]
    if "fraction" in names and "decimal_half" in names:
        applicable = [r for r in applicable if r[0] != "decimal_half"]
    if "decimal_half" in names and "leading_zero" in names:
        applicable = [r for r in applicable if r[0] != "leading_zero"]
    if "digit_word" in names and "word_digit" in names:
        applicable = [r for r in applicable if r[0] != "word_digit"]
    if not applicable:
        return None
    k = rng.randint(1, len(applicable))
    rules = sorted(rng.sample(applicable, k), key=lambda r: NUMBER_RULES.index(r))
    changes = []

    def apply(s, record):
        for name, rx, fn in rules:
            def sub(m, name=name, fn=fn):
                new = fn(m)
                if record and new != m.group(0):
                    changes.append("%s->%s" % (m.group(0), new))
                return new
            s = rx.sub(sub, s)
        return s
    new_stem = apply(stem, True)
    if not changes or toks(new_stem) == toks(stem):
        return None
    new_opts = [(l, apply(t, False)) for l, t in options]
    return new_stem, new_opts, [r[0] for r in rules], changes


SENT_SPLIT = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9\"“(])")


def sentences(s):
    return [x for x in SENT_SPLIT.split(s.strip()) if x.strip()]


# ---------------------------------------------------------------- blocks per form

def form_block(form, it, rng, vocab):
    """(block text, detail) for a positive form, or None if the item does not fit."""
    n = len(it.qt)
    stem = it.question.strip()
    if it.bench == "pubmedqa":
        ctx = " ".join(it.passage)
        if form == "verbatim":
            return pubmed_block(it, stem, it.long_answer, ctx), "question; decision + long answer; contexts"
        if form == "rewrapped":
            w = rng.randint(30, 90)
            b = pubmed_block(it, stem, it.long_answer, ctx)
            return "\n".join(textwrap.fill(collapse(p), width=w) for p in b.split("\n")), "width %d" % w
        if form == "layout":
            return ("<div class=\"quiz\">\n<p><b>Q%d.</b> %s</p>\n<p>Answer: %s. %s</p>\n"
                    "<p class=\"context\">%s</p>\n</div>" % (
                        rng.randint(1, 40), collapse(stem), it.decision, collapse(it.long_answer),
                        collapse(ctx)), "html quiz")
        if form == "case_punct":
            v = rng.choice(["upper_punct", "lower_nopunct", "punct_only", "title"])
            return pubmed_block(it, punct_changed(stem, v), punct_changed(it.long_answer, v),
                                punct_changed(ctx, v)), v
        if form == "no_answer":
            return pubmed_block(it, stem, None, ctx, with_answer=False), "question + contexts"
        if form == "answer_only":
            return "Answer: %s. %s" % (it.decision, it.long_answer), "decision + long answer"
        return None

    if form == "verbatim":
        b, d = mcq_block(it, stem, rng)
        return b, "key " + d
    if form == "rewrapped":
        w = rng.randint(30, 90)
        v = rng.choice(["plain", "indent", "quote", "runin"])
        lines = [stem] + opt_lines(it.options) + [key_line(rng, it)[0]]
        if v == "runin":
            paras = [stem, "  ".join(opt_lines(it.options)), lines[-1]]
        else:
            paras = lines
        pre = {"plain": "", "indent": "    ", "quote": "> ", "runin": ""}[v]
        out = [textwrap.fill(collapse(p), width=w, initial_indent=pre, subsequent_indent=pre)
               for p in paras]
        return "\n".join(out), "width %d, %s" % (w, v)
    if form == "layout":
        v = rng.choice(["q_lines", "html", "question_n"])
        qn = rng.randint(1, 60)
        L = letter_of(it)
        if v == "q_lines":
            b = "Q%d. %s\n%s\nAnswer: %s" % (qn, collapse(stem), "\n".join(opt_lines(it.options, "a)")),
                                            L.lower())
        elif v == "html":
            b = ("<div class=\"question\">\n<p><b>Question %d:</b> %s</p>\n<ul>\n%s\n</ul>\n"
                 "<p class=\"answer\">Correct answer: %s</p>\n</div>" % (
                     qn, collapse(stem),
                     "\n".join("<li>%s</li>" % o for o in opt_lines(it.options, "A)")), L))
        else:
            b = "Question %d\n%s\n%s\nAns. %s" % (qn, collapse(stem), " ".join(opt_lines(it.options, "(A)")),
                                               L.lower())
        return b, v
    if form == "case_punct":
        v = rng.choice(["upper_punct", "lower_nopunct", "punct_only", "title"])
        opts = [(l, punct_changed(t, v)) for l, t in it.options]
        L = letter_of(it)
        key = "ANSWER: %s" % L if v == "upper_punct" else "answer: %s" % L.lower()
        b = "%s\n%s\n%s" % (punct_changed(stem, v), "\n".join(opt_lines(opts, "(A)")), key)
        return b, v
    if form == "shuffled":
        perm = list(range(len(it.options)))
        while perm == sorted(perm):
            rng.shuffle(perm)
        opts = [it.options[p] for p in perm]
        style = rng.choice(["A.", "(A)", "a)"])
        b, d = mcq_block(it, stem, rng, options=opts, style=style)
        return b, "order %s, labels %s, key %s" % ("".join(it.options[p][0] for p in perm), style, d)
    if form in ("changed_words", "changed_words_lt20"):
        if form == "changed_words" and n < 20:
            return None
        if form == "changed_words_lt20" and not 8 <= n < 20:
            return None
        k = rng.randint(1, 3)
        new, changes = change_words(rng, stem, k, vocab)
        if new is None:
            return None
        b, d = mcq_block(it, new, rng)
        return b, "%d changed: %s" % (k, ", ".join(changes))
    if form == "numbers":
        r = reformat_numbers(rng, stem, it.options)
        if r is None:
            return None
        new, opts, rules, changes = r
        b, d = mcq_block(it, new, rng, options=opts)
        more = "" if len(changes) <= 4 else " (+%d more)" % (len(changes) - 4)
        return b, "%s; %d changes: %s%s" % ("+".join(rules), len(changes), ", ".join(changes[:4]), more)
    if form == "truncated":
        ss = sentences(stem)
        if len(ss) < 3:
            return None
        which = rng.choice(["first", "last"])
        kept = ss[1:] if which == "first" else ss[:-1]
        dropped = ss[0] if which == "first" else ss[-1]
        if len(toks(" ".join(kept))) < 12:
            return None
        b, d = mcq_block(it, " ".join(kept), rng)
        return b, "dropped %s sentence (%d of %d words)" % (which, len(toks(dropped)), n)
    if form == "no_answer":
        b, _ = mcq_block(it, stem, rng, with_key=False)
        return b, "stem + options"
    if form == "answer_only":
        b, d = mcq_block(it, "", rng)
        return b.lstrip("\n"), "options + key " + d
    raise ValueError(form)


# ---------------------------------------------------------------- hosts

class Hosts:
    """Real web pages: the Common Crawl documents of the Dolma test data."""

    def __init__(self, ext):
        self.docs = []   # (id, text)
        seen = set()
        for rel in [CC_MAIN] + CC_OTHER:
            with gzip.open(os.path.join(ext, rel), "rt", encoding="utf-8") as f:
                for line in f:
                    try:
                        r = json.loads(line)
                    except ValueError:
                        continue
                    t = r.get("text") if isinstance(r, dict) else None
                    if not isinstance(t, str) or len(t) < 300 or t in seen:
                        continue
                    seen.add(t)
                    self.docs.append(("%s:%s" % (os.path.basename(rel).split(".")[0], r.get("id")),
                                      t))
        self._joined = {}

    def tokens(self, k):
        if k not in self._joined:
            self._joined[k] = joined(toks(self.docs[k][1]))
        return self._joined[k]

    def page(self, rng, lo, hi, block, forbid=None):
        """Real pages joined until the length is in [lo, hi]; the block inserted at a
        paragraph boundary inside.  `forbid`: token lists no host page may contain
        (the correct answer, for the forms without one)."""
        target = rng.randint(lo, hi)
        parts, ids, total = [], [], 0
        tries = 0
        while total < target and tries < 400:
            tries += 1
            k = rng.randrange(len(self.docs))
            hid, text = self.docs[k]
            if hid in ids:
                continue
            if forbid and any(contains_seq(self.tokens(k), f) for f in forbid):
                continue
            room = hi - total
            if len(text) > room and parts:
                # cut the last page at a line break so the total stays near the target
                cut = text.rfind("\n", 0, max(room, 300))
                if cut < 300:
                    continue
                text = text[:cut]
                if forbid and any(contains_seq(joined(toks(text)), f) for f in forbid):
                    continue
            parts.append(text)
            ids.append(hid)
            total += len(text) + 2
        if not parts:
            return None, None
        paras = [p for p in "\n\n".join(parts).split("\n") if p.strip()]
        k = rng.randint(1, len(paras) - 1) if len(paras) > 1 else 1
        return "\n".join(paras[:k]) + "\n\n" + block + "\n\n" + "\n".join(paras[k:]), ids


# ---------------------------------------------------------------- hard negatives

STOP = set("""a an the of in on at to for from by with without and or but not no is are was
were be been being has have had do does did this that these those which what who whom whose
when where why how following most likely patient patients year old man woman his her he she
it its their there than then as into after before during over under about also may can could
would should will shall all any each other such only more less following best next step
appropriate diagnosis management cause presents comes because history physician shows
examination except true false one two three four five""".split())


def content(t):
    return [w for w in t if len(w) >= 3 and not w.isdigit() and w not in STOP]


class Topics:
    """tf-idf cosine between items on the content words of their stems."""

    def __init__(self, items):
        self.items = items
        self.df = {}
        self.vecs = []
        docs = [content(it.qt) for it in items]
        for d in docs:
            for w in set(d):
                self.df[w] = self.df.get(w, 0) + 1
        self.N = len(items)
        self.post = {}
        for n, d in enumerate(docs):
            v = self.vec(d)
            self.vecs.append(v)
            for w in sorted(v):
                self.post.setdefault(w, []).append(n)

    def vec(self, d):
        tf = {}
        for w in d:
            tf[w] = tf.get(w, 0) + 1
        v = {w: (1 + math.log(c)) * math.log((self.N + 1) / (self.df.get(w, 0) + 1))
             for w, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    def nearest(self, it, allowed):
        v = self.vec(content(it.qt))
        acc = {}
        for w, x in v.items():
            post = self.post.get(w, ())
            if len(post) > 400:
                continue
            for n in post:
                acc[n] = acc.get(n, 0.0) + x * self.vecs[n].get(w, 0.0)
        best = sorted(((s, n) for n, s in acc.items() if allowed(self.items[n])),
                      key=lambda p: (-p[0], p[1]))
        return (best[0][1], best[0][0]) if best else (None, 0.0)


def mine_templates(by_bench, bank):
    """Sentences (and case openers up to "because of") that occur verbatim, after
    normalisation, in 3 or more distinct items of at least two of the USMLE-style,
    HEAD-QA and MMLU files (a reading passage several MMLU items of one file share
    is not a template), and cover at most 25% of any single stem."""
    counts, surface, files = {}, {}, {}
    for bench in ("medqa", "medbullets", "headqa", "mmlu"):
        for n, it in enumerate(by_bench[bench]):
            seen = set()
            ss = sentences(it.question)
            pieces = list(ss)
            if ss:
                m = re.match(r"(.{10,120}?\bbecause of)\b", ss[0])
                if m:
                    pieces.append(m.group(1))
            for s in pieces:
                k = tuple(toks(s))
                if len(k) < 4 or k in seen:
                    continue
                seen.add(k)
                counts[k] = counts.get(k, 0) + 1
                files.setdefault(k, set()).add(it.rel)
                surface.setdefault(k, {})
                surface[k][s] = surface[k].get(s, 0) + 1
    out = []
    for k in sorted(counts, key=lambda k: (-counts[k], k)):
        if counts[k] < 3 or len(files[k]) < 2:
            continue
        if bank.stem_count.get(k):        # a template that is some item's whole stem
            continue
        g = grams(list(k))
        shared = {}
        for x in g:
            for n in bank.by_gram.get(x, ()):
                shared[n] = shared.get(n, 0) + 1
        if any(8 * c > 0.25 * len(bank.items[n].qt) and coverage(bank.items[n].qt, g) > 0.25
               for n, c in sorted(shared.items())):
            continue
        s = sorted(surface[k].items(), key=lambda p: (-p[1], p[0]))[0][0]
        out.append((s, counts[k]))
    return out


# ---------------------------------------------------------------- main

def zstd_write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        subprocess.run(["zstd", "-3", "-T1", "-q", "-c"], input=data, stdout=f, check=True)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--external", default=DEFAULT_EXTERNAL)
    ap.add_argument("--out", default=os.path.join(REPO, "bench", "data", "pr"))
    ap.add_argument("--seed", type=int, default=20241125)
    ap.add_argument("--per-bench", type=int, default=40,
                    help="items per form and benchmark (scaled down for MedBullets, PubMedQA)")
    ap.add_argument("--negatives", type=int, default=150, help="hard negatives per kind")
    ap.add_argument("--small", action="store_true",
                    help="the test-suite subset: short pages (the counts come from the other options)")
    ap.add_argument("--show-pairs", type=int, default=0,
                    help="print N same-topic pairs (for reading) and exit after writing")
    a = ap.parse_args()
    ext = os.path.normpath(a.external)
    rng = random.Random(a.seed)

    by_bench = load_scanned(ext)
    all_items = [it for b, _ in SCANNED for it in by_bench[b]]
    bank = Bank(all_items)
    key_of = {it.key: it for it in all_items}
    hosts = Hosts(ext)
    vocab = sorted({w for it in by_bench["medqa"] + by_bench["mmlu"] for w in it.qt
                    if len(w) >= 4 and w.isalpha() and w.isascii()})

    # items never used as positives: both sides of every known cross-benchmark pair
    reserved = set()
    vignette_pairs = []
    with open(os.path.join(ext, PAIRS), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["benchmark_a"] == "medqa" and row["benchmark_b"] in ("medbullets", "medxpertqa_r",
                                                                      "medxpertqa_u"):
                reserved.add("%s#%s" % (row["file_a"], row["index_a"]))
                if row["benchmark_b"] == "medbullets":
                    reserved.add("%s#%s" % (row["file_b"], row["index_b_or_key"]))
                    vignette_pairs.append((row["file_a"], int(row["index_a"]), row["file_b"],
                                           int(row["index_b_or_key"]), float(row["score"])))
    used = set(reserved)

    small = a.small
    page_lo, page_hi = (1000, 4000) if small else (2000, 15000)
    long_lo, long_hi = (8000, 12000) if small else (30000, 60000)
    cases = []   # dicts

    # ---- positives
    for form, expected, benches in FORMS:
        for bench in benches:
            quota = max(1, round(a.per_bench * QUOTA_SCALE[bench]))
            pool = list(by_bench[bench])
            rng.shuffle(pool)
            got = 0
            for it in pool:
                if got >= quota:
                    break
                if it.key in used or not well_formed(it):
                    continue
                if bank.stem_count.get(tuple(it.qt), 0) > 1:     # duplicated stem
                    continue
                r = form_block(form, it, rng, vocab)
                if r is None:
                    continue
                block, detail = r
                # the answer alone must not restate the question (PubMedQA's long
                # answers often do): no shared 8-gram with the stem
                if form == "answer_only" and grams(toks(block)) & grams(it.qt):
                    continue
                full = it.question + "\n" + "\n".join(t for _, t in it.options) + "\n" + \
                    " ".join(it.passage)
                if bank.revealed(full, exclude={it.key}) or bank.revealed(block, exclude={it.key}):
                    continue
                forbid = None
                if form in ("no_answer",):
                    forbid = [toks(it.answer_text())]
                if form == "answer_only":
                    forbid = [it.qt]
                lo, hi = (long_lo, long_hi) if form == "verbatim" else (page_lo, page_hi)
                text, hids = hosts.page(rng, lo, hi, block, forbid)
                if text is None:
                    continue
                used.add(it.key)
                cases.append({"form": form, "expected": expected, "key": it.key, "bench": bench,
                              "planted_key": it.key, "stem_tokens": len(it.qt), "detail": detail,
                              "block": block, "hosts": hids, "text": text, "id": it.id})
                got += 1

    # ---- hard negatives: clinical templates
    templates = mine_templates(by_bench, bank)
    openers = [t for t in templates if toks(t[0])[-2:] == ["because", "of"]]
    plain = [t for t in templates if t not in openers]
    # real questions of unscanned files that open like 3+ scanned stems
    # ("Which of the following statements is true about ..."), with their options
    src = load_topic_sources(ext)
    src_used = set()
    pref = {}
    for it in all_items:
        if len(it.qt) >= 8:
            pref.setdefault(tuple(it.qt[:8]), set()).add(tuple(it.qt))
    cand = [b for b in src if len(b.qt) >= 9 and len(pref.get(tuple(b.qt[:8]), ())) >= 3
            and len(b.options) >= 4 and b.answer]
    rng.shuffle(cand)
    made = 0
    for b in cand:
        if made >= a.negatives // 2:
            break
        block, _ = mcq_block(b, b.question.strip(), rng)
        if bank.revealed(block):
            continue
        text, hids = hosts.page(rng, page_lo, page_hi, block)
        src_used.add(b.key)
        cases.append({"form": "neg_template", "expected": "clean", "key": "-", "bench": "-",
                      "planted_key": b.key, "stem_tokens": 0,
                      "detail": "opener \"%s\" of %d scanned stems, %s item" % (
                          " ".join(b.qt[:8]), len(pref[tuple(b.qt[:8])]), b.bench),
                      "block": block, "hosts": hids, "text": text, "id": None})
        made += 1
    n_open = made

    n_chain = a.negatives - n_open
    # ... and chains of template sentences, for the rest
    made = 0
    tries = 0
    while made < n_chain and tries < a.negatives * 20 and plain:
        tries += 1
        k = rng.randint(3, min(7, len(plain)))
        ss = [s for s, _ in rng.sample(plain, k)]
        if openers and rng.random() < 0.5:
            ss = [rng.choice(openers)[0] + " " + rng.choice(["chest pain.", "a cough.", "fatigue.",
                                                              "a rash.", "headaches."])] + ss
        block = " ".join(ss)
        if bank.revealed(block):
            continue
        text, hids = hosts.page(rng, page_lo, page_hi, block)
        cases.append({"form": "neg_template", "expected": "clean", "key": "-", "bench": "-",
                      "planted_key": "-", "stem_tokens": 0,
                      "detail": "chain of %d template sentences" % len(ss), "block": block,
                      "hosts": hids, "text": text, "id": None})
        made += 1

    # ---- hard negatives: HEAD-QA in Spanish, the English item is scanned
    es = load_headqa(ext, HEADQA_ES, "headqa_es")
    en = by_bench["headqa"]
    assert len(es) == len(en) and all(x.id == y.id for x, y in zip(es, en)), "HEAD-QA ES/EN not aligned"
    order = list(range(len(en)))
    rng.shuffle(order)
    made = skipped_overlap = 0
    for i in order:
        if made >= a.negatives:
            break
        e, s = en[i], es[i]
        if e.key in used or not well_formed(e) or s.answer is None:
            continue
        block = "%s\n%s\nRespuesta correcta: %s" % (s.question.strip(), "\n".join(opt_lines(s.options)),
                                                     letter_of(s))
        en_text = e.question + " " + " ".join(t for _, t in e.options)
        if grams(toks(block)) & grams(toks(en_text)):
            skipped_overlap += 1          # shares 8 words verbatim: not a translation-only case
            continue
        if bank.revealed(block):
            continue
        text, hids = hosts.page(rng, page_lo, page_hi, block)
        used.add(e.key)
        cases.append({"form": "neg_translated", "expected": "clean", "key": e.key, "bench": "headqa",
                      "planted_key": "%s#%d" % (HEADQA_ES, s.index), "stem_tokens": len(e.qt),
                      "detail": "Spanish original of %s" % e.id, "block": block, "hosts": hids,
                      "text": text, "id": e.id})
        made += 1

    # ---- hard negatives: a real item of an unscanned file on the same topic as a scanned one
    topic_targets = [it for b in MCQ for it in by_bench[b]]
    topics = Topics(topic_targets)
    target_ok = {x.key: well_formed(x) and len(set(content(x.qt))) >= 4 for x in topic_targets}
    rng.shuffle(src)
    made = 0
    pairs_shown = []
    for b in src:
        if made >= a.negatives:
            break
        if b.key in src_used:
            continue
        if not b.qt or len(b.options) < 4 or b.answer is None:
            continue
        if len(set(content(b.qt))) < 4:
            continue
        n, cos = topics.nearest(b, lambda x: x.key not in used and target_ok[x.key])
        if n is None or cos < 0.35:
            continue
        A = topics.items[n]
        # a different question: the stems are not paraphrases (content words), the
        # correct answers differ, and no 8 words of the target are copied
        ca, cb = set(content(A.qt)), set(content(b.qt))
        aa, ab = set(toks(A.answer_text())), set(toks(b.answer_text()))
        if len(ca & cb) / len(ca | cb) >= 0.5 or (aa and ab and len(aa & ab) / len(aa | ab) >= 0.5):
            continue
        block, _ = mcq_block(b, b.question.strip(), rng)
        if toks(b.question) == A.qt or coverage(A.qt, grams(toks(block))) >= 0.2 or \
                bank.revealed(block, thr=0.2):
            continue
        text, hids = hosts.page(rng, page_lo, page_hi, block)
        used.add(A.key)
        cases.append({"form": "neg_same_topic", "expected": "clean", "key": A.key, "bench": A.bench,
                      "planted_key": "%s#%d" % (b.rel, b.index), "stem_tokens": len(A.qt),
                      "detail": "cosine %.2f with %s" % (cos, b.bench), "block": block,
                      "hosts": hids, "text": text, "id": A.id, "target_text": A.question})
        pairs_shown.append((cos, A, b))
        made += 1

    # ---- report only: the same vignette with another ending (MedQA <- MedBullets)
    for fa, ia, fb, ib, score in vignette_pairs:
        A = key_of["%s#%d" % (fa, ia)]
        B = key_of["%s#%d" % (fb, ib)]
        block, d = mcq_block(B, B.question.strip(), rng)
        text, hids = hosts.page(rng, page_lo, page_hi, block)
        cases.append({"form": "same_vignette", "expected": "contaminated", "key": A.key,
                      "bench": "medqa", "planted_key": B.key, "stem_tokens": len(A.qt),
                      "detail": "MedBullets %d planted verbatim, 13-gram containment %.3f" % (ib, score),
                      "block": block, "hosts": hids, "text": text, "id": A.id})

    # ---- documents: seeded shuffle, then numbered
    rng.shuffle(cases)
    for k, c in enumerate(cases):
        c["doc_id"] = "pr-%05d" % k
    os.makedirs(a.out, exist_ok=True)
    body = "".join(json.dumps({"id": c["doc_id"], "text": c["text"]}, ensure_ascii=False) + "\n"
                   for c in cases).encode("utf-8")
    zstd_write(os.path.join(a.out, "corpus.jsonl.zst"), body)

    def clean(s):
        return re.sub(r"[\t\n\r]+", " ", str(s))
    with open(os.path.join(a.out, "labels.tsv.tmp"), "w", encoding="utf-8") as f:
        f.write("key\tform\texpected\tdoc_id\tbench\tstem_tokens\tplanted_key\titem_id\tdetail\n")
        for c in sorted(cases, key=lambda c: c["doc_id"]):
            f.write("\t".join(clean(x) for x in (c["key"], c["form"], c["expected"], c["doc_id"],
                                                c["bench"], c["stem_tokens"], c["planted_key"],
                                                "" if c["id"] is None else c["id"], c["detail"])) + "\n")
    os.replace(os.path.join(a.out, "labels.tsv.tmp"), os.path.join(a.out, "labels.tsv"))
    with open(os.path.join(a.out, "cases.jsonl"), "w", encoding="utf-8") as f:
        for c in cases:
            d = {k: v for k, v in c.items() if k != "text"}
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    with open(os.path.join(a.out, "bench.txt"), "w", encoding="utf-8") as f:
        for _, rels in SCANNED:
            for rel in rels:
                f.write(rel + "\n")
    counts = {}
    for c in cases:
        counts.setdefault(c["form"], {}).setdefault(c["bench"], 0)
        counts[c["form"]][c["bench"]] += 1
    manifest = {"generator": "bench/pr/make_cases.py", "version": VERSION, "seed": a.seed,
                "per_bench": a.per_bench, "negatives": a.negatives, "small": small,
                "documents": len(cases), "bytes_decompressed": len(body),
                "sha256_decompressed": hashlib.sha256(body).hexdigest(),
                "templates_mined": len(templates), "translated_skipped_shared_8gram": skipped_overlap,
                "host_documents": len(hosts.docs), "counts": counts}
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    sys.stderr.write("make_cases: %d documents (%.1f MB), %d positives, %d hard negatives, "
                     "%d same-vignette -> %s\n" % (
                         len(cases), len(body) / 1e6,
                         sum(1 for c in cases if not c["form"].startswith("neg_") and c["form"] != "same_vignette"),
                         sum(1 for c in cases if c["form"].startswith("neg_")),
                         sum(1 for c in cases if c["form"] == "same_vignette"), a.out))
    for cos, A, b in sorted(pairs_shown, key=lambda p: p[1].key)[:a.show_pairs]:
        print("cos %.2f\n  scanned %s: %s\n  planted %s#%d: %s\n" % (
            cos, A.key, collapse(A.question)[:300], b.rel, b.index, collapse(b.question)[:300]))


if __name__ == "__main__":
    main()

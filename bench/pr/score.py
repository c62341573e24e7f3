#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Score one `medcheck scan` of the precision/recall corpus against its labels.

    score.py --labels DIR/labels.tsv --external EXT --scan OUTDIR [--control OUTDIR]
             [--check THRESHOLDS] [--json FILE]

Prints a markdown section for the scan's preset: recall per form, false
positives on the hard negatives, the clean Common Crawl control, items flagged
that were planted nowhere, and the same-vignette pairs with their coverage.

--check FILE reads a threshold table (lines `form metric min|max value` or
`form print`; see tests/cli/pr_subset.sh) and prints one line per row:
`PASS ...`, `FAIL ...` or `INFO ...`; the exit status is 1 when a row fails.
Python 3 standard library only.
"""

import argparse
import json
import os
import sys

FORM_ORDER = ["verbatim", "rewrapped", "layout", "case_punct", "shuffled", "changed_words",
              "changed_words_lt20", "numbers", "truncated", "no_answer", "answer_only"]
NEG_ORDER = ["neg_template", "neg_translated", "neg_same_topic"]
FORM_DOC = {
    "verbatim": "verbatim, in a 30-60 KB page",
    "rewrapped": "re-wrapped lines",
    "layout": "quiz layout (Q1. / a) / Answer:, HTML)",
    "case_punct": "case and punctuation changed",
    "shuffled": "options shuffled and relettered",
    "changed_words": "1-3 words changed, stem >= 20 words",
    "changed_words_lt20": "1-3 words changed, stem 8-19 words",
    "numbers": "numbers reformatted",
    "truncated": "stem truncated by a sentence",
    "no_answer": "question without answer",
    "answer_only": "answer without question",
    "neg_template": "shared clinical templates",
    "neg_translated": "translated (HEAD-QA ES, EN scanned)",
    "neg_same_topic": "same topic, different question",
}
# the targets of issue 3, for the medcheck preset
TARGETS = {"verbatim": 0.99, "rewrapped": 0.99, "layout": 0.99, "case_punct": 0.99,
           "shuffled": 0.95, "changed_words": 0.95, "numbers": 0.9, "truncated": 0.9}
NEG_TARGET = 0.01
ABBR = {"input_and_answer": "IA", "input_only": "IO", "near_duplicate": "ND",
        "passage_only": "PO", "clean": "C"}
CONTAMINATED = {"input_and_answer", "input_only", "near_duplicate"}


def read_labels(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    return rows


def read_scan(d, ext):
    real_ext = os.path.realpath(ext)
    items = {}
    with open(os.path.join(d, "items.jsonl"), encoding="utf-8") as f:
        for line in f:
            it = json.loads(line)
            rel = os.path.relpath(os.path.realpath(it["source"]), real_ext)
            items["%s#%d" % (rel, it["index"])] = it
    with open(os.path.join(d, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    return items, summary


def ok_for(expected, it):
    if expected == "contaminated":
        return it["contaminated"]
    return it["status"] == expected


def fmt_rate(x):
    return "-" if x is None else "%.3f" % x


def score(rows, items, summary, control):
    res = {"preset": summary.get("preset"), "near": summary.get("params", {}).get("near"),
           "records": summary.get("corpus", {}).get("records"),
           "bytes": summary.get("corpus", {}).get("bytes_decompressed"),
           "forms": {}, "negatives": {}, "vignette": [], "errors": []}
    # the key mapping is checked against the files' own ids
    for r in rows:
        if r["key"] == "-":
            continue
        it = items.get(r["key"])
        if it is None:
            res["errors"].append("no item %s in items.jsonl" % r["key"])
            continue
        if r.get("item_id") and it.get("id") is not None and str(it["id"]) != r["item_id"]:
            res["errors"].append("%s: id %s in items.jsonl, %s in labels" % (
                r["key"], it["id"], r["item_id"]))
    if res["errors"]:
        return res
    labelled = {r["key"] for r in rows} | {r["planted_key"] for r in rows}
    form_of_doc = {r["doc_id"]: r["form"] for r in rows}

    def own(it, doc):
        """The item has evidence in the document of its own case."""
        return any(ev.get("doc_id") == doc for ev in it.get("evidence", []))
    # A case counts only what its own document did: an item flagged through
    # other pages only (a shared 13-gram of another planted page, say) is not a
    # detection of its form, nor a false positive of its hard negative; it is
    # collateral, reported with the items that no label is about.
    other = {k: it for k, it in items.items() if it["contaminated"] and k not in labelled}
    for r in rows:
        if r["key"] != "-" and r["form"] != "same_vignette":
            it = items[r["key"]]
            if it["contaminated"] and not own(it, r["doc_id"]):
                other[r["key"]] = it

    for form in FORM_ORDER:
        rs = [r for r in rows if r["form"] == form]
        if not rs:
            continue
        exp = rs[0]["expected"]
        d = {"expected": exp, "n": len(rs), "detected": 0, "as_expected": 0, "statuses": {},
             "unjudged": 0, "misses": {}, "miss_keys": [], "other_status": [], "via_other": 0}
        for r in rs:
            it = items[r["key"]]
            hit = it["contaminated"] and own(it, r["doc_id"])
            d["via_other"] += it["contaminated"] and not hit
            d["detected"] += hit
            good = (not hit) if exp == "clean" else (hit and ok_for(exp, it))
            d["as_expected"] += good
            if not good:
                d["other_status"].append("%s (%s, %s)" % (r["key"], it["status"], r["doc_id"]))
            st = it["status"] if hit or not it["contaminated"] else "clean"
            d["statuses"][st] = d["statuses"].get(st, 0) + 1
            d["unjudged"] += not it["judged"]
            if hit == (exp == "clean"):
                d["misses"][r["bench"]] = d["misses"].get(r["bench"], 0) + 1
                d["miss_keys"].append(r["key"])
        d["recall"] = None if exp == "clean" else d["detected"] / d["n"]
        d["as_expected_rate"] = d["as_expected"] / d["n"]
        d["flag_rate"] = d["detected"] / d["n"]
        res["forms"][form] = d

    neg_docs = {}
    for k, it in other.items():
        for ev in it.get("evidence", []):
            if form_of_doc.get(ev.get("doc_id"), "").startswith("neg_"):
                neg_docs.setdefault(ev["doc_id"], []).append(k)
    neg_hit = set()
    for form in NEG_ORDER:
        rs = [r for r in rows if r["form"] == form]
        if not rs:
            continue
        fp = []
        for r in rs:
            hit = []
            if r["key"] != "-" and items[r["key"]]["contaminated"] and own(items[r["key"]], r["doc_id"]):
                hit.append(r["key"])
            hit += neg_docs.get(r["doc_id"], [])
            if hit:
                fp.append((r["doc_id"], sorted(set(hit))))
                neg_hit.update(hit)
        res["negatives"][form] = {"n": len(rs), "fp": len(fp), "rate": len(fp) / len(rs),
                                  "examples": fp[:5]}
    nn = sum(v["n"] for v in res["negatives"].values())
    nf = sum(v["fp"] for v in res["negatives"].values())
    res["negatives_all"] = {"n": nn, "fp": nf, "rate": nf / nn if nn else None}

    # collateral: flagged from pages that hold a planted item (not a hard negative)
    pos_docs = {r["doc_id"] for r in rows if not r["form"].startswith("neg_")}
    coll = sorted(k for k, it in other.items() if k not in neg_hit
                  and any(ev.get("doc_id") in pos_docs for ev in it.get("evidence", [])))
    res["other_flagged"] = {"n": len(other), "by_positive_pages": len(coll), "examples": coll[:6]}

    for r in rows:
        if r["form"] != "same_vignette":
            continue
        it = items[r["key"]]
        q = it.get("components", {}).get("question", {})
        res["vignette"].append({"key": r["key"], "planted": r["planted_key"], "detail": r["detail"],
                                "status": it["status"], "coverage": it.get("coverage"),
                                "score": it.get("score"), "question_tokens": q.get("tokens"),
                                "longest_match": it.get("longest_match")})
    if control is not None:
        citems, csum = control
        flagged = sorted(k for k, it in citems.items() if it["contaminated"])
        res["control"] = {"records": csum.get("corpus", {}).get("records"), "flagged": len(flagged),
                          "examples": flagged[:5]}
    return res


def markdown(res, targets):
    L = []
    add = L.append
    pre = res["preset"]
    add("### preset `%s` (near-duplicate pass: %s)" % (
        pre, {True: "on", False: "off"}.get(res["near"], res["near"])))
    add("")
    add("%s documents, %.1f MB decompressed. Recall = share of the planted items reported "
        "contaminated; *as expected* = the exact expected status. Statuses: IA input_and_answer, "
        "IO input_only, ND near_duplicate, PO passage_only, C clean." % (
            res["records"], (res["bytes"] or 0) / 1e6))
    add("")
    add("| form | expected | n | detected | recall | as expected | statuses | misses by benchmark |%s" %
        (" target |" if targets else ""))
    add("|---|---|---:|---:|---:|---:|---|---|%s" % ("---|" if targets else ""))
    for form in FORM_ORDER:
        d = res["forms"].get(form)
        if d is None:
            continue
        st = ", ".join("%s %d" % (ABBR.get(s, s), c) for s, c in
                       sorted(d["statuses"].items(), key=lambda p: -p[1]))
        if d["unjudged"]:
            st += " (unjudged %d)" % d["unjudged"]
        if d["via_other"]:
            st += " (flagged via other pages only: %d, counted C)" % d["via_other"]
        miss = ", ".join("%s %d" % p for p in sorted(d["misses"].items())) or "-"
        if d["expected"] == "clean":
            miss = ("flagged: " + miss) if d["misses"] else "-"
        row = "| %s | %s | %d | %d | %s | %d (%.3f) | %s | %s |" % (
            FORM_DOC[form], d["expected"], d["n"], d["detected"], fmt_rate(d["recall"]),
            d["as_expected"], d["as_expected_rate"], st, miss)
        if targets:
            t = targets.get(form)
            if t is None:
                row += " - |"
            else:
                row += " >= %.2f %s |" % (t, "met" if d["recall"] >= t else "**missed**")
        add(row)
    add("")
    add("| hard negatives | n | false positives | FP rate | examples |")
    add("|---|---:|---:|---:|---|")
    for form in NEG_ORDER:
        d = res["negatives"].get(form)
        if d is None:
            continue
        ex = "; ".join("%s: %s" % (doc, ", ".join(ks[:2])) for doc, ks in d["examples"][:2]) or "-"
        add("| %s | %d | %d | %.1f%% | %s |" % (FORM_DOC[form], d["n"], d["fp"], 100 * d["rate"], ex))
    a = res["negatives_all"]
    if a["n"]:
        add("| **all hard negatives** | %d | %d | %.1f%%%s | |" % (
            a["n"], a["fp"], 100 * a["rate"],
            (" (target <= 1%%: %s)" % ("met" if a["rate"] <= NEG_TARGET else "**missed**"))
            if targets else ""))
    c = res.get("control")
    if c is not None:
        add("| clean Common Crawl docs (separate scan) | %s docs | %d items flagged | | %s |" % (
            c["records"], c["flagged"], ", ".join(c["examples"]) or "-"))
    o = res["other_flagged"]
    add("")
    add("Other items flagged (planted nowhere, or flagged only through another case's page): %d "
        "(%d from pages holding a planted item)%s." % (o["n"], o["by_positive_pages"],
                      (": " + ", ".join(o["examples"]) + (" ..." if o["n"] > len(o["examples"]) else ""))
                      if o["examples"] else ""))
    if res["vignette"]:
        add("")
        add("Same vignette, other ending (MedBullets item planted verbatim; the MedQA item is "
            "scored; judgement: contaminated, not counted above):")
        add("")
        add("| MedQA item | planted | coverage | longest match / stem words | status |")
        add("|---|---|---:|---:|---|")
        for v in res["vignette"]:
            add("| %s | %s (%s) | %.3f | %s / %s | %s |" % (
                v["key"].split("/")[-1], v["planted"].split("/")[-1],
                v["detail"].split(", ")[-1], v["coverage"] or 0.0, v["longest_match"],
                v["question_tokens"], v["status"]))
    add("")
    return "\n".join(L)


def metric(res, form, name):
    if form in ("negatives", "all_negatives"):
        return res["negatives_all"]["rate"] if name == "fp_rate" else res["negatives_all"]["fp"]
    if form == "control":
        return res.get("control", {}).get("flagged")
    if form == "other":
        return res["other_flagged"]["by_positive_pages"]
    if form in res["negatives"]:
        d = res["negatives"][form]
        return {"fp_rate": d["rate"], "fp": d["fp"], "n": d["n"]}[name]
    d = res["forms"].get(form)
    if d is None:
        return None
    return {"recall": d["recall"], "as_expected": d["as_expected_rate"], "n": d["n"],
            "flag_rate": d["flag_rate"]}[name]


def check(res, path):
    """Rows: `FORM METRIC min|max VALUE` asserts, `FORM print` reports."""
    failed = 0
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            p = line.split()
            form = p[0]
            if len(p) == 1 or p[1] == "print":
                d = res["forms"].get(form)
                if d is not None:
                    print("INFO %s: recall %s, as expected %.3f (%d/%d), statuses %s" % (
                        form, fmt_rate(d["recall"]), d["as_expected_rate"], d["as_expected"], d["n"],
                        d["statuses"]))
                elif form == "other":
                    o = res["other_flagged"]
                    print("INFO items planted nowhere but flagged: %d %s" % (o["n"], o["examples"]))
                elif form in res["negatives"]:
                    print("INFO %s: %s" % (form, res["negatives"][form]))
                else:
                    print("INFO %s: no cases" % form)
                continue
            name, op, val = p[1], p[2], float(p[3])
            v = metric(res, form, name)
            if v is None:
                print("FAIL %s %s: no cases" % (form, name))
                failed += 1
                continue
            good = v >= val if op == "min" else v <= val
            extra = ""
            if not good and form in res["forms"]:
                extra = " not as expected: %s" % ", ".join(res["forms"][form]["other_status"][:4])
            if not good and form in res["negatives"]:
                extra = " %s" % res["negatives"][form]["examples"][:2]
            print("%s %s %s = %.3f (%s %g)%s" % ("PASS" if good else "FAIL", form, name, v, op, val,
                                                 extra))
            failed += not good
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", required=True)
    ap.add_argument("--external", required=True)
    ap.add_argument("--scan", required=True)
    ap.add_argument("--control")
    ap.add_argument("--check")
    ap.add_argument("--json")
    ap.add_argument("--no-targets", action="store_true")
    a = ap.parse_args()
    rows = read_labels(a.labels)
    items, summary = read_scan(a.scan, a.external)
    control = read_scan(a.control, a.external) if a.control else None
    res = score(rows, items, summary, control)
    if res["errors"]:
        for e in res["errors"][:10]:
            print("score.py: " + e, file=sys.stderr)
        return 2
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    if a.check:
        return 1 if check(res, a.check) else 0
    targets = TARGETS if res["preset"] == "medcheck" and not a.no_targets else None
    print(markdown(res, targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())

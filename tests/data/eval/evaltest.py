#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fixtures and expected values of tests/cli/evaluate.sh.

  evaltest.py make SCANDIR OUTDIR   results files for real benchmark items
                                    (MedQA, MedMCQA, PubMedQA of corpora/),
                                    and OUTDIR/plan.json: what each row
                                    says and which item it is about
  evaltest.py check EVALDIR PLAN RESAMPLES SEED
                                    compare evaluation.json with the
                                    accuracies, intervals and p-values
                                    computed here (eval_ref.py)

The results files are what the tools write: lm-evaluation-harness
--log_samples files (samples_<task>_<date>.jsonl under a directory named
after the model, with the Hugging Face documents of its medqa_4options,
medmcqa and pubmed_qa tasks), plain JSONL and CSV. Correctness is drawn
with a fixed seed: 90% on contaminated items, 55% on the others. Run from
the source root (benchmark paths are relative to it, as in the scan).
"""
import csv
import hashlib
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eval_ref  # noqa: E402

MQ = "corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst"
MM = "corpora/benchmarks/dev.json.zst"
PQ = "corpora/benchmarks/ori_pqal.json.zst"
CONTAMINATED = ("input_and_answer", "input_only", "near_duplicate")
STATUSES = ("input_and_answer", "input_only", "near_duplicate", "passage_only", "clean")


def raw(path):
    return subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout


def jsonl(path):
    return [json.loads(x) for x in raw(path).decode().splitlines() if x.strip()]


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


def select(items, source, clean_max=150):
    """Every item of the file that is not clean, and up to clean_max clean ones."""
    out, clean = [], 0
    for it in items:
        if it["source"] != source:
            continue
        if it["status"] != "clean" or (it["index"] % 7 == 0 and clean < clean_max):
            clean += it["status"] == "clean"
            out.append(it)
    return out


def outcome(model, it):
    r = random.Random("%s|%s" % (model, it["key"]))
    return r.random() < (0.9 if it["contaminated"] else 0.55)


def lm_sample(doc_id, doc, target, choices, correct, prompt, filt="none", metric="acc"):
    """One line as lm-evaluation-harness's evaluator logs it."""
    lls = [[-1.5 - i * 0.25, False] for i in range(len(choices))]
    s = {
        "doc_id": doc_id,
        "doc": doc,
        "target": str(target),
        "arguments": {"gen_args_%d" % i: {"arg_0": prompt, "arg_1": " " + c}
                      for i, c in enumerate(choices)},
        "resps": [[[str(ll[0]), str(ll[1])]] for ll in lls],
        "filtered_resps": [[str(ll[0]), str(ll[1])] for ll in lls],
        "filter": filt,
        "metrics": [metric] if metric == "exact_match" else ["acc", "acc_norm"],
        "doc_hash": sha(json.dumps(doc, indent=2, ensure_ascii=False)),
        "prompt_hash": sha(prompt),
        "target_hash": sha(str(target)),
    }
    if metric == "exact_match":
        s["exact_match"] = 1.0 if correct else 0.0
    else:
        s["acc"] = 1.0 if correct else 0.0
        s["acc_norm"] = s["acc"]
    return s


def write_jsonl(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")


def make(scan, out):
    items = [json.loads(x) for x in open(os.path.join(scan, "items.jsonl"))]
    plan = {"rows": [], "inputs": {}, "unjoined": {}}

    def planned(model, it, by, fname):
        c = outcome(model, it)
        plan["rows"].append({"model": model, "benchmark": it["source"], "key": it["key"],
                             "status": it["status"], "judged": it["judged"],
                             "contaminated": it["contaminated"], "correct": c})
        inp = plan["inputs"].setdefault(fname, {"rows": 0, "joined": 0, "unjoined": 0,
                                                "skipped_other_filter": 0,
                                                "joined_by": {"key": 0, "index": 0, "id": 0,
                                                              "text": 0}})
        inp["rows"] += 1
        inp["joined"] += 1
        inp["joined_by"][by] += 1
        return c

    def unjoined(fname, reason, n=1, rows=1):
        inp = plan["inputs"][fname]
        inp["rows"] += rows
        inp["unjoined"] += n
        plan["unjoined"][reason] = plan["unjoined"].get(reason, 0) + n

    date = "2024-06-01T12-00-00.000001"
    lm = os.path.join(out, "lm", "org__medlm-7b")
    # MedQA (medqa_4options: GBaker/MedQA-USMLE-4-options-hf rows; its ids
    # are not the file's, so these join by question text)
    mq = jsonl(MQ)
    rows, fname = [], os.path.join(lm, "samples_medqa_4options_%s.jsonl" % date)
    for n, it in enumerate(select(items, MQ)):
        q = mq[it["index"]]
        letters = sorted(q["options"])
        doc = {"id": "test-%05d" % it["index"], "sent1": q["question"], "sent2": "",
               "ending0": q["options"]["A"], "ending1": q["options"]["B"],
               "ending2": q["options"]["C"], "ending3": q["options"]["D"],
               "label": letters.index(q["answer_idx"])}
        prompt = "Question: %s\n%sAnswer:" % (q["question"], "".join(
            "%s. %s\n" % (k, q["options"][k]) for k in "ABCD"))
        c = planned("org__medlm-7b", it, "text", fname)
        rows.append(lm_sample(n, doc, doc["label"], "ABCD", c, prompt))
    write_jsonl(fname, rows)
    # MedMCQA (openlifescienceai/medmcqa rows: id, question, opa..opd, cop
    # 0-based): by id
    mm = jsonl(MM)
    rows, fname = [], os.path.join(lm, "samples_medmcqa_%s.jsonl" % date)
    for n, it in enumerate(select(items, MM)):
        q = dict(mm[it["index"]])
        doc = {"id": q["id"], "question": q["question"], "opa": q["opa"], "opb": q["opb"],
               "opc": q["opc"], "opd": q["opd"], "cop": q["cop"] - 1,
               "choice_type": q.get("choice_type"), "exp": q.get("exp"),
               "subject_name": q.get("subject_name"), "topic_name": q.get("topic_name")}
        c = planned("org__medlm-7b", it, "id", fname)
        rows.append(lm_sample(n, doc, doc["cop"], "ABCD", c, "Question: " + q["question"]))
    write_jsonl(fname, rows)
    # PubMedQA (pubmed_qa pqa_labeled rows: pubid, question, context): by id
    pq = json.loads(raw(PQ))
    keys = list(pq)
    rows, fname = [], os.path.join(lm, "samples_pubmedqa_%s.jsonl" % date)
    for n, it in enumerate(select(items, PQ)):
        pmid = keys[it["index"]]
        v = pq[pmid]
        doc = {"pubid": int(pmid), "question": v["QUESTION"],
               "context": {"contexts": v["CONTEXTS"], "labels": v.get("LABELS", []),
                           "meshes": v.get("MESHES", [])},
               "long_answer": v["LONG_ANSWER"], "final_decision": v["final_decision"]}
        c = planned("org__medlm-7b", it, "id", fname)
        rows.append(lm_sample(n, doc, " " + v["final_decision"], ["yes", "no", "maybe"], c,
                              "Abstract: ...\nQuestion: %s\nAnswer:" % v["QUESTION"]))
    write_jsonl(fname, rows)
    # a chain-of-thought MedQA log: two filters per document; the first
    # (strict-match) is used, the other is counted as skipped
    cot = os.path.join(out, "lm", "org__medlm-7b-cot")
    rows, fname = [], os.path.join(cot, "samples_medqa_4options_cot_%s.jsonl" % date)
    for n, it in enumerate(select(items, MQ, 40)):
        q = mq[it["index"]]
        doc = {"id": "test-%05d" % it["index"], "sent1": q["question"],
               "ending0": q["options"]["A"], "ending1": q["options"]["B"],
               "ending2": q["options"]["C"], "ending3": q["options"]["D"]}
        c = planned("org__medlm-7b-cot", it, "text", fname)
        for filt, val in (("strict-match", c), ("flexible-extract", not c)):
            rows.append(lm_sample(n, doc, q["answer_idx"], "ABCD", val, "Q: " + q["question"],
                                  filt, "exact_match"))
    write_jsonl(fname, rows)
    plan["inputs"][fname]["rows"] += 0
    plan["inputs"][fname]["skipped_other_filter"] = len(rows) // 2
    # plain JSONL by key (MedMCQA), with rows that cannot join
    rows, fname = [], os.path.join(out, "keyed.jsonl")
    for it in select(items, MM, 60):
        rows.append({"key": it["key"], "correct": planned("keyed", it, "key", fname),
                     "model": "keyed"})
    rows.append({"key": "corpora/benchmarks/nope.jsonl#1", "correct": True, "model": "keyed"})
    rows.append({"key": MM + "#999999", "correct": False, "model": "keyed"})
    rows.append({"key": MM + "#3", "model": "keyed"})
    rows.append("{not json")
    rows.append({"key": select(items, MM, 60)[0]["key"], "correct": True, "model": "keyed"})
    write_jsonl(fname, rows)
    unjoined(fname, "key not in the scan", 2, 2)
    unjoined(fname, "neither correct nor prediction")
    unjoined(fname, "invalid JSON")
    unjoined(fname, "duplicate: the item already has a result from this model")
    # CSV by source and index, with option letters as predictions (MedQA)
    fname = os.path.join(out, "letters.csv")
    with open(fname, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "index", "prediction", "model"])
        for it in select(items, MQ, 80):
            q = mq[it["index"]]
            c = planned("letters", it, "index", fname)
            wrong = [k for k in "ABCD" if k != q["answer_idx"]][it["index"] % 3]
            pred = q["answer_idx"] if c else wrong
            # letters as models write them: "C", "(c)", "C." -- or the text
            form = it["index"] % 4
            pred = ["%s", "(%s)", "%s.", "%s"][form] % (pred.lower() if form == 1 else pred)
            if form == 3:
                pred = q["options"][pred]
            w.writerow([MQ, it["index"], pred, "letters"])
        w.writerow([MQ, 999999, "A", "letters"])
    unjoined(fname, "index past the end of its file")
    # JSONL with only the question text (MedQA), one question not in the scan
    rows, fname = [], os.path.join(out, "text-only.jsonl")
    for it in select(items, MQ, 100):
        q = mq[it["index"]]
        rows.append({"question": q["question"].upper(),
                     "correct": planned("text-only", it, "text", fname), "model": "text-only"})
    rows.append({"question": "Is this question in any benchmark at all?", "correct": True,
                 "model": "text-only"})
    write_jsonl(fname, rows)
    unjoined(fname, "question text not in the scan")
    # JSONL with the file's own ids only (PubMedQA PMIDs)
    rows, fname = [], os.path.join(out, "ids.jsonl")
    for it in select(items, PQ, 120):
        rows.append({"id": it["id"], "correct": planned("id-only", it, "id", fname),
                     "model": "id-only"})
    rows.append({"id": "00000000", "correct": True, "model": "id-only"})
    write_jsonl(fname, rows)
    unjoined(fname, "id not in the scan")
    json.dump(plan, open(os.path.join(out, "plan.json"), "w"), indent=1)
    # the results files, in the order evaluate.sh passes them
    print("\n".join(plan["inputs"]))


def group(rows):
    k = sum(r["correct"] for r in rows)
    return {"n": len(rows), "correct": k, "accuracy": eval_ref.six(k / len(rows)) if rows else None}


def check(evaldir, planfile, resamples, seed):
    ev = json.load(open(os.path.join(evaldir, "evaluation.json")))
    plan = json.load(open(planfile))
    bad = []
    got = {(r["model"], r["benchmark"]): r for r in ev["results"]}
    want_keys = []
    for r in plan["rows"]:
        if (r["model"], r["benchmark"]) not in want_keys:
            want_keys.append((r["model"], r["benchmark"]))
    if sorted(got) != sorted(want_keys):
        bad.append("result groups %s, expected %s" % (sorted(got), sorted(want_keys)))
    for mk in want_keys:
        rows = [r for r in plan["rows"] if (r["model"], r["benchmark"]) == mk]
        g = got.get(mk)
        if g is None:
            continue
        clean = [r for r in rows if r["judged"] and not r["contaminated"]]
        cont = [r for r in rows if r["contaminated"]]
        want = {"overall": group(rows), "clean": group(clean), "contaminated": group(cont)}
        by_status = {s: group([r for r in rows if r["judged"] and r["status"] == s])
                     for s in STATUSES}
        for name in ("overall", "clean", "contaminated"):
            if g[name] != want[name]:
                bad.append("%s %s: %s, expected %s" % (mk, name, g[name], want[name]))
        if g["by_status"] != by_status:
            bad.append("%s by_status: %s, expected %s" % (mk, g["by_status"], by_status))
        if g["unjudged"] != group([r for r in rows if not r["judged"]]):
            bad.append("%s unjudged: %s" % (mk, g["unjudged"]))
        d = g["difference"]
        if clean and cont:
            kc, nc = want["clean"]["correct"], len(clean)
            kx, nx = want["contaminated"]["correct"], len(cont)
            lo, hi = eval_ref.bootstrap(kc, nc, kx, nx, resamples, seed, 0.95)
            exp = {"value": eval_ref.six(kc / nc - kx / nx), "ci_low": eval_ref.six(lo),
                   "ci_high": eval_ref.six(hi),
                   "p_value": eval_ref.six(eval_ref.fisher(kc, nc - kc, kx, nx - kx))}
            for k, v in exp.items():
                if not eval_ref.close(d[k], v):
                    bad.append("%s difference %s: %r, expected %r" % (mk, k, d[k], v))
        elif any(v is not None for v in d.values()):
            bad.append("%s: a difference without two groups: %s" % (mk, d))
        small = len(clean) < 10 or len(cont) < 10
        if g["too_small"] != small:
            bad.append("%s too_small %s, expected %s" % (mk, g["too_small"], small))
    un = ev["unjoined"]
    if un["count"] != sum(plan["unjoined"].values()) or un["by_reason"] != plan["unjoined"]:
        bad.append("unjoined %s, expected %s" % (un["by_reason"], plan["unjoined"]))
    if not un["examples"] or any("file" not in x or "line" not in x for x in un["examples"]):
        bad.append("unjoined examples without file and line")
    inputs = {i["file"]: {k: v for k, v in i.items() if k != "file"} for i in ev["inputs"]}
    for f, want in plan["inputs"].items():
        if inputs.get(f) != want:
            bad.append("input %s: %s, expected %s" % (f, inputs.get(f), want))
    p = ev["params"]
    if p["resamples"] != resamples or p["seed"] != seed:
        bad.append("params %s" % p)
    for b in bad:
        print(b, file=sys.stderr)
    print("%d groups checked, %d problems" % (len(want_keys), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])))

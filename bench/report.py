#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Summarise the timings of bench/run.sh; print a table and append a dated
markdown section to bench/RESULTS.md.  Called by run.sh."""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess


def sh(*cmd, cwd=None):
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def build_type(medcheck):
    # build/src/cli/medcheck -> build/meson-info
    d = os.path.dirname(os.path.abspath(medcheck))
    for _ in range(4):
        p = os.path.join(d, "meson-info", "intro-buildoptions.json")
        if os.path.exists(p):
            opts = {o["name"]: o["value"] for o in load_json(p) or []}
            return "%s (-O%s, b_ndebug=%s, lto=%s)" % (
                opts.get("buildtype"), opts.get("optimization"), opts.get("b_ndebug"),
                opts.get("b_lto"))
        d = os.path.dirname(d)
    return "?"


def main():
    ap = argparse.ArgumentParser()
    for k in ("times", "found", "found-split", "profile", "medcheck", "repo", "shard",
              "cmd-zstd", "cmd-scan", "results", "load-start"):
        ap.add_argument("--" + k, default="")
    ap.add_argument("--bytes", type=int, required=True)
    ap.add_argument("--split-bytes", type=int, default=0)
    ap.add_argument("--split", type=int, default=0)
    ap.add_argument("--gz-bytes", type=int, default=0)
    a = ap.parse_args()

    t = {}
    with open(a.times) as f:
        for line in f:
            label, us, rss, cpu = line.split("\t")
            t.setdefault(label, []).append((int(us) / 1e6, int(rss), float(cpu)))

    def med(label):
        return statistics.median(x[0] for x in t[label])

    def medcpu(label):
        return statistics.median(x[2] for x in t[label])

    mb = a.bytes / 1e6
    zs, sc = med("zstd"), med("scan")
    rounds = list(zip(t["zstd"], t["scan"]))
    ratio = zs / sc
    cratio = medcpu("zstd") / max(medcpu("scan"), 1e-9)
    rss_max = max(x[1] for x in t["scan"])
    found = load_json(a.found) or {}

    rows = [("zstd -d -c > /dev/null", zs, mb / zs, max(x[1] for x in t["zstd"]),
             medcpu("zstd")),
            ("medcheck scan -j 1", sc, mb / sc, rss_max, medcpu("scan"))]
    setup = med("setup") if "setup" in t else None
    scaling = None
    if "split-j1" in t and "split-j2" in t:
        smb = a.split_bytes / 1e6
        j1, j2 = med("split-j1"), med("split-j2")
        scaling = j1 / j2
        rows.append(("scan -j 1, %d shards" % a.split, j1, smb / j1,
                     max(x[1] for x in t["split-j1"]), medcpu("split-j1")))
        rows.append(("scan -j 2, %d shards" % a.split, j2, smb / j2,
                     max(x[1] for x in t["split-j2"]), medcpu("split-j2")))

    gz = None
    if "gzip-d" in t and "gz-isal" in t:
        gmb = a.gz_bytes / 1e6
        gd, gi = med("gzip-d"), med("gz-isal")
        gzl = med("gz-zlib") if "gz-zlib" in t else None
        gz = (gd / gi, gd / gzl if gzl else None)
        rows.append(("gzip -dc > /dev/null", gd, gmb / gd, max(x[1] for x in t["gzip-d"]),
                     medcpu("gzip-d")))
        rows.append(("scan -j 1, gzip (ISA-L)", gi, gmb / gi, max(x[1] for x in t["gz-isal"]),
                     medcpu("gz-isal")))
        if gzl:
            rows.append(("scan -j 1, gzip (zlib)", gzl, gmb / gzl,
                         max(x[1] for x in t["gz-zlib"]), medcpu("gz-zlib")))

    # ---- terminal table
    print("%-26s %10s %10s %10s %12s" % ("", "median s", "MB/s", "cpu s", "peak RSS MB"))
    for name, s, v, r, c in rows:
        print("%-26s %10.3f %10.1f %10.2f %12.1f" % (name, s, v, c, r / 1024))
    print("decompressed: %.1f MB; ratio scan/zstd (per thread): %.3f (target >= 0.25); "
          "by CPU time: %.3f" % (mb, ratio, cratio))
    if setup is not None:
        print("fixed setup (load benchmarks + index, 1-record shard): %.3f s; "
              "scan MB/s excluding it: %.1f" % (setup, mb / max(sc - setup, 1e-9)))
    if scaling:
        print("scaling -j2/-j1 over %d shards: %.2fx" % (a.split, scaling))
    if gz:
        print("gzip: ratio scan/gzip -dc: %.3f with ISA-L, %s with zlib (target >= 0.5)"
              % (gz[0], "%.3f" % gz[1] if gz[1] else "-"))
    if found:
        print("planted found: %d/%d (non-clean %d); contaminated but not planted: %d"
              % (found["found"], found["planted"], found["nonclean"],
                 found["extra_contaminated"]))

    if a.results == "-":
        return

    # ---- markdown section
    now = datetime.datetime.now().astimezone()
    head = sh("git", "rev-parse", "--short", "HEAD", cwd=a.repo)
    dirty = sh("git", "status", "--porcelain", "--untracked-files=no", "--", "src", "include",
               cwd=a.repo)
    ver = sh(a.medcheck, "--version").splitlines()
    ver = ver[0] if ver else "?"
    try:
        load = open("/proc/loadavg").read().split()[:3]
    except OSError:
        load = ["?"]
    comp = os.path.getsize(a.shard)
    md = []
    md.append("## %s\n" % now.strftime("%Y-%m-%d %H:%M %Z"))
    md.append("- machine: %s cores (`nproc`), %s, kernel %s; load average at start %s, "
              "at end %s" % (sh("nproc"), cpu_model(), platform.release(), a.load_start or "?",
                             " ".join(load)))
    md.append("- medcheck: %s, HEAD %s%s, build %s"
              % (ver, head or "?",
                 " (src/include modified in the work tree)" if dirty else "",
                 build_type(a.medcheck)))
    md.append("- zstd: %s" % (sh("zstd", "--version").strip("* ") or "?"))
    md.append("- shard: `%s`, %.1f MB decompressed, %.1f MB compressed (ratio %.3f)"
              % (os.path.relpath(a.shard, a.repo), mb, comp / 1e6, comp / a.bytes))
    md.append("- rounds: %d alternating (zstd, scan); medians; MB = 10^6 bytes of "
              "decompressed JSONL; wall clock" % len(rounds))
    md.append("")
    md.append("| run | median wall s | MB/s (wall) | median CPU s (user+sys) | peak RSS MB |")
    md.append("|---|---:|---:|---:|---:|")
    for name, s, v, r, c in rows:
        md.append("| %s | %.3f | %.1f | %.2f | %.1f |" % (name, s, v, c, r / 1024))
    md.append("")
    md.append("- **ratio scan / zstd -d (per thread, wall): %.3f** (target >= 0.25); per round: %s;"
              " same ratio by CPU time: %.3f"
              % (ratio, ", ".join("%.3f" % (z[0] / s[0]) for z, s in rounds), cratio))
    if setup is not None:
        md.append("- fixed setup (loading the benchmarks, building the index; scan of a "
                  "1-record shard): %.3f s, peak RSS %.1f MB; scan MB/s without it: %.1f"
                  % (setup, t["setup"][0][1] / 1024, mb / max(sc - setup, 1e-9)))
    md.append("- raw wall s: zstd %s; scan %s"
              % (" ".join("%.3f" % x[0] for x in t["zstd"]),
                 " ".join("%.3f" % x[0] for x in t["scan"])))
    if scaling:
        md.append("- scaling -j 2 / -j 1 over the same data split in %d shards "
                  "(%.1f MB): **%.2fx** (raw j1 %s; j2 %s)"
                  % (a.split, a.split_bytes / 1e6, scaling,
                     " ".join("%.3f" % x[0] for x in t["split-j1"]),
                     " ".join("%.3f" % x[0] for x in t["split-j2"])))
    if gz:
        md.append("- gzip shard (%.1f MB decompressed, the first quarter of the data): ratio "
                  "scan / `gzip -dc` (wall) **%.3f with ISA-L**, %s with zlib "
                  "(`MEDCHECK_INFLATE=zlib`)"
                  % (a.gz_bytes / 1e6, gz[0], "%.3f" % gz[1] if gz[1] else "-"))
    if found:
        st = ", ".join("%s %d" % kv for kv in sorted(found["planted_status"].items()))
        md.append("- sanity: planted items reported contaminated **%d/%d** (non-clean %d/%d; "
                  "by status: %s); contaminated items not planted: %d, of which %d have all their "
                  "evidence in records holding a planted item (shared text, not random hits)"
                  % (found["found"], found["planted"], found["nonclean"], found["planted"],
                     st, found["extra_contaminated"], found.get("extra_in_planted_docs", 0)))
    fs = load_json(a.found_split)
    if fs:
        md.append("- sanity (split run): %d/%d contaminated" % (fs["found"], fs["planted"]))
    md.append("")
    md.append("Commands:")
    md.append("")
    md.append("```")
    md.append(a.cmd_zstd)
    md.append(a.cmd_scan)
    md.append("```")
    prof = open(a.profile).read().strip() if a.profile and os.path.exists(a.profile) else ""
    if prof:
        md.append("")
        md.append("Profile (`perf record -e cpu-clock`, one -j 1 scan of the shard, "
                  "self time, top 10):")
        md.append("")
        md.append("```")
        md.append(prof)
        md.append("```")
    md.append("")

    new = not os.path.exists(a.results)
    with open(a.results, "a") as f:
        if new:
            f.write("# medcheck scan throughput\n\nAppended by `bench/run.sh` "
                    "(see bench/README.md). Newest last.\n\n")
        f.write("\n".join(md) + "\n")
    print("appended to %s" % a.results)


if __name__ == "__main__":
    main()

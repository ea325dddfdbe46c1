#!/usr/bin/env python3
"""Writes one bench/results file for one measured configuration, then regenerates README.md.

    python3 bench/results/record.py --label NAME --runs-json FILE [--log FILE]
        from `augmix4j bench --runs-json FILE` or a peer's --runs-json (they carry the date, tool,
        machine, load before and after, versions, command and every run's value)
    python3 bench/results/record.py --label NAME --jmh FILE --command CMD --load-before L --load-after L [--log FILE]
        from JMH's `-rf json -rff FILE`: one figure per benchmark and parameter set with JMH's score,
        plus one per auxiliary counter of bench/BenchSupport (images/s, samples/s, and bytes/s as GB/s)

The file is bench/results/<date>_<label>.md: a header table (date, tool, machine, load, software,
commit, command), the figures table, the log's tail if given, and the figures again as a JSON
block that summarize.py reads. Standard library only.
"""
import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = ", %.0f GiB memory" % (kb / 2 ** 20)
    except (OSError, ValueError, IndexError):
        pass
    return "%s, %d cores%s, %s" % (cpu, os.cpu_count() or 1, mem, sh("uname -sr") or sys.platform)


def commit():
    rev = sh("git -C '%s' rev-parse --short HEAD" % ROOT)
    if not rev:
        return "unknown"
    # the generated summaries (bench/results/README.md, docs/benchmarks.md) do not count as changes
    dirty = sh("git -C '%s' status --porcelain --untracked-files=no -- . ':!bench/results' ':!docs/benchmarks.md'" % ROOT)
    return rev + (" (with uncommitted changes)" if dirty else "") + ", branch " + (sh("git -C '%s' rev-parse --abbrev-ref HEAD" % ROOT) or "?")


def jdk():
    out = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr if sh("command -v java") else ""
    return out.splitlines()[1].strip() if len(out.splitlines()) > 1 else (out.strip() or "no java on PATH")


def spread(f):
    v = f.get("values") or []
    if len(v) < 2 or not f["value"]:
        return 0.0
    return 100.0 * (max(v) - min(v)) / abs(f["value"])


def fmt(v):
    if not isinstance(v, (int, float)) or v != v:
        return "-"
    a = abs(v)
    if a >= 100:
        return "{:,.0f}".format(v)
    if a >= 10:
        return "%.1f" % v
    return "%.3g" % v


COUNTERS = {"images": ("images/s", 1.0, "JMH counter"), "samples": ("samples/s", 1.0, "JMH counter"),
            "bytes": ("GB/s", 1e9, "bytes as the class comment counts them")}


def from_jmh(path):
    """JMH's JSON -> figures: name = Class.method[:param=value,...], per fork x iteration values."""
    with open(path) as f:
        runs = json.load(f)
    figs = []
    for r in runs:
        cls, method = r["benchmark"].rsplit(".", 1)
        name = cls.rsplit(".", 1)[-1] + "." + method
        params = r.get("params") or {}
        if params:
            name += ":" + ",".join("%s=%s" % kv for kv in sorted(params.items()))
        pm = r["primaryMetric"]
        raw = [v for fork in pm.get("rawData", []) for v in fork]
        unit = pm["scoreUnit"]
        note = "JMH %s, %d fork(s) x %d iteration(s); JMH's mean %s, error (99.9%%) %s" % (
            r.get("mode"), r.get("forks", 0), r.get("measurementIterations", 0), fmt(pm["score"]), fmt(pm.get("scoreError")))
        figs.append({"name": name, "value": statistics.median(raw) if raw else pm["score"], "unit": unit, "device": "gpu" if "Cuda" in cls else "cpu",
                     "runs": len(raw), "min": min(raw) if raw else pm["score"], "max": max(raw) if raw else pm["score"],
                     "values": raw, "note": note, "threads": r.get("threads")})
        for sec, m in (r.get("secondaryMetrics") or {}).items():
            # BenchSupport's auxiliary counters: rates per second of images, samples or bytes
            if sec not in COUNTERS or m.get("scoreUnit") != "ops/s":
                continue
            unit, scale, note = COUNTERS[sec]
            sraw = [v / scale for fork in m.get("rawData", []) for v in fork]
            figs.append({"name": name + ":" + sec, "value": statistics.median(sraw) if sraw else m["score"] / scale, "unit": unit, "device": figs[-1]["device"],
                         "runs": len(sraw), "min": min(sraw) if sraw else None, "max": max(sraw) if sraw else None,
                         "values": sraw, "note": note})
    jvm = runs[0].get("vmName", "") + " " + runs[0].get("vmVersion", "") if runs else ""
    return figs, ("JMH %s, %s" % (runs[0].get("jmhVersion", "?"), jvm.strip())) if runs else "JMH"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--label", required=True, help="short name of the configuration, e.g. augmix4j-bench-cpu")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--runs-json", help="a --runs-json file of augmix4j bench or a peer")
    src.add_argument("--jmh", help="a JMH -rf json result file")
    p.add_argument("--command", help="the command that was run (JMH; the runs-json files carry theirs)")
    p.add_argument("--load-before", help="load average before the run (JMH)")
    p.add_argument("--load-after", help="load average after the run (JMH)")
    p.add_argument("--log", help="the run's console output, to keep its last lines in the file")
    p.add_argument("--note", default="", help="a sentence to keep with the figures")
    p.add_argument("--out-dir", default=HERE)
    p.add_argument("--no-summary", action="store_true", help="do not regenerate README.md")
    args = p.parse_args()

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    meta = {"label": args.label, "machine": machine(), "commit": commit(), "note": args.note}
    if args.runs_json:
        with open(args.runs_json) as f:
            doc = json.load(f)
        figs = doc["figures"]
        meta.update({"date": doc.get("date", now), "tool": doc.get("tool", "?"),
                     "load_before": doc.get("load_before", "?"), "load_after": doc.get("load_after", "?"),
                     "quick": bool(doc.get("quick", False)), "skipped": doc.get("skipped", [])})
        sw = doc.get("versions") or {}
        if doc.get("jdk"):
            sw = dict(sw, jdk=doc["jdk"])
        meta["software"] = ", ".join("%s %s" % kv for kv in sw.items()) or "?"
        meta["command"] = args.command or doc.get("command") or "augmix4j bench (see the figures' notes)"
        if doc.get("threads"):
            meta["threads"] = doc["threads"]
    else:
        figs, jmh = from_jmh(args.jmh)
        meta.update({"date": now, "tool": "jmh", "load_before": args.load_before or "?", "load_after": args.load_after or "?",
                     "quick": False, "software": jmh, "command": args.command or "?", "skipped": []})
    for f in figs:
        f.setdefault("runs", len(f.get("values") or []))

    day = meta["date"][:10]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", args.label)
    path = os.path.join(args.out_dir, "%s_%s.md" % (day, safe))
    if os.path.exists(path):  # a second configuration of the same label that day: keep both
        path = os.path.join(args.out_dir, "%s-%s_%s.md" % (day, meta["date"][11:16].replace(":", ""), safe))
    lines = ["# %s" % args.label, "",
             "| field | value |", "|---|---|",
             "| date | %s |" % meta["date"],
             "| tool | %s |" % meta["tool"],
             "| machine | %s |" % meta["machine"],
             "| load average (1, 5, 15 min) | before: %s; after: %s |" % (meta["load_before"], meta["load_after"]),
             "| software | %s |" % meta["software"],
             "| commit | %s |" % meta["commit"],
             "| command | `%s` |" % meta["command"].replace("|", "\\|")]
    if meta.get("quick"):
        lines.append("| quick | yes: a plumbing check, not for quoting |")
    if args.note:
        lines.append("| note | %s |" % args.note)
    lines += ["", "## Figures", "",
              "Median of the runs; spread = (max - min) / median; cpu = process CPU time / (wall time x threads), "
              "median over runs (well below 100 % means other processes had the cores).", "",
              "| figure | device | median | unit | min | max | spread | runs | cpu | what |",
              "|---|---|---:|---|---:|---:|---:|---:|---:|---|"]
    for f in figs:
        cpu = f.get("cpu_share")
        lines.append("| %s | %s | %s | %s | %s | %s | %.1f %% | %d | %s | %s |" % (
            f["name"], f["device"], fmt(f["value"]), f["unit"], fmt(f.get("min")) if f["runs"] else "-",
            fmt(f.get("max")) if f["runs"] else "-", spread(f), f["runs"], "-" if cpu is None else "%.0f %%" % (100 * cpu),
            (f.get("note") or "").replace("|", "/")))
    for s in meta.get("skipped") or []:
        lines.append("")
        lines.append("Skipped: " + s)
    if args.log and os.path.exists(args.log):
        with open(args.log, errors="replace") as lf:
            tail = lf.read().splitlines()[-40:]
        lines += ["", "## Console (last lines)", "", "```"] + tail + ["```"]
    record = dict(meta, figures=[{k: f.get(k) for k in ("name", "value", "unit", "device", "runs", "min", "max", "values",
                                                       "cpu_share", "note")} for f in figs])
    lines += ["", "<!-- machine-readable copy of the above: bench/results/summarize.py reads it -->", "```json",
              json.dumps(record, indent=1), "```", ""]
    with open(path, "w") as out:
        out.write("\n".join(lines))
    print("Wrote " + os.path.relpath(path))
    if not args.no_summary:
        subprocess.run([sys.executable, os.path.join(HERE, "summarize.py")], check=False)


if __name__ == "__main__":
    main()

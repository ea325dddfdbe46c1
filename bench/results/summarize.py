#!/usr/bin/env python3
"""Regenerates bench/results/README.md from the result files beside it, and nothing else.

    python3 bench/results/summarize.py [--check]

Reads the JSON block at the end of every bench/results/*.md written by record.py and writes:
  1. AugMix4J against its peers: one row per figure name and device that AugMix4J and at least
     one peer both report, the newest non-quick value of each tool, the ratio, and the load of
     each run;
  2. every end-to-end figure of the newest AugMix4J bench run;
  3. the JMH figures, newest file per benchmark;
  4. the list of result files.
It also rewrites the summary region of docs/benchmarks.md (between its summary:begin/end markers)
with table 1. --check exits 1 when either is not what the files give.
Standard library only.
"""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "README.md")
DOCS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "docs", "benchmarks.md")
BEGIN, END = "<!-- summary:begin (bench/results/summarize.py writes this part) -->", "<!-- summary:end -->"
BLOCK = re.compile(r"```json\n(.*?)\n```", re.S)


OTHER = []  # result files without record.py's machine-readable block (written by hand): listed, not tabulated


def load():
    recs = []
    del OTHER[:]
    for path in sorted(glob.glob(os.path.join(HERE, "*.md"))):
        if os.path.basename(path) == "README.md":
            continue
        with open(path) as f:
            blocks = [b for b in BLOCK.findall(f.read()) if b.lstrip().startswith("{")]
        if not blocks:
            OTHER.append(os.path.basename(path))
            continue
        rec = json.loads(blocks[-1])
        rec["file"] = os.path.basename(path)
        recs.append(rec)
    return recs


def kind(tool):
    t = tool.lower()
    if t.startswith("augmix4j"):
        return "AugMix4J"
    if t == "jmh":
        return "JMH"
    if t.startswith("pillow"):
        return "Pillow"
    if t.startswith("torchvision"):
        return "torchvision"
    if t.startswith("pytorch"):
        return "PyTorch"
    return tool


def fmt(v):
    a = abs(v)
    if a >= 100:
        return "{:,.0f}".format(v)
    if a >= 10:
        return "%.1f" % v
    return "%.3g" % v


def lower_is_better(unit):
    return unit in ("s", "ms", "us/op", "ms/op", "s/op", "ns/op", "MB")


def spread(f):
    v = f.get("values") or []
    return 100.0 * (max(v) - min(v)) / abs(f["value"]) if len(v) > 1 and f["value"] else 0.0


def load1(rec):
    return "%s→%s" % (rec.get("load_before", "?").split()[0], rec.get("load_after", "?").split()[0])


def newest(recs, tool_kind):
    """(name, device) -> (figure, record) from the newest non-quick record of that kind having it."""
    out = {}
    for rec in sorted(recs, key=lambda r: (r.get("date", ""), r["file"])):
        if kind(rec.get("tool", "")) != tool_kind or rec.get("quick"):
            continue
        for f in rec["figures"]:
            out[(f["name"], f["device"])] = (f, rec)
    return out


def peer_table(recs):
    """The AugMix4J-versus-peers table (also written into docs/benchmarks.md)."""
    ours = newest(recs, "AugMix4J")
    peers = [k for k in ("Pillow", "torchvision", "PyTorch") if any(kind(r.get("tool", "")) == k for r in recs)]
    lines = ["## AugMix4J and its peers, same machine", "",
              "Ratio = how many times faster AugMix4J is (peer time / our time, or our rate / peer rate; for memory, peer MB / "
              "our MB); below 1 it is slower (or larger). "
              "Per CPU = the same ratio after dividing each rate by the share of the cores its process got (cpu), which "
              "takes out most of the difference in load between the two runs (both sides use the same number of threads or "
              "worker processes).", "",
              "| figure | device | AugMix4J | load, cpu | peer | peer value | load, cpu | ratio | per CPU | files |",
              "|---|---|---:|---|---|---:|---|---:|---:|---|"]
    rows = 0
    for peer in peers:
        theirs = newest(recs, peer)
        for key in sorted(set(ours) & set(theirs)):
            (fo, ro), (fp, rp) = ours[key], theirs[key]
            ratio = fp["value"] / fo["value"] if lower_is_better(fo["unit"]) else fo["value"] / fp["value"]
            co, cp = fo.get("cpu_share"), fp.get("cpu_share")
            per_cpu = "-"
            if co and cp:
                # rates: (ours / co) / (theirs / cp); times: (theirs * cp) / (ours * co); both = ratio * cp / co
                per_cpu = "%.2f" % (ratio * cp / co)

            def cpu(f):
                return "" if f.get("cpu_share") is None else ", %.0f %%" % (100 * f["cpu_share"])

            lines.append("| %s | %s | %s %s | %s%s | %s | %s %s | %s%s | **%.2f** | %s | %s, %s |" % (
                key[0], key[1], fmt(fo["value"]), fo["unit"], load1(ro), cpu(fo), peer, fmt(fp["value"]), fp["unit"],
                load1(rp), cpu(fp), ratio, per_cpu, ro["file"], rp["file"]))
            rows += 1
    if not rows:
        lines.append("| (no figure measured by both yet) | | | | | | | | | |")
    return lines


def render(recs):
    lines = ["# Benchmark results", "",
             "Generated by `python3 bench/results/summarize.py` from the result files in this folder (one per measured",
             "configuration, written by `record.py`); do not edit by hand. docs/benchmarks.md says how to run everything",
             "and what each figure means. Every figure is the median of its runs; *load* is the 1-minute load average",
             "before→after the run on the machine named in the file (2 cores: a load above 2 means the run shared the cores),",
             "*cpu* the share of the cores the process actually got.", ""]
    if not recs:
        return "\n".join(lines + ["No results recorded yet.", ""])
    lines += peer_table(recs)
    ours = newest(recs, "AugMix4J")
    peers = [k for k in ("Pillow", "torchvision", "PyTorch") if any(kind(r.get("tool", "")) == k for r in recs)]
    lines += ["", "Peer figures without an AugMix4J counterpart (newest of each):", "",
              "| peer | figure | device | value | spread | runs | load | file |", "|---|---|---|---:|---:|---:|---|---|"]
    for peer in peers:
        for key, (f, r) in sorted(newest(recs, peer).items()):
            if key in ours:
                continue
            lines.append("| %s | %s | %s | %s %s | %.0f %% | %d | %s | %s |" % (
                peer, key[0], key[1], fmt(f["value"]), f["unit"], spread(f), f.get("runs") or 0, load1(r), r["file"]))

    if ours:
        lines += ["", "## AugMix4J end to end (`augmix4j bench`, newest value of each figure)", "",
                  "| figure | device | median | spread | runs | load | cpu | file |", "|---|---|---:|---:|---:|---|---:|---|"]
        for key, (f, r) in sorted(ours.items()):
            lines.append("| %s | %s | %s %s | %.0f %% | %d | %s | %s | %s |" % (
                key[0], key[1], fmt(f["value"]), f["unit"], spread(f), f.get("runs") or 0, load1(r),
                "-" if f.get("cpu_share") is None else "%.0f %%" % (100 * f["cpu_share"]), r["file"]))

    jmh = newest(recs, "JMH")
    if jmh:
        lines += ["", "## JMH (newest value of each benchmark)", "",
                  "| benchmark | device | score | spread | samples | load | file |", "|---|---|---:|---:|---:|---|---|"]
        for key, (f, r) in sorted(jmh.items()):
            lines.append("| %s | %s | %s %s | %.0f %% | %d | %s | %s |" % (
                key[0].replace("|", "/"), key[1], fmt(f["value"]), f["unit"], spread(f), f.get("runs") or 0, load1(r), r["file"]))

    lines += ["", "## Result files", "", "| file | date | tool | load before → after | commit |", "|---|---|---|---|---|"]
    for r in sorted(recs, key=lambda r: r["file"]):
        lines.append("| [%s](%s) | %s | %s%s | %s → %s | %s |" % (r["file"], r["file"], r.get("date", "?"), r.get("tool", "?"),
                     " (quick)" if r.get("quick") else "", r.get("load_before", "?"), r.get("load_after", "?"), r.get("commit", "?")))
    if OTHER:
        lines += ["", "Written by hand before record.py existed, so not in the tables above: "
                  + ", ".join("[%s](%s)" % (f, f) for f in OTHER) + "."]
    return "\n".join(lines) + "\n"


def docs_text(recs, current):
    """docs/benchmarks.md with its summary region replaced (None if the file has no region)."""
    if BEGIN not in current or END not in current:
        return None
    table = peer_table(recs) if recs else ["No results recorded yet."]
    region = "\n".join([BEGIN, "", "(Generated from bench/results by summarize.py; all tables: bench/results/README.md.)", ""]
                       + table[2:] + ["", END])
    head, rest = current.split(BEGIN, 1)
    return head + region + rest.split(END, 1)[1]


def main():
    recs = load()
    text = render(recs)
    docs_cur = open(DOCS).read() if os.path.exists(DOCS) else ""
    docs_new = docs_text(recs, docs_cur)
    if "--check" in sys.argv:
        cur = open(README).read() if os.path.exists(README) else ""
        stale = [f for f, ok in ((README, cur == text), (DOCS, docs_new is None or docs_new == docs_cur)) if not ok]
        if stale:
            print("stale: %s: run python3 bench/results/summarize.py" % ", ".join(os.path.relpath(f) for f in stale))
            sys.exit(1)
        print("bench/results/README.md and docs/benchmarks.md are up to date")
        return
    with open(README, "w") as f:
        f.write(text)
    print("Wrote " + os.path.relpath(README))
    if docs_new is not None and docs_new != docs_cur:
        with open(DOCS, "w") as f:
            f.write(docs_new)
        print("Wrote " + os.path.relpath(DOCS))


if __name__ == "__main__":
    main()

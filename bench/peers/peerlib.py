"""Shared helpers of the bench/peers scripts: timing statistics, the table and the JSON files
in the same format as `augmix4j bench` (--json: a list of {name, value, unit, device};
--runs-json: the same figures with runs, min, max, every run's value, and the machine and load).
Standard library only, so that a peer can always say what is missing before it imports anything else.
"""
import datetime
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time

# exit status of a peer that cannot run here (a missing package or device): not a crash
EXIT_MISSING = 3


def missing(peer, what, how):
    """Says what is missing and how to get it, then exits with EXIT_MISSING (no traceback)."""
    sys.stderr.write("%s: cannot run here: %s.\n  to run it: %s\n" % (peer, what, how))
    sys.exit(EXIT_MISSING)


def load_average():
    try:
        return " ".join("%.2f" % v for v in os.getloadavg())
    except OSError:
        return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cores():
    return os.cpu_count() or 1


class Figures:
    """Collects figures, prints them as they come and as a table, writes the JSON files."""

    def __init__(self, tool, versions):
        self.tool = tool
        self.versions = versions
        self.figures = []
        self.skipped = []
        self.load_before = load_average()
        self.date = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
        print("%s: %s, %d cores, %s; load average %s" % (tool, cpu_model(), cores(),
              ", ".join("%s %s" % kv for kv in versions.items()), self.load_before), flush=True)

    def add(self, name, values, unit, device, note="", cpu_share=None, derived_value=None):
        """values: one per timed run (a rate or a time); derived_value: a figure computed from others (no runs)."""
        value = derived_value if derived_value is not None else statistics.median(values)
        f = {"name": name, "value": value, "unit": unit, "device": device, "values": list(values), "note": note,
             "cpu_share": cpu_share}
        self.figures.append(f)
        spread = self.spread(f)
        print("  %-44s %12s %-9s (%d runs, spread %.0f%%%s)" % (name, fmt(value), unit, len(values), spread,
              "" if cpu_share is None else ", cpu %.0f%%" % (100 * cpu_share)), flush=True)
        return f

    def skip(self, what, why):
        self.skipped.append((what, why))
        print("  %-44s skipped: %s" % (what, why), flush=True)

    @staticmethod
    def spread(f):
        v = f["values"]
        if len(v) < 2 or f["value"] == 0:
            return 0.0
        return 100.0 * (max(v) - min(v)) / abs(f["value"])

    def finish(self, args):
        load_after = load_average()
        print("\n%-44s %-6s %12s %-9s %12s %12s %7s %5s %5s  %s" % ("figure", "device", "median", "unit", "min", "max",
              "spread", "runs", "cpu", "what"))
        for f in self.figures:
            v = f["values"]
            print("%-44s %-6s %12s %-9s %12s %12s %6.1f%% %5d %5s  %s" % (
                f["name"], f["device"], fmt(f["value"]), f["unit"], fmt(min(v)) if v else "-", fmt(max(v)) if v else "-",
                self.spread(f), len(v), "-" if f["cpu_share"] is None else "%.0f%%" % (100 * f["cpu_share"]), f["note"]))
        for what, why in self.skipped:
            print("%-44s skipped: %s" % (what, why))
        print("cpu = process CPU time / (wall time x workers), median over runs: well below 100% means other processes had the cores")
        print("\nload average before %s, after %s" % (self.load_before, load_after))
        if getattr(args, "json", None):
            write_json(args.json, [{"name": f["name"], "value": rnd(f["value"]), "unit": f["unit"], "device": f["device"]}
                                   for f in self.figures])
            print("Wrote " + args.json)
        if getattr(args, "runs_json", None):
            doc = {"tool": self.tool, "date": self.date, "cpu": cpu_model(), "cores": cores(),
                   "versions": self.versions, "load_before": self.load_before, "load_after": load_after,
                   "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
                   "figures": [], "skipped": ["%s: %s" % s for s in self.skipped]}
            for f in self.figures:
                v = f["values"]
                e = {"name": f["name"], "value": rnd(f["value"]), "unit": f["unit"], "device": f["device"], "runs": len(v),
                     "min": rnd(min(v)) if v else rnd(f["value"]), "max": rnd(max(v)) if v else rnd(f["value"]),
                     "values": [rnd(x) for x in v], "note": f["note"]}
                if f["cpu_share"] is not None:
                    e["cpu_share"] = rnd(f["cpu_share"])
                doc["figures"].append(e)
            write_json(args.runs_json, doc)
            print("Wrote " + args.runs_json)


def add_output_args(p):
    p.add_argument("--json", metavar="FILE", help="write the figures as a JSON list of {name, value, unit, device}")
    p.add_argument("--runs-json", metavar="FILE", help="write the figures with runs, min, max, every run's value, machine and load")


def write_json(path, doc):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def rnd(v):
    """Four significant digits, as `augmix4j bench` writes them."""
    if v == 0 or v != v or v in (float("inf"), float("-inf")):
        return v
    from math import floor, log10
    return round(v, 3 - int(floor(log10(abs(v)))))


def fmt(v):
    a = abs(v)
    if a >= 100:
        return "{:,.0f}".format(v)
    if a >= 10:
        return "%.1f" % v
    return "%.3g" % v


def _worker(wid, setup, work, warmup, runs, barrier, results):
    state = setup(wid)
    for _ in range(warmup):
        work(state)
    for _ in range(runs):
        barrier.wait()
        c0 = time.process_time()
        n = work(state)
        results.put((n, time.process_time() - c0))
        barrier.wait()


def run_in_workers(workers, runs, warmup, setup, work):
    """Times `work` in `workers` forked processes at once, like DataLoader workers.

    setup(worker_id) -> state runs once per worker (untimed); work(state) -> items does one run's
    share and returns how many items (samples) it made. Per run: items of all workers / wall time
    from the common start to the last worker's end. Returns (rates, median CPU share), the share
    being the workers' CPU time / (wall time x workers).
    """
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers + 1)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(w, setup, work, warmup, runs, barrier, results), daemon=True)
             for w in range(workers)]
    for p in procs:
        p.start()
    rates, shares = [], []
    for _ in range(runs):
        barrier.wait()
        t0 = time.perf_counter()
        items, cpu = 0, 0.0
        for _ in range(workers):
            n, c = results.get()
            items += n
            cpu += c
        wall = time.perf_counter() - t0
        barrier.wait()
        rates.append(items / wall)
        shares.append(cpu / (wall * workers))
    for p in procs:
        p.join()
    return rates, statistics.median(shares)

#!/usr/bin/env python3
"""Peak resident memory of one benchmark process, as a figure in the units of `augmix4j bench`.

    python3 bench/peers/peak_rss.py --tool NAME --figure NAME [--runs N] [--json FILE] [--runs-json FILE] -- COMMAND ...

Runs COMMAND (its output passes through) N times (default 1), each time reading the process's peak
resident set size from the kernel when it exits (os.wait4's ru_maxrss: the largest of the process
and of the children it waited for, e.g. the `mvn -q compile` that bench/augmix4j.sh runs first,
which is far smaller than a training step), and reports the median in MB (10^6 bytes) under the
figure name. bench/peers/run_all.sh uses it for the WRN-40-2 JSD step of AugMix4J (`bench --only
train --models 40-2 --modes jsd`) and of the PyTorch peer (`--models 40-2 --modes jsd`): the peak
of a process that builds the model, makes the batch, runs its warm-up and timed steps (the PyTorch
peer also evaluates one batch of 500 images without gradients, which needs less).
Standard library only; Linux (ru_maxrss in KiB).
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402


def peak_rss_mb(cmd):
    """Runs cmd to completion; returns (exit status, peak RSS in MB)."""
    p = subprocess.Popen(cmd)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, usage.ru_maxrss * 1024 / 1e6


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tool", required=True, help="tool name for the results files (e.g. 'augmix4j peak rss', 'pytorch peak rss')")
    p.add_argument("--figure", required=True, help="figure name, e.g. train_step_wrn40_2_jsd_peak_rss_mb")
    p.add_argument("--what", default="", help="what the command runs (the figure's note)")
    p.add_argument("--runs", type=int, default=1)
    peerlib.add_output_args(p)
    p.add_argument("cmd", nargs=argparse.REMAINDER, help="-- COMMAND ...")
    args = p.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        p.error("give the command after --")
    figs = peerlib.Figures(args.tool, {"python": sys.version.split()[0]})
    values = []
    for _ in range(args.runs):
        code, mb = peak_rss_mb(cmd)
        if code != 0:
            sys.stderr.write("peak_rss.py: %s exited with %d\n" % (" ".join(cmd), code))
            sys.exit(1 if code != peerlib.EXIT_MISSING else peerlib.EXIT_MISSING)
        values.append(mb)
    figs.add(args.figure, values, "MB", "cpu", (args.what + "; " if args.what else "") + "peak RSS of the process (ru_maxrss)")
    figs.finish(args)


if __name__ == "__main__":
    main()

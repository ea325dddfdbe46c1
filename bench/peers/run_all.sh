#!/usr/bin/env bash
# Runs AugMix4J's `bench` and every peer, one after another on this machine, so that the ratios
# come from one sitting; each tool writes DIR/<tool>.json ({name, value, unit, device}) and
# DIR/<tool>.runs.json (with runs, spread, machine and load), and with --record a results file
# in bench/results (then bench/results/README.md is regenerated).
#
#   bench/peers/run_all.sh [--quick] [--out DIR] [--record] [--only augment,train,eval,rss]
#                          [--models 16-2,40-2] [--modes jsd,nojsd,noaugmix] [--skip-augmix4j]
#
# Peers: pillow_augmix.py (Debian python3-pil + python3-numpy, /usr/bin/python3),
# torchvision_augmix.py and pytorch_wrn_train.py (torch, torchvision; CUDA when available).
# `bench` runs with --warmup 2, the PyTorch peer's default (untimed steps before the timed ones).
# rss: the peak resident memory of a process running the WRN-40-2 JSD step, ours and PyTorch's,
# each in a process of its own (peak_rss.py; figure train_step_wrn40_2_jsd_peak_rss_mb).
# A peer that cannot run here says what is missing and exits 3; run_all.sh lists it and goes on.
# Exit status: 0 when everything that could run ran, 1 when something failed.
# Python: $PYTHON (default /usr/bin/python3, whose Debian packages have Pillow, NumPy and maybe torch).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=${PYTHON:-/usr/bin/python3}
out="$root/bench/target/peers"
quick=() record="" only="augment,train,eval,rss" models="16-2,40-2" modes="jsd,nojsd,noaugmix" ours=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=(--quick) ;;
    --out) out=$2; shift ;;
    --record) record=1 ;;
    --only) only=$2; shift ;;
    --models) models=$2; shift ;;
    --modes) modes=$2; shift ;;
    --skip-augmix4j) ours="" ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run_all.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
failed=() missing=() ran=()
has() { [[ ",$only," == *",$1,"* ]]; }

run() { # label, then the command; the command takes --json/--runs-json (before its "--", if it has one: peak_rss.py)
  local label=$1; shift
  local cmd=() a inserted=""
  for a in "$@"; do
    if [[ $a == "--" && -z $inserted ]]; then cmd+=(--json "$out/$label.json" --runs-json "$out/$label.runs.json"); inserted=1; fi
    cmd+=("$a")
  done
  [[ -z $inserted ]] && cmd+=(--json "$out/$label.json" --runs-json "$out/$label.runs.json")
  echo; echo "=== $label: ${cmd[*]}"
  "${cmd[@]}" 2>&1 | tee "$out/$label.log"
  local rc=${PIPESTATUS[0]}
  case $rc in
    0) ran+=("$label")
       if [[ -n $record ]]; then
         "$py" "$root/bench/results/record.py" --label "$label${quick:+-quick}" --runs-json "$out/$label.runs.json" \
           --log "$out/$label.log" --command "$*" --no-summary
       fi ;;
    3) missing+=("$label") ;;
    *) failed+=("$label (exit $rc)") ;;
  esac
}

sections=()
has augment && sections+=(augment)
has train && sections+=(train)
has eval && sections+=(eval)
if [[ -n $ours ]]; then
  if [[ ${#sections[@]} -gt 0 ]]; then
    run augmix4j-bench "$root/bench/augmix4j.sh" bench "${quick[@]}" --warmup 2 --only "$(IFS=,; echo "${sections[*]}")" \
      --models "$models" --modes "$modes"
  fi
fi
if has augment; then
  run pillow-augmix "$py" "$here/pillow_augmix.py" "${quick[@]}"
  run torchvision-augmix "$py" "$here/torchvision_augmix.py" "${quick[@]}"
fi
if has train || has eval; then
  run pytorch-wrn "$py" "$here/pytorch_wrn_train.py" "${quick[@]}" --models "$models" --modes "$modes"
fi
if has rss; then
  rss=(--runs 1 --warmup 1)
  [[ ${#quick[@]} -gt 0 ]] && rss=(--quick)
  if [[ -n $ours ]]; then
    # compiled first, so that the measured process is the java one alone (not also a Maven JVM)
    "$root/bench/augmix4j.sh" --version >/dev/null
    run augmix4j-rss "$py" "$here/peak_rss.py" --tool "augmix4j peak rss" --figure train_step_wrn40_2_jsd_peak_rss_mb \
      --what "augmix4j bench --only train --models 40-2 --modes jsd" -- \
      env AUGMIX4J_NO_BUILD=1 "$root/bench/augmix4j.sh" bench --device cpu --only train --models 40-2 --modes jsd "${rss[@]}"
  fi
  run pytorch-rss "$py" "$here/peak_rss.py" --tool "pytorch peak rss" --figure train_step_wrn40_2_jsd_peak_rss_mb \
    --what "pytorch_wrn_train.py --models 40-2 --modes jsd" -- \
    "$py" "$here/pytorch_wrn_train.py" --device cpu --models 40-2 --modes jsd "${rss[@]}"
fi
if [[ -n $record ]]; then "$py" "$root/bench/results/summarize.py"; fi

echo
echo "run_all.sh: ran: ${ran[*]:-none}"
[[ ${#missing[@]} -gt 0 ]] && echo "run_all.sh: could not run here (see their messages above): ${missing[*]}"
[[ ${#failed[@]} -gt 0 ]] && { echo "run_all.sh: FAILED: ${failed[*]}"; exit 1; }
echo "run_all.sh: figures in $out"
exit 0

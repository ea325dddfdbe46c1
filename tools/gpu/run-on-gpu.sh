#!/usr/bin/env bash
# run-on-gpu.sh: everything AugMix4J wants to know from a GPU machine, in one go, into ONE results
# file for bench/results/. Shipped in the bundle as bin/run-on-gpu.sh; needs only the unpacked bundle
# (augmix4j-dist.tar.xz), an NVIDIA driver, and cuDNN/cuBLAS for those checks (docs/gpu.md):
#
#   tar xf augmix4j-dist.tar.xz && tar xf augmix4j-gpu-tests.tar.xz   # the second one is optional
#   augmix4j/bin/run-on-gpu.sh [--out FILE] [--data DIR] [--epochs N] [--train-args "ARGS"] [--skip STEP]...
#
# Steps (each with its command line, exit status, wall time and output in the results file):
#   info      bin/augmix4j info (device, driver, versions, compatibility path; shim report on stderr)
#   selftest  bin/augmix4j selftest --require-gpu (every kernel and cuDNN/cuBLAS op vs the CPU reference)
#   tests     the JUnit tests tagged emulated|gpu on the real GPU, if augmix4j/tests/ is unpacked
#   bench     bin/augmix4j bench --json, if this build has the bench command
#   train     one epoch of WRN-40-2 AugMix+JSD on CIFAR-10 from --data (default ./data) with --device gpu
#             (then clean and, when --data has CIFAR-10-C, corrupted evaluation on the GPU); without CIFAR-10
#             there, the synthetic dataset; --train-args replaces the arguments after "train"
#   eval      bin/augmix4j eval --device gpu of the checkpoint the train step wrote: clean test set and
#             CIFAR-10-C from --data when it is there, else the 15 built-in corruptions of the whole test
#             set generated on the GPU (a CIFAR-10-C-sized evaluation, 750k images for CIFAR-10)
# Options:
#   --out FILE        results file (default: ./gpu-results-<host>-<UTC time>.md)
#   --data DIR        dataset directory for the training step (default: ./data)
#   --epochs N        epochs of the training step (default 1)
#   --train-args "A"  the whole argument list of the training step instead
#   --skip STEP       leave out a step (repeatable): info, selftest, tests, bench, train, eval
#   --timeout STEP=S  wall-clock limit of a step in seconds (defaults: info 300, selftest 900, tests 1800,
#                     bench 1800, train 7200, eval 1800)
# Exit status: 0 when every step that ran succeeded, else 1. The raw logs stay in a directory next to
# the results file (named in it).
set -uo pipefail
self=${BASH_SOURCE[0]}
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=$(dirname "$self")/$link ;; esac
done
home=$(cd -P "$(dirname "$self")/.." && pwd)
app=$home/bin/augmix4j
java=$home/runtime/bin/java
host=$(hostname 2>/dev/null || echo host)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$PWD/gpu-results-$host-$stamp.md
data=$PWD/data
epochs=1
train_args=""
declare -A skip=() limit=([info]=300 [selftest]=900 [tests]=1800 [bench]=1800 [train]=7200 [eval]=1800)
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --train-args) train_args=$2; shift 2 ;;
    --skip) skip[$2]=1; shift 2 ;;
    --timeout) limit[${2%%=*}]=${2#*=}; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$self" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-on-gpu.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $out in /*) ;; *) out=$PWD/$out ;; esac
logs=${out%.md}.logs
mkdir -p "$logs" "$(dirname "$out")"
export AUGMIX4J_TMPDIR=${AUGMIX4J_TMPDIR:-$logs/tmp}
mkdir -p "$AUGMIX4J_TMPDIR" && chmod 700 "$AUGMIX4J_TMPDIR"
failed=0
body=$logs/body.md
: > "$body"

# step NAME COMMAND...: runs it under its time limit, logs everything, appends a section to the results
step() {
  local name=$1; shift
  local log=$logs/$name.log t0 t1 rc
  echo "[run-on-gpu] $name: $*" >&2
  t0=$(date +%s.%N)
  timeout --kill-after=30 "${limit[$name]:-3600}" "$@" > "$log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
  [ $rc -eq 0 ] || failed=1
  local verdict="exit status $rc"
  [ $rc -eq 124 ] && verdict="TIMED OUT after ${limit[$name]} s"
  {
    echo "## $name"
    echo
    echo '```'
    echo "\$ $*"
    echo '```'
    echo
    echo "$verdict, ${secs} s wall. Log: \`$log\`"
    echo
    echo '```'
    if [ "$(wc -l < "$log")" -gt 200 ]; then
      head -n 40 "$log"; echo "... ($(wc -l < "$log") lines; the last 140:)"; tail -n 140 "$log"
    else
      cat "$log"
    fi
    echo '```'
    echo
  } >> "$body"
  echo "[run-on-gpu] $name: $verdict, $secs s" >&2
  return $rc
}

note() { printf '## %s\n\n%s\n\n' "$1" "$2" >> "$body"; }

# ------------------------------------------------------------------ the steps
if [ -z "${skip[info]:-}" ]; then
  AUGMIX4J_SHIM_VERBOSE=1 step info "$app" info --json "$logs/info.json"
fi

if [ -z "${skip[selftest]:-}" ]; then
  step selftest "$app" selftest --require-gpu --json "$logs/selftest.json"
fi

if [ -z "${skip[tests]:-}" ]; then
  tests=$home/tests
  console=$(ls "$tests"/lib/junit-platform-console-standalone-*.jar 2>/dev/null | head -1)
  if [ -d "$tests/classes" ] && [ -n "$console" ]; then
    cp=$tests/classes
    for j in "$home"/lib/*.jar; do cp=$cp:$j; done
    native_access=$(grep -o -m1 -- '--enable-native-access=ALL-UNNAMED' "$app")
    step tests "$java" --add-modules jdk.incubator.vector -Xss4m $native_access \
      -Djava.io.tmpdir="$AUGMIX4J_TMPDIR" -Daugmix4j.expect=gpu -Daugmix4j.kernels.dir="$tests/kernels" \
      -Daugmix4j.emu.dir="$logs/no-emulator" \
      -jar "$console" execute --disable-banner --disable-ansi-colors --details=tree --class-path "$cp" \
      --scan-class-path "$tests/classes" \
      --include-tag 'emulated | gpu' --reports-dir "$logs/junit"
  else
    note tests "not run: $home/tests is not unpacked (tar xf augmix4j-gpu-tests.tar.xz beside augmix4j/)"
  fi
fi

if [ -z "${skip[bench]:-}" ]; then
  commands=$("$app" --help 2>/dev/null)
  if grep -Eq '^ +bench( |$)' <<< "$commands"; then
    step bench "$app" bench --json "$logs/bench.json"
    [ -f "$logs/bench.json" ] && { echo '```json'; cat "$logs/bench.json"; echo '```'; echo; } >> "$body"
  else
    note bench "not run: this build has no bench command (bin/augmix4j --help does not list it)"
  fi
fi

if [ -z "${skip[train]:-}" ]; then
  if [ -n "$train_args" ]; then
    # shellcheck disable=SC2086  # a list of arguments
    step train "$app" train $train_args
  else
    if [ -e "$data/cifar-10-batches-py/data_batch_1" ] || [ -e "$data/cifar-10-batches-bin/data_batch_1.bin" ] \
        || [ -e "$data/data_batch_1" ] || [ -e "$data/data_batch_1.bin" ]; then
      dataset=(--dataset cifar10 --data "$data")
    else
      dataset=(--dataset synthetic)
      note "train: dataset" "no CIFAR-10 under $data (cifar-10-batches-py/ or cifar-10-batches-bin/): the training step uses the synthetic dataset"
    fi
    # the corrupted evaluation after training: the published CIFAR-10-C when it is there; without it the
    # eval step below measures the built-in corruptions (so they are not generated twice)
    corrupted=none
    [ -e "$data/CIFAR-10-C/labels.npy" ] && corrupted=auto
    step train "$app" train "${dataset[@]}" --epochs "$epochs" --layers 40 --widen-factor 2 --device gpu \
      --corrupted "$corrupted" --save "$logs/snapshots"
  fi
fi

if [ -z "${skip[eval]:-}" ]; then
  ckpt=$(ls -t "$logs"/snapshots/*/checkpoint.safetensors 2>/dev/null | head -1)
  if [ -n "$ckpt" ]; then
    eval_dataset=$(grep -o '"dataset": *"[^"]*"' "${ckpt%.safetensors}.json" 2>/dev/null | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
    step eval "$app" eval --checkpoint "$ckpt" --dataset "${eval_dataset:-synthetic}" --data "$data" --device gpu \
      --corrupted auto --json "$logs/eval.json"
  else
    note eval "not run: the train step left no checkpoint under $logs/snapshots"
  fi
fi

# ------------------------------------------------------------------ the results file
{
  echo "# AugMix4J on $host, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Written by \`bin/run-on-gpu.sh\` of the bundle at \`$home\`. Result: $([ $failed -eq 0 ] && echo 'every step succeeded' || echo 'SOME STEPS FAILED')."
  echo
  echo "## Machine"
  echo
  echo '```'
  if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=index,name,driver_version,memory.total,compute_cap,pci.bus_id --format=csv 2>&1
    nvidia-smi 2>&1 | grep -m1 'CUDA Version' | sed 's/  */ /g'
  else
    echo "nvidia-smi: not found"
  fi
  echo "kernel: $(uname -srm)"
  [ -r /etc/os-release ] && grep -m1 '^PRETTY_NAME=' /etc/os-release
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'), $(nproc 2>/dev/null) threads"
  echo "memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null)"
  echo "glibc: $(ldd --version 2>/dev/null | head -1)"
  for v in CUDA_HOME CUDA_PATH LD_LIBRARY_PATH AUGMIX4J_JAVA_OPTS AUGMIX4J_CUDNN AUGMIX4J_CUBLAS CUDA_VISIBLE_DEVICES; do
    [ -n "${!v:-}" ] && echo "$v=${!v}"
  done
  echo '```'
  echo
  echo "## Bundle"
  echo
  echo '```'
  cat "$home/BUILD-INFO" 2>/dev/null || echo "BUILD-INFO missing"
  echo '```'
  echo
  cat "$body"
} > "$out"
rm -f "$body"
echo "[run-on-gpu] wrote $out (raw logs in $logs)" >&2
exit $failed

#!/usr/bin/env bash
# Builds the core jar and the JMH benchmarks, then runs JMH from the repository root (the benchmarks
# read reference data from src/test/resources before timing).
#
#   bench/run.sh [JMH args]                 e.g. bench/run.sh LossBench -p batch=128
#   bench/run.sh --record LABEL [JMH args]  also writes bench/results/<date>_LABEL.md (and README.md)
#   SKIP_BUILD=1 bench/run.sh ...           reuse bench/target/benchmarks.jar
#   bench/run.sh -l                         list the benchmarks; -h for JMH's options
#
# Without a GPU (nvidia-smi lists none) the GPU benchmarks (classes named *Cuda*) are excluded.
# JMH refuses to start while another JMH run holds /tmp/jmh.lock: on a shared machine that is the
# point (two runs would time each other); wait, or pass -Djmh.ignoreLock=true in JAVA_OPTS for a
# run you will not quote.
set -euo pipefail
cd "$(dirname "$0")/.."
label=""
if [[ ${1:-} == --record ]]; then
  label=${2:?--record needs a label}
  shift 2
fi
if [[ -z ${SKIP_BUILD:-} ]]; then
  mvn -q install -DskipTests
  mvn -q -f bench/pom.xml package
  # the bench project takes the core jar from the local Maven repository: make sure it is this tree's
  m2jar="$HOME/.m2/repository/org/augmix4j/augmix4j/0.1.0-SNAPSHOT/augmix4j-0.1.0-SNAPSHOT.jar"
  if ! cmp -s target/augmix4j-0.1.0-SNAPSHOT.jar "$m2jar"; then
    echo "bench/run.sh: $m2jar changed during the build (another checkout installed its own); run again" >&2
    exit 1
  fi
fi
args=("$@")
if ! nvidia-smi -L >/dev/null 2>&1; then
  echo "bench/run.sh: no GPU found (nvidia-smi), GPU benchmarks (*Cuda*) excluded"
  args+=(-e Cuda)
fi
# shellcheck disable=SC2086
if [[ -z $label ]]; then
  exec java ${JAVA_OPTS:-} -jar bench/target/benchmarks.jar "${args[@]}"
fi
tmp=$(mktemp -d)
before=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar bench/target/benchmarks.jar "${args[@]}" -rf json -rff "$tmp/jmh.json" 2>&1 | tee "$tmp/log"
after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 bench/results/record.py --label "$label" --jmh "$tmp/jmh.json" --log "$tmp/log" \
  --command "bench/run.sh --record $label ${args[*]}" --load-before "$before" --load-after "$after"
rm -rf "$tmp"

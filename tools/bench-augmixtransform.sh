#!/usr/bin/env bash
# Runs bench/.../AugMixTransformBench against this tree's target/classes without installing the core jar into
# ~/.m2 (which other checkouts on a shared machine use): javac with JMH's annotation processor, then JMH's Main.
# Needs `mvn -q -o compile` first and JMH 1.37 in the local Maven repository (bench/pom.xml's dependencies).
#   tools/bench-augmixtransform.sh [JMH args]     e.g. -p size=32
#   tools/bench-augmixtransform.sh --cputime       the thread-CPU-time A/B (AugMixTransformCpuTime) at 32 and 224 px
set -euo pipefail
cd "$(dirname "$0")/.."
m2=${M2_REPO:-$HOME/.m2/repository}
jmh="$m2/org/openjdk/jmh/jmh-core/1.37/jmh-core-1.37.jar:$m2/net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar:$m2/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar"
gen="$m2/org/openjdk/jmh/jmh-generator-annprocess/1.37/jmh-generator-annprocess-1.37.jar"
out=target/bench-augmixtransform
rm -rf "$out" && mkdir -p "$out"
if [[ ${1:-} == --cputime ]]; then
  javac --release 17 -d "$out" -cp target/classes bench/src/main/java/org/augmix4j/bench/AugMixTransformCpuTime.java
  java -cp "$out:target/classes" org.augmix4j.bench.AugMixTransformCpuTime 32 ${ROUNDS32:-4000}
  java -cp "$out:target/classes" org.augmix4j.bench.AugMixTransformCpuTime 224 ${ROUNDS224:-120}
  exit
fi
javac --release 17 -d "$out" -cp "target/classes:$jmh" -processorpath "$gen:$jmh" \
  bench/src/main/java/org/augmix4j/bench/AugMixTransformBench.java
java -cp "$out:target/classes:$jmh" org.openjdk.jmh.Main AugMixTransformBench "$@"

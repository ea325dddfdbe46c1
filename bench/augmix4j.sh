#!/usr/bin/env bash
# Runs the augmix4j command line for the bench scripts: $AUGMIX4J (a command, e.g. the dist
# bundle's launcher) or dist/bin/augmix4j when present; else java on this tree's compiled classes
# and their runtime dependencies (compiled with Maven first; the dependency classpath is cached in
# target/runtime-classpath.txt). JVM options: $AUGMIX4J_JAVA_OPTS (default -Xmx10g: a WRN-40-2 JSD
# step at batch 128 holds a few GB of activations). AUGMIX4J_NO_BUILD=1 skips the compile step.
#   bench/augmix4j.sh bench --quick
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -n ${AUGMIX4J:-} ]]; then
  # shellcheck disable=SC2086
  exec $AUGMIX4J "$@"
fi
if [[ -x $root/dist/bin/augmix4j ]]; then
  exec "$root/dist/bin/augmix4j" "$@"
fi
cd "$root"
# AUGMIX4J_NO_BUILD=1: use the classes as they are (peak_rss.py measures the java process alone)
[[ -n ${AUGMIX4J_NO_BUILD:-} ]] || mvn -q compile >&2
if [[ ! -s target/runtime-classpath.txt || pom.xml -nt target/runtime-classpath.txt ]]; then
  mvn -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/runtime-classpath.txt >&2
fi
# shellcheck disable=SC2086
exec java --add-modules jdk.incubator.vector -Xss4m ${AUGMIX4J_JAVA_OPTS:--Xmx10g} \
  -cp "target/classes:$(cat target/runtime-classpath.txt)" org.augmix4j.cli.Main "$@"

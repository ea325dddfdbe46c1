#!/usr/bin/env bash
# tools/dist/build-dist.sh TARGET_DIR PROJECT_JAR VERSION [JLINK_JDK] [MAVEN_JAVA_HOME]
#
# The last step of `mvn -Pdist package` (maven-antrun-plugin, after the jar; the dependency jars and
# the JUnit console were copied to TARGET_DIR/dist-work/ in prepare-package). Builds
#   TARGET_DIR/dist/augmix4j/                  the self-contained bundle:
#       bin/augmix4j                             launcher (the bundle's Java, private java.io.tmpdir)
#       bin/run-on-gpu.sh                        info + selftest + GPU tests + bench + one epoch -> one results file
#       runtime/                                 jlinked Java runtime (java.base, java.logging, java.desktop, java.management, jdk.management,
#                                                jdk.incubator.vector, jdk.unsupported)
#       lib/                                     augmix4j.jar (with the fatbin and the CUDA 13 shims) + dependencies
#       docs/gpu.md, BUILD-INFO
#   TARGET_DIR/augmix4j-dist.tar.xz            that directory
#   TARGET_DIR/augmix4j-gpu-tests.tar.xz       augmix4j/tests/: test classes and resources, kernel sources, the
#                                              JUnit console launcher; unpack over the bundle for run-on-gpu.sh
# JLINK_JDK: a JDK whose java.desktop carries its own libjpeg/freetype/lcms (Temurin does; Debian's OpenJDK
# links the system's, which a GPU server may lack). Default: the newest /usr/lib/jvm/temurin-*, else the JDK
# that runs Maven. The build fails if a bundled imaging library would come from the system.
set -euo pipefail
target=$(cd "${1:?usage: build-dist.sh TARGET_DIR PROJECT_JAR VERSION [JLINK_JDK] [MAVEN_JAVA_HOME]}" && pwd)
jar=${2:?}; version=${3:?}; jdk=${4:-}; maven_java=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$target/dist-work
dist=$target/dist/augmix4j
modules=java.base,java.logging,java.desktop,java.management,jdk.management,jdk.incubator.vector,jdk.unsupported
start=$(date +%s)
say() { echo "[dist] $*"; }

# ------------------------------------------------------------------ the JDK for jlink
if [ -z "$jdk" ]; then
  for d in $(ls -d /usr/lib/jvm/temurin-*-jdk* 2>/dev/null | sort -V -r); do
    if [ -x "$d/bin/jlink" ]; then jdk=$d; break; fi
  done
fi
if [ -z "$jdk" ]; then
  jdk=${maven_java%/jre}
  say "no Temurin JDK under /usr/lib/jvm: using $jdk (pass -Ddist.jdk=DIR to choose)"
fi
[ -x "$jdk/bin/jlink" ] || { echo "[dist] $jdk/bin/jlink not found: pass -Ddist.jdk=/path/to/jdk (17 or newer)" >&2; exit 1; }
jdk_version=$("$jdk/bin/java" -version 2>&1 | head -1)
say "jlink from $jdk ($jdk_version)"

[ -f "$jar" ] || { echo "[dist] $jar missing (run the package phase)" >&2; exit 1; }
[ -d "$work/lib" ] || { echo "[dist] $work/lib missing (maven-dependency-plugin did not run)" >&2; exit 1; }
compat=$(cat "$target/compat/status" 2>/dev/null || echo "unavailable: target/compat/status missing")
case $compat in
  ok*) ;;
  *) echo "[dist] the CUDA 13 compatibility shims were not built ($compat): the bundle would not run on cuDNN 9 /" \
          "cuBLAS 13. Install gcc and binutils and rebuild." >&2; exit 1 ;;
esac
entries=$(unzip -Z1 "$jar")
for f in org/augmix4j/cuda/compat/libcudnn.so.8 org/augmix4j/cuda/compat/libcublas.so.12 org/augmix4j/kernels/augmix4j.fatbin; do
  grep -qx "$f" <<< "$entries" || { echo "[dist] $jar lacks $f" >&2; exit 1; }
done

# ------------------------------------------------------------------ runtime
rm -rf "$target/dist" "$target/augmix4j-dist.tar.xz" "$target/augmix4j-gpu-tests.tar.xz"
mkdir -p "$dist/bin" "$dist/lib" "$dist/docs"
jlink_opts=(--add-modules "$modules" --strip-debug --no-header-files --no-man-pages --output "$dist/runtime")
if "$jdk/bin/jlink" --list-plugins 2>/dev/null | grep -q -- '--strip-native-debug-symbols'; then
  jlink_opts+=(--strip-native-debug-symbols=exclude-debuginfo-files)
fi
"$jdk/bin/jlink" "${jlink_opts[@]}" 2>&1 | grep -v 'Using incubator modules' || true
[ -x "$dist/runtime/bin/java" ] || { echo "[dist] jlink failed" >&2; exit 1; }
"$dist/runtime/bin/java" --list-modules 2>/dev/null | sed 's/@.*//' | sort | tr '\n' ' ' > "$work/modules.txt"
say "runtime modules: $(cat "$work/modules.txt")"

# the imaging libraries of java.desktop must be the runtime's own, never the system's
ldd_report=$work/ldd.txt
: > "$ldd_report"
bad=""
for so in "$dist"/runtime/lib/*.so "$dist"/runtime/lib/server/*.so; do
  case $(basename "$so") in libawt_xawt.so|libjawt.so|libsplashscreen.so) continue ;; esac  # X11/GUI only: never loaded headless
  while read -r line; do
    dep=$(echo "$line" | awk '{print $1}'); path=$(echo "$line" | awk '{print $3}')
    case $dep in linux-vdso*|/lib64/ld-linux*|ld-linux*) continue ;; esac
    if [ "$path" = "not" ]; then
      case $dep in libjvm.so|libjava.so|libverify.so|libawt.so|libnet.so|libnio.so|libjli.so) continue ;; esac  # the JVM loads these itself
      echo "$(basename "$so"): $dep NOT FOUND" >> "$ldd_report"; bad="$bad $(basename "$so"):$dep"
      continue
    fi
    case $path in "$dist"/runtime/*) continue ;; esac
    echo "$(basename "$so"): $dep => $path" >> "$ldd_report"
    case $dep in libjpeg*|libfreetype*|liblcms*|libpng*|libgif*|libharfbuzz*|libz.so*) bad="$bad $(basename "$so"):$dep" ;; esac
  done < <(ldd "$so" 2>/dev/null | grep '=>\|not found' | sed 's/ (0x[0-9a-f]*)//')
done
if [ -n "$bad" ]; then
  echo "[dist] the runtime from $jdk depends on system libraries it should bring itself:$bad" >&2
  echo "[dist] use a JDK that bundles them (e.g. Temurin): -Ddist.jdk=/path/to/temurin" >&2
  exit 1
fi
say "runtime's system dependencies: $(awk -F': ' '{split($2, d, " => "); print d[1]}' "$ldd_report" | sort -u | tr '\n' ' ')"

# ------------------------------------------------------------------ jars, launcher, scripts, docs
cp "$jar" "$dist/lib/augmix4j-$version.jar"
cp "$work"/lib/*.jar "$dist/lib/"
native_access=""
if "$dist/runtime/bin/java" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1; then
  native_access="--enable-native-access=ALL-UNNAMED"  # JNI without warnings on Java 24+
fi
sed "s|@NATIVE_ACCESS@|$native_access|" "$here/augmix4j" > "$dist/bin/augmix4j"
cp "$repo/tools/gpu/run-on-gpu.sh" "$dist/bin/run-on-gpu.sh"
chmod 755 "$dist/bin/augmix4j" "$dist/bin/run-on-gpu.sh"
cp "$repo/docs/gpu.md" "$dist/docs/gpu.md"
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit+local changes"; fi
fatbin_hash=$(unzip -p "$jar" org/augmix4j/kernels/augmix4j.fatbin.inputs | grep '^inputs-sha256' | awk '{print $NF}' || true)
{
  echo "AugMix4J $version, commit $commit, built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -sm)"
  echo "java runtime: jlink of $jdk ($jdk_version); modules: $(cat "$work/modules.txt")"
  echo "kernels: augmix4j.fatbin inputs-sha256 ${fatbin_hash:-?}"
  echo "cuda 13 shims: $compat"
  echo "system libraries the runtime uses (ldd; libjvm.so and the imaging libraries are the runtime's own):"
  awk -F': ' '{split($2, d, " => "); users[d[1]] = users[d[1]] (users[d[1]] ? ", " : "") $1}
              END {for (k in users) print "  " k " <- " users[k]}' "$ldd_report" | sort
} > "$dist/BUILD-INFO"

# smoke test: the bundle runs on its own runtime with no java on PATH
if ! env -i HOME="$work" PATH=/usr/bin:/bin AUGMIX4J_TMPDIR="$work/tmp" "$dist/bin/augmix4j" --version > "$work/smoke.txt" 2>&1; then
  cat "$work/smoke.txt" >&2
  echo "[dist] the bundle's launcher does not run" >&2
  exit 1
fi
say "bundle: $(du -sh "$dist" | cut -f1) in $dist ($(cat "$work/smoke.txt" | grep -v WARNING | head -1))"

# ------------------------------------------------------------------ the GPU test kit
tests=$work/tests-tree/augmix4j/tests
rm -rf "$work/tests-tree"
mkdir -p "$tests/lib" "$tests/kernels"
cp -r "$target/test-classes" "$tests/classes"
cp "$work"/test-lib/junit-platform-console-standalone-*.jar "$tests/lib/"
cp "$repo"/kernels/*.cu "$repo"/kernels/*.cuh "$tests/kernels/" 2>/dev/null || true
echo "test classes of AugMix4J $version, commit $commit: unpack over the bundle (tar xf augmix4j-gpu-tests.tar.xz" \
  "next to augmix4j/); bin/run-on-gpu.sh runs the tests tagged emulated|gpu on the GPU" > "$tests/README"

# ------------------------------------------------------------------ tarballs
export XZ_OPT=${XZ_OPT:--6 -T2}
tar -C "$target/dist" -cJf "$target/augmix4j-dist.tar.xz" augmix4j
tar -C "$work/tests-tree" -cJf "$target/augmix4j-gpu-tests.tar.xz" augmix4j
say "$target/augmix4j-dist.tar.xz: $(du -h "$target/augmix4j-dist.tar.xz" | cut -f1)"
say "$target/augmix4j-gpu-tests.tar.xz: $(du -h "$target/augmix4j-gpu-tests.tar.xz" | cut -f1)"
say "done in $(( $(date +%s) - start )) s"

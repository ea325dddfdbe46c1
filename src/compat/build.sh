#!/usr/bin/env bash
# src/compat/build.sh OUT_DIR CLASSES_DIR JCUDNN_NATIVES_JAR JCUBLAS_NATIVES_JAR [JAVA_HOME]
#
# Builds the CUDA 13 compatibility shims (Maven runs it in process-classes, so the jar, the tests and
# the dist bundle all get them):
#   libcudnn.so.8    soname and version node libcudnn.so.8; every cudnn* function that JCudnn 11.7.0's
#                    JNI library imports, forwarded to libcudnn.so.9; the 54 functions cuDNN 9 removed
#                    (cudnn9-removed.txt) become stubs
#   libcublas.so.12  soname and version node libcublas.so.12; every cublas* function that JCublas2 and
#                    JCublas 12.6.0 import, forwarded to libcublas.so.13
# The symbol lists come from `nm -D --undefined-only` on the JNI libraries inside the natives jars.
# Outputs (never committed):
#   OUT_DIR/gen/       imports lists, generated C sources and version scripts
#   OUT_DIR/lib/       the two shims
#   OUT_DIR/status     "ok ..." or "unavailable: <reason>"
#   CLASSES_DIR/org/augmix4j/cuda/compat/{libcudnn.so.8,libcublas.so.12,compat.properties}
#                      the classpath copies that org.augmix4j.cuda.CudaLibraries extracts and loads
# Rebuilt only when an input changed. Without gcc/nm (or off Linux x86-64) it records why and exits 0:
# the jar then has no shims, and CudaLibraries says so when it finds cuDNN 9 or cuBLAS 13.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: build.sh OUT_DIR CLASSES_DIR JCUDNN_NATIVES_JAR JCUBLAS_NATIVES_JAR [JAVA_HOME]"
out=${1:?$usage}; classes=${2:?$usage}; cudnn_jar=${3:?$usage}; cublas_jar=${4:?$usage}
java_home=${5:-${JAVA_HOME:-}}
mkdir -p "$out" "$classes"
out=$(cd "$out" && pwd)
res=$classes/org/augmix4j/cuda/compat
CC=${CC:-gcc}

unavailable() {
  echo "unavailable: $*" > "$out/status"
  rm -rf "$res"
  echo "[compat] shims not built: $*. cuDNN 9 / cuBLAS 13 will not be usable (cuDNN 8 / cuBLAS 12 still are)." >&2
  exit 0
}

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || unavailable "it needs Linux x86-64 (the JCuda natives are linux-x86_64), this is $(uname -sm)"
for tool in "$CC" nm; do
  command -v "$tool" >/dev/null || unavailable "$tool not found (install gcc and binutils)"
done
for jar in "$cudnn_jar" "$cublas_jar"; do
  [ -f "$jar" ] || unavailable "the natives jar is missing: $jar"
done
if command -v unzip >/dev/null; then
  jar_list() { unzip -Z1 "$1"; }
  jar_extract() { unzip -p "$1" "$2"; }
elif [ -x "$java_home/bin/jar" ]; then
  jar_list() { "$java_home/bin/jar" tf "$1"; }
  jar_extract() { local d; d=$(mktemp -d); (cd "$d" && "$java_home/bin/jar" xf "$1" "$2" && cat "$2"); rm -rf "$d"; }
else
  unavailable "neither unzip nor the JDK's jar tool was found (to read the natives jars)"
fi

inputs=("$here"/build.sh "$here"/gen-shim.sh "$here"/cudnn9-removed.txt)
stamp=$({ sha256sum "${inputs[@]}" "$cudnn_jar" "$cublas_jar"; "$CC" --version | head -1; } | sha256sum | cut -d' ' -f1)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && grep -q '^ok' "$out/status" 2>/dev/null \
    && [ -f "$res/libcudnn.so.8" ] && [ -f "$res/libcublas.so.12" ] && [ -f "$res/compat.properties" ]; then
  echo "[compat] up to date ($out)"
  exit 0
fi
rm -rf "$out/gen" "$out/lib" "$out/stamp" "$res"
mkdir -p "$out/gen" "$out/lib" "$res"
gen=$out/gen

# imports of the JNI libraries: NAME [NAME...] from JAR, filtered by PREFIX, into FILE
imports() {
  local jar=$1 prefix=$2 list=$3; shift 3
  : > "$list.all"
  local entries
  entries=$(jar_list "$jar")
  for name in "$@"; do
    local entry
    entry=$(grep -m1 "lib/lib$name-.*linux-x86_64\.so$" <<< "$entries") || { echo "[compat] no lib$name in $jar" >&2; exit 1; }
    jar_extract "$jar" "$entry" > "$gen/$(basename "$entry")"
    nm -D --undefined-only "$gen/$(basename "$entry")" | awk '{print $NF}' | sed 's/@.*//' | grep "^$prefix" >> "$list.all" || true
    echo "$(basename "$entry")"
  done
  LC_ALL=C sort -u "$list.all" > "$list"
  rm -f "$list.all"
  [ -s "$list" ] || { echo "[compat] no $prefix* imports found in $*" >&2; exit 1; }
}

cudnn_from=$(imports "$cudnn_jar" cudnn "$gen/cudnn-imports.txt" JCudnn | paste -sd" ")
cublas_from=$(imports "$cublas_jar" cublas "$gen/cublas-imports.txt" JCublas2 JCublas | paste -sd" ")

# the removed functions that are actually imported: these become the stubs
grep -v '^[[:space:]]*\(#\|$\)' "$here/cudnn9-removed.txt" | LC_ALL=C sort -u > "$gen/cudnn9-removed.sorted"
LC_ALL=C comm -12 "$gen/cudnn-imports.txt" "$gen/cudnn9-removed.sorted" > "$gen/libcudnn.so.8.stubs.txt"
not_imported=$(LC_ALL=C comm -23 "$gen/cudnn9-removed.sorted" "$gen/cudnn-imports.txt")
[ -z "$not_imported" ] || echo "[compat] note: listed as removed but not imported by JCudnn: $(echo $not_imported)" >&2
: > "$gen/libcublas.so.12.stubs.txt"

SHIM_MISSING_STATUS=3000 SHIM_UNAVAILABLE_STATUS=1001 SHIM_ZERO_PATTERN='VersionCheck$' \
  SHIM_SIZE_T='cudnnGetVersion cudnnGetCudartVersion cudnnGetMaxDeviceVersion' SHIM_STRING='cudnnGetErrorString' \
  SHIM_TARGET_ENV=AUGMIX4J_CUDNN_TARGET \
  "$here/gen-shim.sh" libcudnn.so.8 libcudnn.so.9 "$gen/cudnn-imports.txt" "$gen/libcudnn.so.8.stubs.txt" \
  "$gen/libcudnn.so.8.c" "$gen/libcudnn.so.8.map"
# cuBLAS statuses: 15 CUBLAS_STATUS_NOT_SUPPORTED, 1 CUBLAS_STATUS_NOT_INITIALIZED
SHIM_MISSING_STATUS=15 SHIM_UNAVAILABLE_STATUS=1 \
  SHIM_SIZE_T='cublasGetCudartVersion' SHIM_STRING='cublasGetStatusName cublasGetStatusString' \
  SHIM_TARGET_ENV=AUGMIX4J_CUBLAS_TARGET \
  "$here/gen-shim.sh" libcublas.so.12 libcublas.so.13 "$gen/cublas-imports.txt" /dev/null \
  "$gen/libcublas.so.12.c" "$gen/libcublas.so.12.map"

CFLAGS=(-std=c11 -O2 -fPIC -Wall -Wextra -Werror)
for so in libcudnn.so.8 libcublas.so.12; do
  # -l:libdl.so.2 kept NEEDED: before glibc 2.34 the dl* functions live there, not in libc.so.6
  "$CC" "${CFLAGS[@]}" -shared -Wl,-soname,$so -Wl,--version-script="$gen/$so.map" -Wl,--no-undefined \
    -Wl,-z,noexecstack -o "$out/lib/$so" "$gen/$so.c" -Wl,--no-as-needed -l:libdl.so.2 &
done
for job in $(jobs -p); do wait "$job"; done

# the build fails if a shim does not export exactly what the JNI libraries import
for pair in libcudnn.so.8:cudnn libcublas.so.12:cublas; do
  so=${pair%%:*}; prefix=${pair##*:}
  nm -D --defined-only "$out/lib/$so" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | LC_ALL=C sort -u > "$gen/$so.exports.txt"
  if ! cmp -s "$gen/$so.exports.txt" "$gen/$prefix-imports.txt"; then
    echo "[compat] $so exports differ from the $prefix imports:" >&2
    diff "$gen/$prefix-imports.txt" "$gen/$so.exports.txt" >&2 || true
    exit 1
  fi
done

cp "$out/lib/libcudnn.so.8" "$out/lib/libcublas.so.12" "$res/"
{
  echo "# Generated by src/compat/build.sh: the CUDA 13 compatibility shims beside this file."
  echo "built.by=$("$CC" --version | head -1)"
  echo "libcudnn.so.8.target=libcudnn.so.9"
  echo "libcudnn.so.8.for=$cudnn_from"
  echo "libcudnn.so.8.functions=$(wc -l < "$gen/cudnn-imports.txt")"
  echo "libcudnn.so.8.stubs=$(paste -sd, "$gen/libcudnn.so.8.stubs.txt")"
  echo "libcudnn.so.8.sha256=$(sha256sum "$res/libcudnn.so.8" | cut -d' ' -f1)"
  echo "libcublas.so.12.target=libcublas.so.13"
  echo "libcublas.so.12.for=$cublas_from"
  echo "libcublas.so.12.functions=$(wc -l < "$gen/cublas-imports.txt")"
  echo "libcublas.so.12.stubs="
  echo "libcublas.so.12.sha256=$(sha256sum "$res/libcublas.so.12" | cut -d' ' -f1)"
} > "$res/compat.properties"
echo "$stamp" > "$out/stamp"
echo "ok: libcudnn.so.8 ($(wc -l < "$gen/cudnn-imports.txt") functions, $(wc -l < "$gen/libcudnn.so.8.stubs.txt") stubs)," \
  "libcublas.so.12 ($(wc -l < "$gen/cublas-imports.txt") functions)" > "$out/status"
echo "[compat] $(cat "$out/status")"

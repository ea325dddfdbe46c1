#!/usr/bin/env bash
# kernels/build.sh: compiles every kernels/*.cu with nvcc 13 into ONE fatbin on the classpath,
#   src/main/resources/org/augmix4j/kernels/augmix4j.fatbin
# and records beside it (augmix4j.fatbin.inputs) the sha256 of its inputs: each .cu/.cuh, the nvcc
# version line and the flags. Commit both files. kernels/check.sh and FatbinTest fail when the
# recorded hash no longer matches the sources. Needs nvcc 13 (sm_75+); no GPU.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v nvcc >/dev/null || { echo "kernels/build.sh: nvcc not found (CUDA 13 toolkit needed)" >&2; exit 1; }
version=$(nvcc_version)
case "$version" in *"release 13."*) ;; *) echo "kernels/build.sh: need nvcc 13.x, found: $version" >&2; exit 1 ;; esac

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
unity_source > "$tmp/augmix4j_all.cu"
nvcc "${NVCC_FLAGS[@]}" -I "$KERNELS_DIR" -o "$tmp/augmix4j.fatbin" "$tmp/augmix4j_all.cu"

mkdir -p "$(dirname "$FATBIN")"
cp "$tmp/augmix4j.fatbin" "$FATBIN"
lines=$(inputs_lines "$version")
{
  echo "# Inputs of augmix4j.fatbin, written by kernels/build.sh; do not edit."
  echo "# inputs-sha256 = sha256 of the source/nvcc/flags lines (each ending in a newline)."
  printf '%s\n' "$lines"
  printf 'inputs-sha256 %s\n' "$(printf '%s\n' "$lines" | sha256sum | cut -d' ' -f1)"
  printf 'fatbin-sha256 %s\n' "$(sha256sum "$FATBIN" | cut -d' ' -f1)"
} > "$INPUTS"
echo "kernels/build.sh: wrote ${FATBIN#$REPO_DIR/} ($(stat -c %s "$FATBIN") bytes) and ${INPUTS#$REPO_DIR/}"

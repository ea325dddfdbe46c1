#!/usr/bin/env bash
# kernels/check.sh: CI check when nvcc is present (.ci/run calls it).
# 1. Compiles every kernels/*.cu on its own, and every test kernel (src/test/kernels/*.cu), with the
#    shipped flags (warnings are errors); 2. FAILS when the fatbin's recorded input hash does not
#    match the sources, the nvcc version or the flags (a stale fatbin), or the fatbin's bytes do not
#    match their recorded sha256. Fix: run kernels/build.sh and commit both files.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v nvcc >/dev/null || { echo "kernels/check.sh: nvcc not found; nothing checked" >&2; exit 0; }
version=$(nvcc_version)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

status=0
for f in "$KERNELS_DIR"/*.cu "$REPO_DIR"/src/test/kernels/*.cu; do
  [ -e "$f" ] || continue
  if ! nvcc "${NVCC_FLAGS[@]}" -I "$KERNELS_DIR" -o "$tmp/one.fatbin" "$f"; then
    echo "kernels/check.sh: FAILED to compile ${f#$REPO_DIR/} with warnings as errors" >&2; status=1
  fi
done

stale() { echo "kernels/check.sh: STALE fatbin: $1. Run kernels/build.sh and commit the fatbin and its .inputs file." >&2; status=1; }
if [ ! -f "$FATBIN" ] || [ ! -f "$INPUTS" ]; then
  stale "${FATBIN#$REPO_DIR/} or its .inputs file is missing"
else
  lines=$(inputs_lines "$version")
  want=$(printf '%s\n' "$lines" | sha256sum | cut -d' ' -f1)
  have=$(awk '$1=="inputs-sha256"{print $2}' "$INPUTS")
  if [ "$want" != "$have" ]; then
    stale "recorded inputs-sha256 $have != $want (sources, nvcc version or flags changed)"
    diff <(grep -E '^(source|nvcc|flags) ' "$INPUTS") <(printf '%s\n' "$lines") >&2 || true
  fi
  bytes=$(sha256sum "$FATBIN" | cut -d' ' -f1)
  [ "$bytes" = "$(awk '$1=="fatbin-sha256"{print $2}' "$INPUTS")" ] || stale "the fatbin's bytes do not match its recorded fatbin-sha256"
fi
[ $status -eq 0 ] && echo "kernels/check.sh: every .cu compiles warning-free; fatbin up to date ($version)"
exit $status

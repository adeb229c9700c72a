#!/usr/bin/env bash
# Memory: peak RSS of `ebpack validate` and `ebpack build` on inputs made of
# many files no rule reads, at three sizes each, and on one large hook.
#
#   folder  N files `data/fNNN.json` of 4 MiB each (sparse: no disk used),
#           beside a valid Dockerrun; `validate DIR` and `build`
#   zip     N entries `d/fNNN.json` of 4 MiB of zeros (DEFLATE, ~4 KB each);
#           `validate ZIP`
#   tiny    N empty entries in a zip: what one entry costs; `validate ZIP`
#   hook    a 1 GiB platform hook (sparse); `validate DIR` and `build`
#
# Usage: bench/memory.sh [WORKDIR]   (default: ${TMPDIR:-/tmp}/ebpack-memory)
# Env:   EBPACK_BIN=path   the binary to measure (default: build --release)
#        SIZES="150 300 600"  N for folder and zip; TINY="10000 30000 60000"
#
# Prints one line per run: case, N, command, peak RSS (MiB), wall time (s).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/ebpack-memory}"
sizes="${SIZES:-150 300 600}"
tiny="${TINY:-10000 30000 60000}"
mkdir -p "$work"

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
if [ -z "${EBPACK_BIN:-}" ]; then
  echo "bench: building ebpack (release)" >&2
  (cd "$here" && cargo build --release --quiet)
  EBPACK_BIN="${CARGO_TARGET_DIR:-$here/target}/release/ebpack"
fi

dockerrun='{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "essential": true, "memoryReservation": 128}]}'

# measure CASE N LABEL CMD...: one line of figures (exit codes 0 and 1 are
# both answers; anything else stops the benchmark).
measure() {
  local case="$1" n="$2" label="$3"
  shift 3
  local out="$work/time.txt" rc=0
  (cd "$work" && /usr/bin/time -f '%M %e' -o "$out" "$@" >/dev/null 2>"$work/stderr.txt") || rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "bench: $case $n $label exited $rc:" >&2
    cat "$work/stderr.txt" >&2
    exit 1
  fi
  read -r kb secs <"$out"
  printf '%-6s %6s  %-13s %8.1f MiB %7.2f s\n' "$case" "$n" "$label" "$(echo "$kb / 1024" | bc -l)" "$secs"
}

# A zip of the Dockerrun and N entries, each the same DEFLATE stream of
# SIZE zero bytes (compressed once), written record by record.
make_zip() {
  python3 - "$@" <<'PY'
import struct, sys, zlib
path, n, size, dockerrun = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode()
zeros = bytes(size)
c = zlib.compressobj(9, zlib.DEFLATED, -15)
packed = c.compress(zeros) + c.flush()
crc = zlib.crc32(zeros)
out, central = bytearray(), bytearray()
def add(name, data, method, crc, usize):
    name = name.encode()
    h = struct.pack("<HHHHHIIIHH", 20, 0, method, 0, 33, crc, len(data), usize, len(name), 0)
    central.extend(struct.pack("<IH", 0x02014B50, (3 << 8) | 20) + h
                   + struct.pack("<HHHII", 0, 0, 0, 0o100644 << 16, len(out)) + name)
    out.extend(struct.pack("<I", 0x04034B50) + h + name + data)
add("Dockerrun.aws.json", dockerrun, 0, zlib.crc32(dockerrun), len(dockerrun))
for i in range(n):
    add(f"d/f{i:05d}.json", packed if size else b"", 8 if size else 0, crc, size)
count = min(n + 1, 0xFFFF)
at = len(out)
out.extend(central)
out.extend(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), at, 0))
open(path, "wb").write(out)
PY
}

echo "case        N  command            peak RSS      wall"
for n in $sizes; do
  dir="$work/folder-$n"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir" && mkdir -p "$dir/data"
    printf '%s\n' "$dockerrun" >"$dir/Dockerrun.aws.json"
    for i in $(seq -w 1 "$n"); do truncate -s 4M "$dir/data/f$i.json"; done
    : >"$dir/.complete"
  fi
  measure folder "$n" "validate DIR" "$EBPACK_BIN" validate "$dir"
  rm -rf "$work/dist"
  measure folder "$n" "build" "$EBPACK_BIN" build "$dir" --app bench --label b --out "$work/dist"
done
for n in $sizes; do
  zip="$work/zeros-$n.zip"
  [ -f "$zip" ] || make_zip "$zip" "$n" $((4 << 20)) "$dockerrun"
  measure zip "$n" "validate ZIP" "$EBPACK_BIN" validate "$zip"
done
for n in $tiny; do
  zip="$work/tiny-$n.zip"
  [ -f "$zip" ] || make_zip "$zip" "$n" 0 "$dockerrun"
  measure tiny "$n" "validate ZIP" "$EBPACK_BIN" validate "$zip"
done
dir="$work/hook"
if [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir" && mkdir -p "$dir/.platform/hooks/prebuild"
  printf '%s\n' "$dockerrun" >"$dir/Dockerrun.aws.json"
  hook="$dir/.platform/hooks/prebuild/01_big.sh"
  printf '#!/bin/sh\necho hi\n' >"$hook"
  truncate -s 1G "$hook"
  chmod 755 "$hook"
  : >"$dir/.complete"
fi
measure hook 1GiB "validate DIR" "$EBPACK_BIN" validate "$dir"
rm -rf "$work/dist"
measure hook 1GiB "build" "$EBPACK_BIN" build "$dir" --app bench --label b --out "$work/dist"
rm -rf "$work/dist"

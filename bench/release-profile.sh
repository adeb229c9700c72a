#!/usr/bin/env bash
# Benchmark: what each release-profile choice costs (docs/build.md, "Release
# profile"). For every variant it builds ebpack from scratch in its own
# target folder, one after another, and records:
#   - compile cost as user+sys CPU seconds (wall time is noise on a shared
#     machine), and peak RSS of the build;
#   - the binary's size (and its size after `strip`, the `strip = true` choice);
#   - speed as instruction counts (callgrind) of `ebpack build` and
#     `ebpack validate` on the shipped example and on a larger generated one.
#
# Usage: bench/release-profile.sh [RESULTS_DIR]   (default: ${TMPDIR:-/tmp}/ebpack-profile)
# Env:   VARIANTS="fat1 thin4 default"   which variants, in this order
#        NICE=15                          niceness of the builds
#        KEEP_TARGETS=1                   keep target-prof-* (default: delete each after use)
# Needs: valgrind, /usr/bin/time, python3. Takes about 20 CPU-minutes per variant.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
results="${1:-${TMPDIR:-/tmp}/ebpack-profile}"
variants="${VARIANTS:-fat1 thin4 default}"
mkdir -p "$results"

command -v valgrind >/dev/null || { echo "bench: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

# The larger input: the shipped example plus 120 copies of the complete
# ebextensions fixture and ~12 MB of application files (text and random).
large="$results/large"
if [ ! -f "$large/.complete" ]; then
  rm -rf "$large"
  mkdir -p "$large"
  cp "$here/ebpack.yaml" "$large/"
  cp -r "$here/eb" "$large/eb"
  for i in $(seq -w 1 120); do
    cp "$here/tests/fixtures/ebextensions/pass/complete.config" "$large/eb/.ebextensions/5${i}_complete.config"
  done
  python3 - "$large/eb/app" <<'PY'
import os, random, sys
root = sys.argv[1]
rng = random.Random(20261203)
words = "def class return import from self None if else for while in try yield value result".split()
for i in range(300):
    d = os.path.join(root, f"pkg{i % 12:02d}")
    os.makedirs(d, exist_ok=True)
    lines = []
    for _ in range(rng.randint(200, 1200)):
        lines.append("    " * rng.randint(0, 3) + " ".join(rng.choice(words) for _ in range(rng.randint(3, 12))))
    with open(os.path.join(d, f"mod{i:03d}.py"), "w") as f:
        f.write("\n".join(lines) + "\n")
with open(os.path.join(root, "blob.bin"), "wb") as f:
    f.write(rng.randbytes(4_000_000))
PY
  touch "$large/.complete"
  printf '.complete\n' > "$large/.ebignore"
fi

# Instruction count of one run (callgrind's "Collected" total, all threads).
instructions() {
  local dir="$1"; shift
  (cd "$dir"; valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true) \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

table="$results/profile.tsv"
[ -f "$table" ] || printf 'variant\tlto\tcodegen_units\tuser_s\tsys_s\tcpu_s\twall\tmax_rss_kb\tbytes\tbytes_stripped\tbuild_eb\tvalidate_eb\tbuild_large\tvalidate_large\n' > "$table"

for variant in $variants; do
  case "$variant" in
    default) lto=false; cgu=16 ;;
    thin4) lto=thin; cgu=4 ;;
    fat1) lto=fat; cgu=1 ;;
    thin1) lto=thin; cgu=1 ;;
    *) echo "bench: unknown variant \`$variant\`" >&2; exit 2 ;;
  esac
  target="$here/target-prof-$variant"
  # A build that finished before (its time file and binary exist) is reused.
  if [ -x "$target/release/ebpack" ] && grep -q "Exit status: 0" "$results/$variant.time" 2>/dev/null; then
    echo "bench: reusing the finished build of $variant" >&2
  else
    echo "bench: building variant $variant (lto=$lto, codegen-units=$cgu) in $target" >&2
    CARGO_TARGET_DIR="$target" CARGO_PROFILE_RELEASE_LTO="$lto" CARGO_PROFILE_RELEASE_CODEGEN_UNITS="$cgu" \
      nice -n "${NICE:-15}" /usr/bin/time -v -o "$results/$variant.time" \
      cargo build --manifest-path "$here/Cargo.toml" --release --locked --bin ebpack --quiet
  fi
  bin="$results/ebpack-$variant"
  cp "$target/release/ebpack" "$bin"
  strip -o "$bin.stripped" "$bin"
  [ "${KEEP_TARGETS:-0}" = 1 ] || rm -rf "$target"

  user=$(sed -n 's/.*User time (seconds): //p' "$results/$variant.time")
  sys=$(sed -n 's/.*System time (seconds): //p' "$results/$variant.time")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$results/$variant.time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$results/$variant.time")
  cpu=$(python3 -c "print(round($user + $sys))")

  echo "bench: counting instructions for $variant" >&2
  out="$results/out-$variant"
  rm -rf "$out"
  build_eb=$(instructions "$here" "$bin" build --label bench --out "$out/eb")
  validate_eb=$(instructions "$here" "$bin" validate eb)
  build_large=$(instructions "$large" "$bin" build --label bench --out "$out/large")
  validate_large=$(instructions "$large" "$bin" validate eb)

  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$variant" "$lto" "$cgu" "$user" "$sys" "$cpu" "$wall" "$rss" \
    "$(stat -c %s "$bin")" "$(stat -c %s "$bin.stripped")" \
    "$build_eb" "$validate_eb" "$build_large" "$validate_large" | tee -a "$table"
done
column -t -s "$(printf '\t')" "$table"

#!/usr/bin/env bash
# Benchmark: `ebpack build` against Info-ZIP `zip -6 -r -X` on the same
# synthetic bundle (~200 MB: a few thousand small text files, large
# compressible logs, large incompressible blobs).
#
# Usage: bench/build.sh [WORKDIR]   (default: ${TMPDIR:-/tmp}/ebpack-bench)
# Env:   RUNS=3        timed runs per tool (best wall time is reported)
#        KEEP_DATA=1   reuse WORKDIR/bundle if it exists (default)
#
# Prints the wall-time ratio, both output sizes and ebpack's peak RSS.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/ebpack-bench}"
runs="${RUNS:-3}"
bundle="$work/bundle"
mkdir -p "$work"

command -v zip >/dev/null || { echo "bench: Info-ZIP \`zip\` is missing (apt-get install zip)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

echo "bench: building ebpack (release)" >&2
(cd "$here" && cargo build --release --quiet)
ebpack="${CARGO_TARGET_DIR:-$here/target}/release/ebpack"

if [ ! -f "$bundle/.complete" ] || [ "${KEEP_DATA:-1}" != 1 ]; then
  echo "bench: generating the synthetic bundle in $bundle" >&2
  rm -rf "$bundle"
  python3 - "$bundle" <<'PY'
import os, random, sys
root = sys.argv[1]
rng = random.Random(20240229)
words = ("def class return import from self None True False if else elif for while in "
         "try except finally with as yield lambda assert print len range dict list str int "
         "request response handler config logger value result error todo item user query").split()
def text(n):
    out, size = [], 0
    while size < n:
        line = "    " * rng.randint(0, 3) + " ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))
        line += f"  # {rng.randint(0, 99999)}\n"
        out.append(line); size += len(line)
    return "".join(out)
os.makedirs(root)
with open(os.path.join(root, "Dockerrun.aws.json"), "w") as f:
    f.write('{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "app", '
            '"image": "nginx:1.27", "essential": true, "memoryReservation": 128}]}\n')
# ~3000 small source files (~32 MB)
for i in range(3000):
    d = os.path.join(root, "app", f"pkg{i % 40:02d}", f"mod{i % 7}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file{i:04d}.py"), "w") as f:
        f.write(text(rng.randint(1_000, 20_000)))
os.makedirs(os.path.join(root, "data"))
# large compressible: 2 x 50 MB of log lines
levels = ["INFO", "WARN", "DEBUG", "ERROR"]
paths = ["/api/todos", "/api/todos/17", "/health", "/static/app.js", "/api/users/me"]
for n in range(2):
    with open(os.path.join(root, "data", f"access{n}.log"), "w") as f:
        size, t = 0, 1_700_000_000
        buf = []
        while size < 50_000_000:
            t += rng.randint(0, 3)
            line = (f"{t} {rng.choice(levels)} 10.0.{rng.randint(0,255)}.{rng.randint(0,255)} "
                    f"{rng.choice(['GET','POST','PUT'])} {rng.choice(paths)} {rng.choice([200,200,200,201,404,500])} "
                    f"{rng.randint(1, 99999)}b {rng.random():.4f}s\n")
            buf.append(line); size += len(line)
            if len(buf) > 10000:
                f.write("".join(buf)); buf = []
        f.write("".join(buf))
# large incompressible: 2 x 30 MB (already-compressed media, archives)
for n in range(2):
    with open(os.path.join(root, "data", f"blob{n}.bin"), "wb") as f:
        f.write(rng.randbytes(30_000_000))
PY
  touch "$bundle/.complete"
  printf '.complete\n' > "$bundle/.ebignore"
fi

files=$(find "$bundle" -type f | wc -l)
bytes=$(du -sb "$bundle" | cut -f1)
echo "bench: bundle: $files files, $((bytes / 1000000)) MB; $(nproc) cores" >&2

# Warm the page cache so both tools read from memory.
cat $(find "$bundle" -type f) > /dev/null

best() { sort -n | head -1; }
zip_times=(); eb_times=(); eb_rss=()
for i in $(seq "$runs"); do
  rm -f "$work/zip.zip"
  /usr/bin/time -o "$work/zip.time" -f '%e' \
    bash -c "cd '$bundle' && zip -6 -r -X -q '$work/zip.zip' . -x .complete -x .ebignore"
  t=$(tail -1 "$work/zip.time")
  zip_times+=("$t")
  rm -rf "$work/dist"
  # From the work folder: the caller's ebpack.yaml (this repository's own,
  # say) must not configure the benchmark's build.
  (cd "$work" && /usr/bin/time -o "$work/ebpack.time" -f '%e %M' \
    "$ebpack" build "$bundle" --out "$work/dist" --label bench --app bench >/dev/null 2>"$work/ebpack.log") || {
    echo "bench: ebpack build failed:" >&2; cat "$work/ebpack.log" >&2; exit 1; }
  out=$(tail -1 "$work/ebpack.time")
  eb_times+=("${out% *}"); eb_rss+=("${out#* }")
  echo "bench: run $i: zip ${t}s, ebpack ${out% *}s (peak RSS ${out#* } KiB)" >&2
done
zt=$(printf '%s\n' "${zip_times[@]}" | best)
et=$(printf '%s\n' "${eb_times[@]}" | best)
rss=$(printf '%s\n' "${eb_rss[@]}" | sort -n | tail -1)
zs=$(stat -c %s "$work/zip.zip")
es=$(stat -c %s "$work/dist/bench-bench.zip")
python3 - "$zt" "$et" "$zs" "$es" "$rss" <<'PY'
import sys
zt, et, zs, es, rss = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ratio = et / zt if zt else float("inf")
size = (es / zs - 1) * 100
print(f"zip -6 -r -X : {zt:.2f} s   {zs:,} bytes")
print(f"ebpack build : {et:.2f} s   {es:,} bytes")
print(f"wall-time ratio ebpack/zip: {ratio:.2f}   (target <= 0.50)  {'OK' if ratio <= 0.5 else 'MISSED'}")
print(f"size vs zip: {size:+.2f}%   (target <= +2%)  {'OK' if size <= 2 else 'MISSED'}")
print(f"ebpack peak RSS: {rss / 1024:.1f} MiB   (target < 64 MiB)  {'OK' if rss < 64 * 1024 else 'MISSED'}")
PY

#!/usr/bin/env bash
# Benchmark: `ebpack deploy` end to end (build → upload → UpdateEnvironment →
# wait until Ready on the new label and Green) against the local AWS emulator
# (tests/emulator), for synthetic bundles whose zip is about 1 MB, 50 MB and
# 300 MB (a valid Dockerrun.aws.json v2 plus mostly incompressible data).
#
# Usage: bench/deploy.sh [WORKDIR]   (default: ${TMPDIR:-/tmp}/ebpack-bench-deploy)
# Env:   SIZES="1 50 300"   bundle sizes in MB (10^6 bytes)
#        RUNS=1             timed deploys per size (best total is reported)
#        UPDATE_DELAY=1     seconds the emulator keeps an environment Updating
#        POLL=250ms         ebpack's polling interval while it waits
#        KEEP_DATA=1        reuse WORKDIR/bundle-<N>mb if it exists (default)
#        EBPACK=PATH        time this binary instead of building target/release/ebpack
#
# It starts its own emulator (state in WORKDIR/emulator, stopped on exit),
# creates the application `bench` and a Ready environment `bench-env` in it,
# and polls fast (hidden `--poll-min $POLL --poll-max $POLL`).
#
# Prints, per size: the zip size, the phases ebpack reports in
# `--output json` `durations` (build, upload, deploy = wait for Ready +
# UpdateEnvironment + events + health gate, other = what is left of total:
# connecting, CreateStorageLocation, CreateApplicationVersion), the total,
# the upload throughput and ebpack's peak RSS (/usr/bin/time %M). With
# RUNS > 1 the times are those of the fastest run, the RSS the largest.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/ebpack-bench-deploy}"
sizes="${SIZES:-1 50 300}"
runs="${RUNS:-1}"
update_delay="${UPDATE_DELAY:-1}"
poll="${POLL:-250ms}"
emulator="$here/tests/emulator/emulator.sh"
app=bench
env_name=bench-env
mkdir -p "$work"
work="$(cd "$work" && pwd)"

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 is missing (apt-get install python3 python3-venv)" >&2; exit 2; }

if [ -n "${EBPACK:-}" ]; then
  ebpack="$EBPACK"
else
  echo "bench: building ebpack (release)" >&2
  (cd "$here" && cargo build --release --quiet)
  ebpack="${CARGO_TARGET_DIR:-$here/target}/release/ebpack"
fi

# A private emulator: its own state folder, so it neither reuses nor stops
# the one the tests share. Short delays: the benchmark measures ebpack, not
# Elastic Beanstalk's instances.
export EBEMU_STATE_DIR="$work/emulator"
export EBEMU_START_ARGS="--quiet --delay launch_delay=0.2 --delay update_delay=$update_delay --delay process_delay=0.2"
stop_emulator() { "$emulator" stop >/dev/null 2>&1 || true; }
trap stop_emulator EXIT
"$emulator" stop >/dev/null 2>&1 || true
echo "bench: starting the emulator (state in $EBEMU_STATE_DIR)" >&2
endpoint="$("$emulator" start)"
eval "$("$emulator" env)"
echo "bench: emulator at $endpoint, update_delay ${update_delay}s, polling every $poll" >&2
"$emulator" create-env "$app" "$env_name" >&2

# Bundle folders: Dockerrun v2, a small .ebextensions file, a little text,
# the rest random bytes in files of at most 25 MB.
for size in $sizes; do
  bundle="$work/bundle-${size}mb"
  if [ -f "$bundle/.complete" ] && [ "${KEEP_DATA:-1}" = 1 ]; then
    continue
  fi
  echo "bench: generating a ${size} MB bundle in $bundle" >&2
  rm -rf "$bundle"
  python3 - "$bundle" "$size" <<'PY'
import os, random, sys
root, mb = sys.argv[1], int(sys.argv[2])
rng = random.Random(20240229 + mb)
os.makedirs(os.path.join(root, ".ebextensions"))
os.makedirs(os.path.join(root, "data"))
with open(os.path.join(root, "Dockerrun.aws.json"), "w") as f:
    f.write("""{
  "AWSEBDockerrunVersion": 2,
  "containerDefinitions": [
    {
      "name": "app",
      "image": "nginx:1.27-alpine",
      "essential": true,
      "memoryReservation": 128,
      "portMappings": [{"hostPort": 80, "containerPort": 80}],
      "mountPoints": [{"sourceVolume": "data", "containerPath": "/usr/share/nginx/html/data", "readOnly": true}]
    }
  ],
  "volumes": [{"name": "data", "host": {"sourcePath": "/var/app/current/data"}}]
}
""")
with open(os.path.join(root, ".ebextensions", "00_bench.config"), "w") as f:
    f.write("option_settings:\n  aws:elasticbeanstalk:application:environment:\n    BENCH: \"1\"\n")
with open(os.path.join(root, "data", "index.txt"), "w") as f:
    f.write("".join(f"line {i} of the benchmark bundle\n" for i in range(2000)))
left, n = mb * 1_000_000 - 80_000, 0
while left > 0:
    chunk = min(left, 25_000_000)
    with open(os.path.join(root, "data", f"blob{n:02d}.bin"), "wb") as f:
        f.write(rng.randbytes(chunk))
    left -= chunk
    n += 1
PY
  printf '.complete\n.ebignore\n' > "$bundle/.ebignore"
  touch "$bundle/.complete"
done

# Run from WORKDIR: no ./ebpack.yaml or .elasticbeanstalk/ of the caller's
# project changes what is built (flags alone configure the deploy).
cd "$work"
echo "bench: $(nproc) cores; $runs run(s) per size" >&2
results="$work/results.tsv"
: > "$results"
for size in $sizes; do
  bundle="$work/bundle-${size}mb"
  cat "$bundle"/data/* > /dev/null   # warm the page cache
  for i in $(seq "$runs"); do
    label="bench-${size}mb-$i-$(date +%s)"
    rm -rf "$work/dist"
    code=0
    /usr/bin/time -o "$work/ebpack.time" -f '%e %M' \
      "$ebpack" deploy "$bundle" --app "$app" --env "$env_name" --label "$label" \
      --out "$work/dist" --output json --timeout 10m --poll-min "$poll" --poll-max "$poll" \
      >"$work/deploy.json" 2>"$work/deploy-${size}mb.log" || code=$?
    if [ "$code" != 0 ]; then
      echo "bench: ebpack deploy exited $code for ${size} MB; its output:" >&2
      cat "$work/deploy-${size}mb.log" >&2
      exit 1
    fi
    out=$(tail -1 "$work/ebpack.time")
    zip_size=$(stat -c %s "$work/dist/$app-$label.zip")
    python3 - "$size" "$zip_size" "${out% *}" "${out#* }" "$work/deploy.json" >>"$results" <<'PY'
import json, sys
size, zip_size, wall, rss, path = sys.argv[1:]
d = json.load(open(path))
assert d["status"] == "deployed" and d["final_label"] == d["label"], d
t = d["durations"]
print("\t".join(str(x) for x in (size, zip_size, t["build"], t["upload"], t["deploy"], t["total"], wall, rss)))
PY
    total=$(tail -1 "$results" | cut -f6)
    printf 'bench: %s MB run %s: %.2fs total, peak RSS %s KiB\n' "$size" "$i" "$total" "${out#* }" >&2
  done
done

python3 - "$results" <<'PY'
import sys
rows, rss_max = {}, {}
for line in open(sys.argv[1]):
    size, zs, build, upload, deploy, total, wall, rss = line.split("\t")
    r = dict(zip=int(zs), build=float(build), upload=float(upload), deploy=float(deploy),
             total=float(total), wall=float(wall))
    if size not in rows or r["total"] < rows[size]["total"]:
        rows[size] = r   # the best run by total time
    rss_max[size] = max(rss_max.get(size, 0), int(rss))   # the worst run by memory
print(f"{'bundle':>7}  {'zip bytes':>13}  {'build':>6}  {'upload':>6}  {'deploy':>6}  {'other':>6}  {'total':>6}  {'upload MB/s':>11}  {'peak RSS':>9}")
for size, r in rows.items():
    other = max(r["total"] - r["build"] - r["upload"] - r["deploy"], 0.0)
    rate = r["zip"] / 1e6 / r["upload"] if r["upload"] > 0 else float("nan")
    print(f"{size + ' MB':>7}  {r['zip']:>13,}  {r['build']:>5.2f}s  {r['upload']:>5.2f}s  {r['deploy']:>5.2f}s  "
          f"{other:>5.2f}s  {r['total']:>5.2f}s  {rate:>11.1f}  {rss_max[size] / 1024:>5.1f} MiB")
print("deploy = wait for Ready + UpdateEnvironment + events until Ready/Green on the new label "
      "(emulator update_delay included); other = connect + storage location + CreateApplicationVersion")
PY

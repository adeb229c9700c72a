#!/usr/bin/env bash
# Benchmark: `ebpack validate` on hostile inputs of growing size, to show
# that validation stays linear in time and bounded in memory
# (docs/rules/README.md, "Large and hostile inputs").
#
# Kinds of input (each at every size of SIZES, as elements):
#   containers  a v2 Dockerrun.aws.json with N containers
#   env         one container with N `environment` entries
#   dupkeys     one container with N copies of the key `memoryReservation`
#   yaml-keys   an .ebextensions .config with N environment properties (a mapping)
#   yaml-items  the same N properties as `option_settings` list items
#   yaml-block  a `files` entry whose `content: |` block has N lines
#   anchors     nested YAML anchors without aliases, 2·sqrt(N) levels deep with
#               one space of indentation per level (so the file grows with N)
#   zip         a zip with a Dockerrun and N small entries
#
# Usage: bench/validate.sh [WORKDIR]   (default: ${TMPDIR:-/tmp}/ebpack-bench-validate)
# Env:   KINDS="containers env …"   which kinds (default: all of the above)
#        SIZES="1000 10000 100000 1000000"
#        TIMEOUT=120                seconds before a run is given up
#        EBPACK=path                a built ebpack (default: cargo build --release)
#        FORMAT=human               validate's --format (human output renders a
#                                   snippet per finding, the costlier one)
#        RUNS=3                     runs per input: the least wall and CPU time
#                                   and the largest peak RSS are reported
#
# For each input it prints the wall time, the CPU time (user + system), the
# peak RSS, the peak RSS above the RSS of validating a tiny file per byte of
# input, and the growth of the CPU time per 10x of input bytes against the
# next smaller size (only when that took at least 0.1 s of CPU: below, the
# process start and the 10 ms clock are most of it). Targets: each 10x of
# input costs at most 12x the time;
# 10^5 containers and 10^5 environment entries validate in under 1 s; the
# RSS above the baseline is under 20x the input's size (judged from 1 MB of
# input up: below that the baseline is most of the RSS). Time is judged on
# CPU time, which other jobs on a shared machine do not inflate as they do
# the wall time.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/ebpack-bench-validate}"
kinds="${KINDS:-containers env dupkeys yaml-keys yaml-items yaml-block anchors zip}"
sizes="${SIZES:-1000 10000 100000 1000000}"
limit="${TIMEOUT:-120}"
format="${FORMAT:-human}"
runs="${RUNS:-3}"
mkdir -p "$work"

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
command -v timeout >/dev/null || { echo "bench: \`timeout\` is missing (coreutils)" >&2; exit 2; }

if [ -n "${EBPACK:-}" ]; then
  ebpack="$EBPACK"
else
  echo "bench: building ebpack (release)" >&2
  (cd "$here" && cargo build --release --quiet --bin ebpack)
  ebpack="${CARGO_TARGET_DIR:-$here/target}/release/ebpack"
fi

# Writes the input of KIND with N elements to PATH (once: inputs are kept).
generate() {
  python3 - "$1" "$2" "$3" <<'PY'
import math, os, sys, zipfile
kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(os.path.dirname(path), exist_ok=True)
tmp = path + ".part"

def container(i, extra=""):
    return ('    {"name": "c%d", "image": "nginx:1.27", "essential": true, '
            '"memoryReservation": 16%s}' % (i, extra))

def dockerrun(containers):
    return ('{\n  "AWSEBDockerrunVersion": 2,\n  "containerDefinitions": [\n'
            + ",\n".join(containers) + "\n  ]\n}\n")

if kind == "containers":
    text = dockerrun(container(i) for i in range(n))
elif kind == "env":
    env = ",\n".join('        {"name": "VAR_%d", "value": "value %d"}' % (i, i) for i in range(n))
    text = dockerrun([container(0, ', "environment": [\n' + env + "\n      ]")])
elif kind == "dupkeys":
    dups = "".join(', "memoryReservation": %d' % (16 + i % 100) for i in range(n))
    text = dockerrun([container(0, dups)])
elif kind == "yaml-keys":
    text = "option_settings:\n  aws:elasticbeanstalk:application:environment:\n" + "".join(
        "    VAR_%d: value %d\n" % (i, i) for i in range(n))
elif kind == "yaml-items":
    text = "option_settings:\n" + "".join(
        "  - namespace: aws:elasticbeanstalk:application:environment\n"
        "    option_name: VAR_%d\n    value: value %d\n" % (i, i) for i in range(n))
elif kind == "yaml-block":
    text = ('files:\n  "/etc/app/big.txt":\n    mode: "000644"\n    owner: root\n'
            "    group: root\n    content: |\n" + "".join(
                "      line %d of a large generated file\n" % i for i in range(n)))
elif kind == "anchors":
    depth = max(2 * math.isqrt(n), 1)
    text = "".join("%skey%d: &a%d\n%s  sibling: %d\n" % (" " * i, i, i, " " * i, i)
                   for i in range(depth)) + " " * depth + "leaf: x\n"
elif kind == "zip":
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
        z.writestr("Dockerrun.aws.json", dockerrun([container(0, ', "portMappings": [{"hostPort": 80, "containerPort": 80}]')]))
        for i in range(n):
            z.writestr("app/d%d/f%d.txt" % (i % 1000, i), "x\n")
    os.rename(tmp, path)
    sys.exit(0)
else:
    sys.exit("bench: unknown kind " + kind)
with open(tmp, "w") as f:
    f.write("".join(text) if not isinstance(text, str) else text)
os.rename(tmp, path)
PY
}

# The file name validate needs to pick the rules.
input_path() {
  case "$1" in
    containers|env|dupkeys) echo "$work/$1-$2/Dockerrun.aws.json" ;;
    yaml-*|anchors) echo "$work/$1-$2/app.config" ;;
    zip) echo "$work/$1-$2/bundle.zip" ;;
  esac
}

# Runs validate on PATH; prints "WALL CPU PEAK_KIB" (CPU: user + system
# seconds), with WALL `timeout` or `failed` when it did not finish.
measure() {
  local status=0
  /usr/bin/time -o "$work/time.out" -f '%e %U %S %M' \
    timeout "$limit" "$ebpack" validate "$1" --format "$format" >/dev/null 2>"$work/validate.err" || status=$?
  local wall user sys kib
  read -r wall user sys kib < <(tail -1 "$work/time.out")
  local cpu
  cpu=$(python3 -c "print(f'{$user + $sys:.2f}')")
  # 0: clean, 1: findings; 124 is timeout's; anything else is a crash.
  case "$status" in
    0|1) echo "$wall $cpu $kib" ;;
    124) echo "timeout $cpu $kib" ;;
    *) echo "bench: validate $1 exited $status:" >&2; tail -5 "$work/validate.err" >&2; echo "failed $cpu $kib" ;;
  esac
}

base_path="$work/baseline/Dockerrun.aws.json"
[ -f "$base_path" ] || generate containers 1 "$base_path"
base=$(measure "$base_path"); base_kib=${base##* }
echo "bench: $ebpack --format $format; baseline RSS ${base_kib} KiB; $(nproc) cores; timeout ${limit}s" >&2

printf '%-11s %9s %12s %8s %8s %9s %9s %7s\n' kind n bytes wall cpu "peak MiB" "RSS/byte" growth
results="$work/results.txt"
: > "$results"
for kind in $kinds; do
  prev_bytes=""; prev_cpu=""
  for n in $sizes; do
    path=$(input_path "$kind" "$n")
    [ -f "$path" ] || generate "$kind" "$n" "$path"
    bytes=$(stat -c %s "$path")
    wall=""; cpu=""; kib=0
    for _ in $(seq "$runs"); do
      read -r w c k < <(measure "$path")
      if [ "$w" = timeout ] || [ "$w" = failed ]; then wall=$w; cpu=$c; kib=$k; break; fi
      if [ -z "$wall" ] || python3 -c "import sys; sys.exit(not $c < $cpu)"; then cpu=$c; fi
      if [ -z "$wall" ] || python3 -c "import sys; sys.exit(not $w < $wall)"; then wall=$w; fi
      [ "$k" -gt "$kib" ] && kib=$k
    done
    line=$(python3 - "$kind" "$n" "$bytes" "$wall" "$cpu" "$kib" "$base_kib" "$prev_bytes" "$prev_cpu" <<'PY'
import math, sys
kind, n, size, wall, cpu, kib, base, pb, pc = sys.argv[1:]
size, kib, base = int(size), int(kib), int(base)
per_byte = max(kib - base, 0) * 1024 / size
growth = "-"
if wall not in ("timeout", "failed") and pb and pc and float(pc) >= 0.1:
    # Times under 10 ms are noise: count them as 10 ms.
    t, pt = max(float(cpu), 0.01), max(float(pc), 0.01)
    growth = "%.1fx" % ((t / pt) ** (1 / math.log10(size / int(pb))))
print("%-11s %9s %12s %8s %8s %9.1f %9.1f %7s" % (kind, n, f"{size:,}", wall, cpu, kib / 1024, per_byte, growth))
PY
)
    echo "$line"; echo "$line" >> "$results"
    prev_bytes=$bytes; prev_cpu=$cpu
    # A size that timed out makes the larger ones pointless.
    [ "$wall" = timeout ] && break
  done
done

python3 - "$results" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
misses = []
for kind, n, size, wall, cpu, mib, per_byte, growth in rows:
    if wall in ("timeout", "failed"):
        misses.append(f"{kind} {n}: {wall}")
        continue
    if growth != "-" and float(growth.rstrip("x")) > 12:
        misses.append(f"{kind} {n}: {growth} per 10x of input (target <= 12x)")
    if float(per_byte) > 20 and int(size.replace(",", "")) >= 1_000_000:
        misses.append(f"{kind} {n}: {per_byte} bytes of RSS per input byte (target < 20)")
    if kind in ("containers", "env") and n == "100000" and float(cpu) >= 1:
        misses.append(f"{kind} {n}: {cpu} s of CPU (target < 1 s)")
print("targets: " + ("all met" if not misses else "MISSED: " + "; ".join(misses)))
PY

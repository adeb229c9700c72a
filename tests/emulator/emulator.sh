#!/usr/bin/env bash
# Local AWS emulator for ebpack's tests: moto's server + Elastic Beanstalk
# deployment calls + fault injection (see README.md next to this script).
#
#   emulator.sh setup   create/refresh tests/emulator/.venv from requirements.txt
#   emulator.sh start   setup, start in the background on a free 127.0.0.1 port,
#                       wait until it answers, print the endpoint URL on stdout
#   emulator.sh stop    stop it (no-op if it is not running)
#   emulator.sh env     print `export AWS_ENDPOINT_URL=... AWS_...` for a shell
#   emulator.sh status  print the endpoint if running, exit 1 otherwise
#   emulator.sh create-env APP ENV [STACK]
#                       create an application and a Ready environment in the
#                       running emulator (to try `ebpack deploy` by hand)
#
# Environment: EBEMU_PYTHON (interpreter used to create the venv; default
# python3.11, else python3 >= 3.11), EBEMU_STATE_DIR (pid/port/log files;
# default a per-user, per-checkout folder under $TMPDIR or /tmp),
# EBEMU_START_ARGS (extra arguments for `python -m ebemu`, e.g.
# "--delay update_delay=0.2 --quiet"). Safe to re-run: `start` reuses a running
# instance and `setup` only rebuilds when requirements.txt changed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
REQS="$HERE/requirements.txt"
STAMP="$VENV/.ebemu-requirements"

die() { echo "emulator.sh: $*" >&2; exit 1; }
log() { echo "emulator.sh: $*" >&2; }

state_dir() {
  if [[ -n "${EBEMU_STATE_DIR:-}" ]]; then
    echo "$EBEMU_STATE_DIR"
  else
    # One instance per checkout and user, outside the work tree.
    local key
    key="$(printf '%s' "$HERE" | cksum | cut -d' ' -f1)"
    echo "${TMPDIR:-/tmp}/ebemu-$(id -u)-$key"
  fi
}
STATE="$(state_dir)"

# A lock made with mkdir (atomic everywhere, unlike flock which macOS lacks),
# so parallel test binaries do not build the venv or start servers together.
# A lock whose owner died is taken over.
lock() {
  mkdir -p "$(dirname "$STATE")"
  local dir="$STATE.lock" waited=0
  until mkdir "$dir" 2>/dev/null; do
    local owner
    owner="$(cat "$dir/pid" 2>/dev/null || true)"
    if [[ -n "$owner" ]] && ! kill -0 "$owner" 2>/dev/null; then
      rm -rf "$dir"
      continue
    fi
    sleep 0.2
    waited=$((waited + 1))
    # Building the venv downloads ~60 packages: allow 15 minutes.
    (( waited < 4500 )) || die "timed out waiting for the lock $dir"
  done
  echo $$ >"$dir/pid"
  trap 'rm -rf "$STATE.lock"' EXIT
}

find_python() {
  local candidates=()
  if [[ -n "${EBEMU_PYTHON:-}" ]]; then
    candidates=("$EBEMU_PYTHON")
  else
    candidates=(python3.11 python3 python)
  fi
  local py
  for py in "${candidates[@]}"; do
    if command -v "$py" >/dev/null 2>&1 &&
      "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$py"
      return
    fi
  done
  die "no Python >= 3.11 found (tried: ${candidates[*]}); install CPython 3.11 or set EBEMU_PYTHON"
}

# What the venv must have been built from: the requirements and the interpreter.
wanted_stamp() {
  "$1" - "$REQS" <<'EOF'
import hashlib, sys
print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest(), sys.version.split()[0])
EOF
}

venv_fresh() {
  [[ -x "$VENV/bin/python" && -f "$STAMP" ]] || return 1
  [[ "$(cat "$STAMP")" == "$(wanted_stamp "$VENV/bin/python")" ]]
}

setup_locked() {
  if venv_fresh; then
    return
  fi
  local py
  py="$(find_python)"
  log "creating $VENV with $("$py" -V 2>&1) from requirements.txt (first run takes about a minute)"
  rm -rf "$VENV"
  "$py" -m venv "$VENV" || die "could not create the venv (on Debian/Ubuntu: apt-get install python3-venv)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQS" >&2 ||
    { rm -rf "$VENV"; die "pip install -r $REQS failed"; }
  # Written last: a half-built venv never looks fresh.
  wanted_stamp "$VENV/bin/python" >"$STAMP"
  log "venv ready"
}

running_endpoint() {
  local pid port
  pid="$(cat "$STATE/pid" 2>/dev/null || true)"
  port="$(cat "$STATE/port" 2>/dev/null || true)"
  [[ -n "$pid" && -n "$port" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  answers "http://127.0.0.1:$port" || return 1
  echo "http://127.0.0.1:$port"
}

answers() {
  "$VENV/bin/python" - "$1" <<'EOF' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/_ebemu/health", timeout=2) as r:
    sys.exit(0 if json.load(r).get("ok") else 1)
EOF
}

start_locked() {
  setup_locked
  local endpoint
  if endpoint="$(running_endpoint)"; then
    echo "$endpoint"
    return
  fi
  mkdir -p "$STATE"
  rm -f "$STATE/port" "$STATE/pid"
  # shellcheck disable=SC2086 # EBEMU_START_ARGS is a list of words on purpose
  (cd "$HERE" && exec nohup "$VENV/bin/python" -m ebemu --host 127.0.0.1 --port 0 \
    --port-file "$STATE/port" ${EBEMU_START_ARGS:-} >"$STATE/server.log" 2>&1 </dev/null) &
  local pid=$!
  echo "$pid" >"$STATE/pid"
  local i
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$STATE/server.log" >&2 || true
      die "the emulator exited during start-up (log: $STATE/server.log)"
    fi
    if [[ -s "$STATE/port" ]] && answers "http://127.0.0.1:$(cat "$STATE/port")"; then
      echo "http://127.0.0.1:$(cat "$STATE/port")"
      return
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  die "the emulator did not answer within 30 s (log: $STATE/server.log)"
}

stop_locked() {
  local pid
  pid="$(cat "$STATE/pid" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped (pid $pid)"
  fi
  rm -f "$STATE/pid" "$STATE/port"
}

cmd="${1:-}"
case "$cmd" in
  setup) lock; setup_locked ;;
  start) lock; start_locked ;;
  stop) lock; stop_locked ;;
  status) running_endpoint || { echo "not running" >&2; exit 1; } ;;
  env)
    endpoint="$(running_endpoint)" || die "not running; run: $0 start"
    echo "export AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1"
    ;;
  create-env)
    [[ $# -ge 3 ]] || die "usage: $0 create-env APP ENV [SOLUTION_STACK]"
    endpoint="$(running_endpoint)" || die "not running; run: $0 start"
    (cd "$HERE" && "$VENV/bin/python" -m ebemu.seed --endpoint "$endpoint" --app "$2" --env "$3" \
      ${4:+--stack "$4"})
    ;;
  *)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
    exit 2
    ;;
esac

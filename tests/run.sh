#!/usr/bin/env bash
# The test command (README): installs what the tests need on a fresh
# machine, then runs the whole suite. Safe to re-run; installs only what is
# missing. Tests never skip: a missing tool is installed here or the test fails.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."

# System tools the tests run for real: shellcheck (generated shell), jq (the
# AL1 env reader), zip/unzip (bundle checks and the benchmark).
missing=()
for tool in shellcheck jq zip unzip; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The local AWS emulator's Python environment (moto + ebpack's EB extension).
if [ -f tests/emulator/emulator.sh ]; then
  bash tests/emulator/emulator.sh setup
fi

# The real-world corpus (tests/it/corpus) is an external suite: it runs when
# a corpus is given ($EBPACK_CORPUS=DIR, or ../shared/corpus beside the
# checkout) and must then pass. Without one it is skipped, and the last line
# printed says so.
skip=()
if [ -n "${EBPACK_CORPUS:-}" ]; then
  case "$EBPACK_CORPUS" in
    /*) ;;
    *) EBPACK_CORPUS="$caller/$EBPACK_CORPUS" ;;
  esac
  export EBPACK_CORPUS
elif [ -d ../shared/corpus ]; then
  export EBPACK_CORPUS="$PWD/../shared/corpus"
else
  skip=(--skip corpus::)
fi

# Every test binary runs even when one fails (--no-fail-fast); a filter or
# test flags after `--` are passed on.
args=("$@")
fail_fast=(--no-fail-fast)
separator=false
for arg in "$@"; do
  [ "$arg" = "--no-fail-fast" ] && fail_fast=()
  [ "$arg" = "--" ] && separator=true
done
if [ "${#skip[@]}" -gt 0 ]; then
  if $separator; then args+=("${skip[@]}"); else args+=(-- "${skip[@]}"); fi
fi
status=0
cargo test --locked --all-targets "${fail_fast[@]}" "${args[@]}" || status=$?
if [ "${#skip[@]}" -gt 0 ]; then
  echo "tests/run.sh: the corpus suite was not run (no corpus at ../shared/corpus); run it with EBPACK_CORPUS=DIR bash tests/run.sh"
fi
exit "$status"

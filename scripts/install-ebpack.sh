#!/usr/bin/env bash
# Installs a released ebpack binary: downloads the archive for this machine
# and the release's SHA256SUMS, refuses the archive unless its sha256 matches,
# then puts the binary into a folder (and that folder on the GitHub Actions
# PATH). Used by action.yml and the CodeBuild buildspecs; a person can run it
# too. Nothing is installed unless the checksum matches.
#
# Usage: install-ebpack.sh [--version X.Y.Z] [--dir DIR]
# Env:   EBPACK_VERSION   release to install (the flag wins), with or without a leading `v`
#        EBPACK_INSTALL_DIR  where the binary goes [default: $HOME/.local/bin]
#        EBPACK_REPO      GitHub owner/name whose releases hold ebpack [default: ebpack/ebpack]
#        EBPACK_BASE_URL  folder URL of the release's files (https://, file://)
#                         [default: https://github.com/$EBPACK_REPO/releases/download/v$VERSION]
#        EBPACK_TARGET    target triple to fetch [default: detected from uname]
# Needs: curl or wget, tar (unzip on Windows), sha256sum or shasum.
set -euo pipefail

die() {
  echo "install-ebpack: error: $*" >&2
  exit 1
}

version="${EBPACK_VERSION:-}"
dir="${EBPACK_INSTALL_DIR:-$HOME/.local/bin}"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --version) [ "$#" -ge 2 ] || die "\`--version\` needs a value"; version="$2"; shift 2 ;;
    --dir) [ "$#" -ge 2 ] || die "\`--dir\` needs a value"; dir="$2"; shift 2 ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown argument \`$1\` (see --help)" ;;
  esac
done
version="${version#v}"
[ -n "$version" ] || die "no version given: pass \`--version X.Y.Z\` or set \`EBPACK_VERSION\`"
case "$version" in
  *[!0-9A-Za-z.+-]*) die "version \`$version\` is not a release version like \`0.1.0\`" ;;
esac

# The release workflow's target triples (.github/workflows/release.yml).
detect_target() {
  local os arch
  os="$(uname -s)"
  arch="$(uname -m)"
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no ebpack release for the \`$arch\` processor; build it with \`cargo install ebpack\`" ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin) echo "$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
      [ "$arch" = x86_64 ] || die "no ebpack release for Windows on \`$arch\`"
      echo "x86_64-pc-windows-msvc" ;;
    *) die "no ebpack release for \`$os\`; build it with \`cargo install ebpack\`" ;;
  esac
}

target="${EBPACK_TARGET:-$(detect_target)}"
stem="ebpack-$target-v$version"
case "$target" in
  *windows*) archive="$stem.zip"; exe="ebpack.exe" ;;
  *) archive="$stem.tar.gz"; exe="ebpack" ;;
esac
base="${EBPACK_BASE_URL:-https://github.com/${EBPACK_REPO:-ebpack/ebpack}/releases/download/v$version}"
base="${base%/}"

fetch() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --retry 3 --proto '=https,file' --output "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget --quiet --tries=3 --output-document="$2" "$1"
  else
    die "neither \`curl\` nor \`wget\` is installed"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "neither \`sha256sum\` nor \`shasum\` is installed"
  fi
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "install-ebpack: fetching $base/$archive" >&2
fetch "$base/SHA256SUMS" "$work/SHA256SUMS" || die "cannot download \`$base/SHA256SUMS\`"
fetch "$base/$archive" "$work/$archive" || die "cannot download \`$base/$archive\` (is \`v$version\` released for \`$target\`?)"

# SHA256SUMS lines: `<hex>  <file>` (`*<file>` in binary mode).
expected="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$work/SHA256SUMS")"
[ -n "$expected" ] || die "\`SHA256SUMS\` has no entry for \`$archive\`; nothing installed"
actual="$(sha256_of "$work/$archive")"
if [ "$actual" != "$expected" ]; then
  die "checksum mismatch for \`$archive\`: SHA256SUMS says \`$expected\`, the download is \`$actual\`; nothing installed"
fi

mkdir "$work/x"
case "$archive" in
  *.zip) unzip -q "$work/$archive" -d "$work/x" ;;
  *) tar -xzf "$work/$archive" -C "$work/x" ;;
esac
bin="$work/x/$stem/$exe"
[ -f "$bin" ] || die "\`$archive\` holds no \`$stem/$exe\`; nothing installed"

mkdir -p "$dir"
# Copy next to the destination, then rename: no half-written binary on PATH.
cp "$bin" "$dir/.$exe.partial"
chmod 755 "$dir/.$exe.partial"
mv -f "$dir/.$exe.partial" "$dir/$exe"
echo "install-ebpack: installed $("$dir/$exe" --version) to $dir/$exe" >&2

if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$dir" >> "$GITHUB_PATH"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "ebpack-path=$dir/$exe" >> "$GITHUB_OUTPUT"
fi

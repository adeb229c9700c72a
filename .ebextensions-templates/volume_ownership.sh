set -eu
set -- {{paths}}
for dir in "$@"; do
  if [ -L "$dir" ]; then
    echo "ebpack: $dir is a symbolic link; not changing its owner" >&2
    exit 1
  fi
  mkdir -p "$dir"
  chown -R {{owner}} "$dir"
done

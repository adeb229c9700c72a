if [ -L "$dir" ]; then
  echo "ebpack: $dir is a symbolic link; refusing to write there" >&2
  exit 1
fi
mkdir -p "$dir"
chown {{owner}} "$dir"
chmod {{dir_mode}} "$dir"

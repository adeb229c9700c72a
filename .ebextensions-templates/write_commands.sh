set -eu
dir={{dir}}
file={{path}}
{{init_dir}}
tmp=$(mktemp "$dir/.commands.XXXXXX")
trap 'rm -f "$tmp"' EXIT
printf '%s\n' {{command}} >"$tmp"
chown {{owner}} "$tmp"
chmod {{file_mode}} "$tmp"
mv -f "$tmp" "$file"
echo "ebpack: wrote $file (leader)"

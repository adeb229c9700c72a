set -eu
dir={{dir}}
file={{path}}
{{init_dir}}
rm -f "$file"

set -eu
dir={{dir}}
file={{path}}
map={{map}}
get_config=/opt/elasticbeanstalk/bin/get-config
al1_config=/opt/elasticbeanstalk/deploy/configuration/containerconfiguration
if ! command -v jq >/dev/null 2>&1; then
  echo "ebpack: jq is needed to write $file (set generate.rds_env.install_jq: true)" >&2
  exit 1
fi
{{init_dir}}
cfg=$(mktemp)
tmp=$(mktemp "$dir/.env.XXXXXX")
trap 'rm -f "$cfg" "$tmp"' EXIT
if [ -x "$get_config" ]; then
  "$get_config" environment >"$cfg"
elif [ -f "$al1_config" ]; then
  jq '((.optionsettings["aws:elasticbeanstalk:application:environment"] // [])
    | map(select(type == "string" and contains("="))
      | split("=") | {(.[0]): (.[1:] | join("="))})
    | add // {}) + (.plugins.rds.env // {})' "$al1_config" >"$cfg"
else
  echo "ebpack: found neither $get_config nor $al1_config" >&2
  exit 1
fi
# shellcheck disable=SC2016 # $cfg and $map are jq variables
jq -r --argjson map "$map" '. as $cfg | $map | to_entries[]
  | select($cfg[.value] == null)
  | "ebpack: \(.value) is not set; \(.key) is left out of the env file"' "$cfg" >&2
{
  printf '%s\n' '# Written by ebpack on every deployment: NAME=value lines; in values' \
    '# \\ stands for a backslash and \n for a newline. Do not edit.'
  # shellcheck disable=SC2016 # $cfg and $map are jq variables
  jq -r --argjson map "$map" '. as $cfg | $map | to_entries[]
    | select($cfg[.value] != null)
    | .key + "=" + ($cfg[.value] | if type == "string" then . else tojson end
      | split("\\") | join("\\\\") | split("\n") | join("\\n"))' "$cfg"
} >"$tmp"
chown {{owner}} "$tmp"
chmod {{file_mode}} "$tmp"
mv -f "$tmp" "$file"
echo "ebpack: wrote $file"

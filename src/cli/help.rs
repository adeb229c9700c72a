//! What each command's `--help` shows after its flags: two or three
//! examples, the exit codes that command can return (not all of them), and
//! the environment variables it reads. Kept beside the exit codes so the
//! lists cannot drift from them (the tests below check each code against
//! [`super::exit::TABLE`]).

/// The variables every command that resolves settings reads.
const SETTINGS_VARS: &str =
    "  EBPACK_CONFIG, EBPACK_BUNDLE, EBPACK_OUT, EBPACK_APP, EBPACK_PLATFORM,
  EBPACK_LABEL                      the settings of the same flags
  EBPACK_IMAGE_TAG, EBPACK_TAG_FROM, EBPACK_PIN (comma-separated),
  EBPACK_REQUIRE_PINNED             pinning
  SOURCE_DATE_EPOCH                 the zip's timestamps
  CODEBUILD_RESOLVED_SOURCE_VERSION, CODEBUILD_BUILD_ID   the default label";

/// The variables of the AWS commands.
const AWS_VARS: &str = "  EBPACK_REGION, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL and the rest of
  the AWS SDK's standard configuration (keys, SSO, web identity)
  GITHUB_OUTPUT                     where the result is also written as step outputs";

pub(super) const VALIDATE: &str = "\
Examples:
  ebpack validate                   the project's bundle folder (eb/)
  ebpack validate dist/app-v1.zip   a built zip, as EB will unpack it
  ebpack validate eb --strict --format json   warnings fail; one JSON object per finding

Exit codes:
  0    no errors (no warnings either, with --strict)
  1    the bundle has errors (or warnings, with --strict)
  2    usage error, or nothing to validate where ebpack looked
  6    a file could not be read

Environment:
  EBPACK_CONFIG                     the ebpack.yaml whose bundle folder is the default";

pub(super) const INSPECT: &str = "\
Examples:
  ebpack inspect dist/todobackend-v1.zip
  ebpack inspect app.zip --output json

Exit codes:
  0    listed; the zip has no errors
  1    the zip has errors (listed anyway)
  2    usage error, or no such file
  6    a file could not be read";

pub(super) const STATUS: &str = "\
Examples:
  ebpack status --env Todobackend-env
  ebpack status --output json | jq -r .version_label

Exit codes:
  0    shown
  2    usage error; no such environment or application (with the close match)
  7    AWS error (credentials, region, permissions, API)

Environment:
  EBPACK_ENVIRONMENT, EBPACK_APP, EBPACK_CONFIG, EBPACK_REGION, and the AWS SDK's standard
  configuration (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, keys, SSO)";

pub(super) const EVENTS: &str = "\
Examples:
  ebpack events --env Todobackend-env --since 2h
  ebpack events --follow            new events as they come, until Ctrl-C
  ebpack events --request-id 4805c4fc-...   the events of one deployment

Exit codes:
  0    printed (--follow: stopped with Ctrl-C, SIGTERM or SIGHUP)
  2    usage error; no such environment or application
  7    AWS error (credentials, region, permissions, API)

Environment:
  EBPACK_ENVIRONMENT, EBPACK_APP, EBPACK_CONFIG, EBPACK_REGION, and the AWS SDK's standard
  configuration (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, keys, SSO)";

pub(super) const VERSIONS: &str = "\
Examples:
  ebpack versions                   newest first, with the environments that run them
  ebpack versions prune --keep 50 --older-than 30d          say what would go
  ebpack versions prune --keep 50 --older-than 30d --yes    delete it

Exit codes:
  0    listed, or pruned
  2    usage error; no such application; a version could not be deleted
  7    AWS error (credentials, region, permissions, API)

Environment:
  EBPACK_APP, EBPACK_CONFIG, EBPACK_REGION, and the AWS SDK's standard configuration
  (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, keys, SSO)";

pub(super) const SWAP: &str = "\
Examples:
  ebpack swap Todobackend-green Todobackend-blue
  ebpack deploy --env Todobackend-green --swap-with Todobackend-blue   deploy, gate, then swap

Exit codes:
  0    swapped: both Ready, each CNAME moved
  2    usage error; no such environment; a worker environment (no CNAME)
  4    not swapped (an environment was not Ready), or the CNAMEs did not move in time
  7    AWS error (credentials, region, permissions, API)
  130  interrupted; the swap goes on in AWS

Environment:
  EBPACK_APP, EBPACK_CONFIG, EBPACK_REGION, and the AWS SDK's standard configuration
  (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, keys, SSO)";

pub(super) const PLAN: &str = "\
Examples:
  ebpack plan --env Todobackend-env                 build eb/ and compare it with what runs
  ebpack plan --env Todobackend-prod --version v42 --output markdown   for the approval step
  ebpack plan --env Todobackend-env --exit-code     exit 2 when something would change

Exit codes:
  0    compared (with --exit-code: nothing would change)
  1    the bundle built for the comparison has errors
  2    usage error; no such environment or version; with --exit-code, something would change
  6    a file could not be read or written
  7    AWS error (credentials, region, permissions, API)

Environment:
  EBPACK_ENVIRONMENT, EBPACK_APP, EBPACK_CONFIG, EBPACK_REGION, EBPACK_IMAGE_TAG, and the AWS
  SDK's standard configuration (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, keys, SSO)";

pub(super) fn build() -> String {
    format!(
        "\
Examples:
  ebpack build                      eb/ into dist/<app>-<label>.zip
  ebpack build --label v42 --image-tag 5fdbe62 --require-pinned
  ebpack build --output json | jq -r .sha256

Exit codes:
  0    built
  1    the bundle has errors; nothing was written
  2    usage or configuration error, or no bundle folder
  6    a file could not be read or written
  130  interrupted; no half-written zip is left

Environment:
{SETTINGS_VARS}"
    )
}

pub(super) fn publish() -> String {
    format!(
        "\
Examples:
  ebpack publish --label v42        build, upload, create version v42
  ebpack publish --bundle dist/todobackend-v42.zip
  ebpack publish --label v42 --process --output json

Exit codes:
  0    published (created, or reused with the same sha256)
  1    the bundle has errors; nothing was uploaded
  2    usage error; the label exists with other content; no such application
  5    --process still running after its time
  6    a file could not be read
  7    AWS error (credentials, region, permissions, API)
  130  interrupted; a multipart upload was aborted

Environment:
{SETTINGS_VARS}
{AWS_VARS}"
    )
}

pub(super) fn deploy() -> String {
    format!(
        "\
Examples:
  ebpack deploy --env Todobackend-env
  ebpack deploy --env Todobackend-prod --version v42 --rollback   promote v42
  ebpack deploy --env Todobackend-env --timeout 20m --healthy Green,Yellow --output json

Exit codes:
  0    deployed and healthy (or already running the label)
  1    the bundle has errors; nothing was uploaded
  2    usage error; no such environment or version (checked before uploading)
  3    deployed, but the health gate was not met
  4    the deployment failed (the environment kept or returned to its old version)
  5    timed out while the operation may still be running
  6    a file could not be read
  7    AWS error (credentials, region, permissions, API)
  8    deployed, then replaced by another deployment (superseded)
  130  interrupted; the deployment goes on in AWS

Environment:
  EBPACK_ENVIRONMENT                the environment
{SETTINGS_VARS}
{AWS_VARS}"
    )
}

pub(super) fn generate() -> String {
    "\
Examples:
  ebpack generate                   print what the generate: section of ebpack.yaml enables
  ebpack generate --write           write the files into the bundle folder

Exit codes:
  0    printed or written
  2    usage or configuration error, or no ebpack.yaml
  6    a file could not be read or written

Environment:
  EBPACK_CONFIG, EBPACK_BUNDLE      which ebpack.yaml, which bundle folder"
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every exit code a command lists is one of the documented codes.
    #[test]
    fn each_command_lists_documented_codes() {
        let documented: Vec<String> = super::super::exit::TABLE
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_owned)
            .collect();
        for text in [
            VALIDATE.to_owned(),
            INSPECT.to_owned(),
            STATUS.to_owned(),
            EVENTS.to_owned(),
            VERSIONS.to_owned(),
            SWAP.to_owned(),
            PLAN.to_owned(),
            build(),
            publish(),
            deploy(),
            generate(),
        ] {
            let codes = text
                .split("Exit codes:\n")
                .nth(1)
                .expect("an exit code list")
                .split("\n\n")
                .next()
                .unwrap_or_default();
            for line in codes.lines() {
                let code = line.split_whitespace().next().unwrap_or_default();
                assert!(documented.iter().any(|d| d == code), "{code} in:\n{text}");
            }
            assert!(text.starts_with("Examples:\n  ebpack "), "{text}");
        }
    }
}

//! Flag groups shared by several commands (`build` ⊂ `publish` ⊂ `deploy`,
//! the AWS flags, `--output`), and their conversion into the library's
//! settings and requests. No command's file imports another's: they meet
//! here.

use ebpack::aws::AwsSettings;
use ebpack::config::{self, Overrides, Settings};
use ebpack::ops::{self, build::BuildRequest, publish::PublishRequest, publish::Source};
use std::path::PathBuf;
use std::time::Duration;

/// `--output`: where a command's result goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Output {
    // (No doc comments here: clap would list them in `--help`.)
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
#[group(id = "build_args")]
pub(super) struct BuildArgs {
    /// The bundle folder [default: `bundle` from ebpack.yaml, else `eb`].
    #[arg(help_heading = "Bundle")]
    pub dir: Option<PathBuf>,
    /// Output folder for the zip, its manifest and version.json [default: dist].
    #[arg(help_heading = "Bundle", long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Version label (1–100 characters, no `/`) [default: CodeBuild variables, else git sha + content hash].
    #[arg(help_heading = "Bundle", long)]
    pub label: Option<String>,
    /// Application name [default: ebpack.yaml, .elasticbeanstalk/config.yml, else the project folder's name].
    #[arg(help_heading = "Bundle", long)]
    pub app: Option<String>,
    /// Tag every image of `pin.repositories` (or every untagged/`latest` image) with TAG.
    #[arg(
        help_heading = "Pinning",
        long,
        value_name = "TAG",
        conflicts_with = "tag_from"
    )]
    pub image_tag: Option<String>,
    /// Exact image for one container (repeatable).
    #[arg(help_heading = "Pinning", long, value_name = "CONTAINER=IMAGE_REF", value_parser = config::parse_pin)]
    pub pin: Vec<(String, String)>,
    /// Read the tag from a JSON file with a jq query (default query `.Version`).
    #[arg(help_heading = "Pinning", long, value_name = "FILE[:QUERY]")]
    pub tag_from: Option<String>,
    /// Fail if any image is left without a tag or digest, or with `latest`.
    #[arg(help_heading = "Pinning", long)]
    pub require_pinned: bool,
    /// Configuration file [default: ./ebpack.yaml].
    #[arg(help_heading = "Bundle", long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Platform the bundle targets [default: ebpack.yaml, EB CLI config, else ecs-al2].
    #[arg(help_heading = "Bundle", long, value_parser = ["ecs-al2", "mc-al1", "docker-al2"])]
    pub platform: Option<String>,
    /// `human` (progress on stderr) or `json` (one result object on stdout: the manifest summary for build, plus the version for publish and the outcome for deploy).
    #[arg(help_heading = "Output", long, visible_alias = "format", value_enum, default_value_t = Output::Human)]
    pub output: Output,
    /// Convert CRLF line endings of `.platform` hooks to LF in the bundle.
    #[arg(help_heading = "Bundle", long)]
    pub fix: bool,
    /// Build from the files committed in git HEAD (`git archive HEAD`), as `eb deploy` does without `.ebignore`: untracked files and uncommitted changes stay out.
    #[arg(long)]
    pub from_git: bool,
    /// Compression threads [default: one per core].
    #[arg(long, hide = true, default_value_t = 0)]
    pub threads: usize,
    /// Deflate level 0–9.
    #[arg(long, hide = true, value_parser = clap::value_parser!(u32).range(0..=9))]
    pub level: Option<u32>,
}

impl BuildArgs {
    /// The flags as the settings layer they are.
    fn overrides(&self) -> Result<Overrides, ops::Error> {
        let platform = self
            .platform
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(ops::Error::Usage)?;
        Ok(Overrides {
            config: self.config.clone(),
            bundle: self.dir.clone(),
            out: self.out.clone(),
            app: self.app.clone(),
            platform,
            label: self.label.clone(),
            image_tag: self.image_tag.clone(),
            tag_from: self.tag_from.clone(),
            pins: self.pin.clone(),
            require_pinned: self.require_pinned.then_some(true),
            ..Overrides::default()
        })
    }

    /// The resolved settings: these flags over `EBPACK_*`, ebpack.yaml and
    /// the EB CLI's file.
    pub(super) fn settings(&self) -> Result<Settings, ops::Error> {
        settings(self.overrides()?)
    }

    /// [`Self::settings`], saying on stderr which of them are guesses.
    pub(super) fn settings_told(
        &self,
        printer: &super::printer::Printer,
    ) -> Result<Settings, ops::Error> {
        let settings = self.settings()?;
        for line in ops::guessed_settings(&settings) {
            printer.progress(&line);
        }
        Ok(settings)
    }

    /// What the build takes beyond the settings.
    pub(super) fn request(&self) -> BuildRequest {
        BuildRequest {
            fix: self.fix,
            from_git: self.from_git,
            threads: self.threads,
            level: self.level,
            ..BuildRequest::from_env(&env, cwd())
        }
    }
}

#[derive(Debug, clap::Args)]
#[group(id = "publish_args")]
pub(super) struct PublishArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    /// Publish this already built zip instead of building (its label comes
    /// from `--label`, else from the manifest `ebpack build` wrote beside it).
    #[arg(help_heading = "Publishing", long, value_name = "ZIP")]
    pub bundle: Option<PathBuf>,
    /// Upload to this bucket instead of Elastic Beanstalk's own (needs no s3:CreateBucket).
    #[arg(help_heading = "Publishing", long)]
    pub bucket: Option<String>,
    /// Ask Elastic Beanstalk to validate the version and wait for PROCESSED/FAILED.
    #[arg(help_heading = "Publishing", long)]
    pub process: bool,
    /// Create the application when it does not exist.
    #[arg(help_heading = "Publishing", long)]
    pub create_app: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

impl PublishArgs {
    /// What to publish and how.
    pub(super) fn request(&self) -> PublishRequest {
        PublishRequest {
            source: match &self.bundle {
                Some(zip) => Source::Zip(zip.clone()),
                None => Source::Build(self.build.request()),
            },
            bucket: self.bucket.clone(),
            process: self.process,
            create_app: self.create_app,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub(super) struct AwsArgs {
    /// AWS profile [default: the standard chain: AWS_PROFILE, env keys, SSO, web identity, instance role].
    #[arg(help_heading = "AWS", long, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// AWS region [default: ebpack.yaml, EB CLI config, AWS_REGION, the profile].
    #[arg(help_heading = "AWS", long)]
    pub region: Option<String>,
    /// Endpoint for every AWS service (a local emulator); AWS_ENDPOINT_URL also works.
    #[arg(help_heading = "AWS", long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Attempts per AWS call on throttling, 5xx and dropped connections.
    #[arg(help_heading = "AWS", long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,
}

impl AwsArgs {
    /// The settings: `--region`, else the configured region (`EBPACK_REGION`,
    /// ebpack.yaml, the EB CLI's file), else the SDK's own chain
    /// (`AWS_REGION`, the profile), as `--help` documents.
    pub(super) fn settings(&self, config_region: Option<&str>) -> AwsSettings {
        AwsSettings {
            profile: self.profile.clone(),
            region: self
                .region
                .clone()
                .or_else(|| config_region.map(str::to_owned)),
            endpoint_url: self.endpoint_url.clone(),
            max_attempts: self.max_attempts,
        }
    }
}

/// Settings from `flags` and the process environment, for a run here.
pub(super) fn settings(flags: Overrides) -> Result<Settings, ops::Error> {
    ops::resolve_settings(flags, &env, cwd())
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// Parses `90`, `90s`, `15m`, `1h30m`, `500ms`.
pub(super) fn parse_duration(s: &str) -> Result<Duration, String> {
    let err =
        || format!("`{s}` is not a duration (examples: `600`, `90s`, `15m`, `1h30m`, `500ms`)");
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    if s.is_empty() {
        return Err(err());
    }
    let mut total_ms = 0u64;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: u64 = rest[..digits].parse().map_err(|_| err())?;
        rest = &rest[digits..];
        let (unit_ms, len) = if rest.starts_with("ms") {
            (1, 2)
        } else {
            match rest.chars().next() {
                Some('s') => (1000, 1),
                Some('m') => (60_000, 1),
                Some('h') => (3_600_000, 1),
                _ => return Err(err()),
            }
        };
        rest = &rest[len..];
        total_ms = n
            .checked_mul(unit_ms)
            .and_then(|ms| total_ms.checked_add(ms))
            .ok_or_else(err)?;
    }
    Ok(Duration::from_millis(total_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("600"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("50ms"), Ok(Duration::from_millis(50)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1s500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        for bad in [
            "",
            "m",
            "10x",
            "5m3",
            "-1",
            "ms",
            "5mss",
            "99999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}

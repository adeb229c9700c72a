//! Settings resolution for `ebpack build` (and later publish/deploy).
//!
//! Sources, strongest first: flags > `EBPACK_*` environment variables >
//! `ebpack.yaml` > the EB CLI's `.elasticbeanstalk/config.yml` > defaults.
//! The command line fills an [`Overrides`] from its flags, [`env_overrides`]
//! reads the variables, and [`resolve`] turns each source into a layer of
//! [`Sourced`] values, stacks the layers with [`Combine`], and hands back
//! plain [`Settings`] with a typed record of where every value came from.

pub mod ebcli;
pub mod file;
mod layer;

use crate::diag::Report;
use crate::generate::GenerateConfig;
use crate::pin::PinSettings;
use crate::pin::tag_from::TagFrom;
use crate::validate::Platform;
use layer::Layer;
use serde::Serialize;
use std::path::{Path, PathBuf};

pub use ebcli::EbCliConfig;
pub use file::ProjectFile;
pub use layer::{Combine, Sourced, layered};

/// Values given on the command line or in `EBPACK_*` variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--config` / `EBPACK_CONFIG`.
    pub config: Option<PathBuf>,
    /// `build DIR` / `EBPACK_BUNDLE`.
    pub bundle: Option<PathBuf>,
    /// `--out` / `EBPACK_OUT`.
    pub out: Option<PathBuf>,
    /// `--app` / `EBPACK_APP`.
    pub app: Option<String>,
    /// `--env` / `EBPACK_ENVIRONMENT`.
    pub environment: Option<String>,
    /// `--region` / `EBPACK_REGION`.
    pub region: Option<String>,
    /// `--platform` / `EBPACK_PLATFORM`.
    pub platform: Option<Platform>,
    /// `--label` / `EBPACK_LABEL`.
    pub label: Option<String>,
    /// `--image-tag` / `EBPACK_IMAGE_TAG`.
    pub image_tag: Option<String>,
    /// `--tag-from` / `EBPACK_TAG_FROM`.
    pub tag_from: Option<String>,
    /// `--pin` (repeatable) / `EBPACK_PIN` (comma-separated).
    pub pins: Vec<(String, String)>,
    /// `--require-pinned` / `EBPACK_REQUIRE_PINNED`.
    pub require_pinned: Option<bool>,
}

/// Where a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A command-line flag.
    Flag,
    /// An `EBPACK_*` variable.
    Env,
    /// `ebpack.yaml`.
    File,
    /// `.elasticbeanstalk/config.yml`.
    EbCli,
    /// Built in.
    Default,
}

/// Where the image tag comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagSource {
    /// A literal tag.
    Literal(String),
    /// A JSON file and jq query.
    From(TagFrom),
}

/// Resolved settings: plain values, no clap, no environment access.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Folder relative paths in `ebpack.yaml` are resolved against (the
    /// file's folder, else the working directory).
    pub project_dir: PathBuf,
    /// The `ebpack.yaml` read, if any.
    pub config_file: Option<PathBuf>,
    /// The EB CLI file read, if any.
    pub ebcli_file: Option<PathBuf>,
    /// The bundle folder.
    pub bundle_dir: PathBuf,
    /// The output folder.
    pub out_dir: PathBuf,
    /// Application name.
    pub app: String,
    /// Environment name.
    pub environment: Option<String>,
    /// AWS region.
    pub region: Option<String>,
    /// Target platform.
    pub platform: Platform,
    /// An explicit label.
    pub label: Option<String>,
    /// Where the image tag comes from.
    pub tag: Option<TagSource>,
    /// Pinning (its `image_tag` is filled from [`Settings::tag`] at build time).
    pub pin: PinSettings,
    /// The `generate:` section.
    pub generate: GenerateConfig,
    /// Where each setting came from.
    pub origins: Origins,
}

/// Where each of [`Settings`]' layered values came from; `None` where no
/// source set an optional one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Origins {
    /// [`Settings::bundle_dir`].
    pub bundle: Origin,
    /// [`Settings::out_dir`].
    pub out: Origin,
    /// [`Settings::app`].
    pub app: Origin,
    /// [`Settings::environment`].
    pub environment: Option<Origin>,
    /// [`Settings::region`].
    pub region: Option<Origin>,
    /// [`Settings::label`].
    pub label: Option<Origin>,
    /// [`Settings::platform`].
    pub platform: Origin,
    /// [`Settings::tag`].
    pub tag: Option<Origin>,
    /// The pin settings' `require_pinned`.
    pub require_pinned: Origin,
}

/// Configuration is unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A bad value in a flag or variable (exit 2).
    #[error("{0}")]
    Usage(String),
    /// `ebpack.yaml` has errors, located (exit 2).
    #[error("`ebpack.yaml` has errors")]
    File(Report),
    /// A file could not be read (exit 6).
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Checks an application name (also a file-name part).
pub fn valid_app(app: &str) -> Result<(), String> {
    crate::label::validate(app).map_err(|m| m.replacen("the label", "the application name", 1))
}

/// Parses `CONTAINER=IMAGE_REF`.
pub fn parse_pin(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((c, r)) if !c.trim().is_empty() => {
            crate::pin::valid_ref(r.trim())?;
            Ok((c.trim().to_owned(), r.trim().to_owned()))
        }
        _ => Err(format!("`{s}` is not `CONTAINER=IMAGE_REF`")),
    }
}

/// Reads the `EBPACK_*` variables through `get` (so tests need no process
/// environment).
pub fn env_overrides(get: impl Fn(&str) -> Option<String>) -> Result<Overrides, ConfigError> {
    let var = |k: &str| get(k).filter(|v| !v.is_empty());
    let bad = |k: &str, m: String| ConfigError::Usage(format!("`{k}`: {m}"));
    let platform = match var("EBPACK_PLATFORM") {
        Some(p) => Some(p.parse().map_err(|m| bad("EBPACK_PLATFORM", m))?),
        None => None,
    };
    let require_pinned = match var("EBPACK_REQUIRE_PINNED") {
        Some(v) => Some(match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => {
                return Err(bad(
                    "EBPACK_REQUIRE_PINNED",
                    format!("`{v}` is not a boolean (use true or false)"),
                ));
            }
        }),
        None => None,
    };
    let mut pins = Vec::new();
    for p in var("EBPACK_PIN").iter().flat_map(|v| v.split(',')) {
        if !p.trim().is_empty() {
            pins.push(parse_pin(p).map_err(|m| bad("EBPACK_PIN", m))?);
        }
    }
    Ok(Overrides {
        config: var("EBPACK_CONFIG").map(PathBuf::from),
        bundle: var("EBPACK_BUNDLE").map(PathBuf::from),
        out: var("EBPACK_OUT").map(PathBuf::from),
        app: var("EBPACK_APP"),
        environment: var("EBPACK_ENVIRONMENT"),
        region: var("EBPACK_REGION"),
        platform,
        label: var("EBPACK_LABEL"),
        image_tag: var("EBPACK_IMAGE_TAG"),
        tag_from: var("EBPACK_TAG_FROM"),
        pins,
        require_pinned,
    })
}

/// Everything [`resolve`] needs.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The working directory (relative flags and variables are against it).
    pub cwd: PathBuf,
    /// From flags.
    pub flags: Overrides,
    /// From `EBPACK_*`.
    pub env: Overrides,
    /// The current git branch, for the EB CLI's `branch-defaults`.
    pub branch: Option<String>,
}

/// Merges flags, variables, `ebpack.yaml` and the EB CLI file.
///
/// The command line (flags over variables) says which `ebpack.yaml` to read;
/// that file's bundle folder says where the EB CLI file is; then the four
/// layers stack, strongest first, and the defaults fill what none set.
pub fn resolve(inputs: &Inputs) -> Result<Settings, ConfigError> {
    let cwd = inputs.cwd.as_path();
    let command_line = layered([
        Layer::from_overrides(&inputs.flags, Origin::Flag, cwd),
        Layer::from_overrides(&inputs.env, Origin::Env, cwd),
    ]);
    let config_file = find_project_file(cwd, &command_line);
    let file = match &config_file {
        Some(path) => read_project_file(path, cwd)?,
        None => ProjectFile::default(),
    };
    let project_dir = config_file
        .as_ref()
        .and_then(|p| p.parent().map(Path::to_owned))
        .unwrap_or_else(|| cwd.to_owned());
    let above_ebcli = layered([command_line, Layer::from_file(&file, &project_dir)]);
    let bundle = Sourced::or_default(above_ebcli.bundle.clone(), || project_dir.join("eb"));
    let (ebcli_file, eb) = read_ebcli_file(&bundle.value, &project_dir, inputs.branch.as_deref());
    let all = layered([above_ebcli, Layer::from_ebcli(&eb)]);

    let out = Sourced::or_default(all.out, || project_dir.join("dist"));
    let app = Sourced::or_default(all.app, || default_app(&project_dir));
    valid_app(&app.value).map_err(ConfigError::Usage)?;
    let platform = Sourced::or_default(all.platform, Platform::default);
    let tag = all
        .tag
        .map(Sourced::into_tag)
        .transpose()
        .map_err(ConfigError::Usage)?;
    let require_pinned = Sourced::or_default(all.require_pinned, || false);
    let pin_file = file.pin.unwrap_or_default();
    Ok(Settings {
        origins: Origins {
            bundle: bundle.origin,
            out: out.origin,
            app: app.origin,
            environment: all.environment.as_ref().map(|s| s.origin),
            region: all.region.as_ref().map(|s| s.origin),
            label: all.label.as_ref().map(|s| s.origin),
            platform: platform.origin,
            tag: tag.as_ref().map(|s| s.origin),
            require_pinned: require_pinned.origin,
        },
        config_file,
        ebcli_file,
        bundle_dir: bundle.value,
        out_dir: out.value,
        app: app.value,
        environment: all.environment.map(|s| s.value),
        region: all.region.map(|s| s.value),
        platform: platform.value,
        label: all.label.map(|s| s.value),
        tag: tag.map(|s| s.value),
        pin: PinSettings {
            image_tag: None,
            pins: all.pins.0,
            repositories: pin_file.repositories,
            require_pinned: require_pinned.value,
        },
        generate: file.generate.unwrap_or_default(),
        project_dir,
    })
}

/// The `ebpack.yaml` to read: the one named by `--config`/`EBPACK_CONFIG`,
/// else the first found in the working directory or the bundle folder
/// given on the command line, else (no bundle folder given) the nearest in
/// a parent folder, as cargo and git find their files: ebpack works from
/// any folder of the project. The search stops at a repository's root (a
/// folder with `.git`), so a project never picks up a file above it.
fn find_project_file(cwd: &Path, command_line: &Layer) -> Option<PathBuf> {
    if let Some(p) = &command_line.config {
        return Some(p.value.clone());
    }
    let here = [
        Some(cwd.join("ebpack.yaml")),
        command_line
            .bundle
            .as_ref()
            .map(|b| b.value.join("ebpack.yaml")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_file());
    if here.is_some() || command_line.bundle.is_some() || cwd.join(".git").exists() {
        return here;
    }
    for dir in cwd.ancestors().skip(1) {
        let file = dir.join("ebpack.yaml");
        if file.is_file() {
            return Some(file);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// The EB CLI's file in the bundle folder (where `eb init` ran) or the
/// project folder, read leniently: one that cannot be read gives nothing.
fn read_ebcli_file(
    bundle_dir: &Path,
    project_dir: &Path,
    branch: Option<&str>,
) -> (Option<PathBuf>, EbCliConfig) {
    let path = [bundle_dir, project_dir]
        .iter()
        .map(|d| d.join(".elasticbeanstalk/config.yml"))
        .find(|p| p.is_file());
    let config = path
        .as_ref()
        .and_then(|p| crate::bounded::read_to_string(p, crate::bounded::CONFIG_LIMIT).ok())
        .map(|t| ebcli::parse(&t, branch).0)
        .unwrap_or_default();
    (path, config)
}

/// Reads and parses `ebpack.yaml` (shown relative to `cwd` in errors).
fn read_project_file(path: &Path, cwd: &Path) -> Result<ProjectFile, ConfigError> {
    let text =
        crate::bounded::read_to_string(path, crate::bounded::CONFIG_LIMIT).map_err(|source| {
            ConfigError::Io {
                path: path.to_owned(),
                source,
            }
        })?;
    let shown = path.strip_prefix(cwd).unwrap_or(path).display().to_string();
    file::parse(&shown, &text).map_err(ConfigError::File)
}

/// The default application name: the project folder's name.
fn default_app(project_dir: &Path) -> String {
    let dir = std::fs::canonicalize(project_dir).unwrap_or_else(|_| project_dir.to_owned());
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::label::sanitize(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_in(dir: &Path, flags: Overrides, env: Overrides) -> Result<Settings, ConfigError> {
        resolve(&Inputs {
            cwd: dir.to_owned(),
            flags,
            env,
            branch: None,
        })
    }

    #[test]
    fn a_layer_that_loses_is_not_checked() {
        let dir = tempfile::tempdir().unwrap();
        let both = Overrides {
            image_tag: Some("1.0".into()),
            tag_from: Some("version.json".into()),
            ..Overrides::default()
        };
        let flag = Overrides {
            image_tag: Some("2.0".into()),
            ..Overrides::default()
        };
        let s = resolve_in(dir.path(), flag, both.clone()).unwrap();
        assert_eq!(s.tag, Some(TagSource::Literal("2.0".into())));
        assert_eq!(s.origins.tag, Some(Origin::Flag));
        let e = resolve_in(dir.path(), Overrides::default(), both).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`EBPACK_IMAGE_TAG` and `EBPACK_TAG_FROM` both give the tag; use one"
        );
    }

    #[test]
    fn pins_merge_per_container_across_layers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ebpack.yaml"),
            "pin:\n  require_pinned: true\n  containers:\n    db: mysql:8\n    web: nginx:1\n",
        )
        .unwrap();
        let pin = |c: &str, r: &str| (c.to_owned(), r.to_owned());
        let env = Overrides {
            pins: vec![pin("web", "nginx:2")],
            ..Overrides::default()
        };
        let flags = Overrides {
            pins: vec![pin("db", "mysql:9")],
            ..Overrides::default()
        };
        let s = resolve_in(dir.path(), flags, env).unwrap();
        assert_eq!(s.pin.pins, [pin("web", "nginx:2"), pin("db", "mysql:9")]);
        assert!(s.pin.require_pinned);
        assert_eq!(s.origins.require_pinned, Origin::File);
        assert_eq!(s.origins.region, None);
    }
}

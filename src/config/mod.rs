//! Settings resolution for `ebpack build` (and later publish/deploy).
//!
//! Sources, strongest first: flags > `EBPACK_*` environment variables >
//! `ebpack.yaml` > the EB CLI's `.elasticbeanstalk/config.yml` > defaults.
//! The command line fills an [`Overrides`] from its flags, [`env_overrides`]
//! reads the variables, and [`resolve`] merges them with the files into a
//! plain [`Settings`] that records where every value came from.

pub mod ebcli;
pub mod file;

use crate::diag::Report;
use crate::generate::GenerateConfig;
use crate::pin::PinSettings;
use crate::pin::tag_from::TagFrom;
use crate::validate::Platform;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use ebcli::EbCliConfig;
pub use file::ProjectFile;

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
    /// Origin of each setting, by name (`app`, `out`, `tag`, …).
    pub origins: BTreeMap<&'static str, Origin>,
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

/// First set value, strongest first, with its origin.
fn pick<T: Clone>(layers: &[(Origin, Option<&T>)]) -> Option<(T, Origin)> {
    layers.iter().find_map(|(o, v)| v.map(|v| (v.clone(), *o)))
}

/// Merges flags, variables, `ebpack.yaml` and the EB CLI file.
pub fn resolve(inputs: &Inputs) -> Result<Settings, ConfigError> {
    let (flags, env, cwd) = (&inputs.flags, &inputs.env, inputs.cwd.as_path());
    let abs = |p: &Path| cwd.join(p);
    let early_bundle = flags
        .bundle
        .as_ref()
        .or(env.bundle.as_ref())
        .map(|p| abs(p));
    let config_file = match flags.config.as_ref().or(env.config.as_ref()) {
        Some(p) => Some(abs(p)),
        None => [
            Some(cwd.join("ebpack.yaml")),
            early_bundle.as_ref().map(|b| b.join("ebpack.yaml")),
        ]
        .into_iter()
        .flatten()
        .find(|p| p.is_file()),
    };
    let file = match &config_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
                path: path.clone(),
                source,
            })?;
            let shown = path.strip_prefix(cwd).unwrap_or(path).display().to_string();
            file::parse(&shown, &text).map_err(ConfigError::File)?
        }
        None => ProjectFile::default(),
    };
    let project_dir = config_file
        .as_ref()
        .and_then(|p| p.parent().map(Path::to_owned))
        .unwrap_or_else(|| cwd.to_owned());
    let in_project = |s: &String| project_dir.join(s);
    let mut origins = BTreeMap::new();
    let file_bundle = file.bundle.as_ref().map(in_project);
    let (bundle_dir, o) = pick(&[
        (Origin::Flag, flags.bundle.as_ref().map(|p| abs(p)).as_ref()),
        (Origin::Env, env.bundle.as_ref().map(|p| abs(p)).as_ref()),
        (Origin::File, file_bundle.as_ref()),
    ])
    .unwrap_or((project_dir.join("eb"), Origin::Default));
    origins.insert("bundle", o);

    let ebcli_file = [
        bundle_dir.join(".elasticbeanstalk/config.yml"),
        project_dir.join(".elasticbeanstalk/config.yml"),
    ]
    .into_iter()
    .find(|p| p.is_file());
    let eb = match &ebcli_file {
        Some(p) => std::fs::read_to_string(p)
            .map(|t| ebcli::parse(&t, inputs.branch.as_deref()).0)
            .unwrap_or_default(),
        None => EbCliConfig::default(),
    };

    let file_out = file.out.as_ref().map(in_project);
    let (out_dir, o) = pick(&[
        (Origin::Flag, flags.out.as_ref().map(|p| abs(p)).as_ref()),
        (Origin::Env, env.out.as_ref().map(|p| abs(p)).as_ref()),
        (Origin::File, file_out.as_ref()),
    ])
    .unwrap_or((project_dir.join("dist"), Origin::Default));
    origins.insert("out", o);

    let strings = |name: &'static str,
                   f: Option<&String>,
                   e: Option<&String>,
                   y: Option<&String>,
                   c: Option<&String>,
                   origins: &mut BTreeMap<&'static str, Origin>| {
        let v = pick(&[
            (Origin::Flag, f),
            (Origin::Env, e),
            (Origin::File, y),
            (Origin::EbCli, c),
        ]);
        if let Some((_, o)) = &v {
            origins.insert(name, *o);
        }
        v.map(|(v, _)| v)
    };
    let app = strings(
        "app",
        flags.app.as_ref(),
        env.app.as_ref(),
        file.app.as_ref(),
        eb.app.as_ref(),
        &mut origins,
    );
    let app = match app {
        Some(a) => a,
        None => {
            origins.insert("app", Origin::Default);
            default_app(&project_dir)
        }
    };
    valid_app(&app).map_err(ConfigError::Usage)?;
    let environment = strings(
        "environment",
        flags.environment.as_ref(),
        env.environment.as_ref(),
        file.environment.as_ref(),
        eb.environment.as_ref(),
        &mut origins,
    );
    let region = strings(
        "region",
        flags.region.as_ref(),
        env.region.as_ref(),
        file.region.as_ref(),
        eb.region.as_ref(),
        &mut origins,
    );
    let label = strings(
        "label",
        flags.label.as_ref(),
        env.label.as_ref(),
        None,
        None,
        &mut origins,
    );

    let (platform, o) = pick(&[
        (Origin::Flag, flags.platform.as_ref()),
        (Origin::Env, env.platform.as_ref()),
        (Origin::File, file.platform.as_ref()),
        (Origin::EbCli, eb.platform.as_ref()),
    ])
    .unwrap_or((Platform::default(), Origin::Default));
    origins.insert("platform", o);

    let pin_file = file.pin.clone().unwrap_or_default();
    let layer_tag = |o: Origin, tag: Option<&String>, from: Option<&String>, project: &Path| {
        let source = match (tag, from) {
            (Some(_), Some(_)) => {
                let what = match o {
                    Origin::Flag => "`--image-tag` and `--tag-from`",
                    _ => "`EBPACK_IMAGE_TAG` and `EBPACK_TAG_FROM`",
                };
                return Err(ConfigError::Usage(format!(
                    "{what} both give the tag; use one"
                )));
            }
            (Some(t), None) => {
                crate::pin::valid_tag(t).map_err(ConfigError::Usage)?;
                Some(TagSource::Literal(t.clone()))
            }
            (None, Some(f)) => {
                let mut tf = TagFrom::parse(f).map_err(ConfigError::Usage)?;
                tf.file = project.join(&tf.file);
                Some(TagSource::From(tf))
            }
            (None, None) => None,
        };
        Ok(source.map(|s| (s, o)))
    };
    let tag = match layer_tag(
        Origin::Flag,
        flags.image_tag.as_ref(),
        flags.tag_from.as_ref(),
        cwd,
    )? {
        Some(t) => Some(t),
        None => match layer_tag(
            Origin::Env,
            env.image_tag.as_ref(),
            env.tag_from.as_ref(),
            cwd,
        )? {
            Some(t) => Some(t),
            None => layer_tag(
                Origin::File,
                pin_file.image_tag.as_ref(),
                pin_file.tag_from.as_ref(),
                &project_dir,
            )?,
        },
    };
    if let Some((_, o)) = &tag {
        origins.insert("tag", *o);
    }

    // Exact pins merge per container: the strongest layer wins for each.
    let mut pins: Vec<(String, String)> = pin_file.containers.clone().into_iter().collect();
    for layer in [&env.pins, &flags.pins] {
        for (c, r) in layer {
            pins.retain(|(pc, _)| pc != c);
            pins.push((c.clone(), r.clone()));
        }
    }
    let (require_pinned, o) = pick(&[
        (Origin::Flag, flags.require_pinned.as_ref()),
        (Origin::Env, env.require_pinned.as_ref()),
        (Origin::File, pin_file.require_pinned.as_ref()),
    ])
    .unwrap_or((false, Origin::Default));
    origins.insert("require_pinned", o);

    Ok(Settings {
        config_file,
        ebcli_file,
        bundle_dir,
        out_dir,
        app,
        environment,
        region,
        platform,
        label,
        tag: tag.map(|(t, _)| t),
        pin: PinSettings {
            image_tag: None,
            pins,
            repositories: pin_file.repositories,
            require_pinned,
        },
        generate: file.generate.unwrap_or_default(),
        origins,
        project_dir,
    })
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

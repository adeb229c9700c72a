//! Generated `.ebextensions`: the four fixes the todobackend workflow needs
//! (docker group access, volume ownership, RDS → app env mapping,
//! leader-only migrations), rendered from typed settings (`generate:` in
//! `ebpack.yaml`) with templates from `.ebextensions-templates/`.
//!
//! Pure: takes settings and the Dockerrun text, returns files. `ebpack build`
//! adds them to the bundle; `ebpack generate` prints or writes them.
//!
//! Generated names start with `000_ebpack_`, so they sort before every user
//! file whose name starts with a digit or a letter (`00_…`, `01_…`, `init…`):
//! EB runs `.ebextensions` in file-name order, so the user's own commands
//! already see the docker group, the volume folders and the env file.
//! The env-file format and the whole design are described in
//! `docs/generate.md`.
//!
//! One file per feature (`docker_group`, `volume_ownership`, `rds_env`,
//! `migrations`); `init_volume` is the host folder features 3 and 4 share,
//! `paths` the checks on every host path a script touches, and `entrypoint`
//! the container side of features 3 and 4.

mod config;
mod docker_group;
mod dockerrun;
mod entrypoint;
mod init_volume;
mod migrations;
mod paths;
mod rds_env;
pub mod render;
mod volume_ownership;
mod write;

pub use config::{
    DEFAULT_INIT_SOURCE_PATH, DEFAULT_MAPPING, DockerGroup, Feature, FileMode, GenerateConfig,
    InitVolume, Migrations, Owner, RdsEnv, VolumeOwnership,
};
pub use docker_group::DOCKER_GROUP_PATH;
pub use entrypoint::{EntrypointPaths, entrypoint_script};
pub use migrations::MIGRATIONS_PATH;
pub use rds_env::{ENV_HOOK_PATH, ENV_PATH};
pub use volume_ownership::VOLUME_OWNERSHIP_PATH;
pub use write::{WriteError, WriteOutcome, write_files};

use docker_group::docker_group;
use dockerrun::Dockerrun;
use init_volume::InitPlan;
use migrations::migrations;
use rds_env::env_files;
use volume_ownership::volume_ownership;

/// One generated file, relative to the bundle root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Bundle-relative path, `/`-separated (e.g. `.ebextensions/000_ebpack_01_docker_group.config`).
    pub path: String,
    /// Content (LF line endings).
    pub content: String,
    /// Unix permission bits for the zip entry.
    pub mode: u32,
}

impl GeneratedFile {
    fn config(path: &str, content: String) -> Self {
        Self {
            path: path.to_owned(),
            content,
            mode: 0o644,
        }
    }
}

/// What generation produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Files to add to the bundle, sorted by path.
    pub files: Vec<GeneratedFile>,
    /// The Dockerrun text rewritten (e.g. the env-file volume added), when changed.
    pub dockerrun: Option<String>,
}

/// Generation failed: the settings do not fit the bundle.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct GenerateError {
    /// What is wrong, lowercase, values in backticks.
    pub message: String,
}

fn err(message: impl Into<String>) -> GenerateError {
    GenerateError {
        message: message.into(),
    }
}

/// Generates the enabled features for a bundle whose Dockerrun text is `dockerrun`.
pub fn generate(config: &GenerateConfig, dockerrun: &str) -> Result<Generated, GenerateError> {
    let needs_dockerrun = config.volume_ownership().is_some() || config.needs_init_volume();
    let parsed = if needs_dockerrun {
        Dockerrun::parse(dockerrun)?
    } else {
        None
    };
    let mut out = Generated::default();
    if let Some(dg) = config.docker_group() {
        out.files.push(docker_group(dg)?);
    }
    let init = if config.needs_init_volume() {
        let dr = parsed.as_ref().ok_or_else(|| {
            err("generate.rds_env and generate.migrations need a Dockerrun.aws.json (v2) to add the init volume to")
        })?;
        Some(InitPlan::resolve(config, dr)?)
    } else {
        None
    };
    if let Some(vo) = config.volume_ownership() {
        let dr = parsed.as_ref().ok_or_else(|| {
            err("generate.volume_ownership needs a Dockerrun.aws.json (v2) to read the volumes from")
        })?;
        if let Some(f) = volume_ownership(vo, dr, init.as_ref())? {
            out.files.push(f);
        }
    }
    if let (Some(env), Some(init)) = (config.rds_env(), &init) {
        out.files.extend(env_files(env, init)?);
    }
    if let (Some(m), Some(init)) = (config.migrations(), &init) {
        out.files.push(migrations(m, init)?);
    }
    if let (Some(init), Some(dr)) = (&init, &parsed) {
        out.dockerrun = dr.add_init_volume(
            &init.name,
            &init.source_path,
            &init.container_path,
            &init.containers,
        );
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

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
    check_settings(config)?;
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
    // The last net under the checks on each setting: a value from the
    // Dockerrun (a volume's name or path) reaches the files too.
    for f in &out.files {
        if let Some(c) = paths::yaml11_break(&f.content) {
            return Err(err(format!(
                "the generated `{}` would hold {c}, which YAML 1.1 parsers such as PyYAML (what Elastic Beanstalk reads `.ebextensions` with) take as a line break; remove it from the setting or Dockerrun value it comes from",
                f.path
            )));
        }
    }
    Ok(out)
}

/// Checks on the settings as a whole, before any file is rendered: values
/// that would end a line in the generated YAML, owners `chown` refuses,
/// and generated files that would be the same file.
fn check_settings(config: &GenerateConfig) -> Result<(), GenerateError> {
    let iv = &config.init_volume;
    let mut texts: Vec<(String, &str)> = vec![
        ("generate.init_volume.name".into(), &iv.name),
        (
            "generate.init_volume.container_path".into(),
            &iv.container_path,
        ),
    ];
    if let Some(p) = &iv.source_path {
        texts.push(("generate.init_volume.source_path".into(), p));
    }
    for c in iv.containers.iter().flatten() {
        texts.push(("generate.init_volume.containers".into(), c));
    }
    if let Some(dg) = config.docker_group() {
        texts.push(("generate.docker_group.user".into(), &dg.user));
    }
    if let Some(vo) = config.volume_ownership() {
        for e in &vo.exclude {
            texts.push(("generate.volume_ownership.exclude".into(), e));
        }
    }
    if let Some(env) = config.rds_env() {
        texts.push(("generate.rds_env.file".into(), &env.file));
        for (k, v) in &env.mapping {
            texts.push(("generate.rds_env.mapping".into(), k));
            texts.push((format!("generate.rds_env.mapping.{k}"), v));
        }
    }
    if let Some(m) = config.migrations() {
        texts.push(("generate.migrations.file".into(), &m.file));
        texts.push(("generate.migrations.command".into(), &m.command));
    }
    for (what, value) in texts {
        paths::check_text(&what, value)?;
    }
    let mut owners = vec![("generate.init_volume.owner", iv.owner)];
    if let Some(vo) = config.volume_ownership() {
        owners.push(("generate.volume_ownership.owner", vo.owner));
    }
    for (what, o) in owners {
        if o.uid == u32::MAX || o.gid == u32::MAX {
            return Err(err(format!(
                "{what} `{o}`: {} is `(uid_t) -1`, which `chown` refuses; use an id up to 4294967294",
                u32::MAX
            )));
        }
    }
    if config.needs_init_volume() {
        // The entrypoint loads the env file and then runs the commands
        // file with `sh`: one file for both would run the env file (and
        // the migrations' clearing step would delete it on every
        // deployment). The default name of a feature that is off counts,
        // as the entrypoint uses it.
        let paths = EntrypointPaths::from_config(config);
        if paths.env_file == paths.commands_file {
            return Err(err(format!(
                "generate.rds_env.file and generate.migrations.file are both `{}`: the env file would be deleted on every deployment and run as the migration commands; give them different names",
                config.rds_env.clone().unwrap_or_default().file
            )));
        }
    }
    Ok(())
}

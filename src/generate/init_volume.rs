//! The init volume shared by the RDS env file and the migrations: the host
//! folder both write into and the containers that mount it, settled once
//! from `generate.init_volume` and the Dockerrun.

use super::dockerrun::Dockerrun;
use super::paths::{check_abs_path, system_path, under};
use super::render::{render, templates as t};
use super::{DEFAULT_INIT_SOURCE_PATH, FileMode, GenerateConfig, GenerateError, Owner, err};

/// The init volume after defaults and the Dockerrun were applied.
#[derive(Debug, Clone)]
pub(super) struct InitPlan {
    pub(super) name: String,
    pub(super) source_path: String,
    pub(super) container_path: String,
    pub(super) containers: Vec<String>,
    pub(super) owner: Owner,
    pub(super) file_mode: FileMode,
}

impl InitPlan {
    pub(super) fn resolve(config: &GenerateConfig, dr: &Dockerrun) -> Result<Self, GenerateError> {
        let iv = &config.init_volume;
        let name = &iv.name;
        if name.is_empty()
            || name.len() > 255
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            || name.starts_with("awseb-logs-")
        {
            return Err(err(format!(
                "generate.init_volume.name `{name}` is not a valid volume name (letters, digits, `_`, `-`; not `awseb-logs-…`)"
            )));
        }
        let existing = dr.volume_path(name);
        if dr.has_volume(name) && existing.is_none() {
            return Err(err(format!(
                "Dockerrun volume `{name}` has no `host.sourcePath`; give it one or set generate.init_volume.name to another name"
            )));
        }
        let source_path = match (&iv.source_path, existing) {
            (Some(c), Some(e)) if c != e => {
                return Err(err(format!(
                    "generate.init_volume.source_path is `{c}` but Dockerrun volume `{name}` has sourcePath `{e}`; make them equal or drop one"
                )));
            }
            (Some(c), _) => c.clone(),
            (None, Some(e)) => e.to_owned(),
            (None, None) => DEFAULT_INIT_SOURCE_PATH.to_owned(),
        };
        check_abs_path("generate.init_volume.source_path", &source_path)?;
        if under(&source_path, "/var/app") || system_path(&source_path) {
            return Err(err(format!(
                "the init volume's host path `{source_path}` is not usable: it must not be a system folder or under /var/app (replaced on every deployment)"
            )));
        }
        let container_path = iv.container_path.clone();
        check_abs_path("generate.init_volume.container_path", &container_path)?;
        let containers: Vec<String> = match &iv.containers {
            Some(list) => {
                for c in list {
                    if !dr.containers.iter().any(|(n, _)| n == c) {
                        return Err(err(format!(
                            "generate.init_volume.containers names `{c}`, which is not a container in Dockerrun.aws.json"
                        )));
                    }
                }
                list.clone()
            }
            None => dr
                .containers
                .iter()
                .filter(|(_, essential)| *essential)
                .map(|(n, _)| n.clone())
                .collect(),
        };
        if containers.is_empty() {
            return Err(err(
                "no container would mount the init volume: list them in generate.init_volume.containers",
            ));
        }
        for c in &containers {
            if let Some(p) = dr.mount_path(c, name)
                && p != container_path
            {
                return Err(err(format!(
                    "container `{c}` mounts volume `{name}` at `{p}`, not at generate.init_volume.container_path `{container_path}`"
                )));
            }
        }
        Ok(Self {
            name: name.clone(),
            source_path,
            container_path,
            containers,
            owner: iv.owner,
            file_mode: iv.file_mode,
        })
    }

    pub(super) fn init_dir_snippet(&self) -> String {
        render(
            t::INIT_DIR_SH,
            &[
                ("owner", &self.owner.to_string()),
                ("dir_mode", self.file_mode.dir_octal()),
            ],
        )
    }

    pub(super) fn host_file(&self, file: &str) -> String {
        format!("{}/{file}", self.source_path)
    }
}

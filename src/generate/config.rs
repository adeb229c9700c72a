//! The `generate:` section of `ebpack.yaml`: typed settings with defaults.
//!
//! A feature is generated when its key is present and not switched off:
//! `docker_group: true`, `docker_group: {}` and `docker_group: {user: admin}`
//! all enable it; `docker_group: false` or `enabled: false` inside the
//! mapping disable it; leaving the key out (or empty) disables it too.

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;

/// The `generate:` section of `ebpack.yaml`. Every feature is off unless
/// enabled.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct GenerateConfig {
    /// Feature 1: add a user to the `docker` group.
    #[serde(default, deserialize_with = "feature")]
    pub docker_group: Option<DockerGroup>,
    /// Feature 2: create and chown the host folders of Dockerrun volumes.
    #[serde(default, deserialize_with = "feature")]
    pub volume_ownership: Option<VolumeOwnership>,
    /// Feature 3: write EB environment properties (RDS) under the app's names.
    #[serde(default, deserialize_with = "feature")]
    pub rds_env: Option<RdsEnv>,
    /// Feature 4: leader-only one-off commands (database migrations).
    #[serde(default, deserialize_with = "feature")]
    pub migrations: Option<Migrations>,
    /// The host volume that carries the env file and the pending commands
    /// into the containers (used by `rds_env` and `migrations`).
    #[serde(default)]
    pub init_volume: InitVolume,
}

/// Settings of a feature that can be switched on and off.
pub trait Feature: Default {
    /// The feature's `enabled` flag.
    fn enabled(&self) -> bool;
}

impl GenerateConfig {
    /// Feature 1, when enabled.
    pub fn docker_group(&self) -> Option<&DockerGroup> {
        on(&self.docker_group)
    }
    /// Feature 2, when enabled.
    pub fn volume_ownership(&self) -> Option<&VolumeOwnership> {
        on(&self.volume_ownership)
    }
    /// Feature 3, when enabled.
    pub fn rds_env(&self) -> Option<&RdsEnv> {
        on(&self.rds_env)
    }
    /// Feature 4, when enabled.
    pub fn migrations(&self) -> Option<&Migrations> {
        on(&self.migrations)
    }
    /// True when some feature needs the init volume.
    pub fn needs_init_volume(&self) -> bool {
        self.rds_env().is_some() || self.migrations().is_some()
    }
    /// All four features on, with their defaults (the todobackend setup).
    pub fn all_defaults() -> Self {
        Self {
            docker_group: Some(DockerGroup::default()),
            volume_ownership: Some(VolumeOwnership::default()),
            rds_env: Some(RdsEnv::default()),
            migrations: Some(Migrations::default()),
            init_volume: InitVolume::default(),
        }
    }
}

fn on<T: Feature>(f: &Option<T>) -> Option<&T> {
    f.as_ref().filter(|f| f.enabled())
}

/// Feature 1: `docker_group`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DockerGroup {
    /// Generate it (default `true` when the section is present).
    pub enabled: bool,
    /// The host user added to the `docker` group.
    pub user: String,
}

impl Default for DockerGroup {
    fn default() -> Self {
        Self {
            enabled: true,
            user: "ec2-user".into(),
        }
    }
}

/// Feature 2: `volume_ownership`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VolumeOwnership {
    /// Generate it (default `true` when the section is present).
    pub enabled: bool,
    /// Numeric `uid:gid` the folders are given to.
    pub owner: Owner,
    /// Host paths to leave alone.
    pub exclude: Vec<String>,
}

impl Default for VolumeOwnership {
    fn default() -> Self {
        Self {
            enabled: true,
            owner: Owner::default(),
            exclude: Vec::new(),
        }
    }
}

/// The default mapping: application name → EB environment property.
pub const DEFAULT_MAPPING: [(&str, &str); 5] = [
    ("MYSQL_HOST", "RDS_HOSTNAME"),
    ("MYSQL_PORT", "RDS_PORT"),
    ("MYSQL_USER", "RDS_USERNAME"),
    ("MYSQL_PASSWORD", "RDS_PASSWORD"),
    ("MYSQL_DATABASE", "RDS_DB_NAME"),
];

/// Feature 3: `rds_env`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RdsEnv {
    /// Generate it (default `true` when the section is present).
    pub enabled: bool,
    /// File name inside the init volume.
    pub file: String,
    /// Application variable name → EB environment property it is read
    /// from. Replaces the default mapping when given.
    pub mapping: BTreeMap<String, String>,
    /// Also emit `.platform/confighooks/predeploy/000_ebpack_env.sh` so
    /// configuration-only deployments on Amazon Linux 2/2023 rewrite the
    /// file (R90). Switch off for the Amazon Linux AMI platform (mc-al1),
    /// which ignores `.platform/` (R94).
    pub confighook: bool,
    /// Add `packages: yum: jq: []` (the writer needs `jq`).
    pub install_jq: bool,
}

impl Default for RdsEnv {
    fn default() -> Self {
        Self {
            enabled: true,
            file: "environment".into(),
            mapping: DEFAULT_MAPPING
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            confighook: true,
            install_jq: false,
        }
    }
}

/// Feature 4: `migrations`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Migrations {
    /// Generate it (default `true` when the section is present).
    pub enabled: bool,
    /// File name inside the init volume.
    pub file: String,
    /// The shell command the leader's containers run once on start.
    pub command: String,
}

impl Default for Migrations {
    fn default() -> Self {
        Self {
            enabled: true,
            file: "commands".into(),
            command: "python3 manage.py migrate --no-input".into(),
        }
    }
}

/// The default host folder of the init volume. Not under `/tmp`: systemd
/// cleans `/tmp` on reboot and of files older than ten days on Amazon Linux.
pub const DEFAULT_INIT_SOURCE_PATH: &str = "/var/lib/ebpack/init";

/// `init_volume`: where the env file and the pending commands live.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InitVolume {
    /// Dockerrun volume name.
    pub name: String,
    /// Host folder. Default: the `sourcePath` of an existing Dockerrun
    /// volume of that name, else [`DEFAULT_INIT_SOURCE_PATH`].
    pub source_path: Option<String>,
    /// Where the containers see it.
    pub container_path: String,
    /// Containers that mount it. Default: every essential container.
    pub containers: Option<Vec<String>>,
    /// Numeric `uid:gid` of the container user, owner of the folder and files.
    pub owner: Owner,
    /// Mode of the env and commands files: `0600`, `0640`, `0400` or `0440`.
    pub file_mode: FileMode,
}

impl Default for InitVolume {
    fn default() -> Self {
        Self {
            name: "init".into(),
            source_path: None,
            container_path: "/init".into(),
            containers: None,
            owner: Owner::default(),
            file_mode: FileMode::default(),
        }
    }
}

/// A numeric `uid:gid` (host and container share numeric ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
}

impl Default for Owner {
    fn default() -> Self {
        Self {
            uid: 1000,
            gid: 1000,
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.uid, self.gid)
    }
}

impl std::str::FromStr for Owner {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a numeric `uid:gid` such as `1000:1000`");
        let (u, g) = s.split_once(':').ok_or_else(bad)?;
        let num = |t: &str| {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            match t.parse::<u32>() {
                // `(uid_t) -1` is chown(2)'s "leave unchanged", and
                // coreutils' `chown` refuses it as an invalid user: the
                // generated script would fail at deployment.
                Ok(u32::MAX) => Err(format!(
                    "`{s}`: {} is `(uid_t) -1`, which `chown` refuses; use an id up to 4294967294",
                    u32::MAX
                )),
                Ok(n) => Ok(n),
                Err(_) => Err(bad()),
            }
        };
        Ok(Owner {
            uid: num(u)?,
            gid: num(g)?,
        })
    }
}

impl<'de> Deserialize<'de> for Owner {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Permission bits of the env and commands files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMode(pub u32);

impl Default for FileMode {
    fn default() -> Self {
        FileMode(0o600)
    }
}

impl FileMode {
    /// Four-digit octal, as `chmod` takes it.
    pub fn octal(self) -> String {
        format!("{:04o}", self.0)
    }
    /// Mode of the folder holding the files: group access when the files
    /// grant it.
    pub fn dir_octal(self) -> &'static str {
        if self.0 & 0o040 != 0 { "0750" } else { "0700" }
    }
}

impl<'de> Deserialize<'de> for FileMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.trim_start_matches('0') {
            "600" => Ok(FileMode(0o600)),
            "640" => Ok(FileMode(0o640)),
            "400" => Ok(FileMode(0o400)),
            "440" => Ok(FileMode(0o440)),
            _ => Err(serde::de::Error::custom(format!(
                "file mode `{s}` is not allowed: the file holds the database password; use `0600`, `0640`, `0400` or `0440` (quoted)"
            ))),
        }
    }
}

/// `true` / `false` / a mapping of settings (see the module docs).
fn feature<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Feature + Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Feature + Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("`true`, `false` or a mapping of settings")
        }
        fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Self::Value, E> {
            Ok(b.then(T::default))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

macro_rules! feature_impl {
    ($($t:ty),*) => {$(
        impl Feature for $t {
            fn enabled(&self) -> bool {
                self.enabled
            }
        }
    )*};
}
feature_impl!(DockerGroup, VolumeOwnership, RdsEnv, Migrations);

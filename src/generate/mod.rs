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

mod config;
mod dockerrun;
pub mod render;
mod write;

pub use config::{
    DEFAULT_INIT_SOURCE_PATH, DEFAULT_MAPPING, DockerGroup, Feature, FileMode, GenerateConfig,
    InitVolume, Migrations, Owner, RdsEnv, VolumeOwnership,
};
pub use write::{WriteError, WriteOutcome, write_files};

use dockerrun::Dockerrun;
use render::{chomp, indent, render, sh_quote, templates as t, yaml_quote};

/// `.ebextensions/` file of feature 1.
pub const DOCKER_GROUP_PATH: &str = ".ebextensions/000_ebpack_01_docker_group.config";
/// `.ebextensions/` file of feature 2.
pub const VOLUME_OWNERSHIP_PATH: &str = ".ebextensions/000_ebpack_02_volume_ownership.config";
/// `.ebextensions/` file of feature 3.
pub const ENV_PATH: &str = ".ebextensions/000_ebpack_03_env.config";
/// Confighook of feature 3 (configuration-only deployments, R90).
pub const ENV_HOOK_PATH: &str = ".platform/confighooks/predeploy/000_ebpack_env.sh";
/// `.ebextensions/` file of feature 4.
pub const MIGRATIONS_PATH: &str = ".ebextensions/000_ebpack_04_migrations.config";

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

/// The init volume after defaults and the Dockerrun were applied.
#[derive(Debug, Clone)]
struct InitPlan {
    name: String,
    source_path: String,
    container_path: String,
    containers: Vec<String>,
    owner: Owner,
    file_mode: FileMode,
}

impl InitPlan {
    fn resolve(config: &GenerateConfig, dr: &Dockerrun) -> Result<Self, GenerateError> {
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

    fn init_dir_snippet(&self) -> String {
        render(
            t::INIT_DIR_SH,
            &[
                ("owner", &self.owner.to_string()),
                ("dir_mode", self.file_mode.dir_octal()),
            ],
        )
    }

    fn host_file(&self, file: &str) -> String {
        format!("{}/{file}", self.source_path)
    }
}

fn docker_group(dg: &DockerGroup) -> Result<GeneratedFile, GenerateError> {
    let user = &dg.user;
    let valid = !user.is_empty()
        && user.len() <= 32
        && !user.starts_with('-')
        && !user.as_bytes()[0].is_ascii_digit()
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid {
        return Err(err(format!(
            "generate.docker_group.user `{user}` is not a valid user name"
        )));
    }
    let command = format!("usermod -a -G docker {}", sh_quote(user));
    let test = format!("grep -q '^docker:' /etc/group && grep -q '^{user}:' /etc/passwd");
    let content = render(
        t::DOCKER_GROUP_CONFIG,
        &[
            ("user", user),
            ("command", &yaml_quote(&command)),
            ("test", &yaml_quote(&test)),
        ],
    );
    Ok(GeneratedFile::config(DOCKER_GROUP_PATH, content))
}

fn volume_ownership(
    vo: &VolumeOwnership,
    dr: &Dockerrun,
    init: Option<&InitPlan>,
) -> Result<Option<GeneratedFile>, GenerateError> {
    let mut paths: Vec<&str> = Vec::new();
    let mut skipped = String::new();
    for (name, path) in &dr.host_volumes {
        let path = path.as_str();
        let note = |why: &str| {
            format!(
                "# Left alone: volume {} at {}: {why}.\n",
                serde_json::to_string(name).expect("string"),
                serde_json::to_string(path).expect("string")
            )
        };
        if paths.contains(&path) || init.is_some_and(|i| i.source_path == path) {
            continue;
        }
        if !path.starts_with('/') {
            skipped.push_str(&note("a relative path (bundle content)"));
        } else if under(path, "/var/app/current") {
            continue; // bundle content, owned by EB
        } else if vo.exclude.iter().any(|e| e == path) {
            skipped.push_str(&note("listed in generate.volume_ownership.exclude"));
        } else if system_path(path) {
            skipped.push_str(&note("a system path"));
        } else {
            check_abs_path(
                &format!("the sourcePath of Dockerrun volume `{name}`"),
                path,
            )?;
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Ok(None);
    }
    let words: Vec<String> = paths.iter().map(|p| sh_quote(p)).collect();
    let owner = vo.owner.to_string();
    let script = render(
        t::VOLUME_OWNERSHIP_SH,
        &[("paths", &words.join(" ")), ("owner", &owner)],
    );
    let content = render(
        t::VOLUME_OWNERSHIP_CONFIG,
        &[
            ("owner", &owner),
            ("skipped", &skipped),
            ("script", chomp(&indent(&script, 6))),
        ],
    );
    Ok(Some(GeneratedFile::config(VOLUME_OWNERSHIP_PATH, content)))
}

fn env_files(env: &RdsEnv, init: &InitPlan) -> Result<Vec<GeneratedFile>, GenerateError> {
    check_file_name("generate.rds_env.file", &env.file)?;
    if env.mapping.is_empty() {
        return Err(err("generate.rds_env.mapping is empty"));
    }
    for (name, source) in &env.mapping {
        if !is_env_name(name) {
            return Err(err(format!(
                "generate.rds_env.mapping: `{name}` is not a variable name (letters, digits, `_`; not starting with a digit)"
            )));
        }
        let ok_source = !source.is_empty()
            && source.len() <= 128
            && source
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.:/+-@\\".contains(&b));
        if !ok_source {
            return Err(err(format!(
                "generate.rds_env.mapping: `{source}` (for `{name}`) is not an Elastic Beanstalk environment property name"
            )));
        }
    }
    let map = serde_json::to_string(&env.mapping).expect("mapping");
    let path = init.host_file(&env.file);
    let script = render(
        t::ENV_SH,
        &[
            ("dir", &sh_quote(&init.source_path)),
            ("path", &sh_quote(&path)),
            ("map", &sh_quote(&map)),
            ("init_dir", chomp(&init.init_dir_snippet())),
            ("owner", &init.owner.to_string()),
            ("file_mode", &init.file_mode.octal()),
        ],
    );
    let names: Vec<&str> = env.mapping.keys().map(String::as_str).collect();
    let packages = if env.install_jq {
        "packages:\n  yum:\n    jq: []\n"
    } else {
        ""
    };
    let config = render(
        t::ENV_CONFIG,
        &[
            ("names", &names.join(", ")),
            ("path", &path),
            (
                "container_path",
                &format!("{}/{}", init.container_path, env.file),
            ),
            ("packages", packages),
            ("script", chomp(&indent(&script, 6))),
        ],
    );
    let mut files = vec![GeneratedFile::config(ENV_PATH, config)];
    if env.confighook {
        let hook = render(
            t::ENV_HOOK_SH,
            &[("path", &path), ("script", chomp(&script))],
        );
        files.push(GeneratedFile {
            path: ENV_HOOK_PATH.to_owned(),
            content: hook,
            mode: 0o755,
        });
    }
    Ok(files)
}

fn migrations(m: &Migrations, init: &InitPlan) -> Result<GeneratedFile, GenerateError> {
    check_file_name("generate.migrations.file", &m.file)?;
    if m.command.trim().is_empty() {
        return Err(err("generate.migrations.command is empty"));
    }
    if m.command
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(err(
            "generate.migrations.command holds control characters (only newlines and tabs are allowed)",
        ));
    }
    let path = init.host_file(&m.file);
    let init_dir = init.init_dir_snippet();
    let dir = sh_quote(&init.source_path);
    let path_q = sh_quote(&path);
    let clear = render(
        t::CLEAR_COMMANDS_SH,
        &[
            ("dir", &dir),
            ("path", &path_q),
            ("init_dir", chomp(&init_dir)),
        ],
    );
    let write = render(
        t::WRITE_COMMANDS_SH,
        &[
            ("dir", &dir),
            ("path", &path_q),
            ("init_dir", chomp(&init_dir)),
            ("command", &sh_quote(m.command.trim_end_matches('\n'))),
            ("owner", &init.owner.to_string()),
            ("file_mode", &init.file_mode.octal()),
        ],
    );
    let content = render(
        t::MIGRATIONS_CONFIG,
        &[
            ("path", &path),
            ("clear_script", chomp(&indent(&clear, 6))),
            ("write_script", chomp(&indent(&write, 6))),
        ],
    );
    Ok(GeneratedFile::config(MIGRATIONS_PATH, content))
}

/// Where the container entrypoint finds the files (paths inside the container).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrypointPaths {
    /// The env file (default `/init/environment`).
    pub env_file: String,
    /// The pending-commands file (default `/init/commands`).
    pub commands_file: String,
}

impl EntrypointPaths {
    /// The paths the generated files use under `config` (the defaults of
    /// disabled features count, so the script is the same either way).
    pub fn from_config(config: &GenerateConfig) -> Self {
        let dir = config.init_volume.container_path.trim_end_matches('/');
        let env = config.rds_env.clone().unwrap_or_default();
        let m = config.migrations.clone().unwrap_or_default();
        Self {
            env_file: format!("{dir}/{}", env.file),
            commands_file: format!("{dir}/{}", m.file),
        }
    }
}

impl Default for EntrypointPaths {
    fn default() -> Self {
        Self::from_config(&GenerateConfig::default())
    }
}

/// The POSIX sh entrypoint script printed by `ebpack entrypoint`.
pub fn entrypoint_script(paths: &EntrypointPaths) -> Result<String, GenerateError> {
    for (what, p) in [
        ("env file", &paths.env_file),
        ("commands file", &paths.commands_file),
    ] {
        if p.is_empty() || p.chars().any(char::is_control) {
            return Err(err(format!(
                "the {what} path must be non-empty and hold no control characters"
            )));
        }
    }
    Ok(render(
        t::ENTRYPOINT_SH,
        &[
            ("env_file", &paths.env_file),
            ("commands_file", &paths.commands_file),
            ("env_file_q", &sh_quote(&paths.env_file)),
            ("commands_file_q", &sh_quote(&paths.commands_file)),
        ],
    ))
}

fn is_env_name(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

fn check_file_name(what: &str, name: &str) -> Result<(), GenerateError> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "{what} `{name}` must be a plain file name (letters, digits, `.`, `_`, `-`)"
        )))
    }
}

/// Absolute, normalised (no `.`/`..`/empty segments, no trailing `/`), not
/// `/`, and free of control characters.
fn check_abs_path(what: &str, p: &str) -> Result<(), GenerateError> {
    let ok = p.starts_with('/')
        && p.len() > 1
        && !p.ends_with('/')
        && !p.chars().any(char::is_control)
        && p[1..]
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "{what} `{}` must be a normalised absolute path other than `/`",
            p.escape_debug()
        )))
    }
}

fn under(path: &str, dir: &str) -> bool {
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Host folders ebpack never creates or chowns: the system itself, its
/// runtime and the container engine's state.
fn system_path(p: &str) -> bool {
    const EXACT: &[&str] = &[
        "/", "/var", "/var/lib", "/var/app", "/var/log", "/opt", "/home", "/root", "/tmp",
        "/var/tmp", "/srv", "/mnt", "/media", "/data",
    ];
    const TREES: &[&str] = &[
        "/proc",
        "/sys",
        "/dev",
        "/run",
        "/var/run",
        "/etc",
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/boot",
        "/var/lib/docker",
        "/var/lib/containerd",
        "/var/lib/ecs",
        "/var/cache/ecs",
        "/var/lib/rpm",
        "/var/lib/yum",
        "/var/lib/dnf",
        "/var/log/containers",
        "/var/log/eb-docker",
        "/opt/elasticbeanstalk",
    ];
    let p = p.trim_end_matches('/');
    let p = if p.is_empty() { "/" } else { p };
    EXACT.contains(&p) || TREES.iter().any(|t| under(p, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_paths() {
        assert!(system_path("/var/run/docker.sock"));
        assert!(system_path("/etc"));
        assert!(system_path("/var/lib"));
        assert!(!system_path("/tmp/public"));
        assert!(!system_path("/var/lib/ebpack/init"));
        assert!(!system_path("/var/log/app"));
        assert!(!system_path("/etcetera"));
    }

    #[test]
    fn paths_must_be_normalised() {
        assert!(check_abs_path("x", "/tmp/a").is_ok());
        for bad in [
            "",
            "/",
            "tmp",
            "/tmp/",
            "/tmp//a",
            "/tmp/../etc",
            "/a/./b",
            "/a\nb",
        ] {
            assert!(check_abs_path("x", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn env_names() {
        assert!(is_env_name("MYSQL_HOST"));
        assert!(is_env_name("_x1"));
        assert!(!is_env_name("1X"));
        assert!(!is_env_name("A-B"));
        assert!(!is_env_name(""));
    }
}

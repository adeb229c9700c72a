//! The container side of features 3 and 4: the POSIX sh entrypoint that
//! `ebpack entrypoint` prints, which loads the env file and runs the pending
//! commands before the image's own command.

use super::render::{render, sh_quote, templates as t};
use super::{GenerateConfig, GenerateError, err};

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
        super::paths::check_text(&format!("the {what} path"), p)?;
    }
    if paths.env_file == paths.commands_file {
        return Err(err(format!(
            "the env file and the commands file are both `{}`: the entrypoint would run the env file as commands; give generate.rds_env.file and generate.migrations.file different names",
            paths.env_file
        )));
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

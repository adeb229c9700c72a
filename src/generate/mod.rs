//! Generated `.ebextensions`: the four fixes the todobackend workflow needs
//! (docker group access, volume ownership, RDS → app env mapping,
//! leader-only migrations), rendered from typed settings (`generate:` in
//! `ebpack.yaml`) with templates from `.ebextensions-templates/`.
//!
//! Pure: takes settings and the Dockerrun text, returns files. `ebpack build`
//! adds them to the bundle; `ebpack generate` prints or writes them.

use serde::Deserialize;

/// The `generate:` section of `ebpack.yaml`. Every feature is off unless
/// enabled.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct GenerateConfig {}

/// One generated file, relative to the bundle root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Bundle-relative path, `/`-separated (e.g. `.ebextensions/05_ebpack_docker_group.config`).
    pub path: String,
    /// Content (LF line endings).
    pub content: String,
    /// Unix permission bits for the zip entry.
    pub mode: u32,
}

/// What generation produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Files to add to the bundle.
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

/// Generates the enabled features for a bundle whose Dockerrun text is `dockerrun`.
pub fn generate(config: &GenerateConfig, dockerrun: &str) -> Result<Generated, GenerateError> {
    let _ = (config, dockerrun);
    Ok(Generated::default())
}

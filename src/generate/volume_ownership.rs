//! Feature 2: creates the Dockerrun's host volume folders and hands them to
//! the containers' user before the containers start, leaving bundle
//! content, system folders and excluded paths alone (each noted in the file).

use super::dockerrun::Dockerrun;
use super::init_volume::InitPlan;
use super::paths::{check_abs_path, system_path, under};
use super::render::{chomp, indent, render, sh_quote, templates as t, yaml_quote};
use super::{GenerateError, GeneratedFile, VolumeOwnership};

/// `.ebextensions/` file of feature 2.
pub const VOLUME_OWNERSHIP_PATH: &str = ".ebextensions/000_ebpack_02_volume_ownership.config";

pub(super) fn volume_ownership(
    vo: &VolumeOwnership,
    dr: &Dockerrun,
    init: Option<&InitPlan>,
) -> Result<Option<GeneratedFile>, GenerateError> {
    let mut paths: Vec<&str> = Vec::new();
    let mut skipped = String::new();
    for (name, path) in &dr.host_volumes {
        let path = path.as_str();
        // Quoted as YAML does: a line break of any YAML version in the
        // Dockerrun's text stays an escape inside this comment.
        let note = |why: &str| {
            format!(
                "# Left alone: volume {} at {}: {why}.\n",
                yaml_quote(name),
                yaml_quote(path)
            )
        };
        if paths.contains(&path) || init.is_some_and(|i| i.source_path == path) {
            continue;
        }
        let init_dir = init.map(|i| i.source_path.as_str());
        if !path.starts_with('/') {
            skipped.push_str(&note("a relative path (bundle content)"));
        } else if under(path, "/var/app/current") {
            continue; // bundle content, owned by EB
        } else if vo.exclude.iter().any(|e| e == path) {
            skipped.push_str(&note("listed in generate.volume_ownership.exclude"));
        } else if system_path(path) {
            skipped.push_str(&note("a system path"));
        } else if let Some(dir) = init_dir.filter(|d| under(path, d) || under(d, path)) {
            // `chown -R` there would hand the env file (the database
            // password) to this feature's owner.
            skipped.push_str(&note(&format!(
                "it overlaps the init volume's folder {}, which keeps generate.init_volume.owner",
                yaml_quote(dir)
            )));
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

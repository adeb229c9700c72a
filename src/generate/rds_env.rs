//! Feature 3: maps the environment's RDS properties (`RDS_HOSTNAME`, …) to
//! the names the app reads (`MYSQL_HOST`, …) in an env file on the init
//! volume, and (optionally) a confighook that rewrites it on
//! configuration-only deployments.

use super::init_volume::InitPlan;
use super::paths::check_file_name;
use super::render::{chomp, indent, render, sh_quote, templates as t};
use super::{GenerateError, GeneratedFile, RdsEnv, err};

/// `.ebextensions/` file of feature 3.
pub const ENV_PATH: &str = ".ebextensions/000_ebpack_03_env.config";
/// Confighook of feature 3 (configuration-only deployments, R90).
pub const ENV_HOOK_PATH: &str = ".platform/confighooks/predeploy/000_ebpack_env.sh";

pub(super) fn env_files(
    env: &RdsEnv,
    init: &InitPlan,
) -> Result<Vec<GeneratedFile>, GenerateError> {
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

fn is_env_name(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        assert!(is_env_name("MYSQL_HOST"));
        assert!(is_env_name("_x1"));
        assert!(!is_env_name("1X"));
        assert!(!is_env_name("A-B"));
        assert!(!is_env_name(""));
    }
}

//! Feature 1: adds the configured user (`ec2-user` by default) to the
//! `docker` group, so it can use the Docker engine (`docker ps` over SSH).

use super::render::{render, sh_quote, templates as t, yaml_quote};
use super::{DockerGroup, GenerateError, GeneratedFile, err};

/// `.ebextensions/` file of feature 1.
pub const DOCKER_GROUP_PATH: &str = ".ebextensions/000_ebpack_01_docker_group.config";

pub(super) fn docker_group(dg: &DockerGroup) -> Result<GeneratedFile, GenerateError> {
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

//! The EB CLI's `.elasticbeanstalk/config.yml`, read leniently: ebpack takes
//! the application, region, platform and the branch's environment, and
//! ignores everything else (the file belongs to another tool).

use crate::syntax::{self, Node};
use crate::validate::Platform;

/// What ebpack takes from the EB CLI's file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EbCliConfig {
    /// `global.application_name`.
    pub app: Option<String>,
    /// `global.default_region`.
    pub region: Option<String>,
    /// `branch-defaults.<branch>.environment`, else `branch-defaults.default.environment`.
    pub environment: Option<String>,
    /// `global.default_platform`, when it names a Docker platform.
    pub platform: Option<Platform>,
}

/// Reads the file's text; `branch` is the current git branch, if any.
/// Text that does not parse gives an empty result (and `false`).
pub fn parse(text: &str, branch: Option<&str>) -> (EbCliConfig, bool) {
    let Ok(root) = syntax::yaml::parse(text) else {
        return (EbCliConfig::default(), false);
    };
    let string = |node: Option<&Node>| {
        node.and_then(Node::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let global = root.get("global");
    let branches = root.get("branch-defaults");
    let env_of = |b: &str| {
        string(
            branches
                .and_then(|n| n.get(b))
                .and_then(|n| n.get("environment")),
        )
    };
    let environment = branch.and_then(env_of).or_else(|| env_of("default"));
    let platform =
        string(global.and_then(|g| g.get("default_platform"))).and_then(|p| platform_of(&p));
    (
        EbCliConfig {
            app: string(global.and_then(|g| g.get("application_name"))),
            region: string(global.and_then(|g| g.get("default_region"))),
            environment,
            platform,
        },
        true,
    )
}

/// Maps an EB platform name or ARN to ebpack's platform.
pub fn platform_of(name: &str) -> Option<Platform> {
    let n = name.to_ascii_lowercase();
    if n.contains("ecs running on") || n.contains("ecs-running-on") {
        Some(Platform::EcsAl2)
    } else if n.contains("multi-container docker") || n.contains("multicontainer docker") {
        Some(Platform::McAl1)
    } else if n.contains("docker running on") || n.contains("docker-running-on") {
        Some(Platform::DockerAl2)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
branch-defaults:
  main:
    environment: Todobackend-env
    group_suffix: null
  default:
    environment: Other-env
global:
  application_name: todobackend
  branch: null
  default_ec2_keyname: admin
  default_platform: arn:aws:elasticbeanstalk:us-east-1::platform/ECS running on 64bit Amazon Linux 2023/4.4.0
  default_region: us-east-1
  include_git_submodules: true
  profile: eb-cli
  sc: git
  workspace_type: Application
";

    #[test]
    fn reads_the_eb_cli_keys() {
        let (c, ok) = parse(FILE, Some("main"));
        assert!(ok);
        assert_eq!(c.app.as_deref(), Some("todobackend"));
        assert_eq!(c.region.as_deref(), Some("us-east-1"));
        assert_eq!(c.environment.as_deref(), Some("Todobackend-env"));
        assert_eq!(c.platform, Some(Platform::EcsAl2));
        let (c, _) = parse(FILE, Some("feature/x"));
        assert_eq!(c.environment.as_deref(), Some("Other-env"));
        assert_eq!(parse("[: bad", None), (EbCliConfig::default(), false));
        assert_eq!(
            platform_of("Multi-container Docker running on 64bit Amazon Linux"),
            Some(Platform::McAl1)
        );
        assert_eq!(
            platform_of("Docker running on 64bit Amazon Linux 2"),
            Some(Platform::DockerAl2)
        );
    }
}

//! `Dockerrun.aws.json`: version detection and the v1/v2/v3 rules
//! (R1–R4, R15–R60).
//!
//! [`check_bundle`] finds the file (R2) and looks at the other root files
//! that decide the platform kind; [`check`] detects the version of one file
//! (R16), checks it against the target platform (R1) and the rest of the
//! bundle (R3, R4, R57, R59), then runs the rule set of that version.

mod container;
mod env;
mod fields;
pub mod image_ref;
mod instance;
mod ports;
mod runtime;
mod scalars;
mod v1v3;
mod v2;
mod volumes;

use super::{Bundle, Ctx, Options, Platform, shape};
use crate::diag::{Finding, Report};
use crate::syntax::{Node, Value};
use crate::validate::Rule;

/// The exact name EB reads.
pub const FILE_NAME: &str = "Dockerrun.aws.json";

/// Which rule set a file gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Single container, Docker on AL2 without Compose.
    V1,
    /// Multicontainer: ECS on AL2 / the retired MC platform.
    V2,
    /// Docker on AL2 with Compose: only registry authentication.
    V3,
}

impl Version {
    fn as_str(self) -> &'static str {
        match self {
            Version::V1 => "1",
            Version::V2 => "2",
            Version::V3 => "3",
        }
    }
}

/// Bundle-level Dockerrun rules: finds the Dockerrun (R2), validates it,
/// and reports bundles that carry none for the target (R2) or ship a `.env`
/// next to a Compose file (R60).
pub fn check_bundle(bundle: &Bundle, options: &Options, report: &mut Report) {
    if let Some(entry) = bundle.get(FILE_NAME) {
        if let Some(data) = &entry.data {
            let display = bundle.display_name(&entry.name);
            super::validate_dockerrun_file(&display, data, options, Some(bundle), report);
        }
    } else {
        missing_dockerrun(bundle, options, report);
    }
    let compose = has_root_file(bundle, "docker-compose.yml");
    if compose && options.platform == Platform::DockerAl2 && has_root_file(bundle, ".env") {
        report.push_file(
            &bundle.display_name(".env"),
            Rule::R60.warning("the bundle ships a `.env` next to `docker-compose.yml`; EB then does not generate one, so environment properties do not reach the containers",
                "remove `.env` from the bundle and set the values as environment properties, or reference them via `env_file` yourself",
            ),
        );
    }
}

fn has_root_file(bundle: &Bundle, name: &str) -> bool {
    bundle
        .get(name)
        .is_some_and(|e| e.kind != super::EntryKind::Dir)
}

/// True for entries whose last component is `Dockerrun.aws.json` in any
/// case, other than the root file itself.
fn misplaced_candidates(bundle: &Bundle) -> Vec<&super::BundleEntry> {
    bundle
        .entries
        .iter()
        .filter(|e| e.kind != super::EntryKind::Dir && e.name != FILE_NAME)
        .filter(|e| {
            let last = e.name.rsplit(['/', '\\']).next().unwrap_or_default();
            last.eq_ignore_ascii_case(FILE_NAME)
        })
        .filter(|e| {
            !e.name
                .split('/')
                .any(|c| c == "node_modules" || c == "__MACOSX")
        })
        .collect()
}

/// The smallest Dockerrun v2 the ECS platforms run, shown when there is none.
const MINIMAL_V2: &str = r#"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": true, "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}"#;

fn missing_dockerrun(bundle: &Bundle, options: &Options, report: &mut Report) {
    let candidates = misplaced_candidates(bundle);
    // A zip of the folder instead of its contents is reported once, as R7.
    let wrapped = bundle
        .is_zip
        .then(|| super::archive::wrapping_folder(bundle))
        .flatten()
        .map(|(top, _)| format!("{top}/"));
    for c in &candidates {
        let display = bundle.display_name(&c.name);
        let at_root = !c.name.contains('/');
        let (message, help) = if at_root {
            (
                format!(
                    "`{}` is not named exactly `{FILE_NAME}`; EB does not read it (names are case-sensitive)",
                    c.name
                ),
                format!("rename it to `{FILE_NAME}`"),
            )
        } else {
            (
                format!(
                    "`{}` is not at the bundle root; EB only reads `{FILE_NAME}` at the root",
                    c.name
                ),
                format!("move it to the root of the bundle as `{FILE_NAME}`"),
            )
        };
        let under_wrapper = wrapped
            .as_deref()
            .is_some_and(|w| c.name.strip_prefix(w) == Some(FILE_NAME));
        if !under_wrapper {
            report.push_file(&display, Rule::R2.error(message, help));
        }
        if let Some(data) = &c.data {
            super::validate_dockerrun_file(&display, data, options, Some(bundle), report);
        }
    }
    if !candidates.is_empty() {
        return;
    }
    let dockerfile = has_root_file(bundle, "Dockerfile");
    let compose = has_root_file(bundle, "docker-compose.yml");
    let root = bundle.display_name(FILE_NAME);
    match options.platform {
        Platform::EcsAl2 | Platform::McAl1 => {
            let why = if compose {
                "; `docker-compose.yml` is only read by the Docker platform (`--platform docker-al2`)"
            } else if dockerfile {
                "; ECS platforms do not build a `Dockerfile`"
            } else {
                ""
            };
            report.push_file(
                &root,
                Rule::R2.error(format!(
                        "no `{FILE_NAME}` at the bundle root; ECS deployments fail with `No ecs task definition (or empty definition file) found in environment`{why}"
                    ),
                    if compose {
                        format!("target the Docker platform (`--platform docker-al2`, or `platform: docker-al2` in ebpack.yaml), or add a `{FILE_NAME}` with `\"AWSEBDockerrunVersion\": 2` at the bundle root")
                    } else {
                        format!("add a `{FILE_NAME}` at the bundle root; the smallest: `{MINIMAL_V2}`; if the bundle is another folder, point ebpack at it (`ebpack build DIR`, or `bundle: DIR` in ebpack.yaml)")
                    },
                ),
            );
        }
        Platform::DockerAl2 => {
            if !dockerfile && !compose {
                report.push_file(
                    &root,
                    Rule::R2.error("the bundle has no `Dockerfile`, `Dockerrun.aws.json` or `docker-compose.yml` at its root; EB fails with `Both 'Dockerfile' and 'Dockerrun.aws.json' are missing in your source bundle`",
                        "add a `docker-compose.yml`, a `Dockerfile` or a v1 `Dockerrun.aws.json` at the bundle root",
                    ),
                );
            }
        }
    }
}

/// A bare `docker-compose.yml` given to `validate` (EB accepts one as the
/// whole source bundle on the Docker platform). Its contents are Docker's
/// business; what ebpack checks is that the target reads it (R2: the ECS
/// platforms need a `Dockerrun.aws.json` v2 instead).
pub fn check_compose_file(display: &str, options: &Options, report: &mut Report) {
    if options.platform == Platform::DockerAl2 {
        return;
    }
    report.push_file(
        display,
        Rule::R2.error(format!(
                "`docker-compose.yml` is only read by the Docker platform; `--platform {}` deployments fail with `No ecs task definition (or empty definition file) found in environment`",
                options.platform.as_str()
            ),
            format!("validate with `--platform docker-al2`, or deploy a `{FILE_NAME}` with `\"AWSEBDockerrunVersion\": 2` to ECS"),
        ),
    );
}

/// Checks one parsed Dockerrun document.
pub fn check(root: &Node, ctx: &mut Ctx<'_>) {
    let Some(_) = root.entries() else {
        ctx.push(
            Rule::R15
                .error(
                    format!(
                        "the document must be a JSON object, found {}",
                        root.type_name()
                    ),
                    "write `{ \"AWSEBDockerrunVersion\": 2, \"containerDefinitions\": [ … ] }`",
                )
                .at(root),
        );
        return;
    };
    shape::duplicate_keys(ctx, Rule::R15, root, "the top level");
    let version = detect_version(root, ctx);
    platform_fit(root, version, ctx);
    bundle_fit(root, version, ctx);
    match version {
        Version::V1 => v1v3::check_v1(root, ctx),
        Version::V2 => {
            task_size(root, ctx);
            v2::check(root, ctx);
        }
        Version::V3 => v1v3::check_v3(root, ctx),
    }
}

/// The most a task definition may hold: "Task definition size limit: the
/// maximum size, in KiB, of a task definition: 64" (ECS service quotas).
const MAX_TASK_DEFINITION: usize = 64 * 1024;

/// R99: ECS refuses a task definition over [`MAX_TASK_DEFINITION`]. EB
/// registers one built from this file, sent as compact JSON: the file's
/// size without the whitespace between tokens is what it carries (EB drops
/// `AWSEBDockerrunVersion` and `authentication` and adds a little, so the
/// figure is close, not exact).
fn task_size(root: &Node, ctx: &mut Ctx<'_>) {
    let text = ctx.file.text();
    if text.len() <= MAX_TASK_DEFINITION {
        return;
    }
    let size = compact_len(text);
    if size <= MAX_TASK_DEFINITION {
        return;
    }
    let kib = size.div_ceil(1024);
    ctx.push(
        Rule::R99
            .error(
                format!("the task definition EB registers from this file holds about {kib} KiB of JSON; ECS refuses one over 64 KiB (`RegisterTaskDefinition` fails)"),
                "move values out of the file: `secrets` or `environmentFiles` for environment variables, and split containers that need not share a task into other environments",
            )
            .at_start(root),
    );
}

/// Bytes of a JSON text without whitespace outside strings.
fn compact_len(text: &str) -> usize {
    let (mut len, mut in_string, mut escaped) = (0usize, false, false);
    for &b in text.as_bytes() {
        if in_string {
            len += 1;
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            len += 1;
            in_string = b == b'"';
        }
    }
    len
}

/// The version the file declares (R16), or the one its keys suggest.
fn detect_version(root: &Node, ctx: &mut Ctx<'_>) -> Version {
    let guess = guess_version(root, ctx.options.platform);
    let Some(node) = root.get("AWSEBDockerrunVersion") else {
        let help = match guess {
            Version::V2 => "add `\"AWSEBDockerrunVersion\": 2` as the first key",
            Version::V1 => "add `\"AWSEBDockerrunVersion\": \"1\"` as the first key",
            Version::V3 => "add `\"AWSEBDockerrunVersion\": \"3\"` as the first key",
        };
        let typo = root
            .entries()
            .unwrap_or_default()
            .iter()
            .find(|e| is_version_typo(false, &e.key));
        let finding = Rule::R16.error(
            format!(
                "`AWSEBDockerrunVersion` is missing; checking the file as version {} from its keys",
                guess.as_str()
            ),
            help,
        );
        ctx.push(match typo {
            Some(e) => Finding {
                help: "did you mean `AWSEBDockerrunVersion`?".into(),
                ..finding
            }
            .at_key(e),
            None => shape::missing(finding, root),
        });
        return guess;
    };
    let (version, canonical) = match &node.value {
        Value::Number(n) if n.int == Some(2) => (Some(Version::V2), true),
        Value::String(s) if s == "2" => (Some(Version::V2), false),
        Value::String(s) if s == "1" => (Some(Version::V1), true),
        Value::Number(n) if n.int == Some(1) => (Some(Version::V1), false),
        Value::String(s) if s == "3" => (Some(Version::V3), true),
        Value::Number(n) if n.int == Some(3) => (Some(Version::V3), false),
        _ => (None, false),
    };
    match version {
        Some(v) if !canonical => {
            let written = match v {
                Version::V2 => "`2` (an integer)",
                Version::V1 => "the string `\"1\"`",
                Version::V3 => "the string `\"3\"`",
            };
            ctx.push(
                Rule::R16
                    .warning(
                        format!(
                            "`AWSEBDockerrunVersion` is {} `{}`; the documented form is {written}",
                            node.type_name(),
                            shape::show(node)
                        ),
                        format!("write {written}"),
                    )
                    .at(node),
            );
            v
        }
        Some(v) => v,
        None => {
            ctx.push(
                Rule::R16.error(format!(
                        "`AWSEBDockerrunVersion` is `{}`; EB accepts `2` (ECS), `\"1\"` or `\"3\"` (Docker on AL2)",
                        shape::show(node)
                    ),
                    "use `2` for multicontainer (ECS) bundles",
                )
                .at(node),
            );
            guess
        }
    }
}

/// True for a key that is a misspelling of a missing `AWSEBDockerrunVersion`
/// (reported once, by R16). `has_version`: the file has the key (looked up
/// once by the caller: a loop over 10^5 keys must not look it up each time).
fn is_version_typo(has_version: bool, key: &str) -> bool {
    !has_version
        && key.len() < 40
        && shape::distance(&key.to_ascii_lowercase(), "awsebdockerrunversion") <= 3
}

fn guess_version(root: &Node, platform: Platform) -> Version {
    let has = |k: &str| root.get(k).is_some();
    if has("containerDefinitions") || has("volumes") || has("authentication") {
        Version::V2
    } else if has("Image")
        || has("Ports")
        || has("Volumes")
        || has("Logging")
        || has("Command")
        || has("Entrypoint")
    {
        Version::V1
    } else if has("Authentication") {
        Version::V3
    } else if platform == Platform::DockerAl2 {
        Version::V1
    } else {
        Version::V2
    }
}

fn version_node(root: &Node) -> Option<&Node> {
    root.get("AWSEBDockerrunVersion")
}

/// R1: the version must suit the target platform.
fn platform_fit(root: &Node, version: Version, ctx: &mut Ctx<'_>) {
    let Some(node) = version_node(root) else {
        return;
    };
    let platform = ctx.options.platform;
    let finding = match (platform, version) {
        (Platform::EcsAl2 | Platform::McAl1, Version::V1 | Version::V3) => Rule::R1.error(format!(
                "version {} is for the Docker platform; on `{}` EB fails with `ECS Application sourcebundle validation error: Unsupported AWSEBDockerrunVersion`",
                version.as_str(),
                platform.as_str()
            ),
            "write a v2 file with `containerDefinitions`, or validate for `--platform docker-al2`",
        ),
        (Platform::DockerAl2, Version::V2) => Rule::R1.error("version 2 is for the ECS platform; the Docker platform fails with `Invalid Dockerrun.aws.json version, abort deployment.`",
            "deploy to an ECS platform (`--platform ecs-al2`), or use `docker-compose.yml` on the Docker platform",
        ),
        _ => return,
    };
    ctx.push(finding.at(node));
}

/// R1 (Compose needs v3), R3 (Dockerfile ignored), R4 (Compose + v2).
fn bundle_fit(root: &Node, version: Version, ctx: &mut Ctx<'_>) {
    let Some(bundle) = ctx.bundle else { return };
    let dockerfile = has_root_file(bundle, "Dockerfile");
    let compose = has_root_file(bundle, "docker-compose.yml");
    let (span, pointer) = match version_node(root) {
        Some(n) => (n.span.clone(), n.pointer.clone()),
        None => shape::anchor(root),
    };
    if version == Version::V2 && dockerfile {
        ctx.push(
            Rule::R3.warning("the bundle has a `Dockerfile` next to a v2 Dockerrun; ECS platforms do not build images, so it is ignored",
                "build and push the image in CI and reference it in `image`; drop the `Dockerfile` from the bundle",
            )
            .at_span(span.clone(), pointer.clone()),
        );
    }
    if version == Version::V2 && compose {
        ctx.push(
            Rule::R4.warning("the bundle has both `docker-compose.yml` and a v2 Dockerrun: Compose means the Docker platform, v2 the ECS platform",
                "keep `docker-compose.yml` for `docker-al2`, or the v2 Dockerrun for ECS, not both",
            )
            .at_span(span.clone(), pointer.clone()),
        );
    }
    if version == Version::V1 && compose {
        ctx.push(
            Rule::R1.error("the bundle has `docker-compose.yml`, so the Docker platform uses Compose and a Dockerrun must be version 3",
                "use `\"AWSEBDockerrunVersion\": \"3\"` with only `Authentication`, or remove `docker-compose.yml`",
            )
            .at_span(span.clone(), pointer.clone()),
        );
    }
    if version == Version::V3 && !compose {
        ctx.push(
            Rule::R59.error("a version 3 Dockerrun requires `docker-compose.yml` at the bundle root, and there is none",
                "add `docker-compose.yml` at the bundle root, or use version 1 for a single container",
            )
            .at_span(span, pointer),
        );
    }
    if version == Version::V1 {
        v1v3::check_v1_bundle(root, dockerfile, ctx);
    }
}

/// True for names matching `^[A-Za-z0-9_-]{1,255}$` (containers, volumes).
fn is_ecs_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::compact_len;

    #[test]
    fn compact_length_drops_whitespace_between_tokens_only() {
        assert_eq!(
            compact_len("{ \"a b\" :\n\t[1, 2] }\r\n"),
            "{\"a b\":[1,2]}".len()
        );
        assert_eq!(
            compact_len(r#"{"a": "x\" y ", "b\\": 1}"#),
            r#"{"a":"x\" y ","b\\":1}"#.len()
        );
    }
}

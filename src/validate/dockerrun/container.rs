//! One v2 container definition: keys (R21), name (R22), image (R24),
//! memory (R25–R27), cpu (R29), essential (R30) and the per-field shapes of
//! [`super::fields`]. Cross-container rules live in [`super::v2`].

use super::fields;
use super::image_ref;
use crate::syntax::{Entry, Node, Value};
use crate::validate::Rule;
use crate::validate::shape::{self, want_int, want_str};
use crate::validate::{Ctx, Platform};
use std::borrow::Cow;
use std::collections::HashMap;

/// Keys of the ECS `ContainerDefinition` shape.
pub(super) const KEYS: &[&str] = &[
    "name",
    "image",
    "repositoryCredentials",
    "cpu",
    "memory",
    "memoryReservation",
    "links",
    "portMappings",
    "essential",
    "restartPolicy",
    "entryPoint",
    "command",
    "environment",
    "environmentFiles",
    "mountPoints",
    "volumesFrom",
    "linuxParameters",
    "secrets",
    "dependsOn",
    "startTimeout",
    "stopTimeout",
    "versionConsistency",
    "hostname",
    "user",
    "workingDirectory",
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "dockerSecurityOptions",
    "interactive",
    "pseudoTerminal",
    "dockerLabels",
    "ulimits",
    "logConfiguration",
    "healthCheck",
    "systemControls",
    "resourceRequirements",
    "firelensConfiguration",
    "credentialSpecs",
];

/// docker-compose spellings and their ECS names, for "did you mean".
const ALIASES: &[(&str, &str)] = &[
    ("ports", "portMappings"),
    ("container_name", "name"),
    ("restart", "restartPolicy"),
    ("volumes", "mountPoints"),
    ("volumes_from", "volumesFrom"),
    ("working_dir", "workingDirectory"),
    ("mem_limit", "memory"),
    ("mem_reservation", "memoryReservation"),
    ("cpu_shares", "cpu"),
    ("labels", "dockerLabels"),
    ("logging", "logConfiguration"),
    ("dns", "dnsServers"),
    ("dns_search", "dnsSearchDomains"),
    ("read_only", "readonlyRootFilesystem"),
    ("tty", "pseudoTerminal"),
    ("stdin_open", "interactive"),
    ("security_opt", "dockerSecurityOptions"),
    ("env", "environment"),
    ("env_file", "environmentFiles"),
    ("sysctls", "systemControls"),
    ("healthcheck", "healthCheck"),
];

/// What the cross-container rules need to know about one container.
pub(super) struct Container<'a> {
    /// The definition object.
    pub node: &'a Node,
    /// Its name, when it is a valid string.
    pub name: Option<&'a str>,
    /// `container `web`` or `container #2` for messages.
    pub label: String,
    /// `essential` (default true).
    pub essential: bool,
    /// `memory`, when a positive integer.
    pub memory: Option<i64>,
    /// `memoryReservation`, when a positive integer.
    pub reservation: Option<i64>,
    /// `cpu`, when a non-negative integer.
    pub cpu: Option<i64>,
    /// True when it defines a `healthCheck`.
    pub health_check: bool,
    /// The first key that needs an execution role (R19).
    pub needs_role: Option<&'a Entry>,
}

/// Checks container definition `index` and returns what cross rules need.
pub(super) fn check<'a>(node: &'a Node, index: usize, ctx: &mut Ctx<'_>) -> Option<Container<'a>> {
    if node.entries().is_none() {
        shape::wrong_type(
            ctx,
            Rule::R17,
            node,
            &format!("container definition #{}", index + 1),
            "an object",
        );
        return None;
    }
    let name = check_name(node, ctx);
    let label = match name {
        Some(n) => format!("container `{n}`"),
        None => format!("container #{}", index + 1),
    };
    shape::duplicate_keys(ctx, Rule::R21, node, &label);
    let severity = crate::validate::unknown_key_severity(ctx.options);
    for e in node.entries().unwrap_or_default() {
        if !KEYS.contains(&e.key.as_str()) {
            let fallback = match e.key.as_str() {
                "build" => {
                    "ECS does not build images: push the image to a registry and set `image`"
                }
                "depends_on" => {
                    "did you mean `dependsOn` (a list of `{\"containerName\", \"condition\"}`)?"
                }
                _ => {
                    "remove it (ECS rejects unknown container keys), or pass `--allow-unknown-keys`"
                }
            };
            let u = shape::UnknownKey {
                place: &label,
                known: KEYS,
                aliases: ALIASES,
                fallback,
            };
            shape::unknown_key(ctx, Rule::R21, severity, e, &u);
        }
    }
    let view = lookup_view(node);
    let fields_of = &*view;
    check_image(fields_of, &label, ctx);
    let (memory, reservation) = check_memory(fields_of, &label, ctx);
    let cpu = fields_of.get("cpu").and_then(|c| {
        let v = want_int(ctx, Rule::R29, c, &format!("`cpu` of {label}"))?;
        if v < 0 {
            ctx.push(
                Rule::R29
                    .error(
                        format!("`cpu` of {label} is {v}; it must be 0 or more"),
                        "use CPU units, 1024 per vCPU",
                    )
                    .at(c),
            );
            return None;
        }
        Some(v)
    });
    let essential = check_essential(fields_of, &label, ctx);
    fields::check(fields_of, &label, ctx);
    let needs_role = node.entries().unwrap_or_default().iter().find(|e| {
        ["secrets", "repositoryCredentials", "environmentFiles"].contains(&e.key.as_str())
    });
    Some(Container {
        node,
        name,
        label,
        essential,
        memory,
        reservation,
        cpu,
        health_check: fields_of
            .get("healthCheck")
            .is_some_and(|h| h.entries().is_some()),
        needs_role,
    })
}

/// The container as the field checks read it. A definition with far more
/// entries than ECS has keys (repeats, unknown keys) is read through a copy
/// holding only the last occurrence of each known key, at its place (spans
/// and pointers are those of the file): the field checks' 60-odd look-ups
/// then cost 42 entries each, not 10^6.
fn lookup_view(node: &Node) -> Cow<'_, Node> {
    let entries = node.entries().unwrap_or_default();
    if entries.len() <= 2 * KEYS.len() {
        return Cow::Borrowed(node);
    }
    let mut last: HashMap<&str, &Entry> = HashMap::new();
    for e in entries {
        if KEYS.contains(&e.key.as_str()) {
            last.insert(&e.key, e);
        }
    }
    let mut kept: Vec<&Entry> = last.into_values().collect();
    kept.sort_by_key(|e| e.key_span.start);
    Cow::Owned(Node {
        value: Value::Map(kept.into_iter().cloned().collect()),
        span: node.span.clone(),
        pointer: node.pointer.clone(),
        style: node.style,
        tag: node.tag.clone(),
    })
}

/// R22: `name` is required and matches `^[A-Za-z0-9_-]{1,255}$`.
fn check_name<'a>(node: &'a Node, ctx: &mut Ctx<'_>) -> Option<&'a str> {
    let Some(n) = node.get("name") else {
        ctx.push(shape::missing(
            Rule::R22.error("container definition has no `name`; ECS fails with `Container.name should not be null or empty.`",
                "add `\"name\": \"web\"` (letters, digits, `_` and `-`)",
            ),
            node,
        ));
        return None;
    };
    let s = want_str(ctx, Rule::R22, n, "container `name`")?;
    if super::is_ecs_name(s) {
        return Some(s);
    }
    let why = if s.is_empty() {
        "is empty".to_owned()
    } else if s.len() > 255 {
        "is longer than 255 characters".to_owned()
    } else {
        let bad = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
            .unwrap_or(' ');
        let shown = if bad == ' ' {
            "a space".to_owned()
        } else {
            format!("`{bad}`")
        };
        format!("contains {shown}")
    };
    ctx.push(
        Rule::R22.error(format!("container name `{}` {why}; ECS fails with `Container.name contains invalid characters.`", shape::truncate(s, 60)),
            "use only letters, digits, `_` and `-` (1–255 characters)",
        )
        .at(n),
    );
    // Still usable as a reference target for links and mounts.
    (!s.is_empty()).then_some(s)
}

/// R24: `image` is required and a valid reference; W without tag or digest.
fn check_image(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let Some(img) = node.get("image") else {
        ctx.push(shape::missing(
            Rule::R24.error(
                format!("{label} has no `image`; ECS needs an image to pull (it does not build)"),
                "add `\"image\": \"registry/repository:tag\"`",
            ),
            node,
        ));
        return;
    };
    let Some(s) = want_str(ctx, Rule::R24, img, &format!("`image` of {label}")) else {
        return;
    };
    check_reference(s, img, label, Rule::R24, ctx);
}

/// Checks an image reference string (shared with v1 `Image.Name`).
pub(super) fn check_reference(s: &str, node: &Node, label: &str, code: Rule, ctx: &mut Ctx<'_>) {
    match image_ref::parse(s) {
        Ok(r) => {
            if r.tag.is_none() && r.digest.is_none() {
                ctx.push(
                    code.warning(format!("image `{}` of {label} has no tag, so `latest` is pulled at every deployment", shape::truncate(s, 80)),
                        "pin a tag or digest (`ebpack build --image-tag TAG` can set it)",
                    )
                    .at(node),
                );
            }
        }
        Err(why) => ctx.push(
            code.error(format!("image `{}` of {label} {why}", shape::truncate(s, 80)),
                "use `[registry/]repository[:tag][@digest]` with a lowercase repository; substitute templates before bundling",
            )
            .at(node),
        ),
    }
}

/// R25–R27: memory limits. Returns the valid values.
fn check_memory(node: &Node, label: &str, ctx: &mut Ctx<'_>) -> (Option<i64>, Option<i64>) {
    let mem_node = node.get("memory");
    let res_node = node.get("memoryReservation");
    if mem_node.is_none() && res_node.is_none() {
        ctx.push(shape::missing(
            Rule::R25.error(format!("{label} sets neither `memory` nor `memoryReservation`; ECS fails with `At least one of 'memory' or 'memoryReservation' must be specified.`"),
                "add `\"memoryReservation\": 128` (MiB, a soft limit) or `\"memory\"` (a hard limit)",
            ),
            node,
        ));
        return (None, None);
    }
    let mut value = |key: &str, n: Option<&Node>| -> Option<i64> {
        let n = n?;
        let v = want_int(ctx, Rule::R26, n, &format!("`{key}` of {label}"))?;
        if v <= 0 {
            ctx.push(
                Rule::R26
                    .error(
                        format!("`{key}` of {label} is {v}; it must be a positive number of MiB"),
                        "use a value of at least 6 MiB",
                    )
                    .at(n),
            );
            return None;
        }
        let what = if key == "memory" {
            "limit"
        } else {
            "reservation"
        };
        let severity = match ctx.options.platform {
            Platform::McAl1 => crate::diag::Severity::Warning,
            _ => crate::diag::Severity::Error,
        };
        if v < 6 {
            ctx.push(
                Rule::R27.finding(severity,
                    format!("`{key}` of {label} is {v} MiB; Docker's minimum is 6 MiB (`Minimum memory {what} allowed is 6MB`)"),
                    format!("set `{key}` to at least 6"),
                )
                .at(n),
            );
        }
        Some(v)
    };
    let memory = value("memory", mem_node);
    let reservation = value("memoryReservation", res_node);
    if let (Some(m), Some(r), Some(mn)) = (memory, reservation, mem_node)
        && m < r
    {
        let mut f = Rule::R26
            .error(
                format!(
                    "`memory` of {label} is {m} MiB, less than its `memoryReservation` of {r} MiB"
                ),
                "`memory` (hard limit) must be greater than or equal to `memoryReservation`",
            )
            .at(mn);
        if let Some(rn) = res_node {
            f = f.label(rn.span.clone(), "reservation set here");
        }
        ctx.push(f);
    }
    (memory, reservation)
}

/// R30: `essential` is a boolean (a quoted `"true"` is an error, as for
/// every ECS boolean: see [`super::scalars`]).
fn check_essential(node: &Node, label: &str, ctx: &mut Ctx<'_>) -> bool {
    let Some(e) = node.get("essential") else {
        return true;
    };
    // A mistyped value counts as the default (true), so R30's "no
    // essential container" does not pile onto the type error.
    shape::want_bool(ctx, Rule::R30, e, &format!("`essential` of {label}")).unwrap_or(true)
}

//! Dockerrun v2: the top level (R17–R20) and the rules across containers
//! (R23, R28–R30, R32, R34, R46, R54, R55, R52 references).

use super::container::{self, Container};
use super::instance;
use super::volumes::{self, LOGS_PREFIX};
use crate::diag::Finding;
use crate::syntax::Node;
use crate::validate::Ctx;
use crate::validate::Rule;
use crate::validate::shape::{self, Table, want_str};
use std::collections::{HashMap, HashSet};

const TOP_KEYS: &[&str] = &[
    "AWSEBDockerrunVersion",
    "containerDefinitions",
    "volumes",
    "authentication",
    "executionRoleArn",
];

/// Checks a v2 document.
pub(super) fn check(root: &Node, ctx: &mut Ctx<'_>) {
    top_keys(root, ctx);
    authentication(root, ctx);
    let declared = volumes::check_declared(root, ctx);
    let containers = containers(root, ctx);
    execution_role(root, &containers, ctx);
    if containers.is_empty() {
        return;
    }
    // The container names, in order and by name, built once for the
    // rules that refer to containers by name.
    let all = names(&containers);
    let by_name = index(&containers);
    unique_names(&containers, &by_name, ctx);
    essential(root, &containers, ctx);
    host_ports(&containers, ctx);
    links(&containers, &all, &by_name, ctx);
    volumes_from(&containers, &all, &by_name, ctx);
    depends_on(&containers, &all, &by_name, ctx);
    mount_refs(&containers, &declared, ctx);
    instance::check_sums(&containers, ctx);
    web_port(&containers, ctx);
}

/// R17: allowed top-level keys.
fn top_keys(root: &Node, ctx: &mut Ctx<'_>) {
    let has_version = root.get("AWSEBDockerrunVersion").is_some();
    for e in root.entries().unwrap_or_default() {
        let k = e.key.as_str();
        if TOP_KEYS.contains(&k) || super::is_version_typo(has_version, k) {
            continue;
        }
        let f = match k {
            "localContainerDefinitions" => Rule::R17.warning("`localContainerDefinitions` is only read by `eb local`; EB deployments ignore it",
                "keep it only if you use `eb local run`",
            ),
            "Authentication" => Rule::R17.error("`Authentication` is the v1 spelling; v2 reads `authentication` (lowercase) and ignores this key",
                "rename it to `authentication` with `bucket` and `key`",
            ),
            "family"
            | "taskRoleArn"
            | "networkMode"
            | "requiresCompatibilities"
            | "placementConstraints"
            | "cpu"
            | "memory" => Rule::R17.warning(format!(
                    "`{k}` is an ECS task definition key; EB builds the task definition itself and ignores it"
                ),
                "remove it; EB only reads `containerDefinitions`, `volumes`, `authentication` and `executionRoleArn`",
            ),
            _ => {
                let help = match shape::suggest(k, TOP_KEYS, &[]) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("allowed keys: {}", shape::list(TOP_KEYS)),
                };
                let extra = if [
                    "Ports",
                    "Image",
                    "Volumes",
                    "Logging",
                    "Command",
                    "Entrypoint",
                ]
                .contains(&k)
                {
                    " (a v1 key)"
                } else {
                    ""
                };
                Rule::R17.warning(format!(
                        "unknown top-level key `{}`{extra}; EB ignores it",
                        shape::truncate(k, 60)
                    ),
                    help,
                )
            }
        };
        ctx.push(f.at_key(e));
    }
}

/// R18: `authentication` is `{bucket, key}`, both non-empty.
fn authentication(root: &Node, ctx: &mut Ctx<'_>) {
    let Some(a) = root.get("authentication") else {
        return;
    };
    let keys = &["bucket", "key"];
    let Some(mut t) = Table::object(ctx, Rule::R18, a, "`authentication`", keys) else {
        return;
    };
    for key in keys {
        let what = if *key == "bucket" {
            "the S3 bucket"
        } else {
            "the S3 key of the `.dockercfg` file"
        };
        t.require(key, &format!("add `\"{key}\"`: {what}"));
        let Some((v, s)) = t.str(key, &format!("`authentication.{key}`")) else {
            continue;
        };
        if s.trim().is_empty() {
            let f = Rule::R18.error(
                format!("`authentication.{key}` is empty"),
                "give the S3 location of the registry auth file",
            );
            t.push(f.at(v));
        } else if *key == "bucket" && !is_bucket_name(s) {
            let message = format!(
                "`authentication.bucket` `{}` is not a valid S3 bucket name",
                shape::truncate(s, 80)
            );
            let help = "use the bare bucket name (3–63 lowercase letters, digits, `.` and `-`), not a URL or template";
            t.push(Rule::R18.error(message, help).at(v));
        }
    }
}

fn is_bucket_name(s: &str) -> bool {
    let b = s.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// R17 (required, array), R20 (1–10 containers), then each container.
fn containers<'a>(root: &'a Node, ctx: &mut Ctx<'_>) -> Vec<Container<'a>> {
    let Some(node) = root.get("containerDefinitions") else {
        ctx.push(shape::missing(
            Rule::R17.error("`containerDefinitions` is missing; a v2 Dockerrun must list its containers", "add `\"containerDefinitions\": [ { \"name\": …, \"image\": …, \"memoryReservation\": … } ]`"),
            root,
        ));
        return Vec::new();
    };
    let Some(items) = shape::want_seq(
        ctx,
        Rule::R17,
        node,
        "`containerDefinitions`",
        "an array of container definitions",
    ) else {
        return Vec::new();
    };
    if items.is_empty() {
        ctx.push(
            Rule::R20
                .error(
                    "`containerDefinitions` is empty; a task needs at least one container",
                    "add a container definition",
                )
                .at(node),
        );
    }
    if let Some(extra) = items.get(10) {
        ctx.push(Rule::R20.error(format!("`containerDefinitions` has {} containers; ECS allows at most 10 per task definition", items.len()), "move containers to another environment or merge them").at_span(shape::anchor(extra).0, extra.pointer.clone()));
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, c)| container::check(c, i, ctx))
        .collect()
}

/// R19: `executionRoleArn` format, and required by secrets & co.
fn execution_role(root: &Node, containers: &[Container<'_>], ctx: &mut Ctx<'_>) {
    let role = root.get("executionRoleArn");
    if let Some(r) = role {
        if let Some(s) = want_str(ctx, Rule::R19, r, "`executionRoleArn`")
            && !is_role_arn(s)
        {
            ctx.push(
                Rule::R19
                    .warning(
                        format!(
                            "`executionRoleArn` `{}` does not look like an IAM role ARN",
                            shape::truncate(s, 100)
                        ),
                        "use `arn:aws:iam::<12-digit account>:role/<name>`",
                    )
                    .at(r),
            );
        }
        return;
    }
    for c in containers {
        if let Some(e) = c.needs_role {
            ctx.push(
                Rule::R19.error(format!("`{}` of {} needs an execution role, but the file has no `executionRoleArn`", e.key, c.label), "add `\"executionRoleArn\": \"arn:aws:iam::<account>:role/<role>\"` at the top level")
                    .at_key(e),
            );
        }
    }
}

fn is_role_arn(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("arn:aws") else {
        return false;
    };
    let Some((partition, rest)) = rest.split_once(":iam::") else {
        return false;
    };
    let Some((account, role)) = rest.split_once(":role/") else {
        return false;
    };
    partition
        .chars()
        .all(|c| c.is_ascii_alphabetic() || c == '-')
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !role.is_empty()
}

/// R23: container names are unique.
fn unique_names(containers: &[Container<'_>], by_name: &HashMap<&str, usize>, ctx: &mut Ctx<'_>) {
    for (i, c) in containers.iter().enumerate() {
        let Some(name) = c.name else { continue };
        let Some(&j) = by_name.get(name).filter(|&&j| j != i) else {
            continue;
        };
        let first = &containers[j];
        let (Some(n), Some(f)) = (c.node.get("name"), first.node.get("name")) else {
            continue;
        };
        ctx.push(
            Rule::R23.error(format!("container name `{name}` is used twice; ECS fails with `Container names must be unique within a Task Definition.`"), "rename one of the containers")
                .at(n)
                .label(f.span.clone(), "first used here"),
        );
    }
}

/// R30: at least one essential container.
fn essential(root: &Node, containers: &[Container<'_>], ctx: &mut Ctx<'_>) {
    if containers.iter().any(|c| c.essential) {
        return;
    }
    let f = Rule::R30.error("no container is essential; ECS requires at least one (`All tasks must have at least one essential container`)",
        "set `\"essential\": true` on the main container (omitting it also means true)",
    );
    ctx.push(
        match containers.iter().find_map(|c| c.node.get("essential")) {
            Some(e) => f.at(e),
            None => shape::missing(f, root.get("containerDefinitions").unwrap_or(root)),
        },
    );
}

/// R32: a (hostPort, protocol) pair is used once across all containers.
fn host_ports(containers: &[Container<'_>], ctx: &mut Ctx<'_>) {
    let mut seen: HashMap<(i64, &str), (&Node, &str)> = HashMap::new();
    for c in containers {
        let Some(items) = c.node.get("portMappings").and_then(Node::items) else {
            continue;
        };
        for m in items {
            let Some(hp) = m.get("hostPort") else {
                continue;
            };
            let Some(port) = hp.as_i64().filter(|p| *p > 0) else {
                continue;
            };
            let proto = match m.get("protocol").map(Node::as_str) {
                None => "tcp",
                Some(Some(p @ ("tcp" | "udp"))) => p,
                Some(_) => continue,
            };
            if let Some((first, who)) = seen.get(&(port, proto)) {
                let msg = format!(
                    "host port {port}/{proto} of {} is already mapped by {who}; ECS fails with `{} host port '{port}' is mapped multiple times in task`",
                    c.label,
                    proto.to_ascii_uppercase()
                );
                ctx.push(
                    Rule::R32
                        .error(
                            msg,
                            "give each container its own host port, or `0` for a dynamic one",
                        )
                        .at(hp)
                        .label(first.span.clone(), "first mapped here"),
                );
            } else {
                seen.insert((port, proto), (hp, &c.label));
            }
        }
    }
}

fn names<'a>(containers: &[Container<'a>]) -> Vec<&'a str> {
    containers.iter().filter_map(|c| c.name).collect()
}

/// Each container name and the index of the first container with it.
fn index<'a>(containers: &[Container<'a>]) -> HashMap<&'a str, usize> {
    let mut out = HashMap::with_capacity(containers.len());
    for (i, c) in containers.iter().enumerate() {
        if let Some(name) = c.name {
            out.entry(name).or_insert(i);
        }
    }
    out
}

fn unknown_container(
    kind: &str,
    target: &str,
    c: &Container<'_>,
    all: &[&str],
    node: &Node,
    code: Rule,
) -> Finding {
    if target.is_empty() {
        let help = format!(
            "name one of the containers of this file: {}",
            shape::list(all)
        );
        return code
            .error(format!("{kind} of {} is empty", c.label), help)
            .at(node);
    }
    let help = match shape::suggest(target, all, &[]) {
        Some(s) if s != target => format!("did you mean `{s}`?"),
        _ => format!(
            "name one of the containers of this file: {}",
            shape::list(all)
        ),
    };
    code.error(
        format!(
            "{kind} of {} names `{}`, which is not a container in this file",
            c.label,
            shape::truncate(target, 60)
        ),
        help,
    )
    .at(node)
}

/// R54: links name other containers; W on cycles.
fn links(
    containers: &[Container<'_>],
    all: &[&str],
    by_name: &HashMap<&str, usize>,
    ctx: &mut Ctx<'_>,
) {
    let mut edges: Vec<(usize, usize, &Node)> = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        let Some(items) = c.node.get("links").and_then(Node::items) else {
            continue;
        };
        for l in items {
            let Some(s) = l.as_str() else { continue };
            let (target, alias) = match s.split_once(':') {
                Some((t, a)) => (t, Some(a)),
                None => (s, None),
            };
            if alias.is_some_and(str::is_empty) || target.is_empty() {
                ctx.push(
                    Rule::R54
                        .error(
                            format!(
                                "link `{}` of {} is not `name` or `name:alias`",
                                shape::truncate(s, 60),
                                c.label
                            ),
                            "write `\"db\"` or `\"db:database\"`",
                        )
                        .at(l),
                );
                continue;
            }
            if Some(target) == c.name {
                ctx.push(
                    Rule::R54
                        .error(format!("{} links to itself", c.label), "remove the link")
                        .at(l),
                );
                continue;
            }
            match by_name.get(target) {
                Some(&j) => edges.push((i, j, l)),
                None => ctx.push(unknown_container("a link", target, c, all, l, Rule::R54)),
            }
        }
    }
    if let Some((i, node)) = find_cycle(containers.len(), &edges) {
        ctx.push(
            Rule::R54.warning(format!("the links of {} form a cycle; Docker links need the linked container to start first", containers[i].label), "break the cycle; use a shared network name or `dependsOn` instead")
                .at(node),
        );
    }
}

/// A node on a cycle of `edges`, with the edge that closes it. Linear in
/// nodes and edges: each node's edges are looked up by index.
fn find_cycle<'n>(n: usize, edges: &[(usize, usize, &'n Node)]) -> Option<(usize, &'n Node)> {
    // The edges leaving each node, in the order they were written.
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, (a, _, _)) in edges.iter().enumerate() {
        if let Some(list) = out.get_mut(*a) {
            list.push(e);
        }
    }
    // Iterative DFS with colours: 0 new, 1 on stack, 2 done.
    let mut colour = vec![0u8; n];
    for start in 0..n {
        if colour[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        colour[start] = 1;
        while let Some((v, next)) = stack.pop() {
            if let Some(&e) = out[v].get(next) {
                let (_, w, node) = edges[e];
                stack.push((v, next + 1));
                match colour.get(w) {
                    Some(1) => return Some((v, node)),
                    Some(0) => {
                        colour[w] = 1;
                        stack.push((w, 0));
                    }
                    _ => {}
                }
            } else {
                colour[v] = 2;
            }
        }
    }
    None
}

/// R55: `volumesFrom` names other containers.
fn volumes_from(
    containers: &[Container<'_>],
    all: &[&str],
    by_name: &HashMap<&str, usize>,
    ctx: &mut Ctx<'_>,
) {
    for c in containers {
        let Some(items) = c.node.get("volumesFrom").and_then(Node::items) else {
            continue;
        };
        for v in items {
            let Some(sc) = v.get("sourceContainer") else {
                continue;
            };
            let Some(s) = sc.as_str() else { continue };
            if Some(s) == c.name {
                ctx.push(
                    Rule::R55
                        .error(
                            format!("{} takes volumes from itself", c.label),
                            "name another container",
                        )
                        .at(sc),
                );
            } else if !by_name.contains_key(s) {
                ctx.push(unknown_container("`volumesFrom`", s, c, all, sc, Rule::R55));
            }
        }
    }
}

/// R46: dependency targets exist, conditions fit them, no cycles.
fn depends_on(
    containers: &[Container<'_>],
    all: &[&str],
    by_name: &HashMap<&str, usize>,
    ctx: &mut Ctx<'_>,
) {
    let mut edges: Vec<(usize, usize, &Node)> = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        let Some(items) = c.node.get("dependsOn").and_then(Node::items) else {
            continue;
        };
        for d in items {
            let Some(cn) = d.get("containerName") else {
                continue;
            };
            let Some(target) = cn.as_str() else { continue };
            let Some(&j) = by_name.get(target) else {
                ctx.push(unknown_container(
                    "`dependsOn`",
                    target,
                    c,
                    all,
                    cn,
                    Rule::R46,
                ));
                continue;
            };
            if i == j {
                ctx.push(
                    Rule::R46
                        .error(
                            format!("{} depends on itself", c.label),
                            "remove the dependency",
                        )
                        .at(cn),
                );
                continue;
            }
            edges.push((i, j, cn));
            let other = &containers[j];
            match d.get("condition").and_then(Node::as_str) {
                Some(cond @ ("COMPLETE" | "SUCCESS")) if other.essential => ctx.push(
                    Rule::R46.error(format!("{} waits for {} to {}, but {} is essential (an essential container must keep running)", c.label, other.label, cond.to_ascii_lowercase(), other.label), format!("set `\"essential\": false` on {} or use `START`/`HEALTHY`", other.label))
                        .at(d.get("condition").unwrap_or(d)),
                ),
                Some("HEALTHY") if !other.health_check => ctx.push(
                    Rule::R46.error(format!("{} waits for {} to be healthy, but {} has no `healthCheck`", c.label, other.label, other.label), format!("add a `healthCheck` to {} or use `START`", other.label))
                        .at(d.get("condition").unwrap_or(d)),
                ),
                _ => {}
            }
        }
    }
    if let Some((i, node)) = find_cycle(containers.len(), &edges) {
        ctx.push(
            Rule::R46
                .error(
                    format!(
                        "the `dependsOn` of {} forms a cycle; ECS cannot start any of them",
                        containers[i].label
                    ),
                    "remove one dependency of the cycle",
                )
                .at(node),
        );
    }
}

/// R34 (web tier): something should listen on host port 80, unless the
/// bundle configures other listeners. Only with a bundle, and only when
/// the file maps host ports at all (worker environments map none).
fn web_port(containers: &[Container<'_>], ctx: &mut Ctx<'_>) {
    let Some(bundle) = ctx.bundle else { return };
    let mut first_host: Option<&Node> = None;
    for c in containers {
        for m in c
            .node
            .get("portMappings")
            .and_then(Node::items)
            .unwrap_or_default()
        {
            if let Some(hp) = m.get("hostPort") {
                if hp.as_i64() == Some(80) {
                    return;
                }
                if hp.as_i64().is_some_and(|p| p > 0) && first_host.is_none() {
                    first_host = Some(hp);
                }
            }
        }
    }
    let Some(hp) = first_host else { return };
    if instance::has_listener_config(bundle) {
        return;
    }
    ctx.push(
        Rule::R34.warning("no container maps host port 80, where EB's load balancer forwards traffic by default", "map the web container to `\"hostPort\": 80`, or configure a listener (`aws:elbv2:listener:<port>`) for this port in `.ebextensions`")
            .at(hp),
    );
}

/// R52: every `sourceVolume` names a declared volume or `awseb-logs-<container>`.
fn mount_refs(containers: &[Container<'_>], declared: &[(&str, &Node)], ctx: &mut Ctx<'_>) {
    let names: Vec<&str> = containers.iter().filter_map(|c| c.name).collect();
    let name_set: HashSet<&str> = names.iter().copied().collect();
    let declared_set: HashSet<&str> = declared.iter().map(|(d, _)| *d).collect();
    let known: Vec<&str> = declared.iter().map(|(d, _)| *d).collect();
    for c in containers {
        let Some(items) = c.node.get("mountPoints").and_then(Node::items) else {
            continue;
        };
        for m in items {
            let Some(sv) = m.get("sourceVolume") else {
                continue;
            };
            let Some(s) = sv.as_str() else { continue };
            if declared_set.contains(s) {
                continue;
            }
            if s.is_empty() {
                let message = format!(
                    "a mount point of {} has an empty `sourceVolume`; ECS fails with `Unknown volume ''`",
                    c.label
                );
                let help = "name a volume declared in `volumes`, or `awseb-logs-<container>`";
                ctx.push(Rule::R52.error(message, help).at(sv));
                continue;
            }
            if let Some(target) = s.strip_prefix(LOGS_PREFIX) {
                if name_set.contains(target) {
                    continue;
                }
                let help = match shape::suggest(target, &names, &[]) {
                    Some(n) => format!(
                        "EB adds `{LOGS_PREFIX}<container name>` volumes only; did you mean `{LOGS_PREFIX}{n}`?"
                    ),
                    None => format!(
                        "EB adds `{LOGS_PREFIX}<container name>` volumes only; use the name of a container in this file"
                    ),
                };
                ctx.push(Rule::R52.error(format!("mount point of {} uses `{}`, but there is no container `{}`; ECS fails with `Unknown volume '{}'`", c.label, shape::truncate(s, 60), shape::truncate(target, 60), shape::truncate(s, 60)), help).at(sv));
                continue;
            }
            let help = match shape::suggest(s, &known, &[]) {
                Some(n) => format!("did you mean `{n}`?"),
                None if s.starts_with('/') => "`sourceVolume` is the name of an entry in `volumes`, not a host path; declare a volume with this `host.sourcePath`".to_owned(),
                None => format!("declare it in `volumes` (`{{\"name\": \"{}\", \"host\": {{\"sourcePath\": \"/…\"}}}}`)", shape::truncate(s, 40)),
            };
            ctx.push(Rule::R52.error(format!("mount point of {} uses volume `{}`, which is not declared in `volumes`; ECS fails with `Unknown volume '{}'`", c.label, shape::truncate(s, 60), shape::truncate(s, 60)), help).at(sv));
        }
    }
}

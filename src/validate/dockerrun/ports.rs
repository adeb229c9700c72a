//! Port mappings of a v2 container (R31, R33, per-container R32).

use crate::syntax::Node;
use crate::validate::Ctx;
use crate::validate::Rule;
use crate::validate::shape::{self, want_int_in, want_seq};
use std::collections::HashMap;

/// R31, R33 and the per-container part of R32.
pub(super) fn port_mappings(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`portMappings` of {label}");
    let Some(items) = want_seq(
        ctx,
        Rule::R31,
        node,
        &what,
        "an array of `{\"containerPort\", \"hostPort\"}` objects",
    ) else {
        return;
    };
    let mut seen: HashMap<(i64, String), &Node> = HashMap::new();
    for m in items {
        if m.entries().is_none() {
            shape::wrong_type(
                ctx,
                Rule::R31,
                m,
                &format!("a port mapping of {label}"),
                "an object",
            );
            continue;
        }
        let place = format!("a port mapping of {label}");
        shape::unknown_keys_in(
            ctx,
            Rule::R31,
            m,
            &place,
            &[
                "containerPort",
                "hostPort",
                "protocol",
                "name",
                "appProtocol",
                "containerPortRange",
            ],
        );
        let protocol = match m.get("protocol") {
            None => Some("tcp".to_owned()),
            Some(p) => match p.as_str() {
                Some(s @ ("tcp" | "udp")) => Some(s.to_owned()),
                Some(s) => {
                    let help = if s.eq_ignore_ascii_case("tcp") || s.eq_ignore_ascii_case("udp") {
                        format!("write `\"{}\"` in lowercase", s.to_ascii_lowercase())
                    } else {
                        "use `\"tcp\"` or `\"udp\"`".to_owned()
                    };
                    ctx.push(
                        Rule::R31
                            .error(
                                format!(
                                    "`protocol` `{}` of {label} is not `tcp` or `udp`",
                                    shape::truncate(s, 40)
                                ),
                                help,
                            )
                            .at(p),
                    );
                    None
                }
                None => {
                    shape::wrong_type(
                        ctx,
                        Rule::R31,
                        p,
                        "`protocol`",
                        "the string `\"tcp\"` or `\"udp\"`",
                    );
                    None
                }
            },
        };
        let container_port =
            match m.get("containerPort") {
                Some(cp) => want_int_in(
                    ctx,
                    Rule::R31,
                    cp,
                    &format!("`containerPort` of {label}"),
                    1,
                    65535,
                )
                .map(|v| (v, cp)),
                None => {
                    if m.get("containerPortRange").is_none() {
                        ctx.push(
                        Rule::R31.error(format!("a port mapping of {label} has no `containerPort`"),
                            "add `\"containerPort\": 80` (the port the application listens on)",
                        )
                        .at_span(m.span.start..m.span.start + 1, m.pointer.clone()),
                    );
                    }
                    None
                }
            };
        if let Some(hp) = m.get("hostPort")
            && let Some(v) = want_int_in(
                ctx,
                Rule::R31,
                hp,
                &format!("`hostPort` of {label}"),
                0,
                65535,
            )
        {
            reserved_port(v, hp, label, ctx);
        }
        if let (Some((port, cp)), Some(proto)) = (container_port, protocol) {
            if let Some(first) = seen.get(&(port, proto.clone())) {
                ctx.push(
                    Rule::R32
                        .error(
                            format!("{label} maps container port {port}/{proto} more than once"),
                            "keep one mapping per container port and protocol",
                        )
                        .at(cp)
                        .label(first.span.clone(), "first mapped here"),
                );
            } else {
                seen.insert((port, proto), cp);
            }
        }
    }
}

/// R33: reserved host ports (E) and the dynamic range (W).
fn reserved_port(port: i64, node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let reserved = match port {
        22 => Some("SSH"),
        2375 | 2376 => Some("the Docker daemon"),
        51678..=51680 => Some("the ECS agent"),
        _ => None,
    };
    if let Some(owner) = reserved {
        ctx.push(
            Rule::R33.error(format!(
                    "`hostPort` {port} of {label} is reserved for {owner} on the container instance"
                ),
                "map the container to another host port",
            )
            .at(node),
        );
    } else if port >= 32768 {
        ctx.push(
            Rule::R33.warning(format!("`hostPort` {port} of {label} is in the dynamic port range ECS and Docker allocate from, so it may already be taken"), "use a host port below 32768, or `0` for a dynamic port")
                .at(node),
        );
    }
}

//! Every boolean and integer of the ECS shapes a v2 Dockerrun uses, and the
//! rule that reports a wrong type there.
//!
//! One rule for all of them: ECS types these members `Boolean`/`BoxedBoolean`
//! and `Integer`/`BoxedInteger` (ECS API model), so a quoted `"true"` or
//! `"80"` is an error wherever it appears, whichever rule reports it, and
//! every report goes through [`shape::want_bool`] / [`shape::want_int`].
//! Most members have a rule of their own that checks the type among other
//! things (ports, memory, health check ranges); the members no other check
//! reads (`linuxParameters`, `restartPolicy`, volume configurations) are
//! checked here ([`check`]). The paths are the output of
//! `docs/rules/ecs-scalars.py` over the ECS API model; the unit tests feed
//! a quoted value to every one of them and expect an error at its place.

use crate::syntax::Node;
use crate::validate::shape;
use crate::validate::{Ctx, Rule};

/// The JSON type ECS wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `Boolean` / `BoxedBoolean`.
    Bool,
    /// `Integer` / `BoxedInteger` / `Long`.
    Int,
    /// A list of integers (`IntegerList`).
    Ints,
}

/// One member: its path (`a.b`, `a[].b` for the objects of an array), its
/// type, the rule that reports it and whether [`check`] does (`false`: the
/// rule's own check reads it).
pub(super) struct Scalar {
    pub path: &'static str,
    pub kind: Kind,
    pub rule: Rule,
    pub here: bool,
}

const fn s(path: &'static str, kind: Kind, rule: Rule, here: bool) -> Scalar {
    Scalar {
        path,
        kind,
        rule,
        here,
    }
}

use Kind::{Bool, Int, Ints};

/// Members of `ContainerDefinition`.
pub(super) const CONTAINER: &[Scalar] = &[
    s("cpu", Int, Rule::R29, false),
    s("memory", Int, Rule::R26, false),
    s("memoryReservation", Int, Rule::R26, false),
    s("portMappings[].containerPort", Int, Rule::R31, false),
    s("portMappings[].hostPort", Int, Rule::R31, false),
    s("essential", Bool, Rule::R30, false),
    s("restartPolicy.enabled", Bool, Rule::R41, true),
    s("restartPolicy.ignoredExitCodes", Ints, Rule::R41, true),
    s("restartPolicy.restartAttemptPeriod", Int, Rule::R41, true),
    s("mountPoints[].readOnly", Bool, Rule::R52, false),
    s("volumesFrom[].readOnly", Bool, Rule::R55, false),
    s("linuxParameters.initProcessEnabled", Bool, Rule::R41, true),
    s("linuxParameters.sharedMemorySize", Int, Rule::R41, true),
    s("linuxParameters.tmpfs[].size", Int, Rule::R41, true),
    s("linuxParameters.maxSwap", Int, Rule::R41, true),
    s("linuxParameters.swappiness", Int, Rule::R41, true),
    s("startTimeout", Int, Rule::R47, false),
    s("stopTimeout", Int, Rule::R47, false),
    s("disableNetworking", Bool, Rule::R41, false),
    s("privileged", Bool, Rule::R41, false),
    s("readonlyRootFilesystem", Bool, Rule::R41, false),
    s("interactive", Bool, Rule::R41, false),
    s("pseudoTerminal", Bool, Rule::R41, false),
    s("ulimits[].softLimit", Int, Rule::R44, false),
    s("ulimits[].hardLimit", Int, Rule::R44, false),
    s("healthCheck.interval", Int, Rule::R45, false),
    s("healthCheck.timeout", Int, Rule::R45, false),
    s("healthCheck.retries", Int, Rule::R45, false),
    s("healthCheck.startPeriod", Int, Rule::R45, false),
];

/// Members of `Volume` (top-level `volumes` items).
pub(super) const VOLUME: &[Scalar] = &[
    s(
        "dockerVolumeConfiguration.autoprovision",
        Bool,
        Rule::R50,
        true,
    ),
    s(
        "efsVolumeConfiguration.transitEncryptionPort",
        Int,
        Rule::R50,
        true,
    ),
    s(
        "s3filesVolumeConfiguration.transitEncryptionPort",
        Int,
        Rule::R50,
        true,
    ),
    s("configuredAtLaunch", Bool, Rule::R50, true),
];

/// The nodes at `path` under `node` (several through arrays); parts that
/// are missing or of another shape yield nothing (their own rules, or none,
/// report them).
fn find<'n>(node: &'n Node, path: &str, out: &mut Vec<&'n Node>) {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let (key, each) = match head.strip_suffix("[]") {
        Some(k) => (k, true),
        None => (head, false),
    };
    let Some(child) = node.get(key) else {
        return;
    };
    let children: Vec<&Node> = if each {
        child
            .items()
            .map(|i| i.iter().collect())
            .unwrap_or_default()
    } else {
        vec![child]
    };
    for c in children {
        match rest {
            Some(r) => find(c, r, out),
            None => out.push(c),
        }
    }
}

/// Checks the members of `table` that no other rule reads, under the
/// object `obj` (a container or a volume named by `label`).
pub(super) fn check(obj: &Node, table: &[Scalar], label: &str, ctx: &mut Ctx<'_>) {
    for m in table.iter().filter(|m| m.here) {
        let mut found = Vec::new();
        find(obj, m.path, &mut found);
        if found.is_empty() {
            continue;
        }
        let what = format!("`{}` of {label}", m.path);
        for n in found {
            match m.kind {
                Bool => {
                    shape::want_bool(ctx, m.rule, n, &what);
                }
                Int => {
                    shape::want_int(ctx, m.rule, n, &what);
                }
                Ints => {
                    let expected = "an array of integers";
                    for i in shape::want_seq(ctx, m.rule, n, &what, expected).unwrap_or_default() {
                        shape::want_int(ctx, m.rule, i, &format!("an item of {what}"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Report, Severity};
    use crate::validate::{Options, Platform, validate_dockerrun_file};
    use serde_json::{Value, json};

    /// Sets `path` of `obj` to `value`, making the objects and one-item
    /// arrays on the way; returns the JSON pointer of the value.
    fn set(obj: &mut Value, path: &str, value: Value) -> String {
        let mut pointer = String::new();
        let mut cur = obj;
        let parts: Vec<&str> = path.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let (key, each) = match part.strip_suffix("[]") {
                Some(k) => (k, true),
                None => (*part, false),
            };
            pointer.push('/');
            pointer.push_str(key);
            let map = cur.as_object_mut().expect("object");
            if last && !each {
                map.insert(key.to_owned(), value);
                return pointer;
            }
            let slot = map
                .entry(key.to_owned())
                .or_insert_with(|| if each { json!([{}]) } else { json!({}) });
            cur = if each {
                pointer.push_str("/0");
                &mut slot[0]
            } else {
                slot
            };
        }
        unreachable!("paths are not empty")
    }

    fn findings(doc: &Value) -> Report {
        let options = Options {
            platform: Platform::EcsAl2,
            allow_unknown_keys: false,
        };
        let mut report = Report::default();
        let text = doc.to_string();
        validate_dockerrun_file(
            "Dockerrun.aws.json",
            text.as_bytes(),
            &options,
            None,
            &mut report,
        );
        report
    }

    /// A document whose container (or first volume) has `value` at `path`,
    /// and the pointer of that value.
    fn doc(volume: bool, path: &str, value: Value) -> (Value, String) {
        let mut c = json!({"name": "web", "image": "nginx:1.25", "memoryReservation": 8});
        let mut v = json!({"name": "data", "host": {"sourcePath": "/data"}});
        let (target, prefix) = if volume {
            (&mut v, "/volumes/0")
        } else {
            (&mut c, "/containerDefinitions/0")
        };
        let pointer = format!("{prefix}{}", set(target, path, value));
        let doc = json!({
            "AWSEBDockerrunVersion": 2,
            "volumes": [v],
            "containerDefinitions": [c],
        });
        (doc, pointer)
    }

    fn cases() -> impl Iterator<Item = (bool, &'static Scalar)> {
        CONTAINER
            .iter()
            .map(|m| (false, m))
            .chain(VOLUME.iter().map(|m| (true, m)))
    }

    #[test]
    fn a_quoted_boolean_or_integer_is_an_error_everywhere() {
        for (volume, m) in cases() {
            let (quoted, mut at) = match m.kind {
                Bool => (json!("true"), String::new()),
                Int => (json!("8"), String::new()),
                Ints => (json!(["8"]), "/0".to_owned()),
            };
            let (doc, pointer) = doc(volume, m.path, quoted);
            at.insert_str(0, &pointer);
            let report = findings(&doc);
            let hit = report.diagnostics.iter().find(|d| d.pointer == at);
            let Some(d) = hit else {
                panic!(
                    "{}: nothing reported at {at}: {:#?}",
                    m.path, report.diagnostics
                );
            };
            assert_eq!(
                (d.code, d.severity),
                (m.rule.code(), Severity::Error),
                "{}",
                m.path
            );
            assert!(
                d.help.starts_with("remove the quotes"),
                "{}: {}",
                m.path,
                d.help
            );
        }
    }

    #[test]
    fn the_right_type_passes() {
        for (volume, m) in cases() {
            let value = match m.kind {
                Bool => json!(true),
                Int => json!(8),
                Ints => json!([8]),
            };
            let (doc, pointer) = doc(volume, m.path, value);
            let report = findings(&doc);
            let hit = report
                .diagnostics
                .iter()
                .find(|d| d.pointer.starts_with(&pointer) && d.severity == Severity::Error);
            assert!(hit.is_none(), "{}: {hit:#?}", m.path);
        }
    }
}

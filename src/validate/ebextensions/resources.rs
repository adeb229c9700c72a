//! `Resources`, `Outputs` and functions (R91); the other template sections
//! are in `template.rs`.

use super::common::{type_desc, unknown_key, unknown_key_help};
use crate::diag::Severity;
use crate::syntax::{Entry, Node};
use crate::validate::Ctx;
use crate::validate::Rule;

const RESOURCE_KEYS: [&str; 9] = [
    "Type",
    "Properties",
    "Metadata",
    "DependsOn",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "Condition",
];
const OUTPUT_KEYS: [&str; 4] = ["Value", "Description", "Export", "Condition"];
/// Functions EB documents for configuration files, plus `Fn::FindInMap`,
/// the only way to read the `Mappings` section EB documents, and the
/// condition functions, which are what a `Conditions` section is made of
/// (AWS's own configs for EB use them: the EB CLI's `cwl-setup-v1.config`
/// defines a condition with `Fn::Not` and `Fn::Equals`, and its CloudWatch
/// Logs configs use it with `Fn::If`).
const FUNCTIONS: [&str; 10] = [
    "Fn::GetAtt",
    "Fn::Join",
    "Fn::GetOptionSetting",
    "Fn::ImportValue",
    "Fn::FindInMap",
    "Fn::And",
    "Fn::Equals",
    "Fn::If",
    "Fn::Not",
    "Fn::Or",
];

/// How many arguments CloudFormation's condition functions take.
fn condition_arity(name: &str) -> Option<(usize, usize, &'static str)> {
    match name {
        "Fn::If" => Some((3, 3, "`[condition name, value if true, value if false]`")),
        "Fn::Equals" => Some((2, 2, "`[value, value]`")),
        "Fn::Not" => Some((1, 1, "`[condition]`")),
        "Fn::And" | "Fn::Or" => Some((2, 10, "a list of 2 to 10 conditions")),
        _ => None,
    }
}

/// Checks `Resources`.
pub(super) fn check_resources(node: &Node, ctx: &mut Ctx<'_>) {
    let Some(resources) = map_section("Resources", node, ctx) else {
        return;
    };
    for r in resources {
        resource(r, ctx);
    }
    functions(node, ctx);
}

fn map_section<'n>(name: &str, node: &'n Node, ctx: &mut Ctx<'_>) -> Option<&'n [Entry]> {
    let help = format!("write `{name}:` then `  LogicalName:` with its settings");
    super::common::section(name, Rule::R91, node, &help, ctx)
}

fn resource(r: &Entry, ctx: &mut Ctx<'_>) {
    let id = &r.key;
    let Some(keys) = r.value.entries() else {
        ctx.push(
            Rule::R91
                .error(
                    format!(
                        "resource `{id}` must be a mapping, found {}",
                        type_desc(&r.value)
                    ),
                    "write `Type:` and `Properties:` under the logical name",
                )
                .at(&r.value),
        );
        return;
    };
    let eb_owned = id.starts_with("AWSEB");
    match r.value.get("Type") {
        None if !eb_owned => ctx.push(
            Rule::R91.error(format!("resource `{id}` has no `Type`"),
                "add `Type: AWS::Service::Resource`; only EB's own `AWSEB*` resources may omit it",
            )
            .at_key(r),
        ),
        Some(t) if t.as_str().is_none() => ctx.push(
            Rule::R91.error(format!(
                    "`Type` of resource `{id}` must be a string, found {}",
                    type_desc(t)
                ),
                "write `Type: AWS::Service::Resource`",
            )
            .at(t),
        ),
        Some(t) => {
            let s = t.as_str().unwrap_or_default();
            if !(s.starts_with("AWS::") || s.starts_with("Custom::") || s.contains("::")) {
                ctx.push(
                    Rule::R91.error(format!("`Type` of resource `{id}` is `{s}`, not a CloudFormation type"),
                        "use a type such as `AWS::SQS::Queue`",
                    )
                    .at(t),
                );
            }
        }
        None => {}
    }
    if let Some(p) = r.value.get("Properties")
        && p.entries().is_none()
        && !super::common::is_cfn_function(p)
    {
        ctx.push(
            Rule::R91
                .error(
                    format!(
                        "`Properties` of resource `{id}` must be a mapping, found {}",
                        type_desc(p)
                    ),
                    "indent the properties under `Properties:`",
                )
                .at(p),
        );
    }
    for k in keys {
        // `CmpFn::Remove` etc.: EB's own merge directives for its resources.
        let eb_directive = eb_owned && k.key.starts_with("CmpFn::");
        if !RESOURCE_KEYS.contains(&k.key.as_str()) && !eb_directive {
            ctx.push(
                Rule::R91
                    .warning(
                        format!("unknown attribute `{}` in resource `{id}`", k.key),
                        unknown_key_help(&k.key, &RESOURCE_KEYS),
                    )
                    .at_key(k),
            );
        }
    }
}

/// Checks `Outputs`.
pub(super) fn check_outputs(node: &Node, ctx: &mut Ctx<'_>) {
    let Some(outputs) = map_section("Outputs", node, ctx) else {
        return;
    };
    for o in outputs {
        let Some(keys) = o.value.entries() else {
            ctx.push(
                Rule::R91
                    .error(
                        format!(
                            "output `{}` must be a mapping with `Value`, found {}",
                            o.key,
                            type_desc(&o.value)
                        ),
                        "write `Value:` under the output name",
                    )
                    .at(&o.value),
            );
            continue;
        };
        if o.value.get("Value").is_none() {
            ctx.push(
                Rule::R91
                    .error(
                        format!("output `{}` has no `Value`", o.key),
                        "add `Value: ...`",
                    )
                    .at_key(o),
            );
        }
        for k in keys {
            if !OUTPUT_KEYS.contains(&k.key.as_str()) {
                ctx.push(unknown_key(
                    Rule::R91,
                    Severity::Warning,
                    k,
                    &format!("output `{}`", o.key),
                    &OUTPUT_KEYS,
                ));
            }
        }
    }
    functions(node, ctx);
}

/// Undocumented functions (W), `Fn::GetOptionSetting` arguments and the
/// arguments of condition functions.
pub(super) fn functions(node: &Node, ctx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    node.walk(&mut |n| {
        let Some([e]) = n.entries() else {
            return;
        };
        let name = e.key.as_str();
        if !name.starts_with("Fn::") {
            return;
        }
        if !FUNCTIONS.contains(&name) {
            found.push(
                Rule::R91.warning(format!("function `{name}` is not documented for configuration files"),
                    "EB documents `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::GetOptionSetting` and `Fn::ImportValue`; check that it works on your platform",
                )
                .at_key(e),
            );
        } else if let Some((min, max, form)) = condition_arity(name) {
            let n = e.value.items().map(<[Node]>::len);
            if !n.is_some_and(|n| (min..=max).contains(&n)) {
                let got = match n {
                    Some(n) => format!("a list of {n}"),
                    None => type_desc(&e.value),
                };
                found.push(
                    Rule::R91
                        .error(
                            format!("`{name}` takes {form}, found {got}"),
                            "CloudFormation rejects the template otherwise; fix the arguments",
                        )
                        .at(&e.value),
                );
            } else if name == "Fn::If"
                && let Some(c) = e.value.items().and_then(<[Node]>::first)
                && c.as_str().is_none()
            {
                found.push(
                    Rule::R91
                        .error(
                            format!("`Fn::If` takes a condition name first, found {}", type_desc(c)),
                            "name a condition of the `Conditions` section",
                        )
                        .at(c),
                );
            }
        } else if name == "Fn::GetOptionSetting" {
            match e.value.entries() {
                Some(args) => {
                    if e.value.get("OptionName").is_none() {
                        found.push(
                            Rule::R91.error("`Fn::GetOptionSetting` has no `OptionName`",
                                "add `OptionName: Name` (and `Namespace`, `DefaultValue` as needed)",
                            )
                            .at(&e.value),
                        );
                    }
                    for a in args {
                        if !["Namespace", "OptionName", "DefaultValue"].contains(&a.key.as_str()) {
                            found.push(
                                Rule::R91.warning(format!("unknown argument `{}` of `Fn::GetOptionSetting`", a.key),
                                    "arguments are `Namespace`, `OptionName` and `DefaultValue`",
                                )
                                .at_key(a),
                            );
                        }
                    }
                }
                None => found.push(
                    Rule::R91.error(format!("`Fn::GetOptionSetting` takes a mapping, found {}", type_desc(&e.value)),
                        "write `Fn::GetOptionSetting: {OptionName: Name, DefaultValue: x}`",
                    )
                    .at(&e.value),
                ),
            }
        }
    });
    for f in found {
        ctx.push(f);
    }
}

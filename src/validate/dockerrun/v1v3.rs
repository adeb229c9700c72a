//! Dockerrun v1 (Docker on AL2 without Compose, R56–R58) and v3 (with
//! Compose, R59).

use super::container::check_reference;
use crate::diag::Finding;
use crate::syntax::{Node, Value};
use crate::validate::Ctx;
use crate::validate::Rule;
use crate::validate::shape::{self, Table, for_each_object, want_map, want_seq, want_str};

const V1_KEYS: &[&str] = &[
    "AWSEBDockerrunVersion",
    "Authentication",
    "Image",
    "Ports",
    "Volumes",
    "Logging",
    "Command",
    "Entrypoint",
];

/// Checks a v1 document (R56–R58).
pub(super) fn check_v1(root: &Node, ctx: &mut Ctx<'_>) {
    let has_version = root.get("AWSEBDockerrunVersion").is_some();
    for e in root.entries().unwrap_or_default() {
        let k = e.key.as_str();
        if V1_KEYS.contains(&k) || super::is_version_typo(has_version, k) {
            continue;
        }
        // A v1 key in the wrong case (`authentication`, `volumes`): EB
        // ignores it, so the setting it was meant to make is lost (a
        // private image cannot be pulled) — an error.
        if let Some(v1) = V1_KEYS.iter().find(|v| v.eq_ignore_ascii_case(k)) {
            ctx.push(
                Rule::R56
                    .error(
                        format!("`{k}` is not a version 1 key: v1 spells it `{v1}`, so EB ignores this one"),
                        format!("rename it to `{v1}`"),
                    )
                    .at_key(e),
            );
            continue;
        }
        // Any other key is ignored by EB and the file deploys without it:
        // a warning, version 2 leftovers (`containerDefinitions`) included.
        let (message, help) = if ["containerDefinitions", "executionRoleArn"].contains(&k) {
            (
                format!("`{k}` is a version 2 key; a version 1 file ignores it"),
                "remove it, or use `\"AWSEBDockerrunVersion\": 2` on an ECS platform for multicontainer definitions".to_owned(),
            )
        } else {
            let help = match shape::suggest(k, V1_KEYS, &[]) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("v1 keys: {}", shape::list(&V1_KEYS[1..])),
            };
            (
                format!(
                    "unknown key `{}` in a version 1 Dockerrun; EB ignores it",
                    shape::truncate(k, 60)
                ),
                help,
            )
        };
        ctx.push(Rule::R56.warning(message, help).at_key(e));
    }
    if let Some(a) = root.get("Authentication") {
        auth(a, "Authentication", &["Bucket", "Key"], Rule::R56, ctx);
    }
    if let Some(img) = root.get("Image") {
        image(img, ctx);
    }
    if let Some(p) = root.get("Ports") {
        ports(p, ctx);
    }
    if let Some(v) = root.get("Volumes") {
        v1_volumes(v, ctx);
    }
    for key in ["Logging", "Command", "Entrypoint"] {
        if let Some(n) = root.get(key) {
            if let Value::Seq(_) = n.value {
                ctx.push(
                    Rule::R56
                        .error(
                            format!(
                                "`{key}` must be a string in a version 1 Dockerrun, found an array"
                            ),
                            "write the command line as one string (the ECS array form is v2 only)",
                        )
                        .at(n),
                );
            } else {
                want_str(ctx, Rule::R56, n, &format!("`{key}`"));
            }
        }
    }
}

/// `{bucket, key}` objects (v1 capitalised, v3 lowercase).
fn auth(a: &Node, what: &str, keys: &'static [&'static str; 2], rule: Rule, ctx: &mut Ctx<'_>) {
    let Some(mut t) = Table::object(ctx, rule, a, format!("`{what}`"), keys) else {
        return;
    };
    for key in keys {
        let help = format!(
            "add `\"{key}\"`; `{}` and `{}` name the S3 object of the registry auth file",
            keys[0], keys[1]
        );
        t.require(key, &help);
        if let Some((v, s)) = t.str(key, &format!("`{what}.{key}`"))
            && s.trim().is_empty()
        {
            let f = rule.error(
                format!("`{what}.{key}` is empty"),
                "give the S3 location of the registry auth file",
            );
            t.push(f.at(v));
        }
    }
}

fn image(img: &Node, ctx: &mut Ctx<'_>) {
    if want_map(ctx, Rule::R56, img, "`Image`").is_none() {
        return;
    }
    shape::unknown_keys_in(ctx, Rule::R56, img, "`Image`", &["Name", "Update"]);
    if let Some(n) = img.get("Name") {
        if let Some(s) = want_str(ctx, Rule::R56, n, "`Image.Name`") {
            check_reference(s, n, "the v1 `Image`", Rule::R24, ctx);
        }
    } else if ctx.bundle.is_none() {
        ctx.push(Rule::R57.warning("`Image` has no `Name`; EB needs it unless the bundle has a `Dockerfile`", "add `\"Name\": \"repository:tag\"`, or remove `Image` when building from a `Dockerfile`").at(img));
    }
    if let Some(u) = img.get("Update") {
        match &u.value {
            Value::String(s) if s == "true" || s == "false" => {}
            Value::Bool(b) => ctx.push(
                Rule::R58.warning(format!("`Image.Update` is the boolean `{b}`; EB expects the string `\"{b}\"` and treats anything but `\"false\"` as pull"), format!("write `\"Update\": \"{b}\"`")).at(u),
            ),
            _ => ctx.push(Rule::R58.warning(format!("`Image.Update` is `{}`; EB expects `\"true\"` or `\"false\"`", shape::show(u)), "write `\"Update\": \"true\"` or `\"false\"`").at(u)),
        }
    }
}

/// A port given as a JSON integer or a string of digits, in `lo..=65535`.
fn port(n: &Node, what: &str, lo: i64, ctx: &mut Ctx<'_>) -> Option<i64> {
    let v = match &n.value {
        Value::Number(num) => num.int,
        Value::String(s)
            if !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse().ok()
        }
        _ => None,
    };
    match v {
        Some(p) if (lo..=65535).contains(&p) => Some(p),
        _ => {
            ctx.push(
                Rule::R57.error(format!(
                        "{what} is `{}`; it must be a port number from {lo} to 65535",
                        shape::show(n)
                    ),
                    "write the port as `\"8080\"` or `8080`; substitute templates before bundling",
                )
                .at(n),
            );
            None
        }
    }
}

fn ports(p: &Node, ctx: &mut Ctx<'_>) {
    let Some(items) = want_seq(
        ctx,
        Rule::R57,
        p,
        "`Ports`",
        "an array of `{\"ContainerPort\"}` objects",
    ) else {
        return;
    };
    if let Some(second) = items.get(1) {
        ctx.push(Rule::R57.warning(format!("`Ports` lists {} mappings; EB only uses the first one", items.len()), "keep one entry; expose other ports through the application or use a v2 / Compose bundle").at(second));
    }
    let keys = &["ContainerPort", "HostPort"];
    for_each_object(ctx, Rule::R57, items, "an entry of `Ports`", keys, |t| {
        match t.get("ContainerPort") {
            Some(cp) => {
                port(cp, "`ContainerPort`", 1, t.ctx);
            }
            None => {
                let message = "an entry of `Ports` has no `ContainerPort`; EB fails with `The Dockerrun.aws.json file requires the ContainerPort field.`";
                let f = Rule::R57.error(message, "add `\"ContainerPort\": \"8080\"`");
                t.push(f.at_start(t.node));
            }
        }
        if let Some(hp) = t.get("HostPort") {
            port(hp, "`HostPort`", 1, t.ctx);
        }
    });
}

fn v1_volumes(v: &Node, ctx: &mut Ctx<'_>) {
    let Some(items) = want_seq(
        ctx,
        Rule::R56,
        v,
        "`Volumes`",
        "an array of `{\"HostDirectory\", \"ContainerDirectory\"}` objects",
    ) else {
        return;
    };
    let keys = &["HostDirectory", "ContainerDirectory"];
    for_each_object(ctx, Rule::R56, items, "an entry of `Volumes`", keys, |t| {
        for key in keys {
            let help = "v1 volumes are `{\"HostDirectory\": \"/host/path\", \"ContainerDirectory\": \"/path\"}`";
            t.require(key, help);
            if let Some((n, s)) = t.str(key, &format!("`{key}`"))
                && !s.starts_with('/')
            {
                let message = format!(
                    "`{key}` `{}` is not an absolute path",
                    shape::truncate(s, 80)
                );
                t.push(Rule::R56.error(message, "use an absolute path").at(n));
            }
        }
    });
}

/// R57 with the bundle known: without a `Dockerfile`, `Image.Name` and a
/// `ContainerPort` are required; with one, `Image` is ignored (R3).
pub(super) fn check_v1_bundle(root: &Node, dockerfile: bool, ctx: &mut Ctx<'_>) {
    if dockerfile {
        if let Some(e) = root.entry("Image") {
            ctx.push(
                Rule::R3
                    .warning(
                        "the bundle has a `Dockerfile`, so EB builds it and ignores `Image`",
                        "remove `Image`, or remove the `Dockerfile` to run the prebuilt image",
                    )
                    .at_key(e),
            );
        }
        return;
    }
    let at = |f: Finding| match root.get("AWSEBDockerrunVersion") {
        Some(n) => f.at(n),
        None => shape::missing(f, root),
    };
    match root.get("Image") {
        None => ctx.push(at(Rule::R57.error("the bundle has no `Dockerfile` and the Dockerrun has no `Image`; EB fails with `The Dockerrun.aws.json file requires the Image key.`", "add `\"Image\": {\"Name\": \"repository:tag\"}`, or add a `Dockerfile`"))),
        Some(img) if img.entries().is_some() && img.get("Name").is_none() => {
            ctx.push(Rule::R57.error("`Image` has no `Name`, and the bundle has no `Dockerfile` to build instead", "add `\"Name\": \"repository:tag\"`").at(img));
        }
        _ => {}
    }
    let f = Rule::R57.error("the bundle has no `Dockerfile` and the Dockerrun has no `Ports`; EB fails with `The Dockerrun.aws.json file requires the Ports key.`",
        "add `\"Ports\": [{\"ContainerPort\": \"8080\"}]`",
    );
    match root.get("Ports") {
        None => ctx.push(at(f)),
        Some(p) if p.items().is_some_and(<[Node]>::is_empty) => ctx.push(f.at(p)),
        Some(_) => {}
    }
}

/// Checks a v3 document (R59): only `Authentication` with `bucket`/`key`.
pub(super) fn check_v3(root: &Node, ctx: &mut Ctx<'_>) {
    for e in root.entries().unwrap_or_default() {
        match e.key.as_str() {
            "AWSEBDockerrunVersion" | "Authentication" => {}
            "authentication" => ctx.push(Rule::R59.warning("version 3 documents `Authentication` (capitalised)", "rename it to `Authentication` with lowercase `bucket` and `key`").at_key(e)),
            k => ctx.push(
                Rule::R59.warning(format!("`{}` has no effect in a version 3 Dockerrun; containers are defined in `docker-compose.yml`", shape::truncate(k, 60)), "remove it; version 3 only carries `Authentication`")
                    .at_key(e),
            ),
        }
    }
    if let Some(a) = root
        .get("Authentication")
        .or_else(|| root.get("authentication"))
    {
        auth(a, "Authentication", &["bucket", "key"], Rule::R59, ctx);
    }
}

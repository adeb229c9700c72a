//! What deploying a bundle would change, read from two zips: the one the
//! environment runs and the new one. For the approval step of a pipeline:
//! images per container, the Dockerrun settings that matter (memory, CPU,
//! ports, environment variable names — never their values), the
//! `option_settings` of `.ebextensions` by namespace (values of environment
//! properties that may be secret are not shown), and the files added,
//! removed and changed. No network: the callers fetch the zips.

use crate::syntax::{Node, Value};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

/// The largest Dockerrun or config read from a zip.
const MAX_TEXT: u64 = 4 * 1024 * 1024;

/// One change of one thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed (`web: image`, `aws:autoscaling:asg: MaxSize`).
    pub what: String,
    /// Before (`None`: added, or not shown).
    pub before: Option<String>,
    /// After (`None`: removed, or not shown).
    pub after: Option<String>,
}

/// The files of the two bundles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileChanges {
    /// Only in the new bundle.
    pub added: Vec<String>,
    /// Only in the running one.
    pub removed: Vec<String>,
    /// In both, with other bytes.
    pub changed: Vec<String>,
}

/// Everything that differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Images, per container.
    pub images: Vec<Change>,
    /// Containers added or removed, and their settings that changed.
    pub containers: Vec<Change>,
    /// `option_settings`, per namespace and option.
    pub options: Vec<Change>,
    /// Files.
    pub files: FileChanges,
}

impl Diff {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
            && self.containers.is_empty()
            && self.options.is_empty()
            && self.files.added.is_empty()
            && self.files.removed.is_empty()
            && self.files.changed.is_empty()
    }
}

/// A zip's entries (name → CRC-32 and size) and the texts the diff reads.
struct Side {
    entries: BTreeMap<String, (u32, u64)>,
    dockerrun: Option<serde_json::Value>,
    configs: BTreeMap<String, Node>,
}

fn read(path: &Path) -> Result<Side, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| format!("`{}` is not a readable zip: {e}", path.display()))?;
    let mut side = Side {
        entries: BTreeMap::new(),
        dockerrun: None,
        configs: BTreeMap::new(),
    };
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| format!("`{}`: {e}", path.display()))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map_err(|e| format!("`{}`: an entry name: {e}", path.display()))?
            .into_owned();
        side.entries
            .insert(name.clone(), (entry.crc32(), entry.size()));
        let wanted = name == "Dockerrun.aws.json"
            || (name.starts_with(".ebextensions/") && name.ends_with(".config"));
        if !wanted || entry.size() > MAX_TEXT {
            continue;
        }
        let mut bytes = Vec::new();
        (&mut entry)
            .take(MAX_TEXT)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("`{}`: {name}: {e}", path.display()))?;
        if name == "Dockerrun.aws.json" {
            side.dockerrun = serde_json::from_slice(&bytes).ok();
        } else if let Some(root) = crate::validate::parse_config(&bytes) {
            side.configs.insert(name, root);
        }
    }
    Ok(side)
}

/// Compares the running bundle `before` with the new `after`.
pub fn diff(before: &Path, after: &Path) -> Result<Diff, String> {
    let (b, a) = (read(before)?, read(after)?);
    let mut d = Diff::default();
    containers(b.dockerrun.as_ref(), a.dockerrun.as_ref(), &mut d);
    let (ob, oa) = (options(&b.configs), options(&a.configs));
    for key in ob.keys().chain(oa.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (ob.get(key), oa.get(key));
        if x != y {
            let (ns, name) = key;
            let hidden = ns == "aws:elasticbeanstalk:application:environment"
                && crate::validate::shape::may_be_secret(
                    name,
                    x.or(y).map(String::as_str).unwrap_or_default(),
                );
            let show = |v: Option<&String>| {
                v.map(|v| {
                    if hidden {
                        "(not shown)".to_owned()
                    } else {
                        v.clone()
                    }
                })
            };
            d.options.push(Change {
                what: format!("{ns}: {name}"),
                before: show(x),
                after: show(y),
            });
        }
    }
    for (name, sum) in &a.entries {
        match b.entries.get(name) {
            None => d.files.added.push(name.clone()),
            Some(old) if old != sum => d.files.changed.push(name.clone()),
            Some(_) => {}
        }
    }
    d.files.removed = b
        .entries
        .keys()
        .filter(|n| !a.entries.contains_key(*n))
        .cloned()
        .collect();
    Ok(d)
}

/// Containers by name.
fn by_name(dockerrun: Option<&serde_json::Value>) -> BTreeMap<String, &serde_json::Value> {
    dockerrun
        .and_then(|d| d.get("containerDefinitions"))
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c.get("name")?.as_str()?.to_owned(), c)))
        .collect()
}

fn text(v: Option<&serde_json::Value>) -> Option<String> {
    v.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
}

fn containers(b: Option<&serde_json::Value>, a: Option<&serde_json::Value>, d: &mut Diff) {
    let (cb, ca) = (by_name(b), by_name(a));
    for name in cb.keys().chain(ca.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (cb.get(name), ca.get(name));
        let (Some(x), Some(y)) = (x, y) else {
            d.containers.push(Change {
                what: format!("container {name}"),
                before: x.map(|_| "present".to_owned()),
                after: y.map(|_| "present".to_owned()),
            });
            if let Some(y) = y {
                d.images.push(Change {
                    what: name.clone(),
                    before: None,
                    after: text(y.get("image")),
                });
            }
            continue;
        };
        if x.get("image") != y.get("image") {
            d.images.push(Change {
                what: name.clone(),
                before: text(x.get("image")),
                after: text(y.get("image")),
            });
        }
        for field in [
            "memory",
            "memoryReservation",
            "cpu",
            "essential",
            "portMappings",
        ] {
            let (fx, fy) = (x.get(field), y.get(field));
            if fx != fy {
                d.containers.push(Change {
                    what: format!("{name}: {field}"),
                    before: field_text(field, fx),
                    after: field_text(field, fy),
                });
            }
        }
        let (ex, ey) = (env_values(x), env_values(y));
        for var in ex.keys().chain(ey.keys()).collect::<BTreeSet<_>>() {
            let (vx, vy) = (ex.get(var), ey.get(var));
            if vx != vy {
                // Names only: a value may be a secret.
                d.containers.push(Change {
                    what: format!("{name}: environment {var}"),
                    before: vx.map(|_| "set".to_owned()),
                    after: vy.map(|_| if vx.is_some() { "changed" } else { "set" }.to_owned()),
                });
            }
        }
    }
}

/// `portMappings` as `host:container` pairs; other fields as JSON text.
fn field_text(field: &str, v: Option<&serde_json::Value>) -> Option<String> {
    let v = v?;
    if field != "portMappings" {
        return text(Some(v));
    }
    let pairs: Vec<String> = v
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let port = |k: &str| m.get(k).map_or("-".into(), |p| p.to_string());
            format!("{}:{}", port("hostPort"), port("containerPort"))
        })
        .collect();
    Some(pairs.join(", "))
}

/// A container's `environment` as name → value.
fn env_values(c: &serde_json::Value) -> BTreeMap<String, String> {
    c.get("environment")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e.get("name")?.as_str()?.to_owned(),
                text(e.get("value")).unwrap_or_default(),
            ))
        })
        .collect()
}

/// Every `option_settings` entry of the configs: (namespace, option) → value.
/// A later config wins over an earlier one, as EB applies them in name order.
fn options(configs: &BTreeMap<String, Node>) -> BTreeMap<(String, String), String> {
    const ENV: &str = "aws:elasticbeanstalk:application:environment";
    let mut out = BTreeMap::new();
    for root in configs.values() {
        let Some(settings) = root.get("option_settings") else {
            continue;
        };
        match &settings.value {
            Value::Map(namespaces) => {
                for ns in namespaces {
                    for o in ns.value.entries().unwrap_or_default() {
                        out.insert((ns.key.clone(), o.key.clone()), scalar(&o.value));
                    }
                }
            }
            Value::Seq(items) => {
                for item in items {
                    let ns = item.get("namespace").and_then(Node::as_str).unwrap_or(ENV);
                    let name = item.get("option_name").and_then(Node::as_str);
                    if let (Some(name), Some(v)) = (name, item.get("value")) {
                        out.insert((ns.to_owned(), name.to_owned()), scalar(v));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn scalar(n: &Node) -> String {
    match &n.value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(x) => x.raw.to_string(),
        // A function (`Fn::GetOptionSetting`) or a list: its shape, compactly.
        Value::Seq(_) | Value::Map(_) => "(structured value)".to_owned(),
    }
}

//! Reading the Dockerrun v2 file for generation, and adding the init volume
//! to it.
//!
//! The rewrite edits the user's text in place (insertions at byte offsets
//! taken from the spanned tree), so formatting, key order and comments-free
//! layout stay as written. The result is parsed again and compared with the
//! same change made on a `serde_json` value; should they ever differ, the
//! file is re-serialised (pretty, key order kept) instead.

use super::GenerateError;
use crate::syntax::{self, Node, Value};

/// What generation needs from a Dockerrun v2 file.
#[derive(Debug, Clone)]
pub(super) struct Dockerrun {
    text: String,
    root: Node,
    /// `volumes[]` with a host `sourcePath`: (name, sourcePath).
    pub host_volumes: Vec<(String, String)>,
    /// Container names with their `essential` flag (ECS default `true`).
    pub containers: Vec<(String, bool)>,
}

fn err(message: impl Into<String>) -> GenerateError {
    GenerateError {
        message: message.into(),
    }
}

impl Dockerrun {
    /// Parses `text`; `Ok(None)` when there is no Dockerrun (empty text).
    pub(super) fn parse(text: &str) -> Result<Option<Self>, GenerateError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let root = syntax::json::parse(text).map_err(|e| {
            err(format!(
                "Dockerrun.aws.json is not valid JSON: {}",
                e.message
            ))
        })?;
        if root.entries().is_none() {
            return Err(err("Dockerrun.aws.json is not a JSON object"));
        }
        let version = root
            .get("AWSEBDockerrunVersion")
            .and_then(|v| match &v.value {
                Value::Number(n) => n.int,
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            });
        if version != Some(2) {
            return Err(err(
                "the generated volumes need a Dockerrun.aws.json with `\"AWSEBDockerrunVersion\": 2` (ECS platforms)",
            ));
        }
        let mut host_volumes = Vec::new();
        for v in root.get("volumes").and_then(Node::items).unwrap_or(&[]) {
            let name = v.get("name").and_then(Node::as_str);
            let path = v
                .get("host")
                .and_then(|h| h.get("sourcePath"))
                .and_then(Node::as_str);
            if let (Some(name), Some(path)) = (name, path) {
                host_volumes.push((name.to_owned(), path.to_owned()));
            }
        }
        let mut containers = Vec::new();
        for c in root
            .get("containerDefinitions")
            .and_then(Node::items)
            .unwrap_or(&[])
        {
            if let Some(name) = c.get("name").and_then(Node::as_str) {
                let essential = c.get("essential").and_then(Node::as_bool).unwrap_or(true);
                containers.push((name.to_owned(), essential));
            }
        }
        Ok(Some(Self {
            text: text.to_owned(),
            root,
            host_volumes,
            containers,
        }))
    }

    /// The host `sourcePath` of the volume called `name`, if declared.
    pub(super) fn volume_path(&self, name: &str) -> Option<&str> {
        self.host_volumes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.as_str())
    }

    /// True when a volume called `name` is declared (with or without `host`).
    pub(super) fn has_volume(&self, name: &str) -> bool {
        self.root
            .get("volumes")
            .and_then(Node::items)
            .unwrap_or(&[])
            .iter()
            .any(|v| v.get("name").and_then(Node::as_str) == Some(name))
    }

    /// The `containerPath` where container `container` mounts `volume`.
    pub(super) fn mount_path(&self, container: &str, volume: &str) -> Option<&str> {
        self.container(container)?
            .get("mountPoints")
            .and_then(Node::items)?
            .iter()
            .rev()
            .find(|m| m.get("sourceVolume").and_then(Node::as_str) == Some(volume))
            .and_then(|m| m.get("containerPath").and_then(Node::as_str))
    }

    fn container(&self, name: &str) -> Option<&Node> {
        self.root
            .get("containerDefinitions")
            .and_then(Node::items)?
            .iter()
            .rev()
            .find(|c| c.get("name").and_then(Node::as_str) == Some(name))
    }

    /// Adds the volume `name` → `source_path` (unless declared) and a
    /// read-only mount at `container_path` to each of `containers` (unless
    /// mounted). Returns `None` when nothing changes.
    pub(super) fn add_init_volume(
        &self,
        name: &str,
        source_path: &str,
        container_path: &str,
        containers: &[String],
    ) -> Option<String> {
        let mut edits: Vec<Edit> = Vec::new();
        let mut expected = self.root.to_json();
        let volume = serde_json::json!({ "name": name, "host": { "sourcePath": source_path } });
        if !self.has_volume(name) {
            let text = format!(
                "{{ \"name\": {}, \"host\": {{ \"sourcePath\": {} }} }}",
                json_str(name),
                json_str(source_path)
            );
            edits.push(self.append(&self.root, "volumes", &text));
            push_array(&mut expected, "volumes", volume);
        }
        let mount = serde_json::json!({
            "sourceVolume": name, "containerPath": container_path, "readOnly": true
        });
        let defs = self
            .root
            .get("containerDefinitions")
            .and_then(Node::items)?;
        for cname in containers {
            if self.mount_path(cname, name).is_some() {
                continue;
            }
            let Some(index) = defs
                .iter()
                .rposition(|c| c.get("name").and_then(Node::as_str) == Some(cname.as_str()))
            else {
                continue;
            };
            let text = format!(
                "{{ \"sourceVolume\": {}, \"containerPath\": {}, \"readOnly\": true }}",
                json_str(name),
                json_str(container_path)
            );
            edits.push(self.append(&defs[index], "mountPoints", &text));
            if let Some(c) = expected
                .get_mut("containerDefinitions")
                .and_then(|d| d.get_mut(index))
            {
                push_array(c, "mountPoints", mount.clone());
            }
        }
        if edits.is_empty() {
            return None;
        }
        let mut text = self.text.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.at.start));
        for e in edits {
            text.replace_range(e.at, &e.text);
        }
        let same = syntax::json::parse(&text)
            .map(|n| n.to_json() == expected)
            .unwrap_or(false);
        if same {
            Some(text)
        } else {
            let mut pretty = serde_json::to_string_pretty(&expected).expect("JSON value");
            pretty.push('\n');
            Some(pretty)
        }
    }

    /// An edit that appends `item` to the array `key` of `object`, creating
    /// the key when missing.
    fn append(&self, object: &Node, key: &str, item: &str) -> Edit {
        match object.get(key) {
            Some(arr) if matches!(arr.value, Value::Seq(_)) => {
                let items = arr.items().unwrap_or(&[]);
                match items.last() {
                    Some(last) => {
                        let multiline =
                            self.text[arr.span.start..items[0].span.start].contains('\n');
                        let sep = if multiline {
                            format!("\n{}", self.line_indent(last.span.start))
                        } else {
                            " ".to_owned()
                        };
                        Edit::insert(last.span.end, format!(",{sep}{item}"))
                    }
                    None => Edit {
                        at: arr.span.clone(),
                        text: format!("[{item}]"),
                    },
                }
            }
            // Missing (or not an array, which validation reports): add the key.
            _ => {
                let entry = format!("{}: [{item}]", json_str(key));
                let entries = object.entries().unwrap_or(&[]);
                match entries.last() {
                    Some(last) => {
                        let multiline =
                            self.text[object.span.start..entries[0].key_span.start].contains('\n');
                        let sep = if multiline {
                            format!("\n{}", self.line_indent(last.key_span.start))
                        } else {
                            " ".to_owned()
                        };
                        Edit::insert(last.value.span.end, format!(",{sep}{entry}"))
                    }
                    None => Edit {
                        at: object.span.clone(),
                        text: format!("{{ {entry} }}"),
                    },
                }
            }
        }
    }

    /// The whitespace that starts the line holding byte `pos`.
    fn line_indent(&self, pos: usize) -> &str {
        let start = self.text[..pos].rfind('\n').map_or(0, |i| i + 1);
        let line = &self.text[start..];
        let end = line
            .find(|c: char| c != ' ' && c != '\t')
            .unwrap_or(line.len());
        &line[..end]
    }
}

struct Edit {
    at: std::ops::Range<usize>,
    text: String,
}

impl Edit {
    fn insert(at: usize, text: String) -> Self {
        Edit { at: at..at, text }
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

fn push_array(object: &mut serde_json::Value, key: &str, item: serde_json::Value) {
    if let Some(map) = object.as_object_mut() {
        match map.get_mut(key) {
            Some(serde_json::Value::Array(a)) => a.push(item),
            _ => {
                map.insert(key.to_owned(), serde_json::Value::Array(vec![item]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(text: &str) -> Option<String> {
        Dockerrun::parse(text).unwrap().unwrap().add_init_volume(
            "init",
            "/var/lib/ebpack/init",
            "/init",
            &["app".to_owned()],
        )
    }

    #[test]
    fn appends_to_multiline_arrays() {
        let text = r#"{
  "AWSEBDockerrunVersion": 2,
  "volumes": [
    { "name": "public", "host": { "sourcePath": "/tmp/public" } }
  ],
  "containerDefinitions": [
    {
      "name": "app",
      "mountPoints": [
        { "sourceVolume": "public", "containerPath": "/public" }
      ]
    }
  ]
}
"#;
        let want = r#"{
  "AWSEBDockerrunVersion": 2,
  "volumes": [
    { "name": "public", "host": { "sourcePath": "/tmp/public" } },
    { "name": "init", "host": { "sourcePath": "/var/lib/ebpack/init" } }
  ],
  "containerDefinitions": [
    {
      "name": "app",
      "mountPoints": [
        { "sourceVolume": "public", "containerPath": "/public" },
        { "sourceVolume": "init", "containerPath": "/init", "readOnly": true }
      ]
    }
  ]
}
"#;
        assert_eq!(add(text).as_deref(), Some(want));
        assert_eq!(add(want), None, "idempotent");
    }

    #[test]
    fn adds_missing_keys_and_fills_empty_arrays() {
        let text = "{\"AWSEBDockerrunVersion\": 2, \"volumes\": [], \"containerDefinitions\": [{\"name\": \"app\"}]}";
        let want = "{\"AWSEBDockerrunVersion\": 2, \"volumes\": [{ \"name\": \"init\", \"host\": { \"sourcePath\": \"/var/lib/ebpack/init\" } }], \"containerDefinitions\": [{\"name\": \"app\", \"mountPoints\": [{ \"sourceVolume\": \"init\", \"containerPath\": \"/init\", \"readOnly\": true }]}]}";
        assert_eq!(add(text).as_deref(), Some(want));
        let text = "{\n  \"AWSEBDockerrunVersion\": 2,\n  \"containerDefinitions\": [{\"name\": \"app\"}]\n}";
        let out = add(text).unwrap();
        assert!(
            out.contains("}],\n  \"volumes\": [{ \"name\": \"init\""),
            "{out}"
        );
    }

    #[test]
    fn rejects_other_versions() {
        assert!(Dockerrun::parse(r#"{"AWSEBDockerrunVersion": "1"}"#).is_err());
        assert!(Dockerrun::parse("").unwrap().is_none());
    }
}

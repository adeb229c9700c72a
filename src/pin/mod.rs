//! Image tag pinning: a Dockerrun v2 file cannot hold variables, so
//! `ebpack build` writes the tags in.
//!
//! - `image_tag` (`--image-tag`, `--tag-from`): set on every container whose
//!   repository is listed in `pin.repositories`, or, with no list, on every
//!   image without a tag or tagged `latest` (and without a digest);
//! - `pins` (`--pin CONTAINER=REF`): the exact image of one container, which
//!   wins over `image_tag`;
//! - `require_pinned`: every image must end with a tag other than `latest`
//!   or a digest.
//!
//! Values are replaced in the Dockerrun text by their byte spans, so the
//! user's formatting, key order and whitespace are kept.

pub mod tag_from;

use crate::diag::Report;
use crate::source::SourceFile;
use crate::syntax;
use crate::validate::Rule;
use serde::Serialize;

/// A parsed image reference `[registry/]repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry and repository.
    pub repository: String,
    /// The tag, if any.
    pub tag: Option<String>,
    /// The digest (`sha256:…`), if any.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits a reference. The tag is after the last `:` that follows the
    /// last `/` (a `:` before it is a registry port).
    pub fn parse(s: &str) -> ImageRef {
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_owned())),
            None => (s, None),
        };
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        match rest[slash..].rfind(':') {
            Some(i) => ImageRef {
                repository: rest[..slash + i].to_owned(),
                tag: Some(rest[slash + i + 1..].to_owned()),
                digest,
            },
            None => ImageRef {
                repository: rest.to_owned(),
                tag: None,
                digest,
            },
        }
    }

    /// True with a digest, or a tag other than `latest`.
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some() || self.tag.as_deref().is_some_and(|t| t != "latest")
    }
}

/// Checks a Docker tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn valid_tag(tag: &str) -> Result<(), String> {
    let ok_first = tag
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let ok_rest = tag
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if tag.len() > 128 || !ok_first || !ok_rest {
        return Err(format!(
            "`{tag}` is not a valid image tag: use up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"
        ));
    }
    Ok(())
}

/// Checks an image reference given with `--pin`.
pub fn valid_ref(r: &str) -> Result<(), String> {
    if r.is_empty() || r.chars().any(char::is_whitespace) {
        return Err(format!("`{r}` is not an image reference"));
    }
    match ImageRef::parse(r).tag {
        Some(t) => valid_tag(&t),
        None => Ok(()),
    }
}

/// Resolved pinning settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinSettings {
    /// Tag for the images `repositories` selects.
    pub image_tag: Option<String>,
    /// Exact images per container, in the order given.
    pub pins: Vec<(String, String)>,
    /// Repositories `image_tag` applies to (empty: untagged/`latest` images).
    pub repositories: Vec<String>,
    /// Fail when an image is left unpinned.
    pub require_pinned: bool,
}

impl PinSettings {
    /// True when pinning changes or checks anything.
    pub fn is_active(&self) -> bool {
        self.image_tag.is_some() || !self.pins.is_empty() || self.require_pinned
    }
}

/// How an image got its final value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinnedBy {
    /// Unchanged.
    Unchanged,
    /// `--image-tag` / `--tag-from`.
    ImageTag,
    /// `--pin CONTAINER=REF`.
    Pin,
}

/// One container's image before and after pinning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageRecord {
    /// Container name.
    pub container: String,
    /// Image as written in the source.
    pub before: String,
    /// Image as shipped.
    pub after: String,
    /// What set it.
    pub pinned_by: PinnedBy,
}

/// The result of pinning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    /// The Dockerrun text to ship.
    pub text: String,
    /// Every container image.
    pub images: Vec<ImageRecord>,
}

/// Pinning failed.
#[derive(Debug)]
pub enum PinError {
    /// Settings that do not fit the bundle (exit 2).
    Usage(String),
    /// Images left unpinned under `require_pinned` (exit 1).
    Unpinned(Report),
}

/// Pins the images of the Dockerrun `text` (shown as `display`).
pub fn pin(display: &str, text: &str, settings: &PinSettings) -> Result<Pinned, PinError> {
    let root = syntax::json::parse(text)
        .map_err(|e| PinError::Usage(format!("`{display}` is not valid JSON: {}", e.message)))?;
    let containers = root.get("containerDefinitions").and_then(|c| c.items());
    let Some(containers) = containers else {
        if settings.is_active() {
            return Err(PinError::Usage(format!(
                "`{display}` has no `containerDefinitions`: image pinning works on Dockerrun v2 files"
            )));
        }
        return Ok(Pinned {
            text: text.to_owned(),
            images: Vec::new(),
        });
    };
    let named: Vec<(&str, &syntax::Node)> = containers
        .iter()
        .filter_map(|c| Some((c.get("name")?.as_str()?, c.get("image")?)))
        .collect();
    for (container, _) in &settings.pins {
        if !named.iter().any(|(n, _)| n == container) {
            let known: Vec<String> = named.iter().map(|(n, _)| format!("`{n}`")).collect();
            return Err(PinError::Usage(format!(
                "`--pin {container}=…`: `{display}` has no container named `{container}`; its containers are {}",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        }
    }
    let listed = |repo: &str| {
        settings
            .repositories
            .iter()
            .any(|r| ImageRef::parse(r).repository == repo)
    };
    let mut images = Vec::new();
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut report = Report::default();
    let file = SourceFile::new(display, text);
    for (name, node) in &named {
        let Some(before) = node.as_str() else {
            continue;
        };
        let parsed = ImageRef::parse(before);
        let pin = settings.pins.iter().rev().find(|(c, _)| c == name);
        let (after, by) = if let Some((_, r)) = pin {
            (r.clone(), PinnedBy::Pin)
        } else if let Some(tag) = settings.image_tag.as_deref().filter(|_| {
            if settings.repositories.is_empty() {
                !parsed.is_pinned()
            } else {
                listed(&parsed.repository)
            }
        }) {
            (format!("{}:{tag}", parsed.repository), PinnedBy::ImageTag)
        } else {
            (before.to_owned(), PinnedBy::Unchanged)
        };
        if after != before {
            edits.push((
                node.span.clone(),
                serde_json::Value::from(after.as_str()).to_string(),
            ));
        }
        if settings.require_pinned && !ImageRef::parse(&after).is_pinned() {
            let what = match ImageRef::parse(&after).tag {
                Some(_) => "is tagged `latest`",
                None => "has no tag",
            };
            report.push(
                &file,
                Rule::B7.error(format!("container `{name}`: image `{after}` {what}, and `--require-pinned` is set"),
                    "pin it with `--image-tag TAG`, `--tag-from version.json` or `--pin CONTAINER=IMAGE:TAG`",
                )
                .at(node),
            );
        }
        images.push(ImageRecord {
            container: (*name).to_owned(),
            before: before.to_owned(),
            after,
            pinned_by: by,
        });
    }
    if !report.diagnostics.is_empty() {
        report.add_source(file);
        report.sort();
        return Err(PinError::Unpinned(report));
    }
    let mut out = text.to_owned();
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    for (span, value) in edits {
        out.replace_range(span, &value);
    }
    Ok(Pinned { text: out, images })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = r#"{
  "AWSEBDockerrunVersion": 2,
  "containerDefinitions": [
    { "name": "app",   "image": "123.dkr.ecr.us-east-1.amazonaws.com/todo" },
    { "name": "proxy", "image": "nginx:latest", "essential": true },
    { "name": "side",  "image": "localhost:5000/side:1.2" },
    { "name": "db",    "image": "mysql@sha256:abc" }
  ]
}"#;

    fn after(p: &Pinned) -> Vec<&str> {
        p.images.iter().map(|i| i.after.as_str()).collect()
    }

    #[test]
    fn refs() {
        let r = ImageRef::parse("localhost:5000/a/b:1.2@sha256:ff");
        assert_eq!(r.repository, "localhost:5000/a/b");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some("sha256:ff"));
        assert_eq!(ImageRef::parse("localhost:5000/a").tag, None);
        assert!(!ImageRef::parse("nginx:latest").is_pinned());
        assert!(valid_tag("v1.2_3-x").is_ok());
        assert!(valid_tag(".x").is_err());
        assert!(valid_tag("a:b").is_err());
    }

    #[test]
    fn image_tag_without_list_pins_untagged_and_latest() {
        let s = PinSettings {
            image_tag: Some("abc".into()),
            ..Default::default()
        };
        let p = pin("D", RUN, &s).unwrap();
        assert_eq!(
            after(&p),
            [
                "123.dkr.ecr.us-east-1.amazonaws.com/todo:abc",
                "nginx:abc",
                "localhost:5000/side:1.2",
                "mysql@sha256:abc"
            ]
        );
        // Formatting kept: only the two values changed.
        assert!(
            p.text
                .contains(r#"{ "name": "proxy", "image": "nginx:abc", "essential": true }"#)
        );
        assert_eq!(p.text.len(), RUN.len() + 4 - 3);
    }

    #[test]
    fn repository_list_and_exact_pins() {
        let s = PinSettings {
            image_tag: Some("7".into()),
            repositories: vec!["localhost:5000/side".into()],
            pins: vec![("proxy".into(), "nginx:1.27".into())],
            require_pinned: false,
        };
        let p = pin("D", RUN, &s).unwrap();
        assert_eq!(
            after(&p),
            [
                "123.dkr.ecr.us-east-1.amazonaws.com/todo",
                "nginx:1.27",
                "localhost:5000/side:7",
                "mysql@sha256:abc"
            ]
        );
        assert_eq!(p.images[1].pinned_by, PinnedBy::Pin);
        assert_eq!(p.images[2].pinned_by, PinnedBy::ImageTag);
        assert_eq!(p.images[0].pinned_by, PinnedBy::Unchanged);
    }

    #[test]
    fn unknown_container_names_the_known_ones() {
        let s = PinSettings {
            pins: vec![("web".into(), "x:1".into())],
            ..Default::default()
        };
        let Err(PinError::Usage(m)) = pin("D", RUN, &s) else {
            panic!()
        };
        assert!(m.contains("`app`, `proxy`, `side`, `db`"), "{m}");
    }

    #[test]
    fn require_pinned_names_each_container() {
        let s = PinSettings {
            require_pinned: true,
            ..Default::default()
        };
        let Err(PinError::Unpinned(r)) = pin("D", RUN, &s) else {
            panic!()
        };
        let msgs: Vec<&str> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs.len(), 2);
        assert!(msgs[0].contains("container `app`") && msgs[0].contains("no tag"));
        assert!(msgs[1].contains("container `proxy`") && msgs[1].contains("`latest`"));
        assert_eq!((r.diagnostics[0].line, r.diagnostics[0].column), (4, 33));
    }
}

//! `ebpack.yaml`: the project's configuration file, strict (unknown keys
//! are errors) and located (every error points at `file:line:col`).

use crate::diag::{Finding, Report};
use crate::generate::GenerateConfig;
use crate::source::SourceFile;
use crate::validate::{Platform, Rule};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// The whole file. Every key is optional; flags and `EBPACK_*` variables
/// override it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// Elastic Beanstalk application name.
    pub app: Option<String>,
    /// Default environment (for deploy).
    pub environment: Option<String>,
    /// AWS region.
    pub region: Option<String>,
    /// The bundle folder, relative to this file (default `eb`).
    pub bundle: Option<String>,
    /// The output folder, relative to this file (default `dist`).
    pub out: Option<String>,
    /// Target platform: `ecs-al2`, `docker-al2` or `mc-al1`.
    #[serde(default, deserialize_with = "platform")]
    pub platform: Option<Platform>,
    /// Image pinning.
    pub pin: Option<PinFile>,
    /// Generated ebextensions.
    pub generate: Option<GenerateConfig>,
}

/// The `pin:` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinFile {
    /// Repositories `image_tag` applies to.
    #[serde(default)]
    pub repositories: Vec<String>,
    /// A fixed tag (rarely useful in a file; CI passes `--image-tag`).
    #[serde(default, deserialize_with = "tag")]
    pub image_tag: Option<String>,
    /// `FILE[:QUERY]` to read the tag from (e.g. `version.json`).
    pub tag_from: Option<String>,
    /// Fail when any image is left without a tag or digest, or with `latest`.
    pub require_pinned: Option<bool>,
    /// Exact images per container name.
    #[serde(default)]
    pub containers: BTreeMap<String, String>,
}

fn platform<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Platform>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    s.map(|s| s.parse().map_err(serde::de::Error::custom))
        .transpose()
}

fn tag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    if let Some(t) = &s {
        crate::pin::valid_tag(t).map_err(serde::de::Error::custom)?;
    }
    Ok(s)
}

/// Parses `text` (the file shown as `display`). Errors come as a report
/// with one located finding (code `C1`).
pub fn parse(display: &str, text: &str) -> Result<ProjectFile, Report> {
    if text.trim().is_empty() {
        return Ok(ProjectFile::default());
    }
    let err = match serde_saphyr::from_str::<ProjectFile>(text) {
        Ok(f) => return check(display, text, f),
        Err(e) => e,
    };
    let message = {
        use serde_saphyr::MessageFormatter;
        serde_saphyr::DefaultMessageFormatter
            .format_message(&err)
            .into_owned()
    };
    let span = err.location().and_then(|loc| {
        let s = loc.span();
        let start = usize::try_from(s.byte_offset()?).ok()?;
        let len = usize::try_from(s.byte_len().unwrap_or(0)).ok()?;
        Some(start..start + len)
    });
    let help = suggestion(&message).map_or_else(
        || "see docs/build.md for the ebpack.yaml schema".to_owned(),
        |s| format!("did you mean `{s}`? (see docs/build.md for the ebpack.yaml schema)"),
    );
    let mut finding = Rule::C1.error(lowercase_first(&message), help);
    if let Some(span) = span {
        finding = finding.at_span(span, "");
    } else if let Some(loc) = err.location() {
        let file = SourceFile::new(display, text);
        let line = usize::try_from(loc.line()).unwrap_or(1);
        let start = file.line_range(line).start
            + usize::try_from(loc.column().saturating_sub(1)).unwrap_or(0);
        finding = finding.at_span(start..start, "");
    }
    Err(one(display, text, finding))
}

/// Checks that serde cannot express, located with the spanned YAML tree.
fn check(display: &str, text: &str, f: ProjectFile) -> Result<ProjectFile, Report> {
    let root = crate::syntax::yaml::parse(text).ok();
    let at = |pointer: &str| root.as_ref().and_then(|r| r.at_pointer(pointer));
    let mut problems = Vec::new();
    if let Some(app) = &f.app
        && let Err(m) = super::valid_app(app)
    {
        problems.push(("/app".to_owned(), m));
    }
    if let Some(pin) = &f.pin {
        for (c, r) in &pin.containers {
            if let Err(m) = crate::pin::valid_ref(r) {
                problems.push((
                    format!("/pin/containers/{}", crate::syntax::escape_pointer(c)),
                    m,
                ));
            }
        }
        if pin.image_tag.is_some() && pin.tag_from.is_some() {
            problems.push((
                "/pin/tag_from".to_owned(),
                "`pin.image_tag` and `pin.tag_from` both give the tag; keep one".into(),
            ));
        }
    }
    let Some((pointer, message)) = problems.into_iter().next() else {
        return Ok(f);
    };
    let mut finding = Rule::C1.error(message, "see docs/build.md for the ebpack.yaml schema");
    if let Some(node) = at(&pointer) {
        finding = finding.at(node);
    }
    Err(one(display, text, finding))
}

/// For "unknown field `x`, expected one of a, b": the closest allowed key.
fn suggestion(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let (_, allowed) = rest.split_once("expected one of ")?;
    allowed
        .split(", ")
        .map(|a| a.trim_matches('`'))
        .map(|a| (distance(key, a), a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min()
        .map(|(_, a)| a.to_owned())
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn one(display: &str, text: &str, finding: Finding) -> Report {
    let mut report = Report::default();
    let file = report.add_source(SourceFile::new(display, text));
    report.push(&file, finding);
    report
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (usize, usize, String) {
        let r = parse("ebpack.yaml", text).unwrap_err();
        let d = &r.diagnostics[0];
        (d.line, d.column, d.message.clone())
    }

    #[test]
    fn full_file() {
        let f = parse(
            "ebpack.yaml",
            "app: todobackend\nplatform: ecs-al2\npin:\n  repositories: [a/b]\n  tag_from: version.json\n  containers:\n    web: nginx:1.27\n",
        )
        .unwrap();
        assert_eq!(f.app.as_deref(), Some("todobackend"));
        assert_eq!(f.platform, Some(Platform::EcsAl2));
        let pin = f.pin.unwrap();
        assert_eq!(pin.containers["web"], "nginx:1.27");
    }

    #[test]
    fn errors_are_located() {
        let (l, c, m) = err("app: x\npin:\n  repository: [a]\n");
        assert_eq!((l, c), (3, 3), "{m}");
        assert!(m.contains("repository"), "{m}");
        let (l, c, m) = err("app: x\nplatform: ecs\n");
        assert_eq!((l, c), (2, 11), "{m}");
        assert!(m.contains("unknown platform"), "{m}");
        let (l, _, m) = err("app: x\npin:\n  require_pinned: maybe\n");
        assert_eq!(l, 3, "{m}");
        let (l, c, m) = err("app: [x\n");
        assert!(l >= 1 && c >= 1, "{m}");
        let (l, c, m) = err("app: a/b\n");
        assert_eq!((l, c), (1, 6), "{m}");
        let (l, c, m) = err("pin:\n  containers:\n    web: 'a b'\n");
        assert_eq!((l, c), (3, 10), "{m}");
    }
}

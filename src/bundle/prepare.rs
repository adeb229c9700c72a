//! From a walked folder to the list of entries to write: modes, platform
//! hooks (0755, LF), symbolic links (kept when they stay inside the bundle),
//! replaced and generated files, and the entry limit.

use super::{Content, EntryData, MAX_ENTRIES, ZipEntry, is_hook, mode_for};
use crate::diag::{Finding, Report};
use crate::fileset::{FileKind, FileSet};
use crate::source::SourceFile;
use crate::validate::{Bundle, EntryKind, Rule};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// Normalises `bundle` (built from `set`) in place the way it will be
/// shipped: modes, hooks (CRLF refused, or fixed with `fix`), symlinks.
/// Returns the files whose bytes changed (to ship from memory). Problems go
/// into `report`.
pub fn normalize(
    bundle: &mut Bundle,
    set: &FileSet,
    fix: bool,
    report: &mut Report,
) -> BTreeMap<String, Arc<[u8]>> {
    let mut changed = BTreeMap::new();
    let names: BTreeSet<&str> = set.files.iter().map(|f| f.rel.as_str()).collect();
    let links: BTreeMap<&str, String> = set
        .files
        .iter()
        .filter_map(|f| match &f.kind {
            FileKind::Symlink(t) => Some((f.rel.as_str(), t.to_string_lossy().replace('\\', "/"))),
            _ => None,
        })
        .collect();
    for (entry, walked) in bundle.entries.iter_mut().zip(&set.files) {
        let display = display_name(&bundle.display, &entry.name);
        let data = match &entry.kind {
            EntryKind::Dir => EntryData::Dir,
            EntryKind::Symlink(t) => EntryData::Symlink(t.clone()),
            EntryKind::File => EntryData::File(Content::Disk(walked.path.clone())),
        };
        entry.mode = Some(mode_for(&entry.name, &data, walked.mode));
        if let EntryKind::Symlink(target) = &entry.kind
            && let Err(f) = check_link(&entry.name, target, &names, &links, &walked.path)
        {
            report.push_file(&display, *f);
        }
        if entry.kind == EntryKind::File && is_hook(&entry.name) {
            if entry.data.is_none() {
                match std::fs::read(&walked.path) {
                    Ok(b) => entry.data = Some(b),
                    Err(e) => {
                        report.push_file(
                            &display,
                            Rule::B1.error(format!("cannot read the hook: {e}"), ""),
                        );
                        continue;
                    }
                }
            }
            let bytes = entry.data.as_deref().unwrap_or_default();
            let Some(cr) = find_crlf(bytes) else { continue };
            if fix {
                let fixed = strip_cr(bytes);
                entry.size = fixed.len() as u64;
                changed.insert(entry.name.clone(), Arc::from(&fixed[..]));
                entry.data = Some(fixed);
                continue;
            }
            let finding = Rule::B1.error("platform hook has CRLF line endings; Linux runs it as `bash\\r` and the deployment fails",
                "save it with LF line endings, or build with `--fix` to convert it in the bundle",
            );
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    let file = report.add_source(SourceFile::new(&display, text));
                    report.push(&file, finding.at_span(cr..cr + 1, ""));
                }
                Err(_) => report.push_file(&display, finding),
            }
        }
    }
    changed
}

fn display_name(root: &str, name: &str) -> String {
    let base = root.trim_end_matches('/');
    if base.is_empty() || base == "." {
        name.to_owned()
    } else {
        format!("{base}/{name}")
    }
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

fn strip_cr(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        if c == b'\r' && b.get(i + 1) == Some(&b'\n') {
            continue;
        }
        out.push(c);
    }
    out
}

/// A link is kept when its target, resolved inside the bundle, is an entry
/// of the bundle (following chains of links).
fn check_link(
    name: &str,
    target: &str,
    names: &BTreeSet<&str>,
    links: &BTreeMap<&str, String>,
    path: &Path,
) -> Result<(), Box<Finding>> {
    let escapes = |t: &str| {
        Box::new(Rule::B2.error(format!("symbolic link points outside the bundle (`{t}`)"),
            "EB unpacks the bundle on another machine: copy the file into the bundle or make the link relative to a file inside it",
        ))
    };
    let (mut at, mut t) = (name.to_owned(), target.to_owned());
    for _ in 0..40 {
        if t.starts_with('/') || t.is_empty() {
            return Err(escapes(&t));
        }
        let Some(resolved) = resolve(&at, &t) else {
            return Err(escapes(&t));
        };
        if resolved.is_empty() {
            return Ok(());
        }
        if let Some(next) = links.get(resolved.as_str()) {
            at = resolved;
            t = next.clone();
            continue;
        }
        if names.contains(resolved.as_str()) {
            return Ok(());
        }
        let why = if path.exists() {
            "its target is left out of the bundle (`.ebignore` or a built-in exclusion)"
        } else {
            "its target does not exist"
        };
        return Err(Box::new(Rule::B3.error(
            format!("broken symbolic link to `{target}`: {why}"),
            "remove the link, fix its target, or stop excluding the target",
        )));
    }
    Err(Box::new(Rule::B3.error(
        format!("symbolic link `{target}` is part of a loop"),
        "break the loop of links",
    )))
}

/// `target` relative to the folder of `link`, normalised; `None` if it
/// climbs above the root.
fn resolve(link: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The entries to write, sorted: the normalised bundle with `changed`
/// bytes, plus `generated` files (and the folders they need). A generated
/// path that already exists is reported (B6), never overwritten.
pub fn plan(
    bundle: &Bundle,
    set: &FileSet,
    changed: &BTreeMap<String, Arc<[u8]>>,
    generated: &[(String, Arc<[u8]>, u32)],
    report: &mut Report,
) -> Vec<ZipEntry> {
    let mut entries: Vec<ZipEntry> = Vec::with_capacity(bundle.entries.len() + generated.len());
    for (e, walked) in bundle.entries.iter().zip(&set.files) {
        let data = match &e.kind {
            EntryKind::Dir => EntryData::Dir,
            EntryKind::Symlink(t) => EntryData::Symlink(t.clone()),
            EntryKind::File => match changed.get(&e.name) {
                Some(b) => EntryData::File(Content::Bytes(Arc::clone(b))),
                None => EntryData::File(Content::Disk(walked.path.clone())),
            },
        };
        entries.push(ZipEntry {
            name: e.name.clone(),
            mode: e.mode.unwrap_or(0o100_644),
            data,
        });
    }
    let existing: BTreeSet<String> = entries.iter().map(|e| e.name.clone()).collect();
    let mut dirs = BTreeSet::new();
    for (path, bytes, mode) in generated {
        if existing.contains(path) {
            report.push_file(
                &display_name(&bundle.display, path),
                Rule::B6.error(format!("ebpack generates `{path}`, and the bundle already has a file there"),
                    "rename or remove your file, or turn the generated feature off in `ebpack.yaml`",
                ),
            );
            continue;
        }
        let mut p = path.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            if !existing.contains(parent) {
                dirs.insert(parent.to_owned());
            }
            p = parent;
        }
        let data = EntryData::File(Content::Bytes(Arc::clone(bytes)));
        entries.push(ZipEntry {
            name: path.clone(),
            mode: mode_for(path, &data, *mode),
            data,
        });
    }
    for d in dirs {
        entries.push(ZipEntry {
            name: d,
            mode: 0o040_755,
            data: EntryData::Dir,
        });
    }
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    if entries.len() > MAX_ENTRIES {
        let mut per_top: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &entries {
            *per_top
                .entry(e.name.split('/').next().unwrap_or(""))
                .or_default() += 1;
        }
        let mut top: Vec<(&str, usize)> = per_top.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let list: Vec<String> = top
            .iter()
            .take(5)
            .map(|(n, c)| format!("`{n}` ({c})"))
            .collect();
        report.push_file(
            &bundle.display,
            Rule::B5.error(format!(
                    "the bundle has {} entries; EB fails to unzip more than {MAX_ENTRIES}. Most entries: {}",
                    entries.len(),
                    list.join(", ")
                ),
                "exclude what the instance does not need with `.ebignore`",
            ),
        );
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_resolution() {
        assert_eq!(resolve("a/b/l", "../c").as_deref(), Some("a/c"));
        assert_eq!(resolve("l", "../x"), None);
        assert_eq!(resolve("a/l", "./x/../y").as_deref(), Some("a/y"));
        assert_eq!(strip_cr(b"a\r\nb\r"), b"a\nb\r");
        assert_eq!(find_crlf(b"#!/bin/sh\r\n"), Some(9));
    }
}

//! The zip side of the bundle view: every central directory record, in
//! order and with duplicates ([`crate::bundle::zipfmt::read_central`]),
//! and the bytes of the entries rules read, checked against their sizes
//! and CRC as they are read.

use super::{
    Budget, Bundle, BundleEntry, EntryKind, InputError, MAX_LOADED, Need, Resolution, ZipFacts,
    links, need, over_budget, read_bounded, scan, too_large_to_check,
};
use crate::bundle::zipfmt::{self, CentralEntry, EntryReader};
use crate::diag::Finding;
use crate::validate::Rule;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

/// The longest link target read from a zip (Linux's `PATH_MAX`).
const MAX_LINK: u64 = 4096;

/// Reads a zip archive's entries (names as stored, modes, the contents
/// rules read). An archive whose central directory cannot be read is an
/// [`InputError::Zip`] (R5); an entry whose bytes cannot be read is an R5
/// finding on that entry.
pub fn read_zip(path: &Path) -> Result<Bundle, InputError> {
    let io = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile {
            path: path.to_owned(),
        });
    }
    let mut r = BufReader::new(file);
    let cd = zipfmt::read_central(&mut r, meta.len()).map_err(|message| InputError::Zip {
        path: path.to_owned(),
        message,
    })?;
    let mut findings: Vec<(Option<String>, Finding)> = Vec::new();
    let mut facts = ZipFacts::default();
    let mut entries = Vec::with_capacity(cd.entries.len());
    for e in &cd.entries {
        let name = e.name_lossy().trim_end_matches('/').to_owned();
        let readable = readable(e);
        if e.encrypted() {
            facts.encrypted.push(name.clone());
        } else if !readable && !e.is_dir() {
            facts
                .unusual_methods
                .push((name.clone(), zipfmt::method_name(e.method)));
        }
        let mode = e.unix_mode();
        let is_link = !e.is_dir() && mode.is_some_and(|m| m & 0o170_000 == 0o120_000);
        let kind = if e.is_dir() {
            EntryKind::Dir
        } else if is_link {
            EntryKind::Symlink(link_target(&mut r, e, cd.offset, &name, &mut findings))
        } else {
            EntryKind::File
        };
        entries.push(BundleEntry {
            name,
            kind,
            mode,
            size: e.size,
            data: None,
        });
    }
    let escape = |name: &str, t: &str| {
        let message = if t.starts_with('/') {
            format!("symlink `{name}` leads to the absolute path `{t}`, outside the bundle")
        } else {
            format!("symlink `{name}` points outside the bundle (`{t}`)")
        };
        Rule::R12.error(
            message,
            "point symlinks at files inside the bundle, with relative paths (`build` refuses the others too)",
        )
    };
    let broken = |e: &BundleEntry, _: Resolution| {
        (need(&e.name) == Need::Whole).then(|| {
            Rule::R12.error(
                format!(
                    "EB reads `{}` through a symbolic link that leads to no file of the bundle",
                    e.name
                ),
                "store the file itself, or a link to a file of the bundle",
            )
        })
    };
    let loads = links(&entries, &mut findings, &escape, &broken);
    let load = |i: usize, r: &mut BufReader<std::fs::File>, findings: &mut Vec<_>| {
        let e = &cd.entries[i];
        match EntryReader::open(r, e, cd.offset)
            .and_then(|x| read_bounded(x).map_err(|x| x.to_string()))
        {
            Ok(data) => Some(data),
            Err(message) => {
                let name = entries_name(e);
                findings.push((Some(name), super::super::archive::unreadable_zip(&message)));
                None
            }
        }
    };
    let mut budget = Budget::new();
    for (i, e) in cd.entries.iter().enumerate() {
        if entries[i].kind != EntryKind::File || !readable(e) {
            continue;
        }
        let name = entries[i].name.clone();
        match need(&name) {
            Need::Whole if e.size > MAX_LOADED => {
                findings.push((Some(name.clone()), too_large_to_check(&name, e.size)));
            }
            Need::Whole if !budget.take(e.size) => {
                findings.push((Some(name.clone()), over_budget(&name)));
            }
            Need::Whole => entries[i].data = load(i, &mut r, &mut findings),
            Need::Hook if e.size <= MAX_LOADED && budget.take(e.size) => {
                entries[i].data = load(i, &mut r, &mut findings);
            }
            Need::Hook if scan::is_run_hook(&name) => {
                let scanned = EntryReader::open(&mut r, e, cd.offset)
                    .and_then(|x| scan::large_hook(&name, x).map_err(|x| x.to_string()));
                match scanned {
                    Ok(found) => {
                        findings.extend(found.into_iter().map(|f| (Some(name.clone()), f)))
                    }
                    Err(m) => {
                        findings.push((Some(name), super::super::archive::unreadable_zip(&m)))
                    }
                }
            }
            Need::Hook | Need::Script | Need::Nothing => {}
        }
    }
    let scripts = super::named_scripts(&entries);
    for (i, e) in cd.entries.iter().enumerate() {
        if entries[i].kind == EntryKind::File
            && readable(e)
            && need(&entries[i].name) == Need::Script
            && e.size <= MAX_LOADED
            && scripts.contains(&entries[i].name)
            && budget.take(e.size)
        {
            entries[i].data = load(i, &mut r, &mut findings);
        }
    }
    for (link, target) in loads {
        let t = &cd.entries[target];
        if entries[target].kind != EntryKind::File || !readable(t) {
            continue;
        }
        let name = entries[link].name.clone();
        if t.size > MAX_LOADED {
            findings.push((Some(name.clone()), too_large_to_check(&name, t.size)));
            continue;
        }
        if !budget.take(t.size) {
            findings.push((Some(name.clone()), over_budget(&name)));
            continue;
        }
        entries[link].data = match entries[target].data.clone() {
            Some(d) => Some(d),
            None => load(target, &mut r, &mut findings),
        };
    }
    Ok(Bundle {
        display: path.to_string_lossy().into_owned(),
        is_zip: true,
        archive_size: Some(meta.len()),
        entries,
        zip: facts,
        findings,
    })
}

/// Stored or DEFLATE, and not encrypted: what ebpack (and EB) can read.
fn readable(e: &CentralEntry) -> bool {
    !e.encrypted() && matches!(e.method, 0 | 8)
}

fn entries_name(e: &CentralEntry) -> String {
    e.name_lossy().trim_end_matches('/').to_owned()
}

/// The target a link entry stores as its content (R12 when it is longer
/// than a path can be, R5 when it cannot be read).
fn link_target<R: Read + Seek>(
    r: &mut R,
    e: &CentralEntry,
    cd_offset: u64,
    name: &str,
    findings: &mut Vec<(Option<String>, Finding)>,
) -> String {
    if !readable(e) {
        return String::new();
    }
    let mut buf = Vec::new();
    let read = EntryReader::open(r, e, cd_offset).and_then(|x| {
        x.take(MAX_LINK + 1)
            .read_to_end(&mut buf)
            .map_err(|x| x.to_string())
    });
    if let Err(m) = read {
        findings.push((
            Some(name.to_owned()),
            super::super::archive::unreadable_zip(&m),
        ));
        return String::new();
    }
    if buf.len() as u64 > MAX_LINK {
        findings.push((
            Some(name.to_owned()),
            Rule::R12.error(
                format!("symlink `{name}` has a target longer than {MAX_LINK} bytes: no system can follow it"),
                "store the file itself, or a short relative link",
            ),
        ));
        return String::new();
    }
    String::from_utf8_lossy(&buf).into_owned()
}

//! Zip-level rules (R5–R14): format, layout, entry names, modes, storage
//! and size of a built archive; and the rules a folder shares with the zip
//! `build` makes of it: names `build` would store as they are (R8, R10),
//! the entry count (B5), and what reading found (links R12/B2/B3, sizes
//! R6/B4), so `validate` of a folder refuses what `build` refuses.
//!
//! R5 (the bundle is a zip) is decided by the input dispatch with the helpers
//! here; R13 (dot-folders left out) is checked on folders, where `.ebignore`
//! decides what ships ([`check_ignored`]) — a zip alone cannot show what a
//! `zip -r x.zip *` recipe dropped; R14 looks at how entries are stored.

use super::{Bundle, BundleEntry, EntryKind, Options};
use crate::diag::{Finding, Report};
use crate::fileset::ebignore::PatternRef;
use crate::fileset::{FileKind, FileSet, Reason, Skipped};
use crate::source::SourceFile;
use crate::validate::Rule;
use std::collections::{BTreeMap, HashMap};

/// Hard limit (500 MiB) and the threshold for a warning (500 MB).
const MAX_SIZE: u64 = 524_288_000;
const WARN_SIZE: u64 = 500_000_000;
/// Files EB looks for at the bundle root (R7).
const ROOT_FILES: [&str; 7] = [
    "Dockerrun.aws.json",
    "docker-compose.yml",
    "Dockerfile",
    "Procfile",
    "Buildfile",
    ".ebextensions",
    ".platform",
];

/// Runs the archive rules: the findings made while reading the bundle
/// (names, links, sizes), entry names and counts for folders and zips
/// alike (what `build` would store), and for zips the rules of how the
/// archive itself is made.
pub fn check(bundle: &Bundle, options: &Options, report: &mut Report) {
    for (name, f) in &bundle.findings {
        let display = match name {
            Some(n) => bundle.display_name(n),
            None => bundle.display.clone(),
        };
        report.push_file(&display, f.clone());
    }
    count(bundle, report);
    if !bundle.is_zip {
        for entry in &bundle.entries {
            if entry.name.contains('\\') {
                report.push_file(
                    &bundle.display_name(&entry.name),
                    Rule::R8.error(
                        format!("the name `{}` has a backslash: stored as is in the zip, EB's unzip reads it as a folder separator and fails", entry.name),
                        "rename it without `\\`",
                    ),
                );
            }
        }
        return;
    }
    size(bundle, report);
    parent_folder(bundle, report);
    storage(bundle, report);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut macosx_reported = false;
    for entry in &bundle.entries {
        let name = entry.name.as_str();
        let display = bundle.display_name(name);
        let mut push = |f: Finding| report.push_file(&display, f);
        if name.contains('\\') {
            push(Rule::R8.error(
                format!("entry name `{name}` uses backslashes: EB fails to unzip the bundle"),
                "rebuild the zip with `/` separators (`ebpack build` does this)",
            ));
        }
        let parts: Vec<&str> = name.split(['/', '\\']).collect();
        if name.starts_with('/') || name.starts_with('\\') || is_drive(name) {
            push(Rule::R10.error(
                format!("entry name `{name}` is an absolute path"),
                "store paths relative to the bundle root",
            ));
        }
        if parts.contains(&"..") {
            push(Rule::R10.error(
                format!("entry name `{name}` contains `..` and would extract outside the bundle"),
                "store paths relative to the bundle root, without `..`",
            ));
        }
        if parts.contains(&"__MACOSX") {
            if !macosx_reported {
                macosx_reported = true;
                let n = bundle
                    .entries
                    .iter()
                    .filter(|e| e.name.split(['/', '\\']).any(|p| p == "__MACOSX"))
                    .count();
                push(Rule::R9.error(format!(
                        "bundle contains macOS metadata `__MACOSX/` ({n} entries): EB parses its `._*.config` files and fails"
                    ),
                    "zip with `zip -r -X` or `ebpack build`, which leave out `__MACOSX`",
                ));
            }
        } else if let Some(base) = parts.last() {
            if base.starts_with("._") {
                push(Rule::R9.error(format!(
                        "`{name}` is a macOS AppleDouble file: EB may read it as configuration and fail"
                    ),
                    "remove `._*` files (`dot_clean`, or `ebpack build`)",
                ));
            } else if *base == ".DS_Store" {
                push(Rule::R9.warning(
                    format!("`{name}` is macOS Finder metadata"),
                    "leave `.DS_Store` out of the bundle",
                ));
            }
        }
        let key = name.trim_end_matches('/');
        let count = seen.entry(key).or_insert(0);
        *count += 1;
        if *count == 2 {
            push(Rule::R10.error(
                format!(
                    "entry `{name}` is stored more than once: extractors disagree on which copy wins (`unzip -o` keeps the last, `unzip -n` the first), so what EB runs may not be what was checked"
                ),
                "rebuild the zip so each path appears once",
            ));
        }
        hook_mode(entry, options, &mut push);
    }
}

/// B5: more entries than EB's unzip takes, for a folder (what `build`
/// would write, before generated files) or a zip.
fn count(bundle: &Bundle, report: &mut Report) {
    let n = bundle.entries.len();
    if n <= crate::bundle::MAX_ENTRIES {
        return;
    }
    let mut per_top: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &bundle.entries {
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
        Rule::B5.error(
            format!(
                "the bundle has {n} entries; EB fails to unzip more than {}. Most entries: {}",
                crate::bundle::MAX_ENTRIES,
                list.join(", ")
            ),
            "exclude what the instance does not need with `.ebignore`",
        ),
    );
}

fn is_drive(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

fn size(bundle: &Bundle, report: &mut Report) {
    let Some(size) = bundle.archive_size else {
        return;
    };
    let mb = size / 1_000_000;
    let f = if size > MAX_SIZE {
        Rule::R6.error(
            format!(
                "bundle is {size} bytes ({mb} MB); EB accepts at most 500 MiB (524288000 bytes)"
            ),
            "move large assets out of the bundle (images in a registry, data in S3)",
        )
    } else if size > WARN_SIZE {
        Rule::R6.warning(format!(
                "bundle is {size} bytes ({mb} MB), above 500 MB; some EB documentation gives that as the limit"
            ),
            "keep bundles well below 500 MB",
        )
    } else {
        return;
    };
    report.push_file(&bundle.display, f);
}

/// The single top-level folder every entry lives in, when the root files
/// are only found under it (the "zipped the folder, not its contents"
/// mistake, R7): `(folder, first root file found below it)`.
pub(crate) fn wrapping_folder(bundle: &Bundle) -> Option<(String, String)> {
    let names: Vec<&str> = bundle
        .entries
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| !n.starts_with("__MACOSX"))
        .collect();
    if names.is_empty()
        || names
            .iter()
            .any(|n| ROOT_FILES.iter().any(|r| root_has(n, r)))
    {
        return None;
    }
    let first = |n: &str| n.split(['/', '\\']).next().unwrap_or("").to_owned();
    let top = first(names[0]);
    if top.is_empty() || !names.iter().all(|n| first(n) == top) {
        return None;
    }
    let prefix = format!("{top}/");
    let hit = names.iter().find(|n| {
        n.strip_prefix(&prefix)
            .is_some_and(|rest| ROOT_FILES.iter().any(|r| root_has(rest, r)))
    })?;
    Some((top, (*hit).to_owned()))
}

/// R7: every entry under one folder that holds the root files.
fn parent_folder(bundle: &Bundle, report: &mut Report) {
    if let Some((top, hit)) = wrapping_folder(bundle) {
        let prefix = format!("{top}/");
        report.push_file(
            &bundle.display_name(&hit),
            Rule::R7.error(format!(
                    "every entry is inside the folder `{top}/`: EB looks for `{}` at the root of the zip",
                    hit.strip_prefix(&prefix).unwrap_or(&hit)
                ),
                format!("zip the contents of `{top}`, not the folder itself (`cd {top} && zip -r ../bundle.zip .`)"),
            ),
        );
    }
}

/// True when `name` is root file `root` or lies in root folder `root`.
fn root_has(name: &str, root: &str) -> bool {
    name == root || name.strip_prefix(root).is_some_and(|r| r.starts_with('/'))
}

/// R11: hooks carry Unix execute bits (an error only on targets older
/// than the platform versions that grant the bit themselves).
fn hook_mode(entry: &BundleEntry, options: &Options, push: &mut impl FnMut(Finding)) {
    let is_hook = [".platform/hooks/", ".platform/confighooks/"]
        .iter()
        .any(|p| entry.name.starts_with(p));
    if !is_hook || entry.kind != EntryKind::File {
        return;
    }
    let what = match entry.mode {
        None => format!(
            "hook `{}` has no Unix permissions (zip not made on Unix)",
            entry.name
        ),
        Some(m) if m & 0o111 == 0 => format!(
            "hook `{}` is stored without execute bits (mode {:04o})",
            entry.name,
            m & 0o7777
        ),
        Some(_) => return,
    };
    push(super::platform::missing_exec_bit(
        Rule::R11,
        options.platform,
        &entry.name,
        &what,
        true,
    ));
}

/// R14: entries EB's unzip may not extract. Zip64 is fine; DEFLATE (or
/// stored) is what every tool writes and EB reads. Other methods (bzip2,
/// LZMA, zstd, Deflate64, …) are a warning; encrypted entries cannot be
/// extracted at all.
fn storage(bundle: &Bundle, report: &mut Report) {
    for name in &bundle.zip.encrypted {
        report.push_file(
            &bundle.display_name(name),
            Rule::R14.error(
                format!("entry `{name}` is encrypted: EB cannot extract it"),
                "rebuild the zip without a password (`ebpack build`)",
            ),
        );
    }
    for (name, method) in &bundle.zip.unusual_methods {
        report.push_file(
            &bundle.display_name(name),
            Rule::R14.warning(format!(
                    "entry `{name}` is compressed with {method}; EB's unzip expects DEFLATE (or stored) entries"
                ),
                "rebuild the zip with DEFLATE compression (`zip -r`, `ebpack build`)",
            ),
        );
    }
}

/// True when `head` starts like a zip archive (local file header, or the
/// end record of an empty archive).
pub fn is_zip_magic(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// The archive format of a file that is not a zip (R5), by content, else
/// by name: `Some("a gzip-compressed archive")`.
pub fn other_archive(lower_name: &str, head: &[u8]) -> Option<&'static str> {
    let tar = head.len() > 262 && &head[257..262] == b"ustar";
    let by_content = if head.starts_with(&[0x1f, 0x8b]) {
        Some("a gzip-compressed file")
    } else if head.starts_with(b"BZh") {
        Some("a bzip2-compressed file")
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some("an xz-compressed file")
    } else if head.starts_with(&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c]) {
        Some("a 7-Zip archive")
    } else if head.starts_with(b"Rar!") {
        Some("a RAR archive")
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some("a zstd-compressed file")
    } else if tar {
        Some("a tar archive")
    } else {
        None
    };
    if by_content.is_some() {
        return by_content;
    }
    const BY_NAME: [(&str, &str); 9] = [
        (".tar.gz", "a gzip-compressed tar archive"),
        (".tgz", "a gzip-compressed tar archive"),
        (".tar", "a tar archive"),
        (".gz", "a gzip-compressed file"),
        (".bz2", "a bzip2-compressed file"),
        (".xz", "an xz-compressed file"),
        (".7z", "a 7-Zip archive"),
        (".rar", "a RAR archive"),
        (".zst", "a zstd-compressed file"),
    ];
    BY_NAME
        .iter()
        .find(|(ext, _)| lower_name.ends_with(ext))
        .map(|(_, kind)| *kind)
}

/// R5: the input is an archive EB does not take as a source bundle.
pub fn not_a_zip(name: &str, kind: &str) -> Finding {
    Rule::R5.error(format!(
            "`{name}` is {kind}; EB takes a source bundle only as a ZIP (or WAR) file, or a bare `Dockerrun.aws.json` / `docker-compose.yml`"
        ),
        "repack it as a zip of the bundle's contents (`ebpack build`, or `cd eb && zip -r ../bundle.zip .`)",
    )
}

/// R5: the input is named or starts like a zip but cannot be read as one.
pub fn unreadable_zip(message: &str) -> Finding {
    Rule::R5.error(format!("not a readable zip archive ({message}); EB fails to unzip it"),
        "rebuild the bundle (`ebpack build`); a truncated upload or another archive format renamed to `.zip` looks like this",
    )
}

/// Root paths whose absence from the built bundle changes the deployment.
const SHIPPED: [&str; 8] = [
    ".ebextensions",
    ".platform",
    "Dockerrun.aws.json",
    "docker-compose.yml",
    "Dockerfile",
    "Procfile",
    "Buildfile",
    ".env",
];

/// R13 for folders: `.ebignore` patterns that leave the configuration
/// folders or root files out of the bundle EB receives (the EB CLI and
/// `ebpack build` read `.ebignore` the same way, [`crate::fileset::ebignore`]).
/// Only what really stays out is named: a file a later `!pattern` ships
/// again is not. One finding per pattern, at its line.
pub fn check_ignored(bundle: &Bundle, set: &FileSet, report: &mut Report) {
    let Some(text) = &set.ebignore else {
        return;
    };
    let mut found: Vec<(PatternRef, Finding)> = Vec::new();
    for root in SHIPPED.iter().filter(|r| **r != ".env") {
        let under = |rel: &str| {
            rel == *root || (root.starts_with('.') && rel.starts_with(&format!("{root}/")))
        };
        let mut by_pattern: BTreeMap<usize, (&PatternRef, Vec<&Skipped>)> = BTreeMap::new();
        for s in &set.skipped {
            if let Reason::Ebignore(p) = &s.reason
                && under(&s.rel)
            {
                by_pattern
                    .entry(p.line)
                    .or_insert((p, Vec::new()))
                    .1
                    .push(s);
            }
        }
        if by_pattern.is_empty() {
            continue;
        }
        let shipped = set
            .files
            .iter()
            .any(|f| f.kind != FileKind::Dir && under(&f.rel));
        let whole = !shipped && by_pattern.len() == 1;
        for (pattern, skipped) in by_pattern.into_values() {
            let folder = skipped.iter().any(|s| s.is_dir || s.rel != *root);
            let (message, first) = if whole {
                let what = if folder { "folder" } else { "file" };
                (
                    format!(
                        "`.ebignore` leaves the {what} `{root}` out of the bundle (pattern `{}`): EB never sees it",
                        pattern.text
                    ),
                    (*root).to_owned(),
                )
            } else {
                let names: Vec<String> = skipped
                    .iter()
                    .map(|s| format!("`{}{}`", s.rel, if s.is_dir { "/" } else { "" }))
                    .collect();
                let shown = match names.len() {
                    1 => names[0].clone(),
                    n if n <= 3 => names.join(", "),
                    n => format!("{} and {} more", names[..3].join(", "), n - 3),
                };
                let them = if names.len() == 1 { "it" } else { "them" };
                (
                    format!(
                        "`.ebignore` leaves {shown} out of the bundle (pattern `{}`): EB never sees {them}",
                        pattern.text
                    ),
                    skipped[0].rel.clone(),
                )
            };
            let f = Rule::R13.warning(
                message,
                format!("remove the pattern, or add `!{first}` after it"),
            );
            found.push((pattern.clone(), f));
        }
    }
    if found.is_empty() {
        return;
    }
    let display = bundle.display_name(".ebignore");
    let file = report.add_source(SourceFile::new(display, text.clone()));
    for (pattern, f) in found {
        report.push(&file, f.at_span(pattern.span, ""));
    }
}

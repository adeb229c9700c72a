//! Zip-level rules (R6–R12): layout, entry names, modes and size of a built
//! archive. Folders pass: `ebpack build` writes names and modes correctly.
//!
//! R5 (the bundle is a zip) is decided by the input dispatch, R13 (hidden
//! folders dropped) cannot be told from a zip alone, and R14 (Zip64 and
//! DEFLATE) needs the compression method, which [`BundleEntry`] does not keep.

use super::{Bundle, BundleEntry, EntryKind, Options};
use crate::diag::{Finding, Report};
use std::collections::HashMap;

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

/// Runs the archive rules (only meaningful for zips; folders pass).
pub fn check(bundle: &Bundle, options: &Options, report: &mut Report) {
    let _ = options;
    if !bundle.is_zip {
        return;
    }
    size(bundle, report);
    parent_folder(bundle, report);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut macosx_reported = false;
    for entry in &bundle.entries {
        let name = entry.name.as_str();
        let display = bundle.display_name(name);
        let mut push = |f: Finding| report.push_file(&display, f);
        if name.contains('\\') {
            push(Finding::error(
                "R8",
                format!("entry name `{name}` uses backslashes: EB fails to unzip the bundle"),
                "rebuild the zip with `/` separators (`ebpack build` does this)",
            ));
        }
        let parts: Vec<&str> = name.split(['/', '\\']).collect();
        if name.starts_with('/') || name.starts_with('\\') || is_drive(name) {
            push(Finding::error(
                "R10",
                format!("entry name `{name}` is an absolute path"),
                "store paths relative to the bundle root",
            ));
        }
        if parts.contains(&"..") {
            push(Finding::error(
                "R10",
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
                push(Finding::error(
                    "R9",
                    format!(
                        "bundle contains macOS metadata `__MACOSX/` ({n} entries): EB parses its `._*.config` files and fails"
                    ),
                    "zip with `zip -r -X` or `ebpack build`, which leave out `__MACOSX`",
                ));
            }
        } else if let Some(base) = parts.last() {
            if base.starts_with("._") {
                push(Finding::error(
                    "R9",
                    format!(
                        "`{name}` is a macOS AppleDouble file: EB may read it as configuration and fail"
                    ),
                    "remove `._*` files (`dot_clean`, or `ebpack build`)",
                ));
            } else if *base == ".DS_Store" {
                push(Finding::warning(
                    "R9",
                    format!("`{name}` is macOS Finder metadata"),
                    "leave `.DS_Store` out of the bundle",
                ));
            }
        }
        let key = name.trim_end_matches('/');
        let count = seen.entry(key).or_insert(0);
        *count += 1;
        if *count == 2 {
            push(Finding::error(
                "R10",
                format!(
                    "entry `{name}` is stored more than once: which copy EB extracts is undefined"
                ),
                "rebuild the zip so each path appears once",
            ));
        }
        hook_mode(entry, &mut push);
        symlink(entry, &mut push);
    }
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
        Finding::error(
            "R6",
            format!(
                "bundle is {size} bytes ({mb} MB); EB accepts at most 500 MiB (524288000 bytes)"
            ),
            "move large assets out of the bundle (images in a registry, data in S3)",
        )
    } else if size > WARN_SIZE {
        Finding::warning(
            "R6",
            format!(
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
            Finding::error(
                "R7",
                format!(
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

/// R11: hooks must carry Unix execute bits.
fn hook_mode(entry: &BundleEntry, push: &mut impl FnMut(Finding)) {
    let is_hook = [".platform/hooks/", ".platform/confighooks/"]
        .iter()
        .any(|p| entry.name.starts_with(p));
    if !is_hook || entry.kind != EntryKind::File {
        return;
    }
    match entry.mode {
        None => push(Finding::error(
            "R11",
            format!(
                "hook `{}` has no Unix permissions (zip not made on Unix): EB cannot execute it",
                entry.name
            ),
            "rebuild the zip on Linux/macOS or with `ebpack build`, with mode 0755 on hooks",
        )),
        Some(m) if m & 0o111 == 0 => push(Finding::error(
            "R11",
            format!(
                "hook `{}` is stored without execute bits (mode {:04o})",
                entry.name,
                m & 0o7777
            ),
            "`chmod +x` the hook before zipping, or use `ebpack build`",
        )),
        Some(_) => {}
    }
}

/// R12: symlinks are fine unless they point outside the bundle.
fn symlink(entry: &BundleEntry, push: &mut impl FnMut(Finding)) {
    let EntryKind::Symlink(target) = &entry.kind else {
        return;
    };
    if target.starts_with('/') {
        push(Finding::warning(
            "R12",
            format!(
                "symlink `{}` points to the absolute path `{target}`",
                entry.name
            ),
            "point symlinks at files inside the bundle, with relative paths",
        ));
        return;
    }
    let mut depth: i64 = entry.name.matches('/').count() as i64;
    for part in target.split('/') {
        match part {
            ".." => depth -= 1,
            "" | "." => {}
            _ => depth += 1,
        }
        if depth < 0 {
            push(Finding::warning(
                "R12",
                format!(
                    "symlink `{}` points outside the bundle (`{target}`)",
                    entry.name
                ),
                "point symlinks at files inside the bundle",
            ));
            return;
        }
    }
}

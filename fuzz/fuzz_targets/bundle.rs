//! Any bytes as a whole bundle (entry names, kinds, modes, contents): the
//! zip, Dockerrun, `.ebextensions` and `.platform` rules together, with
//! their cross-file checks, never panic, and every located finding lies
//! inside its file's text.
//!
//! Input format, repeated: an entry name up to `\n`, one byte of kind and
//! mode (bits 0–1: file/dir/symlink/file without Unix mode; bit 2:
//! executable), a little-endian `u16` content length, the content. Names
//! are steered towards the paths the rules look at by a prefix table.
#![no_main]

use ebpack::diag::render::human_report;
use ebpack::validate::{Bundle, BundleEntry, EntryKind, Options, Platform, validate_bundle};
use libfuzzer_sys::fuzz_target;

const PREFIXES: [&str; 8] = [
    "",
    "Dockerrun.aws.json",
    ".ebextensions/",
    ".platform/hooks/predeploy/",
    ".platform/confighooks/",
    ".platform/nginx/",
    "docker-compose.yml",
    "app/",
];

fn entries(mut data: &[u8]) -> Vec<BundleEntry> {
    let mut out = Vec::new();
    while !data.is_empty() && out.len() < 64 {
        let end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
        let (raw, rest) = data.split_at(end);
        data = rest.get(1..).unwrap_or_default();
        let (prefix, raw) = match raw.split_first() {
            Some((p, r)) => (PREFIXES[usize::from(*p) % PREFIXES.len()], r),
            None => ("", raw),
        };
        let name = format!("{prefix}{}", String::from_utf8_lossy(raw));
        let Some((&flags, rest)) = data.split_first() else {
            break;
        };
        data = rest;
        let len = match data {
            [a, b, rest @ ..] => {
                data = rest;
                usize::from(u16::from_le_bytes([*a, *b]))
            }
            _ => 0,
        };
        let take = len.min(data.len());
        let (content, rest) = data.split_at(take);
        data = rest;
        let exec = if flags & 4 != 0 { 0o755 } else { 0o644 };
        let (kind, mode) = match flags & 3 {
            0 => (EntryKind::File, Some(0o100_000 | exec)),
            1 => (EntryKind::Dir, Some(0o040_755)),
            2 => (
                EntryKind::Symlink(String::from_utf8_lossy(content).into_owned()),
                Some(0o120_777),
            ),
            _ => (EntryKind::File, None),
        };
        out.push(BundleEntry {
            name,
            kind,
            mode,
            size: content.len() as u64,
            data: Some(content.to_vec()),
        });
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let entries = entries(data);
    for is_zip in [true, false] {
        let bundle = Bundle {
            display: "bundle".into(),
            is_zip,
            archive_size: Some(data.len() as u64),
            entries: entries.clone(),
            ..Bundle::default()
        };
        for platform in [Platform::EcsAl2, Platform::McAl1, Platform::DockerAl2] {
            let options = Options {
                platform,
                allow_unknown_keys: false,
            };
            let report = validate_bundle(&bundle, &options);
            for d in &report.diagnostics {
                assert!(d.line >= 1 && d.column >= 1, "{d:?}");
                if let (Some(span), Some(src)) = (&d.span, report.sources.get(&d.file)) {
                    assert!(
                        span.start <= span.end && span.end <= src.text().len(),
                        "{d:?}"
                    );
                }
            }
            let _ = human_report(&report, false);
        }
    }
});

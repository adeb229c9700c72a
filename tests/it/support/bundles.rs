//! Bundle fixtures as data: one `*.bundle` text file describes a whole
//! bundle (a folder, a zip, or a single input file) and the finding it
//! must produce. The format:
//!
//! ```text
//! # what the bundle shows (any number of comment lines)
//! expect: R60 warning on `.env`     (code, severity, end of the finding's file name)
//! platform: docker-al2              (optional; default ecs-al2)
//! as: folder                        (folder | zip | file; default folder)
//! zip-method: 12                    (zip only: every entry's method id, or `encrypted`)
//! archive-size: 600000000           (zip only: checks the entries as a zip of that size)
//! --- Dockerrun.aws.json            (an entry; `--- NAME 0755` sets its mode,
//! {...}                              `--- NAME dos` makes a zip entry on DOS,
//! --- conf/x -> /etc/passwd          `--- NAME -> TARGET` is a symlink)
//! ```
//!
//! An entry's text runs to the line before the next `--- ` line; the line
//! break before that line (or the file's last one) is not part of it.

use crate::support::cases::parse_expect;
use crate::support::validation;
use ebpack::diag::{Report, Severity};
use ebpack::validate::{self, Bundle, BundleEntry, EntryKind, Platform};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One entry of a bundle fixture.
struct Entry {
    name: String,
    /// Unix permission bits; `None`: made on DOS (zip) / 0644 (folder).
    mode: Option<u32>,
    /// Symlink target.
    link: Option<String>,
    text: String,
}

/// A parsed `*.bundle` file.
pub(crate) struct BundleFixture {
    path: PathBuf,
    expect: (String, Severity, String),
    platform: Platform,
    form: String,
    zip_method: Option<String>,
    archive_size: Option<u64>,
    entries: Vec<Entry>,
}

impl BundleFixture {
    /// Reads and parses `path`; panics naming the file and the problem.
    pub(crate) fn read(path: &Path) -> BundleFixture {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        BundleFixture::parse(path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn parse(path: &Path, text: &str) -> Result<BundleFixture, String> {
        let mut fixture = BundleFixture {
            path: path.to_owned(),
            expect: (String::new(), Severity::Error, String::new()),
            platform: Platform::EcsAl2,
            form: "folder".to_owned(),
            zip_method: None,
            archive_size: None,
            entries: Vec::new(),
        };
        let mut lines = text.split('\n').peekable();
        while let Some(line) = lines.next_if(|l| !l.starts_with("--- ")) {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let (key, value) = line
                .split_once(": ")
                .ok_or_else(|| format!("`{line}`: expected `key: value`"))?;
            match key {
                "expect" => fixture.expect = parse_expect(value, "on")?,
                "platform" => fixture.platform = value.parse()?,
                "as" => fixture.form = value.to_owned(),
                "zip-method" => fixture.zip_method = Some(value.to_owned()),
                "archive-size" => {
                    fixture.archive_size = Some(value.parse().map_err(|e| format!("{e}"))?)
                }
                other => return Err(format!("unknown key `{other}`")),
            }
        }
        if fixture.expect.0.is_empty() {
            return Err("no `expect:` line".into());
        }
        while let Some(header) = lines.next() {
            let header = header.strip_prefix("--- ").expect("an entry header");
            let mut body = Vec::new();
            while let Some(line) = lines.next_if(|l| !l.starts_with("--- ")) {
                body.push(line);
            }
            if body.last() == Some(&"") {
                body.pop();
            }
            let (name, mode, link) = match header.split_once(" -> ") {
                Some((name, target)) => (name, Some(0o777), Some(target.to_owned())),
                None => match header.split_once(' ') {
                    Some((name, "dos")) => (name, None, None),
                    Some((name, mode)) => (
                        name,
                        Some(u32::from_str_radix(mode, 8).map_err(|e| format!("{header}: {e}"))?),
                        None,
                    ),
                    None => (header, Some(0o644), None),
                },
            };
            fixture.entries.push(Entry {
                name: name.to_owned(),
                mode,
                link,
                text: body.join("\n"),
            });
        }
        if fixture.entries.is_empty() {
            return Err("no entries".into());
        }
        Ok(fixture)
    }

    /// Builds the bundle in a temporary folder and validates it.
    pub(crate) fn validate(&self) -> Report {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = validation::options(self.platform);
        let input = match self.form.as_str() {
            "folder" => self.write_folder(dir.path()),
            "zip" if self.archive_size.is_some() => {
                return validate::validate_bundle(&self.bundle_view(), &options);
            }
            "zip" => self.write_zip(&dir.path().join("bundle.zip")),
            "file" => {
                assert_eq!(
                    self.entries.len(),
                    1,
                    "{}: `as: file` takes one entry",
                    self.path.display()
                );
                self.write_folder(dir.path());
                dir.path().join(&self.entries[0].name)
            }
            other => panic!("{}: unknown form `{other}`", self.path.display()),
        };
        let mut report = validate::validate_path(&input, &options).expect("validate");
        // Stable names for assertions and snapshots.
        let base = dir.path().to_string_lossy().into_owned();
        for d in &mut report.diagnostics {
            d.file = d.file.replace(&base, "eb");
        }
        report
    }

    fn write_folder(&self, root: &Path) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        for e in &self.entries {
            let p = root.join(&e.name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            match &e.link {
                Some(target) => std::os::unix::fs::symlink(target, &p).expect("symlink"),
                None => {
                    std::fs::write(&p, &e.text).expect("write");
                    let mode = e.mode.unwrap_or(0o644);
                    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode))
                        .expect("chmod");
                }
            }
        }
        root.to_owned()
    }

    fn write_zip(&self, path: &Path) -> PathBuf {
        use zip::write::SimpleFileOptions;
        let mut w = zip::ZipWriter::new(std::fs::File::create(path).expect("create zip"));
        for e in &self.entries {
            let mut opts = match e.mode {
                Some(mode) => SimpleFileOptions::default()
                    .system(zip::System::Unix)
                    .unix_permissions(mode),
                None => SimpleFileOptions::default().system(zip::System::Dos),
            };
            if self.zip_method.is_some() {
                opts = opts.compression_method(zip::CompressionMethod::Stored);
            }
            match &e.link {
                Some(target) => w.add_symlink(e.name.as_str(), target.as_str(), opts),
                None => w
                    .start_file(e.name.as_str(), opts)
                    .and_then(|()| Ok(w.write_all(e.text.as_bytes())?)),
            }
            .expect("write zip entry");
        }
        w.finish().expect("finish zip");
        if let Some(method) = &self.zip_method {
            let mut bytes = std::fs::read(path).expect("read zip");
            match method.as_str() {
                "encrypted" => patch_zip(&mut bytes, 0, true),
                id => patch_zip(&mut bytes, id.parse().expect("a method id"), false),
            }
            std::fs::write(path, bytes).expect("write zip");
        }
        path.to_owned()
    }

    /// The entries as the zip reader would show them, for sizes no fixture
    /// should write (`archive-size`).
    fn bundle_view(&self) -> Bundle {
        Bundle {
            display: "bundle.zip".into(),
            is_zip: true,
            archive_size: self.archive_size,
            entries: self
                .entries
                .iter()
                .map(|e| BundleEntry {
                    name: e.name.clone(),
                    kind: EntryKind::File,
                    mode: e.mode.map(|m| 0o100_000 | m),
                    size: e.text.len() as u64,
                    data: Some(e.text.as_bytes().to_vec()),
                })
                .collect(),
            ..Bundle::default()
        }
    }

    /// Validates the bundle and asserts the expected finding; returns the
    /// findings, for a snapshot.
    pub(crate) fn check(&self) -> String {
        let report = self.validate();
        let (code, severity, file) = &self.expect;
        let findings = validation::describe(&report, validation::file);
        assert!(
            report.diagnostics.iter().any(|d| d.code == code
                && d.severity == *severity
                && d.file.ends_with(file.as_str())),
            "{}: expected {code} {severity:?} on `{file}`, got:\n{findings}",
            self.path.display()
        );
        findings
    }
}

/// Rewrites the compression method (and, with `encrypt`, the encryption
/// flag) of every entry of a stored zip, in local and central headers.
pub(crate) fn patch_zip(bytes: &mut [u8], method: u16, encrypt: bool) {
    let m = method.to_le_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        match &bytes[i..i + 4] {
            b"PK\x03\x04" => {
                bytes[i + 8..i + 10].copy_from_slice(&m);
                if encrypt {
                    bytes[i + 6] |= 1;
                }
            }
            b"PK\x01\x02" => {
                bytes[i + 10..i + 12].copy_from_slice(&m);
                if encrypt {
                    bytes[i + 8] |= 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

//! The build manifest `dist/<app>-<label>.json` and `dist/version.json`.

use crate::bundle::Written;
use crate::label::LabelSource;
use crate::pin::ImageRecord;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One archive entry in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestEntry {
    /// Name in the archive (directories end in `/`).
    pub name: String,
    /// `st_mode` in octal (`100644`, `100755`, `120777`, `040755`).
    pub mode: String,
    /// Uncompressed size.
    pub size: u64,
    /// Compressed size.
    pub compressed: u64,
}

impl From<&Written> for ManifestEntry {
    fn from(w: &Written) -> Self {
        Self {
            name: w.name.clone(),
            mode: format!("{:06o}", w.mode),
            size: w.size,
            compressed: w.compressed,
        }
    }
}

/// The summary `--output json` prints (the manifest without its entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Application name.
    pub app: String,
    /// Version label.
    pub label: String,
    /// How the label was chosen.
    pub label_source: LabelSource,
    /// The zip's file name (in the output folder).
    pub bundle: String,
    /// SHA-256 of the zip, lowercase hex.
    pub sha256: String,
    /// Size of the zip in bytes.
    pub size: u64,
    /// Number of entries.
    pub entry_count: usize,
    /// Every container image, before and after pinning.
    pub images: Vec<ImageRecord>,
    /// Files added by the generator.
    pub generated: Vec<String>,
    /// Platform the bundle was validated for.
    pub platform: String,
    /// The timestamp of every entry.
    pub source_date: String,
    /// `SOURCE_DATE_EPOCH`, when set.
    pub source_date_epoch: Option<i64>,
    /// The ebpack version that built it.
    pub ebpack_version: String,
}

/// The manifest written next to the zip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// Everything but the entries.
    #[serde(flatten)]
    pub summary: Summary,
    /// Every entry, in archive order.
    pub entries: Vec<ManifestEntry>,
}

impl Manifest {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// What a manifest records about its zip, as far as publishing a zip built
/// earlier needs it. Read leniently: any field may be missing (an older
/// ebpack, or a hand-made file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Recorded {
    /// Application name.
    pub app: Option<String>,
    /// Version label.
    pub label: Option<String>,
    /// SHA-256 of the zip.
    pub sha256: Option<String>,
}

/// Where `ebpack build` writes the manifest of `zip`: beside it, `.json`
/// for `.zip`.
pub fn path_beside(zip: &Path) -> PathBuf {
    zip.with_extension("json")
}

/// The manifest beside `zip`, or `None` when there is none or it does not
/// parse (a zip built elsewhere has none).
pub fn read_beside(zip: &Path) -> Option<Recorded> {
    let text =
        crate::bounded::read_to_string(&path_beside(zip), crate::bounded::MANIFEST_LIMIT).ok()?;
    serde_json::from_str(&text).ok()
}

/// `{"Version": "<label>"}`: the file CodePipeline's `Fn::GetParam` reads
/// (and `--tag-from` reads back).
pub fn version_json(label: &str) -> String {
    let mut s = serde_json::to_string(&serde_json::json!({ "Version": label })).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_manifest_reads_back_leniently() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("app-v1.zip");
        assert_eq!(super::read_beside(&zip), None);
        std::fs::write(
            dir.path().join("app-v1.json"),
            r#"{"app":"app","label":"v1","entries":[],"size":3}"#,
        )
        .unwrap();
        let r = super::read_beside(&zip).unwrap();
        assert_eq!(r.app.as_deref(), Some("app"));
        assert_eq!(r.label.as_deref(), Some("v1"));
        assert_eq!(r.sha256, None);
    }

    #[test]
    fn version_json_shape() {
        assert_eq!(super::version_json("a.b"), "{\"Version\":\"a.b\"}\n");
    }
}

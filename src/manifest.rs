//! The build manifest `dist/<app>-<label>.json` and `dist/version.json`.

use crate::bundle::Written;
use crate::label::LabelSource;
use crate::pin::ImageRecord;
use serde::Serialize;

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
    fn version_json_shape() {
        assert_eq!(super::version_json("a.b"), "{\"Version\":\"a.b\"}\n");
    }
}

//! `ebpack inspect ZIP`: what a bundle holds, and its digest.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// One entry of an inspected archive.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    /// Name as stored.
    pub name: String,
    /// `st_mode` as octal text (`100644`), or `null` when not made by Unix.
    pub mode: Option<String>,
    /// Uncompressed size.
    pub size: u64,
    /// Compressed size.
    pub compressed: u64,
    /// `stored` or `deflated` (or another method's name).
    pub method: String,
}

/// An inspected archive.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// SHA-256 of the file.
    pub sha256: String,
    /// File size.
    pub size: u64,
    /// Entries in archive order.
    pub entries: Vec<Listed>,
}

/// The SHA-256 (lowercase hex) and size of the file at `path`, read in
/// chunks: a bundle may be hundreds of megabytes.
pub fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hash.update(&buf[..n]);
    }
    Ok((super::write::hex(&hash.finalize()), size))
}

/// Reads `path`'s central directory and hashes the file.
pub fn inspect(path: &Path) -> Result<Inspection, crate::validate::InputError> {
    use crate::validate::InputError;
    let io = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let (sha256, size) = sha256_file(path).map_err(io)?;
    let file = std::fs::File::open(path).map_err(io)?;
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| InputError::Zip {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let f = archive.by_index_raw(i).map_err(|e| InputError::Zip {
            path: path.to_owned(),
            message: format!("entry {i}: {e}"),
        })?;
        let mode = match f.system() {
            zip::System::Unix => Some(format!("{:06o}", f.external_attributes() >> 16)),
            _ => None,
        };
        let method = match f.compression() {
            zip::CompressionMethod::Stored => "stored".to_owned(),
            zip::CompressionMethod::Deflated => "deflated".to_owned(),
            other => format!("{other:?}").to_lowercase(),
        };
        entries.push(Listed {
            name: String::from_utf8_lossy(f.name_raw()).into_owned(),
            mode,
            size: f.size(),
            compressed: f.compressed_size(),
            method,
        });
    }
    Ok(Inspection {
        sha256,
        size,
        entries,
    })
}

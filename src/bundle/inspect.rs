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

/// Reads `path`'s central directory (every record, duplicates included,
/// [`super::zipfmt::read_central`]) and hashes the file. What is not a
/// regular file is refused before it is read.
pub fn inspect(path: &Path) -> Result<Inspection, crate::validate::InputError> {
    use crate::validate::InputError;
    let io = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile {
            path: path.to_owned(),
        });
    }
    let (sha256, size) = sha256_file(path).map_err(io)?;
    let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    let cd = super::zipfmt::read_central(&mut file, size).map_err(|message| InputError::Zip {
        path: path.to_owned(),
        message,
    })?;
    let entries = cd
        .entries
        .iter()
        .map(|e| Listed {
            name: e.name_lossy(),
            mode: e.unix_mode().map(|m| format!("{m:06o}")),
            size: e.size,
            compressed: e.compressed,
            method: match e.method {
                0 => "stored".to_owned(),
                8 => "deflated".to_owned(),
                m => super::zipfmt::method_name(m).to_lowercase(),
            },
        })
        .collect();
    Ok(Inspection {
        sha256,
        size,
        entries,
    })
}

//! Reading a file that a flag, a variable or a setting names, with a bound.
//!
//! Why: such a file can be anything the user's shell can name — `--config
//! /dev/zero`, `--tag-from /dev/urandom`, a FIFO, a log that keeps growing —
//! and `std::fs::read` reads until the data ends, which for a device that
//! never ends is when memory runs out. Here the file is opened, its type
//! and size are checked on the open handle (no race with a rename), and at
//! most `limit + 1` bytes are read whatever it is: a regular file larger
//! than the limit is refused before any byte is read, anything else (a
//! pipe, `/dev/null`, `/dev/stdin`) is read up to the bound and refused
//! past it. Folders are refused by type.

use std::io::{self, Read};
use std::path::Path;

/// The bound for configuration files (`ebpack.yaml`, the EB CLI's
/// `config.yml`) and `--tag-from` files: far above any real one.
pub const CONFIG_LIMIT: u64 = 1024 * 1024;

/// The bound for a build manifest read back (one line per zip entry, at
/// most 65,535 of them).
pub const MANIFEST_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads at most `limit` bytes of `path`; a longer file is an
/// [`io::ErrorKind::InvalidData`] error that says why, a folder an
/// [`io::ErrorKind::IsADirectory`] one.
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a folder",
        ));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    let mut buf = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(if meta.is_file() {
            // It grew while being read.
            too_large(buf.len() as u64, limit)
        } else {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "it is not a regular file and gave more than {}; ebpack reads no more than that (a device or pipe that never ends?)",
                    crate::bundle::human_size(limit)
                ),
            )
        });
    }
    Ok(buf)
}

/// [`read`] as UTF-8 text.
pub fn read_to_string(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read(path, limit)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

fn too_large(len: u64, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "it is {len} bytes, more than the {} ebpack reads from such a file",
            crate::bundle::human_size(limit)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_that_never_ends_is_read_up_to_the_bound() {
        let e = read(Path::new("/dev/zero"), 4096).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("not a regular file"), "{e}");
        assert_eq!(read(Path::new("/dev/null"), 4096).unwrap(), b"");
    }

    #[test]
    fn a_regular_file_is_judged_by_its_size_first() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, vec![b'x'; 10]).unwrap();
        assert_eq!(read(&p, 10).unwrap().len(), 10);
        let e = read(&p, 9).unwrap_err();
        assert!(
            e.to_string().starts_with("it is 10 bytes, more than"),
            "{e}"
        );
        let e = read(dir.path(), 9).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::IsADirectory);
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        assert!(read_to_string(&p, 10).is_err());
    }
}

//! Reading an archive: the end record (and its ZIP64 form), every central
//! directory record in order, and one entry's bytes, checked against the
//! sizes and CRC the records give.
//!
//! What is refused is what Info-ZIP `unzip -t` refuses (`process.c`,
//! `find_ecrec` and `process_cdir_file_hdr`): an end record whose central
//! directory does not end where the end record starts (a wrong size or
//! offset; `unzip` warns of "extra bytes" and exits 1, which EB takes as a
//! failed unzip), a count that is not the number of records, a record that
//! runs past the directory, a local header that is not where its record
//! says, and data whose length or CRC differs from the record.

use std::io::{Read, Seek, SeekFrom};

/// Bytes of the end-of-central-directory record without its comment.
const END_LEN: u64 = 22;
/// The longest archive comment.
const MAX_COMMENT: u64 = 0xffff;

/// One central directory record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralEntry {
    /// The name as stored (bytes; UTF-8 when the archive is sane).
    pub name: Vec<u8>,
    /// `version made by` (upper byte: the host system, 3 = Unix).
    pub made_by: u16,
    /// General-purpose flags (bit 0: encrypted).
    pub flags: u16,
    /// Compression method (0 stored, 8 deflate).
    pub method: u16,
    /// CRC-32 of the data.
    pub crc: u32,
    /// Compressed size.
    pub compressed: u64,
    /// Uncompressed size.
    pub size: u64,
    /// External attributes (Unix `st_mode` in the upper 16 bits).
    pub external: u32,
    /// Offset of the local header.
    pub offset: u64,
}

impl CentralEntry {
    /// The Unix `st_mode`, when the entry was made by a Unix host.
    pub fn unix_mode(&self) -> Option<u32> {
        (self.made_by >> 8 == 3).then_some(self.external >> 16)
    }

    /// Encrypted (traditional or AES).
    pub fn encrypted(&self) -> bool {
        self.flags & 1 != 0 || self.method == 99
    }

    /// A folder entry (name ends in `/`).
    pub fn is_dir(&self) -> bool {
        self.name.ends_with(b"/")
    }

    /// The name as text (each byte that is not UTF-8 shown as U+FFFD).
    pub fn name_lossy(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }
}

/// The name of a compression method, as messages show it.
pub fn method_name(method: u16) -> String {
    match method {
        0 => "stored".into(),
        8 => "DEFLATE".into(),
        9 => "Deflate64".into(),
        12 => "Bzip2".into(),
        14 => "LZMA".into(),
        93 => "Zstd".into(),
        95 => "XZ".into(),
        98 => "PPMd".into(),
        99 => "AES".into(),
        n => format!("method {n}"),
    }
}

/// Every record of an archive's central directory, in stored order.
#[derive(Debug, Clone, Default)]
pub struct CentralDirectory {
    /// The records.
    pub entries: Vec<CentralEntry>,
    /// Where the central directory starts (local data ends there).
    pub offset: u64,
}

/// Reads the central directory of the archive `r` (`len` bytes long).
/// The error says what is wrong, for a finding.
pub fn read_central<R: Read + Seek>(r: &mut R, len: u64) -> Result<CentralDirectory, String> {
    let io = |e: std::io::Error| e.to_string();
    if len < END_LEN {
        return Err(format!("{len} bytes is too short for a zip archive"));
    }
    let tail_len = len.min(END_LEN + MAX_COMMENT);
    let tail_start = len - tail_len;
    r.seek(SeekFrom::Start(tail_start)).map_err(io)?;
    let mut tail = Vec::with_capacity(usize::try_from(tail_len).unwrap_or(0));
    r.by_ref()
        .take(tail_len)
        .read_to_end(&mut tail)
        .map_err(io)?;
    let at = find_end(&tail).ok_or("no end-of-central-directory record")?;
    let end = &tail[at..];
    let end_pos = tail_start + at as u64;
    if u16le(end, 4) != 0 || u16le(end, 6) != 0 {
        return Err("a split (multi-part) archive".into());
    }
    let mut count = u64::from(u16le(end, 10));
    let mut cd_size = u64::from(u32le(end, 12));
    let mut cd_offset = u64::from(u32le(end, 16));
    let mut cd_end = end_pos;
    if let Some((record, z)) = zip64_end(r, end_pos, len)? {
        count = z.0;
        cd_size = z.1;
        cd_offset = z.2;
        cd_end = record;
    }
    if cd_offset.checked_add(cd_size) != Some(cd_end) {
        return Err(format!(
            "the end record gives a central directory of {cd_size} bytes at offset {cd_offset}, but the directory ends at offset {cd_end}; `unzip -t` fails on such an archive"
        ));
    }
    r.seek(SeekFrom::Start(cd_offset)).map_err(io)?;
    let mut cd = std::io::BufReader::new(r.by_ref().take(cd_size));
    let mut entries = Vec::new();
    let mut used = 0u64;
    while used < cd_size {
        let (entry, n) = read_record(&mut cd, entries.len())?;
        used += n;
        if used > cd_size {
            return Err(format!(
                "central directory record {} runs past the directory's end",
                entries.len() + 1
            ));
        }
        if entry.offset >= cd_offset {
            return Err(format!(
                "entry `{}` starts at offset {}, inside the central directory",
                entry.name_lossy(),
                entry.offset
            ));
        }
        entries.push(entry);
    }
    overlap(&entries)?;
    if entries.len() as u64 != count {
        return Err(format!(
            "the end record counts {count} entries, the central directory holds {}; `unzip -t` fails on such an archive",
            entries.len()
        ));
    }
    Ok(CentralDirectory {
        entries,
        offset: cd_offset,
    })
}

/// Refuses entries whose data overlap (a zip bomb's trick: many records
/// pointing into one stream), as Info-ZIP `unzip` does since the fix of
/// CVE-2019-13232 ("invalid zip file with overlapped components").
fn overlap(entries: &[CentralEntry]) -> Result<(), String> {
    let mut spans: Vec<(u64, u64, usize)> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let end = e
                .offset
                .saturating_add(30 + e.name.len() as u64)
                .saturating_add(e.compressed);
            (e.offset, end, i)
        })
        .collect();
    spans.sort_unstable();
    for w in spans.windows(2) {
        if w[1].0 < w[0].1 {
            return Err(format!(
                "entries `{}` and `{}` overlap in the archive (a zip bomb's trick); `unzip` refuses such archives",
                entries[w[0].2].name_lossy(),
                entries[w[1].2].name_lossy()
            ));
        }
    }
    Ok(())
}

/// The offset in `tail` of the end record: the last signature whose
/// comment fits in what follows it.
fn find_end(tail: &[u8]) -> Option<usize> {
    let last = tail.len().checked_sub(END_LEN as usize)?;
    (0..=last).rev().find(|&i| {
        tail[i..].starts_with(b"PK\x05\x06")
            && i + END_LEN as usize + usize::from(u16le(tail, i + 20)) <= tail.len()
    })
}

/// What a ZIP64 end record gives: its own offset, and the entry count,
/// central directory size and offset.
type Zip64End = (u64, (u64, u64, u64));

/// The ZIP64 end record located just before the end record at `end_pos`,
/// if any.
fn zip64_end<R: Read + Seek>(
    r: &mut R,
    end_pos: u64,
    len: u64,
) -> Result<Option<Zip64End>, String> {
    let io = |e: std::io::Error| e.to_string();
    let Some(loc_pos) = end_pos.checked_sub(20) else {
        return Ok(None);
    };
    let mut loc = [0u8; 20];
    r.seek(SeekFrom::Start(loc_pos)).map_err(io)?;
    r.read_exact(&mut loc).map_err(io)?;
    if !loc.starts_with(b"PK\x06\x07") {
        return Ok(None);
    }
    let record = u64le(&loc, 8);
    if record.checked_add(56).is_none_or(|e| e > loc_pos) || record >= len {
        return Err("the ZIP64 end record lies outside the archive".into());
    }
    let mut z = [0u8; 56];
    r.seek(SeekFrom::Start(record)).map_err(io)?;
    r.read_exact(&mut z).map_err(io)?;
    if !z.starts_with(b"PK\x06\x06") {
        return Err("no ZIP64 end record where its locator points".into());
    }
    let declared_end = u64le(&z, 4).checked_add(12 + record);
    if declared_end != Some(loc_pos) {
        return Err("the ZIP64 end record's size does not reach its locator".into());
    }
    Ok(Some((
        record,
        (u64le(&z, 32), u64le(&z, 40), u64le(&z, 48)),
    )))
}

/// One central directory record and the bytes it took.
fn read_record(r: &mut impl Read, index: usize) -> Result<(CentralEntry, u64), String> {
    let mut h = [0u8; 46];
    r.read_exact(&mut h).map_err(|_| {
        format!(
            "central directory record {} is cut short (the end record's size is wrong)",
            index + 1
        )
    })?;
    if !h.starts_with(b"PK\x01\x02") {
        return Err(format!(
            "no central directory record where record {} should start (the end record's size or offset is wrong)",
            index + 1
        ));
    }
    let (name_len, extra_len, comment_len) = (
        usize::from(u16le(&h, 28)),
        usize::from(u16le(&h, 30)),
        usize::from(u16le(&h, 32)),
    );
    let mut rest = vec![0u8; name_len + extra_len + comment_len];
    r.read_exact(&mut rest)
        .map_err(|_| format!("central directory record {} is cut short", index + 1))?;
    let mut e = CentralEntry {
        name: rest[..name_len].to_vec(),
        made_by: u16le(&h, 4),
        flags: u16le(&h, 8),
        method: u16le(&h, 10),
        crc: u32le(&h, 16),
        compressed: u64::from(u32le(&h, 20)),
        size: u64::from(u32le(&h, 24)),
        external: u32le(&h, 38),
        offset: u64::from(u32le(&h, 42)),
    };
    zip64_extra(&mut e, &rest[name_len..name_len + extra_len]);
    Ok((e, (46 + rest.len()) as u64))
}

/// Applies the ZIP64 extra field (id 1): the 64-bit values of the fields
/// that hold `0xffffffff`, in the order size, compressed size, offset.
fn zip64_extra(e: &mut CentralEntry, mut extra: &[u8]) {
    while extra.len() >= 4 {
        let (id, len) = (u16le(extra, 0), usize::from(u16le(extra, 2)));
        let Some(body) = extra.get(4..4 + len) else {
            return;
        };
        if id == 1 {
            let mut vals = body.chunks_exact(8).map(|c| u64le(c, 0));
            for field in [&mut e.size, &mut e.compressed, &mut e.offset] {
                if *field == 0xffff_ffff
                    && let Some(v) = vals.next()
                {
                    *field = v;
                }
            }
            return;
        }
        extra = &extra[4 + len..];
    }
}

/// The bytes of one entry, decompressed, checked against its record: the
/// reader fails once more bytes come than the record's size, and at the
/// end when fewer came or the CRC differs.
pub struct EntryReader<'a> {
    inner: Box<dyn Read + 'a>,
    name: String,
    size: u64,
    crc: u32,
    seen: u64,
    hash: crc32fast::Hasher,
}

impl<'a> EntryReader<'a> {
    /// Opens `e` in the archive `r` whose central directory starts at
    /// `cd_offset`. Only stored and DEFLATE entries can be read.
    pub fn open<R: Read + Seek>(
        r: &'a mut R,
        e: &CentralEntry,
        cd_offset: u64,
    ) -> Result<Self, String> {
        let name = e.name_lossy();
        let bad = |what: &str| format!("entry `{name}`: {what}");
        let mut h = [0u8; 30];
        r.seek(SeekFrom::Start(e.offset))
            .map_err(|x| bad(&x.to_string()))?;
        r.read_exact(&mut h)
            .map_err(|_| bad("its local header is cut short"))?;
        if !h.starts_with(b"PK\x03\x04") {
            return Err(bad("no local header where the central directory says"));
        }
        let data = e.offset + 30 + u64::from(u16le(&h, 26)) + u64::from(u16le(&h, 28));
        if data
            .checked_add(e.compressed)
            .is_none_or(|end| end > cd_offset)
        {
            return Err(bad("its data runs into the central directory"));
        }
        r.seek(SeekFrom::Start(data))
            .map_err(|x| bad(&x.to_string()))?;
        let raw = r.take(e.compressed);
        let inner: Box<dyn Read + 'a> = match e.method {
            0 => Box::new(raw),
            8 => Box::new(flate2::read::DeflateDecoder::new(raw)),
            m => return Err(bad(&format!("compressed with {}", method_name(m)))),
        };
        Ok(Self {
            inner,
            name,
            size: e.size,
            crc: e.crc,
            seen: 0,
            hash: crc32fast::Hasher::new(),
        })
    }
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
        let n = self.inner.read(buf)?;
        self.seen += n as u64;
        if self.seen > self.size {
            return Err(bad(format!(
                "entry `{}` holds more than the {} bytes its record gives",
                self.name, self.size
            )));
        }
        self.hash.update(&buf[..n]);
        if n == 0 && !buf.is_empty() {
            if self.seen != self.size {
                return Err(bad(format!(
                    "entry `{}` holds {} bytes, its record gives {}",
                    self.name, self.seen, self.size
                )));
            }
            if self.hash.clone().finalize() != self.crc {
                return Err(bad(format!("entry `{}` fails its CRC check", self.name)));
            }
        }
        Ok(n)
    }
}

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64le(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A stored archive of `names` (each holding its own name), by hand.
    fn archive(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for n in names {
            let offset = out.len() as u32;
            let crc = crc32fast::hash(n.as_bytes());
            let h = crate::bundle::zipfmt::Header {
                name: (*n).to_owned(),
                flags: 0,
                method: 0,
                time: crate::bundle::zipfmt::DosTime::EPOCH,
                crc,
                compressed: n.len() as u32,
                size: n.len() as u32,
                mode: 0o100_644,
                offset,
            };
            out.extend(h.local());
            out.extend(n.as_bytes());
            h.central(&mut central);
        }
        let at = out.len() as u32;
        let size = central.len() as u32;
        out.extend(&central);
        out.extend(crate::bundle::zipfmt::end_of_central_directory(
            names.len() as u16,
            size,
            at,
        ));
        out
    }

    #[test]
    fn every_record_is_kept_with_duplicates() {
        let z = archive(&["a", "b", "a"]);
        let cd = read_central(&mut Cursor::new(&z), z.len() as u64).unwrap();
        let names: Vec<String> = cd.entries.iter().map(CentralEntry::name_lossy).collect();
        assert_eq!(names, ["a", "b", "a"]);
        let mut c = Cursor::new(&z);
        let mut text = String::new();
        EntryReader::open(&mut c, &cd.entries[1], cd.offset)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "b");
    }

    #[test]
    fn a_wrong_directory_size_or_count_is_refused() {
        let z = archive(&["a", "b"]);
        let end = z.len() - 22;
        let mut bad = z.clone();
        bad[end + 12] += 1;
        let e = read_central(&mut Cursor::new(&bad), bad.len() as u64).unwrap_err();
        assert!(e.contains("central directory of"), "{e}");
        let mut bad = z.clone();
        bad[end + 10] = 3;
        bad[end + 8] = 3;
        let e = read_central(&mut Cursor::new(&bad), bad.len() as u64).unwrap_err();
        assert!(e.contains("counts 3 entries"), "{e}");
    }

    #[test]
    fn overlapping_entries_are_refused() {
        let mut z = archive(&["ab", "cd"]);
        // Point the second record at the first local header.
        let cd = read_central(&mut Cursor::new(&z), z.len() as u64).unwrap();
        let second = z.len() - 22 - (46 + 2);
        z[second + 42..second + 46].copy_from_slice(&0u32.to_le_bytes());
        assert!(cd.entries[1].offset > 0);
        let e = read_central(&mut Cursor::new(&z), z.len() as u64).unwrap_err();
        assert!(e.contains("overlap"), "{e}");
    }

    #[test]
    fn a_wrong_crc_fails_the_read() {
        let mut z = archive(&["abc"]);
        z[30 + 3] = b'x';
        let cd = read_central(&mut Cursor::new(&z), z.len() as u64).unwrap();
        let mut c = Cursor::new(&z);
        let mut out = Vec::new();
        let e = EntryReader::open(&mut c, &cd.entries[0], cd.offset)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(e.to_string().contains("CRC"), "{e}");
    }
}

//! The few ZIP records ebpack writes (APPNOTE 6.3.x), byte by byte, and
//! the reading of any archive's central directory ([`read_central`]).
//!
//! Written by hand rather than through a zip library so every byte is
//! decided here: no extra fields (no uid/gid, no extended timestamps), one
//! fixed DOS timestamp, Unix "made by", explicit modes. Bundles never need
//! ZIP64: entries and the archive are capped far below 4 GiB and 65,535.
//!
//! Read by hand too: a zip library keyed by name keeps one entry per name,
//! so duplicate names (which extractors resolve differently) could not be
//! seen, and counts would be wrong. [`read_central`] keeps every record in
//! order, and checks the end record's count, size and offset against the
//! records as `unzip -t` does.

pub use read::{CentralDirectory, CentralEntry, EntryReader, method_name, read_central};

mod read;

/// `version made by`: upper byte 3 = Unix, lower byte 20 = spec 2.0.
pub const MADE_BY_UNIX: u16 = (3 << 8) | 20;
/// General-purpose flag bit 3: sizes and CRC follow the data.
pub const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;
/// General-purpose flag bit 11: the name is UTF-8.
pub const FLAG_UTF8: u16 = 1 << 11;
/// Compression method: stored.
pub const STORED: u16 = 0;
/// Compression method: deflate.
pub const DEFLATE: u16 = 8;

/// A DOS date and time pair, as stored in headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DosTime {
    /// DOS time: hour << 11 | minute << 5 | second / 2.
    pub time: u16,
    /// DOS date: (year - 1980) << 9 | month << 5 | day.
    pub date: u16,
}

impl DosTime {
    /// 1980-01-01 00:00:00, the earliest DOS time: the default timestamp.
    pub const EPOCH: DosTime = DosTime {
        time: 0,
        date: (1 << 5) | 1,
    };

    /// The DOS time of Unix time `secs` (UTC), clamped to 1980..=2107.
    pub fn from_unix(secs: i64) -> DosTime {
        const MIN: i64 = 315_532_800; // 1980-01-01T00:00:00Z
        const MAX: i64 = 4_354_819_198; // 2107-12-31T23:59:58Z
        let secs = secs.clamp(MIN, MAX);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let (hh, mm, ss) = (rem / 3600, (rem % 3600) / 60, rem % 60);
        // All values are in range by the clamp above.
        let date = ((y - 1980) << 9) | (m << 5) | d;
        let time = (hh << 11) | (mm << 5) | (ss / 2);
        DosTime {
            time: u16::try_from(time).unwrap_or(0),
            date: u16::try_from(date).unwrap_or(DosTime::EPOCH.date),
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` of this DOS time.
    pub fn to_rfc3339(self) -> String {
        let (d, t) = (u32::from(self.date), u32::from(self.time));
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            1980 + (d >> 9),
            (d >> 5) & 0xf,
            d & 0x1f,
            t >> 11,
            (t >> 5) & 0x3f,
            (t & 0x1f) * 2
        )
    }
}

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// What both the local and the central header say about an entry.
#[derive(Debug, Clone)]
pub struct Header {
    /// Entry name (`/`-separated; directories end in `/`).
    pub name: String,
    /// Flags (see `FLAG_*`).
    pub flags: u16,
    /// `STORED` or `DEFLATE`.
    pub method: u16,
    /// Timestamp.
    pub time: DosTime,
    /// CRC-32 of the uncompressed data.
    pub crc: u32,
    /// Compressed size.
    pub compressed: u32,
    /// Uncompressed size.
    pub size: u32,
    /// `st_mode` (type and permission bits), stored in the upper external attributes.
    pub mode: u32,
    /// Offset of the local header in the archive.
    pub offset: u32,
}

impl Header {
    fn version_needed(&self) -> u16 {
        if self.method == DEFLATE { 20 } else { 10 }
    }

    /// The local file header. With a data descriptor, CRC and sizes are zero.
    pub fn local(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(30 + self.name.len());
        let described = self.flags & FLAG_DATA_DESCRIPTOR != 0;
        put32(&mut b, 0x0403_4b50);
        put16(&mut b, self.version_needed());
        put16(&mut b, self.flags);
        put16(&mut b, self.method);
        put16(&mut b, self.time.time);
        put16(&mut b, self.time.date);
        for v in [self.crc, self.compressed, self.size] {
            put32(&mut b, if described { 0 } else { v });
        }
        put16(&mut b, name_len(&self.name));
        put16(&mut b, 0);
        b.extend_from_slice(self.name.as_bytes());
        b
    }

    /// The data descriptor written after the data (flag bit 3).
    pub fn descriptor(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(16);
        put32(&mut b, 0x0807_4b50);
        put32(&mut b, self.crc);
        put32(&mut b, self.compressed);
        put32(&mut b, self.size);
        b
    }

    /// The central directory record.
    pub fn central(&self, out: &mut Vec<u8>) {
        let is_dir = self.mode & 0o170_000 == 0o040_000;
        put32(out, 0x0201_4b50);
        put16(out, MADE_BY_UNIX);
        put16(out, self.version_needed());
        put16(out, self.flags);
        put16(out, self.method);
        put16(out, self.time.time);
        put16(out, self.time.date);
        put32(out, self.crc);
        put32(out, self.compressed);
        put32(out, self.size);
        put16(out, name_len(&self.name));
        put16(out, 0); // extra
        put16(out, 0); // comment
        put16(out, 0); // disk
        put16(out, 0); // internal attributes
        put32(out, (self.mode << 16) | if is_dir { 0x10 } else { 0 });
        put32(out, self.offset);
        out.extend_from_slice(self.name.as_bytes());
    }
}

/// The end-of-central-directory record.
pub fn end_of_central_directory(entries: u16, cd_size: u32, cd_offset: u32) -> Vec<u8> {
    let mut b = Vec::with_capacity(22);
    put32(&mut b, 0x0605_4b50);
    put16(&mut b, 0);
    put16(&mut b, 0);
    put16(&mut b, entries);
    put16(&mut b, entries);
    put32(&mut b, cd_size);
    put32(&mut b, cd_offset);
    put16(&mut b, 0);
    b
}

/// The flags a name needs (UTF-8 bit for non-ASCII names).
pub fn name_flags(name: &str) -> u16 {
    if name.is_ascii() { 0 } else { FLAG_UTF8 }
}

fn name_len(name: &str) -> u16 {
    // Names longer than 65,535 bytes are refused before writing.
    u16::try_from(name.len()).unwrap_or(u16::MAX)
}

fn put16(b: &mut Vec<u8>, v: u16) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn put32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_time_conversion() {
        assert_eq!(DosTime::from_unix(0), DosTime::EPOCH);
        assert_eq!(DosTime::EPOCH.to_rfc3339(), "1980-01-01T00:00:00Z");
        // 2024-02-29T13:45:31Z: seconds are halved (DOS has 2 s resolution).
        let t = DosTime::from_unix(1_709_214_331);
        assert_eq!(t.to_rfc3339(), "2024-02-29T13:45:30Z");
        assert_eq!(
            DosTime::from_unix(i64::MAX).to_rfc3339(),
            "2107-12-31T23:59:58Z"
        );
    }
}

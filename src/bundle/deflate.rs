//! Chunked raw deflate, compressed on worker threads and joined in order.
//!
//! A file is cut into fixed [`CHUNK`]-byte pieces. Each piece is compressed
//! on its own, primed with the previous 32 KiB of the same file as the
//! dictionary (so matches across the cut are still found), and ends on a
//! byte boundary with a sync flush; only the file's last piece carries the
//! final-block bit. The concatenation is one valid deflate stream (the
//! technique of `pigz`). Since the cuts depend only on offsets and every
//! piece depends only on its bytes and its dictionary, the output is the
//! same whatever the thread count or timing.

use flate2::{Compress, Compression, FlushCompress, Status};

/// Bytes per piece.
pub const CHUNK: usize = 256 * 1024;
/// Deflate's window: the dictionary carried into the next piece.
pub const WINDOW: usize = 32 * 1024;
/// Pieces at least this big are first sampled for compressibility.
const SAMPLE_MIN: usize = 64 * 1024;
const SAMPLE: usize = 4 * 1024;
/// The sampling level. Not 1: zlib-rs (like zlib-ng) compresses level 1
/// with `deflate_quick`, which uses the fixed Huffman codes only, so text
/// whose sole gain is Huffman coding (base64, hex: 6 or 4 bits of 8 used)
/// came out no smaller and was stored, about a third larger than `zip -6`
/// makes it. Level 2 builds dynamic codes and sees that gain.
const PROBE_LEVEL: u32 = 2;

/// How a compressed piece is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Deflate blocks (part of the entry's deflate stream).
    Deflated,
    /// Deflate *stored* blocks: the piece did not compress.
    StoredBlocks,
    /// The whole entry, uncompressed, for the STORED method (single-piece
    /// entries that do not shrink, and empty files).
    Raw,
}

/// A piece to compress.
#[derive(Debug)]
pub struct Piece {
    /// Its bytes.
    pub data: Vec<u8>,
    /// The previous 32 KiB of the same file, if any.
    pub dict: Option<Vec<u8>>,
    /// First piece of its file.
    pub first: bool,
    /// Last piece of its file.
    pub last: bool,
}

/// A compressed piece.
#[derive(Debug)]
pub struct Packed {
    /// Encoded bytes.
    pub data: Vec<u8>,
    /// Encoding.
    pub form: Form,
    /// CRC-32 of the uncompressed bytes.
    pub crc: u32,
    /// Uncompressed length.
    pub len: u64,
    /// Last piece of its file.
    pub last: bool,
}

/// A reusable compressor for one worker thread.
pub struct Packer {
    level: Compression,
    main: Compress,
    probe: Compress,
}

impl Packer {
    /// A compressor at deflate level `level` (0–9).
    pub fn new(level: u32) -> Self {
        Self {
            level: Compression::new(level.min(9)),
            main: Compress::new(Compression::new(level.min(9)), false),
            probe: Compress::new(Compression::new(PROBE_LEVEL), false),
        }
    }

    /// Compresses one piece.
    pub fn pack(&mut self, piece: Piece) -> Packed {
        let crc = crc32fast::hash(&piece.data);
        let len = piece.data.len() as u64;
        let single = piece.first && piece.last;
        let done = |data, form| Packed {
            data,
            form,
            crc,
            len,
            last: piece.last,
        };
        if single && piece.data.is_empty() {
            return done(Vec::new(), Form::Raw);
        }
        if piece.data.len() < SAMPLE_MIN || !self.incompressible(&piece.data) {
            let out = self.deflate(&piece.data, piece.dict.as_deref(), piece.last);
            if single && out.len() >= piece.data.len() {
                return done(piece.data, Form::Raw);
            }
            if out.len() <= stored_len(piece.data.len(), piece.last) {
                return done(out, Form::Deflated);
            }
        }
        if single {
            return done(piece.data, Form::Raw);
        }
        done(stored_blocks(&piece.data, piece.last), Form::StoredBlocks)
    }

    fn deflate(&mut self, data: &[u8], dict: Option<&[u8]>, last: bool) -> Vec<u8> {
        // A fresh compressor per piece: zlib-rs's `reset` followed by
        // `set_dictionary` was seen to give output that depends on the
        // state's history (one byte off), which would break determinism.
        self.main = Compress::new(self.level, false);
        let c = &mut self.main;
        if let Some(d) = dict {
            // Cannot fail on a fresh raw stream.
            let _ = c.set_dictionary(d);
        }
        let mut out = Vec::with_capacity(data.len() / 2 + 1024);
        let flush = if last {
            FlushCompress::Finish
        } else {
            FlushCompress::Sync
        };
        let start_in = c.total_in();
        loop {
            let consumed = usize::try_from(c.total_in() - start_in).unwrap_or(data.len());
            if out.capacity() - out.len() < 1024 {
                out.reserve(out.capacity().max(4096));
            }
            let status = c.compress_vec(&data[consumed..], &mut out, flush);
            let consumed = usize::try_from(c.total_in() - start_in).unwrap_or(data.len());
            match status {
                Ok(Status::StreamEnd) => break,
                Ok(_) if !last && consumed == data.len() && out.capacity() > out.len() => break,
                Ok(_) => {}
                Err(_) => unreachable!("raw deflate into a growing buffer does not fail"),
            }
        }
        out
    }

    /// Samples the start, middle and end at [`PROBE_LEVEL`]: random or
    /// already compressed data (images, archives) is stored without a full
    /// pass.
    fn incompressible(&mut self, data: &[u8]) -> bool {
        let mut raw = 0usize;
        let mut packed = 0usize;
        let mut buf = Vec::with_capacity(SAMPLE + 256);
        for at in [0, data.len() / 2 - SAMPLE / 2, data.len() - SAMPLE] {
            let sample = &data[at..at + SAMPLE];
            self.probe.reset();
            buf.clear();
            let _ = self
                .probe
                .compress_vec(sample, &mut buf, FlushCompress::Finish);
            raw += sample.len();
            packed += buf.len();
        }
        packed * 100 >= raw * 97
    }
}

/// Size of `n` bytes as stored blocks.
fn stored_len(n: usize, last: bool) -> usize {
    let blocks = n.div_ceil(65_535).max(usize::from(last));
    n + blocks * 5
}

/// `data` as deflate stored blocks (the input is byte-aligned: it starts a
/// stream or follows a sync flush). BFINAL is set on the last block when
/// `last`.
fn stored_blocks(data: &[u8], last: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(stored_len(data.len(), last));
    let mut blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    if blocks.is_empty() {
        blocks.push(&[]);
    }
    let n = blocks.len();
    for (i, block) in blocks.into_iter().enumerate() {
        out.push(u8::from(last && i + 1 == n));
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn pieces(data: &[u8]) -> Vec<Piece> {
        let chunks: Vec<&[u8]> = data.chunks(CHUNK).collect();
        let n = chunks.len();
        chunks
            .iter()
            .enumerate()
            .map(|(i, c)| Piece {
                data: c.to_vec(),
                dict: (i > 0).then(|| {
                    let p = chunks[i - 1];
                    p[p.len().saturating_sub(WINDOW)..].to_vec()
                }),
                first: i == 0,
                last: i + 1 == n,
            })
            .collect()
    }

    fn roundtrip(data: &[u8]) -> Vec<Form> {
        let mut packer = Packer::new(6);
        let packed: Vec<Packed> = pieces(data).into_iter().map(|p| packer.pack(p)).collect();
        let forms: Vec<Form> = packed.iter().map(|p| p.form).collect();
        let stream: Vec<u8> = packed.into_iter().flat_map(|p| p.data).collect();
        if forms == [Form::Raw] {
            assert_eq!(stream, data);
        } else {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(&stream[..])
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, data);
        }
        forms
    }

    fn noise(n: usize, mut seed: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn output_does_not_depend_on_the_packers_history() {
        let text: Vec<u8> = (0..(2 * CHUNK))
            .map(|i| {
                b"the quick brown fox jumps over the lazy dog 0123456789"[(i * 7 + i / 13) % 53]
            })
            .collect();
        let piece = || Piece {
            data: text[CHUNK..].to_vec(),
            dict: Some(text[CHUNK - WINDOW..CHUNK].to_vec()),
            first: false,
            last: true,
        };
        let fresh = Packer::new(6).pack(piece()).data;
        let mut used = Packer::new(6);
        for p in pieces(&noise(3 * CHUNK, 5))
            .into_iter()
            .chain(pieces(&text))
        {
            used.pack(p);
        }
        assert_eq!(used.pack(piece()).data, fresh);
    }

    #[test]
    fn text_that_only_huffman_coding_shrinks_is_compressed() {
        let random = noise(2 * CHUNK, 13);
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let base64: Vec<u8> = random.iter().map(|b| B64[usize::from(b & 63)]).collect();
        let hex: Vec<u8> = random
            .iter()
            .map(|b| b"0123456789abcdef"[usize::from(b & 15)])
            .collect();
        for (name, text) in [("base64", base64), ("hex", hex)] {
            let piece = Piece {
                data: text[..CHUNK].to_vec(),
                dict: None,
                first: true,
                last: false,
            };
            let packed = Packer::new(6).pack(piece);
            assert_eq!(packed.form, Form::Deflated, "{name}");
            // As small as one plain level-6 pass makes it (`zip -6`).
            let mut plain = flate2::write::DeflateEncoder::new(Vec::new(), Compression::new(6));
            std::io::Write::write_all(&mut plain, &text[..CHUNK]).unwrap();
            let plain = plain.finish().unwrap().len();
            assert!(
                packed.data.len() * 100 <= plain * 101,
                "{name}: {} bytes, level 6 makes {plain}",
                packed.data.len()
            );
            assert!(
                roundtrip(&text).iter().all(|f| *f == Form::Deflated),
                "{name}"
            );
        }
    }

    #[test]
    fn joined_pieces_form_one_stream() {
        let text: Vec<u8> = (0..(3 * CHUNK + 1000))
            .map(|i| b"lorem ipsum dolor sit amet "[i % 27])
            .collect();
        assert!(roundtrip(&text).iter().all(|f| *f == Form::Deflated));
        let random = noise(2 * CHUNK + 77, 7);
        let forms = roundtrip(&random);
        assert_eq!(&forms[..2], &[Form::StoredBlocks, Form::StoredBlocks]);
        let mut mixed = text.clone();
        mixed.extend(noise(CHUNK, 9));
        mixed.extend(&text);
        roundtrip(&mixed);
        assert_eq!(roundtrip(b"x"), vec![Form::Raw]);
        assert_eq!(roundtrip(&noise(100, 3)), vec![Form::Raw]);
        assert_eq!(roundtrip(&text[..5000]), vec![Form::Deflated]);
    }
}

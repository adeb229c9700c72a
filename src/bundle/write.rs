//! Streams planned entries into a ZIP: one reader thread cuts files into
//! pieces, worker threads compress them ([`super::deflate`]), and the
//! calling thread appends them in entry order. At most a fixed number of
//! pieces are in flight, so memory does not grow with the bundle.

use super::deflate::{CHUNK, Form, Packed, Packer, Piece, WINDOW};
use super::zipfmt::{self, DosTime, Header};
use super::{Content, EntryData, ZipEntry};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to write.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// Deflate level, 0–9.
    pub level: u32,
    /// Compression threads.
    pub threads: usize,
    /// The timestamp of every entry.
    pub time: DosTime,
    /// Stop with [`WriteError::TooLarge`] when the archive would exceed this.
    pub max_size: u64,
    /// Set to stop early (Ctrl-C).
    pub cancel: Option<Arc<AtomicBool>>,
}

/// One entry as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Name in the archive (directories end in `/`).
    pub name: String,
    /// `st_mode` stored.
    pub mode: u32,
    /// Uncompressed size.
    pub size: u64,
    /// Compressed size.
    pub compressed: u64,
    /// CRC-32.
    pub crc: u32,
}

/// The archive as written.
#[derive(Debug, Clone)]
pub struct Archive {
    /// Entries in order.
    pub entries: Vec<Written>,
    /// Archive size in bytes.
    pub size: u64,
    /// SHA-256 of the archive, lowercase hex.
    pub sha256: String,
}

/// Writing failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Reading a source file failed.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing the archive failed.
    #[error("cannot write the bundle: {0}")]
    Write(#[source] std::io::Error),
    /// The archive grew past the limit.
    #[error("the bundle is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// One file is too big for a ZIP without ZIP64.
    #[error("`{name}` is larger than 4 GiB")]
    FileTooLarge {
        /// Entry name.
        name: String,
    },
    /// Cancelled.
    #[error("interrupted")]
    Interrupted,
}

struct Job {
    piece: Piece,
}

type Outcome = Result<(u64, Packed), WriteError>;

/// Writes `entries` (sorted, validated by the caller) as a ZIP into `out`.
pub fn write_zip<W: Write>(
    entries: &[ZipEntry],
    out: W,
    opts: &WriteOptions,
) -> Result<Archive, WriteError> {
    let workers = opts.threads.max(1);
    let in_flight = 4 * workers + 4;
    let (tok_tx, tok_rx) = mpsc::sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = tok_tx.send(());
    }
    let (job_tx, job_rx) = mpsc::sync_channel::<(u64, Job)>(in_flight);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (res_tx, res_rx) = mpsc::channel::<Outcome>();
    let cancel = opts.cancel.clone();
    std::thread::scope(|s| {
        {
            let res_tx = res_tx.clone();
            let cancel = cancel.clone();
            s.spawn(move || read_pieces(entries, &tok_rx, &job_tx, &res_tx, cancel.as_deref()));
        }
        for _ in 0..workers {
            let job_rx = Arc::clone(&job_rx);
            let res_tx = res_tx.clone();
            let level = opts.level;
            s.spawn(move || {
                let mut packer = Packer::new(level);
                loop {
                    let next = job_rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|r| r.recv().map_err(|_| ()));
                    let Ok((seq, job)) = next else { break };
                    if res_tx.send(Ok((seq, packer.pack(job.piece)))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(res_tx);
        let pieces = Pieces {
            rx: res_rx,
            tokens: tok_tx,
            pending: BTreeMap::new(),
            next: 0,
            cancel,
        };
        append(entries, out, opts, pieces)
    })
}

/// The reader: cuts files into pieces in entry order, one token each.
fn read_pieces(
    entries: &[ZipEntry],
    tokens: &Receiver<()>,
    jobs: &SyncSender<(u64, Job)>,
    results: &mpsc::Sender<Outcome>,
    cancel: Option<&AtomicBool>,
) {
    let mut seq = 0u64;
    for e in entries {
        let EntryData::File(content) = &e.data else {
            continue;
        };
        let mut source: Box<dyn Read> = match content {
            Content::Bytes(b) => Box::new(std::io::Cursor::new(Arc::clone(b))),
            Content::Disk(path) => match std::fs::File::open(path) {
                Ok(f) => Box::new(f),
                Err(source) => {
                    let _ = results.send(Err(WriteError::Read {
                        path: path.clone(),
                        source,
                    }));
                    return;
                }
            },
        };
        let path = match content {
            Content::Disk(p) => p.clone(),
            Content::Bytes(_) => PathBuf::from(&e.name),
        };
        let fail = |source| {
            let _ = results.send(Err(WriteError::Read {
                path: path.clone(),
                source,
            }));
        };
        let mut cur = match read_full(&mut source) {
            Ok(b) => b,
            Err(err) => return fail(err),
        };
        let mut first = true;
        let mut dict: Option<Vec<u8>> = None;
        loop {
            let next = if cur.len() == CHUNK {
                match read_full(&mut source) {
                    Ok(b) => b,
                    Err(err) => return fail(err),
                }
            } else {
                Vec::new()
            };
            let last = next.is_empty();
            let tail = (!last).then(|| cur[cur.len().saturating_sub(WINDOW)..].to_vec());
            if tokens.recv().is_err() || cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return;
            }
            let piece = Piece {
                data: cur,
                dict: dict.take(),
                first,
                last,
            };
            if jobs.send((seq, Job { piece })).is_err() {
                return;
            }
            seq += 1;
            if last {
                break;
            }
            first = false;
            cur = next;
            dict = tail;
        }
    }
}

fn read_full(r: &mut dyn Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(CHUNK);
    r.take(CHUNK as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Compressed pieces, handed out in sequence order.
struct Pieces {
    rx: Receiver<Outcome>,
    tokens: SyncSender<()>,
    pending: BTreeMap<u64, Packed>,
    next: u64,
    cancel: Option<Arc<AtomicBool>>,
}

impl Pieces {
    fn take(&mut self) -> Result<Packed, WriteError> {
        loop {
            if let Some(p) = self.pending.remove(&self.next) {
                self.next += 1;
                let _ = self.tokens.send(());
                return Ok(p);
            }
            if self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
            {
                return Err(WriteError::Interrupted);
            }
            match self.rx.recv_timeout(Duration::from_millis(50)) {
                Ok(Ok((seq, p))) => {
                    self.pending.insert(seq, p);
                }
                Ok(Err(e)) => return Err(e),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(WriteError::Interrupted),
            }
        }
    }
}

/// Counts and hashes what is written, and enforces the size limit.
struct Sink<W> {
    inner: W,
    pos: u64,
    hash: Sha256,
    limit: u64,
}

impl<W: Write> Sink<W> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        self.pos += bytes.len() as u64;
        if self.pos > self.limit {
            return Err(WriteError::TooLarge { limit: self.limit });
        }
        self.hash.update(bytes);
        self.inner.write_all(bytes).map_err(WriteError::Write)
    }

    fn offset(&self) -> u32 {
        // The limit keeps archives far below 4 GiB.
        u32::try_from(self.pos).unwrap_or(u32::MAX)
    }
}

fn append<W: Write>(
    entries: &[ZipEntry],
    out: W,
    opts: &WriteOptions,
    mut pieces: Pieces,
) -> Result<Archive, WriteError> {
    let mut sink = Sink {
        inner: out,
        pos: 0,
        hash: Sha256::new(),
        limit: opts.max_size,
    };
    let mut central = Vec::new();
    let mut written = Vec::with_capacity(entries.len());
    for e in entries {
        let mut h = Header {
            name: e.name.clone(),
            flags: zipfmt::name_flags(&e.name),
            method: zipfmt::STORED,
            time: opts.time,
            crc: 0,
            compressed: 0,
            size: 0,
            mode: e.mode,
            offset: sink.offset(),
        };
        match &e.data {
            EntryData::Dir => {
                h.name.push('/');
                sink.put(&h.local())?;
            }
            EntryData::Symlink(target) => {
                let bytes = target.as_bytes();
                h.crc = crc32fast::hash(bytes);
                h.size = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
                h.compressed = h.size;
                sink.put(&h.local())?;
                sink.put(bytes)?;
            }
            EntryData::File(_) => write_file(&mut h, &mut sink, &mut pieces)?,
        }
        h.central(&mut central);
        written.push(Written {
            name: h.name.clone(),
            mode: h.mode,
            size: u64::from(h.size),
            compressed: u64::from(h.compressed),
            crc: h.crc,
        });
    }
    let cd_offset = sink.offset();
    let cd_size = u32::try_from(central.len()).unwrap_or(u32::MAX);
    sink.put(&central)?;
    let count = u16::try_from(entries.len()).unwrap_or(u16::MAX);
    sink.put(&zipfmt::end_of_central_directory(count, cd_size, cd_offset))?;
    sink.inner.flush().map_err(WriteError::Write)?;
    let sha256 = hex(&sink.hash.finalize());
    Ok(Archive {
        entries: written,
        size: sink.pos,
        sha256,
    })
}

fn write_file<W: Write>(
    h: &mut Header,
    sink: &mut Sink<W>,
    pieces: &mut Pieces,
) -> Result<(), WriteError> {
    let first = pieces.take()?;
    let too_large = || WriteError::FileTooLarge {
        name: h.name.clone(),
    };
    if first.last {
        h.crc = first.crc;
        h.size = u32::try_from(first.len).map_err(|_| too_large())?;
        h.compressed = u32::try_from(first.data.len()).map_err(|_| too_large())?;
        h.method = if first.form == Form::Raw {
            zipfmt::STORED
        } else {
            zipfmt::DEFLATE
        };
        sink.put(&h.local())?;
        return sink.put(&first.data);
    }
    h.method = zipfmt::DEFLATE;
    h.flags |= zipfmt::FLAG_DATA_DESCRIPTOR;
    sink.put(&h.local())?;
    let mut crc = crc32fast::Hasher::new_with_initial_len(first.crc, first.len);
    let (mut size, mut compressed) = (first.len, first.data.len() as u64);
    sink.put(&first.data)?;
    loop {
        let p = pieces.take()?;
        crc.combine(&crc32fast::Hasher::new_with_initial_len(p.crc, p.len));
        size += p.len;
        compressed += p.data.len() as u64;
        sink.put(&p.data)?;
        if p.last {
            break;
        }
    }
    h.crc = crc.finalize();
    h.size = u32::try_from(size).map_err(|_| too_large())?;
    h.compressed = u32::try_from(compressed).map_err(|_| too_large())?;
    sink.put(&h.descriptor())
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

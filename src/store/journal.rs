//! Write-ahead journal of the embedded durable mode (`--data-dir`).
//!
//! Every article the store accepts is appended here and the file is
//! `fdatasync`'d before the insert is acknowledged, so an acknowledged ingest
//! survives `kill -9` and power loss. Records hold the *prepared* article
//! (parse and extraction results), not the raw text: a restart replays them
//! without running extraction again.
//!
//! A record is `MAGIC | payload length (u32 LE) | CRC-32 of payload (u32 LE) |
//! payload`; the payload is the draft as JSON, LZ4-compressed (`NCz1`: JSON
//! of extracted articles shrinks about 4×, and LZ4 decodes at memory speed).
//! Uncompressed JSON records (`NCa1`) are read too. A crash in the middle of an append leaves a
//! torn tail that fails the length or checksum test: replay stops before it,
//! logs what it dropped, and cuts the file back to the last whole record so
//! that later appends are not hidden behind garbage. Such a record was never
//! acknowledged (the sync had not returned), so nothing acknowledged is lost.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::codec::{decode_draft, encode_draft};
use crate::error::{Error, Result};
use crate::store::ArticleDraft;

/// Marks the start of a record with an LZ4-compressed JSON payload (written).
const MAGIC: [u8; 4] = *b"NCz1";
/// Marks the start of a record with a plain JSON payload (read only).
const MAGIC_PLAIN: [u8; 4] = *b"NCa1";
const HEADER: usize = 12;
/// Larger payloads are corruption, not records: articles are capped far
/// below this by `--max-article-bytes`.
const MAX_PAYLOAD: usize = 1 << 30;

/// The journal file, open for appending.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    /// Length of the whole records in the file.
    len: u64,
}

/// What [`Journal::open`] found.
#[derive(Debug, Default, Clone, Copy)]
pub struct Replay {
    /// Whole records replayed.
    pub records: u64,
    /// Bytes cut from a torn or corrupt tail.
    pub dropped_bytes: u64,
    /// Whether a torn tail was cut off (and warned about).
    pub cut: bool,
}

/// Records are handed to the caller in batches of this many, so replaying a
/// large journal never holds more than one batch of decoded drafts.
pub const REPLAY_BATCH: usize = 256;

fn io_error(path: &Path, what: &str, error: std::io::Error) -> Error {
    Error::Internal(format!(
        "journal {}: cannot {what}: {error}",
        path.display()
    ))
}

/// Reads records one by one; ends at the end of the whole records.
struct Records<R> {
    reader: R,
    /// Offset just past the last whole record read.
    good: u64,
    /// Why reading stopped early, if it did.
    torn: Option<String>,
    /// A record that passed its checksum but could not be decoded: not a
    /// torn write (a journal from another version, or a bug). Replay stops
    /// and the start fails rather than cutting acknowledged data off.
    unreadable: Option<String>,
}

impl<R: Read> Records<R> {
    fn next_record(&mut self) -> Option<ArticleDraft> {
        let header = match read_up_to(&mut self.reader, HEADER) {
            Ok(h) if h.is_empty() => return None,
            Ok(h) if h.len() < HEADER => {
                let n = h.len();
                self.torn = Some(format!("record header cut short ({n} of {HEADER} bytes)"));
                return None;
            }
            Ok(h) => h,
            Err(e) => {
                self.torn = Some(format!("read failed: {e}"));
                return None;
            }
        };
        let compressed = match [header[0], header[1], header[2], header[3]] {
            MAGIC => true,
            MAGIC_PLAIN => false,
            _ => {
                self.torn = Some("bad record marker".into());
                return None;
            }
        };
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let crc = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
        if !plausible_len(len as u64) {
            self.torn = Some(format!("record length {len} is not plausible"));
            return None;
        }
        let payload = match read_up_to(&mut self.reader, len) {
            Ok(p) if p.len() == len => p,
            Ok(p) => {
                let n = p.len();
                self.torn = Some(format!("record cut short ({n} of {len} bytes)"));
                return None;
            }
            Err(e) => {
                self.torn = Some(format!("read failed: {e}"));
                return None;
            }
        };
        if crc32fast::hash(&payload) != crc {
            self.torn = Some("record checksum mismatch".into());
            return None;
        }
        let decoded = if compressed {
            decode_draft(&payload)
        } else {
            serde_json::from_slice::<ArticleDraft>(&payload)
                .map_err(|e| format!("it does not decode: {e}"))
        };
        match decoded {
            Ok(draft) => {
                self.good += (HEADER + len) as u64;
                Some(draft)
            }
            Err(reason) => {
                self.unreadable = Some(reason);
                None
            }
        }
    }
}

/// Up to `len` bytes, fewer only at the end of the file (`read_exact` would
/// not say how many it got, and a torn record's report says so).
fn read_up_to(reader: &mut impl Read, len: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(len);
    reader.take(len as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Whether four bytes start a record (of either kind).
fn is_marker(bytes: [u8; 4]) -> bool {
    bytes == MAGIC || bytes == MAGIC_PLAIN
}

/// Whether a record's claimed payload length could be a record's. Checked
/// before anything is allocated for it: a damaged length field must not ask
/// for gigabytes.
fn plausible_len(len: u64) -> bool {
    len <= MAX_PAYLOAD as u64
}

/// The length of the whole, checksum-valid record starting at `offset`, if
/// one does (a record's payload must also end by `size`).
fn valid_record_at(file: &File, offset: u64, size: u64) -> std::io::Result<Option<u64>> {
    use std::os::unix::fs::FileExt;
    if offset + HEADER as u64 > size {
        return Ok(None);
    }
    let mut header = [0u8; HEADER];
    file.read_exact_at(&mut header, offset)?;
    if !is_marker([header[0], header[1], header[2], header[3]]) {
        return Ok(None);
    }
    let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as u64;
    let crc = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
    if !plausible_len(len) || offset + HEADER as u64 + len > size {
        return Ok(None);
    }
    let mut payload = vec![0u8; len as usize];
    file.read_exact_at(&mut payload, offset + HEADER as u64)?;
    Ok((crc32fast::hash(&payload) == crc).then_some(HEADER as u64 + len))
}

/// The offset of the first valid record at or after `from`, scanning for
/// record markers. A CRC-32 match on random bytes is a 1-in-4-billion event,
/// so a hit is a record that was once written whole.
fn next_valid_record(file: &File, from: u64, size: u64) -> std::io::Result<Option<u64>> {
    use std::os::unix::fs::FileExt;
    const WINDOW: u64 = 1 << 20;
    let mut start = from;
    let mut buf = vec![0u8; WINDOW as usize + 3];
    while start + HEADER as u64 <= size {
        let want = (size - start).min(WINDOW + 3) as usize;
        file.read_exact_at(&mut buf[..want], start)?;
        for at in 0..want.saturating_sub(3) {
            let marker = [buf[at], buf[at + 1], buf[at + 2], buf[at + 3]];
            // The marker first: reading a header at every byte would be slow.
            if is_marker(marker) && valid_record_at(file, start + at as u64, size)?.is_some() {
                return Ok(Some(start + at as u64));
            }
        }
        start += WINDOW;
    }
    Ok(None)
}

/// The folder a file is in: its parent, or the working directory for a
/// bare file name.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Syncs the folder holding `path`: a file created or renamed there is only
/// durable once its folder's entry is.
fn sync_folder_of(path: &Path) -> std::io::Result<()> {
    File::open(folder_of(path))?.sync_all()
}

/// Kept records [`repair`] holds before writing them out: its memory bound,
/// not part of what it writes.
const REPAIR_FLUSH_BYTES: usize = 4 << 20;

/// What [`repair`] kept and moved aside.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RepairReport {
    /// Whole, readable records kept, in their order.
    pub kept_records: u64,
    /// Damaged byte ranges moved aside, as (offset in the old file, length).
    pub damaged: Vec<(u64, u64)>,
    /// Records that pass their checksum but do not decode (another version?),
    /// moved aside too.
    pub unreadable_records: u64,
    /// Where the damaged bytes were saved, if there were any.
    pub saved_to: Option<PathBuf>,
}

/// Rewrites the journal at `path` with every readable record, in order, and
/// moves everything else to `<path>.damaged-<unix seconds>` (raw bytes, each
/// range preceded by a line `offset length`). The new journal replaces the
/// old one atomically (written aside, synced, renamed, folder synced). The
/// caller holds the folder's lock.
pub fn repair(path: &Path) -> Result<RepairReport> {
    let file = File::open(path).map_err(|e| io_error(path, "open", e))?;
    let size = file
        .metadata()
        .map_err(|e| io_error(path, "stat", e))?
        .len();
    let read = |e| io_error(path, "read", e);
    let mut report = RepairReport::default();
    let mut kept: Vec<u8> = Vec::new();
    let mut aside: Vec<u8> = Vec::new();
    let tmp = path.with_extension("journal.repair");
    let mut out = File::create(&tmp).map_err(|e| io_error(&tmp, "create", e))?;
    let mut offset = 0u64;
    let move_aside = |report: &mut RepairReport, aside: &mut Vec<u8>, from: u64, to: u64| {
        use std::os::unix::fs::FileExt;
        let mut bytes = vec![0u8; (to - from) as usize];
        file.read_exact_at(&mut bytes, from).map_err(read)?;
        aside.extend_from_slice(format!("{from} {}\n", to - from).as_bytes());
        aside.extend_from_slice(&bytes);
        report.damaged.push((from, to - from));
        Ok::<_, Error>(())
    };
    while offset < size {
        match valid_record_at(&file, offset, size).map_err(read)? {
            Some(len) => {
                use std::os::unix::fs::FileExt;
                let mut record = vec![0u8; len as usize];
                file.read_exact_at(&mut record, offset).map_err(read)?;
                let payload = &record[HEADER..];
                let readable = if record[..4] == MAGIC {
                    decode_draft(payload).is_ok()
                } else {
                    serde_json::from_slice::<ArticleDraft>(payload).is_ok()
                };
                if readable {
                    kept.extend_from_slice(&record);
                    report.kept_records += 1;
                    if kept.len() >= REPAIR_FLUSH_BYTES {
                        out.write_all(&kept)
                            .map_err(|e| io_error(&tmp, "write", e))?;
                        kept.clear();
                    }
                } else {
                    report.unreadable_records += 1;
                    move_aside(&mut report, &mut aside, offset, offset + len)?;
                }
                offset += len;
            }
            None => {
                let next = next_valid_record(&file, offset + 1, size)
                    .map_err(read)?
                    .unwrap_or(size);
                move_aside(&mut report, &mut aside, offset, next)?;
                offset = next;
            }
        }
    }
    out.write_all(&kept)
        .and_then(|_| out.sync_all())
        .map_err(|e| io_error(&tmp, "write", e))?;
    if !aside.is_empty() {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let saved = path.with_extension(format!("journal.damaged-{secs}"));
        let mut file = File::create(&saved).map_err(|e| io_error(&saved, "create", e))?;
        file.write_all(&aside)
            .and_then(|_| file.sync_all())
            .map_err(|e| io_error(&saved, "write", e))?;
        report.saved_to = Some(saved);
    }
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, "replace", e))?;
    sync_folder_of(path).map_err(|e| io_error(path, "sync its folder", e))?;
    Ok(report)
}

impl Journal {
    /// Opens (or creates) the journal at `path` and hands every whole record
    /// to `replay`, in order and in batches. A torn or corrupt tail is logged
    /// and cut off; it never stops the start.
    pub fn open(
        path: &Path,
        mut replay: impl FnMut(Vec<ArticleDraft>) -> Result<()>,
    ) -> Result<(Journal, Replay)> {
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| io_error(path, "open", e))?;
        if !existed {
            // A new file's name is only durable once its folder is synced too.
            sync_folder_of(path).map_err(|e| io_error(path, "sync its folder", e))?;
        }
        let size = file
            .metadata()
            .map_err(|e| io_error(path, "stat", e))?
            .len();
        file.seek(SeekFrom::Start(0))
            .map_err(|e| io_error(path, "seek", e))?;
        // Reading and decoding run on their own thread, one batch ahead of
        // `replay`, so a restart uses a second core for the JSON.
        let mut found = Replay::default();
        let reader = BufReader::with_capacity(1 << 20, &mut file);
        type Ending = (u64, Option<String>, Option<String>);
        let (good, torn, unreadable) = std::thread::scope(|scope| -> Result<Ending> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ArticleDraft>>(2);
            let decoder = scope.spawn(move || {
                let mut records = Records {
                    reader,
                    good: 0,
                    torn: None,
                    unreadable: None,
                };
                let mut batch = Vec::with_capacity(REPLAY_BATCH);
                while let Some(draft) = records.next_record() {
                    batch.push(draft);
                    if batch.len() == REPLAY_BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(REPLAY_BATCH));
                        if tx.send(full).is_err() {
                            break; // replay failed; the caller reports it
                        }
                    }
                }
                if !batch.is_empty() {
                    let _ = tx.send(batch);
                }
                (records.good, records.torn, records.unreadable)
            });
            for batch in rx {
                found.records += batch.len() as u64;
                // On error `rx` drops with this scope, stopping the decoder.
                replay(batch)?;
            }
            decoder
                .join()
                .map_err(|_| Error::Internal("journal decoder panicked".into()))
        })?;
        if let Some(reason) = unreadable {
            return Err(Error::Internal(format!(
                "journal {}: the record at byte {good} passes its checksum but cannot be read ({reason}); \
                 it may come from another newscorpus version. Not starting, so that nothing after it is cut off",
                path.display()
            )));
        }
        if good < size {
            // Only a torn *tail* may be cut: if a whole, valid record follows
            // the damage, the damage is in the middle of acknowledged data.
            if let Some(next) =
                next_valid_record(&file, good + 1, size).map_err(|e| io_error(path, "read", e))?
            {
                return Err(Error::Internal(format!(
                    "journal {}: the record at byte {good} is damaged ({}), but a valid record \
                     follows at byte {next}: the journal is corrupt in the middle, not torn at its \
                     end, and cutting it would lose acknowledged articles. Not starting. Stop every \
                     server using the folder and run `newscorpus repair-journal --data-dir {}`: it \
                     keeps every readable record, moves the damaged bytes aside to a file and \
                     reports what was lost",
                    path.display(),
                    torn.as_deref().unwrap_or("unreadable"),
                    path.parent().map_or_else(|| ".".into(), |d| d.display().to_string()),
                )));
            }
            found.dropped_bytes = size - good;
            found.cut = true;
            tracing::warn!(
                journal = %path.display(),
                kept_records = found.records,
                dropped_bytes = found.dropped_bytes,
                reason = torn.as_deref().unwrap_or("trailing bytes"),
                "journal ends in a torn or corrupt record (a write cut off by a crash); it was never acknowledged and is dropped"
            );
            file.set_len(good)
                .and_then(|_| file.sync_all())
                .map_err(|e| io_error(path, "truncate the torn tail", e))?;
        }
        Ok((
            Journal {
                file,
                path: path.to_owned(),
                len: good,
            },
            found,
        ))
    }

    /// Appends drafts and waits until they are on stable storage. On failure
    /// nothing of this call is left in the file.
    pub fn append(&mut self, drafts: &[&ArticleDraft]) -> Result<()> {
        if drafts.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        for draft in drafts {
            let payload = encode_draft(draft)?;
            buf.extend_from_slice(&MAGIC);
            buf.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            buf.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
            buf.extend_from_slice(&payload);
        }
        let written = self
            .file
            .write_all(&buf)
            .and_then(|_| self.file.sync_data());
        if let Err(error) = written {
            // Best effort: leave no partial record for the next append to
            // follow. If even this fails, replay will cut it off.
            let _ = self.file.set_len(self.len);
            // The client is told why, not where: paths stay in the log.
            tracing::error!(journal = %self.path.display(), %error, "journal append failed");
            return Err(Error::Unavailable(format!(
                "cannot write to the journal ({error}); nothing of this batch was stored, retry later"
            )));
        }
        self.len += buf.len() as u64;
        Ok(())
    }

    /// Bytes of whole records in the file.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when the journal holds no record.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Extraction, ParsedArticle};

    fn draft(id: &str) -> ArticleDraft {
        ArticleDraft {
            id: id.into(),
            source: format!("{id}.txt"),
            url: String::new(),
            parsed: ParsedArticle {
                title: format!("Title {id}"),
                paragraphs: vec!["Body “quoted” text, ünïcode.".into()],
                ..Default::default()
            },
            extraction: Extraction::default(),
        }
    }

    fn open(path: &Path) -> (Journal, Replay, Vec<ArticleDraft>) {
        let mut drafts = Vec::new();
        let (journal, replay) = Journal::open(path, |batch| {
            drafts.extend(batch);
            Ok(())
        })
        .unwrap();
        (journal, replay, drafts)
    }

    fn ids(drafts: &[ArticleDraft]) -> Vec<&str> {
        drafts.iter().map(|d| d.id.as_str()).collect()
    }

    #[test]
    fn records_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut journal, replay, drafts) = open(&path);
        assert!(drafts.is_empty() && replay.records == 0);
        let (a, b) = (draft("a"), draft("b"));
        journal.append(&[&a, &b]).unwrap();
        journal.append(&[&draft("c")]).unwrap();
        drop(journal);
        let (journal, replay, drafts) = open(&path);
        assert_eq!(ids(&drafts), ["a", "b", "c"]);
        assert_eq!(drafts[0].parsed, a.parsed);
        assert_eq!(replay.records, 3);
        assert_eq!(replay.dropped_bytes, 0);
        assert_eq!(journal.len(), std::fs::metadata(&path).unwrap().len());
    }

    #[test]
    fn a_torn_tail_is_dropped_at_every_cut_and_appends_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut journal, _, _) = open(&path);
        journal.append(&[&draft("a")]).unwrap();
        let whole = journal.len();
        journal.append(&[&draft("b")]).unwrap();
        let full = std::fs::read(&path).unwrap();
        drop(journal);
        // Every possible crash point inside the second record.
        for cut in whole as usize..full.len() {
            std::fs::write(&path, &full[..cut]).unwrap();
            let (mut journal, replay, drafts) = open(&path);
            assert_eq!(ids(&drafts), ["a"], "cut at {cut}");
            assert_eq!(replay.dropped_bytes, (cut as u64) - whole);
            journal.append(&[&draft("c")]).unwrap();
            drop(journal);
            let (_, _, drafts) = open(&path);
            assert_eq!(ids(&drafts), ["a", "c"], "cut at {cut}");
        }
    }

    #[test]
    fn a_checksum_valid_record_that_cannot_be_read_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut journal, _, _) = open(&path);
        journal.append(&[&draft("a")]).unwrap();
        drop(journal);
        let json = br#"{"id": "b", "not": "a draft"}"#;
        let mut bytes = std::fs::read(&path).unwrap();
        let before = bytes.len();
        bytes.extend_from_slice(&MAGIC_PLAIN);
        bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(json).to_le_bytes());
        bytes.extend_from_slice(json);
        std::fs::write(&path, &bytes).unwrap();
        let error = Journal::open(&path, |_| Ok(())).unwrap_err().to_string();
        assert!(error.contains("cannot be read"), "{error}");
        assert!(error.contains(&format!("byte {before}")), "{error}");
        // Nothing was cut off.
        assert_eq!(std::fs::metadata(&path).unwrap().len(), bytes.len() as u64);
    }

    #[test]
    fn plain_json_records_are_read_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let json = serde_json::to_vec(&draft("plain")).unwrap();
        let mut bytes = MAGIC_PLAIN.to_vec();
        bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&json).to_le_bytes());
        bytes.extend_from_slice(&json);
        std::fs::write(&path, &bytes).unwrap();
        let (mut journal, _, drafts) = open(&path);
        assert_eq!(ids(&drafts), ["plain"]);
        journal.append(&[&draft("packed")]).unwrap();
        drop(journal);
        let (_, _, drafts) = open(&path);
        assert_eq!(ids(&drafts), ["plain", "packed"]);
    }

    #[test]
    fn a_flipped_bit_stops_replay_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut journal, _, _) = open(&path);
        journal.append(&[&draft("a")]).unwrap();
        let whole = journal.len() as usize;
        journal.append(&[&draft("b")]).unwrap();
        drop(journal);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[whole + HEADER + 5] ^= 0x20;
        std::fs::write(&path, &bytes).unwrap();
        let (_, replay, drafts) = open(&path);
        assert_eq!(ids(&drafts), ["a"]);
        assert_eq!(replay.dropped_bytes, (bytes.len() - whole) as u64);
    }

    /// A journal of `n` records, and the offset where each record starts.
    fn journal_of(path: &Path, n: usize) -> Vec<usize> {
        let (mut journal, _, _) = open(path);
        let mut starts = Vec::new();
        for i in 0..n {
            starts.push(journal.len() as usize);
            journal.append(&[&draft(&format!("r{i}"))]).unwrap();
        }
        starts
    }

    fn assert_refused_at(path: &Path, at: usize, size: u64) {
        let error = Journal::open(path, |_| Ok(())).unwrap_err().to_string();
        assert!(
            error.contains(&format!("record at byte {at} is damaged")),
            "{error}"
        );
        assert!(error.contains("repair-journal"), "{error}");
        // Nothing was cut off.
        assert_eq!(std::fs::metadata(path).unwrap().len(), size);
    }

    #[test]
    fn damage_in_the_middle_stops_the_start_and_cuts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let starts = journal_of(&path, 20);
        let good = std::fs::read(&path).unwrap();
        let at = starts[10];
        // A flipped payload byte, an impossible length, an overwritten marker,
        // a length that points inside the next record.
        type Damage<'a> = &'a dyn Fn(&mut Vec<u8>);
        let damages: [Damage; 4] = [
            &|b| b[at + HEADER + 3] ^= 0x01,
            &|b| b[at + 4..at + 8].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes()),
            &|b| b[at..at + 4].copy_from_slice(b"XXXX"),
            &|b| b[at + 4] = b[at + 4].wrapping_add(7),
        ];
        for damage in damages {
            let mut bytes = good.clone();
            damage(&mut bytes);
            std::fs::write(&path, &bytes).unwrap();
            assert_refused_at(&path, at, bytes.len() as u64);
        }
    }

    #[test]
    fn repair_keeps_every_readable_record_and_moves_the_damage_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let starts = journal_of(&path, 30);
        let mut bytes = std::fs::read(&path).unwrap();
        let size = bytes.len();
        bytes[starts[5] + HEADER + 2] ^= 0x40; // record 5 damaged
        bytes[starts[20]..starts[20] + 4].copy_from_slice(b"\0\0\0\0"); // record 20's marker
        std::fs::write(&path, &bytes).unwrap();
        let report = repair(&path).unwrap();
        assert_eq!(report.kept_records, 28);
        assert_eq!(
            report.damaged,
            [
                (starts[5] as u64, (starts[6] - starts[5]) as u64),
                (starts[20] as u64, (starts[21] - starts[20]) as u64),
            ]
        );
        let saved = std::fs::read(report.saved_to.unwrap()).unwrap();
        assert!(saved.starts_with(format!("{} ", starts[5]).as_bytes()));
        let lines = format!("{} {}\n", starts[5], starts[6] - starts[5]).len()
            + format!("{} {}\n", starts[20], starts[21] - starts[20]).len();
        assert_eq!(
            saved.len(),
            lines + (starts[6] - starts[5]) + (starts[21] - starts[20])
        );
        let (_, replay, drafts) = open(&path);
        assert_eq!(replay.records, 28);
        assert_eq!(replay.dropped_bytes, 0);
        let expected: Vec<String> = (0..30)
            .filter(|i| *i != 5 && *i != 20)
            .map(|i| format!("r{i}"))
            .collect();
        assert_eq!(ids(&drafts), expected);
        assert!(std::fs::metadata(&path).unwrap().len() < size as u64);
    }

    #[test]
    fn repair_moves_a_whole_record_that_cannot_be_read_aside_and_counts_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (a, b) = (draft("a"), draft("b"));
        let mut bytes = record(&encode_draft(&a).unwrap());
        let at = bytes.len();
        // Passes its checksum, but is no draft (another version's record).
        let unreadable = record(&lz4_flex::compress_prepend_size(b"{\"v\": 2}"));
        bytes.extend_from_slice(&unreadable);
        bytes.extend_from_slice(&record(&encode_draft(&b).unwrap()));
        std::fs::write(&path, &bytes).unwrap();
        let report = repair(&path).unwrap();
        assert_eq!(report.kept_records, 2);
        assert_eq!(report.unreadable_records, 1);
        assert_eq!(report.damaged, [(at as u64, unreadable.len() as u64)]);
        let saved = std::fs::read(report.saved_to.unwrap()).unwrap();
        let mut expected = format!("{at} {}\n", unreadable.len()).into_bytes();
        expected.extend_from_slice(&unreadable);
        assert_eq!(saved, expected);
        let (_, replay, drafts) = open(&path);
        assert_eq!((replay.records, replay.dropped_bytes), (2, 0));
        assert_eq!(ids(&drafts), ["a", "b"]);
    }

    #[test]
    fn repair_of_a_sound_journal_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        journal_of(&path, 5);
        let before = std::fs::read(&path).unwrap();
        let report = repair(&path).unwrap();
        assert_eq!(report.kept_records, 5);
        assert!(report.damaged.is_empty() && report.saved_to.is_none());
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_torn_tail_is_still_cut_after_many_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let starts = journal_of(&path, 10);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..starts[9] + HEADER + 4]).unwrap();
        let (_, replay, drafts) = open(&path);
        assert_eq!(drafts.len(), 9);
        assert_eq!(replay.dropped_bytes, (HEADER + 4) as u64);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), starts[9] as u64);
    }

    /// What reading `bytes` as a journal stops on, and the drafts before.
    fn read_records(bytes: &[u8]) -> (Vec<ArticleDraft>, u64, Option<String>) {
        let mut records = Records {
            reader: std::io::Cursor::new(bytes),
            good: 0,
            torn: None,
            unreadable: None,
        };
        let drafts = std::iter::from_fn(|| records.next_record()).collect();
        (drafts, records.good, records.torn)
    }

    fn record(payload: &[u8]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    #[test]
    fn each_kind_of_torn_record_says_what_it_is() {
        let whole = record(&encode_draft(&draft("a")).unwrap());
        let torn = |tail: &[u8]| {
            let mut bytes = whole.clone();
            bytes.extend_from_slice(tail);
            let (drafts, good, torn) = read_records(&bytes);
            assert_eq!(ids(&drafts), ["a"], "{torn:?}");
            assert_eq!(good, whole.len() as u64);
            torn.unwrap_or_default()
        };
        assert_eq!(torn(&MAGIC[..3]), "record header cut short (3 of 12 bytes)");
        assert_eq!(torn(b"NCx1........"), "bad record marker");
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&((MAX_PAYLOAD + 1) as u32).to_le_bytes());
        header.extend_from_slice(&[0; 4]);
        assert_eq!(
            torn(&header),
            format!("record length {} is not plausible", MAX_PAYLOAD + 1)
        );
        let next = record(&encode_draft(&draft("b")).unwrap());
        assert_eq!(
            torn(&next[..HEADER + 10]),
            format!("record cut short (10 of {} bytes)", next.len() - HEADER)
        );
        let mut flipped = next.clone();
        flipped[HEADER + 2] ^= 0x04;
        assert_eq!(torn(&flipped), "record checksum mismatch");
        // A clean end is no tear.
        let (drafts, good, torn) = read_records(&whole);
        assert_eq!((drafts.len(), good, torn), (1, whole.len() as u64, None));
    }

    #[test]
    fn the_largest_plausible_payload_is_the_limit_itself() {
        assert!(plausible_len(MAX_PAYLOAD as u64));
        assert!(plausible_len(0));
        assert!(!plausible_len(MAX_PAYLOAD as u64 + 1));
        assert!(!plausible_len(u32::MAX as u64));
    }

    #[test]
    fn a_valid_record_may_end_exactly_at_the_end_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let whole = record(b"{}");
        let mut bytes = whole.clone();
        bytes.extend_from_slice(&record(b""));
        std::fs::write(&path, &bytes).unwrap();
        let file = File::open(&path).unwrap();
        let size = bytes.len() as u64;
        let n = whole.len() as u64;
        assert_eq!(valid_record_at(&file, 0, size).unwrap(), Some(n));
        assert_eq!(valid_record_at(&file, 0, n).unwrap(), Some(n));
        // An empty payload: the header alone ends at the end of the file.
        assert_eq!(
            valid_record_at(&file, n, size).unwrap(),
            Some(HEADER as u64)
        );
        // Past what `size` allows: no record (and no read error).
        assert_eq!(valid_record_at(&file, 0, n - 1).unwrap(), None);
        assert_eq!(valid_record_at(&file, size - 5, size).unwrap(), None);
        assert_eq!(valid_record_at(&file, 1, size).unwrap(), None);
        // Either marker starts a record; anything else does not.
        let mut plain = record(b"{}");
        plain[..4].copy_from_slice(&MAGIC_PLAIN);
        let mut other = record(b"{}");
        other[..4].copy_from_slice(b"NCz2");
        for (bytes, valid) in [(plain, true), (other, false)] {
            std::fs::write(&path, &bytes).unwrap();
            let file = File::open(&path).unwrap();
            let found = valid_record_at(&file, 0, bytes.len() as u64).unwrap();
            assert_eq!(found.is_some(), valid);
        }
    }

    #[test]
    fn the_scan_for_the_next_record_crosses_its_read_windows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let window = 1usize << 20;
        let rec = record(&encode_draft(&draft("a")).unwrap());
        // Records right across the first window's end (its marker split
        // between two reads) and far into the third window.
        for at in [window - 2, window - 4, window + 1, 2 * window + 77] {
            let mut bytes = vec![b'x'; at];
            // A marker that starts no valid record is passed over.
            bytes[at / 2..at / 2 + 4].copy_from_slice(&MAGIC);
            bytes.extend_from_slice(&rec);
            bytes.extend_from_slice(&[b'y'; 40]);
            std::fs::write(&path, &bytes).unwrap();
            let file = File::open(&path).unwrap();
            let size = bytes.len() as u64;
            assert_eq!(
                next_valid_record(&file, 0, size).unwrap(),
                Some(at as u64),
                "{at}"
            );
            assert_eq!(next_valid_record(&file, at as u64 + 1, size).unwrap(), None);
        }
    }

    #[test]
    fn the_folder_of_a_bare_file_name_is_the_working_directory() {
        assert_eq!(
            folder_of(Path::new("/data/nc/journal")),
            Path::new("/data/nc")
        );
        assert_eq!(folder_of(Path::new("nc/journal")), Path::new("nc"));
        assert_eq!(folder_of(Path::new("journal")), Path::new("."));
        sync_folder_of(Path::new("journal")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        sync_folder_of(&dir.path().join("j")).unwrap();
        assert!(sync_folder_of(&dir.path().join("missing/j")).is_err());
    }

    #[test]
    fn replay_hands_records_over_in_full_batches() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let n = REPLAY_BATCH + 44;
        {
            let (mut journal, _, _) = open(&path);
            assert!(journal.is_empty());
            let drafts: Vec<ArticleDraft> = (0..n).map(|i| draft(&format!("r{i}"))).collect();
            journal.append(&drafts.iter().collect::<Vec<_>>()).unwrap();
            assert!(!journal.is_empty());
        }
        let mut sizes = Vec::new();
        let (journal, replay) = Journal::open(&path, |batch| {
            sizes.push(batch.len());
            Ok(())
        })
        .unwrap();
        assert_eq!(sizes, [REPLAY_BATCH, 44]);
        assert_eq!(replay.records, n as u64);
        assert_eq!(journal.len(), std::fs::metadata(&path).unwrap().len());
    }

    #[test]
    fn only_a_torn_tail_is_cut() {
        // (That the cut is logged is checked on the server's own output, in
        // the api tests: a subscriber scoped to one unit test races the
        // others' over tracing's global interest cache.)
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        journal_of(&path, 3);
        let (_, replay, _) = open(&path);
        assert!(!replay.cut, "a clean start cuts nothing");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(&MAGIC);
        std::fs::write(&path, &bytes).unwrap();
        let (_, replay, drafts) = open(&path);
        assert!(replay.cut);
        assert_eq!((drafts.len(), replay.dropped_bytes), (3, 4));
        let (_, replay, _) = open(&path);
        assert!(!replay.cut, "cut once, then clean");
    }

    #[test]
    fn a_journal_torn_in_its_first_record_opens_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let whole = record(&encode_draft(&draft("a")).unwrap());
        std::fs::write(&path, &whole[..whole.len() - 3]).unwrap();
        let (journal, replay, drafts) = open(&path);
        assert!(drafts.is_empty());
        assert_eq!(replay.dropped_bytes, (whole.len() - 3) as u64);
        assert!(journal.is_empty());
    }

    #[test]
    fn repair_of_damage_at_the_very_start_keeps_what_follows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let starts = journal_of(&path, 3);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[..4].copy_from_slice(b"XXXX");
        std::fs::write(&path, &bytes).unwrap();
        let report = repair(&path).unwrap();
        assert_eq!(report.kept_records, 2);
        assert_eq!(report.damaged, [(0, starts[1] as u64)]);
        let (_, _, drafts) = open(&path);
        assert_eq!(ids(&drafts), ["r1", "r2"]);
    }
}

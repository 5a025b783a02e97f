//! Corpus sources on disk: folders of `.txt` articles and JSON Lines files
//! (one article per line: `text` plus optional `title`, `outlet`, `authors`,
//! `published`, `url`, `source` — the shape most news datasets ship in).
//!
//! [`SourceReader`] walks them lazily, one item at a time, so a corpus far
//! larger than memory's comfort is never read whole; a file or line that
//! cannot be used becomes a [`SkippedFile`] instead of an error.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{valid_date, RawArticle, SkippedFile};

/// One thing read from the corpus: an article to prepare, or a skip.
pub type SourceItem = std::result::Result<RawArticle, SkippedFile>;

/// A JSON Lines record. Unknown fields are ignored: datasets carry many.
#[derive(Debug, Deserialize)]
struct JsonArticle {
    text: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    outlet: Option<String>,
    #[serde(default)]
    authors: Option<Vec<String>>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

/// Corpus files under `path` (a folder, or one `.txt`/`.jsonl` file), in
/// name order so that article positions are stable across restarts.
pub fn corpus_files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        Error::invalid(
            "corpus",
            format!("cannot read corpus folder {}: {e}", path.display()),
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && (is_jsonl(p) || p.extension().is_some_and(|x| x == "txt")))
        .collect();
    files.sort();
    Ok(files)
}

fn is_jsonl(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x == "jsonl" || x == "ndjson")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Lazily yields every article of a list of corpus files.
pub struct SourceReader {
    files: std::vec::IntoIter<PathBuf>,
    lines: Option<(String, BufReader<File>, u64)>,
    max_bytes: usize,
}

impl SourceReader {
    /// Reads `files` in order; articles over `max_bytes` are skipped.
    pub fn new(files: Vec<PathBuf>, max_bytes: usize) -> Self {
        SourceReader {
            files: files.into_iter(),
            lines: None,
            max_bytes,
        }
    }

    fn read_text_file(&self, path: &Path) -> SourceItem {
        let source = file_name(path);
        let skip = |reason: String| SkippedFile {
            source: source.clone(),
            reason,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| skip(format!("unreadable: {e}")))?
            .len();
        if size > self.max_bytes as u64 {
            return Err(skip(format!(
                "too large: {size} bytes, limit {}",
                self.max_bytes
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| skip(format!("unreadable: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| skip(format!("not UTF-8: {e}")))?;
        if text.trim().is_empty() {
            return Err(skip("empty".into()));
        }
        Ok(RawArticle {
            text,
            source: source.clone(),
            ..Default::default()
        })
    }

    /// Next line of the open JSON Lines file, `None` at its end.
    fn next_line(&mut self) -> Option<SourceItem> {
        let (name, reader, line_no) = self.lines.as_mut()?;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            *line_no += 1;
            let at = format!("{name}:{line_no}");
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => {
                    self.lines = None;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.lines = None;
                    return Some(Err(SkippedFile {
                        source: at,
                        reason: format!("unreadable: {e}"),
                    }));
                }
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(parse_json_line(&buf, at, self.max_bytes));
        }
    }
}

fn parse_json_line(line: &[u8], at: String, max_bytes: usize) -> SourceItem {
    let skip = |reason: String| SkippedFile {
        source: at.clone(),
        reason,
    };
    if line.len() > max_bytes.saturating_mul(2) {
        return Err(skip(format!("line too large: {} bytes", line.len())));
    }
    let record: JsonArticle =
        serde_json::from_slice(line).map_err(|e| skip(format!("not a JSON article: {e}")))?;
    if record.text.trim().is_empty() {
        return Err(skip("empty text".into()));
    }
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let url = nonempty(record.url).unwrap_or_default();
    let source = nonempty(record.source)
        .or_else(|| (!url.is_empty()).then(|| url.clone()))
        .unwrap_or_else(|| at.clone());
    // Datasets often carry timestamps; the date part is what the API serves.
    let published = nonempty(record.published)
        .map(|p| p.chars().take(10).collect::<String>())
        .filter(|p| valid_date(p));
    Ok(RawArticle {
        text: record.text,
        source,
        url,
        title: nonempty(record.title),
        outlet: nonempty(record.outlet),
        authors: record
            .authors
            .map(|a| {
                a.into_iter()
                    .filter(|s| !s.trim().is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|a| !a.is_empty()),
        published,
    })
}

impl Iterator for SourceReader {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        loop {
            if self.lines.is_some() {
                if let Some(item) = self.next_line() {
                    return Some(item);
                }
                continue;
            }
            let path = self.files.next()?;
            if !is_jsonl(&path) {
                return Some(self.read_text_file(&path));
            }
            match File::open(&path) {
                Ok(file) => self.lines = Some((file_name(&path), BufReader::new(file), 0)),
                Err(e) => {
                    return Some(Err(SkippedFile {
                        source: file_name(&path),
                        reason: format!("unreadable: {e}"),
                    }))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("newscorpus-loader-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_text_files_and_json_lines_in_name_order_skipping_bad_items() {
        let dir = temp_dir("mixed");
        std::fs::write(dir.join("b.txt"), "Body of b.").unwrap();
        std::fs::write(dir.join("a.txt"), "").unwrap();
        std::fs::write(dir.join("c.bin"), "ignored").unwrap();
        std::fs::write(dir.join("d.txt"), [0xff, 0xfe, 0x00]).unwrap();
        std::fs::write(
            dir.join("e.jsonl"),
            concat!(
                "{\"text\":\"First.\",\"title\":\"T\",\"published\":\"2021-05-06T10:00:00Z\",\"extra\":1}\n",
                "\n",
                "not json\n",
                "{\"text\":\"Second.\",\"url\":\"https://x.test/2\",\"authors\":[\"A\",\"\"]}\n",
                "{\"text\":\"   \"}\n",
            ),
        )
        .unwrap();
        let items: Vec<SourceItem> = SourceReader::new(corpus_files(&dir).unwrap(), 1000).collect();
        let summary: Vec<String> = items
            .iter()
            .map(|i| match i {
                Ok(a) => format!("ok {}", a.source),
                Err(s) => format!("skip {}", s.source),
            })
            .collect();
        assert_eq!(
            summary,
            [
                "skip a.txt",
                "ok b.txt",
                "skip d.txt",
                "ok e.jsonl:1",
                "skip e.jsonl:3",
                "ok https://x.test/2",
                "skip e.jsonl:5"
            ]
        );
        let first = items[3].as_ref().unwrap();
        assert_eq!(first.published.as_deref(), Some("2021-05-06"));
        assert_eq!(first.title.as_deref(), Some("T"));
        let second = items[5].as_ref().unwrap();
        assert_eq!(second.authors.as_deref(), Some(&["A".to_string()][..]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn oversized_files_are_skipped_not_read() {
        let dir = temp_dir("big");
        std::fs::write(dir.join("big.txt"), "x".repeat(2000)).unwrap();
        let items: Vec<SourceItem> = SourceReader::new(corpus_files(&dir).unwrap(), 100).collect();
        assert!(matches!(&items[0], Err(s) if s.reason.contains("too large")));
        assert!(corpus_files(&dir.join("missing")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! The corpus service: the one place where raw text becomes stored articles.
//!
//! `Corpus` runs the pipeline (parse → extract → store, which resolves
//! identity corpus-wide), validates what comes in, loads the corpus folder at
//! start, and answers queries (`read.rs`) by delegating to the [`Store`].
//! Transports call only this type, never the store, so they stay thin.

mod read;

pub use read::CorpusStats;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::{valid_date, ParsedArticle, RawArticle, SkippedFile};
use crate::store::{ArticleDraft, Store};
use crate::{extract, loader, parse};

/// Limits on what the corpus accepts.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest raw article accepted, in bytes.
    pub max_article_bytes: usize,
}

/// Default of [`Limits::max_article_bytes`] (`--max-article-bytes`): 2 MiB.
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 2 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
        }
    }
}

/// Largest headline, in bytes. Metadata is bounded so that no stored
/// article makes a BASIC-view response larger than a default client accepts
/// (4 MiB): headlines are short, and a 6 MiB one is an accident or an attack.
pub const MAX_TITLE_BYTES: usize = 2048;
/// Largest standfirst (subtitle) taken from a text's header, in bytes.
pub const MAX_SUBTITLE_BYTES: usize = 4096;
/// Largest outlet name, in bytes.
pub const MAX_OUTLET_BYTES: usize = 256;
/// Largest author name, in bytes.
pub const MAX_AUTHOR_BYTES: usize = 256;
/// Most authors of one article.
pub const MAX_AUTHORS: usize = 100;

/// Refuses metadata given with an article (not found in its text) that is
/// over the limits, naming the field.
fn check_metadata(raw: &RawArticle) -> Result<()> {
    let too_long = |field: &str, value: &str, limit: usize| {
        if value.len() > limit {
            Err(Error::invalid(
                field,
                format!("is {} bytes, longer than {limit} bytes", value.len()),
            ))
        } else {
            Ok(())
        }
    };
    if let Some(title) = &raw.title {
        too_long("title", title, MAX_TITLE_BYTES)?;
    }
    if let Some(outlet) = &raw.outlet {
        too_long("outlet", outlet, MAX_OUTLET_BYTES)?;
    }
    if let Some(authors) = &raw.authors {
        if authors.len() > MAX_AUTHORS {
            return Err(Error::invalid(
                "authors",
                format!("has {} names, more than {MAX_AUTHORS}", authors.len()),
            ));
        }
        for author in authors {
            too_long("authors", author, MAX_AUTHOR_BYTES)?;
        }
    }
    Ok(())
}

/// Header fields read from the text itself that are over the limits are not
/// header: an over-long "headline" or standfirst goes back to the body, over-long
/// outlet and author names are dropped.
fn bound_parsed_metadata(parsed: &mut ParsedArticle) {
    if parsed.subtitle.len() > MAX_SUBTITLE_BYTES {
        parsed
            .paragraphs
            .insert(0, std::mem::take(&mut parsed.subtitle));
    }
    if parsed.title.len() > MAX_TITLE_BYTES {
        parsed
            .paragraphs
            .insert(0, std::mem::take(&mut parsed.title));
    }
    if parsed.outlet.len() > MAX_OUTLET_BYTES {
        parsed.outlet.clear();
    }
    parsed.authors.retain(|a| a.len() <= MAX_AUTHOR_BYTES);
    parsed.authors.truncate(MAX_AUTHORS);
}

/// What loading the corpus folder did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoadReport {
    /// Files stored (new or duplicate).
    pub loaded: u64,
    /// Files skipped.
    pub skipped: Vec<SkippedFile>,
}

/// The corpus: pipeline plus store.
pub struct Corpus {
    store: Arc<dyn Store>,
    limits: Limits,
    load_report: std::sync::RwLock<LoadReport>,
}

/// Content-derived article id: the same clean body from the same outlet and
/// URL always gets the same id, whichever file or request it came from, so
/// re-ingesting is idempotent. The same text from another outlet (or URL) is
/// another outlet's publication — a new article, marked as a syndicated copy
/// by `crate::analyze` — so outlet and URL are part of the id when given.
/// Articles with neither keep the id of their body alone.
pub fn article_id(parsed: &ParsedArticle, url: &str) -> String {
    let mut hasher = Sha256::new();
    for paragraph in &parsed.paragraphs {
        for word in paragraph.split_whitespace() {
            hasher.update(word.as_bytes());
            hasher.update(b" ");
        }
        hasher.update(b"\n");
    }
    let outlet = crate::resolve::name_key(&parsed.outlet);
    let url = url.trim();
    if !outlet.is_empty() || !url.is_empty() {
        hasher.update(b"\x1fpublished by\x1f");
        hasher.update(outlet.as_bytes());
        hasher.update(b"\x1f");
        hasher.update(url.as_bytes());
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Turns raw text into a draft: parse, apply overrides, extract, derive id.
/// Pure CPU work; callers run it off the async runtime.
pub fn prepare(raw: RawArticle, limits: &Limits) -> Result<ArticleDraft> {
    prepare_unless_known(raw, limits, &|_| false)?
        .ok_or_else(|| Error::Internal("an article was taken for a known one".into()))
}

/// Like [`prepare`], but stops before extraction (the costly part) when
/// `known` says the article's id is stored already, returning `None`.
pub fn prepare_unless_known(
    raw: RawArticle,
    limits: &Limits,
    known: &dyn Fn(&str) -> bool,
) -> Result<Option<ArticleDraft>> {
    if raw.text.len() > limits.max_article_bytes {
        return Err(Error::TooLarge {
            what: "text".into(),
            size: raw.text.len(),
            limit: limits.max_article_bytes,
        });
    }
    if raw.text.contains('\0') {
        return Err(Error::invalid("text", "contains NUL characters"));
    }
    if let Some(date) = &raw.published {
        if !valid_date(date) {
            return Err(Error::invalid(
                "published",
                format!("{date:?} is not a YYYY-MM-DD date"),
            ));
        }
    }
    check_metadata(&raw)?;
    let mut parsed = parse::parse(&raw.text);
    bound_parsed_metadata(&mut parsed);
    if parsed.paragraphs.is_empty() && !parsed.title.is_empty() {
        // A text of one or two short lines is a short article, not a
        // headline (and standfirst) with no body: none of it may be dropped.
        parsed.paragraphs.push(std::mem::take(&mut parsed.title));
        if !parsed.subtitle.is_empty() {
            parsed.paragraphs.push(std::mem::take(&mut parsed.subtitle));
        }
    }
    if parsed.paragraphs.iter().all(|p| p.trim().is_empty()) {
        return Err(Error::invalid("text", "no article body found in the text"));
    }
    if let Some(title) = raw.title {
        parsed.title = title;
    }
    if let Some(outlet) = raw.outlet {
        parsed.outlet = outlet;
    }
    if let Some(authors) = raw.authors {
        parsed.authors = authors;
    }
    if let Some(published) = raw.published {
        parsed.published = published;
    }
    let id = article_id(&parsed, &raw.url);
    if known(&id) {
        return Ok(None);
    }
    let extraction = extract::extract(&parsed);
    let source = if raw.source.is_empty() {
        if raw.url.is_empty() {
            format!("ingest:{id}")
        } else {
            raw.url.clone()
        }
    } else {
        raw.source
    };
    Ok(Some(ArticleDraft {
        id,
        source,
        url: raw.url,
        parsed,
        extraction,
    }))
}

impl Corpus {
    /// A corpus over a store.
    pub fn new(store: Arc<dyn Store>, limits: Limits) -> Self {
        Corpus {
            store,
            limits,
            load_report: Default::default(),
        }
    }

    /// The store behind the corpus.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// What the start-up load did.
    pub fn load_report(&self) -> LoadReport {
        self.load_report
            .read()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Parses and extracts one raw article on a blocking thread.
    pub async fn prepare(&self, raw: RawArticle) -> Result<ArticleDraft> {
        let limits = self.limits.clone();
        tokio::task::spawn_blocking(move || prepare(raw, &limits))
            .await
            .map_err(|e| Error::Internal(format!("extraction task failed: {e}")))?
    }

    /// Loads a corpus folder (`.txt` articles and `.jsonl` files, in name
    /// order, so article positions are stable across restarts) or one file.
    /// Reading, extraction on every core, and storing overlap; unusable files
    /// or lines are skipped with a warning and reported. Progress is logged.
    pub async fn load_path(&self, path: &Path) -> Result<LoadReport> {
        let started = Instant::now();
        let files = loader::corpus_files(path)?;
        tracing::info!(path = %path.display(), files = files.len(), "loading corpus");
        let limits = self.limits.clone();
        let store = self.store.clone();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Prepared>>(2);
        let producer = tokio::task::spawn_blocking(move || {
            // After a restart with a data folder, the folder's articles are
            // stored already: recognise them by id before extracting.
            let known = |id: &str| store.has_article(id) == Some(true);
            let mut reader = loader::SourceReader::new(files, limits.max_article_bytes);
            loop {
                let batch: Vec<loader::SourceItem> = reader.by_ref().take(LOAD_BATCH).collect();
                if batch.is_empty()
                    || tx
                        .blocking_send(prepare_parallel(batch, &limits, &known))
                        .is_err()
                {
                    return;
                }
            }
        });
        let mut report = LoadReport::default();
        let (mut created, mut duplicates) = (0u64, 0u64);
        let mut last_progress = Instant::now();
        while let Some(batch) = rx.recv().await {
            let mut drafts = Vec::with_capacity(batch.len());
            for item in batch {
                match item {
                    Ok(Some(draft)) => drafts.push(draft),
                    Ok(None) => {
                        report.loaded += 1;
                        duplicates += 1;
                    }
                    Err(skip) => {
                        tracing::warn!(source = %skip.source, reason = %skip.reason, "skipping corpus item");
                        report.skipped.push(skip);
                    }
                }
            }
            report.loaded += drafts.len() as u64;
            for outcome in self.store.insert(drafts).await? {
                if outcome.created {
                    created += 1;
                } else {
                    duplicates += 1;
                }
            }
            if last_progress.elapsed() >= PROGRESS_EVERY {
                last_progress = Instant::now();
                let secs = started.elapsed().as_secs_f64();
                tracing::info!(
                    articles = created,
                    skipped = report.skipped.len(),
                    articles_per_s = (created as f64 / secs) as u64,
                    "loading corpus"
                );
            }
        }
        producer
            .await
            .map_err(|e| Error::Internal(format!("corpus reader failed: {e}")))?;
        self.store.flush().await?;
        if created > 0 {
            self.store.compact().await?;
        }
        let stats = self.store.stats().await?;
        tracing::info!(
            articles = created,
            duplicates,
            skipped = report.skipped.len(),
            entities = stats.entities_by_type.iter().map(|(_, n)| n).sum::<u64>(),
            mentions = stats.mentions,
            quotes = stats.quotes,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "corpus loaded"
        );
        if let Ok(mut slot) = self.load_report.write() {
            *slot = report.clone();
        }
        Ok(report)
    }

    /// Like [`Corpus::load_path`], for a durable store: when the folder's
    /// files (names, sizes, modification times) are what `manifest` recorded
    /// after the last complete load, their articles are all stored already
    /// and the folder is not read again. The manifest is rewritten after
    /// every complete load.
    pub async fn load_path_once(&self, path: &Path, manifest: &str) -> Result<LoadReport> {
        let files = loader::corpus_files(path)?;
        let listing: Vec<(String, u64, u128)> = files
            .iter()
            .map(|f| {
                let meta = std::fs::metadata(f).ok();
                let len = meta.as_ref().map_or(0, |m| m.len());
                let modified = meta
                    .and_then(|m| m.modified().ok())
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                (f.display().to_string(), len, modified)
            })
            .collect();
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Manifest {
            files: Vec<(String, u64, u128)>,
            report: LoadReport,
        }
        let recorded = self
            .store
            .note(manifest)
            .await?
            .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok());
        // Trust the record only while the store still has at least what that
        // load stored (a data folder whose journal was removed must reload).
        let stored = self.store.stats().await?.articles;
        if let Some(recorded) = recorded.filter(|m| m.files == listing && stored >= m.report.loaded)
        {
            tracing::info!(path = %path.display(), files = listing.len(), "corpus folder unchanged since its last load; not read again");
            if let Ok(mut slot) = self.load_report.write() {
                *slot = recorded.report.clone();
            }
            return Ok(recorded.report);
        }
        let report = self.load_path(path).await?;
        let written = match serde_json::to_vec(&Manifest {
            files: listing,
            report: report.clone(),
        }) {
            Ok(bytes) => self.store.set_note(manifest, &bytes).await,
            Err(e) => Err(Error::Internal(format!("cannot encode the manifest: {e}"))),
        };
        if let Err(error) = written {
            tracing::warn!(%error, manifest, "cannot record the corpus folder; it will be read again at the next start");
        }
        Ok(report)
    }
}

/// A prepared corpus item: a draft, or why it was skipped.
/// A corpus item after preparation: a draft, `None` for an article already
/// stored (extraction skipped), or why it was skipped.
type Prepared = std::result::Result<Option<ArticleDraft>, SkippedFile>;

/// Corpus items read and prepared per batch.
const LOAD_BATCH: usize = 1024;
/// How often load progress is logged.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Prepares a batch on every core, keeping its order.
fn prepare_parallel(
    batch: Vec<loader::SourceItem>,
    limits: &Limits,
    known: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<Prepared> {
    let prepare_item = |item: loader::SourceItem| -> Prepared {
        let raw = item?;
        let source = raw.source.clone();
        // A bug in extraction must cost one article, not the whole load.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            prepare_unless_known(raw, limits, known)
        })) {
            Ok(prepared) => prepared.map_err(|e| SkippedFile {
                source,
                reason: e.to_string(),
            }),
            Err(_) => Err(SkippedFile {
                source,
                reason: "extraction failed (a bug; please report this article)".into(),
            }),
        }
    };
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    if workers <= 1 || batch.len() < 2 {
        return batch.into_iter().map(prepare_item).collect();
    }
    let chunk = batch.len().div_ceil(workers);
    let mut chunks: Vec<Vec<loader::SourceItem>> = Vec::new();
    let mut items = batch.into_iter().peekable();
    while items.peek().is_some() {
        chunks.push(items.by_ref().take(chunk).collect());
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(prepare_item).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(valid_date("2022-04-28"));
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2023-02-29"));
        assert!(!valid_date("2022-13-01"));
        assert!(!valid_date("22-04-28"));
        assert!(!valid_date("2022/04/28"));
    }

    #[test]
    fn ids_ignore_whitespace_differences() {
        let a = ParsedArticle {
            paragraphs: vec!["One  two".into(), "three".into()],
            ..Default::default()
        };
        let b = ParsedArticle {
            paragraphs: vec!["One two ".into(), "three".into()],
            ..Default::default()
        };
        let c = ParsedArticle {
            paragraphs: vec!["One two three".into()],
            ..Default::default()
        };
        assert_eq!(article_id(&a, ""), article_id(&b, ""));
        assert_ne!(article_id(&a, ""), article_id(&c, ""));
        assert_eq!(article_id(&a, "").len(), 16);
        // The same text from another outlet or URL is another article.
        let other_outlet = ParsedArticle {
            outlet: "Harbour Herald".into(),
            ..a.clone()
        };
        let same_outlet = ParsedArticle {
            outlet: "  harbour HERALD ".into(),
            ..b.clone()
        };
        assert_ne!(article_id(&a, ""), article_id(&other_outlet, ""));
        assert_eq!(article_id(&other_outlet, ""), article_id(&same_outlet, ""));
        assert_ne!(article_id(&a, ""), article_id(&a, "https://example.org/x"));
        assert_eq!(
            article_id(&a, "https://example.org/x"),
            article_id(&b, " https://example.org/x")
        );
    }

    #[test]
    fn prepare_rejects_bad_items() {
        let limits = Limits {
            max_article_bytes: 100,
        };
        let big = RawArticle {
            text: "x".repeat(101),
            ..Default::default()
        };
        assert!(matches!(prepare(big, &limits), Err(Error::TooLarge { .. })));
        let nul = RawArticle {
            text: "a\0b".into(),
            ..Default::default()
        };
        assert!(matches!(
            prepare(nul, &limits),
            Err(Error::InvalidArgument { .. })
        ));
        let blank = RawArticle {
            text: " \n\n ".into(),
            ..Default::default()
        };
        assert!(matches!(
            prepare(blank, &limits),
            Err(Error::InvalidArgument { .. })
        ));
        let date = RawArticle {
            text: "Some body text here.".into(),
            published: Some("yesterday".into()),
            ..Default::default()
        };
        assert!(matches!(
            prepare(date, &limits),
            Err(Error::InvalidArgument { .. })
        ));
    }
}

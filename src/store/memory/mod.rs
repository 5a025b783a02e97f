//! The embedded in-memory backend: the default, needing no setup.
//!
//! One `RwLock` guards the corpus tables; corpus-wide identity (entity
//! resolution, quote corroboration) runs under the write lock so that two
//! concurrent ingests can never create the same entity twice. Reads take the
//! read lock for one page at a time and clone that page out, so a slow
//! client never holds a lock.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::watch;

mod durable;
mod store_impl;
mod tables;

pub use durable::repair_journal;
use durable::*;

mod analytics;

use super::journal::Journal;
use super::search::{IndexFilter, IndexedArticle, SearchIndex};
use super::{
    ArticleDraft, ArticleFilter, EntityFilter, EntityPos, InsertOutcome, ItemPos, MentionFilter,
    QuoteFilter, Recovery, RelationQuery, SearchQuery, Store, StoreStats, StoryFilter, StoryPos,
};
use crate::analyze::{self, CopyDetector, StoryClusterer, StoryInput};
use crate::error::{Error, Result};
use crate::model::{
    Aggregation, Article, Entity, EntityRelation, EntityType, Facet, Mention, Quote, QuoteKind,
    SearchHit, Span, Story, StoryOrder,
};
use crate::resolve::{name_key, Corroborator, Ids, Resolver};

/// A mention as stored: its surface form is a slice of the body, so it
/// costs 16 bytes instead of three heap strings (there are ~50 per article).
#[derive(Debug, Clone, Copy)]
struct StoredMention {
    entity: u32,
    /// First code point.
    start: u32,
    /// First byte.
    byte_start: u32,
    /// Length in code points.
    chars: u16,
    /// Length in bytes.
    byte_len: u16,
}

impl StoredMention {
    /// `None` for a mention too long to be a name (over 65,535 bytes).
    fn new(entity: u32, span: Span, (from, to): (u32, u32)) -> Option<Self> {
        Some(StoredMention {
            entity,
            start: span.start,
            byte_start: from,
            chars: u16::try_from(span.end.checked_sub(span.start)?).ok()?,
            byte_len: u16::try_from(to.checked_sub(from)?).ok()?,
        })
    }

    fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.start + u32::from(self.chars),
        }
    }

    fn bytes(&self) -> (u32, u32) {
        (self.byte_start, self.byte_start + u32::from(self.byte_len))
    }
}

/// Strings that repeat across millions of quotes (cues, roles), each kept
/// once.
#[derive(Default)]
struct Interner {
    strings: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
}

impl Interner {
    fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    fn get(&self, id: u32) -> &str {
        self.strings.get(id as usize).map_or("", |s| s)
    }
}

#[derive(Debug, Clone)]
struct StoredQuote {
    bytes: (u32, u32),
    span: Span,
    kind: QuoteKind,
    speaker: Option<u32>,
    speaker_name: Box<str>,
    /// In `Tables::vocabulary`.
    speaker_role: u32,
    /// In `Tables::vocabulary`.
    cue: u32,
    /// Group of quotes, across articles, that report the same words.
    cluster: Option<u32>,
}

/// An article with everything extracted from it, laid out compactly: one
/// copy of the body, everything else as offsets and indices into it.
#[derive(Debug, Clone)]
struct StoredArticle {
    id: Box<str>,
    seq: u64,
    source: Box<str>,
    url: Box<str>,
    title: Box<str>,
    subtitle: Box<str>,
    outlet: Box<str>,
    authors: Box<[Box<str>]>,
    published: Box<str>,
    body: Box<str>,
    paragraphs: Box<[(u32, u32)]>,
    removed_lines: Box<[Box<str>]>,
    /// Entity indices, by first mention.
    entities: Box<[u32]>,
    mentions: Box<[StoredMention]>,
    quotes: Vec<StoredQuote>,
    author_keys: Box<[Box<str>]>,
    outlet_key: Box<str>,
    /// Entity ids and name keys of everyone quoted in the article.
    speaker_keys: Box<[Box<str>]>,
    /// Index of its story (see `analyze::stories`).
    story: u32,
    /// Index of the earliest article it is a syndicated copy of.
    duplicate_of: Option<u32>,
    /// Publication day number (`i32::MIN`: undated), for date facets.
    day: i32,
    /// Index into `Tables::outlets` (`u32::MAX`: no outlet), for facets.
    outlet_id: u32,
}

impl StoredArticle {
    fn slice(&self, (start, end): (u32, u32)) -> &str {
        self.body
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
struct EntityRecord {
    id: Box<str>,
    name: Box<str>,
    entity_type: EntityType,
    /// Sorted, without repeats. A vector rather than a `BTreeSet`: most
    /// entities have one or two aliases, and a B-tree node costs ~200 bytes
    /// for each of millions of entities.
    aliases: Vec<Box<str>>,
    /// Sorted, without repeats.
    roles: Vec<Box<str>>,
    mention_count: u32,
    /// Article indices, in corpus order.
    articles: Vec<u32>,
}

#[derive(Default)]
struct Tables {
    /// Articles by `seq - 1`.
    articles: Vec<StoredArticle>,
    /// Article ids as numbers, by `seq - 1`, while every id is the usual 16
    /// hex digits (`None` after the first that is not). An entity lists up
    /// to 100 article ids: read from this dense table they cost a cache hit
    /// each, not two misses into a million scattered articles.
    article_keys: Option<Vec<u64>>,
    /// Quote cues and speaker roles.
    vocabulary: Interner,
    by_id: HashMap<Box<str>, u32>,
    entities: Vec<EntityRecord>,
    entity_index: HashMap<Box<str>, u32>,
    resolver: Resolver,
    corroborator: Corroborator,
    /// Per quote cluster: the articles that report it, in corpus order.
    /// Quote clusters reported by one article need no allocation.
    clusters: Vec<Ids>,
    duplicates: u64,
    mention_total: u64,
    quote_total: u64,
    /// Bumped on every change; keys the sorted-entity cache.
    generation: u64,
    /// Syndicated-copy detection (MinHash + LSH).
    copies: CopyDetector,
    /// Online story clustering.
    stories: StoryClusterer,
    /// Articles of each story, in corpus order.
    story_articles: Vec<Ids>,
    /// Latest publication day of each story's articles (`i32::MIN`: none dated).
    story_latest_day: Vec<i32>,
    /// Whole-corpus facet counts, kept at insert.
    totals: analytics::Totals,
    /// Outlets by number: (key, the name first seen for it).
    outlets: Vec<(Box<str>, Box<str>)>,
    /// Outlet numbers by key.
    outlet_ids: HashMap<Box<str>, u32>,
}

type SortedEntities = Arc<Vec<(EntityPos, u32)>>;
type SortedStories = Arc<Vec<StoryPos>>;

/// In-memory corpus with a tantivy index beside it.
pub struct MemoryStore {
    tables: RwLock<Tables>,
    index: Arc<SearchIndex>,
    /// Articles added to the index since its last commit.
    uncommitted: Arc<AtomicUsize>,
    latest: watch::Sender<u64>,
    /// Entities in API order, rebuilt lazily after changes.
    sorted_entities: Mutex<Option<(u64, SortedEntities)>>,
    /// Every story in each listing order, rebuilt lazily after changes.
    sorted_stories: Mutex<Option<(u64, StoryOrder, SortedStories)>>,
    /// Story summaries by story number, with the article count they were
    /// made at: a story's summary changes only when it gains an article, and
    /// summing a large story's mentions costs milliseconds.
    story_summaries: Mutex<HashMap<u32, (u32, Story)>>,
    last_commit: Mutex<Instant>,
    /// Set when the store keeps its data in a folder (`--data-dir`).
    durable: Option<Durable>,
    /// Searches running at once: one per core, the rest wait their turn
    /// (first come, first served). Left to the OS, sixteen searches on two
    /// cores all run eight times slower, and a long one takes the p99 with
    /// it; queued, each runs at full speed once started.
    search_slots: tokio::sync::Semaphore,
}

/// The durable side of a store opened with [`MemoryStore::open`].
struct Durable {
    dir: PathBuf,
    /// `None` until [`Store::recover`] has replayed it. Inserts hold this
    /// lock from the journal append to the index add, so the journal, the
    /// corpus positions and the index all have one order.
    journal: Mutex<Option<Journal>>,
    /// Articles the on-disk index held when it was opened.
    indexed_at_open: u64,
    /// Held (locked) for the life of the store: one process per folder.
    _lock: std::fs::File,
}

/// Prefix of story ids.
const STORY_PREFIX: &str = "story/";

/// File names inside a data folder.
const JOURNAL_FILE: &str = "articles.journal";
const INDEX_DIR: &str = "index";
const LOCK_FILE: &str = "LOCK";

/// Inserts of at least this many articles are bulk loads.
const BULK_INSERT: usize = 64;
/// See [`MemoryStore::export`].
#[derive(Debug, Default)]
pub struct Export {
    /// The articles found, in the order asked.
    pub articles: Vec<ArticleExport>,
    /// The entities they mention, each once.
    pub entities: Vec<EntityExport>,
}

/// One article's resolved rows.
#[derive(Debug)]
pub struct ArticleExport {
    /// Article id.
    pub id: String,
    /// Its story.
    pub story: Story,
    /// The article it is a syndicated copy of; empty if none.
    pub duplicate_of: String,
    /// Mentions, by index.
    pub mentions: Vec<Mention>,
    /// Quotes by index, with their corroboration cluster.
    pub quotes: Vec<(Quote, Option<u32>)>,
}

/// An entity without its article list.
#[derive(Debug)]
pub struct EntityExport {
    /// Id.
    pub id: String,
    /// Type.
    pub entity_type: EntityType,
    /// Canonical name.
    pub name: String,
    /// Corpus-wide mentions.
    pub mention_count: u32,
    /// Every surface form.
    pub aliases: Vec<String>,
}

/// How often a bulk load makes its progress searchable.
const BULK_COMMIT_EVERY: Duration = Duration::from_secs(5);
/// Small inserts arriving faster than this share one index commit (made by
/// the refresher): a flood of API ingests becomes searchable within this
/// interval instead of paying a segment flush per article.
const REFRESH_EVERY: Duration = Duration::from_millis(500);

/// Most article ids returned per entity: a country named in every article
/// would otherwise make each Entity message as large as the corpus index.
/// `article_count` has the total; ListArticles with `filter.entity_id` lists
/// them all.
pub const MAX_ENTITY_ARTICLE_IDS: usize = 100;

/// Most corroborating article ids returned per quote: a wire story reprinted
/// by thousands of outlets would otherwise make every quote of it huge.
pub const MAX_CORROBORATING: usize = 100;

/// Runs CPU-heavy store work without stalling the async runtime: on a
/// multi-threaded runtime the worker hands its other tasks to another thread
/// first (otherwise a long insert can starve, say, the shutdown signal task).
fn blocking<R>(work: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

/// Commits the index every [`REFRESH_EVERY`] while inserts are waiting for
/// it; ends when the store (and so its index) is dropped.
fn start_refresher(index: Weak<SearchIndex>, uncommitted: Arc<AtomicUsize>) -> Result<()> {
    std::thread::Builder::new()
        .name("newscorpus-refresh".into())
        .spawn(move || loop {
            std::thread::sleep(REFRESH_EVERY);
            let Some(index) = index.upgrade() else {
                return;
            };
            if uncommitted.swap(0, Ordering::SeqCst) > 0 {
                if let Err(error) = index.commit() {
                    tracing::warn!(%error, "search index refresh failed; retrying");
                    uncommitted.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
        .map(|_| ())
        .map_err(|e| Error::Internal(format!("cannot start the index refresher: {e}")))
}

fn poisoned() -> Error {
    Error::Internal("store lock poisoned".into())
}

fn boxed(strings: &[String]) -> Box<[Box<str>]> {
    strings.iter().map(|s| s.as_str().into()).collect()
}

/// Byte offset of every char boundary of `text` (one past the end included),
/// so code point spans can be turned into slices.
/// Adds `value` to a sorted list without repeats, keeping it exactly sized
/// (lists are small and grow rarely; millions of them are kept).
fn insert_sorted(list: &mut Vec<Box<str>>, value: &str) {
    if let Err(at) = list.binary_search_by(|x| (**x).cmp(value)) {
        list.insert(at, value.into());
        list.shrink_to_fit();
    }
}

/// The id `hex_key` read: 16 lowercase hex digits. Without `format!`, whose
/// machinery cost more than the look-up for an entity's 100 ids.
fn hex_id(key: u64) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    (0..16)
        .map(|i| char::from(DIGITS[((key >> (60 - 4 * i)) & 0xf) as usize]))
        .collect()
}

/// An id of 16 lowercase hex digits as a number.
fn hex_key(id: &str) -> Option<u64> {
    let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if id.len() != 16 || !id.bytes().all(lower_hex) {
        return None;
    }
    u64::from_str_radix(id, 16).ok()
}

fn char_to_byte(text: &str) -> Vec<u32> {
    let mut offsets: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
    offsets.push(text.len() as u32);
    offsets
}

impl MemoryStore {
    /// An empty store whose search index lives in RAM.
    pub fn new() -> Result<Self> {
        Self::with_index(SearchIndex::in_memory()?)
    }

    /// An empty store whose search index is memory-mapped from a temporary
    /// folder: the corpus tables stay in RAM, the index pages can be evicted.
    pub fn with_temp_index() -> Result<Self> {
        Self::with_index(SearchIndex::in_temp_dir()?)
    }

    fn with_index(index: SearchIndex) -> Result<Self> {
        let index = Arc::new(index);
        let uncommitted = Arc::new(AtomicUsize::new(0));
        start_refresher(Arc::downgrade(&index), uncommitted.clone())?;
        Ok(MemoryStore {
            tables: RwLock::new(Tables {
                article_keys: Some(Vec::new()),
                ..Tables::default()
            }),
            index,
            uncommitted,
            latest: watch::Sender::new(0),
            sorted_entities: Mutex::new(None),
            sorted_stories: Mutex::new(None),
            story_summaries: Mutex::new(HashMap::new()),
            last_commit: Mutex::new(Instant::now()),
            durable: None,
            search_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
        })
    }

    /// Number of live change-feed subscribers (open WatchArticles streams).
    pub fn watcher_count(&self) -> usize {
        self.latest.receiver_count()
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, Tables>> {
        self.tables.read().map_err(|_| poisoned())
    }

    fn write(&self) -> Result<RwLockWriteGuard<'_, Tables>> {
        self.tables.write().map_err(|_| poisoned())
    }

    fn sorted_entities(&self, tables: &Tables) -> Result<SortedEntities> {
        let mut cache = self.sorted_entities.lock().map_err(|_| poisoned())?;
        if let Some((generation, sorted)) = cache.as_ref() {
            if *generation == tables.generation {
                return Ok(sorted.clone());
            }
        }
        let mut sorted: Vec<(EntityPos, u32)> = tables
            .entities
            .iter()
            .enumerate()
            .map(|(i, r)| (tables.entity_pos(r), i as u32))
            .collect();
        sorted.sort();
        let sorted = Arc::new(sorted);
        *cache = Some((tables.generation, sorted.clone()));
        Ok(sorted)
    }

    /// A story's summary, from the cache while the story has not grown.
    fn story_summary(&self, tables: &Tables, story: u32) -> Result<Story> {
        let size = tables.story_size(story);
        if let Some((at, summary)) = self
            .story_summaries
            .lock()
            .map_err(|_| poisoned())?
            .get(&story)
        {
            if *at == size {
                return Ok(summary.clone());
            }
        }
        let summary = tables.story(story);
        self.story_summaries
            .lock()
            .map_err(|_| poisoned())?
            .insert(story, (size, summary.clone()));
        Ok(summary)
    }

    /// Every story in `order`, cached until the next change: listing the
    /// largest stories must not sort a million of them per call.
    fn sorted_stories(&self, tables: &Tables, order: StoryOrder) -> Result<SortedStories> {
        let mut cache = self.sorted_stories.lock().map_err(|_| poisoned())?;
        if let Some((generation, cached_order, sorted)) = cache.as_ref() {
            if *generation == tables.generation && *cached_order == order {
                return Ok(sorted.clone());
            }
        }
        let sorted = Arc::new(tables.sorted_stories(order));
        *cache = Some((tables.generation, order, sorted.clone()));
        Ok(sorted)
    }
}

struct ResolvedArticleFilter {
    outlet_key: Option<String>,
    author_key: Option<String>,
    published_from: Option<String>,
    published_to: Option<String>,
    entity_id: Option<String>,
    /// `Some(None)`: an entity was asked for that does not exist.
    entity: Option<Option<u32>>,
    speaker_keys: Option<Vec<String>>,
    story_id: Option<String>,
    /// `Some(None)`: a story was asked for that does not exist.
    story: Option<Option<u32>>,
    exclude_duplicates: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys_round_trip_and_refuse_other_ids() {
        let key = hex_key("0f34b69d7227a11e").expect("hex id");
        assert_eq!(hex_id(key), "0f34b69d7227a11e");
        assert_eq!(hex_id(1), "0000000000000001");
        assert_eq!(hex_key("0F34B69D7227A11E"), None);
        assert_eq!(hex_key("0f34b69d7227a11"), None);
        assert_eq!(hex_key("article-1"), None);
        assert_eq!(hex_key("+f34b69d7227a11e"), None);
    }

    #[test]
    fn sorted_lists_stay_sorted_without_repeats() {
        let mut list = Vec::new();
        for value in ["b", "a", "c", "a", "b"] {
            insert_sorted(&mut list, value);
        }
        let values: Vec<&str> = list.iter().map(|v| &**v).collect();
        assert_eq!(values, ["a", "b", "c"]);
        assert_eq!(list.capacity(), 3);
    }

    #[test]
    fn long_mentions_are_refused_not_truncated() {
        let span = Span { start: 5, end: 9 };
        let m = StoredMention::new(7, span, (10, 14)).expect("short mention");
        assert_eq!((m.entity, m.span(), m.bytes()), (7, span, (10, 14)));
        assert!(StoredMention::new(
            7,
            Span {
                start: 0,
                end: 70_000
            },
            (0, 70_000)
        )
        .is_none());
    }

    /// The README promises searches run one per core, the rest queued: with
    /// every slot taken a search waits, and runs as soon as one frees.
    #[tokio::test]
    async fn searches_run_one_per_core_and_queue_beyond() {
        let store = MemoryStore::new().expect("store");
        let raw = crate::model::RawArticle {
            text: "Harbour opens\n\nThe harbour opened on Monday, officials said.\n".into(),
            source: "a.txt".into(),
            url: String::new(),
            title: None,
            outlet: None,
            authors: None,
            published: None,
        };
        let draft = crate::corpus::prepare(raw, &Default::default()).expect("draft");
        store.insert(vec![draft]).await.expect("insert");
        store.flush().await.expect("flush");
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert_eq!(store.search_slots.available_permits(), cores);

        let query = SearchQuery {
            text: "harbour".into(),
            filter: ArticleFilter::default(),
            max_snippets: 1,
        };
        let held = store
            .search_slots
            .acquire_many(cores as u32)
            .await
            .expect("slots");
        let waiting = store.search(&query, 0, 10);
        tokio::pin!(waiting);
        let early = tokio::time::timeout(Duration::from_millis(200), &mut waiting).await;
        assert!(early.is_err(), "a search ran with every slot taken");
        drop(held);
        let hits = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("the queued search never ran")
            .expect("search");
        assert_eq!(hits.len(), 1);
    }
}

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

/// A note's file name in the data folder: the key itself, which must be a
/// plain file name.
fn note_file(key: &str) -> Result<&str> {
    if key.is_empty() || key.contains(['/', '\\']) || key.starts_with('.') {
        return Err(Error::Internal(format!("bad note key {key:?}")));
    }
    Ok(key)
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

/// Salvages the journal of the data folder `dir` (see [`journal::repair`]),
/// holding the folder's lock so no server uses it meanwhile. When anything
/// was moved aside, later articles change position, so the search index is
/// removed to be rebuilt from the journal at the next start.
pub fn repair_journal(dir: &Path) -> Result<super::journal::RepairReport> {
    let journal = dir.join(JOURNAL_FILE);
    if !journal.is_file() {
        return Err(Error::Internal(format!(
            "{} holds no journal ({JOURNAL_FILE}): is it a newscorpus data folder?",
            dir.display()
        )));
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| {
            Error::Internal(format!(
                "data folder {}: cannot open its lock file: {e}",
                dir.display()
            ))
        })?;
    lock.try_lock().map_err(|_| {
        Error::Internal(format!(
            "data folder {} is in use by a newscorpus process: stop it first",
            dir.display()
        ))
    })?;
    let report = super::journal::repair(&journal)?;
    if !report.damaged.is_empty() {
        let index = dir.join(INDEX_DIR);
        if index.exists() {
            std::fs::remove_dir_all(&index).map_err(|e| {
                Error::Internal(format!(
                    "cannot remove the stale search index {}: {e}",
                    index.display()
                ))
            })?;
        }
    }
    Ok(report)
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

    /// A store kept in `dir` (created if missing): a journal of every
    /// accepted article, fsync'd before an insert returns, and the search
    /// index on disk. Call [`Store::recover`] before inserting: it replays
    /// the journal (no extraction) and indexes only what the on-disk index
    /// lacks. Fails if another process has the folder open.
    pub fn open(dir: &Path) -> Result<Self> {
        let io = |what: &str, e: std::io::Error| {
            Error::Internal(format!("data folder {}: cannot {what}: {e}", dir.display()))
        };
        std::fs::create_dir_all(dir).map_err(|e| io("create it", e))?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(|e| io("open its lock file", e))?;
        lock.try_lock().map_err(|_| {
            Error::Internal(format!(
                "data folder {} is in use by another newscorpus process",
                dir.display()
            ))
        })?;
        let (index, indexed_at_open) = SearchIndex::persistent(&dir.join(INDEX_DIR))?;
        let mut store = Self::with_index(index)?;
        store.durable = Some(Durable {
            dir: dir.to_owned(),
            journal: Mutex::new(None),
            indexed_at_open,
            _lock: lock,
        });
        Ok(store)
    }

    /// Replays the journal into the tables; see [`Store::recover`].
    fn replay(&self, durable: &Durable) -> Result<Recovery> {
        let mut slot = durable.journal.lock().map_err(|_| poisoned())?;
        if slot.is_some() {
            return Ok(Recovery::default());
        }
        let indexed = durable.indexed_at_open;
        let mut reindexed = 0u64;
        let (journal, replay) = Journal::open(&durable.dir.join(JOURNAL_FILE), |batch| {
            let mut docs = Vec::new();
            {
                let mut tables = self.write()?;
                for draft in batch {
                    let (outcome, doc) = tables.insert(draft);
                    if outcome.seq > indexed {
                        docs.extend(doc);
                    }
                }
            }
            reindexed += docs.len() as u64;
            self.index.add(&docs, false)
        })?;
        let articles = self.read()?.articles.len() as u64;
        if indexed > articles {
            // Only possible if the journal lost records the index has (a
            // damaged disk): the index cannot be trusted, rebuild it.
            tracing::warn!(
                indexed,
                articles,
                "search index holds more articles than the journal; rebuilding it"
            );
            self.index.clear()?;
            let tables = self.read()?;
            for chunk in tables.articles.chunks(256) {
                let docs: Vec<IndexedArticle> = chunk.iter().map(|a| tables.indexed(a)).collect();
                self.index.add(&docs, false)?;
            }
            reindexed = articles;
        }
        self.index.commit()?;
        *slot = Some(journal);
        Ok(Recovery {
            articles,
            reindexed,
            dropped_bytes: replay.dropped_bytes,
        })
    }

    /// Appends the drafts not stored yet to the journal, synced. The caller
    /// holds the journal lock until its insert is done.
    fn journal(&self, journal: &mut Journal, drafts: &[ArticleDraft]) -> Result<()> {
        let new: Vec<&ArticleDraft> = {
            let tables = self.read()?;
            let mut seen = HashSet::new();
            drafts
                .iter()
                .filter(|d| !tables.by_id.contains_key(d.id.as_str()) && seen.insert(d.id.as_str()))
                .collect()
        };
        journal.append(&new)
    }

    /// The insert outcome of a stored article, for backends that store
    /// elsewhere first and apply here after (PostgreSQL). A `created: false`
    /// outcome counts as a duplicate, as it does for [`Store::insert`].
    pub fn outcome(&self, id: &str, created: bool) -> Result<Option<InsertOutcome>> {
        let mut tables = self.write()?;
        let Some(&index) = tables.by_id.get(id) else {
            return Ok(None);
        };
        if !created {
            tables.duplicates += 1;
        }
        Ok(Some(Tables::outcome(
            &tables.articles[index as usize],
            created,
        )))
    }

    /// Everything the relational projection of `ids` holds, read under one
    /// lock: per article its mentions and quotes (by index; quotes with
    /// their cluster, without the corroborating ids a cluster implies), and
    /// the entities they mention. Unknown ids are left out.
    pub fn export(&self, ids: &[String]) -> Result<Export> {
        let tables = self.read()?;
        let mut export = Export::default();
        let mut entities = BTreeSet::new();
        for id in ids {
            let Some(stored) = tables.article_by_id(id) else {
                continue;
            };
            entities.extend(stored.entities.iter().copied());
            export.articles.push(ArticleExport {
                id: id.clone(),
                story: tables.story(stored.story),
                duplicate_of: stored
                    .duplicate_of
                    .and_then(|i| tables.articles.get(i as usize))
                    .map(|a| a.id.to_string())
                    .unwrap_or_default(),
                mentions: stored
                    .mentions
                    .iter()
                    .map(|m| tables.mention(stored, m))
                    .collect(),
                quotes: stored
                    .quotes
                    .iter()
                    .enumerate()
                    .map(|(i, q)| (tables.quote_alone(stored, i, q), q.cluster))
                    .collect(),
            });
        }
        for index in entities {
            let Some(r) = tables.entities.get(index as usize) else {
                continue;
            };
            export.entities.push(EntityExport {
                id: r.id.to_string(),
                entity_type: r.entity_type,
                name: r.name.to_string(),
                mention_count: r.mention_count,
                aliases: r.aliases.iter().map(|a| a.to_string()).collect(),
            });
        }
        Ok(export)
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

impl Tables {
    fn entity_pos(&self, record: &EntityRecord) -> EntityPos {
        EntityPos {
            inverted_count: u32::MAX - record.mention_count,
            name: record.name.to_string(),
            id: record.id.to_string(),
        }
    }

    fn entity(&self, index: u32) -> Option<Entity> {
        let r = self.entities.get(index as usize)?;
        Some(Entity {
            id: r.id.to_string(),
            name: r.name.to_string(),
            entity_type: r.entity_type,
            aliases: r.aliases.iter().map(|a| a.to_string()).collect(),
            mention_count: r.mention_count,
            article_ids: match &self.article_keys {
                Some(keys) => r
                    .articles
                    .iter()
                    .take(MAX_ENTITY_ARTICLE_IDS)
                    .filter_map(|&a| keys.get(a as usize))
                    .map(|&key| hex_id(key))
                    .collect(),
                None => r
                    .articles
                    .iter()
                    .take(MAX_ENTITY_ARTICLE_IDS)
                    .filter_map(|&a| self.articles.get(a as usize))
                    .map(|a| a.id.to_string())
                    .collect(),
            },
            roles: r.roles.iter().map(|a| a.to_string()).collect(),
            article_count: r.articles.len() as u32,
        })
    }

    fn entity_id(&self, index: u32) -> &str {
        self.entities
            .get(index as usize)
            .map(|e| &*e.id)
            .unwrap_or_default()
    }

    fn article(&self, stored: &StoredArticle) -> Article {
        Article {
            id: stored.id.to_string(),
            seq: stored.seq,
            source: stored.source.to_string(),
            url: stored.url.to_string(),
            title: stored.title.to_string(),
            subtitle: stored.subtitle.to_string(),
            outlet: stored.outlet.to_string(),
            authors: stored.authors.iter().map(|a| a.to_string()).collect(),
            published: stored.published.to_string(),
            body: stored.body.to_string(),
            paragraphs: stored
                .paragraphs
                .iter()
                .map(|&r| stored.slice(r).to_owned())
                .collect(),
            removed_lines: stored.removed_lines.iter().map(|l| l.to_string()).collect(),
            entity_ids: stored
                .entities
                .iter()
                .map(|&e| self.entity_id(e).to_owned())
                .collect(),
            quote_count: stored.quotes.len() as u32,
            mention_count: stored.mentions.len() as u32,
            story_id: self.story_id(stored.story),
            duplicate_of: stored
                .duplicate_of
                .and_then(|i| self.articles.get(i as usize))
                .map(|a| a.id.to_string())
                .unwrap_or_default(),
        }
    }

    /// The public id of a story: `story/` and the id of its first article.
    fn story_id(&self, story: u32) -> String {
        self.stories
            .first_article(story)
            .and_then(|i| self.articles.get(i as usize))
            .map(|a| format!("{STORY_PREFIX}{}", a.id))
            .unwrap_or_default()
    }

    /// The story index a public story id names, if any.
    fn story_index(&self, id: &str) -> Option<u32> {
        let article = id.strip_prefix(STORY_PREFIX)?;
        let &index = self.by_id.get(article)?;
        let story = self.stories.story_of(index)?;
        (self.stories.first_article(story) == Some(index)).then_some(story)
    }

    fn mention(&self, stored: &StoredArticle, m: &StoredMention) -> Mention {
        let entity = self.entities.get(m.entity as usize);
        Mention {
            entity_id: self.entity_id(m.entity).to_owned(),
            article_id: stored.id.to_string(),
            text: stored.slice(m.bytes()).to_owned(),
            span: m.span(),
            entity_type: entity.map_or(EntityType::Other, |e| e.entity_type),
        }
    }

    /// A quote as served: the speaker's name follows the entity's current
    /// canonical name, which can improve after the quote was stored.
    fn quote(&self, stored: &StoredArticle, index: usize, q: &StoredQuote) -> Quote {
        let mut quote = self.quote_alone(stored, index, q);
        quote.corroborating_article_ids = self
            .corroborating(stored, q)
            .map(|a| a.id.to_string())
            .collect();
        quote.corroborating_article_count = self.corroborating_count(stored, q);
        quote
    }

    /// A quote without its corroborating article ids.
    fn quote_alone(&self, stored: &StoredArticle, index: usize, q: &StoredQuote) -> Quote {
        let speaker = q.speaker.and_then(|s| self.entities.get(s as usize));
        Quote {
            id: format!("{}/q{index}", stored.id),
            article_id: stored.id.to_string(),
            text: stored.slice(q.bytes).to_owned(),
            speaker_entity_id: speaker.map(|e| e.id.to_string()).unwrap_or_default(),
            speaker_name: speaker
                .map(|e| e.name.to_string())
                .unwrap_or_else(|| q.speaker_name.to_string()),
            speaker_role: self.vocabulary.get(q.speaker_role).to_owned(),
            cue: self.vocabulary.get(q.cue).to_owned(),
            kind: q.kind,
            span: q.span,
            corroborating_article_ids: Vec::new(),
            corroborating_article_count: 0,
        }
    }

    /// How many other articles report the same quote (no cap). Members are
    /// distinct article indices in corpus order, so the article itself is
    /// found by binary search: a quote syndicated to thousands of articles
    /// costs a few comparisons, not a walk of its cluster per quote served.
    fn corroborating_count(&self, stored: &StoredArticle, quote: &StoredQuote) -> u32 {
        let members = quote
            .cluster
            .and_then(|c| self.clusters.get(c as usize))
            .map(Ids::as_slice)
            .unwrap_or_default();
        let own = members
            .binary_search_by_key(&stored.seq, |&a| {
                self.articles.get(a as usize).map_or(u64::MAX, |x| x.seq)
            })
            .is_ok();
        (members.len() - usize::from(own)) as u32
    }

    /// Other articles that report the same quote, in corpus order, at most
    /// [`MAX_CORROBORATING`] of them.
    fn corroborating<'a>(
        &'a self,
        stored: &'a StoredArticle,
        quote: &StoredQuote,
    ) -> impl Iterator<Item = &'a StoredArticle> + 'a {
        let members = quote
            .cluster
            .and_then(|c| self.clusters.get(c as usize))
            .map(Ids::as_slice)
            .unwrap_or_default();
        members
            .iter()
            .filter_map(|&a| self.articles.get(a as usize))
            .filter(move |a| a.seq != stored.seq)
            .take(MAX_CORROBORATING)
    }

    fn outcome(stored: &StoredArticle, created: bool) -> InsertOutcome {
        InsertOutcome {
            article_id: stored.id.to_string(),
            seq: stored.seq,
            created,
            entity_count: stored.entities.len() as u32,
            mention_count: stored.mentions.len() as u32,
            quote_count: stored.quotes.len() as u32,
        }
    }

    fn insert(&mut self, draft: ArticleDraft) -> (InsertOutcome, Option<IndexedArticle>) {
        if let Some(&index) = self.by_id.get(draft.id.as_str()) {
            self.duplicates += 1;
            return (Self::outcome(&self.articles[index as usize], false), None);
        }
        self.generation += 1;
        let article_index = self.articles.len() as u32;
        let seq = article_index as u64 + 1;
        let ArticleDraft {
            id: article_id,
            source,
            url,
            parsed,
            extraction,
        } = draft;
        let resolved = self.resolver.resolve(&extraction);

        // Body and paragraph offsets.
        let mut body = String::with_capacity(parsed.paragraphs.iter().map(|p| p.len() + 2).sum());
        let mut paragraphs = Vec::with_capacity(parsed.paragraphs.len());
        for (i, p) in parsed.paragraphs.iter().enumerate() {
            if i > 0 {
                body.push_str("\n\n");
            }
            let start = body.len() as u32;
            body.push_str(p);
            paragraphs.push((start, body.len() as u32));
        }
        let offsets = char_to_byte(&body);
        let bytes_of = |span: Span| -> Option<(u32, u32)> {
            let start = *offsets.get(span.start as usize)?;
            let end = *offsets.get(span.end as usize)?;
            (start <= end).then_some((start, end))
        };

        // Local entity -> global entity index, creating records as needed.
        let mut global = Vec::with_capacity(resolved.len());
        for (local, r) in extraction.entities.iter().zip(&resolved) {
            let index = match self.entity_index.get(r.id.as_str()) {
                Some(&i) => i,
                None => {
                    let i = self.entities.len() as u32;
                    self.entities.push(EntityRecord {
                        id: r.id.as_str().into(),
                        name: r.name.as_str().into(),
                        entity_type: r.entity_type,
                        aliases: Vec::new(),
                        roles: Vec::new(),
                        mention_count: 0,
                        articles: Vec::new(),
                    });
                    self.entity_index.insert(r.id.as_str().into(), i);
                    i
                }
            };
            let record = &mut self.entities[index as usize];
            // Look before inserting: most forms are already known, and an
            // insert would allocate a new box for each.
            for alias in std::iter::once(&local.name).chain(&local.aliases) {
                insert_sorted(&mut record.aliases, alias);
            }
            for role in &local.roles {
                insert_sorted(&mut record.roles, role);
            }
            if let Some(name) = self.resolver.canonical_name(&r.id) {
                if *record.name != *name {
                    record.name = name.into();
                }
            }
            global.push(index);
        }

        let mut mentions = Vec::with_capacity(extraction.mentions.len());
        let mut entities: Vec<u32> = Vec::new();
        for m in &extraction.mentions {
            let (Some(&entity), Some(bytes)) = (global.get(m.entity), bytes_of(m.span)) else {
                continue;
            };
            let Some(stored) = StoredMention::new(entity, m.span, bytes) else {
                continue;
            };
            let record = &mut self.entities[entity as usize];
            record.mention_count += 1;
            if let Some(text) = body.get(bytes.0 as usize..bytes.1 as usize) {
                insert_sorted(&mut record.aliases, text);
            }
            if !entities.contains(&entity) {
                entities.push(entity);
            }
            mentions.push(stored);
        }
        // Entities found without a mention still belong to the article.
        for &entity in &global {
            if !entities.contains(&entity) {
                entities.push(entity);
            }
        }
        for &entity in &entities {
            let record = &mut self.entities[entity as usize];
            if record.articles.last() != Some(&article_index) {
                record.articles.push(article_index);
            }
        }

        // Quotes, each joined to the cluster of quotes reporting the same words.
        let mut quotes = Vec::with_capacity(extraction.quotes.len());
        let mut speaker_keys: BTreeSet<Box<str>> = BTreeSet::new();
        for local in &extraction.quotes {
            let Some(bytes) = bytes_of(local.span) else {
                continue;
            };
            let speaker = local.speaker_entity.and_then(|i| global.get(i).copied());
            let speaker_id = speaker.map(|s| self.entity_id(s).to_owned());
            if let Some(id) = &speaker_id {
                speaker_keys.insert(id.as_str().into());
            }
            if !local.speaker_name.is_empty() {
                speaker_keys.insert(name_key(&local.speaker_name).into());
            }
            let mut cluster = None;
            if local.kind != QuoteKind::Scare {
                let text = body
                    .get(bytes.0 as usize..bytes.1 as usize)
                    .unwrap_or_default();
                if let Some(c) = self.corroborator.add(text, speaker_id.as_deref()) {
                    if self.clusters.len() <= c {
                        self.clusters.resize_with(c + 1, Ids::default);
                    }
                    let members = &mut self.clusters[c];
                    if members.as_slice().last() != Some(&article_index) {
                        members.push(article_index);
                    }
                    cluster = Some(c as u32);
                }
            }
            quotes.push(StoredQuote {
                bytes,
                span: local.span,
                kind: local.kind,
                speaker,
                speaker_name: local.speaker_name.as_str().into(),
                speaker_role: self.vocabulary.id(&local.speaker_role),
                cue: self.vocabulary.id(&local.cue),
                cluster,
            });
        }

        // Corpus analytics, in corpus order: copies first (a copy joins its
        // original's story), then the story.
        let duplicate_of = self.copies.add(article_index, &body);
        let mut entity_mentions: Vec<(u32, u32)> = entities.iter().map(|&e| (e, 0)).collect();
        for m in &mentions {
            if let Some(slot) = entity_mentions.iter_mut().find(|(e, _)| *e == m.entity) {
                slot.1 += 1;
            }
        }
        let story = self.stories.add(
            article_index,
            &StoryInput {
                title: &parsed.title,
                body: &body,
                entities: &entity_mentions,
                day: analyze::day_number(&parsed.published),
                copy_of: duplicate_of,
            },
        );
        if self.story_articles.len() <= story as usize {
            self.story_articles
                .resize_with(story as usize + 1, Ids::default);
        }
        self.story_articles[story as usize].push(article_index);
        if self.story_latest_day.len() <= story as usize {
            self.story_latest_day.resize(story as usize + 1, i32::MIN);
        }
        if let Some(day) = analyze::day_number(&parsed.published) {
            let latest = &mut self.story_latest_day[story as usize];
            *latest = (*latest).max(day);
        }

        let outlet_key = name_key(&parsed.outlet);
        let author_keys: Vec<String> = parsed.authors.iter().map(|a| name_key(a)).collect();
        self.mention_total += mentions.len() as u64;
        self.quote_total += quotes.len() as u64;
        let stored = StoredArticle {
            id: article_id.as_str().into(),
            seq,
            source: source.into(),
            url: url.into(),
            title: parsed.title.into(),
            subtitle: parsed.subtitle.into(),
            outlet: parsed.outlet.into(),
            authors: boxed(&parsed.authors),
            published: parsed.published.into(),
            body: body.into(),
            paragraphs: paragraphs.into(),
            removed_lines: boxed(&parsed.removed_lines),
            entities: entities.into(),
            mentions: mentions.into(),
            quotes,
            author_keys: boxed(&author_keys),
            outlet_key: outlet_key.into(),
            speaker_keys: speaker_keys.into_iter().collect(),
            story,
            duplicate_of,
        };
        let outcome = Self::outcome(&stored, true);
        let indexed = self.indexed(&stored);
        self.by_id.insert(article_id.into(), article_index);
        if let Some(keys) = &mut self.article_keys {
            match hex_key(&stored.id) {
                Some(key) => keys.push(key),
                None => self.article_keys = None,
            }
        }
        self.articles.push(stored);
        (outcome, Some(indexed))
    }

    /// What the search index holds for an article.
    fn indexed(&self, stored: &StoredArticle) -> IndexedArticle {
        IndexedArticle {
            story_id: self.story_id(stored.story),
            is_copy: stored.duplicate_of.is_some(),
            id: stored.id.to_string(),
            title: stored.title.to_string(),
            body: stored.body.to_string(),
            outlet_key: stored.outlet_key.to_string(),
            author_keys: stored.author_keys.iter().map(|k| k.to_string()).collect(),
            published: stored.published.to_string(),
            entity_ids: stored
                .entities
                .iter()
                .map(|&e| self.entity_id(e).to_owned())
                .collect(),
            speaker_keys: stored.speaker_keys.iter().map(|k| k.to_string()).collect(),
        }
    }

    fn article_by_id(&self, id: &str) -> Option<&StoredArticle> {
        self.by_id.get(id).map(|&i| &self.articles[i as usize])
    }

    /// Entity ids and name keys a speaker filter value stands for.
    fn speaker_keys(&self, speaker: &str) -> Vec<String> {
        if self.entity_index.contains_key(speaker) {
            return vec![speaker.to_owned()];
        }
        let mut keys = self.resolver.lookup(speaker);
        keys.push(name_key(speaker));
        keys
    }

    fn matches(&self, stored: &StoredArticle, filter: &ResolvedArticleFilter) -> bool {
        if let Some(key) = &filter.outlet_key {
            if *stored.outlet_key != **key {
                return false;
            }
        }
        if let Some(key) = &filter.author_key {
            if !stored.author_keys.iter().any(|k| **k == **key) {
                return false;
            }
        }
        if filter.published_from.is_some() || filter.published_to.is_some() {
            let published = &*stored.published;
            if published.is_empty() {
                return false;
            }
            if filter
                .published_from
                .as_deref()
                .is_some_and(|from| published < from)
            {
                return false;
            }
            if filter
                .published_to
                .as_deref()
                .is_some_and(|to| published > to)
            {
                return false;
            }
        }
        if let Some(entity) = filter.entity {
            match entity {
                Some(index) if stored.entities.contains(&index) => {}
                _ => return false,
            }
        }
        if let Some(story) = filter.story {
            if story != Some(stored.story) {
                return false;
            }
        }
        if filter.exclude_duplicates && stored.duplicate_of.is_some() {
            return false;
        }
        if let Some(keys) = &filter.speaker_keys {
            if !keys
                .iter()
                .any(|k| stored.speaker_keys.iter().any(|s| **s == **k))
            {
                return false;
            }
        }
        true
    }

    fn resolve_filter(&self, filter: &ArticleFilter) -> ResolvedArticleFilter {
        ResolvedArticleFilter {
            outlet_key: filter.outlet.as_deref().map(name_key),
            author_key: filter.author.as_deref().map(name_key),
            published_from: filter.published_from.clone(),
            published_to: filter.published_to.clone(),
            entity_id: filter.entity_id.clone(),
            entity: filter
                .entity_id
                .as_deref()
                .map(|id| self.entity_index.get(id).copied()),
            speaker_keys: filter.speaker.as_deref().map(|s| self.speaker_keys(s)),
            story_id: filter.story_id.clone(),
            story: filter.story_id.as_deref().map(|id| self.story_index(id)),
            exclude_duplicates: filter.exclude_duplicates,
        }
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

impl From<ResolvedArticleFilter> for IndexFilter {
    fn from(f: ResolvedArticleFilter) -> Self {
        IndexFilter {
            story_id: f.story_id,
            exclude_duplicates: f.exclude_duplicates,
            outlet_key: f.outlet_key,
            author_key: f.author_key,
            published_from: f.published_from,
            published_to: f.published_to,
            entity_id: f.entity_id,
            speaker_keys: f.speaker_keys,
        }
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn insert(&self, drafts: Vec<ArticleDraft>) -> Result<Vec<InsertOutcome>> {
        let (outcomes, latest) = blocking(|| -> Result<_> {
            // Durable: nothing is applied (or acknowledged) before it is in
            // the journal on disk.
            let journal = match &self.durable {
                Some(durable) => {
                    let mut guard = durable.journal.lock().map_err(|_| poisoned())?;
                    let journal = guard.as_mut().ok_or_else(|| {
                        Error::Unavailable("the data folder is still being recovered".into())
                    })?;
                    self.journal(journal, &drafts)?;
                    Some(guard)
                }
                None => None,
            };
            let mut outcomes = Vec::with_capacity(drafts.len());
            let mut indexed = Vec::new();
            let latest = {
                let mut tables = self.write()?;
                for draft in drafts {
                    let (outcome, doc) = tables.insert(draft);
                    outcomes.push(outcome);
                    indexed.extend(doc);
                }
                tables.articles.len() as u64
            };
            if !indexed.is_empty() {
                // Committing costs a segment flush and a reader reload: do it
                // for every small (API) insert, but only now and then during
                // a bulk load, which flushes at its end.
                let mut last = self.last_commit.lock().map_err(|_| poisoned())?;
                let since = last.elapsed();
                let commit = if indexed.len() < BULK_INSERT {
                    since >= REFRESH_EVERY
                } else {
                    since >= BULK_COMMIT_EVERY
                };
                // The articles are stored (journalled, in the tables) by now:
                // an index that cannot be written (a full disk) must not turn
                // them into failures for the client, who would then re-send
                // and be told DUPLICATE. They are acknowledged, listed and
                // served; search catches up at the next commit that works,
                // or at the next start, which reindexes from the journal
                // whatever the committed index lacks.
                match self.index.add(&indexed, commit) {
                    Ok(()) if commit => {
                        *last = Instant::now();
                        self.uncommitted.store(0, Ordering::SeqCst);
                    }
                    Ok(()) => {
                        self.uncommitted.fetch_add(indexed.len(), Ordering::SeqCst);
                    }
                    Err(error) => {
                        self.uncommitted.fetch_add(indexed.len(), Ordering::SeqCst);
                        tracing::error!(
                            %error,
                            articles = indexed.len(),
                            "search index write failed after the articles were stored; they are \
                             acknowledged and served, and become searchable once the index can be \
                             written (at the latest after a restart)"
                        );
                    }
                }
            }
            // Held until the index add above: one order for journal and index.
            drop(journal);
            Ok((outcomes, latest))
        })?;
        self.latest.send_replace(latest);
        Ok(outcomes)
    }

    async fn recover(&self) -> Result<Recovery> {
        let Some(durable) = &self.durable else {
            return Ok(Recovery::default());
        };
        let started = Instant::now();
        let (recovery, latest) = blocking(|| -> Result<_> {
            let recovery = self.replay(durable)?;
            Ok((recovery, self.read()?.articles.len() as u64))
        })?;
        self.latest.send_replace(latest);
        tracing::info!(
            dir = %durable.dir.display(),
            articles = recovery.articles,
            reindexed = recovery.reindexed,
            dropped_bytes = recovery.dropped_bytes,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "data folder recovered"
        );
        Ok(recovery)
    }

    fn has_article(&self, id: &str) -> Option<bool> {
        self.read().ok().map(|t| t.by_id.contains_key(id))
    }

    async fn note(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let Some(durable) = &self.durable else {
            return Ok(None);
        };
        match std::fs::read(durable.dir.join(note_file(key)?)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::Internal(format!("cannot read {key}: {e}"))),
        }
    }

    async fn set_note(&self, key: &str, value: &[u8]) -> Result<()> {
        let Some(durable) = &self.durable else {
            return Ok(());
        };
        // Written whole or not at all: write aside, then rename over.
        let path = durable.dir.join(note_file(key)?);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, value)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| Error::Internal(format!("cannot write {}: {e}", path.display())))
    }

    async fn article(&self, id: &str) -> Result<Option<Article>> {
        let tables = self.read()?;
        Ok(tables.article_by_id(id).map(|s| tables.article(s)))
    }

    async fn articles(
        &self,
        filter: &ArticleFilter,
        after: u64,
        max: usize,
    ) -> Result<Vec<Article>> {
        let tables = self.read()?;
        let filter = tables.resolve_filter(filter);
        let start = (after as usize).min(tables.articles.len());
        Ok(tables.articles[start..]
            .iter()
            .filter(|s| tables.matches(s, &filter))
            .take(max)
            .map(|s| tables.article(s))
            .collect())
    }

    async fn search(
        &self,
        query: &SearchQuery,
        offset: usize,
        max: usize,
    ) -> Result<Vec<SearchHit>> {
        let filter: IndexFilter = self.read()?.resolve_filter(&query.filter).into();
        let _slot = self
            .search_slots
            .acquire()
            .await
            .map_err(|_| Error::Internal("search slots closed".into()))?;
        let ranked = blocking(|| {
            self.index.search(
                &query.text,
                &filter,
                offset,
                max,
                query.max_snippets,
                |id| {
                    self.tables
                        .read()
                        .ok()
                        .and_then(|t| {
                            t.article_by_id(id).map(|s| {
                                s.paragraphs
                                    .iter()
                                    .map(|&r| s.slice(r).to_owned())
                                    .collect()
                            })
                        })
                        .unwrap_or_default()
                },
            )
        })?;
        let tables = self.read()?;
        Ok(ranked
            .into_iter()
            .filter_map(|hit| {
                let a = tables.article_by_id(&hit.article_id)?;
                Some(SearchHit {
                    title: a.title.to_string(),
                    outlet: a.outlet.to_string(),
                    published: a.published.to_string(),
                    source: a.source.to_string(),
                    article_id: hit.article_id,
                    score: hit.score,
                    snippets: hit.snippets,
                })
            })
            .collect())
    }

    fn validate_query(&self, text: &str) -> Result<()> {
        self.index.validate(text)
    }

    async fn entity(&self, id: &str) -> Result<Option<Entity>> {
        let tables = self.read()?;
        Ok(tables.entity_index.get(id).and_then(|&i| tables.entity(i)))
    }

    async fn entities_named(&self, name: &str) -> Result<Vec<Entity>> {
        let tables = self.read()?;
        // Entities known by this exact name or alias come before those that
        // only spell alike ("Raisi" is not "Russia", however often Russia is
        // mentioned); within each group, the most mentioned first.
        let key = name_key(name);
        let mut found: Vec<(bool, EntityPos, u32)> = tables
            .resolver
            .lookup(name)
            .iter()
            .filter_map(|id| tables.entity_index.get(id.as_str()))
            .map(|&i| {
                let record = &tables.entities[i as usize];
                let exact = name_key(&record.name) == key
                    || record.aliases.iter().any(|a| name_key(a) == key);
                (!exact, tables.entity_pos(record), i)
            })
            .collect();
        found.sort();
        found.dedup_by_key(|(_, _, i)| *i);
        let found: Vec<(EntityPos, u32)> = found.into_iter().map(|(_, p, i)| (p, i)).collect();
        Ok(found
            .into_iter()
            .filter_map(|(_, i)| tables.entity(i))
            .collect())
    }

    async fn entities(
        &self,
        filter: &EntityFilter,
        after: Option<&EntityPos>,
        max: usize,
    ) -> Result<Vec<Entity>> {
        let tables = self.read()?;
        let sorted = self.sorted_entities(&tables)?;
        let start = match after {
            Some(pos) => sorted.partition_point(|(p, _)| p <= pos),
            None => 0,
        };
        let in_article: Option<&[u32]> = match &filter.article_id {
            Some(id) => match tables.article_by_id(id) {
                Some(s) => Some(&s.entities),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let prefix = filter.name_prefix.as_deref().map(name_key);
        // Entities of the matching articles, when articles are filtered.
        let in_articles: Option<Vec<bool>> = (!filter.articles.is_empty()).then(|| {
            let resolved = tables.resolve_filter(&filter.articles);
            let mut seen = vec![false; tables.entities.len()];
            for a in tables
                .articles
                .iter()
                .filter(|a| tables.matches(a, &resolved))
            {
                for &e in a.entities.iter() {
                    if let Some(slot) = seen.get_mut(e as usize) {
                        *slot = true;
                    }
                }
            }
            seen
        });
        let mut page = Vec::new();
        for &(_, index) in &sorted[start..] {
            if page.len() >= max {
                break;
            }
            let Some(r) = tables.entities.get(index as usize) else {
                continue;
            };
            if filter.entity_type.is_some_and(|t| t != r.entity_type)
                || r.mention_count < filter.min_mentions
                || in_article.is_some_and(|set| !set.contains(&index))
                || in_articles
                    .as_ref()
                    .is_some_and(|seen| !seen.get(index as usize).copied().unwrap_or(false))
            {
                continue;
            }
            if let Some(prefix) = &prefix {
                let hit = std::iter::once(&r.name)
                    .chain(&r.aliases)
                    .any(|n| name_key(n).starts_with(prefix.as_str()));
                if !hit {
                    continue;
                }
            }
            page.extend(tables.entity(index));
        }
        Ok(page)
    }

    async fn mentions(
        &self,
        filter: &MentionFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Mention)>> {
        let tables = self.read()?;
        let entity = match &filter.entity_id {
            Some(id) => match tables.entity_index.get(id.as_str()) {
                Some(&i) => Some(i),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        // Which articles to scan, in corpus order.
        let candidates: Box<dyn Iterator<Item = u32> + '_> = match (&filter.article_id, entity) {
            (Some(id), _) => match tables.by_id.get(id.as_str()) {
                Some(&a) => Box::new(std::iter::once(a)),
                None => return Ok(Vec::new()),
            },
            (None, Some(e)) => {
                let articles = &tables.entities[e as usize].articles;
                let from = after.map_or(0, |p| p.seq.saturating_sub(1) as u32);
                let start = articles.partition_point(|&a| a < from);
                Box::new(articles[start..].iter().copied())
            }
            (None, None) => {
                let from = after.map_or(0, |p| p.seq.saturating_sub(1) as u32);
                Box::new(from..tables.articles.len() as u32)
            }
        };
        let articles =
            (!filter.articles.is_empty()).then(|| tables.resolve_filter(&filter.articles));
        let mut page = Vec::new();
        for a in candidates {
            let Some(stored) = tables.articles.get(a as usize) else {
                continue;
            };
            if articles
                .as_ref()
                .is_some_and(|f| !tables.matches(stored, f))
            {
                continue;
            }
            for (index, m) in stored.mentions.iter().enumerate() {
                let pos = ItemPos {
                    seq: stored.seq,
                    index: index as u32,
                };
                if after.is_some_and(|p| pos <= p) || entity.is_some_and(|e| e != m.entity) {
                    continue;
                }
                page.push((pos, tables.mention(stored, m)));
                if page.len() >= max {
                    return Ok(page);
                }
            }
        }
        Ok(page)
    }

    async fn quotes(
        &self,
        filter: &QuoteFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Quote)>> {
        let tables = self.read()?;
        let speaker_keys = filter.speaker.as_deref().map(|s| tables.speaker_keys(s));
        let needle = filter.text_contains.as_deref().map(str::to_lowercase);
        let candidates: Box<dyn Iterator<Item = &StoredArticle> + '_> = match &filter.article_id {
            Some(id) => Box::new(tables.article_by_id(id).into_iter()),
            None => {
                let start = after.map_or(0, |a| a.seq.saturating_sub(1) as usize);
                Box::new(tables.articles.iter().skip(start))
            }
        };
        let articles =
            (!filter.articles.is_empty()).then(|| tables.resolve_filter(&filter.articles));
        let mut page = Vec::new();
        for stored in candidates {
            if articles
                .as_ref()
                .is_some_and(|f| !tables.matches(stored, f))
            {
                continue;
            }
            if let Some(keys) = &speaker_keys {
                if !keys
                    .iter()
                    .any(|k| stored.speaker_keys.iter().any(|s| **s == **k))
                {
                    continue;
                }
            }
            for (index, q) in stored.quotes.iter().enumerate() {
                let pos = ItemPos {
                    seq: stored.seq,
                    index: index as u32,
                };
                if after.is_some_and(|a| pos <= a) || filter.kind.is_some_and(|k| k != q.kind) {
                    continue;
                }
                if let Some(keys) = &speaker_keys {
                    let id = q.speaker.map(|s| tables.entity_id(s)).unwrap_or_default();
                    let name = name_key(&q.speaker_name);
                    let hit = keys
                        .iter()
                        .any(|k| (!id.is_empty() && k == id) || (!name.is_empty() && *k == name));
                    if !hit {
                        continue;
                    }
                }
                if let Some(needle) = &needle {
                    if !stored
                        .slice(q.bytes)
                        .to_lowercase()
                        .contains(needle.as_str())
                    {
                        continue;
                    }
                }
                page.push((pos, tables.quote(stored, index, q)));
                if page.len() >= max {
                    return Ok(page);
                }
            }
        }
        Ok(page)
    }

    async fn story(&self, id: &str) -> Result<Option<Story>> {
        let tables = self.read()?;
        match id.strip_prefix(STORY_PREFIX).and(tables.story_index(id)) {
            Some(story) => Ok(Some(self.story_summary(&tables, story)?)),
            None => Ok(None),
        }
    }

    async fn stories(
        &self,
        filter: &StoryFilter,
        after: Option<&StoryPos>,
        max: usize,
    ) -> Result<Vec<(StoryPos, Story)>> {
        blocking(|| {
            let tables = self.read()?;
            if filter.articles.is_empty() {
                let sorted = self.sorted_stories(&tables, filter.order)?;
                let start = after.map_or(0, |a| sorted.partition_point(|p| p <= a));
                return sorted[start..]
                    .iter()
                    .filter(|p| tables.story_size(p.story) >= filter.min_articles.max(1))
                    .take(max)
                    .map(|p| Ok((*p, self.story_summary(&tables, p.story)?)))
                    .collect();
            }
            let resolved = tables.resolve_filter(&filter.articles);
            tables
                .stories_page(filter, &resolved, after, max)
                .into_iter()
                .map(|p| Ok((p, self.story_summary(&tables, p.story)?)))
                .collect()
        })
    }

    async fn related_entities(
        &self,
        query: &RelationQuery,
        after: usize,
        max: usize,
    ) -> Result<Vec<EntityRelation>> {
        blocking(|| {
            let tables = self.read()?;
            let entity = match &query.entity {
                Some(id) => match tables.entity_index.get(id.as_str()) {
                    Some(&i) => Some(i),
                    None => return Err(Error::not_found("entity", id.clone())),
                },
                None => None,
            };
            let resolved =
                (!query.articles.is_empty()).then(|| tables.resolve_filter(&query.articles));
            Ok(tables.related(query, resolved.as_ref(), entity, after, max))
        })
    }

    async fn aggregate(
        &self,
        query: Option<&str>,
        filter: &ArticleFilter,
        facets: &[Facet],
    ) -> Result<Aggregation> {
        let matching: Vec<u32> = match query {
            Some(text) => {
                let index_filter: IndexFilter = self.read()?.resolve_filter(filter).into();
                let _slot = self
                    .search_slots
                    .acquire()
                    .await
                    .map_err(|_| Error::Internal("search slots closed".into()))?;
                let ids = blocking(|| self.index.matching_ids(text, &index_filter))?;
                let tables = self.read()?;
                let mut indices: Vec<u32> = ids
                    .iter()
                    .filter_map(|id| tables.by_id.get(id.as_str()).copied())
                    .collect();
                indices.sort_unstable();
                indices
            }
            None => {
                let tables = self.read()?;
                let resolved = tables.resolve_filter(filter);
                tables
                    .articles
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| tables.matches(a, &resolved))
                    .map(|(i, _)| i as u32)
                    .collect()
            }
        };
        blocking(|| Ok(self.read()?.aggregate(&matching, facets)))
    }

    async fn stats(&self) -> Result<StoreStats> {
        let tables = self.read()?;
        let mut by_type: HashMap<EntityType, u64> = HashMap::new();
        for record in &tables.entities {
            *by_type.entry(record.entity_type).or_default() += 1;
        }
        let entities_by_type = EntityType::ALL
            .iter()
            .filter_map(|t| by_type.get(t).map(|&n| (*t, n)))
            .collect();
        let corroborated_quotes = tables
            .articles
            .iter()
            .flat_map(|a| a.quotes.iter().map(move |q| (a, q)))
            .filter(|(a, q)| tables.corroborating(a, q).next().is_some())
            .count() as u64;
        Ok(StoreStats {
            articles: tables.articles.len() as u64,
            entities_by_type,
            mentions: tables.mention_total,
            quotes: tables.quote_total,
            corroborated_quotes,
            duplicates: tables.duplicates,
        })
    }

    async fn flush(&self) -> Result<()> {
        self.uncommitted.store(0, Ordering::SeqCst);
        blocking(|| self.index.commit())?;
        if let Ok(mut last) = self.last_commit.lock() {
            *last = Instant::now();
        }
        Ok(())
    }

    async fn compact(&self) -> Result<()> {
        blocking(|| {
            self.index.merge_all()?;
            // Growth headroom of lists that will now grow slowly, if at all.
            let mut tables = self.write()?;
            for entity in &mut tables.entities {
                entity.articles.shrink_to_fit();
            }
            for members in &mut tables.clusters {
                members.shrink_to_fit();
            }
            tables.corroborator.shrink_to_fit();
            Ok(())
        })
    }

    fn latest_seq(&self) -> watch::Receiver<u64> {
        self.latest.subscribe()
    }
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

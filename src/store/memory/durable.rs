//! The store kept in a folder (`--data-dir`): opening it, replaying the journal into the
//! tables, appending to the journal before an insert is acknowledged, and the export that
//! PostgreSQL replicas and the repair tool share.

use super::*;

/// A note's file name in the data folder: the key itself, which must be a
/// plain file name.
pub(super) fn note_file(key: &str) -> Result<&str> {
    if key.is_empty() || key.contains(['/', '\\']) || key.starts_with('.') {
        return Err(Error::Internal(format!("bad note key {key:?}")));
    }
    Ok(key)
}

/// Salvages the journal of the data folder `dir` (see [`journal::repair`]),
/// holding the folder's lock so no server uses it meanwhile. When anything
/// was moved aside, later articles change position, so the search index is
/// removed to be rebuilt from the journal at the next start.
pub fn repair_journal(dir: &Path) -> Result<crate::store::journal::RepairReport> {
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
    let report = crate::store::journal::repair(&journal)?;
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
    pub(super) fn replay(&self, durable: &Durable) -> Result<Recovery> {
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
    pub(super) fn journal(&self, journal: &mut Journal, drafts: &[ArticleDraft]) -> Result<()> {
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
}

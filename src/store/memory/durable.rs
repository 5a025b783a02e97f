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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::journal::Journal;

    fn draft(n: usize) -> ArticleDraft {
        let raw = crate::model::RawArticle {
            text: format!(
                "Harbour {n} opens\n\nThe harbour number w{n}x opened in Perth on Monday, \
                 Mayor Dana Whitlock said. \"It is a great day,\" Whitlock said.\n"
            ),
            source: format!("{n}.txt"),
            url: String::new(),
            title: None,
            outlet: None,
            authors: None,
            published: None,
        };
        crate::corpus::prepare(raw, &Default::default()).expect("draft")
    }

    /// Opens the folder, recovers, inserts `new` (flushed unless told not
    /// to), and closes it again; returns what recovery said.
    async fn session(dir: &Path, new: std::ops::Range<usize>, flush: bool) -> Recovery {
        let store = MemoryStore::open(dir).expect("open");
        let recovery = store.recover().await.expect("recover");
        if !new.is_empty() {
            store
                .insert(new.map(draft).collect())
                .await
                .expect("insert");
        }
        if flush {
            store.flush().await.expect("flush");
        }
        recovery
    }

    async fn hits(dir: &Path, word: &str) -> usize {
        let store = MemoryStore::open(dir).expect("open");
        store.recover().await.expect("recover");
        let query = SearchQuery {
            text: word.into(),
            filter: ArticleFilter::default(),
            max_snippets: 0,
        };
        store.search(&query, 0, 100).await.expect("search").len()
    }

    fn journal_records(dir: &Path) -> usize {
        let mut records = 0;
        Journal::open(&dir.join(JOURNAL_FILE), |batch| {
            records += batch.len();
            Ok(())
        })
        .expect("journal");
        records
    }

    #[test]
    fn note_keys_are_plain_file_names() {
        assert_eq!(note_file("cursor").ok(), Some("cursor"));
        for bad in ["", "a/b", "a\\b", ".hidden", "/abs", "..", "x/"] {
            assert!(note_file(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn a_restart_indexes_only_what_the_index_lacks() {
        let dir = tempfile::tempdir().expect("dir");
        let first = session(dir.path(), 0..3, true).await;
        assert_eq!((first.articles, first.reindexed), (0, 0));
        // A clean restart: the index on disk has every article.
        let clean = session(dir.path(), 0..0, true).await;
        assert_eq!((clean.articles, clean.reindexed), (3, 0));
        // The index lost: everything is indexed again.
        std::fs::remove_dir_all(dir.path().join(INDEX_DIR)).expect("remove index");
        let lost = session(dir.path(), 0..0, true).await;
        assert_eq!((lost.articles, lost.reindexed), (3, 3));
        assert_eq!(hits(dir.path(), "harbour").await, 3);
    }

    #[tokio::test]
    async fn an_index_ahead_of_the_journal_is_rebuilt_from_it() {
        let dir = tempfile::tempdir().expect("dir");
        session(dir.path(), 0..3, true).await;
        let journal = dir.path().join(JOURNAL_FILE);
        let three = std::fs::read(&journal).expect("read journal");
        session(dir.path(), 3..5, true).await;
        // The journal loses the last two records; the index still has them.
        std::fs::write(&journal, &three).expect("write journal");
        let recovery = session(dir.path(), 0..0, true).await;
        assert_eq!((recovery.articles, recovery.reindexed), (3, 3));
        assert_eq!(hits(dir.path(), "harbour").await, 3);
        assert_eq!(
            hits(dir.path(), "w4x").await,
            0,
            "a lost article is still found"
        );
    }

    #[tokio::test]
    async fn only_new_articles_reach_the_journal() {
        let dir = tempfile::tempdir().expect("dir");
        {
            let store = MemoryStore::open(dir.path()).expect("open");
            store.recover().await.expect("recover");
            store
                .insert(vec![draft(1), draft(1), draft(2)])
                .await
                .expect("insert");
            store
                .insert(vec![draft(2), draft(3)])
                .await
                .expect("insert");
        }
        assert_eq!(journal_records(dir.path()), 3);
    }

    #[tokio::test]
    async fn outcomes_of_stored_articles_count_duplicates() {
        let store = MemoryStore::new().expect("store");
        let stored = store.insert(vec![draft(1)]).await.expect("insert");
        let id = stored[0].article_id.clone();
        let created = store.outcome(&id, true).expect("outcome").expect("stored");
        assert_eq!(
            (created.article_id.as_str(), created.created),
            (id.as_str(), true)
        );
        assert_eq!(created.mention_count, stored[0].mention_count);
        assert_eq!(store.stats().await.expect("stats").duplicates, 0);
        let again = store.outcome(&id, false).expect("outcome").expect("stored");
        assert!(!again.created);
        assert_eq!(store.stats().await.expect("stats").duplicates, 1);
        assert!(store
            .outcome("0000000000000000", true)
            .expect("outcome")
            .is_none());
    }

    #[tokio::test]
    async fn an_export_holds_each_article_asked_for_with_its_rows_and_entities() {
        let store = MemoryStore::new().expect("store");
        let stored = store
            .insert(vec![draft(1), draft(2)])
            .await
            .expect("insert");
        let ids: Vec<String> = stored.iter().map(|o| o.article_id.clone()).collect();
        let asked = vec![ids[1].clone(), "0000000000000000".into(), ids[0].clone()];
        let export = store.export(&asked).expect("export");
        let order: Vec<&str> = export.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            order,
            [ids[1].as_str(), ids[0].as_str()],
            "asked order, unknown left out"
        );
        for (article, outcome) in export.articles.iter().zip([&stored[1], &stored[0]]) {
            assert_eq!(article.mentions.len() as u32, outcome.mention_count);
            assert_eq!(article.quotes.len() as u32, outcome.quote_count);
            assert!(article.story.id.starts_with("story/"));
            assert!(article.mentions.iter().all(|m| m.article_id == article.id));
            assert!(!article.quotes.is_empty());
        }
        let mentioned: BTreeSet<&str> = export
            .articles
            .iter()
            .flat_map(|a| a.mentions.iter().map(|m| m.entity_id.as_str()))
            .collect();
        let exported: BTreeSet<&str> = export.entities.iter().map(|e| e.id.as_str()).collect();
        assert!(!mentioned.is_empty());
        assert_eq!(exported, mentioned, "each mentioned entity once");
        assert_eq!(export.entities.len(), exported.len());
    }

    #[tokio::test]
    async fn repair_drops_the_index_only_when_records_moved_aside() {
        let dir = tempfile::tempdir().expect("dir");
        session(dir.path(), 0..3, true).await;
        let clean = repair_journal(dir.path()).expect("repair");
        assert!(clean.damaged.is_empty());
        assert!(
            dir.path().join(INDEX_DIR).exists(),
            "a clean repair keeps the index"
        );

        // Damage the middle of the journal: a record there fails its checksum.
        let journal = dir.path().join(JOURNAL_FILE);
        let mut bytes = std::fs::read(&journal).expect("read");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&journal, &bytes).expect("write");
        let report = repair_journal(dir.path()).expect("repair");
        assert!(!report.damaged.is_empty(), "{report:?}");
        assert!(
            !dir.path().join(INDEX_DIR).exists(),
            "positions changed: the index goes"
        );
        let recovery = session(dir.path(), 0..0, true).await;
        assert_eq!(recovery.articles, report.kept_records);
        assert_eq!(recovery.reindexed, report.kept_records);

        let empty = tempfile::tempdir().expect("dir");
        assert!(repair_journal(empty.path()).is_err(), "no journal there");
        let _open = MemoryStore::open(dir.path()).expect("open");
        assert!(repair_journal(dir.path()).is_err(), "the folder is in use");
    }
}

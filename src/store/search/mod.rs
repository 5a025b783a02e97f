//! Full-text search over article titles and bodies, backed by tantivy.
//!
//! tantivy gives BM25 ranking, phrase and boolean queries, and snippet
//! highlighting; this module owns the schema and turns the domain's filter
//! into index terms. Bodies are indexed but not stored here (the corpus
//! store already holds them), which keeps the index small; snippets are cut
//! from the text the caller hands back.
//!
//! Queries run against one field, `body`, which holds the headline and the
//! text (a catch-all field such as Solr's `text`): a word is then one
//! posting list, not a union of a title list and a body list, so tantivy's
//! block-max WAND can skip most articles of a common word, and `a AND b`
//! runs as an intersection of two lists. `title` is indexed on its own for
//! `title:` queries. `body` is also indexed as word pairs (Elasticsearch's
//! `index_phrases`): a two-word phrase runs as one term instead of checking
//! positions in every article that has both words. Common words and phrases
//! ("prime minister") would otherwise cost time in proportion to the corpus.

use std::ops::Bound;
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, QueryParser,
    RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
    TextAnalyzerBuilder, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::model::{Snippet, Span};

mod expand;
mod snippets;
mod tokenize;

use expand::*;
use snippets::*;
use tokenize::*;

/// Name of the tokenizer for prose: lowercased and accent-folded, so that
/// "Téhéran" finds "Tehran".
const PROSE_TOKENIZER: &str = "prose";
/// The prose tokens joined in adjacent pairs ("nuclear deal").
const PAIRS_TOKENIZER: &str = "prose_pairs";
/// Heap for the index writer; tantivy needs at least 15 MB per thread.
const WRITER_HEAP_BYTES: usize = 50_000_000;
/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 180;

/// What gets indexed for one article. Keys are already normalised by the
/// caller (the same function it uses to normalise filters).
#[derive(Debug, Clone, Default)]
pub struct IndexedArticle {
    /// Article id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Clean body.
    pub body: String,
    /// Outlet name key.
    pub outlet_key: String,
    /// Author name keys.
    pub author_keys: Vec<String>,
    /// `YYYY-MM-DD` or empty.
    pub published: String,
    /// Entity ids mentioned.
    pub entity_ids: Vec<String>,
    /// Speaker keys: entity ids and name keys of quoted speakers.
    pub speaker_keys: Vec<String>,
    /// Story id.
    pub story_id: String,
    /// Whether the article is a syndicated copy of an earlier one.
    pub is_copy: bool,
}

/// Filter terms; every `Some`/non-empty part must match.
#[derive(Debug, Clone, Default)]
pub struct IndexFilter {
    /// Outlet key.
    pub outlet_key: Option<String>,
    /// Author key.
    pub author_key: Option<String>,
    /// Inclusive lower date.
    pub published_from: Option<String>,
    /// Inclusive upper date.
    pub published_to: Option<String>,
    /// Entity id that must be mentioned.
    pub entity_id: Option<String>,
    /// Any of these speaker keys must be present (when `Some`).
    pub speaker_keys: Option<Vec<String>>,
    /// Story id the article must belong to.
    pub story_id: Option<String>,
    /// Leave out syndicated copies.
    pub exclude_duplicates: bool,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    body: Field,
    body_pairs: Field,
    outlet: Field,
    author: Field,
    published: Field,
    entity: Field,
    speaker: Field,
    story: Field,
    copy: Field,
}

/// A tantivy index of the corpus.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    parser: QueryParser,
    /// Folder of a temporary on-disk index, deleted on drop; declared last
    /// so it outlives the writer and reader (fields drop in order).
    _dir: Option<tempfile::TempDir>,
}

/// Where an index lives.
enum Location {
    Ram,
    Temp(tempfile::TempDir),
    Dir(std::path::PathBuf),
}

/// One ranked hit before the caller attaches article metadata.
#[derive(Debug, Clone)]
pub struct RankedHit {
    /// Article id.
    pub article_id: String,
    /// BM25 score.
    pub score: f32,
    /// Highlighted fragments.
    pub snippets: Vec<Snippet>,
}

fn internal(error: tantivy::TantivyError) -> Error {
    Error::Internal(format!("search index: {error}"))
}

/// Errors from running a user's query: those about the query itself are the
/// client's (INVALID_ARGUMENT), anything else is ours.
fn query_error(error: tantivy::TantivyError) -> Error {
    use tantivy::TantivyError as T;
    match error {
        T::SchemaError(m) | T::InvalidArgument(m) | T::FieldNotFound(m) => {
            Error::invalid("query", format!("query cannot run: {m}"))
        }
        other => internal(other),
    }
}

impl SearchIndex {
    /// An empty index held in memory (small corpora and tests).
    pub fn in_memory() -> Result<Self> {
        Self::create(Location::Ram)
    }

    /// An empty index in a fresh temporary folder, removed when the index is
    /// dropped. Segments are memory-mapped files, so the kernel can page them
    /// out instead of the index pinning its whole size in the heap.
    pub fn in_temp_dir() -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("newscorpus-index-")
            .tempdir()
            .map_err(|e| Error::Internal(format!("cannot create index folder: {e}")))?;
        Self::create(Location::Temp(dir))
    }

    /// The index kept in `dir` across restarts: opened if it is there and
    /// readable with this schema, else (first start, a schema change, damage)
    /// started afresh — the journal can always rebuild it. Returns the index
    /// and the number of articles it already holds.
    pub fn persistent(dir: &std::path::Path) -> Result<(Self, u64)> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Internal(format!("cannot create {}: {e}", dir.display())))?;
        match Self::create(Location::Dir(dir.to_owned())) {
            Ok(index) => {
                let docs = index.len();
                Ok((index, docs))
            }
            Err(error) => {
                tracing::warn!(%error, dir = %dir.display(), "search index cannot be opened; rebuilding it from the journal");
                std::fs::remove_dir_all(dir)
                    .and_then(|_| std::fs::create_dir_all(dir))
                    .map_err(|e| Error::Internal(format!("cannot reset {}: {e}", dir.display())))?;
                Ok((Self::create(Location::Dir(dir.to_owned()))?, 0))
            }
        }
    }

    /// Deletes every document (an index ahead of the journal cannot be
    /// trusted; it is rebuilt).
    pub fn clear(&self) -> Result<()> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| Error::Internal("search writer lock poisoned".into()))?;
        writer.delete_all_documents().map_err(internal)?;
        writer.commit().map_err(internal)?;
        drop(writer);
        self.reader.reload().map_err(internal)
    }

    fn create(location: Location) -> Result<Self> {
        let mut builder = Schema::builder();
        let prose = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(PROSE_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        // Pairs need no positions: a pair already says which words are adjacent.
        let pairs = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(PAIRS_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            // Fast too: a query's matching set (facets over a search) is read
            // from the id column, not by decompressing every stored document.
            id: builder.add_text_field("id", STRING | STORED | FAST),
            title: builder.add_text_field("title", prose.clone()),
            body: builder.add_text_field("body", prose),
            body_pairs: builder.add_text_field("body_pairs", pairs),
            outlet: builder.add_text_field("outlet", STRING),
            author: builder.add_text_field("author", STRING),
            published: builder.add_text_field("published", STRING),
            entity: builder.add_text_field("entity", STRING),
            speaker: builder.add_text_field("speaker", STRING),
            story: builder.add_text_field("story", STRING),
            copy: builder.add_text_field("copy", STRING),
        };
        let (index, dir) = match location {
            Location::Ram => (Index::create_in_ram(builder.build()), None),
            Location::Temp(dir) => (
                Index::create_in_dir(dir.path(), builder.build()).map_err(internal)?,
                Some(dir),
            ),
            Location::Dir(path) => {
                let directory = tantivy::directory::MmapDirectory::open(&path).map_err(|e| {
                    Error::Internal(format!("search index {}: {e}", path.display()))
                })?;
                // Fails on a schema that is not this one: the caller rebuilds.
                let index = Index::open_or_create(directory, builder.build()).map_err(internal)?;
                (index, None)
            }
        };
        index
            .tokenizers()
            .register(PROSE_TOKENIZER, prose_words().build());
        // The same words, so a phrase's pairs are the pairs the index holds.
        index
            .tokenizers()
            .register(PAIRS_TOKENIZER, prose_words().filter(WordPairs).build());
        let writer = index
            .writer_with_num_threads(1, WRITER_HEAP_BYTES)
            .map_err(internal)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(internal)?;
        // `body` has the headline too: one field, one posting list per word.
        let parser = QueryParser::for_index(&index, vec![fields.body]);
        Ok(SearchIndex {
            index,
            _dir: dir,
            fields,
            writer: Mutex::new(writer),
            reader,
            parser,
        })
    }

    /// Adds articles; with `commit` they are searchable on return, otherwise
    /// at the next commit (bulk loads commit now and then, not per batch).
    pub fn add(&self, articles: &[IndexedArticle], commit: bool) -> Result<()> {
        let f = self.fields;
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| Error::Internal("search writer lock poisoned".into()))?;
        for article in articles {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.id, &article.id);
            doc.add_text(f.title, &article.title);
            // Two values: word pairs do not run from the headline into the text.
            doc.add_text(f.body, &article.title);
            doc.add_text(f.body, &article.body);
            doc.add_text(f.body_pairs, &article.title);
            doc.add_text(f.body_pairs, &article.body);
            doc.add_text(f.outlet, &article.outlet_key);
            doc.add_text(f.published, &article.published);
            for key in &article.author_keys {
                doc.add_text(f.author, key);
            }
            for id in &article.entity_ids {
                doc.add_text(f.entity, id);
            }
            for key in &article.speaker_keys {
                doc.add_text(f.speaker, key);
            }
            doc.add_text(f.story, &article.story_id);
            if article.is_copy {
                doc.add_text(f.copy, "1");
            }
            writer.add_document(doc).map_err(internal)?;
        }
        if !commit {
            return Ok(());
        }
        writer.commit().map_err(internal)?;
        drop(writer);
        self.reader.reload().map_err(internal)
    }

    /// Merges every segment into one. A bulk load leaves several, and
    /// top-k ranking starts over in each: its skipping (block-max WAND)
    /// only pays once a good score threshold is known, and one segment
    /// learns it once.
    pub fn merge_all(&self) -> Result<()> {
        let segments = self.index.searchable_segment_ids().map_err(internal)?;
        if segments.len() <= 1 {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let mut segments = segments;
        let mut attempts = 0;
        // The writer may still be merging some of these segments in the
        // background, and then refuses: wait for it and try again.
        loop {
            let merge = self
                .writer
                .lock()
                .map_err(|_| Error::Internal("search writer lock poisoned".into()))?
                .merge(&segments);
            match merge.wait() {
                Ok(_) => break,
                Err(error) if attempts >= 120 => {
                    tracing::info!(%error, "search segments not merged");
                    return Ok(());
                }
                Err(_) => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(500));
                    segments = self.index.searchable_segment_ids().map_err(internal)?;
                    if segments.len() <= 1 {
                        break;
                    }
                }
            }
        }
        self.reader.reload().map_err(internal)?;
        tracing::info!(
            segments = segments.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search segments merged"
        );
        Ok(())
    }

    /// Makes everything added so far searchable.
    pub fn commit(&self) -> Result<()> {
        self.add(&[], true)
    }

    /// Checks query syntax without running it.
    pub fn validate(&self, text: &str) -> Result<()> {
        let parsed = self.parse(text)?;
        // Some queries parse but cannot run (`title:*` needs a fast field):
        // building the weight finds those without searching.
        let searcher = self.reader.searcher();
        parsed
            .query
            .weight(tantivy::query::EnableScoring::disabled_from_searcher(
                &searcher,
            ))
            .map(|_| ())
            .map_err(query_error)
    }

    /// The query as the user wrote it (for highlighting) and as it runs.
    fn parse(&self, text: &str) -> Result<Parsed> {
        let expanding = expanding_terms(text)?;
        let user = self
            .parser
            .parse_query(&expanding.text)
            .map_err(|e| Error::invalid("query", format!("cannot parse query: {e}")))?;
        // A phrase with slop ("a b"~2) allows other words between its
        // words, so it is not a set of pairs; the parser does not say which
        // phrases have one, the query text does.
        let pairs = !text.contains("\"~");
        let query = self.rewrite(user.as_ref(), pairs, &expanding);
        Ok(Parsed { user, query })
    }

    /// Ranks matching articles and cuts snippets from the paragraphs
    /// `paragraphs_of` returns for each hit.
    /// Ids of every article matching a query and filter, in no order
    /// (facet counting needs the set, not a ranking).
    pub fn matching_ids(&self, text: &str, filter: &IndexFilter) -> Result<Vec<String>> {
        let query = self.with_filter(self.parse(text)?.query, filter);
        let searcher = self.reader.searcher();
        searcher.search(&query, &IdsCollector).map_err(query_error)
    }

    /// The best hits of a query, `max` from rank `offset`, with snippets.
    pub fn search(
        &self,
        text: &str,
        filter: &IndexFilter,
        offset: usize,
        max: usize,
        max_snippets: usize,
        paragraphs_of: impl Fn(&str) -> Vec<String>,
    ) -> Result<Vec<RankedHit>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let Parsed {
            user: user_query,
            query,
        } = self.parse(text)?;
        let query = self.with_filter(query, filter);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(
                &query,
                &TopDocs::with_limit(max).and_offset(offset).order_by_score(),
            )
            .map_err(query_error)?;
        let mut generator =
            SnippetGenerator::create(&searcher, user_query.as_ref(), self.fields.body)
                .map_err(internal)?;
        generator.set_max_num_chars(SNIPPET_CHARS);
        let mut owned_terms: Vec<String> = Vec::new();
        user_query.query_terms(&mut |term, _| {
            if term.field() == self.fields.body {
                if let Some(text) = term.value().as_str() {
                    owned_terms.push(text.to_owned());
                }
            }
        });
        let terms: Vec<&str> = owned_terms.iter().map(String::as_str).collect();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(internal)?;
            let Some(article_id) = doc
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
            else {
                continue;
            };
            let snippets = best_snippets(
                &generator,
                &terms,
                &paragraphs_of(&article_id),
                max_snippets,
            );
            hits.push(RankedHit {
                article_id,
                score,
                snippets,
            });
        }
        Ok(hits)
    }

    /// The parsed query as it runs: phrases over `body` through its
    /// word-pair field (when `pairs`), and the words written with a trailing
    /// `*` (`prefixes`; the parser keeps only the word) as prefix queries.
    fn rewrite(&self, query: &dyn Query, pairs: bool, expanding: &Expanding) -> Box<dyn Query> {
        let f = self.fields;
        if let Some(term) = query.downcast_ref::<TermQuery>() {
            let term = term.term();
            let field = term.field();
            if let Some(word) = term.value().as_str() {
                let prose = field == f.body || field == f.title;
                if prose && expanding.prefixes.iter().any(|p| p == word) {
                    // The word is letters and digits only (the prose
                    // tokenizer made it), so it needs no regex escaping.
                    if let Ok(prefix) = RegexQuery::from_pattern(&format!("{word}.*"), field) {
                        return Box::new(prefix);
                    }
                }
                if let Some((_, distance)) =
                    expanding.fuzzy.iter().find(|(w, _)| prose && w == word)
                {
                    return Box::new(FuzzyTermQuery::new(term.clone(), *distance, true));
                }
            }
            return query.box_clone();
        }
        if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
            let clauses = boolean
                .clauses()
                .iter()
                .map(|(occur, q)| (*occur, self.rewrite(q.as_ref(), pairs, expanding)))
                .collect();
            return Box::new(BooleanQuery::with_minimum_required_clauses(
                clauses,
                boolean.get_minimum_number_should_match(),
            ));
        }
        if let Some(phrase) = query.downcast_ref::<PhraseQuery>() {
            if phrase.field() != f.body {
                return query.box_clone();
            }
            let pair_field = f.body_pairs;
            let words = phrase.phrase_terms();
            let pair_terms: Option<Vec<Term>> = words
                .windows(2)
                .map(|w| {
                    let (a, b) = (w[0].value(), w[1].value());
                    let pair = format!("{} {}", a.as_str()?, b.as_str()?);
                    Some(Term::from_field_text(pair_field, &pair))
                })
                .collect();
            let rewritten: Box<dyn Query> = match pair_terms {
                Some(terms) if pairs && terms.len() == 1 => Box::new(TermQuery::new(
                    terms[0].clone(),
                    IndexRecordOption::WithFreqs,
                )),
                // Longer phrases keep their position check (pairs "a b" and
                // "b c" do not make "a b c"), run only where every pair is.
                Some(terms) if pairs && !terms.is_empty() => {
                    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                        vec![(Occur::Must, query.box_clone())];
                    clauses.extend(terms.into_iter().map(|t| {
                        let pair = TermQuery::new(t, IndexRecordOption::Basic);
                        let q: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(pair), 0.0));
                        (Occur::Must, q)
                    }));
                    Box::new(BooleanQuery::new(clauses))
                }
                _ => query.box_clone(),
            };
            return rewritten;
        }
        query.box_clone()
    }

    fn with_filter(&self, query: Box<dyn Query>, filter: &IndexFilter) -> Box<dyn Query> {
        let f = self.fields;
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query)];
        if let Some(key) = &filter.outlet_key {
            clauses.push((Occur::Must, term(f.outlet, key)));
        }
        if let Some(key) = &filter.author_key {
            clauses.push((Occur::Must, term(f.author, key)));
        }
        if let Some(id) = &filter.entity_id {
            clauses.push((Occur::Must, term(f.entity, id)));
        }
        if let Some(id) = &filter.story_id {
            clauses.push((Occur::Must, term(f.story, id)));
        }
        if filter.exclude_duplicates {
            clauses.push((Occur::MustNot, term(f.copy, "1")));
        }
        if let Some(keys) = &filter.speaker_keys {
            let any: Vec<(Occur, Box<dyn Query>)> = keys
                .iter()
                .map(|k| (Occur::Should, term(f.speaker, k)))
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if filter.published_from.is_some() || filter.published_to.is_some() {
            let bound = |value: &Option<String>| match value {
                Some(v) => Bound::Included(Term::from_field_text(f.published, v)),
                None => Bound::Unbounded,
            };
            let mut lower = bound(&filter.published_from);
            if matches!(lower, Bound::Unbounded) {
                // Undated articles are indexed with an empty date, which sorts
                // first: exclude it so they never match a date bound.
                lower = Bound::Excluded(Term::from_field_text(f.published, ""));
            }
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(lower, bound(&filter.published_to))),
            ));
        }
        if clauses.len() == 1 {
            return clauses.remove(0).1;
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Number of indexed documents.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parsed query: as written (its terms are highlighted) and as it runs.
struct Parsed {
    user: Box<dyn Query>,
    query: Box<dyn Query>,
}

/// A query's text with its expanding words found: the words written with
/// a trailing `*` (`harb*`) or `~N` (`harbor~1`) outside quotes. tantivy's
/// parser drops such a `*` (it knows prefixes of phrases only) and reads
/// `word~2` as the phrase "word 2" (its fuzzy mode is per field, for every
/// word), so the `~N` is cut from the text here and `rewrite` turns these
/// words into prefix and fuzzy queries.
struct Expanding {
    /// The text for the parser (fuzzy suffixes removed).
    text: String,
    /// Prefix words, as the prose tokenizer indexes them.
    prefixes: Vec<String>,
    /// Fuzzy words and their edit distance.
    fuzzy: Vec<(String, u8)>,
}

#[cfg(test)]
mod tests;

/// Collects the ids of every matching document from the `id` fast field:
/// no scores, no stored documents decompressed, no set of addresses.
struct IdsCollector;

/// [`IdsCollector`] within one segment.
struct SegmentIds {
    column: tantivy::columnar::StrColumn,
    ids: Vec<String>,
    buf: String,
}

impl tantivy::collector::Collector for IdsCollector {
    type Fruit = Vec<String>;
    type Child = SegmentIds;

    fn for_segment(
        &self,
        _segment: tantivy::SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentIds> {
        let column = reader.fast_fields().str("id")?.ok_or_else(|| {
            tantivy::TantivyError::SchemaError("the id field is not a fast field".into())
        })?;
        Ok(SegmentIds {
            column,
            ids: Vec::new(),
            buf: String::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<String>>) -> tantivy::Result<Vec<String>> {
        Ok(fruits.concat())
    }
}

impl tantivy::collector::SegmentCollector for SegmentIds {
    type Fruit = Vec<String>;

    fn collect(&mut self, doc: tantivy::DocId, _score: tantivy::Score) {
        for ord in self.column.term_ords(doc) {
            self.buf.clear();
            if matches!(self.column.ord_to_str(ord, &mut self.buf), Ok(true)) {
                self.ids.push(self.buf.clone());
            }
        }
    }

    fn harvest(self) -> Vec<String> {
        self.ids
    }
}

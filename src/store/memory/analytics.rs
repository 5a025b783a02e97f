//! Corpus-level answers over the in-memory tables: story summaries and
//! listings, entity co-occurrence, and facet counts. Stories and copies are
//! decided at insert time (see `crate::analyze`); this module only reads.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{ResolvedArticleFilter, StoredArticle, Tables};
use crate::analyze;
use crate::model::{
    Aggregation, Bucket, DateInterval, EntityRelation, Facet, FacetResult, RelationOrder, Story,
    StoryOrder,
};
use crate::resolve::name_key;
use crate::store::{RelationQuery, StoryFilter, StoryPos};

/// Article ids listed per story.
const STORY_ARTICLE_IDS: usize = 100;
/// Entities listed per story.
const STORY_TOP_ENTITIES: usize = 10;
/// Sample articles per relation.
const RELATION_SAMPLES: usize = 5;
/// Entities of one article paired with each other when listing every pair:
/// an article naming hundreds of entities (a list) would otherwise cost
/// tens of thousands of pairs.
const PAIR_ENTITIES: usize = 50;

impl Tables {
    fn story_members(&self, story: u32) -> &[u32] {
        self.story_articles
            .get(story as usize)
            .map(|ids| ids.as_slice())
            .unwrap_or_default()
    }

    /// The summary of a story.
    pub(super) fn story(&self, story: u32) -> Story {
        let members = self.story_members(story);
        let articles: Vec<&StoredArticle> = members
            .iter()
            .filter_map(|&a| self.articles.get(a as usize))
            .collect();
        let mut outlets: Vec<String> = Vec::new();
        let mut outlet_keys: HashSet<&str> = HashSet::new();
        let (mut first, mut last) = (None::<&str>, None::<&str>);
        let mut mentions: HashMap<u32, u32> = HashMap::new();
        let (mut quotes, mut corroborated) = (0u32, 0u32);
        for a in &articles {
            if !a.outlet.is_empty() && outlet_keys.insert(&a.outlet_key) {
                outlets.push(a.outlet.to_string());
            }
            if !a.published.is_empty() {
                let p = &*a.published;
                first = Some(first.map_or(p, |f| f.min(p)));
                last = Some(last.map_or(p, |l| l.max(p)));
            }
            for m in a.mentions.iter() {
                *mentions.entry(m.entity).or_default() += 1;
            }
            for q in &a.quotes {
                quotes += 1;
                if self.corroborating(a, q).next().is_some() {
                    corroborated += 1;
                }
            }
        }
        let mut top: Vec<(u32, u32)> = mentions.into_iter().collect();
        top.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(STORY_TOP_ENTITIES);
        // The most central article: the one naming most of the story's main
        // entities (the earliest of equals); untitled articles and copies last.
        let central = articles
            .iter()
            .enumerate()
            .max_by_key(|(i, a)| {
                let named = top.iter().filter(|(e, _)| a.entities.contains(e)).count();
                (
                    !a.title.is_empty(),
                    a.duplicate_of.is_none(),
                    named,
                    std::cmp::Reverse(*i),
                )
            })
            .map(|(_, a)| a.title.to_string())
            .unwrap_or_default();
        Story {
            id: self.story_id(story),
            title: central,
            article_count: members.len() as u32,
            article_ids: articles
                .iter()
                .take(STORY_ARTICLE_IDS)
                .map(|a| a.id.to_string())
                .collect(),
            outlets,
            first_published: first.unwrap_or_default().to_owned(),
            last_published: last.unwrap_or_default().to_owned(),
            top_entity_ids: top
                .iter()
                .map(|&(e, _)| self.entity_id(e).to_owned())
                .collect(),
            quote_count: quotes,
            corroborated_quote_count: corroborated,
        }
    }

    /// Articles in a story.
    pub(super) fn story_size(&self, story: u32) -> u32 {
        self.story_members(story).len() as u32
    }

    /// Where a story sorts in a listing of `order`.
    fn story_pos(&self, story: u32, order: StoryOrder) -> StoryPos {
        let members = self.story_members(story);
        let key = match order {
            StoryOrder::Size => u64::from(u32::MAX - members.len() as u32),
            StoryOrder::Recent => {
                // Latest date first, undated last; then latest added first.
                let day = self
                    .story_latest_day
                    .get(story as usize)
                    .copied()
                    .unwrap_or(i32::MIN);
                let day = (i64::from(day) - i64::from(i32::MIN)) as u64;
                let last = u64::from(*members.last().unwrap_or(&0));
                ((u64::from(u32::MAX) - day) << 32) | (u64::from(u32::MAX) - last)
            }
        };
        StoryPos { key, story }
    }

    /// Every story, in listing order.
    pub(super) fn sorted_stories(&self, order: StoryOrder) -> Vec<StoryPos> {
        let mut positions: Vec<StoryPos> = (0..self.story_articles.len() as u32)
            .map(|s| self.story_pos(s, order))
            .collect();
        positions.sort_unstable();
        positions
    }

    /// Positions of the stories having an article that matches `articles`,
    /// in the filter's order, after `after`, at most `max`.
    pub(super) fn stories_page(
        &self,
        filter: &StoryFilter,
        articles: &ResolvedArticleFilter,
        after: Option<&StoryPos>,
        max: usize,
    ) -> Vec<StoryPos> {
        let mut candidates: Vec<u32> = self
            .articles
            .iter()
            .filter(|a| self.matches(a, articles))
            .map(|a| a.story)
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut positions: Vec<StoryPos> = candidates
            .into_iter()
            .filter(|&s| self.story_size(s) >= filter.min_articles.max(1))
            .map(|s| self.story_pos(s, filter.order))
            .filter(|p| after.is_none_or(|a| p > a))
            .collect();
        positions.sort_unstable();
        positions.truncate(max);
        positions
    }

    /// The paragraph of a byte offset in an article.
    fn paragraph_of(article: &StoredArticle, byte: u32) -> usize {
        article
            .paragraphs
            .partition_point(|&(_, end)| end < byte)
            .min(article.paragraphs.len().saturating_sub(1))
    }

    /// Related entities (or every pair), sorted, from position `after`.
    pub(super) fn related(
        &self,
        query: &RelationQuery,
        resolved: Option<&ResolvedArticleFilter>,
        entity: Option<u32>,
        after: usize,
        max: usize,
    ) -> Vec<EntityRelation> {
        #[derive(Default)]
        struct Pair {
            articles: u32,
            paragraphs: u32,
            samples: Vec<u32>,
        }
        let mut pairs: HashMap<(u32, u32), Pair> = HashMap::new();
        // One entity's partners, straight from dense counters (no map).
        let mut partners: Vec<((u32, u32), Pair)> = Vec::new();
        let matching = |a: &StoredArticle| resolved.is_none_or(|f| self.matches(a, f));
        let mut record = |x: u32, y: u32, article: u32, paragraphs: u32| {
            let pair = pairs.entry((x, y)).or_default();
            pair.articles += 1;
            pair.paragraphs += paragraphs;
            if pair.samples.len() < RELATION_SAMPLES {
                pair.samples.push(article);
            }
        };
        match entity {
            Some(x) => {
                let Some(record_x) = self.entities.get(x as usize) else {
                    return Vec::new();
                };
                // Dense counters by entity number: the most mentioned
                // entity shares articles with most of the corpus, and a hash
                // map entry per shared article was most of the cost.
                let n = self.entities.len();
                let (mut shared_articles, mut shared_paragraphs) = (vec![0u32; n], vec![0u32; n]);
                let mut last_paragraph = vec![(u32::MAX, u32::MAX); n];
                let mut samples: HashMap<u32, Vec<u32>> = HashMap::new();
                // Per-article buffers, reused: an allocation per article
                // was a visible share of the walk.
                let mut with_x: Vec<bool> = Vec::new();
                let mut paragraph_of_each: Vec<u32> = Vec::new();
                for &a in &record_x.articles {
                    let Some(article) = self.articles.get(a as usize) else {
                        continue;
                    };
                    if !matching(article) {
                        continue;
                    }
                    // Mentions come in text order, paragraphs too: one walk
                    // gives each mention its paragraph.
                    paragraph_of_each.clear();
                    let mut p = 0usize;
                    for m in article.mentions.iter() {
                        while p + 1 < article.paragraphs.len()
                            && article.paragraphs[p].1 < m.byte_start
                        {
                            p += 1;
                        }
                        paragraph_of_each.push(p as u32);
                    }
                    with_x.clear();
                    with_x.resize(article.paragraphs.len().max(1), false);
                    for (m, &p) in article.mentions.iter().zip(&paragraph_of_each) {
                        if m.entity == x {
                            with_x[p as usize] = true;
                        }
                    }
                    for (m, &p) in article.mentions.iter().zip(&paragraph_of_each) {
                        let y = m.entity as usize;
                        if m.entity != x
                            && with_x[p as usize]
                            && y < n
                            && last_paragraph[y] != (a, p)
                        {
                            last_paragraph[y] = (a, p);
                            shared_paragraphs[y] += 1;
                        }
                    }
                    for &y in article.entities.iter() {
                        if y != x && (y as usize) < n {
                            shared_articles[y as usize] += 1;
                            if shared_articles[y as usize] as usize <= RELATION_SAMPLES {
                                samples.entry(y).or_default().push(a);
                            }
                        }
                    }
                }
                for (y, &count) in shared_articles.iter().enumerate() {
                    if count > 0 {
                        let y = y as u32;
                        partners.push((
                            (x, y),
                            Pair {
                                articles: count,
                                paragraphs: shared_paragraphs[y as usize],
                                samples: samples.remove(&y).unwrap_or_default(),
                            },
                        ));
                    }
                }
            }
            None => {
                for (a, article) in self.articles.iter().enumerate() {
                    if !matching(article) {
                        continue;
                    }
                    let entities = &article.entities[..article.entities.len().min(PAIR_ENTITIES)];
                    let mut by_paragraph: HashMap<(u32, u32), u32> = HashMap::new();
                    let mut seen: Vec<(u32, usize)> = article
                        .mentions
                        .iter()
                        .filter(|m| entities.contains(&m.entity))
                        .map(|m| (m.entity, Self::paragraph_of(article, m.byte_start)))
                        .collect();
                    seen.sort_unstable();
                    seen.dedup();
                    for (i, &(x, px)) in seen.iter().enumerate() {
                        for &(y, py) in &seen[i + 1..] {
                            if px == py && x != y {
                                let key = (x.min(y), x.max(y));
                                *by_paragraph.entry(key).or_default() += 1;
                            }
                        }
                    }
                    for (i, &x) in entities.iter().enumerate() {
                        for &y in &entities[i + 1..] {
                            let key = (x.min(y), x.max(y));
                            let shared = by_paragraph.get(&key).copied().unwrap_or(0);
                            record(key.0, key.1, a as u32, shared);
                        }
                    }
                }
            }
        }
        let total = self.articles.len().max(1) as f64;
        let min_articles = match (query.min_articles, entity) {
            (0, Some(_)) => 1,
            (0, None) => 2,
            (n, _) => n,
        };
        let mut relations: Vec<(f32, u32, u32, u32, Pair)> = pairs
            .into_iter()
            .chain(partners)
            .filter(|(_, p)| p.articles >= min_articles)
            .filter(|((_, y), _)| {
                query.entity_type.is_none_or(|t| {
                    self.entities
                        .get(*y as usize)
                        .is_some_and(|r| r.entity_type == t)
                })
            })
            .map(|((x, y), p)| {
                let px = self.entities[x as usize].articles.len() as f64 / total;
                let py = self.entities[y as usize].articles.len() as f64 / total;
                let pxy = f64::from(p.articles) / total;
                let score = if pxy >= 1.0 {
                    1.0
                } else {
                    ((pxy / (px * py)).ln() / -pxy.ln()).clamp(-1.0, 1.0)
                };
                (score as f32, p.articles, x, y, p)
            })
            .collect();
        let order = |a: &(f32, u32, u32, u32, Pair), b: &(f32, u32, u32, u32, Pair)| {
            let by_score = b.0.total_cmp(&a.0).then(b.1.cmp(&a.1));
            let by_count = b.1.cmp(&a.1).then(b.0.total_cmp(&a.0));
            match query.order {
                RelationOrder::Score => by_score,
                RelationOrder::Count => by_count,
            }
            .then((a.2, a.3).cmp(&(b.2, b.3)))
        };
        // Only the page is sorted: the order is total (ties end on the
        // pair's entity numbers), so selecting the first `after + max` and
        // sorting them gives exactly the full sort's prefix.
        let wanted = after.saturating_add(max);
        if wanted < relations.len() {
            relations.select_nth_unstable_by(wanted, order);
            relations.truncate(wanted);
        }
        relations.sort_unstable_by(order);
        relations
            .into_iter()
            .skip(after)
            .take(max)
            .map(|(score, articles, x, y, pair)| {
                let other = &self.entities[y as usize];
                EntityRelation {
                    source_id: self.entity_id(x).to_owned(),
                    entity_id: other.id.to_string(),
                    name: other.name.to_string(),
                    entity_type: other.entity_type,
                    article_count: articles,
                    paragraph_count: pair.paragraphs,
                    score,
                    sample_article_ids: pair
                        .samples
                        .iter()
                        .filter_map(|&a| self.articles.get(a as usize))
                        .map(|a| a.id.to_string())
                        .collect(),
                }
            })
            .collect()
    }

    /// Facet counts over the articles at `matching` (indices), or over the
    /// whole corpus (`None`), where the histogram, outlets, entities and
    /// stories are read from counts kept at insert instead of a scan.
    pub(super) fn aggregate(&self, matching: Option<&[u32]>, facets: &[Facet]) -> Aggregation {
        let scanned = std::cell::OnceCell::new();
        let articles = || -> &Vec<&StoredArticle> {
            scanned.get_or_init(|| match matching {
                Some(indices) => indices
                    .iter()
                    .filter_map(|&a| self.articles.get(a as usize))
                    .collect(),
                None => self.articles.iter().collect(),
            })
        };
        let whole = matching.is_none();
        let entity_bucket = |e: u32| {
            let r = &self.entities[e as usize];
            (r.id.to_string(), r.name.to_string())
        };
        let facets = facets
            .iter()
            .map(|facet| match facet {
                Facet::DateHistogram(interval) if whole => histogram(
                    self.totals.days.iter().map(|(&d, &n)| (d, n)),
                    self.totals.undated,
                    *interval,
                ),
                Facet::DateHistogram(interval) => {
                    let (days, undated) = day_counts(articles());
                    histogram(days, undated, *interval)
                }
                // Counted by outlet number; strings are made for the
                // returned buckets only.
                Facet::Outlet { size } => {
                    let counts = if whole {
                        self.totals.outlets.clone()
                    } else {
                        let mut counts = vec![0u64; self.outlets.len()];
                        for a in articles() {
                            if let Some(slot) = counts.get_mut(a.outlet_id as usize) {
                                *slot += 1;
                            }
                        }
                        counts
                    };
                    top_counted(
                        counts
                            .iter()
                            .enumerate()
                            .filter(|(_, &n)| n > 0)
                            .filter_map(|(id, &n)| {
                                self.outlets
                                    .get(id)
                                    .map(|(key, label)| (&**key, &**label, n))
                            }),
                        *size,
                        |key, label| (key.to_owned(), label.to_owned()),
                    )
                }
                Facet::Author { size } => top(
                    articles().iter().flat_map(|a| {
                        a.author_keys
                            .iter()
                            .zip(a.authors.iter())
                            .map(|(k, n)| (&**k, &**n))
                    }),
                    *size,
                    |key, label| (key.to_owned(), label.to_owned()),
                ),
                Facet::Entity { size, entity_type } => {
                    // Counted in a dense table: a million articles name tens
                    // of millions of entities, a hash map per count is slow.
                    // Over the whole corpus, an entity's count is the length
                    // of its article list.
                    let mut counts: Vec<u64> = if whole {
                        self.entities
                            .iter()
                            .map(|r| r.articles.len() as u64)
                            .collect()
                    } else {
                        let mut counts = vec![0u64; self.entities.len()];
                        for a in articles() {
                            for &e in a.entities.iter() {
                                if let Some(slot) = counts.get_mut(e as usize) {
                                    *slot += 1;
                                }
                            }
                        }
                        counts
                    };
                    if let Some(t) = entity_type {
                        for (e, count) in counts.iter_mut().enumerate() {
                            if self.entities[e].entity_type != *t {
                                *count = 0;
                            }
                        }
                    }
                    top_dense(&counts, *size, entity_bucket)
                }
                Facet::Speaker { size } => top(
                    articles().iter().flat_map(|a| {
                        a.quotes.iter().filter_map(|q| match q.speaker {
                            Some(s) => Some((Ok(s), &*q.speaker_name)),
                            None if !q.speaker_name.is_empty() => {
                                Some((Err(name_key(&q.speaker_name)), &*q.speaker_name))
                            }
                            None => None,
                        })
                    }),
                    *size,
                    |key, label| match key {
                        Ok(e) => entity_bucket(e),
                        Err(name) => (name, label.to_owned()),
                    },
                ),
                Facet::Story { size } => {
                    let counts: Vec<u64> = if whole {
                        (0..self.story_articles.len() as u32)
                            .map(|s| u64::from(self.story_size(s)))
                            .collect()
                    } else {
                        let mut counts = vec![0u64; self.story_articles.len()];
                        for a in articles() {
                            if let Some(slot) = counts.get_mut(a.story as usize) {
                                *slot += 1;
                            }
                        }
                        counts
                    };
                    top_dense(&counts, *size, |story| {
                        let summary = self.story(story);
                        (summary.id, summary.title)
                    })
                }
            })
            .collect();
        Aggregation {
            article_count: match matching {
                None => self.articles.len() as u64,
                Some(_) => articles().len() as u64,
            },
            facets,
        }
    }
}

/// Counts of the whole corpus kept at insert, so that facets over every
/// article (no query, no filter) read them instead of scanning a million
/// articles per call.
#[derive(Default)]
pub(super) struct Totals {
    /// Articles per publication day (day number).
    days: HashMap<i32, u64>,
    /// Articles without a date.
    undated: u64,
    /// Articles per outlet number.
    outlets: Vec<u64>,
}

impl Totals {
    /// Counts a newly stored article.
    pub(super) fn add(&mut self, article: &StoredArticle) {
        match article.day {
            i32::MIN => self.undated += 1,
            day => *self.days.entry(day).or_default() += 1,
        }
        if article.outlet_id != u32::MAX {
            let id = article.outlet_id as usize;
            if self.outlets.len() <= id {
                self.outlets.resize(id + 1, 0);
            }
            self.outlets[id] += 1;
        }
    }
}

/// Counts by key (the first label seen names the bucket); the `size`
/// largest, ties by their key string, and the rest as `other_count`.
/// `name` turns a returned key and its label into the bucket's key and label.
fn top<K, L>(
    items: impl Iterator<Item = (K, L)>,
    size: usize,
    name: impl Fn(K, L) -> (String, String),
) -> FacetResult
where
    K: std::hash::Hash + Eq + Ord + Clone,
    L: Clone,
{
    let mut counts: HashMap<K, (L, u64)> = HashMap::new();
    for (key, label) in items {
        counts.entry(key).or_insert_with(|| (label, 0)).1 += 1;
    }
    top_counted(
        counts
            .into_iter()
            .map(|(key, (label, count))| (key, label, count)),
        size,
        name,
    )
}

/// [`top`] of counts already made: (key, label, count), each key once.
fn top_counted<K, L>(
    counts: impl Iterator<Item = (K, L, u64)>,
    size: usize,
    name: impl Fn(K, L) -> (String, String),
) -> FacetResult
where
    K: Ord + Clone,
{
    let mut ranked: Vec<(K, L, u64)> = counts.collect();
    let total: u64 = ranked.iter().map(|(_, _, n)| n).sum();
    // Largest first; among equals, by key, so the answer is deterministic.
    ranked.sort_unstable_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(size);
    let mut buckets: Vec<Bucket> = ranked
        .into_iter()
        .map(|(key, label, count)| {
            let (key, label) = name(key, label);
            Bucket { key, label, count }
        })
        .collect();
    buckets.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    let shown: u64 = buckets.iter().map(|b| b.count).sum();
    FacetResult {
        buckets,
        undated_count: 0,
        other_count: total - shown,
    }
}

/// The first day of the bucket holding `day`.
pub(crate) fn bucket_start(day: i32, interval: DateInterval) -> String {
    match interval {
        DateInterval::Day => analyze::date_of_day(day),
        // 1970-01-01 was a Thursday: Monday is 3 days before.
        DateInterval::Week => analyze::date_of_day(day - (day + 3).rem_euclid(7)),
        DateInterval::Month => format!("{}-01", &analyze::date_of_day(day)[..7]),
        DateInterval::Year => format!("{}-01-01", &analyze::date_of_day(day)[..4]),
    }
}

/// The `size` largest non-zero counts of a dense table (index = entity or
/// story number), ties by number, and the rest as `other_count`.
fn top_dense(counts: &[u64], size: usize, name: impl Fn(u32) -> (String, String)) -> FacetResult {
    let total: u64 = counts.iter().sum();
    let mut ranked: Vec<(u64, u32)> = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(i, &c)| (c, i as u32))
        .collect();
    let by_count = |a: &(u64, u32), b: &(u64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if ranked.len() > size {
        ranked.select_nth_unstable_by(size, by_count);
        ranked.truncate(size);
    }
    ranked.sort_unstable_by(by_count);
    let buckets: Vec<Bucket> = ranked
        .into_iter()
        .map(|(count, i)| {
            let (key, label) = name(i);
            Bucket { key, label, count }
        })
        .collect();
    let shown: u64 = buckets.iter().map(|b| b.count).sum();
    FacetResult {
        buckets,
        undated_count: 0,
        other_count: total - shown,
    }
}

/// Articles per day number, and the undated ones.
fn day_counts(articles: &[&StoredArticle]) -> (HashMap<i32, u64>, u64) {
    let mut days: HashMap<i32, u64> = HashMap::new();
    let mut undated = 0;
    for a in articles {
        match a.day {
            i32::MIN => undated += 1,
            day => *days.entry(day).or_default() += 1,
        }
    }
    (days, undated)
}

/// A date histogram from counts by day number: a bucket's date is written
/// once per day, not once per article.
fn histogram(
    days: impl IntoIterator<Item = (i32, u64)>,
    undated: u64,
    interval: DateInterval,
) -> FacetResult {
    let mut buckets: BTreeMap<String, u64> = BTreeMap::new();
    for (day, count) in days {
        *buckets.entry(bucket_start(day, interval)).or_default() += count;
    }
    FacetResult {
        buckets: buckets
            .into_iter()
            .map(|(key, count)| Bucket {
                label: key.clone(),
                key,
                count,
            })
            .collect(),
        undated_count: undated,
        other_count: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_start_where_they_should() {
        let day = analyze::day_number("2022-04-27").unwrap(); // a Wednesday
        assert_eq!(bucket_start(day, DateInterval::Day), "2022-04-27");
        assert_eq!(bucket_start(day, DateInterval::Week), "2022-04-25");
        assert_eq!(bucket_start(day, DateInterval::Month), "2022-04-01");
        assert_eq!(bucket_start(day, DateInterval::Year), "2022-01-01");
        let monday = analyze::day_number("2022-04-25").unwrap();
        assert_eq!(bucket_start(monday, DateInterval::Week), "2022-04-25");
        let sunday = analyze::day_number("2022-05-01").unwrap();
        assert_eq!(bucket_start(sunday, DateInterval::Week), "2022-04-25");
    }

    #[test]
    fn top_dense_keeps_the_largest_and_counts_the_rest() {
        let counts = [0, 5, 2, 5, 1, 0, 3];
        let result = top_dense(&counts, 3, |i| (i.to_string(), String::new()));
        let got: Vec<(&str, u64)> = result
            .buckets
            .iter()
            .map(|b| (b.key.as_str(), b.count))
            .collect();
        assert_eq!(got, [("1", 5), ("3", 5), ("6", 3)]);
        assert_eq!(result.other_count, 3);
        let all = top_dense(&counts, 100, |i| (i.to_string(), String::new()));
        assert_eq!(all.buckets.len(), 5);
        assert_eq!(all.other_count, 0);
    }

    #[test]
    fn top_counts_the_rest_as_other() {
        let items = ["a", "b", "a", "c", "a", "b"].into_iter().map(|k| (k, k));
        let result = top(items, 2, |k, l| (k.to_owned(), l.to_uppercase()));
        let keys: Vec<(&str, u64)> = result
            .buckets
            .iter()
            .map(|b| (b.key.as_str(), b.count))
            .collect();
        assert_eq!(keys, [("a", 3), ("b", 2)]);
        assert_eq!(result.other_count, 1);
        assert_eq!(result.buckets[0].label, "A");
    }
}

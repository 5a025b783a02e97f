//! Conversions between generated protobuf types and the domain model, and
//! request validation (a field that cannot be converted is an
//! INVALID_ARGUMENT naming that field).

use super::pb;
use crate::error::{Error, Invalid, Result};
use crate::model;
use crate::model::{valid_date, RawArticle};
use crate::query::{
    ArticleFilter, EntityFilter, MentionFilter, QuoteFilter, SearchQuery, StoryFilter,
};

/// Longest id or name accepted in a request.
pub const MAX_ID_LEN: usize = 512;
/// Longest search query accepted, in bytes.
pub const MAX_QUERY_LEN: usize = 2048;

/// Converts a request `limit`: 0 means no limit.
pub fn limit(value: i32, max: usize) -> Result<Option<usize>> {
    if value < 0 {
        return Err(Error::invalid(
            "limit",
            format!("must not be negative (got {value})"),
        ));
    }
    let value = value as usize;
    if value > max {
        return Err(Error::invalid(
            "limit",
            format!("must be at most {max} (got {value}); use 0 to stream everything"),
        ));
    }
    Ok((value > 0).then_some(value))
}

/// Optional string field: trimmed, empty means unset, bounded length.
pub fn optional(field: &str, value: &str) -> Result<Option<String>> {
    let value = value.trim();
    if value.len() > MAX_ID_LEN {
        return Err(Error::invalid_as(
            Invalid::TooLong,
            field,
            format!("longer than {MAX_ID_LEN} bytes"),
        ));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// Required string field.
pub fn required(field: &str, value: &str) -> Result<String> {
    optional(field, value)?
        .ok_or_else(|| Error::invalid_as(Invalid::Required, field, "is required"))
}

fn date(field: &str, value: &str) -> Result<Option<String>> {
    let value = optional(field, value)?;
    if let Some(v) = &value {
        if !valid_date(v) {
            return Err(Error::invalid_as(
                Invalid::Date,
                field,
                format!("{v:?} is not a YYYY-MM-DD date"),
            ));
        }
    }
    Ok(value)
}

/// Article view; unknown numbers are rejected.
pub fn view(value: i32) -> Result<pb::ArticleView> {
    pb::ArticleView::try_from(value).map_err(|_| {
        Error::invalid_as(
            Invalid::EnumValue,
            "view",
            format!("unknown ArticleView {value}"),
        )
    })
}

/// Entity type filter; unspecified means any.
pub fn entity_type_filter(value: i32) -> Result<Option<model::EntityType>> {
    let t = pb::EntityType::try_from(value).map_err(|_| {
        Error::invalid_as(
            Invalid::EnumValue,
            "type",
            format!("unknown EntityType {value}"),
        )
    })?;
    Ok(entity_type_from_pb(t))
}

/// Quote kind filter; unspecified means any.
pub fn quote_kind_filter(value: i32) -> Result<Option<model::QuoteKind>> {
    let k = pb::QuoteKind::try_from(value).map_err(|_| {
        Error::invalid_as(
            Invalid::EnumValue,
            "kind",
            format!("unknown QuoteKind {value}"),
        )
    })?;
    Ok(match k {
        pb::QuoteKind::Unspecified => None,
        pb::QuoteKind::Direct => Some(model::QuoteKind::Direct),
        pb::QuoteKind::Partial => Some(model::QuoteKind::Partial),
        pb::QuoteKind::Scare => Some(model::QuoteKind::Scare),
    })
}

fn entity_type_from_pb(t: pb::EntityType) -> Option<model::EntityType> {
    use model::EntityType as E;
    Some(match t {
        pb::EntityType::Unspecified => return None,
        pb::EntityType::Person => E::Person,
        pb::EntityType::Org => E::Org,
        pb::EntityType::Gpe => E::Gpe,
        pb::EntityType::Loc => E::Loc,
        pb::EntityType::Norp => E::Norp,
        pb::EntityType::Event => E::Event,
        pb::EntityType::Law => E::Law,
        pb::EntityType::WorkOfArt => E::WorkOfArt,
        pb::EntityType::Other => E::Other,
    })
}

/// Domain entity type to its proto enum.
pub fn entity_type_to_pb(t: model::EntityType) -> pb::EntityType {
    use model::EntityType as E;
    match t {
        E::Person => pb::EntityType::Person,
        E::Org => pb::EntityType::Org,
        E::Gpe => pb::EntityType::Gpe,
        E::Loc => pb::EntityType::Loc,
        E::Norp => pb::EntityType::Norp,
        E::Event => pb::EntityType::Event,
        E::Law => pb::EntityType::Law,
        E::WorkOfArt => pb::EntityType::WorkOfArt,
        E::Other => pb::EntityType::Other,
    }
}

fn quote_kind_to_pb(k: model::QuoteKind) -> pb::QuoteKind {
    match k {
        model::QuoteKind::Direct => pb::QuoteKind::Direct,
        model::QuoteKind::Partial => pb::QuoteKind::Partial,
        model::QuoteKind::Scare => pb::QuoteKind::Scare,
    }
}

impl TryFrom<Option<pb::ArticleFilter>> for ArticleFilter {
    type Error = Error;

    fn try_from(filter: Option<pb::ArticleFilter>) -> Result<Self> {
        article_filter("filter", filter.as_ref())
    }
}

/// An article filter given in the request field `field` (the name errors use).
pub fn article_filter(field: &str, filter: Option<&pb::ArticleFilter>) -> Result<ArticleFilter> {
    let default = pb::ArticleFilter::default();
    let f = filter.unwrap_or(&default);
    let name = |part: &str| format!("{field}.{part}");
    let from = date(&name("published_from"), &f.published_from)?;
    let to = date(&name("published_to"), &f.published_to)?;
    if let (Some(a), Some(b)) = (&from, &to) {
        if a > b {
            return Err(Error::invalid(
                name("published_to"),
                format!("is before {}", name("published_from")),
            ));
        }
    }
    Ok(ArticleFilter {
        outlet: optional(&name("outlet"), &f.outlet)?,
        author: optional(&name("author"), &f.author)?,
        published_from: from,
        published_to: to,
        entity_id: optional(&name("entity_id"), &f.entity_id)?,
        speaker: optional(&name("speaker"), &f.speaker)?,
        story_id: optional(&name("story_id"), &f.story_id)?,
        exclude_duplicates: f.exclude_duplicates,
    })
}

impl TryFrom<&pb::ListEntitiesRequest> for EntityFilter {
    type Error = Error;

    fn try_from(r: &pb::ListEntitiesRequest) -> Result<Self> {
        Ok(EntityFilter {
            articles: article_filter("article_filter", r.article_filter.as_ref())?,
            entity_type: entity_type_filter(r.r#type)?,
            article_id: optional("article_id", &r.article_id)?,
            name_prefix: optional("name_prefix", &r.name_prefix)?,
            min_mentions: r.min_mentions,
        })
    }
}

impl TryFrom<&pb::ListMentionsRequest> for MentionFilter {
    type Error = Error;

    fn try_from(r: &pb::ListMentionsRequest) -> Result<Self> {
        Ok(MentionFilter {
            articles: article_filter("article_filter", r.article_filter.as_ref())?,
            article_id: optional("article_id", &r.article_id)?,
            entity_id: optional("entity_id", &r.entity_id)?,
        })
    }
}

impl TryFrom<&pb::ListQuotesRequest> for QuoteFilter {
    type Error = Error;

    fn try_from(r: &pb::ListQuotesRequest) -> Result<Self> {
        Ok(QuoteFilter {
            articles: article_filter("article_filter", r.article_filter.as_ref())?,
            speaker: optional("speaker", &r.speaker)?,
            article_id: optional("article_id", &r.article_id)?,
            text_contains: optional("text_contains", &r.text_contains)?,
            kind: quote_kind_filter(r.kind)?,
        })
    }
}

/// An ingest item as the pipeline takes it: trimmed metadata, empty fields
/// meaning "not given" (extraction decides), the URL as the source.
impl TryFrom<&pb::SearchArticlesRequest> for SearchQuery {
    type Error = Error;

    fn try_from(r: &pb::SearchArticlesRequest) -> Result<Self> {
        let text = r.query.trim().to_owned();
        if text.is_empty() {
            return Err(Error::invalid_as(
                Invalid::Required,
                "query",
                "must not be empty",
            ));
        }
        if text.len() > MAX_QUERY_LEN {
            return Err(Error::invalid(
                "query",
                format!("longer than {MAX_QUERY_LEN} bytes"),
            ));
        }
        Ok(SearchQuery {
            text,
            filter: article_filter("filter", r.filter.as_ref())?,
            max_snippets: r.max_snippets.clamp(1, 10) as usize,
        })
    }
}

impl TryFrom<&pb::ListStoriesRequest> for StoryFilter {
    type Error = Error;

    fn try_from(r: &pb::ListStoriesRequest) -> Result<Self> {
        Ok(StoryFilter {
            articles: article_filter("filter", r.filter.as_ref())?,
            min_articles: r.min_articles,
            order: story_order(r.order)?,
        })
    }
}

impl TryFrom<pb::IngestArticlesRequest> for RawArticle {
    type Error = Error;

    fn try_from(item: pb::IngestArticlesRequest) -> Result<Self> {
        if item.text.trim().is_empty() {
            return Err(Error::invalid("text", "is required"));
        }
        let some = |s: String| {
            let s = s.trim().to_owned();
            (!s.is_empty()).then_some(s)
        };
        let authors: Vec<String> = item
            .authors
            .into_iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        let url = optional("url", &item.url)?.unwrap_or_default();
        // Echoed back in the answer: bounded like an id.
        optional("client_ref", &item.client_ref)?;
        Ok(RawArticle {
            text: item.text,
            source: url.clone(),
            url,
            title: some(item.title),
            outlet: some(item.outlet),
            authors: (!authors.is_empty()).then_some(authors),
            published: some(item.published),
        })
    }
}

/// Domain article to proto, honouring the view.
pub fn article(a: model::Article, view: pb::ArticleView) -> pb::Article {
    let full = view != pb::ArticleView::Basic;
    pb::Article {
        id: a.id,
        source: a.source,
        title: a.title,
        outlet: a.outlet,
        authors: a.authors,
        published: a.published,
        body: if full { a.body } else { String::new() },
        paragraphs: if full { a.paragraphs } else { Vec::new() },
        entity_ids: a.entity_ids,
        quote_count: a.quote_count,
        mention_count: a.mention_count,
        url: a.url,
        removed_lines: if full { a.removed_lines } else { Vec::new() },
        subtitle: a.subtitle,
        cursor: String::new(),
        story_id: a.story_id,
        duplicate_of: a.duplicate_of,
    }
}

fn span(s: model::Span) -> Option<pb::Span> {
    Some(super::offsets::to_pb(s, pb::OffsetEncoding::CodePoints))
}

impl From<model::Entity> for pb::Entity {
    fn from(e: model::Entity) -> Self {
        pb::Entity {
            id: e.id,
            name: e.name,
            r#type: entity_type_to_pb(e.entity_type) as i32,
            aliases: e.aliases,
            mention_count: e.mention_count,
            article_count: e.article_count,
            article_ids: e.article_ids,
            roles: e.roles,
            cursor: String::new(),
        }
    }
}

impl From<model::Mention> for pb::Mention {
    fn from(m: model::Mention) -> Self {
        pb::Mention {
            entity_id: m.entity_id,
            article_id: m.article_id,
            text: m.text,
            span: span(m.span),
            entity_type: entity_type_to_pb(m.entity_type) as i32,
            cursor: String::new(),
        }
    }
}

impl From<model::Quote> for pb::Quote {
    fn from(q: model::Quote) -> Self {
        pb::Quote {
            id: q.id,
            article_id: q.article_id,
            text: q.text,
            speaker_entity_id: q.speaker_entity_id,
            speaker_name: q.speaker_name,
            cue: q.cue,
            kind: quote_kind_to_pb(q.kind) as i32,
            span: span(q.span),
            corroborating_article_ids: q.corroborating_article_ids,
            speaker_role: q.speaker_role,
            cursor: String::new(),
            corroborating_article_count: q.corroborating_article_count,
        }
    }
}

impl From<model::SearchHit> for pb::SearchHit {
    fn from(h: model::SearchHit) -> Self {
        pb::SearchHit {
            article_id: h.article_id,
            title: h.title,
            score: h.score,
            snippets: h
                .snippets
                .into_iter()
                .map(|s| pb::Snippet {
                    text: s.text,
                    highlights: s.highlights.into_iter().filter_map(span).collect(),
                    html: s.html,
                })
                .collect(),
            outlet: h.outlet,
            published: h.published,
            source: h.source,
            cursor: String::new(),
        }
    }
}

/// Story order; unspecified means by size.
pub fn story_order(value: i32) -> Result<model::StoryOrder> {
    match pb::StoryOrder::try_from(value) {
        Ok(pb::StoryOrder::Unspecified | pb::StoryOrder::Size) => Ok(model::StoryOrder::Size),
        Ok(pb::StoryOrder::Recent) => Ok(model::StoryOrder::Recent),
        Err(_) => Err(Error::invalid_as(
            Invalid::EnumValue,
            "order",
            format!("unknown StoryOrder {value}"),
        )),
    }
}

/// Relation order; unspecified means by score.
pub fn relation_order(value: i32) -> Result<model::RelationOrder> {
    match pb::RelationOrder::try_from(value) {
        Ok(pb::RelationOrder::Unspecified | pb::RelationOrder::Score) => {
            Ok(model::RelationOrder::Score)
        }
        Ok(pb::RelationOrder::Count) => Ok(model::RelationOrder::Count),
        Err(_) => Err(Error::invalid_as(
            Invalid::EnumValue,
            "order",
            format!("unknown RelationOrder {value}"),
        )),
    }
}

/// Most facets in one AggregateArticles call.
pub const MAX_FACETS: usize = 20;
/// Most buckets of one top-N facet.
pub const MAX_FACET_SIZE: u32 = 1000;
/// Buckets of a top-N facet when `size` is 0.
const DEFAULT_FACET_SIZE: u32 = 10;

/// The facets of an AggregateArticles request, validated.
pub fn facets(facets: &[pb::Facet]) -> Result<Vec<model::Facet>> {
    if facets.is_empty() {
        return Err(Error::invalid("facets", "ask for at least one facet"));
    }
    if facets.len() > MAX_FACETS {
        return Err(Error::invalid(
            "facets",
            format!("{} facets, more than {MAX_FACETS}", facets.len()),
        ));
    }
    facets
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let field = |part: &str| format!("facets[{i}].{part}");
            if f.size > MAX_FACET_SIZE {
                return Err(Error::invalid(
                    field("size"),
                    format!("{} is over the limit of {MAX_FACET_SIZE}", f.size),
                ));
            }
            let size = if f.size == 0 {
                DEFAULT_FACET_SIZE
            } else {
                f.size
            } as usize;
            let kind = pb::FacetKind::try_from(f.kind).map_err(|_| {
                Error::invalid_as(
                    Invalid::EnumValue,
                    field("kind"),
                    format!("unknown FacetKind {}", f.kind),
                )
            })?;
            Ok(match kind {
                pb::FacetKind::Unspecified => {
                    return Err(Error::invalid(field("kind"), "is required"))
                }
                pb::FacetKind::DateHistogram => {
                    let interval = match pb::DateInterval::try_from(f.interval) {
                        Ok(pb::DateInterval::Day) => model::DateInterval::Day,
                        Ok(pb::DateInterval::Week) => model::DateInterval::Week,
                        Ok(pb::DateInterval::Month) => model::DateInterval::Month,
                        Ok(pb::DateInterval::Year) => model::DateInterval::Year,
                        Ok(pb::DateInterval::Unspecified) => {
                            return Err(Error::invalid(
                                field("interval"),
                                "a date histogram needs DAY, WEEK, MONTH or YEAR",
                            ))
                        }
                        Err(_) => {
                            return Err(Error::invalid_as(
                                Invalid::EnumValue,
                                field("interval"),
                                format!("unknown DateInterval {}", f.interval),
                            ))
                        }
                    };
                    model::Facet::DateHistogram(interval)
                }
                pb::FacetKind::Outlet => model::Facet::Outlet { size },
                pb::FacetKind::Author => model::Facet::Author { size },
                pb::FacetKind::Entity => model::Facet::Entity {
                    size,
                    entity_type: pb::EntityType::try_from(f.entity_type)
                        .map_err(|_| {
                            Error::invalid_as(
                                Invalid::EnumValue,
                                field("entity_type"),
                                format!("unknown EntityType {}", f.entity_type),
                            )
                        })
                        .map(entity_type_from_pb)?,
                },
                pb::FacetKind::Speaker => model::Facet::Speaker { size },
                pb::FacetKind::Story => model::Facet::Story { size },
            })
        })
        .collect()
}

impl From<model::Story> for pb::Story {
    fn from(s: model::Story) -> Self {
        pb::Story {
            id: s.id,
            title: s.title,
            article_count: s.article_count,
            article_ids: s.article_ids,
            outlets: s.outlets,
            first_published: s.first_published,
            last_published: s.last_published,
            top_entity_ids: s.top_entity_ids,
            quote_count: s.quote_count,
            corroborated_quote_count: s.corroborated_quote_count,
            cursor: String::new(),
        }
    }
}

impl From<model::EntityRelation> for pb::EntityRelation {
    fn from(r: model::EntityRelation) -> Self {
        pb::EntityRelation {
            entity_id: r.entity_id,
            name: r.name,
            r#type: entity_type_to_pb(r.entity_type) as i32,
            article_count: r.article_count,
            paragraph_count: r.paragraph_count,
            score: r.score,
            sample_article_ids: r.sample_article_ids,
            source_entity_id: r.source_id,
            cursor: String::new(),
        }
    }
}

/// An aggregation, each result beside the facet it answers.
pub fn aggregation(a: model::Aggregation, asked: Vec<pb::Facet>) -> pb::AggregateArticlesResponse {
    pb::AggregateArticlesResponse {
        article_count: a.article_count,
        results: a
            .facets
            .into_iter()
            .zip(asked)
            .map(|(result, facet)| pb::FacetResult {
                facet: Some(facet),
                buckets: result
                    .buckets
                    .into_iter()
                    .map(|b| pb::FacetBucket {
                        key: b.key,
                        label: b.label,
                        count: b.count,
                    })
                    .collect(),
                undated_count: result.undated_count,
                other_count: result.other_count,
            })
            .collect(),
    }
}

/// GetCorpusStats' answer.
pub fn corpus_stats(stats: crate::corpus::CorpusStats) -> pb::GetCorpusStatsResponse {
    let (counts, load) = (stats.counts, stats.load);
    pb::GetCorpusStatsResponse {
        article_count: counts.articles,
        entity_count: counts.entities_by_type.iter().map(|(_, n)| n).sum(),
        entities_by_type: counts
            .entities_by_type
            .iter()
            .map(|&(t, count)| pb::EntityTypeCount {
                r#type: entity_type_to_pb(t) as i32,
                count,
            })
            .collect(),
        mention_count: counts.mentions,
        quote_count: counts.quotes,
        files_loaded: load.loaded,
        files_skipped: load.skipped.len() as u64,
        skipped_files: load
            .skipped
            .into_iter()
            .map(|s| pb::SkippedFile {
                source: s.source,
                reason: s.reason,
            })
            .collect(),
        duplicates_ignored: counts.duplicates,
        corroborated_quote_count: counts.corroborated_quotes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(limit(0, 10).unwrap(), None);
        assert_eq!(limit(5, 10).unwrap(), Some(5));
        assert!(limit(-1, 10).is_err());
        assert!(limit(11, 10).is_err());
        // The server's maximum itself is allowed.
        assert_eq!(limit(10, 10).unwrap(), Some(10));
    }

    #[test]
    fn optional_strings_are_bounded_at_their_limit() {
        let at = "x".repeat(MAX_ID_LEN);
        assert_eq!(optional("outlet", &at).unwrap(), Some(at.clone()));
        let over = format!("{at}x");
        assert!(matches!(
            optional("outlet", &over),
            Err(Error::InvalidArgument {
                kind: Invalid::TooLong,
                ..
            })
        ));
        // Surrounding space is trimmed before the length is measured.
        assert_eq!(optional("outlet", &format!("  {at}  ")).unwrap(), Some(at));
        assert_eq!(optional("outlet", "   ").unwrap(), None);
    }

    #[test]
    fn blank_overrides_are_no_overrides() {
        let item = |authors: &[&str], title: &str| pb::IngestArticlesRequest {
            text: "Body text.".into(),
            authors: authors.iter().map(|a| a.to_string()).collect(),
            title: title.into(),
            ..Default::default()
        };
        let raw = RawArticle::try_from(item(&["  ", " Jane Doe "], " Headline ")).unwrap();
        assert_eq!(raw.authors, Some(vec!["Jane Doe".to_owned()]));
        assert_eq!(raw.title.as_deref(), Some("Headline"));
        // Only blanks: the byline parsed from the text stands.
        let raw = RawArticle::try_from(item(&[" ", ""], "  ")).unwrap();
        assert_eq!(raw.authors, None);
        assert_eq!(raw.title, None);
        assert!(RawArticle::try_from(item(&[], "")).is_ok());
        assert!(RawArticle::try_from(pb::IngestArticlesRequest {
            text: "  \n ".into(),
            ..Default::default()
        })
        .is_err());
    }

    #[test]
    fn listing_orders_map_each_value_and_refuse_unknown_ones() {
        use model::{RelationOrder, StoryOrder};
        assert_eq!(story_order(0).unwrap(), StoryOrder::Size);
        assert_eq!(
            story_order(pb::StoryOrder::Size as i32).unwrap(),
            StoryOrder::Size
        );
        assert_eq!(
            story_order(pb::StoryOrder::Recent as i32).unwrap(),
            StoryOrder::Recent
        );
        assert!(story_order(99).is_err());
        assert_eq!(relation_order(0).unwrap(), RelationOrder::Score);
        assert_eq!(
            relation_order(pb::RelationOrder::Score as i32).unwrap(),
            RelationOrder::Score
        );
        assert_eq!(
            relation_order(pb::RelationOrder::Count as i32).unwrap(),
            RelationOrder::Count
        );
        assert!(relation_order(-1).is_err());
    }

    #[test]
    fn facets_are_bounded_at_their_limits_and_sized_by_default() {
        let outlet = |size: u32| pb::Facet {
            kind: pb::FacetKind::Outlet as i32,
            size,
            ..Default::default()
        };
        assert_eq!(
            facets(&[outlet(0)]).unwrap(),
            [model::Facet::Outlet {
                size: DEFAULT_FACET_SIZE as usize
            }]
        );
        assert_eq!(
            facets(&[outlet(7)]).unwrap(),
            [model::Facet::Outlet { size: 7 }]
        );
        assert_eq!(
            facets(&[outlet(MAX_FACET_SIZE)]).unwrap(),
            [model::Facet::Outlet {
                size: MAX_FACET_SIZE as usize
            }]
        );
        assert!(facets(&[outlet(MAX_FACET_SIZE + 1)]).is_err());
        assert_eq!(
            facets(&vec![outlet(1); MAX_FACETS]).unwrap().len(),
            MAX_FACETS
        );
        assert!(facets(&vec![outlet(1); MAX_FACETS + 1]).is_err());
        assert!(facets(&[]).is_err());
    }

    #[test]
    fn mentions_keep_every_field_and_their_span() {
        let m = model::Mention {
            entity_id: "person/ilse-vandermolen".into(),
            article_id: "0123456789abcdef".into(),
            text: "Ilse Vandermolen".into(),
            span: model::Span { start: 4, end: 20 },
            entity_type: model::EntityType::Person,
        };
        let p = pb::Mention::from(m);
        assert_eq!(p.entity_id, "person/ilse-vandermolen");
        assert_eq!(p.article_id, "0123456789abcdef");
        assert_eq!(p.text, "Ilse Vandermolen");
        assert_eq!(p.entity_type, pb::EntityType::Person as i32);
        let span = p.span.expect("span");
        assert_eq!((span.start, span.end), (4, 20));
        assert_eq!(span.encoding, pb::OffsetEncoding::CodePoints as i32);
    }

    #[test]
    fn every_quote_kind_round_trips() {
        use model::QuoteKind::*;
        for k in [Direct, Partial, Scare] {
            assert_eq!(
                quote_kind_filter(quote_kind_to_pb(k) as i32).unwrap(),
                Some(k)
            );
        }
    }

    #[test]
    fn unknown_enums_are_rejected() {
        assert!(entity_type_filter(99).is_err());
        assert!(quote_kind_filter(-3).is_err());
        assert!(view(7).is_err());
        assert_eq!(entity_type_filter(0).unwrap(), None);
    }

    #[test]
    fn every_entity_type_round_trips() {
        for t in model::EntityType::ALL {
            assert_eq!(
                entity_type_filter(entity_type_to_pb(t) as i32).unwrap(),
                Some(t)
            );
        }
    }

    #[test]
    fn filter_dates_are_validated() {
        let bad = pb::ArticleFilter {
            published_from: "2022-02-30".into(),
            ..Default::default()
        };
        assert!(ArticleFilter::try_from(Some(bad)).is_err());
        let reversed = pb::ArticleFilter {
            published_from: "2022-03-01".into(),
            published_to: "2022-02-01".into(),
            ..Default::default()
        };
        assert!(ArticleFilter::try_from(Some(reversed)).is_err());
        let ok = pb::ArticleFilter {
            outlet: "  Daily ".into(),
            ..Default::default()
        };
        assert_eq!(
            ArticleFilter::try_from(Some(ok)).unwrap().outlet.as_deref(),
            Some("Daily")
        );
    }
}

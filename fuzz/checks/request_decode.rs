//! Request decoding and validation on arbitrary bytes: the first byte picks
//! a request message, the rest is decoded as it (prost, as tonic does) and,
//! when it decodes, run through the validation the server runs
//! (`grpc::convert`, `grpc::cursor`, the filter conversions, query
//! parsing). Nothing may panic; a rejected request is always
//! INVALID_ARGUMENT; a decoded message re-encodes to an equal message.
//! With the first byte 15 (mod 16) the rest is fed to the cursor parsers as
//! a raw string instead.

use std::sync::OnceLock;

use newscorpus::corpus::{prepare, Limits};
use newscorpus::error::Error;
use newscorpus::grpc::{convert, cursor, pb};
use newscorpus::model::RawArticle;
use newscorpus::query::{ArticleFilter, EntityFilter, MentionFilter, QuoteFilter};
use newscorpus::store::search::{IndexFilter, SearchIndex};
use prost::Message;

const MAX_LIMIT: usize = 1_000_000;

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| SearchIndex::in_memory().expect("index"))
}

/// Validation may refuse, but only as the client's fault.
fn client_fault<T>(result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(Error::InvalidArgument { field, reason, .. }) => {
            assert!(!field.is_empty() && !reason.is_empty());
            None
        }
        Err(other) => panic!("validation answered {other:?}, not INVALID_ARGUMENT"),
    }
}

fn round_trips<M: Message + Default + PartialEq + std::fmt::Debug>(message: &M) {
    let again = M::decode(message.encode_to_vec().as_slice()).expect("re-decode");
    assert_eq!(&again, message);
}

fn decode<M: Message + Default + PartialEq + std::fmt::Debug>(bytes: &[u8]) -> Option<M> {
    let message = M::decode(bytes).ok()?;
    round_trips(&message);
    Some(message)
}

/// A cursor field as the server reads it (`cursor::given`: empty is none).
fn cursor_field(value: &str) -> Option<String> {
    client_fault(cursor::given(value))
        .flatten()
        .map(str::to_owned)
}

fn article_filter(filter: Option<pb::ArticleFilter>) -> Option<ArticleFilter> {
    client_fault(convert::article_filter("filter", filter.as_ref()))
}

/// The check the fuzz target runs on every input (and the corpus replay
/// test on every committed input).
pub fn check(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    match selector % 16 {
        0 => {
            let Some(r) = decode::<pb::GetArticleRequest>(bytes) else {
                return;
            };
            client_fault(convert::required("id", &r.id));
            client_fault(convert::view(r.view));
        }
        1 => {
            let Some(r) = decode::<pb::ListArticlesRequest>(bytes) else {
                return;
            };
            article_filter(r.filter);
            client_fault(convert::limit(r.limit, MAX_LIMIT));
            client_fault(convert::view(r.view));
            if let Some(c) = cursor_field(&r.cursor) {
                client_fault(cursor::parse_article(&c));
            }
        }
        2 => {
            let Some(r) = decode::<pb::SearchArticlesRequest>(bytes) else {
                return;
            };
            let text = r.query.trim().to_owned();
            let Some(filter) = article_filter(r.filter) else {
                return;
            };
            client_fault(convert::limit(r.limit, MAX_LIMIT));
            let fingerprint = newscorpus::query::SearchQuery {
                text: text.clone(),
                filter: filter.clone(),
                max_snippets: 1,
            }
            .fingerprint();
            if let Some(c) = cursor_field(&r.cursor) {
                client_fault(cursor::parse_search(&fingerprint, &c));
            }
            if !text.is_empty() && text.len() <= convert::MAX_QUERY_LEN {
                // Parsing, then running it (on an empty index): a query
                // the parser accepts must not fail as an internal error.
                if client_fault(index().validate(&text)).is_some() {
                    client_fault(
                        index()
                            .search(&text, &IndexFilter::default(), 0, 10, 2, |_| Vec::new())
                            .map(|_| ()),
                    );
                }
            }
        }
        3 => {
            let Some(r) = decode::<pb::GetEntityRequest>(bytes) else {
                return;
            };
            match r.selector {
                Some(pb::get_entity_request::Selector::Id(id)) => {
                    client_fault(convert::required("id", &id));
                }
                Some(pb::get_entity_request::Selector::Name(name)) => {
                    client_fault(convert::required("name", &name));
                }
                None => {}
            }
        }
        4 => {
            let Some(r) = decode::<pb::ListEntitiesRequest>(bytes) else {
                return;
            };
            client_fault(EntityFilter::try_from(&r));
            client_fault(convert::limit(r.limit, MAX_LIMIT));
            if let Some(c) = cursor_field(&r.cursor) {
                client_fault(cursor::parse_entity(&c));
            }
        }
        5 => {
            let Some(r) = decode::<pb::ListMentionsRequest>(bytes) else {
                return;
            };
            client_fault(MentionFilter::try_from(&r));
            client_fault(convert::limit(r.limit, MAX_LIMIT));
            if let Some(c) = cursor_field(&r.cursor) {
                client_fault(cursor::parse_item("mention", &c));
            }
        }
        6 => {
            let Some(r) = decode::<pb::ListQuotesRequest>(bytes) else {
                return;
            };
            client_fault(QuoteFilter::try_from(&r));
            client_fault(convert::limit(r.limit, MAX_LIMIT));
            if let Some(c) = cursor_field(&r.cursor) {
                client_fault(cursor::parse_item("quote", &c));
            }
        }
        7 => {
            let Some(r) = decode::<pb::WatchArticlesRequest>(bytes) else {
                return;
            };
            article_filter(r.filter);
            client_fault(convert::view(r.view));
            if let Some(c) = cursor_field(&r.cursor) {
                client_fault(cursor::parse_article(&c));
            }
        }
        8 | 9 => {
            // An ingest item as the adapter turns it into a raw article, then
            // the pipeline.
            let Some(item) = decode::<pb::IngestArticlesRequest>(bytes) else {
                return;
            };
            let Some(raw) = client_fault(RawArticle::try_from(item)) else {
                return;
            };
            let limits = Limits {
                max_article_bytes: 64 * 1024,
            };
            match prepare(raw, &limits) {
                Ok(draft) => assert_eq!(draft.id.len(), 16),
                Err(Error::InvalidArgument { .. } | Error::TooLarge { .. }) => {}
                Err(other) => panic!("ingest item answered {other:?}"),
            }
        }
        10 => {
            let Some(r) = decode::<pb::GetCorpusStatsRequest>(bytes) else {
                return;
            };
            let _ = r;
        }
        11 => {
            let Some(r) = decode::<pb::GetStoryRequest>(bytes) else {
                return;
            };
            client_fault(convert::required("id", &r.id));
        }
        12 => {
            let Some(r) = decode::<pb::ListStoriesRequest>(bytes) else {
                return;
            };
            article_filter(r.filter);
            client_fault(convert::story_order(r.order));
            client_fault(convert::limit(r.limit, MAX_LIMIT));
            if let Some(c) = cursor_field(&r.cursor) {
                client_fault(cursor::parse_story(&c));
            }
        }
        13 => {
            let Some(r) = decode::<pb::ListRelatedEntitiesRequest>(bytes) else {
                return;
            };
            client_fault(convert::optional("entity", &r.entity));
            article_filter(r.filter);
            client_fault(convert::entity_type_filter(r.r#type));
            client_fault(convert::relation_order(r.order));
            client_fault(convert::limit(r.limit, MAX_LIMIT));
            if let Some(c) = cursor_field(&r.cursor) {
                client_fault(cursor::parse_relation("q", &c));
            }
        }
        14 => {
            let Some(r) = decode::<pb::AggregateArticlesRequest>(bytes) else {
                return;
            };
            client_fault(convert::facets(&r.facets));
            article_filter(r.filter);
            let text = r.query.trim();
            if !text.is_empty() && text.len() <= convert::MAX_QUERY_LEN {
                client_fault(index().validate(text));
            }
        }
        _ => {
            // Raw cursor strings, straight into every parser.
            let text = String::from_utf8_lossy(bytes);
            client_fault(cursor::parse_article(&text));
            client_fault(cursor::parse_entity(&text));
            client_fault(cursor::parse_item("mention", &text));
            client_fault(cursor::parse_item("quote", &text));
            client_fault(cursor::parse_search("q\u{1f}", &text));
            client_fault(cursor::parse_story(&text));
            client_fault(cursor::parse_relation("q", &text));
            client_fault(cursor::given(&text));
        }
    }
}

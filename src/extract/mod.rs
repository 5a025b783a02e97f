//! Body → named entities (with every mention) and attributed quotes.
//!
//! Pure, deterministic and linear-time rules over a token stream, with read-only word
//! lists ([`gazetteer`]) loaded once. Spans are code-point offsets into
//! [`ParsedArticle::body`].
//!
//! - [`tokens`]: tokenizer (words, punctuation, possessives, paragraph breaks).
//! - [`doc`]: the tokenised article both extractors read.
//! - [`entities`]: proper-name chunks, typing, titles, article-level identity
//!   (one file per step: chunking, segmentation, singles, descriptions, identity).
//! - [`quotes`]: quoted spans, kinds, speakers and cues.

mod doc;
mod entities;
mod gazetteer;
mod quotes;
mod tokens;

use crate::model::{Extraction, ParsedArticle};

/// Extracts entities, mentions and quotes from an article's clean body.
pub fn extract(article: &ParsedArticle) -> Extraction {
    extract_body(&article.body())
}

/// Extracts from a body string (paragraphs separated by blank lines).
pub fn extract_body(body: &str) -> Extraction {
    let toks = tokens::tokenize(body);
    let doc = doc::Doc {
        body,
        tokens: &toks,
    };
    let pieces = entities::find_pieces(&doc);
    let (mut ex, mentions) = entities::build(&doc, pieces);
    quotes::extract_quotes(&doc, &mentions, &mut ex);
    ex
}

/// Panics if two rules of a rule table share a name: the name is how a
/// test, a reader or a debugging session points at one rule.
#[cfg(test)]
fn assert_distinct_names<T>(rules: &[(&str, T)]) {
    let mut names: Vec<&str> = rules.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), rules.len(), "a rule name is used twice");
}

#[cfg(test)]
mod tests;

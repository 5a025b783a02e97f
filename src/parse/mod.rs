//! Raw page text → article metadata and a clean body.
//!
//! Scraped news text arrives with page furniture around the story: a masthead, the
//! headline and standfirst, bylines (sometimes repeated), a date line, counter widgets,
//! photo captions, navigation ("Related Topics") and outlet footers. [`parse`] reads the
//! header block at the top (everything before the first line that reads like body
//! prose), classifies each of its lines, removes furniture anywhere, and keeps each
//! repeated paragraph once. It never guesses: with no header lines, title, outlet,
//! authors and date stay empty.

mod header;
mod text;

use crate::model::ParsedArticle;

/// Parses raw article text into metadata and clean paragraphs. Never panics; empty
/// input gives an article with no paragraphs.
pub fn parse(raw: &str) -> ParsedArticle {
    let clean = text::normalize(raw);
    let blocks = text::paragraph_lines(&clean);
    let mut article = ParsedArticle::default();

    // The header ends at the first line that reads like body prose.
    let body_start = blocks
        .iter()
        .position(|l| text::is_body_like(l))
        .unwrap_or(blocks.len());
    let header_lines = &blocks[..body_start.min(header::MAX_HEADER_LINES)];
    let consumed = header::read_header(header_lines, &mut article);

    let mut kept: Vec<String> = Vec::new();
    for line in &blocks[consumed..] {
        if text::is_furniture(line) || header::is_author_repeat(line, &article.authors) {
            article.removed_lines.push(line.clone());
            continue;
        }
        kept.push(line.clone());
    }
    // Short navigation-like lines trailing the story ("Most Read", "World") are furniture.
    while kept.last().is_some_and(|l| text::is_trailing_furniture(l)) {
        if let Some(l) = kept.pop() {
            article.removed_lines.push(l);
        }
    }
    article.paragraphs = text::drop_repeats(kept, &mut article.removed_lines);
    article
}

#[cfg(test)]
mod tests;

//! PLACEHOLDER written by the lead so the crate compiles; the extraction helper replaces this file.
use crate::model::ParsedArticle;
/// Placeholder.
pub fn parse(raw: &str) -> ParsedArticle {
    let mut lines = raw.lines().map(str::trim).filter(|l| !l.is_empty());
    let title = lines.next().unwrap_or_default().to_owned();
    ParsedArticle {
        title,
        paragraphs: lines.map(str::to_owned).collect(),
        ..Default::default()
    }
}

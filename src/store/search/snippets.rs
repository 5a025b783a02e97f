//! Snippets: the best passages of a hit's body for the query's terms, with the spans
//! to highlight.

use super::*;

/// The paragraphs with the most matches, each cut down to a snippet, in
/// body order among equals.
pub(super) fn best_snippets(
    generator: &SnippetGenerator,
    terms: &[&str],
    paragraphs: &[String],
    max: usize,
) -> Vec<Snippet> {
    let mut lower = String::new();
    let mut candidates: Vec<(usize, usize, tantivy::snippet::Snippet)> = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        if !may_contain(p, terms, &mut lower) {
            continue;
        }
        let s = generator.snippet(p);
        if !s.highlighted().is_empty() {
            candidates.push((s.highlighted().len(), i, s));
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    candidates.truncate(max.max(1));
    candidates
        .into_iter()
        .map(|(_, _, s)| to_snippet(&s))
        .collect()
}

/// False only when `paragraph` surely has none of the (lowercased, folded)
/// `terms`: cutting a snippet tokenizes the whole paragraph, and most
/// paragraphs of a hit do not match. Only ASCII text is ruled out this way,
/// where folding is just lowercasing.
pub(super) fn may_contain(paragraph: &str, terms: &[&str], lower: &mut String) -> bool {
    if !paragraph.is_ascii() {
        return true;
    }
    lower.clear();
    lower.push_str(paragraph);
    lower.make_ascii_lowercase();
    terms.iter().any(|t| lower.contains(t))
}

pub(super) fn to_snippet(snippet: &tantivy::snippet::Snippet) -> Snippet {
    let text = snippet.fragment();
    let char_at = |byte: usize| text[..byte.min(text.len())].chars().count() as u32;
    let highlights = snippet
        .highlighted()
        .iter()
        .filter(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
        .map(|r| Span::new(char_at(r.start), char_at(r.end)))
        .collect();
    Snippet {
        text: text.to_owned(),
        highlights,
        html: snippet.to_html(),
    }
}

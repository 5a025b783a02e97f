//! Line-level text handling for ingest: whitespace normalisation, paragraph
//! splitting (with hard-wrap joining), furniture detection and repeat removal.

use crate::words::word_list;
use std::collections::{HashMap, HashSet};

/// Normalises line endings and odd whitespace; drops zero-width and control characters.
pub(crate) fn normalize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\r' => {}
            '\n' | '\t' => out.push(if c == '\t' { ' ' } else { '\n' }),
            // No-break and typographic spaces read as plain spaces.
            '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => {
                out.push(' ')
            }
            // Zero-width characters and the BOM carry nothing a reader sees.
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => {}
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Collapses runs of spaces and trims.
fn squeeze(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn ends_sentence(line: &str) -> bool {
    matches!(
        line.chars().last(),
        Some('.' | '!' | '?' | '"' | '\u{201d}' | '\u{2019}' | '\'' | ':' | ')' | ';')
    )
}

/// Splits text into paragraph lines: every non-blank line is a paragraph, except that
/// hard-wrapped prose (a line not ending a sentence followed by a line starting in
/// lower case, or a block of long unterminated lines) is joined back together.
pub(crate) fn paragraph_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let lines: Vec<String> = block
            .split('\n')
            .map(squeeze)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        let wrapped = looks_wrapped(&lines);
        let mut current: Option<String> = None;
        for line in lines {
            match current.take() {
                None => current = Some(line),
                Some(mut prev) => {
                    let starts_lower = line.chars().next().is_some_and(|c| c.is_lowercase());
                    if wrapped || (!ends_sentence(&prev) && starts_lower && prev.len() > 30) {
                        prev.push(' ');
                        prev.push_str(&line);
                        current = Some(prev);
                    } else {
                        out.push(prev);
                        current = Some(line);
                    }
                }
            }
        }
        out.extend(current);
    }
    out
}

/// A block whose lines are of similar, typewriter-ish length and mostly stop mid-sentence.
fn looks_wrapped(lines: &[String]) -> bool {
    if lines.len() < 3 {
        return false;
    }
    let inner = &lines[..lines.len() - 1];
    let long = inner
        .iter()
        .filter(|l| (50..=110).contains(&l.chars().count()))
        .count();
    let open = inner.iter().filter(|l| !ends_sentence(l)).count();
    long * 10 >= inner.len() * 8 && open * 2 >= inner.len()
}

/// Words of a line (split on spaces).
pub(crate) fn word_count(line: &str) -> usize {
    line.split(' ').filter(|w| !w.is_empty()).count()
}

/// Whether a line reads like body prose rather than a headline, byline or widget.
pub(crate) fn is_body_like(line: &str) -> bool {
    let words = word_count(line);
    if words >= 25 {
        return true;
    }
    let last = line.trim_end_matches(['"', '\u{201d}', '\u{2019}', '\'', ')']);
    // Headlines do not end with a full stop; a short sentence that does ("It was a
    // quiet morning.") is the story already. Initials ("By J. Smith.") are not enough.
    let terminal = (last.ends_with('.') && !last.ends_with("..")) || last.ends_with('!');
    let lower = line.to_lowercase();
    let byline = lower.starts_with("by ") || lower.starts_with("- ");
    terminal && words >= 4 && !byline && !is_furniture(line)
}

word_list!(FURNITURE = "furniture.txt");

/// Page furniture that never belongs to the story.
pub(crate) fn is_furniture(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() {
        return true;
    }
    // Counter widgets and page numbers.
    if t.chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace() || ",.:/-|".contains(c))
    {
        return true;
    }
    let lower = t.to_lowercase();
    let bare = lower.trim_end_matches([':', '.', '!']);
    if FURNITURE.contains(bare) {
        return true;
    }
    if lower.starts_with("newspapers in ") || lower.starts_with("newspapers from ") {
        return word_count(t) <= 5;
    }
    // Photo captions and credits, with or without the "??" icon markers scrapers leave.
    let unmarked = lower.trim_start_matches(['?', ' ', '\u{fffd}']);
    for prefix in [
        "photo:",
        "photograph:",
        "photos:",
        "image:",
        "picture:",
        "caption:",
        "credit:",
        "photo credit:",
        "file photo:",
        "(photo:",
        "[photo:",
    ] {
        if unmarked.starts_with(prefix) {
            return true;
        }
    }
    if t.contains("??") && lower.contains("photo") {
        return true;
    }
    false
}

/// Short, unpunctuated lines at the end of a story are navigation or widgets.
pub(crate) fn is_trailing_furniture(line: &str) -> bool {
    let words = word_count(line);
    words <= 4 && !ends_sentence(line) && !line.contains(['"', '\u{201c}', '\u{201d}'])
}

/// FNV-1a hashes of the lowercase alphanumeric words of a line, for comparing
/// paragraphs without allocating a string per word.
fn tokens(line: &str) -> Vec<u64> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut out = Vec::new();
    let mut h = OFFSET;
    let mut in_word = false;
    for c in line.chars() {
        if c.is_alphanumeric() {
            in_word = true;
            for l in c.to_lowercase() {
                h = (h ^ u64::from(u32::from(l))).wrapping_mul(PRIME);
            }
        } else if in_word {
            out.push(h);
            h = OFFSET;
            in_word = false;
        }
    }
    if in_word {
        out.push(h);
    }
    out
}

/// First sentence of a paragraph (up to the first ". ").
fn first_sentence(line: &str) -> &str {
    match line.find(". ") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Keeps each paragraph once: exact repeats and near repeats (same long first sentence
/// and mostly the same words) of an earlier paragraph go to `removed`.
pub(crate) fn drop_repeats(paragraphs: Vec<String>, removed: &mut Vec<String>) -> Vec<String> {
    let mut seen: HashSet<Vec<u64>> = HashSet::new();
    // First sentence -> word sets of the paragraphs that open with it.
    let mut firsts: HashMap<Vec<u64>, Vec<HashSet<u64>>> = HashMap::new();
    let mut out = Vec::with_capacity(paragraphs.len());
    for p in paragraphs {
        let toks = tokens(&p);
        if toks.is_empty() {
            out.push(p);
            continue;
        }
        if seen.contains(&toks) {
            removed.push(p);
            continue;
        }
        let first = tokens(first_sentence(&p));
        if first.len() >= 10 {
            let set: HashSet<u64> = toks.iter().copied().collect();
            let others = firsts.entry(first).or_default();
            let near = others.iter().any(|other| {
                let shared = set.intersection(other).count();
                shared * 10 >= set.len().min(other.len()) * 6
            });
            if near {
                removed.push(p);
                continue;
            }
            others.push(set);
        }
        seen.insert(toks);
        out.push(p);
    }
    out
}

//! The header block: masthead, headline, standfirst, bylines and date line.
//!
//! Only lines before the first body-like line are read here, so a story that starts
//! straight with its lead sentence gets no invented headline.

use super::text;
use crate::model::ParsedArticle;
use crate::words::word_list;

/// At most this many lines at the top of a page are considered header.
pub(crate) const MAX_HEADER_LINES: usize = 14;

word_list!(
/// Words that mark a line as an outlet name (masthead) rather than a headline.
    OUTLET_WORDS = "outlet_words.txt"
);

word_list!(
/// Honorifics that may open a byline line ("Dr. Jane Roe").
    BYLINE_HONORIFICS = "byline_honorifics.txt"
);

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(m, _)| *m == w).map(|(_, n)| *n)
}

/// Splits into alternating runs of letters and digits, dropping everything else, so
/// "28, 2022Updated:" reads as ["28", "2022", "Updated"].
fn date_tokens(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut kind = 0u8; // 1 letters, 2 digits
    for c in line.chars() {
        let k = if c.is_alphabetic() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            0
        };
        if k != kind && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        kind = k;
        if k != 0 {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn valid(y: u32, m: u32, d: u32) -> Option<String> {
    ((1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Finds the first calendar date in a line ("April 28, 2022", "28 April 2022",
/// "2022-04-28") and returns it as `YYYY-MM-DD`.
pub fn parse_date(line: &str) -> Option<String> {
    // ISO dates first: they are unambiguous.
    let b = line.as_bytes();
    for i in 0..b.len().saturating_sub(9) {
        let w = &b[i..i + 10];
        if w[4] == b'-'
            && w[7] == b'-'
            && w[..4].iter().all(u8::is_ascii_digit)
            && w[5..7].iter().all(u8::is_ascii_digit)
            && w[8..10].iter().all(u8::is_ascii_digit)
        {
            let num = |s: &[u8]| std::str::from_utf8(s).ok()?.parse::<u32>().ok();
            if let (Some(y), Some(m), Some(d)) = (num(&w[..4]), num(&w[5..7]), num(&w[8..10])) {
                if let Some(s) = valid(y, m, d) {
                    return Some(s);
                }
            }
        }
    }
    let toks = date_tokens(line);
    let num = |s: &str| -> Option<u32> {
        (s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    for i in 0..toks.len() {
        let Some(m) = month_of(&toks[i]) else {
            continue;
        };
        // Month D, YYYY
        if let (Some(d), Some(y)) = (
            toks.get(i + 1).and_then(|t| num(t)),
            toks.get(i + 2).and_then(|t| num(t)),
        ) {
            if toks[i + 1].len() <= 2 && toks[i + 2].len() == 4 {
                if let Some(s) = valid(y, m, d) {
                    return Some(s);
                }
            }
        }
        // D Month YYYY
        if i > 0 {
            if let (Some(d), Some(y)) = (num(&toks[i - 1]), toks.get(i + 1).and_then(|t| num(t))) {
                if toks[i - 1].len() <= 2 && toks[i + 1].len() == 4 {
                    if let Some(s) = valid(y, m, d) {
                        return Some(s);
                    }
                }
            }
        }
    }
    None
}

/// A short line whose point is a date (with "Updated:", "Published" and the like).
fn is_date_line(line: &str) -> Option<String> {
    if text::word_count(line) > 12 {
        return None;
    }
    parse_date(line)
}

fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// "Jane Roe", "Shi Jiangtao", "Mary-Anne O'Neil": 2–4 capitalised name words.
fn looks_like_name(s: &str) -> bool {
    let words: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
    (2..=5).contains(&words.len())
        && s.chars().count() <= 48
        && words.iter().all(|w| {
            (is_capitalized(w) || matches!(*w, "de" | "van" | "von" | "al" | "bin" | "da"))
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '\u{2019}' | '.'))
        })
        && !words.iter().any(|w| OUTLET_WORDS.contains(w))
}

/// Splits a byline body ("Shi Jiangtao and Teddy Ng") into names.
fn split_authors(s: &str) -> Vec<String> {
    let s = s.trim().trim_end_matches(['.', ',', '|']);
    let mut out = Vec::new();
    for part in s.split([',', '&', '|', ';']) {
        for name in part.split(" and ") {
            let name = name.trim();
            let name = strip_honorific(name);
            if looks_like_name(name) || (text::word_count(name) == 1 && is_capitalized(name)) {
                out.push(name.to_owned());
            }
        }
    }
    out
}

fn strip_honorific(name: &str) -> &str {
    for h in BYLINE_HONORIFICS.iter() {
        if let Some(rest) = name.strip_prefix(h) {
            if rest.starts_with(' ') {
                return rest.trim();
            }
        }
    }
    name
}

/// Authors named by a byline line, if the line is one.
fn byline(line: &str, title_seen: bool, have_authors: bool) -> Option<Vec<String>> {
    let lower = line.to_lowercase();
    for prefix in [
        "by ",
        "- ",
        "\u{2013} ",
        "\u{2014} ",
        "written by ",
        "words by ",
    ] {
        if lower.starts_with(prefix) && text::word_count(line) <= 14 {
            let names = split_authors(&line[prefix.len()..]);
            if !names.is_empty() {
                return Some(names);
            }
        }
    }
    // "Dr. Jane Roe" on its own line.
    let stripped = strip_honorific(line);
    if stripped.len() != line.len() && looks_like_name(stripped) {
        return Some(vec![stripped.to_owned()]);
    }
    // A bare name line under the headline is a byline.
    if title_seen && !have_authors && looks_like_name(line) && text::word_count(line) <= 4 {
        return Some(vec![line.to_owned()]);
    }
    None
}

/// A line repeating a byline name ("Gabrielle Stephenson" under "By Gabrielle Stephenson").
pub(crate) fn is_author_repeat(line: &str, authors: &[String]) -> bool {
    let l = strip_honorific(line.trim());
    authors.iter().any(|a| a == l) || (authors.len() > 1 && split_authors(l) == authors)
}

fn is_outlet(line: &str) -> bool {
    let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
    words.len() <= 6
        && words
            .iter()
            .all(|w| is_capitalized(w) || matches!(*w, "of" | "the" | "and" | "&" | "-"))
        && words.iter().any(|w| OUTLET_WORDS.contains(w))
        && !line.ends_with(['.', '?', '!'])
}

/// Reads header lines into `article`; returns how many lines were consumed.
pub(crate) fn read_header(lines: &[String], article: &mut ParsedArticle) -> usize {
    let mut heads: Vec<&String> = Vec::new();
    for line in lines {
        if text::is_furniture(line) {
            article.removed_lines.push(line.clone());
        } else if let Some(date) = is_date_line(line) {
            if article.published.is_empty() {
                article.published = date;
            }
        } else if is_author_repeat(line, &article.authors) {
            article.removed_lines.push(line.clone());
        } else if let Some(names) = byline(line, !heads.is_empty(), !article.authors.is_empty()) {
            for n in names {
                if !article.authors.contains(&n) {
                    article.authors.push(n);
                }
            }
        } else {
            heads.push(line);
        }
    }
    let mut heads = heads.into_iter();
    if lines.len() >= 2 {
        if let Some(first) = heads.clone().next() {
            if is_outlet(first) && heads.len() >= 2 {
                article.outlet = first.clone();
                heads.next();
            }
        }
    }
    if let Some(t) = heads.next() {
        article.title = t.clone();
    }
    let rest: Vec<&str> = heads.map(String::as_str).collect();
    article.subtitle = rest.join(" ");
    lines.len()
}

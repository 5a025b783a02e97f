//! Prefix (`word*`) and fuzzy (`word~N`) terms: expanded against the index's own
//! terms, bounded so that one query cannot fan out into thousands of terms.

use super::*;

/// Most expanding words (prefixes `harb*`, fuzzy words `harbor~1`) one
/// query may hold: each expands to every indexed word it matches, so a query
/// of hundreds would cost hundreds of such expansions.
pub const MAX_EXPANDING_TERMS: usize = 16;
/// Fewest letters before the `*` of a prefix word.
pub const MIN_PREFIX_CHARS: usize = 2;
/// Largest edit distance of a fuzzy word (`word~2`), as in Lucene.
pub const MAX_FUZZY_DISTANCE: u8 = 2;

pub(super) fn expanding_terms(text: &str) -> Result<Expanding> {
    let indexed = |word: &str| -> Vec<String> {
        let mut analyzer = prose_words().build();
        let mut stream = analyzer.token_stream(word);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    };
    let mut found = Expanding {
        text: String::with_capacity(text.len()),
        prefixes: Vec::new(),
        fuzzy: Vec::new(),
    };
    // Whitespace-separated words outside quotes (a phrase is the parser's,
    // `"a b"~2` included).
    let mut quoted = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '"' || quoted || c.is_whitespace() {
            if c == '"' {
                quoted = !quoted;
            }
            found.text.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        rest = after;
        let bare = word
            .trim_start_matches(['+', '-', '('])
            .trim_end_matches(')');
        let bare = bare
            .rsplit_once(':')
            .map_or(bare, |(_, w)| w.trim_start_matches(['+', '-', '(']));
        if let Some(stem) = bare.strip_suffix('*') {
            if !stem.is_empty() && stem.chars().all(char::is_alphanumeric) {
                if stem.chars().count() < MIN_PREFIX_CHARS {
                    return Err(Error::invalid(
                        "query",
                        format!(
                            "a prefix (`{bare}`) needs at least {MIN_PREFIX_CHARS} letters before `*`"
                        ),
                    ));
                }
                found.prefixes.extend(indexed(stem));
            }
        } else if let Some((stem, distance)) = bare.rsplit_once('~') {
            let distance = match distance {
                "" => Some(MAX_FUZZY_DISTANCE),
                d => d.parse::<u8>().ok(),
            };
            if let Some(distance) =
                distance.filter(|_| !stem.is_empty() && stem.chars().all(char::is_alphanumeric))
            {
                if distance > MAX_FUZZY_DISTANCE {
                    return Err(Error::invalid(
                        "query",
                        format!("a fuzzy word (`{bare}`) may differ by at most {MAX_FUZZY_DISTANCE} edits"),
                    ));
                }
                found
                    .fuzzy
                    .extend(indexed(stem).into_iter().map(|w| (w, distance)));
                // The word without its `~N` (a closing parenthesis kept).
                let tilde = word.rfind('~').unwrap_or(word.len());
                found.text.push_str(&word[..tilde]);
                found.text.push_str(
                    word[tilde..].trim_start_matches(|c: char| c == '~' || c.is_ascii_digit()),
                );
                continue;
            }
        }
        if found.prefixes.len() + found.fuzzy.len() > MAX_EXPANDING_TERMS {
            return Err(Error::invalid(
                "query",
                format!(
                    "at most {MAX_EXPANDING_TERMS} prefix or fuzzy words (`word*`, `word~N`) in one query"
                ),
            ));
        }
        found.text.push_str(word);
    }
    if found.prefixes.len() + found.fuzzy.len() > MAX_EXPANDING_TERMS {
        return Err(Error::invalid(
            "query",
            format!(
                "at most {MAX_EXPANDING_TERMS} prefix or fuzzy words (`word*`, `word~N`) in one query"
            ),
        ));
    }
    Ok(found)
}

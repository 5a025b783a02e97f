//! Lookup keys for names: a plain key (case, accents and punctuation ignored) and a
//! transliteration key (a consonant skeleton) under which spelling variants of the
//! same name meet ("Sadeghi"/"Sadeqi", "Ismail"/"Esmail", "Hossein"/"Hussein").

use unicode_normalization::UnicodeNormalization;

/// Case-, accent- and punctuation-insensitive key: "U.S." and "US" → "us",
/// "The Hague" → "hague", "Zhou’s" → "zhou".
pub fn name_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    // Decomposition only matters for non-ASCII text; most names skip it.
    let chars: Box<dyn Iterator<Item = char>> = if name.is_ascii() {
        Box::new(name.chars())
    } else {
        Box::new(name.nfkd())
    };
    for c in chars {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else if c == '.' || c == '\'' || c == '\u{2019}' {
            // "U.S." → "us", "O'Neil" → "oneil"
        } else {
            pending_space = true;
        }
    }
    // Possessive left over from "Iran's" → "irans": strip a trailing "s" only when the
    // source had an apostrophe before it.
    if name.ends_with("'s") || name.ends_with("\u{2019}s") {
        out.pop();
    }
    match out.strip_prefix("the ") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => out,
    }
}

/// Consonant skeleton of one word: digraphs folded, vowels dropped (an initial vowel
/// kept as a placeholder), doubled letters collapsed.
pub(crate) fn skeleton(word: &str) -> String {
    let lower = name_key(word).replace(' ', "");
    let s = lower
        .replace("gh", "q")
        .replace("kh", "k")
        .replace("ph", "f")
        .replace("th", "t")
        .replace("sh", "s")
        .replace("dh", "d")
        .replace("ck", "k")
        .replace("ou", "u")
        .replace('w', "v")
        .replace('z', "s")
        .replace('c', "k")
        .replace('j', "y");
    let mut out = String::new();
    let mut last = '\0';
    for (i, ch) in s.chars().enumerate() {
        let vowel = matches!(ch, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'h');
        let mapped = if vowel {
            if i == 0 && ch != 'h' {
                '*'
            } else {
                continue;
            }
        } else {
            ch
        };
        if mapped != last {
            out.push(mapped);
        }
        last = mapped;
    }
    out
}

/// Skeleton of a whole name, word by word.
pub(crate) fn translit_key(name: &str) -> String {
    name_key(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(skeleton)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Initials of a multi-word name ("National Transport Safety Board" → "ntsb"), and
/// with function words dropped.
pub(crate) fn initials(name: &str) -> Vec<String> {
    let key = name_key(name);
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 2 {
        return Vec::new();
    }
    let all: String = words.iter().filter_map(|w| w.chars().next()).collect();
    let content: String = words
        .iter()
        .filter(|w| !matches!(**w, "of" | "the" | "and" | "for" | "on" | "in" | "de"))
        .filter_map(|w| w.chars().next())
        .collect();
    if all == content {
        vec![all]
    } else {
        vec![all, content]
    }
}

/// Longest slug in an entity id, in bytes: ids (and the cursors and
/// requests that carry them) stay bounded whatever the name's length.
pub const MAX_SLUG_BYTES: usize = 96;

/// Lowercase ASCII slug for ids: "Zhou Yongkang" → "zhou-yongkang", cut at
/// a word break to at most [`MAX_SLUG_BYTES`].
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.nfkd() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_' || c == '/')
            && !out.ends_with('-')
            && !out.is_empty()
        {
            out.push('-');
        }
    }
    if out.len() > MAX_SLUG_BYTES {
        let cut = out[..=MAX_SLUG_BYTES]
            .rfind('-')
            .filter(|&at| at > MAX_SLUG_BYTES / 2)
            .unwrap_or(MAX_SLUG_BYTES);
        out.truncate(cut);
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "unnamed".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_punctuation() {
        assert_eq!(name_key("U.S."), name_key("US"));
        assert_eq!(name_key("Sadeghi"), name_key("SADEGHI"));
        assert_eq!(name_key("Iran’s"), "iran");
        assert_eq!(name_key("Zürich"), "zurich");
    }

    #[test]
    fn skeletons_meet_for_variants() {
        assert_eq!(
            translit_key("Mohammad Sadeghi"),
            translit_key("Mohammad Sadeqi")
        );
        assert_eq!(translit_key("Ismail Karimi"), translit_key("Esmail Karimi"));
        assert_eq!(translit_key("Hossein"), translit_key("Hussein"));
        assert_eq!(translit_key("Ashkani"), translit_key("Ishkani"));
        assert_ne!(translit_key("Smith"), translit_key("Schmidt"));
    }

    #[test]
    fn slugs_are_bounded_and_cut_at_a_word_break() {
        let long = "Organisation ".repeat(40);
        let s = slug(&long);
        assert!(
            s.len() <= MAX_SLUG_BYTES && s.len() > MAX_SLUG_BYTES / 2,
            "{s}"
        );
        assert!(s.ends_with("organisation"), "{s}");
        let one_word = "x".repeat(500);
        assert_eq!(slug(&one_word).len(), MAX_SLUG_BYTES);
        assert_eq!(slug("Zhou Yongkang"), "zhou-yongkang");
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Zhou Yongkang"), "zhou-yongkang");
        assert_eq!(slug("São Paulo"), "sao-paulo");
        assert_eq!(slug("???"), "unnamed");
    }
}

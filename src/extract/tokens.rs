//! Tokenizer for article bodies: words, punctuation, possessive markers and paragraph
//! breaks, each with byte offsets (for slicing) and code-point offsets (for spans).
//!
//! Word rules follow news typography: "U.S." and "Gen." keep their dots, "doesn’t"
//! and "O’Neil" keep their apostrophe, a possessive "’s" becomes its own token so
//! entity spans can stop before it, and hyphens are separate tokens marked as
//! glued so "China-Iran" can still be read as one compound.

use crate::words::word_list;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters/digits (with internal dots/apostrophes as described above).
    Word,
    /// A single punctuation or symbol character.
    Punct,
    /// A possessive "’s" / "'s" (or a lone "’" after a plural "s").
    Possessive,
    /// A blank line between paragraphs.
    ParaBreak,
}

/// One token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    /// Kind.
    pub kind: Kind,
    /// Byte range in the body.
    pub b0: usize,
    /// Byte end.
    pub b1: usize,
    /// Code point start.
    pub c0: usize,
    /// Code point end.
    pub c1: usize,
    /// Whitespace (or start of text) directly before the token.
    pub space_before: bool,
    /// First word of a sentence (after ". ", a paragraph break or an opening quote there).
    pub sent_start: bool,
    /// Paragraph index.
    pub para: usize,
}

word_list!(
/// Abbreviations whose trailing dot belongs to the word (so it does not end a sentence).
    ABBREVIATIONS = "abbreviations.txt"
);

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn is_hyphen(c: char) -> bool {
    c == '-' || c == '\u{2010}' || c == '\u{2011}'
}

/// Tokenizes `body`. Linear in its length.
pub(crate) fn tokenize(body: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let n = chars.len();
    let byte_at = |i: usize| if i < n { chars[i].0 } else { body.len() };
    let ch = |i: usize| if i < n { Some(chars[i].1) } else { None };
    let mut out: Vec<Token> = Vec::with_capacity(n / 4);
    let mut i = 0;
    let mut space_before = true;
    let mut para = 0;
    let mut sent_start = true;
    while i < n {
        let c = chars[i].1;
        if c.is_whitespace() {
            // A blank line (two newlines with only spaces between) separates paragraphs.
            if c == '\n' {
                let mut j = i + 1;
                while j < n && chars[j].1.is_whitespace() && chars[j].1 != '\n' {
                    j += 1;
                }
                if j < n && chars[j].1 == '\n' {
                    out.push(Token {
                        kind: Kind::ParaBreak,
                        b0: byte_at(i),
                        b1: byte_at(j + 1),
                        c0: i,
                        c1: j + 1,
                        space_before: true,
                        sent_start: false,
                        para,
                    });
                    para += 1;
                    sent_start = true;
                    i = j + 1;
                    space_before = true;
                    continue;
                }
            }
            space_before = true;
            i += 1;
            continue;
        }
        let start = i;
        let kind;
        if c.is_alphanumeric() {
            kind = Kind::Word;
            i += 1;
            loop {
                match ch(i) {
                    Some(x) if x.is_alphanumeric() || is_combining(x) => i += 1,
                    // Digits grouped with , or . (10,000 / 10.5).
                    Some(',' | '.')
                        if chars[i - 1].1.is_ascii_digit()
                            && ch(i + 1).is_some_and(|d| d.is_ascii_digit()) =>
                    {
                        i += 2
                    }
                    Some(a) if is_apostrophe(a) => {
                        let next = ch(i + 1);
                        let after = ch(i + 2);
                        let possessive = matches!(next, Some('s' | 'S'))
                            && !after.is_some_and(|x| x.is_alphanumeric());
                        if next.is_some_and(|x| x.is_alphabetic()) && !possessive {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            // Dotted initialisms: U.S. / U.N. / D.C. / U.S.A.
            let word = &body[byte_at(start)..byte_at(i)];
            if i == start + 1 && chars[start].1.is_uppercase() && ch(i) == Some('.') {
                let mut j = i;
                while ch(j) == Some('.')
                    && ch(j + 1).is_some_and(char::is_uppercase)
                    && matches!(ch(j + 2), Some('.'))
                {
                    j += 2;
                }
                if j > i {
                    i = j + 1; // include the final dot
                } else if ch(i + 1).is_some_and(|x| x == ' ')
                    && ch(i + 2).is_some_and(char::is_uppercase)
                    && start > 0
                    && chars[start - 1].1 == ' '
                {
                    // A middle initial ("John F. Kennedy").
                    i += 1;
                }
            } else if ch(i) == Some('.') && ABBREVIATIONS.contains(word) {
                i += 1;
            }
        } else {
            kind = if is_apostrophe(c)
                && matches!(ch(i + 1), Some('s' | 'S'))
                && !ch(i + 2).is_some_and(|x| x.is_alphanumeric())
                && out
                    .last()
                    .is_some_and(|t| t.kind == Kind::Word && t.c1 == i)
            {
                i += 2;
                Kind::Possessive
            } else {
                i += 1;
                Kind::Punct
            };
        }
        let tok = Token {
            kind,
            b0: byte_at(start),
            b1: byte_at(i),
            c0: start,
            c1: i,
            space_before,
            sent_start: sent_start && kind == Kind::Word,
            para,
        };
        out.push(tok);
        space_before = false;
        match kind {
            Kind::Word => sent_start = false,
            Kind::Punct => {
                let spaced_dash = matches!(c, '-' | '\u{2013}' | '\u{2014}')
                    && tok.space_before
                    && ch(i).is_some_and(char::is_whitespace);
                if matches!(c, '.' | '!' | '?') || spaced_dash {
                    // A spaced dash after a dateline ("PARIS - The …") starts the text.
                    sent_start = true;
                } else if !is_open_quote(c) && !matches!(c, '(' | '[' | '\u{2014}' | '-') {
                    // Closing quotes after a sentence end keep the next word sentence-initial.
                    if !is_close_quote(c) {
                        sent_start = false;
                    }
                }
            }
            _ => {}
        }
        let _ = is_hyphen;
    }
    out
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36f | 0x1ab0..=0x1aff | 0x1dc0..=0x1dff | 0x20d0..=0x20ff | 0xfe20..=0xfe2f)
}

/// Opening quotation marks.
pub(crate) fn is_open_quote(c: char) -> bool {
    matches!(c, '\u{201c}' | '\u{2018}' | '"' | '\u{ab}' | '\u{201e}')
}

/// Closing quotation marks.
pub(crate) fn is_close_quote(c: char) -> bool {
    matches!(c, '\u{201d}' | '\u{2019}' | '"' | '\u{bb}')
}

/// Whether `c` is a hyphen joining compound words.
pub(crate) fn hyphen(c: char) -> bool {
    is_hyphen(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| &s[t.b0..t.b1]).collect()
    }

    #[test]
    fn splits_possessive_and_keeps_abbreviations() {
        assert_eq!(
            words("Iran’s U.S. Gen. Smith"),
            vec!["Iran", "’s", "U.S.", "Gen.", "Smith"]
        );
        assert_eq!(words("doesn’t O'Neil's"), vec!["doesn’t", "O'Neil", "'s"]);
        assert_eq!(
            words("China-Iran 10,000"),
            vec!["China", "-", "Iran", "10,000"]
        );
    }

    #[test]
    fn offsets_are_code_points() {
        let s = "“Hé” said";
        let t = tokenize(s);
        let chars: Vec<char> = s.chars().collect();
        for tok in &t {
            let text: String = chars[tok.c0..tok.c1].iter().collect();
            assert_eq!(text, &s[tok.b0..tok.b1]);
        }
    }

    #[test]
    fn marks_paragraphs_and_sentence_starts() {
        let t = tokenize("One two. Three\n\nFour");
        assert!(t.iter().any(|x| x.kind == Kind::ParaBreak));
        let starts: Vec<bool> = t
            .iter()
            .filter(|x| x.kind == Kind::Word)
            .map(|x| x.sent_start)
            .collect();
        assert_eq!(starts, vec![true, false, true, true]);
    }
}

//! Finding quoted spans: opening and closing marks (double, and single quotes used as
//! quotation marks), paragraphs that continue a quote, and the sentences around them.

use super::*;

pub(super) fn punct_char(doc: &Doc, i: usize) -> Option<char> {
    let t = doc.tokens.get(i)?;
    if t.kind != Kind::Punct {
        return None;
    }
    doc.text(i).chars().next()
}

/// Finds quoted spans paragraph by paragraph.
pub(super) fn find_quotes(doc: &Doc) -> Vec<RawQuote> {
    let n = doc.tokens.len();
    let mut out = Vec::new();
    let mut double_open: Option<usize> = None;
    let mut single_open: Option<usize> = None;
    let mut i = 0;
    while i <= n {
        let at_end = i == n || doc.tokens[i].kind == Kind::ParaBreak;
        if at_end {
            if let Some(o) = double_open.take() {
                if i > o + 1 {
                    out.push(RawQuote {
                        open: o,
                        close: i,
                        open_ended: true,
                    });
                }
            }
            single_open = None;
            i += 1;
            continue;
        }
        let Some(c) = punct_char(doc, i) else {
            i += 1;
            continue;
        };
        let next_glued_word = doc
            .tokens
            .get(i + 1)
            .is_some_and(|t| t.kind == Kind::Word && !t.space_before);
        let prev_word_glued =
            i > 0 && doc.tokens[i - 1].kind == Kind::Word && !doc.tokens[i].space_before;
        match c {
            '\u{201c}' | '\u{201e}' | '\u{ab}' if double_open.is_none() => {
                double_open = Some(i);
                single_open = None;
            }
            '\u{201d}' | '\u{bb}' => {
                if let Some(o) = double_open.take() {
                    if i > o + 1 {
                        out.push(RawQuote {
                            open: o,
                            close: i,
                            open_ended: false,
                        });
                    }
                }
            }
            '"' => match double_open.take() {
                Some(o) => {
                    if i > o + 1 {
                        out.push(RawQuote {
                            open: o,
                            close: i,
                            open_ended: false,
                        });
                    }
                }
                None => {
                    if !prev_word_glued || next_glued_word {
                        double_open = Some(i);
                        single_open = None;
                    }
                }
            },
            '\u{2018}' | '\'' | '\u{2019}' if double_open.is_none() => {
                let opening = (doc.tokens[i].space_before || i == 0 || is_opener_context(doc, i))
                    && next_glued_word
                    && c != '\u{2019}';
                if single_open.is_none() && opening {
                    single_open = Some(i);
                } else if let Some(o) = single_open {
                    // A closing mark follows a word or punctuation and is not glued to a
                    // following letter (which would make it an apostrophe).
                    // "the players' wages": after a plural "s" and before a lowercase
                    // word, the mark is a possessive apostrophe.
                    let plural_possessive = i > 0
                        && doc.tokens[i - 1].kind == Kind::Word
                        && doc.text(i - 1).ends_with('s')
                        && !doc.tokens[i].space_before
                        && doc.tokens.get(i + 1).is_some_and(|t| {
                            t.kind == Kind::Word
                                && doc.text(i + 1).starts_with(|ch: char| ch.is_lowercase())
                        });
                    let closing =
                        !next_glued_word && !plural_possessive && i > o + 1 && c != '\u{2018}';
                    if closing {
                        out.push(RawQuote {
                            open: o,
                            close: i,
                            open_ended: false,
                        });
                        single_open = None;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

pub(super) fn is_opener_context(doc: &Doc, i: usize) -> bool {
    i > 0
        && matches!(
            punct_char(doc, i - 1),
            Some('(' | '[' | '\u{2014}' | '\u{2013}' | ':')
        )
}

/// Whether two quotes are in adjacent sentences (so a cue-less one continues the other).
pub(super) fn sent_gap_ok(sent: &[usize], prev: &RawQuote, q: &RawQuote) -> bool {
    let a = sent[prev.close.min(sent.len() - 1)];
    let b = sent[q.open.min(sent.len() - 1)];
    b <= a + 2
}

/// Code point and byte bounds of a quote's text (marks excluded, whitespace trimmed).
pub(super) fn text_bounds(doc: &Doc, q: &RawQuote) -> (usize, usize, usize, usize) {
    let open = &doc.tokens[q.open];
    let (mut c0, mut b0) = (open.c1, open.b1);
    let (mut c1, mut b1) = if q.open_ended {
        let last = &doc.tokens[q.close - 1];
        (last.c1, last.b1)
    } else {
        let close = &doc.tokens[q.close];
        (close.c0, close.b0)
    };
    let s = &doc.body[b0..b1.max(b0)];
    for ch in s.chars() {
        if !ch.is_whitespace() {
            break;
        }
        c0 += 1;
        b0 += ch.len_utf8();
    }
    let s = &doc.body[b0..b1.max(b0)];
    for ch in s.chars().rev() {
        if !ch.is_whitespace() {
            break;
        }
        c1 -= 1;
        b1 -= ch.len_utf8();
    }
    (c0, c1.max(c0), b0, b1.max(b0))
}

/// Sentence index of every token; quotes are opaque (their inner full stops do not
/// end the surrounding sentence) unless the quote itself ends the sentence.
pub(super) fn sentence_ids(doc: &Doc, quoted: &[bool]) -> Vec<usize> {
    let n = doc.tokens.len();
    let mut ids = vec![0; n];
    let mut s = 0;
    for i in 0..n {
        ids[i] = s;
        let t = &doc.tokens[i];
        if t.kind == Kind::ParaBreak {
            s += 1;
            continue;
        }
        let ends = match punct_char(doc, i) {
            Some('.' | '!' | '?') if !quoted[i] => true,
            Some(c) if is_close_quote(c) && quoted[i] => {
                // “… level.” He said → ends; “…,” he said → does not.
                i > 0
                    && matches!(punct_char(doc, i - 1), Some('.' | '!' | '?'))
                    && doc.tokens.get(i + 1).is_some_and(|nt| {
                        nt.kind == Kind::Word && doc.text(i + 1).starts_with(char::is_uppercase)
                    })
            }
            _ => false,
        };
        if ends {
            s += 1;
        }
    }
    ids
}

pub(super) fn is_sentence_start(doc: &Doc, open: usize) -> bool {
    if open == 0 {
        return true;
    }
    let prev = &doc.tokens[open - 1];
    prev.kind == Kind::ParaBreak
        || matches!(punct_char(doc, open - 1), Some('.' | '!' | '?' | ':'))
        || punct_char(doc, open - 1).is_some_and(is_close_quote)
            && open >= 2
            && matches!(punct_char(doc, open - 2), Some('.' | '!' | '?'))
}

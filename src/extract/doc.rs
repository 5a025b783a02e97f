//! The tokenised article both extractors read: the body and its tokens, with the
//! small look-ups every rule uses (a token's text, whether it is a word or a given
//! punctuation mark).

use super::tokens::{Kind, Token};

/// Article context shared by the passes.
pub(crate) struct Doc<'a> {
    /// The body.
    pub body: &'a str,
    /// Its tokens.
    pub tokens: &'a [Token],
}

impl<'a> Doc<'a> {
    /// Text of token `i`.
    pub(crate) fn text(&self, i: usize) -> &'a str {
        let t = &self.tokens[i];
        &self.body[t.b0..t.b1]
    }

    /// Text from token `a` to token `b` (exclusive), as written.
    pub(crate) fn span_text(&self, a: usize, b: usize) -> &'a str {
        if a >= b {
            return "";
        }
        &self.body[self.tokens[a].b0..self.tokens[b - 1].b1]
    }

    pub(crate) fn is_word(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == Kind::Word)
    }

    pub(crate) fn is_punct(&self, i: usize, c: &str) -> bool {
        self.tokens
            .get(i)
            .is_some_and(|t| t.kind == Kind::Punct && self.text(i) == c)
    }
}

impl Doc<'_> {
    pub(crate) fn t_prev_is(&self, i: usize, word: &str) -> bool {
        i > 0 && self.is_word(i - 1) && self.text(i - 1).eq_ignore_ascii_case(word)
    }
}

//! The index's tokenizers: prose words for body and title, and word pairs (two words
//! as one token) that make phrase queries cheap.

use super::*;

/// Words of prose as indexed and queried: split on non-alphanumerics,
/// lowercased and accent-folded, so that "Téhéran" finds "Tehran".
pub(super) fn prose_words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
}

/// Token filter joining each token with the next ("nuclear", "deal" →
/// "nuclear deal"): the terms of the word-pair fields.
#[derive(Clone)]
pub(super) struct WordPairs;

impl TokenFilter for WordPairs {
    type Tokenizer<T: Tokenizer> = WordPairsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordPairsFilter<T> {
        WordPairsFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub(super) struct WordPairsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for WordPairsFilter<T> {
    type TokenStream<'a> = WordPairsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordPairsStream {
            inner: self.inner.token_stream(text),
            previous: None,
            token: Token::default(),
        }
    }
}

pub(super) struct WordPairsStream<S> {
    inner: S,
    /// The last word seen: its text, start offset and position.
    previous: Option<(String, usize, usize)>,
    token: Token,
}

impl<S: TokenStream> TokenStream for WordPairsStream<S> {
    fn advance(&mut self) -> bool {
        while self.inner.advance() {
            let current = self.inner.token();
            let Some((text, from, position)) = self.previous.as_mut() else {
                self.previous = Some((current.text.clone(), current.offset_from, current.position));
                continue;
            };
            self.token.text.clear();
            self.token.text.push_str(text);
            self.token.text.push(' ');
            self.token.text.push_str(&current.text);
            self.token.offset_from = *from;
            self.token.offset_to = current.offset_to;
            self.token.position = *position;
            self.token.position_length = 1;
            text.clear();
            text.push_str(&current.text);
            *from = current.offset_from;
            *position = current.position;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

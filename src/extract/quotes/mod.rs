//! Quotations: finding quoted spans, classifying them, and attributing them.
//!
//! Spans: curly and straight double quotes, and single quotes used as quotation
//! marks (only outside double quotes, and only when they open before a word and
//! close after one, so apostrophes are not mistaken for them). A double quote still
//! open at the end of a paragraph ends there: news style opens every paragraph of a
//! long quote and closes only the last.
//!
//! Attribution, in order: a cue after the quote ("…,” Smith said / said Smith /
//! according to X); the nearest cue before it in the same sentence and that verb's
//! subject ("X, a professor, said that “…”", "According to X, “…”", "X described
//! Y as “…”"); a quote that opens a paragraph or follows an attributed quote with
//! no cue of its own continues the previous speaker. Pronoun subjects resolve to
//! the first person (or "ORG spokesman") of the nearest earlier sentence naming one.

use super::doc::Doc;
use super::entities::TokMention;
use super::gazetteer;
use super::tokens::{is_close_quote, Kind};
use crate::model::{EntityType, Extraction, LocalQuote, QuoteKind, Span};
use crate::words::word_list;

mod attribution;
mod continuation;
mod coreference;
mod ctx;
mod kind;
mod spans;
mod subject;

use spans::*;

/// A quoted span in token coordinates.
#[derive(Debug, Clone)]
struct RawQuote {
    /// Opening mark token.
    open: usize,
    /// Closing mark token, or one past the paragraph's last token when left open.
    close: usize,
    /// Left open at the end of its paragraph.
    open_ended: bool,
}

/// Who said something.
#[derive(Debug, Clone, Default)]
struct Speaker {
    entity: Option<usize>,
    name: String,
    role: String,
    cue: String,
}

/// Extracts quotes and attributes them; fills `ex.quotes`.
pub(crate) fn extract_quotes(doc: &Doc, mentions: &[TokMention], ex: &mut Extraction) {
    let raw = find_quotes(doc);
    if raw.is_empty() {
        return;
    }
    let lookups = Lookups::new(doc, mentions, &raw);
    let ctx = lookups.ctx(doc, mentions, ex);
    let mut results: Vec<LocalQuote> = Vec::with_capacity(raw.len());
    let mut speakers: Vec<Option<Speaker>> = Vec::with_capacity(raw.len());
    let mut last_speaker: Option<(usize, Speaker)> = None; // paragraph, speaker
    for (qi, q) in raw.iter().enumerate() {
        let (c0, c1, b0, b1) = text_bounds(doc, q);
        if c1 <= c0 {
            speakers.push(None);
            continue;
        }
        let text = doc.body[b0..b1].to_owned();
        let words = text.split_whitespace().count();
        let para = doc.tokens[q.open].para;
        let mut found = ctx.attribute(q);
        let mut continued = false;
        if found.is_none() {
            let c = continuation::Continuing {
                quote: q,
                words,
                previous: qi
                    .checked_sub(1)
                    .and_then(|p| Some((&raw[p], speakers[p].as_ref()?))),
                last_speaker: last_speaker.as_ref(),
            };
            found = ctx.continued_speaker(&c);
            continued = found.is_some();
        }
        let kind = match &found {
            None => {
                if words >= 8 {
                    QuoteKind::Partial
                } else {
                    QuoteKind::Scare
                }
            }
            Some(_) if continued => QuoteKind::Direct,
            Some(s) => {
                if ctx.is_direct(q, &text, words, s) {
                    QuoteKind::Direct
                } else {
                    QuoteKind::Partial
                }
            }
        };
        let sp = found.clone().unwrap_or_default();
        if found
            .as_ref()
            .is_some_and(|s| !s.name.is_empty() || !s.cue.is_empty())
        {
            last_speaker = Some((para, sp.clone()));
        }
        speakers.push(found.filter(|s| !s.name.is_empty()));
        results.push(LocalQuote {
            text,
            span: Span::new(c0 as u32, c1 as u32),
            kind,
            speaker_entity: sp.entity,
            speaker_name: sp.name,
            speaker_role: sp.role,
            cue: sp.cue,
        });
    }
    ex.quotes = results;
    ex.quotes.sort_by_key(|q| (q.span.start, q.span.end));
}

struct Ctx<'a, 'b> {
    doc: &'a Doc<'b>,
    mentions: &'a [TokMention],
    ex: &'a Extraction,
    quoted: &'a [bool],
    sent: &'a [usize],
    starts: &'a [Option<usize>],
}

/// Per-token tables the attribution rules read: which tokens are inside quotes
/// (marks included, so cues inside quotes are ignored), sentence ids, and the
/// mention starting at each token.
struct Lookups {
    quoted: Vec<bool>,
    sent: Vec<usize>,
    starts: Vec<Option<usize>>,
}

impl Lookups {
    fn new(doc: &Doc, mentions: &[TokMention], raw: &[RawQuote]) -> Self {
        let n = doc.tokens.len();
        let mut quoted = vec![false; n];
        for q in raw {
            for flag in quoted.iter_mut().take(q.close.min(n - 1) + 1).skip(q.open) {
                *flag = true;
            }
        }
        let sent = sentence_ids(doc, &quoted);
        let mut starts: Vec<Option<usize>> = vec![None; n];
        for (k, m) in mentions.iter().enumerate() {
            if m.t0 < n && starts[m.t0].is_none() {
                starts[m.t0] = Some(k);
            }
        }
        Lookups {
            quoted,
            sent,
            starts,
        }
    }

    fn ctx<'a, 'b>(
        &'a self,
        doc: &'a Doc<'b>,
        mentions: &'a [TokMention],
        ex: &'a Extraction,
    ) -> Ctx<'a, 'b> {
        Ctx {
            doc,
            mentions,
            ex,
            quoted: &self.quoted,
            sent: &self.sent,
            starts: &self.starts,
        }
    }
}

/// Runs `f` on the attribution context of `body` (entities extracted as in
/// the pipeline), so that rules can be tested one at a time.
#[cfg(test)]
fn with_ctx<R>(body: &str, f: impl FnOnce(&Ctx) -> R) -> R {
    let toks = super::tokens::tokenize(body);
    let doc = Doc {
        body,
        tokens: &toks,
    };
    let pieces = super::entities::find_pieces(&doc);
    let (ex, mentions) = super::entities::build(&doc, pieces);
    let raw = find_quotes(&doc);
    let lookups = Lookups::new(&doc, &mentions, &raw);
    f(&lookups.ctx(&doc, &mentions, &ex))
}

word_list!(
/// Nouns that make "<ORG> spokesman" a speaker standing for the organisation.
    SPOKES = "spokes.txt"
);

word_list!(
/// Nouns that, after "the", describe a person already named ("the coach said").
    DESCRIPTOR_NOUNS = "descriptor_nouns.txt"
);

word_list!(
/// Nouns that, after "the", stand for an organisation named before.
    ORG_DESCRIPTORS = "org_descriptors.txt"
);

word_list!(GAP_WORDS = "gap_words.txt");

#[cfg(test)]
mod tests {
    use super::super::extract_body;

    #[test]
    fn attributes_after_and_before() {
        let body = "“We will win,” Jane Roe said.\n\nJohn Doe told reporters that the plan was “a disaster.”";
        let ex = extract_body(body);
        assert_eq!(ex.quotes.len(), 2);
        assert_eq!(ex.quotes[0].speaker_name, "Jane Roe");
        assert_eq!(ex.quotes[0].cue, "said");
        assert_eq!(ex.quotes[1].speaker_name, "John Doe");
        assert_eq!(ex.quotes[1].cue, "told");
    }

    #[test]
    fn straight_quotes_and_continuations() {
        let body = "\"The budget is balanced,\" said Mayor Ann Lee.\n\n\"We cut waste.\"\n\nShe said the town was \"in good shape\" now.";
        let ex = extract_body(body);
        assert_eq!(ex.quotes.len(), 3);
        assert!(
            ex.quotes.iter().all(|q| q.speaker_name == "Ann Lee"),
            "{:?}",
            ex.quotes
        );
    }

    #[test]
    fn plural_possessive_inside_single_quotes() {
        let body = "'The players' wages are too high,' said Coach Ann Lee.";
        let ex = extract_body(body);
        assert_eq!(ex.quotes.len(), 1, "{:?}", ex.quotes);
        assert_eq!(ex.quotes[0].text, "The players' wages are too high,");
        assert_eq!(ex.quotes[0].speaker_name, "Ann Lee");
    }

    #[test]
    fn quoted_as_saying_names_the_one_quoted() {
        let body = "Ann Lee praised the deal. \"We are friends,\" the agency quoted her as saying.";
        let ex = extract_body(body);
        assert_eq!(ex.quotes[0].speaker_name, "Ann Lee");
        assert_eq!(ex.quotes[0].cue, "saying");
    }

    #[test]
    fn descriptions_and_colons_find_their_person() {
        let body = "Mayor John Doe met the unions on Monday.\n\n\
                    The Mayor's answer was brief: \"We will keep the trucks rolling.\"\n\n\
                    The Rowan Trust, a charity, disagreed. In a statement, the charity said the plan was \"a betrayal of the city.\"";
        let ex = extract_body(body);
        assert_eq!(ex.quotes.len(), 2, "{:?}", ex.quotes);
        assert_eq!(ex.quotes[0].speaker_name, "John Doe");
        assert_eq!(ex.quotes[1].speaker_name, "Rowan Trust");
    }

    #[test]
    fn a_pronoun_is_not_the_person_named_inside_the_quote() {
        let body = "\"Tom is sharp,\" said coach Ann Lee.\n\n\
                    The coach also praised Tom Hale, who scored twice.\n\n\
                    \"Tom has the instinct of a veteran,\" she said.";
        let ex = extract_body(body);
        assert!(
            ex.quotes.iter().all(|q| q.speaker_name == "Ann Lee"),
            "{:?}",
            ex.quotes
        );
    }

    #[test]
    fn scare_quotes_have_no_speaker() {
        let ex = extract_body("The so-called \"reform\" was dropped.");
        assert_eq!(ex.quotes.len(), 1);
        assert_eq!(ex.quotes[0].kind, crate::model::QuoteKind::Scare);
        assert_eq!(ex.quotes[0].speaker_name, "", "{:?}", ex.quotes[0]);
        assert_eq!(ex.quotes[0].speaker_entity, None);
        // Even with a person in the sentence who could be taken for its speaker.
        let ex =
            extract_body("Senator Jane Roe arrived after the so-called \"reform\" was dropped.");
        let scare: Vec<_> = ex.quotes.iter().filter(|q| q.text == "reform").collect();
        assert_eq!(scare.len(), 1, "{:?}", ex.quotes);
        assert_eq!(scare[0].kind, crate::model::QuoteKind::Scare);
        assert_eq!(scare[0].speaker_name, "", "{:?}", scare[0]);
        assert_eq!(scare[0].speaker_entity, None);
    }
}

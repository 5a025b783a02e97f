//! Quotes with no cue of their own that still have a speaker: the next part
//! of a quote already attributed, a paragraph that goes on quoting the same
//! person, words a colon introduces, a sentence quoted right after one about
//! someone.
//!
//! [`RULES`] are tried in order; the first that finds a speaker wins. A quote
//! attributed this way is direct speech (it continues, or is introduced as,
//! someone's words).

use super::*;

/// A cue-less quote and what came before it.
pub(super) struct Continuing<'q> {
    pub(super) quote: &'q RawQuote,
    /// Words inside the quote.
    pub(super) words: usize,
    /// The quote just before, with its named speaker, if any.
    pub(super) previous: Option<(&'q RawQuote, &'q Speaker)>,
    /// The last paragraph that attributed a quote, and its speaker.
    pub(super) last_speaker: Option<&'q (usize, Speaker)>,
}

pub(super) type ContinuationRule = fn(&Ctx, &Continuing) -> Option<Speaker>;

/// The rules, in the order they are tried.
pub(super) const RULES: &[(&str, ContinuationRule)] = &[
    (
        "next_part_of_the_previous_quote",
        next_part_of_the_previous_quote,
    ),
    ("paragraph_goes_on_quoting", paragraph_goes_on_quoting),
    ("colon_introduces", colon_introduces),
    (
        "sentence_after_one_about_someone",
        sentence_after_one_about_someone,
    ),
];

impl Ctx<'_, '_> {
    /// The speaker a cue-less quote continues, if a rule finds one.
    pub(super) fn continued_speaker(&self, c: &Continuing) -> Option<Speaker> {
        RULES.iter().find_map(|(_, rule)| rule(self, c))
    }
}

/// Right after an attributed quote of the same paragraph, opening a sentence
/// or resuming the previous one (“…,” said X, the party's spokesman, at its
/// headquarters, “because …”), at most two sentences on.
fn next_part_of_the_previous_quote(ctx: &Ctx, c: &Continuing) -> Option<Speaker> {
    let (pq, prev) = c.previous?;
    let (doc, q) = (ctx.doc, c.quote);
    let n = doc.tokens.len();
    let same_para = doc.tokens[pq.open].para == doc.tokens[q.open].para;
    let resumes = ctx.sent[pq.close.min(n - 1)] == ctx.sent[q.open.min(n - 1)]
        && q.open > 0
        && doc.text(q.open - 1) == ","
        && doc.tokens.get(q.open + 1).is_some_and(|t| {
            doc.text(q.open + 1).starts_with(char::is_lowercase) && t.kind == Kind::Word
        });
    let follows =
        same_para && (is_sentence_start(doc, q.open) || resumes) && sent_gap_ok(ctx.sent, pq, q);
    follows.then(|| prev.clone())
}

/// A quote opening a paragraph, in or right after the paragraph that last
/// quoted someone: news style opens every paragraph of a long quote.
fn paragraph_goes_on_quoting(ctx: &Ctx, c: &Continuing) -> Option<Speaker> {
    let q = c.quote;
    let first_in_para = q.open == 0 || ctx.doc.tokens[q.open - 1].kind == Kind::ParaBreak;
    let para = ctx.doc.tokens[q.open].para;
    let (p, s) = c.last_speaker?;
    (first_in_para && (*p + 1 == para || *p == para)).then(|| s.clone())
}

/// "The Mayor's answer was brief: “…”", "Smith was blunt: “…”": the sentence
/// the colon ends introduces its subject's words.
fn colon_introduces(ctx: &Ctx, c: &Continuing) -> Option<Speaker> {
    let open = c.quote.open;
    if open > 0 && ctx.text(open - 1) == ":" {
        ctx.colon_subject(open - 1)
    } else {
        None
    }
}

/// A whole-sentence quote right after a sentence about someone ("Smith was
/// blunt. “We had no choice.”") is theirs.
fn sentence_after_one_about_someone(ctx: &Ctx, c: &Continuing) -> Option<Speaker> {
    if is_sentence_start(ctx.doc, c.quote.open) && c.words >= 3 {
        ctx.previous_subject(c.quote.open)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::with_ctx;
    use super::*;

    /// What `rule` makes of the last quote of `body`, given the speaker of the
    /// quote before it (named `previous`) and, as the last speaker, the same
    /// person in the paragraph before.
    fn apply(rule: ContinuationRule, body: &str, previous: Option<&str>) -> Option<String> {
        with_ctx(body, |ctx| {
            let raw = find_quotes(ctx.doc);
            let q = raw.last().expect("a quote");
            let speaker = previous.map(|name| Speaker {
                name: name.into(),
                cue: "said".into(),
                ..Default::default()
            });
            let para = ctx.doc.tokens[q.open].para;
            let last = speaker.clone().map(|s| (para.saturating_sub(1), s));
            let c = Continuing {
                quote: q,
                words: 5,
                previous: speaker
                    .as_ref()
                    .and_then(|s| Some((raw.get(raw.len().checked_sub(2)?)?, s))),
                last_speaker: last.as_ref(),
            };
            rule(ctx, &c).map(|s| s.name)
        })
    }

    #[test]
    fn rules_have_distinct_names() {
        crate::extract::assert_distinct_names(RULES);
    }

    #[test]
    fn the_next_sentence_of_a_quote_keeps_its_speaker() {
        let body = "\"We will win,\" said Ann Lee. \"We trained all winter for it.\"";
        let rule = next_part_of_the_previous_quote;
        assert_eq!(
            apply(rule, body, Some("Ann Lee")).as_deref(),
            Some("Ann Lee")
        );
        // In another paragraph it is not this rule's case.
        let body =
            "\"We will win,\" said Ann Lee.\n\nThe match is today. \"We trained all winter.\"";
        assert_eq!(apply(rule, body, Some("Ann Lee")), None);
    }

    #[test]
    fn a_paragraph_that_opens_with_a_quote_goes_on_quoting() {
        let body = "\"We will win,\" said Ann Lee.\n\n\"We trained all winter for it.\"";
        let rule = paragraph_goes_on_quoting;
        assert_eq!(
            apply(rule, body, Some("Ann Lee")).as_deref(),
            Some("Ann Lee")
        );
        // Not opening its paragraph.
        let body =
            "\"We will win,\" said Ann Lee.\n\nThe coach added nothing. \"We trained all winter.\"";
        assert_eq!(apply(rule, body, Some("Ann Lee")), None);
    }

    #[test]
    fn a_colon_introduces_its_sentence_subjects_words() {
        let body = "Senator Ann Lee was blunt: \"We had no choice at all.\"";
        assert_eq!(
            apply(colon_introduces, body, None).as_deref(),
            Some("Ann Lee")
        );
        let body = "Senator Ann Lee was blunt. \"We had no choice at all.\"";
        assert_eq!(apply(colon_introduces, body, None), None);
    }

    #[test]
    fn a_quoted_sentence_after_one_about_someone_is_theirs() {
        let body = "Senator Ann Lee was blunt. \"We had no choice at all.\"";
        let rule = sentence_after_one_about_someone;
        assert_eq!(apply(rule, body, None).as_deref(), Some("Ann Lee"));
        let body = "Senator Ann Lee called it \"no choice at all.\"";
        assert_eq!(apply(rule, body, None), None);
    }
}

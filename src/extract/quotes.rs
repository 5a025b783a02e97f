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

fn punct_char(doc: &Doc, i: usize) -> Option<char> {
    let t = doc.tokens.get(i)?;
    if t.kind != Kind::Punct {
        return None;
    }
    doc.text(i).chars().next()
}

/// Finds quoted spans paragraph by paragraph.
fn find_quotes(doc: &Doc) -> Vec<RawQuote> {
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

fn is_opener_context(doc: &Doc, i: usize) -> bool {
    i > 0
        && matches!(
            punct_char(doc, i - 1),
            Some('(' | '[' | '\u{2014}' | '\u{2013}' | ':')
        )
}

/// Extracts quotes and attributes them; fills `ex.quotes`.
pub(crate) fn extract_quotes(doc: &Doc, mentions: &[TokMention], ex: &mut Extraction) {
    let raw = find_quotes(doc);
    if raw.is_empty() {
        return;
    }
    let n = doc.tokens.len();
    // Which tokens are inside quotes (marks included), so cues inside quotes are ignored.
    let mut quoted = vec![false; n];
    for q in &raw {
        for flag in quoted.iter_mut().take(q.close.min(n - 1) + 1).skip(q.open) {
            *flag = true;
        }
    }
    let sent = sentence_ids(doc, &quoted);
    // Mention lookup by token: index of the mention starting at / covering a token.
    let mut starts: Vec<Option<usize>> = vec![None; n];
    let mut covers: Vec<Option<usize>> = vec![None; n];
    for (k, m) in mentions.iter().enumerate() {
        if m.t0 < n && starts[m.t0].is_none() {
            starts[m.t0] = Some(k);
        }
        for c in covers.iter_mut().take(m.t1.min(n)).skip(m.t0) {
            if c.is_none() {
                *c = Some(k);
            }
        }
    }
    let ctx = Ctx {
        doc,
        mentions,
        ex,
        quoted: &quoted,
        sent: &sent,
        starts: &starts,
    };
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
            // Continuation: no cue of its own, right after an attributed quote of the
            // same paragraph, or opening a paragraph after one that quoted someone.
            let first_in_para = q.open == 0 || doc.tokens[q.open - 1].kind == Kind::ParaBreak;
            if let Some(prev) = qi.checked_sub(1).and_then(|p| speakers[p].clone()) {
                let pq = &raw[qi - 1];
                let same_para = doc.tokens[pq.open].para == para;
                let starts_sentence = is_sentence_start(doc, q.open);
                // “…,” said X, the party's spokesman, at its headquarters, “because …”
                let resumes = sent[pq.close.min(n - 1)] == sent[q.open.min(n - 1)]
                    && q.open > 0
                    && doc.text(q.open - 1) == ","
                    && doc.tokens.get(q.open + 1).is_some_and(|t| {
                        doc.text(q.open + 1).starts_with(char::is_lowercase) && t.kind == Kind::Word
                    });
                if same_para && (starts_sentence || resumes) && sent_gap_ok(&sent, pq, q) {
                    found = Some(prev);
                    continued = true;
                }
            }
            if found.is_none() && first_in_para {
                if let Some((p, s)) = &last_speaker {
                    if *p + 1 == para || *p == para {
                        found = Some(s.clone());
                        continued = true;
                    }
                }
            }
            // "The Mayor's answer was brief: “…”", "Smith was blunt: “…”": the
            // sentence the colon ends introduces its subject's words.
            if found.is_none() && q.open > 0 && doc.text(q.open - 1) == ":" {
                if let Some(s) = ctx.colon_subject(q.open - 1) {
                    found = Some(s);
                    continued = true;
                }
            }
            // A whole-sentence quote right after a sentence about someone
            // ("Smith was blunt. “We had no choice.”") is theirs.
            if found.is_none() && is_sentence_start(doc, q.open) && words >= 3 {
                if let Some(s) = ctx.previous_subject(q.open) {
                    found = Some(s);
                    continued = true;
                }
            }
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
        } else if q.open_ended || doc.tokens.get(q.close + 1).is_none() {
            // keep
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

/// Whether two quotes are in adjacent sentences (so a cue-less one continues the other).
fn sent_gap_ok(sent: &[usize], prev: &RawQuote, q: &RawQuote) -> bool {
    let a = sent[prev.close.min(sent.len() - 1)];
    let b = sent[q.open.min(sent.len() - 1)];
    b <= a + 2
}

/// Code point and byte bounds of a quote's text (marks excluded, whitespace trimmed).
fn text_bounds(doc: &Doc, q: &RawQuote) -> (usize, usize, usize, usize) {
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
fn sentence_ids(doc: &Doc, quoted: &[bool]) -> Vec<usize> {
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

fn is_sentence_start(doc: &Doc, open: usize) -> bool {
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

struct Ctx<'a, 'b> {
    doc: &'a Doc<'b>,
    mentions: &'a [TokMention],
    ex: &'a Extraction,
    quoted: &'a [bool],
    sent: &'a [usize],
    starts: &'a [Option<usize>],
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

impl Ctx<'_, '_> {
    fn text(&self, i: usize) -> &str {
        self.doc.text(i)
    }

    fn is_word(&self, i: usize) -> bool {
        self.doc.tokens.get(i).is_some_and(|t| t.kind == Kind::Word)
    }

    fn entity_type(&self, m: &TokMention) -> EntityType {
        self.ex.entities[m.entity].entity_type
    }

    fn speaker_from_mention(&self, k: usize, cue: String) -> Speaker {
        let m = &self.mentions[k];
        let e = &self.ex.entities[m.entity];
        let mut role = e.roles.first().cloned().unwrap_or_default();
        // "<ORG> spokesman": the organisation speaks through its spokesperson.
        if e.entity_type != EntityType::Person && self.is_word(m.t1) {
            let next = self.text(m.t1);
            if SPOKES.contains(next) {
                role = next.to_owned();
            }
        }
        Speaker {
            entity: Some(m.entity),
            name: e.name.clone(),
            role,
            cue,
        }
    }

    /// Can mention `k` speak? People always; organisations and places when nothing
    /// better is around ("Paris has deemed …").
    fn speaker_rank(&self, k: usize) -> u8 {
        let m = &self.mentions[k];
        // "London-based", "US-led": a name inside a modifier is not the subject.
        let glued = self
            .doc
            .tokens
            .get(m.t1)
            .is_some_and(|t| !t.space_before && t.kind != Kind::Word && self.text(m.t1) == "-");
        if glued {
            return 0;
        }
        match self.entity_type(m) {
            EntityType::Person => 3,
            EntityType::Org | EntityType::Gpe => {
                if self.is_word(m.t1) && SPOKES.contains(self.text(m.t1)) {
                    3
                } else {
                    1
                }
            }
            _ => 0,
        }
    }

    /// Mentions (index) starting in `[a, b)` outside quotes.
    fn mentions_in(&self, a: usize, b: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = a;
        while i < b {
            if let Some(k) = self.starts[i] {
                if !self.quoted[i] {
                    out.push(k);
                    i = self.mentions[k].t1.max(i + 1);
                    continue;
                }
            }
            i += 1;
        }
        out
    }

    fn sentence_start(&self, i: usize) -> usize {
        let s = self.sent[i];
        let mut j = i;
        while j > 0 && self.sent[j - 1] == s && self.doc.tokens[j - 1].kind != Kind::ParaBreak {
            j -= 1;
        }
        j
    }

    fn sentence_end(&self, i: usize) -> usize {
        let n = self.doc.tokens.len();
        let s = self.sent[i.min(n - 1)];
        let mut j = i;
        while j < n && self.sent[j] == s && self.doc.tokens[j].kind != Kind::ParaBreak {
            j += 1;
        }
        j
    }

    fn is_cue(&self, i: usize) -> bool {
        self.is_word(i) && !self.quoted[i] && {
            let w = self.text(i);
            // "self-described", "so-called" describe, they do not attribute.
            let glued = i > 0 && !self.doc.tokens[i].space_before && self.text(i - 1) == "-";
            let lower = w.to_lowercase();
            !glued
                && (gazetteer::sets().cue_verbs.contains(&w) || w == "According")
                && (lower != "according" || self.is_word(i + 1) && self.text(i + 1) == "to")
                && (lower != "pointed" || self.is_word(i + 1) && self.text(i + 1) == "out")
        }
    }

    /// "the Dutchman", "the coach": a definite description standing for a person.
    fn is_descriptor(&self, i: usize) -> bool {
        if !self.is_word(i) || !self.text(i).eq_ignore_ascii_case("the") {
            return false;
        }
        let j = i + 1;
        if !self.is_word(j) {
            return false;
        }
        let w = self.text(j);
        let before_name = self.is_word(j + 1)
            && self.text(j + 1).starts_with(char::is_uppercase)
            && self.starts[j + 1].is_some();
        if DESCRIPTOR_NOUNS.contains(w.to_lowercase().as_str()) && !before_name
            || self.starts[j].is_some_and(|k| {
                let m = &self.mentions[k];
                self.entity_type(m) == EntityType::Norp && m.t1 == j + 1
            }) && w.starts_with(char::is_uppercase)
        {
            return true;
        }
        // A few modifiers before the noun: "the London-based businessman",
        // "the 52-year-old former minister", "the Arsenal boss".
        let mut k = j;
        while k < (j + 8).min(self.doc.tokens.len()) && !self.quoted[k] {
            let t = self.text(k);
            if self.is_word(k) {
                if DESCRIPTOR_NOUNS.contains(t.to_lowercase().as_str()) {
                    // "The official Xinhua News Agency": an adjective before a name.
                    let before_name = self.is_word(k + 1)
                        && self.text(k + 1).starts_with(char::is_uppercase)
                        && self.starts[k + 1].is_some();
                    return !before_name;
                }
                if self.is_cue(k) || GAP_WORDS.contains(t) || t == "and" || t == "of" {
                    return false;
                }
            } else if !super::tokens::hyphen(t.chars().next().unwrap_or(' ')) {
                return false;
            }
            k += 1;
        }
        false
    }

    fn pronoun_at(&self, i: usize) -> bool {
        self.is_word(i) && gazetteer::PERSON_PRONOUNS.contains(self.text(i))
    }

    /// Resolves a pronoun at token `p`: the first speaker-like mention of the nearest
    /// earlier sentence (or the same sentence, before `p`) that has one.
    fn resolve_pronoun(&self, p: usize, cue: String) -> Option<Speaker> {
        self.resolve_pronoun_avoiding(p, cue, None)
    }

    /// As [`Self::resolve_pronoun`], skipping anyone named inside the quote
    /// (tokens `avoid`): “Cesc has the intelligence …,” he said — "he" is not Cesc.
    fn resolve_pronoun_avoiding(
        &self,
        p: usize,
        cue: String,
        avoid: Option<(usize, usize)>,
    ) -> Option<Speaker> {
        let named_inside = |entity: usize| {
            avoid.is_some_and(|(a, b)| {
                self.mentions
                    .iter()
                    .any(|m| m.entity == entity && m.t0 > a && m.t1 <= b)
            })
        };
        let mut end = p;
        let mut hops = 0;
        while end > 0 && hops < 12 {
            let start = self.sentence_start(end - 1);
            let ms = self.mentions_in(start, end);
            // "The Arsenal boss also had words for Cesc Fabregas …": the subject is
            // a description of someone named earlier, not the person it mentions.
            // Unless an apposition names it: "The Mayor of County Cork, Fine Gael
            // councillor Brendan Tuohy, said …".
            // "he", "she" and descriptions stand for a person: "A Foreign Ministry
            // spokeswoman, Samina Qadir" is Qadir. Only where nobody is named does
            // an organisation's spokesperson count ("a CCP spokesman … He claims").
            let has_person = ms
                .iter()
                .any(|&k| self.entity_type(&self.mentions[k]) == EntityType::Person);
            let is_person = |k: usize| {
                if has_person {
                    self.entity_type(&self.mentions[k]) == EntityType::Person
                } else {
                    self.speaker_rank(k) >= 3
                }
            };
            // Among several people, the one the sentence has speaking ("Asked
            // whether Mrs Gandhi …, Desai said only that …").
            let speaking = |k: usize| {
                let m = &self.mentions[k];
                self.is_cue(m.t1)
                    || m.t0 > 0
                        && matches!(self.text(m.t0 - 1), "said" | "says" | "added" | "wrote")
                        && self
                            .doc
                            .tokens
                            .get(m.t1)
                            .is_none_or(|t| t.kind != Kind::Possessive)
            };
            // A possessor ("Vondracek's wife, Marta Vondrackova, said") is not the
            // subject when someone else is named.
            let possessor = |k: usize| {
                self.doc
                    .tokens
                    .get(self.mentions[k].t1)
                    .is_some_and(|t| t.kind == Kind::Possessive)
            };
            let candidate = |k: usize| is_person(k) && !named_inside(self.mentions[k].entity);
            let first_person = ms
                .iter()
                .copied()
                .find(|&k| candidate(k) && speaking(k))
                .or_else(|| ms.iter().copied().find(|&k| candidate(k) && !possessor(k)))
                .or_else(|| ms.iter().copied().find(|&k| candidate(k)));
            let named_by_apposition = first_person.is_some_and(|k| {
                let t0 = self.mentions[k].t0;
                (t0.saturating_sub(4)..t0)
                    .rev()
                    .take_while(|&j| self.is_word(j) || self.text(j) == ",")
                    .any(|j| self.text(j) == ",")
            });
            let described = start < p && self.is_descriptor(start) && !named_by_apposition;
            if let Some(k) = first_person.filter(|_| !described) {
                return Some(self.speaker_from_mention(k, cue));
            }
            if start == 0 {
                break;
            }
            end = start;
            // Skip paragraph breaks.
            while end > 0 && self.doc.tokens[end - 1].kind == Kind::ParaBreak {
                end -= 1;
            }
            hops += 1;
        }
        None
    }

    /// The first person of the sentence before `open`, within the same or the previous
    /// paragraph: who a cue-less whole-sentence quote most likely belongs to.
    fn previous_subject(&self, open: usize) -> Option<Speaker> {
        if open == 0 {
            return None;
        }
        let para = self.doc.tokens[open].para;
        let mut end = open;
        while end > 0 && self.doc.tokens[end - 1].kind == Kind::ParaBreak {
            end -= 1;
        }
        if end == 0 {
            return None;
        }
        let start = self.sentence_start(end - 1);
        if self.doc.tokens[start].para + 1 < para {
            return None;
        }
        let ms = self.mentions_in(start, end);
        let k = *ms.iter().find(|&&k| self.speaker_rank(k) >= 3)?;
        Some(self.speaker_from_mention(k, String::new()))
    }

    /// The subject of a cue verb at `v`, searched in `[from, v)`.
    fn subject(&self, from: usize, v: usize, cue: String) -> Option<Speaker> {
        let verb = self.text(v).to_lowercase();
        let participle = verb.ends_with("ing");
        let ms = self.mentions_in(from, v);
        // "Abdul Wali Shah, a lawmaker from the X, or MMA, the alliance …, said":
        // the person the apposition is about, however many commas it holds.
        if !participle && v > from && self.text(v - 1) == "," {
            if let Some(&k) = ms.iter().find(|&&k| {
                let m = &self.mentions[k];
                self.entity_type(m) == EntityType::Person && self.text(m.t1) == ","
            }) {
                return Some(self.speaker_from_mention(k, cue));
            }
        }
        // Nearest person/pronoun right before the verb (allowing an apposition or an
        // auxiliary in between); coordination ("… met X and described") skips it.
        if !participle {
            let mut j = v;
            let mut gap = 0;
            let mut in_apposition = false;
            while j > from {
                j -= 1;
                if self.quoted[j] {
                    break;
                }
                if self.pronoun_at(j) && gap <= 3 && !in_apposition {
                    return self.resolve_pronoun(j, cue);
                }
                if let Some(&k) = ms.iter().find(|&&k| self.mentions[k].t1 == j + 1) {
                    let m = &self.mentions[k];
                    // "Heather MacIsaac of the Progressive Conservative Party called":
                    // the organisation only says where the person is from.
                    if self.speaker_rank(k) < 3 && !in_apposition {
                        if let Some(person) = self.person_before_affiliation(&ms, m.t0) {
                            return Some(self.speaker_from_mention(person, cue));
                        }
                        // "The Mayor of County Cork, … Brendan Tuohy, said": a place or
                        // body after a preposition is not the subject; look for the
                        // clause's person instead.
                        // "Garrett Lindqvist, R-Andover, said": a party tag's home town.
                        let mut before = m.t0.saturating_sub(1);
                        if before > 0 && self.text(before).eq_ignore_ascii_case("the") {
                            before -= 1;
                        }
                        if m.t0 > 0
                            && matches!(
                                self.text(before),
                                "of" | "at" | "from" | "for" | "in" | "-"
                            )
                        {
                            break;
                        }
                    }
                    // ", JANA, called": a name filling the apposition is the subject.
                    // (", Hawthorne, California, wrote": a place in the apposition is not.)
                    // ", Mr Harold Wilson, accused": titles may stand before the name.
                    let comma_before = (m.t0.saturating_sub(4)..m.t0)
                        .rev()
                        .take_while(|&t| {
                            self.text(t) == ","
                                || self.is_word(t) && self.text(t).starts_with(char::is_uppercase)
                        })
                        .any(|t| self.text(t) == ",");
                    let fills_apposition = in_apposition
                        && m.t0 > 0
                        && comma_before
                        && gap == 0
                        && self.entity_type(m) != EntityType::Gpe;
                    if self.speaker_rank(k) >= 1 && (!in_apposition || fills_apposition) {
                        return Some(self.speaker_from_mention(k, cue));
                    }
                }
                let t = self.text(j);
                if t == "," {
                    // An apposition ", a professor at X," may sit between subject and verb.
                    in_apposition = !in_apposition;
                    continue;
                }
                if in_apposition {
                    if gap > 14 {
                        break;
                    }
                    gap += 1;
                    continue;
                }
                if GAP_WORDS.contains(t) {
                    gap += 1;
                    continue;
                }
                break;
            }
        }
        // "Yahoo chairman Roy Bostock said the directors had concluded “…”": the
        // cue sits in a reported clause; the speaker is the subject of the verb
        // that reports it.
        if let Some(w) = (from..v)
            .rev()
            .find(|&w| self.is_cue(w) && !self.text(w).eq_ignore_ascii_case("according"))
        {
            if let Some(found) = self.subject(from, w, cue.clone()) {
                if found.entity.is_some() {
                    return Some(found);
                }
            }
        }
        // Otherwise the first person of the clause (the sentence's subject).
        if let Some(&k) = ms.iter().find(|&&k| self.speaker_rank(k) >= 3) {
            return Some(self.speaker_from_mention(k, cue));
        }
        // A pronoun opening the clause.
        for j in from..v {
            if self.pronoun_at(j) && !self.quoted[j] {
                return self.resolve_pronoun(j, cue);
            }
        }
        // "The London-based businessman, who …, said": a description of someone
        // named before.
        if self.is_descriptor(from) {
            return self.resolve_descriptor(from, cue, None);
        }
        // "In a statement, the 65-year-old actor said": a description right
        // before the verb.
        if let Some(j) = (from..v).rev().take(8).find(|&j| {
            self.is_descriptor(j) && (j + 1..v).all(|t| self.is_word(t) || self.text(t) == "-")
        }) {
            return self.resolve_descriptor(j, cue, None);
        }
        // "In a statement, the association said …".
        if let Some(j) = (from..v).rev().take(6).find(|&j| {
            self.text(j).eq_ignore_ascii_case("the")
                && self.is_word(j + 1)
                && ORG_DESCRIPTORS.contains(self.text(j + 1))
                && j + 2 == v
        }) {
            if let Some(found) = self.resolve_org_descriptor(j, cue.clone()) {
                return Some(found);
            }
        }
        // “…,” said Murray Tait, 61, a retired boatbuilder, “ever since …”: the
        // person right after the verb.
        // (Titles may stand between: "said Chief Emeka Nwachukwu".)
        let mut after = v + 1;
        while after < v + 4
            && self.starts.get(after).is_some_and(|k| k.is_none())
            && self.is_word(after)
            && self.text(after).starts_with(char::is_uppercase)
        {
            after += 1;
        }
        if let Some(&k) = self.starts.get(after).and_then(|k| k.as_ref()) {
            if self.entity_type(&self.mentions[k]) == EntityType::Person {
                return Some(self.speaker_from_mention(k, cue));
            }
        }
        // An organisation as the clause's subject ("The Central Electricity
        // Generating Board said …, adding that"); after a participle only if it
        // opens the clause.
        if let Some(&k) = ms.iter().find(|&&k| {
            self.speaker_rank(k) >= 1 && (!participle || self.mentions[k].t0 <= from + 2)
        }) {
            return Some(self.speaker_from_mention(k, cue));
        }
        Some(Speaker {
            cue,
            ..Default::default()
        })
    }

    /// Finds the speaker of a quote, if any cue attributes it.
    fn attribute(&self, q: &RawQuote) -> Option<Speaker> {
        let n = self.doc.tokens.len();
        // After the quote: “…,” Smith said / said Smith / he said / according to X.
        let mut after: Option<Speaker> = None;
        if !q.open_ended && q.close + 1 < n && self.sent[q.close + 1] == self.sent[q.close] {
            // Long enough for ", the department's director-general, Rosnani binti
            // Ibrahim, told".
            let end = self.sentence_end(q.close + 1).min(q.close + 20);
            let mut i = q.close + 1;
            while i < end && !self.quoted[i] {
                // "“…” and said …", "“…” but urged …" start a new clause, not an
                // attribution.
                if matches!(self.text(i), "and" | "but") {
                    break;
                }
                if self.is_cue(i) {
                    let cue = self.cue_text(i, None);
                    // "…,” IRNA quoted him as saying: the one quoted speaks.
                    if let Some(found) = self.quoted_as_saying(i, end, (q.open, q.close)) {
                        after = Some(found);
                        break;
                    }
                    if self.text(i).eq_ignore_ascii_case("according") {
                        if let Some(&k) = self.mentions_in(i + 2, end).first() {
                            after = Some(self.speaker_from_mention(k, cue));
                        }
                        break;
                    }
                    after = self.subject_after((q.open, q.close), i, end, cue);
                    break;
                }
                // Only a short stretch may separate the quote from its cue.
                if i > q.close + 18 {
                    break;
                }
                i += 1;
            }
        }
        // A person named after the quote wins; a reporting outlet ("…,” Al Jazeera
        // reported) or an anonymous speaker gives way to a person named before it.
        if let Some(a) = &after {
            let person = a
                .entity
                .is_some_and(|e| self.ex.entities[e].entity_type == EntityType::Person);
            if person {
                return after;
            }
        }
        let before = self.attribute_before(q);
        let named = |s: &Option<Speaker>| s.as_ref().is_some_and(|s| s.entity.is_some());
        if named(&before) && !named(&after) {
            return before;
        }
        match (&before, &after) {
            (Some(b), Some(_))
                if b.entity
                    .is_some_and(|e| self.ex.entities[e].entity_type == EntityType::Person) =>
            {
                before
            }
            (_, Some(_)) => after,
            _ => before,
        }
    }

    /// "the Mayor", "the coach" at token `j`: the person this article gave that
    /// title to (the last one mentioned before `j`), else whoever a pronoun
    /// there would stand for.
    fn resolve_descriptor(
        &self,
        j: usize,
        cue: String,
        avoid: Option<(usize, usize)>,
    ) -> Option<Speaker> {
        let noun = (j + 1..(j + 8).min(self.doc.tokens.len()))
            .filter(|&k| self.is_word(k))
            .map(|k| self.text(k).to_lowercase())
            .find(|w| DESCRIPTOR_NOUNS.contains(w.as_str()));
        if let Some(noun) = noun {
            let titled = |e: usize| {
                let ent = &self.ex.entities[e];
                ent.entity_type == EntityType::Person
                    && ent.roles.iter().any(|r| {
                        r.split_whitespace()
                            .any(|w| w.trim_end_matches('.').eq_ignore_ascii_case(&noun))
                    })
            };
            let upto = self.mentions.partition_point(|m| m.t0 < j);
            if let Some(k) = self.mentions[..upto].iter().rposition(|m| titled(m.entity)) {
                return Some(self.speaker_from_mention(k, cue));
            }
        }
        self.resolve_pronoun_avoiding(j, cue, avoid)
    }

    /// Who introduces a quote after the colon at token `c`: the first person of
    /// the clause, a pronoun opening it, or a description of someone named before.
    fn colon_subject(&self, c: usize) -> Option<Speaker> {
        let s0 = self.sentence_start(c);
        if let Some(&k) = self
            .mentions_in(s0, c)
            .iter()
            .find(|&&k| self.speaker_rank(k) >= 3)
        {
            return Some(self.speaker_from_mention(k, String::new()));
        }
        if self.is_descriptor(s0) {
            return self.resolve_descriptor(s0, String::new(), None);
        }
        if self.pronoun_at(s0) {
            return self.resolve_pronoun(s0, String::new());
        }
        None
    }

    /// "quoted him as saying", "quoted Yeltsin as saying": the speaker is the
    /// one quoted, and the cue is "saying".
    fn quoted_as_saying(&self, v: usize, end: usize, quote: (usize, usize)) -> Option<Speaker> {
        // Found at "saying" (when "quoted" is no cue of its own) or at "quoted".
        let (v, as_at) = if self.text(v) == "saying" && v >= 3 && self.text(v - 1) == "as" {
            let quoted = (v.saturating_sub(8)..v - 1)
                .rev()
                .find(|&j| matches!(self.text(j), "quoted" | "quotes" | "quoting"))?;
            (quoted, v - 1)
        } else if matches!(self.text(v), "quoted" | "quotes" | "quoting") {
            let as_at = (v + 1..end.min(v + 8)).find(|&j| self.text(j) == "as")?;
            if !self.is_word(as_at + 1) || self.text(as_at + 1) != "saying" {
                return None;
            }
            (v, as_at)
        } else {
            return None;
        };
        let cue = "saying".to_owned();
        if let Some(j) = (v + 1..as_at).find(|&j| matches!(self.text(j), "him" | "her")) {
            return self.resolve_pronoun_avoiding(j, cue, Some(quote));
        }
        let k = *self.mentions_in(v + 1, as_at).last()?;
        Some(self.speaker_from_mention(k, cue))
    }

    /// "the association said", "the company said": the organisation named
    /// last before token `j`.
    fn resolve_org_descriptor(&self, j: usize, cue: String) -> Option<Speaker> {
        if !self.is_word(j) || !self.text(j).eq_ignore_ascii_case("the") || !self.is_word(j + 1) {
            return None;
        }
        if !ORG_DESCRIPTORS.contains(self.text(j + 1)) {
            return None;
        }
        let k = self.mentions[..self.mentions.partition_point(|m| m.t0 < j)]
            .iter()
            .rposition(|m| self.entity_type(m) == EntityType::Org && !self.quoted[m.t0])?;
        Some(self.speaker_from_mention(k, cue))
    }

    /// The nearest cue before the quote in its sentence, and its subject.
    fn attribute_before(&self, q: &RawQuote) -> Option<Speaker> {
        // Before the quote, same sentence: the nearest cue.
        let s0 = self.sentence_start(q.open);
        let mut v = q.open;
        while v > s0 {
            v -= 1;
            if self.quoted[v] {
                continue;
            }
            if self.is_cue(v) {
                let lower = self.text(v).to_lowercase();
                // "Interfax quoted him as saying: “…”".
                if let Some(found) = self.quoted_as_saying(v, q.open, (q.open, q.close)) {
                    return Some(found);
                }
                if lower == "according" {
                    let end = self.first_comma_or(v + 2, q.open);
                    let cue = self.cue_text(v, None);
                    // "According to the NHF's secretary general, Åse Hægeland, …":
                    // the person named in the apposition.
                    if let Some(&k) = self.mentions_in(end + 1, (end + 6).min(q.open)).first() {
                        if self.mentions[k].t0 <= end + 3
                            && self.entity_type(&self.mentions[k]) == EntityType::Person
                        {
                            return Some(self.speaker_from_mention(k, cue));
                        }
                    }
                    if let Some(&k) = self.mentions_in(v + 2, end).first() {
                        return Some(self.speaker_from_mention(k, cue));
                    }
                    continue;
                }
                let as_word = (v + 1..q.open)
                    .find(|&j| self.is_word(j) && self.text(j) == "as" && !self.quoted[j]);
                let cue = self.cue_text(v, as_word);
                // Passive: "had been described by Sir Walter Crabtree … as “…”",
                // "was branded a “…” by Lu Ping".
                let passive = v >= 1
                    && matches!(
                        self.text(v - 1),
                        "was" | "were" | "been" | "being" | "is" | "are"
                    );
                if passive {
                    if self.is_word(v + 1) && self.text(v + 1) == "by" {
                        if let Some(&k) = self.mentions_in(v + 2, q.open).first() {
                            if self.mentions[k].t0 <= v + 4 {
                                return Some(self.speaker_from_mention(k, cue));
                            }
                        }
                    }
                    let n = self.doc.tokens.len();
                    if q.close + 2 < n && self.text(q.close + 1) == "by" {
                        if let Some(&k) =
                            self.mentions_in(q.close + 2, (q.close + 6).min(n)).first()
                        {
                            if self.mentions[k].t0 <= q.close + 4 {
                                return Some(self.speaker_from_mention(k, cue));
                            }
                        }
                    }
                }
                return self.subject(s0, v, cue);
            }
        }
        None
    }

    /// The person right before "of (the)", "at", "from" or "for" that precedes
    /// token `t0`, among the mentions `ms`.
    fn person_before_affiliation(&self, ms: &[usize], t0: usize) -> Option<usize> {
        let mut j = t0.checked_sub(1)?;
        if self.text(j).eq_ignore_ascii_case("the") {
            j = j.checked_sub(1)?;
        }
        if !matches!(self.text(j), "of" | "at" | "from" | "for") {
            return None;
        }
        ms.iter()
            .copied()
            .find(|&k| self.mentions[k].t1 == j && self.speaker_rank(k) >= 3)
    }

    fn first_comma_or(&self, a: usize, b: usize) -> usize {
        (a..b).find(|&j| self.text(j) == ",").unwrap_or(b)
    }

    /// The speaker for a cue after the quote: a mention or pronoun between the quote
    /// and the verb, else a mention right after the verb ("said Smith").
    fn subject_after(
        &self,
        quote: (usize, usize),
        v: usize,
        end: usize,
        cue: String,
    ) -> Option<Speaker> {
        let a = quote.1 + 1;
        for j in a..v {
            if self.pronoun_at(j) {
                return self.resolve_pronoun_avoiding(j, cue, Some(quote));
            }
        }
        let ms = self.mentions_in(a, v);
        // "…,” Sami Abu Zuhri, a Hamas spokesman, said": the person, not the
        // organisation they speak for.
        let person = ms
            .iter()
            .rev()
            .find(|&&k| self.entity_type(&self.mentions[k]) == EntityType::Person);
        if let Some(&k) = person.or_else(|| ms.iter().rev().find(|&&k| self.speaker_rank(k) >= 3)) {
            return Some(self.speaker_from_mention(k, cue));
        }
        // "…,” the Dutchman said / the coach said: a description of someone named before.
        if let Some(j) = (a..v).find(|&j| self.is_descriptor(j)) {
            return self.resolve_descriptor(j, cue, Some(quote));
        }
        if let Some(found) = (a..v).find_map(|j| self.resolve_org_descriptor(j, cue.clone())) {
            return Some(found);
        }
        if let Some(&k) = ms.iter().rev().find(|&&k| self.speaker_rank(k) >= 1) {
            return Some(self.speaker_from_mention(k, cue));
        }
        if let Some(&k) = self.mentions_in(v + 1, end).first() {
            // "said Lieutenant-Colonel Mark Rennie": a title may come between;
            // "said the board's president, Gary Hostetler": so may a description.
            let t0 = self.mentions[k].t0;
            let described = t0 <= v + 9
                && self.text(t0 - 1) == ","
                && matches!(
                    self.text(v + 1),
                    "the" | "a" | "an" | "its" | "his" | "her" | "their"
                )
                && (v + 1..t0 - 1).all(|j| self.text(j) != "," && !self.quoted[j]);
            let near = described
                || self.mentions[k].t0 <= v + 3
                || (v + 1..self.mentions[k].t0).all(|j| {
                    !self.is_word(j)
                        || self.text(j).starts_with(char::is_uppercase)
                        || self.text(j) == "-"
                }) && self.mentions[k].t0 <= v + 7;
            if self.speaker_rank(k) >= 1 && near {
                return Some(self.speaker_from_mention(k, cue));
            }
        }
        // "…,” said a senior official.
        Some(Speaker {
            cue,
            ..Default::default()
        })
    }

    fn cue_text(&self, v: usize, as_word: Option<usize>) -> String {
        let w = self.text(v);
        if w.eq_ignore_ascii_case("according") {
            return self.doc.span_text(v, v + 2).to_owned();
        }
        if w == "pointed" {
            return "pointed out".to_owned();
        }
        match as_word {
            Some(_)
                if matches!(
                    w,
                    "described"
                        | "describes"
                        | "describing"
                        | "characterized"
                        | "characterised"
                        | "called"
                        | "labeled"
                        | "labelled"
                        | "termed"
                        | "branded"
                        | "dubbed"
                        | "dismissed"
                        | "rejected"
                ) =>
            {
                format!("{w} ... as")
            }
            _ => w.to_owned(),
        }
    }

    /// A direct quote is a whole statement: it opens its sentence or follows its cue
    /// (with only "," or ":" between), and is not cut off mid-sentence.
    fn is_direct(&self, q: &RawQuote, text: &str, words: usize, _s: &Speaker) -> bool {
        if words < 4 {
            return false;
        }
        let starts = is_sentence_start(self.doc, q.open);
        let after_cue = {
            let mut j = q.open;
            let mut ok = false;
            while j > 0 {
                j -= 1;
                let t = self.text(j);
                if t == "," || t == ":" {
                    continue;
                }
                if self.is_cue(j) {
                    ok = true;
                } else if let Some(k) = self.covering_mention_end(j) {
                    // "According to Karimi, “…”"
                    let m = &self.mentions[k];
                    ok = m.t0 >= 2
                        && self.text(m.t0 - 1) == "to"
                        && self.text(m.t0 - 2).eq_ignore_ascii_case("according");
                }
                break;
            }
            ok
        };
        let ends_whole = text.ends_with(['.', ',', '!', '?', '\u{2026}', ':', ';'])
            || q.open_ended
            || self.sentence_end(q.close) <= q.close + 2;
        (starts || after_cue) && ends_whole
    }

    fn covering_mention_end(&self, j: usize) -> Option<usize> {
        // Mentions are sorted by start; the one ending at `j + 1` starts at or before `j`.
        let upto = self.mentions.partition_point(|m| m.t0 <= j);
        self.mentions[..upto]
            .iter()
            .rev()
            .take(8)
            .position(|m| m.t1 == j + 1)
            .map(|p| upto - 1 - p)
    }
}

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

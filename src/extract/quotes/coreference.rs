//! Speakers named by pronoun or description: "he said", "the minister said", "the
//! company said", resolved to the nearest earlier fitting mention.

use super::*;

impl Ctx<'_, '_> {
    /// Resolves a pronoun at token `p`: the first speaker-like mention of the nearest
    /// earlier sentence (or the same sentence, before `p`) that has one.
    pub(super) fn resolve_pronoun(&self, p: usize, cue: String) -> Option<Speaker> {
        self.resolve_pronoun_avoiding(p, cue, None)
    }

    /// As [`Self::resolve_pronoun`], skipping anyone named inside the quote
    /// (tokens `avoid`): “Cesc has the intelligence …,” he said — "he" is not Cesc.
    pub(super) fn resolve_pronoun_avoiding(
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
    pub(super) fn previous_subject(&self, open: usize) -> Option<Speaker> {
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

    /// "the Mayor", "the coach" at token `j`: the person this article gave that
    /// title to (the last one mentioned before `j`), else whoever a pronoun
    /// there would stand for.
    pub(super) fn resolve_descriptor(
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

    /// "the association said", "the company said": the organisation named
    /// last before token `j`.
    pub(super) fn resolve_org_descriptor(&self, j: usize, cue: String) -> Option<Speaker> {
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
}

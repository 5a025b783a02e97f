//! The attribution context's look-ups: tokens, mentions, sentences, cue verbs and
//! descriptor nouns ("a spokesman", "the minister").

use super::*;

impl Ctx<'_, '_> {
    pub(super) fn text(&self, i: usize) -> &str {
        self.doc.text(i)
    }

    pub(super) fn is_word(&self, i: usize) -> bool {
        self.doc.tokens.get(i).is_some_and(|t| t.kind == Kind::Word)
    }

    pub(super) fn entity_type(&self, m: &TokMention) -> EntityType {
        self.ex.entities[m.entity].entity_type
    }

    pub(super) fn speaker_from_mention(&self, k: usize, cue: String) -> Speaker {
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
    pub(super) fn speaker_rank(&self, k: usize) -> u8 {
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
    pub(super) fn mentions_in(&self, a: usize, b: usize) -> Vec<usize> {
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

    pub(super) fn sentence_start(&self, i: usize) -> usize {
        let s = self.sent[i];
        let mut j = i;
        while j > 0 && self.sent[j - 1] == s && self.doc.tokens[j - 1].kind != Kind::ParaBreak {
            j -= 1;
        }
        j
    }

    pub(super) fn sentence_end(&self, i: usize) -> usize {
        let n = self.doc.tokens.len();
        let s = self.sent[i.min(n - 1)];
        let mut j = i;
        while j < n && self.sent[j] == s && self.doc.tokens[j].kind != Kind::ParaBreak {
            j += 1;
        }
        j
    }

    pub(super) fn is_cue(&self, i: usize) -> bool {
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
    pub(super) fn is_descriptor(&self, i: usize) -> bool {
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
            } else if !crate::extract::tokens::hyphen(t.chars().next().unwrap_or(' ')) {
                return false;
            }
            k += 1;
        }
        false
    }

    pub(super) fn pronoun_at(&self, i: usize) -> bool {
        self.is_word(i) && gazetteer::PERSON_PRONOUNS.contains(self.text(i))
    }
}

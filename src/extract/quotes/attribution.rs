//! Who said a quote: a cue after it ("…," Smith said), before it ("X said that"),
//! after a colon, "quoted as saying". The subject of a cue verb before the
//! quote is found by the rules in [`super::subject`].

use super::*;

impl Ctx<'_, '_> {
    /// Finds the speaker of a quote, if any cue attributes it.
    pub(super) fn attribute(&self, q: &RawQuote) -> Option<Speaker> {
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

    /// Who introduces a quote after the colon at token `c`: the first person of
    /// the clause, a pronoun opening it, or a description of someone named before.
    pub(super) fn colon_subject(&self, c: usize) -> Option<Speaker> {
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
    pub(super) fn quoted_as_saying(
        &self,
        v: usize,
        end: usize,
        quote: (usize, usize),
    ) -> Option<Speaker> {
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

    /// The nearest cue before the quote in its sentence, and its subject.
    pub(super) fn attribute_before(&self, q: &RawQuote) -> Option<Speaker> {
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
    pub(super) fn person_before_affiliation(&self, ms: &[usize], t0: usize) -> Option<usize> {
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

    pub(super) fn first_comma_or(&self, a: usize, b: usize) -> usize {
        (a..b).find(|&j| self.text(j) == ",").unwrap_or(b)
    }

    /// The speaker for a cue after the quote: a mention or pronoun between the quote
    /// and the verb, else a mention right after the verb ("said Smith").
    pub(super) fn subject_after(
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

    pub(super) fn cue_text(&self, v: usize, as_word: Option<usize>) -> String {
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
}

//! Who said a quote: a cue after it ("…," Smith said), before it ("X said that"),
//! after a colon, "quoted as saying", and the verb's subject in each case.

use super::*;

impl Ctx<'_, '_> {
    /// The subject of a cue verb at `v`, searched in `[from, v)`.
    pub(super) fn subject(&self, from: usize, v: usize, cue: String) -> Option<Speaker> {
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

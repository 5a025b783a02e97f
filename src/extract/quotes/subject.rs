//! The subject of a cue verb ("X, a professor, said that “…”"): who speaks
//! when the cue comes before the quote.
//!
//! [`RULES`] are tried in order on the clause before the verb; the first that
//! decides gives the speaker (or decides there is none to name, e.g. a pronoun
//! with nobody to stand for). When none decides, the cue still attributes the
//! quote to someone unnamed ("a senior official said"). The order matters:
//! the specific shapes (an apposition, the word right before the verb) come
//! before the general ones (the clause's first person, any organisation).

use super::*;

/// The clause a cue verb ends: tokens `[from, v)`, the verb at `v`.
pub(super) struct Clause {
    from: usize,
    v: usize,
    cue: String,
    /// "…, adding that": a participle's subject is usually further back.
    participle: bool,
    /// The clause's mentions outside quotes, in order.
    ms: Vec<usize>,
}

/// What a rule made of a clause.
#[derive(Debug)]
pub(super) enum Found {
    /// Not its case: the next rule looks.
    Pass,
    /// The rule decided; `None` when what it found names nobody.
    Decided(Option<Speaker>),
}

pub(super) type SubjectRule = fn(&Ctx, &Clause) -> Found;

/// The rules, in the order they are tried.
pub(super) const RULES: &[(&str, SubjectRule)] = &[
    ("person_with_apposition", person_with_apposition),
    ("nearest_before_verb", nearest_before_verb),
    ("subject_of_reporting_verb", subject_of_reporting_verb),
    ("first_person_of_clause", first_person_of_clause),
    ("pronoun_opening_clause", pronoun_opening_clause),
    ("description_opening_clause", description_opening_clause),
    ("description_before_verb", description_before_verb),
    (
        "organisation_described_before_verb",
        organisation_described_before_verb,
    ),
    ("person_after_verb", person_after_verb),
    ("organisation_of_clause", organisation_of_clause),
];

impl Ctx<'_, '_> {
    /// The subject of a cue verb at `v`, searched in `[from, v)`.
    pub(super) fn subject(&self, from: usize, v: usize, cue: String) -> Option<Speaker> {
        let clause = Clause {
            from,
            v,
            participle: self.text(v).to_lowercase().ends_with("ing"),
            ms: self.mentions_in(from, v),
            cue,
        };
        for (_, rule) in RULES {
            if let Found::Decided(speaker) = rule(self, &clause) {
                return speaker;
            }
        }
        Some(Speaker {
            cue: clause.cue,
            ..Default::default()
        })
    }

    fn speaker(&self, k: usize, c: &Clause) -> Found {
        Found::Decided(Some(self.speaker_from_mention(k, c.cue.clone())))
    }
}

/// "Abdul Wali Shah, a lawmaker from the X, or MMA, the alliance …, said": the
/// person the apposition is about, however many commas it holds.
fn person_with_apposition(ctx: &Ctx, c: &Clause) -> Found {
    if c.participle || c.v <= c.from || ctx.text(c.v - 1) != "," {
        return Found::Pass;
    }
    match c.ms.iter().find(|&&k| {
        let m = &ctx.mentions[k];
        ctx.entity_type(m) == EntityType::Person && ctx.text(m.t1) == ","
    }) {
        Some(&k) => ctx.speaker(k, c),
        None => Found::Pass,
    }
}

/// The nearest person or pronoun right before the verb, allowing an
/// apposition or an auxiliary in between; coordination ("… met X and
/// described") stops the search.
fn nearest_before_verb(ctx: &Ctx, c: &Clause) -> Found {
    if c.participle {
        return Found::Pass;
    }
    let mut j = c.v;
    let mut gap = 0;
    let mut in_apposition = false;
    while j > c.from {
        j -= 1;
        if ctx.quoted[j] {
            break;
        }
        if ctx.pronoun_at(j) && gap <= 3 && !in_apposition {
            return Found::Decided(ctx.resolve_pronoun(j, c.cue.clone()));
        }
        if let Some(&k) = c.ms.iter().find(|&&k| ctx.mentions[k].t1 == j + 1) {
            let m = &ctx.mentions[k];
            // "Heather MacIsaac of the Progressive Conservative Party called":
            // the organisation only says where the person is from.
            if ctx.speaker_rank(k) < 3 && !in_apposition {
                if let Some(person) = ctx.person_before_affiliation(&c.ms, m.t0) {
                    return ctx.speaker(person, c);
                }
                // "The Mayor of County Cork, … Brendan Tuohy, said": a place or
                // body after a preposition is not the subject; look for the
                // clause's person instead.
                // "Garrett Lindqvist, R-Andover, said": a party tag's home town.
                let mut before = m.t0.saturating_sub(1);
                if before > 0 && ctx.text(before).eq_ignore_ascii_case("the") {
                    before -= 1;
                }
                if m.t0 > 0 && matches!(ctx.text(before), "of" | "at" | "from" | "for" | "in" | "-")
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
                    ctx.text(t) == ","
                        || ctx.is_word(t) && ctx.text(t).starts_with(char::is_uppercase)
                })
                .any(|t| ctx.text(t) == ",");
            let fills_apposition = in_apposition
                && m.t0 > 0
                && comma_before
                && gap == 0
                && ctx.entity_type(m) != EntityType::Gpe;
            if ctx.speaker_rank(k) >= 1 && (!in_apposition || fills_apposition) {
                return ctx.speaker(k, c);
            }
        }
        let t = ctx.text(j);
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
    Found::Pass
}

/// "Yahoo chairman Roy Bostock said the directors had concluded “…”": the cue
/// sits in a reported clause; the speaker is the subject of the verb that
/// reports it, if that names someone.
fn subject_of_reporting_verb(ctx: &Ctx, c: &Clause) -> Found {
    let reporting = (c.from..c.v)
        .rev()
        .find(|&w| ctx.is_cue(w) && !ctx.text(w).eq_ignore_ascii_case("according"));
    match reporting.and_then(|w| ctx.subject(c.from, w, c.cue.clone())) {
        Some(found) if found.entity.is_some() => Found::Decided(Some(found)),
        _ => Found::Pass,
    }
}

/// The first person of the clause: the sentence's subject.
fn first_person_of_clause(ctx: &Ctx, c: &Clause) -> Found {
    match c.ms.iter().find(|&&k| ctx.speaker_rank(k) >= 3) {
        Some(&k) => ctx.speaker(k, c),
        None => Found::Pass,
    }
}

/// A pronoun opening the clause ("He told the court that …").
fn pronoun_opening_clause(ctx: &Ctx, c: &Clause) -> Found {
    match (c.from..c.v).find(|&j| ctx.pronoun_at(j) && !ctx.quoted[j]) {
        Some(j) => Found::Decided(ctx.resolve_pronoun(j, c.cue.clone())),
        None => Found::Pass,
    }
}

/// "The London-based businessman, who …, said": a description of someone
/// named before opens the clause.
fn description_opening_clause(ctx: &Ctx, c: &Clause) -> Found {
    if ctx.is_descriptor(c.from) {
        Found::Decided(ctx.resolve_descriptor(c.from, c.cue.clone(), None))
    } else {
        Found::Pass
    }
}

/// "In a statement, the 65-year-old actor said": a description right before
/// the verb.
fn description_before_verb(ctx: &Ctx, c: &Clause) -> Found {
    let found = (c.from..c.v).rev().take(8).find(|&j| {
        ctx.is_descriptor(j) && (j + 1..c.v).all(|t| ctx.is_word(t) || ctx.text(t) == "-")
    });
    match found {
        Some(j) => Found::Decided(ctx.resolve_descriptor(j, c.cue.clone(), None)),
        None => Found::Pass,
    }
}

/// "In a statement, the association said …": an organisation named before,
/// by the noun for what it is.
fn organisation_described_before_verb(ctx: &Ctx, c: &Clause) -> Found {
    let found = (c.from..c.v).rev().take(6).find(|&j| {
        ctx.text(j).eq_ignore_ascii_case("the")
            && ctx.is_word(j + 1)
            && ORG_DESCRIPTORS.contains(ctx.text(j + 1))
            && j + 2 == c.v
    });
    match found.and_then(|j| ctx.resolve_org_descriptor(j, c.cue.clone())) {
        Some(speaker) => Found::Decided(Some(speaker)),
        None => Found::Pass,
    }
}

/// “…,” said Murray Tait, 61, a retired boatbuilder, “ever since …”: the
/// person right after the verb; titles may stand between ("said Chief Emeka
/// Nwachukwu").
fn person_after_verb(ctx: &Ctx, c: &Clause) -> Found {
    let mut after = c.v + 1;
    while after < c.v + 4
        && ctx.starts.get(after).is_some_and(|k| k.is_none())
        && ctx.is_word(after)
        && ctx.text(after).starts_with(char::is_uppercase)
    {
        after += 1;
    }
    match ctx.starts.get(after).and_then(|k| k.as_ref()) {
        Some(&k) if ctx.entity_type(&ctx.mentions[k]) == EntityType::Person => ctx.speaker(k, c),
        _ => Found::Pass,
    }
}

/// An organisation as the clause's subject ("The Central Electricity
/// Generating Board said …, adding that"); after a participle only if it
/// opens the clause.
fn organisation_of_clause(ctx: &Ctx, c: &Clause) -> Found {
    let found = c.ms.iter().find(|&&k| {
        ctx.speaker_rank(k) >= 1 && (!c.participle || ctx.mentions[k].t0 <= c.from + 2)
    });
    match found {
        Some(&k) => ctx.speaker(k, c),
        None => Found::Pass,
    }
}

#[cfg(test)]
mod tests {
    use super::super::with_ctx;
    use super::*;

    /// What `rule` makes of the clause before the first `verb` in the
    /// sentence holding it: `None` when it passes, else the speaker's name
    /// ("" for a decision that names nobody).
    fn apply(rule: SubjectRule, body: &str, verb: &str) -> Option<String> {
        with_ctx(body, |ctx| {
            let v = (0..ctx.doc.tokens.len())
                .find(|&i| ctx.text(i) == verb && !ctx.quoted[i])
                .unwrap_or_else(|| panic!("no {verb:?} in {body:?}"));
            let from = ctx.sentence_start(v);
            let clause = Clause {
                from,
                v,
                participle: verb.ends_with("ing"),
                ms: ctx.mentions_in(from, v),
                cue: verb.to_owned(),
            };
            match rule(ctx, &clause) {
                Found::Pass => None,
                Found::Decided(s) => Some(s.map(|s| s.name).unwrap_or_default()),
            }
        })
    }

    #[test]
    fn rules_have_distinct_names() {
        crate::extract::assert_distinct_names(RULES);
    }

    #[test]
    fn an_apposition_names_the_person_it_is_about() {
        let body =
            "Ilse Vandermolen, a lawmaker from the Harbour Party, said the vote was \"a sham\".";
        let name = apply(person_with_apposition, body, "said");
        assert_eq!(name.as_deref(), Some("Ilse Vandermolen"));
        // No comma before the verb: not its case.
        let body = "Ilse Vandermolen said the vote was \"a sham\".";
        assert_eq!(apply(person_with_apposition, body, "said"), None);
    }

    #[test]
    fn the_name_right_before_the_verb_speaks_not_its_affiliation() {
        let body = "Harold Pemberton of the Harbour Party called the plan \"a disgrace\".";
        assert_eq!(
            apply(nearest_before_verb, body, "called").as_deref(),
            Some("Harold Pemberton")
        );
        // A participle's subject is further back: not this rule's case.
        let body = "The board met on Monday, adding that the plan was \"a disgrace\".";
        assert_eq!(apply(nearest_before_verb, body, "adding"), None);
    }

    #[test]
    fn a_reported_clause_is_spoken_by_whoever_reports_it() {
        let body = "Harbour chairman Roy Pemberton said the directors had concluded the offer was \"too low\".";
        assert_eq!(
            apply(subject_of_reporting_verb, body, "concluded").as_deref(),
            Some("Roy Pemberton")
        );
        let body = "The directors concluded the offer was \"too low\".";
        assert_eq!(apply(subject_of_reporting_verb, body, "concluded"), None);
    }

    #[test]
    fn the_first_person_of_the_clause_is_its_subject() {
        let body = "After the match in Valdora, Ilse Vandermolen and the coach agreed it was \"a fair result\".";
        assert_eq!(
            apply(first_person_of_clause, body, "agreed").as_deref(),
            Some("Ilse Vandermolen")
        );
        let body = "After the match, the players agreed it was \"a fair result\".";
        assert_eq!(apply(first_person_of_clause, body, "agreed"), None);
    }

    #[test]
    fn a_pronoun_opening_the_clause_stands_for_the_person_before() {
        let body = "Ilse Vandermolen spoke on Monday.\n\nLater on she also told the court it was \"a sham\".";
        assert_eq!(
            apply(pronoun_opening_clause, body, "told").as_deref(),
            Some("Ilse Vandermolen")
        );
        let body = "Later on the court heard it was \"a sham\".";
        assert_eq!(apply(pronoun_opening_clause, body, "heard"), None);
    }

    #[test]
    fn descriptions_find_someone_named_before() {
        let body = "Coach Ilse Vandermolen arrived.\n\nThe coach, who had travelled far, said the team was \"ready\".";
        assert_eq!(
            apply(description_opening_clause, body, "said").as_deref(),
            Some("Ilse Vandermolen")
        );
        let body = "Coach Ilse Vandermolen arrived.\n\nIn a statement, the coach said the team was \"ready\".";
        assert_eq!(apply(description_opening_clause, body, "said"), None);
        assert_eq!(
            apply(description_before_verb, body, "said").as_deref(),
            Some("Ilse Vandermolen")
        );
    }

    #[test]
    fn an_organisation_by_what_it_is() {
        let body = "The Rowan Trust, a charity, disagreed.\n\nIn a statement, the charity said the plan was \"a betrayal\".";
        assert_eq!(
            apply(organisation_described_before_verb, body, "said").as_deref(),
            Some("Rowan Trust")
        );
        let body = "In a statement, the charity said the plan was \"a betrayal\".";
        assert_eq!(
            apply(organisation_described_before_verb, body, "said"),
            None
        );
    }

    #[test]
    fn the_person_after_the_verb_titles_allowed() {
        let body = "\"It was a long winter,\" said Chief Emeka Nwachukwu, a retired boatbuilder.";
        assert_eq!(
            apply(person_after_verb, body, "said").as_deref(),
            Some("Emeka Nwachukwu")
        );
        let body = "\"It was a long winter,\" said a retired boatbuilder.";
        assert_eq!(apply(person_after_verb, body, "said"), None);
    }

    #[test]
    fn an_organisation_speaks_when_no_person_does() {
        let body =
            "The Harbour Electricity Board met on Monday, adding that the plan was \"unworkable\".";
        assert_eq!(
            apply(organisation_of_clause, body, "adding").as_deref(),
            Some("Harbour Electricity Board")
        );
        let body = "On Monday the board met, adding that the plan was \"unworkable\".";
        assert_eq!(apply(organisation_of_clause, body, "adding"), None);
    }
}

//! Lone capitalised words still undecided after segmentation: a name if the article
//! names it elsewhere, a team, a company's short form, or nothing.

use super::*;
use std::collections::HashSet;

/// "Thomas Jordan … Jordan said": a lone word that is the surname of someone
/// named in full in this article is that person, even when it is also a
/// country — unless a place preposition says otherwise ("in Jordan").
pub(super) fn surnames_that_are_places(doc: &Doc, pieces: &mut [Piece]) {
    let surnames: Vec<&str> = pieces
        .iter()
        .filter(|p| p.etype == Some(EntityType::Person) && p.t1 > p.t0 + 1)
        .filter_map(|p| {
            (p.t0..p.t1)
                .rev()
                .find(|&i| doc.is_word(i))
                .map(|i| doc.text(i))
        })
        .collect();
    if surnames.is_empty() {
        return;
    }
    for p in pieces.iter_mut() {
        if p.etype != Some(EntityType::Gpe) || p.t1 != p.t0 + 1 {
            continue;
        }
        let w = doc.text(p.t0);
        let placed = p.t0 > 0
            && doc.is_word(p.t0 - 1)
            && matches!(
                doc.text(p.t0 - 1),
                "in" | "In" | "to" | "from" | "of" | "near" | "across" | "into" | "at"
            );
        let glued = doc.is_punct(p.t1, "-") || p.t0 > 0 && doc.is_punct(p.t0 - 1, "-");
        if !placed && !glued && surnames.contains(&w) {
            p.etype = Some(EntityType::Person);
            p.canonical = w.to_owned();
        }
    }
}

/// A multi-word name typed as a work or an organisation by its context once
/// ("the drama Vera Drake") keeps that type where it appears without one
/// ("Mike Leigh's Vera Drake"), instead of reading as a person there.
pub(super) fn same_name_same_type(doc: &Doc, pieces: &mut [Piece]) {
    let typed: Vec<(String, EntityType)> = pieces
        .iter()
        .filter(|p| {
            p.t1 > p.t0 + 1 && matches!(p.etype, Some(EntityType::WorkOfArt | EntityType::Org))
        })
        .map(|p| {
            (
                doc.span_text(p.t0, p.t1).to_owned(),
                p.etype.unwrap_or(EntityType::Org),
            )
        })
        .collect();
    if typed.is_empty() {
        return;
    }
    for p in pieces.iter_mut() {
        if p.etype != Some(EntityType::Person) || p.titled || p.t1 <= p.t0 + 1 {
            continue;
        }
        let text = doc.span_text(p.t0, p.t1);
        if let Some((_, t)) = typed.iter().find(|(s, _)| s == text) {
            p.etype = Some(*t);
            p.canonical = text.to_owned();
        }
    }
}

word_list!(
/// Words after a company's short name in its full legal name ("Toyota *Motor Corp.*").
    pub(super) CORP_SUFFIXES = "corp_suffixes.txt"
);

/// "Toyota" after "Toyota Motor Corp.": the short form joins the full company name.
pub(super) fn company_short_forms(doc: &Doc, pieces: &mut [Piece]) {
    let mut shorts: HashMap<String, String> = HashMap::new();
    for p in pieces.iter() {
        if p.etype != Some(EntityType::Org) {
            continue;
        }
        let words: Vec<usize> = (p.t0..p.t1).filter(|&i| doc.is_word(i)).collect();
        let mut cut = words.len();
        while cut > 1 && CORP_SUFFIXES.contains(doc.text(words[cut - 1])) {
            cut -= 1;
        }
        if cut < words.len() {
            let short = doc.span_text(words[0], words[cut - 1] + 1).to_owned();
            shorts.entry(short).or_insert_with(|| p.canonical.clone());
        }
    }
    if shorts.is_empty() {
        return;
    }
    for p in pieces.iter_mut() {
        if !matches!(p.etype, Some(EntityType::Org | EntityType::Person)) || p.titled {
            continue;
        }
        if let Some(full) = shorts.get(doc.span_text(p.t0, p.t1)) {
            p.etype = Some(EntityType::Org);
            p.canonical = full.clone();
        }
    }
}

word_list!(
/// Nouns after a place name that make it a sports team ("Valencia coach").
    pub(super) TEAM_NOUNS = "team_nouns.txt"
);

/// Cities and countries that play: a place followed by a team noun or a score
/// ("Valencia coach", "beat Valencia 3-2") is a team in this article, everywhere.
pub(super) fn sports_teams(doc: &Doc, pieces: &mut [Piece]) {
    // A lone word guessed to be a surname can be a club too ("beat Bolton 3-1"),
    // unless it is part of someone's full name in this article.
    let in_full_names: Vec<&str> = pieces
        .iter()
        .filter(|p| p.etype == Some(EntityType::Person) && p.t1 > p.t0 + 1)
        .flat_map(|p| {
            (p.t0..p.t1)
                .filter(|&i| doc.is_word(i))
                .map(|i| doc.text(i))
        })
        .collect();
    let guessed = |p: &Piece| {
        p.etype == Some(EntityType::Person)
            && !p.titled
            && p.t1 == p.t0 + 1
            && !in_full_names.contains(&doc.text(p.t0))
    };
    let mut teams: Vec<String> = Vec::new();
    for p in pieces.iter() {
        if p.etype != Some(EntityType::Gpe) && !guessed(p) {
            continue;
        }
        let next = p.t1;
        let noun = doc.is_word(next) && TEAM_NOUNS.contains(doc.text(next));
        let score = doc.is_word(next)
            && is_number(doc.text(next))
            && doc
                .tokens
                .get(next + 1)
                .is_some_and(|t| t.kind == Kind::Punct)
            && matches!(doc.text(next + 1), "-" | "\u{2013}")
            && doc.is_word(next + 2)
            && is_number(doc.text(next + 2))
            && doc.text(next).len() <= 2;
        if (noun || score) && !teams.contains(&p.canonical) {
            teams.push(p.canonical.clone());
        }
    }
    // Words this article already uses as an organisation ("Bolton boss").
    let org_words: Vec<String> = pieces
        .iter()
        .filter(|p| p.etype == Some(EntityType::Org) && p.t1 == p.t0 + 1)
        .map(|p| doc.text(p.t0).to_owned())
        .collect();
    for p in pieces.iter_mut() {
        let team = (p.etype == Some(EntityType::Gpe) || guessed(p)) && teams.contains(&p.canonical);
        let org = guessed(p) && org_words.iter().any(|w| w == doc.text(p.t0));
        if team || org {
            p.etype = Some(EntityType::Org);
        }
    }
}

word_list!(
/// Verbs and words that follow a surname; a lowercase noun after a capitalised word
/// ("Camry sedan") suggests a product or modifier instead.
    pub(super) AFTER_NAME = "after_name.txt"
);

/// Whether the token after a lone capitalised word lets it be a name: punctuation, a
/// possessive, another capitalised word, a verb-like word.
pub(super) fn followed_like_a_name(doc: &Doc, i: usize) -> bool {
    let Some(t) = doc.tokens.get(i) else {
        return true;
    };
    if t.kind != Kind::Word {
        return true;
    }
    let w = doc.text(i);
    if starts_upper(w) || AFTER_NAME.contains(w) {
        return true;
    }
    (w.ends_with("ed") || w.ends_with('s') && !w.ends_with("ss")) && w.chars().count() > 3
}

word_list!(
/// Nouns before "of X" that make X a place ("the state of Chiapas").
    pub(super) PLACE_NOUNS = "place_nouns.txt"
);

word_list!(
/// Nouns after "the X" that make X an organisation ("the Merval index").
    pub(super) ORG_NOUNS = "org_nouns.txt"
);

word_list!(
/// Plural nouns after "the X" that make X a group ("the Zapatista rebels").
    pub(super) GROUP_NOUNS = "group_nouns.txt"
);

/// Decides lone capitalised words: surnames of people named in full, titled names,
/// speakers ("Karimi said"), "the Biden administration", and places listed among places.
///
/// The article's evidence about its lone words is gathered first ([`Evidence`]);
/// then each undecided word goes through the [`SINGLE_RULES`] in order, the first
/// that applies deciding it; last, a word used for a person anywhere is a person
/// everywhere.
pub(super) fn decide_singles(doc: &Doc, g: &Gazetteer, pieces: &mut [Piece]) {
    let mut evidence = Evidence::gather(doc, g, pieces);
    for k in 0..pieces.len() {
        if pieces[k].etype.is_some() || pieces[k].weak {
            continue;
        }
        let single = Single::at(doc, g, pieces, k);
        let decision = SINGLE_RULES
            .iter()
            .find_map(|(_, rule)| rule(&single, &evidence));
        let Some(decision) = decision else { continue };
        let w = single.w.to_owned();
        match decision.remember {
            Remember::Nothing => {}
            Remember::Person => {
                evidence.person_words.insert(w);
            }
            Remember::Place => {
                evidence.place_words.insert(w);
            }
        }
        if decision.etype.is_some() {
            pieces[k].etype = decision.etype;
        }
    }
    // Same word as a decided person anywhere in the article.
    for p in pieces.iter_mut() {
        if p.etype.is_none() && evidence.person_words.contains(doc.text(p.t0)) {
            p.etype = Some(EntityType::Person);
        }
    }
}

/// What the whole article says about its lone words.
pub(super) struct Evidence {
    /// Words of person names (grows as words are decided as persons).
    person_words: HashSet<String>,
    /// Words placed by strong evidence somewhere ("in Gympie"): places wherever
    /// else they appear alone ("Gympie on Sunday").
    place_words: HashSet<String>,
    /// Words with organisation evidence somewhere ("Arcelor chief executive",
    /// "shares in Ispat"): organisations wherever they appear alone.
    org_words: HashSet<String>,
}

impl Evidence {
    fn gather(doc: &Doc, g: &Gazetteer, pieces: &[Piece]) -> Self {
        let mut person_words = HashSet::new();
        for p in pieces {
            if p.etype == Some(EntityType::Person) {
                for i in p.t0..p.t1 {
                    if doc.is_word(i) {
                        person_words.insert(doc.text(i).to_owned());
                    }
                }
            }
        }
        let mut place_words = HashSet::new();
        for p in pieces {
            if p.etype.is_some() || p.weak || p.titled || p.t1 != p.t0 + 1 {
                continue;
            }
            let w = doc.text(p.t0);
            let prep = p.t0 > 0
                && doc.is_word(p.t0 - 1)
                && matches!(doc.text(p.t0 - 1), "in" | "near" | "outside")
                && !doc.tokens[p.t0].sent_start
                && !shares_in(doc, p.t0);
            let of_place = of_a_place_noun(doc, p.t0);
            // "on a visit to Argenteuil", "a trip to Kybong".
            let visit_to = p.t0 >= 2
                && doc.text(p.t0 - 1) == "to"
                && matches!(
                    doc.text(p.t0 - 2),
                    "visit"
                        | "trip"
                        | "travelled"
                        | "traveled"
                        | "flew"
                        | "moved"
                        | "returned"
                        | "journey"
                        | "drove"
                );
            if (prep || of_place || visit_to)
                && !g.is_common_word(w)
                && !g.is_first_name(w)
                && !(doc.is_word(p.t1) && starts_upper(doc.text(p.t1)))
            {
                place_words.insert(w.to_owned());
            }
        }
        let mut org_words = HashSet::new();
        for p in pieces {
            if p.etype.is_some() || p.titled || p.t1 != p.t0 + 1 {
                continue;
            }
            let w = doc.text(p.t0);
            if person_words.contains(w) {
                continue;
            }
            let org_role = doc.is_word(p.t1) && ORG_ROLE_NEXT.contains(doc.text(p.t1));
            if org_role || shares_in(doc, p.t0) || after_org_noun(doc, p.t0) {
                org_words.insert(w.to_owned());
            }
        }
        Evidence {
            person_words,
            place_words,
            org_words,
        }
    }
}

/// A lone word being decided, with its neighbours.
pub(super) struct Single<'r, 'a> {
    doc: &'r Doc<'a>,
    g: &'r Gazetteer,
    pieces: &'r [Piece],
    k: usize,
    p: &'r Piece,
    w: &'a str,
    next: Option<usize>,
    next_text: &'a str,
}

impl<'r, 'a> Single<'r, 'a> {
    fn at(doc: &'r Doc<'a>, g: &'r Gazetteer, pieces: &'r [Piece], k: usize) -> Self {
        let p = &pieces[k];
        let next = next_word(doc, p.t1);
        Single {
            doc,
            g,
            pieces,
            k,
            p,
            w: doc.text(p.t0),
            next,
            next_text: next.map(|i| doc.text(i)).unwrap_or(""),
        }
    }
}

/// What a rule decided about a lone word: its type (`None`: it stays
/// undecided, and no later rule looks at it), and what the article learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Decision {
    etype: Option<EntityType>,
    remember: Remember,
}

/// What a decision teaches about the word elsewhere in the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Remember {
    Nothing,
    /// The word is a person's wherever it appears alone.
    Person,
    /// The word is a place wherever it appears alone.
    Place,
}

fn decide(etype: Option<EntityType>, remember: Remember) -> Option<Decision> {
    Some(Decision { etype, remember })
}

/// A rule for lone words: `None` when it does not apply.
pub(super) type SingleRule = fn(&Single, &Evidence) -> Option<Decision>;

/// The rules for lone words, in the order they are tried.
pub(super) const SINGLE_RULES: &[(&str, SingleRule)] = &[
    ("organisation by context", organisation_by_context),
    ("person by context", person_by_context),
    ("west or east", west_or_east),
    ("party and home town", party_tag),
    ("place by context", place_by_context),
    ("the X noun", the_x_noun),
    ("product-style capitals", product_capitals),
    ("surname", surname),
];

/// "analysts at Nomura", "an analyst at Moody's", and words with organisation
/// evidence elsewhere ("Arcelor chief executive", "shares in Ispat").
fn organisation_by_context(s: &Single, e: &Evidence) -> Option<Decision> {
    let (doc, g, p, w) = (s.doc, s.g, s.p, s.w);
    // "analysts at Nomura": an unknown name after "at" is an organisation.
    let after_at = p.t0 > 0
        && doc.is_word(p.t0 - 1)
        && doc.text(p.t0 - 1) == "at"
        && !g.is_common_word(w)
        && !g.is_first_name(w)
        && !doc.tokens[p.t0].sent_start;
    // "an analyst at Moody's": a firm named by its founder's possessive.
    let at_possessive = p.t0 > 0
        && doc.is_word(p.t0 - 1)
        && doc.text(p.t0 - 1) == "at"
        && doc
            .tokens
            .get(p.t1)
            .is_some_and(|t| t.kind == Kind::Possessive)
        && !is_name_word(doc, p.t1 + 1);
    let org_evidence = e.org_words.contains(w);
    ((after_at || at_possessive || org_evidence) && !p.titled && !e.person_words.contains(w))
        .then_some(Decision {
            etype: Some(EntityType::Org),
            remember: Remember::Nothing,
        })
}

/// A titled word, a word of a person named elsewhere, "the Biden
/// administration", or a speaker ("Karimi said").
fn person_by_context(s: &Single, e: &Evidence) -> Option<Decision> {
    let (doc, g, p, w, next_text) = (s.doc, s.g, s.p, s.w, s.next_text);
    let person = p.titled
        || e.person_words.contains(w)
        || matches!(
            next_text,
            "administration" | "government" | "campaign" | "presidency"
        ) && doc.t_prev_is(p.t0, "the")
        || gazetteer::sets().cue_verbs.contains(&next_text)
            && !g.is_common_word(w)
            && s.next.is_some_and(|i| i == p.t1);
    person.then_some(Decision {
        etype: Some(EntityType::Person),
        remember: Remember::Person,
    })
}

/// "the West", "the East": regions; alone, nothing.
fn west_or_east(s: &Single, _: &Evidence) -> Option<Decision> {
    if s.w != "West" && s.w != "East" {
        return None;
    }
    let region = s.doc.t_prev_is(s.p.t0, "the");
    decide(region.then_some(EntityType::Loc), Remember::Nothing)
}

/// "Sen. Garrett Lindqvist, R-Andover": a party letter and a home town.
fn party_tag(s: &Single, _: &Evidence) -> Option<Decision> {
    let (doc, p) = (s.doc, s.p);
    let party_tag = p.t0 >= 2
        && doc.is_punct(p.t0 - 1, "-")
        && !doc.tokens[p.t0].space_before
        && doc.is_word(p.t0 - 2)
        && matches!(doc.text(p.t0 - 2), "R" | "D" | "I");
    party_tag.then_some(Decision {
        etype: Some(EntityType::Gpe),
        remember: Remember::Nothing,
    })
}

/// Listed among places ("Taiwan, Hong Kong and Macau"), after a place
/// preposition ("a rally in Kibera"), "the town of Lodwar", "the Makati
/// financial district".
fn place_by_context(s: &Single, _: &Evidence) -> Option<Decision> {
    let (doc, g, p, w) = (s.doc, s.g, s.p, s.w);
    let prev_piece = s.k.checked_sub(1).map(|j| &s.pieces[j]);
    let next_piece = s.pieces.get(s.k + 1);
    let listed = |q: Option<&Piece>, before: bool| {
        q.is_some_and(|q| {
            q.etype == Some(EntityType::Gpe) && {
                let (a, b) = if before { (q.t1, p.t0) } else { (p.t1, q.t0) };
                b > a && b - a <= 2 && (a..b).all(|i| matches!(doc.text(i), "," | "and" | "or"))
            }
        })
    };
    // "a rally in Kibera": an unknown, unusual word after a place preposition.
    let after_place_prep = p.t0 > 0
        && doc.is_word(p.t0 - 1)
        && matches!(doc.text(p.t0 - 1), "in" | "near" | "outside" | "from")
        && !g.is_common_word(w)
        && !g.is_first_name(w)
        && !doc.tokens[p.t0].sent_start
        && !(doc.is_word(p.t1) && starts_upper(doc.text(p.t1)));
    // "the state of Chiapas", "the town of Lodwar", "residents of Gympie".
    let of_place = of_a_place_noun(doc, p.t0) && !g.is_common_word(w);
    // "the Makati financial district".
    let the_x_place = doc.t_prev_is(p.t0, "the")
        && (p.t1..(p.t1 + 2).min(doc.tokens.len())).any(|i| {
            doc.is_word(i)
                && matches!(
                    doc.text(i),
                    "district" | "area" | "region" | "province" | "valley"
                )
        })
        && !g.is_common_word(w);
    (listed(prev_piece, true)
        || listed(next_piece, false)
        || after_place_prep
        || of_place
        || the_x_place)
        .then_some(Decision {
            etype: Some(EntityType::Gpe),
            remember: Remember::Place,
        })
}

/// After "the": "the Zapatista rebels" (a group), "the Yomiuri newspaper"
/// (an organisation); "the Corolla model" is no one.
fn the_x_noun(s: &Single, _: &Evidence) -> Option<Decision> {
    let (doc, p) = (s.doc, s.p);
    if !doc.t_prev_is(p.t0, "the") {
        return None;
    }
    let etype = if doc.is_word(p.t1) && GROUP_NOUNS.contains(doc.text(p.t1)) {
        Some(EntityType::Norp)
    } else if doc.is_word(p.t1) && ORG_NOUNS.contains(doc.text(p.t1)) {
        // "the Merval stock index" → "Merval index"; "the Yomiuri newspaper".
        Some(EntityType::Org)
    } else if doc.is_word(p.t1 + 1)
        && ORG_NOUNS.contains(doc.text(p.t1 + 1))
        && doc.is_word(p.t1)
        && !starts_upper(doc.text(p.t1))
    {
        Some(EntityType::Org)
    } else {
        None
    };
    decide(etype, Remember::Nothing)
}

/// "ChatGPT", "iPhone": product-style capitals inside the word; left undecided.
fn product_capitals(s: &Single, _: &Evidence) -> Option<Decision> {
    let w = s.w;
    (w.chars().skip(1).any(char::is_uppercase) && w.chars().any(char::is_lowercase)).then_some(
        Decision {
            etype: None,
            remember: Remember::Nothing,
        },
    )
}

/// Otherwise a capitalised word that is not an everyday word, in mid-sentence, is
/// most often a person's surname in news text ("Putin", "Macron") — or a place
/// placed elsewhere, or a company before "'s shares".
fn surname(s: &Single, e: &Evidence) -> Option<Decision> {
    let (doc, g, p, w) = (s.doc, s.g, s.p, s.w);
    if g.is_common_word(w)
        || is_acronym(w)
        || w.chars().count() < 3
        || !w
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '\u{2019}')
    {
        return None;
    }
    let model_number = doc.is_punct(p.t1, "-")
        && doc
            .tokens
            .get(p.t1 + 1)
            .is_some_and(|t| t.kind == Kind::Word)
        && doc.text(p.t1 + 1).starts_with(|c: char| c.is_ascii_digit());
    if model_number || !followed_like_a_name(doc, p.t1) {
        return decide(None, Remember::Nothing);
    }
    let org_next = s.next_text == "’s" || s.next_text == "'s";
    let org_like = org_next
        && doc.is_word(p.t1 + 1)
        && matches!(
            doc.text(p.t1 + 1),
            "shares"
                | "stock"
                | "chief"
                | "CEO"
                | "board"
                | "headquarters"
                | "profits"
                | "revenue"
                | "sales"
                | "products"
                | "customers"
                | "employees"
        );
    if e.place_words.contains(w) {
        return decide(Some(EntityType::Gpe), Remember::Nothing);
    }
    decide(
        Some(if org_like {
            EntityType::Org
        } else {
            EntityType::Person
        }),
        Remember::Person,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tokens::tokenize;

    /// What `rule` decides for the lone word `word` in `text` (`None`: the
    /// rule does not apply; `Some(None)`: it leaves the word undecided).
    fn decided(rule: SingleRule, text: &str, word: &str) -> Option<Option<EntityType>> {
        let tokens = tokenize(text);
        let doc = Doc {
            body: text,
            tokens: &tokens,
        };
        let t0 = (0..tokens.len())
            .find(|&i| doc.text(i) == word)
            .expect("the word is in the text");
        let pieces = vec![piece(t0, t0 + 1, None, word)];
        let evidence = Evidence::gather(&doc, gazetteer(), &pieces);
        rule(&Single::at(&doc, gazetteer(), &pieces, 0), &evidence).map(|d| d.etype)
    }

    #[test]
    fn single_rules_have_distinct_names() {
        crate::extract::assert_distinct_names(SINGLE_RULES);
    }

    #[test]
    fn each_single_rule_decides_its_own_case_only() {
        use EntityType::*;
        let org = organisation_by_context;
        assert_eq!(
            decided(org, "analysts at Nomura expect more", "Nomura"),
            Some(Some(Org))
        );
        assert_eq!(
            decided(org, "analysts expect Nomura to win", "Nomura"),
            None
        );
        let person = person_by_context;
        assert_eq!(
            decided(person, "so Vandermolen said on Monday", "Vandermolen"),
            Some(Some(Person))
        );
        assert_eq!(
            decided(person, "so Vandermolen left on Monday", "Vandermolen"),
            None
        );
        assert_eq!(
            decided(west_or_east, "tension with the West grew", "West"),
            Some(Some(Loc))
        );
        assert_eq!(decided(west_or_east, "West of here", "West"), Some(None));
        assert_eq!(
            decided(
                party_tag,
                "Sen. Garrett Lindqvist, R-Andover, said",
                "Andover"
            ),
            Some(Some(Gpe))
        );
        assert_eq!(
            decided(place_by_context, "a rally in Kibera on Sunday", "Kibera"),
            Some(Some(Gpe))
        );
        assert_eq!(
            decided(place_by_context, "a rally for Kibera on Sunday", "Kibera"),
            None
        );
        assert_eq!(
            decided(the_x_noun, "the Zapatista rebels", "Zapatista"),
            Some(Some(Norp))
        );
        assert_eq!(
            decided(product_capitals, "users of ChatGPT say", "ChatGPT"),
            Some(None)
        );
        assert_eq!(
            decided(product_capitals, "users of Velmora say", "Velmora"),
            None
        );
    }
}

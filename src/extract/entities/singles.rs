//! Lone capitalised words still undecided after segmentation: a name if the article
//! names it elsewhere, a team, a company's short form, or nothing.

use super::*;

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
pub(super) fn decide_singles(doc: &Doc, g: &Gazetteer, pieces: &mut [Piece]) {
    let mut person_words: HashMap<String, bool> = HashMap::new();
    for p in pieces.iter() {
        if p.etype == Some(EntityType::Person) {
            for i in p.t0..p.t1 {
                if doc.is_word(i) {
                    person_words.insert(doc.text(i).to_owned(), true);
                }
            }
        }
    }
    let n = pieces.len();
    // Words placed by strong evidence somewhere ("in Gympie") are places
    // wherever else they appear alone ("Gympie on Sunday").
    let mut place_words: std::collections::HashSet<String> = std::collections::HashSet::new();
    for p in pieces.iter() {
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
    // Words with organisation evidence somewhere ("Arcelor chief executive",
    // "shares in Ispat") are organisations wherever they appear alone.
    let mut org_words: std::collections::HashSet<String> = std::collections::HashSet::new();
    for p in pieces.iter() {
        if p.etype.is_some() || p.titled || p.t1 != p.t0 + 1 {
            continue;
        }
        let w = doc.text(p.t0);
        if person_words.contains_key(w) {
            continue;
        }
        let org_role = doc.is_word(p.t1) && ORG_ROLE_NEXT.contains(doc.text(p.t1));
        if org_role || shares_in(doc, p.t0) || after_org_noun(doc, p.t0) {
            org_words.insert(w.to_owned());
        }
    }
    // Evidence pass.
    for k in 0..n {
        if pieces[k].etype.is_some() || pieces[k].weak {
            continue;
        }
        let p = &pieces[k];
        let w = doc.text(p.t0);
        let next = next_word(doc, p.t1);
        let next_text = next.map(|i| doc.text(i)).unwrap_or("");
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
        // "Arcelor chief executive", "Bolton boss", "rights group Liberty",
        // "shares in Ispat" — here or elsewhere in the article.
        let org_evidence = org_words.contains(w);
        if (after_at || at_possessive || org_evidence) && !p.titled && !person_words.contains_key(w)
        {
            pieces[k].etype = Some(EntityType::Org);
            continue;
        }
        let person = p.titled
            || person_words.contains_key(w)
            || matches!(
                next_text,
                "administration" | "government" | "campaign" | "presidency"
            ) && doc.t_prev_is(p.t0, "the")
            || gazetteer::sets().cue_verbs.contains(&next_text)
                && !g.is_common_word(w)
                && next.is_some_and(|i| i == p.t1);
        if person {
            pieces[k].etype = Some(EntityType::Person);
            person_words.insert(w.to_owned(), true);
            continue;
        }
        if w == "West" || w == "East" {
            if doc.t_prev_is(p.t0, "the") {
                pieces[k].etype = Some(EntityType::Loc);
            }
            continue;
        }
        // Listed among places: "Taiwan, Hong Kong and Macau".
        let prev_piece = k.checked_sub(1).map(|j| &pieces[j]);
        let next_piece = pieces.get(k + 1);
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
        // "Sen. Garrett Lindqvist, R-Andover": a party letter and a home town.
        let party_tag = p.t0 >= 2
            && doc.is_punct(p.t0 - 1, "-")
            && !doc.tokens[p.t0].space_before
            && doc.is_word(p.t0 - 2)
            && matches!(doc.text(p.t0 - 2), "R" | "D" | "I");
        if party_tag {
            pieces[k].etype = Some(EntityType::Gpe);
            continue;
        }
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
        if listed(prev_piece, true)
            || listed(next_piece, false)
            || after_place_prep
            || of_place
            || the_x_place
        {
            pieces[k].etype = Some(EntityType::Gpe);
            place_words.insert(w.to_owned());
            continue;
        }
        // "the Zapatista rebels": a group; "the Corolla model": not a person either.
        if doc.t_prev_is(p.t0, "the") {
            if doc.is_word(p.t1) && GROUP_NOUNS.contains(doc.text(p.t1)) {
                pieces[k].etype = Some(EntityType::Norp);
            } else if doc.is_word(p.t1) && ORG_NOUNS.contains(doc.text(p.t1)) {
                // "the Merval stock index" → "Merval index"; "the Yomiuri newspaper".
                pieces[k].etype = Some(EntityType::Org);
            } else if doc.is_word(p.t1 + 1)
                && ORG_NOUNS.contains(doc.text(p.t1 + 1))
                && doc.is_word(p.t1)
                && !starts_upper(doc.text(p.t1))
            {
                pieces[k].etype = Some(EntityType::Org);
            }
            continue;
        }
        // "ChatGPT", "iPhone": product-style capitals inside the word.
        if w.chars().skip(1).any(char::is_uppercase) && w.chars().any(char::is_lowercase) {
            continue;
        }
        // Otherwise a capitalised word that is not an everyday word, in mid-sentence, is
        // most often a person's surname in news text ("Putin", "Macron").
        if !g.is_common_word(w)
            && !is_acronym(w)
            && w.chars().count() >= 3
            && w.chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '\u{2019}')
        {
            let model_number = doc.is_punct(p.t1, "-")
                && doc
                    .tokens
                    .get(p.t1 + 1)
                    .is_some_and(|t| t.kind == Kind::Word)
                && doc.text(p.t1 + 1).starts_with(|c: char| c.is_ascii_digit());
            if model_number || !followed_like_a_name(doc, p.t1) {
                continue;
            }
            let org_next = next_text == "’s" || next_text == "'s";
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
            if place_words.contains(w) {
                pieces[k].etype = Some(EntityType::Gpe);
                continue;
            }
            pieces[k].etype = Some(if org_like {
                EntityType::Org
            } else {
                EntityType::Person
            });
            person_words.insert(w.to_owned(), true);
        }
    }
    // Second pass: same word as a decided person anywhere in the article.
    for p in pieces.iter_mut() {
        if p.etype.is_none() && person_words.contains_key(doc.text(p.t0)) {
            p.etype = Some(EntityType::Person);
        }
    }
}

//! Named entities: proper-name chunks → typed pieces → article-level entities.
//!
//! 1. Chunking: runs of capitalised words, allowing inner connectors ("Bank *of*
//!    England", "Belt *and* Road Initiative"), glued hyphens ("Amir-Abdollahian") and
//!    numbers after law words ("Resolution 2231").
//! 2. Segmentation: each chunk is split into a nationality/place prefix, a title
//!    ("Defense Minister", "Maj. Gen.") kept as a role, and the name proper, which is
//!    typed by gazetteer, by its head word ("… Agency" → ORG, "… Sea" → LOC), or as a
//!    person when it looks like a personal name.
//! 3. Descriptive names: "the 2015 nuclear deal" (LAW), "Ukraine war" (EVENT).
//! 4. Article-level identity: surname-only and truncated mentions join the full name,
//!    acronyms join their expansions, gazetteer aliases share a canonical name.

use super::gazetteer::{self, gazetteer, Gazetteer};
use super::tokens::{Kind, Token};
use crate::model::{EntityType, Extraction, LocalEntity, LocalMention, Span};
use crate::words::word_list;
use std::collections::HashMap;

/// A typed stretch of tokens before article-level merging.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    /// First token.
    pub t0: usize,
    /// One past the last token.
    pub t1: usize,
    /// Type; `None` for a lone capitalised word still to be decided.
    pub etype: Option<EntityType>,
    /// Canonical name.
    pub canonical: String,
    /// Titles seen right before it.
    pub roles: Vec<String>,
    /// A title stood before it (strong evidence for a person).
    pub titled: bool,
    /// A sentence-initial ordinary word ("Roe", "Rice"): a name only if the article
    /// names someone with it elsewhere.
    pub weak: bool,
}

/// Article context shared by the passes.
pub(crate) struct Doc<'a> {
    /// The body.
    pub body: &'a str,
    /// Its tokens.
    pub tokens: &'a [Token],
}

impl<'a> Doc<'a> {
    /// Text of token `i`.
    pub(crate) fn text(&self, i: usize) -> &'a str {
        let t = &self.tokens[i];
        &self.body[t.b0..t.b1]
    }

    /// Text from token `a` to token `b` (exclusive), as written.
    pub(crate) fn span_text(&self, a: usize, b: usize) -> &'a str {
        if a >= b {
            return "";
        }
        &self.body[self.tokens[a].b0..self.tokens[b - 1].b1]
    }

    fn is_word(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == Kind::Word)
    }

    fn is_punct(&self, i: usize, c: &str) -> bool {
        self.tokens
            .get(i)
            .is_some_and(|t| t.kind == Kind::Punct && self.text(i) == c)
    }
}

word_list!(CONNECTORS = "connectors.txt");

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

fn is_acronym(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2
        && s.chars()
            .all(|c| c.is_uppercase() || c == '.' || c.is_ascii_digit() || c == '&')
}

/// A capitalised word that can be part of a name.
fn is_name_word(doc: &Doc, i: usize) -> bool {
    if !doc.is_word(i) {
        return false;
    }
    let w = doc.text(i);
    starts_upper(w) && !gazetteer::sets().non_names.contains(&w) && w.chars().count() >= 2
}

/// Brand-style capitals inside a word ("JPMorgan", "PayPal", "YouTube"), but not
/// "McDonald" or "O'Neil".
fn is_camel(w: &str) -> bool {
    let chars: Vec<char> = w.chars().collect();
    chars.len() >= 4
        && chars[0].is_uppercase()
        && chars.iter().any(|c| c.is_lowercase())
        && chars.iter().skip(2).any(|c| c.is_uppercase())
        && ![
            "Mc",
            "Mac",
            "O'",
            "O\u{2019}",
            "D'",
            "De",
            "Di",
            "La",
            "Le",
            "Van",
            "Von",
        ]
        .iter()
        .any(|p| w.starts_with(p))
}

word_list!(
/// First words that mark an organisation name ("Banco Santander", "Atletico Madrid").
    ORG_OPENERS = "org_openers.txt"
);

word_list!(
/// First words that mark an event name ("Copa del Rey", "Operation Desert Storm").
    EVENT_OPENERS = "event_openers.txt"
);

word_list!(
/// Lowercase nouns after a name that make it a facility's name.
    FACILITY_NOUNS = "facility_nouns.txt"
);

fn next_is_facility(doc: &Doc, i: usize) -> bool {
    doc.is_word(i) && FACILITY_NOUNS.contains(doc.text(i))
}

word_list!(
/// Sentence openers that are never part of a name.
    FUNCTION_OPENERS = "function_openers.txt"
);

/// Whether `w` is a title head ("President"), or the portfolio that ends one
/// ("Secretary of State").
fn sets_title_head(w: &str) -> bool {
    gazetteer::sets().title_heads.contains(&w) || gazetteer::sets().portfolios.contains(&w)
}

/// "Jr.", "III": a generational suffix after a personal name.
fn is_generational(w: &str) -> bool {
    matches!(w, "Jr." | "Jr" | "Sr." | "Sr" | "II" | "III" | "IV")
}

/// "Anglo", "Sino", "Franco": the first half of a compound of peoples.
fn is_combining_form(w: &str) -> bool {
    matches!(
        w,
        "Anglo"
            | "Sino"
            | "Franco"
            | "Indo"
            | "Afro"
            | "Euro"
            | "Greco"
            | "Russo"
            | "Austro"
            | "Italo"
            | "Judeo"
            | "Irano"
            | "Turco"
            | "Hispano"
            | "Luso"
    )
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// A country, city or nationality: such words stay separate in compounds
/// ("China-Iran", "US-led"), while other names glue ("Cedars-Sinai", "Amir-Abdollahian").
fn is_place_or_people(g: &Gazetteer, w: &str) -> bool {
    g.lookup(w)
        .is_some_and(|k| matches!(k.entity_type, EntityType::Gpe | EntityType::Norp))
}

/// Finds runs of name words; returns token ranges.
fn chunks(doc: &Doc, g: &Gazetteer) -> Vec<(usize, usize)> {
    let n = doc.tokens.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let particle_start = particle_name(doc, i);
        if !is_name_word(doc, i) && !particle_start {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = if particle_start { i + 3 } else { i + 1 };
        loop {
            let j = end;
            if j >= n {
                break;
            }
            let t = &doc.tokens[j];
            if is_name_word(doc, j) && t.space_before {
                end = j + 1;
                continue;
            }
            // Glued hyphen between two name words, unless both sides are known places
            // or nationalities ("China-Iran" stays two names; "Miami-Dade" is one)
            // or one side is a combining form ("Anglo-French", "Sino-Japanese").
            if t.kind == Kind::Punct
                && !t.space_before
                && doc.text(j).chars().all(super::tokens::hyphen)
                && is_name_word(doc, j + 1)
                && !doc.tokens[j + 1].space_before
                && !(is_place_or_people(g, doc.text(end - 1))
                    && is_place_or_people(g, doc.text(j + 1)))
                // "Sino-British Joint Declaration" is a name; "Sino-British talks" not.
                && !(is_combining_form(doc.text(end - 1))
                    && !(is_name_word(doc, j + 2) && doc.tokens[j + 2].space_before))
            {
                end = j + 2;
                continue;
            }
            // Izafe and similar glued particles: "Lashkar-e-Jhangvi", "Zia-ul-Haq".
            if t.kind == Kind::Punct
                && !t.space_before
                && doc.text(j).chars().all(super::tokens::hyphen)
                && doc.is_word(j + 1)
                && !doc.tokens[j + 1].space_before
                && matches!(
                    doc.text(j + 1),
                    "e" | "i"
                        | "sous"
                        | "ul"
                        | "ud"
                        | "ur"
                        | "us"
                        | "au"
                        | "aux"
                        | "en"
                        | "sur"
                        | "upon"
                        | "de"
                        | "la"
                        | "le"
                        | "les"
                        | "du"
                )
                && doc.is_punct(j + 2, "-")
                && !doc.tokens[j + 2].space_before
                && is_name_word(doc, j + 3)
                && !doc.tokens[j + 3].space_before
            {
                end = j + 4;
                continue;
            }
            // "Essam el-Erian", "Bashar al-Assad".
            if t.space_before && particle_name(doc, j) {
                end = j + 3;
                continue;
            }
            // Hyphenated Korean-style given names: "Moon Jae-in", "Yoo Myung-hee".
            if t.kind == Kind::Punct
                && !t.space_before
                && doc.text(j).chars().all(super::tokens::hyphen)
                && end - start >= 2
                && doc.is_word(j + 1)
                && !doc.tokens[j + 1].space_before
                && doc
                    .tokens
                    .get(j + 2)
                    .is_none_or(|t| t.space_before || t.kind != Kind::Word)
                && {
                    let before = doc.text(end - 1);
                    let after = doc.text(j + 1);
                    (2..=6).contains(&before.chars().count())
                        && (2..=4).contains(&after.chars().count())
                        && after.chars().all(|c| c.is_ascii_lowercase())
                        && (!g.is_common_word(before) || before.chars().count() <= 3)
                        && g.lookup(before).is_none()
                }
            {
                end = j + 2;
                continue;
            }
            // Connectors: up to two lowercase words ("of the") before another name word.
            if t.kind == Kind::Word && CONNECTORS.contains(doc.text(j)) {
                let k = if doc.is_word(j + 1) && CONNECTORS.contains(doc.text(j + 1)) {
                    j + 2
                } else {
                    j + 1
                };
                if is_name_word(doc, k) && doc.text(j) != "and" || is_name_word(doc, j + 1) {
                    end = if is_name_word(doc, k) { k + 1 } else { j + 2 };
                    continue;
                }
            }
            // A possessive inside a known name ("New Year's Day", "People's Republic").
            if t.kind == Kind::Possessive
                && is_name_word(doc, j + 1)
                && (start.max(j.saturating_sub(3))..j)
                    .any(|k| doc.is_word(k) && g.lookup(doc.span_text(k, j + 2)).is_some())
            {
                end = j + 2;
                continue;
            }
            // "Polish United Workers' Party", "Sandinista People's Army".
            let plural_apostrophe = t.kind == Kind::Punct
                && !t.space_before
                && matches!(doc.text(j), "'" | "\u{2019}")
                && doc.tokens.get(j + 1).is_some_and(|n| n.space_before);
            // "the Alzheimer's Association", "King's College London": a possessive
            // inside an organisation's name, read up to its head word.
            if t.kind == Kind::Possessive && is_name_word(doc, j + 1) {
                let mut k = j + 1;
                while is_name_word(doc, k) && doc.tokens[k].space_before {
                    k += 1;
                }
                let head = (j + 1..k).any(|w| {
                    head_class(doc.text(w)).is_some_and(|(t, gov)| t == EntityType::Org && !gov)
                });
                let possessor = doc.text(end - 1);
                let the_before = start > 0 && doc.text(start - 1).eq_ignore_ascii_case("the");
                if head
                    && k - (j + 1) <= 3
                    && (the_before || g.is_common_word(possessor))
                    && g.lookup(possessor).is_none()
                {
                    end = k;
                    continue;
                }
            }
            // "Miami-Dade State Attorney's Office", "Bay County Sheriff's Office".
            if t.kind == Kind::Possessive
                && doc.is_word(j + 1)
                && matches!(doc.text(j + 1), "Office" | "Department" | "Bureau")
                && gazetteer::sets().title_heads.contains(&doc.text(end - 1))
            {
                end = j + 2;
                continue;
            }
            if (t.kind == Kind::Possessive || plural_apostrophe)
                && is_name_word(doc, j + 1)
                && matches!(
                    doc.text(end - 1),
                    "People"
                        | "Peoples"
                        | "Workers"
                        | "Women"
                        | "Children"
                        | "Men"
                        | "Farmers"
                        | "Veterans"
                        | "Teachers"
                        | "Students"
                        | "Citizens"
                        | "Writers"
                )
            {
                end = j + 2;
                continue;
            }
            // "Children's Hospital": a possessive inside a name whose first part is a plain word.
            if t.kind == Kind::Possessive
                && end - start == 1
                && is_name_word(doc, j + 1)
                && g.is_common_word(doc.text(start))
                && g.lookup(doc.text(start)).is_none()
                && !g.is_first_name(doc.text(start))
            {
                end = j + 2;
                continue;
            }
            // Numbers after law words: "Resolution 2231".
            if t.kind == Kind::Word
                && is_number(doc.text(j))
                && matches!(
                    doc.text(end - 1),
                    "Resolution"
                        | "Article"
                        | "Section"
                        | "Chapter"
                        | "Bill"
                        | "Proposition"
                        | "Amendment"
                        | "Flight"
                        | "Route"
                        | "Title"
                        | "Act"
                )
            {
                end = j + 1;
                continue;
            }
            break;
        }
        out.push((start, end));
        i = end;
    }
    out
}

/// Word tokens of a chunk, connectors included (hyphens and possessives skipped).
fn chunk_words(doc: &Doc, a: usize, b: usize) -> Vec<usize> {
    (a..b).filter(|&i| doc.is_word(i)).collect()
}

fn head_class(word: &str) -> Option<(EntityType, bool)> {
    if let Some(gov) = gazetteer::sets().org_heads.get(word) {
        return Some((EntityType::Org, *gov));
    }
    if gazetteer::sets().law_heads.contains(&word) {
        return Some((EntityType::Law, false));
    }
    if gazetteer::sets().loc_heads.contains(&word) {
        return Some((EntityType::Loc, false));
    }
    if gazetteer::sets().event_heads.contains(&word) {
        return Some((EntityType::Event, false));
    }
    if gazetteer::sets().gpe_heads.contains(&word) {
        return Some((EntityType::Gpe, false));
    }
    // Awards and prizes are works in the OntoNotes scheme ("Nobel Prize").
    if matches!(
        word,
        "Award" | "Awards" | "Prize" | "Prizes" | "Medal" | "Trophy"
    ) {
        return Some((EntityType::WorkOfArt, false));
    }
    None
}

/// Arabic-style particles glued to a name with a hyphen ("el-Erian", "al-Assad").
fn is_particle(w: &str) -> bool {
    matches!(
        w,
        "al" | "el"
            | "ad"
            | "ar"
            | "as"
            | "ash"
            | "at"
            | "az"
            | "ul"
            | "bin"
            | "ibn"
            | "abu"
            | "abd"
    )
}

/// A particle, a glued hyphen and a capitalised word: "el-Erian".
fn particle_name(doc: &Doc, i: usize) -> bool {
    doc.is_word(i)
        && is_particle(doc.text(i))
        && doc.is_punct(i + 1, "-")
        && !doc.tokens.get(i + 1).is_some_and(|t| t.space_before)
        && is_name_word(doc, i + 2)
        && !doc.tokens[i + 2].space_before
}

/// The type implied by a name's head word: the last word (or the word before a
/// trailing number), the word before "of", or any organisation word.
fn head_type(doc: &Doc, words: &[usize]) -> Option<(EntityType, bool)> {
    if words.len() < 2 {
        return None;
    }
    let mut last = words.len() - 1;
    if is_number(doc.text(words[last])) && last > 0 {
        last -= 1;
    }
    if let Some(h) = head_class(doc.text(words[last])) {
        return Some(h);
    }
    // "Hambrecht & Quist Inc.", "Peninsular and Oriental Steam Navigation Co".
    if CORP_SUFFIXES.contains(doc.text(words[last])) {
        return Some((EntityType::Org, false));
    }
    if let Some(p) = words
        .iter()
        .position(|&w| matches!(doc.text(w), "of" | "on" | "for"))
    {
        if p > 0 {
            if let Some(h) = head_class(doc.text(words[p - 1])) {
                return Some(h);
            }
        }
    }
    words.iter().rev().find_map(|&w| {
        let t = doc.text(w);
        gazetteer::sets()
            .org_heads
            .get(t)
            .map(|gov| (EntityType::Org, *gov))
    })
}

/// Length (in words) of a title at the start of `words`, e.g. "Maj. Gen." → 2,
/// "Minister of Defense" → 3, "Chief of Staff" → 3.
fn title_len(doc: &Doc, words: &[usize]) -> usize {
    let mut i = 0;
    let mut best = 0;
    while i < words.len() {
        let w = doc.text(words[i]);
        if gazetteer::sets().title_heads.contains(&w) {
            i += 1;
            best = i;
            // "Minister of Defense", "Secretary of State", "Chief of Staff".
            if i + 1 < words.len()
                && doc.text(words[i]) == "of"
                && gazetteer::sets()
                    .portfolios
                    .contains(&doc.text(words[i + 1]))
            {
                let mut k = i + 1;
                while k < words.len() && gazetteer::sets().portfolios.contains(&doc.text(words[k]))
                {
                    k += 1;
                }
                best = k;
                i = k;
            }
            continue;
        }
        if gazetteer::sets().title_modifiers.contains(&w) {
            i += 1;
            continue;
        }
        break;
    }
    // A title directly followed by an organisation word is part of that name
    // ("Justice Department", "General Motors"), and so is one followed by
    // "and" ("Justice and Development Party").
    if best > 0
        && best < words.len()
        && (head_class(doc.text(words[best])).is_some() || doc.text(words[best]) == "and")
    {
        return 0;
    }
    best
}

/// A capitalised title inside a run of name words: `(left, end)` where
/// `words[..left]` comes before the title (an organisation or portfolio),
/// `words[left..end]` is the title and `words[end..]` a personal name of two
/// or more words.
fn inner_title(doc: &Doc, g: &Gazetteer, words: &[usize]) -> Option<(usize, usize)> {
    if words.len() < 4 {
        return None;
    }
    let sets = gazetteer::sets();
    for p in 1..words.len() - 2 {
        let w = doc.text(words[p]);
        if !sets.title_heads.contains(&w) || CONNECTORS.contains(doc.text(words[p - 1])) {
            continue;
        }
        let end = p + 1;
        let person = &words[end..];
        if person.len() > 4
            || person.iter().any(|&t| CONNECTORS.contains(doc.text(t)))
            || !person_like(doc, g, person)
            || title_len(doc, person) > 0
            || head_type(doc, person).is_some()
        {
            continue;
        }
        // Modifiers of the title belong to it ("Press Secretary"), unless they
        // are the organisation's own head word.
        let mut left = p;
        while left > 1
            && sets.title_modifiers.contains(&doc.text(words[left - 1]))
            && head_class(doc.text(words[left - 1])).is_none()
        {
            left -= 1;
        }
        return Some((left, end));
    }
    None
}

/// Whether token `i` opens a quotation that starts mid-sentence
/// (`… said: "The Sandinista Front will …"`): it reads like a sentence start.
fn quote_initial(doc: &Doc, i: usize) -> bool {
    i > 0
        && doc.tokens[i - 1].kind == Kind::Punct
        && doc.tokens[i - 1].space_before
        && !doc.tokens[i].space_before
        && matches!(doc.text(i - 1), "\"" | "\u{201c}")
}

/// "Thomas Jordan … Jordan said": a lone word that is the surname of someone
/// named in full in this article is that person, even when it is also a
/// country — unless a place preposition says otherwise ("in Jordan").
fn surnames_that_are_places(doc: &Doc, pieces: &mut [Piece]) {
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
fn same_name_same_type(doc: &Doc, pieces: &mut [Piece]) {
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
/// Nouns that introduce a work's title right after them.
    WORK_INTRO_NOUNS = "work_intro_nouns.txt"
);

/// Whether the word before token `a` introduces a work's title ("the drama
/// Vera Drake", "the producer of Kal Ka Sooraj").
fn after_work_noun(doc: &Doc, a: usize) -> bool {
    if a > 0 && doc.is_word(a - 1) && WORK_INTRO_NOUNS.contains(doc.text(a - 1)) {
        return true;
    }
    a >= 2
        && doc.text(a - 1) == "of"
        && matches!(
            doc.text(a - 2),
            "producer"
                | "producers"
                | "director"
                | "screenwriter"
                | "composer"
                | "author"
                | "makers"
                | "star"
                | "stars"
        )
}

word_list!(
/// Nouns that introduce an organisation's name right after them.
    ORG_INTRO_NOUNS = "org_intro_nouns.txt"
);

/// Whether the word before token `a` introduces an organisation ("the
/// newspaper La Prensa", "rights group Liberty", "state-run Voice of Kenya").
fn after_org_noun(doc: &Doc, a: usize) -> bool {
    if a == 0 || !doc.is_word(a - 1) {
        return false;
    }
    let prev = doc.text(a - 1);
    if ORG_INTRO_NOUNS.contains(prev) {
        return true;
    }
    // "state-run", "state-owned" are three tokens.
    a >= 3
        && matches!(prev, "run" | "owned" | "controlled" | "backed")
        && doc.is_punct(a - 2, "-")
        && doc.is_word(a - 3)
        && matches!(doc.text(a - 3), "state" | "government")
}

/// "the state of X", "residents of X": X (at token `t0`) follows a place noun.
fn of_a_place_noun(doc: &Doc, t0: usize) -> bool {
    t0 >= 2
        && doc.text(t0 - 1) == "of"
        && PLACE_NOUNS.contains(doc.text(t0 - 2).to_lowercase().as_str())
}

/// "shares in X", "a stake in X": X (at token `t0`) is a company, not a place.
fn shares_in(doc: &Doc, t0: usize) -> bool {
    t0 >= 2
        && doc.text(t0 - 1) == "in"
        && matches!(
            doc.text(t0 - 2),
            "shares" | "stake" | "stakes" | "investment" | "investors"
        )
}

word_list!(
/// Words right after a lone name that make it an organisation ("Arcelor chief
/// executive", "Bolton boss", "Toyota spokesman").
    ORG_ROLE_NEXT = "org_role_next.txt"
);

/// Whether the words read as a personal name.
fn person_like(doc: &Doc, g: &Gazetteer, words: &[usize]) -> bool {
    if words.is_empty() || words.len() > 5 {
        return false;
    }
    let mut texts: Vec<&str> = words.iter().map(|&w| doc.text(w)).collect();
    if texts.len() > 2 && is_generational(texts[texts.len() - 1]) {
        texts.pop();
    }
    if texts
        .iter()
        .any(|t| matches!(*t, "of" | "for" | "and" | "the" | "on" | "&"))
    {
        return false;
    }
    if texts.iter().any(|t| {
        is_acronym(t)
            || t.chars().any(|c| c.is_ascii_digit())
            || gazetteer::sets().non_names.contains(t)
    }) {
        return false;
    }
    let first = texts[0];
    let last = texts[texts.len() - 1];
    // A surname that is not an everyday word carries the name even after an
    // ordinary-looking given name ("Tame Malcolm", "Condoleezza Rice" is the other way).
    let mid_sentence = !doc.tokens[words[0]].sent_start;
    let facility = FACILITY_NOUNS.contains(last.to_lowercase().as_str());
    g.is_first_name(first)
        || g.is_surname(last) && !facility && !FUNCTION_OPENERS.contains(first)
        || !g.is_common_word(first)
        || texts.len() >= 3 && !g.is_common_word(last)
        || mid_sentence && !g.is_common_word(last) && last.chars().count() >= 3
        // "Martin Scorsese's film …" at a sentence start: a given name that is
        // also a word ("martin"), then an unusual surname.
        || texts.len() == 2
            && !g.is_common_word(last)
            && last.chars().count() >= 4
            && !FUNCTION_OPENERS.contains(first)
            && first.chars().skip(1).all(char::is_lowercase)
            && g.lookup(first).is_none()
}

/// Splits "Trade Desk of the World Customs Organization" at "of" when
/// only the part after "of" is a name in its own right.
fn split_of(doc: &Doc, g: &Gazetteer, words: &[usize]) -> Option<(Vec<usize>, Vec<usize>)> {
    let p = words.iter().position(|&w| doc.text(w) == "of")?;
    if p == 0 {
        return None;
    }
    // "Preservation of Public Security Act": a law's name reads through "of".
    if head_class(doc.text(words[words.len() - 1])).is_some_and(|(t, _)| t == EntityType::Law) {
        return None;
    }
    let left = &words[..p];
    let mut r = p + 1;
    while r < words.len() && doc.text(words[r]) == "the" {
        r += 1;
    }
    let right = &words[r..];
    if right.is_empty() {
        return None;
    }
    let left_text = doc.span_text(left[0], left[left.len() - 1] + 1);
    let right_text = doc.span_text(right[0], right[right.len() - 1] + 1);
    let tl = title_len(doc, left);
    // "Bishop Samuel Ruiz of San Cristobal": a (titled) person, then where they are from.
    let person_left = g.lookup(left_text).is_none()
        && head_type(doc, left).is_none()
        && (tl > 0 && tl < left.len() || left.len() >= 2 && tl == 0 && person_like(doc, g, left))
        && (!g.is_common_word(doc.text(right[0])) || head_type(doc, right).is_some());
    if person_left {
        return Some((left.to_vec(), right.to_vec()));
    }
    let left_named = head_class(doc.text(left[left.len() - 1]))
        .is_some_and(|(t, _)| t != EntityType::Loc)
        || tl > 0
        || g.lookup(left_text).is_some()
        || matches!(
            doc.text(left[left.len() - 1]),
            "Republic" | "Kingdom" | "Duke" | "Plan"
        );
    // "the Government of Mr Edward Heath": a titled person after "of".
    if title_len(doc, right) > 0 && title_len(doc, right) < right.len() {
        return Some((left.to_vec(), right.to_vec()));
    }
    // "NMB Corp of Cincinnati": a company, then where it is.
    if CORP_SUFFIXES.contains(doc.text(left[left.len() - 1]))
        && g.lookup(right_text)
            .is_some_and(|k| k.entity_type == EntityType::Gpe)
    {
        return Some((left.to_vec(), right.to_vec()));
    }
    let right_named = right.len() >= 2 && head_type(doc, right).is_some();
    (!left_named && right_named && g.lookup(right_text).is_none())
        .then(|| (left.to_vec(), right.to_vec()))
}

/// "Nippon Steel and Mitsubishi Heavy Industries": two organisation names joined by
/// "and", each a name on its own (several words, with a head or a gazetteer entry).
/// "Belt and Road Initiative" stays whole: "Belt" is no name.
fn split_and_names(doc: &Doc, g: &Gazetteer, words: &[usize]) -> Option<(Vec<usize>, Vec<usize>)> {
    let p = words
        .iter()
        .position(|&w| doc.text(w) == "and" || doc.text(w) == "&")?;
    let (left, right) = (&words[..p], &words[p + 1..]);
    if left.len() < 2 || right.len() < 2 {
        return None;
    }
    let kind = |ws: &[usize]| {
        g.lookup(doc.span_text(ws[0], ws[ws.len() - 1] + 1))
            .map(|k| k.entity_type)
            .or_else(|| head_class(doc.text(ws[ws.len() - 1])).map(|(t, _)| t))
    };
    // Two names of one kind ("China Road and Bridge Corporation" is one company).
    match (kind(left), kind(right)) {
        (Some(a), Some(b)) if a == b => Some((left.to_vec(), right.to_vec())),
        _ => None,
    }
}

/// Splits a chunk at "and" / "&" (lists of names) unless the whole is one name.
fn split_chunk(doc: &Doc, g: &Gazetteer, words: &[usize]) -> Vec<Vec<usize>> {
    let joined = doc.span_text(words[0], words[words.len() - 1] + 1);
    if g.lookup(joined).is_some() {
        return vec![words.to_vec()];
    }
    if let Some((left, right)) = split_of(doc, g, words) {
        let mut out = split_chunk(doc, g, &left);
        out.push(right);
        return out;
    }
    if let Some((left, right)) = split_and_names(doc, g, words) {
        let mut out = split_chunk(doc, g, &left);
        out.extend(split_chunk(doc, g, &right));
        return out;
    }
    if head_type(doc, words).is_some() {
        return vec![words.to_vec()];
    }
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for &w in words {
        let t = doc.text(w);
        if t == "and" || t == "&" || t == "for" || t == "on" {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(w);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn piece(t0: usize, t1: usize, etype: Option<EntityType>, canonical: &str) -> Piece {
    Piece {
        t0,
        t1,
        etype,
        canonical: canonical.to_owned(),
        roles: Vec::new(),
        titled: false,
        weak: false,
    }
}

/// Types the words of one (sub)chunk.
fn segment(doc: &Doc, g: &Gazetteer, words: &[usize], out: &mut Vec<Piece>) {
    let mut i = 0;
    // A sentence-initial capital on an ordinary word ("The", "Evidence", "Meanwhile")
    // is not a name. Inside a multi-word organisation name only a leading function
    // word goes ("The Associated Press"; but "Bank of America" stays whole).
    if doc.tokens[words[0]].sent_start || quote_initial(doc, words[0]) {
        let w = doc.text(words[0]);
        let has_head = head_type(doc, words).is_some();
        let function_word = FUNCTION_OPENERS.contains(w);
        let ordinary = g.is_common_word(w)
            && g.lookup(w).is_none()
            && !g.is_first_name(w)
            && !gazetteer::sets().title_heads.contains(&w)
            && !gazetteer::sets().title_modifiers.contains(&w);
        // Several capitalised words at a sentence start are a name ("Brad Smith said")
        // unless the first is a function word ("Meanwhile Tehran", "Several Iranian").
        let name_pair = words.len() >= 2 && !CONNECTORS.contains(doc.text(words[1]));
        if function_word || (ordinary && !has_head && !name_pair) {
            if words.len() == 1 && !function_word {
                let mut p = piece(words[0], words[0] + 1, None, w);
                p.weak = true;
                out.push(p);
                return;
            }
            i = 1;
            while i < words.len()
                && CONNECTORS.contains(doc.text(words[i]))
                && !particle_name(doc, words[i])
            {
                i += 1;
            }
        }
    }
    let mut roles: Vec<String> = Vec::new();
    while i < words.len() {
        let rest = &words[i..];
        let (a, b) = (rest[0], rest[rest.len() - 1] + 1);
        let text = doc.span_text(a, b);
        if let Some(k) = g.lookup(text) {
            let mut p = piece(a, b, Some(k.entity_type), &k.canonical);
            p.roles = std::mem::take(&mut roles);
            out.push(p);
            return;
        }
        // "Liberian", "Bavarian": the people of a known place.
        if rest.len() == 1 && text.ends_with("ian") {
            if let Some(base) = text.strip_suffix('n') {
                if g.lookup(base)
                    .is_some_and(|k| k.entity_type == EntityType::Gpe)
                {
                    out.push(piece(a, b, Some(EntityType::Norp), text));
                    return;
                }
            }
        }
        // "Londoners", "New Brunswickers": the people of a known place.
        if let Some(base) = text.strip_suffix("ers") {
            if g.lookup(base)
                .is_some_and(|k| k.entity_type == EntityType::Gpe)
            {
                out.push(piece(a, b, Some(EntityType::Norp), text));
                return;
            }
        }
        // "West German", "South Korean": a compass point and a people.
        if rest.len() == 2
            && matches!(doc.text(a), "West" | "East" | "North" | "South")
            && g.lookup(doc.text(rest[1]))
                .is_some_and(|k| k.entity_type == EntityType::Norp)
        {
            out.push(piece(a, b, Some(EntityType::Norp), text));
            return;
        }
        let tl = title_len(doc, rest);
        // "Former U.S. President …": a time modifier before a place and a title.
        if tl == 0
            && rest.len() >= 3
            && matches!(doc.text(a), "Former" | "Acting" | "Interim" | "Outgoing")
            && g.lookup(doc.text(rest[1]))
                .is_some_and(|k| matches!(k.entity_type, EntityType::Gpe | EntityType::Norp))
        {
            i += 1;
            continue;
        }
        if tl > 0 {
            roles.push(doc.span_text(a, rest[tl - 1] + 1).to_owned());
            i += tl;
            let mut of = false;
            while i < words.len()
                && CONNECTORS.contains(doc.text(words[i]))
                && !particle_name(doc, words[i])
            {
                of |= doc.text(words[i]) == "of";
                i += 1;
            }
            // "The Mayor of County Cork": what follows "of" is where the title
            // holds, not its holder.
            if of {
                roles.clear();
            }
            // "General Strike", "Major Reform": a title before one everyday word
            // names no one.
            if i + 1 == words.len() {
                let w = doc.text(words[i]);
                if g.is_common_word(w)
                    && !g.is_surname(w)
                    && !g.is_first_name(w)
                    && g.lookup(w).is_none()
                {
                    return;
                }
            }
            continue;
        }
        // "The United States Secretary of State, John Kerry": a title ends the run,
        // and only what comes before it is a name.
        if let Some(p) = (1..rest.len()).find(|&p| {
            let tl = title_len(doc, &rest[p..]);
            tl > 0
                && p + tl == rest.len()
                && sets_title_head(doc.text(rest[p + tl - 1]))
                && !matches!(
                    doc.text(rest[p + tl - 1]),
                    "Guard" | "Center" | "Forward" | "Principal" | "Chair" | "Clerk" | "Controller"
                )
                && !CONNECTORS.contains(doc.text(rest[p - 1]))
                // "National Guard", "Kennedy Center" are names: a one-word title
                // only ends a run after a known name ("Labour MP").
                && (tl >= 2 || g.lookup(doc.span_text(rest[0], rest[p - 1] + 1)).is_some())
        }) {
            segment(doc, g, &rest[..p], out);
            return;
        }
        // "Gympie Regional Council Mayor Lyn Fahey", "Arsenal manager"-style
        // capitalised titles inside a run: an organisation (or portfolio), a
        // title, then a person.
        if let Some((left, title_end)) = inner_title(doc, g, rest) {
            let left_words = &rest[..left];
            let proper = g
                .lookup(doc.span_text(left_words[0], left_words[left - 1] + 1))
                .is_some()
                || left_words.iter().any(|&w| {
                    let t = doc.text(w);
                    !CONNECTORS.contains(t) && !g.is_common_word(t)
                });
            if proper {
                segment(doc, g, left_words, out);
                roles.push(
                    doc.span_text(rest[left], rest[title_end - 1] + 1)
                        .to_owned(),
                );
            } else {
                roles.push(doc.span_text(a, rest[title_end - 1] + 1).to_owned());
            }
            let person = &rest[title_end..];
            let (pa, pb) = (person[0], person[person.len() - 1] + 1);
            let mut p = piece(pa, pb, Some(EntityType::Person), doc.span_text(pa, pb));
            p.titled = true;
            p.roles = std::mem::take(&mut roles);
            out.push(p);
            return;
        }
        if let Some((etype, gov)) = head_type(doc, rest) {
            let first = g.lookup(doc.text(a));
            // "Chinese Shenhua News Agency": a nationality before a proper name is a
            // descriptor; "Canadian Association of …" is the name itself.
            // "the Egyptian Red Sea resort": the people, then the place.
            let norp_before_place = etype == EntityType::Loc
                && rest.len() >= 3
                && first.is_some_and(|k| k.entity_type == EntityType::Norp);
            if norp_before_place
                || etype == EntityType::Org
                    && !gov
                    && rest.len() >= 3
                    && first.is_some_and(|k| k.entity_type == EntityType::Norp)
                    && !g.is_common_word(doc.text(rest[1]))
            {
                if let Some(k) = first {
                    out.push(piece(a, a + 1, Some(k.entity_type), &k.canonical));
                }
                i += 1;
                continue;
            }
            out.push(piece(a, b, Some(etype), text));
            return;
        }
        // A given name that is also a town ("Florence Pugh", "Vladimir Putin").
        if rest.len() >= 2
            && g.is_first_name(doc.text(a))
            && g.lookup(doc.text(a))
                .is_some_and(|k| k.entity_type == EntityType::Gpe)
            && g.lookup(doc.text(rest[1])).is_none()
            && person_like(doc, g, rest)
        {
            let mut p = piece(a, b, Some(EntityType::Person), text);
            p.titled = !roles.is_empty();
            p.roles = std::mem::take(&mut roles);
            out.push(p);
            return;
        }
        // A known place or nationality in front of the rest ("Iranian President …").
        let mut matched = 0;
        for m in (1..rest.len().min(6)).rev() {
            let sub = doc.span_text(a, rest[m - 1] + 1);
            // "Miami-Dade State Attorney": not "Miami" and a rest.
            let hyphen_glued =
                doc.is_punct(rest[m - 1] + 1, "-") && !doc.tokens[rest[m - 1] + 1].space_before;
            if hyphen_glued {
                continue;
            }
            if let Some(k) = g.lookup(sub) {
                if matches!(
                    k.entity_type,
                    EntityType::Gpe | EntityType::Norp | EntityType::Loc | EntityType::Org
                ) {
                    let tail = &rest[m..];
                    let tail_text = doc.span_text(tail[0], tail[tail.len() - 1] + 1);
                    // A place followed by one unknown word is a longer place name
                    // ("San Luis Potosi"), not a place and a person.
                    let continues = k.entity_type == EntityType::Gpe
                        && tail.len() == 1
                        && g.lookup(tail_text).is_none()
                        && title_len(doc, tail) == 0
                        && !g.is_common_word(tail_text);
                    if continues {
                        out.push(piece(a, b, Some(EntityType::Gpe), text));
                        return;
                    }
                    // "Commerzbank AG": a company and its legal form.
                    if k.entity_type == EntityType::Org
                        && tail.iter().all(|&t| CORP_SUFFIXES.contains(doc.text(t)))
                    {
                        out.push(piece(a, b, Some(EntityType::Org), text));
                        return;
                    }
                    // A company or place name followed by ordinary capitalised words is a
                    // longer organisation name ("Samsung Electronics", "Texas Instruments").
                    let tail_ordinary = tail.iter().all(|&t| {
                        let w = doc.text(t);
                        g.is_common_word(w) && g.lookup(w).is_none() && !g.is_first_name(w)
                    });
                    // "West German", "North Korean": a compass point before a people.
                    if k.entity_type == EntityType::Loc
                        && tail.len() == 1
                        && g.lookup(tail_text)
                            .is_some_and(|t| t.entity_type == EntityType::Norp)
                    {
                        out.push(piece(a, b, Some(EntityType::Norp), text));
                        return;
                    }
                    if matches!(
                        k.entity_type,
                        EntityType::Org | EntityType::Gpe | EntityType::Loc
                    ) && tail_ordinary
                        && title_len(doc, tail) == 0
                    {
                        out.push(piece(a, b, Some(EntityType::Org), text));
                        return;
                    }
                    out.push(piece(a, rest[m - 1] + 1, Some(k.entity_type), &k.canonical));
                    matched = m;
                    break;
                }
            }
        }
        if matched > 0 {
            i += matched;
            while i < words.len()
                && CONNECTORS.contains(doc.text(words[i]))
                && !particle_name(doc, words[i])
            {
                i += 1;
            }
            continue;
        }
        let titled = !roles.is_empty();
        if rest.len() >= 2 {
            let first_word = doc.text(a);
            if ORG_OPENERS.contains(first_word) || is_camel(first_word) {
                out.push(piece(a, b, Some(EntityType::Org), text));
                return;
            }
            if EVENT_OPENERS.contains(first_word) {
                out.push(piece(a, b, Some(EntityType::Event), text));
                return;
            }
            // "County Cork", "Port Klang", "Puerto Iguazu": places named head first.
            if roles.is_empty()
                && rest.len() <= 3
                && matches!(
                    first_word,
                    "County" | "Port" | "Puerto" | "Porto" | "Fort" | "Ciudad" | "Kota"
                )
            {
                out.push(piece(a, b, Some(EntityType::Gpe), text));
                return;
            }
            // "Lake Ellesmere", "Mount Kenya", "Cape Horn".
            if roles.is_empty()
                && rest.len() <= 3
                && matches!(first_word, "Lake" | "Mount" | "Mt." | "Cape" | "Isle")
            {
                out.push(piece(a, b, Some(EntityType::Loc), text));
                return;
            }
            // "Lashkar-e-Jhangvi", "Tehreek-e-Insaf": izafe names are organisations.
            if rest.iter().any(|&w| matches!(doc.text(w), "e" | "i")) {
                out.push(piece(a, b, Some(EntityType::Org), text));
                return;
            }
            // "Val-de-Marne", "Clichy-sous-Bois", "Stratford-upon-Avon": places.
            if rest.iter().any(|&w| {
                matches!(
                    doc.text(w),
                    "de" | "du"
                        | "la"
                        | "le"
                        | "les"
                        | "sous"
                        | "sur"
                        | "en"
                        | "au"
                        | "aux"
                        | "upon"
                ) && w.checked_sub(1).is_some_and(|h| doc.is_punct(h, "-"))
            }) {
                out.push(piece(a, b, Some(EntityType::Gpe), text));
                return;
            }
            // "the British drama Vera Drake", "his novel The Road".
            if roles.is_empty() && a > 0 && after_work_noun(doc, a) {
                out.push(piece(a, b, Some(EntityType::WorkOfArt), text));
                return;
            }
            // "the opposition newspaper La Prensa", "rights group Liberty".
            if roles.is_empty() && a > 0 && after_org_noun(doc, a) {
                out.push(piece(a, b, Some(EntityType::Org), text));
                return;
            }
            // "Bayern Munich", "Inter Milan": a club named with its city last.
            if roles.is_empty()
                && rest.len() == 2
                && g.lookup(doc.text(rest[1]))
                    .is_some_and(|k| k.entity_type == EntityType::Gpe)
                && g.lookup(first_word).is_none()
                && !g.is_first_name(first_word)
                && !g.is_common_word(first_word)
            {
                out.push(piece(a, b, Some(EntityType::Org), text));
                return;
            }
            // A person's name on a facility ("Ramon Sanchez Pizjuan stadium") is not the person.
            if next_is_facility(doc, b) {
                return;
            }
            // "in Uttar Pradesh": an unknown name right after a place preposition is a
            // place (unless it owns something: "in Donald Trump's America").
            let place_prep = a > 0
                && doc.is_word(a - 1)
                && matches!(
                    doc.text(a - 1),
                    "in" | "In" | "near" | "Near" | "outside" | "across"
                )
                && roles.is_empty()
                && !doc
                    .tokens
                    .get(b)
                    .is_some_and(|t| t.kind == Kind::Possessive)
                && !g.is_first_name(first_word);
            if place_prep && person_like(doc, g, rest) {
                out.push(piece(a, b, Some(EntityType::Gpe), text));
                return;
            }
            if person_like(doc, g, rest) {
                let mut p = piece(a, b, Some(EntityType::Person), text);
                p.roles = std::mem::take(&mut roles);
                p.titled = titled;
                out.push(p);
            } else if titled {
                // "President Xi Jinping" style names made of ordinary words still follow a title.
                let mut p = piece(a, b, Some(EntityType::Person), text);
                p.roles = std::mem::take(&mut roles);
                p.titled = true;
                out.push(p);
            }
            return;
        }
        // One word left.
        if gazetteer::sets().non_names.contains(&text)
            || text.chars().count() < 2
            || text.starts_with("I'")
            || text.starts_with("I\u{2019}")
        {
            return;
        }
        if is_acronym(text) && !titled {
            out.push(piece(a, b, Some(EntityType::Org), text));
            return;
        }
        let mut p = piece(a, b, None, text);
        p.roles = std::mem::take(&mut roles);
        p.titled = titled;
        out.push(p);
        return;
    }
}

/// All typed pieces of the body, in order.
pub(crate) fn find_pieces(doc: &Doc) -> Vec<Piece> {
    let g = gazetteer();
    let mut out = Vec::new();
    for (a, b) in chunks(doc, g) {
        let words = chunk_words(doc, a, b);
        if words.is_empty() {
            continue;
        }
        // "Alison Marsh QC", "Jane Doe MP": letters after a name are not the name.
        let mut words = words;
        while words.len() > 2
            && matches!(
                doc.text(words[words.len() - 1]),
                "QC" | "KC" | "MP" | "MEP" | "MSP" | "OBE" | "MBE" | "CBE" | "SC" | "TD"
            )
        {
            words.pop();
        }
        let subs = split_chunk(doc, g, &words);
        for (si, sub) in subs.iter().enumerate() {
            let before = out.len();
            segment(doc, g, sub, &mut out);
            // "… of X" after a person: X is where they are from, not another person.
            let after_of = si > 0 && sub[0] >= 2 && {
                let mut j = sub[0] - 1;
                while j > 0 && doc.text(j) == "the" {
                    j -= 1;
                }
                doc.text(j) == "of"
            };
            if after_of
                && out[..before]
                    .last()
                    .is_some_and(|p| p.etype == Some(EntityType::Person))
            {
                for p in &mut out[before..] {
                    if p.etype == Some(EntityType::Person) && !p.titled {
                        p.etype = Some(EntityType::Gpe);
                    }
                }
            }
        }
    }
    lowercase_regions(doc, g, &mut out);
    out.sort_by_key(|p| (p.t0, p.t1));
    out
}

/// Multi-word regions written in lower case ("the middle east").
fn lowercase_regions(doc: &Doc, g: &Gazetteer, out: &mut Vec<Piece>) {
    let n = doc.tokens.len();
    for i in 0..n.saturating_sub(1) {
        if !doc.is_word(i) || !doc.is_word(i + 1) {
            continue;
        }
        let (a, b) = (doc.text(i), doc.text(i + 1));
        if !a.starts_with(|c: char| c.is_lowercase()) || !b.starts_with(|c: char| c.is_lowercase())
        {
            continue;
        }
        if !g.starts_folded(a) {
            continue;
        }
        let key = format!("{a} {b}");
        if let Some(k) = g.lookup_folded(&key) {
            if k.entity_type == EntityType::Loc {
                out.push(piece(i, i + 2, Some(EntityType::Loc), &k.canonical));
            }
        }
    }
}

/// Builds article entities and mentions from pieces (plus descriptive LAW/EVENT names).
pub(crate) fn build(doc: &Doc, mut pieces: Vec<Piece>) -> (Extraction, Vec<TokMention>) {
    let g = gazetteer();
    decide_singles(doc, g, &mut pieces);
    pieces.retain(|p| p.etype.is_some());
    surnames_that_are_places(doc, &mut pieces);
    same_name_same_type(doc, &mut pieces);
    company_short_forms(doc, &mut pieces);
    sports_teams(doc, &mut pieces);
    let mut extra = descriptive(doc, &pieces);
    pieces.append(&mut extra);
    pieces.sort_by_key(|p| (p.t0, p.t1));

    // Group pieces into entities.
    let mut ents: Vec<LocalEntity> = Vec::new();
    let mut key_to_ent: HashMap<(EntityType, String), usize> = HashMap::new();
    let mut piece_ent: Vec<usize> = Vec::with_capacity(pieces.len());
    // People first by their longest names so surnames can join them.
    let persons = person_groups(doc, &pieces);
    for (pi, p) in pieces.iter().enumerate() {
        let Some(t) = p.etype else { continue };
        let key_name = if t == EntityType::Person {
            persons
                .get(&pi)
                .cloned()
                .unwrap_or_else(|| p.canonical.clone())
        } else {
            p.canonical.clone()
        };
        let key = (t, fold_key(&key_name));
        let idx = *key_to_ent.entry(key).or_insert_with(|| {
            ents.push(LocalEntity {
                name: key_name.clone(),
                entity_type: t,
                aliases: Vec::new(),
                roles: Vec::new(),
            });
            ents.len() - 1
        });
        let surface = doc.span_text(p.t0, p.t1).to_owned();
        let e = &mut ents[idx];
        if !e.aliases.contains(&surface) {
            e.aliases.push(surface);
        }
        for r in &p.roles {
            if !e.roles.contains(r) {
                e.roles.push(r.clone());
            }
        }
        piece_ent.push(idx);
    }
    acronyms(doc, &pieces, &mut piece_ent, &ents);
    descriptive_links(doc, &pieces, &mut piece_ent, &ents);
    // Compact entity indices (some may have been emptied by merging).
    let mut used = vec![false; ents.len()];
    for &e in &piece_ent {
        used[e] = true;
    }
    let mut remap = vec![usize::MAX; ents.len()];
    let mut final_ents = Vec::new();
    for (i, e) in ents.iter().enumerate() {
        if used[i] {
            remap[i] = final_ents.len();
            final_ents.push(e.clone());
        }
    }
    // Aliases follow their pieces after merges.
    for e in &mut final_ents {
        e.aliases.clear();
    }
    let mut mentions = Vec::with_capacity(pieces.len());
    let mut tok_mentions = Vec::with_capacity(pieces.len());
    for (p, &e) in pieces.iter().zip(&piece_ent) {
        let entity = remap[e];
        tok_mentions.push(TokMention {
            t0: p.t0,
            t1: p.t1,
            entity,
        });
        let text = doc.span_text(p.t0, p.t1).to_owned();
        let ent = &mut final_ents[entity];
        if !ent.aliases.contains(&text) {
            ent.aliases.push(text.clone());
        }
        for r in &p.roles {
            if !ent.roles.contains(r) {
                ent.roles.push(r.clone());
            }
        }
        mentions.push(LocalMention {
            entity,
            text,
            span: Span::new(doc.tokens[p.t0].c0 as u32, doc.tokens[p.t1 - 1].c1 as u32),
        });
    }
    // The canonical name prefers a capitalised alias over a descriptive one.
    for e in &mut final_ents {
        if matches!(e.entity_type, EntityType::Law | EntityType::Org)
            && !starts_upper(&e.name)
            && !e.name.starts_with(|c: char| c.is_ascii_digit())
        {
            if let Some(better) = e
                .aliases
                .iter()
                .filter(|a| starts_upper(a) && !is_acronym(a))
                .max_by_key(|a| a.len())
            {
                e.name = better.clone();
            }
        }
        if is_acronym(&e.name) {
            if let Some(full) = e
                .aliases
                .iter()
                .filter(|a| !is_acronym(a))
                .max_by_key(|a| a.len())
            {
                if starts_upper(full) {
                    e.name = full.clone();
                }
            }
        }
    }
    mentions.sort_by_key(|m| (m.span.start, m.span.end));
    let ex = Extraction {
        entities: final_ents,
        mentions,
        quotes: Vec::new(),
    };
    tok_mentions.sort_by_key(|m| (m.t0, m.t1));
    (ex, tok_mentions)
}

/// A mention in token coordinates, for the quote pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokMention {
    /// First token.
    pub t0: usize,
    /// One past the last token.
    pub t1: usize,
    /// Index into the extraction's entities.
    pub entity: usize,
}

/// Case/apostrophe-insensitive key for grouping within an article.
fn fold_key(s: &str) -> String {
    gazetteer::fold_apostrophes(s).to_lowercase()
}

word_list!(
/// Words after a company's short name in its full legal name ("Toyota *Motor Corp.*").
    CORP_SUFFIXES = "corp_suffixes.txt"
);

/// "Toyota" after "Toyota Motor Corp.": the short form joins the full company name.
fn company_short_forms(doc: &Doc, pieces: &mut [Piece]) {
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
    TEAM_NOUNS = "team_nouns.txt"
);

/// Cities and countries that play: a place followed by a team noun or a score
/// ("Valencia coach", "beat Valencia 3-2") is a team in this article, everywhere.
fn sports_teams(doc: &Doc, pieces: &mut [Piece]) {
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
    AFTER_NAME = "after_name.txt"
);

/// Whether the token after a lone capitalised word lets it be a name: punctuation, a
/// possessive, another capitalised word, a verb-like word.
fn followed_like_a_name(doc: &Doc, i: usize) -> bool {
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
    PLACE_NOUNS = "place_nouns.txt"
);

word_list!(
/// Nouns after "the X" that make X an organisation ("the Merval index").
    ORG_NOUNS = "org_nouns.txt"
);

word_list!(
/// Plural nouns after "the X" that make X a group ("the Zapatista rebels").
    GROUP_NOUNS = "group_nouns.txt"
);

/// Decides lone capitalised words: surnames of people named in full, titled names,
/// speakers ("Karimi said"), "the Biden administration", and places listed among places.
fn decide_singles(doc: &Doc, g: &Gazetteer, pieces: &mut [Piece]) {
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

impl Doc<'_> {
    fn t_prev_is(&self, i: usize, word: &str) -> bool {
        i > 0 && self.is_word(i - 1) && self.text(i - 1).eq_ignore_ascii_case(word)
    }
}

fn next_word(doc: &Doc, i: usize) -> Option<usize> {
    (i < doc.tokens.len() && doc.is_word(i)).then_some(i)
}

/// Assigns each person piece the full name it belongs to: longest names first; a
/// shorter form joins a longer one when its words are a suffix ("Karimi"), a prefix
/// with a truncated last word ("Zhou Yongka"), or the first word of a
/// family-name-first name ("Zhou" of "Zhou Yongkang").
fn person_groups(doc: &Doc, pieces: &[Piece]) -> HashMap<usize, String> {
    // "Darnell Whitfield Jr.": the generational suffix is not the surname.
    let words_of = |p: &Piece| -> Vec<String> {
        let mut w: Vec<String> = (p.t0..p.t1)
            .filter(|&i| doc.is_word(i))
            .map(|i| doc.text(i).to_owned())
            .collect();
        if w.len() > 2 && is_generational(&w[w.len() - 1]) {
            w.pop();
        }
        w
    };
    let mut idx: Vec<usize> = (0..pieces.len())
        .filter(|&i| pieces[i].etype == Some(EntityType::Person))
        .collect();
    idx.sort_by_key(|&i| std::cmp::Reverse(words_of(&pieces[i]).len()));
    // Full names as (lowercased words, name, last piece): lowercased once here,
    // not at every comparison.
    let mut fulls: Vec<(Vec<String>, String, usize)> = Vec::new();
    // A form seen before resolves the same way again: long articles repeat a
    // handful of names many times, and comparing every repeat against every
    // full name made them quadratic.
    let mut decided: HashMap<Vec<String>, String> = HashMap::new();
    let mut out = HashMap::new();
    for &i in &idx {
        let w = words_of(&pieces[i]);
        let name = doc.span_text(pieces[i].t0, pieces[i].t1).to_owned();
        let lw: Vec<String> = w.iter().map(|x| x.to_lowercase()).collect();
        if let Some(known) = decided.get(&lw) {
            out.insert(i, known.clone());
            continue;
        }
        // Best earlier full name that this form abbreviates; nearest previous mention wins.
        let mut best: Option<(usize, usize)> = None; // (score, index into fulls)
        for (fi, (flw, _, _)) in fulls.iter().enumerate() {
            let score = if *flw == lw {
                4
            } else if lw.len() < flw.len() && flw.ends_with(&lw) {
                3
            } else if lw.len() == 1 && flw.first() == lw.first()
                // "Wan Junaidi" of "Wan Junaidi Tuanku Jaafar".
                || lw.len() >= 2 && lw.len() < flw.len() && flw.starts_with(&lw)
                || lw.len() == flw.len()
                    && lw.len() >= 2
                    && lw[..lw.len() - 1] == flw[..flw.len() - 1]
                    && lw[lw.len() - 1].chars().count() >= 3
                    && flw[flw.len() - 1].starts_with(lw[lw.len() - 1].as_str())
                    && flw[flw.len() - 1].chars().count() <= lw[lw.len() - 1].chars().count() + 2
            {
                2
            } else if lw.len() == 1 && lw[0].chars().count() >= 3 && flw.contains(&lw[0]) {
                1
            } else {
                0
            };
            if score > 0 && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, fi));
            }
        }
        let resolved = match best {
            Some((_, fi)) => fulls[fi].1.clone(),
            None => {
                fulls.push((lw.clone(), name.clone(), i));
                name
            }
        };
        decided.insert(lw, resolved.clone());
        out.insert(i, resolved);
    }
    out
}

/// "Full Name (ACR)" and initials: acronym pieces join the entity they abbreviate.
fn acronyms(doc: &Doc, pieces: &[Piece], piece_ent: &mut [usize], ents: &[LocalEntity]) {
    let mut defs: HashMap<String, usize> = HashMap::new();
    // "Congress of South African Trade Unions (Cosatu)": a short form in
    // title case, defined in parentheses right after a longer name.
    let defined_short = |k: usize| {
        let p = &pieces[k];
        let text = doc.span_text(p.t0, p.t1);
        let prev = &pieces[k - 1];
        p.t1 == p.t0 + 1
            && (3..=8).contains(&text.chars().count())
            && text.chars().skip(1).all(char::is_lowercase)
            && prev.t1 > prev.t0 + 2
            && matches!(prev.etype, Some(EntityType::Org | EntityType::Law))
            && p.t0 >= 2
            && doc.is_punct(p.t0 - 1, "(")
            && prev.t1 == p.t0 - 1
            && doc.is_punct(p.t1, ")")
            && text.chars().next() == doc.span_text(prev.t0, prev.t1).chars().next()
    };
    for k in 1..pieces.len() {
        let p = &pieces[k];
        let text = doc.span_text(p.t0, p.t1);
        if defined_short(k) {
            defs.insert(text.to_owned(), piece_ent[k - 1]);
            continue;
        }
        if !is_acronym(text) {
            continue;
        }
        let prev = &pieces[k - 1];
        // The acronym must start like the name it abbreviates ("WASHINGTON (AP)" is a
        // dateline credit, not a definition).
        let initial = |s: &str| {
            s.chars()
                .find(|c| c.is_alphabetic())
                .map(|c| c.to_ascii_uppercase())
        };
        let same_initial = initial(text) == initial(doc.span_text(prev.t0, prev.t1));
        // Acronyms from another language keep the letters in another order
        // ("Institutional Revolutionary Party (PRI)").
        let mut name_initials: Vec<char> = (prev.t0..prev.t1)
            .filter(|&i| doc.is_word(i) && starts_upper(doc.text(i)))
            .filter_map(|i| doc.text(i).chars().next())
            .collect();
        let mut acr_letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
        name_initials.sort_unstable();
        acr_letters.sort_unstable();
        let same_letters = name_initials == acr_letters;
        // "Justice and Development Party (AKP)": a foreign-language acronym right
        // after a long organisation name is its short form too.
        let long_org =
            prev.t1 > prev.t0 + 2 && matches!(prev.etype, Some(EntityType::Org | EntityType::Law));
        if (same_initial || same_letters || long_org)
            && p.t0 >= 2
            && doc.is_punct(p.t0 - 1, "(")
            && prev.t1 == p.t0 - 1
            && doc.is_punct(p.t1, ")")
        {
            defs.insert(text.to_owned(), piece_ent[k - 1]);
        }
    }
    // Initials of multi-word names in the article.
    let mut initials: HashMap<String, usize> = HashMap::new();
    for (k, p) in pieces.iter().enumerate() {
        if matches!(p.etype, Some(EntityType::Org | EntityType::Law)) {
            let words: Vec<&str> = (p.t0..p.t1)
                .filter(|&i| doc.is_word(i))
                .map(|i| doc.text(i))
                .collect();
            if words.len() >= 2 {
                let all: String = words.iter().filter_map(|w| w.chars().next()).collect();
                let caps: String = words
                    .iter()
                    .filter(|w| starts_upper(w))
                    .filter_map(|w| w.chars().next())
                    .collect();
                initials.entry(all.to_uppercase()).or_insert(piece_ent[k]);
                initials.entry(caps).or_insert(piece_ent[k]);
            }
        }
    }
    for k in 0..pieces.len() {
        let p = &pieces[k];
        let text = doc.span_text(p.t0, p.t1);
        if !is_acronym(text) {
            if let Some(&e) = defs.get(text) {
                piece_ent[k] = e;
            }
            continue;
        }
        let bare: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
        let target = defs
            .get(text)
            .or_else(|| initials.get(&bare))
            .copied()
            .filter(|&e| e != piece_ent[k] && ents[e].entity_type != EntityType::Person);
        if let Some(e) = target {
            piece_ent[k] = e;
        }
    }
}

word_list!(
/// Lowercase heads of descriptive agreement names.
    DEAL_HEADS = "deal_heads.txt"
);

word_list!(
/// Words that make a descriptive agreement name specific enough to count.
    DEAL_ANCHORS = "deal_anchors.txt"
);

word_list!(
/// Words that end the walk back from a deal head.
    STOP_WORDS = "stop_words.txt"
);

/// Descriptive law and event names: "the 2015 Iran nuclear deal", "a 25-year
/// cooperation agreement", "the Ukraine war", "the invasion of Ukraine".
fn descriptive(doc: &Doc, pieces: &[Piece]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut piece_at_end: HashMap<usize, usize> = HashMap::new();
    let mut piece_at_start: HashMap<usize, usize> = HashMap::new();
    for (k, p) in pieces.iter().enumerate() {
        piece_at_end.insert(p.t1, k);
        piece_at_start.insert(p.t0, k);
    }
    let n = doc.tokens.len();
    for i in 0..n {
        if !doc.is_word(i) {
            continue;
        }
        let w = doc.text(i);
        if w == "war" || w == "invasion" {
            // "<GPE> war" / "war in <GPE>" / "invasion of <GPE>".
            if let Some(&k) = piece_at_end.get(&i) {
                let p = &pieces[k];
                if p.etype == Some(EntityType::Gpe) && doc.tokens[i].space_before {
                    out.push(piece(
                        p.t0,
                        i + 1,
                        Some(EntityType::Event),
                        &format!("war in {}", p.canonical),
                    ));
                    continue;
                }
            }
            if i + 2 < n && matches!(doc.text(i + 1), "in" | "of" | "on") {
                if let Some(&k) = piece_at_start.get(&(i + 2)) {
                    let p = &pieces[k];
                    if p.etype == Some(EntityType::Gpe) {
                        out.push(piece(
                            i,
                            p.t1,
                            Some(EntityType::Event),
                            &format!("war in {}", p.canonical),
                        ));
                    }
                }
            }
            continue;
        }
        if !DEAL_HEADS.contains(w) {
            continue;
        }
        // Walk back over modifiers.
        let mut start = i;
        let mut anchored = false;
        let mut j = i;
        while j > 0 {
            let prev = j - 1;
            let t = &doc.tokens[prev];
            if let Some(&k) = piece_at_end.get(&j) {
                let p = &pieces[k];
                if matches!(
                    p.etype,
                    Some(EntityType::Gpe | EntityType::Person | EntityType::Norp)
                ) {
                    start = p.t0;
                    j = p.t0;
                    continue;
                }
            }
            match t.kind {
                Kind::Word => {
                    let pw = doc.text(prev);
                    let lower = pw.to_lowercase();
                    if STOP_WORDS.contains(lower.as_str()) || starts_upper(pw) {
                        break;
                    }
                    if is_number(pw)
                        && pw.len() == 4
                        && (pw.starts_with("19") || pw.starts_with("20"))
                        || DEAL_ANCHORS.contains(pw)
                    {
                        anchored = true;
                    } else if pw == "year"
                        && prev >= 2
                        && doc.text(prev - 1) == "-"
                        && is_number(doc.text(prev - 2))
                    {
                        anchored = true;
                        start = prev - 2;
                        j = prev - 2;
                        continue;
                    } else if is_number(pw) || pw.chars().any(|c| !c.is_alphabetic() && c != '-') {
                        break;
                    }
                    start = prev;
                    j = prev;
                }
                Kind::Punct if doc.text(prev) == "-" && !t.space_before => {
                    j = prev;
                }
                _ => break,
            }
        }
        // Trim a leading "and".
        while start < i && doc.text(start) == "and" {
            start += 1;
        }
        // "a new arms agreement" is generic unless a year or term makes it specific.
        let dated = (start..i).any(|j| {
            let t = doc.text(j);
            (is_number(t) && t.len() == 4) || t == "year"
        });
        let indefinite =
            start > 0 && matches!(doc.text(start - 1), "a" | "an" | "new" | "any" | "another");
        if anchored && start < i && (dated || !indefinite) {
            let surface = doc.span_text(start, i + 1);
            out.push(piece(start, i + 1, Some(EntityType::Law), surface));
        }
    }
    out
}

/// Merges descriptive law names with each other (shared year or topic) and with a named
/// law in the same sentence ("the 2015 deal, also called the Joint Comprehensive Plan").
fn descriptive_links(doc: &Doc, pieces: &[Piece], piece_ent: &mut [usize], ents: &[LocalEntity]) {
    let anchors = |p: &Piece| -> Vec<String> {
        (p.t0..p.t1)
            .filter(|&i| doc.is_word(i))
            .map(|i| doc.text(i).to_lowercase())
            .filter(|w| {
                (is_number(w) && w.len() == 4) || DEAL_ANCHORS.contains(w.as_str()) || w == "year"
            })
            .map(|w| {
                if w == "year" {
                    // Keep the number of "25-year".
                    String::new()
                } else {
                    w
                }
            })
            .collect()
    };
    let desc: Vec<usize> = (0..pieces.len())
        .filter(|&k| {
            pieces[k].etype == Some(EntityType::Law)
                && !starts_upper(doc.span_text(pieces[k].t0, pieces[k].t0 + 1))
                || { pieces[k].etype == Some(EntityType::Law) && is_number(doc.text(pieces[k].t0)) }
        })
        .collect();
    let n_year = |p: &Piece| -> Option<String> {
        (p.t0..p.t1.saturating_sub(2)).find_map(|i| {
            (is_number(doc.text(i)) && doc.text(i + 1) == "-" && doc.text(i + 2) == "year")
                .then(|| format!("{}-year", doc.text(i)))
        })
    };
    let mut by_anchor: HashMap<String, usize> = HashMap::new();
    for &k in &desc {
        let mut keys: Vec<String> = anchors(&pieces[k])
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if let Some(y) = n_year(&pieces[k]) {
            keys.retain(|s| !is_number(s) || s.len() == 4);
            keys.push(y);
        }
        let mut target = None;
        for key in &keys {
            if let Some(&e) = by_anchor.get(key) {
                target = Some(e);
                break;
            }
        }
        let e = target.unwrap_or(piece_ent[k]);
        piece_ent[k] = e;
        for key in keys {
            by_anchor.entry(key).or_insert(e);
        }
    }
    // Named law near a descriptive one in the same sentence: same document. Only
    // named laws among the few pieces on either side are candidates.
    let is_desc: std::collections::HashSet<usize> = desc.iter().copied().collect();
    let mut remap: HashMap<usize, usize> = HashMap::new();
    for &k in &desc {
        let p = &pieces[k];
        let lo = k.saturating_sub(4);
        let hi = (k + 5).min(pieces.len());
        for q_idx in lo..hi {
            let q = &pieces[q_idx];
            if q.etype != Some(EntityType::Law) || is_desc.contains(&q_idx) {
                continue;
            }
            let (a, b) = if q.t0 >= p.t1 {
                (p.t1, q.t0)
            } else if p.t0 >= q.t1 {
                (q.t1, p.t0)
            } else {
                continue;
            };
            if b - a <= 8 && (a..b).all(|i| !matches!(doc.text(i), "." | ";" | "?" | "!")) {
                let to = piece_ent[q_idx];
                if ents[to].entity_type == EntityType::Law {
                    remap.insert(piece_ent[k], to);
                }
            }
        }
    }
    if !remap.is_empty() {
        for e in piece_ent.iter_mut() {
            // Follow chains a few steps (a → b → c); never loop forever.
            for _ in 0..4 {
                match remap.get(e) {
                    Some(&to) if to != *e => *e = to,
                    _ => break,
                }
            }
        }
    }
}

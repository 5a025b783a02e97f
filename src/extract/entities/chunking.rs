//! Step 1, chunking: runs of capitalised words become candidate names, allowing inner
//! connectors ("Bank *of* England"), glued hyphens and numbers after law words.

use super::*;

word_list!(
/// First words that mark an organisation name ("Banco Santander", "Atletico Madrid").
    pub(super) ORG_OPENERS = "org_openers.txt"
);

word_list!(
/// First words that mark an event name ("Copa del Rey", "Operation Desert Storm").
    pub(super) EVENT_OPENERS = "event_openers.txt"
);

word_list!(
/// Lowercase nouns after a name that make it a facility's name.
    pub(super) FACILITY_NOUNS = "facility_nouns.txt"
);

pub(super) fn next_is_facility(doc: &Doc, i: usize) -> bool {
    doc.is_word(i) && FACILITY_NOUNS.contains(doc.text(i))
}

word_list!(
/// Sentence openers that are never part of a name.
    pub(super) FUNCTION_OPENERS = "function_openers.txt"
);

/// Finds runs of name words; returns token ranges.
pub(super) fn chunks(doc: &Doc, g: &Gazetteer) -> Vec<(usize, usize)> {
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
                && doc.text(j).chars().all(crate::extract::tokens::hyphen)
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
                && doc.text(j).chars().all(crate::extract::tokens::hyphen)
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
                && doc.text(j).chars().all(crate::extract::tokens::hyphen)
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
pub(super) fn chunk_words(doc: &Doc, a: usize, b: usize) -> Vec<usize> {
    (a..b).filter(|&i| doc.is_word(i)).collect()
}

/// Whether token `i` opens a quotation that starts mid-sentence
/// (`… said: "The Sandinista Front will …"`): it reads like a sentence start.
pub(super) fn quote_initial(doc: &Doc, i: usize) -> bool {
    i > 0
        && doc.tokens[i - 1].kind == Kind::Punct
        && doc.tokens[i - 1].space_before
        && !doc.tokens[i].space_before
        && matches!(doc.text(i - 1), "\"" | "\u{201c}")
}

//! Step 1, chunking: runs of capitalised words become candidate names, allowing inner
//! connectors ("Bank *of* England"), glued hyphens and numbers after law words.

use super::*;
use crate::extract::tokens::Token;

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

/// Candidate names: runs of capitalised words, grown token by token by the
/// [`EXTENSIONS`] (the first that applies says where the run now ends).
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
        'grow: while end < n {
            let grow = Grow {
                doc,
                g,
                start,
                end,
                j: end,
                t: &doc.tokens[end],
            };
            for (_, extend) in EXTENSIONS {
                // Every extension moves the end forward, so the run always ends.
                if let Some(next) = extend(&grow).filter(|&next| next > end) {
                    end = next;
                    continue 'grow;
                }
            }
            break;
        }
        out.push((start, end));
        i = end;
    }
    out
}

/// The rules that grow a run, in the order they are tried; each says where the
/// run ends if it applies at the token after the run.
pub(super) const EXTENSIONS: &[(&str, Extend)] = &[
    ("name_word", name_word),
    ("glued_hyphen", glued_hyphen),
    ("izafe_particle", izafe_particle),
    ("particle_surname", particle_surname),
    ("hyphenated_given_name", hyphenated_given_name),
    ("connectors", connectors),
    ("possessive_in_known_name", possessive_in_known_name),
    ("possessive_in_org_name", possessive_in_org_name),
    ("title_office", title_office),
    ("group_possessive", group_possessive),
    ("possessive_after_plain_word", possessive_after_plain_word),
    ("number_after_law_word", number_after_law_word),
];

/// A run-growing rule.
pub(super) type Extend = fn(&Grow) -> Option<usize>;

/// A run being grown: it covers tokens `start..end`; `j` (= `end`) is the next
/// token and `t` that token.
#[derive(Clone, Copy)]
pub(super) struct Grow<'r, 'a> {
    doc: &'r Doc<'a>,
    g: &'r Gazetteer,
    start: usize,
    end: usize,
    j: usize,
    t: &'r Token,
}

/// Another name word after a space ("Bank England" → one run).
fn name_word(c: &Grow) -> Option<usize> {
    let Grow { doc, j, t, .. } = *c;
    if is_name_word(doc, j) && t.space_before {
        return Some(j + 1);
    }
    None
}

/// A glued hyphen between two name words ("Miami-Dade"), unless both sides are known
/// places ("China-Iran") or one is a combining form before a common noun.
fn glued_hyphen(c: &Grow) -> Option<usize> {
    let Grow {
        doc, g, end, j, t, ..
    } = *c;
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
        return Some(j + 2);
    }
    None
}

/// Izafe and similar glued particles: "Lashkar-e-Jhangvi", "Zia-ul-Haq".
fn izafe_particle(c: &Grow) -> Option<usize> {
    let Grow { doc, j, t, .. } = *c;
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
        return Some(j + 4);
    }
    None
}

/// A particle surname: "Essam el-Erian", "Bashar al-Assad".
fn particle_surname(c: &Grow) -> Option<usize> {
    let Grow { doc, j, t, .. } = *c;
    // "Essam el-Erian", "Bashar al-Assad".
    if t.space_before && particle_name(doc, j) {
        return Some(j + 3);
    }
    None
}

/// Hyphenated Korean-style given names: "Moon Jae-in", "Yoo Myung-hee".
fn hyphenated_given_name(c: &Grow) -> Option<usize> {
    let Grow {
        doc,
        g,
        start,
        end,
        j,
        t,
    } = *c;
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
        return Some(j + 2);
    }
    None
}

/// Connectors: up to two lowercase words ("of the") before another name word.
fn connectors(c: &Grow) -> Option<usize> {
    let Grow { doc, j, t, .. } = *c;
    // Connectors: up to two lowercase words ("of the") before another name word.
    if t.kind == Kind::Word && CONNECTORS.contains(doc.text(j)) {
        let k = if doc.is_word(j + 1) && CONNECTORS.contains(doc.text(j + 1)) {
            j + 2
        } else {
            j + 1
        };
        if is_name_word(doc, k) && doc.text(j) != "and" || is_name_word(doc, j + 1) {
            return Some(if is_name_word(doc, k) { k + 1 } else { j + 2 });
        }
    }
    None
}

/// A possessive inside a known name ("New Year's Day", "People's Republic").
fn possessive_in_known_name(c: &Grow) -> Option<usize> {
    let Grow {
        doc,
        g,
        start,
        j,
        t,
        ..
    } = *c;
    // A possessive inside a known name ("New Year's Day", "People's Republic").
    if t.kind == Kind::Possessive
        && is_name_word(doc, j + 1)
        && (start.max(j.saturating_sub(3))..j)
            .any(|k| doc.is_word(k) && g.lookup(doc.span_text(k, j + 2)).is_some())
    {
        return Some(j + 2);
    }
    None
}

/// A possessive inside an organisation's name, read up to its head word ("the
/// Alzheimer's Association", "King's College London").
fn possessive_in_org_name(c: &Grow) -> Option<usize> {
    let Grow {
        doc,
        g,
        start,
        end,
        j,
        t,
    } = *c;
    // "the Alzheimer's Association", "King's College London": a possessive
    // inside an organisation's name, read up to its head word.
    if t.kind == Kind::Possessive && is_name_word(doc, j + 1) {
        let mut k = j + 1;
        while is_name_word(doc, k) && doc.tokens[k].space_before {
            k += 1;
        }
        let head = (j + 1..k)
            .any(|w| head_class(doc.text(w)).is_some_and(|(t, gov)| t == EntityType::Org && !gov));
        let possessor = doc.text(end - 1);
        let the_before = start > 0 && doc.text(start - 1).eq_ignore_ascii_case("the");
        if head
            && k - (j + 1) <= 3
            && (the_before || g.is_common_word(possessor))
            && g.lookup(possessor).is_none()
        {
            return Some(k);
        }
    }
    None
}

/// A title's office: "Miami-Dade State Attorney's Office", "Bay County Sheriff's Office".
fn title_office(c: &Grow) -> Option<usize> {
    let Grow { doc, end, j, t, .. } = *c;
    // "Miami-Dade State Attorney's Office", "Bay County Sheriff's Office".
    if t.kind == Kind::Possessive
        && doc.is_word(j + 1)
        && matches!(doc.text(j + 1), "Office" | "Department" | "Bureau")
        && gazetteer::sets().title_heads.contains(&doc.text(end - 1))
    {
        return Some(j + 2);
    }
    None
}

/// A group's possessive: "Polish United Workers' Party", "Sandinista People's Army".
fn group_possessive(c: &Grow) -> Option<usize> {
    let Grow { doc, end, j, t, .. } = *c;
    // "Polish United Workers' Party", "Sandinista People's Army".
    let plural_apostrophe = t.kind == Kind::Punct
        && !t.space_before
        && matches!(doc.text(j), "'" | "\u{2019}")
        && doc.tokens.get(j + 1).is_some_and(|n| n.space_before);
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
        return Some(j + 2);
    }
    None
}

/// A possessive inside a name whose first part is a plain word ("Children's Hospital").
fn possessive_after_plain_word(c: &Grow) -> Option<usize> {
    let Grow {
        doc,
        g,
        start,
        end,
        j,
        t,
    } = *c;
    // "Children's Hospital": a possessive inside a name whose first part is a plain word.
    if t.kind == Kind::Possessive
        && end - start == 1
        && is_name_word(doc, j + 1)
        && g.is_common_word(doc.text(start))
        && g.lookup(doc.text(start)).is_none()
        && !g.is_first_name(doc.text(start))
    {
        return Some(j + 2);
    }
    None
}

/// A number after a law word: "Resolution 2231", "Article 5".
fn number_after_law_word(c: &Grow) -> Option<usize> {
    let Grow { doc, end, j, t, .. } = *c;
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
        return Some(j + 1);
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tokens::tokenize;

    /// Where `extend` says a run of the first `run` tokens of `text` ends.
    fn grown(extend: Extend, text: &str, run: usize) -> Option<String> {
        let tokens = tokenize(text);
        let doc = Doc {
            body: text,
            tokens: &tokens,
        };
        let grow = Grow {
            doc: &doc,
            g: gazetteer(),
            start: 0,
            end: run,
            j: run,
            t: &tokens[run],
        };
        extend(&grow).map(|end| doc.span_text(0, end).to_owned())
    }

    #[test]
    fn extensions_have_distinct_names() {
        crate::extract::assert_distinct_names(EXTENSIONS);
    }

    #[test]
    fn each_extension_grows_its_own_case_only() {
        assert_eq!(
            grown(connectors, "Bank of Velmora said", 1).as_deref(),
            Some("Bank of Velmora")
        );
        assert_eq!(grown(connectors, "Bank said", 1), None);
        assert_eq!(
            grown(number_after_law_word, "Resolution 2231 passed", 1).as_deref(),
            Some("Resolution 2231")
        );
        assert_eq!(grown(number_after_law_word, "Harbour 2231", 1), None);
        assert_eq!(
            grown(name_word, "Ilse Vandermolen said", 1).as_deref(),
            Some("Ilse Vandermolen")
        );
        assert_eq!(grown(name_word, "Ilse said", 1), None);
    }
}

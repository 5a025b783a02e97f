//! Reading a chunk's words: what its head word makes it (ORG, LOC, EVENT…), where a
//! title in front ends, and whether the rest looks like a personal name.

use super::*;

pub(super) fn head_class(word: &str) -> Option<(EntityType, bool)> {
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
pub(super) fn is_particle(w: &str) -> bool {
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
pub(super) fn particle_name(doc: &Doc, i: usize) -> bool {
    doc.is_word(i)
        && is_particle(doc.text(i))
        && doc.is_punct(i + 1, "-")
        && !doc.tokens.get(i + 1).is_some_and(|t| t.space_before)
        && is_name_word(doc, i + 2)
        && !doc.tokens[i + 2].space_before
}

/// The type implied by a name's head word: the last word (or the word before a
/// trailing number), the word before "of", or any organisation word.
pub(super) fn head_type(doc: &Doc, words: &[usize]) -> Option<(EntityType, bool)> {
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
pub(super) fn title_len(doc: &Doc, words: &[usize]) -> usize {
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
pub(super) fn inner_title(doc: &Doc, g: &Gazetteer, words: &[usize]) -> Option<(usize, usize)> {
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

/// Whether the words read as a personal name.
pub(super) fn person_like(doc: &Doc, g: &Gazetteer, words: &[usize]) -> bool {
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

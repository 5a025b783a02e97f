//! Splitting a chunk that holds more than one name ("Iran and Russia", "X of Y") and
//! the contexts that type a name by the noun before it ("the group Hamas").

use super::*;

word_list!(
/// Nouns that introduce a work's title right after them.
    pub(super) WORK_INTRO_NOUNS = "work_intro_nouns.txt"
);

/// Whether the word before token `a` introduces a work's title ("the drama
/// Vera Drake", "the producer of Kal Ka Sooraj").
pub(super) fn after_work_noun(doc: &Doc, a: usize) -> bool {
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
    pub(super) ORG_INTRO_NOUNS = "org_intro_nouns.txt"
);

/// Whether the word before token `a` introduces an organisation ("the
/// newspaper La Prensa", "rights group Liberty", "state-run Voice of Kenya").
pub(super) fn after_org_noun(doc: &Doc, a: usize) -> bool {
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
pub(super) fn of_a_place_noun(doc: &Doc, t0: usize) -> bool {
    t0 >= 2
        && doc.text(t0 - 1) == "of"
        && PLACE_NOUNS.contains(doc.text(t0 - 2).to_lowercase().as_str())
}

/// "shares in X", "a stake in X": X (at token `t0`) is a company, not a place.
pub(super) fn shares_in(doc: &Doc, t0: usize) -> bool {
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
    pub(super) ORG_ROLE_NEXT = "org_role_next.txt"
);

/// Splits "Trade Desk of the World Customs Organization" at "of" when
/// only the part after "of" is a name in its own right.
pub(super) fn split_of(
    doc: &Doc,
    g: &Gazetteer,
    words: &[usize],
) -> Option<(Vec<usize>, Vec<usize>)> {
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
pub(super) fn split_and_names(
    doc: &Doc,
    g: &Gazetteer,
    words: &[usize],
) -> Option<(Vec<usize>, Vec<usize>)> {
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
pub(super) fn split_chunk(doc: &Doc, g: &Gazetteer, words: &[usize]) -> Vec<Vec<usize>> {
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

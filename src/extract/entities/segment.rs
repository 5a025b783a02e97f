//! Step 2, segmentation: each chunk split into a nationality/place prefix, a title
//! kept as a role, and the name proper, typed by gazetteer, head word or shape.

use super::*;

pub(super) fn piece(t0: usize, t1: usize, etype: Option<EntityType>, canonical: &str) -> Piece {
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

/// Types the words of one (sub)chunk: after a sentence opener, the [`RULES`] are
/// tried in order on what is left; the first that applies either decides the rest
/// or consumes words at the front (a title, a place prefix), and the rules start
/// over on what remains.
pub(super) fn segment(doc: &Doc, g: &Gazetteer, words: &[usize], out: &mut Vec<Piece>) {
    let Some(i) = sentence_opener(doc, g, words, out) else {
        return;
    };
    let mut run = Run {
        doc,
        g,
        words,
        i,
        roles: Vec::new(),
        out,
    };
    'rest: while run.i < run.words.len() {
        let before = run.i;
        for (name, rule) in RULES {
            match rule(&mut run) {
                Verdict::Pass => {}
                // A rule that says Again must have consumed words, or the
                // rules would go round for ever on the same ones.
                Verdict::Again if run.i > before => continue 'rest,
                Verdict::Again => {
                    debug_assert!(false, "segmentation rule {name} consumed no word");
                    return;
                }
                Verdict::Done => return,
            }
        }
        return;
    }
}

/// The segmentation rules, in the order they are tried; each is named so that a
/// miss can be traced to the rule that decided it.
pub(super) const RULES: &[(&str, Rule)] = &[
    ("whole_name_known", whole_name_known),
    ("people_of_a_place_ian", people_of_a_place_ian),
    ("people_of_a_place_ers", people_of_a_place_ers),
    ("compass_point_people", compass_point_people),
    ("time_modifier_before_title", time_modifier_before_title),
    ("leading_title", leading_title),
    ("title_ends_the_run", title_ends_the_run),
    ("title_inside_the_run", title_inside_the_run),
    ("head_word", head_word),
    ("first_name_that_is_a_town", first_name_that_is_a_town),
    ("known_prefix", known_prefix),
    ("multi_word", multi_word),
    ("one_word", one_word),
];

/// A segmentation rule: reads what is left of the chunk and says what it did.
pub(super) type Rule = fn(&mut Run) -> Verdict;

/// What a rule did with the rest of the chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Not its case: the next rule looks.
    Pass,
    /// It consumed words at the front: the rules start over on the rest.
    Again,
    /// It decided the rest of the chunk (pieces pushed, or no name there).
    Done,
}

/// A chunk being segmented: the words, how far the rules have got, the titles
/// seen so far (they become the roles of the name that follows), the output.
pub(super) struct Run<'r, 'a> {
    doc: &'r Doc<'a>,
    g: &'r Gazetteer,
    words: &'r [usize],
    i: usize,
    roles: Vec<String>,
    out: &'r mut Vec<Piece>,
}

/// What the rules read of a [`Run`]: the words left and their extent.
struct Here<'r, 'a> {
    doc: &'r Doc<'a>,
    g: &'r Gazetteer,
    words: &'r [usize],
    rest: &'r [usize],
    a: usize,
    b: usize,
    text: &'a str,
}

impl<'r, 'a> Run<'r, 'a> {
    fn here(&self) -> Here<'r, 'a> {
        let (doc, words) = (self.doc, self.words);
        let rest = &words[self.i..];
        let (a, b) = (rest[0], rest[rest.len() - 1] + 1);
        Here {
            doc,
            g: self.g,
            words,
            rest,
            a,
            b,
            text: doc.span_text(a, b),
        }
    }
}

/// A sentence-initial capital on an ordinary word ("The", "Evidence", "Meanwhile")
/// is not a name: where the name starts (`None` when the chunk is that one word,
/// kept as a weak piece to be decided against the rest of the article).
fn sentence_opener(
    doc: &Doc,
    g: &Gazetteer,
    words: &[usize],
    out: &mut Vec<Piece>,
) -> Option<usize> {
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
                return None;
            }
            let mut i = 1;
            while i < words.len()
                && CONNECTORS.contains(doc.text(words[i]))
                && !particle_name(doc, words[i])
            {
                i += 1;
            }
            return Some(i);
        }
    }
    Some(0)
}

/// The whole rest is a known name (gazetteer): its canonical form, with any titles seen.
fn whole_name_known(run: &mut Run) -> Verdict {
    let Here { g, a, b, text, .. } = run.here();
    if let Some(k) = g.lookup(text) {
        let mut p = piece(a, b, Some(k.entity_type), &k.canonical);
        p.roles = std::mem::take(&mut run.roles);
        run.out.push(p);
        return Verdict::Done;
    }
    Verdict::Pass
}

/// "Liberian", "Bavarian": the people of a known place.
fn people_of_a_place_ian(run: &mut Run) -> Verdict {
    let Here {
        g,
        rest,
        a,
        b,
        text,
        ..
    } = run.here();
    // "Liberian", "Bavarian": the people of a known place.
    if rest.len() == 1 && text.ends_with("ian") {
        if let Some(base) = text.strip_suffix('n') {
            if g.lookup(base)
                .is_some_and(|k| k.entity_type == EntityType::Gpe)
            {
                run.out.push(piece(a, b, Some(EntityType::Norp), text));
                return Verdict::Done;
            }
        }
    }
    Verdict::Pass
}

/// "Londoners", "New Brunswickers": the people of a known place.
fn people_of_a_place_ers(run: &mut Run) -> Verdict {
    let Here { g, a, b, text, .. } = run.here();
    // "Londoners", "New Brunswickers": the people of a known place.
    if let Some(base) = text.strip_suffix("ers") {
        if g.lookup(base)
            .is_some_and(|k| k.entity_type == EntityType::Gpe)
        {
            run.out.push(piece(a, b, Some(EntityType::Norp), text));
            return Verdict::Done;
        }
    }
    Verdict::Pass
}

/// "West German", "South Korean": a compass point and a people.
fn compass_point_people(run: &mut Run) -> Verdict {
    let Here {
        doc,
        g,
        rest,
        a,
        b,
        text,
        ..
    } = run.here();
    // "West German", "South Korean": a compass point and a people.
    if rest.len() == 2
        && matches!(doc.text(a), "West" | "East" | "North" | "South")
        && g.lookup(doc.text(rest[1]))
            .is_some_and(|k| k.entity_type == EntityType::Norp)
    {
        run.out.push(piece(a, b, Some(EntityType::Norp), text));
        return Verdict::Done;
    }
    Verdict::Pass
}

/// "Former U.S. President …": a time modifier before a place and a title is skipped.
fn time_modifier_before_title(run: &mut Run) -> Verdict {
    let Here {
        doc, g, rest, a, ..
    } = run.here();
    let tl = title_len(doc, rest);
    // "Former U.S. President …": a time modifier before a place and a title.
    if tl == 0
        && rest.len() >= 3
        && matches!(doc.text(a), "Former" | "Acting" | "Interim" | "Outgoing")
        && g.lookup(doc.text(rest[1]))
            .is_some_and(|k| matches!(k.entity_type, EntityType::Gpe | EntityType::Norp))
    {
        run.i += 1;
        return Verdict::Again;
    }
    Verdict::Pass
}

/// A title at the front ("Defense Minister", "Maj. Gen.") is kept as a role, with what
/// follows "of" ("The Mayor of County Cork") read as the place it holds, not its holder.
fn leading_title(run: &mut Run) -> Verdict {
    let Here {
        doc,
        g,
        words,
        rest,
        a,
        ..
    } = run.here();
    let tl = title_len(doc, rest);
    if tl > 0 {
        run.roles
            .push(doc.span_text(a, rest[tl - 1] + 1).to_owned());
        run.i += tl;
        let mut of = false;
        while run.i < words.len()
            && CONNECTORS.contains(doc.text(words[run.i]))
            && !particle_name(doc, words[run.i])
        {
            of |= doc.text(words[run.i]) == "of";
            run.i += 1;
        }
        // "The Mayor of County Cork": what follows "of" is where the title
        // holds, not its holder.
        if of {
            run.roles.clear();
        }
        // "General Strike", "Major Reform": a title before one everyday word
        // names no one.
        if run.i + 1 == words.len() {
            let w = doc.text(words[run.i]);
            if g.is_common_word(w)
                && !g.is_surname(w)
                && !g.is_first_name(w)
                && g.lookup(w).is_none()
            {
                return Verdict::Done;
            }
        }
        return Verdict::Again;
    }
    Verdict::Pass
}

/// "The United States Secretary of State, John Kerry": a title ends the run, and only
/// what comes before it is a name.
fn title_ends_the_run(run: &mut Run) -> Verdict {
    let Here { doc, g, rest, .. } = run.here();
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
        segment(doc, g, &rest[..p], run.out);
        return Verdict::Done;
    }
    Verdict::Pass
}

/// "Gympie Regional Council Mayor Lyn Fahey": an organisation (or portfolio), a
/// capitalised title inside the run, then a person.
fn title_inside_the_run(run: &mut Run) -> Verdict {
    let Here {
        doc, g, rest, a, ..
    } = run.here();
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
            segment(doc, g, left_words, run.out);
            run.roles.push(
                doc.span_text(rest[left], rest[title_end - 1] + 1)
                    .to_owned(),
            );
        } else {
            run.roles
                .push(doc.span_text(a, rest[title_end - 1] + 1).to_owned());
        }
        let person = &rest[title_end..];
        let (pa, pb) = (person[0], person[person.len() - 1] + 1);
        let mut p = piece(pa, pb, Some(EntityType::Person), doc.span_text(pa, pb));
        p.titled = true;
        p.roles = std::mem::take(&mut run.roles);
        run.out.push(p);
        return Verdict::Done;
    }
    Verdict::Pass
}

/// A head word types the name ("… Agency" → ORG, "… Sea" → LOC), unless a nationality
/// in front is a descriptor ("Chinese Shenhua News Agency").
fn head_word(run: &mut Run) -> Verdict {
    let Here {
        doc,
        g,
        rest,
        a,
        b,
        text,
        ..
    } = run.here();
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
                run.out
                    .push(piece(a, a + 1, Some(k.entity_type), &k.canonical));
            }
            run.i += 1;
            return Verdict::Again;
        }
        run.out.push(piece(a, b, Some(etype), text));
        return Verdict::Done;
    }
    Verdict::Pass
}

/// A given name that is also a town ("Florence Pugh", "Vladimir Putin") starts a person.
fn first_name_that_is_a_town(run: &mut Run) -> Verdict {
    let Here {
        doc,
        g,
        rest,
        a,
        b,
        text,
        ..
    } = run.here();
    // A given name that is also a town ("Florence Pugh", "Vladimir Putin").
    if rest.len() >= 2
        && g.is_first_name(doc.text(a))
        && g.lookup(doc.text(a))
            .is_some_and(|k| k.entity_type == EntityType::Gpe)
        && g.lookup(doc.text(rest[1])).is_none()
        && person_like(doc, g, rest)
    {
        let mut p = piece(a, b, Some(EntityType::Person), text);
        p.titled = !run.roles.is_empty();
        p.roles = std::mem::take(&mut run.roles);
        run.out.push(p);
        return Verdict::Done;
    }
    Verdict::Pass
}

/// A known place, nationality or organisation in front of the rest ("Iranian President …"),
/// or a longer name built on one ("San Luis Potosi", "Samsung Electronics", "Commerzbank AG").
fn known_prefix(run: &mut Run) -> Verdict {
    let Here {
        doc,
        g,
        words,
        rest,
        a,
        b,
        text,
    } = run.here();
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
                    run.out.push(piece(a, b, Some(EntityType::Gpe), text));
                    return Verdict::Done;
                }
                // "Commerzbank AG": a company and its legal form.
                if k.entity_type == EntityType::Org
                    && tail.iter().all(|&t| CORP_SUFFIXES.contains(doc.text(t)))
                {
                    run.out.push(piece(a, b, Some(EntityType::Org), text));
                    return Verdict::Done;
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
                    run.out.push(piece(a, b, Some(EntityType::Norp), text));
                    return Verdict::Done;
                }
                if matches!(
                    k.entity_type,
                    EntityType::Org | EntityType::Gpe | EntityType::Loc
                ) && tail_ordinary
                    && title_len(doc, tail) == 0
                {
                    run.out.push(piece(a, b, Some(EntityType::Org), text));
                    return Verdict::Done;
                }
                run.out
                    .push(piece(a, rest[m - 1] + 1, Some(k.entity_type), &k.canonical));
                matched = m;
                break;
            }
        }
    }
    if matched > 0 {
        run.i += matched;
        while run.i < words.len()
            && CONNECTORS.contains(doc.text(words[run.i]))
            && !particle_name(doc, words[run.i])
        {
            run.i += 1;
        }
        return Verdict::Again;
    }
    Verdict::Pass
}

/// Two or more words left: typed by their first word, their shape or their context,
/// else a person if they look like one (or follow a title).
fn multi_word(run: &mut Run) -> Verdict {
    let Here {
        doc,
        g,
        rest,
        a,
        b,
        text,
        ..
    } = run.here();
    let titled = !run.roles.is_empty();
    if rest.len() >= 2 {
        let first_word = doc.text(a);
        if ORG_OPENERS.contains(first_word) || is_camel(first_word) {
            run.out.push(piece(a, b, Some(EntityType::Org), text));
            return Verdict::Done;
        }
        if EVENT_OPENERS.contains(first_word) {
            run.out.push(piece(a, b, Some(EntityType::Event), text));
            return Verdict::Done;
        }
        // "County Cork", "Port Klang", "Puerto Iguazu": places named head first.
        if run.roles.is_empty()
            && rest.len() <= 3
            && matches!(
                first_word,
                "County" | "Port" | "Puerto" | "Porto" | "Fort" | "Ciudad" | "Kota"
            )
        {
            run.out.push(piece(a, b, Some(EntityType::Gpe), text));
            return Verdict::Done;
        }
        // "Lake Ellesmere", "Mount Kenya", "Cape Horn".
        if run.roles.is_empty()
            && rest.len() <= 3
            && matches!(first_word, "Lake" | "Mount" | "Mt." | "Cape" | "Isle")
        {
            run.out.push(piece(a, b, Some(EntityType::Loc), text));
            return Verdict::Done;
        }
        // "Lashkar-e-Jhangvi", "Tehreek-e-Insaf": izafe names are organisations.
        if rest.iter().any(|&w| matches!(doc.text(w), "e" | "i")) {
            run.out.push(piece(a, b, Some(EntityType::Org), text));
            return Verdict::Done;
        }
        // "Val-de-Marne", "Clichy-sous-Bois", "Stratford-upon-Avon": places.
        if rest.iter().any(|&w| {
            matches!(
                doc.text(w),
                "de" | "du" | "la" | "le" | "les" | "sous" | "sur" | "en" | "au" | "aux" | "upon"
            ) && w.checked_sub(1).is_some_and(|h| doc.is_punct(h, "-"))
        }) {
            run.out.push(piece(a, b, Some(EntityType::Gpe), text));
            return Verdict::Done;
        }
        // "the British drama Vera Drake", "his novel The Road".
        if run.roles.is_empty() && a > 0 && after_work_noun(doc, a) {
            run.out.push(piece(a, b, Some(EntityType::WorkOfArt), text));
            return Verdict::Done;
        }
        // "the opposition newspaper La Prensa", "rights group Liberty".
        if run.roles.is_empty() && a > 0 && after_org_noun(doc, a) {
            run.out.push(piece(a, b, Some(EntityType::Org), text));
            return Verdict::Done;
        }
        // "Bayern Munich", "Inter Milan": a club named with its city last.
        if run.roles.is_empty()
            && rest.len() == 2
            && g.lookup(doc.text(rest[1]))
                .is_some_and(|k| k.entity_type == EntityType::Gpe)
            && g.lookup(first_word).is_none()
            && !g.is_first_name(first_word)
            && !g.is_common_word(first_word)
        {
            run.out.push(piece(a, b, Some(EntityType::Org), text));
            return Verdict::Done;
        }
        // A person's name on a facility ("Ramon Sanchez Pizjuan stadium") is not the person.
        if next_is_facility(doc, b) {
            return Verdict::Done;
        }
        // "in Uttar Pradesh": an unknown name right after a place preposition is a
        // place (unless it owns something: "in Donald Trump's America").
        let place_prep = a > 0
            && doc.is_word(a - 1)
            && matches!(
                doc.text(a - 1),
                "in" | "In" | "near" | "Near" | "outside" | "across"
            )
            && run.roles.is_empty()
            && !doc
                .tokens
                .get(b)
                .is_some_and(|t| t.kind == Kind::Possessive)
            && !g.is_first_name(first_word);
        if place_prep && person_like(doc, g, rest) {
            run.out.push(piece(a, b, Some(EntityType::Gpe), text));
            return Verdict::Done;
        }
        if person_like(doc, g, rest) {
            let mut p = piece(a, b, Some(EntityType::Person), text);
            p.roles = std::mem::take(&mut run.roles);
            p.titled = titled;
            run.out.push(p);
        } else if titled {
            // "President Xi Jinping" style names made of ordinary words still follow a title.
            let mut p = piece(a, b, Some(EntityType::Person), text);
            p.roles = std::mem::take(&mut run.roles);
            p.titled = true;
            run.out.push(p);
        }
        return Verdict::Done;
    }
    Verdict::Pass
}

/// One word left: not a name, an acronym (ORG), or a lone word decided later against
/// the rest of the article.
fn one_word(run: &mut Run) -> Verdict {
    let Here { a, b, text, .. } = run.here();
    let titled = !run.roles.is_empty();
    // One word left.
    if gazetteer::sets().non_names.contains(&text)
        || text.chars().count() < 2
        || text.starts_with("I'")
        || text.starts_with("I\u{2019}")
    {
        return Verdict::Done;
    }
    if is_acronym(text) && !titled {
        run.out.push(piece(a, b, Some(EntityType::Org), text));
        return Verdict::Done;
    }
    let mut p = piece(a, b, None, text);
    p.roles = std::mem::take(&mut run.roles);
    p.titled = titled;
    run.out.push(p);
    Verdict::Done
}

/// Multi-word regions written in lower case ("the middle east").
pub(super) fn lowercase_regions(doc: &Doc, g: &Gazetteer, out: &mut Vec<Piece>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tokens::tokenize;

    /// What a rule did: its verdict, the pieces it made (canonical name and
    /// type) and the titles it kept as roles.
    type Applied = (Verdict, Vec<(String, Option<EntityType>)>, Vec<String>);

    /// Runs one rule on `text` taken as one chunk.
    fn apply(rule: Rule, text: &str) -> Applied {
        let tokens = tokenize(text);
        let doc = Doc {
            body: text,
            tokens: &tokens,
        };
        let words: Vec<usize> = (0..tokens.len()).filter(|&i| doc.is_word(i)).collect();
        let mut out = Vec::new();
        let mut run = Run {
            doc: &doc,
            g: gazetteer(),
            words: &words,
            i: 0,
            roles: Vec::new(),
            out: &mut out,
        };
        let verdict = rule(&mut run);
        let roles = std::mem::take(&mut run.roles);
        let pieces = out.into_iter().map(|p| (p.canonical, p.etype)).collect();
        (verdict, pieces, roles)
    }

    #[test]
    fn rules_have_distinct_names() {
        crate::extract::assert_distinct_names(RULES);
    }

    #[test]
    fn each_rule_decides_its_own_case_and_passes_on_others() {
        let norp = Some(EntityType::Norp);
        assert_eq!(
            apply(people_of_a_place_ers, "Londoners"),
            (Verdict::Done, vec![("Londoners".into(), norp)], vec![])
        );
        assert_eq!(apply(people_of_a_place_ers, "Harbour").0, Verdict::Pass);
        let (verdict, pieces, roles) = apply(leading_title, "President Ilse Vandermolen");
        assert_eq!((verdict, pieces.len()), (Verdict::Again, 0));
        assert_eq!(roles, ["President"]);
        assert_eq!(apply(leading_title, "Ilse Vandermolen").0, Verdict::Pass);
        assert_eq!(
            apply(one_word, "UNHCR"),
            (
                Verdict::Done,
                vec![("UNHCR".into(), Some(EntityType::Org))],
                vec![]
            )
        );
        let (verdict, pieces, _) = apply(multi_word, "Lake Ellesmere");
        assert_eq!(verdict, Verdict::Done);
        assert_eq!(pieces, [("Lake Ellesmere".into(), Some(EntityType::Loc))]);
        assert_eq!(apply(multi_word, "Ellesmere").0, Verdict::Pass);
    }
}

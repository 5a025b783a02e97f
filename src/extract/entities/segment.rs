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

/// Types the words of one (sub)chunk.
pub(super) fn segment(doc: &Doc, g: &Gazetteer, words: &[usize], out: &mut Vec<Piece>) {
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

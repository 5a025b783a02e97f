//! Step 4, article-level identity: pieces become entities; surname-only and truncated
//! mentions join the full name, acronyms join their expansions.

use super::*;

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

/// Assigns each person piece the full name it belongs to: longest names first; a
/// shorter form joins a longer one when its words are a suffix ("Karimi"), a prefix
/// with a truncated last word ("Zhou Yongka"), or the first word of a
/// family-name-first name ("Zhou" of "Zhou Yongkang").
pub(super) fn person_groups(doc: &Doc, pieces: &[Piece]) -> HashMap<usize, String> {
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
pub(super) fn acronyms(doc: &Doc, pieces: &[Piece], piece_ent: &mut [usize], ents: &[LocalEntity]) {
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

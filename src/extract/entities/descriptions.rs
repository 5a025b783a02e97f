//! Step 3, descriptive names: "the 2015 nuclear deal" (LAW), "Ukraine war" (EVENT),
//! and the links from such descriptions to the names they stand for.

use super::*;

word_list!(
/// Lowercase heads of descriptive agreement names.
    pub(super) DEAL_HEADS = "deal_heads.txt"
);

word_list!(
/// Words that make a descriptive agreement name specific enough to count.
    pub(super) DEAL_ANCHORS = "deal_anchors.txt"
);

word_list!(
/// Words that end the walk back from a deal head.
    pub(super) STOP_WORDS = "stop_words.txt"
);

/// Descriptive law and event names: "the 2015 Iran nuclear deal", "a 25-year
/// cooperation agreement", "the Ukraine war", "the invasion of Ukraine".
pub(super) fn descriptive(doc: &Doc, pieces: &[Piece]) -> Vec<Piece> {
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
pub(super) fn descriptive_links(
    doc: &Doc,
    pieces: &[Piece],
    piece_ent: &mut [usize],
    ents: &[LocalEntity],
) {
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

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

use super::doc::Doc;
use super::gazetteer::{self, gazetteer, Gazetteer};
use super::tokens::Kind;
use crate::model::{EntityType, Extraction, LocalEntity, LocalMention, Span};
use crate::words::word_list;
use std::collections::HashMap;

mod chunking;
mod descriptions;
mod heads;
mod identity;
mod segment;
mod singles;
mod split;

use chunking::*;
use descriptions::*;
use heads::*;
pub(crate) use identity::build;
use segment::*;
use singles::*;
use split::*;

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

fn next_word(doc: &Doc, i: usize) -> Option<usize> {
    (i < doc.tokens.len() && doc.is_word(i)).then_some(i)
}

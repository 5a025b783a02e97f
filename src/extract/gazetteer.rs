//! Read-only word lists: places, nationalities, organisations, given names, common
//! English words, titles, name keywords and attribution verbs.
//!
//! Every list is a data file under `data/` (see `data/README.md` for sources and
//! licences): the big generated ones are read here, the short rule lists under
//! `data/words/` with `word_list!`; all are compiled in with `include_str!` and
//! parsed once on first use.

use crate::model::EntityType;
use crate::words::{word_list, WordList};
use std::sync::OnceLock;

pub(crate) use crate::words::{FxMap, FxSet};

/// The short word lists below as hash sets, built once.
pub(crate) struct Sets {
    pub title_heads: FxSet<&'static str>,
    pub title_modifiers: FxSet<&'static str>,
    pub portfolios: FxSet<&'static str>,
    pub org_heads: FxMap<&'static str, bool>,
    pub law_heads: FxSet<&'static str>,
    pub loc_heads: FxSet<&'static str>,
    pub event_heads: FxSet<&'static str>,
    pub gpe_heads: FxSet<&'static str>,
    pub non_names: FxSet<&'static str>,
    pub cue_verbs: FxSet<&'static str>,
}

/// The shared word-list sets.
pub(crate) fn sets() -> &'static Sets {
    static S: OnceLock<Sets> = OnceLock::new();
    S.get_or_init(|| {
        let set = |l: &WordList| l.iter().collect::<FxSet<&'static str>>();
        Sets {
            title_heads: set(&TITLE_HEADS),
            title_modifiers: set(&TITLE_MODIFIERS),
            portfolios: set(&PORTFOLIOS),
            org_heads: crate::words::entries(ORG_HEADS)
                .filter_map(|line| {
                    let (head, government) = line.split_once('\t')?;
                    Some((head, government == "true"))
                })
                .collect(),
            law_heads: set(&LAW_HEADS),
            loc_heads: set(&LOC_HEADS),
            event_heads: set(&EVENT_HEADS),
            gpe_heads: set(&GPE_HEADS),
            non_names: set(&NON_NAMES),
            cue_verbs: set(&CUE_VERBS),
        }
    })
}

const GAZETTEER_TSV: &str = include_str!("../../data/gazetteer.tsv");
const FIRST_NAMES: &str = include_str!("../../data/first_names.txt");
const COMMON_WORDS: &str = include_str!("../../data/common_words.txt");
const SURNAMES: &str = include_str!("../../data/surnames.txt");

/// A known name: its type and canonical form.
#[derive(Debug, Clone)]
pub(crate) struct Known {
    /// Type.
    pub entity_type: EntityType,
    /// Canonical name ("United States" for "U.S.").
    pub canonical: String,
}

/// The loaded lists.
pub(crate) struct Gazetteer {
    /// Surface (as written, apostrophes as ') → known name.
    exact: FxMap<String, Known>,
    /// Lowercased surface → known name, for multi-word entries and acronyms in odd case.
    folded: FxMap<String, Known>,
    first_names: FxSet<String>,
    common: FxSet<String>,
    /// First words of the case-folded multi-word entries.
    folded_first: FxSet<String>,
    surnames: FxSet<String>,
}

/// Parses a type column of the TSV.
fn parse_type(s: &str) -> Option<EntityType> {
    Some(match s {
        "PERSON" => EntityType::Person,
        "ORG" => EntityType::Org,
        "GPE" => EntityType::Gpe,
        "LOC" => EntityType::Loc,
        "NORP" => EntityType::Norp,
        "EVENT" => EntityType::Event,
        "LAW" => EntityType::Law,
        "WORK" => EntityType::WorkOfArt,
        _ => return None,
    })
}

/// Normalises apostrophes so lookups do not depend on the typography.
pub(crate) fn fold_apostrophes(s: &str) -> String {
    s.replace('\u{2019}', "'")
}

impl Gazetteer {
    fn load() -> Gazetteer {
        let mut exact = FxMap::default();
        let mut folded = FxMap::default();
        for line in GAZETTEER_TSV.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(t), Some(surface)) = (cols.next(), cols.next()) else {
                continue;
            };
            let Some(entity_type) = parse_type(t) else {
                continue;
            };
            let canonical = cols.next().filter(|c| !c.is_empty()).unwrap_or(surface);
            let known = Known {
                entity_type,
                canonical: canonical.to_owned(),
            };
            if surface.contains(' ') {
                folded.insert(surface.to_lowercase(), known.clone());
            }
            exact.insert(surface.to_owned(), known);
        }
        let first_names = FIRST_NAMES
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let common = COMMON_WORDS
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let folded_first = folded
            .keys()
            .filter_map(|k: &String| k.split(' ').next().map(str::to_owned))
            .collect();
        let surnames = SURNAMES
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        Gazetteer {
            exact,
            surnames,
            folded_first,
            folded,
            first_names,
            common,
        }
    }

    /// Looks a surface up (exact case first, then case-folded for multi-word names).
    pub(crate) fn lookup(&self, surface: &str) -> Option<&Known> {
        let folded;
        let s: &str = if surface.contains('\u{2019}') {
            folded = fold_apostrophes(surface);
            &folded
        } else {
            surface
        };
        if let Some(k) = self.exact.get(s) {
            return Some(k);
        }
        // "Tass", "Nasa", "Opec": an acronym written in title case.
        let mut cs = s.chars();
        if s.len() >= 4
            && !s.contains(' ')
            && cs.next().is_some_and(char::is_uppercase)
            && cs.all(char::is_lowercase)
        {
            if let Some(k) = self.exact.get(&s.to_uppercase()) {
                if k.entity_type == EntityType::Org {
                    return Some(k);
                }
            }
        }
        // ALL-CAPS headlines or shouting: "IRAN" → Iran; also "Middle east".
        if s.contains(' ') || s.chars().all(|c| !c.is_lowercase()) {
            let lower = s.to_lowercase();
            if let Some(k) = self.folded.get(&lower) {
                return Some(k);
            }
            if !s.contains(' ') && s.chars().count() >= 3 {
                // Title-case the shouted word and retry.
                let mut t = String::new();
                for (i, c) in lower.chars().enumerate() {
                    if i == 0 {
                        t.extend(c.to_uppercase());
                    } else {
                        t.push(c);
                    }
                }
                return self.exact.get(&t);
            }
        }
        None
    }

    /// Whether some multi-word entry starts with this lowercase word.
    pub(crate) fn starts_folded(&self, lower_word: &str) -> bool {
        self.folded_first.contains(lower_word)
    }

    /// Lower-case multi-word lookup ("middle east").
    pub(crate) fn lookup_folded(&self, lower: &str) -> Option<&Known> {
        self.folded.get(lower)
    }

    /// Whether `word` (capitalised) is a common family name.
    pub(crate) fn is_surname(&self, word: &str) -> bool {
        self.surnames.contains(word)
    }

    /// Whether `word` (capitalised) is a common given name.
    pub(crate) fn is_first_name(&self, word: &str) -> bool {
        self.first_names.contains(word)
    }

    /// Whether the lowercase form of `word` is an ordinary English word.
    pub(crate) fn is_common_word(&self, word: &str) -> bool {
        // Fast path without allocating for short ASCII words.
        let bytes = word.as_bytes();
        if bytes.is_ascii() && bytes.len() <= 32 {
            let mut buf = [0u8; 32];
            for (d, s) in buf.iter_mut().zip(bytes) {
                *d = s.to_ascii_lowercase();
            }
            return std::str::from_utf8(&buf[..bytes.len()]).is_ok_and(|w| self.common.contains(w));
        }
        self.common.contains(&word.to_lowercase())
    }
}

/// The shared gazetteer, loaded on first use.
pub(crate) fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::load)
}

word_list!(
/// Words that head a title before a name ("President", "Minister", "Gen.").
    pub(crate) TITLE_HEADS = "title_heads.txt"
);

word_list!(
/// Words that only modify a title head ("Defense Minister", "Maj. Gen.", "Vice President").
    pub(crate) TITLE_MODIFIERS = "title_modifiers.txt"
);

word_list!(
/// Portfolios after "Minister of", "Secretary of", "Chief of".
    pub(crate) PORTFOLIOS = "portfolios.txt"
);

/// Last words of organisation names; `true` marks government bodies, which keep a
/// nationality in front ("French Foreign Ministry") instead of shedding it as a descriptor.
pub(crate) const ORG_HEADS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/words/org_heads.tsv"
));

word_list!(
/// Last words of law/treaty names.
    pub(crate) LAW_HEADS = "law_heads.txt"
);

word_list!(
/// Last words of natural-feature names.
    pub(crate) LOC_HEADS = "loc_heads.txt"
);

word_list!(
/// Last words of event names.
    pub(crate) EVENT_HEADS = "event_heads.txt"
);

word_list!(
/// Last words of place names that are political units.
    pub(crate) GPE_HEADS = "gpe_heads.txt"
);

word_list!(
/// Capitalised words that are never names on their own.
    pub(crate) NON_NAMES = "non_names.txt"
);

word_list!(
/// Attribution verbs and phrases (lowercase, as written).
    pub(crate) CUE_VERBS = "cue_verbs.txt"
);

word_list!(
/// Personal pronouns that can stand for a speaker.
    pub(crate) PERSON_PRONOUNS = "person_pronouns.txt"
);

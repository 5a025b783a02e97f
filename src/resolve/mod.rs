//! Corpus-wide identity: which entities of different articles are the same, and
//! which quotes of different articles report the same words.
//!
//! [`Resolver`] keeps an identity table keyed by plain name keys ([`name_key`]),
//! transliteration skeletons (people), acronym initials and name prefixes
//! (organisations), and agreement anchors (descriptive law names). People who only
//! share a surname are not merged: a bare surname joins a full name only when exactly
//! one known person carries it. [`Corroborator`] links near-identical quotes.

mod corroborate;
mod keys;

pub use corroborate::Corroborator;
pub use keys::{name_key, MAX_SLUG_BYTES};

use crate::model::{EntityType, Extraction, LocalEntity};
use keys::{initials, skeleton, slug, translit_key};
use std::collections::{HashMap, HashSet};

/// A local entity mapped to its corpus-wide identity.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedEntity {
    /// Stable readable id: `<type slug>/<name slug>`.
    pub id: String,
    /// Canonical name (as of this call).
    pub name: String,
    /// Type.
    pub entity_type: EntityType,
    /// Whether this call created the entity.
    pub created: bool,
}

#[derive(Debug, Clone)]
struct Known {
    id: String,
    name: String,
    entity_type: EntityType,
    aliases: Vec<String>,
    /// Every alias and key already registered for this entity, so re-registering is a
    /// hash look-up instead of a scan of ever-growing lists. Stored as 64-bit
    /// hashes, not strings: there are millions of entities at scale, and a
    /// collision would only skip registering one key again.
    seen: HashSet<u64>,
}

/// Corpus-wide identity table.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    entities: Vec<Known>,
    by_id: HashMap<String, usize>,
    /// (type, key) → entities. Keys are prefixed by kind: "n:" plain, "t:" skeleton,
    /// "a:" an acronym, "e:" the initials of an expansion, "p:" organisation prefix, "l:" law anchor, "s:" surname.
    index: KeyIndex,
    /// Plain and skeleton keys of every alias, across types, for `lookup`.
    any_key: KeyIndex,
    /// Per id base, the next numeric suffix to try. Starting from 2 every
    /// time made the n-th entity sharing a base cost n probes (quadratic
    /// when thousands of people share a surname).
    next_suffix: HashMap<String, u32>,
}

/// Entities by look-up key. A key is kept as its 64-bit hash, not as a
/// string, and a key of one entity as a number, not a vector: there are
/// several keys per entity and millions of entities at scale. Two keys
/// colliding would make one entity a candidate for the other's names; the
/// odds of that happening anywhere in a million-article corpus (~15 M keys)
/// are about 1 in 160,000. The hashes live only in memory (every start
/// rebuilds them), so the hasher need not be stable across releases.
#[derive(Debug, Clone, Default)]
struct KeyIndex {
    lists: HashMap<u64, Ids>,
}

/// A list of ids that is usually one id long, kept without an allocation
/// until it has two: such lists number in the millions at scale (look-up
/// keys here, quote clusters in the store).
#[derive(Debug, Clone, Default)]
pub(crate) enum Ids {
    /// No id.
    #[default]
    Empty,
    /// One id.
    One(u32),
    /// Two or more.
    Many(Vec<u32>),
}

impl Ids {
    /// The ids, in the order they were pushed.
    pub(crate) fn as_slice(&self) -> &[u32] {
        match self {
            Ids::Empty => &[],
            Ids::One(id) => std::slice::from_ref(id),
            Ids::Many(ids) => ids,
        }
    }

    /// Appends an id.
    pub(crate) fn push(&mut self, id: u32) {
        match self {
            Ids::Empty => *self = Ids::One(id),
            Ids::One(first) => *self = Ids::Many(vec![*first, id]),
            Ids::Many(list) => list.push(id),
        }
    }

    /// Drops growth headroom.
    pub(crate) fn shrink_to_fit(&mut self) {
        if let Ids::Many(list) = self {
            list.shrink_to_fit();
        }
    }
}

impl KeyIndex {
    fn get<K: std::hash::Hash + ?Sized>(&self, key: &K) -> Option<&[u32]> {
        self.lists.get(&hash64(key)).map(Ids::as_slice)
    }

    fn push<K: std::hash::Hash + ?Sized>(&mut self, key: &K, id: u32) {
        self.lists.entry(hash64(key)).or_default().push(id);
    }

    fn push_unique<K: std::hash::Hash + ?Sized>(&mut self, key: &K, id: u32) {
        if !self.get(key).is_some_and(|ids| ids.contains(&id)) {
            self.push(key, id);
        }
    }
}

/// A stable-within-a-run 64-bit hash, for tables that keep hashes instead
/// of strings (they are rebuilt at every start, so the hasher need not be
/// stable across releases).
fn hash64<K: std::hash::Hash + ?Sized>(key: &K) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// What `Known::seen` stores for a key of one kind ('f' form, 'i' index
/// key, 'a' any-key).
fn seen_key(kind: char, key: &str) -> u64 {
    hash64(&(kind, key))
}

fn is_acronym(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && s.chars()
            .all(|c| c.is_uppercase() || c == '.' || c.is_ascii_digit() || c == '&')
}

fn words(name: &str) -> Vec<String> {
    name_key(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Anchors of a descriptive agreement name: a year, "N-year", a topic word.
fn law_anchors(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    let toks: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for t in toks {
        let year = t.len() == 4 && t.chars().all(|c| c.is_ascii_digit());
        let n_year = t.ends_with("-year") && t[..t.len() - 5].chars().all(|c| c.is_ascii_digit());
        if year
            || n_year
            || matches!(
                t,
                "nuclear" | "peace" | "trade" | "ceasefire" | "climate" | "arms"
            )
        {
            out.push(t.to_owned());
        }
    }
    out
}

/// Whether two names of the same length differ only in a truncated last word.
fn truncation_of(a: &[String], b: &[String]) -> bool {
    let n = a.len();
    let (x, y) = (&a[n - 1], &b[n - 1]);
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    // A cut-off syllable or two ("Yongka"/"Yongkang"), not a longer surname ("Smithson").
    n >= 2
        && a[..n - 1] == b[..n - 1]
        && long.starts_with(short.as_str())
        && short.chars().count() >= 3
        && long.chars().count() - short.chars().count() <= 2
}

/// Fewest skeleton symbols (consonants and initial-vowel marks, over all
/// words) for two full names to merge on their skeleton alone.
const MIN_SKELETON: usize = 5;

impl Resolver {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keys an entity is findable under (for the merge decision, strongest first).
    fn keys_for(entity_type: EntityType, name: &str) -> Vec<String> {
        let mut out = vec![format!("n:{}", name_key(name))];
        let w = words(name);
        match entity_type {
            EntityType::Person if w.len() >= 2 => {
                // Skeletons of very short words ("Li", "Lee") meet too easily,
                // and so do short names overall: "Vozu Kazu" and "Vosa Koos"
                // are both "vs ks". Real variants (Bagheri/Baqeri "md bqr",
                // Ebrahim/Ibrahim Raisi "*brm rs") keep five symbols or more.
                let skeleton_key = translit_key(name);
                let symbols = skeleton_key.chars().filter(|c| *c != ' ').count();
                if symbols >= MIN_SKELETON
                    && skeleton_key.split(' ').all(|w| w.chars().count() >= 2)
                {
                    out.push(format!("t:{skeleton_key}"));
                }
                // Truncations ("Zhou Yongka" ↔ "Zhou Yongkang") meet on all but the last word
                // plus the first three letters of it.
                if let Some(last) = w.last() {
                    // The name with its last word cut by 0–2 letters: truncations meet
                    // here without lumping every "John Sm…" together.
                    let n = last.chars().count();
                    for cut in 0..=2usize {
                        if n >= cut + 3 {
                            let head: String = last.chars().take(n - cut).collect();
                            out.push(format!("x:{} {}", w[..w.len() - 1].join(" "), head));
                        }
                    }
                    out.push(format!("s:{last}"));
                }
            }
            EntityType::Org | EntityType::Law => {
                if is_acronym(name) {
                    out.push(format!("a:{}", name_key(name).replace(' ', "")));
                } else {
                    for i in initials(name) {
                        if i.chars().count() >= 2 {
                            out.push(format!("e:{i}"));
                        }
                    }
                }
                if w.len() >= 3 {
                    out.push(format!("p:{}", w[..3].join(" ")));
                }
                if entity_type == EntityType::Law {
                    for a in law_anchors(name) {
                        out.push(format!("l:{a}"));
                    }
                    // The head of an agreement's name ("… Cooperation Agreement").
                    if w.len() >= 2 {
                        out.push(format!("h:{}", w[w.len() - 2..].join(" ")));
                    }
                }
            }
            _ => {}
        }
        out
    }

    fn add_keys(&mut self, idx: usize, name: &str) {
        let t = self.entities[idx].entity_type;
        let mut keys = Self::keys_for(t, name);
        if t == EntityType::Person {
            // Transliteration skeleton of the surname, for bare-surname look-ups.
            if let Some(last) = words(name).last() {
                let sk = skeleton(last);
                if sk.chars().count() >= 3 {
                    keys.push(format!("k:{sk}"));
                }
            }
        }
        for k in keys {
            if !self.entities[idx].seen.insert(seen_key('i', &k)) {
                continue;
            }
            self.index.push(&(t, k.as_str()), idx as u32);
        }
        for k in [name_key(name), translit_key(name)] {
            if !self.entities[idx].seen.insert(seen_key('a', &k)) {
                continue;
            }
            self.any_key.push_unique(k.as_str(), idx as u32);
        }
    }

    /// Finds the corpus entity a local entity is, if any.
    fn find(&self, local: &LocalEntity) -> Option<usize> {
        let t = local.entity_type;
        let mut names: Vec<&str> = vec![local.name.as_str()];
        names.extend(local.aliases.iter().map(String::as_str));
        // Strongest evidence first: exact keys of any form.
        let local_words = words(&local.name).len();
        for n in &names {
            if let Some(list) = self.index.get(&(t, format!("n:{}", name_key(n)).as_str())) {
                // A bare surname key shared by several people is ambiguous.
                let single_word = words(n).len() == 1;
                if t == EntityType::Person && single_word && list.len() > 1 {
                    continue;
                }
                // A one-word alias ("Ford") must not merge two different full names
                // ("Ford Motor Co." and "Ford Foundation").
                let compatible = |i: &usize| {
                    let e = &self.entities[*i];
                    !single_word
                        || local_words < 2
                        || words(&e.name).len() < 2
                        || name_key(&e.name) == name_key(&local.name)
                };
                if let Some(i) = list.iter().map(|&i| i as usize).find(compatible) {
                    return Some(i);
                }
            }
        }
        let full_words = words(&local.name);
        match t {
            EntityType::Person => {
                if full_words.len() >= 2 {
                    for prefix in ["t:", "x:"] {
                        for k in Self::keys_for(t, &local.name) {
                            if !k.starts_with(prefix) {
                                continue;
                            }
                            let Some(list) = self.index.get(&(t, k.as_str())) else {
                                continue;
                            };
                            // A shared 3-letter head is only a hint: one last name must
                            // really be a truncation of the other ("Zhou Yongka"/"Zhou Yongkang",
                            // not "John Smith"/"John Smithson").
                            let ok = |i: &usize| {
                                prefix == "t:"
                                    || self.entities[*i].aliases.iter().any(|a| {
                                        let aw = words(a);
                                        aw.len() == full_words.len()
                                            && truncation_of(&aw, &full_words)
                                    })
                            };
                            if let Some(i) = list.iter().map(|&i| i as usize).find(ok) {
                                return Some(i);
                            }
                        }
                    }
                    // A known bare surname (from an article that never gave the full name).
                    if let Some(last) = full_words.last() {
                        if let Some(list) = self.index.get(&(t, format!("n:{last}").as_str())) {
                            let singles: Vec<usize> = list
                                .iter()
                                .map(|&i| i as usize)
                                .filter(|&i| words(&self.entities[i].name).len() == 1)
                                .collect();
                            if singles.len() == 1 {
                                return Some(singles[0]);
                            }
                        }
                    }
                } else if let Some(w) = full_words.first() {
                    // Bare surname: exactly one known person with that surname (or
                    // transliterated surname) takes it.
                    let mut found: Vec<u32> = self
                        .index
                        .get(&(t, format!("s:{w}").as_str()))
                        .map(<[u32]>::to_vec)
                        .unwrap_or_default();
                    if found.is_empty() && skeleton(w).chars().count() >= 3 {
                        let sk = skeleton(w);
                        // Indexed by add_keys: a scan of every entity here made
                        // ingest quadratic in corpus size.
                        found = self
                            .index
                            .get(&(t, format!("k:{sk}").as_str()))
                            .map(<[u32]>::to_vec)
                            .unwrap_or_default();
                    }
                    if found.len() == 1 {
                        return Some(found[0] as usize);
                    }
                }
                None
            }
            EntityType::Org | EntityType::Law => {
                for n in &names {
                    let mut probe = Self::keys_for(t, n);
                    // An acronym meets expansions with its letters as initials and the
                    // other way round; two expansions never meet on initials alone.
                    for k in probe.iter_mut() {
                        if let Some(rest) = k.strip_prefix("a:") {
                            *k = format!("e:{rest}");
                        } else if let Some(rest) = k.strip_prefix("e:") {
                            *k = format!("a:{rest}");
                        }
                    }
                    for k in probe {
                        // A head match only counts for a named (capitalised) law.
                        let named = n.chars().next().is_some_and(char::is_uppercase);
                        let strong = k.starts_with("a:")
                            || k.starts_with("e:")
                            || k.starts_with("p:")
                            || k.starts_with("l:")
                            || k.starts_with("h:") && named;
                        if !strong {
                            continue;
                        }
                        let Some(list) = self.index.get(&(t, k.as_str())) else {
                            continue;
                        };
                        // A shared three-word opening must be one name extending the other
                        // ("National Transport Safety" / "… Guard Corps").
                        let nw = words(n);
                        let ok = |i: &usize| {
                            !k.starts_with("p:")
                                || self.entities[*i].aliases.iter().any(|a| {
                                    let aw = words(a);
                                    aw.starts_with(&nw) || nw.starts_with(&aw)
                                })
                        };
                        if let Some(i) = list.iter().map(|&i| i as usize).find(ok) {
                            return Some(i);
                        }
                    }
                }
                None
            }
            _ => None,
        }
    }

    fn new_id(&mut self, t: EntityType, name: &str) -> String {
        let base = format!("{}/{}", t.slug(), slug(name));
        let mut id = base.clone();
        if self.by_id.contains_key(&id) {
            // The same ids as trying 2, 3, … every time: suffixes are handed
            // out in order, so every one below the counter is taken already.
            let next = self.next_suffix.entry(base.clone()).or_insert(2);
            loop {
                id = format!("{base}-{next}");
                *next += 1;
                if !self.by_id.contains_key(&id) {
                    break;
                }
            }
        }
        id
    }

    /// Maps each local entity of one article (parallel to `extraction.entities`) to a
    /// corpus-wide entity, creating entities as needed.
    pub fn resolve(&mut self, extraction: &Extraction) -> Vec<ResolvedEntity> {
        let mut out = Vec::with_capacity(extraction.entities.len());
        for local in &extraction.entities {
            let (idx, created) = match self.find(local) {
                Some(i) => (i, false),
                None => {
                    let id = self.new_id(local.entity_type, &local.name);
                    self.entities.push(Known {
                        id: id.clone(),
                        name: local.name.clone(),
                        entity_type: local.entity_type,
                        aliases: Vec::new(),
                        seen: HashSet::new(),
                    });
                    let i = self.entities.len() - 1;
                    self.by_id.insert(id, i);
                    (i, true)
                }
            };
            // Fuller names improve the canonical name ("Karimi" → "Ali Karimi");
            // an acronym gives way to its expansion.
            {
                let e = &mut self.entities[idx];
                let better = words(&local.name).len() > words(&e.name).len()
                    && !is_acronym(&local.name)
                    && local.name.chars().next().is_some_and(char::is_uppercase)
                    || is_acronym(&e.name) && !is_acronym(&local.name);
                if better && e.entity_type != EntityType::Law {
                    e.name = local.name.clone();
                }
            }
            let mut forms: Vec<String> = vec![local.name.clone()];
            forms.extend(local.aliases.iter().cloned());
            for f in forms {
                // Keys depend only on the form and the type, so a form already
                // known adds nothing: skipping it keeps a place named in every
                // article from costing key computations every time.
                if self.entities[idx].seen.insert(seen_key('f', &f)) {
                    self.add_keys(idx, &f);
                    self.entities[idx].aliases.push(f);
                }
            }
            let e = &self.entities[idx];
            out.push(ResolvedEntity {
                id: e.id.clone(),
                name: e.name.clone(),
                entity_type: e.entity_type,
                created,
            });
        }
        out
    }

    /// Entity ids whose name or any alias matches `name` under [`name_key`] (or its
    /// transliteration skeleton), best match first.
    pub fn lookup(&self, name: &str) -> Vec<String> {
        let key = name_key(name);
        let mut out: Vec<String> = Vec::new();
        let push = |i: usize, out: &mut Vec<String>| {
            let id = &self.entities[i].id;
            if !out.contains(id) {
                out.push(id.clone());
            }
        };
        // Exact canonical names first, then aliases, then skeletons.
        let mut alias_hits: Vec<usize> = self
            .any_key
            .get(key.as_str())
            .map(|l| l.iter().map(|&i| i as usize).collect())
            .unwrap_or_default();
        alias_hits.sort_by_key(|&i| name_key(&self.entities[i].name) != key);
        for i in alias_hits {
            push(i, &mut out);
        }
        if let Some(list) = self.any_key.get(translit_key(name).as_str()) {
            for &i in list {
                push(i as usize, &mut out);
            }
        }
        out
    }

    /// Canonical name for an id.
    pub fn canonical_name(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|&i| self.entities[i].name.as_str())
    }
}

#[cfg(test)]
mod tests;

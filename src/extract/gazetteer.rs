//! Read-only word lists: places, nationalities, organisations, given names, common
//! English words, titles, name keywords and attribution verbs.
//!
//! The big lists are data files under `data/` (see `data/README.md` for sources and
//! licences), compiled in with `include_str!` and parsed once on first use.

use crate::model::EntityType;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// A fast non-cryptographic hasher (the Fx hash of rustc) for the read-only word
/// tables, which are looked up for nearly every token.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.hash = (self.hash.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.hash = (self.hash.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Builder for [`FxHasher`] maps and sets.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;
/// A map with the fast hasher.
pub(crate) type FxMap<K, V> = HashMap<K, V, FxBuild>;
/// A set with the fast hasher.
pub(crate) type FxSet<K> = HashSet<K, FxBuild>;

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
        let set = |l: &[&'static str]| l.iter().copied().collect::<FxSet<&'static str>>();
        Sets {
            title_heads: set(TITLE_HEADS),
            title_modifiers: set(TITLE_MODIFIERS),
            portfolios: set(PORTFOLIOS),
            org_heads: ORG_HEADS.iter().copied().collect(),
            law_heads: set(LAW_HEADS),
            loc_heads: set(LOC_HEADS),
            event_heads: set(EVENT_HEADS),
            gpe_heads: set(GPE_HEADS),
            non_names: set(NON_NAMES),
            cue_verbs: set(CUE_VERBS),
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

/// Words that head a title before a name ("President", "Minister", "Gen.").
pub(crate) const TITLE_HEADS: &[&str] = &[
    "President",
    "President-elect",
    "Premier",
    "Minister",
    "Secretary",
    "Secretary-General",
    "Chancellor",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Emperor",
    "Empress",
    "Sheikh",
    "Taoiseach",
    "Tanaiste",
    "Tánaiste",
    "Administrator",
    "Ombudsman",
    "Alhaji",
    "Alhaja",
    "Haji",
    "Hajji",
    "Mallam",
    "Emir",
    "DCI",
    "DI",
    "DS",
    "DC",
    "PC",
    "Supt",
    "Supt.",
    "Insp.",
    "Cllr",
    "Cllr.",
    "Emir",
    "Sultan",
    "Ayatollah",
    "Pope",
    "Cardinal",
    "Bishop",
    "Archbishop",
    "Rabbi",
    "Imam",
    "Rev.",
    "Reverend",
    "Father",
    "Senator",
    "Sen.",
    "Representative",
    "Rep.",
    "Congressman",
    "Congresswoman",
    "Governor",
    "Gov.",
    "Mayor",
    "Councilman",
    "Councilwoman",
    "Councillor",
    "Councilor",
    "Alderman",
    "Commissioner",
    "Judge",
    "Justice",
    "General",
    "Gen.",
    "Admiral",
    "Adm.",
    "Colonel",
    "Col.",
    "Major",
    "Maj.",
    "Captain",
    "Capt.",
    "Lieutenant",
    "Lt.",
    "Sergeant",
    "Sgt.",
    "Corporal",
    "Cpl.",
    "Commander",
    "Cmdr.",
    "Marshal",
    "Brigadier",
    "Brig.",
    "Ambassador",
    "Envoy",
    "Spokesman",
    "Spokeswoman",
    "Spokesperson",
    "Chairman",
    "Chairwoman",
    "Chair",
    "CEO",
    "Director",
    "Director-General",
    "Dr.",
    "Dr",
    "Mr.",
    "Mr",
    "Mrs.",
    "Mrs",
    "Ms.",
    "Ms",
    "Miss",
    "Mx.",
    "Sir",
    "Dame",
    "Lord",
    "Lady",
    "Baroness",
    "Baron",
    "Professor",
    "Prof.",
    "Coach",
    "Manager",
    "Speaker",
    "Leader",
    "Chief",
    "Officer",
    "Detective",
    "Det.",
    "Inspector",
    "Superintendent",
    "Sheriff",
    "Deputy",
    "Agent",
    "Pastor",
    "Mufti",
    "Hojatoleslam",
    "Mullah",
    "Attorney",
    "Prosecutor",
    "Dean",
    "Provost",
    "Principal",
    "Superintendent",
    "Constable",
    "Trooper",
    "Officer",
    "Nurse",
    "Midfielder",
    "Striker",
    "Defender",
    "Goalkeeper",
    "Quarterback",
    "Pitcher",
    "Forward",
    "Guard",
    "Center",
    "Coach",
    "Skipper",
    "Chef",
    "Founder",
    "Co-founder",
    "Treasurer",
    "Controller",
    "Comptroller",
    "Auditor",
    "Clerk",
    "Magistrate",
    "Vice-President",
    "Vice-Chancellor",
];

/// Words that only modify a title head ("Defense Minister", "Maj. Gen.", "Vice President").
pub(crate) const TITLE_MODIFIERS: &[&str] = &[
    "Vice",
    "Deputy",
    "Prime",
    "Foreign",
    "Defense",
    "Defence",
    "Finance",
    "Interior",
    "Economy",
    "Economic",
    "Trade",
    "Health",
    "Energy",
    "Justice",
    "Education",
    "Agriculture",
    "Environment",
    "Culture",
    "Transport",
    "Labor",
    "Labour",
    "Oil",
    "Intelligence",
    "Home",
    "State",
    "Executive",
    "Chief",
    "Supreme",
    "Grand",
    "Acting",
    "Former",
    "First",
    "Senior",
    "Junior",
    "Assistant",
    "Associate",
    "Head",
    "Lieutenant",
    "Lt.",
    "Maj.",
    "Major",
    "Brig.",
    "Brigadier",
    "Rear",
    "Field",
    "Crown",
    "Attorney",
    "Special",
    "Secretary",
    "Opposition",
    "Majority",
    "Minority",
    "House",
    "Senate",
    "Party",
    "Army",
    "Navy",
    "Air",
    "Police",
    "Fire",
    "Press",
    "Communications",
    "Information",
    "Security",
    "National",
    "Regional",
    "Provincial",
    "Federal",
    "City",
    "County",
    "District",
    "Municipal",
    "General",
    "Managing",
    "Operating",
    "Financial",
    "Technology",
    "Head",
    "Team",
    "Club",
    "Interim",
    "Ex-",
    "Sports",
    "Tourism",
    "Housing",
    "Industry",
    "Commerce",
    "Development",
    "Planning",
    "Water",
    "Mines",
    "Petroleum",
    "Science",
    "Youth",
    "Women's",
    "Family",
    "Social",
    "Welfare",
    "Treasury",
    "Budget",
    "Revenue",
    "Public",
    "Works",
    "Railways",
    "Aviation",
    "Telecommunications",
    "Digital",
    "Legal",
    "Military",
    "Civil",
    "Religious",
    "Cabinet",
];

/// Portfolios after "Minister of", "Secretary of", "Chief of".
pub(crate) const PORTFOLIOS: &[&str] = &[
    "Defense",
    "Defence",
    "Foreign",
    "Affairs",
    "Finance",
    "Health",
    "Interior",
    "Justice",
    "Education",
    "Energy",
    "Commerce",
    "Trade",
    "Agriculture",
    "Labor",
    "Labour",
    "Transport",
    "Transportation",
    "Homeland",
    "Security",
    "Treasury",
    "Economy",
    "Industry",
    "Culture",
    "Environment",
    "Housing",
    "Intelligence",
    "National",
    "Public",
    "State",
    "Staff",
    "Information",
    "Tourism",
    "Sports",
    "Youth",
    "Planning",
    "Development",
    "Oil",
    "Petroleum",
    "Mines",
    "Science",
    "Technology",
    "Communications",
    "the",
];

/// Last words of organisation names; `true` marks government bodies, which keep a
/// nationality in front ("French Foreign Ministry") instead of shedding it as a descriptor.
pub(crate) const ORG_HEADS: &[(&str, bool)] = &[
    ("Agency", false),
    ("Community", false),
    ("International", false),
    ("Ministry", true),
    ("Department", true),
    ("Company", false),
    ("Co.", false),
    ("Corp.", false),
    ("Corporation", false),
    ("Inc.", false),
    ("Inc", false),
    ("Ltd.", false),
    ("Ltd", false),
    ("LLC", false),
    ("PLC", false),
    ("Plc", false),
    ("Group", false),
    ("Bank", false),
    ("University", false),
    ("College", false),
    ("Institute", false),
    ("Institution", false),
    ("School", false),
    ("Academy", false),
    ("Foundation", false),
    ("Fund", false),
    ("Association", false),
    ("Federation", false),
    ("Union", false),
    ("Council", true),
    ("Committee", true),
    ("Commission", true),
    ("Court", true),
    ("Party", true),
    ("Front", false),
    ("Movement", false),
    ("Army", true),
    ("Navy", true),
    ("Force", true),
    ("Forces", true),
    ("Corps", true),
    ("Guard", true),
    ("Guards", true),
    ("Police", true),
    ("Service", true),
    ("Services", false),
    ("Office", true),
    ("Bureau", true),
    ("Authority", true),
    ("Administration", true),
    ("Organization", false),
    ("Organisation", false),
    ("Network", false),
    ("Initiative", false),
    ("Regime", false),
    ("Alliance", false),
    ("Coalition", false),
    ("Center", false),
    ("Centre", false),
    ("Club", false),
    ("League", false),
    ("Times", false),
    ("Post", false),
    ("News", false),
    ("Daily", false),
    ("Journal", false),
    ("Press", false),
    ("Herald", false),
    ("Tribune", false),
    ("Gazette", false),
    ("Telegraph", false),
    ("Television", false),
    ("TV", false),
    ("Radio", false),
    ("Broadcasting", false),
    ("Airlines", false),
    ("Airways", false),
    ("Motors", false),
    ("Industries", false),
    ("Holdings", false),
    ("Technologies", false),
    ("Systems", false),
    ("Petroleum", false),
    ("Hospital", false),
    ("Church", false),
    ("Parliament", true),
    ("Assembly", true),
    ("Congress", true),
    ("Senate", true),
    ("Cabinet", true),
    ("Government", true),
    ("Embassy", true),
    ("Consulate", true),
    ("Board", true),
    ("Reserve", true),
    ("Exchange", false),
    ("Museum", false),
    ("Library", false),
    ("Laboratory", false),
    ("Laboratories", false),
    ("Labs", false),
    ("Studios", false),
    ("Records", false),
    ("Entertainment", false),
    ("Media", false),
    ("Pharmaceuticals", false),
    ("FC", false),
    ("Brigade", true),
    ("Brigades", true),
    ("Battalion", true),
    ("Command", true),
    ("Directorate", true),
    ("Secretariat", true),
    ("Tribunal", true),
    ("Trust", false),
    ("Society", false),
    ("Institutes", false),
    ("Cooperative", false),
    ("Partners", false),
    ("Capital", false),
    ("Ventures", false),
    ("Airport", false),
    ("Council", true),
    ("Senate", true),
    ("Team", false),
    ("Mission", true),
    ("Brotherhood", false),
    ("Fraternity", false),
    ("Centers", false),
    ("Centres", false),
    ("Agencies", false),
    ("Associates", false),
    ("Brothers", false),
    ("Workers", false),
    ("Chamber", false),
    ("Liga", false),
    ("Caucus", true),
    ("Unit", true),
    ("Band", false),
    ("Orchestra", false),
    ("Choir", false),
    ("Studio", false),
    ("Brands", false),
    ("Foods", false),
    ("Stores", false),
    ("Mills", false),
    ("Railway", false),
    ("Railways", false),
    ("Lines", false),
    ("Energy", false),
    ("Steel", false),
    ("Electric", false),
    ("Telecom", false),
    ("Pharma", false),
];

/// Last words of law/treaty names.
pub(crate) const LAW_HEADS: &[&str] = &[
    "Act",
    "Treaty",
    "Agreement",
    "Accord",
    "Accords",
    "Convention",
    "Protocol",
    "Resolution",
    "Constitution",
    "Amendment",
    "Charter",
    "Plan",
    "Declaration",
    "Bill",
    "Code",
    "Directive",
    "Pact",
    "Doctrine",
    "Statute",
];

/// Last words of natural-feature names.
pub(crate) const LOC_HEADS: &[&str] = &[
    "Road",
    "Lane",
    "Panhandle",
    "Highway",
    "Motorway",
    "Freeway",
    "Expressway",
    "Route",
    "Square",
    "Street",
    "Avenue",
    "Boulevard",
    "Plaza",
    "Sea",
    "Ocean",
    "River",
    "Mountains",
    "Mountain",
    "Lake",
    "Bay",
    "Gulf",
    "Strait",
    "Straits",
    "Desert",
    "Peninsula",
    "Island",
    "Islands",
    "Canal",
    "Valley",
    "Coast",
    "Basin",
    "Plateau",
    "Delta",
    "Forest",
    "Peak",
    "Hills",
    "Channel",
    "Sound",
    "Range",
    "Glacier",
    "Falls",
    "Creek",
    "Reef",
    "Highlands",
];

/// Last words of event names.
pub(crate) const EVENT_HEADS: &[&str] = &[
    "War",
    "Olympics",
    "Games",
    "Cup",
    "Championship",
    "Championships",
    "Summit",
    "Festival",
    "Carnival",
    "Classic",
    "Revolution",
    "Massacre",
    "Uprising",
    "Conference",
    "Expo",
    "Marathon",
    "Prix",
    "Series",
    "Bowl",
    "Tournament",
    "Open",
    "Crisis",
    "Election",
    "Elections",
    "Spring",
    "Rebellion",
    "Invasion",
    "Offensive",
    "Forum",
    "Congress",
];

/// Last words of place names that are political units.
pub(crate) const GPE_HEADS: &[&str] = &[
    "City",
    "County",
    "Province",
    "District",
    "Republic",
    "Kingdom",
    "Emirate",
    "Prefecture",
    "Oblast",
    "Township",
    "Borough",
    "Village",
    "Municipality",
    "Governorate",
    "Territory",
    "State",
    "Beach",
    "Springs",
    "Falls",
    "Heights",
];

/// Capitalised words that are never names on their own.
pub(crate) const NON_NAMES: &[&str] = &[
    "Opposition",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Christmas",
    "Easter",
    "Ramadan",
    "Eid",
    "Thanksgiving",
    "Halloween",
    "Diwali",
    "Hanukkah",
    "Passover",
    "Lent",
    "I",
    "TV",
    "GDP",
    "AI",
    "PM",
    "AM",
    "OK",
    "DNA",
    "HIV",
    "AIDS",
    "NGO",
    "NGOs",
    "LGBT",
    "LGBTQ",
    "ID",
    "PC",
    "IT",
    "USD",
    "EUR",
    "CO2",
    "COVID",
    "Covid",
    "CEO",
    "CFO",
    "COO",
    "CTO",
    "MP",
    "MPs",
    "VIP",
    "FAQ",
    "PhD",
    "MBA",
    "SUV",
    "GPS",
    "PR",
    "HQ",
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "ET",
    "GMT",
    "UTC",
    "BST",
    "EST",
    "PST",
    "Jan.",
    "Feb.",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "St.",
    "No.",
    "God",
    "Internet",
    "Web",
    "Mother",
    "Father",
    "Mom",
    "Dad",
    "Sir",
    "Madam",
    "OMG",
    "LOL",
    "A",
    "Oh",
    "Yes",
    "No",
    "Hi",
    "Hello",
    "Thanks",
    "Okay",
];

/// Attribution verbs and phrases (lowercase, as written).
pub(crate) const CUE_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "tell",
    "added",
    "adds",
    "claimed",
    "claims",
    "stated",
    "states",
    "noted",
    "notes",
    "argued",
    "argues",
    "explained",
    "explains",
    "asked",
    "asks",
    "replied",
    "replies",
    "responded",
    "responds",
    "insisted",
    "insists",
    "warned",
    "warns",
    "wrote",
    "writes",
    "declared",
    "declares",
    "announced",
    "announces",
    "called",
    "calls",
    "deemed",
    "deems",
    "saying",
    "agreed",
    "agrees",
    "thanked",
    "thanks",
    "pledged",
    "vowed",
    "vows",
    "urged",
    "urges",
    "acknowledged",
    "acknowledges",
    "admitted",
    "admits",
    "conceded",
    "concedes",
    "complained",
    "complains",
    "recalled",
    "recalls",
    "suggested",
    "suggests",
    "stressed",
    "stresses",
    "emphasized",
    "emphasised",
    "emphasizes",
    "observed",
    "observes",
    "remarked",
    "continued",
    "continues",
    "predicted",
    "predicts",
    "promised",
    "promises",
    "tweeted",
    "posted",
    "joked",
    "quipped",
    "shouted",
    "yelled",
    "whispered",
    "described",
    "describes",
    "characterized",
    "characterised",
    "labeled",
    "labelled",
    "dubbed",
    "branded",
    "termed",
    "praised",
    "dismissed",
    "rejected",
    "criticized",
    "criticised",
    "blamed",
    "accused",
    "denied",
    "denies",
    "confirmed",
    "confirms",
    "reported",
    "reports",
    "mentioned",
    "recounted",
    "boasted",
    "cautioned",
    "concluded",
    "maintained",
    "maintains",
    "contended",
    "contends",
    "assured",
    "reiterated",
    "reiterates",
    "affirmed",
    "highlighted",
    "pointed",
    "testified",
    "hailed",
    "welcomed",
    "demanded",
    "demands",
    "pleaded",
    "begged",
    "countered",
    "retorted",
    "answered",
    "disclosed",
    "revealed",
    "wondered",
    "mused",
    "sighed",
    "laughed",
    "cried",
    "screamed",
    "read",
    "reads",
    "according",
    "telling",
    "adding",
    "noting",
    "arguing",
    "explaining",
    "warning",
    "calling",
    "describing",
    "claiming",
    "insisting",
    "stating",
    "asking",
    "declaring",
    "writing",
    "urging",
    "thanking",
    "responding",
    "replying",
    "agreeing",
    "pledging",
    "vowing",
    "promising",
    "stressing",
    "suggesting",
    "recalling",
];

/// Personal pronouns that can stand for a speaker.
pub(crate) const PERSON_PRONOUNS: &[&str] = &["he", "she", "He", "She"];

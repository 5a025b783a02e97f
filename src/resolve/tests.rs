//! Tests for corpus-wide identity.

use super::*;
use crate::model::{Extraction, LocalEntity};

fn ent(name: &str, t: EntityType, aliases: &[&str]) -> LocalEntity {
    LocalEntity {
        name: name.to_owned(),
        entity_type: t,
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        roles: Vec::new(),
    }
}

fn ex(ents: Vec<LocalEntity>) -> Extraction {
    Extraction {
        entities: ents,
        ..Default::default()
    }
}

#[test]
fn merges_variants_and_surnames() {
    let mut r = Resolver::new();
    let a = r.resolve(&ex(vec![ent(
        "Ana Karimova",
        EntityType::Person,
        &["Ana Karimova", "Karimova"],
    )]));
    assert_eq!(a[0].id, "person/ana-karimova");
    assert!(a[0].created);
    let b = r.resolve(&ex(vec![
        ent("Karimova", EntityType::Person, &["Karimova"]),
        ent("Anna Qarimova", EntityType::Person, &["Anna Qarimova"]),
    ]));
    assert_eq!(b[0].id, a[0].id);
    assert!(!b[0].created);
    assert_eq!(r.lookup("KARIMOVA"), vec![a[0].id.clone()]);
    assert_eq!(r.canonical_name(&a[0].id), Some("Ana Karimova"));
}

#[test]
fn does_not_merge_people_sharing_only_a_surname() {
    let mut r = Resolver::new();
    let a = r.resolve(&ex(vec![ent("John Smith", EntityType::Person, &[])]));
    let b = r.resolve(&ex(vec![ent("Mary Smith", EntityType::Person, &[])]));
    assert_ne!(a[0].id, b[0].id);
    // A bare "Smith" is now ambiguous and stays separate.
    let c = r.resolve(&ex(vec![ent("Smith", EntityType::Person, &[])]));
    assert_ne!(c[0].id, a[0].id);
    assert_ne!(c[0].id, b[0].id);
}

#[test]
fn merges_acronyms_and_truncations() {
    let mut r = Resolver::new();
    let a = r.resolve(&ex(vec![ent(
        "National Transport Safety Board",
        EntityType::Org,
        &[],
    )]));
    let b = r.resolve(&ex(vec![ent("NTSB", EntityType::Org, &["NTSB"])]));
    assert_eq!(a[0].id, b[0].id);
    let c = r.resolve(&ex(vec![ent("Zhou Yongkang", EntityType::Person, &[])]));
    let d = r.resolve(&ex(vec![ent("Zhou Yongka", EntityType::Person, &[])]));
    assert_eq!(c[0].id, d[0].id);
}

#[test]
fn ids_are_unique_per_entity() {
    let mut r = Resolver::new();
    let a = r.resolve(&ex(vec![ent("Georgia", EntityType::Gpe, &[])]));
    let b = r.resolve(&ex(vec![ent("Georgia", EntityType::Person, &[])]));
    assert_eq!(a[0].id, "gpe/georgia");
    assert_eq!(b[0].id, "person/georgia");
}

#[test]
fn near_miss_names_stay_apart() {
    let mut r = Resolver::new();
    let a = r.resolve(&ex(vec![ent("John Smith", EntityType::Person, &[])]));
    let b = r.resolve(&ex(vec![ent("John Smithson", EntityType::Person, &[])]));
    assert_ne!(a[0].id, b[0].id);
    let c = r.resolve(&ex(vec![ent("Mark Li", EntityType::Person, &[])]));
    let d = r.resolve(&ex(vec![ent("Mark Lee", EntityType::Person, &[])]));
    assert_ne!(c[0].id, d[0].id);
    let e = r.resolve(&ex(vec![ent(
        "University of California Berkeley",
        EntityType::Org,
        &[],
    )]));
    let f = r.resolve(&ex(vec![ent(
        "University of California Davis",
        EntityType::Org,
        &[],
    )]));
    assert_ne!(e[0].id, f[0].id);
    let g = r.resolve(&ex(vec![ent(
        "National Transport Safety",
        EntityType::Org,
        &[],
    )]));
    let h = r.resolve(&ex(vec![ent(
        "National Transport Safety Board",
        EntityType::Org,
        &[],
    )]));
    assert_eq!(g[0].id, h[0].id);
}

#[test]
fn short_skeletons_do_not_merge_different_names() {
    let mut r = Resolver::new();
    let a = r.resolve(&ex(vec![ent("Vozu Kazu", EntityType::Person, &[])]));
    let b = r.resolve(&ex(vec![ent("Vosa Koos", EntityType::Person, &[])]));
    assert_ne!(a[0].id, b[0].id);
    // Transliteration variants with enough consonants still meet.
    let c = r.resolve(&ex(vec![ent("Ebrahim Raisi", EntityType::Person, &[])]));
    let d = r.resolve(&ex(vec![ent("Ibrahim Raisi", EntityType::Person, &[])]));
    assert_eq!(c[0].id, d[0].id);
    let e = r.resolve(&ex(vec![ent("Mohammad Bagheri", EntityType::Person, &[])]));
    let f = r.resolve(&ex(vec![ent("Mohammed Baqeri", EntityType::Person, &[])]));
    assert_eq!(e[0].id, f[0].id);
}

#[test]
fn acronyms_are_capitals_with_dots_digits_or_ampersands() {
    for yes in ["US", "U.S.", "COP26", "AT&T", "NATO", "U.N."] {
        assert!(is_acronym(yes), "{yes}");
    }
    for no in [
        "A", "A.", "G20", "Nato", "U.s.", "COP-26", "20", "&", "Iran",
    ] {
        assert!(!is_acronym(no), "{no}");
    }
}

#[test]
fn id_lists_drop_their_growth_headroom() {
    let mut ids = Ids::default();
    for id in 0..5 {
        ids.push(id);
    }
    ids.shrink_to_fit();
    match &ids {
        Ids::Many(list) => {
            assert_eq!(list.as_slice(), [0, 1, 2, 3, 4]);
            assert_eq!(list.capacity(), 5);
        }
        _ => panic!("five ids are a list"),
    }
}

#[test]
fn agreement_names_anchor_on_years_durations_and_topics() {
    assert_eq!(law_anchors("the 2015 nuclear deal"), ["2015", "nuclear"]);
    assert_eq!(
        law_anchors("10-year Cooperation Agreement,2021"),
        ["10-year", "2021"]
    );
    assert!(law_anchors("Joint Comprehensive Plan of Action").is_empty());
    assert!(law_anchors("the 20150 accord of abc-year fame, 1x-year").is_empty());
}

#[test]
fn truncations_differ_only_in_a_cut_last_word() {
    let t = |a: &str, b: &str| truncation_of(&words(a), &words(b));
    assert!(t("Zhou Yongka", "Zhou Yongkang"));
    assert!(t("Zhou Yongkang", "Zhou Yongka"));
    assert!(
        !t("Yongka", "Yongkang"),
        "one word is a surname, not a truncation"
    );
    assert!(!t("Li Yongka", "Zhou Yongkang"), "other first words");
    assert!(!t("Zhou Yangka", "Zhou Yongkang"), "not a prefix");
    assert!(!t("Zhou Yo", "Zhou Yong"), "too short to tell");
    assert!(
        !t("Zhou Smith", "Zhou Smithson"),
        "three letters more is another name"
    );
}

#[test]
fn a_bare_surname_two_people_answer_to_is_neither() {
    let mut r = Resolver::new();
    let a = r.resolve(&ex(vec![ent("John Smith", EntityType::Person, &["Smith"])]));
    let b = r.resolve(&ex(vec![ent("Mary Smith", EntityType::Person, &["Smith"])]));
    assert_ne!(a[0].id, b[0].id);
    let c = r.resolve(&ex(vec![ent("Smith", EntityType::Person, &["Smith"])]));
    assert_ne!(c[0].id, a[0].id);
    assert_ne!(c[0].id, b[0].id);
    // One person answering to it is that person.
    let d = r.resolve(&ex(vec![ent(
        "Ilse Vandermolen",
        EntityType::Person,
        &["Vandermolen"],
    )]));
    let e = r.resolve(&ex(vec![ent(
        "Vandermolen",
        EntityType::Person,
        &["Vandermolen"],
    )]));
    assert_eq!(e[0].id, d[0].id);
    // An organisation's one-word name is not a person's surname.
    let f = r.resolve(&ex(vec![ent("Smith", EntityType::Org, &["Smith"])]));
    assert!(f[0].id.starts_with("org/"), "{}", f[0].id);
}

#[test]
fn a_one_word_alias_does_not_merge_two_full_names() {
    let mut r = Resolver::new();
    let motor = r.resolve(&ex(vec![ent("Ford Motor Co.", EntityType::Org, &["Ford"])]));
    let foundation = r.resolve(&ex(vec![ent(
        "Ford Foundation",
        EntityType::Org,
        &["Ford"],
    )]));
    assert_ne!(
        foundation[0].id, motor[0].id,
        "two full names sharing 'Ford'"
    );
    let trust = r.resolve(&ex(vec![ent(
        "Ford Trust Fund",
        EntityType::Org,
        &["Ford"],
    )]));
    assert_ne!(trust[0].id, motor[0].id);
    assert_ne!(trust[0].id, foundation[0].id);
    // The full name again is that organisation, whichever alias it carries.
    let again = r.resolve(&ex(vec![ent(
        "Ford Foundation",
        EntityType::Org,
        &["Ford"],
    )]));
    assert_eq!(again[0].id, foundation[0].id);
    // A bare "Ford" may join a full name.
    let bare = r.resolve(&ex(vec![ent("Ford", EntityType::Org, &["Ford"])]));
    assert!(
        bare[0].id == motor[0].id || bare[0].id == foundation[0].id,
        "{}",
        bare[0].id
    );
}

#[test]
fn canonical_names_grow_to_the_fullest_form_and_acronyms_give_way() {
    let mut r = Resolver::new();
    let short = r.resolve(&ex(vec![ent("Vandermolen", EntityType::Person, &[])]));
    let full = r.resolve(&ex(vec![ent(
        "Ilse Vandermolen",
        EntityType::Person,
        &["Vandermolen"],
    )]));
    assert_eq!(full[0].id, short[0].id);
    assert_eq!(r.canonical_name(&short[0].id), Some("Ilse Vandermolen"));
    // The same number of words is no improvement.
    r.resolve(&ex(vec![ent("ILSE VANDERMOLEN", EntityType::Person, &[])]));
    assert_eq!(r.canonical_name(&short[0].id), Some("Ilse Vandermolen"));
    // An acronym keeps its first form against another acronym form.
    let a = r.resolve(&ex(vec![ent("NTSB", EntityType::Org, &[])]));
    let b = r.resolve(&ex(vec![ent("N.T.S.B.", EntityType::Org, &[])]));
    assert_eq!(a[0].id, b[0].id);
    assert_eq!(r.canonical_name(&a[0].id), Some("NTSB"));
}

#[test]
fn new_entities_with_a_taken_slug_are_numbered_in_order() {
    let mut r = Resolver::new();
    r.resolve(&ex(vec![ent("John Smith", EntityType::Person, &["Smith"])]));
    r.resolve(&ex(vec![ent("Mary Smith", EntityType::Person, &["Smith"])]));
    let ids: Vec<String> = (0..3)
        .map(|_| {
            r.resolve(&ex(vec![ent("Smith", EntityType::Person, &["Smith"])]))[0]
                .id
                .clone()
        })
        .collect();
    assert_eq!(ids, ["person/smith", "person/smith-2", "person/smith-3"]);
}

fn id_of(r: &mut Resolver, e: LocalEntity) -> String {
    r.resolve(&ex(vec![e])).remove(0).id
}

#[test]
fn a_short_bare_name_seen_twice_is_one_entity() {
    // Its skeleton is too short for the transliteration path, so only the
    // exact key can join them.
    let mut r = Resolver::new();
    let a = id_of(&mut r, ent("Lee", EntityType::Person, &[]));
    let b = id_of(&mut r, ent("Lee", EntityType::Person, &[]));
    assert_eq!(a, b);
}

#[test]
fn an_alias_joins_places_whatever_their_canonical_name() {
    let mut r = Resolver::new();
    let a = id_of(
        &mut r,
        ent(
            "Republic of Valdora",
            EntityType::Gpe,
            &["Republic of Valdora", "RV"],
        ),
    );
    assert_eq!(id_of(&mut r, ent("RV", EntityType::Gpe, &[])), a);
    let b = id_of(
        &mut r,
        ent(
            "Upper Marsh Islands",
            EntityType::Gpe,
            &["Upper Marsh Islands", "Marsh Isles"],
        ),
    );
    assert_eq!(id_of(&mut r, ent("Marsh Isles", EntityType::Gpe, &[])), b);
}

#[test]
fn last_words_that_share_a_head_but_neither_cuts_the_other_stay_apart() {
    // Both keep "x:maria delacro", neither name is the other cut short.
    let mut r = Resolver::new();
    let a = id_of(&mut r, ent("Maria Delacroix", EntityType::Person, &[]));
    let b = id_of(&mut r, ent("Maria Delacrosa", EntityType::Person, &[]));
    assert_ne!(a, b);
    // A real truncation still meets.
    let c = id_of(&mut r, ent("Maria Delacroi", EntityType::Person, &[]));
    assert_eq!(c, a);
}

#[test]
fn a_last_name_cut_by_up_to_two_letters_meets_its_full_form() {
    // A five-letter last name keeps its three-letter head, so a name cut
    // to three letters still meets it.
    let mut r = Resolver::new();
    let a = id_of(&mut r, ent("Ivo Petro", EntityType::Person, &[]));
    let b = id_of(&mut r, ent("Ivo Pet", EntityType::Person, &[]));
    assert_eq!(a, b);
    let c = id_of(&mut r, ent("Oskar Brandenbu", EntityType::Person, &[]));
    let d = id_of(&mut r, ent("Oskar Brandenburg", EntityType::Person, &[]));
    assert_eq!(c, d);
    // Two letters are no head: "Li" is not "Lin" cut short.
    let e = id_of(&mut r, ent("Mei Lin", EntityType::Person, &[]));
    let f = id_of(&mut r, ent("Mei Li", EntityType::Person, &[]));
    assert_ne!(e, f);
}

#[test]
fn a_bare_surname_finds_its_one_person_by_name_before_skeleton() {
    let mut r = Resolver::new();
    let smith = id_of(&mut r, ent("Peter Smith", EntityType::Person, &[]));
    let smyth = id_of(&mut r, ent("Laura Smyth", EntityType::Person, &[]));
    assert_ne!(smith, smyth);
    // The surname itself names one person; the skeleton would name two.
    assert_eq!(id_of(&mut r, ent("Smith", EntityType::Person, &[])), smith);
}

#[test]
fn a_bare_transliterated_surname_finds_its_person_by_skeleton() {
    let mut r = Resolver::new();
    let a = id_of(&mut r, ent("Mohammad Sadeghi", EntityType::Person, &[]));
    assert_eq!(id_of(&mut r, ent("Sadeqi", EntityType::Person, &[])), a);
}

#[test]
fn organisations_sharing_their_last_two_words_stay_apart() {
    // The shared head ("… Electricity Board") anchors agreements, not bodies.
    let mut r = Resolver::new();
    let a = id_of(
        &mut r,
        ent("Harbour Electricity Board", EntityType::Org, &[]),
    );
    let b = id_of(
        &mut r,
        ent("Valley Electricity Board", EntityType::Org, &[]),
    );
    assert_ne!(a, b);
}

#[test]
fn agreements_meet_on_their_head_and_anchors() {
    let mut r = Resolver::new();
    let a = id_of(
        &mut r,
        ent(
            "Valdora Fisheries Cooperation Agreement",
            EntityType::Law,
            &[],
        ),
    );
    let b = id_of(
        &mut r,
        ent("Marsh Cooperation Agreement", EntityType::Law, &[]),
    );
    assert_eq!(a, b);
    let c = id_of(&mut r, ent("2019 Harbour Accord", EntityType::Law, &[]));
    let d = id_of(&mut r, ent("Accord of 2019", EntityType::Law, &[]));
    assert_eq!(c, d);
}

#[test]
fn lookup_puts_exact_canonical_names_before_aliases() {
    let mut r = Resolver::new();
    let person = id_of(
        &mut r,
        ent(
            "Georgia Brown",
            EntityType::Person,
            &["Georgia Brown", "Georgia"],
        ),
    );
    let place = id_of(&mut r, ent("Georgia", EntityType::Gpe, &[]));
    assert_eq!(r.lookup("Georgia"), vec![place, person]);
}

#[test]
fn a_bare_surname_goes_to_whose_surname_it_is_not_to_whom_it_once_joined() {
    let mut r = Resolver::new();
    let smith = id_of(
        &mut r,
        ent("Ana Smith", EntityType::Person, &["Ana Smith", "Smith"]),
    );
    // By skeleton (smt) the only candidate: it joins her, as a form of her name.
    assert_eq!(id_of(&mut r, ent("Smyth", EntityType::Person, &[])), smith);
    let smyth = id_of(
        &mut r,
        ent("Ali Smyth", EntityType::Person, &["Ali Smyth", "Smyth"]),
    );
    assert_ne!(smyth, smith);
    // Now two people answer to "Smyth" by form, but only one has it as
    // surname: a one-word form a person picked up is no surname of theirs.
    assert_eq!(id_of(&mut r, ent("Smyth", EntityType::Person, &[])), smyth);
}

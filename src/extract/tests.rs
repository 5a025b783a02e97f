//! Tests for extraction: entity typing, mentions and invariants on odd input.

use super::*;
use crate::model::EntityType;

fn names(ex: &Extraction, t: EntityType) -> Vec<String> {
    ex.entities
        .iter()
        .filter(|e| e.entity_type == t)
        .map(|e| e.name.clone())
        .collect()
}

#[test]
fn finds_people_places_and_titles() {
    let ex = extract_body("Chinese Defense Minister Jane Roe met Iranian President Tom Smith in Tehran. Roe said the talks went well.");
    let people = names(&ex, EntityType::Person);
    assert!(people.contains(&"Jane Roe".to_owned()), "{people:?}");
    assert!(people.contains(&"Tom Smith".to_owned()));
    assert!(names(&ex, EntityType::Gpe).contains(&"Tehran".to_owned()));
    assert!(names(&ex, EntityType::Norp).contains(&"Chinese".to_owned()));
    let roe = ex
        .entities
        .iter()
        .position(|e| e.name == "Jane Roe")
        .unwrap();
    assert_eq!(ex.mentions.iter().filter(|m| m.entity == roe).count(), 2);
    assert!(ex.entities[roe]
        .roles
        .iter()
        .any(|r| r == "Defense Minister"));
}

#[test]
fn spans_slice_body_exactly() {
    let body = "Iran’s leader met the U.S. envoy. “Iran’s position is clear,” he said.";
    let ex = extract_body(body);
    let chars: Vec<char> = body.chars().collect();
    for m in &ex.mentions {
        let s: String = chars[m.span.start as usize..m.span.end as usize]
            .iter()
            .collect();
        assert_eq!(s, m.text);
    }
    for q in &ex.quotes {
        let s: String = chars[q.span.start as usize..q.span.end as usize]
            .iter()
            .collect();
        assert_eq!(s, q.text);
    }
}

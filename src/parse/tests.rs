//! Tests for ingest: metadata, furniture and repeats on small hand-made pages.

use super::header::parse_date;
use super::*;

#[test]
fn empty_input_gives_empty_article() {
    let a = parse("");
    assert!(a.paragraphs.is_empty());
    assert!(a.title.is_empty());
    let a = parse("\n\n  \n");
    assert!(a.paragraphs.is_empty());
}

#[test]
fn lead_sentence_first_means_no_headline() {
    let a = parse("The city council voted on Tuesday to expand the bus network, officials said.\nIt was the third vote.\n");
    assert!(a.title.is_empty());
    assert_eq!(a.paragraphs.len(), 2);
}

#[test]
fn reads_masthead_title_standfirst_byline() {
    let raw = "The Daily Courier\n\nTown sets new budget\n\nCouncil keen to cut costs\n\n- Jane Roe and John Doe\n\nThe town council approved a new budget on Monday after a long debate about costs.\n";
    let a = parse(raw);
    assert_eq!(a.outlet, "The Daily Courier");
    assert_eq!(a.title, "Town sets new budget");
    assert_eq!(a.subtitle, "Council keen to cut costs");
    assert_eq!(a.authors, vec!["Jane Roe", "John Doe"]);
    assert_eq!(a.paragraphs.len(), 1);
}

#[test]
fn reads_byline_repeats_and_dates() {
    let raw = "Town Sets New Budget\n\nBy Jane Roe\nJane Roe\nJane Roe\nMarch 3, 2021Updated: March 4, 2021\n\nThe town council approved a new budget on Monday after a long debate about costs.\n\nRelated Topics";
    let a = parse(raw);
    assert_eq!(a.title, "Town Sets New Budget");
    assert_eq!(a.authors, vec!["Jane Roe"]);
    assert_eq!(a.published, "2021-03-03");
    assert_eq!(a.paragraphs.len(), 1);
    assert!(a.removed_lines.iter().any(|l| l == "Related Topics"));
}

#[test]
fn parses_dates() {
    assert_eq!(parse_date("April 27, 2022").as_deref(), Some("2022-04-27"));
    assert_eq!(parse_date("27 Apr. 2022").as_deref(), Some("2022-04-27"));
    assert_eq!(
        parse_date("Published 2019-12-01 10:00").as_deref(),
        Some("2019-12-01")
    );
    assert_eq!(parse_date("last month"), None);
}

#[test]
fn drops_captions_counters_and_repeats() {
    let raw = "Headline here\n\n0\n298\n\nDr. Jane Roe\n\nThe first paragraph of the story is long enough to be body text, clearly.\n\n ?? Photo: AFP ?? A minister meets a president.\nPhoto: AFP A minister meets a president.\n\nThe first paragraph of the story is long enough to be body text, clearly.\n";
    let a = parse(raw);
    assert_eq!(a.authors, vec!["Jane Roe"]);
    assert_eq!(a.paragraphs.len(), 1);
    assert!(a.removed_lines.len() >= 4);
}

#[test]
fn joins_hard_wrapped_lines() {
    let raw = "The mayor said the new stadium would open next year, and that the\ncity would pay for the roads around it.\n";
    let a = parse(raw);
    assert_eq!(a.paragraphs.len(), 1);
}

#[test]
fn short_first_sentence_is_body_not_headline() {
    let a = parse(
        "It was a quiet morning.\n\nThen the sirens started, and the town woke up to the news.",
    );
    assert!(a.title.is_empty());
    assert_eq!(a.paragraphs.len(), 2);
}

//! Search queries: empty, huge, unbalanced, operator-only, unknown fields, expensive wildcards.

use super::*;

async fn search_error(client: &mut Client, query: &str) -> Status {
    outcome(client.search_articles(pb::SearchArticlesRequest {
        query: query.into(),
        ..Default::default()
    }))
    .await
    .map(|hits| hits.len())
    .expect_err(query)
}

/// 16. Empty and whitespace-only queries are INVALID_ARGUMENT on `query`.
#[tokio::test]
async fn empty_and_whitespace_queries_are_invalid() {
    let f = Fixture::new().await;
    for q in ["", " ", "\t\n  \r", "\u{a0}\u{3000}"] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid_because(&status, "query", "must not be empty");
    }
    f.intact(5).await;
}

/// 17. A 10,000-term query is refused by size, before it reaches the index.
#[tokio::test]
async fn ten_thousand_term_queries_are_invalid() {
    let f = Fixture::new().await;
    let started = Instant::now();
    for q in [
        "word ".repeat(10_000),
        "a OR ".repeat(10_000) + "b",
        "\"".repeat(10_000),
        "(".repeat(10_000),
    ] {
        let status = search_error(&mut f.client(), &q).await;
        assert_invalid_because(&status, "query", "longer than 2048 bytes");
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    f.intact(5).await;
}

/// 18. Unbalanced quotes and parentheses are INVALID_ARGUMENT with the
/// parser's complaint.
#[tokio::test]
async fn unbalanced_queries_are_invalid() {
    let f = Fixture::new().await;
    for q in [
        "\"unbalanced",
        "\"",
        "nuclear \"deal",
        "((((nuclear",
        "nuclear)",
        ")",
        "()",
        "title:(",
        "title:",
    ] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid_because(&status, "query", "cannot parse query");
    }
    f.intact(5).await;
}

/// 19. Queries of operators only are INVALID_ARGUMENT.
#[tokio::test]
async fn operator_only_queries_are_invalid() {
    let f = Fixture::new().await;
    for q in ["AND", "OR", "NOT", "AND OR NOT", "+", "-", "^", "-*"] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid_because(&status, "query", "cannot parse query");
    }
    f.intact(5).await;
}

/// 20. A query on a field that does not exist names it.
#[tokio::test]
async fn queries_on_unknown_fields_are_invalid() {
    let f = Fixture::new().await;
    for (q, needle) in [
        ("foo:bar", "Field does not exist: 'foo'"),
        ("[a TO z]", "Range query need to target a specific field"),
    ] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid_because(&status, "query", needle);
    }
    f.intact(5).await;
}

/// 21. Huge wildcards and many short terms (within the size limit) are
/// answered, quickly, without hurting anything.
#[tokio::test]
async fn huge_wildcards_are_answered_quickly() {
    let f = Fixture::new().await;
    // What each query must find, worked out from the articles themselves
    // (the default field holds the headline and the body, lowercased, split
    // at non-alphanumerics).
    let words = |a: &pb::Article| -> Vec<String> {
        format!("{} {}", a.title, a.body)
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let ids_where = |keep: &dyn Fn(&[String]) -> bool| -> Vec<String> {
        let mut ids: Vec<String> = f
            .seeds
            .iter()
            .filter(|a| keep(&words(a)))
            .map(|a| a.id.clone())
            .collect();
        ids.sort();
        ids
    };
    let everything = ids_where(&|_| true);
    // A word some articles have and others lack, taken from the articles.
    let mut vocabulary: Vec<String> = f.seeds.iter().flat_map(&words).collect();
    vocabulary.sort();
    vocabulary.dedup();
    let word = vocabulary
        .iter()
        .filter(|w| w.len() >= 7 && w.chars().all(|c| c.is_ascii_lowercase()))
        .find(|w| {
            let n = ids_where(&|ws| ws.contains(w)).len();
            n >= 2 && n < everything.len()
        })
        .expect("a word in some articles only")
        .clone();
    let prefix = word[..4].to_owned();
    let nuclear = ids_where(&|w| w.contains(&word));
    let nuc = ids_where(&|w| w.iter().any(|w| w.starts_with(&prefix)));
    let ab_words = ids_where(&|w| w.iter().any(|w| w.starts_with("ab")));
    let not_nuclear: Vec<String> = everything
        .iter()
        .filter(|id| !nuclear.contains(id))
        .cloned()
        .collect();
    enum Want {
        Exactly(Vec<String>),
        AtLeast(Vec<String>),
        Any,
        Invalid(&'static str),
    }
    let started = Instant::now();
    for (q, want) in [
        // Stars only, glued: no word at all, so nothing matches.
        ("*".repeat(2_000), Want::Exactly(Vec::new())),
        (format!("{prefix}*"), Want::Exactly(nuc.clone())),
        (format!("* -{word}"), Want::Exactly(not_nuclear)),
        ("*".to_owned(), Want::Exactly(everything.clone())),
        ("a ".repeat(1_000), Want::Any),
        ("ab* ".repeat(8), Want::Exactly(ab_words)),
        (
            "ab* ".repeat(100),
            Want::Invalid("at most 16 prefix or fuzzy words"),
        ),
        ("a*".to_owned(), Want::Invalid("at least 2 letters")),
        // Fuzzy: at least every article with the word itself.
        (format!("{word}~2"), Want::AtLeast(nuclear.clone())),
        ("\u{0}".to_owned(), Want::Exactly(Vec::new())),
    ] {
        let result = outcome(f.client().search_articles(pb::SearchArticlesRequest {
            query: q.clone(),
            ..Default::default()
        }))
        .await;
        if let Want::Invalid(needle) = want {
            let status = result.expect_err(&q);
            assert_invalid_because(&status, "query", needle);
            continue;
        }
        let hits = result.unwrap_or_else(|e| panic!("{q:?}: {e:?}"));
        let mut ids: Vec<String> = hits.iter().map(|h| h.article_id.clone()).collect();
        ids.sort();
        let mut distinct = ids.clone();
        distinct.dedup();
        assert_eq!(distinct, ids, "{q:.20}: an article twice");
        assert!(
            ids.iter().all(|id| everything.contains(id)),
            "{q:.20}: {ids:?}"
        );
        match want {
            Want::Exactly(expected) => assert_eq!(ids, expected, "{q:.20}"),
            Want::AtLeast(expected) => {
                assert!(expected.iter().all(|id| ids.contains(id)), "{q}: {ids:?}")
            }
            Want::Any | Want::Invalid(_) => {}
        }
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    f.intact(5).await;
}

/// 22. A field-exists wildcard (`title:*`) is the client's mistake, not an
/// internal error.
#[tokio::test]
async fn field_exists_queries_are_invalid() {
    let f = Fixture::new().await;
    for q in ["title:*", "body:*", "+title:* -body:x"] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid(&status, "query");
    }
    f.intact(5).await;
}

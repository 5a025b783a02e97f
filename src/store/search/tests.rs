//! Unit tests of the search index: query syntax, filters, snippets, expansion.
use super::*;

fn article(id: &str, title: &str, body: &str, published: &str) -> IndexedArticle {
    IndexedArticle {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        outlet_key: "daily".into(),
        published: published.into(),
        ..Default::default()
    }
}

fn ids(hits: &[RankedHit]) -> Vec<&str> {
    hits.iter().map(|h| h.article_id.as_str()).collect()
}

fn index() -> SearchIndex {
    let index = SearchIndex::in_memory().expect("index");
    index
        .add(
            &[
                article(
                    "a",
                    "Harbour reopens",
                    "The harbour reopened after the storm.",
                    "2020-01-02",
                ),
                article(
                    "b",
                    "Storm news",
                    "A storm hit the coast; the harbour was closed.",
                    "2021-05-06",
                ),
                article("c", "Café culture", "Cafés in Zürich are busy.", ""),
            ],
            true,
        )
        .expect("add");
    index
}

#[test]
fn ranks_title_matches_first_and_highlights() {
    let index = index();
    let hits = index
        .search("harbour", &IndexFilter::default(), 0, 10, 1, |_| {
            vec!["The harbour reopened after the storm.".into()]
        })
        .expect("search");
    assert_eq!(ids(&hits), ["a", "b"]);
    let snippet = &hits[0].snippets[0];
    let h = snippet.highlights[0];
    let word: String = snippet
        .text
        .chars()
        .skip(h.start as usize)
        .take((h.end - h.start) as usize)
        .collect();
    assert_eq!(word, "harbour");
    assert!(snippet.html.contains("<b>harbour</b>"));
}

#[test]
fn phrases_booleans_accents_and_paging() {
    let index = index();
    let none = |_: &str| Vec::new();
    let f = IndexFilter::default();
    assert_eq!(
        ids(&index
            .search("\"harbour was closed\"", &f, 0, 10, 1, none)
            .unwrap()),
        ["b"]
    );
    assert_eq!(
        ids(&index
            .search("harbour AND NOT storm", &f, 0, 10, 1, none)
            .unwrap())
        .len(),
        0
    );
    assert_eq!(
        ids(&index.search("zurich", &f, 0, 10, 1, none).unwrap()),
        ["c"]
    );
    let all = index
        .search("harbour OR cafes", &f, 0, 10, 1, none)
        .unwrap();
    let page = index
        .search("harbour OR cafes", &f, 1, 10, 1, none)
        .unwrap();
    assert_eq!(ids(&all)[1..], ids(&page)[..]);
}

#[test]
fn phrases_run_through_word_pairs_and_match_only_adjacent_words() {
    let index = SearchIndex::in_memory().expect("index");
    index
        .add(
            &[
                article(
                    "a",
                    "Talks resume in the capital",
                    "The nuclear deal was signed.",
                    "",
                ),
                article(
                    "b",
                    "Talks resume in the capital",
                    "A deal on nuclear power.",
                    "",
                ),
                article("c", "Nuclear deal signed", "Nothing else.", ""),
                article(
                    "d",
                    "Talks resume in the capital",
                    "The nuclear arms deal collapsed.",
                    "",
                ),
            ],
            true,
        )
        .expect("add");
    let none = |_: &str| Vec::new();
    let f = IndexFilter::default();
    let mut two = ids(&index
        .search("\"nuclear deal\"", &f, 0, 10, 1, none)
        .unwrap())
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    // The headline match ranks first.
    assert_eq!(two.remove(0), "c");
    assert_eq!(two, ["a"]);
    assert_eq!(
        ids(&index
            .search("\"nuclear deal was\"", &f, 0, 10, 1, none)
            .unwrap()),
        ["a"]
    );
    // Slop allows words in between: not a pair query.
    let slop_hits = index
        .search("\"nuclear deal\"~1", &f, 0, 10, 1, none)
        .unwrap();
    let mut slop = ids(&slop_hits);
    slop.sort();
    assert_eq!(slop, ["a", "c", "d"]);
    // Pairs do not cross into a different field or reorder words.
    assert!(index
        .search("\"deal nuclear\"", &f, 0, 10, 1, none)
        .unwrap()
        .is_empty());
    assert_eq!(
        ids(&index
            .search("\"nuclear deal\" AND signed", &f, 0, 10, 1, none)
            .unwrap())
        .len(),
        2
    );
}

#[test]
fn word_pairs_join_adjacent_folded_tokens() {
    let mut analyzer = prose_words().filter(WordPairs).build();
    let mut pairs = |text: &str| {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    };
    assert_eq!(
        pairs("Téhéran's  nuclear, deal"),
        ["teheran s", "s nuclear", "nuclear deal"]
    );
    assert!(pairs("alone").is_empty());
}

#[test]
fn filters_dates_and_rejects_bad_syntax() {
    let index = index();
    let none = |_: &str| Vec::new();
    let f = IndexFilter {
        published_from: Some("2021-01-01".into()),
        ..Default::default()
    };
    assert_eq!(
        ids(&index.search("harbour", &f, 0, 10, 1, none).unwrap()),
        ["b"]
    );
    let f = IndexFilter {
        published_to: Some("2030-01-01".into()),
        ..Default::default()
    };
    assert_eq!(
        ids(&index
            .search("cafes OR harbour", &f, 0, 10, 1, none)
            .unwrap())
        .len(),
        2
    );
    assert!(index.validate("title:(").is_err());
}

/// The ids a query finds (no filter, no snippets), sorted.
fn sorted_ids(index: &SearchIndex, query: &str) -> Result<Vec<String>> {
    index
        .search(query, &IndexFilter::default(), 0, 10, 0, |_| Vec::new())
        .map(|hits| {
            let mut ids: Vec<String> = hits.into_iter().map(|h| h.article_id).collect();
            ids.sort();
            ids
        })
}

#[test]
fn words_with_a_star_are_prefixes() {
    let index = index();
    let search = |q: &str| sorted_ids(&index, q);
    assert_eq!(search("harb*").unwrap(), ["a", "b"]);
    assert_eq!(search("HARBO*").unwrap(), ["a", "b"]);
    assert_eq!(search("reop*").unwrap(), ["a"]);
    assert_eq!(search("title:harb*").unwrap(), ["a"]);
    assert_eq!(search("+harb* -title:storm*").unwrap(), ["a"]);
    assert_eq!(search("zuri*").unwrap(), ["c"], "accents folded");
    // Inside a phrase a star is the phrase's, not a prefix word.
    assert!(search("\"harb*\"").unwrap().is_empty());
    assert!(search("nothing*").unwrap().is_empty());
    let short = search("h*").unwrap_err();
    assert!(short.to_string().contains("at least 2"), "{short}");
    let many = (0..=MAX_EXPANDING_TERMS)
        .map(|i| format!("ab{i}*"))
        .collect::<Vec<_>>();
    let error = search(&many.join(" ")).unwrap_err();
    assert!(error.to_string().contains("at most 16"), "{error}");
    assert!(index.validate("h*").is_err());
}

#[test]
fn words_with_a_tilde_are_fuzzy() {
    let index = index();
    let search = |q: &str| sorted_ids(&index, q);
    assert!(search("harbor").unwrap().is_empty());
    assert_eq!(search("harbor~1").unwrap(), ["a", "b"]);
    assert_eq!(search("harbor~").unwrap(), ["a", "b"], "2 edits by default");
    assert!(search("harbr~0").unwrap().is_empty());
    assert_eq!(search("title:(harbor~1)").unwrap(), ["a"]);
    assert_eq!(search("+harbor~1 -coast").unwrap(), ["a"]);
    assert_eq!(
        search("strom~1 AND harbour").unwrap(),
        ["a", "b"],
        "a transposition is one edit"
    );
    // A phrase's slop is the parser's, as before.
    assert_eq!(search("\"harbour reopened\"~1").unwrap(), ["a"]);
    let far = search("harbor~3").unwrap_err();
    assert!(far.to_string().contains("at most 2 edits"), "{far}");
}

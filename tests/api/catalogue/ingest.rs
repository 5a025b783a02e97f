//! Ingest: empty, binary, NUL-laden, mis-described and over-size items; duplicates;
//! right-to-left and mixed scripts.

use super::*;

/// 29. Empty and whitespace-only items fail on `text`; the stream goes on.
#[tokio::test]
async fn empty_ingest_items_fail_and_the_stream_goes_on() {
    let f = Fixture::new().await;
    let results = ingest(
        &mut f.client(),
        vec![
            ingest_item("", "empty"),
            ingest_item(" \n\t\r\n ", "blank"),
            ingest_item("\u{a0}\u{2003}\u{3000}", "unicode-blank"),
            ingest_item(STORY, "after"),
        ],
    )
    .await;
    let refs: Vec<&str> = results.iter().map(|r| r.client_ref.as_str()).collect();
    assert_eq!(refs, ["empty", "blank", "unicode-blank", "after"]);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.index, i as u64);
    }
    assert_failed(&results[0], Code::InvalidArgument, "text", "is required");
    assert_failed(&results[1], Code::InvalidArgument, "text", "is required");
    assert_failed(&results[2], Code::InvalidArgument, "text", "is required");
    assert_created(&results[3]);
    f.intact(6).await;
}

/// 30. Binary junk: control characters carry no article body and fail;
/// arbitrary (valid UTF-8) symbol soup is text and is stored as such.
#[tokio::test]
async fn binary_junk_items_are_handled() {
    let f = Fixture::new().await;
    let controls: String = (1u8..32).map(char::from).collect::<String>().repeat(20);
    let soup: String = (0u32..2_000)
        .filter_map(|i| char::from_u32((i * 7_919) % 0xD7FF + 1))
        .collect();
    let lossy = String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xe2, 0x82])
        .replace('\0', "");
    let results = ingest(
        &mut f.client(),
        vec![
            ingest_item(&controls, "controls"),
            ingest_item(&soup, "soup"),
            ingest_item(&lossy, "replacement-chars"),
            ingest_item(STORY, "after"),
        ],
    )
    .await;
    assert_failed(
        &results[0],
        Code::InvalidArgument,
        "text",
        "no article body found",
    );
    assert_created(&results[1]);
    assert_created(&results[2]);
    assert_created(&results[3]);
    let soup_article = f
        .client()
        .get_article(pb::GetArticleRequest {
            id: results[1].article_id.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!soup_article.body.is_empty());
    f.intact(8).await;
}

/// 31. NUL-laden items fail on `text` naming the NULs; the stream goes on.
#[tokio::test]
async fn nul_laden_items_fail() {
    let f = Fixture::new().await;
    let mut with_nul = STORY.to_owned();
    with_nul.insert(40, '\0');
    let results = ingest(
        &mut f.client(),
        vec![
            ingest_item("bad\0bytes in here", "nul"),
            ingest_item(&"\0".repeat(10_000), "all-nul"),
            ingest_item(&with_nul, "story-with-nul"),
            ingest_item(STORY, "after"),
        ],
    )
    .await;
    for r in &results[..3] {
        assert_failed(r, Code::InvalidArgument, "text", "contains NUL characters");
    }
    assert_created(&results[3]);
    f.intact(6).await;
}

/// 32. Bad metadata in an item (date, over-long url) fails naming the field.
#[tokio::test]
async fn bad_ingest_metadata_fails_naming_the_field() {
    let f = Fixture::new().await;
    let results = ingest(
        &mut f.client(),
        vec![
            pb::IngestArticlesRequest {
                published: "soon".into(),
                ..ingest_item(STORY, "date")
            },
            pb::IngestArticlesRequest {
                published: "2023-02-29".into(),
                ..ingest_item(STORY, "not-leap")
            },
            pb::IngestArticlesRequest {
                url: format!("https://example.org/{}", "u".repeat(600)),
                ..ingest_item(STORY, "url")
            },
        ],
    )
    .await;
    assert_failed(&results[0], Code::InvalidArgument, "published", "\"soon\"");
    assert_failed(
        &results[1],
        Code::InvalidArgument,
        "published",
        "2023-02-29",
    );
    assert_failed(&results[2], Code::InvalidArgument, "url", "longer than 512");
    f.intact(5).await;
}

/// 33. An item over the article size limit fails with RESOURCE_EXHAUSTED on
/// `text` (saying the size and the limit) and the stream goes on.
#[tokio::test]
async fn over_size_items_are_resource_exhausted_and_the_stream_goes_on() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions::default(),
        Limits {
            max_article_bytes: 64 * 1024,
        },
    )
    .await;
    let f = Fixture::with(app).await;
    let big = format!("A headline\n\n{}", "Words words words. ".repeat(30_000));
    let results = ingest(
        &mut f.client(),
        vec![
            ingest_item(STORY, "before"),
            ingest_item(&big, "big"),
            ingest_item(OTHER_STORY, "after"),
        ],
    )
    .await;
    assert_created(&results[0]);
    assert_failed(
        &results[1],
        Code::ResourceExhausted,
        "text",
        &format!("text is too large: {} bytes, limit 65536", big.len()),
    );
    assert_created(&results[2]);
    f.intact(7).await;
}

/// 34. A 50 MB item (the message limit raised so it arrives) fails with
/// RESOURCE_EXHAUSTED and the stream goes on.
#[tokio::test]
async fn a_50_mb_item_is_resource_exhausted_and_the_stream_goes_on() {
    let _turn = HEAVY.lock().await;
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            max_message_bytes: 64 * 1024 * 1024,
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let f = Fixture::with(app).await;
    let huge = "x".repeat(50 * 1024 * 1024);
    let started = Instant::now();
    let results = ingest(
        &mut f.client(),
        vec![ingest_item(&huge, "huge"), ingest_item(STORY, "after")],
    )
    .await;
    drop(huge);
    assert_failed(
        &results[0],
        Code::ResourceExhausted,
        "text",
        "text is too large: 52428800 bytes, limit 2097152",
    );
    assert_created(&results[1]);
    assert!(started.elapsed() < Duration::from_secs(20));
    f.intact(6).await;
}

/// 35. A message over the server's decode limit ends the ingest stream with
/// OUT_OF_RANGE (tonic's answer) saying the size and the limit; the items
/// before it are kept, and a new stream works.
#[tokio::test]
async fn an_ingest_message_over_the_decode_limit_ends_the_stream() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            max_message_bytes: 1024 * 1024,
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let f = Fixture::with(app).await;
    let mut client = f.client();
    let over = ingest_item(&"y".repeat(2 * 1024 * 1024), "over");
    let over_len = prost::Message::encoded_len(&over);
    let mut stream = client
        .ingest_articles(tokio_stream::iter(vec![
            ingest_item(STORY, "before"),
            over,
            ingest_item(OTHER_STORY, "never-read"),
        ]))
        .await
        .unwrap()
        .into_inner();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.client_ref, "before");
    assert_created(&first);
    let status = stream.next().await.unwrap().unwrap_err();
    assert_status(
        &status,
        Code::OutOfRange,
        &format!(
            "decoded message length too large: found {over_len} bytes, the limit is: 1048576 bytes"
        ),
    );
    assert!(stream.next().await.is_none(), "the stream ended");
    let results = ingest(&mut client, vec![ingest_item(OTHER_STORY, "new-stream")]).await;
    assert_created(&results[0]);
    f.intact(7).await;
}

/// 36. A unary request over the decode limit is OUT_OF_RANGE too.
#[tokio::test]
async fn a_unary_message_over_the_decode_limit_is_out_of_range() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            max_message_bytes: 1024 * 1024,
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let f = Fixture::with(app).await;
    let request = pb::GetArticleRequest {
        id: "x".repeat(2 * 1024 * 1024),
        view: 0,
    };
    let len = prost::Message::encoded_len(&request);
    let status = f.client().get_article(request).await.unwrap_err();
    assert_status(
        &status,
        Code::OutOfRange,
        &format!(
            "decoded message length too large: found {len} bytes, the limit is: 1048576 bytes"
        ),
    );
    f.intact(5).await;
}

/// 37. A valid article sent twice (in one stream, then again in another)
/// is DUPLICATE with the same id and stored once.
#[tokio::test]
async fn a_duplicate_article_is_stored_once() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let results = ingest(
        &mut client,
        vec![ingest_item(STORY, "first"), ingest_item(STORY, "second")],
    )
    .await;
    assert_created(&results[0]);
    assert_eq!(results[1].status, pb::IngestStatus::Duplicate as i32);
    assert_eq!(results[1].article_id, results[0].article_id);
    // Same body, different layout: still the same article. (The same body
    // from another outlet is another article: see
    // reliability::the_same_text_from_another_outlet_is_a_new_article_marked_as_a_copy.)
    let reflowed = ingest_item(&STORY.replace("harbour board", "harbour  board"), "third");
    let again = ingest(&mut client, vec![reflowed]).await;
    assert_eq!(again[0].status, pb::IngestStatus::Duplicate as i32);
    assert_eq!(again[0].article_id, results[0].article_id);
    let stats = client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.duplicates_ignored, 2);
    let stored = client
        .get_article(pb::GetArticleRequest {
            id: results[0].article_id.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(stored.outlet.is_empty(), "the duplicate did not alter it");
    f.intact(6).await;
}

/// 38. RTL and mixed-script text is stored exactly and is searchable.
#[tokio::test]
async fn rtl_and_mixed_script_text_is_stored_exactly() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let text = "مرحبا بالعالم في المدينة القديمة.\n\n\u{200f}שלום עולם — Hello \u{200b}world, 你好世界, Ελληνικά, кириллица.\n\nالاجتماع انتهى \u{202b}بنجاح\u{202c} said Ahmad Karimi.";
    let results = ingest(&mut client, vec![ingest_item(text, "rtl")]).await;
    assert_created(&results[0]);
    let article = client
        .get_article(pb::GetArticleRequest {
            id: results[0].article_id.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let everything = format!("{}\n{}", article.title, article.body);
    for part in [
        "مرحبا بالعالم",
        "\u{200f}שלום עולם",
        "你好世界",
        "Ελληνικά",
        "\u{202b}بنجاح\u{202c}",
    ] {
        assert!(everything.contains(part), "{part:?} not in {everything:?}");
    }
    // Search is near-real-time: an ingest is searchable within the refresh
    // interval (0.5 s), so poll briefly.
    let mut hits = Vec::new();
    for _ in 0..40 {
        hits = outcome(client.search_articles(pb::SearchArticlesRequest {
            query: "بالعالم".into(),
            ..Default::default()
        }))
        .await
        .unwrap();
        if !hits.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].article_id, results[0].article_id);
    f.intact(6).await;
}

//! Ids: unknown, empty and over-long ids, and requests missing a required field.

use super::*;

/// 1. An unknown article id is NOT_FOUND and the message names the id.
#[tokio::test]
async fn unknown_article_id_is_not_found() {
    let f = Fixture::new().await;
    for id in ["0000000000000000", "../../etc/passwd", "ид-статьи", "%00"] {
        let status = f
            .client()
            .get_article(pb::GetArticleRequest {
                id: id.into(),
                view: 0,
            })
            .await
            .unwrap_err();
        assert_status(&status, Code::NotFound, &format!("article not found: {id}"));
    }
    f.intact(5).await;
}

/// 2. An empty or whitespace-only id is INVALID_ARGUMENT on `id`.
#[tokio::test]
async fn empty_article_id_is_invalid() {
    let f = Fixture::new().await;
    for id in ["", "   ", "\t\n"] {
        let status = f
            .client()
            .get_article(pb::GetArticleRequest {
                id: id.into(),
                view: 0,
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "id", "is required");
    }
    f.intact(5).await;
}

/// 3. An over-long id (10,000 bytes, and 1 MB) is INVALID_ARGUMENT, not a lookup.
#[tokio::test]
async fn over_long_ids_are_invalid() {
    let f = Fixture::new().await;
    for len in [513, 10_000, 1_000_000] {
        let status = f
            .client()
            .get_article(pb::GetArticleRequest {
                id: "x".repeat(len),
                view: 0,
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "id", "longer than 512 bytes");
        let status = f
            .client()
            .get_entity(pb::GetEntityRequest {
                selector: Some(pb::get_entity_request::Selector::Id(
                    "person/".to_owned() + &"y".repeat(len),
                )),
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "id", "longer than 512 bytes");
        let status = f
            .client()
            .get_entity(pb::GetEntityRequest {
                selector: Some(pb::get_entity_request::Selector::Name("z".repeat(len))),
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "name", "longer than 512 bytes");
    }
    f.intact(5).await;
}

/// 4. An unknown entity id or name is NOT_FOUND naming what was asked for.
#[tokio::test]
async fn unknown_entity_is_not_found() {
    let f = Fixture::new().await;
    for (id, name) in [("person/nobody-at-all", ""), ("", "Nobody Atall Ever")] {
        let status = f
            .client()
            .get_entity(entity_request(id, name))
            .await
            .unwrap_err();
        let asked = if id.is_empty() { name } else { id };
        assert_status(
            &status,
            Code::NotFound,
            &format!("entity not found: {asked}"),
        );
    }
    f.intact(5).await;
}

/// 5. GetEntity needs its `id` or its `name` (a oneof): neither, or an
/// empty one, is INVALID_ARGUMENT naming it. Both on the wire (only a raw
/// client can send that; protobuf alone would keep the last) is
/// INVALID_ARGUMENT too, naming `name`.
#[tokio::test]
async fn entity_needs_one_of_id_and_name() {
    use pb::get_entity_request::Selector;
    let f = Fixture::new().await;
    for (selector, field, reason) in [
        (None, "selector", "set `id` or `name`"),
        (Some(Selector::Id("  ".into())), "id", "is required"),
        (Some(Selector::Name(String::new())), "name", "is required"),
    ] {
        let status = f
            .client()
            .get_entity(pb::GetEntityRequest { selector })
            .await
            .unwrap_err();
        assert_invalid_because(&status, field, reason);
        let details = tonic_types::StatusExt::get_error_details(&status);
        let info = details.error_info().expect("ErrorInfo");
        assert_eq!(info.reason, "FIELD_REQUIRED");
        assert_eq!(info.domain, "newscorpus");
    }
    // id = "person/nobody" then name = "Wei Fenghe" on the wire.
    let mut both = prost::Message::encode_to_vec(&entity_request("person/nobody", ""));
    both.extend(prost::Message::encode_to_vec(&entity_request(
        "",
        "Wei Fenghe",
    )));
    let status = raw_unary::<pb::Entity>(&f.app.channel, "GetEntity", both)
        .await
        .unwrap_err();
    assert_invalid_because(&status, "name", "set only one of `id` and `name`");
    let details = tonic_types::StatusExt::get_error_details(&status);
    assert_eq!(details.error_info().unwrap().reason, "INVALID_FIELD");
    f.intact(5).await;
}

/// 6. Requests without their required fields: GetArticle, GetEntity,
/// SearchArticles and an ingest item without text.
#[tokio::test]
async fn requests_without_required_fields_are_invalid() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let status = client
        .get_article(pb::GetArticleRequest::default())
        .await
        .unwrap_err();
    assert_invalid_because(&status, "id", "is required");
    let status = client
        .get_entity(pb::GetEntityRequest::default())
        .await
        .unwrap_err();
    assert_invalid_because(&status, "selector", "set `id` or `name`");
    let status = outcome(client.search_articles(pb::SearchArticlesRequest::default()))
        .await
        .unwrap_err();
    assert_invalid_because(&status, "query", "must not be empty");
    let only_metadata = pb::IngestArticlesRequest {
        title: "A title but no text".into(),
        outlet: "Outlet".into(),
        client_ref: "no-text".into(),
        ..Default::default()
    };
    let results = ingest(&mut client, vec![only_metadata]).await;
    assert_eq!(results[0].client_ref, "no-text");
    assert_failed(&results[0], Code::InvalidArgument, "text", "is required");
    f.intact(5).await;
}

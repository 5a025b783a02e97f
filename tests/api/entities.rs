use newscorpus::grpc::pb;
use tonic::Code;

use crate::helpers::*;

#[tokio::test]
async fn entities_are_ordered_by_mentions_then_name_and_people_are_found() {
    let mut app = spawn_app().await;
    let entities = all_entities(&mut app.client).await;
    assert!(entities.len() > 10);
    for pair in entities.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            a.mention_count > b.mention_count
                || (a.mention_count == b.mention_count && a.name <= b.name),
            "{} ({}) before {} ({})",
            a.name,
            a.mention_count,
            b.name,
            b.mention_count
        );
    }
    let people: Vec<&pb::Entity> = entities
        .iter()
        .filter(|e| e.r#type == pb::EntityType::Person as i32)
        .collect();
    assert!(people.len() >= 3, "people: {people:?}");
    assert!(entities
        .iter()
        .any(|e| e.r#type == pb::EntityType::Gpe as i32));
    for e in &entities {
        // `<type slug>/<name slug>`: the type's slug, then the slug of one of
        // the names the entity was seen under (the first one gave the id).
        let (kind, name_slug) = e.id.split_once('/').expect("type/slug");
        assert_eq!(kind, type_slug(e.r#type), "{}", e.id);
        assert!(
            !name_slug.is_empty()
                && name_slug.len() <= 96
                && name_slug.split('-').all(|w| !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "{}",
            e.id
        );
        assert!(
            e.aliases
                .iter()
                .chain([&e.name])
                .any(|a| slug_of(a) == name_slug),
            "{} is the slug of none of {:?}",
            e.id,
            e.aliases
        );
        assert_eq!(e.article_count as usize, e.article_ids.len());
        assert!(e.aliases.contains(&e.name) || !e.aliases.is_empty());
        assert!(e.r#type != 0);
    }
    // The most frequently mentioned person appears in several articles.
    assert!(people[0].article_count >= 2);
}

#[tokio::test]
async fn entity_filters_and_cursor() {
    let mut app = spawn_app().await;
    let all = all_entities(&mut app.client).await;
    let base = app.client.clone();
    let list = |request: pb::ListEntitiesRequest| {
        let mut client = base.clone();
        async move {
            collect(client.list_entities(request).await.unwrap().into_inner())
                .await
                .unwrap()
        }
    };
    let people = list(pb::ListEntitiesRequest {
        r#type: pb::EntityType::Person as i32,
        ..Default::default()
    })
    .await;
    assert!(people
        .iter()
        .all(|r| r.r#type == pb::EntityType::Person as i32));
    let frequent = list(pb::ListEntitiesRequest {
        min_mentions: 5,
        ..Default::default()
    })
    .await;
    assert!(frequent.iter().all(|r| r.mention_count >= 5));
    assert!(frequent.len() < all.len());

    let target = &all[0];
    let prefix: String = target
        .name
        .chars()
        .take(3)
        .collect::<String>()
        .to_lowercase();
    let by_prefix = list(pb::ListEntitiesRequest {
        name_prefix: prefix.clone(),
        ..Default::default()
    })
    .await;
    assert!(by_prefix.iter().any(|r| r.id == target.id));

    let articles = all_articles(&mut app.client).await;
    let in_article = list(pb::ListEntitiesRequest {
        article_id: articles[0].id.clone(),
        ..Default::default()
    })
    .await;
    let mut ids: Vec<String> = in_article.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    let mut expected = articles[0].entity_ids.clone();
    expected.sort();
    assert_eq!(ids, expected);

    let first_three = list(pb::ListEntitiesRequest {
        limit: 3,
        ..Default::default()
    })
    .await;
    let rest = list(pb::ListEntitiesRequest {
        cursor: first_three[2].cursor.clone(),
        ..Default::default()
    })
    .await;
    let resumed: Vec<String> = first_three
        .iter()
        .chain(&rest)
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(
        resumed,
        all.iter().map(|e| e.id.clone()).collect::<Vec<_>>()
    );

    let status = app
        .client
        .list_entities(pb::ListEntitiesRequest {
            r#type: 77,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&status, "type");
}

#[tokio::test]
async fn get_entity_by_id_or_any_alias_case_and_accent_insensitively() {
    let mut app = spawn_app().await;
    let all = all_entities(&mut app.client).await;
    let person = all
        .iter()
        .find(|e| e.r#type == pb::EntityType::Person as i32 && e.aliases.len() >= 2)
        .expect("a person seen under several names");
    let get = |id: &str, name: &str| {
        let mut client = app.client.clone();
        let request = entity_request(id, name);
        async move { client.get_entity(request).await.map(|r| r.into_inner()) }
    };
    assert_eq!(get(&person.id, "").await.unwrap().id, person.id);
    for alias in &person.aliases {
        let found = get("", &alias.to_uppercase()).await.unwrap();
        // An alias shared by several entities returns the most mentioned one.
        assert!(
            found.aliases.iter().any(|a| a.eq_ignore_ascii_case(alias)),
            "{alias} -> {found:?}"
        );
    }
    // Accents and case do not matter: add an accent to the first vowel.
    let accented: String = {
        let mut done = false;
        person
            .name
            .chars()
            .map(|c| match c {
                'a' | 'e' | 'i' | 'o' | 'u' if !done => {
                    done = true;
                    match c {
                        'a' => 'á',
                        'e' => 'é',
                        'i' => 'í',
                        'o' => 'ó',
                        _ => 'ú',
                    }
                }
                other => other,
            })
            .collect()
    };
    assert_eq!(get("", &accented).await.unwrap().id, person.id);
    // An id that is not an id falls back to a name lookup.
    assert_eq!(
        get(&person.name.to_lowercase(), "").await.unwrap().id,
        person.id
    );

    assert_eq!(
        get("person/nobody-at-all", "").await.unwrap_err().code(),
        Code::NotFound
    );
    assert_eq!(
        get("", "Nobody At All").await.unwrap_err().code(),
        Code::NotFound
    );
    assert_invalid(&get("", "").await.unwrap_err(), "selector");
}

#[tokio::test]
async fn mentions_slice_the_body_exactly_and_resume() {
    let mut app = spawn_app().await;
    let articles = all_articles(&mut app.client).await;
    let mut total = 0;
    for article in &articles {
        let mentions = collect(
            app.client
                .list_mentions(pb::ListMentionsRequest {
                    article_id: article.id.clone(),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner(),
        )
        .await
        .unwrap();
        assert_eq!(mentions.len() as u32, article.mention_count);
        for r in &mentions {
            let m = r;
            assert_eq!(m.article_id, article.id);
            assert_eq!(slice(&article.body, m.span.as_ref().unwrap()), m.text);
            assert!(article.entity_ids.contains(&m.entity_id));
        }
        total += mentions.len();
    }
    let everything = collect(
        app.client
            .list_mentions(pb::ListMentionsRequest::default())
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(everything.len(), total);
    let half = collect(
        app.client
            .list_mentions(pb::ListMentionsRequest {
                limit: (total / 2) as i32,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    let rest = collect(
        app.client
            .list_mentions(pb::ListMentionsRequest {
                cursor: half.last().unwrap().cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(half.len() + rest.len(), total);
    assert_eq!(rest[0], everything[half.len()]);

    // By entity: every mention has that entity, across articles.
    let entity = &all_entities(&mut app.client).await[0];
    let of_entity = collect(
        app.client
            .list_mentions(pb::ListMentionsRequest {
                entity_id: entity.id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(of_entity.len() as u32, entity.mention_count);
    assert!(of_entity.iter().all(|r| r.entity_id == entity.id));
}

/// A name that is an entity's own alias wins over another entity that only
/// spells alike, however often that one is mentioned ("Raisi" is not
/// "Russia", whose transliteration skeleton is the same).
#[tokio::test]
async fn an_exact_alias_beats_a_more_mentioned_look_alike() {
    let app = spawn_app().await;
    let mut client = app.client.clone();
    let entity = client
        .get_entity(pb::GetEntityRequest {
            selector: Some(pb::get_entity_request::Selector::Name("Raisi".into())),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(entity.id, "person/ebrahim-raisi");
}

fn type_slug(kind: i32) -> &'static str {
    match pb::EntityType::try_from(kind).expect("a defined type") {
        pb::EntityType::Person => "person",
        pb::EntityType::Org => "org",
        pb::EntityType::Gpe => "gpe",
        pb::EntityType::Loc => "loc",
        pb::EntityType::Norp => "norp",
        pb::EntityType::Event => "event",
        pb::EntityType::Law => "law",
        pb::EntityType::WorkOfArt => "work",
        pb::EntityType::Other => "other",
        pb::EntityType::Unspecified => panic!("an entity of no type"),
    }
}

/// The README's slug: ASCII letters and digits (accents dropped), lowercased,
/// other runs of spaces, dashes and slashes as one dash.
fn slug_of(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    for c in name.nfkd() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || matches!(c, '-' | '_' | '/'))
            && !out.is_empty()
            && !out.ends_with('-')
        {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

"""End-to-end tests of newscorpus through a generated Python gRPC client.

Each test talks to a real server on a loopback port (see conftest.py). Every
call has a deadline, so a stuck server fails a test instead of hanging it.
Names and ids of entities and speakers are looked up from earlier responses,
never hard-coded from the seed articles.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unicodedata

import grpc
import pytest

from conftest import BIN, CALL_TIMEOUT, ROOT, free_port

T = CALL_TIMEOUT


def fold(text: str) -> str:
    """Case- and accent-insensitive form, as the API compares names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def status_details(error: grpc.RpcError) -> list[tuple[str, bytes]]:
    """(type_url, value) of each detail in grpc-status-details-bin (google.rpc.Status)."""
    raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin", b"")
    return [
        (fields_of(any_msg).get(1, b"").decode(), fields_of(any_msg).get(2, b""))
        for number, any_msg in iter_fields(raw)
        if number == 3
    ]


def iter_fields(data: bytes):
    """(field number, bytes) of the length-delimited fields of a protobuf message."""
    position = 0
    while position < len(data):
        key, position = varint(data, position)
        wire_type = key & 7
        if wire_type == 0:
            _, position = varint(data, position)
            continue
        if wire_type != 2:
            raise ValueError(f"unexpected wire type {wire_type}")
        length, position = varint(data, position)
        yield key >> 3, data[position : position + length]
        position += length


def fields_of(data: bytes) -> dict[int, bytes]:
    return dict(iter_fields(data))


def varint(data: bytes, position: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def bad_request_fields(error: grpc.RpcError) -> list[str]:
    """Field names of the google.rpc.BadRequest violations attached to an error."""
    names = []
    for type_url, value in status_details(error):
        if type_url.endswith("google.rpc.BadRequest"):
            for number, violation in iter_fields(value):
                if number == 1:
                    names.append(fields_of(violation).get(1, b"").decode())
    return names


def rpc_error(call) -> grpc.RpcError:
    """Runs `call` (consuming a stream if it returns one) and returns the RpcError it raised."""
    with pytest.raises(grpc.RpcError) as caught:
        result = call()
        if not isinstance(result, (bytes, str)) and hasattr(result, "__iter__"):
            for _ in result:
                pass
    return caught.value


# --- articles -------------------------------------------------------------------------------


def test_list_articles_streams_every_seed_file(pb, stub, seed_files):
    responses = list(stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=T))
    assert len(responses) == 5
    assert sorted(r.source for r in responses) == seed_files
    # One seed article has no headline (the proto allows an empty title); the rest do.
    assert sum(1 for r in responses if r.title.strip()) >= 4
    for response in responses:
        article = response
        assert article.id, article
        assert article.body and article.paragraphs
        assert "\n\n".join(article.paragraphs) == article.body
        assert response.cursor
    assert len({r.id for r in responses}) == 5


def test_list_articles_basic_view_limit_and_resume(pb, stub):
    full = list(stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=T))
    basic = list(
        stub.ListArticles(
            pb.svc.ListArticlesRequest(limit=2, view=pb.types.ARTICLE_VIEW_BASIC), timeout=T
        )
    )
    assert [r.id for r in basic] == [r.id for r in full[:2]]
    assert all(not r.body and not r.paragraphs for r in basic)
    assert [r.title for r in basic] == [r.title for r in full[:2]]
    rest = list(stub.ListArticles(pb.svc.ListArticlesRequest(cursor=basic[-1].cursor), timeout=T))
    assert [r.id for r in rest] == [r.id for r in full[2:]]


def test_get_article_matches_list(pb, stub):
    listed = next(iter(stub.ListArticles(pb.svc.ListArticlesRequest(limit=1), timeout=T)))
    got = stub.GetArticle(pb.svc.GetArticleRequest(id=listed.id), timeout=T)
    assert listed.cursor and not got.cursor  # cursors only on streamed items
    listed.cursor = ""
    assert got == listed


# --- search ---------------------------------------------------------------------------------


def test_search_returns_ranked_hits_with_snippets(pb, stub):
    hits = list(stub.SearchArticles(pb.svc.SearchArticlesRequest(query="nuclear"), timeout=T))
    assert hits, "no hits for 'nuclear'"
    scores = [h.score for h in hits]
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert all(h.article_id and h.source for h in hits)
    with_snippets = [h for h in hits if h.snippets]
    assert with_snippets, "no hit has a snippet"
    for hit in with_snippets:
        for snippet in hit.snippets:
            assert snippet.highlights, snippet
            for span in snippet.highlights:
                assert 0 <= span.start < span.end <= len(snippet.text)
                assert fold(snippet.text[span.start : span.end]).startswith("nuclear"), snippet
            assert "<b>" in snippet.html


def test_search_phrase_matches_only_bodies_or_titles_with_the_phrase(pb, stub):
    request = pb.svc.SearchArticlesRequest(query='"nuclear deal"')
    hits = [r for r in stub.SearchArticles(request, timeout=T)]
    assert hits, 'no hits for the phrase "nuclear deal"'
    phrase = re.compile(r"nuclear\W+deal", re.IGNORECASE)
    for hit in hits:
        article = stub.GetArticle(pb.svc.GetArticleRequest(id=hit.article_id), timeout=T)
        assert phrase.search(article.body) or phrase.search(article.title), hit.article_id


def test_search_limit_and_cursor_resume(pb, stub):
    all_hits = list(stub.SearchArticles(pb.svc.SearchArticlesRequest(query="Iran"), timeout=T))
    assert len(all_hits) >= 2
    first = list(stub.SearchArticles(pb.svc.SearchArticlesRequest(query="Iran", limit=1), timeout=T))
    assert [r.article_id for r in first] == [all_hits[0].article_id]
    rest = list(
        stub.SearchArticles(
            pb.svc.SearchArticlesRequest(query="Iran", cursor=first[0].cursor), timeout=T
        )
    )
    assert [r.article_id for r in rest] == [r.article_id for r in all_hits[1:]]


def test_search_not_excludes_matches(pb, stub):
    with_word = {r.article_id for r in stub.SearchArticles(pb.svc.SearchArticlesRequest(query="Iran"), timeout=T)}
    nuclear = {r.article_id for r in stub.SearchArticles(pb.svc.SearchArticlesRequest(query="nuclear"), timeout=T)}
    without = {r.article_id for r in stub.SearchArticles(pb.svc.SearchArticlesRequest(query="Iran -nuclear"), timeout=T)}
    assert without == with_word - nuclear


# --- entities and mentions --------------------------------------------------------------------


def list_entities(pb, stub, **fields):
    return list(stub.ListEntities(pb.svc.ListEntitiesRequest(**fields), timeout=T))


def test_list_entities_has_people_ordered_by_mentions(pb, stub):
    entities = list_entities(pb, stub)
    assert entities, "no entities"
    assert any(e.type == pb.types.ENTITY_TYPE_PERSON for e in entities)
    counts = [e.mention_count for e in entities]
    assert counts == sorted(counts, reverse=True)
    for entity in entities:
        assert entity.type != pb.types.ENTITY_TYPE_UNSPECIFIED
        assert entity.name in entity.aliases
        assert entity.id.count("/") == 1
        assert entity.article_count == len(entity.article_ids) >= 1
    people = list_entities(pb, stub, type=pb.types.ENTITY_TYPE_PERSON)
    assert people and all(e.type == pb.types.ENTITY_TYPE_PERSON for e in people)


def test_get_entity_by_id_name_and_alias(pb, stub):
    entities = list_entities(pb, stub)
    assert entities
    top = entities[0]
    assert stub.GetEntity(pb.svc.GetEntityRequest(id=top.id), timeout=T).id == top.id
    by_name = stub.GetEntity(pb.svc.GetEntityRequest(name=top.name.upper()), timeout=T)
    assert by_name.id == top.id
    # An alias other than the canonical name, not shared with another entity.
    owners: dict[str, set[str]] = {}
    for entity in entities:
        for alias in entity.aliases:
            owners.setdefault(fold(alias), set()).add(entity.id)
    candidates = [
        (entity, alias)
        for entity in entities
        for alias in entity.aliases
        if fold(alias) != fold(entity.name) and owners[fold(alias)] == {entity.id}
    ]
    assert candidates, "no entity has a distinct alias"
    entity, alias = candidates[0]
    got = stub.GetEntity(pb.svc.GetEntityRequest(name=alias), timeout=T)
    assert got.id == entity.id, (alias, got.id)
    got = stub.GetEntity(pb.svc.GetEntityRequest(name=alias.lower()), timeout=T)
    assert got.id == entity.id


def test_list_entities_filters(pb, stub):
    entities = list_entities(pb, stub)
    assert entities
    name = entities[0].name
    prefix = name[:3]
    by_prefix = list_entities(pb, stub, name_prefix=prefix.lower())
    assert entities[0].id in {e.id for e in by_prefix}
    assert all(any(fold(a).startswith(fold(prefix)) for a in e.aliases) for e in by_prefix)
    popular = list_entities(pb, stub, min_mentions=2)
    assert all(e.mention_count >= 2 for e in popular)
    assert {e.id for e in popular} == {e.id for e in entities if e.mention_count >= 2}


def test_mention_spans_slice_the_body(pb, stub):
    total = 0
    for listed in stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=T):
        article = listed
        mentions = list(stub.ListMentions(pb.svc.ListMentionsRequest(article_id=article.id), timeout=T))
        assert len(mentions) == article.mention_count
        starts = [m.span.start for m in mentions]
        assert starts == sorted(starts)
        for mention in mentions:
            assert mention.article_id == article.id
            assert mention.entity_id in article.entity_ids
            assert article.body[mention.span.start : mention.span.end] == mention.text, mention
        total += len(mentions)
    assert total > 0, "no mentions in the corpus"


# --- quotes ---------------------------------------------------------------------------------


def test_quotes_by_speaker(pb, stub):
    quotes = list(stub.ListQuotes(pb.svc.ListQuotesRequest(), timeout=T))
    assert quotes, "no quotes"
    attributed = [q for q in quotes if q.speaker_entity_id and q.speaker_name]
    assert attributed, "no quote has an entity as speaker"
    speaker = attributed[0]
    expected = {q.id for q in quotes if q.speaker_entity_id == speaker.speaker_entity_id}
    for key in (speaker.speaker_name, speaker.speaker_entity_id, speaker.speaker_name.upper()):
        filtered = list(stub.ListQuotes(pb.svc.ListQuotesRequest(speaker=key), timeout=T))
        assert filtered, key
        assert all(q.speaker_entity_id == speaker.speaker_entity_id for q in filtered), key
        assert all(q.speaker_name == speaker.speaker_name for q in filtered), key
        assert {q.id for q in filtered} == expected, key


def test_quote_spans_slice_the_body(pb, stub):
    bodies = {r.id: r.body for r in stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=T)}
    quotes = list(stub.ListQuotes(pb.svc.ListQuotesRequest(), timeout=T))
    assert quotes
    for quote in quotes:
        assert quote.id.startswith(quote.article_id + "/q"), quote.id
        assert quote.kind != pb.types.QUOTE_KIND_UNSPECIFIED
        assert bodies[quote.article_id][quote.span.start : quote.span.end] == quote.text, quote.id
        if quote.kind == pb.types.QUOTE_KIND_SCARE:
            assert not quote.speaker_name and not quote.speaker_entity_id


def test_quotes_filter_by_kind_and_text(pb, stub):
    direct = list(stub.ListQuotes(pb.svc.ListQuotesRequest(kind=pb.types.QUOTE_KIND_DIRECT), timeout=T))
    assert direct and all(q.kind == pb.types.QUOTE_KIND_DIRECT for q in direct)
    word = max(re.findall(r"\w{5,}", direct[0].text), key=len)
    matching = list(stub.ListQuotes(pb.svc.ListQuotesRequest(text_contains=word.upper()), timeout=T))
    assert direct[0].id in {q.id for q in matching}
    assert all(word.casefold() in q.text.casefold() for q in matching)


def test_corpus_stats(pb, stub):
    stats = stub.GetCorpusStats(pb.svc.GetCorpusStatsRequest(), timeout=T)
    assert stats.article_count == 5
    assert stats.files_loaded == 5 and stats.files_skipped == 0
    assert stats.entity_count == len(list_entities(pb, stub))
    assert sum(c.count for c in stats.entities_by_type) == stats.entity_count
    assert stats.quote_count > 0 and stats.mention_count > 0


# --- errors ---------------------------------------------------------------------------------


def test_not_found(pb, stub):
    error = rpc_error(lambda: stub.GetArticle(pb.svc.GetArticleRequest(id="no-such-article"), timeout=T))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = rpc_error(lambda: stub.GetEntity(pb.svc.GetEntityRequest(name="Nobody Atall Xyzzy"), timeout=T))
    assert error.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    "method, request_fields, field",
    [
        ("ListArticles", {"limit": -1}, "limit"),
        ("ListArticles", {"limit": 2**31 - 1}, "limit"),
        ("ListArticles", {"cursor": "not a cursor!"}, "cursor"),
        ("SearchArticles", {"query": ""}, "query"),
        ("SearchArticles", {"query": "   "}, "query"),
        ("ListEntities", {"type": 99}, "type"),
        ("ListQuotes", {"kind": 42}, "kind"),
        ("ListArticles", {"filter": {"published_from": "yesterday"}}, "filter.published_from"),
    ],
)
def test_invalid_argument_with_bad_request_details(pb, stub, method, request_fields, field):
    request_type = {
        "ListArticles": pb.svc.ListArticlesRequest,
        "SearchArticles": pb.svc.SearchArticlesRequest,
        "ListEntities": pb.svc.ListEntitiesRequest,
        "ListQuotes": pb.svc.ListQuotesRequest,
    }[method]
    request = request_type(**request_fields)
    error = rpc_error(lambda: getattr(stub, method)(request, timeout=T))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    violations = bad_request_fields(error)
    assert violations, f"no google.rpc.BadRequest details on {error.details()!r}"
    assert any(v == field or v.endswith("." + field) or field.endswith(v) for v in violations), violations


def test_get_entity_needs_exactly_one_of_id_and_name(pb, stub):
    error = rpc_error(lambda: stub.GetEntity(pb.svc.GetEntityRequest(), timeout=T))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


# --- transport ------------------------------------------------------------------------------


def test_gzip_compression(pb, server):
    with grpc.insecure_channel(server.address, compression=grpc.Compression.Gzip) as chan:
        stub = pb.grpc.CorpusServiceStub(chan)
        articles = list(stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=T))
    assert len(articles) == 5


def test_healthcheck_subcommand(server):
    ok = subprocess.run([str(BIN), "healthcheck", "--addr", server.address], capture_output=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    # Nothing listens on a freshly released port.
    down = subprocess.run(
        [str(BIN), "healthcheck", "--addr", f"127.0.0.1:{free_port()}", "--timeout-secs", "2"],
        capture_output=True,
        timeout=30,
    )
    assert down.returncode != 0


def test_sigterm_shuts_down_cleanly(start_server):
    private = start_server()
    started = time.monotonic()
    assert private.stop(signal.SIGTERM, timeout=20) == 0, private.log()
    assert time.monotonic() - started < 15


def test_sigterm_ends_open_watch_streams_and_exits_zero(pb, start_server):
    private = start_server("--drain-timeout-secs", "5")
    with grpc.insecure_channel(private.address) as chan:
        stub = pb.grpc.CorpusServiceStub(chan)
        watch = stub.WatchArticles(pb.svc.WatchArticlesRequest(from_start=True), timeout=30)
        replayed = [next(watch) for _ in range(5)]
        assert len({a.id for a in replayed}) == 5
        started = time.monotonic()
        private.process.send_signal(signal.SIGTERM)
        with pytest.raises(grpc.RpcError) as ended:
            next(watch)  # the live part of the watch is ended by the shutdown
        assert ended.value.code() == grpc.StatusCode.UNAVAILABLE, ended.value
    assert private.process.wait(timeout=20) == 0, private.log()
    assert time.monotonic() - started < 10


def test_env_configuration_and_json_logs(pb, start_server):
    private = start_server("--log-format", "json", via_env=True)
    with grpc.insecure_channel(private.address) as chan:
        stats = pb.grpc.CorpusServiceStub(chan).GetCorpusStats(pb.svc.GetCorpusStatsRequest(), timeout=T)
    assert stats.article_count == 5
    assert private.stop() == 0
    lines = [line for line in private.log().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every log line is one JSON object
    listening = [r for r in records if "listening" in json.dumps(r)]
    assert listening and private.address in json.dumps(listening[0]), lines[:5]


# --- ingest and watch -----------------------------------------------------------------------

NEW_ARTICLE = (
    "Harbour council approves new tidal energy plant\n\n"
    "The Port Elsworth harbour council on Tuesday approved a tidal energy plant "
    "that will power 40,000 homes.\n\n"
    '"This is the biggest decision the council has taken in a generation," said '
    "council chair Margaret Okonkwo-Hale.\n\n"
    "Engineers from Tidewell Energy said construction would start next spring.\n"
)


def ingest(pb, stub, *items, timeout=T):
    return list(stub.IngestArticles(iter(items), timeout=timeout))


def test_ingest_then_list_and_watch(pb, start_server):
    private = start_server()
    with grpc.insecure_channel(private.address) as chan:
        stub = pb.grpc.CorpusServiceStub(chan)
        before = list(stub.ListArticles(pb.svc.ListArticlesRequest(view=pb.types.ARTICLE_VIEW_BASIC), timeout=T))
        assert len(before) == 5
        last_cursor = before[-1].cursor

        item = pb.svc.IngestArticlesRequest(
            text=NEW_ARTICLE,
            outlet="Elsworth Gazette",
            published="2024-05-14",
            url="https://example.org/tidal-plant",
            client_ref="tidal-1",
        )
        [created] = ingest(pb, stub, item)
        assert created.status == pb.svc.INGEST_STATUS_CREATED, created
        assert created.index == 0 and created.client_ref == "tidal-1"
        assert created.article_id and created.cursor
        assert not created.HasField("error")

        after = list(stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=T))
        assert len(after) == 6
        article = after[-1]
        assert article.id == created.article_id
        assert article.source == "https://example.org/tidal-plant"
        assert article.url == "https://example.org/tidal-plant"
        assert article.outlet == "Elsworth Gazette" and article.published == "2024-05-14"
        assert article.title == "Harbour council approves new tidal energy plant"
        assert article.quote_count == created.quote_count
        assert article.mention_count == created.mention_count

        # Watch from the last seed cursor: the new article is replayed first,
        # then one ingested while the stream is open arrives live.
        watch = stub.WatchArticles(pb.svc.WatchArticlesRequest(cursor=last_cursor), timeout=20)
        try:
            first = next(watch)
            assert first.id == created.article_id
            assert first.cursor

            second_text = NEW_ARTICLE.replace("Tuesday", "Wednesday").replace("40,000", "45,000")
            sender = threading.Thread(
                target=lambda: ingest(pb, stub, pb.svc.IngestArticlesRequest(text=second_text, client_ref="tidal-2")),
                daemon=True,
            )
            time.sleep(0.3)  # the replay above proves the subscription is live
            sender.start()
            live = next(watch)
            sender.join(timeout=T)
            assert live.id != created.article_id
            assert "45,000" in live.body
        finally:
            watch.cancel()

        # Resume the watch from the first article's cursor: only the second comes back.
        resumed = stub.WatchArticles(pb.svc.WatchArticlesRequest(cursor=first.cursor), timeout=20)
        try:
            assert next(resumed).id == live.id
        finally:
            resumed.cancel()

        # The same text again, from the same outlet and URL, is a duplicate with the same id.
        again = pb.svc.IngestArticlesRequest(
            text=NEW_ARTICLE, outlet="Elsworth Gazette", url="https://example.org/tidal-plant", client_ref="again"
        )
        [duplicate] = ingest(pb, stub, again)
        assert duplicate.status == pb.svc.INGEST_STATUS_DUPLICATE
        assert duplicate.article_id == created.article_id
        stats = stub.GetCorpusStats(pb.svc.GetCorpusStatsRequest(), timeout=T)
        assert stats.article_count == 7
        assert stats.duplicates_ignored >= 1


def test_watch_from_start_replays_the_corpus(pb, stub):
    watch = stub.WatchArticles(pb.svc.WatchArticlesRequest(from_start=True, view=pb.types.ARTICLE_VIEW_BASIC), timeout=20)
    try:
        replayed = [next(watch).id for _ in range(5)]
    finally:
        watch.cancel()
    listed = [r.id for r in stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=T)]
    assert replayed == listed


def test_ingest_failures_are_per_item(pb, start_server):
    private = start_server("--max-article-bytes", "20000")
    with grpc.insecure_channel(private.address) as chan:
        stub = pb.grpc.CorpusServiceStub(chan)
        responses = ingest(
            pb,
            stub,
            pb.svc.IngestArticlesRequest(text="", client_ref="empty"),
            pb.svc.IngestArticlesRequest(text="Big story\n\n" + "word " * 10_000, client_ref="big"),
            pb.svc.IngestArticlesRequest(text=NEW_ARTICLE, client_ref="ok"),
            pb.svc.IngestArticlesRequest(text=NEW_ARTICLE, published="14 May 2024", client_ref="bad-date"),
        )
    assert [r.index for r in responses] == [0, 1, 2, 3]
    assert [r.client_ref for r in responses] == ["empty", "big", "ok", "bad-date"]
    empty, big, ok, bad_date = responses
    assert empty.status == pb.svc.INGEST_STATUS_FAILED
    assert empty.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert empty.error.field == "text" and not empty.article_id and not empty.cursor
    assert big.status == pb.svc.INGEST_STATUS_FAILED
    assert big.error.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]
    assert ok.status == pb.svc.INGEST_STATUS_CREATED and ok.article_id
    assert bad_date.status == pb.svc.INGEST_STATUS_FAILED
    assert bad_date.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert bad_date.error.field == "published"


# --- README ---------------------------------------------------------------------------------


def test_readme_python_example_runs(pb, server, seed_files, tmp_path):
    readme = ROOT / "README.md"
    if not readme.is_file():
        pytest.skip("no README.md")
    blocks = re.findall(r"^```python\n(.*?)^```", readme.read_text(encoding="utf-8"), re.S | re.M)
    assert blocks, "README has no ```python example"
    for number, block in enumerate(blocks):
        script = tmp_path / f"readme_example_{number}.py"
        script.write_text(block.replace("localhost:50051", server.address), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=pb.out_dir)
        run = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path
        )
        assert run.returncode == 0, run.stderr
        if "ListArticles" in block:
            assert all(name in run.stdout for name in seed_files), run.stdout


def test_ingests_survive_a_kill_with_a_data_dir(pb, start_server, tmp_path):
    """--data-dir: what a Python client had acknowledged is there after SIGKILL
    and a restart, with the same id and cursor; resending it is a duplicate."""
    data = tmp_path / "data"
    first = start_server("--data-dir", str(data))
    with grpc.insecure_channel(first.address) as chan:
        stub = pb.grpc.CorpusServiceStub(chan)
        [created] = ingest(pb, stub, pb.svc.IngestArticlesRequest(text=NEW_ARTICLE, client_ref="kept"))
        assert created.status == pb.svc.INGEST_STATUS_CREATED, created
    assert first.stop(signal.SIGKILL) != 0

    second = start_server("--data-dir", str(data))
    with grpc.insecure_channel(second.address) as chan:
        stub = pb.grpc.CorpusServiceStub(chan)
        articles = list(stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=T))
        assert len(articles) == 6
        assert articles[-1].id == created.article_id
        assert articles[-1].cursor == created.cursor
        [again] = ingest(pb, stub, pb.svc.IngestArticlesRequest(text=NEW_ARTICLE, client_ref="again"))
        assert again.status == pb.svc.INGEST_STATUS_DUPLICATE, again
        assert again.article_id == created.article_id
    assert "data folder recovered" in second.log()


def test_stories_copies_and_facets(pb, stub):
    """The seeds are one story; GetStory, story filters and facets agree with ListArticles."""
    articles = list(stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=10))
    story_ids = {a.story_id for a in articles}
    assert len(story_ids) == 1
    (story_id,) = story_ids
    story = stub.GetStory(pb.svc.GetStoryRequest(id=story_id), timeout=10)
    assert story.article_count == len(articles) == 5
    assert set(story.article_ids) == {a.id for a in articles}
    listed = list(stub.ListStories(pb.svc.ListStoriesRequest(min_articles=2), timeout=10))
    assert [s.id for s in listed] == [story_id]
    assert all(not a.duplicate_of for a in articles)

    facets = [
        pb.svc.Facet(kind=pb.svc.FACET_KIND_DATE_HISTOGRAM, interval=pb.svc.DATE_INTERVAL_DAY),
        pb.svc.Facet(kind=pb.svc.FACET_KIND_ENTITY, size=3, entity_type=pb.types.ENTITY_TYPE_PERSON),
        pb.svc.Facet(kind=pb.svc.FACET_KIND_SPEAKER, size=3),
    ]
    answer = stub.AggregateArticles(pb.svc.AggregateArticlesRequest(facets=facets), timeout=10)
    assert answer.article_count == 5
    days = {b.key: b.count for b in answer.results[0].buckets}
    expected = {}
    for a in articles:
        if a.published:
            expected[a.published] = expected.get(a.published, 0) + 1
    assert days == expected
    assert answer.results[0].undated_count == sum(1 for a in articles if not a.published)
    people = answer.results[1].buckets
    assert len(people) == 3 and all(b.key.startswith("person/") for b in people)
    for bucket in people:
        assert bucket.count == sum(1 for a in articles if bucket.key in a.entity_ids)
    assert answer.results[2].buckets, "someone is quoted"

    with pytest.raises(grpc.RpcError) as error:
        stub.AggregateArticles(pb.svc.AggregateArticlesRequest(), timeout=10)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as error:
        stub.GetStory(pb.svc.GetStoryRequest(id="story/0000000000000000"), timeout=10)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_related_entities_edge_list(pb, stub):
    """Related entities of one person, and every pair as an edge list."""
    related = list(stub.ListRelatedEntities(pb.svc.ListRelatedEntitiesRequest(entity="Wei"), timeout=10))
    assert related and all(r.source_entity_id == "person/wei-fenghe" for r in related)
    assert all(-1.0 <= r.score <= 1.0 and r.article_count >= 1 for r in related)
    scores = [r.score for r in related]
    assert scores == sorted(scores, reverse=True)
    edges = list(stub.ListRelatedEntities(pb.svc.ListRelatedEntitiesRequest(min_articles=3), timeout=10))
    assert edges and all(e.article_count >= 3 for e in edges)
    assert len({(e.source_entity_id, e.entity_id) for e in edges}) == len(edges)


def test_one_ingest_stream_of_100k_small_items_under_cpu_load(pb, start_server):
    """grpcio sends each small message in its own DATA frame; with hyper's default
    windows the server closed such streams (GOAWAY ENHANCE_YOUR_CALM
    "too_many_data_frames") when it lagged. Two CPU burners make it lag."""
    count = 100_000
    private = start_server()
    burners = [
        subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 600\nwhile time.time() < end: pass"])
        for _ in range(2)
    ]
    try:
        with grpc.insecure_channel(private.address) as chan:
            stub = pb.grpc.CorpusServiceStub(chan)
            items = (
                pb.svc.IngestArticlesRequest(text=f"Ferry {n} left Split for Hvar on time.", client_ref=str(n))
                for n in range(count)
            )
            statuses = {}
            last_index = -1
            for response in stub.IngestArticles(items, timeout=600):
                assert response.index == last_index + 1
                last_index = response.index
                statuses[response.status] = statuses.get(response.status, 0) + 1
    finally:
        for burner in burners:
            burner.kill()
    assert last_index == count - 1
    assert statuses == {pb.svc.INGEST_STATUS_CREATED: count}, statuses

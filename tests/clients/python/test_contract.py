"""The contract as a Python client sees it: spans in code points (the
default) and in the other units, GetQuote, ErrorInfo reasons decoded with the
generated google.rpc types, the oneof of GetEntityRequest, and the README's
Python example run as written."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import grpc
import pytest
from google.protobuf import any_pb2

from conftest import ROOT, launch
from test_client import T, fields_of, iter_fields, rpc_error

ASTRAL = (
    "🚢🚢 Harbour news from 𝔊𝔬𝔱𝔥𝔞𝔪 🌊\n\n"
    "🚢 The harbour board of Porto Velho met on Monday. 👋 Marta Souza chaired it.\n\n"
    "“We have waited 𝔱𝔢𝔫 years for this 🎉,” said Marta Souza, the board's chair.\n"
)


def error_info(error: grpc.RpcError) -> tuple[str, str]:
    """(reason, domain) of the google.rpc.ErrorInfo in grpc-status-details-bin."""
    raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin", b"")
    for number, detail in iter_fields(raw):
        if number != 3:
            continue
        any_msg = any_pb2.Any()
        any_msg.ParseFromString(detail)
        if any_msg.type_url.endswith("google.rpc.ErrorInfo"):
            info = fields_of(any_msg.value)
            return info.get(1, b"").decode(), info.get(2, b"").decode()
    raise AssertionError(f"no ErrorInfo in {error!r}")


def sliced(text: str, span, units) -> str:
    if units == "utf16":
        data = text.encode("utf-16-le")
        return data[span.start * 2 : span.end * 2].decode("utf-16-le")
    if units == "utf8":
        return text.encode()[span.start : span.end].decode()
    return text[span.start : span.end]


def test_spans_in_each_unit_and_get_quote(pb, start_server, tmp_path):
    server = start_server(corpus=tmp_path)
    with grpc.insecure_channel(server.address) as channel:
        stub = pb.grpc.CorpusServiceStub(channel)
        acks = list(stub.IngestArticles(iter([pb.svc.IngestArticlesRequest(text=ASTRAL)]), timeout=T))
        article_id = acks[0].article_id
        body = stub.GetArticle(pb.svc.GetArticleRequest(id=article_id), timeout=T).body
        for encoding, units in [
            (pb.types.OFFSET_ENCODING_UNSPECIFIED, "cp"),
            (pb.types.OFFSET_ENCODING_CODE_POINTS, "cp"),
            (pb.types.OFFSET_ENCODING_UTF16, "utf16"),
            (pb.types.OFFSET_ENCODING_UTF8, "utf8"),
        ]:
            answered = encoding or pb.types.OFFSET_ENCODING_CODE_POINTS
            mentions = list(stub.ListMentions(
                pb.svc.ListMentionsRequest(article_id=article_id, offset_encoding=encoding), timeout=T))
            assert any(m.text == "Marta Souza" for m in mentions)
            for m in mentions:
                assert m.span.encoding == answered
                assert sliced(body, m.span, units) == m.text
            quotes = list(stub.ListQuotes(
                pb.svc.ListQuotesRequest(article_id=article_id, offset_encoding=encoding), timeout=T))
            assert len(quotes) == 1 and "🎉" in quotes[0].text
            assert sliced(body, quotes[0].span, units) == quotes[0].text
            one = stub.GetQuote(pb.svc.GetQuoteRequest(id=quotes[0].id, offset_encoding=encoding), timeout=T)
            assert one == quotes[0]


def test_errors_carry_stable_reasons(pb, stub, server):
    cases = [
        (lambda: stub.GetArticle(pb.svc.GetArticleRequest(id="0000000000000000"), timeout=T),
         grpc.StatusCode.NOT_FOUND, "ARTICLE_NOT_FOUND"),
        (lambda: stub.GetQuote(pb.svc.GetQuoteRequest(id="0000000000000000/q0"), timeout=T),
         grpc.StatusCode.NOT_FOUND, "QUOTE_NOT_FOUND"),
        (lambda: stub.GetQuote(pb.svc.GetQuoteRequest(id="no-quote-id"), timeout=T),
         grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELD"),
        (lambda: stub.GetEntity(pb.svc.GetEntityRequest(), timeout=T),
         grpc.StatusCode.INVALID_ARGUMENT, "FIELD_REQUIRED"),
        (lambda: list(stub.ListArticles(pb.svc.ListArticlesRequest(limit=-1), timeout=T)),
         grpc.StatusCode.INVALID_ARGUMENT, "LIMIT_INVALID"),
        (lambda: list(stub.ListQuotes(pb.svc.ListQuotesRequest(offset_encoding=7), timeout=T)),
         grpc.StatusCode.INVALID_ARGUMENT, "ENUM_VALUE_UNKNOWN"),
        (lambda: list(stub.SearchArticles(pb.svc.SearchArticlesRequest(query="title:("), timeout=T)),
         grpc.StatusCode.INVALID_ARGUMENT, "QUERY_INVALID"),
        (lambda: list(stub.SearchArticles(pb.svc.SearchArticlesRequest(query="  "), timeout=T)),
         grpc.StatusCode.INVALID_ARGUMENT, "FIELD_REQUIRED"),
    ]
    for call, code, reason in cases:
        error = rpc_error(call)
        assert error.code() == code, (reason, error)
        assert error_info(error) == (reason, "newscorpus")
    # A cursor of one listing given to another.
    mention = next(iter(stub.ListMentions(pb.svc.ListMentionsRequest(limit=1), timeout=T)))
    error = rpc_error(lambda: list(stub.ListQuotes(pb.svc.ListQuotesRequest(cursor=mention.cursor), timeout=T)))
    assert error_info(error)[0] == "CURSOR_WRONG_LISTING"


def test_get_entity_takes_id_or_name(pb, stub):
    top = next(iter(stub.ListEntities(pb.svc.ListEntitiesRequest(limit=1), timeout=T)))
    request = pb.svc.GetEntityRequest(id=top.id)
    assert request.WhichOneof("selector") == "id"
    request.name = top.name  # a oneof: setting one clears the other
    assert request.WhichOneof("selector") == "name" and request.id == ""
    assert stub.GetEntity(request, timeout=T).id == top.id


def test_readme_python_example(pb, server, tmp_path):
    """The README's `client.py`, as written, against a live server."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python client", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    script = tmp_path / "client.py"
    script.write_text(code.replace("localhost:50051", server.address), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=pb.out_dir)
    run = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("\n") >= 5, run.stdout

"""Extraction quality, held to thresholds through the public API.

Serves each scored corpus (the seeds with the shared gold, the fixture
articles with their own gold), gathers what the server returns (articles,
entities, quotes, mentions) through the generated stubs, scores it with the
evaluation kit's scorer (tests/eval/score.py) and fails when any figure in
tests/eval/thresholds.json is not reached: precision, recall and F1 overall
and per entity type, quote precision / recall / F1, attribution and alias
merging. The thresholds sit just under today's figures, so a regression
fails CI; the README's quality table is copied from this test's output
(`target/quality.json`, also printed with `pytest -s`).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import grpc
import pytest
from google.protobuf import json_format

from conftest import ROOT, SEEDS, launch

EVAL = ROOT / "tests" / "eval"
sys.path.insert(0, str(EVAL))
import score as scorer  # noqa: E402  (the kit's scorer, imported from its folder)

CORPORA = {
    "seeds": (SEEDS, EVAL / "seeds-gold.json"),
    "fixtures": (ROOT / "tests" / "fixtures" / "articles", ROOT / "tests" / "fixtures" / "articles" / "gold.json"),
}
THRESHOLDS = json.loads((EVAL / "thresholds.json").read_text())
REPORT = ROOT / "target" / "quality.json"


def as_dicts(stream) -> list[dict]:
    # camelCase names and enum names, as grpcurl's JSON gives them to score-live.sh.
    return [json_format.MessageToDict(item) for item in stream]


def gather(pb, address: str) -> dict:
    with grpc.insecure_channel(address) as channel:
        stub = pb.grpc.CorpusServiceStub(channel)
        return {
            "articles": as_dicts(stub.ListArticles(pb.svc.ListArticlesRequest(), timeout=120)),
            "entities": as_dicts(stub.ListEntities(pb.svc.ListEntitiesRequest(), timeout=120)),
            "quotes": as_dicts(stub.ListQuotes(pb.svc.ListQuotesRequest(), timeout=120)),
            "mentions": as_dicts(stub.ListMentions(pb.svc.ListMentionsRequest(), timeout=120)),
        }


def failures(figures: dict, wanted: dict) -> list[str]:
    """Each threshold not reached, as `metric: got < wanted`."""
    out = []
    for metric, minimum in wanted.items():
        if metric == "by_type":
            for kind, per in minimum.items():
                got = figures["by_type"].get(kind, {})
                for key, floor in per.items():
                    if got.get(key, 0.0) < floor:
                        out.append(f"{kind} {key}: {got.get(key, 0.0)} < {floor}")
        elif (figures.get(metric) or 0.0) < minimum:
            out.append(f"{metric}: {figures.get(metric)} < {minimum}")
    return out


@pytest.fixture(scope="module")
def report():
    figures: dict = {}
    yield figures
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(REPORT.read_text()) if REPORT.is_file() else {}
    previous.update(figures)
    REPORT.write_text(json.dumps(previous, indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_extraction_quality_holds_its_thresholds(pb, tmp_path, report, corpus):
    folder, gold_path = CORPORA[corpus]
    server = launch(tmp_path, corpus=folder)
    try:
        bundle = gather(pb, server.address)
    finally:
        server.stop()
    gold = json.loads(gold_path.read_text())
    figures, misses = scorer.score(gold, bundle)
    report[corpus] = figures
    print(f"\n{corpus}: {json.dumps(figures)}")
    assert not figures["articles_missing"], figures["articles_missing"]
    problems = failures(figures, THRESHOLDS[corpus])
    assert not problems, "\n".join(problems) + "\n" + json.dumps(
        {k: v[:20] for k, v in misses.items()}, indent=1
    )

"""Evaluation: the metrics checked by hand, and a run of both modes over a tiny catalog of real files."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest
from PIL import Image

from core.search.encode import encode_image
from core.search.evaluate import (
    average_precision_at_k,
    compare,
    evaluate,
    format_comparison,
    format_report,
    ndcg_at_k,
    query_metrics,
    recall_at_k,
    reciprocal_rank,
)
from tests.test_search_fixtures import StubRegistry, open_builder, open_catalog, textured


@pytest.fixture
def catalog(tmp_path):
    yield from open_catalog(tmp_path)


@pytest.fixture
def builder(catalog):
    yield from open_builder(catalog)


def test_metrics_by_hand():
    ranked = [5, 1, 7, 2, 9]
    relevant, related = {1, 2}, {7}
    assert recall_at_k(ranked, relevant, 1) == 0.0
    assert recall_at_k(ranked, relevant, 2) == 0.5
    assert recall_at_k(ranked, relevant, 5) == 1.0
    # Relevant at ranks 2 and 4: precisions 1/2 and 2/4, over min(2, 10) relevant.
    assert average_precision_at_k(ranked, relevant, 10) == pytest.approx(0.5)
    assert reciprocal_rank(ranked, relevant) == 0.5
    # Gains: relevant 2, related 1. DCG = 2/log2(3) + 1/log2(4) + 2/log2(5); ideal = 2 + 2/log2(3) + 1/2.
    dcg = 2 / math.log2(3) + 0.5 + 2 / math.log2(5)
    ideal = 2 + 2 / math.log2(3) + 0.5
    gains = {1: 2.0, 2: 2.0, 7: 1.0}
    assert ndcg_at_k(ranked, gains, 10) == pytest.approx(dcg / ideal)
    assert dcg / ideal == pytest.approx(0.69732, abs=1e-5)
    m = query_metrics(ranked, relevant, related)
    assert m["ndcg@10"] == pytest.approx(dcg / ideal) and m["mrr"] == 0.5
    assert query_metrics([3, 4], {1}) == {"hit@1": 0.0, "recall@1": 0.0, "recall@5": 0.0, "recall@10": 0.0,
                                          "map@10": 0.0, "mrr": 0.0, "ndcg@10": 0.0,
                                          "same_garment_other_colour@1": 0.0}
    # Three colours are relevant: the first result can be right (hit@1) while recall@1 is a third.
    assert query_metrics([1, 9], {1, 2, 3})["hit@1"] == 1.0
    assert average_precision_at_k([1], {1, 2, 3}, 10) == pytest.approx(1 / 3)


def test_evaluate_both_modes_on_real_files(catalog, builder, tmp_path):
    registry = StubRegistry()
    blobs = catalog.root / "blobs" / "test"
    blobs.mkdir(parents=True)
    qdir = tmp_path / "eval"
    (qdir / "queries").mkdir(parents=True)
    colours = {"P1": (200, 30, 30), "P2": (30, 160, 40), "P3": (40, 40, 200)}
    for n, (sku, colour) in enumerate(colours.items()):
        path = blobs / f"{sku}.png"
        Image.fromarray(textured((120, 160), colour, seed=n, square=(40, 30, 120, 90))).save(path)
        vector = encode_image(registry, catalog.settings, path).vector
        if sku == "P3":
            vector = registry.embedder().embed_texts(["blue gadget"])[0]
        builder.add(sku, [vector], image=path, size=(120, 160), source_folder=f"/imports/Folder-{sku}")
        shutil.copy(path, qdir / "queries" / f"{sku.lower()}.png")
    lines = [
        {"query": "queries/p1.png", "relevant": ["folder-p1"], "related": ["p2"]},
        {"query": "queries/p2.png", "relevant": ["p2"]},
        {"text": "blue gadget", "relevant": ["P3"]},
        {"query": "queries/p1.png", "relevant": ["not-in-catalog"]},
    ]
    (qdir / "queries.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")

    pipeline = evaluate(catalog, registry, qdir / "queries.jsonl", details=True)
    assert pipeline["queries"] == 3 and pipeline["skipped"] == 1
    assert pipeline["metrics"]["recall@1"] == 1.0 and pipeline["metrics"]["mrr"] == 1.0
    assert pipeline["by_kind"]["text"]["queries"] == 1
    assert pipeline["per_query"][0]["relevant"] == ["P1"] and pipeline["per_query"][0]["top"][0] == "P1"
    assert pipeline["skipped_queries"][0]["reason"] == "no relevant product is in the catalog"
    # every row carries the #1 result's word, and the summary says how honest the words were
    assert all(r["top_match"] in ("strong", "good", "weak") for r in pipeline["per_query"])
    assert all(0 <= r["top_match_percent"] <= 100 for r in pipeline["per_query"])
    words = pipeline["match_words"]["all"]
    assert words["right_top"] == 3 and words["wrong_top"] == 0 and words["wrong_called_strong"] is None
    assert words["strong"] + words["good"] + words["weak"] == 3

    whole = evaluate(catalog, registry, qdir / "queries.jsonl", mode="whole", details=True)
    assert whole["whole_images"] == 3 and whole["whole_images_embedded"] == 3
    ranks = {r["query"]: r["first_relevant_rank"] for r in whole["per_query"]}
    assert ranks["queries/p1.png"] == 1 and ranks["queries/p2.png"] == 1
    again = evaluate(catalog, registry, qdir / "queries.jsonl", mode="whole")
    assert again["whole_images_embedded"] == 0  # the embedding cache kept them
    assert again["metrics"] == whole["metrics"]

    cmp = compare(whole, pipeline)
    assert cmp["metrics"]["recall@1"]["b"] == 1.0
    assert cmp["metrics"]["recall@1"]["delta"] == pytest.approx(1.0 - whole["metrics"]["recall@1"], abs=1e-4)
    assert "changed" in cmp
    assert "recall@1" in format_comparison(cmp) and "mode=whole" in format_report(whole)
    with pytest.raises(ValueError, match="mode"):
        evaluate(catalog, registry, qdir / "queries.jsonl", mode="other")
    assert np.isfinite(pipeline["seconds"])

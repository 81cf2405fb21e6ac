"""Colour in search: signatures from real pixels, the colour match in the re-ranker, weak matches, eval modes.

The embedder here is the search tests' stub made colour-blind (it sees each pixel's channel mean), a stand-in
for the real one's weakness: red and blue versions of one shape embed alike, so only colour can tell them apart.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image

from core.catalog import db
from core.pipeline.colors import COLOUR_VERSION, colour_signature, colour_similarity, signature_vector
from core.search import fusion
from core.search.encode import encode_image
from core.search.evaluate import confidence_intervals, evaluate, query_metrics, tune_colour_weight
from core.search.explain import describe
from core.search.query import SearchRequest, search
from tests.test_search_fixtures import StubEmbedder, StubRegistry, open_builder, open_catalog, textured

RED, BLUE, GREEN = (200, 30, 30), (30, 30, 200), (30, 150, 60)
SQUARE = (6, 6, 44, 54)  # inside the builder's first crop box (0, 0, 50, 60)


class GreyEmbedder(StubEmbedder):
    """Sees shape and brightness, not hue: every channel replaced by the pixel's channel mean."""

    def embed_images(self, batch: np.ndarray) -> np.ndarray:
        grey = np.repeat(np.asarray(batch, np.float32).mean(axis=1, keepdims=True), 3, axis=1)
        return super().embed_images(grey)


@pytest.fixture
def catalog(tmp_path):
    yield from open_catalog(tmp_path)


@pytest.fixture
def builder(catalog):
    yield from open_builder(catalog)


def _photo(path, colour, seed, square=SQUARE):
    Image.fromarray(textured((64, 64), colour, seed=seed, square=square)).save(path)
    return path


def _two_colours(catalog, builder, tmp_path):
    """A red and a blue product of one shape; the blue photo is the query's twin in grey, the red one is
    another view (shifted), so a colour-blind search prefers blue."""
    registry = StubRegistry(GreyEmbedder())
    blobs = catalog.root / "blobs" / "t"
    blobs.mkdir(parents=True)
    red = _photo(blobs / "red.png", RED, seed=1, square=(8, 8, 46, 56))
    blue = _photo(blobs / "blue.png", BLUE, seed=1)
    green = _photo(blobs / "green.png", GREEN, seed=5, square=(14, 10, 40, 50))
    for sku, path in (("RED", red), ("BLUE", blue), ("GREEN", green)):
        vec = encode_image(registry, catalog.settings, path).vector
        builder.add(sku, [vec], image=path, size=(64, 64), source_folder=f"/in/{sku.lower()}")
    query = _photo(tmp_path / "query.png", RED, seed=1)
    return registry, query


def test_signature_ignores_the_white_background_and_tells_colours_apart():
    red_small = textured((120, 120), RED, seed=0, square=(40, 40, 80, 80))
    red_large = textured((120, 120), RED, seed=3, square=(10, 20, 110, 100))
    navy = textured((120, 120), (25, 35, 90), seed=0, square=(40, 40, 80, 80))
    sig = colour_signature(red_small)
    assert sig["version"] == COLOUR_VERSION and abs(sum(sig["weights"]) - 1) < 1e-3
    a, b, c = (signature_vector(colour_signature(x)) for x in (red_small, red_large, navy))
    same, other = float(colour_similarity(a, b)[0]), float(colour_similarity(a, c)[0])
    # The white border is two thirds of red_small and a fifth of red_large: the background is not the colour.
    assert same > 0.9 and other < 0.3, (same, other)
    assert signature_vector({"version": "old", "bins": [1], "weights": [1.0]}) is None


def test_colour_match_puts_the_right_colour_first(catalog, builder, tmp_path):
    registry, query = _two_colours(catalog, builder, tmp_path)
    blind = search(catalog, registry, SearchRequest(image=query, k=3, colour_weight=0.0), log_query=False)
    assert blind.results[0].sku == "BLUE"  # the embedding alone picks the wrong colour
    seen = search(catalog, registry, SearchRequest(image=query, k=3), log_query=False)
    assert seen.results[0].sku == "RED"
    top = seen.results[0].explanation
    assert top["similarity"]["colour"] > 0.9 > seen.results[1].explanation["similarity"]["colour"]
    assert top["parts"]["colour_match"] == pytest.approx(fusion.colour_weight("stub-v1") * top["similarity"]["colour"],
                                                         abs=1e-5)
    assert top["score"] == pytest.approx(sum(top["parts"].values()), abs=1e-5)
    assert re.search(r"colour match (0\.9\d|1\.00)", describe(top))
    # Colour signatures were measured once from the crops' images and stored (the builder left them empty).
    assert all(c.colour.get("version") == COLOUR_VERSION for c in db.Crop.select())
    # Without re-ranking the search is the plain embedding: no colour.
    plain = search(catalog, registry, SearchRequest(image=query, k=3, rerank=False), log_query=False)
    assert plain.results[0].sku == "BLUE" and plain.results[0].explanation["similarity"]["colour"] is None


def test_recorded_colour_weight_is_used_and_survives_reindex(catalog, builder, tmp_path):
    registry, query = _two_colours(catalog, builder, tmp_path)
    fusion.record("stub-v1", colour_weight=0.0, chosen_by="test")
    assert search(catalog, registry, SearchRequest(image=query, k=3), log_query=False).results[0].sku == "BLUE"
    catalog.register_index("stub-v1", dim=32, embedder="stub", preprocess_version="pp-test",
                           model_settings={"embedder": "stub"})
    assert fusion.fusion_settings("stub-v1")["colour_weight"] == 0.0
    fusion.record("stub-v1", colour_weight=0.5)
    assert search(catalog, registry, SearchRequest(image=query, k=3), log_query=False).results[0].sku == "RED"


def test_weak_match_floor_from_the_catalog_itself():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((200, 32)).astype(np.float32)
    floor = fusion.floor_from_vectors(vectors)
    assert 0.1 < floor < 0.5  # random 32-d directions: cosines spread around 0 with sd ~0.18
    assert fusion.floor_from_vectors(vectors[:2]) is None


def test_weak_matches_are_marked(catalog, builder, tmp_path):
    registry, query = _two_colours(catalog, builder, tmp_path)
    for n in range(30):  # unrelated products give the floor something to measure
        builder.add(f"RAND-{n}", [np.random.default_rng(n).standard_normal(32)])
    response = search(catalog, registry, SearchRequest(image=query, k=40), log_query=False)
    expl = {r.sku: r.explanation for r in response.results}
    assert expl["RED"]["weak_match"] is False and expl["RED"]["weak_floor"] is not None
    weak = [sku for sku, e in expl.items() if e["weak_match"]]
    assert weak and all(expl[s]["similarity"]["image"] < expl[s]["weak_floor"] for s in weak)
    assert "weak match" in describe(expl[weak[0]])


def test_eval_reports_other_colour_cis_and_modes(catalog, builder, tmp_path):
    registry, query = _two_colours(catalog, builder, tmp_path)
    qdir = tmp_path / "eval"
    (qdir / "q").mkdir(parents=True)
    query.rename(qdir / "q" / "red.png")
    # A second photo of RED: whole mode must search every image of a product, not only its first.
    second = db.ImageFile.create(product=db.Product.get(db.Product.sku == "RED"), sha256="x" * 64,
                                 blob_path="blobs/t/red2.png", position=1, width=64, height=64)
    _photo(catalog.root / second.blob_path, RED, seed=1)
    lines = [{"query": "q/red.png", "relevant": ["red"], "related": ["blue"]}]
    (qdir / "queries.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    qfile = qdir / "queries.jsonl"

    colour = evaluate(catalog, registry, qfile)
    assert colour["metrics"]["recall@1"] == 1.0 and colour["metrics"]["same_garment_other_colour@1"] == 0.0
    assert colour["colour_weight"] == fusion.colour_weight("stub-v1")
    blind = evaluate(catalog, registry, qfile, colour_weight=0.0)
    assert blind["metrics"]["same_garment_other_colour@1"] == 1.0 and blind["metrics"]["recall@1"] == 0.0
    plain = evaluate(catalog, registry, qfile, rerank=False)
    assert plain["rerank"] is False and "colour_weight" not in plain
    assert plain["metrics"]["same_garment_other_colour@1"] == 1.0
    whole = evaluate(catalog, registry, qfile, mode="whole", details=True)
    assert whole["whole_images"] == 4  # three first photos and RED's second
    assert whole["per_query"][0]["top"][0] == "RED"  # the second photo is the query's twin
    for result in (colour, blind, whole):
        for m, (lo, hi) in result["ci95"].items():
            assert lo <= result["metrics"][m] <= hi, m


def test_bootstrap_intervals_narrow_with_more_queries():
    rows = [query_metrics([1], {1}) if n % 2 else query_metrics([2], {1}, {2}) for n in range(40)]
    few, many = confidence_intervals(rows[:10]), confidence_intervals(rows * 10)
    assert few["recall@1"][0] < 0.5 < few["recall@1"][1]
    assert many["recall@1"][1] - many["recall@1"][0] < few["recall@1"][1] - few["recall@1"][0]
    assert few["same_garment_other_colour@1"][0] < 0.5 < few["same_garment_other_colour@1"][1]


def test_cross_validation_chooses_the_weight_without_the_held_out_fold():
    groups = [f"g{n % 10}" for n in range(40)]
    scores = {0.0: [0.5] * 40, 0.3: [1.0] * 40, 1.0: [0.9] * 40}
    cv = fusion.cross_validate(scores, groups, folds=5)
    assert cv["colour_weight"] == 0.3 and cv["cv_metric"] == 1.0 and set(cv["fold_weights"]) == {0.3}


def test_tune_records_the_weight_with_the_model_version(catalog, builder, tmp_path):
    registry, query = _two_colours(catalog, builder, tmp_path)
    qdir = tmp_path / "eval"
    qdir.mkdir()
    query.rename(qdir / "red.png")
    lines = [{"query": "red.png", "relevant": ["red"], "related": ["blue"]}] * 4
    (qdir / "queries.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    tuned = tune_colour_weight(catalog, registry, qdir / "queries.jsonl", folds=2, holdout=False)
    assert tuned["colour_weight"] > 0 and tuned["tuning"]["chosen"]["recall@1"] == 1.0
    assert tuned["tuning"]["without_colour"]["recall@1"] == 0.0
    recorded = fusion.fusion_settings("stub-v1")
    assert recorded["colour_weight"] == tuned["colour_weight"] and recorded["chosen_by"].startswith("2-fold")


def test_colour_tells_the_colours_of_one_garment_apart_on_the_dev_sample(dev_sample):
    """Each query photo (another view) against the main photos of its garment's colours: its own colour wins."""
    from core.pipeline.decode import decode

    def signature(path):
        return signature_vector(colour_signature(decode(path)))

    wins = total = 0
    for line in (dev_sample / "queries.jsonl").read_text().splitlines():
        item = json.loads(line)
        if not item.get("related"):
            continue
        query = signature(dev_sample / item["query"])
        own = float(colour_similarity(query, signature(dev_sample / "catalog" / item["relevant"][0] / "main.jpg"))[0])
        others = [float(colour_similarity(query, signature(dev_sample / "catalog" / r / "main.jpg"))[0])
                  for r in item["related"]]
        wins += own > max(others)
        total += 1
    assert total >= 20 and wins / total >= 0.8, (wins, total)

"""Search: each query kind, filters in both regimes against brute force, re-ranking, explanations, logging."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

import core.vectors
from core.catalog import db
from core.models.detector import Detection, propose_boxes
from core.search import QueryError, SearchRequest, parse_filters, search
from core.search.encode import encode_image
from tests.test_search_fixtures import (
    DIM,
    StubDetector,
    StubEmbedder,
    StubRegistry,
    open_builder,
    open_catalog,
    textured,
    unit,
)

RNG = np.random.default_rng(42)


@pytest.fixture
def catalog(tmp_path):
    yield from open_catalog(tmp_path)


@pytest.fixture
def builder(catalog):
    yield from open_builder(catalog)


def random_vectors(n: int, rng=RNG) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def near(v: np.ndarray, noise: float, rng=RNG) -> np.ndarray:
    return unit(v + noise * rng.standard_normal(DIM).astype(np.float32))


def ids(response) -> list[int]:
    return [r.product_id for r in response.results]


def brute_force(b, query: np.ndarray, allowed: list[int], k: int) -> list[int]:
    keys, vectors = b.store.get(allowed)
    sims = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)) @ query
    return keys[np.argsort(-sims, kind="stable")[:k]].tolist()


# --- query kinds ---------------------------------------------------------------------------------
def test_text_query_finds_the_product_described_and_logs_it(catalog, builder):
    registry = StubRegistry()
    text_vec = registry.embedder().embed_texts(["red running shoe"])[0]
    target = builder.add("SHOE-1", [near(text_vec, 0.1)], title="Red runner")
    for n, v in enumerate(random_vectors(30)):
        builder.add(f"OTHER-{n}", [v])

    response = search(catalog, registry, SearchRequest(text="red running shoe", k=5))

    assert response.kind == "text"
    assert ids(response)[0] == target.product.id
    first = response.results[0]
    assert first.sku == "SHOE-1" and first.title == "Red runner"
    assert first.explanation["parts"]["image_similarity"] == 0.0
    assert first.explanation["similarity"]["text"] == pytest.approx(float(text_vec @ builder.store.get(
        [target.product.id])[1][0]), abs=2e-3)  # the index stores f16
    row = db.QueryResult.get_by_id(response.query_id)
    assert row.kind == "text" and row.text == "red running shoe"
    assert row.result_ids == ids(response) and len(row.scores) == 5 and row.latency_ms > 0
    assert row.model_version == "stub-v1"


def test_image_query_uses_the_best_detected_crop(catalog, builder, tmp_path):
    image = textured((120, 160), (200, 30, 30), seed=1, square=(40, 30, 120, 90))
    path = tmp_path / "query.png"
    Image.fromarray(image).save(path)
    # A confident small box and a less confident large one: confidence x area picks the large one.
    big = Detection((38.0, 28.0, 122.0, 92.0), "bag", 0.6)
    small = Detection((40.0, 30.0, 60.0, 50.0), "bag", 0.9)
    registry = StubRegistry(detector=StubDetector([small, big]))
    expected = encode_image(registry, catalog.settings, path, box=big.box).vector
    target = builder.add("BAG-1", [near(expected, 0.05)])
    for n, v in enumerate(random_vectors(20)):
        builder.add(f"OTHER-{n}", [v])

    response = search(catalog, registry, SearchRequest(image=path, k=3))

    assert response.kind == "image"
    assert response.query_box == big.box
    assert ids(response)[0] == target.product.id
    assert response.results[0].explanation["query_box"] == list(big.box)
    assert len(response.query_candidates) == 2
    row = db.QueryResult.get_by_id(response.query_id)
    assert row.image_hash and row.text == ""


def test_image_query_without_detector_falls_back_and_accepts_pixels(catalog, builder):
    image = textured((100, 100), (30, 30, 200), seed=2, square=(20, 20, 80, 80))
    registry = StubRegistry(detector=None)
    builder.add("X", [random_vectors(1)[0]])
    response = search(catalog, registry, SearchRequest(image=image, k=1))
    # The fallback chain proposes the plain-background box; it is too flat to pass the quality
    # checks, so the whole image stands for the query.
    assert [c["box"] for c in response.query_candidates] == [list(propose_boxes(image, [])[0].box)]
    assert response.query_candidates[0]["verdict"] == "rejected"
    assert response.query_box == (0.0, 0.0, 100.0, 100.0)
    assert len(response.results) == 1


def test_a_drawn_box_is_the_query_crop(catalog, builder):
    image = textured((100, 120), (30, 180, 30), seed=3)
    registry = StubRegistry(detector=StubDetector([Detection((0.0, 0.0, 120.0, 100.0), "x", 0.99)]))
    box = (10.0, 12.0, 70.0, 66.0)
    expected = encode_image(registry, catalog.settings, image, box=box).vector
    target = builder.add("DRAWN", [expected])
    builder.add("WHOLE", [encode_image(registry, catalog.settings, image).vector])
    response = search(catalog, registry, SearchRequest(image=image, box=box, k=2))
    assert response.query_box == box
    assert ids(response)[0] == target.product.id
    assert response.results[0].score == pytest.approx(1.0, abs=2e-3)


def test_hybrid_alpha_moves_the_ranking(catalog, builder):
    registry = StubRegistry()
    image = textured((100, 100), (200, 200, 30), seed=4)
    image_vec = encode_image(registry, catalog.settings, image).vector
    text_vec = registry.embedder().embed_texts(["leather wallet"])[0]
    looks = builder.add("LOOKS-RIGHT", [near(image_vec, 0.2)])
    reads = builder.add("READS-RIGHT", [near(text_vec, 0.2)])
    for n, v in enumerate(random_vectors(10)):
        builder.add(f"OTHER-{n}", [v])

    def top(alpha: float) -> int:
        request = SearchRequest(image=image, text="leather wallet", alpha=alpha, k=2)
        response = search(catalog, registry, request)
        assert response.kind == "hybrid"
        return ids(response)[0]

    assert top(0.9) == looks.product.id
    assert top(0.1) == reads.product.id
    assert db.QueryResult.select().where(db.QueryResult.kind == "hybrid").first().alpha == pytest.approx(0.9)


def test_text_search_without_a_text_model_uses_the_words(catalog, builder):
    vectors = random_vectors(3)
    builder.add("X", [vectors[0]], title="Plain mug")
    bag = builder.add("BAG-7", [vectors[1]], title="Joust Duffle Bag")
    builder.add("Y", [vectors[2]], title="Bag strap")
    registry = StubRegistry(StubEmbedder(supports_text=False))
    response = search(catalog, registry, SearchRequest(text="duffle bag"))
    assert response.kind == "text" and ids(response)[0] == bag.product.id
    assert response.results[0].explanation["matched_fields"]["title"] == ["bag", "duffle"]
    # Words that match nothing give no results, not an error; a query with no words at all needs CLIP.
    assert search(catalog, registry, SearchRequest(text="zebra")).results == []
    with pytest.raises(QueryError, match="text search is not available"):
        search(catalog, registry, SearchRequest(text="!!!"))


def test_similar_to_uses_the_stored_vector_and_excludes_the_product(catalog, builder):
    base = random_vectors(1)[0]
    source = builder.add("SRC", [base])
    twin = builder.add("TWIN", [near(base, 0.05)])
    for n, v in enumerate(random_vectors(15)):
        builder.add(f"OTHER-{n}", [v])
    response = search(catalog, None, SearchRequest(similar_to=source.product.id, k=5))
    assert response.kind == "similar"
    assert source.product.id not in ids(response)
    assert ids(response)[0] == twin.product.id
    assert len(response.results) == 5


# --- filters: both regimes against brute force ----------------------------------------------------
def _filtered_catalog(b, n: int, rng) -> np.ndarray:
    vectors = random_vectors(n, rng)
    for i, v in enumerate(vectors):
        b.add(f"P{i:05d}", [v], category=["Gear/Bags", "Gear/Watches", "Men/Tops/Jackets"][i % 3],
                    attributes={"color": ["Blue", "Red", "Black", "Navy Blue"][i % 4]}, price=float(i % 100),
                    corrected=i % 5 == 0)
    return vectors


def test_filtered_search_is_exact_over_small_subsets(catalog, builder):
    rng = np.random.default_rng(1)
    _filtered_catalog(builder, 400, rng)
    for spec in (["category=Gear/Bags"], ["color=blue", "price=10..60"], ["corrected=yes", "category=Men"]):
        filters = parse_filters(spec)
        allowed = filters.product_ids()
        query = random_vectors(1, rng)[0]
        registry = StubRegistry()
        registry.embedder().embed_texts = lambda texts, q=query: q[None, :]
        response = search(catalog, registry, SearchRequest(text="q", filters=spec, k=10, rerank=False))
        assert response.exact
        assert ids(response) == brute_force(builder, query, allowed, 10)
        assert set(ids(response)) <= set(allowed)


def test_filtered_search_uses_hnsw_with_oversampling_over_large_subsets(catalog, builder, monkeypatch):
    monkeypatch.setattr(core.vectors, "EXACT_SUBSET_LIMIT", 10)
    monkeypatch.setattr(core.vectors, "EXACT_SUBSET_FACTOR", 0)
    rng = np.random.default_rng(2)
    _filtered_catalog(builder, 1500, rng)
    spec = ["category=Gear/Watches", "color=blue"]  # ~1/6 of the catalog
    allowed = parse_filters(spec).product_ids()
    assert len(allowed) > 10
    overlaps = []
    for _ in range(10):
        query = random_vectors(1, rng)[0]
        registry = StubRegistry()
        registry.embedder().embed_texts = lambda texts, q=query: q[None, :]
        response = search(catalog, registry, SearchRequest(text="q", filters=spec, k=10, rerank=False))
        assert not response.exact
        assert len(response.results) == 10
        assert set(ids(response)) <= set(allowed)
        overlaps.append(len(set(ids(response)) & set(brute_force(builder, query, allowed, 10))) / 10)
    assert np.mean(overlaps) >= 0.95


def test_filters_return_k_whenever_k_products_match(catalog, builder):
    rng = np.random.default_rng(3)
    _filtered_catalog(builder, 60, rng)
    registry = StubRegistry()
    few = search(catalog, registry, SearchRequest(text="x", filters={"price": "0..1"}, k=10))
    assert len(few.results) == len(parse_filters({"price": "0..1"}).product_ids()) == 2
    many = search(catalog, registry, SearchRequest(text="x", filters=["category=Gear"], k=10))
    assert len(many.results) == 10
    none = search(catalog, registry, SearchRequest(text="x", filters=["category=Nothing"], k=10))
    assert none.results == [] and none.filtered == 0
    assert db.QueryResult.get_by_id(none.query_id).filters == {"category": ["Nothing"]}


# --- re-ranking -----------------------------------------------------------------------------------
def test_a_product_whose_other_crop_matches_best_rises(catalog, builder):
    rng = np.random.default_rng(4)
    query = random_vectors(1, rng)[0]
    rival = builder.add("RIVAL", [near(query, 0.15, rng)])  # primary moderately close
    # The back view matches the query; its primary (front view) does not.
    hidden = builder.add("HIDDEN", [random_vectors(1, rng)[0], near(query, 0.05, rng)], primary=0)
    for n, v in enumerate(random_vectors(20, rng)):
        builder.add(f"OTHER-{n}", [v])
    registry = StubRegistry()
    registry.embedder().embed_texts = lambda texts: query[None, :]

    plain = search(catalog, registry, SearchRequest(text="q", k=5, rerank=False))
    reranked = search(catalog, registry, SearchRequest(text="q", k=5, rerank=True))

    assert ids(plain)[0] == rival.product.id
    assert hidden.product.id not in ids(plain)[:1]
    assert ids(reranked)[0] == hidden.product.id
    crop = reranked.results[0].explanation["matched_crop"]
    assert crop["crop_id"] == hidden.crops[1].id and crop["is_primary"] is False
    assert crop["box"] == [1.0, 1.0, 51.0, 61.0]


def test_curator_confirmed_labels_boost_matching_products(catalog, builder):
    v = random_vectors(1)[0]
    plain = builder.add("PLAIN", [v])
    confirmed = builder.add("CONFIRMED", [v])
    db.Label.create(product=plain.product, vocabulary="colours", value="blue", source="zero-shot", score=0.4)
    db.Label.create(product=confirmed.product, vocabulary="colours", value="blue", source="curator",
                    confirmed=True)
    registry = StubRegistry()
    registry.embedder().embed_texts = lambda texts: v[None, :]
    response = search(catalog, registry, SearchRequest(text="blue", filters=["label=colours:blue"], k=2))
    assert ids(response) == [confirmed.product.id, plain.product.id]
    top = response.results[0].explanation
    assert top["parts"]["label_boost"] > 0 and top["matched_labels"] == ["colours:blue"]
    assert response.results[1].explanation["parts"]["label_boost"] == 0


def test_query_words_in_attributes_give_a_filter_boost(catalog, builder):
    v = random_vectors(1)[0]
    builder.add("RED", [v], attributes={"color": "Red"})
    blue = builder.add("BLUE", [v], attributes={"color": "Navy Blue"})
    registry = StubRegistry()
    registry.embedder().embed_texts = lambda texts: v[None, :]
    response = search(catalog, registry, SearchRequest(text="blue bags", k=2))
    assert ids(response)[0] == blue.product.id
    assert response.results[0].explanation["matched_terms"] == ["blue"]


def test_diversity_brings_a_different_product_up(catalog, builder):
    rng = np.random.default_rng(5)
    query = random_vectors(1, rng)[0]
    copies = [builder.add(f"COPY-{i}", [near(query, 0.05, rng)]) for i in range(4)]
    other = builder.add("OTHER", [near(query, 0.12, rng)])
    registry = StubRegistry()
    registry.embedder().embed_texts = lambda texts: query[None, :]
    plain = search(catalog, registry, SearchRequest(text="q", k=3))
    diverse = search(catalog, registry, SearchRequest(text="q", k=3, diversity=0.7))
    assert other.product.id not in ids(plain)
    assert ids(diverse)[0] in {c.product.id for c in copies}
    assert other.product.id in ids(diverse)


# --- explanations and the API shape ---------------------------------------------------------------
def test_explanation_parts_add_up_to_the_score(catalog, builder):
    rng = np.random.default_rng(6)
    registry = StubRegistry()
    image = textured((100, 100), (120, 60, 200), seed=6)
    for n, v in enumerate(random_vectors(25, rng)):
        b = builder.add(f"P{n}", [v, random_vectors(1, rng)[0]], attributes={"color": "Blue" if n % 2 else "Red"})
        if n % 3 == 0:
            db.Label.create(product=b.product, vocabulary="colours", value="blue", confirmed=True)
    response = search(catalog, registry, SearchRequest(image=image, text="blue thing", alpha=0.6, k=10))
    assert len(response.results) == 10
    scores = [r.score for r in response.results]
    assert scores == sorted(scores, reverse=True)
    for result in response.results:
        e = result.explanation
        assert sum(e["parts"].values()) == pytest.approx(result.score, abs=1e-5)
        assert e["parts"]["image_similarity"] == pytest.approx(0.6 * e["similarity"]["image"], abs=1e-5)
        text = e["similarity"].get("text_relevance", e["similarity"]["text"])
        assert e["parts"]["text_similarity"] == pytest.approx(0.4 * text, abs=1e-5)
        assert e["matched_crop"]["crop_id"] is not None and len(e["matched_crop"]["box"]) == 4
        assert e["query_box"] is not None
    payload = json.loads(json.dumps(response.to_dict()))
    assert set(payload["results"][0]) == {"product_id", "sku", "title", "score", "explanation"}
    assert payload["seconds"] > 0 and payload["query_id"] == response.query_id


def test_deleted_products_never_come_back(catalog, builder):
    v = random_vectors(1)[0]
    gone = builder.add("GONE", [v])
    kept = builder.add("KEPT", [near(v, 0.3)])
    gone.product.soft_delete()
    registry = StubRegistry()
    registry.embedder().embed_texts = lambda texts: v[None, :]
    response = search(catalog, registry, SearchRequest(text="q", k=5))
    assert ids(response) == [kept.product.id]


def test_no_log_when_asked_and_bad_requests_explain_themselves(catalog, builder):
    builder.add("X", [random_vectors(1)[0]])
    registry = StubRegistry()
    response = search(catalog, registry, SearchRequest(text="x"), log_query=False)
    assert response.query_id is None and db.QueryResult.select().count() == 0
    with pytest.raises(QueryError, match="needs a text, an image"):
        search(catalog, registry, SearchRequest())
    with pytest.raises(QueryError, match="no vector"):
        search(catalog, registry, SearchRequest(similar_to=99999))
    with pytest.raises(QueryError, match="empty"):
        search(catalog, registry, SearchRequest(image=textured((50, 50), (1, 2, 3)), box=(10, 10, 10, 40)))

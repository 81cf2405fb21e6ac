"""Near-duplicates through the index: planted copies are grouped, distinct products are not."""

from __future__ import annotations

import numpy as np
import pytest

import core.search.duplicates as dup
from core.search import find_duplicates
from tests.test_search_fixtures import DIM, open_builder, open_catalog


@pytest.fixture
def catalog(tmp_path):
    yield from open_catalog(tmp_path)


@pytest.fixture
def builder(catalog):
    yield from open_builder(catalog)


def _plant(builder, rng, n_random: int = 400):
    vectors = rng.standard_normal((n_random, DIM)).astype(np.float32)
    ids = [builder.add(f"R{i}", [v]).product.id for i, v in enumerate(vectors)]
    planted = []
    for g, size in enumerate([2, 2, 3]):
        base = rng.standard_normal(DIM).astype(np.float32)
        group = [builder.add(f"D{g}-{j}", [base + 0.02 * rng.standard_normal(DIM)]).product.id for j in range(size)]
        planted.append(sorted(group))
    return ids, planted


@pytest.mark.parametrize("exact_limit", [dup.EXACT_LIMIT, 0])  # exact search, then HNSW
def test_planted_duplicates_are_found_and_nothing_else(catalog, builder, monkeypatch, exact_limit):
    monkeypatch.setattr(dup, "EXACT_LIMIT", exact_limit)
    monkeypatch.setattr(dup, "CHUNK", 64)  # several chunks
    catalog.activate("stub-v1")
    _, planted = _plant(builder, np.random.default_rng(0))
    groups = find_duplicates(catalog, threshold=0.95)
    assert sorted(g.product_ids for g in groups) == sorted(planted)
    biggest = groups[0]
    assert len(biggest.product_ids) == 3 and biggest.skus[0].startswith("D2")
    assert 0.95 <= biggest.min_similarity <= biggest.max_similarity <= 1.0 + 1e-3
    assert len(biggest.pairs) == 3  # each link once
    assert set(biggest.to_dict()) == {"product_ids", "skus", "min_similarity", "max_similarity", "pairs"}


def test_threshold_single_linkage_and_deleted_products(catalog, builder):
    rng = np.random.default_rng(1)
    a = rng.standard_normal(DIM).astype(np.float32)
    b = rng.standard_normal(DIM).astype(np.float32)
    x = builder.add("X", [a]).product
    # y sits between a and b: x~y (0.86) and y~z (0.93) pass 0.8, x~z (0.61) does not.
    y = builder.add("Y", [a / np.linalg.norm(a) + 0.6 * b / np.linalg.norm(b)]).product
    z = builder.add("Z", [a / np.linalg.norm(a) + 1.3 * b / np.linalg.norm(b)]).product
    for i, v in enumerate(rng.standard_normal((50, DIM)).astype(np.float32)):
        builder.add(f"R{i}", [v])
    groups = find_duplicates(catalog, threshold=0.8, model_version="stub-v1")
    assert [g.product_ids for g in groups] == [sorted([x.id, y.id, z.id])]
    assert len(groups[0].pairs) == 2 and groups[0].min_similarity >= 0.8
    assert find_duplicates(catalog, threshold=0.99, model_version="stub-v1") == []
    y.soft_delete()
    assert find_duplicates(catalog, threshold=0.8, model_version="stub-v1") == []


def test_progress_and_stop(catalog, builder, monkeypatch):
    monkeypatch.setattr(dup, "CHUNK", 10)
    _plant(builder, np.random.default_rng(2), n_random=30)
    seen = []
    find_duplicates(catalog, 0.95, model_version="stub-v1", progress=lambda d, t, m: seen.append((d, t)))
    assert seen[-1] == (37, 37) and len(seen) == 4
    assert find_duplicates(catalog, 0.95, model_version="stub-v1", should_stop=lambda: True) == []

"""The review queue's reasons tell products apart: which boxes compete for the main crop, and which labels are
guesses, per product (not one sentence for every row)."""

from __future__ import annotations

import numpy as np
import pytest

from core.catalog import db, queries
from tests.test_search_fixtures import DIM, open_builder, open_catalog


@pytest.fixture
def catalog(tmp_path):
    yield from open_catalog(tmp_path)


@pytest.fixture
def builder(catalog):
    yield from open_builder(catalog)


def test_details_name_the_competing_boxes_and_the_guessed_labels(catalog, builder):
    rng = np.random.default_rng(0)
    made = []
    for i, (a, b, guess) in enumerate([(0.63, 0.55, ("style", "sporty", 0.52)), (0.40, 0.23, None),
                                       (0.39, 0.16, ("style", "casual", 0.31))]):
        built = builder.add(f"P{i}", rng.standard_normal((2, DIM)).astype(np.float32))
        first, second = built.crops
        db.Crop.update(primary_score=a, score_parts={"consistency": 0.4, "size": 0.7}).where(
            db.Crop.id == first.id).execute()
        db.Crop.update(primary_score=b, score_parts={"consistency": 0.66, "size": 0.7}).where(
            db.Crop.id == second.id).execute()
        db.Label.create(product=built.product, vocabulary="colours", value="gray", score=0.9, source="pixels")
        if guess:
            db.Label.create(product=built.product, vocabulary=guess[0], value=guess[1], score=guess[2],
                            source="zero-shot")
            db.Label.create(product=built.product, vocabulary=guess[0], value="other", score=0.2,
                            source="zero-shot")
        made.append(built.product.id)
    details = queries.review_details(made)
    texts = ["; ".join(details[p]) for p in made]
    assert len(set(texts)) == 3, texts
    assert texts[0].startswith("Main crop: two boxes on photo 1 (63% against 55%)")
    assert "the other looks more like the product's other photos" in texts[0]
    assert "style: sporty 52% or other 20%?" in texts[0]
    assert "style: casual 31% or other 20%?" in texts[2]
    assert all("colours" not in t for t in texts)  # gray at 90 %: sure, not a guess

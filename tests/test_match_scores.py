"""Match scores a curator can read: calibrated thresholds, one 0-100 % scale, reasons in words."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from core.search import explain, match


def _expl(**kw):
    base = dict(alpha=1.0, image_similarity=None, text_similarity=None, label_boost=0.0, filter_boost=0.0,
                matched_crop=None, query_box=None, matched_labels=[], matched_terms=[], retrieval_rank=3,
                primary_score=None, exact=True, reranked=True)
    base.update(kw)
    return explain.explanation(**base)


def test_fit_keeps_both_error_rates_within_ten_percent():
    rng = np.random.default_rng(0)
    right = list(np.clip(rng.normal(0.85, 0.06, 300), 0, 1))
    wrong = list(np.clip(rng.normal(0.70, 0.08, 120), 0, 1))
    cal = match.fit(right, wrong, floor=0.55)
    assert cal["right_called_weak"] <= match.WEAK_SHARE and cal["wrong_called_strong"] <= match.STRONG_SHARE
    # and on fresh draws from the same catalog, about the same
    right2 = np.clip(rng.normal(0.85, 0.06, 3000), 0, 1)
    wrong2 = np.clip(rng.normal(0.70, 0.08, 3000), 0, 1)
    assert np.mean(right2 < cal["t_weak"]) <= 0.13 and np.mean(wrong2 >= cal["t_strong"]) <= 0.13
    assert 0.55 <= cal["floor"] < cal["t_weak"] <= cal["t_strong"] <= 1.0


def test_percent_is_monotone_and_words_follow_the_calibration():
    cal = {"floor": 0.5, "t_weak": 0.7, "t_strong": 0.85}
    assert match.percent_of(0.5, cal) == 0 and match.percent_of(0.2, cal) == 0
    assert match.percent_of(0.7, cal) == 50 and match.percent_of(1.0, cal) == 100
    assert 79 <= match.percent_of(0.85, cal) <= 80
    cosines = np.linspace(0, 1, 101)
    percents = [match.percent_of(c, cal) for c in cosines]
    assert percents == sorted(percents)
    assert match.word_for(match.percent_of(0.69, cal)) == "weak"
    assert match.word_for(match.percent_of(0.75, cal)) == "good"
    assert match.word_for(match.percent_of(0.9, cal)) == "strong"


def test_reasons_are_words_on_one_scale_and_skip_what_does_not_apply():
    cal = {"floor": 0.5, "t_weak": 0.7, "t_strong": 0.85}
    expl = _expl(image_similarity=0.9, colour_match=0.97, colour_weight=5.0,
                 matched_crop={"crop_id": 3, "image_id": 2, "box": [0, 0, 9, 9], "is_primary": True},
                 matched_fields={"title": ["backpack"]})
    m = match.match(expl, cal)
    assert m["basis"] == "photo" and m["word"] == "strong" and m["percent"] == match.percent_of(0.9, cal)
    words = match.reasons(expl, cal)
    assert words == [f"shape {m['percent']} %", "same colour 97 %", "title words: backpack"]
    assert not any("cosine" in w or "alpha" in w or "+0.000" in w or "floor" in w for w in words)
    numbers = match.details(expl)
    assert any("image cosine 0.900" in line for line in numbers)
    assert all("0.000" not in line.split("=")[0] for line in numbers if line.startswith("score"))


@pytest.mark.parametrize("fields, sku, word", [({}, False, "weak"), ({"title": ["bag"]}, False, "good"),
                                               ({"sku": ["24-mb03"]}, True, "strong")])
def test_words_only_queries_say_what_matched(fields, sku, word):
    expl = _expl(alpha=0.0, text_similarity=0.4, matched_fields=fields, sku_exact=sku, text_relevance=0.4,
                 lexical=0.5)
    m = match.match(expl, None)
    assert m["basis"] == "words" and m["word"] == word and 0 <= m["percent"] <= 100


def test_calibration_from_a_catalogs_views(tmp_path):
    """Real crop index: two views of each product; a view's own crop is left out, so each finds its product's
    other view (right) unless another product's crop is nearer (wrong)."""
    from core.catalog import crop_index, db
    from tests.test_search_fixtures import DIM, open_builder, open_catalog

    gen = open_catalog(tmp_path)
    catalog = next(gen)
    builder_gen = open_builder(catalog)
    builder = next(builder_gen)
    try:
        rng = np.random.default_rng(4)
        for i in range(30):
            base = rng.standard_normal(DIM).astype(np.float32)
            noise = 0.3 if i % 5 else 3.0  # every fifth product's second view looks like nothing in particular
            builder.add(f"P{i}", [base, base + noise * rng.standard_normal(DIM).astype(np.float32)])
        catalog.activate("stub-v1")
        info = db.VectorIndexInfo.get(db.VectorIndexInfo.model_version == "stub-v1")
        crop_index.build(catalog, info)
        right, wrong, size = match.holdout_cosines(catalog, "stub-v1")
        assert size >= 60 and len(right) + len(wrong) >= 30
        assert len(right) >= 20  # the close second views find their own product
        cal = match.fit_calibration(catalog, "stub-v1")
        assert cal["crops"] == size and cal["t_weak"] <= cal["t_strong"]
        assert match.calibration(catalog, "stub-v1")["t_weak"] == cal["t_weak"]
    finally:
        for g in (builder_gen, gen):
            with contextlib.suppress(StopIteration):
                next(g)


def test_same_shape_in_another_colour_is_never_strong():
    cal = {"floor": 0.5, "t_weak": 0.7, "t_strong": 0.85}
    same = match.match(_expl(image_similarity=0.95, colour_match=0.9, colour_weight=1.0), cal)
    other = match.match(_expl(image_similarity=0.95, colour_match=0.2, colour_weight=1.0), cal)
    assert same["word"] == "strong" and other["word"] == "good" and other["percent"] < same["percent"]
    assert "colour 20 %" in match.reasons(_expl(image_similarity=0.95, colour_match=0.2, colour_weight=1.0), cal)

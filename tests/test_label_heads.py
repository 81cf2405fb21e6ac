"""Label heads: learn curators' labels, and only replace zero-shot where they beat it."""

from __future__ import annotations

import numpy as np

from core.ops.label_heads import SoftmaxHead, train_head


def _data(rng, n_per_class=20, dim=32):
    centres = rng.standard_normal((3, dim))
    x = np.vstack([c + 0.3 * rng.standard_normal((n_per_class, dim)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    values = [v for v in ("red", "blue", "green") for _ in range(n_per_class)]
    return x.astype(np.float32), values


def test_head_learns_and_beats_a_poor_zero_shot(tmp_path):
    x, values = _data(np.random.default_rng(0))
    head, report = train_head("colours", x, values, model_version="m1",
                              zero_shot=lambda v: ["red"] * len(v))
    assert report.head_accuracy >= 0.9 and report.zero_shot_accuracy < 0.6 and report.active
    assert report.version.startswith("m1/head-")
    head.save(tmp_path / "colours.npz", report)
    loaded, loaded_report = SoftmaxHead.load(tmp_path / "colours.npz")
    assert loaded.predict(x[:3]) == head.predict(x[:3]) and loaded_report == report


def test_head_not_used_when_zero_shot_is_better():
    x, values = _data(np.random.default_rng(1))

    def oracle(vectors):  # a zero-shot that knows every answer: a head can only tie it
        return [values[int(np.argmin(np.linalg.norm(x - row, axis=1)))] for row in vectors]

    _, report = train_head("colours", x, values, model_version="m1", zero_shot=oracle)
    assert report.zero_shot_accuracy == 1.0 and not report.active


def test_too_few_examples_gives_no_head():
    x, values = _data(np.random.default_rng(2), n_per_class=2)
    assert train_head("colours", x, values, model_version="m1") is None


def test_retrain_from_curator_labels_in_a_catalog(tmp_path, tiny_model_settings):
    from core.catalog import db
    from core.catalog.catalog import Catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry
    from core.ops.label_heads import maybe_retrain
    from core.review import Reviewer
    from tests.test_indexer import _make_products

    catalog = Catalog.open(tmp_path / "cat")
    catalog.settings.models = tiny_model_settings
    registry = ModelRegistry(tiny_model_settings)
    try:
        src = _make_products(tmp_path / "src", n=12)  # six colours, each twice
        run_index_job(catalog, registry, [src])
        reviewer = Reviewer(catalog, registry)
        colours = ["red", "blue", "green", "yellow", "purple", "black"]
        for product in db.Product.select():
            i = int(product.sku.split("-")[1])
            reviewer.add_label(product.id, "colours", colours[i % 6])
        assert maybe_retrain(catalog, registry, every=1000) is None  # not enough new corrections yet
        reports = maybe_retrain(catalog, registry, every=5)
        reviewer.close()
        assert [r.vocabulary for r in reports] == ["colours"]
        head = db.LabelHead.get(db.LabelHead.vocabulary == "colours")
        assert head.examples == 12 and 0.0 <= head.head_accuracy <= 1.0
        assert head.zero_shot_accuracy is not None  # both accuracies are reported
        assert head.active == (head.head_accuracy > head.zero_shot_accuracy)
        assert db.Setting.get(db.Setting.key == "label_heads_trained_at").value == 12
    finally:
        registry.close()
        catalog.close()

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

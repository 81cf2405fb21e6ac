"""Drift detection: quiet on batches from the reference distribution, loud on shifted ones."""

from __future__ import annotations

import numpy as np
import pytest

from core.ops.drift import DriftDetector, synthetic_benchmark


def _sphere(rng, n, dim, centre=None, spread=0.3):
    centre = rng.standard_normal(dim) if centre is None else centre
    x = centre / np.linalg.norm(centre) + spread * rng.standard_normal((n, dim)) / np.sqrt(dim) * 3
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_same_distribution_is_not_drift():
    rng = np.random.default_rng(0)
    centre = rng.standard_normal(64)
    detector = DriftDetector().fit(_sphere(rng, 1000, 64, centre))
    alarms = sum(detector.test(_sphere(rng, 64, 64, centre)).drift for _ in range(50))
    assert alarms <= 2


def test_new_kind_of_photo_is_drift():
    rng = np.random.default_rng(1)
    centre = rng.standard_normal(64)
    detector = DriftDetector().fit(_sphere(rng, 1000, 64, centre))
    result = detector.test(_sphere(rng, 64, 64))  # another centre
    assert result.drift and result.p_value < 0.01
    assert result.to_dict()["batch_size"] == 64


def test_small_inputs_are_refused():
    detector = DriftDetector()
    with pytest.raises(ValueError):
        detector.fit(np.zeros((5, 8)))


def test_synthetic_benchmark_meets_goal():
    report = synthetic_benchmark(trials=80)
    assert report["accuracy"] >= 0.95 and report["false_alarm_rate"] <= 0.05



def test_real_benchmark_splits_and_counts():
    """The real-embedding mode's mechanics (the figures come from bench/drift_accuracy.py --catalog)."""
    from core.ops.drift import real_benchmark

    rng = np.random.default_rng(3)
    centre = rng.standard_normal(64)
    x = _sphere(rng, 300, 64, centre)
    report = real_benchmark(x, batch=16, trials=40, seed=1)
    assert report["split"] == "random" and report["reference_size"] == 284
    assert report["false_alarm_rate"] <= 0.05
    groups = [f"g{i // 3}" for i in range(300)]
    assert real_benchmark(x, groups, batch=16, trials=5)["split"] == "group"
    detector = DriftDetector().fit(x)
    copies = np.repeat(x[:4], 4, axis=0)  # four vectors, each four times: an effective size of four
    assert detector.effective_size(copies) == pytest.approx(4.0)

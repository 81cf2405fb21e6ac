"""Drift detection: quiet on batches from the reference distribution, loud on shifted ones."""

from __future__ import annotations

import numpy as np
import pytest

from core.ops.drift import DriftDetector, garment_groups, real_benchmark, synthetic_benchmark


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



def _garments(rng, n_garments, dim=64, spread=0.2, siblings=(1, 5), tight=0.05, offset=None):
    """A catalog's structure: garments spread over a region of the sphere, each in 1-4 colours whose vectors
    are near copies of the garment's (one studio shot recoloured). Returns (vectors, garment per vector)."""
    base = np.zeros(dim)
    base[0] = 1.0
    out, keys = [], []
    for g in range(n_garments):
        centre = base + spread * rng.standard_normal(dim) / np.sqrt(dim) * 3
        for _ in range(int(rng.integers(*siblings))):
            v = centre + tight * rng.standard_normal(dim) / np.sqrt(dim) * 3
            if offset is not None:
                v = v + offset
            out.append(v / np.linalg.norm(v))
            keys.append(f"g{g}")
    return np.asarray(out), keys


def test_batches_of_unseen_garments_are_not_drift():
    """The curator's everyday import: whole new garments (all their colours) from the same studio. The
    reference has no sibling of them, so they sit further from it than its own products do; that is growth,
    not drift. The detector infers garments from the reference itself (no labels), as the indexer calls it."""
    rng = np.random.default_rng(5)
    alarms = 0
    for trial in range(40):
        reference, _ = _garments(rng, 150)
        batch, _ = _garments(rng, 12)  # new garments, 2-3 colours each on average
        detector = DriftDetector(seed=trial).fit(reference)
        alarms += detector.test(batch[:24]).drift
    assert alarms <= 2


def test_a_capture_change_on_unseen_garments_is_drift():
    """The same kind of new garments, photographed another way (every vector moved alike): alarm."""
    rng = np.random.default_rng(6)
    shift = rng.standard_normal(64)
    shift *= 0.35 / np.linalg.norm(shift)
    hits = 0
    for trial in range(10):
        reference, _ = _garments(rng, 150)
        batch, _ = _garments(rng, 12, offset=shift)
        hits += DriftDetector(seed=trial).fit(reference).test(batch[:24]).drift
    assert hits >= 9


def test_inferred_garments_follow_the_colour_siblings():
    rng = np.random.default_rng(7)
    x, keys = _garments(rng, 60)
    found = garment_groups(x)
    same_found = found[:, None] == found[None, :]
    same_true = np.asarray(keys)[:, None] == np.asarray(keys)[None, :]
    off = ~np.eye(len(x), dtype=bool)
    assert (same_found & same_true)[off].sum() / same_true[off].sum() >= 0.9  # siblings end up together
    assert len(set(found.tolist())) >= 40  # and garments are not chained into one


def test_real_benchmark_splits_and_counts():
    """The real-embedding mode's mechanics (the figures come from bench/drift_accuracy.py --catalog)."""
    rng = np.random.default_rng(3)
    x, keys = _garments(rng, 100)
    report = real_benchmark(x, batch=16, trials=20, seed=1)
    assert report["split"] == "random" and report["false_alarm_rate"] <= 0.1
    grouped = real_benchmark(x, keys, batch=16, trials=20, seed=2)
    assert grouped["split"] == "group" and grouped["false_alarm_rate"] <= 0.1
    moved, moved_keys = _garments(np.random.default_rng(4), 100, offset=0.4 * np.eye(64)[1])
    power = real_benchmark(x, keys, batch=16, trials=10, seed=3, shifted=(moved, moved_keys))
    assert power["detection_rate"] >= 0.8 and power["false_alarm_rate"] is None

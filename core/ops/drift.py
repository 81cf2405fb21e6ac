"""Embedding drift: does a batch of new vectors come from the catalog's reference distribution?

Two complementary tests, each calibrated on the reference itself, combined with Bonferroni:
- mean shift: the distance between the batch mean and the reference mean, against the null
  distribution of the distance between a random reference subset of the same size and the mean of
  the rest (a subset's distance to a mean it is part of is too small: alarms on real batches);
- novelty: the batch's mean distance to its nearest reference vector, against the leave-one-out
  nearest-neighbour distances of the reference (catches noisier embeddings and new kinds of photo);
- shape: two-sample Kolmogorov-Smirnov tests on the top principal-component projections
  (catches a new cluster or a changed mix that leaves the mean in place). The components come from
  one half of the reference and the KS reference sample from the other half: with fewer vectors than
  dimensions, the vectors that chose the components spread wider along them than any new vector
  does, and the test read that as drift.

A real batch is not a sample of independent photos: an import brings every colour of a garment at
once, and those vectors are near copies (and so are the reference's own). All three tests count each
sample by its effective size (the mean-shift and novelty nulls are drawn at it): each
vector weighs 1 / (how many batch vectors, itself included, are closer to it than the reference's
median nearest-neighbour similarity), the usual sequence-weighting correction; an independent batch
keeps nearly its full size. The cut is measured on each reference, not fitted to any answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class DriftResult:
    drift: bool
    p_value: float
    mean_shift: float
    mean_shift_p: float
    novelty_p: float
    ks_p: float
    batch_size: int
    effective_size: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _ks_pvalue(a: np.ndarray, b: np.ndarray, b_size: float | None = None, a_size: float | None = None) -> float:
    """Two-sample KS test p-value (asymptotic Kolmogorov distribution), numpy only; sizes override len()."""
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    d = float(np.max(np.abs(cdf_a - cdf_b)))
    nb = float(b_size if b_size is not None else len(b))
    na = float(a_size if a_size is not None else len(a))
    n = na * nb / (na + nb)
    lam = (np.sqrt(n) + 0.12 + 0.11 / np.sqrt(n)) * d
    if lam < 1e-3:
        return 1.0
    k = np.arange(1, 101)
    p = 2.0 * np.sum((-1.0) ** (k - 1) * np.exp(-2.0 * (k * lam) ** 2))
    return float(np.clip(p, 0.0, 1.0))


class DriftDetector:
    """Fit on reference embeddings; test batches; alarm when p < alpha."""

    def __init__(self, alpha: float = 0.01, components: int = 8, bootstrap: int = 400, seed: int = 0) -> None:
        self.alpha = alpha
        self.components = components
        self.bootstrap = bootstrap
        self.rng = np.random.default_rng(seed)
        self._null: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def fit(self, reference: np.ndarray) -> DriftDetector:
        ref = np.asarray(reference, dtype=np.float64)
        if len(ref) < 20:
            raise ValueError("drift detection needs at least 20 reference vectors")
        self.reference = ref
        self.mean = ref.mean(axis=0)
        order = self.rng.permutation(len(ref))
        fit_half, test_half = order[: len(ref) // 2], order[len(ref) // 2:]
        _, _, vt = np.linalg.svd(ref[fit_half] - ref[fit_half].mean(axis=0), full_matrices=False)
        self.basis = vt[: min(self.components, len(vt))]
        self.ref_proj = (ref[test_half] - self.mean) @ self.basis.T
        self._test_half = ref[test_half]
        gram = ref @ ref.T
        np.fill_diagonal(gram, -np.inf)
        self.ref_nn = 1.0 - gram.max(axis=1)
        self.close = float(np.median(gram.max(axis=1)))  # "near copies" for the effective batch size
        self.ref_size = self.effective_size(self._test_half)
        self._null.clear()
        return self

    def _nn_distance(self, x: np.ndarray) -> np.ndarray:
        return 1.0 - (x @ self.reference.T).max(axis=1)

    def _null_stats(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        if m not in self._null:
            n = len(self.reference)
            size = min(m, n // 2)
            idx = np.stack([self.rng.choice(n, size=size, replace=False) for _ in range(self.bootstrap)])
            subset = self.reference[idx].mean(axis=1)
            rest = (n * self.mean - size * subset) / (n - size)
            shifts = np.sort(np.linalg.norm(subset - rest, axis=1))
            self._null[m] = (shifts, np.sort(self.ref_nn[idx].mean(axis=1)))
        return self._null[m]

    def effective_size(self, batch: np.ndarray) -> float:
        """Sum over the batch of 1 / (vectors of the batch at least `close` to it, itself included)."""
        near = (batch @ batch.T) >= self.close
        np.fill_diagonal(near, True)
        return float(np.sum(1.0 / near.sum(axis=1)))

    def test(self, batch: np.ndarray) -> DriftResult:
        b = np.asarray(batch, dtype=np.float64)
        m = len(b)
        if m < 5:
            raise ValueError("a drift test needs a batch of at least 5 vectors")
        size = self.effective_size(b)
        shift = float(np.linalg.norm(b.mean(axis=0) - self.mean))
        # Means over near copies vary as much as means over fewer independent vectors: the nulls are drawn
        # at the batch's effective size.
        null_shift, null_novelty = self._null_stats(max(5, int(round(size))))
        shift_p = float((np.sum(null_shift >= shift) + 1) / (len(null_shift) + 1))
        novelty = float(self._nn_distance(b).mean())
        novelty_p = float((np.sum(null_novelty >= novelty) + 1) / (len(null_novelty) + 1))
        proj = (b - self.mean) @ self.basis.T
        ks = [_ks_pvalue(self.ref_proj[:, j], proj[:, j], size, self.ref_size) for j in range(proj.shape[1])]
        ks_p = float(min(1.0, min(ks) * len(ks)))
        p = min(1.0, 3 * min(shift_p, novelty_p, ks_p))
        return DriftResult(drift=p < self.alpha, p_value=p, mean_shift=shift, mean_shift_p=shift_p,
                           novelty_p=novelty_p, ks_p=ks_p, batch_size=m, effective_size=round(size, 2))


def synthetic_benchmark(*, dim: int = 128, trials: int = 200, batch: int = 64, seed: int = 0) -> dict:
    """Shifted and unshifted batches from a clustered distribution on the sphere; accuracy and false alarms."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((12, dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)

    def sample(n: int, mix: np.ndarray | None = None, spread: float = 0.35, extra: np.ndarray | None = None):
        mix = np.full(len(centres), 1 / len(centres)) if mix is None else mix
        which = rng.choice(len(centres), size=n, p=mix)
        x = centres[which] + spread * rng.standard_normal((n, dim)) / np.sqrt(dim) * 3
        if extra is not None:
            x = x + extra
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    detector = DriftDetector().fit(sample(2000))
    new_centre = rng.standard_normal(dim)
    new_centre /= np.linalg.norm(new_centre)
    skew = np.zeros(len(centres))
    skew[:3] = 1 / 3
    shifts = {
        "new_cluster": lambda: np.vstack([sample(batch // 2), sample(batch - batch // 2, extra=new_centre * 2)]),
        "mix_change": lambda: sample(batch, mix=skew),
        "global_offset": lambda: sample(batch, extra=new_centre * 0.25),
        "noisier": lambda: sample(batch, spread=0.9),
    }
    correct = false_alarms = missed = 0
    per_kind = {}
    for kind, make in shifts.items():
        hits = sum(detector.test(make()).drift for _ in range(trials // len(shifts)))
        per_kind[kind] = hits / (trials // len(shifts))
        correct += hits
        missed += trials // len(shifts) - hits
    for _ in range(trials):
        alarm = detector.test(sample(batch)).drift
        false_alarms += alarm
        correct += not alarm
    total = trials + len(shifts) * (trials // len(shifts))
    return {"accuracy": correct / total, "false_alarm_rate": false_alarms / trials,
            "detection_rate": 1 - missed / (len(shifts) * (trials // len(shifts))),
            "per_shift_detection": per_kind, "batch_size": batch, "dim": dim, "trials": total}


def real_benchmark(vectors: np.ndarray, groups: list[str] | None = None, *, batch: int = 32, trials: int = 200,
                   seed: int = 0, alpha: float = 0.01) -> dict:
    """False alarms on real embeddings: a fresh batch and a reference drawn from one catalog, no drift between.

    Each trial splits the catalog at random into a fresh batch of `batch` vectors and a reference of the
    rest. With `groups` (a parent SKU per vector), whole groups go to the batch, as an import brings every
    colour of a new garment at once, so the batch's products have no sibling in the reference.
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(vectors, dtype=np.float64)
    keys = np.asarray(groups if groups is not None else [str(i) for i in range(len(x))])
    names = np.unique(keys)
    alarms = 0
    p_values = []
    for _ in range(trials):
        picked: list[int] = []
        for name in rng.permutation(names):
            members = np.flatnonzero(keys == name).tolist()
            picked += members[: batch - len(picked)]
            if len(picked) >= batch:
                break
        fresh = np.zeros(len(x), dtype=bool)
        fresh[picked] = True
        detector = DriftDetector(alpha=alpha, seed=int(rng.integers(1 << 31))).fit(x[~fresh])
        result = detector.test(x[fresh])
        alarms += result.drift
        p_values.append(result.p_value)
    return {"batch_size": batch, "trials": trials, "false_alarm_rate": alarms / trials,
            "reference_size": int(len(x) - batch), "split": "group" if groups is not None else "random",
            "median_p": float(np.median(p_values))}

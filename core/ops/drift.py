"""Embedding drift: were a batch's photos taken the way the catalog's photos were?

What an alarm means to a curator: the new photos differ in how they were taken (light, backdrop, focus,
compression, a scene instead of the studio), so search, crops and thresholds tuned on the catalog may no
longer hold. New products are not drift: a catalog grows by garments it has never seen, and an import
brings all colours of a garment at once, so a batch of new products sits further from the reference than
the reference's own products sit from each other (they have their colour siblings there).

So the test asks whether the batch is further from the reference than a batch of *unseen garments* from
the catalog itself would be. Its null distribution is drawn from the reference: pseudo-batches made of
whole garments (groups), each compared with the reference less those garments, exactly as a real import is
compared with the catalog. Three statistics, each larger when the batch differs more:
- mmd: the squared maximum mean discrepancy (unbiased) between batch and reference, Gaussian kernel on the
  sphere at the median-heuristic bandwidth (a between-product scale): a shift of the whole distribution;
- novelty: the batch's mean distance to its nearest reference vector (noisier or other kinds of photo);
- mean shift: the distance between the batch mean and the reference mean.
They are combined by the smallest p-value, itself calibrated on the null draws (no Bonferroni slack).

Garments: given by the caller (a parent SKU per vector) or, without, inferred from the reference: pairs
more alike than GARMENT_PERCENTILE of the reference's random pairs (colour variants of one shot are far
more alike than unrelated products) are joined, most alike first, into groups of at most MAX_GARMENT. A pseudo-batch takes groups in
random order and cuts the last one at random members, as a batch boundary cuts an import's garment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

REFERENCE_CAP = 2000  # reference vectors kept (sampled by garment): the null draws cost O(batch * cap)
NULL_DRAWS = 400
GARMENT_PERCENTILE = 99.0
MAX_GARMENT = 8  # colours (vectors) of one garment at most, a priori: a style rarely comes in more


@dataclass
class DriftResult:
    drift: bool
    p_value: float
    mean_shift: float
    mean_shift_p: float
    novelty_p: float
    mmd_p: float
    batch_size: int
    mmd: float = 0.0
    novelty: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def garment_groups(reference: np.ndarray, percentile: float = GARMENT_PERCENTILE,
                   largest: int = MAX_GARMENT) -> np.ndarray:
    """A group id per vector: pairs more alike than `percentile` of random pairs are joined, most alike
    first, into groups of at most `largest` vectors (so that a dense region is not chained into one)."""
    x = np.asarray(reference, np.float64)
    n = len(x)
    sims = x @ x.T
    upper = np.triu_indices(n, k=1)
    cut = float(np.percentile(sims[upper], percentile)) if n > 1 else 1.0
    rows, cols = np.nonzero(np.triu(sims >= cut, k=1))
    order = np.argsort(-sims[rows, cols], kind="stable")
    parent = np.arange(n)
    size = np.ones(n, int)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        ri, rj = find(i), find(j)
        if ri != rj and size[ri] + size[rj] <= largest:
            parent[rj] = ri
            size[ri] += size[rj]
    return np.array([find(i) for i in range(n)])


class DriftDetector:
    """Fit on reference embeddings (and their garments, if known); test batches; alarm when p < alpha."""

    def __init__(self, alpha: float = 0.01, draws: int = NULL_DRAWS, seed: int = 0) -> None:
        self.alpha = alpha
        self.draws = draws
        self.rng = np.random.default_rng(seed)
        self._null: dict[int, np.ndarray] = {}

    def fit(self, reference: np.ndarray, groups=None) -> DriftDetector:
        ref = np.asarray(reference, dtype=np.float64)
        if len(ref) < 20:
            raise ValueError("drift detection needs at least 20 reference vectors")
        keys = np.unique(np.asarray(groups), return_inverse=True)[1] if groups is not None else None
        if len(ref) > REFERENCE_CAP:
            keep = self._sample_groups(_members(keys if keys is not None else np.arange(len(ref))), REFERENCE_CAP)
            ref, keys = ref[keep], (keys[keep] if keys is not None else None)
        self.reference = ref
        self.groups = keys if keys is not None else garment_groups(ref)
        self.members = _members(self.groups)
        self.gram = ref @ ref.T
        # Median heuristic on squared chord distances: the kernel's scale is the spread between products.
        chord = 2.0 - 2.0 * self.gram[np.triu_indices(len(ref), k=1)]
        self.bandwidth = float(max(np.median(chord), 1e-6))
        self.kernel = np.exp(-(2.0 - 2.0 * self.gram) / self.bandwidth)
        self.kernel_rows = self.kernel.sum(axis=1)
        self.kernel_total = float(self.kernel_rows.sum())
        self.total = ref.sum(axis=0)
        self._null.clear()
        return self

    def _sample_groups(self, members: list[np.ndarray], size: int) -> np.ndarray:
        """Indices of `size` vectors, taken group by group in random order; the last group is cut (at random
        members), as an import's batch boundary cuts a garment."""
        picked: list[int] = []
        for g in self.rng.permutation(len(members)):
            picked += self.rng.permutation(members[g])[: size - len(picked)].tolist()
            if len(picked) >= size:
                break
        return np.asarray(picked)

    def _stats_inside(self, batch: np.ndarray) -> np.ndarray:
        """(mmd, novelty, mean shift) of reference rows `batch` against the rest of the reference."""
        n, m = len(self.reference), len(batch)
        k_bb = self.kernel[np.ix_(batch, batch)]
        within_b = (k_bb.sum() - m) / (m * (m - 1))
        cross = (self.kernel_rows[batch].sum() - k_bb.sum()) / (m * (n - m))
        within_r = (self.kernel_total - 2 * self.kernel_rows[batch].sum() + k_bb.sum() - (n - m)) / (
            (n - m) * (n - m - 1))
        sims = self.gram[batch]
        sims[:, batch] = -np.inf  # a pseudo-batch's own members are not its reference
        novelty = float(np.mean(1.0 - sims.max(axis=1)))
        inside = self.reference[batch].sum(axis=0)
        shift = float(np.linalg.norm(inside / m - (self.total - inside) / (n - m)))
        return np.array([within_b + within_r - 2 * cross, novelty, shift])

    def _stats(self, batch: np.ndarray) -> np.ndarray:
        m, n = len(batch), len(self.reference)
        sims = batch @ self.reference.T
        k_br = np.exp(-(2.0 - 2.0 * sims) / self.bandwidth)
        k_bb = np.exp(-(2.0 - 2.0 * (batch @ batch.T)) / self.bandwidth)
        within_b = (k_bb.sum() - np.trace(k_bb)) / (m * (m - 1))
        within_r = (self.kernel_total - n) / (n * (n - 1))
        mmd = within_b + within_r - 2 * float(k_br.mean())
        novelty = float(np.mean(1.0 - sims.max(axis=1)))
        shift = float(np.linalg.norm(batch.mean(axis=0) - self.reference.mean(axis=0)))
        return np.array([mmd, novelty, shift])

    def null(self, m: int) -> np.ndarray:
        """(draws, 3) statistics of pseudo-batches of m reference vectors taken garment by garment."""
        if m not in self._null:
            size = min(m, len(self.reference) // 2)
            self._null[m] = np.stack([self._stats_inside(self._sample_groups(self.members, size))
                                      for _ in range(self.draws)])
        return self._null[m]

    def test(self, batch: np.ndarray) -> DriftResult:
        b = np.asarray(batch, dtype=np.float64)
        m = len(b)
        if m < 5:
            raise ValueError("a drift test needs a batch of at least 5 vectors")
        observed = self._stats(b)
        null = self.null(m)
        # p of each statistic, then the smallest, calibrated on the draws' own smallest p (a permutation min-p)
        each = (np.sum(null >= observed, axis=0) + 1) / (len(null) + 1)
        ranks = (len(null) - np.argsort(np.argsort(null, axis=0), axis=0)) / (len(null) + 1)
        p = float((np.sum(ranks.min(axis=1) <= each.min()) + 1) / (len(null) + 1))
        return DriftResult(drift=p < self.alpha, p_value=p, mean_shift=float(observed[2]),
                           mean_shift_p=float(each[2]), novelty_p=float(each[1]), mmd_p=float(each[0]),
                           batch_size=m, mmd=float(observed[0]), novelty=float(observed[1]))


def _members(keys: np.ndarray) -> list[np.ndarray]:
    """The indices of each group."""
    order = np.argsort(keys, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(keys[order])) + 1)


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

    reference = sample(2000)
    detector = DriftDetector().fit(reference, groups=np.arange(len(reference)))  # independent draws: no garments
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
                   seed: int = 0, alpha: float = 0.01, tell_groups: bool = False,
                   shifted: tuple[np.ndarray, list[str]] | None = None) -> dict:
    """Alarms on real embeddings: the share of trials whose fresh batch the detector calls drift.

    Each trial splits the catalog into a fresh batch of `batch` vectors and a reference of the rest. With
    `groups` (a parent SKU per vector), whole groups go to the batch, as an import brings every colour of a
    new garment at once, so the batch's products have no sibling in the reference; without, products are
    drawn one by one. The detector infers garments itself unless `tell_groups`. Nothing drifts, so every
    alarm is false; with `shifted` (vectors of the same catalog photographed another way, and their groups)
    the batch is made of the shifted photos of garments left out of the reference, and every alarm is right.
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(vectors, dtype=np.float64)
    keys = np.asarray(groups if groups is not None else [str(i) for i in range(len(x))])
    source_x, source_keys = (x, keys) if shifted is None else (np.asarray(shifted[0], np.float64),
                                                                np.asarray(shifted[1]))
    names = np.unique(keys)
    alarms = 0
    p_values = []
    for _ in range(trials):
        picked: list[int] = []
        left_out = set()
        for name in rng.permutation(names):
            members = rng.permutation(np.flatnonzero(source_keys == name)).tolist()
            if members:
                left_out.add(name)
            picked += members[: batch - len(picked)]
            if len(picked) >= batch:
                break
        in_reference = ~np.isin(keys, list(left_out)) if shifted is not None else ~np.isin(
            np.arange(len(x)), picked)
        detector = DriftDetector(alpha=alpha, seed=int(rng.integers(1 << 31)))
        detector.fit(x[in_reference], keys[in_reference] if tell_groups else None)
        result = detector.test(source_x[picked])
        alarms += result.drift
        p_values.append(result.p_value)
    return {"batch_size": batch, "trials": trials, "alarm_rate": alarms / trials,
            "false_alarm_rate": alarms / trials if shifted is None else None,
            "detection_rate": alarms / trials if shifted is not None else None,
            "reference_size": int(len(x) - batch), "split": "group" if groups is not None else "random",
            "groups_told": tell_groups, "median_p": float(np.median(p_values))}

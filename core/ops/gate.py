"""The promotion gate: whether a candidate model beats the version in use by more than luck, and how sure it is.

Adapter, detector and label-head promotion all ask it with the same kind of evidence: one score per held-back
query (a reciprocal rank, an IoU, 1 for a right label) for the version in use and for the candidate, on the same
queries. A paired bootstrap resamples the queries (fixed seed) and takes the mean difference each time; the
candidate wins only when the lower end of the 95 % interval is above 0. A tie, too few queries, or an interval
that reaches 0 keep the current version. The verdict says how sure it was: the interval and p(win), the share
of resamples in which the candidate came out ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

RESAMPLES = 2000
SEED = 0
CONFIDENCE = 0.95
MIN_QUERIES = 5
_CHUNK = 250  # resamples drawn at once: bounds memory on large held-back splits


@dataclass
class Verdict:
    """What the gate decided and why; `to_dict()` goes into reports, `text()` into the CLI and GUI."""

    wins: bool
    reason: str
    metric: str
    queries: int
    better: int  # queries where the candidate scored higher
    worse: int
    mean_current: float
    mean_candidate: float
    mean_difference: float
    interval: list[float] = field(default_factory=lambda: [0.0, 0.0])
    confidence: float = CONFIDENCE
    p_win: float = 0.0
    resamples: int = RESAMPLES
    seed: int = SEED
    min_queries: int = MIN_QUERIES

    def to_dict(self) -> dict:
        return asdict(self)

    def text(self) -> str:
        return describe(self.to_dict())


def describe(verdict: dict) -> str:
    """One line for people: the counts, the mean difference with its interval, p(win) and the outcome."""
    if not verdict:
        return ""
    n = verdict.get("queries", 0)
    lo, hi = verdict.get("interval", [0.0, 0.0])
    pct = round(100 * verdict.get("confidence", CONFIDENCE))
    outcome = "promote" if verdict.get("wins") else "keep the current version"
    return (f"{verdict.get('metric', 'score')}: candidate better on {verdict.get('better', 0)} of {n} queries, "
            f"worse on {verdict.get('worse', 0)}; mean {verdict.get('mean_difference', 0.0):+.4f} "
            f"({pct} % interval {lo:+.4f} to {hi:+.4f}), p(win) {verdict.get('p_win', 0.0):.2f}: "
            f"{outcome} ({verdict.get('reason', '')})")


def compare(current: Sequence[float], candidate: Sequence[float], *, metric: str = "score",
            resamples: int = RESAMPLES, seed: int = SEED, confidence: float = CONFIDENCE,
            min_queries: int = MIN_QUERIES) -> Verdict:
    """Paired bootstrap of candidate - current over the same queries (position i is one query in both)."""
    a = np.asarray(current, dtype=np.float64).ravel()
    b = np.asarray(candidate, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"the gate needs one score per query for both versions: {a.size} against {b.size}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("the gate was given a score that is not a finite number")
    diff = b - a
    n = int(diff.size)
    base = {"metric": metric, "queries": n, "better": int((diff > 0).sum()), "worse": int((diff < 0).sum()),
            "mean_current": round(float(a.mean()), 4) if n else 0.0,
            "mean_candidate": round(float(b.mean()), 4) if n else 0.0,
            "mean_difference": round(float(diff.mean()), 4) if n else 0.0,
            "confidence": confidence, "resamples": resamples, "seed": seed, "min_queries": min_queries}
    if n < max(1, min_queries):
        return Verdict(wins=False, reason=f"too few held-back queries to judge ({n}, needs {min_queries})", **base)
    if not diff.any():
        return Verdict(wins=False, reason="a tie: the current version stays", interval=[0.0, 0.0], **base)
    means = _resampled_means(diff, resamples, seed)
    tail = (1.0 - confidence) / 2
    lo, hi = (float(q) for q in np.quantile(means, [tail, 1.0 - tail]))
    p_win = float((means > 0).mean())
    wins = lo > 0
    reason = ("better beyond noise" if wins else
              "worse" if diff.mean() < 0 else "not sure enough: the interval reaches 0")
    return Verdict(wins=wins, reason=reason, interval=[round(lo, 4), round(hi, 4)], p_win=round(p_win, 4), **base)


def _resampled_means(diff: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = diff.size
    out = np.empty(resamples, dtype=np.float64)
    for start in range(0, resamples, _CHUNK):
        size = min(_CHUNK, resamples - start)
        out[start:start + size] = diff[rng.integers(0, n, size=(size, n))].mean(axis=1)
    return out

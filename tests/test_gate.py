"""The promotion gate (issue 25 item 2): a paired bootstrap over given per-query scores; a win must be beyond noise."""

from __future__ import annotations

import numpy as np
import pytest

from core.ops import gate


def test_a_candidate_better_on_most_queries_wins_and_says_how_sure():
    current = np.array([0.5, 1.0, 0.333, 0.25, 0.5, 1.0, 0.2, 0.5, 1.0, 0.333, 0.5, 0.25])
    candidate = current.copy()
    candidate[[0, 2, 3, 4, 6, 7, 9, 10]] = 1.0  # eight queries now rank their product first; none got worse
    verdict = gate.compare(current, candidate, metric="reciprocal rank")
    assert verdict.wins and verdict.reason == "better beyond noise"
    assert verdict.better == 8 and verdict.worse == 0 and verdict.queries == 12
    lo, hi = verdict.interval
    assert 0 < lo < verdict.mean_difference < hi and verdict.p_win == 1.0
    assert verdict.mean_difference == pytest.approx((candidate - current).mean(), abs=1e-4)
    text = verdict.text()
    assert "better on 8 of 12" in text and "95 % interval" in text and "p(win) 1.00" in text and "promote" in text


def test_the_issue_case_a_rise_in_mrr_from_one_query_is_luck():
    """Issue 25: MRR 0.8021 -> 0.8042 on 16 held-back queries with R@1 unchanged was promoted. One query moving
    from rank 3 to rank 2 is that rise; a resample leaves it out about a third of the time."""
    current = np.array([1.0] * 12 + [0.5, 0.5, 1 / 3, 1 / 3])
    candidate = current.copy()
    candidate[14] = 0.5
    assert candidate.mean() > current.mean() and (candidate == 1).sum() == (current == 1).sum()
    verdict = gate.compare(current, candidate, metric="reciprocal rank")
    assert not verdict.wins and verdict.reason.startswith("not sure enough")
    assert verdict.interval[0] == 0.0 < verdict.interval[1] and 0.5 < verdict.p_win < 0.8
    assert "keep the current version" in verdict.text()


def test_a_tie_keeps_the_current_version():
    scores = [1.0, 0.5, 0.25, 1.0, 0.0, 1.0]
    verdict = gate.compare(scores, list(scores))
    assert not verdict.wins and verdict.reason.startswith("a tie")
    assert verdict.interval == [0.0, 0.0] and verdict.p_win == 0.0 and verdict.better == verdict.worse == 0


def test_as_many_wins_as_losses_is_not_a_win_and_a_worse_candidate_is_worse():
    current = np.r_[np.zeros(10), np.ones(10)]
    swapped = 1.0 - current  # right where it was wrong and wrong where it was right
    verdict = gate.compare(current, swapped)
    assert not verdict.wins and verdict.interval[0] < 0 < verdict.interval[1] and 0.3 < verdict.p_win < 0.7
    worse = gate.compare(np.ones(10), np.r_[np.zeros(6), np.ones(4)])
    assert not worse.wins and worse.reason == "worse" and worse.interval[1] < 0 and worse.p_win == 0.0


def test_too_few_queries_are_never_a_win():
    verdict = gate.compare([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], min_queries=5)
    assert not verdict.wins and "too few" in verdict.reason and verdict.queries == 3
    assert gate.compare([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], min_queries=3).wins
    assert not gate.compare([], []).wins


def test_the_verdict_is_reproducible_and_follows_the_seed_and_the_resamples():
    rng = np.random.default_rng(3)
    current = rng.random(40)
    candidate = current + rng.normal(0.03, 0.1, 40)
    a = gate.compare(current, candidate)
    assert a.to_dict() == gate.compare(current, candidate).to_dict()  # fixed seed: same verdict every run
    assert a.resamples == gate.RESAMPLES == 2000 and a.seed == gate.SEED
    b = gate.compare(current, candidate, seed=7, resamples=500)
    assert b.resamples == 500 and b.mean_difference == a.mean_difference
    assert b.interval != a.interval  # other resamples, other bounds
    # The interval is a bootstrap of the mean difference: about mean +- 1.96 standard errors.
    diff = candidate - current
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert a.interval[0] == pytest.approx(diff.mean() - 1.96 * se, abs=0.35 * se)
    assert a.interval[1] == pytest.approx(diff.mean() + 1.96 * se, abs=0.35 * se)


def test_scores_that_do_not_pair_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="one score per query"):
        gate.compare([1.0, 0.5], [1.0])
    with pytest.raises(ValueError, match="not a finite number"):
        gate.compare([1.0, float("nan")], [1.0, 1.0])


def test_the_jobs_dock_says_how_sure_the_detector_gate_was():
    from app.views.jobs_panel import training_summary

    verdict = gate.compare([0.5] * 6 + [0.8] * 4, [0.6] * 6 + [0.8] * 4, metric="IoU of the best box").to_dict()
    text = training_summary({"version": "product-abc", "candidate": {"iou_at_0_5": 0.6}, "current": {"iou_at_0_5": 0.4},
                             "current_name": "proposals", "promoted": True, "verdict": verdict})
    assert "promoted" in text and "mean IoU +0.060, 95 % interval +0.030 to +0.090" in text and "p(win) 1.00" in text
    assert "beyond noise" in text

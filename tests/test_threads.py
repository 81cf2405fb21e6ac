"""The threading policy's rule: work on every core and decode-ahead take turns, never exceeding the cores."""

from __future__ import annotations

import threading
import time

import pytest

from core.models import threads


def test_policy_gives_model_calls_every_core_and_decoding_a_share():
    for cores in (1, 2, 4, 16):
        p = threads.policy(cores)
        assert p.cores == cores and p.compute == cores and 1 <= p.decode <= max(1, cores // 4)


def test_decoding_waits_while_all_core_work_runs_and_all_core_work_waits_for_a_decode_in_flight():
    events: list[str] = []
    decode_started = threading.Event()
    release_decode = threading.Event()

    def decoder() -> None:
        with threads.decoding():
            events.append("decode")
            decode_started.set()
            release_decode.wait(5)
        events.append("decoded")

    def model_call() -> None:
        with threads.all_cores():
            events.append("call")
            time.sleep(0.05)
        events.append("called")

    # A decode in flight: the model call waits for it to finish.
    first = threading.Thread(target=decoder)
    first.start()
    assert decode_started.wait(5)
    call = threading.Thread(target=model_call)
    call.start()
    time.sleep(0.1)
    assert events == ["decode"] and threads.gate_state() == (1, 1)
    release_decode.set()
    first.join(5)
    call.join(5)
    assert events == ["decode", "decoded", "call", "called"]

    # A call running: a new decode waits until it returns.
    events.clear()
    decode_started.clear()
    release_decode.set()
    with threads.all_cores():
        second = threading.Thread(target=decoder)
        second.start()
        time.sleep(0.1)
        assert not decode_started.is_set() and threads.gate_state() == (1, 0)
        events.append("inside the call")
    second.join(5)
    assert events == ["inside the call", "decode", "decoded"]
    assert threads.gate_state() == (0, 0)


def test_fan_out_returns_results_in_order_and_passes_errors_up():
    items = list(range(40))
    with threads.all_cores():
        assert threads.fan_out(lambda n: n * n, items) == [n * n for n in items]

    def boom(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    try:
        threads.fan_out(boom, items)
    except ValueError as exc:
        assert str(exc) == "three"
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("an error inside fan_out was lost")


@pytest.mark.parametrize(("cores", "want"), [(1, (1, 1)), (2, (2, 1)), (3, (3, 1)), (4, (4, 1)), (6, (3, 2)),
                                             (8, (4, 2)), (16, (4, 4)), (5, (1, 5))])
def test_a_batched_call_is_split_over_callers_that_use_the_compute_threads(monkeypatch, cores, want):
    """split_callers: at most SPLIT_PARTS callers, each with an equal share of `compute`, using as many of the
    compute threads as divide evenly (never more than the policy allows)."""
    monkeypatch.setattr(threads, "current", lambda: threads.ThreadPolicy(cores=cores, compute=cores, decode=1))
    callers, each = threads.split_callers()
    assert (callers, each) == want
    assert callers * each <= cores and callers <= threads.SPLIT_PARTS

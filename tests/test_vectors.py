"""The USearch store: atomic save with manifest, reconcile, filtered search, read while write."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from core import vectors
from core.vectors import VectorStore


def _unit(n: int, dim: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_save_and_open_round_trip(tmp_path):
    store = VectorStore(tmp_path, "ViT-B-32/laion:abc", 16)
    v = _unit(50, 16)
    store.add(range(1, 51), v)
    store.save()
    manifest = json.loads(store.manifest_path.read_text())
    assert manifest["count"] == 50 and manifest["dim"] == 16 and manifest["model_version"] == "ViT-B-32/laion:abc"
    assert not list(tmp_path.glob(".tmp-*"))
    again = VectorStore.open(tmp_path, "ViT-B-32/laion:abc")
    hits = again.search(v[9], 1)
    assert hits.keys[0] == 10 and hits.scores[0] == pytest.approx(1.0, abs=1e-2)


def test_one_index_per_model_version(tmp_path):
    VectorStore(tmp_path, "model-a", 4).save()
    VectorStore(tmp_path, "model-b", 8).save()
    versions = {m["model_version"]: m["dim"] for m in VectorStore.list_versions(tmp_path)}
    assert versions == {"model-a": 4, "model-b": 8}
    with pytest.raises(ValueError, match="dimensions"):
        VectorStore.open(tmp_path, "model-a", dim=8)


def test_corrupt_index_is_detected(tmp_path):
    store = VectorStore(tmp_path, "m", 8)
    store.add([1, 2], _unit(2, 8))
    store.save()
    store.path.write_bytes(store.path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(OSError, match="checksum"):
        VectorStore.open(tmp_path, "m")


def test_add_replaces_existing_key(tmp_path):
    store = VectorStore(tmp_path, "m", 8)
    v = _unit(2, 8)
    store.add([7], v[:1])
    store.add([7], v[1:])
    assert len(store) == 1
    _, got = store.get([7])
    assert np.allclose(got[0], v[1], atol=1e-2)


def test_reconcile_finds_orphans_and_missing(tmp_path):
    store = VectorStore(tmp_path, "m", 8)
    store.add([1, 2, 3], _unit(3, 8))
    rec = store.reconcile([2, 3, 4])
    assert rec.orphans == [1] and rec.missing == [4]
    store.reconcile([2, 3, 4], repair=True)
    assert sorted(store.keys().tolist()) == [2, 3]


@pytest.mark.parametrize("limit", [100_000, 10])  # exact over the subset, then HNSW with oversampling
def test_filtered_search_matches_brute_force(tmp_path, monkeypatch, limit):
    monkeypatch.setattr(vectors, "EXACT_SUBSET_LIMIT", limit)
    monkeypatch.setattr(vectors, "EXACT_SUBSET_FACTOR", 0)  # the limit alone picks the regime here
    n, dim = 3000, 32
    v = _unit(n, dim, seed=1)
    store = VectorStore(tmp_path, "m", dim)
    store.add(range(n), v)
    rng = np.random.default_rng(2)
    allowed = rng.choice(n, size=300, replace=False)
    for q in v[rng.choice(n, 5)]:
        hits = store.search(q, 10, allowed=allowed)
        assert len(hits) == 10 and set(hits.keys) <= set(allowed.tolist())
        brute = allowed[np.argsort(-(v[allowed] @ q))[:10]]
        assert len(set(hits.keys.tolist()) & set(brute.tolist())) >= 9
        assert hits.exact == (limit > 300)


def test_search_expansion_grows_with_the_index(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "LARGE_INDEX", 100)
    store = VectorStore(tmp_path, "m", 8)
    store.add(range(50), _unit(50, 8))
    assert store._index.expansion_search == vectors.EXPANSION_SEARCH
    store.add(range(50, 150), _unit(100, 8, seed=1))
    assert store._index.expansion_search == vectors.EXPANSION_SEARCH_LARGE
    store.save()
    assert VectorStore.open(tmp_path, "m")._index.expansion_search == vectors.EXPANSION_SEARCH_LARGE
    fixed = VectorStore(tmp_path / "f", "m", 8, expansion_search=40)
    fixed.add(range(150), _unit(150, 8))
    assert fixed._index.expansion_search == 40  # an explicit choice is kept


def test_small_shares_of_a_large_index_are_searched_exactly(tmp_path, monkeypatch):
    """The graph misses more as the allowed share shrinks, while exact cost shrinks with it."""
    monkeypatch.setattr(vectors, "EXACT_SUBSET_LIMIT", 10)
    n, dim = 4000, 16
    store = VectorStore(tmp_path, "m", dim)
    store.add(range(n), _unit(n, dim, seed=4))
    q = _unit(1, dim, seed=5)[0]
    bound = int((vectors.EXACT_SUBSET_FACTOR * 10 * n) ** 0.5)  # 800 for k=10
    assert store.search(q, 10, allowed=range(bound)).exact
    assert not store.search(q, 10, allowed=range(2 * bound)).exact


def test_filtered_search_returns_all_when_fewer_match(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "EXACT_SUBSET_LIMIT", 1)
    monkeypatch.setattr(vectors, "EXACT_SUBSET_FACTOR", 0)
    v = _unit(500, 16)
    store = VectorStore(tmp_path, "m", 16)
    store.add(range(500), v)
    hits = store.search(v[0], 10, allowed=[3, 99, 400])
    assert sorted(hits.keys.tolist()) == [3, 99, 400]


def test_search_while_writing(tmp_path):
    dim = 32
    base = _unit(2000, dim, seed=3)
    store = VectorStore(tmp_path, "m", dim)
    store.add(range(1000), base[:1000])
    errors: list[BaseException] = []
    done = threading.Event()

    def writer():
        try:
            for start in range(1000, 2000, 50):
                store.add(range(start, start + 50), base[start:start + 50])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    searches = 0
    while not done.is_set() or searches < 20:
        hits = store.search(base[5], 5)
        assert hits.keys[0] == 5  # always a correct answer for a vector that was there before
        searches += 1
    thread.join()
    assert not errors and len(store) == 2000
    assert store.search(base[1999], 1).keys[0] == 1999


def test_replacing_every_key_keeps_search_exact_after_save(tmp_path, monkeypatch):
    """USearch keeps removed nodes in its graph; a full re-index must not degrade the answers."""
    monkeypatch.setattr(vectors, "EXACT_SEARCH_LIMIT", 0)  # force the graph even for a small index
    v = _unit(600, 32, seed=5)
    store = VectorStore(tmp_path, "m", 32)
    store.add(range(600), v)
    for _ in range(3):  # three full re-indexes, as after model or preprocessing changes
        for key in range(600):
            store.add([key], v[key:key + 1])
    assert store.needs_rebuild()
    store.save()
    assert not store.needs_rebuild()
    again = VectorStore.open(tmp_path, "m")
    misses = sum(again.search(v[i], 1).keys[0] != i for i in range(600))
    assert misses <= 6  # a fresh graph: at most 1 % approximate misses on random 32-d data
    assert store.removed_since_build == 0


def test_onnxruntime_imports_after_the_vector_store():
    """Importing USearch first and ONNX Runtime later used to segfault; the CLI does exactly that."""
    import subprocess
    import sys

    code = "import core.vectors, torch, onnxruntime; print('fine')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "fine" in proc.stdout, proc.stderr[-500:]

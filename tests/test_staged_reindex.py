"""`models reindex` stages: a candidate model's crops, primaries, labels and vectors stay beside the live ones
until `promote` switches them in one transaction; bad weights fail the re-index with the reason."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from core.catalog import db
from core.catalog.catalog import Catalog
from core.ops import lifecycle
from tests.fixtures_models import build_tiny_clip, tiny_models_home
from tests.test_indexer import _make_products


@pytest.fixture
def indexed(tmp_path, tiny_model_settings):
    from core.settings import Settings

    cat = tmp_path / "cat"
    cat.mkdir()
    settings = Settings()
    settings.models = tiny_model_settings
    settings.save(cat / "settings.json")
    src = _make_products(tmp_path / "src", n=4)
    assert main(["index", str(src), "--catalog", str(cat), "--json"]) == 0
    yield cat, src
    db.close_database()


def _run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def _live_state(cat) -> dict:
    """What a curator and a search see: primary crops, every live crop, automatic labels, product status."""
    with Catalog.open(cat):
        primaries = {c.image.product_id: c.id for c in db.Crop.select().where(db.Crop.is_primary == True)}  # noqa: E712
        crops = sorted(c.id for c in db.Crop.select())
        labels = sorted((lb.product_id, lb.vocabulary, lb.value, lb.id) for lb in db.Label.select())
        status = {p.sku: p.status for p in db.Product.select()}
    return {"primaries": primaries, "crops": crops, "labels": labels, "status": status}


def _search(capsys, cat, src) -> dict:
    code, out = _run(capsys, "search", "--image", str(src / "p2" / "main.jpg"), "--catalog", str(cat), "--json")
    assert code == 0
    payload = json.loads(out)
    return {"model_version": payload["model_version"],
            "results": [(r["sku"], round(r["score"], 6)) for r in payload["results"]]}


def _candidate_clip(seed: int):
    folder = tiny_models_home() / "clip-candidates"
    return build_tiny_clip(folder, seed=seed)


def test_reindex_stages_until_promote_then_switches_atomically(indexed, capsys, monkeypatch):
    cat, src = indexed
    before, search_before = _live_state(cat), _search(capsys, cat, src)
    assert before["primaries"] and before["labels"]
    old = search_before["model_version"]

    candidate = _candidate_clip(seed=1)
    code, out = _run(capsys, "models", "reindex", "--clip-pretrained", str(candidate.checkpoint_path),
                     "--catalog", str(cat), "--json")
    report = json.loads(out)
    assert code == 0 and report["complete"] and report["active"] == old, report
    new = report["model_version"]
    assert new != old
    # The live catalog is untouched: same primaries, crops, labels, statuses, search results.
    assert _live_state(cat) == before
    assert _search(capsys, cat, src) == search_before
    with Catalog.open(cat):
        staged_crops = db.Crop.with_deleted().where((db.Crop.staged_for == new) & db.Crop.deleted_at.is_null())
        staged_primaries = {c.image.product_id for c in staged_crops if c.is_primary}
        assert staged_primaries == set(before["primaries"])
        assert db.Label.with_deleted().where(db.Label.staged_for == new).count() > 0

    # A promote that fails half-way changes nothing (one transaction).
    catalog = Catalog.open(cat)
    monkeypatch.setattr(catalog, "activate", lambda version: (_ for _ in ()).throw(OSError("disk gone")))
    with pytest.raises(OSError):
        lifecycle.promote(catalog, new)
    db.close_database()
    assert _live_state(cat) == before and _search(capsys, cat, src) == search_before

    code, out = _run(capsys, "models", "promote", new, "--catalog", str(cat), "--json")
    assert code == 0 and [v["model_version"] for v in json.loads(out)["versions"] if v["active"]] == [new]
    after = _live_state(cat)
    assert set(after["primaries"]) == set(before["primaries"])
    assert set(after["primaries"].values()).isdisjoint(before["primaries"].values())  # the candidate's crops
    assert set(after["crops"]).isdisjoint(before["crops"])
    with Catalog.open(cat):
        assert db.Crop.with_deleted().where(db.Crop.staged_for != "").count() == 0
        assert all(c.model_version == new for c in db.Crop.select())
        for pid in after["primaries"]:  # exactly one primary per product
            n = (db.Crop.select().join(db.ImageFile)
                 .where((db.ImageFile.product == pid) & (db.Crop.is_primary == True)).count())  # noqa: E712
            assert n == 1
    assert _search(capsys, cat, src)["model_version"] == new


def test_deleting_a_candidate_removes_its_staged_rows(indexed, capsys):
    cat, src = indexed
    before = _live_state(cat)
    candidate = _candidate_clip(seed=2)
    code, out = _run(capsys, "models", "reindex", "--clip-pretrained", str(candidate.checkpoint_path),
                     "--catalog", str(cat), "--json")
    new = json.loads(out)["model_version"]
    with Catalog.open(cat):
        assert db.Crop.with_deleted().where(db.Crop.staged_for == new).count() > 0
    code, out = _run(capsys, "models", "delete", new, "--catalog", str(cat), "--json")
    assert code == 0 and new not in [v["model_version"] for v in json.loads(out)["versions"]]
    with Catalog.open(cat):
        assert db.Crop.with_deleted().where(db.Crop.staged_for == new).count() == 0
        assert db.Label.with_deleted().where(db.Label.staged_for == new).count() == 0
    assert _live_state(cat) == before
    # Issue 27: the same model again after its delete raised IntegrityError; now it is a fresh re-index.
    code, out = _run(capsys, "models", "reindex", "--clip-pretrained", str(candidate.checkpoint_path),
                     "--catalog", str(cat), "--json")
    again = json.loads(out)
    assert code == 0 and again["model_version"] == new and again["complete"], again
    assert _live_state(cat) == before


def test_weights_that_do_not_load_fail_the_reindex_with_the_reason(indexed, capsys, tmp_path):
    cat, src = indexed
    before = _live_state(cat)
    missing = tmp_path / "nowhere" / "clip.pt"
    code, out = _run(capsys, "models", "reindex", "--clip-pretrained", str(missing), "--catalog", str(cat), "--json")
    payload = json.loads(out)
    assert code == 1 and payload["complete"] is False and str(missing) in payload["error"]
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint")
    code, out = _run(capsys, "models", "reindex", "--clip-pretrained", str(garbage), "--catalog", str(cat), "--json")
    assert code == 1 and "could not be loaded" in json.loads(out)["error"]
    with Catalog.open(cat):
        jobs = list(db.Job.select().where(db.Job.kind == "reindex").order_by(db.Job.id))
        assert [j.state for j in jobs] == ["failed", "failed"] and str(missing) in jobs[0].error
        assert db.VectorIndexInfo.select().count() == 1  # no half-built version appeared
    assert _live_state(cat) == before

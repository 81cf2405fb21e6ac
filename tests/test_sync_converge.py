"""Sync that converges and cannot be turned against a catalog, against a real radosgw: a copied catalog, a
bucket lost and recreated, a renamed folder, `sync --verify`, a forged tombstone in the catalog's own folder,
and objects too large to read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tracemalloc
import uuid
from pathlib import Path

import pytest

from core.catalog import db
from core.catalog.catalog import Catalog
from core.settings import S3Settings, Settings
from core.sync import outbox
from core.sync.engine import purge_tombstones, sync, verify
from core.sync.s3 import ObjectTooLarge
from tests.test_sync import JPEG, add_correction, keys, make_store, settings_for

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close_catalog():
    yield
    db.close_database()


def _uids() -> set[str]:
    return {c.uid for c in db.Correction.with_deleted()}


@pytest.mark.s3
def test_a_copied_catalog_gets_its_own_identity_and_both_converge(radosgw, s3_prefix, tmp_path):
    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    with Catalog.open(tmp_path / "a") as a:
        id_a = a.catalog_id()
        for i in range(3):
            add_correction(f"S{i}")
        assert sync(settings, store=store).pushed == 3
    shutil.copytree(tmp_path / "a", tmp_path / "b")  # a colleague's copy: same database, same catalog id

    with Catalog.open(tmp_path / "b") as b:
        id_b = b.catalog_id()
        assert id_b != id_a  # recognised as a copy on its first open
        assert db.Setting.get(db.Setting.key == "catalog_id_history").value[0]["id"] == id_a
        made_b = [add_correction(f"S{i}").uid for i in range(40)]  # the colleague's corrections
        assert sync(settings, store=store).pushed == 40
    with Catalog.open(tmp_path / "a") as a:
        assert a.catalog_id() == id_a  # the original keeps its identity
        made_a = [add_correction("S9").uid for _ in range(5)]
        report = sync(settings, store=store)
        assert report.ok and report.pushed == 5 and report.pulled == 40, report.to_dict()
        assert set(made_b) <= _uids()
        uids_a = _uids()
        assert verify(settings, store=store)["ok"]
    with Catalog.open(tmp_path / "b") as b:
        assert b.catalog_id() == id_b  # reopening does not renew it again
        report = sync(settings, store=store)
        assert report.ok and report.pulled == 5 and report.skipped_duplicates == 0, report.to_dict()
        assert set(made_a) <= _uids() and _uids() == uids_a  # converged
        assert verify(settings, store=store)["ok"]


def test_a_catalog_told_it_is_a_copy_takes_its_own_identity(tmp_path):
    with Catalog.open(tmp_path / "a") as a:
        first = a.catalog_id()
        second = a.claim_identity(as_copy=True)
        assert second != first and outbox.catalog_id() == second
        assert a.claim_identity() == second


@pytest.mark.s3
def test_a_renamed_folder_keeps_its_identity_and_its_crop_uploads(radosgw, s3_prefix, tmp_path):
    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    with Catalog.open(tmp_path / "a") as a:
        ident = a.catalog_id()
        jpeg = a.paths.cache / "sync" / "c.jpg"
        jpeg.parent.mkdir(parents=True, exist_ok=True)
        jpeg.write_bytes(JPEG)
        legacy = a.paths.cache / "sync" / "old.jpg"  # a row queued before paths were stored relative
        legacy.write_bytes(JPEG + b"\0")
        db.transaction(lambda: (outbox.enqueue_crop_jpeg(1, jpeg), outbox.enqueue_crop_jpeg(2, legacy)))
        db.SyncOutbox.update(file_path=str(legacy)).where(db.SyncOutbox.key.contains("/2-")).execute()
        assert db.SyncOutbox.get(db.SyncOutbox.key.contains("/1-")).file_path == "cache/sync/c.jpg"
    (tmp_path / "a").rename(tmp_path / "renamed")
    with Catalog.open(tmp_path / "renamed") as a:
        assert a.catalog_id() == ident  # a rename is no copy
        report = sync(settings, store=store)
        assert report.ok and report.pushed == 2 and report.pending == 0 and report.failed == 0, report.to_dict()
        assert len(keys(store, f"crops/{ident}/")) == 2


@pytest.mark.s3
def test_a_crop_that_failed_on_a_moved_folder_is_sent_once_the_file_is_back(radosgw, s3_prefix, tmp_path):
    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    with Catalog.open(tmp_path / "a") as a:
        jpeg = a.paths.cache / "sync" / "c.jpg"
        jpeg.parent.mkdir(parents=True, exist_ok=True)
        jpeg.write_bytes(JPEG)
        db.transaction(lambda: outbox.enqueue_crop_jpeg(1, jpeg))
        jpeg.rename(jpeg.with_suffix(".away"))
        report = sync(settings, store=store)
        assert report.failed == 1 and "cannot be read" in report.errors[0]["reason"]
        jpeg.with_suffix(".away").rename(jpeg)
        report = sync(settings, store=store)
        assert report.ok and report.pushed == 1 and report.failed == 0, report.to_dict()


@pytest.mark.s3
def test_a_bucket_deleted_and_recreated_gets_the_history_again(radosgw, tmp_path):
    bucket = f"lost-{uuid.uuid4().hex[:10]}"
    raw = radosgw.client()
    raw.create_bucket(Bucket=bucket)
    settings = S3Settings(enabled=True, endpoint_url=radosgw.endpoint_url, bucket=bucket, prefix="p/",
                          max_requests_per_s=0, allow_insecure_http=True)
    store = make_store(radosgw, "p/")
    store.bucket = bucket
    with Catalog.open(tmp_path / "a"):
        product = db.Product.create(sku="S0", title="t")
        made = [add_correction("S0").uid for _ in range(69)]
        db.transaction(lambda: outbox.enqueue_labels_snapshot(product))
        assert sync(settings, store=store).pushed == 70
        for o in raw.list_objects_v2(Bucket=bucket).get("Contents", []):
            raw.delete_object(Bucket=bucket, Key=o["Key"])
        raw.delete_bucket(Bucket=bucket)
        raw.create_bucket(Bucket=bucket)
        made.append(add_correction("S0").uid)
        before = verify(settings, store=store)
        assert not before["ok"] and len(before["missing_remote"]) == 70  # 69 sent + the labels snapshot

        report = sync(settings, store=store)
        assert report.ok and report.resent == 70 and report.pushed == 71, report.to_dict()
        assert {k[12:-5] for k in keys(store, "corrections/")} == set(made)
        assert verify(settings, store=store)["ok"]
        assert sync(settings, store=store).resent == 0


@pytest.mark.s3
def test_sync_verify_names_every_difference_and_the_cli_says_ok_when_converged(radosgw, s3_prefix, tmp_path):
    root = tmp_path / "cat"
    store = make_store(radosgw, s3_prefix)
    s3 = settings_for(radosgw, s3_prefix)
    with Catalog.open(root) as catalog:
        catalog.settings.s3 = s3
        catalog.save_settings()
        add_correction("S1")
        pending = verify(s3, store=store)
        assert not pending["ok"] and pending["pending"] == 1
        assert sync(s3, store=store).ok
        peer = db.new_uid()
        store.put_immutable(outbox.correction_key(peer), outbox.encode(
            {"uid": peer, "sku": "S1", "kind": "flag", "origin": "peer"}), "application/json")
        missing = verify(s3, store=store)
        assert not missing["ok"] and missing["missing_local"] == [outbox.correction_key(peer)]

    env = {**os.environ, "PYTHONPATH": str(REPO), "AWS_ACCESS_KEY_ID": radosgw.access_key,
           "AWS_SECRET_ACCESS_KEY": radosgw.secret_key, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
           "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "AWS_EC2_METADATA_DISABLED": "true"}
    cli = [sys.executable, "-m", "app.cli", "sync", "--catalog", str(root)]
    proc = subprocess.run([*cli, "--verify"], capture_output=True, text=True, env=env, timeout=240, cwd=REPO)
    assert proc.returncode == 1 and "on the server but not here" in proc.stdout, proc.stdout + proc.stderr
    with Catalog.open(root):
        assert sync(s3, store=store).pulled == 1
    proc = subprocess.run([*cli, "--verify", "--json"], capture_output=True, text=True, env=env, timeout=240,
                          cwd=REPO)
    payload = json.loads(proc.stdout)
    assert proc.returncode == 0 and payload["ok"] and payload["remote_corrections"] == 2, proc.stderr[-2000:]


# --- nobody else's object deletes anything; nothing is read beyond its bound ----------------------------


@pytest.mark.s3
def test_a_forged_tombstone_in_the_catalogs_own_folder_purges_nothing(radosgw, s3_prefix, tmp_path):
    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    with Catalog.open(tmp_path / "a"):
        me = outbox.catalog_id()
        product = db.Product.create(sku="KEEP", title="t")
        jpeg = tmp_path / "c.jpg"
        jpeg.write_bytes(JPEG)
        db.transaction(lambda: (outbox.enqueue_crop_jpeg(7, jpeg), outbox.enqueue_labels_snapshot(product)))
        assert sync(settings, store=store, purge=False).pushed == 2
        mine = set(keys(store))
        # Someone with write access to the bucket forges a tombstone exactly as this catalog would write it.
        doc = {"schema": 1, "kind": "product", "id": product.id, "sku": "KEEP", "origin": me,
               "deleted_at": "2020-01-01T00:00:00", "targets": sorted(mine), "uid": db.new_uid()}
        forged = f"tombstones/{me}/product-{product.id}-{doc['uid']}.json"
        store.put_immutable(forged, outbox.encode(doc), "application/json")
        assert purge_tombstones(store, 0) == {"tombstones": 0, "objects": 0}
        report = sync(settings, store=store, purge=True)
        assert report.ok and report.purged == 0
        assert mine <= set(keys(store))  # nothing deleted on the server


@pytest.mark.s3
def test_an_oversized_object_is_refused_before_it_is_read(radosgw, s3_prefix, tmp_path):
    store = make_store(radosgw, s3_prefix, max_object_bytes=256 * 1024)
    settings = settings_for(radosgw, s3_prefix)
    with Catalog.open(tmp_path / "a"):
        db.Product.create(sku="S1", title="t")
        big, small = db.new_uid(), db.new_uid()
        body = outbox.encode({"uid": big, "sku": "S1", "kind": "flag", "origin": "peer", "pad": "x" * 3_000_000})
        store.put_immutable(outbox.correction_key(big), body, "application/json")
        store.put_immutable(outbox.correction_key(small), outbox.encode(
            {"uid": small, "sku": "S1", "kind": "flag", "origin": "peer"}), "application/json")
        tracemalloc.start()
        report = sync(settings, store=store)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert report.ok and report.pulled == 1, report.to_dict()
        [held] = report.quarantined
        assert held["key"] == outbox.correction_key(big)
        assert "over the 0.3 MB limit" in held["reason"] and "s3.max_object_mb" in held["reason"]
        assert peak < 2_000_000  # the 3 MB body was never fetched
        with pytest.raises(ObjectTooLarge, match="3.0 MB is over"):  # a direct read stops at the declared length
            store.get_verified(outbox.correction_key(big))


def test_the_object_bound_comes_from_settings(tmp_path):
    settings = Settings()
    settings.s3.max_object_mb = 2
    settings.save(tmp_path / "settings.json")
    loaded = Settings.load(tmp_path / "settings.json").s3
    from core.sync.credentials import Credentials
    from core.sync.s3 import S3Store

    store = S3Store.from_settings(S3Settings(**{**loaded.__dict__, "bucket": "b", "endpoint_url": "https://x"}),
                                  Credentials("a", "s"))
    assert store.max_object_bytes == 2 * 1024 * 1024


@pytest.mark.s3
def test_pulled_corrections_are_applied_holding_the_lock_and_the_network_is_not(radosgw, s3_prefix, tmp_path):
    import contextlib

    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    with Catalog.open(tmp_path / "a") as catalog:
        add_correction("MINE")
        for _ in range(3):
            uid = db.new_uid()
            store.put_immutable(outbox.correction_key(uid), outbox.encode(
                {"uid": uid, "sku": "S1", "kind": "flag", "origin": "peer"}), "application/json")
        held_at_apply: list[bool] = []
        real_call = store._call
        held_at_request: list[bool] = []

        def watched_call(op, **kwargs):
            held_at_request.append(catalog.lock.held)
            return real_call(op, **kwargs)

        store._call = watched_call
        report = sync(settings, store=store, writing=catalog.writing,
                      apply_remote=lambda c: held_at_apply.append(catalog.lock.held))
        assert report.ok and report.pushed == 1 and report.pulled == 3, report.to_dict()
        assert held_at_apply == [True] * 3  # applied holding the writer lock
        assert held_at_request and not any(held_at_request)  # no S3 request ever held it
        assert not catalog.lock.held
        with contextlib.suppress(AttributeError):
            del store._call

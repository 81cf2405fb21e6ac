"""Sync that cannot be poisoned, against a real radosgw: quarantine, server-side pull state, own-origin purges,
secrets kept out of logs, plain-http endpoints refused unless allowed."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.catalog import db
from core.settings import S3Settings, Settings
from core.sync import outbox
from core.sync.credentials import Credentials
from core.sync.engine import purge_tombstones, sync
from core.sync.s3 import PermanentError, S3Store
from tests.test_sync import JPEG, add_correction, keys, make_store, open_catalog, settings_for

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close_catalog():
    yield
    db.close_database()


def _uid(offset_s: float = 0.0) -> str:
    """A correction uid as a peer whose clock is offset_s ahead of ours would make it."""
    return f"{int(time.time_ns() + offset_s * 1e9):016x}{os.urandom(6).hex()}"


def _put_correction(store: S3Store, uid: str, sku: str = "S1", **extra) -> str:
    doc = {"uid": uid, "sku": sku, "kind": "add_label", "after": {"value": uid}, "origin": "peer",
           "created_at": "2026-01-01T00:00:00", "user": "ann", **extra}
    key = outbox.correction_key(uid)
    store.put_immutable(key, outbox.encode(doc), "application/json")
    return key


@pytest.mark.s3
def test_poisoned_objects_are_quarantined_and_later_corrections_still_arrive(radosgw, s3_prefix, tmp_path):
    open_catalog(tmp_path / "a")
    db.Product.create(sku="S1", title="t")
    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    raw = radosgw.client()
    good1 = _put_correction(store, _uid(-5))
    bad_json = outbox.correction_key(_uid(-4))
    store.put_immutable(bad_json, b"{not json", "application/json")
    wrong_type = _put_correction(store, _uid(-3), after="drop table")  # after must be an object
    forged = outbox.correction_key(_uid(-2))  # bytes that do not match the sha256 its writer recorded
    body = outbox.encode({"uid": forged[12:-5], "sku": "S1", "kind": "add_label", "after": {}, "origin": "peer"})
    raw.put_object(Bucket=radosgw.bucket, Key=s3_prefix + forged, Body=body, Metadata={"sha256": "0" * 64})
    good2 = _put_correction(store, _uid(-1))

    applied: list[str] = []
    report = sync(settings, store=store, apply_remote=lambda c: applied.append(c.uid))
    assert report.pulled == 2 and applied == [good1[12:-5], good2[12:-5]], report.to_dict()
    reasons = {q["key"]: q["reason"] for q in report.quarantined}
    assert set(reasons) == {bad_json, wrong_type, forged} and report.newly_quarantined == 3
    assert "bad JSON" in reasons[bad_json] and "after is not an object" in reasons[wrong_type]
    assert "sha256" in reasons[forged]
    json.dumps(report.to_dict())  # what sync --json prints
    assert {q["key"] for q in outbox.status()["quarantined"]} == set(reasons)  # persisted, shown by the GUI

    # The next pull does not stumble on them again, and a new honest correction arrives.
    good3 = _put_correction(store, _uid())
    again = sync(settings, store=store, apply_remote=lambda c: applied.append(c.uid))
    assert again.ok and again.pulled == 1 and applied[-1] == good3[12:-5] and again.newly_quarantined == 0
    assert len(again.quarantined) == 3


@pytest.mark.s3
def test_a_correction_refused_again_and_again_is_quarantined_not_a_wall(radosgw, s3_prefix, tmp_path):
    open_catalog(tmp_path / "a")
    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    refused = _put_correction(store, _uid(-2), sku="BAD")
    later = _put_correction(store, _uid(-1), sku="OK")

    def picky(c: db.Correction) -> None:
        if c.sku == "BAD":
            raise ValueError("this crop does not exist here")

    for _ in range(2):  # stops (time order) and retries next time...
        report = sync(settings, store=store, apply_remote=picky)
        assert not report.ok and report.pulled == 0 and "does not exist" in report.reason
    report = sync(settings, store=store, apply_remote=picky)  # ...until it is set aside
    assert report.pulled == 1 and report.newly_quarantined == 1 and report.ok, report.to_dict()
    assert [q["key"] for q in report.quarantined] == [refused]
    assert db.Correction.get_or_none(db.Correction.uid == later[12:-5]) is not None


@pytest.mark.s3
def test_a_peer_with_a_skewed_clock_makes_nobody_skip_honest_corrections(radosgw, s3_prefix, tmp_path):
    open_catalog(tmp_path / "a")
    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    _put_correction(store, _uid(30 * 86400))  # a peer whose clock is 30 days ahead
    _put_correction(store, _uid(-1))
    assert sync(settings, store=store).pulled == 2
    # Honest peers keep writing with today's clock, one with a clock 30 days behind: all must arrive.
    late = [_put_correction(store, _uid()), _put_correction(store, _uid(-30 * 86400))]
    for _ in range(3):
        report = sync(settings, store=store)
        if report.pulled:
            break
    assert report.pulled == 2 and report.ok, report.to_dict()
    have = {r.uid for r in db.Correction.select()}
    assert {k[12:-5] for k in late} <= have
    cursor = db.Setting.get(db.Setting.key == "sync_pull_cursor").value
    assert cursor["listed"] == 4  # the server's listing, not a client timestamp
    assert sync(settings, store=store).pulled == 0


@pytest.mark.s3
def test_a_catalog_purges_only_its_own_tombstones(radosgw, s3_prefix, tmp_path):
    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    id_a = open_catalog(tmp_path / "a")
    product = db.Product.create(sku="KEEP", title="t")
    jpeg = tmp_path / "c.jpg"
    jpeg.write_bytes(JPEG)
    db.transaction(lambda: (outbox.enqueue_crop_jpeg(7, jpeg), outbox.enqueue_labels_snapshot(product)))
    assert sync(settings, store=store, purge=False).pushed == 2
    a_objects = set(keys(store))
    db.close_database()

    id_b = open_catalog(tmp_path / "b")
    old = (db.utcnow() - dt.timedelta(days=90)).isoformat()
    hostile = {"schema": 1, "kind": "product", "id": 1, "sku": "KEEP", "deleted_at": old, "uid": _uid(),
               "targets": sorted(a_objects)}
    # B's own tombstone, from B's own outbox, names A's objects: it goes, but it may not retire them.
    db.transaction(lambda: outbox.enqueue_tombstone("product", 1, sku="KEEP", targets=sorted(a_objects)))
    db.SyncOutbox.update(payload={**db.SyncOutbox.get().payload, "deleted_at": old}).execute()
    assert sync(settings, store=store, purge=False).pushed == 1
    forged = f"tombstones/{id_a}/product-1-y.json"  # in A's folder, written by B, claiming to be A's
    store.put_immutable(forged, outbox.encode({**hostile, "origin": id_a}), "application/json")
    result = purge_tombstones(store, 30)
    assert result == {"tombstones": 1, "objects": 0}
    assert a_objects <= set(keys(store)) and not keys(store, f"tombstones/{id_b}/")
    db.close_database()

    open_catalog(tmp_path / "a")
    # Not in A's own history: the forged tombstone purges nothing, though it names A as its origin.
    assert purge_tombstones(store, 30) == {"tombstones": 0, "objects": 0}
    assert a_objects <= set(keys(store)) and forged in keys(store)


@pytest.mark.s3
def test_secrets_never_reach_debug_logs(radosgw, s3_prefix, tmp_path, caplog):
    token = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN" + os.urandom(8).hex()
    for name in ("", "botocore", "boto3", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        open_catalog(tmp_path / "a")
        add_correction("S1")
        creds = Credentials(radosgw.access_key, radosgw.secret_key, token, source="test")
        store = S3Store(radosgw.endpoint_url, radosgw.bucket, s3_prefix, creds, allow_insecure_http=True,
                        max_attempts=1)
        sync(settings_for(radosgw, s3_prefix), store=store)  # radosgw may refuse the token: the logs matter
        try:
            raise RuntimeError(f"a library that puts a secret in an exception: {radosgw.secret_key}")
        except RuntimeError:
            logging.getLogger("botocore.test").debug("boom", exc_info=True)
    finally:
        for name in ("botocore", "boto3", "urllib3"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    text = caplog.text
    assert any(r.name.startswith("botocore") for r in caplog.records) and "Security-Token" in text
    assert token not in text and radosgw.secret_key not in text
    assert "[redacted]" in text


@pytest.mark.s3
def test_cli_sync_verbose_prints_no_secret_and_json_shows_quarantine(radosgw, s3_prefix, tmp_path):
    token = "IQoJb3JpZ2luX2VjEXAMPLE" + os.urandom(8).hex()
    root = tmp_path / "cat"
    root.mkdir()
    settings = Settings()
    settings.s3 = S3Settings(enabled=True, endpoint_url=radosgw.endpoint_url, bucket=radosgw.bucket,
                             prefix=s3_prefix, max_requests_per_s=0, allow_insecure_http=True)
    settings.save(root / "settings.json")
    store = make_store(radosgw, s3_prefix)
    bad = outbox.correction_key(_uid())
    store.put_immutable(bad, b"[1, 2", "application/json")
    env = {**os.environ, "PYTHONPATH": str(REPO), "AWS_ACCESS_KEY_ID": radosgw.access_key,
           "AWS_SECRET_ACCESS_KEY": radosgw.secret_key, "AWS_SESSION_TOKEN": token,
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_EC2_METADATA_DISABLED": "true"}
    proc = subprocess.run([sys.executable, "-m", "app.cli", "-v", "sync", "--catalog", str(root), "--json"],
                          capture_output=True, text=True, env=env, timeout=240, cwd=REPO)
    out = proc.stdout + proc.stderr
    assert "botocore" in proc.stderr and "plain http" in proc.stderr, proc.stderr[-2000:]
    assert token not in out and radosgw.secret_key not in out
    payload = json.loads(proc.stdout)  # radosgw ignores a session token for a plain user: the pull runs
    assert [q["key"] for q in payload["quarantined"]] == [bad] and "bad JSON" in payload["quarantined"][0]["reason"]
    assert payload["warnings"] and "plain http" in payload["warnings"][0]


def test_plain_http_needs_an_explicit_setting(tmp_path):
    with pytest.raises(PermanentError, match="allow_insecure_http"):
        S3Store("http://127.0.0.1:9", "b", "p/", Credentials("a", "s"))
    open_catalog(tmp_path / "a")
    report = sync(S3Settings(bucket="b", endpoint_url="http://127.0.0.1:9"), credentials=Credentials("a", "s"))
    assert not report.ok and "allow_insecure_http" in report.reason
    S3Store("https://127.0.0.1:9", "b", "p/", Credentials("a", "s"))  # https needs nothing


def test_gui_sync_status_names_quarantined_objects():
    from app.views.sync_status import describe

    status = {"pending": 0, "failed": 0, "quarantined": [{"key": "corrections/x.json", "reason": "bad JSON"}]}
    text, tip = describe({"status": status, "report": {"ok": True}}, enabled=True, running=False)
    assert "1 remote item" in text and "quarantined" in text and "set aside" in tip

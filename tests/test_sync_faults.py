"""Sync under faults against a real radosgw: the server killed mid-sync, a crash before marking, bad credentials."""

from __future__ import annotations

import json
import threading

import keyring
import pytest

from core.catalog import db
from core.sync import engine, outbox
from core.sync.engine import sync
from tests.radosgw import free_port
from tests.test_sync import add_correction, keys, make_store, open_catalog, settings_for


@pytest.fixture(autouse=True)
def _close_catalog():
    yield
    db.close_database()


def _expected_objects() -> dict[str, bytes]:
    return {r.key: outbox.encode(r.payload) for r in db.SyncOutbox.with_deleted()}


@pytest.mark.s3
def test_server_killed_mid_sync_loses_and_duplicates_nothing(radosgw, s3_prefix, tmp_path):
    n = 300
    open_catalog(tmp_path / "a")
    for i in range(n):
        add_correction(f"S{i % 17}", after={"value": i})
    expected = _expected_objects()
    settings = settings_for(radosgw, s3_prefix)
    reached = threading.Event()
    killer = threading.Thread(target=lambda: (reached.wait(60), radosgw.stop(kill=True)))
    killer.start()
    try:
        first = sync(settings, store=make_store(radosgw, s3_prefix), workers=4,
                     progress=lambda done, total, msg: done >= n // 5 and reached.set())
        killer.join()
        assert not first.ok and "Cannot reach" in first.reason, first.to_dict()
        assert first.pushed < n and first.pending == n - first.pushed
        assert first.retries >= 1 and first.errors
        sent = db.SyncOutbox.select().where(db.SyncOutbox.state == "sent").count()
        assert sent == first.pushed
    finally:
        killer.join()
        radosgw.start()

    db.close_database()  # the app restarts too: the queue lives in the catalog
    open_catalog(tmp_path / "a")
    second = sync(settings, store=make_store(radosgw, s3_prefix))
    assert second.ok and second.pending == 0, second.to_dict()
    assert first.pushed + second.pushed + second.skipped_duplicates == n
    store = make_store(radosgw, s3_prefix)
    listed = keys(store, "corrections/")
    assert sorted(listed) == sorted(expected)  # nothing lost, nothing extra
    assert len(listed) == len(set(listed)) == n
    for key in listed[:: max(1, n // 30)]:
        assert store.get(key) == expected[key]
    print(f"\n[fault] kill mid-sync: {first.pushed}/{n} before the kill, {first.retries} retries, "
          f"then {second.pushed} pushed + {second.skipped_duplicates} already there after restart; "
          f"{len(listed)} objects")


@pytest.mark.s3
def test_crash_between_put_and_mark_re_puts_idempotently(radosgw, s3_prefix, tmp_path, monkeypatch):
    open_catalog(tmp_path / "a")
    for i in range(20):
        add_correction(f"S{i}")
    settings = settings_for(radosgw, s3_prefix)

    def crash(done, report):
        raise KeyboardInterrupt("power cut after the server acknowledged")
    monkeypatch.setattr(engine, "_mark_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        sync(settings, store=make_store(radosgw, s3_prefix))
    monkeypatch.undo()
    store = make_store(radosgw, s3_prefix)
    assert len(keys(store, "corrections/")) == 20 and outbox.pending_count() == 20

    report = sync(settings, store=store)
    assert report.ok and report.pushed == 0 and report.skipped_duplicates == 20 and report.pending == 0
    assert len(keys(store, "corrections/")) == 20


@pytest.mark.s3
@pytest.mark.parametrize(("access", "secret", "code"), [
    (None, "wrong-secret", "SignatureDoesNotMatch"),
    ("NOSUCHACCESSKEY00000", None, "InvalidAccessKeyId"),
])
def test_wrong_credentials_give_a_clear_error_and_keep_the_outbox(radosgw, s3_prefix, tmp_path, access, secret,
                                                                  code):
    open_catalog(tmp_path / "a")
    for i in range(10):
        add_correction(f"S{i}")
    settings = settings_for(radosgw, s3_prefix)
    bad = make_store(radosgw, s3_prefix, access_key=access or radosgw.access_key,
                     secret_key=secret or radosgw.secret_key)
    report = sync(settings, store=bad)
    assert not report.ok and code in report.reason and "Settings" in report.reason
    assert report.pushed == 0 and report.pending == 10 and bad.retries == 0  # permanent: no retry storm
    st = outbox.status()
    assert st["pending"] == 10 and st["errors"] and code in st["errors"][0]["reason"]
    assert st["last_sync"]["ok"] is False and st["last_sync"]["last_ok_at"] is None
    assert "wrong-secret" not in json.dumps(report.to_dict()) + json.dumps(st)
    assert db.AuditLog.select().where(db.AuditLog.action == "sync").count() == 1

    good = sync(settings, store=make_store(radosgw, s3_prefix))
    assert good.ok and good.pushed == 10 and good.pending == 0 and outbox.status()["errors"] == []


def test_no_credentials_anywhere_is_a_clear_error(tmp_path, monkeypatch):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        open_catalog(tmp_path / "a")
        add_correction("S1")
        s = settings_for(type("S", (), {"endpoint_url": f"http://127.0.0.1:{free_port()}", "bucket": "b"}), "p/")
        report = sync(s)
    finally:
        keyring.set_keyring(previous)
    assert not report.ok and "No S3 credentials" in report.reason and report.pending == 1


def test_server_down_before_sync_keeps_the_outbox(tmp_path):
    open_catalog(tmp_path / "a")
    for i in range(5):
        add_correction(f"S{i}")
    server = type("S", (), {"endpoint_url": f"http://127.0.0.1:{free_port()}", "bucket": "b",
                            "access_key": "a", "secret_key": "s"})
    report = sync(settings_for(server, "p/"), store=make_store(server, "p/"), workers=1)
    assert not report.ok and "Cannot reach" in report.reason and "gave up after 3 attempts" in report.reason
    assert report.pending == 5 and report.retries == 2 * len(report.errors)  # bounded: 3 tries per request
    row = outbox.pending()[0]
    assert row.attempts == 1 and row.next_attempt_at is not None and "Cannot reach" in row.last_error

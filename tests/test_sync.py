"""Sync: token bucket, error classes, keyring credentials, the outbox, and round trips through a real bucket."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from pathlib import Path

import botocore.exceptions as bx
import keyring
import pytest
from keyring.backend import KeyringBackend

from core.catalog import db
from core.settings import S3Settings
from core.sync import credentials, outbox
from core.sync.credentials import Credentials
from core.sync.engine import purge_tombstones, sync
from core.sync.s3 import (
    ConflictError,
    PermanentError,
    S3Store,
    TokenBucket,
    TransientError,
    backoff_delay,
    classify,
)

# --- helpers shared with test_sync_faults ---------------------------------------------------------------


def open_catalog(root: Path) -> str:
    root.mkdir(parents=True, exist_ok=True)
    db.open_database(root / "catalog.sqlite")
    return outbox.catalog_id()


def add_correction(sku: str, kind: str = "add_label", after: dict | None = None) -> db.Correction:
    """A curator's correction and its outbox row, in one transaction (as the review module does)."""
    def _do() -> db.Correction:
        product = db.Product.get_or_none(db.Product.sku == sku) or db.Product.create(sku=sku, title=f"Product {sku}")
        c = db.Correction.create(uid=db.new_uid(), product=product, sku=sku, kind=kind, before={},
                                 after=after or {"vocabulary": "color", "value": "red"})
        outbox.enqueue_correction(c)
        return c
    return db.transaction(_do)


def make_store(server, prefix: str, **kw) -> S3Store:
    creds = Credentials(kw.pop("access_key", server.access_key), kw.pop("secret_key", server.secret_key), source="test")
    kw.setdefault("base_delay", 0.05)
    kw.setdefault("max_delay", 0.2)
    kw.setdefault("max_attempts", 3)
    kw.setdefault("allow_insecure_http", True)  # the test servers listen on 127.0.0.1 without TLS
    return S3Store(server.endpoint_url, server.bucket, prefix, creds, **kw)


def settings_for(server, prefix: str) -> S3Settings:
    return S3Settings(enabled=True, endpoint_url=server.endpoint_url, bucket=server.bucket, prefix=prefix,
                      max_requests_per_s=0, retention_days=30, allow_insecure_http=True)


def keys(store: S3Store, prefix: str = "") -> list[str]:
    return [o.key for o in store.list(prefix)]


JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")  # a minimal JFIF header/trailer


@pytest.fixture(autouse=True)
def _close_catalog():
    yield
    db.close_database()


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def no_aws_env(monkeypatch, tmp_path):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


# --- unit: no server ----------------------------------------------------------------------------------


def test_token_bucket_waits_for_tokens():
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    bucket = TokenBucket(10, burst=2, clock=lambda: now[0], sleep=sleep)
    assert [bucket.acquire() for _ in range(2)] == [0.0, 0.0]
    assert bucket.acquire() == pytest.approx(0.1)
    now[0] += 1.0  # idle time refills only up to the burst
    assert bucket.acquire() == 0.0 and bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(0.1)
    assert TokenBucket(0).acquire() == 0.0  # unlimited


def test_token_bucket_is_thread_safe():
    bucket = TokenBucket(200, burst=1)
    t0 = time.monotonic()
    threads = [threading.Thread(target=lambda: [bucket.acquire() for _ in range(25)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - t0 >= 99 / 200 * 0.9  # 100 tokens at 200/s after a burst of 1


def test_backoff_has_full_jitter_and_a_cap():
    for attempt in range(12):
        delays = [backoff_delay(attempt, 0.1, 2.0) for _ in range(50)]
        assert all(0 <= d <= min(2.0, 0.1 * 2**attempt) for d in delays)
    assert len({round(backoff_delay(5, 0.1, 2.0), 6) for _ in range(20)}) > 1


def _client_error(code: str, status: int) -> bx.ClientError:
    return bx.ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                          "PutObject")


@pytest.mark.parametrize(("exc", "kind", "words"), [
    (_client_error("InvalidAccessKeyId", 403), PermanentError, "access key"),
    (_client_error("SignatureDoesNotMatch", 403), PermanentError, "secret key"),
    (_client_error("AccessDenied", 403), PermanentError, "refused access"),
    (_client_error("NoSuchBucket", 404), PermanentError, "bucket does not exist"),
    (_client_error("SlowDown", 503), TransientError, "busy"),
    (_client_error("InternalError", 500), TransientError, "busy"),
    (bx.EndpointConnectionError(endpoint_url="http://x"), TransientError, "Cannot reach"),
    (bx.ReadTimeoutError(endpoint_url="http://x"), TransientError, "did not answer"),
    (bx.NoCredentialsError(), PermanentError, "No S3 credentials"),
])
def test_errors_are_classified_with_readable_reasons(exc, kind, words):
    err = classify(exc, "the server")
    assert type(err) is kind
    assert words in err.reason


def test_unreachable_server_is_retried_with_backoff_then_reported():
    from tests.radosgw import free_port

    slept: list[float] = []
    store = S3Store(f"http://127.0.0.1:{free_port()}", "b", "p/", Credentials("a", "s"), max_attempts=4,
                    allow_insecure_http=True,
                    base_delay=0.1, max_delay=1.0, sleep=slept.append)
    with pytest.raises(TransientError, match="gave up after 4 attempts"):
        store.put("k", b"x")
    assert len(slept) == 3 and store.retries == 3
    assert all(0 <= d <= 0.1 * 2**i for i, d in enumerate(slept))


def test_keyring_credentials_round_trip_and_hide_the_secret(memory_keyring, no_aws_env):
    service = "catalog-curator-s3-test"
    assert credentials.resolve(service) is None
    credentials.store_in_keyring(service, "AKIAEXAMPLE", "s3cr3t-value")
    found = credentials.resolve(service)
    assert found is not None and found.access_key == "AKIAEXAMPLE" and found.secret_key == "s3cr3t-value"
    assert found.source == "keyring"
    assert "s3cr3t-value" not in repr(found) and "s3cr3t-value" not in str(found)
    credentials.store_in_keyring(service, "AKIAOTHER", "another")  # replacing drops the old entry
    assert ("catalog-curator-s3-test", "AKIAEXAMPLE") not in memory_keyring.items
    assert credentials.delete_from_keyring(service)
    assert memory_keyring.items == {} and credentials.resolve(service) is None


def test_credentials_fall_back_to_env_and_profile(memory_keyring, no_aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ENVKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    assert credentials.resolve("svc").access_key == "ENVKEY"
    (no_aws_env / "aws-credentials").write_text("[curator]\naws_access_key_id = PROFKEY\n"
                                                "aws_secret_access_key = profsecret\n")
    found = credentials.resolve("svc", profile="curator")
    assert found.access_key == "PROFKEY" and found.source == "profile:curator"
    assert credentials.resolve("svc", profile="missing") is None
    credentials.store_in_keyring("svc", "RINGKEY", "ringsecret")  # an explicit entry wins
    assert credentials.resolve("svc", profile="curator").access_key == "RINGKEY"


def test_correction_and_outbox_row_commit_or_roll_back_together(tmp_path):
    open_catalog(tmp_path / "a")
    add_correction("SKU-1")
    with pytest.raises(RuntimeError), db.database.atomic():
        c = db.Correction.create(uid=db.new_uid(), sku="SKU-1", kind="flag")
        outbox.enqueue_correction(c)
        raise RuntimeError("the review step failed")
    assert db.Correction.select().count() == 1 and outbox.pending_count() == 1
    row = outbox.pending()[0]
    assert row.key == f"corrections/{db.Correction.get().uid}.json"
    assert row.payload["origin"] == outbox.catalog_id()
    outbox.enqueue_correction(db.Correction.get())  # idempotent
    assert outbox.pending_count() == 1


def test_labels_snapshot_refresh_requeues_and_status_reports(tmp_path):
    open_catalog(tmp_path / "a")
    product = db.Product.create(sku="A/1 x", title="t")
    db.Label.create(product=product, vocabulary="color", value="red", score=0.9)
    row = outbox.enqueue_labels_snapshot(product)
    assert row.key.endswith("/A%2F1%20x.json")
    db.SyncOutbox.update(state="sent").execute()
    db.Label.create(product=product, vocabulary="color", value="blue", score=0.8)
    row = outbox.enqueue_labels_snapshot(product)
    assert row.state == "pending" and [lb["value"] for lb in row.payload["labels"]] == ["blue", "red"]
    db.SyncOutbox.update(last_error="boom").execute()
    st = outbox.status()
    assert st["pending"] == 1 and st["errors"][0]["reason"] == "boom" and st["last_sync"] is None
    json.dumps(st)


# --- quick tier: moto ---------------------------------------------------------------------------------


def test_conditional_put_on_moto(moto_s3, s3_prefix):
    store = make_store(moto_s3, s3_prefix)
    assert store.put_immutable("x.json", b"one") == "created"
    assert store.put_immutable("x.json", b"one") == "exists"
    with pytest.raises(ConflictError):
        store.put_immutable("x.json", b"two")
    assert store.get("x.json") == b"one"


def test_pull_applies_in_time_order_whatever_the_upload_order(moto_s3, s3_prefix, tmp_path):
    open_catalog(tmp_path / "b")
    db.Product.create(sku="S1", title="t")
    store = make_store(moto_s3, s3_prefix)
    uids = [f"{n:016x}{'0' * 12}" for n in (time.time_ns() - 3000, time.time_ns() - 2000, time.time_ns() - 1000)]
    for uid in (uids[2], uids[0], uids[1]):
        doc = {"uid": uid, "sku": "S1", "kind": "add_label", "after": {"value": uid}, "origin": "other",
               "created_at": "2024-01-01T00:00:00", "user": "ann"}
        store.put_immutable(outbox.correction_key(uid), outbox.encode(doc), "application/json")
    store.put_immutable("corrections/zzz.json", b"not json", "application/json")
    seen: list[str] = []
    report = sync(settings_for(moto_s3, s3_prefix), store=store, apply_remote=lambda c: seen.append(c.uid))
    assert seen == uids and report.pulled == 3 and report.applied == 3
    assert [q["key"] for q in report.quarantined] == ["corrections/zzz.json"] and not report.errors
    rows = list(db.Correction.select().order_by(db.Correction.uid))
    assert [r.origin for r in rows] == ["other"] * 3 and rows[0].product.sku == "S1" and rows[0].user == "ann"
    again = sync(settings_for(moto_s3, s3_prefix), store=store, apply_remote=lambda c: seen.append(c.uid))
    assert again.pulled == 0 and len(seen) == 3


def test_failed_apply_stops_the_pull_and_retries_next_time(moto_s3, s3_prefix, tmp_path):
    open_catalog(tmp_path / "b")
    store = make_store(moto_s3, s3_prefix)
    for _ in range(3):
        uid = db.new_uid()
        doc = {"uid": uid, "sku": "S", "kind": "flag", "origin": "other"}
        store.put_immutable(outbox.correction_key(uid), outbox.encode(doc), "application/json")

    calls = []

    def picky(c):
        calls.append(c.uid)
        if len(calls) == 2:
            raise ValueError("crop is gone")

    report = sync(settings_for(moto_s3, s3_prefix), store=store, apply_remote=picky)
    assert not report.ok and report.pulled == 1 and "crop is gone" in report.reason
    assert db.Correction.select().count() == 1  # the refused one rolled back with its apply
    report = sync(settings_for(moto_s3, s3_prefix), store=store, apply_remote=picky)
    assert report.ok and report.pulled == 2 and db.Correction.select().count() == 3


def test_rate_limit_applies_to_requests(moto_s3, s3_prefix):
    store = make_store(moto_s3, s3_prefix, rate=TokenBucket(20, burst=1))
    t0 = time.monotonic()
    for i in range(6):
        store.put(f"k{i}", b"x")
    assert time.monotonic() - t0 >= 5 / 20 * 0.9


def test_should_stop_leaves_the_rest_queued(moto_s3, s3_prefix, tmp_path):
    open_catalog(tmp_path / "a")
    for i in range(30):
        add_correction(f"S{i}")
    done = []
    report = sync(settings_for(moto_s3, s3_prefix), store=make_store(moto_s3, s3_prefix), workers=1,
                  progress=lambda d, t, m: done.append(d), should_stop=lambda: len(done) >= 5)
    assert report.stopped and 5 <= report.pushed < 30 and report.pending == 30 - report.pushed


# --- integration tier: real Ceph radosgw --------------------------------------------------------------


@pytest.mark.s3
def test_round_trip_between_two_catalogs(radosgw, s3_prefix, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    settings = settings_for(radosgw, s3_prefix)
    store = make_store(radosgw, s3_prefix)

    id_a = open_catalog(tmp_path / "a")
    made_a = [add_correction("SKU-1", after={"value": f"a{i}"}).uid for i in range(5)]
    product = db.Product.get(db.Product.sku == "SKU-1")
    db.Label.create(product=product, vocabulary="color", value="red", score=0.9)
    jpeg = tmp_path / "crop.jpg"
    jpeg.write_bytes(JPEG)
    db.transaction(lambda: (outbox.enqueue_labels_snapshot(product), outbox.enqueue_crop_jpeg(7, jpeg)))
    report = sync(settings, store=store)
    assert report.ok and report.pushed == 7 and report.pending == 0, report.to_dict()
    json.dumps(report.to_dict())
    db.close_database()

    id_b = open_catalog(tmp_path / "b")
    db.Product.create(sku="SKU-1", title="same product in B")
    applied: list[db.Correction] = []
    report = sync(settings, store=store, apply_remote=applied.append)
    assert report.ok and report.pulled == 5 and [c.uid for c in applied] == made_a
    assert {c.origin for c in applied} == {id_a} and all(c.product.sku == "SKU-1" for c in applied)
    made_b = [add_correction("SKU-1", kind="flag").uid for _ in range(2)]
    assert sync(settings, store=store).pushed == 2
    db.close_database()

    open_catalog(tmp_path / "a")
    report = sync(settings, store=store, apply_remote=applied.append)
    assert report.pulled == 2 and [c.uid for c in applied[5:]] == made_b and applied[5].origin == id_b
    log_a = [(c.uid, c.origin) for c in db.Correction.select().order_by(db.Correction.uid)]
    assert log_a == sorted([(u, "local") for u in made_a] + [(u, id_b) for u in made_b])
    again = sync(settings, store=store, full_scan=True)
    assert again.pushed == 0 and again.pulled == 0 and again.ok
    assert len(keys(store, "corrections/")) == 7  # one object per correction, no duplicates
    assert json.loads(store.get(f"labels/{id_a}/SKU-1.json"))["labels"][0]["value"] == "red"
    assert store.get(f"crops/{id_a}/7-{outbox.hashlib.sha256(JPEG).hexdigest()[:16]}.jpg") == JPEG
    assert db.AuditLog.select().where(db.AuditLog.action == "sync").count() == 3

    secret = radosgw.secret_key.encode()
    for path in (tmp_path / "a").iterdir():  # never in SQLite (incl. WAL) or anywhere in the catalog
        assert secret not in path.read_bytes()
    assert radosgw.secret_key not in caplog.text


@pytest.mark.s3
def test_conditional_put_refuses_an_overwrite(radosgw, s3_prefix, tmp_path):
    store = make_store(radosgw, s3_prefix)
    assert store.put_immutable("corrections/x.json", b'{"v":1}', "application/json") == "created"
    assert store.put_immutable("corrections/x.json", b'{"v":1}', "application/json") == "exists"
    with pytest.raises(ConflictError, match="never overwritten"):
        store.put_immutable("corrections/x.json", b'{"v":2}', "application/json")
    raw = radosgw.client()
    with pytest.raises(bx.ClientError) as info:  # the server itself refuses, not just our client
        raw.put_object(Bucket=radosgw.bucket, Key=f"{s3_prefix}corrections/x.json", Body=b"3", IfNoneMatch="*")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert store.get("corrections/x.json") == b'{"v":1}'

    # Through the engine: the conflicting row fails with its reason, the others still go.
    open_catalog(tmp_path / "a")
    c = [add_correction(f"S{i}") for i in range(3)]
    store.put_immutable(outbox.correction_key(c[1].uid), b"someone else's bytes", "application/json")
    report = sync(settings_for(radosgw, s3_prefix), store=store, pull=False)
    assert report.pushed == 2 and report.failed == 1 and not report.ok and report.reason == ""
    assert report.errors[0]["key"] == outbox.correction_key(c[1].uid)
    assert "different content" in report.errors[0]["reason"]
    assert outbox.status()["failed"] == 1


@pytest.mark.s3
def test_retention_purges_old_tombstones_and_what_they_retire(radosgw, s3_prefix, tmp_path):
    store = make_store(radosgw, s3_prefix)
    settings = settings_for(radosgw, s3_prefix)
    cid = open_catalog(tmp_path / "a")
    product = db.Product.create(sku="GONE", title="t")
    image = db.ImageFile.create(product=product, sha256="0" * 64)
    crop = db.Crop.create(image=image, x0=0, y0=0, x1=1, y1=1)
    jpeg = tmp_path / "c.jpg"
    jpeg.write_bytes(JPEG)
    correction = add_correction("GONE")
    db.transaction(lambda: (outbox.enqueue_crop_jpeg(crop.id, jpeg), outbox.enqueue_labels_snapshot(product)))
    keep = add_correction("KEEP")
    db.transaction(lambda: outbox.enqueue_labels_snapshot(db.Product.get(db.Product.sku == "KEEP")))
    assert sync(settings, store=store, purge=False).pushed == 5

    def _delete() -> None:
        product.soft_delete()
        outbox.enqueue_tombstone("product", product.id, sku="GONE")
    db.transaction(_delete)
    assert sync(settings, store=store, purge=False).pushed == 1
    tomb = keys(store, "tombstones/")
    assert len(tomb) == 1
    assert set(json.loads(store.get(tomb[0]))["targets"]) == {
        f"labels/{cid}/GONE.json", f"crops/{cid}/{crop.id}-{outbox.hashlib.sha256(JPEG).hexdigest()[:16]}.jpg"}

    now = db.utcnow()
    assert purge_tombstones(store, 30, now=now + dt.timedelta(days=29)) == {"tombstones": 0, "objects": 0}
    assert purge_tombstones(store, 30, now=now + dt.timedelta(days=31)) == {"tombstones": 1, "objects": 2}
    left = set(keys(store))
    assert left == {outbox.correction_key(correction.uid), outbox.correction_key(keep.uid), f"labels/{cid}/KEEP.json"}
    report = sync(settings, store=store, now=now + dt.timedelta(days=40))  # the engine runs it when due
    assert report.ok and report.purged == 0


@pytest.mark.s3
def test_settings_and_keyring_drive_a_sync_without_secrets_on_disk(radosgw, s3_prefix, tmp_path, memory_keyring,
                                                                    no_aws_env, caplog):
    caplog.set_level(logging.DEBUG)
    settings = settings_for(radosgw, s3_prefix)
    settings.max_requests_per_s = 50
    credentials.store_in_keyring(settings.keyring_service, radosgw.access_key, radosgw.secret_key)
    open_catalog(tmp_path / "a")
    add_correction("S1")
    report = sync(settings)  # the store is built from settings, the secret read from the keyring
    assert report.ok and report.pushed == 1, report.to_dict()
    db.close_database()
    for path in (tmp_path / "a").iterdir():
        assert radosgw.secret_key.encode() not in path.read_bytes()
    assert radosgw.secret_key not in caplog.text


def test_invalid_settings_give_a_reason(tmp_path, no_aws_env):
    open_catalog(tmp_path / "a")
    assert "No bucket" in sync(S3Settings(bucket="")).reason
    report = sync(S3Settings(bucket="b", endpoint_url="not a url"), credentials=Credentials("a", "s"))
    assert not report.ok and "not valid" in report.reason

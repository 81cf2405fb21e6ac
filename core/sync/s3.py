"""Owns the S3 client: immutable and plain puts, listing, retries with backoff and jitter, a rate limit,
and errors a curator can read."""

from __future__ import annotations

import base64
import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from core.sync.credentials import Credentials

log = logging.getLogger(__name__)


class SyncError(Exception):
    """A failure with a reason a curator can read."""

    def __init__(self, reason: str, *, code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TransientError(SyncError):
    """Worth retrying later: the server is down, slow or overloaded."""


class PermanentError(SyncError):
    """Retrying will not help until someone changes something (credentials, bucket, the object)."""

    fatal = True  # stops the whole sync: every other request would fail the same way


class ConflictError(PermanentError):
    """An immutable object already exists with different content."""

    fatal = False


class ObjectTooLarge(PermanentError):
    """Too large to send (the server said so) or to read (beyond s3.max_object_mb)."""

    fatal = False


DEFAULT_MAX_OBJECT_BYTES = 16 * 1024 * 1024
_READ_CHUNK = 1 << 16


class NotFound(PermanentError):
    fatal = False


class Unverifiable(PermanentError):
    """The object's bytes cannot be shown to be what its writer uploaded."""

    fatal = False


_PERMANENT = {
    "InvalidAccessKeyId": "The S3 server does not know this access key. Check the access key in "
                          "Settings → Sync (or your AWS profile).",
    "SignatureDoesNotMatch": "The S3 server rejected the secret key (signature mismatch). Check the "
                             "secret key in Settings → Sync (or your AWS profile).",
    "AccessDenied": "The S3 server refused access to the bucket or prefix. Ask for write access to it.",
    "InvalidToken": "The S3 session token is invalid. Refresh your AWS credentials.",
    "ExpiredToken": "The S3 session token has expired. Refresh your AWS credentials.",
    "RequestTimeTooSkewed": "This computer's clock differs too much from the S3 server's. Fix the clock.",
    "NoSuchBucket": "The bucket does not exist on the S3 server. Check the bucket name in Settings → Sync.",
    "AllAccessDisabled": "All access to this bucket has been disabled.",
    "InvalidBucketName": "The bucket name is not valid. Check it in Settings → Sync.",
    "QuotaExceeded": "The S3 account's quota is full.",
}
_TRANSIENT_CODES = {"SlowDown", "Throttling", "ThrottlingException", "RequestTimeout",
                    "InternalError", "ServiceUnavailable", "ConditionalRequestConflict", "OperationAborted",
                    "RequestLimitExceeded", "TooManyRequests"}
_HTTP_FALLBACK = {401: "InvalidAccessKeyId", 403: "AccessDenied", 404: "NoSuchBucket"}


class TokenBucket:
    """Thread-safe token bucket: at most `rate` requests a second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: float | None = None, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(1.0, rate))
        self._tokens = self.burst
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self, n: float = 1.0) -> float:
        """Take n tokens, waiting as needed; returns the seconds waited. rate <= 0 means unlimited."""
        if self.rate <= 0:
            return 0.0
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= n:
                    self._tokens -= n
                    return waited
                wait = (n - self._tokens) / self.rate
            self._sleep(wait)
            waited += wait


@dataclass(frozen=True)
class ObjectInfo:
    key: str  # below the prefix
    size: int
    etag: str
    last_modified: Any


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """'Full jitter' exponential backoff: uniform in [0, min(cap, base * 2**attempt)]."""
    return (rng or random).uniform(0, min(cap, base * (2**attempt)))


def classify(exc: BaseException, endpoint: str = "") -> SyncError:
    """Turn a botocore/network exception into a TransientError or PermanentError with a readable reason."""
    import botocore.exceptions as bx

    if isinstance(exc, SyncError):
        return exc
    where = endpoint or "the S3 server"
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return PermanentError("No S3 credentials found: enter them in Settings → Sync, or configure an AWS "
                              "profile or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables.",
                              code="NoCredentials")
    if isinstance(exc, bx.SSLError):
        return PermanentError(f"The TLS certificate of {where} could not be verified. Install its CA "
                              "certificate; verification stays on.", code="SSLError")
    if isinstance(exc, bx.ConnectTimeoutError | bx.ReadTimeoutError):
        return TransientError(f"{where} did not answer in time.", code="Timeout")
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectionClosedError | bx.ConnectionError):
        return TransientError(f"Cannot reach {where}; it may be down or offline.", code="ConnectionError")
    if isinstance(exc, bx.ClientError):
        err = exc.response.get("Error", {})
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        code = str(err.get("Code", "") or "")
        if code.isdigit() or not code:
            code = _HTTP_FALLBACK.get(status, code)
        if code in _PERMANENT:
            return PermanentError(f"{_PERMANENT[code]} ({code})", code=code)
        if code in _TRANSIENT_CODES or status >= 500 or status == 429:
            return TransientError(f"{where} is busy or failing ({code or status}); will retry.", code=code)
        if code in ("EntityTooLarge",):
            return ObjectTooLarge(f"The object is too large for the server ({code}).", code=code)
        if code in ("NoSuchKey", "NotFound") or status == 404:
            return NotFound(f"The object does not exist ({code or status}).", code=code or "NoSuchKey")
        return PermanentError(f"The S3 server refused the request: {code or status} "
                              f"{err.get('Message', '')}".strip(), code=code)
    if isinstance(exc, bx.BotoCoreError | OSError):
        return TransientError(f"Network error talking to {where}: {type(exc).__name__}", code=type(exc).__name__)
    return PermanentError(f"Unexpected error: {type(exc).__name__}: {exc}", code=type(exc).__name__)


class S3Store:
    """One bucket and prefix on an S3-compatible server. Thread-safe; botocore's own retries are off."""

    def __init__(self, endpoint_url: str, bucket: str, prefix: str, credentials: Credentials | None, *,
                 region: str = "us-east-1", verify_tls: bool = True, rate: TokenBucket | None = None,
                 max_attempts: int = 5, base_delay: float = 0.2, max_delay: float = 8.0,
                 connect_timeout: float = 3.0, read_timeout: float = 20.0, max_pool: int = 16,
                 allow_insecure_http: bool = False, sleep: Callable[[float], None] = time.sleep,
                 max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES) -> None:
        import boto3
        from botocore.config import Config

        from core.sync.credentials import redact_in_logs

        if endpoint_url and endpoint_url.lower().startswith("http://"):
            if not allow_insecure_http:
                raise PermanentError(
                    f"The endpoint {endpoint_url} is plain http: credentials and corrections would cross the "
                    "network unencrypted. Use https, or turn on s3.allow_insecure_http for a trusted local "
                    "server.", code="InsecureEndpoint")
            log.warning("S3 endpoint %s is plain http (s3.allow_insecure_http is on): traffic is not encrypted",
                        endpoint_url)
        if credentials:  # before boto3 exists, so that not even its first debug line can carry them
            redact_in_logs(credentials.secret_key, credentials.session_token)

        self.endpoint_url = endpoint_url or None
        self.bucket = bucket
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        self.rate = rate or TokenBucket(0)
        self.max_attempts = max(1, max_attempts)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self.retries = 0  # how many retries this store made (for reports and tests)
        self.max_object_bytes = max(1, int(max_object_bytes))
        if not verify_tls:
            log.warning("TLS verification is off for %s", endpoint_url)
        session = boto3.Session(
            aws_access_key_id=credentials.access_key if credentials else None,
            aws_secret_access_key=credentials.secret_key if credentials else None,
            aws_session_token=credentials.session_token if credentials else None,
            region_name=region or "us-east-1",
        )
        config = Config(
            retries={"total_max_attempts": 1},
            connect_timeout=connect_timeout, read_timeout=read_timeout, max_pool_connections=max_pool,
            s3={"addressing_style": "path"} if endpoint_url else {},
            request_checksum_calculation="when_required", response_checksum_validation="when_required",
        )
        self._client = session.client("s3", endpoint_url=self.endpoint_url, verify=verify_tls, config=config)

    @classmethod
    def from_settings(cls, settings: Any, credentials: Credentials | None = None, **kwargs: Any) -> S3Store:
        from core.sync.credentials import resolve

        creds = credentials or resolve(settings.keyring_service, settings.profile)
        kwargs.setdefault("rate", TokenBucket(settings.max_requests_per_s, max(1.0, settings.max_requests_per_s)))
        kwargs.setdefault("allow_insecure_http", bool(getattr(settings, "allow_insecure_http", False)))
        kwargs.setdefault("max_object_bytes", int(float(getattr(settings, "max_object_mb", 16.0)) * 1024 * 1024))
        return cls(settings.endpoint_url, settings.bucket, settings.prefix, creds, region=settings.region,
                   verify_tls=settings.verify_tls, **kwargs)

    @property
    def where(self) -> str:
        return f"{self.endpoint_url or 'AWS S3'} (bucket {self.bucket})"

    def full_key(self, key: str) -> str:
        return self.prefix + key

    # --- requests ------------------------------------------------------------------------------
    def _call(self, op: str, **kwargs: Any) -> Any:
        """One request with the rate limit and bounded retries of transient failures."""
        fn = getattr(self._client, op)
        for attempt in range(self.max_attempts):
            self.rate.acquire()
            try:
                return fn(**kwargs)
            except Exception as exc:
                if _is_precondition_failed(exc):
                    raise
                err = classify(exc, self.where)
                if not isinstance(err, TransientError) or attempt == self.max_attempts - 1:
                    if isinstance(err, TransientError):
                        err = TransientError(f"{err.reason} (gave up after {attempt + 1} attempts)", code=err.code)
                    raise err from exc
                self.retries += 1
                delay = backoff_delay(attempt, self.base_delay, self.max_delay)
                log.info("%s %s: %s; retry %d in %.2f s", op, kwargs.get("Key", ""), err.code, attempt + 1, delay)
                self._sleep(delay)
        raise AssertionError("unreachable")

    def put_immutable(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Create key once (If-None-Match: *). Returns 'created', or 'exists' when the same bytes are
        already there (an idempotent re-sync); raises ConflictError when different bytes are."""
        sha = hashlib.sha256(data).hexdigest()
        md5 = hashlib.md5(data, usedforsecurity=False)
        try:
            self._call("put_object", Bucket=self.bucket, Key=self.full_key(key), Body=data,
                       ContentType=content_type, IfNoneMatch="*", Metadata={"sha256": sha},
                       ContentMD5=base64.b64encode(md5.digest()).decode())
            return "created"
        except Exception as exc:
            if not _is_precondition_failed(exc):
                raise
        head = self.head(key)
        if head is None:  # deleted between our put and head: try once more
            return self.put_immutable(key, data, content_type)
        theirs = head.get("Metadata", {}).get("sha256")
        same = theirs == sha if theirs else head.get("ETag", "").strip('"') == md5.hexdigest()
        if same:
            return "exists"
        raise ConflictError(f"{key} already exists on the server with different content; "
                            "immutable objects are never overwritten.", code="Conflict")

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Create or replace (snapshots)."""
        md5 = hashlib.md5(data, usedforsecurity=False).digest()
        self._call("put_object", Bucket=self.bucket, Key=self.full_key(key), Body=data, ContentType=content_type,
                   Metadata={"sha256": hashlib.sha256(data).hexdigest()},
                   ContentMD5=base64.b64encode(md5).decode())

    def too_large(self, key: str, size: int) -> ObjectTooLarge:
        return ObjectTooLarge(f"{size / 1e6:.1f} MB is over the {self.max_object_bytes / 1e6:.1f} MB limit for an "
                              "object (s3.max_object_mb); it was not read", code="TooLarge")

    def _get_bounded(self, key: str) -> tuple[bytes, dict[str, Any]]:
        """The object's bytes and response, never more than max_object_bytes in memory: the declared
        Content-Length is checked before the body is read, and the body is read in chunks with a cap
        (a server may lie about the length)."""
        resp = self._call("get_object", Bucket=self.bucket, Key=self.full_key(key))
        body = resp["Body"]
        try:
            declared = int(resp.get("ContentLength") or 0)
            if declared > self.max_object_bytes:
                raise self.too_large(key, declared)
            chunks, size = [], 0
            while True:
                chunk = body.read(_READ_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_object_bytes:
                    raise self.too_large(key, max(size, declared))
                chunks.append(chunk)
        except Exception as exc:
            if isinstance(exc, SyncError):
                raise
            raise classify(exc, self.where) from exc
        finally:
            body.close()
        return b"".join(chunks), resp

    def get(self, key: str) -> bytes:
        return self._get_bounded(key)[0]

    def get_verified(self, key: str) -> bytes:
        """The object's bytes, checked against the sha256 its writer recorded (or a single-part ETag);
        raises Unverifiable when they differ or nothing can vouch for them."""
        data, resp = self._get_bounded(key)
        recorded = (resp.get("Metadata") or {}).get("sha256")
        if recorded:
            if hashlib.sha256(data).hexdigest() != recorded:
                raise Unverifiable("its bytes do not match the sha256 recorded by its writer", code="BadChecksum")
            return data
        etag = str(resp.get("ETag", "")).strip('"')
        if "-" not in etag and etag == hashlib.md5(data, usedforsecurity=False).hexdigest():
            return data
        raise Unverifiable("it carries no sha256 and its ETag does not vouch for its bytes", code="Unverifiable")

    def head(self, key: str) -> dict[str, Any] | None:
        try:
            return self._call("head_object", Bucket=self.bucket, Key=self.full_key(key))
        except NotFound:
            return None

    def delete(self, key: str) -> None:
        self._call("delete_object", Bucket=self.bucket, Key=self.full_key(key))

    def list(self, prefix: str = "", start_after: str = "") -> Iterator[ObjectInfo]:
        """Objects below self.prefix + prefix in key order, after start_after (a key below self.prefix)."""
        token = None
        n = len(self.prefix)
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.full_key(prefix), "MaxKeys": 1000}
            if token:
                kwargs["ContinuationToken"] = token
            elif start_after:
                kwargs["StartAfter"] = self.full_key(start_after)
            resp = self._call("list_objects_v2", **kwargs)
            for item in resp.get("Contents", []):
                yield ObjectInfo(item["Key"][n:], int(item.get("Size", 0)), str(item.get("ETag", "")).strip('"'),
                                 item.get("LastModified"))
            if not resp.get("IsTruncated"):
                return
            token = resp.get("NextContinuationToken")
            if not token:
                return

    def check(self) -> None:
        """One cheap request that fails with the clear reason when credentials or bucket are wrong."""
        self._call("list_objects_v2", Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)


def _is_precondition_failed(exc: BaseException) -> bool:
    import botocore.exceptions as bx

    if not isinstance(exc, bx.ClientError):
        return False
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 412 or exc.response.get("Error", {}).get("Code") == "PreconditionFailed"

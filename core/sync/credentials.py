"""Owns S3 credentials: the OS keyring entry a curator typed in Settings, else the standard AWS chain.

Secrets never reach SQLite, settings files or logs: Credentials hides them in repr, nothing here logs them, and
redact_in_logs() scrubs them from every log record of every logger (botocore's DEBUG lines print the session
token in signed headers and canonical requests).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
_REDACTED = "[redacted]"


def redact_in_logs(*secrets: str | None) -> None:
    """Scrub these strings from every log record from now on, at any level, whatever handler prints it.
    A record factory (not a handler filter) so that loggers and handlers configured later are covered too."""
    new = {s for s in secrets if s and len(s) >= 4}
    if not new:
        return
    with _SECRETS_LOCK:
        first = not _SECRETS
        _SECRETS.update(new)
        if first:
            previous = logging.getLogRecordFactory()

            def factory(*args, **kwargs) -> logging.LogRecord:
                return _scrub(previous(*args, **kwargs))
            logging.setLogRecordFactory(factory)


def _scrub(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: leave it for logging's own error report
        return record
    secrets = tuple(_SECRETS)
    if any(s in message for s in secrets):
        for s in secrets:
            message = message.replace(s, _REDACTED)
        record.msg, record.args = message, None
    if record.exc_info and record.exc_info[0] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        if any(s in text for s in secrets):
            for s in secrets:
                text = text.replace(s, _REDACTED)
            record.exc_info, record.exc_text = None, text
    return record

# The keyring holds the secret under username = access key id; this entry remembers which id that is.
_ACCESS_KEY_ENTRY = "__access_key_id__"


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    source: str = ""  # keyring, profile:<name>, env, aws-chain

    def __str__(self) -> str:
        return f"{self.access_key[:4]}… ({self.source})"


def store_in_keyring(service: str, access_key: str, secret_key: str) -> None:
    """Save what the curator entered in Settings; replaces an earlier entry for the same service."""
    import keyring

    old = _keyring_access_key(service)
    if old and old != access_key:
        _delete_quietly(service, old)
    keyring.set_password(service, access_key, secret_key)
    keyring.set_password(service, _ACCESS_KEY_ENTRY, access_key)


def load_from_keyring(service: str) -> Credentials | None:
    import keyring
    from keyring.errors import KeyringError

    access_key = _keyring_access_key(service)
    if not access_key:
        return None
    try:
        secret = keyring.get_password(service, access_key)
    except KeyringError as exc:
        log.info("OS keyring unavailable: %s", type(exc).__name__)
        return None
    return Credentials(access_key, secret, source="keyring") if secret else None


def delete_from_keyring(service: str) -> bool:
    access_key = _keyring_access_key(service)
    if not access_key:
        return False
    _delete_quietly(service, access_key)
    _delete_quietly(service, _ACCESS_KEY_ENTRY)
    return True


def resolve(service: str, profile: str = "") -> Credentials | None:
    """Keyring entry first (the curator chose it explicitly), then boto3's chain: profile, env, config files."""
    found = load_from_keyring(service)
    if found is not None:
        return found
    import boto3
    import botocore.exceptions

    try:
        session = boto3.Session(profile_name=profile or None)
        creds = session.get_credentials()
    except botocore.exceptions.ProfileNotFound:
        log.warning("AWS profile %r not found", profile)
        return None
    if creds is None:
        return None
    frozen = creds.get_frozen_credentials()
    source = f"profile:{profile}" if profile else (getattr(creds, "method", "") or "aws-chain")
    return Credentials(frozen.access_key, frozen.secret_key, frozen.token, source=source)


def _keyring_access_key(service: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(service, _ACCESS_KEY_ENTRY)
    except KeyringError as exc:
        log.info("OS keyring unavailable: %s", type(exc).__name__)
        return None


def _delete_quietly(service: str, username: str) -> None:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(service, username)

"""Owns S3 credentials: the OS keyring entry a curator typed in Settings, else the standard AWS chain.

Secrets never reach SQLite, settings files or logs: Credentials hides them in repr, and nothing here logs them.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

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

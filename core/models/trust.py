"""Owns which weights files this machine trusts to unpickle: sha256s recorded in the user's config dir.

Loading a pickled checkpoint (ultralytics' .pt) can run any code, and a catalog's settings or database travel
between machines. So weights that must be unpickled load only if their sha256 was recorded here: when this
program downloaded them into the model cache, or when the user confirmed them on this machine (`models trust
PATH`, or choosing the file in Settings). The record lives in the user's config dir, never in a catalog.
Everything else loads with `torch.load(weights_only=True)` or safetensors, which cannot run code.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

from core.fileio import atomic_write_json, file_sha256
from core.paths import NotRegularFile, config_dir, require_regular

__all__ = ["NotRegularFile", "UntrustedWeights", "is_trusted", "require_regular", "require_trusted", "trust"]

TRUST_FILE = "trusted_weights.json"
_LOCK = threading.Lock()


class UntrustedWeights(PermissionError):
    """Weights that would be unpickled and that nobody on this machine vouched for."""

    def __init__(self, path: Path, sha256: str) -> None:
        self.path, self.sha256 = Path(path), sha256
        super().__init__(
            f"The weights file {path} is not trusted on this machine, so it was not loaded: loading it would "
            f"unpickle it, which can run any code, and it was named by a catalog's settings. If you trust it, "
            f"run `catalog-curator models trust {path}` or choose it in Settings → Models "
            f"(sha256 {sha256[:16]}…).")


def _store_path() -> Path:
    return config_dir() / TRUST_FILE


def _load() -> dict[str, Any]:
    try:
        data = json.loads(_store_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": {}}
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else {"files": {}}


def sha256_of(path: Path | str) -> str:
    return file_sha256(require_regular(path))


def is_trusted(path: Path | str) -> bool:
    return sha256_of(path) in _load()["files"]


def trust(path: Path | str, source: str = "confirmed") -> str:
    """Record path's content (its sha256) as trusted on this machine; returns the sha256."""
    p = Path(path).resolve()
    sha = sha256_of(p)
    with _LOCK:
        data = _load()
        data["files"][sha] = {"path": str(p), "source": source,
                              "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}
        atomic_write_json(_store_path(), data, sort_keys=True)
    return sha


def require_trusted(path: Path | str) -> Path:
    """path, if its bytes were recorded as trusted; else UntrustedWeights (nothing has read it as a pickle)."""
    p = Path(path)
    sha = sha256_of(p)
    if sha not in _load()["files"]:
        raise UntrustedWeights(p, sha)
    return p

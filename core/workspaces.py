"""Workspaces: named catalogs side by side, one of them current; each keeps its own folder and settings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from core.fileio import atomic_write
from core.paths import config_dir, user_data_dir

NAME_RE = re.compile(r"^[\w .-]{1,64}$")


@dataclass
class Workspace:
    name: str
    path: Path
    current: bool = False

    def to_dict(self) -> dict:
        return {"name": self.name, "path": str(self.path), "current": self.current}


class Workspaces:
    """A small JSON registry in the config folder; catalogs themselves hold all their data."""

    def __init__(self, registry: Path | None = None) -> None:
        self.registry = registry or config_dir() / "workspaces.json"

    def _read(self) -> dict:
        if not self.registry.exists():
            default = user_data_dir() / "catalogs" / "default"
            return {"current": "default", "workspaces": {"default": str(default)}}
        return json.loads(self.registry.read_text(encoding="utf-8"))

    def _write(self, data: dict) -> None:
        atomic_write(self.registry, json.dumps(data, indent=2, sort_keys=True))

    def list(self) -> list[Workspace]:
        data = self._read()
        return [Workspace(name, Path(path), name == data["current"])
                for name, path in sorted(data["workspaces"].items())]

    def current(self) -> Workspace:
        return next(w for w in self.list() if w.current)

    def add(self, name: str, path: Path | None = None) -> Workspace:
        if not NAME_RE.match(name):
            bad = "".join(dict.fromkeys(ch for ch in name if not re.match(r"[\w .-]", ch)))
            why = f"{bad!r} cannot be used" if bad else ("it is empty" if not name else "it is too long")
            raise ValueError(f"workspace name {name!r}: {why}; use letters (any language), digits, spaces, '.', "
                             "'-' or '_' (at most 64)")
        data = self._read()
        if name in data["workspaces"]:
            raise ValueError(f"workspace {name!r} already exists")
        target = Path(path) if path else user_data_dir() / "catalogs" / name
        if any(Path(p).resolve() == target.resolve() for p in data["workspaces"].values()):
            raise ValueError(f"{target} is already another workspace's catalog")
        data["workspaces"][name] = str(target)
        self._write(data)
        return Workspace(name, target)

    def use(self, name: str) -> Workspace:
        data = self._read()
        if name not in data["workspaces"]:
            raise KeyError(f"no workspace named {name!r}")
        data["current"] = name
        self._write(data)
        return self.current()

    def remove(self, name: str) -> None:
        """Forget a workspace (its catalog folder is left on disk)."""
        data = self._read()
        if name == data["current"]:
            raise ValueError("switch to another workspace before removing the current one")
        data["workspaces"].pop(name)
        self._write(data)

    def remember(self, path: Path) -> Workspace:
        """Make the catalog at `path` the current workspace (the app opens it next time), adding it under its
        folder's name, or that name with a number when another catalog has it already."""
        target = Path(path).resolve()
        known = next((w for w in self.list() if Path(w.path).resolve() == target), None)
        if known is None:
            taken = {w.name for w in self.list()}
            base = re.sub(r"[^\w .-]", "_", target.name or "catalog")[:56] or "catalog"
            name = next(n for n in [base, *(f"{base}-{i}" for i in range(2, 10_000))] if n not in taken)
            known = self.add(name, target)
        return self.use(known.name)

"""Where the read-only files shipped with the app live (resources/), from source and in a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    """The `resources/` folder: beside `core/` in a checkout, under `sys._MEIPASS` in a frozen bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def resource_path(*parts: str) -> Path:
    """A file or folder under `resources/`, e.g. `resource_path("labels")`."""
    return resource_dir().joinpath(*parts)

"""Application metadata for the packaging scripts: resources/app.toml plus the version from core/__init__.py.

`python packaging/meta.py --shell` prints shell assignments (APP_NAME=..., VERSION=...) to `eval`;
`python packaging/meta.py` prints JSON. The version is read from the source text so this runs without
the project's dependencies (a bare CI Python, the Windows or macOS build machine before `pip install`).
"""

from __future__ import annotations

import json
import re
import shlex
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def version() -> str:
    text = (ROOT / "core" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.M)
    if not match:
        raise SystemExit("no __version__ in core/__init__.py")
    return match.group(1)


def metadata() -> dict:
    meta = tomllib.loads((ROOT / "resources" / "app.toml").read_text(encoding="utf-8"))
    meta["app"]["version"] = version()
    return meta


def shell(meta: dict) -> str:
    a, lx = meta["app"], meta["linux"]
    pairs = {
        "APP_NAME": a["name"], "APP_EXE": a["executable"], "APP_ID": a["id"], "APP_SUMMARY": a["summary"],
        "APP_DESCRIPTION": a["description"], "APP_MAINTAINER": a["maintainer"], "APP_HOMEPAGE": a["homepage"],
        "APP_PUBLISHER": a["publisher"], "APP_CATEGORIES": ";".join(a["categories"]) + ";",
        "VERSION": a["version"], "APP_LICENSE": a["license"], "LINUX_INSTALL_DIR": lx["install_dir"], "DEB_PACKAGE": lx["deb_package"],
        "DEB_SECTION": lx["deb_section"], "DEB_DEPENDS": ", ".join(lx["deb_depends"]),
    }
    return "\n".join(f"{k}={shlex.quote(v)}" for k, v in pairs.items())


if __name__ == "__main__":
    m = metadata()
    print(shell(m) if "--shell" in sys.argv[1:] else json.dumps(m, indent=2))

"""Third-party notices for what the installer bundles, checked against the licence allowlist.

    python packaging/notices.py --out THIRD_PARTY_NOTICES.txt [--variant cuda|cpu] [--json]

Walks the runtime dependency closure of `catalog-curator` in this Python (Requires-Dist with markers,
no extras), minus what `licence_policy.toml` says the bundle leaves out, reads each distribution's licence
(PEP 639 `License-Expression`, else a short `License` field, else the trove classifiers, else the policy's
reviewed override) and its licence files, and writes one text file: a summary table, then every licence text.
Exits 1, naming the packages, when a licence is unknown or not on the allowlist, so the build stops there
(rclip keeps the same kind of policy in `compliance/policy.toml`).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import re
import sys
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement

HERE = Path(__file__).resolve().parent
POLICY = HERE / "licence_policy.toml"
EXTRA_NOTICES = HERE / "notices"
ROOT_DIST = "catalog-curator"
LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.I)

# trove classifier -> SPDX id, for distributions that predate License-Expression
CLASSIFIERS = {
    "MIT License": "MIT", "BSD License": "BSD-3-Clause", "Apache Software License": "Apache-2.0",
    "Python Software Foundation License": "PSF-2.0", "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0", "The Unlicense (Unlicense)": "Unlicense",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Library or Lesser General Public License (LGPL)": "LGPL-2.1-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND", "Zope Public License": "ZPL-2.1",
    "Academic Free License (AFL)": "AFL-3.0", "zlib/libpng License": "Zlib",
}
# free-text `License:` values seen in the wild -> SPDX id
ALIASES = {
    "mit": "MIT", "mit license": "MIT", "the mit license": "MIT", "bsd": "BSD-3-Clause",
    "bsd license": "BSD-3-Clause", "bsd-3": "BSD-3-Clause", "3-clause bsd": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause", "new bsd license": "BSD-3-Clause", "modified bsd": "BSD-3-Clause",
    "bsd 3-clause": "BSD-3-Clause", "bsd-3-clause license": "BSD-3-Clause", "bsd 2-clause": "BSD-2-Clause",
    "apache 2.0": "Apache-2.0", "apache-2": "Apache-2.0", "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0", "apache software license": "Apache-2.0",
    "apache 2": "Apache-2.0", "apache": "Apache-2.0", "psf": "PSF-2.0", "psf license": "PSF-2.0",
    "python software foundation license": "PSF-2.0", "mpl-2.0": "MPL-2.0", "mpl 2.0": "MPL-2.0",
    "lgpl": "LGPL-3.0-only", "agpl-3.0": "AGPL-3.0-only", "agpl-3.0-only": "AGPL-3.0-only",
    "isc license": "ISC", "3-clause bsd license": "BSD-3-Clause", "isc": "ISC", "hpnd": "HPND", "unlicense": "Unlicense",
}


@dataclass
class Entry:
    name: str
    version: str
    licence: str           # SPDX expression, or "" when unknown
    source: str            # where the licence came from: expression | field | classifier | policy
    allowed: bool
    files: list[str] = field(default_factory=list)


def load_policy(path: Path = POLICY) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(root: str = ROOT_DIST, skip: set[str] = frozenset()) -> dict[str, md.Distribution]:
    """Every installed distribution `root` needs at run time on this platform (no extras), keyed by name."""
    env = default_environment()
    seen: dict[str, md.Distribution] = {}
    todo = [root]
    while todo:
        name = _norm(todo.pop())
        if name in seen or name in skip:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue  # an optional dependency that is not installed is not bundled either
        seen[name] = dist
        for spec in dist.requires or []:
            try:
                req = Requirement(spec)
            except InvalidRequirement:
                continue
            if req.marker is None or req.marker.evaluate({**env, "extra": ""}):
                todo.append(req.name)
    seen.pop(_norm(root), None)
    return seen


def declared_licence(dist: md.Distribution) -> tuple[str, str]:
    """(SPDX expression, source) from the distribution's own metadata; ("", "") when it says nothing usable."""
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"].strip(), "expression"
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        spdx = ALIASES.get(text.lower().rstrip("."), text)
        if _looks_spdx(spdx):
            return spdx, "field"
    found = [CLASSIFIERS[c.split(" :: ")[-1]] for c in meta.get_all("Classifier") or []
             if c.startswith("License ::") and c.split(" :: ")[-1] in CLASSIFIERS]
    if found:
        return " OR ".join(dict.fromkeys(found)), "classifier"
    return "", ""


def _looks_spdx(expr: str) -> bool:
    return bool(expr) and all(re.fullmatch(r"[A-Za-z0-9.+-]+|AND|OR|WITH|\(|\)", t)
                              for t in expr.replace("(", " ( ").replace(")", " ) ").split())


def allowed(expr: str, allow: set[str]) -> bool:
    """An SPDX expression passes when every AND term, and some OR alternative, is on the allowlist."""
    if not expr:
        return False
    expr = expr.replace("(", " ").replace(")", " ")
    return any(all(_term_ok(t.strip(), allow) for t in alt.split(" AND "))
               for alt in expr.split(" OR "))


def _term_ok(term: str, allow: set[str]) -> bool:
    base = term.split(" WITH ")[0].strip()
    return base in allow


def licence_files(dist: md.Distribution) -> list[md.PackagePath]:
    return [f for f in dist.files or [] if ".dist-info" in str(f) and LICENCE_FILE.search(f.name)]


def collect(policy: dict, variant: str = "cuda") -> list[Entry]:
    skip = {_norm(n) for n in policy.get("not_bundled", {}).get("all", [])}
    skip |= {_norm(n) for n in policy.get("not_bundled", {}).get(variant, [])}
    allow = set(policy["allow"]["licences"]) | set(policy["allow"].get(variant, {}).get("licences", []))
    overrides = {_norm(k): v for k, v in policy.get("overrides", {}).items()}
    entries = []
    for name, dist in sorted(runtime_closure(skip=skip).items()):
        if name.startswith("nvidia-") and variant == "cpu":
            continue
        expr, source = declared_licence(dist)
        if name in overrides:  # a reviewed decision beats metadata that is missing or unclear
            expr, source = overrides[name]["licence"], "policy"
        files = [str(f) for f in licence_files(dist)]
        entries.append(Entry(dist.metadata["Name"], dist.version, expr, source, allowed(expr, allow), files))
    return entries


def render(entries: list[Entry], own_licence: str) -> str:
    lines = ["Catalog Curator: third-party notices", "",
             f"Catalog Curator is licensed under {own_licence} (see LICENSE). The installer bundles the",
             "following distributions, each under its own licence, reproduced below.", ""]
    width = max(len(e.name) for e in entries) + 2
    lines += [f"{e.name:<{width}}{e.version:<16}{e.licence}" for e in entries]
    for e in entries:
        lines += ["", "=" * 100, f"{e.name} {e.version} — {e.licence}", "=" * 100]
        dist = md.distribution(e.name)
        texts = [(f, dist.locate_file(f)) for f in licence_files(dist)]
        extra = EXTRA_NOTICES / f"{_norm(e.name)}.txt"  # what a distribution bundles beyond its own licence
        if extra.is_file():
            lines += [f"--- {extra.name} (packaging/notices)", extra.read_text(encoding="utf-8")]
        if not texts:
            lines.append(f"(no licence file is shipped in the distribution; its metadata declares {e.licence})")
        for rel, path in texts:
            try:
                lines += [f"--- {Path(str(rel)).name}", Path(path).read_text(encoding="utf-8", errors="replace")]
            except OSError as exc:
                lines.append(f"(could not read {rel}: {exc})")
    lines += data_notices()
    return "\n".join(lines) + "\n"


def data_notices(policy: dict | None = None) -> list[str]:
    """Data files in resources/ derived from third-party databases ([data] in the policy), with their licences."""
    policy = policy or load_policy()
    root = HERE.parent
    lines: list[str] = []
    for name, entry in sorted((policy.get("data") or {}).items()):
        lines += ["", "=" * 100, f"{name} ({entry['files']}) — {entry['licence']}", "=" * 100,
                  (root / entry["notice"]).read_text(encoding="utf-8")]
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=None, help="write THIRD_PARTY_NOTICES here")
    p.add_argument("--variant", choices=["cuda", "cpu"], default="cuda")
    p.add_argument("--policy", type=Path, default=POLICY)
    p.add_argument("--json", action="store_true", help="print the entries as JSON")
    args = p.parse_args(argv)
    policy = load_policy(args.policy)
    entries = collect(policy, args.variant)
    bad = [e for e in entries if not e.allowed]
    if args.json:
        print(json.dumps({"entries": [asdict(e) for e in entries], "rejected": [e.name for e in bad]}, indent=2))
    if bad:
        for e in bad:
            why = "no licence in its metadata" if not e.licence else f"{e.licence} is not on the allowlist"
            print(f"licence policy: {e.name} {e.version}: {why} ({args.policy.name})", file=sys.stderr)
        return 1
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render(entries, policy["project"]["licence"]), encoding="utf-8")
        print(f"{len(entries)} distributions, all allowed -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

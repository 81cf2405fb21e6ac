#!/usr/bin/env bash
# Regenerate the three pinned, hashed lock files from pyproject.toml (pip-tools):
#
#   requirements/compile.sh                  keep today's versions where pyproject allows them
#   requirements/compile.sh --upgrade        take the newest versions pyproject allows
#
#   runtime.lock    what the app needs to run            (make run)
#   dev.lock        runtime + tests, lint, S3 test server (make test)
#   packaging.lock  runtime + PyInstaller                 (make package, packaging/build.sh)
# pip-compile runs from its own throw-away venv so the project's venv is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${PIP_TOOLS_VENV:-/tmp/cc-pip-tools}"
[ -x "$TOOLS/bin/pip-compile" ] || { python3 -m venv "$TOOLS"; "$TOOLS/bin/pip" install -q "pip-tools>=7.4,<8"; }
compile() {  # compile OUT [pip-compile options]: pins already in OUT are kept unless --upgrade
    local out="$1"; shift
    "$TOOLS/bin/pip-compile" -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
        --no-emit-find-links --output-file "$out" "$@" pyproject.toml
}
compile requirements/runtime.lock "$@"
# pip-compile reuses the hashes already in its output file (hashing torch and the nvidia wheels of every
# platform takes ~20 min): start the two supersets from the runtime lock so only their extras get hashed.
for lock in dev packaging; do [ -f "requirements/$lock.lock" ] || cp requirements/runtime.lock "requirements/$lock.lock"; done
compile requirements/dev.lock --extra dev "$@"
compile requirements/packaging.lock --extra package "$@"
echo "wrote requirements/{runtime,dev,packaging}.lock"

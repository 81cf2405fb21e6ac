#!/usr/bin/env bash
# Build the one-folder bundle (PyInstaller), then, on Linux, the tarball and the .deb.
#
#   packaging/build.sh                 bundle + tarball + deb (Linux); bundle only elsewhere
#   packaging/build.sh bundle          only the PyInstaller folder: packaging/out/dist/catalog-curator/
#   packaging/build.sh deb|tarball     package an existing bundle
#
# Environment: PYTHON (default .venv/bin/python), OUT (default packaging/out),
#   DEB_COMPRESS (dpkg-deb -Z: zstd|gzip|xz|none, default zstd), DEB_LEVEL (dpkg-deb -z, default 3),
#   VARIANT (cuda|cpu, only names the artefacts; default: read from the installed torch).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
OUT="${OUT:-$ROOT/packaging/out}"
what="${1:-all}"

eval "$("$PYTHON" packaging/meta.py --shell)"
VARIANT="${VARIANT:-$("$PYTHON" - <<'PY'
import importlib.metadata as m
v = m.version("torch")
print("cpu" if "+cpu" in v else "cuda")
PY
)}"
export OUT VERSION VARIANT PYTHON

bundle() {
    local t0=$SECONDS
    if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
        echo "== PyInstaller is not installed in $PYTHON: installing the pinned one (requirements/packaging.lock)"
        "$PYTHON" -m pip install -q -r requirements/packaging.lock   # hashed: pip checks every file
    fi
    echo "== third-party notices and licence policy ($VARIANT)"
    export CC_NOTICES="$OUT/THIRD_PARTY_NOTICES.txt"
    "$PYTHON" packaging/notices.py --variant "$VARIANT" --out "$CC_NOTICES"   # exits 1 on a disallowed licence
    echo "== PyInstaller bundle (version $VERSION, $VARIANT torch) -> $OUT/dist/catalog-curator"
    df -h "$(dirname "$OUT")" | tail -1 | awk '{print "   free disk before build: " $4}'
    "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
        --workpath "$OUT/build" --distpath "$OUT/dist" packaging/catalog_curator.spec
    rm -rf "$OUT/build"   # several hundred MB of analysis cache, useless after the build
    if [ "$VARIANT" = cpu ]; then  # a CPU build that still carries the CUDA runtime is the 4.6 GB one by mistake
        leaked="$(find "$OUT/dist/catalog-curator" \( -name 'libcudnn*' -o -name 'libcublas*' -o -name 'libnccl*' \
                  -o -name 'libtorch_cuda*' -o -path '*/triton/*' \) -print | head -5)"
        [ -z "$leaked" ] || { echo "CPU bundle contains CUDA libraries:" >&2; echo "$leaked" >&2; exit 1; }
    fi
    echo "   bundle: $(du -sh "$OUT/dist/catalog-curator" | cut -f1) in $((SECONDS - t0)) s"
}

case "$(uname -s)" in
    Linux)
        case "$what" in
            bundle) bundle ;;
            deb) packaging/linux/make_deb.sh ;;
            tarball) packaging/linux/make_tarball.sh ;;
            all) bundle; packaging/linux/make_tarball.sh; packaging/linux/make_deb.sh ;;
            *) echo "usage: $0 [all|bundle|deb|tarball]" >&2; exit 2 ;;
        esac ;;
    Darwin) bundle; echo "next: packaging/macos/sign_notarize_dmg.sh (see docs/PACKAGING.md)" ;;
    MINGW*|MSYS*|CYGWIN*) bundle; echo "next: makensis packaging/windows/catalog-curator.nsi (see docs/PACKAGING.md)" ;;
    *) bundle ;;
esac

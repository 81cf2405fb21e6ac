#!/usr/bin/env bash
# Package the PyInstaller folder as a relocatable tarball: catalog-curator-<version>-<variant>-linux-x86_64.tar.zst
# (or .tar.gz with TAR_COMPRESS=gzip). Unpack anywhere and run ./catalog-curator/catalog-curator.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
OUT="${OUT:-$ROOT/packaging/out}"
eval "$("$PYTHON" packaging/meta.py --shell)"
VARIANT="${VARIANT:-cuda}"
TAR_COMPRESS="${TAR_COMPRESS:-zstd}"
BUNDLE="$OUT/dist/$APP_EXE"
[ -x "$BUNDLE/$APP_EXE" ] || { echo "no bundle at $BUNDLE: run packaging/build.sh bundle first" >&2; exit 1; }

t0=$SECONDS
install -m 0644 "packaging/linux/$APP_ID.desktop" "$BUNDLE/$APP_ID.desktop"
install -m 0644 resources/icons/app.png "$BUNDLE/$APP_EXE.png"
base="$OUT/${APP_EXE}-${VERSION}-${VARIANT}-linux-$(uname -m)"
case "$TAR_COMPRESS" in
    zstd) tarball="$base.tar.zst"; tar -C "$OUT/dist" -cf - "$APP_EXE" | zstd -q -T0 -3 -o "$tarball" -f ;;
    gzip) tarball="$base.tar.gz"; tar -C "$OUT/dist" -cf - "$APP_EXE" | gzip -1 > "$tarball" ;;
    *) echo "TAR_COMPRESS must be zstd or gzip" >&2; exit 2 ;;
esac
rm -f "$BUNDLE/$APP_ID.desktop" "$BUNDLE/$APP_EXE.png"
echo "   tarball: $(du -h "$tarball" | cut -f1) in $((SECONDS - t0)) s"

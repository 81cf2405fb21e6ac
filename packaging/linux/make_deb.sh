#!/usr/bin/env bash
# Package the PyInstaller folder as a .deb: /opt/catalog-curator, /usr/bin link, .desktop file, icons.
#
# Input:  $OUT/dist/catalog-curator (packaging/build.sh bundle)
# Output: $OUT/catalog-curator_<version>_<variant>_amd64.deb
# DEB_COMPRESS (zstd|gzip|xz|none, default zstd) and DEB_LEVEL (default 3): a 4 GB CUDA bundle takes
# minutes with zstd -3 but tens of minutes with xz -6 (measured figures in docs/PACKAGING.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
OUT="${OUT:-$ROOT/packaging/out}"
eval "$("$PYTHON" packaging/meta.py --shell)"
VARIANT="${VARIANT:-cuda}"
DEB_COMPRESS="${DEB_COMPRESS:-zstd}"
DEB_LEVEL="${DEB_LEVEL:-3}"
BUNDLE="$OUT/dist/$APP_EXE"
ARCH="$(dpkg --print-architecture)"
[ -x "$BUNDLE/$APP_EXE" ] || { echo "no bundle at $BUNDLE: run packaging/build.sh bundle first" >&2; exit 1; }

t0=$SECONDS
STAGE="$OUT/deb-root"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE$(dirname "$LINUX_INSTALL_DIR")" "$STAGE/usr/bin" \
    "$STAGE/usr/share/applications" "$STAGE/usr/share/icons/hicolor/512x512/apps" \
    "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/doc/$DEB_PACKAGE"
# Hard links, not a copy: the bundle is GBs and dpkg-deb only reads it.
cp -al "$BUNDLE" "$STAGE$LINUX_INSTALL_DIR"
ln -s "$LINUX_INSTALL_DIR/$APP_EXE" "$STAGE/usr/bin/$APP_EXE"
install -m 0644 "packaging/linux/$APP_ID.desktop" "$STAGE/usr/share/applications/$APP_ID.desktop"
install -m 0644 resources/icons/app.png "$STAGE/usr/share/icons/hicolor/512x512/apps/$APP_EXE.png"
install -m 0644 resources/icons/app.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/$APP_EXE.svg"
cat > "$STAGE/usr/share/doc/$DEB_PACKAGE/copyright" <<TXT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $APP_NAME
Source: $APP_HOMEPAGE

Files: *
License: $APP_LICENSE
Comment: the full text is in LICENSE beside this file. The package bundles PyTorch, Qt for Python (LGPLv3),
 ultralytics (AGPL-3.0), OpenCV and other libraries under their own licences: THIRD_PARTY_NOTICES beside
 this file lists each with its licence text.
TXT
install -m 0644 LICENSE "$STAGE/usr/share/doc/$DEB_PACKAGE/LICENSE"
install -m 0644 "$BUNDLE/_internal/THIRD_PARTY_NOTICES.txt" "$STAGE/usr/share/doc/$DEB_PACKAGE/THIRD_PARTY_NOTICES"

installed_kb="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
cat > "$STAGE/DEBIAN/control" <<TXT
Package: $DEB_PACKAGE
Version: $VERSION
Architecture: $ARCH
Maintainer: $APP_MAINTAINER
Installed-Size: $installed_kb
Depends: $DEB_DEPENDS
Section: $DEB_SECTION
Priority: optional
Homepage: $APP_HOMEPAGE
Description: $APP_SUMMARY
 $APP_DESCRIPTION
 .
 This build carries the $VARIANT variant of PyTorch. Model weights download on first
 use; the EfficientNet-Lite0 embedder ships inside, so image search works offline.
TXT
cat > "$STAGE/DEBIAN/postinst" <<'TXT'
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
exit 0
TXT
cp "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"
sed -i 's/= "configure"/= "remove"/' "$STAGE/DEBIAN/postrm"
chmod 0755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"

DEB="$OUT/${DEB_PACKAGE}_${VERSION}_${VARIANT}_${ARCH}.deb"
echo "== dpkg-deb -Z$DEB_COMPRESS -z$DEB_LEVEL -> $DEB"
dpkg-deb --root-owner-group -Z"$DEB_COMPRESS" -z"$DEB_LEVEL" --build "$STAGE" "$DEB"
rm -rf "$STAGE"
echo "   deb: $(du -h "$DEB" | cut -f1) (installed $((installed_kb / 1024)) MB) in $((SECONDS - t0)) s"

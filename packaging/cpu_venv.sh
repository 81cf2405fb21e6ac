#!/usr/bin/env bash
# Make .venv-cpu: the runtime and packaging pins with the CPU build of torch instead of the CUDA one, so that
# `PYTHON=.venv-cpu/bin/python packaging/build.sh` bundles no nvidia-* libraries and no triton (~1.1 GB instead
# of 4.6 GB unpacked). The CPU wheels come from PyTorch's CPU index, or from a folder of wheels (TORCH_WHEELS).
#
#   packaging/cpu_venv.sh                          # needs download.pytorch.org
#   TORCH_WHEELS=/path/to/wheels packaging/cpu_venv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv-cpu}"
PY="${PYTHON_BASE:-python3.11}"
TORCH_INDEX="${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"
pins() { grep -E "^(torch|torchvision)==" requirements/runtime.lock | cut -d' ' -f1; }

$PY -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
if [ -n "${TORCH_WHEELS:-}" ]; then
    "$VENV/bin/pip" install -q --no-index --find-links "$TORCH_WHEELS" $(pins | sed 's/$/+cpu/')
else
    "$VENV/bin/pip" install -q --index-url "$TORCH_INDEX" $(pins)
fi
"$VENV/bin/python" - <<'PY'
import torch
assert "+cpu" in torch.__version__ or torch.version.cuda is None, f"not a CPU build: {torch.__version__}"
print(f"torch {torch.__version__}: CPU build")
PY
# The rest of the pins, without torch/torchvision (already there as +cpu) and without what only CUDA needs.
# Each remaining line keeps its hashes; --no-deps because torch's CUDA dependencies are gone on purpose.
LOCK="$(mktemp)"
"$VENV/bin/python" - requirements/packaging.lock "$LOCK" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
drop = re.compile(r"^(torch|torchvision|triton|nvidia-[\w-]+|cuda-[\w-]+)==", re.I)
keep = [b for b in blocks if not drop.match(b) and not b.startswith("#")]
open(sys.argv[2], "w").write("\n".join(keep) + "\n")
print(f"{len(blocks) - len(keep)} CUDA-only or torch pins left out", file=sys.stderr)
PY
"$VENV/bin/pip" install -q --require-hashes --no-deps -r "$LOCK"
"$VENV/bin/pip" install -q --no-deps --no-build-isolation -e .
rm -f "$LOCK"
echo "ready: PYTHON=$VENV/bin/python packaging/build.sh   (artefacts named ..._cpu_...)"

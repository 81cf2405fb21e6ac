#!/usr/bin/env bash
# The prepared GPU check (issue 13): < 8 minutes on one NVIDIA GPU. Prints the machine, then one JSON line:
# embedding images/s (fp16, batch sweep), full-pipeline images/s (batch sweep), text/image query p95.
# Without a GPU it runs a quick CPU fallback that only proves the script works.
#   bench/gpu_check.sh [--quick]        (PYTHON=/path/to/python to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
LIMIT_S="${GPU_CHECK_LIMIT_S:-470}"  # leave the rest of 8 minutes for start-up and printing
echo "== $(date -u +%FT%TZ) $(uname -n) load: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
else
  echo "no nvidia-smi: CPU fallback (quick)"
fi
"$PYTHON" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" QT_QPA_PLATFORM=offscreen
timeout --signal=INT "$LIMIT_S" "$PYTHON" bench/gpu_check.py --json "$@"

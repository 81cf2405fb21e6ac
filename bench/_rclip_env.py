"""The shared ground for bench/index_vs_rclip.py: one random-weight ViT-B-32-256, its checkpoint, its ONNX towers
laid out the way rclip 4 expects them, and a Python 3.12 venv with rclip installed.

Both sides load the very same weights: our side from the checkpoint (torch.save of the state dict), rclip's
from ONNX files exported from that same model object, like rclip's own conversion script does (input
`input`, output `output`, dynamic batch axis, opset 18, fp32; visual = model.visual(x), textual =
model.encode_text(x)). Everything lives under bench/out/ (git-ignored); files are reused when present.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
ARCH = "ViT-B-32-256"
SEED = 0
RCLIP_MODEL_SUBDIR = "ViT-B-32-256-datacomp_s34b_b86k"
RCLIP_LEGAL_FILES = ("LICENSE", "OPENAI-CLIP-MIT.txt", "README.md", "THIRD_PARTY_NOTICES.md")
RCLIP_REQUIREMENT = "rclip>=4,<5"
PY312 = Path(os.environ.get("RCLIP_PYTHON", "/root/.pyenv/versions/3.12.1/bin/python"))

MODEL_DIR = OUT / "models"
CHECKPOINT = MODEL_DIR / f"{ARCH}-random-seed{SEED}.pt"
RCLIP_DATA = OUT / "rclip-data"  # the files rclip would otherwise download, as $RCLIP_DATADIR's template
RCLIP_VENV = OUT / "rclip-venv"


def build_model():
    """The random-weight ViT-B-32-256, the same bits on every call (seeded)."""
    import open_clip
    import torch

    torch.manual_seed(SEED)
    return open_clip.create_model(ARCH, pretrained=None, device="cpu").eval()


def ensure_assets(log=print) -> dict[str, Path]:
    """Checkpoint plus rclip's model folder; rebuilt only when missing."""
    visual = RCLIP_DATA / RCLIP_MODEL_SUBDIR / "visual.onnx"
    textual = RCLIP_DATA / RCLIP_MODEL_SUBDIR / "textual.onnx"
    vocab = RCLIP_DATA / "tokenizer" / "bpe_simple_vocab_16e6.txt.gz"
    if not (CHECKPOINT.is_file() and visual.is_file() and textual.is_file() and vocab.is_file()):
        log(f"building {ARCH} (random weights, seed {SEED}) and its ONNX towers under {OUT}")
        _build(visual, textual, vocab)
    for name in RCLIP_LEGAL_FILES:
        legal = RCLIP_DATA / name
        if not legal.is_file():
            legal.write_text("Benchmark placeholder: random-weight model, not the datacomp release.\n")
    return {"checkpoint": CHECKPOINT, "visual_onnx": visual, "textual_onnx": textual, "vocab": vocab}


def _build(visual: Path, textual: Path, vocab: Path) -> None:
    import open_clip
    import torch

    model = build_model()
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    visual.parent.mkdir(parents=True, exist_ok=True)
    vocab.parent.mkdir(parents=True, exist_ok=True)
    tmp = CHECKPOINT.with_suffix(".tmp")
    torch.save(model.state_dict(), tmp)
    tmp.replace(CHECKPOINT)

    class Textual(torch.nn.Module):
        def __init__(self, clip) -> None:
            super().__init__()
            self.clip = clip

        def forward(self, tokens):
            return self.clip.encode_text(tokens)

    size = model.visual.image_size[0]
    # With grad enabled, nn.MultiheadAttention skips its fused fast path, which ONNX cannot express.
    with torch.enable_grad():
        _export(model.visual, torch.randn(2, 3, size, size), visual)
        _export(Textual(model), open_clip.get_tokenizer(ARCH)(["a photo", "a bag"]), textual)
    shutil.copyfile(Path(open_clip.__file__).parent / "bpe_simple_vocab_16e6.txt.gz", vocab)


def _export(module, example, path: Path) -> None:
    import torch

    tmp = path.with_suffix(".tmp.onnx")
    torch.onnx.export(module, (example,), str(tmp), input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=18,
                      dynamo=False)
    tmp.replace(path)


def ensure_rclip_venv(log=print) -> Path:
    """A Python 3.12 venv with rclip 4 (on 3.11 pip would quietly pick rclip 3.3.0)."""
    python = RCLIP_VENV / "bin" / "python"
    if python.is_file() and _rclip_version(python).startswith("4."):
        return python
    if not PY312.is_file():
        raise RuntimeError(f"rclip 4 needs Python 3.12+; none at {PY312} (set RCLIP_PYTHON)")
    log(f"creating {RCLIP_VENV} with {RCLIP_REQUIREMENT}")
    subprocess.run([str(PY312), "-m", "venv", str(RCLIP_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", RCLIP_REQUIREMENT], check=True)
    version = _rclip_version(python)
    if not version.startswith("4."):
        raise RuntimeError(f"expected rclip 4.x in {RCLIP_VENV}, got {version or 'nothing'}")
    return python


def _rclip_version(python: Path) -> str:
    done = subprocess.run([str(python), "-c", "import importlib.metadata as m; print(m.version('rclip'))"],
                          capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def fresh_rclip_datadir(path: Path) -> Path:
    """A new $RCLIP_DATADIR holding the model files (hard links, no copies) and no database."""
    if path.exists():
        shutil.rmtree(path)
    for src in RCLIP_DATA.rglob("*"):
        if src.is_file():
            dst = path / src.relative_to(RCLIP_DATA)
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(src, dst)
            except OSError:
                shutil.copyfile(src, dst)
    return path


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


if __name__ == "__main__":
    assets = ensure_assets()
    python = ensure_rclip_venv()
    json.dump({**{k: str(v) for k, v in assets.items()}, "rclip_python": str(python)}, sys.stdout, indent=1)
    print()

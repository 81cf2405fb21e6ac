"""A catalog-trained adapter on top of a frozen embedder: the map, its file, and the embedder that applies it.

The adapter is linear and low-rank around the identity, v -> normalise(v + (v @ U) @ V), trained by
core.ops.adapt. Linear on purpose: the embedder's vector is the global mean of its feature map, so applying
the map to every location of the feature map gives exactly the adapted vector of any region after pooling
(the in-scene localiser scores regions that way), and scaling never matters since vectors are normalised.
Its file is a plain .npz (no pickle), so loading one runs no code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

KIND = "lowrank-residual-v1"


class AdapterUnavailable(RuntimeError):
    """An adapter file is missing, damaged or made for another embedder; the message says which."""


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


class Adapter:
    """W = I + U V (U: d x r, V: r x d) applied to L2-normalised rows; `record` says how it was trained."""

    def __init__(self, u: np.ndarray, v: np.ndarray, *, base_model_version: str,
                 record: dict[str, Any] | None = None) -> None:
        self.u = np.asarray(u, dtype=np.float32)
        self.v = np.asarray(v, dtype=np.float32)
        if self.u.ndim != 2 or self.v.shape != (self.u.shape[1], self.u.shape[0]):
            raise ValueError(f"adapter factors do not fit: U {self.u.shape}, V {self.v.shape}")
        self.base_model_version = base_model_version
        self.record = dict(record or {})

    @property
    def dim(self) -> int:
        return int(self.u.shape[0])

    @property
    def rank(self) -> int:
        return int(self.u.shape[1])

    @property
    def digest(self) -> str:
        """Names the weights: two adapters with the same digest map every vector the same way."""
        h = hashlib.sha256(self.u.tobytes() + self.v.tobytes() + self.base_model_version.encode())
        return h.hexdigest()[:10]

    @property
    def model_version(self) -> str:
        return f"{self.base_model_version}+adapt-{self.digest}"

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Adapted, L2-normalised rows of (n, d) vectors (or one (d,) vector)."""
        x = _normalise(x)
        return _normalise(x + (x @ self.u) @ self.v)

    def apply_map(self, fmap: np.ndarray) -> np.ndarray:
        """The map at every location of a (d, h, w) feature map (no normalising: pooling comes after)."""
        d, h, w = fmap.shape
        flat = np.asarray(fmap, dtype=np.float32).reshape(d, h * w).T
        return (flat + (flat @ self.u) @ self.v).T.reshape(d, h, w)

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, u=self.u, v=self.v, kind=np.array(KIND), base_model_version=np.array(self.base_model_version),
                 record=np.array(json.dumps(self.record, default=str)))
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path | str) -> Adapter:
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                kind = str(data["kind"])
                if kind != KIND:
                    raise AdapterUnavailable(f"adapter {path.name} is of kind {kind!r}; this app reads {KIND!r}")
                return cls(data["u"], data["v"], base_model_version=str(data["base_model_version"]),
                           record=json.loads(str(data["record"])))
        except AdapterUnavailable:
            raise
        except FileNotFoundError:
            raise AdapterUnavailable(f"adapter file {path} is missing") from None
        except Exception as exc:  # a truncated or foreign file: say so, never half-load
            raise AdapterUnavailable(f"adapter file {path} cannot be read: {type(exc).__name__}: {exc}") from None


class AdaptedEmbedder:
    """The base embedder with the adapter after it: index vectors, query vectors, text vectors and feature maps
    all go through the same map, under the adapter's own model version."""

    def __init__(self, base, adapter: Adapter) -> None:
        if adapter.base_model_version != base.model_version:
            raise AdapterUnavailable(f"the adapter was trained on {adapter.base_model_version}, not on the loaded "
                                     f"{base.model_version}")
        if adapter.dim != base.dim:
            raise AdapterUnavailable(f"the adapter is {adapter.dim}-d, the embedder {base.dim}-d")
        self.base = base
        self.adapter = adapter
        self.model_version = adapter.model_version
        if hasattr(base, "feature_map"):  # only then may the localiser use one (it checks with hasattr)
            self.feature_map = self._feature_map

    def __getattr__(self, name: str):  # name, dim, input_size, mean, std, device, supports_text ...
        if name in ("base", "adapter"):
            raise AttributeError(name)
        return getattr(self.base, name)

    def embed_images(self, batch: np.ndarray) -> np.ndarray:
        return self.adapter.apply(self.base.embed_images(batch))

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        # Text rows meet adapted image rows, so they take the same map (trained on images only: CLIP text
        # search through an adapter is unmeasured, see docs/PERFORMANCE.md).
        return self.adapter.apply(self.base.embed_texts(texts))

    def _feature_map(self, x) -> np.ndarray:
        return self.adapter.apply_map(self.base.feature_map(x))

    def describe(self) -> dict:
        return {**self.base.describe(), "version": self.model_version,
                "adapter": {"digest": self.adapter.digest, "rank": self.adapter.rank,
                            "base_model_version": self.adapter.base_model_version}}

    def close(self) -> None:
        self.base.close()

"""Label vocabularies and their text embeddings, cached on disk per model version, for zero-shot labels."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from core.fileio import atomic_writer

DEFAULT_VOCAB_DIR = Path(__file__).resolve().parents[2] / "resources" / "labels"
# A prompt per vocabulary reads better to CLIP than a bare word; part of the cache key.
PROMPTS = {
    "colours": "a photo of a {} product",
    "styles": "a photo of a {} style product",
    "categories": "a product photo of a {}",
    "materials": "a photo of a product made of {}",
}
DEFAULT_PROMPT = "a photo of {}"
CACHE_FORMAT = 1

Label = tuple[str, str, float]  # vocabulary, value, score


def load_vocabularies(folder: Path | None = None) -> dict[str, list[str]]:
    """Every `<name>.txt` in the folder: one label a line, '#' starts a comment, duplicates dropped."""
    folder = Path(folder) if folder is not None else DEFAULT_VOCAB_DIR
    vocabularies: dict[str, list[str]] = {}
    if not folder.is_dir():
        return vocabularies
    for path in sorted(folder.glob("*.txt")):
        seen: dict[str, None] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            label = line.split("#", 1)[0].strip()
            if label:
                seen.setdefault(label, None)
        if seen:
            vocabularies[path.stem] = list(seen)
    return vocabularies


def vocabulary_hash(vocabularies: dict[str, list[str]]) -> str:
    payload = {"format": CACHE_FORMAT, "vocabularies": vocabularies,
               "prompts": {name: PROMPTS.get(name, DEFAULT_PROMPT) for name in vocabularies}}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()[:16]


class LabelBank:
    """Text embeddings of every label, computed once per model version and vocabulary content.

    Raises `TextUnavailable` (with the embedder's reason) when the embedder cannot read text.
    """

    def __init__(self, embedder, cache_dir: Path, vocab_dir: Path | None = None,
                 vocabularies: dict[str, list[str]] | None = None) -> None:
        if not getattr(embedder, "supports_text", False):
            # Imported here, not at the top: the GUI reads the vocabularies before torch is loaded.
            from core.models.embedders import TextUnavailable

            raise TextUnavailable(getattr(embedder, "text_unavailable_reason", "the embedder cannot read text"))
        self.embedder = embedder
        self.vocabularies = vocabularies if vocabularies is not None else load_vocabularies(vocab_dir)
        self.logit_scale = float(getattr(embedder, "logit_scale", 100.0))
        self.computed = 0  # label texts embedded by this bank (0 when everything came from the cache)
        safe_version = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder.model_version)
        self.cache_path = Path(cache_dir) / f"{safe_version}-{vocabulary_hash(self.vocabularies)}.npz"
        self.matrices = self._load() or self._compute()

    def _load(self) -> dict[str, np.ndarray] | None:
        if not self.cache_path.is_file():
            return None
        try:
            with np.load(self.cache_path, allow_pickle=False) as data:
                matrices = {name: data[name].astype(np.float32) for name in self.vocabularies}
        except (OSError, KeyError, ValueError):
            return None  # a damaged cache is rebuilt
        ok = all(m.shape == (len(self.vocabularies[n]), self.embedder.dim) for n, m in matrices.items())
        return matrices if ok else None

    def _compute(self) -> dict[str, np.ndarray]:
        matrices = {}
        for name, labels in self.vocabularies.items():
            prompt = PROMPTS.get(name, DEFAULT_PROMPT)
            matrices[name] = np.asarray(self.embedder.embed_texts([prompt.format(x) for x in labels]), np.float32)
            self.computed += len(labels)
        self._save(matrices)
        return matrices

    def _save(self, matrices: dict[str, np.ndarray]) -> None:
        with atomic_writer(self.cache_path) as fh:
            np.savez(fh, **matrices)

    def zero_shot(self, crop_vectors: np.ndarray, threshold: float) -> list[list[Label]]:
        """For each vector, the best value of every vocabulary whose softmax score reaches `threshold`."""
        vectors = np.asarray(crop_vectors, dtype=np.float32)
        if vectors.ndim == 1:
            vectors = vectors[None]
        out: list[list[Label]] = [[] for _ in range(len(vectors))]
        for name, matrix in self.matrices.items():
            if not len(matrix):
                continue
            logits = self.logit_scale * (vectors @ matrix.T)
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            best = probs.argmax(axis=1)
            for i, j in enumerate(best):
                if probs[i, j] >= threshold:
                    out[i].append((name, self.vocabularies[name][j], float(probs[i, j])))
        return out

"""Shared builders for the search tests: a real catalog folder, SQLite rows, USearch and cache vectors.

The model is a small deterministic stand-in (a fixed random projection of the preprocessed tensor,
hashed word vectors for text) so that tests know which product a query must find.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.catalog import db
from core.catalog.catalog import Catalog
from core.models.detector import Detection

MODEL = "stub-v1"
DIM = 32


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def word_vector(word: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(word.lower().encode()).digest()[:4], "little")
    return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)


class StubEmbedder:
    name = "stub"
    model_version = MODEL
    dim = DIM
    input_size = 32
    mean = (0.5, 0.5, 0.5)
    std = (0.25, 0.25, 0.25)
    device = "cpu"

    def __init__(self, supports_text: bool = True) -> None:
        self.supports_text = supports_text
        self.text_unavailable_reason = "" if supports_text else "the stub reads no text"
        self._proj = np.random.default_rng(7).standard_normal((3 * 32 * 32, DIM)).astype(np.float32)
        self.image_calls = 0

    def embed_images(self, batch: np.ndarray) -> np.ndarray:
        self.image_calls += 1
        flat = np.asarray(batch, dtype=np.float32).reshape(len(batch), -1)
        out = flat @ self._proj
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        return np.stack([unit(sum(word_vector(w) for w in t.split())) for t in texts])


class StubDetector:
    def __init__(self, detections: list[Detection] | None = None) -> None:
        self.detections = detections or []

    def detect(self, images):
        return [list(self.detections) for _ in images]


class StubRegistry:
    def __init__(self, embedder: StubEmbedder | None = None, detector: StubDetector | None = None) -> None:
        self._embedder = embedder or StubEmbedder()
        self._detector = detector

    def embedder(self) -> StubEmbedder:
        return self._embedder

    def detector(self):
        return self._detector


def textured(size: tuple[int, int], colour, seed: int = 0, square: tuple[int, int, int, int] | None = None,
             background=(255, 255, 255)) -> np.ndarray:
    """A white image with a checker-textured coloured square (sharp enough for the quality checks)."""
    h, w = size
    image = np.zeros((h, w, 3), np.uint8)
    image[:] = background
    x0, y0, x1, y1 = square or (w // 4, h // 4, 3 * w // 4, 3 * h // 4)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    rng = np.random.default_rng(seed)
    cell = int(rng.integers(4, 9))
    checker = ((yy // cell + xx // cell) % 2).astype(np.float32)[..., None]
    image[y0:y1, x0:x1] = np.clip(np.asarray(colour, np.float32) * (0.6 + 0.4 * checker), 0, 255).astype(np.uint8)
    return image


@dataclass
class Built:
    product: db.Product
    crops: list[db.Crop] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)


class CatalogBuilder:
    """Writes products the way the indexer leaves them: rows, primary vector in the index, crops in the cache."""

    def __init__(self, catalog: Catalog, preprocess_version: str = "pp-test") -> None:
        self.catalog = catalog
        self.preprocess_version = preprocess_version
        catalog.register_index(MODEL, dim=DIM, embedder="stub", preprocess_version=preprocess_version)
        self.store = catalog.vector_store(MODEL, DIM)
        self.cache = catalog.embedding_cache()
        self._n = 0

    def add(self, sku: str, vectors, *, primary: int = 0, category: str = "", attributes: dict | None = None,
            price: float | None = None, corrected: bool = False, title: str = "", source_folder: str = "",
            image: Path | None = None, size: tuple[int, int] = (100, 100), index: bool = True) -> Built:
        self._n += 1
        vecs = [unit(v) for v in np.atleast_2d(np.asarray(vectors, np.float32))]
        product = db.Product.create(sku=sku, title=title or sku, category=category, attributes=attributes or {},
                                    price=price, corrected=corrected, source_folder=source_folder or sku.lower(),
                                    status="indexed")
        sha = hashlib.sha256(f"{sku}-{self._n}".encode()).hexdigest()
        blob = ""
        if image is not None:
            blob = str(Path(image).relative_to(self.catalog.root))
            sha = hashlib.sha256(Path(image).read_bytes()).hexdigest()
        im = db.ImageFile.create(product=product, sha256=sha, blob_path=blob, position=0, width=size[1],
                                 height=size[0])
        built = Built(product)
        items = []
        for n, vec in enumerate(vecs):
            box = (n, n, 50 + n, 60 + n)
            crop = db.Crop.create(image=im, x0=box[0], y0=box[1], x1=box[2], y1=box[3], is_primary=n == primary,
                                  verdict="accepted", model_version=MODEL, preprocess_version=self.preprocess_version)
            built.crops.append(crop)
            built.vectors.append(vec)
            items.append(((sha, box), vec))
        self.cache.put_many(items, MODEL, self.preprocess_version)
        if index:
            self.store.add([product.id], vecs[primary][None, :])
        return built


def open_catalog(tmp_path):
    """Generator body of a `catalog` fixture (each test module declares its own, two lines)."""
    cat = Catalog.open(tmp_path / "catalog")
    yield cat
    cat.close()


def open_builder(catalog):
    b = CatalogBuilder(catalog)
    yield b
    b.cache.close()

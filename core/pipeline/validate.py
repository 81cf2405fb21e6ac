"""Embedding consistency checks: every vector finite, right-sized, unit-norm, informative, in range."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class InvalidEmbedding(ValueError):
    pass


def check_vectors(vectors: np.ndarray, dim: int) -> np.ndarray:
    """Raise with a reason for vectors that cannot be used at all; return them as float32."""
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim != 2 or v.shape[1] != dim:
        raise InvalidEmbedding(f"embedding has shape {v.shape}, expected (N, {dim})")
    if not np.isfinite(v).all():
        raise InvalidEmbedding("embedding contains NaN or infinity")
    norms = np.linalg.norm(v, axis=1)
    if np.any(np.abs(norms - 1.0) > 1e-2):
        raise InvalidEmbedding(f"embedding is not unit-norm (norms {norms.min():.3f}..{norms.max():.3f})")
    if np.any(v.std(axis=1) < 1e-6):
        raise InvalidEmbedding("embedding is constant")
    return v


@dataclass
class CentroidTracker:
    """The catalog's running centroid and spread of distances to it; flags (never drops) outliers."""

    dim: int
    count: int = 0
    n_distances: int = 0
    mean_distance: float = 0.0
    m2_distance: float = 0.0
    min_count: int = 20
    k_sigma: float = 4.0

    def __post_init__(self) -> None:
        self.total = np.zeros(self.dim, dtype=np.float64)

    @classmethod
    def from_vectors(cls, vectors: np.ndarray, dim: int) -> CentroidTracker:
        tracker = cls(dim)
        if len(vectors):
            tracker.update(np.asarray(vectors, dtype=np.float32))
        return tracker

    @property
    def centroid(self) -> np.ndarray:
        c = self.total / max(self.count, 1)
        return (c / max(np.linalg.norm(c), 1e-12)).astype(np.float32)

    def distances(self, vectors: np.ndarray) -> np.ndarray:
        return 1.0 - vectors @ self.centroid

    def outliers(self, vectors: np.ndarray) -> np.ndarray:
        if self.count < self.min_count:
            return np.zeros(len(vectors), dtype=bool)
        std = (self.m2_distance / max(self.n_distances - 1, 1)) ** 0.5
        return self.distances(vectors) > self.mean_distance + self.k_sigma * max(std, 1e-3)

    def update(self, vectors: np.ndarray) -> None:
        self.total += vectors.sum(axis=0)
        self.count += len(vectors)
        # Welford over the distances to the (moving) centroid: good enough to judge spread.
        for d in self.distances(vectors):
            self.n_distances += 1
            delta = float(d) - self.mean_distance
            self.mean_distance += delta / self.n_distances
            self.m2_distance += delta * (float(d) - self.mean_distance)

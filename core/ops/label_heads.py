"""Label heads trained from curators' verified labels: one small softmax classifier per vocabulary.

A head is versioned (model version + training data hash) and is used only where it beats zero-shot on
held-out corrections; both accuracies are kept with the head so the GUI and reports can show them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

MIN_EXAMPLES = 10
MIN_CLASSES = 2


@dataclass
class HeadReport:
    vocabulary: str
    version: str
    classes: list[str]
    train_size: int
    test_size: int
    head_accuracy: float
    zero_shot_accuracy: float | None
    active: bool  # used for labelling: it beat zero-shot (or zero-shot is unavailable)

    def to_dict(self) -> dict:
        return asdict(self)


class SoftmaxHead:
    """Multinomial logistic regression with L2, trained by full-batch gradient descent (small data)."""

    def __init__(self, classes: list[str], dim: int, l2: float = 1e-3) -> None:
        self.classes = list(classes)
        self.w = np.zeros((dim, len(classes)), dtype=np.float64)
        self.b = np.zeros(len(classes), dtype=np.float64)
        self.l2 = l2

    def _logits(self, x: np.ndarray) -> np.ndarray:
        return x @ self.w + self.b

    def fit(self, x: np.ndarray, y: np.ndarray, *, steps: int = 300, lr: float = 0.5) -> SoftmaxHead:
        x = np.asarray(x, dtype=np.float64)
        onehot = np.eye(len(self.classes))[y]
        for _ in range(steps):
            z = self._logits(x) * 10.0  # unit vectors: scale so the logits can separate
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            grad = (p - onehot) * 10.0 / len(x)
            self.w -= lr * (x.T @ grad + self.l2 * self.w)
            self.b -= lr * grad.sum(axis=0)
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        z = self._logits(np.asarray(x, dtype=np.float64)) * 10.0
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, x: np.ndarray) -> list[str]:
        return [self.classes[i] for i in self.predict_proba(x).argmax(axis=1)]

    def save(self, path: Path, report: HeadReport) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, w=self.w, b=self.b, classes=np.array(self.classes), report=json.dumps(report.to_dict()))

    @classmethod
    def load(cls, path: Path) -> tuple[SoftmaxHead, HeadReport]:
        data = np.load(path, allow_pickle=False)
        head = cls([str(c) for c in data["classes"]], data["w"].shape[0])
        head.w, head.b = data["w"], data["b"]
        return head, HeadReport(**json.loads(str(data["report"])))


def _split(n: int, test_share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    n_test = max(1, int(round(n * test_share)))
    return order[n_test:], order[:n_test]


def train_head(vocabulary: str, vectors: np.ndarray, values: list[str], *, model_version: str,
               zero_shot: Callable[[np.ndarray], list[str]] | None = None, test_share: float = 0.25,
               seed: int = 0) -> tuple[SoftmaxHead, HeadReport] | None:
    """Train on curator-confirmed (vector, value) pairs; None when there is too little to learn from."""
    classes = sorted(set(values))
    if len(values) < MIN_EXAMPLES or len(classes) < MIN_CLASSES:
        return None
    x = np.asarray(vectors, dtype=np.float32)
    y = np.array([classes.index(v) for v in values])
    train, test = _split(len(x), test_share, seed)
    head = SoftmaxHead(classes, x.shape[1]).fit(x[train], y[train])
    truth = [values[i] for i in test]
    head_acc = float(np.mean([p == t for p, t in zip(head.predict(x[test]), truth, strict=True)]))
    zs_acc = None
    if zero_shot is not None:
        zs_acc = float(np.mean([p == t for p, t in zip(zero_shot(x[test]), truth, strict=True)]))
    digest = hashlib.sha256(x.tobytes() + "\n".join(values).encode()).hexdigest()[:10]
    report = HeadReport(vocabulary=vocabulary, version=f"{model_version}/head-{digest}", classes=classes,
                        train_size=len(train), test_size=len(test), head_accuracy=head_acc,
                        zero_shot_accuracy=zs_acc, active=zs_acc is None or head_acc > zs_acc)
    # The active head is refitted on all examples; its accuracy stays the held-out one.
    head = SoftmaxHead(classes, x.shape[1]).fit(x, y)
    return head, report


RETRAIN_EVERY = 25  # new curator label corrections between automatic retrainings


def curator_examples(catalog, model_version: str, preprocess_version: str) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Per vocabulary: the primary-crop vectors of products with a curator-confirmed label, and the values."""
    from core.catalog import db
    from core.pipeline.embed_cache import EmbeddingCache, product_crop_vectors

    labels = list(db.Label.select().where((db.Label.confirmed == True) | (db.Label.source == "curator")))  # noqa: E712
    cache = EmbeddingCache(catalog.paths.cache / "embeddings.sqlite")
    try:
        crops = product_crop_vectors(cache, {lb.product_id for lb in labels}, model_version, preprocess_version)
    finally:
        cache.close()
    out: dict[str, tuple[list[np.ndarray], list[str]]] = {}
    for label in labels:
        vectors = crops.get(label.product_id) or []
        primary = next((c for c in vectors if c.is_primary), vectors[0] if vectors else None)
        if primary is not None:
            xs, ys = out.setdefault(label.vocabulary, ([], []))
            xs.append(primary.vector)
            ys.append(label.value)
    return {vocab: (np.stack(xs), ys) for vocab, (xs, ys) in out.items()}


def retrain(catalog, registry) -> list[HeadReport]:
    """Train every vocabulary's head from curators' labels; keep each only where it beats zero-shot."""
    from core.catalog import db
    from core.pipeline.crops import spec_for

    embedder = registry.embedder()
    spec = spec_for(embedder, catalog.settings.preprocess.expand_ratio)
    bank = None
    if embedder.supports_text:
        from core.models.labels import LabelBank

        bank = LabelBank(embedder, catalog.paths.cache / "labels")
    reports = []
    for vocab, (x, values) in curator_examples(catalog, embedder.model_version, spec.version).items():
        zero_shot = None
        if bank is not None and vocab in getattr(bank, "vocabularies", {}):
            def zero_shot(v, vocab=vocab):
                return [next((val for voc, val, _ in row if voc == vocab), None) for row in bank.zero_shot(v, 0.0)]
        trained = train_head(vocab, x, values, model_version=embedder.model_version, zero_shot=zero_shot)
        if trained is None:
            continue
        head, report = trained
        path = catalog.paths.cache / "label_heads" / f"{report.version.replace('/', '_')}.npz"
        head.save(path, report)

        def write(report=report, path=path, n=len(values)) -> None:
            if report.active:
                db.LabelHead.update(active=False).where((db.LabelHead.vocabulary == report.vocabulary)
                                                        & (db.LabelHead.model_version == embedder.model_version)).execute()
            db.LabelHead.get_or_create(version=report.version, defaults={
                "vocabulary": report.vocabulary, "model_version": embedder.model_version, "path": str(path),
                "examples": n, "head_accuracy": report.head_accuracy,
                "zero_shot_accuracy": report.zero_shot_accuracy, "active": report.active})
            db.audit("train_label_head", report.vocabulary, **report.to_dict())

        db.transaction(write)
        reports.append(report)
    return reports


def maybe_retrain(catalog, registry, every: int = RETRAIN_EVERY) -> list[HeadReport] | None:
    """Retrain after `every` new curator label corrections since the last training."""
    from core.catalog import db

    count = db.Correction.select().where(db.Correction.kind.in_(["add_label", "remove_label", "confirm_label"])).count()
    row = db.Setting.get_or_none(db.Setting.key == "label_heads_trained_at")
    last = int(row.value) if row else 0
    if count - last < every:
        return None
    reports = retrain(catalog, registry)
    db.transaction(lambda: db.Setting.insert(key="label_heads_trained_at", value=count).on_conflict(
        conflict_target=[db.Setting.key], update={db.Setting.value: count}).execute())
    return reports

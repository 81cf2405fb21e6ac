"""Label heads trained from curators' verified labels: one small softmax classifier per vocabulary.

A head is versioned (model version + training data hash) and is used only where it beats zero-shot on
held-out corrections beyond noise (the promotion gate, `core.ops.gate`: a paired bootstrap of right answers per
held-out example); both accuracies and the gate's verdict are kept with the head so the GUI and reports can
show them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MIN_EXAMPLES = 10
MIN_CLASSES = 2
MIN_GATE_EXAMPLES = 3  # held-out examples the gate needs; on 3, only 3 right where the baseline was wrong wins


@dataclass
class HeadReport:
    vocabulary: str
    version: str
    classes: list[str]
    train_size: int
    test_size: int
    head_accuracy: float
    zero_shot_accuracy: float | None  # accuracy of what the app labels without the head (see `baseline`)
    active: bool  # used for labelling: it beat the baseline (or there is none)
    baseline: str = "zero-shot"  # "zero-shot" (CLIP), "pixels" (colours without CLIP) or "" (none)
    gate: dict | None = None  # the promotion gate's verdict against the baseline (None: nothing to beat)

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
               zero_shot: Callable[[np.ndarray], list[str]] | None = None,
               baseline_values: Sequence[str | None] | None = None, baseline: str = "",
               test_share: float = 0.25, seed: int = 0) -> tuple[SoftmaxHead, HeadReport] | None:
    """Train on curator-confirmed (vector, value) pairs; None when there is too little to learn from.

    The head is compared on held-out examples with what the app labels without it: `zero_shot` (a
    function of the vectors), or `baseline_values` (the automatic label each example already had, e.g. the
    colour named from pixels).
    """
    classes = sorted(set(values))
    if len(values) < MIN_EXAMPLES or len(classes) < MIN_CLASSES:
        return None
    x = np.asarray(vectors, dtype=np.float32)
    y = np.array([classes.index(v) for v in values])
    train, test = _split(len(x), test_share, seed)
    head = SoftmaxHead(classes, x.shape[1]).fit(x[train], y[train])
    truth = [values[i] for i in test]
    head_right = [float(p == t) for p, t in zip(head.predict(x[test]), truth, strict=True)]
    head_acc = float(np.mean(head_right))
    zs_acc = None
    base_right: list[float] | None = None
    if zero_shot is not None:
        base_right = [float(p == t) for p, t in zip(zero_shot(x[test]), truth, strict=True)]
        baseline = baseline or "zero-shot"
    elif baseline_values is not None and any(v is not None for v in baseline_values):
        base_right = [float(baseline_values[i] == values[i]) for i in test]
    else:
        baseline = ""
    verdict = None
    if base_right is not None:
        from core.ops import gate

        zs_acc = float(np.mean(base_right))
        verdict = gate.compare(base_right, head_right, metric="right label",
                               min_queries=MIN_GATE_EXAMPLES).to_dict()
    digest = hashlib.sha256(x.tobytes() + "\n".join(values).encode()).hexdigest()[:10]
    report = HeadReport(vocabulary=vocabulary, version=f"{model_version}/head-{digest}", classes=classes,
                        train_size=len(train), test_size=len(test), head_accuracy=head_acc,
                        zero_shot_accuracy=zs_acc, active=verdict is None or verdict["wins"],
                        baseline=baseline, gate=verdict)
    # The active head is refitted on all examples; its accuracy stays the held-out one.
    head = SoftmaxHead(classes, x.shape[1]).fit(x, y)
    return head, report


RETRAIN_EVERY = 25  # new curator label corrections between automatic retrainings


def curator_examples(catalog, model_version: str, preprocess_version: str
                     ) -> dict[str, tuple[np.ndarray, list[str], list[int]]]:
    """Per vocabulary: primary-crop vectors of products with a curator-confirmed label, values, product ids."""
    from core.catalog import db
    from core.pipeline.embed_cache import primary_of, product_crop_vectors

    labels = list(db.Label.select().where((db.Label.confirmed == True) | (db.Label.source == "curator")))  # noqa: E712
    crops = product_crop_vectors(catalog.embedding_cache(), {lb.product_id for lb in labels}, model_version,
                                 preprocess_version)
    out: dict[str, tuple[list[np.ndarray], list[str], list[int]]] = {}
    for label in labels:
        primary = primary_of(crops.get(label.product_id) or [])
        if primary is not None:
            xs, ys, ids = out.setdefault(label.vocabulary, ([], [], []))
            xs.append(primary.vector)
            ys.append(label.value)
            ids.append(label.product_id)
    return {vocab: (np.stack(xs), ys, ids) for vocab, (xs, ys, ids) in out.items()}


def automatic_labels(vocabulary: str, product_ids: Sequence[int], sources: Sequence[str] = ("pixels",)
                     ) -> list[str | None]:
    """The best label the app gave each product on its own (deleted ones too: a curator's removal of a
    wrong automatic label must still count against it)."""
    from core.catalog import db

    best: dict[int, str] = {}
    for chunk in db.chunked(sorted(set(product_ids)), 500):  # SQLite caps the variables in one statement
        rows = (db.Label.with_deleted(db.Label.product, db.Label.value)
                .where((db.Label.vocabulary == vocabulary) & db.Label.source.in_(list(sources))
                       & db.Label.product.in_(chunk) & (db.Label.staged_for == ""))
                .order_by(db.Label.score.desc()).tuples())
        for pid, value in rows:
            best.setdefault(pid, value)
    return [best.get(pid) for pid in product_ids]


def retrain(catalog, registry) -> list[HeadReport]:
    """Train every vocabulary's head from curators' labels; keep each only where it beats zero-shot beyond noise."""
    from core.catalog import db
    from core.pipeline.crops import spec_for

    embedder = registry.embedder()
    spec = spec_for(embedder, catalog.settings.preprocess.expand_ratio)
    bank = None
    if embedder.supports_text:
        from core.models.labels import LabelBank

        bank = LabelBank(embedder, catalog.paths.cache / "labels")
    reports = []
    for vocab, (x, values, product_ids) in curator_examples(catalog, embedder.model_version, spec.version).items():
        zero_shot = None
        if bank is not None and vocab in getattr(bank, "vocabularies", {}):
            def zero_shot(v, vocab=vocab):
                return [next((val for voc, val, _ in row if voc == vocab), None) for row in bank.zero_shot(v, 0.0)]
        # Without CLIP the app still names colours from pixels: the head must beat that to be used.
        pixels = automatic_labels(vocab, product_ids) if zero_shot is None else None
        trained = train_head(vocab, x, values, model_version=embedder.model_version, zero_shot=zero_shot,
                             baseline_values=pixels, baseline="pixels")
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
                "zero_shot_accuracy": report.zero_shot_accuracy, "active": report.active,
                "baseline": report.baseline})
            db.audit("train_label_head", report.vocabulary, **report.to_dict())

        db.transaction(write)
        reports.append(report)
    if any(r.active for r in reports):
        apply_heads(catalog, embedder.model_version, spec.version)
    return reports


def apply_heads(catalog, model_version: str, preprocess_version: str,
                product_ids: Sequence[int] | None = None) -> int:
    """Label products with this model version's active heads (source "trained"); returns labels written.

    Runs after training (every product) and after indexing (the products indexed). Earlier trained labels of
    the same vocabulary are replaced; products with a curator label in that vocabulary are left alone.
    """
    from core.catalog import db
    from core.pipeline.embed_cache import primary_of, product_crop_vectors

    heads = list(db.LabelHead.select().where((db.LabelHead.model_version == model_version)
                                             & (db.LabelHead.active == True)))  # noqa: E712
    if not heads:
        return 0
    if product_ids is None:
        product_ids = [p for (p,) in db.Product.select(db.Product.id).where(db.Product.status == "indexed").tuples()]
    crops = product_crop_vectors(catalog.embedding_cache(), product_ids, model_version, preprocess_version)
    primaries = {pid: primary for pid, cv in crops.items() if (primary := primary_of(cv)) is not None}
    written = 0
    for row in heads:
        try:
            head, _ = SoftmaxHead.load(Path(row.path))
        except (OSError, ValueError, KeyError) as exc:  # a missing or damaged head file: say so, label without it
            log.warning("label head %s unusable (%s): skipped", row.version, exc)
            continue
        curated = {pid for (pid,) in db.Label.select(db.Label.product).where(
            (db.Label.vocabulary == row.vocabulary)
            & ((db.Label.source == "curator") | (db.Label.confirmed == True))).tuples()}  # noqa: E712
        targets = [pid for pid in product_ids if pid in primaries and pid not in curated]
        for chunk in db.chunked(targets, 500):  # SQLite caps the variables in one statement
            proba = head.predict_proba(np.stack([primaries[pid].vector for pid in chunk]))
            best = proba.argmax(axis=1).tolist()

            def write(row=row, head=head, chunk=chunk, proba=proba, best=best) -> int:
                db.Label.update(deleted_at=db.utcnow()).where(
                    (db.Label.vocabulary == row.vocabulary) & (db.Label.source == "trained")
                    & db.Label.product.in_(chunk) & db.Label.deleted_at.is_null()).execute()
                db.Label.insert_many([
                    {"product": pid, "crop": primaries[pid].crop_id, "vocabulary": row.vocabulary,
                     "value": head.classes[j], "score": float(proba[i, j]), "source": "trained",
                     "model_version": model_version}
                    for i, (pid, j) in enumerate(zip(chunk, best, strict=True))]).execute()
                return len(chunk)

            written += db.transaction(write)
    return written


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

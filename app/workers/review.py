"""Curator corrections as model-thread jobs, and the undoable commands that queue them.

A correction re-embeds crops, so it runs where the models live: each one is a ModelTask on the model
thread, in submission order. A command's undo queues the inverse Reviewer operation (the correction
log stays append-only: an undo writes its own correction). What a redo learns (the new crop's or
label's id, the previous primary) is kept in the command's `state`, which only the model thread
reads and writes, and because that thread runs tasks in order an undo always sees its redo's state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.workers.model_thread import ModelTask
from core.catalog import queries

log = logging.getLogger(__name__)

Op = Callable[[Any, dict], Any]  # (reviewer, state) -> Applied | None


def reviewer_task(catalog, op: Callable[[Any], Any], name: str) -> ModelTask:
    """A job on the model thread that gets a Reviewer over the thread's registry."""

    def work(registry, progress, should_stop):
        from core.review import Reviewer

        if registry is None:
            raise RuntimeError("The models are not loaded, so the change cannot be embedded.")
        reviewer = Reviewer(catalog, registry)
        try:
            with catalog.writing():  # an undo step (several corrections) is one write
                return op(reviewer)
        finally:
            reviewer.close()

    return ModelTask(work, name)


class ReviewCommand(QUndoCommand):
    """One undoable correction: `do` and `undo` run on the model thread with a shared state."""

    def __init__(self, service: ReviewService, text: str, product_id: int, do: Op, undo: Op) -> None:
        super().__init__(text)
        self.service = service
        self.product_id = product_id
        self._do, self._undo = do, undo
        self.state: dict[str, Any] = {}

    def redo(self) -> None:
        self.service.submit(self.text(), self.product_id, lambda r: self._do(r, self.state))

    def undo(self) -> None:
        self.service.submit(f"Undo {self.text().lower()}", self.product_id, lambda r: self._undo(r, self.state))


# --- the operations and their inverses (model thread) ---------------------------------------------
def _primary_id(product_id: int) -> int | None:
    crop = queries.primary_crop(product_id)
    return crop.crop_id if crop else None


def _add_box(image_id: int, box, make_primary: bool) -> tuple[Op, Op]:
    def do(r, s):
        if "crop_id" in s:  # redo after undo: the same crop comes back
            applied = r.restore_crop(s["crop_id"])
            if make_primary:
                applied = r.set_primary(s["crop_id"])
            return applied
        applied = r.add_box(image_id, box, make_primary=make_primary)
        s["crop_id"] = applied.correction.crop_id
        return applied

    return do, lambda r, s: r.delete_crop(s["crop_id"])


def _delete_crop(crop_id: int) -> tuple[Op, Op]:
    def do(r, s):
        s["was_primary"] = queries.crop_is_primary(crop_id)
        return r.delete_crop(crop_id)

    def undo(r, s):
        applied = r.restore_crop(crop_id)
        return r.set_primary(crop_id) if s.get("was_primary") else applied

    return do, undo


def _set_primary(product_id: int, crop_id: int) -> tuple[Op, Op]:
    def do(r, s):
        s["previous"] = _primary_id(product_id)
        return r.set_primary(crop_id)

    def undo(r, s):
        return r.set_primary(s["previous"]) if s.get("previous") else None

    return do, undo


def _add_label(product_id: int, vocabulary: str, value: str, crop_id: int | None) -> tuple[Op, Op]:
    def do(r, s):
        applied = r.add_label(product_id, vocabulary, value, crop_id=crop_id)
        s["label_id"] = applied.correction.after["label_id"]
        return applied

    return do, lambda r, s: r.remove_label(s["label_id"])


def _remove_label(product_id: int, label_id: int) -> tuple[Op, Op]:
    def do(r, s):
        label = queries.label(s.get("label_id", label_id))
        s["label"] = (label.vocabulary, label.value, label.crop_id)
        return r.remove_label(label.id)

    def undo(r, s):
        vocabulary, value, crop = s["label"]
        applied = r.add_label(product_id, vocabulary, value, crop_id=crop)
        s["label_id"] = applied.correction.after["label_id"]  # a redo removes the label that came back
        return applied

    return do, undo


def _review_state(product_id: int, state: str) -> tuple[Op, Op]:
    def do(r, s):
        s["previous"] = queries.review_state(product_id)
        return r.set_review_state(product_id, state)

    return do, lambda r, s: r.set_review_state(product_id, s["previous"])


def _review_states(product_ids: list[int], state: str) -> tuple[Op, Op]:
    """Approve/flag many products as one undo step; products already in `state` are left alone."""
    def do(r, s):
        s["previous"] = {pid: queries.review_state(pid) for pid in product_ids}
        changed = [pid for pid, before in s["previous"].items() if before != state]
        for pid in changed:
            r.set_review_state(pid, state)
        return _Batch(product_ids, False, "approve" if state == "approved" else "flag", len(changed))

    def undo(r, s):
        for pid, before in s["previous"].items():
            if before != state:
                r.set_review_state(pid, before)
        return _Batch(product_ids, False, "reset_review", 0)

    return do, undo


def _add_labels(product_ids: list[int], vocabulary: str, value: str) -> tuple[Op, Op]:
    def do(r, s):
        s["label_ids"] = [r.add_label(pid, vocabulary, value).correction.after["label_id"] for pid in product_ids]
        return _Batch(product_ids, False, "add_label", len(product_ids))

    def undo(r, s):
        for label_id in s["label_ids"]:
            r.remove_label(label_id)
        return _Batch(product_ids, False, "remove_label", 0)

    return do, undo


class _Batch:
    """What a batch operation did, in the shape `_summary` reports (product_ids instead of one id)."""

    def __init__(self, product_ids: list[int], vector_changed: bool, kind: str, changed: int) -> None:
        self.product_ids, self.vector_changed, self.kind, self.changed = list(product_ids), vector_changed, kind, changed


def _summary(product_id: int, applied) -> dict[str, Any]:
    if isinstance(applied, _Batch):
        return {"product_id": None, "product_ids": applied.product_ids, "vector_changed": applied.vector_changed,
                "kind": applied.kind, "changed": applied.changed}
    if applied is None:
        return {"product_id": product_id, "vector_changed": False, "kind": None}
    return {"product_id": product_id, "vector_changed": bool(applied.vector_changed),
            "kind": applied.correction.kind}


class ReviewService(QObject):
    """GUI-side entry for corrections: pushes undoable commands and reports their results."""

    applied = Signal(object)  # {product_id, vector_changed, kind}
    failed = Signal(str, str)  # summary, details

    def __init__(self, context, undo_stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.undo_stack = undo_stack
        self.pending: list[ModelTask] = []

    @property
    def busy(self) -> bool:
        return bool(self.pending)

    def submit(self, name: str, product_id: int, op: Callable[[Any], Any]) -> ModelTask:
        task = reviewer_task(self.context.catalog, lambda r: _summary(product_id, op(r)), name)
        task.signals.result.connect(self._on_result)
        task.signals.failed.connect(self._on_failed)
        task.signals.finished.connect(self._on_finished)
        self.pending.append(task)
        return self.context.run_model_task(task)

    @Slot(object)
    def _on_result(self, result: dict) -> None:
        self.applied.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        task = getattr(self.sender(), "task", None)
        summary, _, details = message.partition("\n\n")
        name = task.name if task is not None else "correction"
        text = f"“{name}” could not be applied: {summary}"
        self.failed.emit(text, details)
        self.context.error.emit(text, details)

    @Slot()
    def _on_finished(self) -> None:
        task = getattr(self.sender(), "task", None)
        if task in self.pending:
            self.pending.remove(task)

    def _push(self, text: str, product_id: int, ops: tuple[Op, Op]) -> ReviewCommand:
        command = ReviewCommand(self, text, product_id, *ops)
        self.undo_stack.push(command)  # push runs redo(): the job is queued now
        return command

    # --- what a curator can do ------------------------------------------------------------------
    def move_box(self, product_id: int, crop_id: int, box, old_box) -> ReviewCommand:
        new, old = tuple(box), tuple(old_box)
        return self._push("Move crop box", product_id,
                          (lambda r, s: r.move_box(crop_id, new), lambda r, s: r.move_box(crop_id, old)))

    def add_box(self, product_id: int, image_id: int, box, make_primary: bool = False) -> ReviewCommand:
        return self._push("Draw crop box", product_id, _add_box(image_id, tuple(box), make_primary))

    def delete_crop(self, product_id: int, crop_id: int) -> ReviewCommand:
        return self._push("Delete crop", product_id, _delete_crop(crop_id))

    def set_primary(self, product_id: int, crop_id: int) -> ReviewCommand:
        return self._push("Make crop primary", product_id, _set_primary(product_id, crop_id))

    def add_label(self, product_id: int, vocabulary: str, value: str, crop_id: int | None = None) -> ReviewCommand:
        return self._push(f"Add label {value}", product_id, _add_label(product_id, vocabulary, value, crop_id))

    def remove_label(self, product_id: int, label_id: int, value: str = "") -> ReviewCommand:
        return self._push(f"Remove label {value}".strip(), product_id, _remove_label(product_id, label_id))

    def set_review_states(self, product_ids: list[int], state: str) -> ReviewCommand:
        """Approve or flag many products: one job, one write, one undo step."""
        ids = list(dict.fromkeys(product_ids))
        word = {"approved": "Approve", "flagged": "Flag"}[state]
        return self._push(f"{word} {len(ids)} products", ids[0], _review_states(ids, state))

    def add_labels(self, product_ids: list[int], vocabulary: str, value: str) -> ReviewCommand:
        ids = list(dict.fromkeys(product_ids))
        return self._push(f"Add label {value} to {len(ids)} products", ids[0], _add_labels(ids, vocabulary, value))

    def set_review_state(self, product_id: int, state: str) -> ReviewCommand:
        text = {"approved": "Approve product", "flagged": "Flag product"}.get(state, "Reset review")
        return self._push(text, product_id, _review_state(product_id, state))

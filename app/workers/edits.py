"""Product data edits, collections and conflict restores as background writes, each one undoable step.

Writes run one at a time, in order, on a one-thread pool of their own (never on the GUI thread): an undo
queued after its edit always runs after it. A change is pushed on the undo stack only once core has accepted
it, so a refused value (a negative price, a SKU that exists) leaves no step behind, only its message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.workers.base import Task
from app.workers.jobs import db_task

log = logging.getLogger(__name__)


class EditCommand(QUndoCommand):
    """One action (one or many products): undo writes the inverse edits, redo inverts those again."""

    def __init__(self, service: EditService, text: str, uids: list[str], product_ids: list[int]) -> None:
        super().__init__(text)
        self.service = service
        self.uids = list(uids)  # the corrections of the last step that ran
        self.product_ids = list(product_ids)
        self._first = True  # the edit itself already ran before the push

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._invert()

    def undo(self) -> None:
        self._invert()

    def _invert(self) -> None:
        from core import edits

        catalog, uids = self.service.context.catalog, list(self.uids)

        def work():
            return [c.uid for c in edits.undo(catalog, uids)]

        def done(new_uids: list[str]) -> None:
            self.uids = new_uids

        self.service.run(f"Undo {self.text().lower()}" if self.uids else self.text(), work, self.product_ids,
                         on_done=done)


class EditService(QObject):
    """GUI-side entry for product data, collections and conflicts; results and refusals come back as signals."""

    applied = Signal(object)  # {"product_ids": [...], "kind": "edit" | "collections" | "conflict", "text": str}
    failed = Signal(str)  # a curator's message (nothing was changed)

    def __init__(self, context, undo_stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.undo_stack = undo_stack
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # in order: an undo never overtakes its edit
        self.pool.setObjectName("catalog-curator-edits")
        self.pending: list[Task] = []
        self._callbacks: dict[int, tuple[Callable[[Any], None] | None, list[int], str, str]] = {}

    @property
    def busy(self) -> bool:
        return bool(self.pending)

    def run(self, name: str, fn: Callable[[], Any], product_ids: Sequence[int], *, kind: str = "edit",
            on_done: Callable[[Any], None] | None = None) -> Task:
        task = db_task(fn, name)
        self._callbacks[id(task)] = (on_done, list(product_ids), kind, name)
        task.signals.result.connect(self._on_result)
        task.signals.failed.connect(self._on_failed)
        task.signals.finished.connect(self._on_finished)
        self.pending.append(task)
        self.pool.start(task)
        return task

    @Slot(object)
    def _on_result(self, value: Any) -> None:
        task = getattr(self.sender(), "task", None)
        on_done, ids, kind, name = self._callbacks.get(id(task), (None, [], "edit", ""))
        if on_done is not None:
            on_done(value)
        self.applied.emit({"product_ids": ids, "kind": kind, "text": name})

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        summary = message.partition("\n\n")[0]
        kind, _, text = summary.partition(": ")
        # EditError and its kin carry a curator's sentence; anything else keeps its type for the report
        plain = text if kind in ("EditError", "CollectionError", "FilterError") else summary
        self.failed.emit(plain)

    @Slot()
    def _on_finished(self) -> None:
        task = getattr(self.sender(), "task", None)
        self._callbacks.pop(id(task), None)
        if task in self.pending:
            self.pending.remove(task)

    def stop(self) -> None:
        """The window closes: let the queued writes finish (each is short and must not be lost)."""
        self.pool.waitForDone()

    # --- product data ------------------------------------------------------------------------------
    def _push_after(self, text: str, product_ids: list[int], work: Callable[[], list[str]]) -> Task:
        def done(uids: list[str]) -> None:
            if uids:
                self.undo_stack.push(EditCommand(self, text, uids, product_ids))

        return self.run(text, work, product_ids, on_done=done)

    def edit(self, product_id: int, sets: dict[str, Any] | None = None, unsets: Sequence[str] = (),
             renames: dict[str, str] | None = None, text: str = "Edit product") -> Task:
        from core import edits

        catalog = self.context.catalog

        def work() -> list[str]:
            applied = edits.edit_product(catalog, product_id, sets or {}, list(unsets), renames or {})
            return [applied.uid] if applied is not None else []

        return self._push_after(text, [product_id], work)

    def apply_plans(self, plans, text: str) -> Task:
        from core import edits

        catalog, plans = self.context.catalog, list(plans)
        return self._push_after(text, [p.product_id for p in plans],
                                lambda: [c.uid for c in edits.edit_many(catalog, plans)])

    # --- conflicts and collections ----------------------------------------------------------------
    def restore_conflict(self, conflict_id: int, product_id: int | None) -> Task:
        from core import edits

        catalog = self.context.catalog

        def work() -> list[str]:
            applied = edits.restore_conflict(catalog, conflict_id)
            return [applied.uid] if applied is not None else []

        return self._push_after("Restore overwritten edit", [product_id] if product_id else [], work)

    def keep_conflict(self, conflict_id: int) -> Task:
        from core import edits

        catalog = self.context.catalog

        def work() -> None:
            with catalog.writing():
                edits.resolve_conflict(conflict_id)

        return self.run("Kept the later edit", work, [], kind="conflict")

    def collections(self, name: str, fn: Callable[[Any], Any], product_ids: Sequence[int] = ()) -> Task:
        """A collection change (core.collections function of the catalog), synced like an edit."""
        catalog = self.context.catalog
        return self.run(name, lambda: fn(catalog), product_ids, kind="collections")

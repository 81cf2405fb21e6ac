"""The duplicates page: groups of exact copies, near duplicates and colour variants, side by side with their
photos; keep one and trash the rest, merge into it, or say they are not duplicates — all undoable.

Modelled on Immich's duplicate screen (one group at a time, the one kept marked, the rest going) and digiKam's
find-duplicates (a list of groups beside the group's photos). Finding runs in the pool; acting goes through
core.ops.dedupe on the shared undo stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QPalette, QPixmap, QShortcut, QUndoCommand
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.views.tiles import plain_tip
from core.catalog import queries

KIND_TITLES = {"exact": "Exact copy", "near": "Near duplicate", "variant": "Colour variant"}
KIND_HELP = {
    "exact": "These products share the very same photo file. Usually one was imported twice.",
    "near": "The same photo, cropped, resized or re-saved: most likely the same product imported twice.",
    "variant": "The same shot in another colour: different products of one design. Merging is not offered "
               "because it would lose a colour; keep both (Not duplicates), or trash one imported by mistake.",
}
THUMB = 176


@dataclass(frozen=True)
class Member:
    product_id: int
    sku: str
    title: str
    category: str
    images: int
    sha256: str
    blob_path: str


@dataclass(frozen=True)
class Group:
    kind: str
    members: tuple[Member, ...]
    similarity: float

    @property
    def ids(self) -> list[int]:
        return [m.product_id for m in self.members]


def read_groups(catalog, threshold: float | None = None) -> list[Group]:
    """A pool read: the groups to review, with what each card shows."""
    from core.ops.dedupe import groups_to_review

    if catalog.active_model_version() is None:
        return []
    found = groups_to_review(catalog, threshold)
    ids = [p for g in found for p in g.product_ids]
    covers = queries.covers(ids)
    out = []
    for g in found:
        members = []
        for pid in g.product_ids:
            info = queries.product(pid)
            if info is None:
                continue
            cover = covers.get(pid)
            members.append(Member(pid, info.sku, info.title or info.sku, info.category, len(info.images),
                                  cover.sha256 if cover else "", cover.blob_path if cover else ""))
        if len(members) > 1:
            out.append(Group(g.kind, tuple(members), g.max_similarity))
    return out


class DedupeCommand(QUndoCommand):
    """One trash / merge / not-duplicates decision; undo takes it back through core, redo does it again.

    The first run happens before the push (`run()`), so a failure is reported and nothing lands on the stack.
    """

    def __init__(self, catalog, action: str, group: Group, keep: int, on_change) -> None:
        names = {"trash": "Trash duplicates", "merge": "Merge duplicates", "dismiss": "Not duplicates"}
        super().__init__(names[action])
        self.catalog, self.action, self.group, self.keep = catalog, action, group, keep
        self.record: dict | None = None
        self._on_change = on_change
        self._done = False

    def run(self) -> None:
        from core.ops import dedupe

        ids = self.group.ids
        others = [p for p in ids if p != self.keep]
        if self.action == "trash":
            self.record = dedupe.trash(self.catalog, self.keep, others)
        elif self.action == "merge":
            self.record = dedupe.merge(self.catalog, self.keep, others, self.group.kind)
        else:
            self.record = dedupe.dismiss(ids)
        self._done = True

    def redo(self) -> None:
        if not self._done:
            self.run()
        self._on_change()

    def undo(self) -> None:
        from core.ops import dedupe

        if self.record is not None:
            dedupe.undo(self.catalog, self.record)
        self._done = False
        self._on_change()


class MemberCard(QFrame):
    """One product of a group: its photo, SKU and title; click it to keep it."""

    clicked = Signal(int)

    def __init__(self, member: Member, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.member = member
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedWidth(THUMB + 24)
        self.photo = QLabel()
        self.photo.setFixedSize(THUMB, THUMB)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setBackgroundRole(QPalette.ColorRole.Base)
        self.photo.setAutoFillBackground(True)
        self.badge = QLabel()
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bold = QFont(self.font())
        bold.setBold(True)
        self.badge.setFont(bold)
        sku = QLabel(member.sku)
        sku.setFont(bold)
        title = QLabel(self.fontMetrics().elidedText(member.title, Qt.TextElideMode.ElideRight, THUMB))
        title.setToolTip(plain_tip(member.title))
        info = QLabel(f"{member.category or 'No category'} · {member.images} photo{'s' * (member.images != 1)}")
        for label in (sku, title, info):  # SKUs, titles and categories come from files: text, never markup
            label.setTextFormat(Qt.TextFormat.PlainText)
        info.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        info.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(4)
        layout.addWidget(self.photo)
        layout.addWidget(self.badge)
        layout.addWidget(sku)
        layout.addWidget(title)
        layout.addWidget(info)
        layout.addStretch(1)
        self.set_kept(False)

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.photo.setText("…" if pixmap is None else "No photo")
            return
        self.photo.setPixmap(pixmap.scaled(QSize(THUMB, THUMB), Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))

    def set_kept(self, kept: bool) -> None:
        self.kept = kept
        self.badge.setText("✔ Keep" if kept else "Goes")
        self.badge.setForegroundRole(QPalette.ColorRole.Highlight if kept else QPalette.ColorRole.PlaceholderText)
        colour = "palette(highlight)" if kept else "palette(mid)"
        self.setStyleSheet(f"#card {{ border: 2px solid {colour}; border-radius: 8px; }}")

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.member.product_id)
        super().mouseReleaseEvent(event)


class DuplicatesView(QWidget):
    status_message = Signal(str)
    changed = Signal()  # products were trashed, merged or restored

    def __init__(self, context, undo_stack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.undo_stack = undo_stack
        self.groups: list[Group] = []
        self.cards: list[MemberCard] = []
        self.keep: int | None = None
        self._task = None
        self._again = False
        self.loaded = False
        self.stale = False
        self.summary = QLabel("Looking for duplicates…")
        self.find_button = QPushButton("Find again")
        self.find_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.find_button.clicked.connect(self.refresh)
        self.list = QListWidget()
        self.list.setIconSize(QSize(16, 16))
        self.list.setSpacing(2)
        self.list.currentRowChanged.connect(self._show_group)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.find_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 6, 6)
        left_layout.addLayout(top)
        left_layout.addWidget(self.list, 1)
        self.pages = QStackedWidget()
        self.empty = QLabel()
        self.empty.setTextFormat(Qt.TextFormat.PlainText)  # error messages name files: text, never markup
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self._group_page())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.pages)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([330, 900])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        for key, slot in (("Left", lambda: self.step_keep(-1)), ("Right", lambda: self.step_keep(1)),
                          ("T", lambda: self.act("trash")), ("M", lambda: self.act("merge")),
                          ("N", lambda: self.act("dismiss"))):
            shortcut = QShortcut(QKeySequence(key), self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        context.thumbnails.ready.connect(self._thumbnail_ready)
        undo_stack.indexChanged.connect(self._undo_moved)

    def _group_page(self) -> QWidget:
        self.kind_title = QLabel()
        font = QFont(self.kind_title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.kind_title.setFont(font)
        self.kind_help = QLabel()
        self.kind_help.setWordWrap(True)
        self.kind_help.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.cards_row = QWidget()
        self.cards_layout = QHBoxLayout(self.cards_row)
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        self.cards_layout.setSpacing(12)
        self.cards_layout.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.cards_row)
        hint = QLabel("Click a product (or ←/→) to keep it; the others go. T trash the others · M merge · "
                      "N not duplicates · Ctrl+Z undoes · ↑/↓ in the list: next group")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        hint.setWordWrap(True)
        style = self.style()
        self.trash_button = QPushButton("&Trash the others")
        self.trash_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon))
        self.trash_button.setToolTip("Move every product but the one kept to the trash (Ctrl+Z undoes)")
        self.trash_button.clicked.connect(lambda: self.act("trash"))
        self.merge_button = QPushButton("&Merge into the kept one")
        self.merge_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        self.merge_button.setToolTip("The kept product takes the others' new photos and your labels; the others "
                                     "go to the trash (Ctrl+Z undoes)")
        self.merge_button.clicked.connect(lambda: self.act("merge"))
        self.dismiss_button = QPushButton("&Not duplicates")
        self.dismiss_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
        self.dismiss_button.setToolTip("Keep them all and stop offering this group (Ctrl+Z undoes)")
        self.dismiss_button.clicked.connect(lambda: self.act("dismiss"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.trash_button)
        buttons.addWidget(self.merge_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.kind_title)
        layout.addWidget(self.kind_help)
        layout.addSpacing(6)
        layout.addWidget(scroll, 1)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        return page

    # --- data ----------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        self.stale = False
        if self._task is not None:
            self._again = True
            return
        catalog = self.context.catalog
        task = self.context.read(lambda: read_groups(catalog), "duplicates")
        task.signals.result.connect(self._on_read)
        task.signals.failed.connect(self._on_failed)
        task.signals.finished.connect(self._on_finished)
        self._task = task
        self.summary.setText("Looking for duplicates…")
        self.find_button.setEnabled(False)
        self.context.run_in_pool(task)

    @property
    def busy(self) -> bool:
        return self._task is not None

    @Slot(object)
    def _on_read(self, groups: list[Group]) -> None:
        self.loaded = True
        current = self.groups[self.list.currentRow()].ids if 0 <= self.list.currentRow() < len(self.groups) else None
        self.groups = groups
        counts = {k: sum(g.kind == k for g in groups) for k in KIND_TITLES}
        parts = [f"{n} {KIND_TITLES[k].lower()}{'s' * (n != 1)}" for k, n in counts.items() if n]
        self.summary.setText(", ".join(parts) if parts else "No duplicates")
        self.list.blockSignals(True)
        self.list.clear()
        icons = {"exact": QStyle.StandardPixmap.SP_FileIcon, "near": QStyle.StandardPixmap.SP_FileDialogContentsView,
                 "variant": QStyle.StandardPixmap.SP_FileDialogDetailedView}
        for g in groups:
            skus = ", ".join(m.sku for m in g.members)
            item = QListWidgetItem(self.style().standardIcon(icons[g.kind]),
                                   f"{KIND_TITLES[g.kind]} · {len(g.members)} products\n{skus}")
            item.setToolTip(plain_tip(f"{KIND_TITLES[g.kind]}: {skus}\n{KIND_HELP[g.kind]}"))
            self.list.addItem(item)
        self.list.blockSignals(False)
        row = next((n for n, g in enumerate(groups) if g.ids == current), 0)
        if groups:
            self.list.setCurrentRow(min(row, len(groups) - 1))
            self._show_group(self.list.currentRow())
        else:
            self._show_empty()

    def _show_empty(self) -> None:
        if self.context.catalog.active_model_version() is None:
            self.empty.setText("Duplicates are found among indexed products: index the catalog first.")
        else:
            self.empty.setText("No duplicates: no two products share a photo, the same shot or the same "
                               "design in another colour.")
        self.pages.setCurrentIndex(0)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.summary.setText("Could not look for duplicates")
        self.empty.setText(f"Could not look for duplicates: {message.splitlines()[0]}")
        self.pages.setCurrentIndex(0)

    @Slot()
    def _on_finished(self) -> None:
        self._task = None
        self.find_button.setEnabled(True)
        if self._again:
            self._again = False
            self.refresh()

    # --- one group -----------------------------------------------------------------------------
    @property
    def group(self) -> Group | None:
        row = self.list.currentRow()
        return self.groups[row] if 0 <= row < len(self.groups) else None

    @Slot(int)
    def _show_group(self, _row: int) -> None:
        group = self.group
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        if group is None:
            self._show_empty()
            return
        self.kind_title.setText(KIND_TITLES[group.kind])
        self.kind_help.setText(KIND_HELP[group.kind])
        self.merge_button.setVisible(group.kind != "variant")
        while self.cards_layout.count():
            self.cards_layout.takeAt(0)
        for member in group.members:
            card = MemberCard(member)
            card.clicked.connect(self.choose_keep)
            card.set_pixmap(self._pixmap(member))
            self.cards.append(card)
            self.cards_layout.addWidget(card, 0, Qt.AlignmentFlag.AlignTop)
        self.cards_layout.addStretch(1)
        # Keep the product with the most photos (then the oldest): it loses the least.
        best = max(group.members, key=lambda m: (m.images, -m.product_id))
        self.choose_keep(best.product_id)
        self.pages.setCurrentIndex(1)

    def _pixmap(self, member: Member) -> QPixmap | None:
        if not member.sha256:
            return QPixmap()
        return self.context.thumbnails.get(member.sha256, Path(self.context.catalog.root) / member.blob_path)

    @Slot(str)
    def _thumbnail_ready(self, sha256: str) -> None:
        for card in self.cards:
            if card.member.sha256 == sha256:
                card.set_pixmap(self.context.thumbnails.get(sha256, None) or QPixmap())

    @Slot(int)
    def choose_keep(self, product_id: int) -> None:
        self.keep = product_id
        for card in self.cards:
            card.set_kept(card.member.product_id == product_id)

    def step_keep(self, delta: int) -> None:
        ids = [c.member.product_id for c in self.cards]
        if ids:
            at = ids.index(self.keep) if self.keep in ids else 0
            self.choose_keep(ids[(at + delta) % len(ids)])

    def act(self, action: str) -> None:
        group = self.group
        if group is None or self.keep is None:
            return
        if self.context.read_only:
            self.status_message.emit("This window is read-only: act on duplicates in the window that opened "
                                     "the catalog first.")
            return
        if action == "merge" and group.kind == "variant":
            self.status_message.emit(KIND_HELP["variant"])
            return
        command = DedupeCommand(self.context.catalog, action, group, self.keep, self._after_change)
        try:
            command.run()
        except Exception as exc:  # a full disk or a lock held elsewhere: say so; each step is one transaction
            self.status_message.emit(f"{command.text()} failed: {exc}")
            self.refresh()
            return
        self.undo_stack.push(command)
        kept = next(m.sku for m in group.members if m.product_id == self.keep)
        words = {"trash": f"Kept {kept}, trashed {len(group.members) - 1}",
                 "merge": f"Merged {len(group.members) - 1} into {kept}",
                 "dismiss": "Marked as not duplicates"}
        self.status_message.emit(f"{words[action]} — Ctrl+Z undoes")

    @Slot()
    def _after_change(self) -> None:
        self.changed.emit()

    @Slot(int)
    def _undo_moved(self, _index: int) -> None:
        """Any step of the undo stack (here, or a delete in the grid) may change the groups: read them again
        now if the page shows, else when it is next opened (finding costs a pass over the photos)."""
        if self.loaded and self.isVisible():
            self.refresh()
        elif self.loaded:
            self.stale = True

    def dispose(self) -> None:
        if self._task is not None:
            self._task.cancel()

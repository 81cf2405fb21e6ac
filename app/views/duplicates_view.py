"""The duplicates page: groups of exact copies and near duplicates, side by side with their photos; keep one and
trash the rest, merge into it, or say they are not duplicates — all undoable. Look-alikes in other colours
without a shared design are offered as "Make one design?" instead: never trashed, never merged (variants of one
design are never listed at all).

Modelled on Immich's duplicate screen (one group at a time, the one kept marked, the rest going) and digiKam's
find-duplicates (a list of groups beside the group's photos). Finding runs in the pool; acting goes through
core.ops.dedupe on the shared undo stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QThreadPool, Signal, Slot
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

from app.i18n import translate
from app.views.tiles import plain_tip
from app.workers.jobs import db_task
from core.catalog import queries

KIND_TITLES = {"exact": "Exact copy", "near": "Near duplicate", "variant": "Make one design?"}
KIND_HELP = {
    "exact": "These products share the very same photo file. Usually one was imported twice.",
    "near": "The same photo, cropped, resized or re-saved: most likely the same product imported twice.",
    "variant": "The same shot in other colours, and no design ties them: most likely one garment's colour "
               "variants. They are not duplicates: nothing is trashed or merged. Make them one design (the grid "
               "then shows them as one tile), or say they are not one design.",
}
THUMB = 176


def kind_count(kind: str, n: int) -> str:
    """"7 exact copies", "1 near duplicate": Qt plural forms (app.i18n), never a bare "s" added."""
    return {"exact": translate("DuplicatesView", "%n exact copies", None, n),
            "near": translate("DuplicatesView", "%n near duplicates", None, n),
            "variant": translate("DuplicatesView", "%n design suggestions", None, n)}[kind]


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


class FoundGroups(list):
    """read_groups' answer: the groups, and whether the catalog has an index to look in (for the empty page)."""

    indexed = True


def read_groups(catalog, threshold: float | None = None) -> list[Group]:
    """A pool read: the groups to review, with what each card shows."""
    from core.ops.dedupe import groups_to_review

    if catalog.active_model_version() is None:
        none = FoundGroups()
        none.indexed = False
        return none
    found = groups_to_review(catalog, threshold)
    ids = [p for g in found for p in g.product_ids]
    covers = queries.covers(ids)
    cards = queries.product_cards(ids)
    out = []
    for g in found:
        members = []
        for pid in g.product_ids:
            info = cards.get(pid)
            if info is None:
                continue
            cover = covers.get(pid)
            members.append(Member(pid, info.sku, info.title or info.sku, info.category, info.images,
                                  cover.sha256 if cover else "", cover.blob_path if cover else ""))
        if len(members) > 1:
            out.append(Group(g.kind, tuple(members), g.max_similarity))
    return FoundGroups(out)


class DedupeCommand(QUndoCommand):
    """One trash / merge / not-duplicates decision; undo takes it back through core, redo does it again.

    Each step is written by the view's writer (one background thread, in order), never on the GUI thread: a
    trash or merge rewrites vector indexes (about 0.1 s on the dev catalog). A step that fails is reported and
    the command leaves the stack (DuplicatesView._write_failed).
    """

    def __init__(self, catalog, action: str, group: Group, keep: int, submit) -> None:
        names = {"trash": "Trash duplicates", "merge": "Merge duplicates", "dismiss": "Not duplicates",
                 "design": "Make one design"}
        super().__init__(names[action])
        self.catalog, self.action, self.group, self.keep = catalog, action, group, keep
        self.record: dict | None = None
        self.failed = False
        self._submit = submit  # (command, fn, ids) -> None: queue fn on the writer

    def apply(self) -> None:
        """The decision itself (a writer thread)."""
        from core.ops import dedupe

        ids = self.group.ids
        others = [p for p in ids if p != self.keep]
        if self.action == "trash":
            self.record = dedupe.trash(self.catalog, self.keep, others)
        elif self.action == "merge":
            self.record = dedupe.merge(self.catalog, self.keep, others, self.group.kind)
        elif self.action == "design":
            from core.ops.designs import make_design

            self.record = make_design(ids)
        else:
            self.record = dedupe.dismiss(ids)

    def take_back(self) -> None:
        """Undo (a writer thread); nothing to take back when the step failed."""
        from core.ops import dedupe

        if self.record is not None and self.record["action"] == "design":
            from core.ops import designs

            designs.undo(self.record)
        elif self.record is not None:
            dedupe.undo(self.catalog, self.record)
        self.record = None

    def redo(self) -> None:
        if not self.failed:
            self._submit(self, self.apply, self.group.ids)

    def undo(self) -> None:
        if not self.failed:
            self._submit(self, self.take_back, self.group.ids)


class MemberCard(QFrame):
    """One product of a group: its photo, SKU and title; click it to keep it.

    Cards are reused from group to group (set_member): building a card costs a few ms, and a group of colour
    variants may hold a dozen products.
    """

    clicked = Signal(int)

    def __init__(self, member: Member, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedWidth(THUMB + 24)
        self.setStyleSheet("#card { border: 2px solid palette(mid); border-radius: 8px; } "
                           "#card[kept=\"true\"] { border-color: palette(link); }")
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
        self.sku = QLabel()
        self.sku.setFont(bold)
        self.title = QLabel()
        self.info = QLabel()
        self.info.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.info.setWordWrap(True)
        for label in (self.sku, self.title, self.info):  # SKUs, titles, categories come from files: plain text
            label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(4)
        layout.addWidget(self.photo)
        layout.addWidget(self.badge)
        layout.addWidget(self.sku)
        layout.addWidget(self.title)
        layout.addWidget(self.info)
        layout.addStretch(1)
        self.kept = None
        self.set_member(member)

    def set_member(self, member: Member) -> None:
        self.member = member
        self.sku.setText(member.sku)
        self.title.setText(self.fontMetrics().elidedText(member.title, Qt.TextElideMode.ElideRight, THUMB))
        self.title.setToolTip(plain_tip(member.title))
        photos = self.tr("%n photo(s)", "", member.images)
        self.info.setText(f"{member.category or self.tr('No category')} · {photos}")
        self.photo.clear()
        self.set_kept(False)

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.photo.setText("…" if pixmap is None else self.tr("No photo"))
            return
        self.photo.setPixmap(pixmap)

    def set_kept(self, kept: bool) -> None:
        if kept == self.kept:
            return
        self.kept = kept
        if getattr(self, "variant", False):  # a design suggestion: every product stays
            self.badge.setText(self.tr("Variant"))
        else:
            self.badge.setText(self.tr("✔ Keep") if kept else self.tr("Goes"))
        self.badge.setForegroundRole(QPalette.ColorRole.Link if kept else QPalette.ColorRole.PlaceholderText)
        self.setProperty("kept", kept)
        self.style().unpolish(self)
        self.style().polish(self)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.member.product_id)
        super().mouseReleaseEvent(event)


class DuplicatesView(QWidget):
    DUPLICATE_HINT = ("Click a product (or ←/→) to keep it; the others go. T trash the others · M merge · "
                      "N not duplicates · Ctrl+Z undoes · ↑/↓ in the list: next group")
    DESIGN_HINT = "D make one design · N not one design · Ctrl+Z undoes · ↑/↓ in the list: next group"
    status_message = Signal(str)
    changed = Signal()  # products were trashed, merged or restored

    def __init__(self, context, undo_stack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.undo_stack = undo_stack
        self.groups: list[Group] = []
        self._card_pool: list[MemberCard] = []  # reused; the group's own are `cards`
        self.keep: int | None = None
        self._task = None
        self._again = False
        self.loaded = False
        self.stale = False
        self.finder = QThreadPool(self)  # finding: its own thread, never one of the shared pool's two
        self.finder.setMaxThreadCount(1)
        self.writer = QThreadPool(self)  # decisions and their undo, one at a time, in order
        self.writer.setMaxThreadCount(1)
        self._writes: list = []
        self._queued = 0  # decisions (and undos) queued on the writer
        self._written = 0  # ... and finished
        self._touched: set[int] = set()  # products of decisions not yet read back
        self._scaled: dict[str, QPixmap] = {}
        self._cards_stale = False  # groups read while the page was hidden: cards to build when it shows
        self._indexed = True  # the last read found an index to look in
        self._icons: dict[str, object] = {}
        self._list_keys: list[tuple[str, tuple[int, ...]]] = []  # the list's rows, as (kind, ids)
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
                          ("N", lambda: self.act("dismiss")), ("D", lambda: self.act("design"))):
            shortcut = QShortcut(QKeySequence(key), self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        context.thumbnails.ready.connect(self._thumbnail_ready)
        context.job_finished.connect(self._job_finished)
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
        self.cards_layout.addStretch(1)  # cards go before it
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.cards_row)
        self.hint = hint = QLabel(self.DUPLICATE_HINT)
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
        self.design_button = QPushButton("Make one &design")
        self.design_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        self.design_button.setToolTip("Make these products the variants of one design (Ctrl+Z undoes)")
        self.design_button.clicked.connect(lambda: self.act("design"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.trash_button)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.design_button)
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
    # The groups are found in the background (the view's own finder thread: a first pass over a catalog
    # decodes photos for tens of seconds, and must not hold a thread of the shared pool), after every import
    # and every decision; the photo check's verdicts are cached in the catalog (core.search.duplicates.
    # PairVerdicts), so each pass after the first takes well under a second on the dev catalog. Decisions are
    # written in order by the writer thread; a read that may not have seen every decision is dropped.
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
        task.queued_at = self._queued  # decisions asked for when this read began
        task.clean = self._queued == self._written  # and all of them written
        self._task = task
        if not self.loaded:
            self.summary.setText(self.tr("Looking for duplicates…"))
        self.find_button.setEnabled(False)
        self.finder.start(task)

    @Slot()
    def warm(self) -> None:
        """Find the groups now, in the background, so the page opens with them (after an import, at launch)."""
        self.refresh()  # a catalog not indexed yet reads no groups, in the finder thread

    @Slot(object)
    def _job_finished(self, _record) -> None:
        """An import or re-index ended: new products, new pairs to check, now rather than when the page opens."""
        self.warm()

    @property
    def busy(self) -> bool:
        """A read or a decision is under way (what a screenshot or a test waits for)."""
        return self._task is not None or self._queued != self._written

    @Slot(object)
    def _on_read(self, groups: list[Group]) -> None:
        task = getattr(self.sender(), "task", None)
        if task is not None and (not task.clean or task.queued_at != self._queued):
            if self._queued == self._written:
                self._again = True  # a decision was written meanwhile: read again (else its end reads again)
            return
        first = not self.loaded
        self.loaded = True
        self._indexed = getattr(groups, "indexed", True)
        self._touched = set()
        if not first and self._same_groups(groups):
            self.groups = groups  # the same groups, with fresh details
            self._update_buttons()
            return
        shown = self.group
        row = self.list.currentRow()
        self.groups = groups
        self._fill_list()
        at = next((n for n, g in enumerate(groups) if shown is not None and g.ids == shown.ids),
                  min(max(row, 0), len(groups) - 1))
        if shown is not None and 0 <= at < len(groups) and groups[at] == shown and self.cards:
            self.list.blockSignals(True)  # the group on screen is unchanged: leave its cards (and keep mark)
            self.list.setCurrentRow(at)
            self.list.blockSignals(False)
            self._update_buttons()
        else:
            self._select(at)

    def _same_groups(self, groups: list[Group]) -> bool:
        return [(g.kind, tuple(g.ids)) for g in groups] == self._list_keys

    def _fill_list(self) -> None:
        """Bring the list in line with self.groups in place: rows of groups gone are taken out, new groups'
        rows put in; the rest (and the scroll position) stay."""
        groups = self.groups
        counts = {k: sum(g.kind == k for g in groups) for k in KIND_TITLES}
        parts = [kind_count(k, n) for k, n in counts.items() if n]
        self.summary.setText(", ".join(parts) if parts else self.tr("No duplicates"))
        keys = [(g.kind, tuple(g.ids)) for g in groups]
        self.list.blockSignals(True)
        wanted = set(keys)
        for row in reversed(range(len(self._list_keys))):
            if self._list_keys[row] not in wanted:
                self.list.takeItem(row)  # Python owns the item now, and drops it
                del self._list_keys[row]
        kept = set(self._list_keys)
        if [k for k in keys if k in kept] != self._list_keys:  # the order changed: start again
            self.list.clear()
            self._list_keys = []
        for row, (key, g) in enumerate(zip(keys, groups, strict=True)):
            if row < len(self._list_keys) and self._list_keys[row] == key:
                continue
            self.list.insertItem(row, self._item(g))
            self._list_keys.insert(row, key)
        self.list.blockSignals(False)

    def _item(self, g: Group) -> QListWidgetItem:
        if not self._icons:
            style = self.style()
            self._icons = {"exact": style.standardIcon(QStyle.StandardPixmap.SP_FileIcon),
                           "near": style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
                           "variant": style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView)}
        skus = ", ".join(m.sku for m in g.members)
        item = QListWidgetItem(self._icons[g.kind], f"{KIND_TITLES[g.kind]} · {len(g.members)} products\n{skus}")
        item.setToolTip(plain_tip(f"{KIND_TITLES[g.kind]}: {skus}\n{KIND_HELP[g.kind]}"))
        return item

    def _select(self, row: int) -> None:
        if self.groups:
            self.list.blockSignals(True)
            self.list.setCurrentRow(min(max(row, 0), len(self.groups) - 1))
            self.list.blockSignals(False)
        if not self.isVisible():  # found in the background: the cards are built when the page shows
            self._cards_stale = True
            return
        self._show_group(self.list.currentRow() if self.groups else -1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._cards_stale:
            self._cards_stale = False
            self._show_group(self.list.currentRow() if self.groups else -1)

    def _show_empty(self) -> None:
        if not self._indexed:
            self.empty.setText(self.tr("Duplicates are found among indexed products: index the catalog first."))
        elif not self.loaded:
            self.empty.setText(self.tr("Looking for duplicates…"))
        else:
            self.empty.setText(self.tr("No duplicates: no two products share a photo, the same shot or the same "
                                       "design in another colour."))
        self.pages.setCurrentIndex(0)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.summary.setText(self.tr("Could not look for duplicates"))
        self.empty.setText(self.tr("Could not look for duplicates: {0}").format(message.splitlines()[0]))
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
        if group is None:
            for card in self._card_pool:
                card.hide()
            self._show_empty()
            return
        self.kind_title.setText(KIND_TITLES[group.kind])
        self.kind_help.setText(KIND_HELP[group.kind])
        variant = group.kind == "variant"
        self.merge_button.setVisible(not variant)
        self.trash_button.setVisible(not variant)
        self.design_button.setVisible(variant)
        self.dismiss_button.setText(self.tr("&Not one design") if variant else self.tr("&Not duplicates"))
        self.hint.setText(self.DESIGN_HINT if variant else self.DUPLICATE_HINT)
        pool = self._card_pool
        while len(pool) < len(group.members):
            card = MemberCard(group.members[len(pool)])
            card.clicked.connect(self.choose_keep)
            self.cards_layout.insertWidget(len(pool), card, 0, Qt.AlignmentFlag.AlignTop)
            pool.append(card)
        for card, member in zip(pool, group.members, strict=False):
            card.variant = variant
            card.kept = None  # a card reused from another kind of group draws its badge again
            card.set_member(member)
            card.set_pixmap(self._pixmap(member))
            card.show()
        for card in pool[len(group.members):]:
            card.hide()
        # Keep the product with the most photos (then the oldest): it loses the least.
        best = max(group.members, key=lambda m: (m.images, -m.product_id))
        self.choose_keep(best.product_id)
        self._update_buttons()
        self.pages.setCurrentIndex(1)

    @property
    def cards(self) -> list[MemberCard]:
        """The shown group's cards, in its order."""
        group = self.group
        return self._card_pool[:len(group.members)] if group is not None else []

    def _pixmap(self, member: Member) -> QPixmap | None:
        """The card's photo, scaled once per photo (a smooth scale costs a few ms)."""
        if not member.sha256:
            return QPixmap()
        scaled = self._scaled.get(member.sha256)
        if scaled is not None:
            return scaled
        pixmap = self.context.thumbnails.get(member.sha256, Path(self.context.catalog.root) / member.blob_path)
        if pixmap is None or pixmap.isNull():
            return pixmap
        scaled = pixmap.scaled(QSize(THUMB, THUMB), Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
        if len(self._scaled) > 512:
            self._scaled.clear()
        self._scaled[member.sha256] = scaled
        return scaled

    @Slot(str)
    def _thumbnail_ready(self, sha256: str) -> None:
        for card in self.cards:
            if card.member.sha256 == sha256:
                card.set_pixmap(self._pixmap(card.member) or QPixmap())

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
        if group is None or self.keep is None or not self.trash_button.isEnabled():
            return
        if self.context.read_only:
            self.status_message.emit(self.tr("This window is read-only: act on duplicates in the window that "
                                             "opened the catalog first."))
            return
        if action in ("merge", "trash") and group.kind == "variant":
            self.status_message.emit(KIND_HELP["variant"])
            return
        if action == "design" and group.kind != "variant":
            return
        command = DedupeCommand(self.context.catalog, action, group, self.keep, self._submit)
        kept = next(m.sku for m in group.members if m.product_id == self.keep)
        others = len(group.members) - 1
        words = {"trash": self.tr("Kept {0}, trashed {1}").format(kept, others),
                 "merge": self.tr("Merged {0} into {1}").format(others, kept),
                 "dismiss": self.tr("Marked as not duplicates") if group.kind != "variant"
                 else self.tr("Marked as not one design"),
                 "design": self.tr("Made {0} products one design").format(len(group.members))}
        command.done_message = self.tr("{0} — Ctrl+Z undoes").format(words[action])
        command.row = self.groups.index(group) if group in self.groups else self.list.currentRow()
        self.undo_stack.push(command)  # redo(): the group leaves now, the decision is queued on the writer

    def _resolve(self, group: Group) -> None:
        """The decided group leaves the screen now; the next one shows (its buttons off while it shares a
        product with a decision not yet written)."""
        at = next((n for n, g in enumerate(self.groups) if g.ids == group.ids), None)
        if at is None:
            return
        self.groups = self.groups[:at] + self.groups[at + 1:]
        self._fill_list()
        self._select(at)

    def _restore(self, group: Group, row: int) -> None:
        """Undo: the group comes back now, where it was, shown (its buttons off until the undo is written)."""
        at = next((n for n, g in enumerate(self.groups) if g.ids == group.ids), None)
        if at is None:
            at = min(max(row, 0), len(self.groups))
            self.groups = [*self.groups[:at], group, *self.groups[at:]]
            self._fill_list()
        self._select(at)

    def _submit(self, command: DedupeCommand, fn, ids: list[int]) -> None:
        """Queue one write on the writer thread; its end reads the groups again."""
        self._queued += 1
        self._touched |= set(ids)
        if fn == command.take_back:
            self._restore(command.group, getattr(command, "row", 0))
        else:
            self._resolve(command.group)
        self._update_buttons()
        task = db_task(fn, command.text())
        task.command = command
        task.signals.result.connect(self._written_ok)
        task.signals.failed.connect(self._write_failed)
        task.signals.finished.connect(self._write_finished)
        self._writes.append(task)
        self.writer.start(task)

    @Slot(object)
    def _written_ok(self, _result) -> None:
        task = getattr(self.sender(), "task", None)
        command = getattr(task, "command", None)
        if command is not None and command.record is not None and getattr(command, "done_message", None):
            self.status_message.emit(command.done_message)
            command.done_message = None  # once: a redo later says nothing

    @Slot(str)
    def _write_failed(self, message: str) -> None:
        """A failed step (a full disk, a lock held elsewhere) is said, and leaves the undo stack."""
        task = getattr(self.sender(), "task", None)
        command = getattr(task, "command", None)
        name = command.text() if command is not None else self.tr("Duplicates")
        self.status_message.emit(self.tr("{0} failed: {1}").format(name, message.splitlines()[0]))
        if command is not None and command.record is None:
            command.failed = True
            command.setObsolete(True)
            if self.undo_stack.index() > 0 and self.undo_stack.command(self.undo_stack.index() - 1) is command:
                self.undo_stack.undo()  # obsolete: Qt drops it from the stack

    @Slot()
    def _write_finished(self) -> None:
        task = getattr(self.sender(), "task", None)
        if task in self._writes:
            self._writes.remove(task)
        self._written += 1
        self.changed.emit()
        self.refresh()

    def _update_buttons(self) -> None:
        group = self.group
        free = group is not None and not (set(group.ids) & self._touched)
        for button in (self.trash_button, self.merge_button, self.dismiss_button):
            button.setEnabled(free)
        for card in self.cards:
            card.setEnabled(free)

    @Slot(int)
    def _undo_moved(self, _index: int) -> None:
        """Any step of the undo stack may change the groups. Ours read again when written (_write_finished);
        another view's (a delete in the grid, written on its own) is read again now if the page shows, else
        when it is next opened."""
        if self._queued != self._written:
            return
        if self.loaded and self.isVisible():
            self.refresh()
        elif self.loaded:
            self.stale = True

    def dispose(self) -> None:
        """Stop finding; let every queued decision be written (one is never lost), then stop both threads."""
        if self._task is not None:
            self._task.cancel()
        self.finder.clear()
        self.writer.waitForDone()
        self.finder.waitForDone()

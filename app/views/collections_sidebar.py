"""The collections sidebar: all products, named collections and smart collections (saved searches), with counts.

Counts are read in the pool; every change goes through the EditService (a synced correction, off the GUI thread).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.views.tiles import plain_tip

IdRole = Qt.ItemDataRole.UserRole
NameRole = Qt.ItemDataRole.UserRole + 1


def _read():
    from core.catalog import queries
    from core.collections import collections

    return queries.count_products(), collections()


class CollectionsSidebar(QWidget):
    chosen = Signal(int)  # a collection id; 0 for every product

    def __init__(self, context, service, selected: Callable[[], list[int]],
                 current_search: Callable[[], tuple[str, list[str]]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = service
        self.selected = selected
        self.current_search = current_search  # (words, filters) of the grid's filter, for a smart collection
        self.rows: list = []
        self.list = QListWidget()
        self.list.setAccessibleName("Collections")
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(self._current_changed)
        self.new_button = QPushButton(self.tr("New collection…"))
        menu = QMenu(self.new_button)
        menu.addAction(self.tr("Collection of the selected products…"), self._new_from_selection)
        menu.addAction(self.tr("Smart collection of this filter…"), self._new_smart)
        self.new_button.setMenu(menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.new_button)
        self.setMinimumWidth(150)
        self.setMaximumWidth(240)
        self._chosen = 0
        self._task = None
        self.refresh()

    # --- reading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        task = self.context.read(_read, "collections")
        task.signals.result.connect(self._on_read)
        self._task = self.context.run_in_pool(task)

    @Slot(object)
    def _on_read(self, result) -> None:
        total, rows = result
        self.rows = rows
        self.list.blockSignals(True)
        self.list.clear()
        self._add(self.tr("All products ({0})").format(total), 0, "")
        named = [r for r in rows if not r.smart]
        smart = [r for r in rows if r.smart]
        for title, group in ((self.tr("Collections"), named), (self.tr("Smart collections"), smart)):
            if group:
                header = QListWidgetItem(title.upper())
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                self.list.addItem(header)
            for row in group:
                item = self._add(f"{row.name} ({row.count})", row.id, row.name)
                if row.smart:
                    item.setToolTip(plain_tip(self.tr("Saved search: {0}").format(" ".join([row.text, *row.filters]).strip())))
        ids = [self.list.item(n).data(IdRole) for n in range(self.list.count())]
        if self._chosen not in ids:
            self._chosen = 0
        self.list.setCurrentRow(ids.index(self._chosen))
        self.list.blockSignals(False)
        if self._chosen == 0 and getattr(self, "_was", 0):
            self.chosen.emit(0)  # the shown collection went away (deleted here or by a sync)
        self._was = self._chosen

    def _add(self, text: str, cid: int, name: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(IdRole, cid)
        item.setData(NameRole, name)
        self.list.addItem(item)
        return item

    @Slot(QListWidgetItem, QListWidgetItem)
    def _current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None and current.data(IdRole) is not None:
            self._chosen = self._was = current.data(IdRole)
            self.chosen.emit(self._chosen)

    def choose(self, name: str) -> None:
        for n in range(self.list.count()):
            if self.list.item(n).data(NameRole) == name:
                self.list.setCurrentRow(n)

    def count_of(self, name: str) -> int | None:
        return next((r.count for r in self.rows if r.name == name), None)

    # --- changing (one synced correction each, in the EditService's worker) --------------------------
    def add_selected(self, name: str) -> None:
        from core.collections import change_members

        ids = self.selected()
        if ids:
            self.service.collections(self.tr("Added %n product(s) to {0}", "", len(ids)).format(name),
                                     lambda catalog: change_members(catalog, name, add=ids), ids)

    def remove_selected(self, name: str) -> None:
        from core.collections import change_members

        ids = self.selected()
        if ids:
            self.service.collections(self.tr("Took %n product(s) out of {0}", "", len(ids)).format(name),
                                     lambda catalog: change_members(catalog, name, remove=ids, create=False), ids)

    def save_smart(self, name: str) -> None:
        from core.collections import save

        text, filters = self.current_search()
        self.service.collections(self.tr("Saved the smart collection {0}").format(name),
                                 lambda catalog: save(catalog, name, smart=True, text=text, filters=filters))

    def rename(self, old: str, new: str) -> None:
        from core.collections import collection, save

        def work(catalog):
            row = collection(old)
            return save(catalog, new, smart=row.smart, text=row.text, filters=row.filters, rename_from=old)

        self.service.collections(self.tr("Renamed {0} to {1}").format(old, new), work)

    def delete(self, name: str) -> None:
        from core.collections import delete

        self.service.collections(self.tr("Deleted the collection {0}").format(name),
                                 lambda catalog: delete(catalog, name))

    # --- dialogs -----------------------------------------------------------------------------------
    def _ask(self, title: str, text: str = "") -> str:
        name, ok = QInputDialog.getText(self, title, self.tr("Name:"), text=text)
        return name.strip() if ok else ""

    @Slot()
    def _new_from_selection(self) -> None:
        if not self.selected():
            return
        name = self._ask(self.tr("New collection"))
        if name:
            self.add_selected(name)

    @Slot()
    def _new_smart(self) -> None:
        name = self._ask(self.tr("New smart collection"))
        if name:
            self.save_smart(name)

    @Slot(object)
    def _menu(self, pos) -> None:
        item = self.list.itemAt(pos)
        name = item.data(NameRole) if item is not None else ""
        if not name:
            return
        row = next((r for r in self.rows if r.name == name), None)
        menu = QMenu(self)
        if row is not None and not row.smart:
            menu.addAction(self.tr("Add the selected products"), lambda: self.add_selected(name))
            menu.addAction(self.tr("Remove the selected products"), lambda: self.remove_selected(name))
        menu.addAction(self.tr("Rename…"), lambda: (new := self._ask(self.tr("Rename"), name)) and self.rename(name, new))
        menu.addAction(self.tr("Delete"), lambda: self.delete(name))
        menu.exec(self.list.mapToGlobal(pos))

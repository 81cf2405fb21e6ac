"""The main window: assembles the views, actions and shortcuts, drag-and-drop, notifications, and
owns the one shutdown path (closeEvent)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QProgressDialog,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import core
from app.theme import icon, save_appearance, theme
from app.views.catalog_grid import CatalogGrid
from app.views.duplicates_view import DuplicatesView
from app.views.empty_state import EmptyState
from app.views.error_dialog import ErrorDialog
from app.views.fit import scroll_page
from app.views.health_view import AlarmBadge, HealthMonitor, HealthView
from app.views.jobs_panel import JobsPanel, JobStrip, NotIndexedBanner, summary
from app.views.loupe import Loupe
from app.views.model_status import ModelStatus
from app.views.models_view import ModelsView
from app.views.product_detail import ProductDetail
from app.views.review_queue import ReviewQueueView
from app.views.search_panel import IMAGE_SUFFIXES, SearchPanel
from app.views.sync_status import SyncBadge, SyncPanel
from app.views.tiles import plain_tip
from app.workers.edits import EditService
from app.workers.review import ReviewService
from app.workers.sync import SyncService
from core.catalog import queries
from core.models.state import ModelState

log = logging.getLogger(__name__)


def dropped_paths(mime) -> tuple[list[Path], list[Path]]:
    """(folders, image files) among the local files of a drag."""
    paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
    folders = [p for p in paths if p.is_dir()]
    images = [p for p in paths if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    return folders, images


class MainWindow(QMainWindow):
    exposed = Signal()  # the window was first shown on screen
    # The curator chose another catalog (a Path): the app's Session closes this one and opens that one.
    open_catalog_requested = Signal(object)

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        title = self.tr("Catalog Curator %1 — %2").replace("%1", core.__version__).replace(
            "%2", str(context.catalog.root))
        self.setWindowTitle(title + (self.tr(" (read-only)") if context.catalog.read_only_reason else ""))
        self.setAcceptDrops(True)
        self.error_dialogs: list[ErrorDialog] = []
        self._download_dialog: QProgressDialog | None = None
        self.export_dialog = None
        self.conflicts_view = None
        self._closing = False
        self._catalog_stale = False  # a change made on another page, not yet read by the catalog page
        self.switches_in_place = False  # the app's Session handles open_catalog_requested
        self._build_views()
        self._build_actions()
        self._connect()
        self._update_empty()
        self.resize(1280, 820)

    # --- construction --------------------------------------------------------------------------
    def _build_views(self) -> None:
        ctx = self.context
        self.grid = CatalogGrid(ctx)
        self.review = ReviewService(ctx, self.grid.undo_stack, self)  # one undo stack for every edit
        self.grid.install_batch_bar(self.review)
        self.review.applied.connect(ctx.detector_jobs.correction_applied)  # enough moved boxes retrain the detector
        self.edits = EditService(ctx, self.grid.undo_stack, self)  # product data, collections, conflicts
        self.grid.install_edits(self.edits)
        self.detail = ProductDetail(ctx, review=self.review, edits=self.edits)
        self.empty = EmptyState()
        browse = QSplitter(Qt.Orientation.Horizontal)
        browse.addWidget(self.grid)
        browse.addWidget(self.detail)
        browse.setStretchFactor(0, 3)
        browse.setStretchFactor(1, 2)
        browse.setSizes([760, 500])
        self.not_indexed_banner = NotIndexedBanner()
        browse_page = QWidget()
        browse_layout = QVBoxLayout(browse_page)
        browse_layout.setContentsMargins(0, 0, 0, 0)
        browse_layout.setSpacing(0)
        browse_layout.addWidget(self.not_indexed_banner)
        browse_layout.addWidget(browse, 1)
        self.loupe = Loupe(ctx)
        self.catalog_page = QStackedWidget()
        self.catalog_page.addWidget(self.empty)
        self.catalog_page.addWidget(browse_page)
        self.catalog_page.addWidget(self.loupe)
        self.search = SearchPanel(ctx)
        self.analytics = QStackedWidget()  # the plots (and pyqtgraph) load when the tab is first opened
        self.analytics_view = None
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setIconSize(QSize(16, 16))
        self.tabs.tabBar().setAccessibleName(self.tr("Pages"))
        self.tabs.addTab(self.catalog_page, self.tr("Catalog"))
        self.tabs.addTab(self.search, self.tr("Search"))
        self.tabs.addTab(self.analytics, self.tr("Analytics"))
        self.review_queue = ReviewQueueView(ctx, self.review)
        self.tabs.addTab(self.review_queue, self.tr("Review"))
        self.health_monitor = HealthMonitor(ctx, self)
        self.health = HealthView(ctx, self.health_monitor)
        self.tabs.addTab(self.health, self.tr("Health"))
        self.duplicates = DuplicatesView(ctx, self.grid.undo_stack)
        self.tabs.addTab(self.duplicates, self.tr("Duplicates"))
        self.models_page = ModelsView(ctx)
        self.tabs.addTab(self.models_page, self.tr("Models"))
        self.tab_icons = ("catalog", "search", "analytics", "review", "health", "duplicates", "models")
        # The pages, and under them the job strip: a line of its own, so nothing it says covers a page.
        self.job_strip = JobStrip(ctx)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.tabs, 1)
        central_layout.addWidget(self.job_strip)
        self.setCentralWidget(central)
        for page in (self.detail, self.search, self.review_queue, self.health, self.models_page):
            scroll_page(page)  # pages scroll rather than grow the window past a 1366×768 screen
        self.sync = SyncService(ctx, self)
        self.sync_panel = SyncPanel(self.sync)
        self.sync_dock = QDockWidget(self.tr("Sync"), self)
        self.sync_dock.setObjectName("sync")
        self.sync_dock.setWidget(self.sync_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.sync_dock)
        self.sync_dock.hide()
        self.jobs = JobsPanel(ctx)
        self.jobs_dock = QDockWidget(self.tr("Jobs"), self)
        self.jobs_dock.setObjectName("jobs")
        self.jobs_dock.setWidget(self.jobs)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.jobs_dock)
        self.jobs_dock.hide()
        self.model_status = ModelStatus(ctx)
        self.alarm_badge = AlarmBadge(self.health_monitor)
        self.statusBar().addPermanentWidget(self.alarm_badge)
        self.sync_badge = SyncBadge(self.sync)
        self.statusBar().addPermanentWidget(self.sync_badge)
        self.statusBar().addPermanentWidget(self.model_status)
        self.free_space = QLabel()
        self.free_space.setToolTip(self.tr("Free space on the disk that holds the catalog"))
        self.statusBar().addPermanentWidget(self.free_space)
        ctx.free_space_changed.connect(self._show_free_space)
        ctx.space_warning.connect(self._warn_space)
        ctx.refresh_free_space()
        if ctx.catalog.read_only_reason:  # a second window, a read-only folder: it says why it cannot write
            self.read_only_badge = QLabel(self.tr("Read-only: changes are off"))
            self.read_only_badge.setToolTip(plain_tip(ctx.catalog.read_only_reason))
            self.statusBar().addPermanentWidget(self.read_only_badge)
        self.toast = self.job_strip.toast

    def _action(self, text: str, shortcut, slot, tip: str = "", icon_key: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or text} ({keys})" if keys else (tip or text))
        if icon_key:
            action.setProperty("icon_key", icon_key)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    @Slot()
    def _set_icons(self) -> None:
        """The icons in the theme's colours (again after a theme switch)."""
        for action in self.findChildren(QAction):
            key = action.property("icon_key")
            if key:
                action.setIcon(icon(key))
        for n, key in enumerate(self.tab_icons):
            self.tabs.setTabIcon(n, icon(key))
        self.job_strip.set_icons()
        self.loupe.set_icons()
        self.grid.view.viewport().update()

    @Slot()
    def _undo_text_changed(self) -> None:
        """The toolbar's Undo keeps one short word; what it would undo is in its tooltip."""
        what = self.grid.undo_stack.undoText()
        self.undo_tool.setToolTip(self.tr("Undo %1 (Ctrl+Z)").replace("%1", what) if what
                                  else self.tr("Nothing to undo"))

    def _build_actions(self) -> None:
        self.add_action = self._action(self.tr("Add folder…"), QKeySequence.StandardKey.Open, self.choose_folders,
                                       self.tr("Import and index product folders"), "add_folder")
        self.search_action = self._action(self.tr("Search"), QKeySequence.StandardKey.Find, self.focus_search,
                                          icon_key="search")
        self.delete_action = self._action(self.tr("Delete"), QKeySequence.StandardKey.Delete, self.delete_selected,
                                          self.tr("Delete the selected products (undo with Ctrl+Z)"), "delete")
        self.undo_action = self.grid.undo_stack.createUndoAction(self, self.tr("Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setProperty("icon_key", "undo")
        self.addAction(self.undo_action)
        self.redo_action = self.grid.undo_stack.createRedoAction(self, self.tr("Redo"))
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.setProperty("icon_key", "redo")
        self.addAction(self.redo_action)
        # The toolbar's Undo: one word that never grows (the Edit menu's item names the step in full).
        self.undo_tool = QAction(self.tr("Undo"), self)
        self.undo_tool.setProperty("icon_key", "undo")
        self.undo_tool.setEnabled(self.grid.undo_stack.canUndo())
        self.undo_tool.triggered.connect(self.grid.undo_stack.undo)
        self.grid.undo_stack.canUndoChanged.connect(self.undo_tool.setEnabled)
        self.grid.undo_stack.undoTextChanged.connect(self._undo_text_changed)
        self._undo_text_changed()
        self.settings_action = self._action(self.tr("Settings…"), QKeySequence.StandardKey.Preferences,
                                            self.open_settings, icon_key="settings")
        self.export_action = self._action(self.tr("Export…"), "Ctrl+E", self.open_export,
                                          self.tr("Export the catalog, or its boxes for training (COCO, YOLO)"),
                                          "export")
        self.shop_import_action = self._action(self.tr("Import from shop…"), None, self.open_shop_import,
                                               self.tr("Import a Shopify or Magento product export"))
        self.shop_export_action = self._action(self.tr("Export to shop…"), None, self.open_shop_export,
                                               self.tr("Write the imported shop file back with the catalog's changes"))
        self.jobs_action = self.jobs_dock.toggleViewAction()
        self.jobs_action.setText(self.tr("Jobs"))
        self.jobs_action.setShortcut(QKeySequence("Ctrl+J"))
        self.jobs_action.setToolTip(self.tr("Every job with its errors (Ctrl+J)"))
        self.jobs_action.setProperty("icon_key", "jobs")
        self.addAction(self.jobs_action)  # listed in the shortcut sheet with the window's other actions
        self.about_action = self._action(self.tr("About"), None, self.open_about, icon_key="about")
        self.sync_action = self._action(self.tr("Sync now"), "Ctrl+Shift+S", self.sync.sync_now,
                                        self.tr("Send corrections and fetch other curators'"), "sync")
        self.sync_panel_action = self.sync_dock.toggleViewAction()
        self.sync_panel_action.setText(self.tr("Sync"))
        self.loupe_action = self._action(self.tr("Loupe"), "E", self.open_loupe,
                                         self.tr("The photo large, with its boxes and every view"), "loupe")
        self.grid_action = self._action(self.tr("Grid"), "G", self.show_grid, self.tr("Back to the grid"), "grid")
        self.shortcuts_action = self._action(self.tr("Keyboard shortcuts"), "F1", self.show_shortcuts,
                                             icon_key="shortcuts")
        QShortcut(QKeySequence("Ctrl+/"), self, self.show_shortcuts)
        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.add_action, self.search_action, self.delete_action, self.undo_tool, None,
                       self.loupe_action, self.grid_action, None, self.jobs_action, self.settings_action,
                       self.about_action):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        for button in toolbar.findChildren(QToolButton):
            if button.defaultAction() is not None:
                button.setAccessibleName(button.defaultAction().text().replace("…", ""))
        self.toolbar = toolbar
        menu = self.menuBar().addMenu(self.tr("&File"))
        self.open_catalog_action = self._action(self.tr("Open catalog…"), "Ctrl+Shift+O", self.choose_catalog,
                                                self.tr("Open another catalog folder in this window"), "open")
        menu.addAction(self.open_catalog_action)
        self.recent_menu = menu.addMenu(self.tr("Recent catalogs"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.addSeparator()
        for action in (self.add_action, self.shop_import_action, self.export_action, self.shop_export_action,
                       self.sync_action, self.settings_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self._action(self.tr("Quit"), QKeySequence.StandardKey.Quit, self.close, icon_key="quit"))
        edit = self.menuBar().addMenu(self.tr("&Edit"))
        for action in (self.undo_action, self.redo_action, self.delete_action, self.search_action):
            edit.addAction(action)
        view = self.menuBar().addMenu(self.tr("&View"))
        view.addAction(self.grid_action)
        view.addAction(self.loupe_action)
        view.addSeparator()
        view.addAction(self.jobs_action)
        view.addAction(self.sync_panel_action)
        self.conflicts_action = self._action(self.tr("Conflicts…"), None, self.open_conflicts,
                                             self.tr("Fields two curators edited on two machines"))
        view.addAction(self.conflicts_action)
        edit.addAction(self._action(self.tr("Edit fields…"), "Ctrl+Shift+E", self.grid.edit_fields,
                                    self.tr("Change attributes, category, titles of the selected products, "
                                            "with a preview")))
        view.addAction(self._action(self.tr("Review queue"), "Ctrl+R",
                                    lambda: self.tabs.setCurrentWidget(self.review_queue), icon_key="review"))
        view.addAction(self._action(self.tr("Health"), None, lambda: self.tabs.setCurrentWidget(self.health),
                                    icon_key="health"))
        view.addAction(self._action(self.tr("Next product"), "J", lambda: self.step(1), icon_key="next"))
        view.addAction(self._action(self.tr("Previous product"), "K", lambda: self.step(-1), icon_key="previous"))
        view.addAction(self._action(self.tr("Loupe or grid"), "Space", self.toggle_loupe))
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)
        # Arrows move in the grid natively; J/K/Space also work from the detail pane.
        QShortcut(QKeySequence("Ctrl+Shift+F"), self, self.focus_search)
        self._set_icons()

    def _connect(self) -> None:
        ctx = self.context
        self.grid.product_selected.connect(self.detail.show_product)
        self.detail.show_product(self.grid.current_product_id())
        self.grid.activated.connect(self._open_product_detail)
        self.grid.activated.connect(self.open_loupe)  # a double-click (or Enter) on a tile: the loupe
        self.loupe.back_to_grid.connect(self.show_grid)
        self.loupe.step_product.connect(self.step)
        self.job_strip.details_requested.connect(self._show_jobs)
        theme().changed.connect(self._set_icons)
        self.grid.status_message.connect(self.show_message)
        self.grid.changed.connect(self._update_empty)
        self.detail.search_similar.connect(self.search_similar)
        self.detail.search_image.connect(self.search_image)
        self.search.open_product.connect(self.open_product)
        self.search.status_message.connect(self.show_message)
        self.empty.add_folder.connect(self.choose_folders)
        self.not_indexed_banner.index_now.clicked.connect(self.index_not_indexed)
        self.tabs.currentChanged.connect(self._tab_changed)
        ctx.catalog_changed.connect(self._catalog_changed)
        ctx.error.connect(self.show_error)
        ctx.job_added.connect(self._job_added)
        ctx.job_finished.connect(self._job_finished)
        ctx.models.status_changed.connect(self._models_changed)
        ctx.models.download_progress.connect(self._download_progress)
        self.review.applied.connect(self._review_applied)
        self.edits.applied.connect(self._edit_applied)
        self.edits.failed.connect(self.show_message)
        self.review_queue.status_message.connect(self.show_message)
        self.review_queue.changed.connect(self._catalog_changed)
        if self.detail.review_panel is not None:
            self.detail.review_panel.status_message.connect(self.show_message)
        self.health.status_message.connect(self.show_message)
        self.duplicates.status_message.connect(self.show_message)
        self.duplicates.changed.connect(self._catalog_changed_behind)
        # Duplicates are found in the background after each import (and once at launch), so the page opens at once.
        self.exposed.connect(self.duplicates.warm)
        self.models_page.status_message.connect(self.show_message)
        self.alarm_badge.clicked.connect(lambda: self.tabs.setCurrentWidget(self.health))
        self.sync_badge.clicked.connect(self._show_sync)
        ctx.catalog_changed.connect(self.sync.refresh)
        self.health_monitor.start()
        self.health.sync_metrics_toggle()
        self.sync.refresh()

    # --- catalog -------------------------------------------------------------------------------
    @Slot()
    def _update_empty(self) -> None:
        has_products = self.grid.model.total > 0 or self.grid.model.query.status != "all" or bool(
            self.grid.model.query.text or self.grid.model.query.category)
        if not (has_products and self.catalog_page.currentWidget() is self.loupe):
            self.catalog_page.setCurrentIndex(1 if has_products else 0)
        self._update_banner()

    def _update_banner(self) -> None:
        """Products imported but not indexed (a job closed mid-way, an import-only run): say how many
        and offer to index them, unless a job is already at it."""
        running = any(r.state.active for r in self.context.jobs)
        waiting = 0 if running or self.context.read_only else queries.count_products(
            queries.GridQuery(status="imported"))
        self.not_indexed_banner.show_count(waiting)

    @Slot()
    def index_not_indexed(self) -> None:
        """Index every product imported but not indexed (no folders: nothing new is imported)."""
        self.not_indexed_banner.show_count(0)
        return self.start_index([])

    @Slot()
    def _catalog_changed(self) -> None:
        self.grid.refresh()
        self._update_empty()
        self.detail.show_product(self.grid.current_product_id())  # its status or crops may have changed

    @Slot()
    def _catalog_changed_behind(self) -> None:
        """A change made on another page (Duplicates): the catalog page reads it when it is next shown, so
        each decision there costs the GUI thread nothing (the grid and the detail pane read on refresh)."""
        if self.tabs.currentIndex() == 0:
            self._catalog_changed()
        else:
            self._catalog_stale = True

    def step(self, delta: int) -> None:
        if self.tabs.currentIndex() == 0:
            self.grid.step(delta)
            if self.in_loupe():
                self.loupe.show_product(self.grid.current_product_id())
        elif self.tabs.currentWidget() is self.review_queue:
            self.review_queue.step(delta)

    @Slot(object)
    def _review_applied(self, result: dict) -> None:
        """A correction landed: the tile, the detail and the search results show it."""
        self.grid.refresh()
        if self.detail.product_id is not None and (self.detail.product_id == result.get("product_id")
                                                   or self.detail.product_id in result.get("product_ids", ())):
            self.detail.show_product(self.detail.product_id)
        if result.get("vector_changed") and self.search.response is not None:
            self.search.run_search()
        self.sync.refresh()

    @Slot()
    def open_conflicts(self):
        from app.views.conflicts_view import ConflictsView

        if self.conflicts_view is None or not _alive(self.conflicts_view):
            self.conflicts_view = ConflictsView(self.context, self.edits, self)
            self.conflicts_view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.conflicts_view.show()
        self.conflicts_view.raise_()
        return self.conflicts_view

    @Slot(object)
    def _edit_applied(self, result: dict) -> None:
        """Product data, a collection or a conflict changed: the grid, its sidebar and the detail show it."""
        self.grid.refresh()
        if self.detail.product_id is not None:
            self.detail.show_product(self.detail.product_id)
        self.sync.refresh()
        if result.get("text"):
            self.show_message(self.tr("{0} — Ctrl+Z undoes").format(result["text"])
                              if result.get("kind") == "edit" else result["text"])

    @Slot()
    def _show_sync(self) -> None:
        self.sync_dock.show()
        self.sync_dock.raise_()
        self.sync.refresh()

    def preview(self) -> None:
        self.toggle_loupe()

    # --- loupe and grid ------------------------------------------------------------------------
    def in_loupe(self) -> bool:
        return self.tabs.currentIndex() == 0 and self.catalog_page.currentWidget() is self.loupe

    @Slot()
    def open_loupe(self, *_args) -> None:
        """E, Space or a double-click: the current product's photo as large as the window allows."""
        if self.catalog_page.currentIndex() == 0 and self.grid.model.total == 0:
            return  # an empty catalog: nothing to look at
        self.tabs.setCurrentIndex(0)
        product_id = self.grid.current_product_id()
        if product_id is None and self.grid.model.rowCount():
            self.grid.view.setCurrentIndex(self.grid.model.index(0))
            product_id = self.grid.current_product_id()
        if product_id is None:
            return
        self.loupe.show_product(product_id)
        self.catalog_page.setCurrentWidget(self.loupe)
        self.loupe.setFocus()

    @Slot()
    def show_grid(self) -> None:
        """G (or Esc in the loupe): back to the grid, on the product the loupe showed."""
        self.tabs.setCurrentIndex(0)
        if self.catalog_page.currentWidget() is self.loupe:
            self.catalog_page.setCurrentIndex(1)
        self.grid.view.setFocus()

    @Slot()
    def toggle_loupe(self) -> None:
        if self.in_loupe():
            self.show_grid()
        else:
            self.open_loupe()

    @Slot()
    def show_shortcuts(self):
        from app.views.shortcut_sheet import ShortcutSheet

        sheet = ShortcutSheet(self)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.show()
        self.shortcut_sheet = sheet
        return sheet

    @Slot()
    def _show_jobs(self) -> None:
        self.jobs_dock.show()
        self.jobs_dock.raise_()

    @Slot()
    def delete_selected(self) -> None:
        if self.tabs.currentIndex() == 0:
            self.grid.delete_selected()
            self._update_empty()

    @Slot(int)
    def open_product(self, product_id: int) -> None:
        self.tabs.setCurrentIndex(0)
        self.grid.filter_edit.clear()
        index = self.grid.model.index_of(product_id)
        if index.isValid():
            self.grid.view.setCurrentIndex(index)
            self.grid.view.scrollTo(index)
        else:
            self.detail.show_product(product_id)

    @Slot(int)
    def _open_product_detail(self, product_id: int) -> None:
        self.detail.show_product(product_id)

    # --- search --------------------------------------------------------------------------------
    @Slot()
    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.search.text.setFocus()
        self.search.text.selectAll()

    @Slot(int)
    def search_similar(self, product_id: int) -> None:
        self.tabs.setCurrentIndex(1)
        self.search.search_similar(product_id)

    @Slot(object)
    def search_image(self, path) -> None:
        self.tabs.setCurrentIndex(1)
        self.search.search_image(Path(path))

    @Slot(int)
    def _tab_changed(self, index: int) -> None:
        if index == 0 and self._catalog_stale:
            self._catalog_stale = False
            self._catalog_changed()
        self.health_monitor.set_fast(self.tabs.widget(index) is self.health)
        if self.tabs.widget(index) is self.review_queue:
            self.review_queue.refresh()
        if self.tabs.widget(index) is self.duplicates and (not self.duplicates.loaded or self.duplicates.stale):
            self.duplicates.refresh()
        if self.tabs.widget(index) is self.models_page:
            self.models_page.refresh()
        if self.tabs.widget(index) is self.analytics:
            if self.analytics_view is None:
                from app.views.analytics_view import AnalyticsView

                self.analytics_view = AnalyticsView(self.context)
                self.analytics.addWidget(self.analytics_view)
            self.analytics_view.refresh()

    # --- jobs ----------------------------------------------------------------------------------
    @Slot()
    def choose_folders(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add product folders"))
        if folder:
            self.start_index([Path(folder)])

    def start_index(self, folders: list[Path]):
        return self.context.start_index_job(folders)  # the job strip shows it; Details opens the Jobs panel

    @Slot(object)
    def _job_added(self, record) -> None:
        self._update_banner()  # a job running (a resumed one too) hides it; the job strip names the job

    @Slot(object)
    def _show_free_space(self, free) -> None:
        from core.paths import human_bytes

        self.free_space.setText("" if free is None else self.tr("Free: %s") % human_bytes(free))

    @Slot(str)
    def _warn_space(self, text: str) -> None:
        self.toast.show_message(text, 15000)
        self.show_message(text)

    @Slot(object)
    def _job_finished(self, record) -> None:
        self.context.refresh_free_space()
        self._update_banner()
        # announced once, in the job strip (the Jobs panel keeps its row); the status bar does not repeat it.
        # Errors stay longer: the strip's Details opens the list.
        self.job_strip.announce(f"{record.title} — {summary(record)}", 12000 if record.errors else 6000)

    # --- drag and drop -------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        folders, images = dropped_paths(event.mimeData())
        if folders or images:
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        folders, images = dropped_paths(event.mimeData())
        if folders:
            self.start_index(folders)
            event.acceptProposedAction()
        elif images:
            self.search_image(images[0])
            event.acceptProposedAction()

    # --- models --------------------------------------------------------------------------------
    @Slot(object)
    def _models_changed(self, status: dict) -> None:
        emb = status.get("embedder") or {}
        state = ModelState(status.get("state", ModelState.STARTING))
        if state.settled:
            available = bool(emb.get("supports_text"))
            reason = emb.get("text_unavailable_reason") or status.get("error", "").split("\n")[0] or "no model"
            self.search.set_text_available(available, reason)
            if self._download_dialog is not None:
                self._download_dialog.close()
                self._download_dialog = None
            if state is ModelState.FAILED:
                self.show_message(self.tr("Models failed to load; browsing still works. See the status bar."))

    @Slot(int, int, str)
    def _download_progress(self, done: int, total: int, message: str) -> None:
        """First run: weights are downloading; show how far along (it cannot be cancelled mid-file)."""
        if self._download_dialog is None:
            dialog = QProgressDialog(self.tr("Downloading model weights…"), self.tr("Hide"), 0, 0, self)
            dialog.setWindowTitle(self.tr("First run: downloading models"))
            dialog.setMinimumDuration(0)
            dialog.setAutoClose(False)
            dialog.setWindowModality(Qt.WindowModality.NonModal)
            self._download_dialog = dialog
        self._download_dialog.setMaximum(max(total, 0))
        self._download_dialog.setValue(min(done, total) if total else 0)
        self._download_dialog.setLabelText(message)
        if total and done >= total:
            self._download_dialog.close()
            self._download_dialog = None

    # --- dialogs and messages ------------------------------------------------------------------
    @Slot(str)
    def show_message(self, text: str) -> None:
        """A status message that expires (8 s); an empty one clears what is there (a hint whose mode ended)."""
        if text:
            self.statusBar().showMessage(text, 8000)
        else:
            self.statusBar().clearMessage()

    @Slot(str, str)
    def show_error(self, summary_text: str, details: str) -> ErrorDialog:
        dialog = ErrorDialog(summary_text, details, self)
        dialog.destroyed.connect(self._forget_error_dialog)
        self.error_dialogs.append(dialog)
        dialog.show()
        return dialog

    @Slot()
    def _forget_error_dialog(self) -> None:
        self.error_dialogs = [d for d in self.error_dialogs if _alive(d)]

    @Slot()
    def open_settings(self) -> None:
        from app.views.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context.settings, self.context.catalog.root, self, context=self.context)
        if dialog.exec():
            self._apply_appearance(dialog)
            self.context.apply_settings(dialog.settings)
            self.sync.apply_settings()
            self.health.sync_metrics_toggle()
            if dialog.new_catalog is not None:
                self._switch_catalog(dialog.new_catalog)
            if self.models_page.set_wanted(dialog.settings.models):
                # Search serves the active index's model: a new one takes over only after a re-index.
                self.tabs.setCurrentWidget(self.models_page)
                self.show_message(self.tr("Settings saved. The new model is not in use yet: re-index with it on "
                                          "the Models page, then promote it"))
            else:
                self.show_message(self.tr("Settings saved"))

    def _apply_appearance(self, dialog) -> None:
        """Settings → Appearance: the theme changes now; a new language from the next start."""
        try:
            save_appearance(dialog.theme_choice, dialog.language_choice)
        except OSError as exc:
            log.warning("could not save the appearance: %s", exc)
        if dialog.theme_choice != theme().mode:
            theme().apply(dialog.theme_choice)

    @Slot()
    def open_export(self):
        from app.views.export_dialog import ExportDialog

        if self.export_dialog is None or not _alive(self.export_dialog):
            self.export_dialog = ExportDialog(self.context, self)
            self.export_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog.open()
        return self.export_dialog

    @Slot()
    def open_shop_import(self):
        from app.views.shop_dialogs import ShopImportDialog

        dialog = ShopImportDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot()
    def open_shop_export(self):
        from app.views.shop_dialogs import ShopExportDialog

        dialog = ShopExportDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot()
    def choose_catalog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a catalog folder"),
                                                  str(self.context.catalog.root.parent))
        if folder:
            self._switch_catalog(Path(folder))

    @Slot()
    def _fill_recent(self) -> None:
        from core.workspaces import Workspaces

        self.recent_menu.clear()
        try:
            spaces = Workspaces().list()
        except Exception as exc:  # an unreadable registry must not break the menu
            log.warning("cannot read the workspaces: %s", exc)
            spaces = []
        here = self.context.catalog.root.resolve()
        for space in spaces:
            action = self.recent_menu.addAction(f"{space.name} — {space.path}")
            action.setEnabled(Path(space.path).resolve() != here)
            action.triggered.connect(lambda _=False, p=Path(space.path): self._switch_catalog(p))
        if not spaces:
            self.recent_menu.addAction(self.tr("No other catalogs yet")).setEnabled(False)

    def _switch_catalog(self, path: Path) -> None:
        """Remember the catalog (it opens at the next start too) and ask the app to open it now."""
        if Path(path).resolve() == self.context.catalog.root.resolve():
            return
        try:
            from core.workspaces import Workspaces

            Workspaces().remember(Path(path))
        except Exception as exc:  # the switch still happens; only the next start's choice is lost
            log.warning("could not remember %s as a workspace: %s", path, exc)
        if not self.switches_in_place:  # a window built without the app's Session
            self.show_message(self.tr("%1 opens the next time Catalog Curator starts").replace("%1", str(path)))
            return
        self.open_catalog_requested.emit(Path(path))

    @Slot()
    def open_about(self) -> None:
        from app.about import AboutDialog

        dialog = AboutDialog(self.context.models.status if self.context.models.ready else None, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    # --- views (the screenshot command and the View menu) ----------------------------------------
    VIEWS = ("catalog", "search", "review", "queue", "duplicates", "models", "health", "analytics", "loupe")

    def show_view(self, name: str) -> None:
        """Brings one view to the front: catalog (grid and detail), search (results for the first
        product's look-alikes, once models are ready), review (the first product's review canvas),
        queue (the review queue), duplicates, models, health, analytics."""
        if name not in self.VIEWS:
            raise ValueError(f"unknown view {name!r}; choose one of {', '.join(self.VIEWS)}")
        pages = {"catalog": self.catalog_page, "review": self.catalog_page, "loupe": self.catalog_page,
                 "search": self.search,
                 "queue": self.review_queue, "health": self.health, "analytics": self.analytics,
                 "duplicates": self.duplicates, "models": self.models_page}
        self.tabs.setCurrentWidget(pages[name])
        if name in ("catalog", "review", "search", "loupe") and self.grid.model.rowCount():
            self.grid.view.setCurrentIndex(self.grid.model.index(0, 0))
        if name == "review" and self.detail.review_panel is not None:
            self.detail.tabs.setCurrentWidget(self.detail.review_panel)
        if name == "search":
            self._search_first_when_ready()
        if name == "loupe":
            self.open_loupe()

    def _search_first_when_ready(self) -> None:
        product_id = self.grid.current_product_id()
        if product_id is None or self._closing:
            return
        if self.context.models.ready:
            self.search_similar(product_id)
        else:
            QTimer.singleShot(200, self._search_first_when_ready)

    # --- readiness and shutdown ----------------------------------------------------------------
    def settled(self) -> bool:
        """Models loaded (or failed), no thumbnails or images still loading: what a screenshot waits for."""
        images = [self.detail.image, self.loupe.image, self.search.explanation.query_view,
                  self.search.explanation.match_view]
        return (self.context.models.ready and self.context.thumbnails.idle
                and not any(v.loading for v in images) and not self.search.busy
                and not self.review_queue.busy and not self.review_queue.panel.loading
                and not self.review.busy and not self.edits.busy and not self.health_monitor.busy
                and not (self.duplicates.busy and self.duplicates.isVisible()) and not self.models_page.busy)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.Show and not getattr(self, "_shown_once", False):
            self._shown_once = True
            QTimer.singleShot(0, self, self.exposed.emit)  # with a context: dropped if the window goes first
        return super().event(event)

    def closeEvent(self, event) -> None:
        """The one shutdown path: stop timers, cancel and wait for every worker, close the catalog."""
        if not self._closing:
            self._closing = True
            self.jobs.stop()
            self.job_strip.stop()
            self.sync.stop()
            self.edits.stop()
            self.health_monitor.stop()
            self.review_queue.dispose()
            self.duplicates.dispose()
            self.models_page.dispose()
            if self.detail.review_panel is not None:
                self.detail.review_panel.dispose()
            if self.analytics_view is not None:
                self.analytics_view.dispose()
            if self.export_dialog is not None and _alive(self.export_dialog):
                self.export_dialog.close()
            if self.conflicts_view is not None and _alive(self.conflicts_view):
                self.conflicts_view.close()
            for dialog in list(self.error_dialogs):
                if _alive(dialog):
                    dialog.close()
            self.context.shutdown()
        super().closeEvent(event)


def _alive(obj) -> bool:
    try:
        import shiboken6

        return shiboken6.isValid(obj)
    except Exception:
        return False

"""The main window: assembles the views, actions and shortcuts, drag-and-drop, notifications, and
owns the one shutdown path (closeEvent)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
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
    QVBoxLayout,
    QWidget,
)

import core
from app.views.catalog_grid import CatalogGrid
from app.views.duplicates_view import DuplicatesView
from app.views.empty_state import EmptyState
from app.views.error_dialog import ErrorDialog
from app.views.fit import scroll_page
from app.views.health_view import AlarmBadge, HealthMonitor, HealthView
from app.views.jobs_panel import JobsPanel, NotIndexedBanner, Toast, summary
from app.views.model_status import ModelStatus
from app.views.models_view import ModelsView
from app.views.product_detail import ProductDetail
from app.views.review_queue import ReviewQueueView
from app.views.search_panel import IMAGE_SUFFIXES, SearchPanel
from app.views.sync_status import SyncBadge, SyncPanel
from app.views.tiles import plain_tip
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
        read_only = " (read-only)" if context.catalog.read_only_reason else ""
        self.setWindowTitle(f"Catalog Curator {core.__version__} — {context.catalog.root}{read_only}")
        self.setAcceptDrops(True)
        self.error_dialogs: list[ErrorDialog] = []
        self._download_dialog: QProgressDialog | None = None
        self.export_dialog = None
        self._closing = False
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
        self.detail = ProductDetail(ctx, review=self.review)
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
        self.catalog_page = QStackedWidget()
        self.catalog_page.addWidget(self.empty)
        self.catalog_page.addWidget(browse_page)
        self.search = SearchPanel(ctx)
        self.analytics = QStackedWidget()  # the plots (and pyqtgraph) load when the tab is first opened
        self.analytics_view = None
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.catalog_page, "Catalog")
        self.tabs.addTab(self.search, "Search")
        self.tabs.addTab(self.analytics, "Analytics")
        self.review_queue = ReviewQueueView(ctx, self.review)
        self.tabs.addTab(self.review_queue, "Review")
        self.health_monitor = HealthMonitor(ctx, self)
        self.health = HealthView(ctx, self.health_monitor)
        self.tabs.addTab(self.health, "Health")
        self.duplicates = DuplicatesView(ctx, self.grid.undo_stack)
        self.tabs.addTab(self.duplicates, "Duplicates")
        self.models_page = ModelsView(ctx)
        self.tabs.addTab(self.models_page, "Models")
        self.setCentralWidget(self.tabs)
        for page in (self.detail, self.search, self.review_queue, self.health, self.models_page):
            scroll_page(page)  # pages scroll rather than grow the window past a 1366×768 screen
        self.sync = SyncService(ctx, self)
        self.sync_panel = SyncPanel(self.sync)
        self.sync_dock = QDockWidget("Sync", self)
        self.sync_dock.setObjectName("sync")
        self.sync_dock.setWidget(self.sync_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.sync_dock)
        self.sync_dock.hide()
        self.jobs = JobsPanel(ctx)
        self.jobs_dock = QDockWidget("Jobs", self)
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
        self.free_space.setToolTip("Free space on the disk that holds the catalog")
        self.statusBar().addPermanentWidget(self.free_space)
        ctx.free_space_changed.connect(self._show_free_space)
        ctx.space_warning.connect(self._warn_space)
        ctx.refresh_free_space()
        if ctx.catalog.read_only_reason:  # a second window, a read-only folder: it says why it cannot write
            self.read_only_badge = QLabel("Read-only: changes are off")
            self.read_only_badge.setToolTip(plain_tip(ctx.catalog.read_only_reason))
            self.statusBar().addPermanentWidget(self.read_only_badge)
        self.toast = Toast(self)

    def _action(self, text: str, shortcut, slot, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip or text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.add_action = self._action("Add folder…", QKeySequence.StandardKey.Open, self.choose_folders,
                                       "Import and index product folders")
        self.search_action = self._action("Search", QKeySequence.StandardKey.Find, self.focus_search)
        self.delete_action = self._action("Delete", QKeySequence.StandardKey.Delete, self.delete_selected,
                                          "Delete the selected products (undo with Ctrl+Z)")
        self.undo_action = self.grid.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.addAction(self.undo_action)
        self.redo_action = self.grid.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.addAction(self.redo_action)
        self.settings_action = self._action("Settings…", QKeySequence.StandardKey.Preferences, self.open_settings)
        self.export_action = self._action("Export…", "Ctrl+E", self.open_export,
                                          "Export the catalog, or its boxes for training (COCO, YOLO)")
        self.jobs_action = self.jobs_dock.toggleViewAction()
        self.jobs_action.setShortcut(QKeySequence("Ctrl+J"))
        self.about_action = self._action("About", None, self.open_about)
        self.sync_action = self._action("Sync now", "Ctrl+Shift+S", self.sync.sync_now,
                                        "Send corrections and fetch other curators'")
        self.sync_panel_action = self.sync_dock.toggleViewAction()
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        for action in (self.add_action, self.search_action, self.delete_action, self.undo_action,
                       self.jobs_action, self.settings_action, self.about_action):
            toolbar.addAction(action)
        menu = self.menuBar().addMenu("&File")
        self.open_catalog_action = self._action("Open catalog…", "Ctrl+Shift+O", self.choose_catalog,
                                                "Open another catalog folder in this window")
        menu.addAction(self.open_catalog_action)
        self.recent_menu = menu.addMenu("Recent catalogs")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.addSeparator()
        for action in (self.add_action, self.export_action, self.sync_action, self.settings_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self._action("Quit", QKeySequence.StandardKey.Quit, self.close))
        edit = self.menuBar().addMenu("&Edit")
        for action in (self.undo_action, self.redo_action, self.delete_action, self.search_action):
            edit.addAction(action)
        view = self.menuBar().addMenu("&View")
        view.addAction(self.jobs_action)
        view.addAction(self.sync_panel_action)
        view.addAction(self._action("Review queue", "Ctrl+R", lambda: self.tabs.setCurrentWidget(self.review_queue)))
        view.addAction(self._action("Health", None, lambda: self.tabs.setCurrentWidget(self.health)))
        view.addAction(self._action("Next product", "J", lambda: self.step(1)))
        view.addAction(self._action("Previous product", "K", lambda: self.step(-1)))
        view.addAction(self._action("Preview", "Space", self.preview))
        self.menuBar().addMenu("&Help").addAction(self.about_action)
        # Arrows move in the grid natively; J/K/Space also work from the detail pane.
        QShortcut(QKeySequence("Ctrl+Shift+F"), self, self.focus_search)

    def _connect(self) -> None:
        ctx = self.context
        self.grid.product_selected.connect(self.detail.show_product)
        self.detail.show_product(self.grid.current_product_id())
        self.grid.activated.connect(self._open_product_detail)
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
        self.review_queue.status_message.connect(self.show_message)
        self.review_queue.changed.connect(self._catalog_changed)
        if self.detail.review_panel is not None:
            self.detail.review_panel.status_message.connect(self.show_message)
        self.health.status_message.connect(self.show_message)
        self.duplicates.status_message.connect(self.show_message)
        self.duplicates.changed.connect(self._catalog_changed)
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

    def step(self, delta: int) -> None:
        if self.tabs.currentIndex() == 0:
            self.grid.step(delta)
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
    def _show_sync(self) -> None:
        self.sync_dock.show()
        self.sync_dock.raise_()
        self.sync.refresh()

    def preview(self) -> None:
        if self.tabs.currentIndex() == 0:
            self.detail.preview()

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
        folder = QFileDialog.getExistingDirectory(self, "Add product folders")
        if folder:
            self.start_index([Path(folder)])

    def start_index(self, folders: list[Path]):
        if not self.jobs_dock.isVisible():
            self.jobs_dock.show()
        return self.context.start_index_job(folders)

    @Slot(object)
    def _job_added(self, record) -> None:
        self._update_banner()  # a job running (a resumed one too) hides it
        self.show_message(f"Started: {record.title}")

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
        # announced once: the toast (the Jobs panel keeps its row); the status bar does not repeat it
        self.toast.show_message(f"{record.title} — {summary(record)}")

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
                self.show_message("Models failed to load; browsing still works. See the status bar.")

    @Slot(int, int, str)
    def _download_progress(self, done: int, total: int, message: str) -> None:
        """First run: weights are downloading; show how far along (it cannot be cancelled mid-file)."""
        if self._download_dialog is None:
            dialog = QProgressDialog("Downloading model weights…", "Hide", 0, 0, self)
            dialog.setWindowTitle("First run: downloading models")
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
        self.statusBar().showMessage(text, 8000)

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

        dialog = SettingsDialog(self.context.settings, self.context.catalog.root, self)
        if dialog.exec():
            self.context.apply_settings(dialog.settings)
            self.sync.apply_settings()
            self.health.sync_metrics_toggle()
            if dialog.new_catalog is not None:
                self._switch_catalog(dialog.new_catalog)
            if self.models_page.set_wanted(dialog.settings.models):
                # Search serves the active index's model: a new one takes over only after a re-index.
                self.tabs.setCurrentWidget(self.models_page)
                self.show_message("Settings saved. The new model is not in use yet: re-index with it on the "
                                  "Models page, then promote it")
            else:
                self.show_message("Settings saved")

    @Slot()
    def open_export(self):
        from app.views.export_dialog import ExportDialog

        if self.export_dialog is None or not _alive(self.export_dialog):
            self.export_dialog = ExportDialog(self.context, self)
            self.export_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog.open()
        return self.export_dialog

    @Slot()
    def choose_catalog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a catalog folder", str(self.context.catalog.root.parent))
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
            self.recent_menu.addAction("No other catalogs yet").setEnabled(False)

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
            self.show_message(f"{path} opens the next time Catalog Curator starts")
            return
        self.open_catalog_requested.emit(Path(path))

    @Slot()
    def open_about(self) -> None:
        from app.about import AboutDialog

        dialog = AboutDialog(self.context.models.status if self.context.models.ready else None, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    # --- views (the screenshot command and the View menu) ----------------------------------------
    VIEWS = ("catalog", "search", "review", "queue", "duplicates", "models", "health", "analytics")

    def show_view(self, name: str) -> None:
        """Brings one view to the front: catalog (grid and detail), search (results for the first
        product's look-alikes, once models are ready), review (the first product's review canvas),
        queue (the review queue), duplicates, models, health, analytics."""
        if name not in self.VIEWS:
            raise ValueError(f"unknown view {name!r}; choose one of {', '.join(self.VIEWS)}")
        pages = {"catalog": self.catalog_page, "review": self.catalog_page, "search": self.search,
                 "queue": self.review_queue, "health": self.health, "analytics": self.analytics,
                 "duplicates": self.duplicates, "models": self.models_page}
        self.tabs.setCurrentWidget(pages[name])
        if name in ("catalog", "review", "search") and self.grid.model.rowCount():
            self.grid.view.setCurrentIndex(self.grid.model.index(0, 0))
        if name == "review" and self.detail.review_panel is not None:
            self.detail.tabs.setCurrentWidget(self.detail.review_panel)
        if name == "search":
            self._search_first_when_ready()

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
        images = [self.detail.image, self.search.explanation.query_view, self.search.explanation.match_view]
        return (self.context.models.ready and self.context.thumbnails.idle
                and not any(v.loading for v in images) and not self.search.busy
                and not self.review_queue.busy and not self.review_queue.panel.loading
                and not self.review.busy and not self.health_monitor.busy
                and not self.duplicates.busy and not self.models_page.busy)

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
            self.toast.stop()
            self.sync.stop()
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

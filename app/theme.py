"""The look, in one place: the light and dark palettes, the type scale, the icon set (Phosphor through
qtawesome), the state badges, and the style sheet built from them. Views ask here; none picks a colour.

The theme and the language are the curator's, not the catalog's: they live in appearance.json in the
user's config folder (core.paths.config_dir), read before the window is built.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")  # qtawesome goes through QtPy: never let it pick another binding

from PySide6.QtCore import QObject, QSize, Qt, Signal  # noqa: E402
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPalette  # noqa: E402

log = logging.getLogger(__name__)

THEMES = ("system", "light", "dark")


@dataclass(frozen=True)
class Palette:
    name: str
    window: str  # the frame: toolbar, status bar, side panes
    surface: str  # where content sits: the grid, lists, fields
    surface_alt: str  # hover, alternate rows, chips
    border: str
    text: str
    muted: str  # secondary text: SKUs, hints, captions
    accent: str
    accent_text: str
    selection: str  # a selected tile or row: a tint, text stays readable
    focus: str  # the keyboard focus ring


LIGHT = Palette("light", window="#eeeeec", surface="#fafafa", surface_alt="#e3e3e0", border="#cfcfcb",
                text="#202124", muted="#686c72", accent="#2d6cc0", accent_text="#ffffff", selection="#cfe0f7",
                focus="#2d6cc0")
DARK = Palette("dark", window="#232427", surface="#1b1c1f", surface_alt="#303236", border="#3c3f44",
               text="#e2e3e5", muted="#9a9fa7", accent="#5c9ded", accent_text="#0d1117", selection="#2c4466",
               focus="#7fb4f5")

# The type scale: multiples of the body size (the platform's default, about 10 pt).
TYPE_SCALE = {"small": 0.85, "body": 1.0, "title": 1.2, "heading": 1.5, "display": 1.9}

# Phosphor glyphs (qtawesome "ph." prefix; MIT-licensed font) by what they stand for.
ICONS = {
    "add_folder": "folder-plus", "open": "folder-open", "search": "magnifying-glass", "delete": "trash",
    "undo": "arrow-counter-clockwise", "redo": "arrow-clockwise", "jobs": "list-bullets", "settings": "gear-six",
    "about": "info", "export": "export", "sync": "arrows-clockwise", "quit": "sign-out", "shortcuts": "keyboard",
    "grid": "squares-four", "loupe": "corners-out", "close": "x", "cancel": "x-circle", "similar": "stack",
    "catalog": "squares-four", "analytics": "chart-bar", "review": "check-square", "health": "heartbeat",
    "duplicates": "copy", "models": "cube", "approve": "check-circle", "flag": "flag", "label": "tag",
    "reindex": "arrows-clockwise", "next": "caret-right", "previous": "caret-left", "expand": "caret-up",
    "collapse": "caret-down", "image": "image", "empty": "squares-four", "warning": "warning",
}

# A tile's state badges: glyph and colour (semantic, the same in both themes), each a different shape.
STATE_BADGES = {
    "indexed": ("magnifying-glass", QColor(96, 112, 128)),
    "not_indexed": ("circle-dashed", QColor(128, 128, 128)),
    "error": ("warning", QColor(200, 55, 45)),
    "corrected": ("pencil-simple", QColor(45, 110, 200)),
    "approved": ("check-circle", QColor(38, 150, 80)),
    "flagged": ("flag", QColor(220, 120, 0)),
}


def appearance_path() -> Path:
    from core.paths import config_dir

    return config_dir() / "appearance.json"


def load_appearance() -> dict:
    """{"theme": system|light|dark, "language": en|de|...}; defaults when the file is missing or bad."""
    prefs = {"theme": "system", "language": "en"}
    try:
        data = json.loads(appearance_path().read_text(encoding="utf-8"))
        if data.get("theme") in THEMES:
            prefs["theme"] = data["theme"]
        if isinstance(data.get("language"), str):
            prefs["language"] = data["language"]
    except FileNotFoundError:
        pass
    except (OSError, ValueError, AttributeError) as exc:  # a broken file costs the preference, never the start
        log.warning("ignoring %s: %s", appearance_path(), exc)
    return prefs


def save_appearance(theme: str, language: str) -> None:
    path = appearance_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"theme": theme, "language": language}, indent=2), encoding="utf-8")


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


def resolve(mode: str) -> Palette:
    if mode == "dark" or (mode == "system" and system_is_dark()):
        return DARK
    return LIGHT


class Theme(QObject):
    """The application's theme: `apply(mode)` sets palette, style sheet and icons; `changed` tells views."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mode = "system"
        self.palette = LIGHT
        self._icons: dict[tuple[str, str, str], QIcon] = {}
        hints = QGuiApplication.styleHints()
        if hints is not None:
            hints.colorSchemeChanged.connect(self._system_changed)

    def apply(self, mode: str) -> None:
        if mode not in THEMES:
            raise ValueError(f"unknown theme {mode!r}; choose one of {', '.join(THEMES)}")
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        self.mode = mode
        self.palette = resolve(mode)
        app.setStyle("Fusion")  # the same metrics everywhere, so the style sheet looks alike on every OS
        app.setPalette(qpalette(self.palette))
        self._icons.clear()
        app.setStyleSheet(style_sheet(self.palette, app.font(), self._check_mark()))
        self.changed.emit()

    def _check_mark(self) -> str:
        """A check mark for checkboxes as a PNG file (a style sheet takes images by path only)."""
        import tempfile

        folder = Path(tempfile.gettempdir()) / f"catalog-curator-{os.getuid() if hasattr(os, 'getuid') else 0}"
        path = folder / f"check-{self.palette.name}.png"
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            self.icon("check", self.palette.accent_text).pixmap(28, 28).save(str(path), "PNG")
        return path.as_posix()

    def _system_changed(self, *_args) -> None:
        if self.mode == "system":
            self.apply("system")

    @property
    def dark(self) -> bool:
        return self.palette is DARK

    def icon(self, key: str, color: str | QColor | None = None) -> QIcon:
        """The icon for `key` (see ICONS, or a Phosphor glyph name) in the theme's text colour."""
        glyph = ICONS.get(key, key)
        colour = QColor(color).name() if color is not None else self.palette.text
        cache_key = (glyph, colour, self.palette.name)
        if cache_key not in self._icons:
            self._icons[cache_key] = _qta_icon(glyph, colour, self.palette.muted)
        return self._icons[cache_key]


ICON_SIZES = (12, 16, 20, 24, 32, 48, 64)  # the sizes rendered once per icon (Qt scales between them)


def _qta_icon(glyph: str, colour: str, disabled: str) -> QIcon:
    """The Phosphor glyph as a plain QIcon of pixmaps rendered once: qtawesome's icon engine paints in Python on
    every repaint (a tile's badges, every toolbar redraw); rendered once, painting stays in C++."""
    try:
        import qtawesome

        source = qtawesome.icon(f"ph.{glyph}", color=colour, color_disabled=disabled)
    except Exception as exc:  # noqa: BLE001 - a missing font must not stop the window: the action keeps its words
        log.warning("icon %s unavailable: %s", glyph, exc)
        return QIcon()
    out = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Disabled):
        for size in ICON_SIZES:
            for ratio in (1.0, 2.0):
                pixmap = source.pixmap(QSize(round(size * ratio), round(size * ratio)), mode)
                pixmap.setDevicePixelRatio(ratio)
                out.addPixmap(pixmap, mode)
    return out


_theme: Theme | None = None


def theme() -> Theme:
    """The one Theme of this process (made on first use, after the QApplication)."""
    global _theme
    if _theme is None:
        _theme = Theme()
    return _theme


def icon(key: str, color: str | QColor | None = None) -> QIcon:
    return theme().icon(key, color)


def font(role: str = "body", base: QFont | None = None, bold: bool = False) -> QFont:
    """A font of the type scale (small, body, title, heading, display)."""
    from PySide6.QtWidgets import QApplication

    f = QFont(base if base is not None else QApplication.font())
    size = f.pointSizeF() if f.pointSizeF() > 0 else 10.0
    f.setPointSizeF(size * TYPE_SCALE[role])
    if bold:
        f.setBold(True)
    return f


def qpalette(p: Palette) -> QPalette:
    pal = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {
        role.Window: p.window, role.WindowText: p.text, role.Base: p.surface, role.AlternateBase: p.surface_alt,
        role.Text: p.text, role.Button: p.window, role.ButtonText: p.text, role.ToolTipBase: p.surface,
        role.ToolTipText: p.text, role.Highlight: p.selection, role.HighlightedText: p.text,
        role.PlaceholderText: p.muted, role.Link: p.accent, role.BrightText: p.accent_text, role.Mid: p.border,
        role.Midlight: p.surface_alt, role.Dark: p.border, role.Shadow: "#000000", role.Light: p.surface,
        role.Accent: p.accent,
    }
    for r, c in colours.items():
        pal.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(group.Disabled, r, QColor(p.muted))
    return pal


def style_sheet(p: Palette, base: QFont, check_mark: str = "") -> str:
    """The application's style sheet: flat, quiet surfaces, one accent, a visible focus ring."""
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    small = f"{size * TYPE_SCALE['small']:.1f}pt"
    return f"""
QMainWindow, QDialog {{ background: {p.window}; }}
QToolBar {{ background: {p.window}; border: none; border-bottom: 1px solid {p.border}; spacing: 2px;
    padding: 3px 6px; }}
QToolBar QToolButton {{ border: 1px solid transparent; border-radius: 5px; padding: 3px 6px; color: {p.text}; }}
QToolBar QToolButton:hover {{ background: {p.surface_alt}; }}
QToolBar QToolButton:checked {{ background: {p.selection}; }}
QToolBar QToolButton:focus {{ border: 2px solid {p.focus}; }}
QToolBar QToolButton:disabled {{ color: {p.muted}; }}
QMenuBar {{ background: {p.window}; color: {p.text}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: {p.selection}; color: {p.text}; }}
QMenu {{ background: {p.surface}; color: {p.text}; border: 1px solid {p.border}; padding: 4px; }}
QMenu::item {{ padding: 4px 22px 4px 8px; border-radius: 4px; }}
QMenu::separator {{ height: 1px; background: {p.border}; margin: 4px 6px; }}
QTabWidget::pane {{ border: none; border-top: 1px solid {p.border}; }}
QTabBar::tab {{ background: transparent; color: {p.muted}; padding: 6px 14px; border: none;
    border-bottom: 2px solid transparent; }}
QTabBar::tab:selected {{ color: {p.text}; border-bottom: 2px solid {p.accent}; }}
QTabBar::tab:hover {{ color: {p.text}; }}
QTabBar::tab:focus {{ background: {p.selection}; }}
QPushButton {{ background: {p.surface}; color: {p.text}; border: 1px solid {p.border}; border-radius: 5px;
    padding: 4px 12px; }}
QPushButton:hover {{ background: {p.surface_alt}; }}
QPushButton:pressed, QPushButton:checked {{ background: {p.selection}; }}
QPushButton:focus {{ border: 2px solid {p.focus}; padding: 3px 11px; }}
QPushButton:disabled {{ color: {p.muted}; background: {p.window}; }}
QPushButton#primary {{ background: {p.accent}; color: {p.accent_text}; border-color: {p.accent}; }}
QToolButton#chip {{ border: 1px solid {p.border}; border-radius: 11px; padding: 2px 10px; color: {p.text};
    background: {p.surface}; }}
QToolButton#chip:hover {{ background: {p.surface_alt}; }}
QToolButton#chip:checked {{ background: {p.accent}; color: {p.accent_text}; border-color: {p.accent}; }}
QToolButton#chip:focus {{ border: 2px solid {p.focus}; padding: 1px 9px; }}
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox, QPlainTextEdit, QTextEdit {{ background: {p.surface};
    color: {p.text}; border: 1px solid {p.border}; border-radius: 5px; padding: 3px 6px;
    selection-background-color: {p.accent}; selection-color: {p.accent_text}; }}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QDoubleSpinBox:focus, QPlainTextEdit:focus,
QTextEdit:focus {{ border: 2px solid {p.focus}; padding: 2px 5px; }}
QComboBox QAbstractItemView {{ background: {p.surface}; color: {p.text}; selection-background-color: {p.selection};
    selection-color: {p.text}; }}
QListView, QTreeView, QTableView, QListWidget, QTreeWidget, QTableWidget {{ background: {p.surface};
    color: {p.text}; border: 1px solid {p.border}; border-radius: 4px; alternate-background-color: {p.surface_alt}; }}
QListView:focus, QTreeView:focus, QTableView:focus {{ border: 2px solid {p.focus}; }}
QScrollArea {{ border: none; }}
QHeaderView::section {{ background: {p.window}; color: {p.muted}; border: none;
    border-bottom: 1px solid {p.border}; padding: 4px 6px; }}
QSplitter::handle {{ background: {p.border}; }}
QSplitter::handle:horizontal {{ width: 1px; }}
QSplitter::handle:vertical {{ height: 1px; }}
QStatusBar {{ background: {p.window}; color: {p.muted}; border-top: 1px solid {p.border}; }}
QStatusBar QLabel {{ color: {p.muted}; }}
QProgressBar {{ background: {p.surface_alt}; border: none; border-radius: 3px; color: {p.text};
    text-align: center; font-size: {small}; }}
QProgressBar::chunk {{ background: {p.accent}; border-radius: 3px; }}
QSlider::groove:horizontal {{ height: 4px; background: {p.surface_alt}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {p.accent}; width: 12px; margin: -5px 0; border-radius: 6px; }}
QSlider::handle:horizontal:focus {{ border: 2px solid {p.focus}; }}
QCheckBox:focus, QRadioButton:focus {{ color: {p.accent}; }}
QCheckBox::indicator, QTreeView::indicator, QListView::indicator {{ width: 14px; height: 14px;
    border: 1px solid {p.muted}; border-radius: 3px; background: {p.surface}; }}
QCheckBox::indicator:checked, QTreeView::indicator:checked, QListView::indicator:checked {{
    background: {p.accent}; border-color: {p.accent}; image: url({check_mark}); }}
QCheckBox::indicator:disabled {{ border-color: {p.border}; background: {p.window}; }}
QToolTip {{ background: {p.surface}; color: {p.text}; border: 1px solid {p.border}; padding: 4px; }}
QDockWidget::title {{ background: {p.window}; padding: 4px 8px; }}
QGroupBox {{ border: 1px solid {p.border}; border-radius: 6px; margin-top: 14px; padding-top: 6px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {p.muted}; }}
QFrame#toast {{ background: {p.surface}; border: 1px solid {p.border}; border-radius: 8px; }}
QFrame#job-strip {{ background: {p.window}; border: none; border-top: 1px solid {p.border}; }}
QFrame#not-indexed-banner {{ background: {p.selection}; border: none; border-bottom: 1px solid {p.border}; }}
QLabel#muted, QLabel#caption {{ color: {p.muted}; }}
QLabel#empty-title {{ color: {p.text}; }}
QLabel#empty-hint {{ color: {p.muted}; }}
QWidget#loupe {{ background: {"#111214" if p is DARK else "#2a2b2e"}; }}
QWidget#loupe QLabel, QWidget#loupe QToolButton {{ color: #e2e3e5; }}
QWidget#loupe QToolButton:hover {{ background: #3a3c40; }}
QWidget#loupe QToolButton:focus {{ border: 2px solid {p.focus}; }}
QWidget#loupe QListWidget {{ background: transparent; border: none; color: #e2e3e5; }}
"""

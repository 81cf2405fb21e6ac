"""The app's languages: Qt translation files (resources/i18n/catalog_curator_<lang>.qm, built from the .ts
sources by `make translations`) and Qt's own strings (standard buttons, dialogs) for the same language."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"
# Every language the app ships, in its own name (the Settings list shows these words untranslated).
LANGUAGES = {"en": "English", "de": "Deutsch"}

_installed: list[QTranslator] = []


def qm_path(language: str) -> Path:
    return I18N_DIR / f"catalog_curator_{language}.qm"


def install(language: str) -> bool:
    """Translate the app into `language` from now on (widgets built afterwards); False when there is no
    file for it (the app then speaks English and says so in the log)."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(QLocale(language))
    if language not in LANGUAGES:
        log.warning("no translation for %r; choose one of %s", language, ", ".join(LANGUAGES))
        return False
    ours = QTranslator(app)
    # English has a file too: its plural forms ("1 product", "2 products") for the "%n products" sources.
    if not ours.load(str(qm_path(language))):
        log.warning("cannot load %s; the app speaks English without its plural forms", qm_path(language))
        return language == "en"
    app.installTranslator(ours)
    _installed.append(ours)
    if language == "en":
        return True
    qt = QTranslator(app)  # Qt's own words: OK/Cancel, file dialogs
    if qt.load(QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return True


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """QCoreApplication.translate under the name lupdate looks for; `n` picks the plural form of "%n"."""
    return QCoreApplication.translate(context, text, disambiguation, n)

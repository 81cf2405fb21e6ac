"""Logging for the desktop app: a rotating log file, Qt's own messages, and uncaught exceptions
(any thread) relayed to the GUI thread as a signal so an error dialog can show them."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, QtMsgType, Signal, qInstallMessageHandler

from core.paths import log_dir

LOG_NAME = "catalog-curator.log"
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
qt_log = logging.getLogger("qt")
log = logging.getLogger("app")


class ErrorRelay(QObject):
    """Created in the GUI thread; `error` emitted from any thread is delivered there (queued)."""

    error = Signal(str, str)  # summary, details


_state: dict = {"relay": None, "handler": None, "previous": None}


def log_file() -> Path:
    return log_dir() / LOG_NAME


def setup_logging(level: int = logging.INFO) -> Path:
    """Send the root logger to a rotating file in the user's log folder; returns the file."""
    path = log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    if _state["handler"] is None:
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=5 << 20, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"))
        root.addHandler(handler)
        _state["handler"] = handler
    root.setLevel(min(root.level or level, level))
    qInstallMessageHandler(_qt_message)
    return path


def _qt_message(mode: QtMsgType, context, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(mode, logging.INFO), "%s", message)


def report_text(summary: str, details: str) -> str:
    """What "Copy report" puts on the clipboard: the error, versions, and where the log is."""
    import platform

    import core

    return (f"Catalog Curator {core.__version__} on Python {platform.python_version()} ({platform.platform()})\n"
            f"Log: {log_file()}\n\n{summary}\n\n{details}")


def install_excepthooks(relay: ErrorRelay) -> None:
    """Uncaught exceptions in any thread are logged and shown; the app keeps running."""
    _state["relay"] = relay
    _state["previous"] = (sys.excepthook, threading.excepthook)
    sys.excepthook = _sys_hook
    threading.excepthook = _thread_hook


def uninstall_excepthooks() -> None:
    previous = _state.get("previous")
    if previous:
        sys.excepthook, threading.excepthook = previous
    _state["relay"] = None
    _state["previous"] = None


def handle_exception(exc_type, exc, tb, where: str = "") -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        return
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("uncaught exception%s:\n%s", f" in {where}" if where else "", details)
    relay = _state.get("relay")
    if relay is not None:
        with contextlib.suppress(RuntimeError):  # the relay is gone at shutdown; the log has it
            relay.error.emit(f"{exc_type.__name__}: {exc}", details)


def _sys_hook(exc_type, exc, tb) -> None:
    handle_exception(exc_type, exc, tb)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    name = args.thread.name if args.thread else "a thread"
    handle_exception(args.exc_type, args.exc_value, args.exc_traceback, where=name)


def close_logging() -> None:
    handler = _state.get("handler")
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()
        _state["handler"] = None
    qInstallMessageHandler(None)

"""Finding model weights: an explicit file, the user's model cache, or a bounded download; else a clear reason.

Order for every name: an existing path → a file of that name in the model cache
(`core.paths.model_cache_dir()`) → a download through the library's own mechanism (ultralytics'
`attempt_download_asset` for YOLO, the Hugging Face hub for open_clip) when downloads are allowed and
the process is not offline. Anything else raises `WeightsUnavailable`, whose message names the file
and the exact place to put it. Downloads never hang: a short TCP probe of the host comes first.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

from core.fileio import file_sha256
from core.paths import config_dir, model_cache_dir

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
CLIP_PREFIX = "open_clip:"
CLIP_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
PROBE_TIMEOUT_S = 3.0
_WE_SET_YOLO_OFFLINE = "_CATALOG_CURATOR_SET_YOLO_OFFLINE"


class WeightsUnavailable(RuntimeError):
    """Weights that are neither on disk nor downloadable; the message says what to put where."""

    def __init__(self, name: str, target: Path, reason: str, source: str = "") -> None:
        self.name, self.target, self.reason, self.source = name, Path(target), reason, source
        where = f" (from {source})" if source else ""
        super().__init__(f"Model weights {name!r} are not available: {reason}. "
                         f"Put the file{where} at {self.target} and try again.")


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def prepare_ultralytics() -> None:
    """Keep ultralytics quiet and local; must run before `import ultralytics`.

    It would otherwise do DNS look-ups at import and write settings to ~/.config.
    """
    os.environ.setdefault("YOLO_CONFIG_DIR", str(config_dir() / "ultralytics"))
    Path(os.environ["YOLO_CONFIG_DIR"]).mkdir(parents=True, exist_ok=True)
    if "YOLO_OFFLINE" not in os.environ:
        os.environ["YOLO_OFFLINE"] = "1"
        os.environ[_WE_SET_YOLO_OFFLINE] = "1"
    os.environ.setdefault("YOLO_VERBOSE", "False")


def yolo_offline() -> bool:
    """True when the user (not our import guard) asked ultralytics to stay offline."""
    return env_flag("YOLO_OFFLINE") and not env_flag(_WE_SET_YOLO_OFFLINE)


def hf_offline() -> bool:
    return env_flag("HF_HUB_OFFLINE") or env_flag("TRANSFORMERS_OFFLINE")


def reachable(host: str, port: int = 443, timeout: float = PROBE_TIMEOUT_S) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def short_sha256(path: Path, n: int = 8) -> str:
    """The first n hex digits of a file's sha256, memoised by path, size and mtime."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _SHA_CACHE:
        _SHA_CACHE[key] = file_sha256(path)
    return _SHA_CACHE[key][:n]


def clip_weights_name(model_name: str, pretrained: str) -> str:
    """The name `resolve_weights` understands for an open_clip model and pretrained tag."""
    return f"{CLIP_PREFIX}{model_name}/{pretrained}"


def clip_cache_stem(model_name: str, pretrained: str) -> str:
    return f"{model_name}-{pretrained}".replace("/", "_")


def default_weights_name(kind: str) -> str:
    """The weights a fresh catalog asks for: "clip" (the default open_clip model) or "detector" (YOLO)."""
    from core.settings import ModelSettings

    defaults = ModelSettings()
    if kind == "clip":
        return clip_weights_name(defaults.clip_model, defaults.clip_pretrained)
    if kind == "detector":
        return defaults.detector_weights
    raise ValueError(f"unknown model kind {kind!r}: clip or detector")


def resolve_weights(name_or_path: str | os.PathLike, *, cache_dir: Path | None = None,
                    allow_download: bool = True, progress: Progress | None = None) -> Path:
    """The local file for a weights name or path (see the module docstring for the order).

    Names: an ultralytics asset such as "yolo11n.pt", or `clip_weights_name(model, tag)`.
    """
    cache = Path(cache_dir) if cache_dir is not None else model_cache_dir()
    text = os.fspath(name_or_path).strip()
    if not text:
        raise ValueError("an empty weights name")
    if text.startswith(CLIP_PREFIX):
        model_name, _, tag = text[len(CLIP_PREFIX):].rpartition("/")
        return _resolve_clip(model_name, tag, cache, allow_download, progress)
    path = Path(text).expanduser()
    if path.exists() and not path.is_file():
        from core.models.trust import require_regular

        require_regular(path)  # a FIFO or device: say so instead of opening it (that would block)
    if path.is_file():
        return path
    cached = cache / path.name
    if cached.is_file():
        return cached
    if path.parent != Path(".") or path.is_absolute():
        # An explicit path the user chose: never replace it with a download of another file.
        raise WeightsUnavailable(path.name, path, "the file does not exist")
    return _download_yolo(path.name, cached, allow_download, progress)


def _download_yolo(name: str, target: Path, allow_download: bool, progress: Progress | None) -> Path:
    prepare_ultralytics()
    source = f"{name} from https://github.com/ultralytics/assets/releases"
    if not allow_download:
        raise WeightsUnavailable(name, target, "downloads are turned off in the settings", source)
    if yolo_offline():
        raise WeightsUnavailable(name, target, "YOLO_OFFLINE is set", source)
    from ultralytics.utils.downloads import GITHUB_ASSETS_NAMES, attempt_download_asset

    if name not in GITHUB_ASSETS_NAMES:
        raise WeightsUnavailable(name, target, "it is not a file ultralytics publishes", source)
    if not reachable("github.com"):
        raise WeightsUnavailable(name, target, "github.com cannot be reached (offline?)", source)
    target.parent.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(0, 1, f"downloading {name}")
    try:
        got = Path(attempt_download_asset(target))
    except Exception as exc:  # ultralytics raises several kinds; the user needs one story
        target.unlink(missing_ok=True)
        raise WeightsUnavailable(name, target, f"the download failed ({exc})", source) from exc
    if not got.is_file():
        raise WeightsUnavailable(name, target, "the download produced no file", source)
    from core.models.trust import trust

    trust(got, source=f"download: {source}")  # fetched by this program from the publisher: may be unpickled
    if progress:
        progress(1, 1, f"downloaded {name}")
    return got


def _resolve_clip(model_name: str, tag: str, cache: Path, allow_download: bool,
                  progress: Progress | None) -> Path:
    stem = clip_cache_stem(model_name, tag)
    for suffix in CLIP_SUFFIXES:
        candidate = cache / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    target = cache / f"{stem}.safetensors"
    import open_clip

    cfg = open_clip.get_pretrained_cfg(model_name, tag)
    if not cfg:
        raise WeightsUnavailable(f"{model_name}/{tag}", target,
                                 f"open_clip knows no pretrained tag {tag!r} for {model_name!r}")
    hub = cfg.get("hf_hub", "")
    repo_id = hub.rstrip("/") if hub.endswith("/") else os.path.dirname(hub)
    filename = "" if hub.endswith("/") else os.path.basename(hub)
    source = (f"{filename or 'open_clip_model.safetensors'} from https://huggingface.co/{repo_id}" if repo_id
              else cfg.get("url", ""))
    name = f"{model_name}/{tag}"
    if not allow_download:
        raise WeightsUnavailable(name, target, "downloads are turned off in the settings", source)
    if hf_offline():
        raise WeightsUnavailable(name, target, "HF_HUB_OFFLINE is set", source)
    if not repo_id:
        raise WeightsUnavailable(name, target, "it is not published on the Hugging Face hub", source)
    if not reachable("huggingface.co"):
        raise WeightsUnavailable(name, target, "huggingface.co cannot be reached (offline?)", source)
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "30")
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "10")
    if progress:
        progress(0, 1, f"downloading {name}")
    try:
        from open_clip.pretrained import download_pretrained_from_hf

        got = Path(download_pretrained_from_hf(repo_id, filename=filename or None,
                                               cache_dir=str(cache / "hf")))
    except Exception as exc:
        raise WeightsUnavailable(name, target, f"the download failed ({exc})", source) from exc
    final = cache / f"{stem}{got.suffix if got.suffix in CLIP_SUFFIXES else '.bin'}"
    final.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(got, final)
    if progress:
        progress(1, 1, f"downloaded {name}")
    return final

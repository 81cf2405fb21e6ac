"""The model registry: loads the embedder and detector lazily from settings, reports their state, frees them.

One registry belongs to one thread (the app's model thread): its methods take no locks, and its
detectors must not be used from other threads (ultralytics models keep per-call state). Work that runs
beside a job's model call on a second thread (the app's interactive lane) uses `lane()`: the same
embedder (ONNX Runtime sessions and torch modules in inference mode are safe to call from two threads)
and query cache, with detectors of its own.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import torch

from core.models.device import available_devices, free_device_memory
from core.models.embedders import EfficientNetLiteEmbedder, Embedder, OpenClipEmbedder
from core.models.state import SlotState, SlotStatus
from core.models.threads import apply as apply_thread_policy
from core.models.weights import WeightsUnavailable, clip_weights_name, resolve_weights
from core.paths import model_cache_dir
from core.settings import ModelSettings

log = logging.getLogger(__name__)

EMBEDDER_CHOICES = ("open_clip", "efficientnet-lite0")


class _Slot:
    """What the registry knows about one model."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.state = SlotState.NOT_LOADED
        self.reason = ""
        self.device = ""
        self.version = ""
        self.weights = ""

    def to_dict(self) -> dict[str, str]:
        return SlotStatus(self.name, self.state, self.reason, self.device, self.version, self.weights).to_dict()


QUERY_CACHE_SIZE = 256


class QueryCache:
    """A thread-safe LRU of encoded queries; keys name everything the encoding depends on."""

    def __init__(self, size: int = QUERY_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple):
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: tuple, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


class ModelRegistry:
    def __init__(self, settings: ModelSettings, cache_dir: Path | None = None, progress=None) -> None:
        self.settings = settings
        self.cache_dir = Path(cache_dir) if cache_dir is not None else model_cache_dir()
        self.progress = progress
        self._embedder: Embedder | None = None
        self._detector = None
        self._detector_tried = False
        self._product_detector = None  # the catalog's own trained detector (core.ops.product_detector)
        self._emb = _Slot(settings.embedder)
        self._det = _Slot(Path(settings.detector_weights).name if settings.detector_weights else "")
        self._prod = _Slot("")
        self.fallback_reason = ""  # why the embedder is not the one the settings asked for
        self.query_cache = QueryCache()  # encoded queries (core.search.encode), keyed by model version + hash
        self.threads = apply_thread_policy()  # before any model runs: see core/models/threads.py
        self._lane: LaneRegistry | None = None

    # -- embedder ---------------------------------------------------------------------------------
    def embedder(self) -> Embedder:
        """The embedder the settings ask for, loaded on first use; EfficientNet-Lite0 when CLIP has no weights."""
        if self._embedder is not None:
            return self._embedder
        choice = self.settings.embedder
        if choice not in EMBEDDER_CHOICES:
            raise ValueError(f"unknown embedder {choice!r}; choose one of {', '.join(EMBEDDER_CHOICES)}")
        if choice == "open_clip":
            try:
                self._embedder = self._load_clip()
            except (WeightsUnavailable, FileNotFoundError) as exc:
                self.fallback_reason = f"CLIP weights unavailable: {exc}"
                log.warning("%s; falling back to EfficientNet-Lite0 (image only)", self.fallback_reason)
            except Exception as exc:  # a damaged or mismatched checkpoint: say so, keep working
                self.fallback_reason = f"CLIP could not be loaded: {type(exc).__name__}: {exc}"
                log.exception("CLIP could not be loaded; falling back to EfficientNet-Lite0 (image only)")
        if self._embedder is None:
            self._embedder = self._load_efficientnet()
        if self.settings.adapter:
            self._embedder = self._adapt(self._embedder)
        emb = self._embedder
        self._emb.name, self._emb.state, self._emb.reason = emb.name, SlotState.LOADED, self.fallback_reason
        self._emb.device, self._emb.version = emb.device, emb.model_version
        self._emb.weights = str(emb.weights_path or "")
        return emb

    def _load_clip(self) -> OpenClipEmbedder:
        s = self.settings
        if s.clip_checkpoint:
            weights = resolve_weights(s.clip_checkpoint, cache_dir=self.cache_dir, allow_download=False)
            tag = s.clip_pretrained if not Path(s.clip_pretrained).exists() else ""
        else:
            arch = Path(s.clip_model).stem if s.clip_model.lower().endswith(".json") else s.clip_model
            weights = resolve_weights(clip_weights_name(arch, s.clip_pretrained), cache_dir=self.cache_dir,
                                      allow_download=s.allow_download, progress=self.progress)
            tag = s.clip_pretrained
        return OpenClipEmbedder(s.clip_model, str(weights), device=s.device, tag=tag, accel=s.cpu_accel,
                                accel_cache=self.cache_dir / "accel")

    def _adapt(self, base: Embedder) -> Embedder:
        """The embedder with its adapter; an adapter that cannot load fails loudly (its index needs it)."""
        from core.models.adapter import AdaptedEmbedder, Adapter

        try:
            return AdaptedEmbedder(base, Adapter.load(self.settings.adapter))  # type: ignore[return-value]
        except Exception:
            base.close()
            raise

    def _load_efficientnet(self) -> EfficientNetLiteEmbedder:
        emb = EfficientNetLiteEmbedder(device=self.settings.device)
        if self.fallback_reason:
            emb.text_unavailable_reason = (f"{emb.text_unavailable_reason}; {self.fallback_reason}")
        return emb

    # -- detector ---------------------------------------------------------------------------------
    def detector(self):
        """The YOLO detector, or None (see `detector_reason()`): disabled or weights unavailable."""
        if self._detector is not None or self._detector_tried:
            return self._detector
        self._detector_tried = True
        s = self.settings
        if not s.detector_enabled or not s.detector_weights:
            self._det.state, self._det.reason = SlotState.DISABLED, "the detector is turned off in the settings"
            return None
        try:
            weights = resolve_weights(s.detector_weights, cache_dir=self.cache_dir,
                                      allow_download=s.allow_download, progress=self.progress)
            self._detector = _open_detector(weights, device=s.device, confidence=s.detector_confidence)
        except Exception as exc:  # missing, damaged or incompatible weights all leave the fallback boxes
            self._det.state, self._det.reason = SlotState.UNAVAILABLE, str(exc)
            log.warning("no detector: %s; crops come from the plain-background fallback", exc)
            return None
        d = self._detector
        self._det.state, self._det.reason, self._det.device = SlotState.LOADED, "", d.device
        self._det.version, self._det.weights = d.model_version, str(d.weights_path)
        return d

    def product_detector(self, weights: Path | str | None):
        """The catalog's trained product detector at `weights` (reloaded when the path changes), or None."""
        if weights is None:
            return None
        weights = Path(weights)
        if self._product_detector is not None and self._product_detector.weights_path == weights:
            return self._product_detector
        self._product_detector, error = _reopen_product_detector(self._product_detector, weights, self.settings.device)
        if error is not None:  # missing, damaged or untrusted: in-scene search keeps the proposals
            self._prod.name, self._prod.state, self._prod.reason = weights.name, SlotState.UNAVAILABLE, str(error)
            log.warning("no product detector: %s", error)
            return None
        d = self._product_detector
        self._prod.name, self._prod.state, self._prod.reason, self._prod.device = weights.name, SlotState.LOADED, "", d.device
        self._prod.version, self._prod.weights = d.model_version, str(weights)
        return d

    def detector_reason(self) -> str:
        return self._det.reason

    def lane(self) -> LaneRegistry | None:
        """This registry as a second thread may use it beside the owner's calls, or None until the owner
        has loaded the embedder and tried the detector (the lane must never load shared models itself)."""
        if self._embedder is None or not self._detector_tried:
            return None
        if self._lane is None:
            self._lane = LaneRegistry(self)
        return self._lane

    # -- state ------------------------------------------------------------------------------------
    @property
    def text_available(self) -> bool:
        return bool(self._embedder is not None and self._embedder.supports_text)

    def status(self) -> dict[str, Any]:
        """A JSON-able picture of the models: state, reason, device, version and weights of each."""
        emb = self._emb.to_dict()
        emb["requested"] = self.settings.embedder
        if self._embedder is not None:
            e = self._embedder
            emb["supports_text"] = e.supports_text
            emb["text_unavailable_reason"] = "" if e.supports_text else e.text_unavailable_reason
            emb["dim"] = e.dim
            emb["accel"] = getattr(e, "accel", "")  # the CPU mode the image tower really runs in
            emb["accel_plan"] = getattr(e, "accel_plan", "")  # why auto tried what it tried on this CPU
        return {"embedder": emb, "detector": self._det.to_dict(), "product_detector": self._prod.to_dict(),
                "torch": torch.__version__,
                "devices": available_devices(), "device_setting": self.settings.device,
                "cache_dir": str(self.cache_dir), "threads": self.threads.to_dict()}

    def close(self) -> None:
        """Free every model (and the CUDA cache); a later call to embedder()/detector() loads again."""
        if self._lane is not None:  # the owner closes only when no lane work runs (app.workers.model_thread)
            self._lane.close()
            self._lane = None
        for model in (self._embedder, self._detector, self._product_detector):
            if model is not None:
                model.close()
        self._embedder = self._detector = self._product_detector = None
        self._detector_tried = False
        self.query_cache.clear()
        for slot in (self._emb, self._det, self._prod):
            if slot.state is SlotState.LOADED:
                slot.state = SlotState.NOT_LOADED
        free_device_memory()

    def __enter__(self) -> ModelRegistry:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _open_detector(weights: Path | str, **options):
    from core.models.detector import Detector
    from core.models.threads import keep_ultralytics_in_policy

    keep_ultralytics_in_policy()  # its first prediction would otherwise reset torch's threads
    return Detector(weights, **options)


def _open_product_detector(weights: Path, device: str):
    # Low confidence: its boxes are regions to embed, ranked by score; the catalog decides the match.
    return _open_detector(weights, device=device, confidence=0.05, max_det=8)


def _reopen_product_detector(current, weights: Path, device: str):
    """Close `current` (another file's detector, or None) and open the one at `weights`: (detector, None),
    or (None, the error) when it is missing, damaged or untrusted."""
    if current is not None:
        current.close()
    try:
        return _open_product_detector(weights, device), None
    except Exception as exc:  # noqa: BLE001 - the caller reports it and search keeps the proposals
        return None, exc


class LaneRegistry:
    """A registry's models for one second thread (the interactive lane): the owner's embedder and query
    cache, shared; detectors of its own, opened from the same weights on that thread at first use (an
    ultralytics model must not run on two threads at once). The lane's calls follow the same threading
    policy (core/models/threads.py). Closed by the owner's close(), never while lane work runs."""

    def __init__(self, owner: ModelRegistry) -> None:
        self._owner = owner
        self.settings = owner.settings
        self.query_cache = owner.query_cache
        self.threads = owner.threads
        self._detector = None
        self._detector_tried = False
        self._product_detector = None

    def embedder(self) -> Embedder:
        embedder = self._owner._embedder
        if embedder is None:
            raise RuntimeError("the models are not loaded")
        return embedder

    @property
    def text_available(self) -> bool:
        return self._owner.text_available

    def detector(self):
        """A twin of the owner's detector (same weights, device and settings), or None as the owner has none."""
        if not self._detector_tried:
            self._detector_tried = True
            shared = self._owner._detector
            if shared is not None:
                self._detector = _open_detector(shared.weights_path, device=self.settings.device,
                                                confidence=shared.confidence, imgsz=shared.imgsz,
                                                max_det=shared.max_det)
        return self._detector

    def detector_reason(self) -> str:
        return self._owner.detector_reason()

    def product_detector(self, weights: Path | str | None):
        """The catalog's trained detector at `weights`, this thread's own instance, or None."""
        if weights is None:
            return None
        weights = Path(weights)
        if self._product_detector is None or self._product_detector.weights_path != weights:
            self._product_detector, error = _reopen_product_detector(self._product_detector, weights,
                                                                     self.settings.device)
            if error is not None:  # as the owner: in-scene search keeps the proposals
                log.warning("no product detector in the interactive lane: %s", error)
        return self._product_detector

    def status(self) -> dict[str, Any]:
        return self._owner.status()

    def close(self) -> None:
        for model in (self._detector, self._product_detector):
            if model is not None:
                model.close()
        self._detector = self._product_detector = None
        self._detector_tried = False

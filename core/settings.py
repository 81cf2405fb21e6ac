"""One typed settings object per catalog, with its own schema version and migrations."""

from __future__ import annotations

import json
import math
import re
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from core.fileio import atomic_write

SETTINGS_VERSION = 1


class SettingsError(ValueError):
    """A settings value of the wrong type or out of range; the message names the field (e.g. ``s3.bucket``)."""


def _field(default: Any, *, choices: tuple[str, ...] = (), lo: float | None = None, hi: float | None = None,
           pattern: str = "", hint: str = "") -> Any:
    """A settings field with the values it accepts (checked on construction and on load)."""
    return field(default=default, metadata={"choices": choices, "lo": lo, "hi": hi, "pattern": pattern,
                                                 "hint": hint})


class _Checked:
    """Checks every field's type and range after construction, so a bad value never reaches the code."""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            setattr(self, f.name, _check(f.name, hints[f.name], value, f.metadata))


def _type_name(value: Any) -> str:
    return "an object" if isinstance(value, dict) else f"{type(value).__name__} {value!r}"


def _check(name: str, kind: Any, value: Any, meta: Any) -> Any:
    if is_dataclass(kind):
        if not isinstance(value, kind):
            raise SettingsError(f"settings field {name!r} must be an object of {kind.__name__} fields, "
                                f"not {_type_name(value)}")
        return value
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        value = float(value) if ok else value
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise SettingsError(f"settings field {name!r} must be {kind.__name__}, not {_type_name(value)}")
    if meta.get("choices") and value not in meta["choices"]:
        raise SettingsError(f"settings field {name!r} is {value!r}; choose one of {', '.join(meta['choices'])}")
    if meta.get("pattern") and not re.fullmatch(meta["pattern"], value):
        raise SettingsError(f"settings field {name!r} is {value!r}; expected {meta.get('hint') or meta['pattern']}")
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f"between {lo} and {hi}" if lo is not None and hi is not None else (
            f"at least {lo}" if lo is not None else f"at most {hi}")
        raise SettingsError(f"settings field {name!r} is {value!r}; it must be {bounds}")
    return value


@dataclass
class ModelSettings(_Checked):
    # "efficientnet-lite0" works offline out of the box; "open_clip" needs weights.
    embedder: str = _field("open_clip", choices=("open_clip", "efficientnet-lite0"))
    clip_model: str = "ViT-B-32"
    clip_pretrained: str = "laion2b_s34b_b79k"
    clip_checkpoint: str = ""  # a local file that overrides the pretrained tag
    detector_weights: str = "yolo11n.pt"
    detector_enabled: bool = True
    detector_confidence: float = _field(0.25, lo=0.0, hi=1.0)
    device: str = _field("auto", pattern=r"auto|cpu|mps|cuda(:\d+)?", hint="auto, cpu, mps, cuda or cuda:N")
    batch_size: int = _field(32, lo=1, hi=4096)
    allow_download: bool = True
    # CPU inference of the CLIP image tower: auto tries int8 ONNX Runtime, then bf16, then fp32, keeping
    # the first whose vectors stay within cosine 0.99 of fp32 (core.models.accel). "fp32" turns it off.
    cpu_accel: str = _field("auto", choices=("auto", "fp32", "bf16", "int8-ort"))
    # A catalog-trained adapter (core.models.adapter) after the embedder: "" none, else its .npz file.
    adapter: str = ""
    # How a product is found in a scene (no plain background): the catalog-scored proposals, the catalog's own
    # trained detector (`models train-detector`), or both; auto = the detector when one is promoted.
    localiser: str = _field("auto", choices=("auto", "proposals", "detector", "fused"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSettings:
        """The model settings stored with an index (VectorIndexInfo.model_settings), checked like any settings."""
        return _build(cls, data, "models")


@dataclass
class PreprocessSettings(_Checked):
    expand_ratio: float = _field(0.15, lo=0.10, hi=0.20)


@dataclass
class QualitySettings(_Checked):
    min_side: int = _field(32, lo=1)
    min_area_share: float = _field(0.01, lo=0.0, hi=1.0)
    min_aspect: float = _field(0.15, lo=0.0)
    max_aspect: float = _field(6.67, lo=0.0)
    min_sharpness: float = _field(30.0, lo=0.0)  # real photos: lowest 146; Gaussian blur sigma 4: highest 26
    max_noise: float = _field(15.0, lo=0.0)  # real photos: highest 5.0; added noise sigma 35: lowest 16.9
    min_contrast: float = _field(5.0, lo=0.0)  # blank crops measure 0


@dataclass
class S3Settings(_Checked):
    enabled: bool = False
    endpoint_url: str = ""
    bucket: str = ""
    prefix: str = "catalog-curator/"
    region: str = "us-east-1"
    profile: str = ""  # AWS profile name; secrets live in the OS keyring, never here
    keyring_service: str = "catalog-curator-s3"
    verify_tls: bool = True
    allow_insecure_http: bool = False  # an http:// endpoint is refused unless this is on (and then warned about)
    max_requests_per_s: float = _field(20.0, lo=0.0)  # 0 = unlimited
    retention_days: int = _field(30, lo=0)
    # No object is read beyond this size (a correction or tombstone is a few KB; a crop JPEG well under 1 MB):
    # a larger one is refused with its size named, before its bytes are fetched.
    max_object_mb: float = _field(16.0, lo=0.001, hi=4096.0)


@dataclass
class DetectorTrainingSettings(_Checked):
    """The catalog's own product detector (core.ops.product_detector): when the app retrains it, and how long."""

    auto_retrain: bool = True  # retrain in the background once enough boxes were corrected since the last training
    retrain_after_boxes: int = _field(20, lo=1, hi=100_000)  # boxes drawn or moved by curators
    epochs: int = _field(10, lo=1, hi=1000)
    images: int = _field(800, lo=8, hi=100_000)  # synthetic scenes
    imgsz: int = _field(256, lo=64, hi=1280)
    # a retrain continues from the promoted detector over new scenes (more passes in all) instead of from scratch
    continue_training: bool = True


@dataclass
class Settings(_Checked):
    schema_version: int = SETTINGS_VERSION
    models: ModelSettings = field(default_factory=ModelSettings)
    preprocess: PreprocessSettings = field(default_factory=PreprocessSettings)
    quality: QualitySettings = field(default_factory=QualitySettings)
    s3: S3Settings = field(default_factory=S3Settings)
    detector_training: DetectorTrainingSettings = field(default_factory=DetectorTrainingSettings)
    retention_days: int = _field(30, lo=0)
    labels_threshold: float = _field(0.22, lo=0.0, hi=1.0)
    prometheus_port: int = _field(0, lo=0, hi=65535)  # 0 = off
    thumbnail_size: int = _field(128, lo=64, hi=256)  # the catalog grid's tile picture, in pixels

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Settings from a dict (settings.json): unknown keys are ignored, a bad value raises SettingsError."""
        if not isinstance(data, dict):
            raise SettingsError(f"settings must be an object of fields, not {_type_name(data)}")
        return _build(cls, migrate(dict(data)))

    def save(self, path: Path) -> None:
        """Write settings.json atomically; a value changed in place since construction is checked first."""
        data = self.to_dict()
        Settings.from_dict(data)
        atomic_write(path, json.dumps(data, indent=2, sort_keys=True))

    @classmethod
    def load(cls, path: Path) -> Settings:
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SettingsError(f"{path} is not valid JSON ({exc}); fix or remove it") from None
        try:
            return cls.from_dict(data)
        except SettingsError as exc:
            raise SettingsError(f"{path}: {exc}") from None


def _build(kind: type, data: dict[str, Any], prefix: str = "") -> Any:
    """Build a settings dataclass from a dict: unknown keys are ignored (a newer app may have written them),
    missing ones keep their defaults, and every value is checked (field names in errors are dotted paths)."""
    kwargs = {}
    hints = typing.get_type_hints(kind)
    for f in fields(kind):
        if f.name not in data:
            continue
        value, name = data[f.name], f"{prefix}.{f.name}" if prefix else f.name
        sub = hints[f.name]
        if is_dataclass(sub):
            if not isinstance(value, dict):
                raise SettingsError(f"settings field {name!r} must be an object of {sub.__name__} fields, "
                                    f"not {_type_name(value)}")
            value = _build(sub, value, name)
        kwargs[f.name] = value
    try:
        return kind(**kwargs)
    except SettingsError as exc:
        if not prefix:
            raise
        raise SettingsError(str(exc).replace("settings field '", f"settings field '{prefix}.", 1)) from None


# Ordered upgrade steps: MIGRATIONS[n] turns a version-n dict into version n+1.
MIGRATIONS: dict[int, Any] = {}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = int(data.get("schema_version", 1))
    while version < SETTINGS_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    data["schema_version"] = SETTINGS_VERSION
    return data



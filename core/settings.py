"""One typed settings object per catalog, with its own schema version and migrations."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

SETTINGS_VERSION = 1


@dataclass
class ModelSettings:
    # "efficientnet-lite0" works offline out of the box; "open_clip" needs weights.
    embedder: str = "open_clip"
    clip_model: str = "ViT-B-32"
    clip_pretrained: str = "laion2b_s34b_b79k"
    clip_checkpoint: str = ""  # a local file that overrides the pretrained tag
    detector_weights: str = "yolo11n.pt"
    detector_enabled: bool = True
    detector_confidence: float = 0.25
    device: str = "auto"  # auto, cpu, cuda, mps
    batch_size: int = 32
    allow_download: bool = True
    # CPU inference of the CLIP image tower: auto tries int8 ONNX Runtime, then bf16, then fp32, keeping
    # the first whose vectors stay within cosine 0.99 of fp32 (core.models.accel). "fp32" turns it off.
    cpu_accel: str = "auto"


@dataclass
class PreprocessSettings:
    expand_ratio: float = 0.15  # allowed 0.10-0.20


@dataclass
class QualitySettings:
    min_side: int = 32
    min_area_share: float = 0.01
    min_aspect: float = 0.15
    max_aspect: float = 6.67
    min_sharpness: float = 30.0  # real photos: lowest 146; Gaussian blur sigma 4: highest 26
    max_noise: float = 15.0  # real photos: highest 5.0; added noise sigma 35: lowest 16.9
    min_contrast: float = 5.0  # blank crops measure 0


@dataclass
class S3Settings:
    enabled: bool = False
    endpoint_url: str = ""
    bucket: str = ""
    prefix: str = "catalog-curator/"
    region: str = "us-east-1"
    profile: str = ""  # AWS profile name; secrets live in the OS keyring, never here
    keyring_service: str = "catalog-curator-s3"
    verify_tls: bool = True
    allow_insecure_http: bool = False  # an http:// endpoint is refused unless this is on (and then warned about)
    max_requests_per_s: float = 20.0
    retention_days: int = 30


@dataclass
class Settings:
    schema_version: int = SETTINGS_VERSION
    models: ModelSettings = field(default_factory=ModelSettings)
    preprocess: PreprocessSettings = field(default_factory=PreprocessSettings)
    quality: QualitySettings = field(default_factory=QualitySettings)
    s3: S3Settings = field(default_factory=S3Settings)
    retention_days: int = 30
    labels_threshold: float = 0.22
    prometheus_port: int = 0  # 0 = off

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        return _build(cls, migrate(dict(data)))

    def save(self, path: Path) -> None:
        _atomic_write_text(path, json.dumps(self.to_dict(), indent=2, sort_keys=True))

    @classmethod
    def load(cls, path: Path) -> Settings:
        if not path.exists():
            return cls()
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _build(kind: type, data: dict[str, Any]) -> Any:
    """Build a dataclass from a dict, ignoring unknown keys and keeping defaults for missing ones."""
    kwargs = {}
    for f in fields(kind):
        if f.name not in data:
            continue
        value = data[f.name]
        default = f.default_factory() if callable(f.default_factory) else None  # type: ignore[misc]
        if is_dataclass(default) and isinstance(value, dict):
            value = _build(type(default), value)
        kwargs[f.name] = value
    return kind(**kwargs)


# Ordered upgrade steps: MIGRATIONS[n] turns a version-n dict into version n+1.
MIGRATIONS: dict[int, Any] = {}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = int(data.get("schema_version", 1))
    while version < SETTINGS_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    data["schema_version"] = SETTINGS_VERSION
    return data


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

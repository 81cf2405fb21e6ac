"""The model states views and the CLI read: the model thread's overall state and each registry slot's state.

Torch-free on purpose: the window's modules import these before torch loads (tests/test_launch.py).
Both are `StrEnum`s, so a status dict carrying them serialises to the same JSON strings as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ModelState(StrEnum):
    """The "state" of the app's model thread status (beside ModelRegistry.status()'s own keys)."""

    STARTING = "starting"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"

    @property
    def settled(self) -> bool:
        """Loaded or failed: nothing more will happen until a reload."""
        return self in (ModelState.READY, ModelState.FAILED)


class SlotState(StrEnum):
    """One model of the registry (embedder, detector, product detector)."""

    NOT_LOADED = "not-loaded"
    LOADED = "loaded"
    UNAVAILABLE = "unavailable"  # asked for, but its weights are missing, damaged or untrusted
    DISABLED = "disabled"  # turned off in the settings
    CLOSED = "closed"

    @classmethod
    def of(cls, value: Any) -> SlotState:
        """The state in a status dict (a member, its string, or nothing yet: not loaded)."""
        try:
            return cls(value)
        except ValueError:
            return cls.NOT_LOADED


@dataclass(frozen=True)
class SlotStatus:
    """One slot of ModelRegistry.status(), typed for the views that read it."""

    name: str = ""
    state: SlotState = SlotState.NOT_LOADED
    reason: str = ""
    device: str = ""
    version: str = ""
    weights: str = ""

    @classmethod
    def of(cls, status: dict[str, Any] | None, slot: str) -> SlotStatus:
        """`status[slot]` of a registry status (missing keys: not loaded)."""
        raw = (status or {}).get(slot) or {}
        return cls(name=str(raw.get("name") or ""), state=SlotState.of(raw.get("state")),
                   reason=str(raw.get("reason") or ""), device=str(raw.get("device") or ""),
                   version=str(raw.get("version") or ""), weights=str(raw.get("weights") or ""))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "state": self.state, "reason": self.reason, "device": self.device,
                "version": self.version, "weights": self.weights}

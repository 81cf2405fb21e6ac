"""What a shop format reader gives back: products as the app keeps them, and where each field sits in the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FIELDS = ("sku", "title", "description", "category", "price", "attributes")


@dataclass
class ShopProduct:
    """One variant SKU as read from a shop export."""

    sku: str
    row: int  # the position of the record that carries the variant
    design: str = ""
    title: str = ""
    description: str = ""
    category: str = ""
    price: float | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)  # URLs or paths as the file gives them
    notes: list[str] = field(default_factory=list)  # what the curator should know (verdict reasons)
    # field -> [position, column]; "attributes" -> {key: [position, column]} or [position, column]
    where: dict[str, Any] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        return {"sku": self.sku, "title": self.title, "description": self.description, "category": self.category,
                "price": self.price, "attributes": dict(self.attributes), "design": self.design}


@dataclass
class RowInfo:
    """What one record is: a variant (of `sku`), a design's own row, an image row, or kept as it is."""

    role: str = "extra"  # variant, design, image, extra
    sku: str = ""
    design: str = ""
    note: str = ""


@dataclass
class ReadResult:
    products: list[ShopProduct]
    rows: list[RowInfo]
    notes: list[str] = field(default_factory=list)  # about the file as a whole

"""Reads a shop's CSV keeping every record's exact text, and writes changed records in the same dialect."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_FIELD = 16 << 20  # HTML descriptions can be long; csv's default limit is 128 KiB


@dataclass
class Record:
    raw: str  # exactly as read, line ending(s) included
    cells: list[str]


@dataclass
class ShopFile:
    header: list[str]
    header_raw: str
    bom: bool
    records: list[Record] = field(default_factory=list)

    def column(self, name: str) -> int:
        return self.header.index(name)


class _Recording:
    """Feeds csv.reader one physical line at a time and remembers the lines one record took."""

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self.taken: list[str] = []

    def __iter__(self) -> _Recording:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


def read_text(text: str, *, bom: bool = False) -> ShopFile:
    """Parse CSV text; raises ValueError (with the line) when it is not CSV at all."""
    csv.field_size_limit(MAX_FIELD)
    lines = _Recording(text)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError("the file is empty") from None
    except csv.Error as exc:
        raise ValueError(f"not a CSV file: {exc}") from None
    out = ShopFile(header=header, header_raw="".join(lines.taken), bom=bom)
    lines.taken = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ValueError(f"CSV broken near line {reader.line_num}: {exc}") from None
        out.records.append(Record("".join(lines.taken), cells))
        lines.taken = []
    return out


def read_file(path: Path) -> ShopFile:
    data = Path(path).read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start}); save the export as UTF-8 and import it again") from None
    return read_text(text, bom=bom)


_ENDING = re.compile(r"(\r\n|\n|\r)$")


def line_ending(raw: str, default: str = "\n") -> str:
    match = _ENDING.search(raw)
    return match.group(1) if match else default


def format_record(cells: list[str], ending: str) -> str:
    """One record in the shops' dialect: comma, double quotes where needed, the file's line ending."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator=ending, quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return buf.getvalue()


def cell(header: list[str], cells: list[str], name: str) -> str:
    """The cell under column `name` ("" when the file has no such column or the row is short)."""
    try:
        i = header.index(name)
    except ValueError:
        return ""
    return cells[i] if i < len(cells) else ""

"""Shop HTML descriptions as the plain text the app shows and searches, and back."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "li":
            self.parts.append("\n• ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(value: str) -> str:
    if "<" not in value and "&" not in value:
        return value.strip()
    parser = _Text()
    parser.feed(value)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def text_to_html(value: str) -> str:
    """A curator's text as shop HTML: one paragraph a line."""
    return "".join(f"<p>{html.escape(line.strip(), quote=False)}</p>" for line in value.split("\n") if line.strip())

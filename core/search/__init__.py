"""Visual and text search over a catalog: queries, filters, re-ranking, explanations, duplicates, evaluation."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Names load on first use: a view that needs only core.search.explain must not pay for the search stack
# (numpy, cv2, the duplicate finder) while the window is coming up.
_WHERE = {
    "record_click": "analytics", "summarize": "analytics", "DuplicateGroup": "duplicates",
    "find_duplicates": "duplicates", "QueryError": "encode", "FilterError": "filters", "Filters": "filters",
    "parse_filters": "filters", "SearchRequest": "query", "SearchResponse": "query", "SearchResult": "query",
    "search": "query",
}

if TYPE_CHECKING:
    from core.search.analytics import record_click, summarize
    from core.search.duplicates import DuplicateGroup, find_duplicates
    from core.search.encode import QueryError
    from core.search.filters import FilterError, Filters, parse_filters
    from core.search.query import SearchRequest, SearchResponse, SearchResult, search

__all__ = [
    "DuplicateGroup", "FilterError", "Filters", "QueryError", "SearchRequest", "SearchResponse",
    "SearchResult", "find_duplicates", "parse_filters", "record_click", "search", "summarize",
]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'core.search' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"core.search.{module}"), name)
    globals()[name] = value
    return value

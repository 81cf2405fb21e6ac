"""Visual and text search over a catalog: queries, filters, re-ranking, explanations, duplicates, evaluation."""

from core.search.analytics import record_click, summarize
from core.search.duplicates import DuplicateGroup, find_duplicates
from core.search.encode import QueryError
from core.search.filters import FilterError, Filters, parse_filters
from core.search.query import SearchRequest, SearchResponse, SearchResult, search

__all__ = [
    "DuplicateGroup", "FilterError", "Filters", "QueryError", "SearchRequest", "SearchResponse",
    "SearchResult", "find_duplicates", "parse_filters", "record_click", "search", "summarize",
]

"""Catalog Curator core: catalog storage, ML pipeline and search, with no Qt."""

__version__ = "0.1.0"

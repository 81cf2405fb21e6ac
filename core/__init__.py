"""Catalog Curator core: catalog storage, ML pipeline and search, with no Qt."""

__version__ = "0.2.0"

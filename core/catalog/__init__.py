"""The catalog: a folder holding the database, vectors, blobs and thumbnails."""

"""Sync with an S3-compatible bucket: an outbox of immutable corrections, crops and label snapshots."""

from core.sync.engine import SyncReport, purge_tombstones, sync
from core.sync.outbox import (
    enqueue_correction,
    enqueue_crop_jpeg,
    enqueue_labels_snapshot,
    enqueue_tombstone,
    pending_count,
    status,
)
from core.sync.s3 import ConflictError, PermanentError, S3Store, SyncError, TokenBucket, TransientError

__all__ = [
    "ConflictError", "PermanentError", "S3Store", "SyncError", "SyncReport", "TokenBucket", "TransientError",
    "enqueue_correction", "enqueue_crop_jpeg", "enqueue_labels_snapshot", "enqueue_tombstone", "pending_count",
    "purge_tombstones", "status", "sync",
]

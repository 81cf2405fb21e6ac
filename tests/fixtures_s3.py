"""A real S3-compatible server (Ceph radosgw) on 127.0.0.1 for the sync tests."""

"""A real S3-compatible server (Ceph radosgw) on 127.0.0.1 for the sync tests, and moto for quick ones."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.radosgw import RadosGateway, free_port, missing_binaries


@pytest.fixture(scope="session")
def radosgw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadosGateway]:
    """mon + memstore OSD + radosgw, one user, one bucket. stop()/start() restart the gateway only."""
    missing = missing_binaries()
    if missing:
        pytest.skip(f"Ceph binaries not installed ({', '.join(missing)}); "
                    "apt-get install radosgw ceph-mon ceph-osd (.ci/run does)")
    gw = RadosGateway.launch(tmp_path_factory.mktemp("radosgw"))
    sys.stderr.write(f"\n[radosgw] ready at {gw.endpoint_url} in {gw.startup_s:.1f} s\n")
    try:
        yield gw
    finally:
        gw.shutdown()


@dataclass
class MotoServer:
    endpoint_url: str
    bucket: str = "catalog-curator-test"
    access_key: str = "testing"
    secret_key: str = "testing"

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key)


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """moto's server on a free port: a quick mock (any credentials pass) for unit tests."""
    exe = Path(sys.executable).with_name("moto_server")
    if not exe.exists() and shutil.which("moto_server") is None:
        pytest.skip("moto[server] not installed")
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")  # noqa: SIM115 - the child writes to it
    proc = subprocess.Popen([str(exe if exe.exists() else "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("moto_server did not start")
                time.sleep(0.1)
        server = MotoServer(f"http://127.0.0.1:{port}")
        server.client().create_bucket(Bucket=server.bucket)
        yield server
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture
def s3_prefix() -> str:
    """A fresh prefix per test, so tests sharing the session's bucket never see each other's objects."""
    return f"t-{uuid.uuid4().hex[:12]}/"

"""A throwaway one-node Ceph cluster (mon + memstore OSD + radosgw) on 127.0.0.1 for tests and benches.

No import of core or pytest: the bench and the fixtures both drive it. Everything lives in one temp
folder; the daemons run in the foreground as our children so that we stop them by their own pids.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

BINARIES = ("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph", "ceph-authtool", "monmaptool")
RGW_NAME = "client.rgw.gw"


def missing_binaries() -> list[str]:
    return [b for b in BINARIES if shutil.which(b) is None]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CephError(RuntimeError):
    pass


@dataclass
class RadosGateway:
    """A running cluster. stop()/start() act on radosgw only, so data in the RAM-backed OSD survives."""

    root: Path
    access_key: str = "CURATORTESTACCESSKEY"
    secret_key: str = "curator-test-secret-key-0123456789abcdef"
    bucket: str = "catalog-curator-test"
    rgw_port: int = 0
    startup_s: float = 0.0
    _procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.rgw_port}"

    @property
    def conf(self) -> Path:
        return self.root / "ceph.conf"

    # --- lifecycle -----------------------------------------------------------------------------
    @classmethod
    def launch(cls, root: Path | None = None, *, timeout: float = 90.0) -> RadosGateway:
        t0 = time.monotonic()
        gw = cls(Path(root or tempfile.mkdtemp(prefix="radosgw-")))
        atexit.register(gw.shutdown)
        try:
            gw._bootstrap(timeout)
        except BaseException:
            gw.shutdown()
            raise
        gw.startup_s = time.monotonic() - t0
        return gw

    def _bootstrap(self, timeout: float) -> None:
        r = self.root
        for sub in ("run", "log", "mon/ceph-a", "osd/ceph-0"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        self.rgw_port = free_port()
        v1, v2 = free_port(), free_port()
        fsid = str(uuid.uuid4())
        self.conf.write_text(_CONF.format(root=r, fsid=fsid, v1=v1, v2=v2, rgw_port=self.rgw_port))

        mon_keyring = r / "mon.keyring"
        admin_keyring = r / "client.admin.keyring"
        self._run("ceph-authtool", "--create-keyring", mon_keyring, "--gen-key", "-n", "mon.",
                  "--cap", "mon", "allow *")
        self._run("ceph-authtool", "--create-keyring", admin_keyring, "--gen-key", "-n", "client.admin",
                  "--cap", "mon", "allow *", "--cap", "osd", "allow *", "--cap", "mgr", "allow *")
        self._run("ceph-authtool", mon_keyring, "--import-keyring", admin_keyring)
        self._run("monmaptool", "--create", "--fsid", fsid, "--addv", "a",
                  f"[v2:127.0.0.1:{v2},v1:127.0.0.1:{v1}]", r / "monmap")
        self._run("ceph-mon", "-c", self.conf, "--mkfs", "-i", "a", "--monmap", r / "monmap",
                  "--keyring", mon_keyring)
        self._spawn("mon", "ceph-mon", "-f", "-c", self.conf, "-i", "a")

        osd_uuid = str(uuid.uuid4())
        osd_id = self._ceph("osd", "create", osd_uuid, timeout=timeout).strip()
        if osd_id != "0":
            raise CephError(f"expected osd id 0, got {osd_id!r}")
        osd_keyring = r / "osd.0.keyring"
        self._run("ceph-authtool", "--create-keyring", osd_keyring, "--gen-key", "-n", "osd.0")
        self._ceph("auth", "add", "osd.0", "osd", "allow *", "mon", "allow profile osd", "-i", osd_keyring)
        self._run("ceph-osd", "-c", self.conf, "-i", "0", "--mkfs", "--osd-uuid", osd_uuid)
        self._spawn("osd", "ceph-osd", "-f", "-c", self.conf, "-i", "0")

        rgw_keyring = r / f"{RGW_NAME}.keyring"
        self._run("ceph-authtool", "--create-keyring", rgw_keyring, "--gen-key", "-n", RGW_NAME)
        self._ceph("auth", "add", RGW_NAME, "mon", "allow rw", "osd", "allow rwx", "-i", rgw_keyring)
        self.start(timeout=timeout)
        self._run("radosgw-admin", "-c", self.conf, "user", "create", "--uid", "curator",
                  "--display-name", "curator", "--access-key", self.access_key, "--secret", self.secret_key)
        self._create_bucket(timeout)

    def start(self, timeout: float = 60.0) -> None:
        """Start radosgw (again) and wait until it answers HTTP."""
        proc = self._procs.get("rgw")
        if proc is not None and proc.poll() is None:
            return
        self._spawn("rgw", "radosgw", "-f", "-c", self.conf, "-n", RGW_NAME)
        self._wait_http(timeout)

    def stop(self, *, kill: bool = False, timeout: float = 30.0) -> None:
        """Stop radosgw only: SIGKILL when kill (a crash), else SIGTERM and wait."""
        self._stop_proc("rgw", signal.SIGKILL if kill else signal.SIGTERM, timeout)

    def shutdown(self) -> None:
        for name in ("rgw", "osd", "mon"):
            with contextlib.suppress(Exception):
                self._stop_proc(name, signal.SIGTERM, 15.0)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- helpers -------------------------------------------------------------------------------
    def _stop_proc(self, name: str, sig: int, timeout: float) -> None:
        proc = self._procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def _spawn(self, name: str, *args: object) -> None:
        log = open(self.root / "log" / f"{name}.stdout", "ab")  # noqa: SIM115 - handed to the child
        self._procs[name] = subprocess.Popen([str(a) for a in args], stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, cwd=self.root)
        log.close()

    def _run(self, *args: object, timeout: float = 60.0) -> str:
        cmd = [str(a) for a in args]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if res.returncode != 0:
            raise CephError(f"{cmd[0]} {' '.join(cmd[1:3])} failed ({res.returncode}): "
                            f"{(res.stderr or res.stdout).strip()[-2000:]}")
        return res.stdout

    def _ceph(self, *args: object, timeout: float = 60.0) -> str:
        return self._run("ceph", "-c", self.conf, "--connect-timeout", str(int(timeout)), *args,
                         timeout=timeout + 10)

    def _wait_http(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self._procs.get("rgw")
            if proc is not None and proc.poll() is not None:
                raise CephError(f"radosgw exited with {proc.returncode}; see {self.root / 'log'}")
            try:
                urllib.request.urlopen(self.endpoint_url, timeout=2).close()
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer means it listens
            except OSError:
                time.sleep(0.2)
        raise CephError(f"radosgw did not answer within {timeout:.0f} s; see {self.root / 'log'}")

    def _create_bucket(self, timeout: float) -> None:
        client = self.client()
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.create_bucket(Bucket=self.bucket)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def client(self, **overrides: str):  # -> botocore S3 client
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
            aws_access_key_id=overrides.get("access_key", self.access_key),
            aws_secret_access_key=overrides.get("secret_key", self.secret_key),
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                          connect_timeout=3, read_timeout=10),
        )


_CONF = """\
[global]
fsid = {fsid}
mon_host = [v2:127.0.0.1:{v2},v1:127.0.0.1:{v1}]
mon_initial_members = a
public_network = 127.0.0.0/8
ms_bind_ipv6 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
run_dir = {root}/run
pid_file = {root}/run/$cluster-$name.pid
admin_socket = {root}/run/$cluster-$name.asok
log_file = {root}/log/$cluster-$name.log
crash_dir = {root}/crash
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
mon_data_avail_warn = 1
mon_data_avail_crit = 0
debug_ms = 0

[mon]
mon_data = {root}/mon/$cluster-$id

[osd]
osd_data = {root}/osd/$cluster-$id
keyring = {root}/$name.keyring
osd_objectstore = memstore
memstore_device_bytes = 2147483648
osd_max_object_name_len = 460
osd_max_object_namespace_len = 64

[client]
keyring = {root}/$name.keyring

[{rgw}]
rgw_frontends = beast endpoint=127.0.0.1:{rgw_port}
rgw_dns_name = 127.0.0.1
rgw_thread_pool_size = 64
""".replace("{rgw}", RGW_NAME)


if __name__ == "__main__":  # python -m tests.radosgw: start one, print how to reach it, wait for Ctrl-C
    gw = RadosGateway.launch()
    print(f"radosgw at {gw.endpoint_url} in {gw.startup_s:.1f} s; bucket {gw.bucket}; root {gw.root}")
    with contextlib.suppress(KeyboardInterrupt):
        signal.pause() if os.name == "posix" else time.sleep(1e9)
    gw.shutdown()

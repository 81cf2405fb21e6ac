"""The file helpers every store shares: all-or-nothing writes, a file's sha256, whether a process lives."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from core.fileio import atomic_write, atomic_write_json, atomic_writer, file_sha256, pid_alive


def test_a_failed_write_leaves_the_old_file_whole_and_no_temp_file(tmp_path):
    target = tmp_path / "settings.json"
    atomic_write_json(target, {"a": 1})
    assert target.read_text() == '{\n  "a": 1\n}'
    with pytest.raises(RuntimeError), atomic_writer(target, "w", encoding="utf-8") as fh:
        fh.write("half a file")
        raise RuntimeError("the disk filled up")
    assert target.read_text() == '{\n  "a": 1\n}' and sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]
    atomic_write(tmp_path / "deep" / "er" / "blob.bin", b"\x00\x01")  # parents are made
    assert (tmp_path / "deep" / "er" / "blob.bin").read_bytes() == b"\x00\x01"


def test_file_sha256_is_the_sha256_of_the_bytes(tmp_path):
    data = bytes(range(256)) * 5000  # more than one read chunk
    (tmp_path / "x").write_bytes(data)
    assert file_sha256(tmp_path / "x") == hashlib.sha256(data).hexdigest()


def test_pid_alive_tells_a_live_process_from_an_ended_or_zombie_one():
    assert pid_alive(subprocess.os.getpid()) and not pid_alive(0) and not pid_alive(-5)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert not pid_alive(ended.pid)
    if sys.platform.startswith("linux"):  # an ended child nobody waited for is a zombie: not alive
        zombie = subprocess.Popen([sys.executable, "-c", "pass"])
        import time

        deadline = time.monotonic() + 10
        while pid_alive(zombie.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_alive(zombie.pid)
        zombie.wait()

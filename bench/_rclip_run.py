"""Time rclip's own indexing of one folder; runs inside the rclip 3.12 venv, prints one JSON line.

Usage: python _rclip_run.py DATADIR IMAGE_DIR [BATCH]. DATADIR is a fresh $RCLIP_DATADIR with the model
files and no database, so every image is embedded. The ONNX session is created before the clock starts
(its load time is reported apart), as our side loads its model before its clock starts too.
"""

import json
import os
import sys
import time


def main() -> None:
    datadir, image_dir = sys.argv[1], os.path.abspath(sys.argv[2])
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 8  # rclip's --indexing-batch-size default
    os.environ["RCLIP_DATADIR"] = datadir
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    from importlib.metadata import version

    import rclip
    from rclip import db, model
    from rclip.main import RClip

    started = time.perf_counter()
    database = db.DB(os.path.join(datadir, "db.sqlite3"), allow_vector_cache_reset=True)
    clip = model.Model()
    clip.ensure_downloaded()
    session = clip._session_visual_index  # noqa: SLF001 - load the session outside the timed part
    load_seconds = time.perf_counter() - started
    engine = RClip(model_instance=clip, database=database, indexing_batch_size=batch, exclude_dirs=None)

    wall, cpu = time.perf_counter(), time.process_time()
    engine.ensure_index(image_dir)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    rows = database._con.execute("SELECT COUNT(*) FROM images WHERE deleted IS NULL").fetchone()
    images = int(rows[0])
    engine.close()
    clip.close()
    database.close()
    print(json.dumps({"rclip_version": version("rclip"), "rclip_module": os.path.dirname(rclip.__file__),
                      "onnxruntime_threads": session.get_session_options().intra_op_num_threads,
                      "batch": batch, "images": images, "seconds": wall, "cpu_seconds": cpu,
                      "images_per_s": images / wall, "load_seconds": load_seconds}))


if __name__ == "__main__":
    main()

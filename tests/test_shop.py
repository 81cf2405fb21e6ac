"""The round trip with a shop: Shopify and Magento 2 exports in, the same layout back out, edits only where made."""

from __future__ import annotations

import csv
import http.server
import io
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.catalog import db
from core.catalog.catalog import Catalog
from core.shop.images import fetch_images, without_image
from core.shop.roundtrip import import_shop_file, plan_export, read_shop_file, write_export

CHECK = Path(__file__).resolve().parents[1].parent / "shared" / "checks" / "shop_roundtrip.py"


@pytest.fixture
def catalog(tmp_path):
    cat = Catalog.open(tmp_path / "cat")
    yield cat
    cat.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def http_server():
    """`python -m http.server` on 127.0.0.1 serving a folder: yields (start(folder) -> base URL)."""
    procs = []

    def start(folder: Path) -> str:
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1", "-d", str(folder)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("http.server did not start")

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def _cells(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _diff(a: Path, b: Path) -> list[tuple[int, str, str, str]]:
    """(row, column, was, now) for every cell that differs; rows beyond the original are ignored."""
    ha, ra = _cells(a)
    _, rb = _cells(b)
    out = []
    for i, (x, y) in enumerate(zip(ra, rb, strict=False)):
        for j, col in enumerate(ha):
            was, now = (x[j] if j < len(x) else ""), (y[j] if j < len(y) else "")
            if was != now:
                out.append((i, col, was, now))
    return out


def _photo(path: Path, colour=(200, 30, 30)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.full((200, 160, 3), 245, np.uint8)
    pixels[30:170, 35:125] = colour
    pixels[30:170:12, 35:125] = [max(0, c - 90) for c in colour]  # stripes: a product, not a flat patch
    Image.fromarray(pixels).save(path, quality=90)
    return path


def _check_script(original: Path, exported: Path, *allow: str) -> None:
    if not CHECK.is_file():
        return
    args = [sys.executable, str(CHECK), str(original), str(exported)] + (["--allow", *allow] if allow else [])
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


# --- the dev sample, both layouts -------------------------------------------------------------------

def test_magento_dev_export_round_trips_and_writes_only_edits(catalog, dev_sample, tmp_path):
    original = dev_sample / "shop" / "magento_products.csv"
    summary = import_shop_file(catalog.paths, original, images_root=dev_sample / "catalog")
    assert summary.products == 229 and not summary.errors
    report = fetch_images(catalog.paths)
    assert report.failed == 0 and report.fetched > 229 and without_image(summary.product_ids) == []
    designs = {p.design for p in db.Product.select() if p.design}
    assert len(designs) == 75  # the configurable parents
    assert db.Product.get(db.Product.sku == "MH10-Black").design == "MH10"

    untouched = tmp_path / "untouched.csv"
    write_export(plan_export("magento"), untouched)
    assert untouched.read_bytes() == original.read_bytes()
    _check_script(original, untouched)

    p = db.Product.get(db.Product.sku == "MH10-Black")
    p.price, p.title = 55.5, "Mach Street Crew"
    p.attributes = {**p.attributes, "pattern": "Striped"}
    p.save()
    db.Product.get(db.Product.sku == "MH10-Red").soft_delete()
    plan = plan_export("magento")
    assert plan.counts["price"] == 1 and plan.counts["title"] == 1 and plan.counts["attributes"] == 1
    assert "302 rows unchanged" in plan.summary and "1 price" in plan.summary
    edited = tmp_path / "edited.csv"
    write_export(plan, edited)
    diff = _diff(original, edited)
    assert {(c, now) for _, c, _, now in diff} >= {("price", "55.50"), ("name", "Mach Street Crew"),
                                                   ("product_online", "0")}
    assert {c for _, c, _, _ in diff} == {"price", "name", "additional_attributes", "product_online"}
    attrs = next(now for _, c, _, now in diff if c == "additional_attributes")
    assert "pattern=Striped" in attrs and "material=Wool|LumaTech™" in attrs  # untouched pairs keep their text
    _check_script(original, edited, "price", "name", "additional_attributes", "product_online")

    delta = tmp_path / "delta.csv"
    write_export(plan, delta, changed_only=True)
    header, rows = _cells(delta)
    assert header == _cells(original)[0] and sorted(r[0] for r in rows) == ["MH10-Black", "MH10-Red"]


def test_shopify_dev_export_with_images_from_http_server(catalog, dev_sample, tmp_path, http_server):
    base = http_server(dev_sample / "catalog")
    original = tmp_path / "shopify.csv"
    original.write_bytes((dev_sample / "shop" / "shopify_products.csv").read_bytes()
                         .replace(b"http://127.0.0.1:8765", base.encode()))
    summary = import_shop_file(catalog.paths, original)
    assert summary.products == 229
    report = fetch_images(catalog.paths)
    assert report.failed == 0 and report.fetched + report.reused >= 229
    assert without_image(summary.product_ids) == []
    designs = [p.design for p in db.Product.select()]
    assert len(set(designs) - {""}) + designs.count("") == 95  # one per handle; one-variant handles stand alone
    shas = [i.sha256 for i in db.ImageFile.select().where(db.ImageFile.status == "ok")]
    assert len(set(shas)) <= len(shas) and all(shas)

    untouched = tmp_path / "untouched.csv"
    write_export(plan_export("shopify"), untouched)
    assert untouched.read_bytes() == original.read_bytes()

    p = db.Product.get(db.Product.sku == "MH10-Blue")
    p.price = 49.0
    p.save()
    edited = tmp_path / "edited.csv"
    write_export(plan_export("shopify"), edited)
    diff = _diff(original, edited)
    assert [(c, was, now) for _, c, was, now in diff] == [("Variant Price", "62.00", "49.00")]
    _check_script(original, edited, "Variant Price")
    delta = tmp_path / "delta.csv"
    write_export(plan_export("shopify"), delta, changed_only=True)
    _, rows = _cells(delta)
    assert {r[0] for r in rows} == {"mach-street-sweatshirt"} and len(rows) == 4  # the whole handle


# --- edge cases real exports carry ------------------------------------------------------------------

SHOPIFY_HEADER = ("Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,"
                  "Option2 Name,Option2 Value,Variant SKU,Variant Price,Image Src,Image Position,Image Alt Text,"
                  "Google Shopping / Gender,Google Shopping / Condition,Price / International,Variant Image,Status")


def _shopify_edge_file(tmp_path: Path, base: str) -> Path:
    lines = [
        SHOPIFY_HEADER,
        f"tee,Trail Tee,<p>Soft tee.</p><ul><li>Cotton</li></ul>,Luma,Apparel > Shirts,Tees,\"summer, cotton\",TRUE,"
        f"Color,Red,Size,S,TEE-R-S,20.00,{base}/tee-red.jpg,1,Trail Tee Red,male,new,25.00,{base}/tee-red.jpg,active",
        "tee,,,,,,,,,Red,,M,TEE-R-M,\"20,00\",,,,,,,,",
        f"tee,,,,,,,,,Blue,,S,TEE-B-S,21.00,{base}/tee-blue.jpg,2,Trail Tee Blue,,,,,",
        f"mug,Camp Mug,,Luma,,Mugs,,TRUE,Title,Default Title,,,MUG-1,9.50,{base}/missing.jpg,1,Camp Mug,,,,,draft",
        "cap,Old Cap,<p>Gone.</p>,Luma,,Caps,,FALSE,Title,Default Title,,,CAP-1,5.00,"
        "http://127.0.0.1:9/cap.jpg,1,Old Cap,,,,,archived",
    ]
    path = tmp_path / "edge.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")  # BOM and CRLF, as Excel saves
    return path


def test_shopify_edge_cases_import_with_verdicts_and_round_trip(catalog, tmp_path, http_server):
    photos = tmp_path / "photos"
    _photo(photos / "tee-red.jpg")
    _photo(photos / "tee-blue.jpg", (30, 30, 200))
    base = http_server(photos)
    path = _shopify_edge_file(tmp_path, base)
    summary = import_shop_file(catalog.paths, path)
    verdicts = {v["sku"]: v for v in summary.verdicts if v["kind"] == "product"}
    assert set(verdicts) == {"TEE-R-S", "TEE-R-M", "TEE-B-S", "MUG-1", "CAP-1"}
    assert "draft in the shop" in verdicts["MUG-1"]["reason"]
    assert "archived in the shop" in verdicts["CAP-1"]["reason"]
    assert "read '20,00' as 20.0" in verdicts["TEE-R-M"]["reason"]
    report = fetch_images(catalog.paths, backoff=0.01, timeout=2)
    failed = {v["sku"]: v["reason"] for v in report.verdicts if v["verdict"] == "failed"}
    assert "404" in failed["MUG-1"] and "after 3 tries" in failed["CAP-1"]
    assert without_image(summary.product_ids) == ["CAP-1", "MUG-1"]  # imported with their data all the same
    tee = db.Product.get(db.Product.sku == "TEE-R-M")
    assert tee.attributes == {"Color": "Red", "Size": "M", "tags": "summer, cotton"} and tee.price == 20.0
    assert tee.design == "tee" and tee.description == "Soft tee.\n• Cotton" and tee.category == "Tees"
    mug = db.Product.get(db.Product.sku == "MUG-1")
    assert mug.attributes == {} and mug.design == ""  # "Default Title" is no option; one variant, no design

    out = tmp_path / "back.csv"
    write_export(plan_export("shopify"), out)
    assert out.read_bytes() == path.read_bytes()  # BOM, CRLF and the Google Shopping and market columns

    tee.title, tee.attributes = "Trail Tee 2", {**tee.attributes, "Size": "L"}
    tee.save()
    db.Product.get(db.Product.sku == "MUG-1").soft_delete()
    db.Product.create(sku="SOCK-1", title="Wool Sock", price=7.0, attributes={"Color": "Grey"})
    plan = plan_export("shopify")
    write_export(plan, out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    diff = _diff(path, out)
    assert sorted((r, c, now) for r, c, _, now in diff) == [(0, "Title", "Trail Tee 2"), (1, "Option2 Value", "L"),
                                                            (3, "Status", "archived")]
    header, rows = _cells(out)
    assert len(rows) == 6 and rows[-1][header.index("Variant SKU")] == "SOCK-1"
    assert rows[-1][header.index("Option1 Name")] == "Color" and rows[-1][header.index("Status")] == "active"
    assert plan.added_products == ["SOCK-1"] and plan.deleted_products == ["MUG-1"]


def test_labels_go_to_the_shop_only_when_asked(catalog, tmp_path, http_server):
    path = _shopify_edge_file(tmp_path, http_server(tmp_path))
    import_shop_file(catalog.paths, path)
    tee = db.Product.get(db.Product.sku == "TEE-B-S")
    db.Label.create(product=tee, vocabulary="style", value="crew neck", source="curator")
    db.Label.create(product=tee, vocabulary="style", value="v-neck", source="zero-shot", score=0.4)
    out = tmp_path / "back.csv"
    write_export(plan_export("shopify"), out)
    assert out.read_bytes() == path.read_bytes()
    write_export(plan_export("shopify", labels_to="tags"), out)
    diff = _diff(path, out)
    assert [(c, now) for _, c, _, now in diff] == [("Tags", "summer, cotton, crew neck")]  # never the machine's guess


MAGENTO = """sku,store_view_code,attribute_set_code,product_type,categories,name,description,product_online,visibility,price,base_image,additional_images,additional_attributes,configurable_variations,extra_column
JK1-S-Red,,Top,simple,"Default Category/Men/Jackets,Default Category/Sale",Jack Jacket-S-Red,<p>Warm.</p>,1,Not Visible Individually,80.00,/jk1/red.jpg,,"color=Red,size=S,material=Wool|Fleece",,keep me
JK1-M-Red,,Top,simple,Default Category/Men/Jackets,Jack Jacket-M-Red,<p>Warm.</p>,0,Not Visible Individually,80.00,/jk1/nothere.jpg,,"color=Red,size=M",,
JK1-S-Red,fr,,,,Veste Jack,,,,,,,,,
JK1,,Top,configurable,Default Category/Men/Jackets,Jack Jacket,<p>Warm.</p>,1,"Catalog, Search",80.00,/jk1/red.jpg,,,"sku=JK1-S-Red,color=Red,size=S|sku=JK1-M-Red,color=Red,size=M",
"""


def test_magento_edge_cases(catalog, tmp_path):
    images = tmp_path / "media"
    _photo(images / "jk1" / "red.jpg")
    path = tmp_path / "magento.csv"
    path.write_text(MAGENTO, encoding="utf-8")
    fmt, _ = read_shop_file(path)
    assert fmt == "magento"
    summary = import_shop_file(catalog.paths, path, images_root=images)
    assert summary.products == 2  # the store view row and the configurable parent are no products
    rows = {v["path"]: v["reason"] for v in summary.verdicts if v["kind"] == "row"}
    assert "store view" in rows["magento.csv:4"]
    fetch_images(catalog.paths)
    assert without_image(summary.product_ids) == ["JK1-M-Red"]
    jacket = db.Product.get(db.Product.sku == "JK1-S-Red")
    assert jacket.design == "JK1" and jacket.category == "Men/Jackets"
    assert jacket.attributes == {"color": "Red", "size": "S", "material": "Wool, Fleece"}
    out = tmp_path / "back.csv"
    write_export(plan_export("magento"), out)
    assert out.read_bytes() == path.read_bytes()
    disabled = next(v for v in summary.verdicts if v["sku"] == "JK1-M-Red")
    assert "disabled in the shop (product_online 0)" in disabled["reason"]
    db.Product.get(db.Product.sku == "JK1-M-Red").soft_delete()  # already off in the shop: nothing to write
    write_export(plan_export("magento"), out)
    assert out.read_bytes() == path.read_bytes()
    jacket.category = "Men/Coats"
    jacket.save()
    write_export(plan_export("magento"), out)
    assert [(c, now) for _, c, _, now in _diff(path, out)] == [
        ("categories", "Default Category/Men/Coats,Default Category/Sale")]
    jacket.sku = "JK1-S-RED"  # a rename reaches the configurable parent's list of children too
    jacket.save()
    write_export(plan_export("magento"), out)
    assert sorted((r, c, now) for r, c, _, now in _diff(path, out)) == [
        (0, "categories", "Default Category/Men/Coats,Default Category/Sale"), (0, "sku", "JK1-S-RED"),
        (2, "sku", "JK1-S-RED"), (3, "configurable_variations", "sku=JK1-S-RED,color=Red,size=S|sku=JK1-M-Red,color=Red,size=M")]


def test_not_a_shop_file_says_why(catalog, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="neither a Shopify nor a Magento"):
        import_shop_file(catalog.paths, path)
    with pytest.raises(ValueError, match="columns of a shopify export"):
        import_shop_file(catalog.paths, path, fmt="shopify")
    with pytest.raises(ValueError, match="no magento export was imported"):
        plan_export("magento")
    assert db.Product.select().count() == 0


class _Flaky(http.server.BaseHTTPRequestHandler):
    calls = 0
    body = b""

    def do_GET(self):  # noqa: N802 - the http.server name
        type(self).calls += 1
        if type(self).calls < 3:
            self.send_error(503, "busy")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_a_busy_server_is_tried_again(catalog, tmp_path):
    _Flaky.body = _photo(tmp_path / "p.jpg").read_bytes()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/p.jpg"
        path = tmp_path / "one.csv"
        path.write_text(f"{SHOPIFY_HEADER}\nx,X,,,,,,,Size,S,,,X-1,1.00,{url},1,,,,,{url},active\n"
                        f"x,,,,,,,,,M,,,X-2,1.00,,,,,,,{url},\n", encoding="utf-8")
        import_shop_file(catalog.paths, path)
        report = fetch_images(catalog.paths, backoff=0.01)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert report.failed == 0 and report.fetched == 1 and report.reused == 1  # one URL, two variants: one fetch
    assert _Flaky.calls == 3


def test_cli_index_and_export(tmp_path, dev_sample):
    from app.cli import main

    cat = tmp_path / "cat"
    original = dev_sample / "shop" / "magento_products.csv"
    assert main(["index", "--catalog", str(cat), "--import-only", "--json", "--images", str(dev_sample / "catalog"),
                 str(original)]) == 0
    out = tmp_path / "back.csv"
    buf = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, buf
    try:
        assert main(["export", "--catalog", str(cat), "--format", "magento", "--out", str(out)]) == 0
    finally:
        sys.stdout = sys_stdout
    assert "304 rows unchanged" in buf.getvalue()
    assert out.read_bytes() == original.read_bytes()


def test_reimport_keeps_the_curators_edits(catalog, tmp_path):
    path = tmp_path / "magento.csv"
    path.write_text(MAGENTO, encoding="utf-8")
    import_shop_file(catalog.paths, path)
    jacket = db.Product.get(db.Product.sku == "JK1-S-Red")
    jacket.price = 70.0
    jacket.save()
    # The shop changed the price and the name since: the name comes in, the curator's price stays.
    path.write_text(MAGENTO.replace("Jack Jacket-S-Red,<p>Warm.</p>,1,Not Visible Individually,80.00",
                                    "Jack Jacket S Red,<p>Warm.</p>,1,Not Visible Individually,85.00"),
                    encoding="utf-8")
    summary = import_shop_file(catalog.paths, path)
    jacket = db.Product.get(db.Product.sku == "JK1-S-Red")
    assert jacket.price == 70.0 and jacket.title == "Jack Jacket S Red"
    verdict = next(v for v in summary.verdicts if v["sku"] == "JK1-S-Red")
    assert "kept your edit of the price: the shop now says 85.0" in verdict["reason"]
    out = tmp_path / "back.csv"
    write_export(plan_export("magento"), out)
    assert [(c, now) for _, c, _, now in _diff(path, out)] == [("price", "70.00")]


class _Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server name
        time.sleep(3)
        self.send_error(503, "busy")

    def log_message(self, *args):
        pass


def test_a_cancel_does_not_wait_for_a_slow_server(catalog, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/p.jpg"
        path = tmp_path / "one.csv"
        path.write_text(f"{SHOPIFY_HEADER}\nx,X,,,,,,,Title,Default Title,,,X-1,1.00,,,,,,,{url},active\n",
                        encoding="utf-8")
        import_shop_file(catalog.paths, path)
        asked = time.monotonic() + 0.5
        started = time.monotonic()
        report = fetch_images(catalog.paths, should_stop=lambda: time.monotonic() > asked, timeout=10)
        took = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert report.cancelled and took < 2.5
    assert db.ImageFile.get().status == "pending"  # left for the next run


def test_index_with_nothing_new_fetches_what_an_import_left_pending(catalog, tmp_path, http_server,
                                                                    tiny_model_settings):
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry

    path = _shopify_edge_file(tmp_path, http_server(tmp_path))
    _photo(tmp_path / "tee-red.jpg")
    import_shop_file(catalog.paths, path)  # no fetch: as an import-only run cancelled before its images
    assert db.ImageFile.select().where(db.ImageFile.status == "pending").count() == 5
    registry = ModelRegistry(tiny_model_settings)
    try:
        result = run_index_job(catalog, registry, [])
    finally:
        registry.close()
    assert db.ImageFile.select().where(db.ImageFile.status == "pending").count() == 0
    assert result["images"] == 2  # TEE-R-S and TEE-R-M share the red photo: one fetch, one reuse
    status = {p.sku: p.status for p in db.Product.select()}
    assert status["TEE-R-S"] == status["TEE-R-M"] == "indexed" and status["MUG-1"] == "error"  # no image


def test_shopify_variants_without_their_own_image_get_the_designs_photos():
    from core.shop import shopify
    from core.shop.csvfile import read_text

    text = (f"{SHOPIFY_HEADER}\n"
            "hat,Hat,,,,Hats,,TRUE,Size,S,,,HAT-S,5.00,http://x/hat1.jpg,1,,,,,,active\n"
            "hat,,,,,,,,,M,,,HAT-M,5.00,http://x/hat2.jpg,2,,,,,,\n")
    products = shopify.read(read_text(text)).products
    assert [(p.sku, p.images) for p in products] == [("HAT-S", ["http://x/hat1.jpg", "http://x/hat2.jpg"]),
                                                     ("HAT-M", ["http://x/hat1.jpg", "http://x/hat2.jpg"])]
    assert all(p.design == "hat" and not any("no image" in n for n in p.notes) for p in products)

"""A corpus of bad and odd image files, for any test that must survive what curators really drop in."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

# Files that decode fine but that the quality stage should refuse: name -> substring of judge()'s reason.
QUALITY_FAILURES = {
    "one_pixel.png": "too small",
    "extreme_aspect_2000x3.png": "too small",
    "blurry.jpg": "too blurry",
    "pure_noise.png": "too noisy",
    "blank_white.png": "blank",
    "blank_grey.jpg": "blank",
    "bilevel.png": "too noisy",  # Floyd-Steinberg dithering is noise as far as an embedder can tell
    "rgb16.png": "too small",
    "icon.ico": "too small",
}


def product_like(width: int = 320, height: int = 240, seed: int = 0) -> np.ndarray:
    """A deterministic stand-in for a product photo: a textured object with sharp edges on white."""
    rng = np.random.default_rng(seed)
    img = np.full((height, width, 3), 255, np.uint8)
    y0, y1, x0, x1 = height // 6, height - height // 6, width // 5, width - width // 5
    yy, xx = np.mgrid[y0:y1, x0:x1]
    stripes = ((xx // 6 + yy // 9) % 2).astype(np.float64)
    base = np.stack([40 + 150 * stripes, 60 + 40 * (yy % 17) / 17, 160 - 90 * stripes], axis=-1)
    img[y0:y1, x0:x1] = np.clip(base + rng.normal(0, 2, base.shape), 0, 255).astype(np.uint8)
    img[y0 + 10:y0 + 14, x0:x1] = 20  # a seam, for hard edges
    return img


def make_bad_corpus(folder: Path) -> dict[str, str]:
    """Write the corpus into `folder`; return file name -> "ok" or a substring of decode()'s reason."""
    folder.mkdir(parents=True, exist_ok=True)
    photo = product_like()
    rgb = Image.fromarray(photo)
    expected: dict[str, str] = {}

    def put(name: str, data: bytes, outcome: str) -> None:
        (folder / name).write_bytes(data)
        expected[name] = outcome

    def save(name: str, image: Image.Image, outcome: str = "ok", **kwargs) -> None:
        buf = io.BytesIO()
        image.save(buf, **kwargs)
        put(name, buf.getvalue(), outcome)

    jpeg = _encode(rgb, "JPEG", quality=90)
    png = _encode(rgb, "PNG")

    # Not images at all.
    put("zero_bytes.jpg", b"", "empty file")
    put("text_named.jpg", b"SKU,title\n24-MB01,Joust Duffle Bag\n", "contains text")
    put("web_page.png", b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "web page")
    put("vector.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG")
    put("document.jpg", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF")
    put("archive.jpg", b"PK\x03\x04" + bytes(60), "ZIP")
    put("random_bytes.jpg", np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        "not an image")

    # Damaged images.
    put("truncated.jpg", jpeg[: len(jpeg) // 2], "truncated")
    put("truncated.png", png[: len(png) // 2], "truncated")
    put("jpeg_header_only.jpg", jpeg[:200], "damaged")
    put("bad_crc.png", _corrupt_png_crc(png), "damaged")
    put("zero_width.png", _png_header_only(0, 10), "damaged image header")

    # Decompression bombs: headers that promise more pixels than we will allocate.
    put("bomb_100k_square.png", _png_header_only(100_000, 100_000), "too large")
    put("bomb_700mp.png", _png_header_only(28_000, 25_000), "too large")  # between our limit and PIL's
    put("bomb_gif.gif", _gif_header_only(65_535, 65_535), "too large")

    # Odd but valid.
    put("png_named.jpg", png, "ok")
    put("jpeg_named.png", jpeg, "ok")
    put("no_extension", jpeg, "ok")
    put("UPPER CASE.JPG", jpeg, "ok")
    save("one_pixel.png", Image.new("RGB", (1, 1), (200, 10, 10)), format="PNG")
    save("extreme_aspect_2000x3.png", Image.fromarray(np.tile(photo[:3, :1], (1, 2000, 1))), format="PNG")
    save("cmyk.jpg", rgb.convert("CMYK"), format="JPEG", quality=90)
    save("grey.jpg", rgb.convert("L"), format="JPEG")
    save("bilevel.png", rgb.convert("1"), format="PNG")
    grey16 = (photo[..., 1].astype(np.uint16) * 257)
    save("grey16.png", Image.fromarray(grey16), format="PNG")
    put("rgb16.png", _png_rgb16(photo[100:116, 100:116].astype(np.uint16) * 257), "ok")
    save("float32.tif", Image.fromarray(photo[..., 0].astype(np.float32) / 255.0), format="TIFF")
    save("int32.tif", Image.fromarray(photo[..., 0].astype(np.int32) * 257), format="TIFF")
    rgba = rgb.convert("RGBA")
    rgba.putalpha(Image.fromarray(np.where(photo[..., 0] == 255, 0, 255).astype(np.uint8)))
    save("rgba.png", rgba, format="PNG")
    save("grey_alpha.png", rgb.convert("LA"), format="PNG")
    pal = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    save("palette_transparency.png", pal, format="PNG", transparency=0)
    save("palette.gif", pal, format="GIF")
    frames = [Image.fromarray(np.roll(photo, 20 * i, axis=1)) for i in range(3)]
    save("animated.gif", frames[0], format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    save("animated.webp", frames[0], format="WEBP", save_all=True, append_images=frames[1:], duration=100)
    save("lossless.webp", rgba, format="WEBP", lossless=True)
    save("image.bmp", rgb, format="BMP")
    save("image.tiff", rgb, format="TIFF", compression="tiff_lzw")
    save("multipage.tiff", frames[0], format="TIFF", save_all=True, append_images=frames[1:])
    save("icon.ico", rgb, format="ICO", sizes=[(32, 32)])
    save("progressive.jpg", rgb, format="JPEG", progressive=True, quality=80)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    save("exif_rotated_6.jpg", rgb, format="JPEG", quality=95, exif=exif.tobytes())
    put("corrupt_exif.jpg", _with_junk_exif(jpeg), "ok")

    # Names that break naive path handling.
    for name in ("fotoğraf_商品_🎒.jpg", "name with spaces.jpg", "-leading-dash.jpg", "x" * 200 + ".jpg",
                 "semi;colon'quote.jpg"):
        put(name, jpeg, "ok")

    # Decode fine, then the quality stage should object (see QUALITY_FAILURES).
    blurred = Image.fromarray(photo).filter(_gaussian(12))
    save("blurry.jpg", blurred, format="JPEG", quality=90)
    noise = np.random.default_rng(2).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    save("pure_noise.png", Image.fromarray(noise), format="PNG")
    save("blank_white.png", Image.new("RGB", (320, 240), (255, 255, 255)), format="PNG")
    save("blank_grey.jpg", Image.new("RGB", (320, 240), (128, 128, 128)), format="JPEG")
    return expected


def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _gaussian(radius: float):
    from PIL import ImageFilter

    return ImageFilter.GaussianBlur(radius)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_header_only(width: int, height: int) -> bytes:
    """A few hundred bytes whose IHDR claims width x height; the pixel data stops after one row."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(bytes(min(width, 4096) + 1))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _png_rgb16(pixels: np.ndarray) -> bytes:
    """A 16-bit-per-channel RGB PNG, which PIL cannot write itself."""
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[y].astype(">u2").tobytes() for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(rows))
            + _chunk(b"IEND", b""))


def _gif_header_only(width: int, height: int) -> bytes:
    screen = struct.pack("<6sHHBBB", b"GIF89a", width, height, 0x80, 0, 0) + bytes(6)  # 2-colour palette
    descriptor = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return screen + descriptor + b"\x02\x02\x44\x01\x00;"


def _corrupt_png_crc(png: bytes) -> bytes:
    at = png.index(b"IDAT")
    data = bytearray(png)
    data[at + 20] ^= 0xFF  # flip bits inside the compressed data; the CRC no longer matches
    return bytes(data)


def _with_junk_exif(jpeg: bytes) -> bytes:
    junk = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03" + bytes(range(40))
    segment = b"\xff\xe1" + struct.pack(">H", len(junk) + 2) + junk
    return jpeg[:2] + segment + jpeg[2:]


# --- a dropped folder of product folders, each case with the verdict import must give ----------------

HEIC_HEAD = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)  # a phone's HEIC, cut short


def make_import_corpus(drop: Path, outside: Path) -> dict[str, tuple[str, str]]:
    """Write product folders under `drop` (and a file under `outside` for a link to point at).

    Returns path as shown (relative to drop's parent, U+FFFD for undecodable bytes) -> (verdict, a substring of
    the reason, "" for none). Product folders and files alike; every file written gets an entry.
    """
    import json
    import os

    drop.mkdir(parents=True)
    outside.mkdir(parents=True, exist_ok=True)
    expected: dict[str, tuple[str, str]] = {}
    top = drop.name
    seed = [100]

    def photo(fmt: str = "JPEG", **kwargs) -> bytes:
        seed[0] += 1
        return _encode(Image.fromarray(product_like(seed=seed[0])), fmt, **kwargs)

    def folder(name: str | bytes) -> Path:
        path = Path(os.fsdecode(os.path.join(os.fsencode(drop), os.fsencode(name))))
        path.mkdir()
        return path

    def shown(path: Path) -> str:
        return os.fsencode(str(Path(top) / path.relative_to(drop))).decode("utf-8", "replace")

    def put(path: Path, data: bytes, verdict: str, reason: str = "") -> Path:
        path.write_bytes(data)
        expected[shown(path)] = (verdict, reason)
        return path

    def meta(path: Path, value, verdict: str = "imported", reason: str = "", *, raw: bytes | None = None) -> None:
        put(path / "product.json", raw if raw is not None else json.dumps(value).encode(), verdict, reason)

    def product(path: Path, verdict: str, reason: str = "") -> None:
        expected[shown(path)] = (verdict, reason)

    # Every format Pillow decodes here, one product each.
    for fmt, suffix, kwargs in (("JPEG", "jpg", {"quality": 90}), ("PNG", "png", {}), ("WEBP", "webp", {}),
                                ("AVIF", "avif", {}), ("GIF", "gif", {}), ("BMP", "bmp", {}),
                                ("TIFF", "tiff", {})):
        f = folder(f"format-{suffix}")
        put(f / f"main.{suffix}", photo(fmt, **kwargs), "imported")
        meta(f, {"sku": f"FMT-{suffix.upper()}", "title": f"A {fmt} product", "price": 10})
        product(f, "imported")

    # Names in Latin-1 bytes, as Windows zip tools write them.
    f = folder(b"caf\xe9-cr\xe8me")
    put(Path(os.fsdecode(os.path.join(os.fsencode(f), b"photo-\xe9t\xe9.jpg"))), photo(), "imported")
    meta(f, {"sku": "CAFE-1", "title": "Café crème"})
    product(f, "imported")
    f = folder(b"d\xe9j\xe0-vu")  # no product.json either: the SKU comes from the undecodable name
    put(f / "main.jpg", photo(), "imported")
    product(f, "imported with warnings", "no product.json")

    # Metadata, field by field.
    f = folder("bom")
    put(f / "main.jpg", photo(), "imported")
    meta(f, None, raw=b"\xef\xbb\xbf" + json.dumps({"sku": "BOM-1", "title": "With a BOM"}).encode())
    product(f, "imported")
    f = folder("price-comma")
    put(f / "main.jpg", photo(), "imported")
    meta(f, {"sku": "PRICE-COMMA", "title": "Comma", "price": "19,99"}, "imported with warnings", "as 19.99")
    product(f, "imported with warnings", "as 19.99")
    f = folder("price-ambiguous")
    put(f / "main.jpg", photo(), "imported")
    meta(f, {"sku": "PRICE-AMBIG", "title": "Ambiguous", "price": "1,299"}, "imported with warnings",
         "'price' dropped")
    product(f, "imported with warnings", "'price' dropped")
    f = folder("bad-fields")
    put(f / "main.jpg", photo(), "imported")
    meta(f, {"sku": "BAD-FIELDS", "title": {"en": "nested"}, "attributes": ["not", "an", "object"],
             "images": "main.jpg", "category": "Bags"}, "imported with warnings", "'title' dropped")
    product(f, "imported with warnings", "'attributes' dropped")
    f = folder("huge-json")  # over 1 MiB: read, the description truncated
    put(f / "main.jpg", photo(), "imported")
    meta(f, {"sku": "HUGE", "title": "Huge", "description": "word " * 300_000}, "imported with warnings",
         "truncated")
    product(f, "imported with warnings", "'description' truncated")
    f = folder("cp1252-json")
    put(f / "main.jpg", photo(), "imported")
    meta(f, None, "imported with warnings", "not UTF-8",
         raw=json.dumps({"sku": "CP1252", "title": "Crème"}, ensure_ascii=False).encode("cp1252"))
    product(f, "imported with warnings", "not UTF-8")
    f = folder("no-json")
    put(f / "main.jpg", photo(), "imported")
    product(f, "imported with warnings", "no product.json")

    # Whole products refused, each with its reason; the job goes on.
    f = folder("invalid-json")
    put(f / "main.jpg", photo(), "skipped", "not imported")
    meta(f, None, "skipped", "not imported", raw=b'{\n  "sku": "INVALID",\n  "title": "Oops",\n}\n')
    product(f, "rejected", "invalid JSON at line 4 column 1")
    f = folder("json-array")
    put(f / "main.jpg", photo(), "skipped", "not imported")
    meta(f, [1, 2, 3], "skipped", "not imported")
    product(f, "rejected", "JSON object")
    f = folder("no-image")
    meta(f, {"sku": "NO-IMAGE", "title": "Nothing to see"}, "skipped", "not imported")
    put(f / "notes.txt", b"call the supplier", "skipped", "not an image file")
    product(f, "rejected", "no usable image")
    f = folder("only-bad-image")
    put(f / "main.jpg", b"SKU,title\nX,Y\n", "rejected", "contains text")
    meta(f, {"sku": "ONLY-BAD", "title": "Broken"}, "skipped", "not imported")
    product(f, "rejected", "no usable image")
    f = folder("empty-folder")
    product(f, "rejected", "empty product folder")

    # Files refused or left out beside good ones: the product is imported with warnings.
    f = folder("heic-beside-jpeg")
    put(f / "main.jpg", photo(), "imported")
    put(f / "IMG_0001.HEIC", HEIC_HEAD, "rejected", "convert to JPEG")
    meta(f, {"sku": "HEIC-1", "title": "Phone photo"})
    product(f, "imported with warnings", "convert to JPEG")
    f = folder("raw-beside-jpeg")
    put(f / "main.jpg", photo(), "imported")
    put(f / "DSC_0001.NEF", b"II*\x00" + bytes(200), "rejected", "convert to JPEG")
    meta(f, {"sku": "RAW-1", "title": "Camera"})
    product(f, "imported with warnings", "convert to JPEG")
    f = folder("link-outside")
    put(f / "main.jpg", photo(), "imported")
    (outside / "elsewhere.jpg").write_bytes(photo())
    os.symlink(outside / "elsewhere.jpg", f / "linked.jpg")
    expected[shown(f / "linked.jpg")] = ("rejected", "copy it into the folder")
    meta(f, {"sku": "LINK-1", "title": "Linked"})
    product(f, "imported with warnings", "outside the product folder")
    f = folder("extras")
    put(f / "main.jpg", photo(), "imported")
    put(f / "readme.txt", b"hello", "skipped", "not an image file")
    put(f / ".DS_Store", b"\x00\x00\x00\x01Bud1", "skipped", "hidden")
    meta(f, {"sku": "EXTRAS", "title": "Extras"})
    product(f, "imported")

    # Duplicates: the same bytes twice in a product, and a photo another product already has.
    f = folder("dup-in-product")
    same = photo()
    put(f / "main.jpg", same, "imported")
    put(f / "main-copy.jpg", same, "skipped", "same file as main.jpg")
    meta(f, {"sku": "DUP-1", "title": "Twice"})
    product(f, "imported")
    f = folder("zz-same-photo")  # sorts after dup-in-product, so DUP-1 is there first
    put(f / "main.jpg", same, "imported with warnings", "same photo as SKU DUP-1")
    meta(f, {"sku": "DUP-2", "title": "Same photo"})
    product(f, "imported with warnings", "same photo as SKU DUP-1")
    f = folder("zz-sku-taken")
    put(f / "main.jpg", photo(), "skipped", "not imported")
    meta(f, {"sku": "DUP-1", "title": "Same SKU"}, "skipped", "not imported")
    product(f, "rejected", "also used by")

    put(drop / "README.txt", b"exported from the shop", "skipped", "beside product folders")
    return expected

"""Draw the app icon (a catalog card under a magnifier) with PIL and write resources/icons/app.{png,svg,ico,icns}.

Run once after changing the design: `.venv/bin/python packaging/make_icon.py`; the outputs are committed.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"
BG, CARD, INK, LENS = (37, 99, 235), (255, 255, 255), (30, 41, 59), (250, 204, 21)

SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" width="256" height="256">
  <rect x="8" y="8" width="240" height="240" rx="52" fill="#2563eb"/>
  <rect x="48" y="44" width="124" height="152" rx="14" fill="#ffffff"/>
  <rect x="64" y="62" width="92" height="62" rx="8" fill="#dbeafe"/>
  <rect x="64" y="138" width="92" height="10" rx="5" fill="#1e293b"/>
  <rect x="64" y="158" width="60" height="10" rx="5" fill="#94a3b8"/>
  <circle cx="168" cy="164" r="34" fill="none" stroke="#facc15" stroke-width="14"/>
  <line x1="192" y1="188" x2="222" y2="218" stroke="#facc15" stroke-width="18" stroke-linecap="round"/>
</svg>
"""


def draw(size: int = 1024) -> Image.Image:
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    def box(x0, y0, x1, y1):
        return [round(x0 * s), round(y0 * s), round(x1 * s), round(y1 * s)]

    d.rounded_rectangle(box(8, 8, 248, 248), radius=round(52 * s), fill=BG)
    d.rounded_rectangle(box(48, 44, 172, 196), radius=round(14 * s), fill=CARD)
    d.rounded_rectangle(box(64, 62, 156, 124), radius=round(8 * s), fill=(219, 234, 254))
    d.rounded_rectangle(box(64, 138, 156, 148), radius=round(5 * s), fill=INK)
    d.rounded_rectangle(box(64, 158, 124, 168), radius=round(5 * s), fill=(148, 163, 184))
    d.ellipse(box(134, 130, 202, 198), outline=LENS, width=round(14 * s))
    d.line(box(192, 188, 222, 218), fill=LENS, width=round(18 * s))
    r = round(9 * s)
    for cx, cy in ((192, 188), (222, 218)):
        d.ellipse([round(cx * s) - r, round(cy * s) - r, round(cx * s) + r, round(cy * s) + r], fill=LENS)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(1024)
    big.resize((512, 512), Image.LANCZOS).save(OUT / "app.png")
    big.save(OUT / "app.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    big.save(OUT / "app.icns")  # Pillow writes every ICNS size from the 1024 px source
    (OUT / "app.svg").write_text(SVG, encoding="utf-8")


if __name__ == "__main__":
    main()

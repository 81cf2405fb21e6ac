"""Writes bench/text_queries_shopper.jsonl: the dev text queries in the words shoppers type instead.

    python bench/shopper_queries.py [--data ../shared/data/magento-dev]

Each descriptive query ("women's gray pants") and category query ("tees") is rewritten twice by swapping the
catalog's words for words people use for the same thing (audience, colour shade, garment name, spelling,
hyphenation), chosen deterministically by a hash of the query; the relevant products are the source query's.
The substitutions below were written from general shop vocabulary before looking at any product or result,
and are not the app's lexicon file (resources/lexicon/): the app must bridge them, not look them up verbatim.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "text_queries_shopper.jsonl"

AUDIENCE = {
    "women's": ["ladies", "womens", "ladies'", "women", "for women", "woman's"],
    "men's": ["mens", "gents", "men", "for men", "man's", "mens'"],
}
COLOUR = {
    "black": ["black", "jet black", "noir"],
    "white": ["cream", "ivory", "off-white"],
    "gray": ["grey", "charcoal", "heather grey", "slate"],
    "blue": ["navy", "royal blue", "cobalt", "navy blue"],
    "red": ["burgundy", "crimson", "maroon", "scarlet"],
    "green": ["olive", "forest green", "lime", "emerald"],
    "yellow": ["mustard", "lemon", "canary yellow"],
    "orange": ["tangerine", "coral", "burnt orange"],
    "purple": ["violet", "lilac", "plum", "lavender"],
    "brown": ["chocolate", "tan", "coffee"],
}
GARMENT = {
    "tee": ["t-shirt", "tshirt", "tee shirt", "t shirt", "t-shirts"],
    "pants": ["trousers", "slacks", "trouser", "joggers"],
    "hoodie": ["hoody", "hooded sweatshirt", "hoodies", "hooded top"],
    "jacket": ["coat", "windbreaker", "jackets", "anorak"],
    "shorts": ["short", "shorts", "gym shorts"],
    "tank": ["tank top", "singlet", "vest top", "tank tops"],
    "bra": ["sports bra", "bralette", "bras"],
}
CATEGORY = {
    "bags": ["rucksacks and holdalls", "bag"],
    "bras & tanks": ["sports bras and tank tops", "bralettes singlets"],
    "fitness equipment": ["gym equipment", "workout gear"],
    "hoodies & sweatshirts": ["hoodys", "hooded sweatshirts"],
    "jackets": ["coats", "windbreakers"],
    "pants": ["trousers", "slacks"],
    "shorts": ["gym shorts", "short"],
    "tanks": ["tank tops", "singlets"],
    "tees": ["t-shirts", "tshirts"],
    "watches": ["wristwatches", "watch"],
}


def pick(options: list[str], text: str, salt: str) -> str:
    return options[int(hashlib.sha1(f"{salt}:{text}".encode()).hexdigest(), 16) % len(options)]


def rewrite(text: str, salt: str) -> str:
    words = text.split()
    if len(words) == 3 and words[0] in AUDIENCE:
        audience, colour, garment = words
        return " ".join([pick(AUDIENCE[audience], text, salt + "a"), pick(COLOUR[colour], text, salt + "c"),
                         pick(GARMENT[garment], text, salt + "g")])
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE.parents[1] / "shared" / "data" / "magento-dev")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = []
    for line in (args.data / "text_queries_descriptive.jsonl").read_text().splitlines():
        q = json.loads(line)
        for salt in ("1", "2"):
            rows.append({"text": rewrite(q["text"], salt), "kind": "shopper", "source": q["text"],
                         "relevant": q["relevant"]})
    for line in (args.data / "text_queries.jsonl").read_text().splitlines():
        q = json.loads(line)
        if q.get("kind") == "category" and q["text"] in CATEGORY:
            for variant in CATEGORY[q["text"]]:
                rows.append({"text": variant, "kind": "shopper_category", "source": q["text"],
                             "relevant": q["relevant"]})
    seen, unique = set(), []
    for r in rows:
        if r["text"] not in seen:
            seen.add(r["text"])
            unique.append(r)
    args.out.write_text("".join(json.dumps(r) + "\n" for r in unique))
    print(f"{len(unique)} queries -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Regenerates resources/lexicon/wordnet_apparel.json: the apparel, gear, colour and audience part of WordNet.

The app never reads WordNet itself (28 MB, and not a Python package): this script extracts, once, at build
time, the synonyms and near-synonyms a shopper's words need, and the app ships the compact result.

    apt-get install wordnet-base                      # Debian/Ubuntu: Princeton WordNet 3.0 (its licence:
    python packaging/build_lexicon.py                 #   resources/lexicon/WORDNET_LICENSE)
    python packaging/build_lexicon.py --dict DIR      # any WNDB folder (data.noun, index.noun, noun.exc)

What is kept: every noun synset under the domain roots below (clothing, footwear, headwear, bags and
luggage, jewellery and watches, sports equipment, colours), plus a few audience synsets (woman, man, child,
boy, girl, lady, gentleman). Per lemma:
  - "syn":    the other lemmas of its synsets (same meaning; "trouser" ~ "pant", "grey" ~ "gray"),
  - "broader": the lemmas of its synsets' direct hypernyms within the domain ("navy blue" -> "blue"),
  - "family": for colours, the basic colour term it is a shade of, at any depth ("charcoal" -> "gray"),
  - "narrower": the lemmas of direct hyponyms, at most NARROWER_MAX per lemma ("coat" -> "jacket").
Multi-word lemmas keep their words, separated by spaces ("tank top"). The output is sorted, so a rebuild
from the same data gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "lexicon" / "wordnet_apparel.json"
DEFAULT_DICT = Path("/usr/share/wordnet")

# (a lemma of the root synset, its lexicographer file): every hyponym, transitively, is in the domain.
ROOTS = [
    ("clothing", "noun.artifact"), ("footwear", "noun.artifact"), ("headdress", "noun.artifact"),
    ("bag", "noun.artifact"), ("baggage", "noun.artifact"), ("jewelry", "noun.artifact"),
    ("timepiece", "noun.artifact"), ("sports_equipment", "noun.artifact"), ("exercise_device", "noun.artifact"),
    ("bottle", "noun.artifact"), ("glove", "noun.artifact"), ("mat", "noun.artifact"),
    ("color", "noun.attribute"),
]
# Synsets kept alone (their hyponyms are not apparel words): who a product is for.
AUDIENCE = ["woman", "man", "child", "boy", "girl", "lady", "gentleman", "female", "male"]
BASIC_COLOURS = ["black", "white", "gray", "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown"]
NARROWER_MAX = 25
# A hypernym with more than this many synsets below it is a category, not a near-synonym ("garment", "bag"):
# expanding "trousers" to every garment would find everything.
BROADER_MAX_BELOW = 40
LEXNAMES = {"noun.artifact": 6, "noun.attribute": 7, "noun.person": 18}


def read_synsets(folder: Path) -> dict[str, dict]:
    """offset -> {lemmas, lex, hyper, hypo} from data.noun (the WNDB format: wndb(5WN))."""
    out = {}
    with open(folder / "data.noun", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith(" "):  # the licence header
                continue
            fields = line.split(" | ")[0].split()
            offset, lex = fields[0], int(fields[1])
            count = int(fields[3], 16)
            lemmas = [fields[4 + 2 * i] for i in range(count)]
            at = 4 + 2 * count
            pointers = int(fields[at])
            hyper, hypo = [], []
            for p in range(pointers):
                symbol, target, pos = fields[at + 1 + 4 * p: at + 4 + 4 * p]
                if pos != "n":
                    continue
                if symbol == "@":
                    hyper.append(target)
                elif symbol == "~":
                    hypo.append(target)
            out[offset] = {"lemmas": lemmas, "lex": lex, "hyper": hyper, "hypo": hypo}
    return out


def sense_ranks(folder: Path) -> dict[tuple[str, str], int]:
    """(lemma, offset) -> the sense's rank for that lemma in index.noun (0: the most frequent sense)."""
    out = {}
    with open(folder / "index.noun", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith(" "):
                continue
            fields = line.split()
            lemma, senses = fields[0], int(fields[2])
            for rank, offset in enumerate(fields[-senses:]):
                out[(lemma, offset)] = rank
    return out


def clean(lemma: str) -> str:
    """WordNet's form to ours: lower case, spaces for underscores, no sense marker ("(a)")."""
    return lemma.split("(")[0].replace("_", " ").lower()


def domain(synsets: dict[str, dict]) -> tuple[set[str], set[str]]:
    by_lemma = defaultdict(list)
    for offset, s in synsets.items():
        for lemma in s["lemmas"]:
            by_lemma[lemma.lower()].append(offset)
    keep: set[str] = set()
    todo = [o for lemma, lex in ROOTS for o in by_lemma[lemma] if synsets[o]["lex"] == LEXNAMES[lex]]
    while todo:
        offset = todo.pop()
        if offset not in keep:
            keep.add(offset)
            todo.extend(synsets[offset]["hypo"])
    # Only the first sense of an audience word: "woman" is also a charwoman, "man" a chess piece.
    audience = {_first_person_sense(lemma, synsets) for lemma in AUDIENCE}
    colours = {o for o in keep if synsets[o]["lex"] == LEXNAMES["noun.attribute"]}
    return keep | audience, colours


def _first_person_sense(lemma: str, synsets: dict[str, dict]) -> str:
    return next(o for o in RANKED[lemma] if synsets[o]["lex"] == LEXNAMES["noun.person"])


RANKED: dict[str, list[str]] = {}  # lemma -> its synsets, most frequent sense first (read by build)


def _count_below(offset: str, synsets: dict[str, dict], keep: set[str]) -> int:
    seen: set[str] = set()
    todo = [h for h in synsets[offset]["hypo"] if h in keep]
    while todo:
        o = todo.pop()
        if o not in seen:
            seen.add(o)
            todo.extend(h for h in synsets[o]["hypo"] if h in keep)
    return len(seen)


def colour_family(offset: str, synsets: dict[str, dict], basic: dict[str, str], depth: int = 0) -> set[str]:
    if offset in basic:
        return {basic[offset]}
    if depth > 8:
        return set()
    found: set[str] = set()
    for parent in synsets[offset]["hyper"]:
        found |= colour_family(parent, synsets, basic, depth + 1)
    return found


def build(folder: Path) -> dict:
    synsets = read_synsets(folder)
    ranks = sense_ranks(folder)
    RANKED.clear()
    for (lemma, offset), _rank in sorted(ranks.items(), key=lambda kv: kv[1]):
        RANKED.setdefault(lemma, []).append(offset)
    keep, colours = domain(synsets)
    # A lemma speaks for a synset only in its main senses: its first in the domain, or one of its two most
    # frequent ("woman" is also a charwoman, "grey" also a grey garment): rarer senses add noise, not recall.
    main_sense = {}
    for lemma, offsets in RANKED.items():
        first = next((o for o in offsets if o in keep), None)
        main_sense[lemma] = {o for i, o in enumerate(offsets) if o in keep and (i < 2 or o == first)}
    basic = {o: name for name in BASIC_COLOURS for o in colours if name in [x.lower() for x in synsets[o]["lemmas"]]}
    entries: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    below = {o: _count_below(o, synsets, keep) for o in keep}
    for offset in keep:
        s = synsets[offset]
        names = [clean(x) for x in s["lemmas"]]
        broader = [clean(x) for h in s["hyper"] if h in keep and below[h] <= BROADER_MAX_BELOW
                   for x in synsets[h]["lemmas"]]
        narrower = [clean(x) for h in s["hypo"] if h in keep for x in synsets[h]["lemmas"]]
        family = colour_family(offset, synsets, basic) if offset in colours else set()
        for raw, name in zip(s["lemmas"], names, strict=True):
            if offset not in main_sense.get(raw.split("(")[0].lower(), {offset}):
                continue
            e = entries[name]
            e["syn"].update(n for n in names if n != name)
            e["broader"].update(b for b in broader if b != name)
            e["narrower"].update(n for n in narrower if n != name)
            e["family"].update(f for f in family if f != name)
    out = {}
    for name in sorted(entries):
        e = {k: sorted(v) for k, v in entries[name].items() if v}
        if "narrower" in e:
            e["narrower"] = e["narrower"][:NARROWER_MAX]
        if e:
            out[name] = e
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dict", type=Path, default=DEFAULT_DICT, help="a WNDB folder (default %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not (args.dict / "data.noun").exists():
        print(f"no WordNet database in {args.dict}: apt-get install wordnet-base, or pass --dict", file=sys.stderr)
        return 1
    entries = build(args.dict)
    doc = {"source": "Princeton WordNet 3.0 (wordnet-base), extracted by packaging/build_lexicon.py",
           "licence": "WordNet 3.0 licence: resources/lexicon/WORDNET_LICENSE", "entries": entries}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{len(entries)} lemmas -> {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

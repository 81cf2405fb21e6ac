"""How much of words-mode text search comes from which source: nDCG@10 per lexicon (issue 31).

    PYTHONPATH=. python bench/text_words_ablation.py --catalog /tmp/devcat \\
        --queries bench/text_queries_shopper.jsonl [--queries ...] [--json]

Runs `eval` once per setting, in this process, on the same catalog: the full lexicon (curated list + WordNet
extract), WordNet alone, the curated list alone, and neither (morphology, typos and the catalog's own
vocabulary only). Curator synonyms of the catalog apply in every setting.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli import main as cli  # noqa: E402
from core.resources import resource_path  # noqa: E402
from core.search import vocabulary  # noqa: E402

SETTINGS = ("full", "wordnet_only", "curated_only", "neither")


def lexicon_for(setting: str) -> vocabulary.Lexicon:
    curated = json.loads(resource_path("lexicon", "apparel_curated.json").read_text(encoding="utf-8"))
    wordnet = json.loads(resource_path("lexicon", "wordnet_apparel.json").read_text(encoding="utf-8"))
    if setting in ("wordnet_only", "neither"):
        curated = {"not_expanded": curated.get("not_expanded", [])}
    if setting in ("curated_only", "neither"):
        wordnet = {}
    return vocabulary.Lexicon(curated, wordnet)


def run(catalog: str, queries: str, setting: str) -> dict:
    lex = lexicon_for(setting)
    original = vocabulary.lexicon
    vocabulary.lexicon = lambda: lex  # type: ignore[assignment]
    try:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            cli(["eval", "--queries", queries, "--catalog", catalog, "--json"])
    finally:
        vocabulary.lexicon = original  # type: ignore[assignment]
    result = json.loads(out.getvalue())
    return {kind: {k: v[k] for k in ("queries", "hit@1", "mrr", "ndcg@10")} for kind, v in result["by_kind"].items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--queries", action="append", required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    table = {q: {s: run(args.catalog, q, s) for s in SETTINGS} for q in args.queries}
    if args.json:
        print(json.dumps(table, indent=2))
    else:
        for q, rows in table.items():
            print(q)
            for s, kinds in rows.items():
                for kind, v in kinds.items():
                    print(f"  {s:14s} {kind:18s} n={v['queries']:3d} hit@1 {v['hit@1']:.3f} nDCG@10 {v['ndcg@10']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Offline text search: the FTS5 index stays in step with imports, corrections and deletes; SKUs first; CLI and eval."""

from __future__ import annotations

import dataclasses
import json

import pytest

from app.cli import main
from core.catalog import db
from core.catalog.catalog import Catalog
from core.catalog.importer import import_folders
from core.search import lexical
from core.search.query import SearchRequest, search, text_relevance
from tests.test_indexer import _scene
from tests.test_search_fixtures import StubRegistry


def _folder(root, name, **meta):
    folder = root / name
    _scene(folder / "main.jpg", (200, 30, 30))
    (folder / "product.json").write_text(json.dumps(meta))
    return folder


def _skus(text, limit=10):
    by_id = {p: s for p, s in db.Product.with_deleted(db.Product.id, db.Product.sku).tuples()}
    return [by_id[h.product_id] for h in lexical.search(text, limit)]


@pytest.fixture
def cat(tmp_path):
    catalog = Catalog.open(tmp_path / "cat")
    yield catalog
    catalog.close()


def test_import_correct_delete_and_restore_keep_the_text_index_in_step(cat, tmp_path):
    src = tmp_path / "src"
    _folder(src, "a", sku="24-MB01", title="Joust Duffle Bag", category="Gear/Bags",
            description="A café-ready bag", attributes={"color": "Black", "material": "Nylon"})
    _folder(src, "b", sku="WS03-XS-Red", title="Radiant Tee", category="Women/Tops/Tees",
            attributes={"color": "Red"})
    import_folders(cat.paths, [src])
    assert _skus("duffle") == ["24-MB01"]
    assert _skus("cafe") == ["24-MB01"]  # diacritics removed on both sides
    assert _skus("nylon") == ["24-MB01"]  # attribute values
    assert _skus("tees") == ["WS03-XS-Red"]  # category, stemmed
    assert _skus("radi") == ["WS03-XS-Red"]  # the last word is a prefix
    # A changed product.json (a corrected attribute) re-imports: the old word goes, the new one comes.
    _folder(src, "a", sku="24-MB01", title="Joust Duffle Bag", category="Gear/Bags",
            attributes={"color": "Black", "material": "Canvas"})
    import_folders(cat.paths, [src])
    assert _skus("nylon") == [] and _skus("canvas") == ["24-MB01"]
    # A curator's label is searchable; removing it removes the word.
    from core.review import Reviewer

    service = Reviewer(cat, StubRegistry())  # a label correction needs no model, only its version
    bag = db.Product.get(db.Product.sku == "24-MB01")
    service.add_label(bag.id, "styles", "Zorblaxer")  # a word no lexicon expands
    assert _skus("zorblaxer") == ["24-MB01"]
    label = db.Label.get(db.Label.value == "Zorblaxer")
    service.remove_label(label.id)
    assert _skus("zorblaxer") == []
    # Machine guesses are not words a search matches.
    db.Label.create(product=bag, vocabulary="colours", value="Turquoise", source="zero-shot", score=0.3)
    assert _skus("turquoise") == []
    # Soft delete hides the product; restore brings it back; a purge removes the row.
    bag.soft_delete()
    assert _skus("duffle") == []
    bag.restore()
    assert _skus("duffle") == ["24-MB01"]
    db.Product.delete().where(db.Product.id == bag.id).execute()
    count = db.database.execute_sql("SELECT count(*) FROM product_fts WHERE rowid = ?", (bag.id,)).fetchone()[0]
    assert count == 0


def test_an_exact_sku_goes_first_and_all_words_beat_some(cat, tmp_path):
    src = tmp_path / "src"
    _folder(src, "a", sku="MH01", title="Chaz Kangeroo Hoodie", description="MH01 MH01 MH01 is not this one")
    _folder(src, "b", sku="MH01-XL", title="Hoodie", description="see MH01 MH01 MH01 MH01")
    _folder(src, "c", sku="MJ02", title="Hyperion Jacket", description="Waterproof jacket jacket jacket")
    _folder(src, "d", sku="MJ03", title="Waterproof Hoodie Jacket")
    import_folders(cat.paths, [src])
    assert _skus("MH01")[0] == "MH01"
    assert _skus("mh01-xl")[0] == "MH01-XL"  # case-insensitive
    hits = lexical.search("waterproof hoodie", 10)
    assert [h.all_words for h in hits] == sorted((h.all_words for h in hits), reverse=True)
    assert _skus("waterproof hoodie")[0] == "MJ03"


def test_fusion_is_neither_source_alone():
    import numpy as np

    clip = np.array([0.30, 0.20, 0.25, 0.10], np.float32)
    lex = np.array([0.0, 0.8, 0.8, 0.4], np.float32)
    fused = text_relevance(clip, lex)
    # CLIP alone would put 0 first, the words alone 1 or 2 (tied): fused, CLIP breaks the tie of the words,
    # and a product both sources rank beats one only CLIP found.
    assert list(np.argsort(-fused)) == [2, 1, 0, 3] or list(np.argsort(-fused))[:2] == [2, 1]
    assert fused[2] > fused[0] and fused.max() <= 1.0
    assert text_relevance(clip, np.zeros(4, np.float32)) is clip  # no word matched: CLIP as before
    alone = text_relevance(None, lex)
    assert alone[1] == alone[2] == 1.0 and alone[3] < 1.0 and alone[0] == 0.0


def test_hybrid_text_with_tiny_clip_unions_and_lets_clip_break_word_ties(tmp_path, tiny_model_settings):
    """The mechanics with a real (tiny) CLIP: lexical hits and CLIP neighbours both come back."""
    from core.models.registry import ModelRegistry

    root = tmp_path / "cat"
    root.mkdir()
    src = tmp_path / "src"
    for i, colour in enumerate([(200, 30, 30), (30, 30, 200), (30, 160, 40), (230, 200, 20)]):
        folder = src / f"p{i}"
        _scene(folder / "main.jpg", colour)
        title = "Trail Jacket" if i < 2 else f"Plain thing {i}"
        (folder / "product.json").write_text(json.dumps({"sku": f"SKU-{i}", "title": title}))
    from core.settings import Settings

    settings = Settings()
    settings.models = tiny_model_settings
    settings.save(root / "settings.json")
    assert main(["index", str(src), "--catalog", str(root), "--json"]) == 0
    catalog = Catalog.open(root)
    registry = ModelRegistry(catalog.settings.models)
    try:
        response = search(catalog, registry, SearchRequest(text="trail jacket", k=4), log_query=False)
        skus = [r.sku for r in response.results]
        assert set(skus[:2]) == {"SKU-0", "SKU-1"} and len(skus) == 4  # the union: CLIP brings the others
        top, second = response.results[0].explanation, response.results[1].explanation
        assert top["similarity"]["lexical"] == pytest.approx(second["similarity"]["lexical"])
        assert top["similarity"]["text"] >= second["similarity"]["text"]  # CLIP breaks the tie
        assert any(w.startswith("text: words found in title") for w in top["words"])
        assert not any("filter" in w for w in top["words"])
    finally:
        registry.close()
        catalog.close()


def test_offline_text_search_and_eval_through_the_cli(tmp_path, capsys, tiny_model_settings):
    """efficientnet-lite0 has no text tower: search --text and eval on text queries still work."""
    from core.settings import Settings
    from tests.test_indexer import _make_products

    root = tmp_path / "cat"
    root.mkdir()
    settings = Settings()
    settings.models = dataclasses.replace(tiny_model_settings, embedder="efficientnet-lite0")  # a copy: shared
    settings.save(root / "settings.json")
    src = _make_products(tmp_path / "src", n=3)
    assert main(["index", str(src), "--catalog", str(root), "--json"]) == 0
    capsys.readouterr()
    assert main(["search", "--text", "Product 2", "--catalog", str(root), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["kind"] == "text" and payload["results"][0]["sku"] == "SKU-2"
    assert main(["search", "--text", "SKU-1", "--catalog", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["sku"] == "SKU-1"

    queries = tmp_path / "q.jsonl"
    queries.write_text("\n".join(json.dumps({"text": f"Product {i}", "relevant": [f"SKU-{i}"]}) for i in range(3)))
    assert main(["eval", "--queries", str(queries), "--catalog", str(root), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] == 0 and result["by_kind"]["text"]["recall@1"] == 1.0
    # The whole-image baseline has no way to embed text here: eval says so and fails.
    code = main(["eval", "--queries", str(queries), "--catalog", str(root), "--mode", "whole", "--json"])
    captured = capsys.readouterr()
    assert code == 1 and json.loads(captured.out)["failed"] == 3
    assert "3 text queries could not run" in captured.err and "text search is not available" in captured.err

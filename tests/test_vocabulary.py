"""A shopper's words, offline: synonyms, morphology, typos, honest words mode, SKUs alone, curator synonyms synced."""

from __future__ import annotations

import numpy as np
import pytest

from core.catalog import db
from core.catalog.catalog import Catalog
from core.search import lexical
from core.search import vocabulary as vocab
from core.search.query import SearchRequest, search
from tests.test_search_fixtures import DIM, CatalogBuilder, StubEmbedder, StubRegistry

PRODUCTS = [
    ("WP01-Gray", "Daria Yoga Pant", "Women/Bottoms/Pants", {"color": "Gray"}),
    ("MP01-Gray", "Viktor Track Pant", "Men/Bottoms/Pants", {"color": "Gray"}),
    ("WS01-Black", "Juliana Tee", "Women/Tops/Tees", {"color": "Black"}),
    ("WS02-Blue", "Radiant Tee", "Women/Tops/Tees", {"color": "Blue"}),
    ("MJ01-Black", "Typhon Jacket", "Men/Tops/Jackets", {"color": "Black"}),
    ("24-MB03", "Crown Summit Backpack", "Gear/Bags", {"color": "Black"}),
    ("24-MB04", "Strive Shoulder Pack", "Gear/Bags", {"color": "Black"}),
    ("24-UG06", "Affirm Water Bottle", "Gear/Fitness Equipment", {"color": "Black"}),
]


def _import(cat, products=PRODUCTS):
    """The products as the indexer leaves them: rows, text index, a vector each (random: words decide here)."""
    builder = CatalogBuilder(cat)
    rng = np.random.default_rng(7)
    for sku, title, category, attributes in products:
        builder.add(sku, [rng.standard_normal(DIM)], title=title, category=category, attributes=attributes)
    builder.cache.close()
    vocab._LEARNED.clear()


def _skus(text, limit=10):
    by_id = dict(db.Product.with_deleted(db.Product.id, db.Product.sku).tuples())
    return [by_id[h.product_id] for h in lexical.search(text, limit)]


@pytest.fixture
def no_catalog():
    """The app's own vocabulary alone: a catalog an earlier test left bound to the process-wide database would
    narrow the alternatives to its own words (index_terms)."""
    db.close_database()
    db.database.init(None)
    yield


@pytest.fixture
def cat(tmp_path):
    catalog = Catalog.open(tmp_path / "cat")
    _import(catalog)
    yield catalog
    catalog.close()


def test_morphology_possessives_plurals_hyphens_and_phrases(no_catalog):
    assert vocab.tokens("Women's T-Shirts") == ["women", "t-shirts"]
    assert [vocab.singular(w) for w in ("trousers", "ladies", "dresses", "glass", "jeans")] == \
        ["trouser", "lady", "dress", "glass", "jean"]
    # WordNet's "-men" rule, and its plural back: the index's stemmer keeps "woman" and "women" apart
    assert [vocab.singular(w) for w in ("women", "mens", "womens", "gentlemen", "human")] == \
        ["woman", "man", "woman", "gentleman", "human"]
    assert vocab._irregular_plural("adult woman") == "adult women" and vocab._irregular_plural("human") is None
    # t-shirt, tshirt, tee shirt, T Shirt and T-shirts are each one word that means "tee"
    for form in ("t-shirt", "tshirt", "tee shirt", "t-shirts", "T Shirt", "tee-shirts"):
        understood = vocab.understand(form)
        assert len(understood.words) == 1, form
        assert "tee" in {a.phrase for a in understood.words[0].alternatives}, form
    understood = vocab.understand("ladies tee shirt")
    assert [w.said for w in understood.words] == ["ladies", "tee shirt"]  # the phrase is one word
    tee = understood.words[1]
    assert "tee" in {a.phrase for a in tee.alternatives}


def test_expansion_weights_sources_and_colour_families(no_catalog):
    understood = vocab.understand("navy charcoal trousers")
    navy, charcoal, trousers = understood.words
    by = {w.said: {a.phrase: a for a in w.alternatives} for w in understood.words}
    assert navy.alternatives[0].weight == vocab.EXACT
    assert by["navy"]["blue"].weight < vocab.EXACT  # a colour family
    assert by["charcoal"]["gray"].weight < vocab.EXACT
    assert by["trousers"]["pants"].weight < vocab.EXACT
    assert "grey" in {a.phrase for a in vocab.understand("gray").words[0].alternatives}  # spellings both ways
    women = {a.phrase for a in vocab.understand("ladies").words[0].alternatives}
    assert "women" in women
    # WordNet is in there, not only the curated list: "rucksack" is WordNet's synonym of "knapsack".
    assert "rucksack" in {a.phrase for a in vocab.understand("knapsack").words[0].alternatives}
    # Function words are not searched.
    assert [w.said for w in vocab.understand("jacket for men").words] == ["jacket", "men"]


def test_shopper_words_find_the_catalog_words_and_an_exact_word_weighs_more(cat):
    assert set(_skus("ladies grey trousers")[:1]) == {"WP01-Gray"}
    assert set(_skus("grey trousers")[:2]) == {"WP01-Gray", "MP01-Gray"}
    assert _skus("womens black t-shirt")[0] == "WS01-Black"
    assert _skus("mens black coat")[0] == "MJ01-Black"
    assert _skus("rucksack")[0] == "24-MB03"
    # The exact word before its synonym: "pants" typed exactly outranks nothing found through "trousers",
    # and a product holding the typed word beats one holding only a synonym of it.
    hits = lexical.search("gray pants", 10)
    assert all(h.exact for h in hits[:2]) and hits[0].weight == 1.0
    syn = lexical.search("grey pants", 10)
    assert syn[0].weight < 1.0 and not syn[0].exact  # "grey" only through "gray"


WORDS_MODE = StubRegistry(StubEmbedder(supports_text=False))


def test_a_synonym_match_says_so_in_its_explanation(cat):
    registry = WORDS_MODE
    response = search(cat, registry, SearchRequest(text="ladies trousers", k=5), log_query=False)
    top = response.results[0]
    assert top.sku == "WP01-Gray"
    assert "trousers ≈ pants" in top.explanation["synonyms"] and "ladies ≈ women" in top.explanation["synonyms"]
    assert any("trousers ≈ pants" in w for w in top.explanation["words"])
    exact = search(cat, registry, SearchRequest(text="women pants", k=5), log_query=False).results[0]
    assert exact.explanation["synonyms"] == []  # matched as typed: no synonym to own up to


def test_words_mode_shows_only_products_with_a_matched_word_and_an_exact_sku_alone(cat):
    registry = WORDS_MODE
    response = search(cat, registry, SearchRequest(text="black backpack", k=20), log_query=False)
    assert response.results[0].sku == "24-MB03"
    for r in response.results:  # every result owns up to a word it matched
        assert r.explanation["matched_fields"] or r.explanation["synonyms"], r.sku
    none = search(cat, registry, SearchRequest(text="zebra", k=20), log_query=False)
    assert none.results == []  # no word, no result: nothing filled in from the vectors
    sku = search(cat, registry, SearchRequest(text="24-MB03", k=20), log_query=False)
    assert [r.sku for r in sku.results] == ["24-MB03"]  # first and alone, though 24-* SKUs share "24"
    assert "the SKU typed exactly" in " ".join(sku.results[0].explanation["words"])


def test_a_typo_finds_the_word_and_says_what_was_searched(cat):
    registry = WORDS_MODE
    response = search(cat, registry, SearchRequest(text="backpak", k=10), log_query=False)
    assert response.corrected == "backpack" and response.results[0].sku == "24-MB03"
    assert response.to_dict()["corrected"] == "backpack"
    assert search(cat, registry, SearchRequest(text="backpack", k=10), log_query=False).corrected is None
    assert vocab.nearest_term("zzzzzzz") is None
    assert vocab.edit_distance("backpak", "backpack", 1) == 1 and vocab.edit_distance("jakcet", "jacket", 1) == 1


def test_curator_synonyms_add_remove_and_the_catalog_teaches_its_own(cat):
    assert _skus("rambler") == []
    vocab.add_synonym("rambler", "backpack")
    assert _skus("rambler")[0] == "24-MB03"
    assert {"term": "backpack", "synonym": "rambler", "state": "added"} in vocab.synonym_list()
    # Removing a built-in synonym takes it away too.
    assert "WP01-Gray" in _skus("trousers")
    vocab.remove_synonym("trousers", "pants")
    assert "WP01-Gray" not in _skus("trousers")
    vocab.remove_synonym("rambler", "backpack")
    assert _skus("rambler") == []
    rows = db.Correction.select().where(db.Correction.kind.in_(vocab.SYNONYM_KINDS))
    assert rows.count() == 3 and db.SyncOutbox.select().where(db.SyncOutbox.kind == "correction").count() >= 3
    with pytest.raises(ValueError, match="two different words"):
        vocab.add_synonym("pants", "Pants")


def test_clicked_queries_teach_the_catalog_a_word(cat):
    from core.search.analytics import record_click

    bag = db.Product.get(db.Product.sku == "24-MB04")
    for _ in range(2):
        q = db.QueryResult.create(kind="text", text="satchel thing", result_ids=[bag.id], scores=[1.0])
        record_click(q.id, bag.id, 1)
    vocab._LEARNED.clear()
    taught = vocab.learned()
    assert taught["satchel"].get("bag") == (vocab.CATALOG, "clicks")


@pytest.mark.s3
def test_a_curator_synonym_syncs_to_another_catalog(radosgw, s3_prefix, tmp_path):
    from core.review import Reviewer
    from core.sync.engine import sync
    from tests.test_sync import make_store, settings_for

    settings = settings_for(radosgw, s3_prefix)
    store = make_store(radosgw, s3_prefix)
    a = Catalog.open(tmp_path / "a")
    _import(a)
    vocab.add_synonym("rambler", "backpack")
    assert sync(settings, store=store).pushed >= 1
    a.close()

    b = Catalog.open(tmp_path / "b")
    try:
        _import(b)
        assert _skus("rambler") == []
        report = sync(settings, store=store, apply_remote=Reviewer(b, StubRegistry()).apply_remote)
        assert report.ok and report.pulled >= 1, report.to_dict()
        assert _skus("rambler")[0] == "24-MB03"  # B's search knows A's synonym
        vocab.remove_synonym("rambler", "backpack")
        assert sync(settings, store=store).pushed >= 1
    finally:
        b.close()
    a = Catalog.open(tmp_path / "a")
    try:
        sync(settings, store=store, apply_remote=Reviewer(a, StubRegistry()).apply_remote)
        assert _skus("rambler") == []  # and A takes B's removal back
    finally:
        a.close()


def test_with_a_text_tower_the_words_and_the_text_model_fuse(cat):
    """With CLIP present the lexical ranking (synonyms included) and the text model's are fused (RRF): the
    synonym match comes back with both parts in its explanation, and the text model adds its own neighbours."""
    registry = StubRegistry(StubEmbedder(supports_text=True))
    response = search(cat, registry, SearchRequest(text="ladies trousers", k=8), log_query=False)
    by_sku = {r.sku: r.explanation for r in response.results}
    assert "WP01-Gray" in by_sku and len(response.results) == len(PRODUCTS)  # CLIP brings the rest
    expl = by_sku["WP01-Gray"]
    assert expl["similarity"]["lexical"] > 0 and expl["similarity"]["text"] is not None
    assert "trousers ≈ pants" in expl["synonyms"]
    unmatched = [e for s, e in by_sku.items() if s.startswith(("24-", "MJ"))]  # neither women nor pants
    assert unmatched and all(e["similarity"]["lexical"] == 0 and not e["synonyms"] for e in unmatched)


def test_the_wordnet_extract_is_regenerated_byte_for_byte(tmp_path):
    import importlib.util
    from pathlib import Path

    wordnet = Path("/usr/share/wordnet")
    if not (wordnet / "data.noun").exists():
        pytest.skip("WordNet is not installed here (apt-get install wordnet-base)")
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build_lexicon", root / "packaging" / "build_lexicon.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "wordnet_apparel.json"
    assert module.main(["--dict", str(wordnet), "--out", str(out)]) == 0
    assert out.read_bytes() == (root / "resources" / "lexicon" / "wordnet_apparel.json").read_bytes()


def test_the_wordnet_notice_ships_with_the_notices():
    import importlib.util
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("cc_notices_h31", root / "packaging" / "notices.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["cc_notices_h31"] = module
    spec.loader.exec_module(module)
    text = "\n".join(module.data_notices())
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in text and "wordnet_apparel.json" in text

"""The CLI over an indexed catalog with tiny real models: search, eval, analytics, duplicates, export, ops."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from tests.test_indexer import _make_products


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, tiny_model_settings):
    from core.settings import Settings

    root = tmp_path_factory.mktemp("cli")
    cat = root / "cat"
    cat.mkdir()
    settings = Settings()
    settings.models = tiny_model_settings
    settings.save(cat / "settings.json")
    src = _make_products(root / "src", n=4)
    assert main(["index", str(src), "--catalog", str(cat), "--json"]) == 0
    return cat, src


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, out


def test_search_image_text_and_hybrid(indexed, capsys):
    cat, src = indexed
    code, out = _run(capsys, "search", "--image", str(src / "p0" / "main.jpg"), "--catalog", str(cat), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["results"][0]["sku"] == "SKU-0"
    assert {"product_id", "sku", "title", "score", "explanation"} <= set(payload["results"][0])
    assert payload["seconds"] >= 0
    code, out = _run(capsys, "search", "--text", "Product 2", "--catalog", str(cat), "--k", "3", "--json")
    assert code == 0 and len(json.loads(out)["results"]) == 3
    code, out = _run(capsys, "search", "--image", str(src / "p1" / "back.jpg"), "--text", "Product 1",
                     "--alpha", "0.7", "--filter", "category=Gear", "--catalog", str(cat), "--json")
    assert code == 0 and json.loads(out)["kind"] == "hybrid"
    code, _ = _run(capsys, "search", "--text", "x", "--filter", "nonsense", "--catalog", str(cat))
    assert code == 2


def test_eval_analytics_duplicates_export_review(indexed, capsys, tmp_path):
    cat, src = indexed
    queries = tmp_path / "q.jsonl"
    queries.write_text("\n".join(json.dumps({"query": str(src / f"p{i}" / "back.jpg"), "relevant": [f"SKU-{i}"]})
                                 for i in range(4)) + "\n" + json.dumps({"text": "Product 3", "relevant": ["p3"]}))
    code, out = _run(capsys, "eval", "--queries", str(queries), "--catalog", str(cat), "--json")
    metrics = json.loads(out)["metrics"]
    assert code == 0 and 0 <= metrics["recall@10"] <= 1 and "ndcg@10" in metrics
    code, out = _run(capsys, "eval", "--queries", str(queries), "--catalog", str(cat))
    assert code == 0 and "recall" in out.lower()
    # analytics counts logged searches: this test's own, whatever ran before it in the module
    code, out = _run(capsys, "analytics", "--catalog", str(cat), "--json")
    before = json.loads(out)["queries"]
    for text in ("Product 1", "Product 2", "Gear"):
        assert _run(capsys, "search", "--text", text, "--catalog", str(cat), "--json")[0] == 0
    code, out = _run(capsys, "analytics", "--catalog", str(cat), "--json")
    assert code == 0 and json.loads(out)["queries"] == before + 3
    code, out = _run(capsys, "duplicates", "--threshold", "0.999", "--catalog", str(cat), "--json")
    assert code == 0 and "groups" in json.loads(out)
    out_file = tmp_path / "export.jsonl"
    code, out = _run(capsys, "export", "--catalog", str(cat), "--out", str(out_file), "--vectors", "--json")
    rows = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert code == 0 and len(rows) == 4 and rows[0]["primary_box"] and len(rows[0]["vector"]) == 32
    code, out = _run(capsys, "export", "--catalog", str(cat), "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("product_id,sku")
    code, out = _run(capsys, "review", "--catalog", str(cat), "--json")
    assert code == 0 and json.loads(out)["progress"]["total"] == 4


def test_ops_commands(indexed, capsys):
    cat, _ = indexed
    code, out = _run(capsys, "models", "--catalog", str(cat), "--json")
    versions = json.loads(out)["versions"]
    assert code == 0 and versions[0]["active"] and versions[0]["complete"]
    code, out = _run(capsys, "health", "--catalog", str(cat), "--json")
    assert code == 0 and json.loads(out)["indexed"] == 4
    code, out = _run(capsys, "doctor", "--catalog", str(cat), "--load", "--json")
    status = json.loads(out)
    assert code == 0 and status["embedder"]["state"] == "loaded" and status["active_model_version"]
    code, out = _run(capsys, "sync", "--status", "--catalog", str(cat), "--json")
    assert code == 0 and "pending" in json.loads(out)
    code, out = _run(capsys, "purge", "--catalog", str(cat), "--json")
    assert code == 0 and json.loads(out)["products"] == 0


def test_reindex_into_a_new_model_version_then_promote(indexed, capsys):
    """Last in this module: it switches the shared catalog to another model."""
    cat, _ = indexed
    from core.settings import Settings

    settings = Settings.load(cat / "settings.json")
    old = json.loads(_run(capsys, "models", "--catalog", str(cat), "--json")[1])["versions"][0]["model_version"]
    settings.models.embedder = "efficientnet-lite0"
    settings.save(cat / "settings.json")
    code, out = _run(capsys, "models", "reindex", "--catalog", str(cat), "--json")
    report = json.loads(out)
    assert code == 0 and report["complete"] and report["active"] == old  # the old index still serves
    new = report["model_version"]
    code, out = _run(capsys, "models", "promote", new, "--catalog", str(cat), "--json")
    assert [v["model_version"] for v in json.loads(out)["versions"] if v["active"]] == [new]
    code, out = _run(capsys, "models", "delete", old, "--catalog", str(cat), "--json")
    assert [v["model_version"] for v in json.loads(out)["versions"]] == [new]
    code, out = _run(capsys, "search", "--image", str(cat.parent / "src" / "p2" / "main.jpg"),
                     "--catalog", str(cat), "--json")
    assert code == 0 and json.loads(out)["model_version"] == new

"""core.models.labels: vocabularies, cached label embeddings and zero-shot labels with a tiny real CLIP."""

from __future__ import annotations

import numpy as np
import pytest

from core.models.embedders import EfficientNetLiteEmbedder, OpenClipEmbedder, TextUnavailable
from core.models.labels import PROMPTS, LabelBank, load_vocabularies, vocabulary_hash


@pytest.fixture
def vocab_dir(tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "colours.txt").write_text("# basic colours\nred\nblue\n\ngreen  # grass\nred\n", encoding="utf-8")
    (folder / "materials.txt").write_text("leather\ncotton\nnylon\n", encoding="utf-8")
    (folder / "empty.txt").write_text("# nothing yet\n", encoding="utf-8")
    (folder / "notes.md").write_text("not a vocabulary", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def clip(tiny_clip):
    emb = OpenClipEmbedder(str(tiny_clip.config_path), str(tiny_clip.checkpoint_path), device="cpu")
    yield emb
    emb.close()


def test_load_vocabularies_reads_one_label_a_line(vocab_dir, tmp_path):
    assert load_vocabularies(vocab_dir) == {"colours": ["red", "blue", "green"],
                                            "materials": ["leather", "cotton", "nylon"]}
    assert load_vocabularies(tmp_path / "missing") == {}


def test_vocabulary_hash_follows_content():
    a = vocabulary_hash({"colours": ["red", "blue"]})
    assert a == vocabulary_hash({"colours": ["red", "blue"]})
    assert a != vocabulary_hash({"colours": ["blue", "red"]})
    assert a != vocabulary_hash({"colours": ["red", "blue"], "materials": ["silk"]})


def test_zero_shot_picks_the_label_that_matches(clip, vocab_dir, tmp_path):
    bank = LabelBank(clip, tmp_path / "cache", vocab_dir=vocab_dir)
    assert set(bank.matrices) == {"colours", "materials"}
    # A crop vector equal to a label's own text embedding must get that label.
    queries = clip.embed_texts([PROMPTS["colours"].format("blue"), PROMPTS["materials"].format("nylon")])
    labels = bank.zero_shot(queries, threshold=0.0)
    assert len(labels) == 2
    best = [{vocab: value for vocab, value, _ in row} for row in labels]
    assert best[0]["colours"] == "blue" and best[1]["materials"] == "nylon"
    for row in labels:
        assert [vocab for vocab, _, _ in row] == ["colours", "materials"]
        assert all(0.0 < score <= 1.0 for _, _, score in row)
    assert bank.zero_shot(queries, threshold=1.01) == [[], []]  # softmax scores never exceed 1
    assert len(bank.zero_shot(queries[0], threshold=0.0)) == 1  # one vector is a batch of one


def test_label_embeddings_are_cached_on_disk(clip, vocab_dir, tmp_path):
    cache = tmp_path / "cache"
    first = LabelBank(clip, cache, vocab_dir=vocab_dir)
    assert first.computed == 6 and first.cache_path.is_file()
    assert first.cache_path.parent == cache and clip.model_version in first.cache_path.name
    stamp = first.cache_path.stat().st_mtime_ns

    second = LabelBank(clip, cache, vocab_dir=vocab_dir)
    assert second.computed == 0 and second.cache_path == first.cache_path
    assert second.cache_path.stat().st_mtime_ns == stamp
    for name in first.matrices:
        np.testing.assert_array_equal(first.matrices[name], second.matrices[name])

    (vocab_dir / "colours.txt").write_text("red\nyellow\n", encoding="utf-8")
    changed = LabelBank(clip, cache, vocab_dir=vocab_dir)
    assert changed.cache_path != first.cache_path and changed.computed == 5


def test_damaged_cache_is_rebuilt(clip, vocab_dir, tmp_path):
    bank = LabelBank(clip, tmp_path, vocab_dir=vocab_dir)
    bank.cache_path.write_bytes(b"not an npz")
    again = LabelBank(clip, tmp_path, vocab_dir=vocab_dir)
    assert again.computed == 6
    np.testing.assert_allclose(again.matrices["colours"], bank.matrices["colours"], atol=1e-6)


def test_label_bank_needs_a_text_model(tmp_path, vocab_dir):
    image_only = EfficientNetLiteEmbedder.__new__(EfficientNetLiteEmbedder)  # the reason, not the weights
    with pytest.raises(TextUnavailable, match="image-only"):
        LabelBank(image_only, tmp_path, vocab_dir=vocab_dir)

"""Scene queries judge each region whole (real EfficientNet-Lite0, real index): a product is scored by the shape
and the colour of one and the same query region, and a sky that passes for a plain border does not hide a scene."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from core.pipeline.colors import colour_signature
from core.search.encode import ImageQuery, _edges_touched, encode_image, normalize
from core.search.query import SearchRequest, search
from tests.test_localise import COLOURS, SHAPES, _product, indexed  # noqa: F401  (indexed is a fixture)


def _two_products(left: int, right: int, width: int = 720, height: int = 400):
    """A textured scene with two catalog products side by side; their true boxes."""
    rng = np.random.default_rng(7)
    base = rng.integers(90, 160, (height // 10, width // 10, 3), dtype=np.uint8)
    scene = Image.fromarray(base).resize((width, height), Image.Resampling.BICUBIC)
    boxes = []
    for n, x0 in ((left, 30), (right, 380)):
        cut = _product(SHAPES[n], COLOURS[n]).resize((300, 300))
        mask = Image.fromarray(((np.asarray(cut) < 245).any(axis=2) * 255).astype(np.uint8))
        scene.paste(cut, (x0, 50), mask)
        ys, xs = np.nonzero(np.asarray(mask))
        boxes.append((float(x0 + xs.min()), float(50 + ys.min()), float(x0 + xs.max() + 1), float(50 + ys.max() + 1)))
    return np.asarray(scene), boxes


def test_each_product_is_scored_by_the_shape_and_colour_of_one_region(indexed):  # noqa: F811
    cat, registry, _ = indexed
    pixels, (box_blue, box_red) = _two_products(1, 0)  # blue ellipse (SKU-1) left, red rectangle (SKU-0) right
    h, w = pixels.shape[:2]
    whole = (0.0, 0.0, float(w), float(h))
    regions = [box_blue, box_red, whole]  # region 0 (the "top box") is the other product
    vectors = normalize(np.stack([encode_image(registry, cat.settings, pixels, box=b).vector for b in regions]))
    colours = [colour_signature(pixels, b) for b in regions]
    query = ImageQuery(vector=vectors[0], box=box_blue, source="proposal", image_hash="two-products",
                       image_size=(w, h), vectors=vectors, boxes=regions, colour=colours[0], colours=colours)
    results = search(cat, registry, SearchRequest(image=query, k=5), log_query=False).results
    by_sku = {r.sku: r.explanation for r in results}
    assert {"SKU-0", "SKU-1"} <= set(list(by_sku)[:2]), list(by_sku)
    # The red product is matched through the red region, with the red region's colour (not region 0's blue).
    assert by_sku["SKU-0"]["query_box"] == [round(v, 1) for v in box_red]
    assert by_sku["SKU-1"]["query_box"] == [round(v, 1) for v in box_blue]
    assert by_sku["SKU-0"]["similarity"]["colour"] > 0.5 and by_sku["SKU-1"]["similarity"]["colour"] > 0.5

    # The same regions with one colour for all (what a single-colour query does): the red product's colour
    # match is then the blue region's, far lower. Judging regions whole is what lifts it.
    single = ImageQuery(vector=vectors[0], box=box_blue, source="proposal", image_hash="two-products-1",
                        image_size=(w, h), vectors=vectors, boxes=regions, colour=colours[0], colours=None)
    mixed = {r.sku: r.explanation for r in search(cat, registry, SearchRequest(image=single, k=5),
                                                    log_query=False).results}
    if "SKU-0" in mixed:
        assert mixed["SKU-0"]["similarity"]["colour"] < by_sku["SKU-0"]["similarity"]["colour"]

    # encode_image gives a scene query one colour per region, so search can judge each region whole.
    from core.search.query import _localiser

    localiser = _localiser(registry, cat.vector_store(registry.embedder().model_version), cat)
    scene = encode_image(registry, cat.settings, pixels, localiser=localiser)
    assert scene.source == "proposal" and len(scene.boxes) > 1
    assert scene.colours is not None and len(scene.colours) == len(scene.boxes) == len(scene.vectors)
    assert scene.colours[1] == colour_signature(pixels, scene.boxes[1])


def test_a_foreground_reaching_three_edges_lets_the_localiser_look_for_a_product(indexed):  # noqa: F811
    cat, registry, _ = indexed
    assert _edges_touched((0, 10, 100, 50), 100, 50) == 3 and _edges_touched((5, 5, 60, 45), 100, 50) == 0
    # A banner: plain sky over the top half (the border looks plain), textured ground below with the product on it.
    rng = np.random.default_rng(3)
    width, height = 640, 420
    sky = np.tile(np.array([150, 190, 235], np.uint8), (height // 2, width, 1))
    ground = np.asarray(Image.fromarray(rng.integers(40, 200, (height // 20, width // 20, 3), dtype=np.uint8))
                        .resize((width, height - height // 2), Image.Resampling.BICUBIC))
    scene = Image.fromarray(np.concatenate([sky, ground]))
    cut = _product(SHAPES[4], COLOURS[4]).resize((220, 220))
    mask = Image.fromarray(((np.asarray(cut) < 245).any(axis=2) * 255).astype(np.uint8))
    scene.paste(cut, (300, 150), mask)
    pixels = np.asarray(scene)
    from core.models.detector import foreground_box

    fg = foreground_box(pixels)
    assert fg is not None and _edges_touched(fg, width, height) >= 3  # the sky passed for a plain background
    from core.search.query import _localiser

    localiser = _localiser(registry, cat.vector_store(registry.embedder().model_version), cat)
    query = encode_image(registry, cat.settings, pixels, localiser=localiser)
    assert query.source == "proposal" and len(query.boxes) > 1  # the localiser's regions compete
    assert query.colours is not None and len(query.colours) == len(query.boxes)  # one colour per region
    # A studio photo (plain all round) keeps its one foreground crop.
    studio = encode_image(registry, cat.settings, np.asarray(_product(SHAPES[0], COLOURS[0])), localiser=localiser)
    assert studio.source == "foreground" and len(studio.boxes) == 1


def test_a_scene_offers_every_product_it_holds_each_with_its_own_matches(indexed):  # noqa: F811
    """Google Lens' rule: every product found in the photo is offered as a region with its own best matches;
    the region the top result came from is offered first, and a search for another region's box finds its product."""
    cat, registry, _ = indexed
    pixels, (box_blue, box_red) = _two_products(1, 0)
    h, w = pixels.shape[:2]
    whole = (0.0, 0.0, float(w), float(h))
    regions = [box_blue, box_red, whole]
    vectors = normalize(np.stack([encode_image(registry, cat.settings, pixels, box=b).vector for b in regions]))
    colours = [colour_signature(pixels, b) for b in regions]
    query = ImageQuery(vector=vectors[0], box=box_blue, source="proposal", image_hash="two-products-offers",
                       image_size=(w, h), vectors=vectors, boxes=regions, colour=colours[0], colours=colours)
    response = search(cat, registry, SearchRequest(image=query, k=5), log_query=False)
    offered = response.regions
    assert len(offered) >= 2 and [r.number for r in offered] == list(range(1, len(offered) + 1))
    # The first region offered is the one the top result was found in.
    assert [round(v, 1) for v in offered[0].box] == response.results[0].explanation["query_box"]
    by_box = {tuple(round(v, 1) for v in r.box): r for r in offered}
    red, blue = by_box[tuple(round(v, 1) for v in box_red)], by_box[tuple(round(v, 1) for v in box_blue)]
    assert red.matches[0].sku == "SKU-0" and blue.matches[0].sku == "SKU-1"
    assert all(a.score >= b.score for a, b in zip(red.matches, red.matches[1:], strict=False))
    # The JSON form carries the same regions (what `search --image P --json` prints).
    as_json = response.to_dict()["regions"]
    assert [r["number"] for r in as_json] == [r.number for r in offered]
    assert as_json[0]["results"][0]["sku"] == offered[0].matches[0].sku


def test_a_photo_with_one_product_offers_one_region_whose_matches_are_the_results(indexed):  # noqa: F811
    cat, registry, _ = indexed
    pixels, (box_blue, _box_red) = _two_products(1, 0)
    response = search(cat, registry, SearchRequest(image=pixels, box=box_blue, k=3), log_query=False)
    assert len(response.regions) == 1
    region = response.regions[0]
    assert region.source == "manual" and [m.product_id for m in region.matches] == \
        [r.product_id for r in response.results]
    # A text query offers no region.
    assert search(cat, registry, SearchRequest(text="anything", k=3), log_query=False).regions == []


def test_a_scene_search_reports_its_steps_and_stops_between_them_when_cancelled(indexed):  # noqa: F811
    from core.search.encode import SearchCancelled

    cat, registry, _ = indexed
    pixels, _boxes = _two_products(2, 3)  # photos no other test searched: the query cache skips the steps
    steps: list[tuple[int, int, str]] = []
    response = search(cat, registry, SearchRequest(image=pixels, k=3), log_query=False,
                      progress=lambda done, total, message: steps.append((done, total, message)))
    assert len(response.regions) >= 1
    assert [d for d, _, _ in steps] == [0, 1, 2, 3] and {t for _, t, _ in steps} == {4}
    assert steps[0][2] == "Looking for products in the photo"
    # Cancelled after the products were found: nothing more runs, and the caller hears why.
    seen: list[int] = []
    pixels, _boxes = _two_products(3, 2)
    with pytest.raises(SearchCancelled):
        search(cat, registry, SearchRequest(image=pixels, k=3), log_query=False,
               progress=lambda done, total, message: seen.append(done), should_stop=lambda: len(seen) >= 2)
    assert seen == [0, 1]

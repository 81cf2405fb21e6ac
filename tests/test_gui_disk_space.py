"""The window shows the catalog disk's free space and warns before a job that will not fit (issue 27,
requirement 1), on a real 3 MiB tmpfs: the drop is 5 MB of photos; the job then stops on the full disk,
failed with its cause, and the window stays usable."""

from __future__ import annotations

import pytest

from tests.gui_fixtures import close_window, drop_urls, open_window
from tests.test_full_disk import _noisy_products, small_disk  # noqa: F401  (fixture)

pytest_plugins = ["tests.gui_fixtures"]
pytestmark = pytest.mark.gui


def test_free_space_shown_and_a_job_that_will_not_fit_is_warned(small_disk, qtbot, leak_check,  # noqa: F811
                                                                 tmp_path, tiny_model_settings):
    from core.catalog.catalog import Catalog

    root = small_disk / "cat"
    with Catalog.open(root) as catalog:
        catalog.settings.models = tiny_model_settings
        catalog.save_settings()
    window, context = open_window(qtbot, root)
    try:
        qtbot.waitUntil(lambda: window.free_space.text().startswith("Free: "), timeout=10_000)
        assert "MB" in window.free_space.text() or "KB" in window.free_space.text()
        src = _noisy_products(tmp_path / "src", 20)  # ~5 MB of incompressible photos onto a 3 MiB disk
        with qtbot.waitSignal(context.space_warning, timeout=60_000) as warned:
            assert drop_urls(window, [src])
        assert "needs about" in warned.args[0] and "free on the catalog's disk" in warned.args[0]
        qtbot.waitUntil(lambda: context.jobs and not context.jobs[-1].state.active, timeout=180_000)
        record = context.jobs[-1]
        said = " ".join([record.message or "", *(e.get("reason", "") for e in record.errors)])
        assert "space" in said.lower() or "full" in said.lower(), (record.state, said)
    finally:
        close_window(window, context)

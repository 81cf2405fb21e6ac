"""Two curators on one catalog: edits and collections sync through a real radosgw; the later edit by server time
wins, the other stays in History as overwritten and in the Conflicts list, and one click restores it."""

from __future__ import annotations

import time

import pytest

from core import collections as cols
from core import edits
from core.catalog import db, queries
from core.catalog.catalog import Catalog
from core.review import Reviewer
from core.sync.engine import sync
from tests.test_search_fixtures import StubRegistry
from tests.test_sync import make_store, settings_for


class Curator:
    """One machine: its own catalog folder, opened only while it works (one catalog per process at a time)."""

    def __init__(self, root, server, prefix) -> None:
        self.root, self.settings, self.store = root, settings_for(server, prefix), make_store(server, prefix)
        catalog = Catalog.open(root)
        db.Product.create(sku="MH01", title="Chaz Hoodie", category="Men/Tops", price=24.0,
                          attributes={"color": "Red"})
        db.Product.create(sku="MH02", title="Teton Hoodie", category="Men/Tops", price=40.0)
        catalog.close()

    def __enter__(self) -> Catalog:
        self.catalog = Catalog.open(self.root)
        return self.catalog

    def __exit__(self, *exc) -> None:
        self.catalog.close()

    def sync(self):
        reviewer = Reviewer(self.catalog, StubRegistry())
        with self.catalog.writing():
            report = sync(self.settings, store=self.store, apply_remote=reviewer.apply_remote, purge=False)
        assert report.ok, report.to_dict()
        time.sleep(1.1)  # the bucket's LastModified has whole seconds: the next upload is later by server time
        return report


def _p(sku="MH01"):
    return db.Product.get(db.Product.sku == sku)


@pytest.fixture(autouse=True)
def _close():
    yield
    db.close_database()


@pytest.mark.s3
def test_later_edit_by_server_time_wins_and_the_other_can_be_restored(radosgw, s3_prefix, tmp_path, monkeypatch):
    ann = Curator(tmp_path / "ann", radosgw, s3_prefix)
    bob = Curator(tmp_path / "bob", radosgw, s3_prefix)
    with ann as cat:
        # Ann's clock runs an hour ahead: her uid and created_at say "later", yet she reaches the bucket first.
        real = db.new_uid
        monkeypatch.setattr(db, "new_uid", lambda: f"{time.time_ns() + 3600 * 10**9:016x}{real()[16:]}")
        edits.edit_product(cat, _p().id, {"price": "20,00", "attributes.color": "Blue"}, user="ann")
        monkeypatch.setattr(db, "new_uid", real)
        cols.change_members(cat, "Winter", add=[_p().id, _p("MH02").id])
        cols.save(cat, "Cheap", smart=True, filters=["price=..25"])
        ann.sync()
    with bob as cat:
        edits.edit_product(cat, _p().id, {"price": "30"}, user="bob")  # the same field, not having seen Ann's
        report = bob.sync()  # pushes his edit (later on the server), then pulls Ann's
        assert report.pulled == 4
        p = _p()
        assert p.price == 30.0 and p.attributes == {"color": "Blue"}  # his price stays; her colour arrives
        assert {r.name: r.count for r in cols.collections() if r.smart} == {"Cheap": 0}  # his 30 is not cheap
        [conflict] = edits.conflicts()
        assert (conflict.field, conflict.loser_user, conflict.winner_user) == ("price", "ann", "bob")
        assert conflict.loser_value == 20.0 and conflict.winner_value == 30.0
        assert [r.name for r in cols.collections() if not r.smart] == ["Winter"]
        assert cols.collections()[0].count == 2
        cols.change_members(cat, "Winter", remove=[_p("MH02").id])
        cols.save(cat, "Bargains", smart=True, filters=["price=..25"], rename_from="Cheap")
        edits.edit_product(cat, _p("MH02").id, {"title": "Teton Pullover"}, user="bob")  # no one else touched it
        bob.sync()
    with ann as cat:
        ann.sync()
        assert _p().price == 30.0  # the later edit by server time, whoever's clock said what
        assert _p("MH02").title == "Teton Pullover" and edits.conflicts()[0].field == "price"
        assert len(edits.conflicts()) == 1  # a sequential edit of another field is no conflict
        assert cols.collections()[0].count == 1
        assert [r.name for r in cols.collections() if r.smart] == ["Bargains"]
        history = queries.history(_p().id)
        mine = next(e for e in history if "ann" in e.detail)
        assert "Price 24.00 → 20.00" in mine.detail and "Price overwritten by bob" in mine.detail
        assert mine.overwritten == ("price",)
        # one click: Ann's price comes back as a new edit, which wins once synced
        edits.restore_conflict(cat, edits.conflicts()[0].id, user="ann")
        assert _p().price == 20.0 and edits.conflicts() == []
        assert len(edits.conflicts(include_resolved=True)) == 1
        ann.sync()
    with bob as cat:
        bob.sync()
        assert _p().price == 20.0
        assert {r.name: r.count for r in cols.collections() if r.smart} == {"Bargains": 1}
        assert edits.conflicts() == []  # the restore closed Bob's copy of the conflict too
        assert len(edits.conflicts(include_resolved=True)) == 1

"""Queue query shapes kept for speed: keyset per tab, free text in two phases, grouped counts, no N+1."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.admin.workspace import queries
from portal.core.timeutil import today_wib
from portal.extensions import db


def _walk(f: queries.QueueFilter, size: int) -> list[str]:
    got = []
    while True:
        pg = queries.page(f, size=size)
        got += [c.tracking_no for c in pg.rows]
        if not pg.next_cursor:
            return got
        f = queries.QueueFilter(**{**f.__dict__, "setelah": pg.next_cursor, "errors": ()})


def _seed(make, world):
    today = today_wib()
    base = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    rows = []
    for i in range(30):
        overdue = i % 2 == 0
        c = make.complaint(tracking_no=f"5{i:06d}", status="proses", opd=world.dpupr,
                           submitted_at=base - dt.timedelta(hours=i % 7, minutes=i),
                           due_date=today - dt.timedelta(days=3) if overdue else today + dt.timedelta(days=30),
                           title="Lampu jalan padam" if i % 3 == 0 else "Jalan berlubang",
                           is_confidential=i % 5 == 0)
        rows.append(c)
    db.session.commit()
    return rows


@pytest.mark.parametrize("urut", ["baru", "lama"])
@pytest.mark.parametrize("extra", [{}, {"rahasia": True}, {"q": "lampu"}, {"q": "LAMPU", "rahasia": True}])
def test_every_tab_and_filter_pages_in_order_without_gaps(world, make, urut, extra, monkeypatch):
    rows = _seed(make, world)
    today = today_wib()
    # a tiny prefix makes the free-text search use both phases (prefix, then the whole tab)
    monkeypatch.setattr(queries, "TEXT_PREFIX", 4)
    for tab in ("proses", "terlambat"):
        want = [c for c in rows if (tab == "proses" or c.due_date < today)
                and (not extra.get("rahasia") or c.is_confidential)
                and (not extra.get("q") or "lampu" in (c.title or "").lower())]
        want.sort(key=lambda c: (c.submitted_at, c.id), reverse=urut == "baru")
        f = queries.QueueFilter(tab=tab, urut=urut, **extra)
        assert _walk(f, size=3) == [c.tracking_no for c in want]
        assert queries.counts(f)[tab] == len(want)


def test_text_search_prefix_and_fallback_agree(world, make, monkeypatch):
    _seed(make, world)
    f = queries.QueueFilter(tab="proses", q="lampu")
    full = [c.tracking_no for c in queries.page(f, size=5).rows]
    for prefix in (1, 6, 10_000):
        monkeypatch.setattr(queries, "TEXT_PREFIX", prefix)
        assert [c.tracking_no for c in queries.page(f, size=5).rows] == full


def test_counts_match_the_tab_pages(world, make):
    today = today_wib()
    make.complaint(tracking_no="6000001", status="belum_terverifikasi")
    make.complaint(tracking_no="6000002", status="belum_ditindaklanjuti", opd=world.dpupr,
                   due_date=today - dt.timedelta(days=1))
    make.complaint(tracking_no="6000003", status="belum_ditindaklanjuti",
                   returned_at=dt.datetime.now(dt.UTC), due_date=today)
    make.complaint(tracking_no="6000004", status="tunda", due_date=today - dt.timedelta(days=9))
    make.complaint(tracking_no="6000005", status="proses", opd=world.dpupr, due_date=today)
    make.complaint(tracking_no="6000006", status="selesai", due_date=today - dt.timedelta(days=9))
    db.session.commit()
    counts = queries.counts(queries.QueueFilter())
    for tab in queries.TAB_KEYS:
        assert counts[tab] == len(queries.page(queries.QueueFilter(tab=tab), size=50).rows), tab
    assert {k: counts[k] for k in ("belum_terverifikasi", "belum_ditindaklanjuti", "proses", "tunda",
                                   "dikembalikan")} == dict.fromkeys(("belum_terverifikasi",
                                   "belum_ditindaklanjuti", "proses", "tunda", "dikembalikan"), 1)
    assert counts["rawan"] + counts["terlambat"] >= 1


def test_page_and_counts_run_a_fixed_number_of_statements(world, make):
    _seed(make, world)
    statements: list[str] = []

    def grab(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", grab)
    try:
        for f in (queries.QueueFilter(tab="proses"), queries.QueueFilter(tab="proses", opd=world.dpupr.code, rahasia=True)):
            statements.clear()
            pg = queries.page(f)
            assert pg.rows
            for c in pg.rows:  # what a row shows is loaded already
                _ = (c.opd.name, c.category, c.returned_at, c.due_date)
            assert len([s for s in statements if "complaint" in s]) <= 2
            statements.clear()
            queries.counts(f)
            assert len([s for s in statements if "FROM complaint" in s]) == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", grab)


def test_status_conditions_are_inline_literals(app):
    sql = str(queries.tab_condition("terlambat", today_wib(), today_wib())
              .compile(db.engine, compile_kwargs={}))
    assert "'proses'" in sql and "'belum_terverifikasi'" in sql


def test_a_rare_word_gathers_its_matches_first(world, make):
    """Fallback for a word the tab's first rows lack: matches first (MATERIALIZED on PostgreSQL, so
    the planner cannot walk the whole tab reading texts), then the page in queue order."""
    rows = _seed(make, world)
    make.complaint(tracking_no="5999999", status="proses", opd=world.dpupr, title="Limbah pabrik",
                   submitted_at=min(c.submitted_at for c in rows) - dt.timedelta(days=1))
    db.session.commit()
    statements: list[str] = []

    def grab(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", grab)
    try:
        pg = queries.page(queries.QueueFilter(tab="proses", q="pabrik"))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", grab)
    assert [c.tracking_no for c in pg.rows] == ["5999999"]
    cte = [s for s in statements if "text_match" in s]
    assert len(cte) == 1
    assert ("AS MATERIALIZED" in cte[0]) == (db.engine.dialect.name == "postgresql")


def test_choice_lists_tree_norms_and_leaves(make):
    """The filter and action lists: units under their agency, inherited norms, inactive ones left out."""
    dinas = make.opd("DPU", "Dinas Pekerjaan Umum")
    make.opd("UPT", "UPT Jalan", parent=dinas)
    make.opd("OLD", "Dinas Lama", active=False)
    make.opd("BAPENDA", "Badan Pendapatan")
    top = make.category("Infrastruktur", norm_days=60)
    make.category("Infrastruktur > Jalan", norm_days=None)
    make.category("Infrastruktur > Lampu", norm_days=5)
    gone = make.category("Infrastruktur > Jembatan", norm_days=None)
    gone.active = False
    make.category("Lain-lain", norm_days=None)
    db.session.flush()
    assert queries.opd_choices() == [("BAPENDA", "Badan Pendapatan"), ("DPU", "Dinas Pekerjaan Umum"),
                                     ("UPT", "— UPT Jalan")]
    choices = queries.category_choices()
    assert choices[0] == (top.id, "Infrastruktur", 60)
    assert [(path, norm) for _id, path, norm in choices] == [
        ("Infrastruktur", 60), ("Infrastruktur > Jalan", 60),  # inherited from its parent
        ("Infrastruktur > Lampu", 5), ("Lain-lain", 14)]  # nobody sets one: 14
    assert [path for _id, path, _n in queries.category_choices(leaves_only=True)] == [
        "Infrastruktur > Jalan", "Infrastruktur > Lampu", "Lain-lain"]
    gone.active = True
    db.session.flush()
    assert "Infrastruktur > Jembatan" in [p for _i, p, _n in queries.category_choices(leaves_only=True)]

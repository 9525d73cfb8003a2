"""Queue pages: tabs, counts, filters in the URL, keyset pagination, roles."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.admin.workspace import queries
from portal.core.timeutil import today_wib
from portal.core.workdays import get_calendar
from portal.extensions import db
from tests.admin.conftest import recent

HX = {"HX-Request": "true"}


def test_queue_shows_tabs_with_counts(world, make, login_as):
    make.complaint(tracking_no="1000001", submitted_at=recent(1))
    make.complaint(tracking_no="1000002", submitted_at=recent(2))
    make.complaint(tracking_no="1000003", status="proses", opd=world.dpupr, submitted_at=recent(3))
    client = login_as(world.kominfo)
    resp = client.get("/admin/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="count-belum_terverifikasi">2<' in html
    assert 'id="count-proses">1<' in html
    assert "#1000001" in html and "#1000003" not in html
    resp = client.get("/admin/?tab=proses")
    assert "#1000003" in resp.get_data(as_text=True)


def test_htmx_gets_fragment_and_full_page_otherwise(world, make, login_as):
    make.complaint(tracking_no="1000001", submitted_at=recent(1))
    client = login_as(world.kominfo)
    frag = client.get("/admin/?tab=belum_terverifikasi", headers=HX)
    assert frag.status_code == 200
    body = frag.get_data(as_text=True)
    assert "<html" not in body and "#1000001" in body
    assert "HX-Request" in frag.headers.get("Vary", "")
    history = client.get("/admin/", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in history.get_data(as_text=True)


@pytest.mark.parametrize("role, status", [("kominfo", 200), ("pimpinan", 200), ("ombudsman", 200), ("opd", 403)])
def test_queue_roles(world, login_as, role, status):
    user = {"kominfo": world.kominfo, "pimpinan": world.pimpinan, "ombudsman": world.ombudsman,
            "opd": world.liaison}[role]
    assert login_as(user).get("/admin/").status_code == status


def test_anonymous_is_sent_to_login(client):
    resp = client.get("/admin/")
    assert resp.status_code in (302, 401)


def test_readers_see_no_action_controls(world, make, login_as):
    make.complaint(tracking_no="1000001", submitted_at=recent(1))
    html = login_as(world.pimpinan).get("/admin/").get_data(as_text=True)
    assert "#1000001" in html
    assert 'id="bulk"' not in html and "Tindak<" not in html


def test_filters_are_honoured_and_kept_in_links(world, make, login_as):
    make.complaint(tracking_no="2000001", status="proses", opd=world.dpupr, category=world.road,
                   channel="sms", submitted_at=recent(2), title="Jalan berlubang")
    make.complaint(tracking_no="2000002", status="proses", opd=world.dinkes, category=world.health,
                   channel="website", submitted_at=recent(2), title="Antrean dokter")
    make.complaint(tracking_no="2000003", status="proses", opd=world.dpupr, category=world.road,
                   channel="website", submitted_at=recent(40), is_anonymous=True)
    client = login_as(world.kominfo)
    html = client.get("/admin/?tab=proses&opd=DPUPR").get_data(as_text=True)
    assert "#2000001" in html and "#2000003" in html and "#2000002" not in html
    assert 'id="count-proses">2<' in html
    # every tab link keeps the filter
    assert "/admin/?tab=tunda&amp;opd=DPUPR" in html
    html = client.get("/admin/?tab=proses&kanal=sms").get_data(as_text=True)
    assert "#2000001" in html and "#2000003" not in html
    root = world.road.parent
    html = client.get(f"/admin/?tab=proses&kategori={root.id}").get_data(as_text=True)
    assert "#2000001" in html and "#2000002" not in html
    html = client.get("/admin/?tab=proses&anonim=1").get_data(as_text=True)
    assert "#2000003" in html and "#2000001" not in html
    html = client.get("/admin/?tab=proses&q=antrean").get_data(as_text=True)
    assert "#2000002" in html and "#2000001" not in html
    html = client.get("/admin/?tab=proses&q=2000003").get_data(as_text=True)
    assert "#2000003" in html and "#2000001" not in html
    since = (today_wib() - dt.timedelta(days=10)).isoformat()
    html = client.get(f"/admin/?tab=proses&dari={since}").get_data(as_text=True)
    assert "#2000001" in html and "#2000003" not in html
    # form controls reflect the URL
    assert 'value="DPUPR" selected' in client.get("/admin/?opd=DPUPR").get_data(as_text=True)


def test_filter_roundtrip():
    f = queries.QueueFilter.from_args({"tab": "rawan", "opd": "dpupr", "kanal": "sms", "jenis": "aspirasi",
                                       "dari": "2025-01-01", "sampai": "bad", "anonim": "1", "q": " jalan ",
                                       "urut": "lama", "kategori": "x"})
    assert f.args() == {"tab": "rawan", "opd": "DPUPR", "kanal": "sms", "jenis": "aspirasi",
                        "dari": "2025-01-01", "anonim": "1", "q": "jalan", "urut": "lama"}
    assert queries.QueueFilter.from_args({"tab": "nope", "kanal": "fax"}).args() == {}


def test_keyset_pagination_walks_every_row_once(world, make, login_as):
    base = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    same = base - dt.timedelta(hours=5)
    for i in range(60):
        # a block of identical timestamps checks the id tie-breaker
        make.complaint(tracking_no=f"3{i:06d}", submitted_at=same if i % 3 == 0 else base - dt.timedelta(minutes=i))
    db.session.commit()
    seen = []
    for urut in ("baru", "lama"):
        f = queries.QueueFilter(urut=urut)
        got = []
        while True:
            pg = queries.page(f, size=25)
            got += [c.tracking_no for c in pg.rows]
            if not pg.next_cursor:
                break
            f = queries.QueueFilter(urut=urut, setelah=pg.next_cursor)
        assert len(got) == 60 and len(set(got)) == 60
        seen.append(got)
    assert seen[0] == list(reversed(seen[1]))
    client = login_as(world.kominfo)
    html = client.get("/admin/").get_data(as_text=True)
    assert 'rel="next"' in html
    nxt = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "setelah" in parse_qs(urlsplit(nxt).query)
    page2 = client.get(nxt).get_data(as_text=True)
    assert page2.count('class="qrow') == queries.PAGE_SIZE


def test_bad_cursor_is_ignored(world, make, login_as):
    make.complaint(tracking_no="1000001", submitted_at=recent(1))
    resp = login_as(world.kominfo).get("/admin/?setelah=%%%bad")
    assert resp.status_code == 200 and "#1000001" in resp.get_data(as_text=True)


def test_risk_and_overdue_tabs(world, make, login_as):
    today = today_wib()
    cal = get_calendar()
    make.complaint(tracking_no="4000001", status="proses", opd=world.dpupr, submitted_at=recent(30))
    make.complaint(tracking_no="4000002", status="proses", opd=world.dpupr, submitted_at=recent(30))
    make.complaint(tracking_no="4000003", status="proses", opd=world.dpupr, submitted_at=recent(30))
    make.complaint(tracking_no="4000004", status="tunda", opd=world.dpupr, submitted_at=recent(30))
    db.session.flush()
    import sqlalchemy as sa

    from portal.complaints.models import Complaint

    rows = {c.tracking_no: c for c in db.session.scalars(sa.select(Complaint))}
    rows["4000001"].due_date = rows["4000001"].stage_due_date = today - dt.timedelta(days=1)  # overdue
    rows["4000002"].due_date = rows["4000002"].stage_due_date = cal.add_working_days(today, 2)  # at risk
    rows["4000003"].due_date = rows["4000003"].stage_due_date = cal.add_working_days(today, 3)  # fine
    rows["4000004"].due_date = rows["4000004"].stage_due_date = today - dt.timedelta(days=3)  # postponed: deadline paused
    client = login_as(world.kominfo)
    late = client.get("/admin/?tab=terlambat").get_data(as_text=True)
    assert "#4000001" in late and "#4000002" not in late and "#4000004" not in late
    risk = client.get("/admin/?tab=rawan").get_data(as_text=True)
    assert "#4000002" in risk and "#4000001" not in risk and "#4000003" not in risk
    assert 'id="count-rawan">1<' in risk and 'id="count-terlambat">1<' in risk


def test_returned_tab(world, make, login_as):
    make.complaint(tracking_no="5000001", status="belum_ditindaklanjuti", submitted_at=recent(5),
                   returned_at=recent(1), status_reason="Bukan kewenangan kami")
    make.complaint(tracking_no="5000002", status="belum_ditindaklanjuti", opd=world.dpupr, submitted_at=recent(5))
    client = login_as(world.kominfo)
    html = client.get("/admin/?tab=dikembalikan").get_data(as_text=True)
    assert "#5000001" in html and "#5000002" not in html
    html = client.get("/admin/?tab=belum_ditindaklanjuti").get_data(as_text=True)
    assert "#5000002" in html and "#5000001" not in html


def test_rows_fragment_is_small_and_queries_do_not_grow_with_rows(world, make, login_as, app):
    import sqlalchemy as sa

    for i in range(25):
        make.complaint(tracking_no=f"6{i:06d}", status="proses", opd=world.dpupr if i % 2 else world.dinkes,
                       category=world.road if i % 2 else world.health, submitted_at=recent(2),
                       title="Judul yang cukup panjang untuk mengisi baris antrean " * 2)
    client = login_as(world.kominfo)
    statements = []

    def count(*_a, **_k):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        resp = client.get("/admin/?tab=proses", headers=HX)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert resp.status_code == 200
    assert len(resp.data) < 30 * 1024
    assert len(statements) <= 10, len(statements)


def test_htmx_response_pushes_the_canonical_url(world, login_as):
    client = login_as(world.kominfo)
    resp = client.get("/admin/?tab=proses&q=&opd=dpupr&kategori=&kanal=&urut=baru", headers=HX)
    assert resp.headers["HX-Push-Url"] == "/admin/?tab=proses&opd=DPUPR"


# --- counts come after the rows ---------------------------------------------------------------------

def _loader_url(html: str) -> str | None:
    import re

    m = re.search(r'<div id="counts-loader" hx-get="([^"]+)" hx-trigger="load" hx-swap="none">', html)
    return m.group(1).replace("&amp;", "&") if m else None


def test_htmx_queue_never_waits_for_counting(world, make, login_as, monkeypatch):
    make.complaint(tracking_no="1100001", submitted_at=recent(1))
    make.complaint(tracking_no="1100002", status="proses", opd=world.dpupr, submitted_at=recent(2))
    client = login_as(world.kominfo)
    counted = []
    real = queries.counts
    monkeypatch.setattr(queries, "counts", lambda f, today=None: counted.append(f) or real(f, today))
    frag = client.get("/admin/?tab=proses&opd=DPUPR", headers=HX).get_data(as_text=True)
    assert counted == [] and "#1100002" in frag
    assert 'class="count pending" id="count-proses"></span>' in frag and "menghitung…" in frag
    url = _loader_url(frag)
    assert url == "/admin/jumlah?tab=proses&opd=DPUPR"  # the view without its cursor
    counts = client.get(url, headers=HX).get_data(as_text=True)
    assert len(counted) == 1
    assert 'id="count-proses" hx-swap-oob="true">1<' in counts
    assert 'id="count-belum_terverifikasi" hx-swap-oob="true">0<' in counts  # filtered by OPD
    # counted once per data generation: the next tab shows them at once
    frag = client.get("/admin/?tab=belum_terverifikasi&opd=DPUPR", headers=HX).get_data(as_text=True)
    assert 'id="count-proses">1<' in frag and _loader_url(frag) is None and len(counted) == 1
    assert "1 laporan" not in frag and "0 laporan" in frag


def test_a_new_complaint_makes_the_counts_follow_again(world, make, login_as):
    client = login_as(world.kominfo)
    client.get(_loader_url(client.get("/admin/", headers=HX).get_data(as_text=True)), headers=HX)
    assert 'id="count-belum_terverifikasi">0<' in client.get("/admin/", headers=HX).get_data(as_text=True)
    make.complaint(tracking_no="1100003", submitted_at=recent(1))
    db.session.commit()
    frag = client.get("/admin/", headers=HX).get_data(as_text=True)
    assert "#1100003" in frag and _loader_url(frag) == "/admin/jumlah"
    assert 'id="count-belum_terverifikasi" hx-swap-oob="true">1<' in client.get("/admin/jumlah", headers=HX).get_data(
        as_text=True)


def test_whole_page_counts_inline_except_for_free_text(world, make, login_as):
    make.complaint(tracking_no="1100004", submitted_at=recent(1), title="Lampu jalan padam")
    client = login_as(world.kominfo)
    page = client.get("/admin/?opd=").get_data(as_text=True)
    assert 'id="count-belum_terverifikasi">1<' in page and _loader_url(page) is None
    page = client.get("/admin/?q=lampu").get_data(as_text=True)
    assert 'class="count pending" id="count-belum_terverifikasi"' in page
    assert _loader_url(page) == "/admin/jumlah?q=lampu"
    # without JavaScript the loader does nothing: a link counts on request (the loader's answer removes it)
    assert '<a href="/admin/?hitung=1&amp;q=lampu">Tampilkan jumlah laporan per tahap</a>' in page
    counted = client.get("/admin/?hitung=1&q=lampu").get_data(as_text=True)
    assert 'id="count-belum_terverifikasi">1<' in counted and "Tampilkan jumlah" not in counted
    loaded = client.get("/admin/jumlah?q=lampu", headers=HX).get_data(as_text=True)
    assert '<p id="counts-note" class="muted" hx-swap-oob="true"></p>' in loaded


def test_whole_page_in_a_javascript_browser_loads_counts_after_the_rows(world, make, login_as):
    make.complaint(tracking_no="1100005", submitted_at=recent(1))
    client = login_as(world.kominfo)
    client.set_cookie("js", "1")  # set by static/js/portal.js
    page = client.get("/admin/").get_data(as_text=True)
    assert "#1100005" in page and 'class="count pending" id="count-belum_terverifikasi"' in page
    assert _loader_url(page) == "/admin/jumlah"
    assert 'id="count-belum_terverifikasi">1<' in client.get("/admin/?hitung=1").get_data(as_text=True)


def test_counts_url_opened_directly_redirects_to_the_counted_queue(world, login_as):
    resp = login_as(world.kominfo).get("/admin/jumlah?opd=DPUPR&setelah=abc")
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/?hitung=1&opd=DPUPR"


@pytest.mark.parametrize("role, status", [("kominfo", 200), ("pimpinan", 200), ("ombudsman", 200), ("opd", 403)])
def test_counts_roles(world, login_as, role, status):
    user = {"kominfo": world.kominfo, "pimpinan": world.pimpinan, "ombudsman": world.ombudsman,
            "opd": world.liaison}[role]
    assert login_as(user).get("/admin/jumlah", headers=HX).status_code == status


def test_counts_need_sign_in(client):
    assert client.get("/admin/jumlah", headers=HX).status_code in (302, 401)


def test_after_a_change_the_last_counts_show_marked_as_updating(world, make, login_as, monkeypatch):
    make.complaint(tracking_no="1100006", submitted_at=recent(1))
    client = login_as(world.kominfo)
    client.get("/admin/jumlah", headers=HX)  # counted once
    make.complaint(tracking_no="1100007", submitted_at=recent(1))
    db.session.commit()  # a change: those counts are no longer current
    counted = []
    real = queries.counts
    monkeypatch.setattr(queries, "counts", lambda f, today=None: counted.append(f) or real(f, today))
    frag = client.get("/admin/", headers=HX).get_data(as_text=True)
    assert counted == [] and "#1100007" in frag
    # the last counts, marked as updating, and the loader that brings the new ones
    assert 'class="count pending" id="count-belum_terverifikasi">1<' in frag
    assert "1 laporan" in frag and "Jumlah per tahap sedang diperbarui." in frag and "Perbarui jumlah" in frag
    assert _loader_url(frag) == "/admin/jumlah"
    counts = client.get("/admin/jumlah", headers=HX).get_data(as_text=True)
    assert 'id="count-belum_terverifikasi" hx-swap-oob="true">2<' in counts and len(counted) == 1
    frag = client.get("/admin/", headers=HX).get_data(as_text=True)
    assert 'class="count" id="count-belum_terverifikasi">2<' in frag and _loader_url(frag) is None


def test_without_javascript_a_whole_page_counts_only_when_it_has_nothing_to_show(world, make, login_as,
                                                                                 monkeypatch):
    make.complaint(tracking_no="1100008", submitted_at=recent(1))
    client = login_as(world.kominfo)
    counted = []
    real = queries.counts
    monkeypatch.setattr(queries, "counts", lambda f, today=None: counted.append(f) or real(f, today))
    page = client.get("/admin/").get_data(as_text=True)
    assert len(counted) == 1 and 'class="count" id="count-belum_terverifikasi">1<' in page  # first view
    make.complaint(tracking_no="1100009", submitted_at=recent(1))
    db.session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert len(counted) == 1 and 'class="count pending" id="count-belum_terverifikasi">1<' in page
    assert '<a href="/admin/?hitung=1">Perbarui jumlah</a>' in page
    page = client.get("/admin/?hitung=1").get_data(as_text=True)
    assert len(counted) == 2 and 'class="count" id="count-belum_terverifikasi">2<' in page

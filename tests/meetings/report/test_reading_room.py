"""The reading rooms (docs/DOMAIN.md §10): the public /rakor (published reports) and the leadership's
/rapat/ruang-baca (approved ones) compare two periods — totals, %TL, per-OPD changes — with
server-side SVG charts (title, desc) beside their tables."""

import datetime as dt
import re

import pytest

from portal.extensions import db
from portal.meetings.report import operations as ops
from portal.meetings.report import reading
from tests.meetings.report.conftest import make_meeting
from tests.meetings.report.test_workflow import staff  # noqa: F401  (fixture)


@pytest.fixture
def two(seeded, staff):  # noqa: F811
    """The seeded period (Sep 2025–Feb 2026) and the one before (Mar–Aug 2025), both published."""
    older = make_meeting("Rakor Semester I 2025", period=(dt.date(2025, 3, 1), dt.date(2025, 8, 31)),
                         starts_at=dt.datetime(2025, 9, 9, 2, tzinfo=dt.UTC),
                         ends_at=dt.datetime(2025, 9, 9, 8, tzinfo=dt.UTC))
    reps = []
    for meeting in (older, seeded["meeting"]):
        rep = ops.ensure_report(meeting)
        ops.approve(rep, staff["approver"])
        ops.store_pdf(rep, b"%PDF-1.7 uji")
        ops.publish(rep, staff["kominfo"])
        reps.append(rep)
    db.session.commit()
    return reps


def test_comparison_of_the_latest_period_with_the_one_before(app, two):
    a, b = two
    cmp = reading.comparison(reading.pick(reading.frozen_reports(["published"]), None, None))
    assert (cmp["a"].id, cmp["b"].id) == (a.id, b.id)
    assert (cmp["label_a"], cmp["label_b"]) == ("Mar 2025 – Agu 2025", "Sep 2025 – Feb 2026")
    rows = cmp["rows_by_key"]
    # Mar–Aug 2025: 2 complaints (Dinkes finished, DPUPR in process: both followed up, 100 %TL);
    # Sep–Feb: 8 received, Total 6 (Tunda and Arsip outside), 4 followed up: 66.7 %TL
    assert (rows["received"]["a"], rows["received"]["b"], rows["received"]["delta"]) == (2, 8, 6)
    assert (rows["total"]["a"], rows["total"]["b"]) == (2, 6)
    assert (rows["persen_tl"]["a"], rows["persen_tl"]["b"]) == (100.0, 66.7)
    assert rows["persen_tl"]["delta"] == -33.3 and rows["persen_tl"]["better"] is False
    opds = {o["name"]: o for o in cmp["opds"]}
    dinkes = opds["Dinas Kesehatan"]
    assert (dinkes["a_total"], dinkes["b_total"], dinkes["d_total"]) == (1, 3, 2)
    assert (dinkes["a_tl"], dinkes["b_tl"], dinkes["d_tl"], dinkes["better"]) == (100.0, 100.0, 0.0, None)
    dpupr = opds["Dinas Pekerjaan Umum dan Penataan Ruang"]  # 1 → 2 reports, one not yet followed up
    assert (dpupr["d_total"], dpupr["a_tl"], dpupr["b_tl"], dpupr["d_tl"], dpupr["better"]) == (1, 100.0, 50.0, -50.0,
                                                                                                False)
    # choosing the pair explicitly, either way round
    again = reading.comparison(reading.pick(reading.frozen_reports(["published"]), b.id, a.id))
    assert (again["a"].id, again["b"].id) == (b.id, a.id)


def _img_srcs(html: str) -> list[str]:
    return [s.replace("&amp;", "&") for s in re.findall(r'<img class="chart" src="([^"]+)"', html)]


def test_public_reading_room_shows_charts_and_tables(client, two):
    a, _b = two
    html = client.get("/rakor").get_data(as_text=True)
    assert "Perbandingan periode" in html and "Perubahan per OPD" in html
    assert "Periode Sep 2025 – Feb 2026 dibandingkan dengan periode sebelumnya, Mar 2025 – Agu 2025." in html
    assert "%TL provinsi: 100,0% → 66,7%" in html
    assert 'aria-labelledby="cap-cmp-opd"' in html and "Dinas Kesehatan" in html
    srcs = _img_srcs(html)
    assert [s.split("?")[0] for s in srcs] == ["/rakor/grafik/angka-kunci.svg", "/rakor/grafik/tl-opd.svg"]
    for src in srcs:
        resp = client.get(src)
        assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
        svg = resp.get_data(as_text=True)
        assert "<script" not in svg and "script-src 'none'" in resp.headers["Content-Security-Policy"]
        assert 'role="img" aria-labelledby="chart-title chart-desc"' in svg
        assert re.search(r"<title id=\"chart-title\">[^<]+</title><desc id=\"chart-desc\">Mar 2025 – Agu 2025 → "
                         r"Sep 2025 – Feb 2026\. [^<]+</desc>", svg)
    assert "Dinas Pekerjaan Umum dan Penataan Ruang: 100,0 → 50,0" in client.get(srcs[1]).get_data(as_text=True)
    assert client.get("/rakor/grafik/nope.svg").status_code == 404
    assert client.get(f"/rakor/grafik/tl-opd.svg?a={a.id}&b=999999").status_code == 404


def test_public_reading_room_compares_only_published_reports(client, two, staff):  # noqa: F811
    a, b = two
    draft = make_meeting("Rakor Draf", period=(dt.date(2024, 9, 1), dt.date(2025, 2, 28)))
    rep = ops.ensure_report(draft)
    ops.approve(rep, staff["approver"])  # approved, not published
    db.session.commit()
    assert client.get(f"/rakor/grafik/angka-kunci.svg?a={rep.id}&b={b.id}").status_code == 404
    assert "Rakor Draf" not in client.get("/rakor").get_data(as_text=True)
    b.status = a.status = type(a.status).APPROVED
    db.session.commit()
    html = client.get("/rakor").get_data(as_text=True)
    assert "Perbandingan periode" not in html
    assert client.get(f"/rakor/grafik/angka-kunci.svg?a={a.id}&b={b.id}").status_code == 404


def test_leadership_reading_room_charts_need_a_reader(app, client, two, staff, login_as):  # noqa: F811
    a, b = two
    url = f"/rapat/ruang-baca/grafik/angka-kunci.svg?a={a.id}&b={b.id}"
    assert app.test_client().get(url).status_code == 302
    login_as(staff["opd"])
    assert client.get(url).status_code == 403
    login_as(staff["pimpinan"])
    html = client.get("/rapat/ruang-baca").get_data(as_text=True)
    assert [s.split("?")[0] for s in _img_srcs(html)] == ["/rapat/ruang-baca/grafik/angka-kunci.svg",
                                                          "/rapat/ruang-baca/grafik/tl-opd.svg"]
    resp = client.get(url)
    assert resp.status_code == 200 and "<desc id=\"chart-desc\">" in resp.get_data(as_text=True)

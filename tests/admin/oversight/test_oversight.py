"""The oversight list /admin/pengawasan (+ CSV, + the leadership list) for every role."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from portal.complaints import escalation
from portal.core.timeutil import today_wib
from portal.extensions import db

URLS = ["/admin/pengawasan", "/admin/pengawasan.csv", "/admin/pengawasan/pimpinan"]
REPORTER = {"name": "Bambang Sutrisno", "phone": "+6281298765432", "email": "bambang@contoh.id",
            "nik": "3601010101900001"}


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)


def _late(make, opd, days_late: int, status="proses", **kw):
    """A complaint whose stage deadline passed ``days_late`` calendar days ago (0: due today)."""
    due = today_wib() - dt.timedelta(days=days_late)
    kw.setdefault("first_followup_at", _at(due - dt.timedelta(days=10)) if status == "proses" else None)
    c = make.complaint(status=status, opd=opd, submitted_at=_at(due - dt.timedelta(days=30)),
                       dispatched_at=_at(due - dt.timedelta(days=20)) if opd else None, reporter=dict(REPORTER),
                       title=kw.pop("title", "Jalan berlubang, kata Bambang Sutrisno"), **kw)
    c.due_date = c.stage_due_date = due
    db.session.flush()
    return c


@pytest.fixture
def rows(make, world):
    """Overdue: two at DPUPR (one long), one at DINKES, one unverified; not listed: due today, Tunda, Selesai."""
    long_late = _late(make, world.dpupr, 40, tracking_no="L0000001")
    short_late = _late(make, world.dpupr, 3, status="belum_ditindaklanjuti", tracking_no="L0000002")
    dinkes = _late(make, world.dinkes, 10, tracking_no="L0000003", title="=HYPERLINK(\"http://x\")")
    unverified = _late(make, None, 8, status="belum_terverifikasi", tracking_no="L0000004")
    _late(make, world.dpupr, 0, tracking_no="N0000001")
    _late(make, world.dpupr, 30, status="tunda", tracking_no="N0000002")
    _late(make, world.dpupr, 30, status="selesai", tracking_no="N0000003")
    escalation.escalate(today_wib(), notify=False)
    db.session.commit()
    return {"long": long_late, "short": short_late, "dinkes": dinkes, "unverified": unverified}


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_sign_in(client, url):
    resp = client.get(url)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize("role", ["kominfo", "pimpinan", "ombudsman"])
def test_province_wide_roles_see_every_overdue_complaint_without_the_reporter(client, login_as, world, rows, role):
    login_as(getattr(world, role))
    html = client.get("/admin/pengawasan").get_data(as_text=True)
    for no in ("L0000001", "L0000002", "L0000003", "L0000004"):
        assert no in html
    for no in ("N0000001", "N0000002", "N0000003"):
        assert no not in html
    assert "Bambang" not in html and "Sutrisno" not in html and "8129876" not in html and "bambang@" not in html
    assert "3601010101900001" not in html
    assert html.index("L0000001") < html.index("L0000003") < html.index("L0000004") < html.index("L0000002")
    assert "Dinas Kesehatan" in html and "Verifikasi dan penerusan" in html and "Penyelesaian" in html
    assert "4 laporan." in html


def test_the_ombudsman_page_changes_nothing_and_offers_no_action(client, login_as, world, rows):
    login_as(world.ombudsman)
    html = client.get("/admin/pengawasan").get_data(as_text=True)
    assert 'method="post"' not in html.replace('action="/logout"', "").split("<main", 1)[-1]
    assert client.post("/admin/pengawasan").status_code == 405


def test_age_in_working_days_and_step(client, login_as, world, rows):
    login_as(world.kominfo)
    html = client.get("/admin/pengawasan").get_data(as_text=True)
    age = escalation.age(rows["long"].stage_due_date, today_wib())
    assert f"{age} hari kerja" in html
    assert "Dicantumkan untuk pimpinan Diskominfo" in html  # 40 days late: the last step


@pytest.mark.parametrize("role", ["kominfo", "pimpinan", "ombudsman"])
def test_leadership_list_holds_the_last_step_only(client, login_as, world, rows, role):
    login_as(getattr(world, role))
    resp = client.get("/admin/pengawasan/pimpinan")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "L0000001" in html and "L0000003" in html  # 40 and 10 calendar days ≥ 5 working days
    assert "L0000002" not in html  # 3 days: not yet
    assert "L0000004" not in html  # the verification stage is not on the ladder


def test_filters_by_opd_stage_and_step(client, login_as, world, rows):
    login_as(world.ombudsman)
    html = client.get("/admin/pengawasan?opd=DINKES").get_data(as_text=True)
    assert "L0000003" in html and "L0000001" not in html and "L0000004" not in html
    html = client.get("/admin/pengawasan?tahap=verifikasi").get_data(as_text=True)
    assert "L0000004" in html and "L0000001" not in html
    html = client.get("/admin/pengawasan?tahap=tindak_lanjut").get_data(as_text=True)
    assert "L0000002" in html and "L0000001" not in html
    html = client.get("/admin/pengawasan?langkah=escalation_leadership").get_data(as_text=True)
    assert "L0000001" in html and "L0000002" not in html
    html = client.get("/admin/pengawasan?opd=NOPE&tahap=nope&langkah=nope").get_data(as_text=True)
    assert "4 laporan." in html


def test_opd_liaison_sees_its_own_opd_only(client, login_as, world, rows):
    login_as(world.liaison)
    html = client.get("/admin/pengawasan").get_data(as_text=True)
    assert "L0000001" in html and "L0000002" in html
    assert "L0000003" not in html and "L0000004" not in html and "Dinas Kesehatan" not in html
    html = client.get("/admin/pengawasan?opd=DINKES").get_data(as_text=True)  # another OPD: ignored
    assert "L0000003" not in html and "L0000001" in html
    assert "/admin/opd/laporan/L0000001" in html  # the OPD's own complaint page
    body = client.get("/admin/pengawasan.csv?opd=DINKES").get_data(as_text=True)
    assert "L0000003" not in body and "L0000001" in body


def test_a_foreign_opd_admin_sees_none_of_another_opds(client, login_as, make, world, rows):
    other = make.user("opd", opd=world.dinkes, email="dinkes@uji.go.id")
    login_as(other)
    for url in ("/admin/pengawasan", "/admin/pengawasan?opd=DPUPR", "/admin/pengawasan.csv?opd=DPUPR",
                "/admin/pengawasan/pimpinan"):
        body = client.get(url).get_data(as_text=True)
        assert "L0000001" not in body and "L0000002" not in body and "L0000004" not in body


def test_an_opd_user_without_an_opd_sees_nothing(client, login_as, make, world, rows):
    login_as(make.user("opd", opd=None))
    html = client.get("/admin/pengawasan").get_data(as_text=True)
    assert "0 laporan." in html


def test_csv_export_is_formula_safe_and_filtered(client, login_as, world, rows):
    login_as(world.ombudsman)
    resp = client.get("/admin/pengawasan.csv")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    body = resp.get_data(as_text=True)
    table = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert table[0][0] == "ID Laporan" and len(table) == 5
    by_no = {r[0]: r for r in table[1:]}
    assert by_no["L0000003"][1].startswith("'=")  # formula injection neutralised
    assert by_no["L0000001"][4] == rows["long"].stage_due_date.isoformat()
    assert int(by_no["L0000001"][5]) == escalation.age(rows["long"].stage_due_date, today_wib())
    assert by_no["L0000001"][7] == "Dicantumkan untuk pimpinan Diskominfo"
    assert "Bambang" not in body and "3601010101900001" not in body
    filtered = client.get("/admin/pengawasan.csv?opd=DINKES&langkah=escalation_leadership").get_data(as_text=True)
    assert "L0000003" in filtered and "L0000001" not in filtered


def test_paginated(client, login_as, make, world):
    for i in range(55):
        _late(make, world.dpupr, 5 + i, tracking_no=f"P{i:07d}")
    db.session.commit()
    login_as(world.kominfo)
    first = client.get("/admin/pengawasan").get_data(as_text=True)
    assert "55 laporan." in first and "Halaman 1 dari 2" in first and "P0000054" in first
    assert "P0000000" not in first and "hal=2" in first
    second = client.get("/admin/pengawasan?hal=2").get_data(as_text=True)
    assert "P0000000" in second and "P0000054" not in second
    assert len(client.get("/admin/pengawasan.csv").get_data(as_text=True).strip().splitlines()) == 56


def test_the_queue_and_the_desk_link_to_it(client, login_as, world, rows):
    login_as(world.ombudsman)
    assert 'href="/admin/pengawasan"' in client.get("/admin/").get_data(as_text=True)
    login_as(world.liaison)
    assert 'href="/admin/pengawasan"' in client.get("/admin/opd").get_data(as_text=True)


def test_steps_show_on_the_complaint_pages_as_system_events(client, login_as, world, rows):
    login_as(world.ombudsman)
    page = client.get("/admin/laporan/L0000001").get_data(as_text=True)
    for label in ("Eskalasi: pengingat ke pejabat penghubung", "Eskalasi: pemberitahuan ke kepala OPD",
                  "Eskalasi: dicantumkan untuk pimpinan Diskominfo"):
        assert label in page
    login_as(world.liaison)
    desk = client.get("/admin/opd/laporan/L0000001").get_data(as_text=True)
    assert "Eskalasi: pemberitahuan ke kepala OPD" in desk


@pytest.mark.parametrize("url", ["/admin/pengawasan", "/admin/pengawasan/pimpinan", "/admin/pengaturan/eskalasi",
                                 "opd", "/admin/opd/laporan-baru"])
def test_new_pages_repeat_no_id(client, login_as, world, rows, url):
    from tests.test_html_conformance import _parse

    if url == "opd":
        url = f"/admin/pengaturan/opd/{world.dpupr.id}"
    login_as(world.liaison if url.startswith("/admin/opd/") else world.kominfo)
    resp = client.get(url)
    assert resp.status_code == 200
    parsed = _parse(resp.get_data(as_text=True))
    assert [i for i, n in parsed.ids.items() if n > 1] == []


def test_leadership_finds_its_list_where_it_lands(client, login_as, world, rows):
    login_as(world.pimpinan)
    assert 'href="/admin/pengawasan/pimpinan"' in client.get("/rapat/").get_data(as_text=True)
    login_as(world.liaison)
    assert 'href="/admin/pengawasan/pimpinan"' not in client.get("/rapat/").get_data(as_text=True)

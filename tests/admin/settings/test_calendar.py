"""Dates you can trust (docs/DOMAIN.md §4.1, §4.6): the 2026/2027 calendar, stage deadlines, check and recompute."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.complaints import operations as ops
from portal.complaints.models import Complaint, ComplaintEvent, Status
from portal.core import workdays
from portal.core.models import HolidayOverride
from portal.core.timeutil import today_wib
from portal.core.workdays import WorkCalendar
from portal.extensions import db

S = Status
D = dt.date


def wib(y, m, d, h=9):
    """An instant at ``h`` o'clock WIB."""
    return dt.datetime(y, m, d, h - 7, tzinfo=dt.UTC) if h >= 7 else dt.datetime(y, m, d - 1, h + 17, tzinfo=dt.UTC)


# --- the calendar knows 2026 and 2027 ------------------------------------------------------------

@pytest.mark.parametrize(("start", "n", "due"), [
    # Nyepi (Thu 19 Mar) + cuti 18, 20 Mar; Idul Fitri (Sat 21, Sun 22 Mar) + cuti 23, 24 Mar
    (D(2026, 3, 13), 5, D(2026, 3, 27)),
    (D(2026, 3, 17), 3, D(2026, 3, 27)),
    # Ascension (Thu 14 May) + cuti Fri 15 May
    (D(2026, 5, 13), 1, D(2026, 5, 18)),
    # Idul Adha (Wed 27 May) + cuti Thu 28 May
    (D(2026, 5, 26), 1, D(2026, 5, 29)),
    # cuti Thu 24 Dec + Christmas Fri 25 Dec
    (D(2026, 12, 23), 1, D(2026, 12, 28)),
    # 2027: Nyepi Mon 8 Mar, cuti 9 Mar, Idul Fitri 10–11 Mar, cuti 12 and 15 Mar
    (D(2027, 3, 5), 1, D(2027, 3, 16)),
    (D(2027, 12, 23), 1, D(2027, 12, 27)),
])
def test_2026_and_2027_working_days(start, n, due):
    assert WorkCalendar().add_working_days(start, n) == due


def test_the_installed_calendar_knows_this_years_cuti_bersama():
    """Fails when the installed ``holidays`` release lacks the current year's joint-leave decree."""
    today = dt.date.today()
    cov = workdays.coverage(WorkCalendar(), today.year)
    assert cov["cuti_bersama"], f"holidays {workdays.package_version()} knows no cuti bersama for {today.year}"
    if today > D(today.year, 7, 1):
        assert workdays.coverage(WorkCalendar(), today.year + 1)["cuti_bersama"]
    assert workdays.coverage_problems(WorkCalendar(), today) == []


def test_coverage_counts_overrides_and_flags_a_missing_year(monkeypatch):
    cal = WorkCalendar({D(2028, 1, 3): False, D(2026, 3, 18): True}, {D(2028, 1, 3): "Cuti bersama (SKB)"})
    assert (D(2026, 3, 18), "Cuti Bersama Hari Suci Nyepi") not in workdays.coverage(cal, 2026)["cuti_bersama"]
    assert workdays.coverage(cal, 2028)["cuti_bersama"][0] == (D(2028, 1, 3), "Cuti bersama (SKB)")
    monkeypatch.setattr(workdays, "_package_category", lambda year, cat: () if cat == "government" else
                        ((D(year, 1, 1), "Tahun Baru"),))
    assert workdays.coverage_problems(WorkCalendar(), D(2026, 3, 1)) == [("no_cuti_bersama", 2026)]
    assert workdays.coverage_problems(WorkCalendar(), D(2026, 8, 1)) == [("no_cuti_bersama", 2026),
                                                                        ("no_cuti_bersama", 2027)]
    # an override for a decree the package does not know yet covers the year
    cal = WorkCalendar({D(2026, 12, 24): False}, {D(2026, 12, 24): "Cuti bersama Natal"})
    assert workdays.coverage_problems(cal, D(2026, 3, 1)) == []


# --- stage deadlines across 2026 ------------------------------------------------------------------

def test_stage_deadline_follows_the_stage(world, make):
    c = make.complaint(tracking_no="1300001", submitted_at=wib(2026, 3, 13), category=world.road)
    c.norm_days = 5
    ops.refresh_due_date(c)
    # verification and forwarding: 3 working days (Mon 16, Tue 17, then Nyepi and Idul Fitri: Wed 25)
    assert c.stage_due_date == D(2026, 3, 25)
    ops.verify(c, world.kominfo, opd=world.dpupr)
    c.dispatched_at = wib(2026, 3, 13, 10)
    ops.refresh_due_date(c)
    assert c.status == S.BELUM_DITINDAKLANJUTI
    assert c.stage_due_date == D(2026, 3, 27)  # first follow-up: 5 working days after dispatch
    assert c.due_date == D(2026, 3, 27)  # completion with a 5-day norm: the same day here
    c.norm_days = 14
    ops.refresh_due_date(c)
    ops.add_followup(c, world.liaison, "Sedang kami tinjau.", at=wib(2026, 3, 26))
    assert c.status == S.PROSES and c.stage_due_date == c.due_date == D(2026, 4, 10)
    ops.postpone(c, world.kominfo, "Menunggu berkas")
    assert c.stage_due_date is None  # Tunda: no deadline runs


def test_complaint_page_lists_three_deadlines_and_never_calls_a_late_one_met(world, make, login_as):
    c = make.complaint(tracking_no="1300002", submitted_at=wib(2026, 3, 13), category=world.road,
                       status="belum_ditindaklanjuti", opd=world.dpupr,
                       verified_at=wib(2026, 3, 30), dispatched_at=wib(2026, 3, 30))
    today = D(2026, 4, 1)
    states = {d["key"]: (d["due"], d["state"]) for d in ops.deadlines(c, today)}
    assert states["verifikasi"] == (D(2026, 3, 25), "missed")
    assert states["tindak_lanjut"] == (D(2026, 4, 7), "on_time")  # Good Friday 3 Apr is a holiday
    assert states["selesai"][1] == "on_time"
    html = login_as(world.kominfo).get("/admin/laporan/1300002").get_data(as_text=True)
    table = html[html.index('class="deadlines"'):html.index("</table>", html.index('class="deadlines"'))]
    assert "Terpenuhi terlambat" in table and "Verifikasi dan penerusan" in table
    assert table.count("<tr>") == 4  # header + three stages


def test_queue_badge_and_tabs_use_the_stage_deadline(world, make, login_as):
    # unverified for nine days: late in Belum Terverifikasi, whatever its completion date
    make.complaint(tracking_no="1300003", submitted_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=9))
    client = login_as(world.kominfo)
    html = client.get("/admin/").get_data(as_text=True)
    row = html[html.index("#1300003"):]
    row = row[:row.index("</tbody>")]
    assert "Terlambat" in row and "Tepat waktu" not in row
    assert "#1300003" in client.get("/admin/?tab=terlambat").get_data(as_text=True)
    assert 'id="count-terlambat">1<' in client.get("/admin/?tab=terlambat").get_data(as_text=True)


def test_sort_by_nearest_deadline_pages_in_deadline_order(world, make, login_as):
    now = dt.datetime.now(dt.UTC)
    for i in range(25):
        c = make.complaint(tracking_no=f"13100{i:02d}", submitted_at=now - dt.timedelta(days=i % 7, hours=i),
                           status="proses", opd=world.dpupr)
        c.stage_due_date = today_wib() + dt.timedelta(days=(i * 7) % 25)
    client = login_as(world.kominfo)
    first = client.get("/admin/?tab=proses&urut=tenggat").get_data(as_text=True)
    import re

    cursor = re.search(r'setelah=([A-Za-z0-9_-]+)', first).group(1)
    second = client.get(f"/admin/?tab=proses&urut=tenggat&setelah={cursor}").get_data(as_text=True)
    seen = re.findall(r">#(131\d{4})<", first) + re.findall(r">#(131\d{4})<", second)
    assert len(seen) == len(set(seen)) == 25
    dues = [db.session.scalar(sa.select(Complaint.stage_due_date).where(Complaint.tracking_no == no))
            for no in seen]
    assert dues == sorted(dues)


def test_verified_but_not_forwarded_has_a_clear_state(world, make, login_as):
    c = make.complaint(tracking_no="1300004", submitted_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    ops.verify(c, world.kominfo)  # older data: verified, never forwarded
    assert c.status == S.BELUM_TERVERIFIKASI
    html = login_as(world.kominfo).get("/admin/").get_data(as_text=True)
    assert "Terverifikasi, belum diteruskan" in html


def test_api_and_open311_give_the_2026_due_date(world, make, client):
    make.complaint(tracking_no="1300005", submitted_at=wib(2026, 3, 12), category=world.road,
                   status="belum_ditindaklanjuti", opd=world.dpupr, verified_at=wib(2026, 3, 13),
                   dispatched_at=wib(2026, 3, 13), norm_days=5)
    db.session.commit()
    assert client.get("/api/v1/complaints/1300005").get_json()["due_date"] == "2026-03-27"
    [req] = client.get("/open311/v2/requests/1300005.json").get_json()
    assert req["expected_datetime"].startswith("2026-03-27T00:00:00+07:00")


# --- calendar check, healthz, settings page ------------------------------------------------------

def test_calendar_check_cli(app, runner, monkeypatch):
    result = runner.invoke(args=["calendar", "check"])
    assert result.exit_code == 0, result.output
    year = today_wib().year
    assert f"{year}:" in result.output and "cuti bersama" in result.output
    assert "2026-03-23 Cuti Bersama Hari Raya Idul Fitri" in result.output or year != 2026
    monkeypatch.setattr(workdays, "_package_category", lambda y, cat: ())
    result = runner.invoke(args=["calendar", "check"])
    assert result.exit_code == 1 and f"no cuti bersama known for {year}" in result.output


def test_missing_cuti_bersama_degrades_healthz_and_warns_on_settings(world, client, login_as, monkeypatch):
    assert client.get("/healthz").json["calendar"] == "ok"
    monkeypatch.setattr(workdays, "_package_category", lambda y, cat: ())
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json["calendar"] == "missing_cuti_bersama" and r.json["status"] == "degraded"
    html = login_as(world.kominfo).get("/admin/pengaturan/libur").get_data(as_text=True)
    assert f"Kalender belum mengenal cuti bersama {today_wib().year}" in html


# --- recompute ------------------------------------------------------------------------------------

def _events(c, kind):
    return db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id,
                                                              ComplaintEvent.kind == kind)).all()


def test_recompute_cli_moves_stale_dates_and_leaves_closed_ones(world, make, runner):
    stale = make.complaint(tracking_no="1300006", submitted_at=wib(2026, 3, 12), status="proses",
                           opd=world.dpupr, dispatched_at=wib(2026, 3, 13), first_followup_at=wib(2026, 3, 16),
                           norm_days=5)
    closed = make.complaint(tracking_no="1300007", submitted_at=wib(2026, 3, 12), status="selesai",
                            opd=world.dpupr, dispatched_at=wib(2026, 3, 13), finished_at=wib(2026, 3, 25),
                            norm_days=5)
    # what the pinned release without the 2026 decree stored
    stale.due_date = stale.stage_due_date = closed.due_date = D(2026, 3, 24)
    db.session.commit()
    result = runner.invoke(args=["calendar", "recompute", "--dry-run"])
    assert result.exit_code == 0 and "1 complaints would move" in result.output
    db.session.expire_all()
    assert db.session.get(Complaint, stale.id).due_date == D(2026, 3, 24)
    result = runner.invoke(args=["calendar", "recompute"])
    assert result.exit_code == 0 and "1 complaints moved" in result.output
    db.session.expire_all()
    stale, closed = db.session.get(Complaint, stale.id), db.session.get(Complaint, closed.id)
    assert stale.due_date == stale.stage_due_date == D(2026, 3, 27)
    [event] = _events(stale, "recomputed")
    assert event.changes["due_date"] == ["2026-03-24", "2026-03-27"] and not event.is_public
    assert closed.due_date == D(2026, 3, 24) and closed.status == S.SELESAI and not _events(closed, "recomputed")
    assert "0 complaints moved" in runner.invoke(args=["calendar", "recompute"]).output


def test_an_override_edit_recomputes_due_dates(world, make, login_as):
    c = make.complaint(tracking_no="1300008", submitted_at=wib(2026, 3, 12), status="proses",
                       opd=world.dpupr, dispatched_at=wib(2026, 3, 13), first_followup_at=wib(2026, 3, 16),
                       norm_days=5)
    other = make.complaint(tracking_no="1300009", submitted_at=wib(2026, 6, 1), status="proses",
                           opd=world.dpupr, dispatched_at=wib(2026, 6, 1), first_followup_at=wib(2026, 6, 2),
                           norm_days=5)
    assert c.due_date == D(2026, 3, 27)
    client = login_as(world.kominfo)
    resp = client.post("/admin/pengaturan/libur", data={"date": "2026-03-26", "name": "Cuti bersama tambahan",
                                                        "is_working_day": ""})
    assert resp.status_code == 303
    workdays.invalidate()
    db.session.expire_all()
    assert db.session.get(Complaint, c.id).due_date == D(2026, 3, 30)
    assert len(_events(c, "recomputed")) == 1 and not _events(other, "recomputed")
    row = db.session.scalar(sa.select(HolidayOverride))
    assert client.post(f"/admin/pengaturan/libur/{row.id}/hapus").status_code == 303
    workdays.invalidate()
    db.session.expire_all()
    assert db.session.get(Complaint, c.id).due_date == D(2026, 3, 27)
    assert len(_events(c, "recomputed")) == 2


# --- indicator 16 ---------------------------------------------------------------------------------

def test_over_60_counts_working_days(world, make):
    from portal.meetings.report import build as report

    # 85 calendar days but fewer than 60 working days (60 working days after 5 Jan 2026 is 10 Apr)
    make.complaint(submitted_at=wib(2026, 1, 5), status="selesai", finished_at=wib(2026, 3, 31))
    make.complaint(submitted_at=wib(2026, 1, 5), status="selesai", finished_at=wib(2026, 4, 13))
    make.complaint(submitted_at=wib(2026, 1, 5), status="proses")  # open at the period's end (30 Jun)
    db.session.flush()
    assert report.indicators(D(2026, 1, 1), D(2026, 6, 30))["over_60"] == 2

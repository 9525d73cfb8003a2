"""Fixtures for the rakor report: a meeting with a reporting period and hand-built complaints."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.extensions import db

UTC = dt.UTC
PERIOD = (dt.date(2025, 9, 1), dt.date(2026, 2, 28))


def wib(y, m, d, h=9, mi=0):
    """A WIB wall-clock time as aware UTC."""
    return dt.datetime(y, m, d, h, mi, tzinfo=dt.timezone(dt.timedelta(hours=7))).astimezone(UTC)


def make_meeting(title="Rakor SP4N-LAPOR! Semester I 2026", period=PERIOD, **kw):
    from portal.meetings.models import Meeting

    m = Meeting(title=title, starts_at=kw.pop("starts_at", wib(2026, 3, 10, 9)),
                ends_at=kw.pop("ends_at", wib(2026, 3, 10, 15)), venue=kw.pop("venue", "Aula Diskominfo"),
                period_start=period[0], period_end=period[1], **kw)
    db.session.add(m)
    db.session.flush()
    return m


@pytest.fixture
def seeded(make):
    """Two OPDs, categories with norms, a dozen complaints in and around the period, a meeting."""
    from portal.complaints.models import Channel, Status
    from portal.meetings.models import ActionItem, Decision
    from portal.people.models import Liaison

    dinkes = make.opd("DINKES", "Dinas Kesehatan", sk_team_date=dt.date(2025, 6, 1))
    dpupr = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang")
    jalan = make.category("Infrastruktur > Jalan", 14, dpupr)
    rs = make.category("Kesehatan > Rumah Sakit", 5, dinkes)
    liaison = make.user("opd", opd=dinkes, name="Penghubung Dinkes", last_login_at=wib(2026, 2, 20))
    db.session.add(Liaison(opd=dinkes, user=liaison, valid_from=dt.date(2025, 1, 1)))
    S = Status
    t = wib(2025, 10, 6, 8)  # Monday
    rows = [
        # (status, opd, category, submitted, verified+, dispatched+, followup+, finished+, rating, gender, dis)
        (S.SELESAI, dinkes, rs, t, 0.5, 1, 2, 3, 5, "P", False),
        (S.SELESAI, dinkes, rs, t, 0.5, 1, 2, 20, 4, "L", True),
        (S.PROSES, dinkes, rs, t, 1, 1.5, 3, None, None, "P", False),
        (S.SELESAI, dpupr, jalan, wib(2025, 12, 1), 1, 1, 5, 10, 3, "L", False),
        (S.BELUM_DITINDAKLANJUTI, dpupr, jalan, wib(2026, 1, 5), 2, 2.5, None, None, None, None, False),
        (S.BELUM_TERVERIFIKASI, None, None, wib(2026, 2, 27), None, None, None, None, None, "L", False),
        (S.TUNDA, None, jalan, wib(2025, 11, 3), 1, None, None, None, None, None, False),
        (S.ARSIP, None, None, wib(2025, 9, 1, 0, 30), 1, None, None, None, None, None, False),
        # outside the period: the day after, and the previous period
        (S.SELESAI, dpupr, jalan, wib(2026, 3, 1, 0, 5), 1, 1, 2, 3, 1, "P", False),
        (S.SELESAI, dinkes, rs, wib(2025, 5, 5), 1, 1, 2, 4, 2, "P", False),
        (S.PROSES, dpupr, jalan, wib(2025, 6, 2), 1, 1, 2, None, None, "L", False),
    ]
    made = []
    for i, (st, opd, cat, sub, v, d, f, fin, rating, gender, dis) in enumerate(rows):
        def at(x, sub=sub):
            return sub + dt.timedelta(days=x) if x is not None else None

        c = make.complaint(
            tracking_no=f"RK{i:04d}", status=st.value, opd=opd, submitted_at=sub, category=cat,
            norm_days=cat.effective_norm() if cat else 14, verified_at=at(v), dispatched_at=at(d),
            first_followup_at=at(f), finished_at=at(fin), rating=rating,
            channel=[Channel.WEBSITE, Channel.SMS, Channel.TATAP_MUKA, Channel.EMAIL][i % 4],
            reporter={"name": f"Pelapor Rahasia {i}", "nik": f"36010{i:011d}", "phone": f"+62812000{i:04d}",
                      "gender": gender, "has_disability": dis},
        )
        made.append(c)
    meeting = make_meeting()
    dec = Decision(meeting=meeting, position=1, text="Setiap OPD memperbarui SK tim pengelola.")
    db.session.add(dec)
    db.session.add(ActionItem(meeting=meeting, decision=dec, title="Perbarui SK tim pengelola", owner_opd=dinkes,
                              due_date=dt.date(2099, 4, 30)))
    db.session.add(ActionItem(meeting=meeting, title="Susun rencana aksi", owner_opd=dpupr,
                              due_date=dt.date(2026, 1, 31)))
    db.session.commit()
    return {"meeting": meeting, "complaints": made, "dinkes": dinkes, "dpupr": dpupr}


@pytest.fixture(autouse=True)
def _no_cached_user(app):
    """Test requests share the test's app context, so Flask-Login's ``g._login_user`` would leak
    from one request (and one signed-in user) to the next: forget it at the start of each request."""
    from flask import g

    def _forget():
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, _forget)

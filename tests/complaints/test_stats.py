import datetime as dt

import sqlalchemy as sa

from portal.complaints import stats
from portal.complaints.models import Complaint, Status
from portal.extensions import db

UTC = dt.UTC


def _bulk(rows):
    db.session.execute(sa.insert(Complaint), rows)
    db.session.commit()


def _row(i, status, submitted, **kw):
    return {"tracking_no": f"R{i:06d}", "submitted_at": submitted, "text": "x", "status": status,
            "norm_days": 14, "version": 1, **kw}


def test_recap_reproduces_the_kemenpanrb_2023_figures(app):
    """docs/DOMAIN.md §7: 0 | 24 | 24 | 468 | 0 | 8 → Total 516, %TL 95.3."""
    t = dt.datetime(2023, 3, 1, 3, tzinfo=UTC)
    rows = []
    counts = {Status.BELUM_DITINDAKLANJUTI: 24, Status.PROSES: 24, Status.SELESAI: 468, Status.ARSIP: 8}
    i = 0
    for status, n in counts.items():
        for _ in range(n):
            rows.append(_row(i, status, t))
            i += 1
    _bulk(rows)
    r = stats.recap(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert (r["belum_terverifikasi"], r["belum_ditindaklanjuti"], r["proses"], r["selesai"], r["tunda"],
            r["arsip"]) == (0, 24, 24, 468, 0, 8)
    assert r["total"] == 516
    assert r["persen_tl"] == 95.3


def test_means_use_fractional_days_and_only_complaints_that_have_them(app):
    t = dt.datetime(2024, 5, 1, 1, tzinfo=UTC)  # 08:00 WIB
    _bulk([
        _row(1, Status.SELESAI, t, first_followup_at=t + dt.timedelta(days=2, hours=12),
             verified_at=t + dt.timedelta(hours=12), rating=5),
        _row(2, Status.PROSES, t, first_followup_at=t + dt.timedelta(days=1), verified_at=t + dt.timedelta(days=1),
             rating=4),
        _row(3, Status.BELUM_DITINDAKLANJUTI, t, verified_at=t + dt.timedelta(days=2), rating=None),
        _row(4, Status.BELUM_TERVERIFIKASI, t),
        _row(5, Status.TUNDA, t, verified_at=t + dt.timedelta(days=3)),
    ])
    r = stats.recap(dt.date(2024, 5, 1), dt.date(2024, 5, 1))
    assert r["total"] == 4  # Tunda excluded
    assert r["persen_tl"] == 50.0
    assert r["rtl_hari"] == 1.8  # (2.5 + 1) / 2 = 1.75 → 1.8
    assert r["n_rtl"] == 2
    assert r["rv_hari"] == 1.6  # (0.5 + 1 + 2 + 3) / 4 = 1.625
    assert r["rhp"] == 4.5


def test_period_is_inclusive_in_wib(app):
    # 2024-12-31 23:30 WIB is 16:30 UTC: inside 2024, not 2025
    _bulk([_row(1, Status.PROSES, dt.datetime(2024, 12, 31, 16, 30, tzinfo=UTC)),
           _row(2, Status.PROSES, dt.datetime(2024, 12, 31, 17, 30, tzinfo=UTC))])  # 1 Jan 00:30 WIB
    assert stats.recap(dt.date(2024, 12, 31), dt.date(2024, 12, 31))["total"] == 1
    assert stats.recap(dt.date(2025, 1, 1), dt.date(2025, 1, 1))["total"] == 1


def test_empty_period(app):
    r = stats.recap(dt.date(2030, 1, 1), dt.date(2030, 1, 31))
    assert r["total"] == 0 and r["persen_tl"] == 0.0 and r["rtl_hari"] == 0.0 and r["n_rhp"] == 0
    assert set(stats.RECAP_KEYS) <= set(r)


def test_recap_per_opd_lists_every_active_opd(make):
    a, b = make.opd("AAA", "Dinas A"), make.opd("BBB", "Dinas B")
    make.opd("OLD", "Dinas Lama", active=False)
    make.complaint(status="selesai", opd=a, first_followup_at=dt.datetime(2025, 2, 4, tzinfo=UTC))
    make.complaint(status="belum_ditindaklanjuti", opd=a)
    db.session.commit()
    rows = {r["code"]: r for r in stats.recap_per_opd()}
    assert set(rows) == {"AAA", "BBB"}
    assert rows["AAA"]["total"] == 2 and rows["AAA"]["persen_tl"] == 50.0
    assert rows["BBB"]["total"] == 0
    assert b.id

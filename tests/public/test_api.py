"""The public JSON API: recap formulas, errors, one complaint, caching and rate limits."""

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.complaints.models import Complaint, Status
from portal.extensions import db

UTC = dt.UTC
KEYS = {"belum_terverifikasi", "belum_ditindaklanjuti", "proses", "selesai", "tunda", "arsip", "total",
        "persen_tl", "rtl_hari", "rhp", "rv_hari"}


def _bulk(rows):
    db.session.execute(sa.insert(Complaint), rows)
    db.session.commit()


def _row(i, status, submitted, **kw):
    return {"tracking_no": f"R{i:06d}", "submitted_at": submitted, "text": "x", "status": status,
            "norm_days": 14, "version": 1, **kw}


def test_stats_reproduce_the_kemenpanrb_recap(client):
    t = dt.datetime(2023, 3, 1, 3, tzinfo=UTC)
    rows, i = [], 0
    for status, n in {Status.BELUM_DITINDAKLANJUTI: 24, Status.PROSES: 24, Status.SELESAI: 468,
                      Status.ARSIP: 8}.items():
        for _ in range(n):
            rows.append(_row(i, status, t))
            i += 1
    _bulk(rows)
    r = client.get("/api/v1/stats?from=2023-01-01&to=2023-12-31")
    assert r.status_code == 200
    j = r.get_json()
    assert set(j) >= KEYS
    assert [j[k] for k in ("belum_terverifikasi", "belum_ditindaklanjuti", "proses", "selesai", "tunda", "arsip",
                           "total", "persen_tl")] == [0, 24, 24, 468, 0, 8, 516, 95.3]


def test_stats_means_and_period_bounds(client, make):
    opd = make.opd(code="DINKES")
    t = dt.datetime(2024, 5, 1, 1, tzinfo=UTC)  # 08:00 WIB
    _bulk([
        _row(1, Status.SELESAI, t, first_followup_at=t + dt.timedelta(days=2, hours=12),
             verified_at=t + dt.timedelta(hours=12), rating=5, opd_id=opd.id),
        _row(2, Status.PROSES, t, first_followup_at=t + dt.timedelta(days=1), verified_at=t + dt.timedelta(days=1),
             rating=4, opd_id=opd.id),
        _row(3, Status.BELUM_DITINDAKLANJUTI, t, verified_at=t + dt.timedelta(days=2)),
        _row(4, Status.BELUM_TERVERIFIKASI, t),
        _row(5, Status.TUNDA, t, verified_at=t + dt.timedelta(days=3)),
        # 30 April 23:30 WIB: outside a period that starts on 1 May
        _row(6, Status.SELESAI, dt.datetime(2024, 4, 30, 16, 30, tzinfo=UTC)),
    ])
    j = client.get("/api/v1/stats?from=2024-05-01&to=2024-05-01").get_json()
    assert (j["total"], j["persen_tl"], j["rtl_hari"], j["rv_hari"], j["rhp"], j["tunda"]) == (4, 50.0, 1.8, 1.6,
                                                                                            4.5, 1)
    j = client.get("/api/v1/stats?from=2024-05-01&to=2024-05-01&opd=dinkes").get_json()
    assert (j["total"], j["persen_tl"], j["rhp"]) == (2, 100.0, 4.5)
    assert client.get("/api/v1/stats?to=2024-04-30").get_json()["selesai"] == 1


def test_empty_period_is_all_zero(client, make):
    make.complaint(submitted_at=dt.datetime(2024, 5, 1, 1, tzinfo=UTC))
    db.session.commit()
    j = client.get("/api/v1/stats?from=2020-01-01&to=2020-12-31").get_json()
    assert {k: j[k] for k in KEYS} == {k: 0 if k not in ("persen_tl", "rtl_hari", "rhp", "rv_hari") else 0.0
                                      for k in KEYS}
    per_opd = client.get("/api/v1/stats/opd?from=2020-01-01&to=2020-01-31").get_json()
    assert per_opd == {"opd": []}


def test_stats_per_opd(client, make):
    a, b = make.opd(code="A1", name="Alfa"), make.opd(code="B1", name="Beta")
    make.complaint(status="selesai", opd=a)
    make.complaint(status="proses", opd=a)
    make.complaint(status="belum_ditindaklanjuti", opd=b)
    db.session.commit()
    j = client.get("/api/v1/stats/opd").get_json()
    rows = {r["code"]: r for r in j["opd"]}
    assert set(rows) == {"A1", "B1"}
    assert rows["A1"]["name"] == "Alfa" and set(rows["A1"]) >= KEYS
    assert (rows["A1"]["total"], rows["A1"]["persen_tl"], rows["B1"]["persen_tl"]) == (2, 100.0, 0.0)


@pytest.mark.parametrize("qs", ["from=2024-13-01", "from=abc", "to=2024-02-30", "from=2024-05-02&to=2024-05-01",
                                "from=20240501", "to=1999-01-01"])
def test_bad_dates_are_400_json(client, qs):
    for url in ("/api/v1/stats", "/api/v1/stats/opd"):
        r = client.get(f"{url}?{qs}")
        assert r.status_code == 400 and r.is_json and "error" in r.get_json()


def test_unknown_opd_is_404_json(client):
    r = client.get("/api/v1/stats?opd=NOPE")
    assert r.status_code == 404 and r.get_json()["error"]


def test_complaint_view_and_confidential(client, seeded):
    c = seeded["complaints"]["proses"]
    j = client.get(f"/api/v1/complaints/{c.tracking_no}").get_json()
    assert j["status"] == "proses" and j["opd"] == c.opd.code and j["due_date"] == c.due_date.isoformat()
    assert j["text"] and j["followups"]
    j = client.get("/api/v1/complaints/6009999").get_json()
    assert j["confidential"] is True and j["status"] == "proses" and j["opd"] == "UPTPJU" and j["due_date"]
    assert not {"title", "text", "location", "category", "followups", "timeline", "region"} & set(j)
    assert client.get("/api/v1/complaints/nope").status_code == 404


def test_a_commit_changes_the_cached_answer(client, make):
    make.complaint(status="selesai")
    db.session.commit()
    assert client.get("/api/v1/stats").get_json()["total"] == 1
    assert client.get("/api/v1/stats").get_json()["total"] == 1  # served from the cache
    c = make.complaint(status="proses")
    db.session.commit()
    assert client.get("/api/v1/stats").get_json()["total"] == 2
    c.status = Status.ARSIP
    db.session.commit()
    j = client.get("/api/v1/stats").get_json()
    assert (j["total"], j["arsip"]) == (1, 1)


def test_dashboard_fragment_is_cached_and_invalidated(client, make):
    from portal.core.db import utcnow

    opd = make.opd(code="ZZ", name="Dinas Zeta")
    make.complaint(status="selesai", opd=opd, submitted_at=utcnow())
    db.session.commit()
    r = client.get("/", headers={"HX-Request": "true"})
    assert r.status_code == 200 and b"<html" not in r.data and b"diperbarui pukul" in r.data
    assert "HX-Request" in r.headers.get("Vary", "")
    for _ in range(3):
        make.complaint(status="proses", opd=opd, submitted_at=utcnow())
    db.session.commit()
    body = client.get("/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Dinas Zeta" in body and ">4</td>" in body


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="3/minute")
def test_rate_limit_is_shared_across_public_endpoints(client):
    assert client.get("/lacak/123").status_code == 404
    assert client.get("/api/v1/stats").status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200
    r = client.get("/api/v1/stats")
    assert r.status_code == 429 and r.is_json
    assert client.get("/lacak/124").status_code == 429
    r = client.get("/open311/v2/requests.xml")
    assert r.status_code == 429 and b"<errors>" in r.data
    assert client.get("/").status_code == 200  # the dashboard is cached, not limited

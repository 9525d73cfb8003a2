"""Fixtures of the Kominfo workspace tests."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from portal.extensions import db


@pytest.fixture
def world(make):
    """Kominfo, pimpinan, ombudsman and an OPD liaison; two OPDs and two categories."""
    from portal.people.models import Liaison

    dpupr = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", email="dpupr@uji.go.id")
    dinkes = make.opd("DINKES", "Dinas Kesehatan")
    road = make.category("Infrastruktur > Jalan Rusak", norm_days=60, default_opd=dpupr)
    road.keywords = "jalan\nberlubang\naspal"
    health = make.category("Kesehatan > Pelayanan RSUD", norm_days=14, default_opd=dinkes)
    health.keywords = "rumah sakit\ndokter\nantrean"
    kominfo = make.user("kominfo", email="kominfo@uji.go.id", name="Admin Kominfo")
    kominfo2 = make.user("kominfo", email="kominfo2@uji.go.id", name="Admin Kedua")
    pimpinan = make.user("pimpinan", email="pimpinan@uji.go.id")
    ombudsman = make.user("ombudsman", email="ombudsman@uji.go.id")
    liaison = make.user("opd", opd=dpupr, email="penghubung.dpupr@uji.go.id", name="Penghubung DPUPR")
    db.session.add(Liaison(opd=dpupr, user=liaison, valid_from=dt.date(2024, 1, 1)))
    db.session.flush()
    return SimpleNamespace(dpupr=dpupr, dinkes=dinkes, road=road, health=health, kominfo=kominfo,
                           kominfo2=kominfo2, pimpinan=pimpinan, ombudsman=ombudsman, liaison=liaison)


def recent(days: int = 1) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)

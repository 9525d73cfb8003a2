"""Fixtures of the rakor tests: a small province with liaisons, complaints and a planned meeting."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from portal.extensions import db
from portal.people.models import Liaison


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    """Test accounts need no scrypt: a cheap PBKDF2 keeps the many fixtures fast (still verifiable)."""
    from werkzeug.security import generate_password_hash

    import portal.people.models as people_models

    monkeypatch.setattr(people_models, "generate_password_hash",
                        lambda pw: generate_password_hash(pw, method="pbkdf2:sha256:1000"))


def utc(y, m, d, h=2):
    return dt.datetime(y, m, d, h, 0, tzinfo=dt.UTC)


@pytest.fixture
def rakor(app, make):
    """Three OPDs (busy, weak, quiet) with liaisons, complaints in Sep 2024–Feb 2025 and a March rakor."""
    from portal.meetings import services as svc

    busy = make.opd("DINKES", "Dinas Kesehatan", email="dinkes@uji.go.id")
    weak = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", email="dpupr@uji.go.id")
    quiet = make.opd("DISPAR", "Dinas Pariwisata")
    kominfo = make.user("kominfo", email="kominfo@uji.go.id", name="Staf Kominfo")
    lia_busy = make.user("opd", opd=busy, email="lia.dinkes@uji.go.id", name="Siti Liaison", position="Analis")
    lia_weak = make.user("opd", opd=weak, email="lia.dpupr@uji.go.id", name="Budi Liaison")
    old = make.user("opd", opd=weak, email="old.dpupr@uji.go.id", name="Mantan Liaison")
    pimpinan = make.user("pimpinan", email="pimpinan@uji.go.id")
    ombudsman = make.user("ombudsman", email="ombudsman@uji.go.id")
    other = make.user("opd", opd=quiet, email="lia.dispar@uji.go.id", name="Dewi Dispar")
    for opd, user in ((busy, lia_busy), (weak, lia_weak), (quiet, other)):
        db.session.add(Liaison(opd=opd, user=user, valid_from=dt.date(2024, 1, 1)))
    db.session.add(Liaison(opd=weak, user=old, valid_from=dt.date(2022, 1, 1), valid_to=dt.date(2023, 12, 31)))
    # busy: 10 complaints, 9 finished; weak: 6 complaints, none followed up, all overdue
    for i in range(10):
        make.complaint(status="selesai" if i else "proses", opd=busy, submitted_at=utc(2024, 10, 1 + i))
    for i in range(6):
        make.complaint(status="belum_ditindaklanjuti", opd=weak, submitted_at=utc(2024, 11, 1 + i),
                       dispatched_at=utc(2024, 11, 2 + i))
    # outside the period: must not count
    for i in range(20):
        make.complaint(status="selesai", opd=quiet, submitted_at=utc(2024, 3, 1 + i))
    meeting = svc.create_meeting(title="Rakor Pengelolaan SP4N-LAPOR! Semester I 2025", day=dt.date(2099, 3, 11))
    meeting.period_start, meeting.period_end = dt.date(2024, 9, 1), dt.date(2025, 2, 28)
    svc.add_speaker(meeting, name="Dr. Ani Narasumber", title="Asisten Deputi", institution="KemenPANRB",
                    email="ani@menpan.go.id", topic="Tata cara menjawab aduan")
    db.session.commit()
    return SimpleNamespace(meeting=meeting, busy=busy, weak=weak, quiet=quiet, kominfo=kominfo,
                           lia_busy=lia_busy, lia_weak=lia_weak, old=old, pimpinan=pimpinan,
                           ombudsman=ombudsman, other=other)

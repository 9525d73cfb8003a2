"""Demo SK register, rencana aksi and one approved, published rakor report, so the
evaluation, /rakor and the reading room are not empty on a fresh install."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.meetings.evaluation import operations as ev
from portal.meetings.evaluation.models import SkTim, TeamRole
from portal.people.liaisons import serving
from portal.people.models import OPD, Liaison, Role, User

LEADERS = [
    (TeamRole.PEMBINA, "Gubernur", "Gubernur"),
    (TeamRole.PEMBINA, "Wakil Gubernur", "Wakil Gubernur"),
    (TeamRole.PENANGGUNG_JAWAB, "Sekretaris Daerah", "Sekretaris Daerah"),
    (TeamRole.PENGARAH, "Dr. Ahmad Fauzi, M.Si.", "Kepala Dinas Kominfo"),
    (TeamRole.KETUA, "Siti Rahmawati, S.Kom., M.M.",
     "Kepala Bidang Pengelolaan Informasi dan Kemitraan Komunikasi"),
    (TeamRole.SEKRETARIS, "Budi Santoso, S.E.", "Sekretaris Dinas Kominfo"),
    (TeamRole.TIM_ADMIN, "Rina Marlina, A.Md.", "Pengelola Pengaduan"),
    (TeamRole.TIM_ADMIN, "Dedi Kurniawan, S.Kom.", "Pranata Komputer"),
]

PLAN_ITEMS = [
    ("Memperbarui SK Tim Koordinasi sesuai pergantian pejabat penghubung", None, 60, 100),
    ("Bimbingan teknis pejabat penghubung baru", None, 120, 100),
    ("Standar jawaban untuk lima kategori aduan terbanyak", "DPUPR", 150, 60),
    ("Penuntasan aduan Belum Ditindaklanjuti lebih dari 5 hari kerja", "DINKES", 200, 40),
    ("Sosialisasi kanal SP4N-LAPOR! bagi penyandang disabilitas", None, 300, 0),
]


def seed(rng: random.Random, report_meeting=None) -> list[str]:
    """The register and the plan (nothing when they exist), and ``report_meeting``'s report
    approved by the head of office and published by Kominfo."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(SkTim)):
        return []
    today = today_wib()
    year = today.year - 1
    kominfo = db.session.scalar(sa.select(User).where(User.role == Role.KOMINFO).order_by(User.id))
    # last year's decree (in force for last year's rakor periods) and this year's update, made
    # after the liaison handovers so it names the current pejabat penghubung
    old = _decree(rng, dt.date(year, 1, 15), kominfo)
    new = _decree(rng, today - dt.timedelta(days=190), kominfo)
    old.valid_to = new.valid_from - dt.timedelta(days=1)
    plans = [_plan(y, today) for y in (year, today.year)]
    lines = [f"SK Tim Koordinasi {new.number} ({len(new.members)} anggota); "
             + ", ".join(f"{p.title} ({len(p.items)} kegiatan)" for p in plans)]
    if report_meeting is not None:
        lines.append(_publish_report(report_meeting, kominfo))
    return lines


def _decree(rng: random.Random, day: dt.date, kominfo: User | None):
    sk = ev.create_sk(number=f"800/Kep.{rng.randint(100, 400)}-Huk/{day.year}",
                      title="Tim Koordinasi Pengelola Pengaduan Pelayanan Publik SP4N-LAPOR!",
                      decree_date=day, issuer="Gubernur", valid_from=day, valid_to=None, user=kominfo)
    for role, name, position in LEADERS:
        ev.add_member(sk, role=role, name=name, position=position)
    for lia in db.session.scalars(sa.select(Liaison).where(serving(day)).order_by(Liaison.opd_id)):
        ev.add_member(sk, role=TeamRole.PEJABAT_PENGHUBUNG, name=lia.user.name, position="Pejabat Penghubung",
                      opd=lia.opd)
    return sk


def _plan(year: int, today: dt.date):
    plan = ev.create_plan(year=year, title=f"Rencana Aksi Pengelolaan SP4N-LAPOR! {year}",
                          adopted_on=dt.date(year, 1, 20))
    start = dt.date(year, 1, 20)
    for title, code, offset, progress in PLAN_ITEMS:
        owner = db.session.scalar(sa.select(OPD).where(OPD.code == code)) if code else None
        item = ev.add_item(plan, title=title, due_date=start + dt.timedelta(days=offset), owner=owner)
        if year < today.year:
            progress = 100 if progress >= 40 else 50
        if progress:
            ev.record_progress(item, progress, "Terlaksana" if progress >= 100 else "Sedang berjalan",
                               min(today, item.due_date))
    return plan


def _publish_report(meeting, kominfo: User | None) -> str:
    from portal.meetings.report import operations as ops

    head = db.session.scalar(sa.select(User).where(User.role == Role.PIMPINAN, User.active.is_(True))
                             .order_by(User.id))
    if head is None or kominfo is None:
        return ""
    rep = ops.ensure_report(meeting)
    rep.analysis_delay = ("Keterlambatan terutama pada aduan infrastruktur jalan yang memerlukan "
                          "pemeriksaan lapangan dan pada OPD yang pejabat penghubungnya berganti.")
    rep.analysis_themes = ("Pelapor perempuan dan penyandang disabilitas dicatat terpisah; aduan dari "
                           "penyandang disabilitas ditangani sebagai prioritas.")
    rep.improvement_plan = ("Bimbingan teknis bagi pejabat penghubung baru dan standar jawaban untuk "
                            "kategori aduan terbanyak.")
    ops.approve(rep, head)
    ops.store_pdf(rep, ops.render_pdf_bytes(meeting, rep, rep.figures or {}))
    ops.publish(rep, kominfo)
    return f"Laporan {meeting.title}: disetujui dan diterbitkan"

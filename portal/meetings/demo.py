"""Demo rakor meetings: March and August of last year (held, with minutes and actions,
some still open and carried over) and an upcoming one with invitations sent."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import sqlalchemy as sa

from portal.core.db import utcnow
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.meetings import services as svc
from portal.meetings.models import (
    ActionStatus,
    Attendance,
    CheckInMethod,
    Meeting,
    MeetingStatus,
    Rsvp,
)
from portal.people.models import OPD, User

SPEAKERS = [
    {"name": "Drs. Hasan Basri, M.Si.", "title": "Asisten Deputi Pengelolaan Pengaduan Masyarakat",
     "institution": "KemenPANRB", "email": "narasumber.panrb@demo.lapor.id",
     "topic": "Kebijakan SP4N-LAPOR! dan tata cara menjawab aduan"},
    {"name": "Ratna Dewi, S.H.", "title": "Kepala Keasistenan Pemeriksaan Laporan",
     "institution": "Ombudsman RI Perwakilan Banten", "email": "narasumber.ombudsman@demo.lapor.id",
     "topic": "Mekanisme penyelesaian pengaduan dan maladministrasi"},
]

ACTIONS = [
    ("Memperbarui SK Tim Pengelola Pengaduan tahun berjalan", 45),
    ("Menyusun rencana aksi penanganan aduan yang melewati batas waktu", 30),
    ("Menuntaskan aduan berstatus Belum Ditindaklanjuti", 21),
    ("Menunjuk pejabat penghubung pengganti dan mencatat serah terima", 14),
    ("Melaporkan hasil monitoring tindak lanjut ke Diskominfo", 60),
]

DECISIONS = [
    "Seluruh Perangkat Daerah memperbarui SK Tim Pengelola Pengaduan paling lambat satu bulan setelah rakor.",
    "Aduan yang melewati batas waktu dibahas dalam koordinasi mingguan antara Diskominfo dan OPD terkait.",
    "Jawaban aduan wajib memuat langkah tindak lanjut yang konkret dan dapat diverifikasi pelapor.",
]


def _minutes_text(meeting: Meeting, invited: int, present: int) -> str:
    parts = []
    for n, item in enumerate(meeting.agenda_items, start=1):
        parts.append(f"## {n}. {item.title}\n")
        if "Paparan" in item.title:
            parts.append(f"Bidang PIKK memaparkan rekap periode {meeting.period_start:%d-%m-%Y} s.d. "
                         f"{meeting.period_end:%d-%m-%Y}. Dari {invited} undangan, {present} peserta hadir.\n\n"
                         "- OPD dengan aduan terbanyak diminta mempercepat tindak lanjut.\n"
                         "- %TL provinsi dibandingkan target 90% selesai.\n")
        elif "sebelumnya" in item.title:
            parts.append("Tindak lanjut rakor sebelumnya ditinjau satu per satu; yang belum selesai dibawa.\n")
        elif "Materi" in item.title:
            parts.append("Narasumber menyampaikan **tata cara menjawab aduan** dan mekanisme penyelesaian.\n")
        elif "Diskusi" in item.title:
            parts.append("Peserta menyampaikan kendala: pergantian pejabat penghubung dan aduan lintas OPD.\n")
        else:
            parts.append("Berjalan sesuai jadwal.\n")
    return "\n".join(parts)


def _hold(meeting: Meeting, rng: random.Random, kominfo: User | None) -> tuple[int, int]:
    """RSVPs, attendance at the door, minutes (final) and decisions for a past meeting."""
    present = 0
    for inv in meeting.invitations:
        roll = rng.random()
        if roll < 0.65:
            svc.answer_rsvp(inv, Rsvp.HADIR)
        elif roll < 0.85:
            svc.answer_rsvp(inv, Rsvp.DIWAKILKAN, rng.choice(["Ahmad Fauzi", "Nurul Hidayah", "Rudi Hartono"]),
                            rng.choice(["Kepala Subbagian Umum", "Analis Kebijakan", "Pranata Humas"]))
        elif roll < 0.95:
            svc.answer_rsvp(inv, Rsvp.TIDAK_HADIR, note="Bertepatan dengan kegiatan lain.")
        inv.rsvp_at = meeting.starts_at - dt.timedelta(days=rng.randint(2, 6))
        if inv.rsvp in (Rsvp.HADIR, Rsvp.DIWAKILKAN) and rng.random() < 0.92:
            att = svc.check_in(inv, rng.choice([CheckInMethod.CODE, CheckInMethod.QR, CheckInMethod.STAFF]), kominfo)
            att.checked_in_at = meeting.starts_at + dt.timedelta(minutes=rng.randint(-25, 20))
            present += 1
    db.session.add(Attendance(meeting=meeting, name="Yusuf Maulana", position="Staf Pelaksana",
                              method=CheckInMethod.WALK_IN, checked_in_at=meeting.starts_at))
    for text in DECISIONS:
        svc.add_decision(meeting, text)
    svc.save_minutes(meeting, _minutes_text(meeting, len(meeting.invitations), present), kominfo)
    svc.finalize_minutes(meeting, kominfo)
    meeting.minutes.finalized_at = meeting.ends_at + dt.timedelta(days=3)
    return len(meeting.invitations), present


def _actions(meeting: Meeting, owners: list[OPD], rng: random.Random, users: dict[int, User],
             keep_open: int) -> None:
    """Actions for the meeting; all but ``keep_open`` of the new ones get done or progress."""
    day = meeting.date_wib
    for i, owner in enumerate(owners):
        title, days = ACTIONS[i % len(ACTIONS)]
        a = svc.add_action(meeting, title, owner, day + dt.timedelta(days=days))
        if i < keep_open:
            continue
        user = users.get(owner.id)
        svc.update_action(a, user, "Sedang dikoordinasikan dengan bidang terkait.", ActionStatus.IN_PROGRESS)
        if rng.random() < 0.7:
            svc.update_action(a, user, "Selesai; dokumen diunggah ke Diskominfo.", ActionStatus.DONE)
        for p in a.progress:
            p.at = meeting.ends_at + dt.timedelta(days=rng.randint(5, days))


def seed(rng: random.Random) -> str:
    """Add demo meetings (nothing when meetings exist already); returns a one-line summary."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)):
        return ""
    today = today_wib()
    year = today.year - 1
    kominfo = db.session.scalar(sa.select(User).where(User.role == "kominfo").order_by(User.id))
    liaison_users = {u.opd_id: u for u in db.session.scalars(sa.select(User).where(User.role == "opd",
                                                                                  User.active.is_(True)))}
    lines = []
    past: list[Any] = []
    for key in ("maret", "agustus"):
        day = svc.template_date(key, year)
        m = svc.create_meeting(title=svc.template_title(key, year), day=day, user=kominfo)
        m.letter_number = f"005/{180 + len(past) * 97}-PIKK/{year}"
        m.letter_date = day - dt.timedelta(days=10)
        m.created_at = svc.wib_datetime(day - dt.timedelta(days=21), dt.time(10))
        for s in SPEAKERS:
            svc.add_speaker(m, **s)
        ranking = svc.rank_invitees(m, limit=10)
        chosen = [c.opd.id for c in ranking if c.suggested][:10] or [c.opd.id for c in ranking[:8]]
        svc.invite(m, chosen)
        for inv in m.invitations:
            inv.sent_at = svc.wib_datetime(m.letter_date, dt.time(14)) if m.letter_date else None
        invited, present = _hold(m, rng, kominfo)
        owners = [db.session.get(OPD, i) for i in chosen[:5]]
        _actions(m, owners, rng, liaison_users, keep_open=2 if key == "maret" else 3)
        past.append(m)
        lines.append(f"{m.title}: {invited} undangan, {present} hadir")
    # the August meeting was planned before March's actions were all settled: carry them now
    svc.carry_over(past[1], past[0])
    # upcoming: the next March or August after today
    key, yr = ("maret", today.year) if today < dt.date(today.year, 3, 1) else \
        ("agustus", today.year) if today < dt.date(today.year, 8, 1) else ("maret", today.year + 1)
    day = svc.template_date(key, yr)
    if day <= today:
        day = today + dt.timedelta(days=30)
    up = svc.create_meeting(title=svc.template_title(key, yr), day=day, user=kominfo)
    up.previous = past[1]
    svc.carry_over(up, past[1])
    for s in SPEAKERS[:1]:
        svc.add_speaker(up, **s)
    ranking = svc.rank_invitees(up, limit=10)
    svc.invite(up, [c.opd.id for c in ranking if c.suggested][:10] or [c.opd.id for c in ranking[:8]])
    now = utcnow()
    for inv in up.invitations:
        inv.sent_at = now
        if rng.random() < 0.4:
            svc.answer_rsvp(inv, Rsvp.HADIR)
    assert up.status == MeetingStatus.INVITED
    db.session.flush()
    carried = sum(1 for a in up.action_items if a.carried_from_id)
    lines.append(f"{up.title} (akan datang): {len(up.invitations)} undangan, {carried} tindak lanjut dibawa")
    from portal.meetings.evaluation import demo as evaluation_demo

    lines.extend(line for line in evaluation_demo.seed(rng, report_meeting=past[1]) if line)
    # March's report too, so the reading rooms (/rakor, /rapat/ruang-baca) compare two periods
    if kominfo is not None and (line := evaluation_demo._publish_report(past[0], kominfo)):
        lines.append(line)
    return "Rakor: " + "; ".join(lines)

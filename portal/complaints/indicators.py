"""The monthly monitoring indicators of the SP4N roadmap (docs/DOMAIN.md §8), keyed by its numbering.

:func:`monitoring` computes them for one period (WIB dates, both ends inclusive, on ``Tanggal
Laporan`` like the recap) for the province or a set of OPDs. Numbers are plain; a mean over no
data is ``None`` (pages and reports print "–"), and ``n`` holds how many complaints each mean
stands on. The readings this portal takes where the roadmap is terse:

- 1.1–1.4 are the roadmap's four channel groups; social media (which LAPOR! also receives) is in
  ``extra`` — so 1.1–1.4 need not add up to no. 2.
- 6 *in process at the agency* = Belum Ditindaklanjuti (dispatched, no follow-up yet);
  7 *being followed up* = Proses; 8 finished = Selesai.
- 9 unfinished = Belum Terverifikasi + Belum Ditindaklanjuti + Proses + Tunda.
- 10 counts complaints postponed because the files were incomplete (the structured reason
  ``berkas_belum_lengkap``), whether or not they have resumed since.
- 11 counts complaints with at least one reply of the reporter logged by staff.
- 12 mean calendar days from submission to verification and dispatch (one step in LAPOR!):
  to the dispatch, else to the verification; 13 dispatch → first follow-up; 14 submission →
  first follow-up (RTL); 15 submission → finished, over finished complaints.
- 16 counts complaints finished more than 60 **working days** after submission, or unfinished
  and more than 60 working days old at the end of the period (or today, when that is earlier).
- 20 mean rating (RHP); 21 mean rating of the solution's accuracy (``Rating Solusi``).
- 22 maps each category path to its count (``"Tanpa kategori"`` for none); 23 is the top
  category's path (``None`` when no complaint has one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from portal.complaints import stats
from portal.complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Gender,
    PostponeReason,
    Reporter,
    Status,
)
from portal.core.timeutil import date_start_utc, today_wib, wib_date
from portal.core.workdays import get_calendar
from portal.extensions import db

OVER_WORKING_DAYS = 60
UNCATEGORISED = "Tanpa kategori"

#: roadmap channel groups 1.1–1.4
CHANNEL_GROUPS: list[tuple[str, tuple[Channel, ...]]] = [
    ("1.1", (Channel.WEBSITE, Channel.APLIKASI_MOBILE)),
    ("1.2", (Channel.SMS,)),
    ("1.3", (Channel.TELEPON, Channel.SURAT, Channel.EMAIL)),
    ("1.4", (Channel.TATAP_MUKA,)),
]

#: (number, Indonesian label, decimals) in the roadmap's order
LABELS: list[tuple[str, str, int]] = [
    ("1.1", "Jumlah aduan melalui website/aplikasi", 0),
    ("1.2", "Jumlah aduan melalui SMS", 0),
    ("1.3", "Jumlah aduan melalui telepon/surat/pos/email", 0),
    ("1.4", "Jumlah aduan melalui datang langsung", 0),
    ("2", "Jumlah aduan yang diterima", 0),
    ("3", "Jumlah aduan yang terverifikasi", 0),
    ("4", "Jumlah aduan yang terdisposisi", 0),
    ("5", "Jumlah aduan yang telah direspon", 0),
    ("6", "Jumlah aduan dalam proses instansi terkait", 0),
    ("7", "Jumlah aduan yang sedang ditindaklanjuti", 0),
    ("8", "Jumlah aduan yang terselesaikan", 0),
    ("9", "Jumlah aduan yang belum terselesaikan", 0),
    ("10", "Jumlah aduan yang ditunda karena berkas belum lengkap", 0),
    ("11", "Jumlah aduan yang ditanggapi kembali oleh pelapor", 0),
    ("12", "Rata-rata lama waktu memverifikasi/menelaah/disposisi aduan (hari)", 1),
    ("13", "Rata-rata lama waktu merespon aduan (hari)", 1),
    ("14", "Rata-rata lama waktu ditindaklanjuti sejak laporan masuk (hari)", 1),
    ("15", "Rata-rata penyelesaian laporan (hari)", 1),
    ("16", "Jumlah laporan yang melebihi waktu 60 hari kerja", 0),
    ("17", "Jumlah pelapor berjenis kelamin laki-laki", 0),
    ("18", "Jumlah pelapor berjenis kelamin perempuan", 0),
    ("19", "Jumlah pelapor dari kalangan disabilitas", 0),
    ("20", "Rata-rata nilai dari pelapor", 2),
    ("21", "Rata-rata nilai dari pelapor terkait ketepatan solusi", 2),
    ("22", "Jumlah aduan per kategori", 0),
    ("23", "Kategori aduan terbanyak", 0),
]
KEYS = [k for k, _label, _d in LABELS]
SCALAR_KEYS = [k for k in KEYS if k not in ("22", "23")]
#: the means and the count (``n``) each stands on
MEANS = {"12": 1, "13": 1, "14": 1, "15": 1, "20": 2, "21": 2}

#: indicator 9 "unfinished": the open statuses
UNFINISHED = Status.OPEN


def _round(value: Any, digits: int) -> float | None:
    return round(float(value), digits) if value is not None else None


def _count_if(cond) -> Any:
    return sa.func.sum(sa.case((cond, 1), else_=0))


def _scope(start: dt.date, end: dt.date, opd_ids: Iterable[int] | None) -> list:
    conds = stats.period_filter(start, end)
    if opd_ids is not None:
        conds.append(Complaint.opd_id.in_(list(opd_ids)))
    return conds


def over_working_days(start: dt.date, end: dt.date, opd_ids: Iterable[int] | None = None,
                      today: dt.date | None = None, limit: int = OVER_WORKING_DAYS) -> int:
    """Indicator 16: finished more than ``limit`` working days after submission, or unfinished
    and older than that at the end of the period (or today, if earlier)."""
    c = Complaint
    ref = min(end, today or today_wib())
    # 60 working days span at least 84 calendar days: let SQL drop the rest first
    floor = dt.timedelta(days=limit // 5 * 7 - 1)
    rows = db.session.execute(
        sa.select(c.submitted_at, c.finished_at, c.status).where(
            *_scope(start, end, opd_ids),
            sa.or_(
                sa.and_(c.status == Status.SELESAI, c.finished_at.is_not(None),
                        stats.days_between(c.submitted_at, c.finished_at) > floor.days),
                sa.and_(c.status.in_(UNFINISHED), c.submitted_at < date_start_utc(ref) - floor),
            ))
    ).all()
    cal = get_calendar()
    limits: dict[dt.date, dt.date] = {}
    n = 0
    for submitted, finished, status in rows:
        day = wib_date(submitted)
        if day not in limits:
            limits[day] = cal.add_working_days(day, limit)
        last = wib_date(finished) if status == Status.SELESAI and finished is not None else ref
        if last > limits[day]:
            n += 1
    return n


def channel_counts(start: dt.date, end: dt.date, opd_ids: Iterable[int] | None = None) -> dict[Channel, int]:
    """Complaints of ``start..end`` per channel (channels with none are left out)."""
    c = Complaint
    return {ch: int(n) for ch, n in db.session.execute(
        sa.select(c.channel, sa.func.count()).where(*_scope(start, end, opd_ids)).group_by(c.channel)).tuples()}


def monitoring(start: dt.date, end: dt.date, opd_ids: Iterable[int] | None = None,
               today: dt.date | None = None) -> dict[str, Any]:
    """The §3.5 indicators for ``start..end``: ``{"1.1": n, …, "23": path, "n": {...}, "extra": {...}}``."""
    c = Complaint
    scope = _scope(start, end, opd_ids)
    row = db.session.execute(sa.select(
        sa.func.count().label("received"),
        sa.func.count(c.verified_at).label("verified"),
        sa.func.count(c.dispatched_at).label("dispatched"),
        sa.func.count(c.first_followup_at).label("responded"),
        _count_if(c.status == Status.BELUM_DITINDAKLANJUTI).label("at_agency"),
        _count_if(c.status == Status.PROSES).label("in_followup"),
        _count_if(c.status == Status.SELESAI).label("finished"),
        _count_if(c.status.in_(UNFINISHED)).label("unfinished"),
        _count_if(c.postpone_reason == PostponeReason.BERKAS_BELUM_LENGKAP).label("incomplete"),
        sa.func.avg(stats.days_between(c.submitted_at, sa.func.coalesce(c.dispatched_at, c.verified_at)))
        .label("t12"),
        sa.func.count(sa.func.coalesce(c.dispatched_at, c.verified_at)).label("n12"),
        sa.func.avg(sa.case((c.first_followup_at.is_not(None),
                             stats.days_between(c.dispatched_at, c.first_followup_at)))).label("t13"),
        sa.func.count(sa.case((sa.and_(c.dispatched_at.is_not(None), c.first_followup_at.is_not(None)), 1)))
        .label("n13"),
        sa.func.avg(stats.days_between(c.submitted_at, c.first_followup_at)).label("t14"),
        sa.func.avg(sa.case((c.status == Status.SELESAI, stats.days_between(c.submitted_at, c.finished_at))))
        .label("t15"),
        sa.func.count(sa.case((sa.and_(c.status == Status.SELESAI, c.finished_at.is_not(None)), 1))).label("n15"),
        sa.func.avg(c.rating).label("t20"),
        sa.func.count(c.rating).label("n20"),
        sa.func.avg(c.solution_rating).label("t21"),
        sa.func.count(c.solution_rating).label("n21"),
        _count_if(c.channel == Channel.MEDIA_SOSIAL).label("media_sosial"),
    ).where(*scope)).one()._mapping

    channels = channel_counts(start, end, opd_ids)
    r = Reporter
    rep = db.session.execute(
        sa.select(_count_if(r.gender == Gender.L), _count_if(r.gender == Gender.P),
                  _count_if(r.has_disability.is_(True)))
        .select_from(c).join(r, r.complaint_id == c.id).where(*scope)
    ).one()
    replied = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(ComplaintEvent.complaint_id)))
        .select_from(c).join(ComplaintEvent, ComplaintEvent.complaint_id == c.id)
        .where(*scope, ComplaintEvent.kind == "reporter_reply")
    ) or 0
    cat_rows = db.session.execute(
        sa.select(Category.path, sa.func.count()).select_from(c)
        .outerjoin(Category, Category.id == c.category_id).where(*scope).group_by(Category.path)
    ).tuples().all()
    per_category = {(path or UNCATEGORISED): int(n) for path, n in cat_rows}
    named = sorted(((n, p) for p, n in per_category.items() if p != UNCATEGORISED), key=lambda x: (-x[0], x[1]))

    def num(key: str) -> int:
        return int(row[key] or 0)

    out: dict[str, Any] = {
        key: sum(channels.get(ch, 0) for ch in chs) for key, chs in CHANNEL_GROUPS
    }
    t13 = row["t13"] if row["n13"] else None
    out.update({
        "2": num("received"), "3": num("verified"), "4": num("dispatched"), "5": num("responded"),
        "6": num("at_agency"), "7": num("in_followup"), "8": num("finished"), "9": num("unfinished"),
        "10": num("incomplete"), "11": int(replied),
        "12": _round(row["t12"], 1), "13": _round(t13, 1), "14": _round(row["t14"], 1),
        "15": _round(row["t15"], 1),
        "16": over_working_days(start, end, opd_ids, today),
        "17": int(rep[0] or 0), "18": int(rep[1] or 0), "19": int(rep[2] or 0),
        "20": _round(row["t20"], 2), "21": _round(row["t21"], 2),
        "22": dict(sorted(per_category.items(), key=lambda kv: (-kv[1], kv[0]))),
        "23": named[0][1] if named else None,
    })
    out["n"] = {"12": num("n12"), "13": num("n13"), "14": num("responded"), "15": num("n15"),
                "20": num("n20"), "21": num("n21")}
    out["extra"] = {"media_sosial": num("media_sosial")}
    return out


def numbered(values: dict[str, Any]) -> dict[str, Any]:
    """Only the roadmap's numbered keys (the CLI's JSON)."""
    return {k: values[k] for k in KEYS}


def month_ranges(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Calendar-month pieces of ``start..end``."""
    import calendar

    out = []
    cur = start
    while cur <= end:
        last = dt.date(cur.year, cur.month, calendar.monthrange(cur.year, cur.month)[1])
        out.append((cur, min(last, end)))
        cur = last + dt.timedelta(days=1)
    return out


def monthly_table(start: dt.date, end: dt.date, opd_ids: Iterable[int] | None = None,
                  today: dt.date | None = None) -> dict[str, Any]:
    """Per month of ``start..end`` and for the whole: the indicators (the page and downloads)."""
    ids = list(opd_ids) if opd_ids is not None else None
    months = [{"start": s, "end": e, "values": monitoring(s, e, ids, today)} for s, e in month_ranges(start, end)]
    return {"months": months, "total": monitoring(start, end, ids, today)}

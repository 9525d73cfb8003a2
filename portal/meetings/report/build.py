"""The semiannual rakor report: every figure compiled from live data for a reporting period.

:func:`compile_figures` returns one JSON-able dict (dates as ISO strings) that the HTML preview,
the PDF and the approval freeze all use. Its recaps come from :mod:`portal.complaints.stats`, so
the report always equals ``/api/v1/stats`` for the same period. :func:`compile_report` adds the
meeting's own sections (agenda, attendance, decisions, action items …).

Definitions that docs/DOMAIN.md leaves open, fixed here so the report explains itself:

- Quarters (Tabel 2) are calendar quarters (TW I January–March … TW IV October–December), as
  KemenPANRB writes "TW I 2024" (docs/DOMAIN.md §9); a period that cuts a quarter shows the part inside the period.
- The comparison column is the previous period of the same kind: the previous calendar semester
  (quarter, year) for a whole semester (quarter, year), otherwise the same length just before.
- *Faster / on time / slower than the norm*: a finished complaint is on time when it finished on
  its due day (start + norm in working days), faster before it, slower after it.
- *Over 60 days* (indicator 16) counts working days: see :mod:`portal.complaints.indicators`.
- KemenPANRB's five indicators are evaluated for the province with their evidence and never
  scored: see :mod:`portal.meetings.report.kemenpanrb`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from portal.complaints import indicators as monitoring
from portal.complaints import stats
from portal.complaints.models import Category, Channel, Complaint, Status
from portal.core.i18n import indonesian
from portal.core.timeutil import date_start_utc
from portal.extensions import db

_ROADMAP_GROUPS = dict(monitoring.CHANNEL_GROUPS)
#: roadmap §3.5 channel groups (1.1–1.4, as :mod:`portal.complaints.indicators` counts them) plus
#: social media, which LAPOR! also receives
CHANNEL_GROUPS = [
    ("web_app", "Website/aplikasi", _ROADMAP_GROUPS["1.1"]),
    ("sms", "SMS 1708", _ROADMAP_GROUPS["1.2"]),
    ("telepon_surat_email", "Telepon/surat/pos/email", _ROADMAP_GROUPS["1.3"]),
    ("tatap_muka", "Datang langsung", _ROADMAP_GROUPS["1.4"]),
    ("media_sosial", "Media sosial", (Channel.MEDIA_SOSIAL,)),
]

Progress = Callable[[int, str], None]


class late_days(FunctionElement):
    """Days from the end of ``due`` (a WIB calendar date) to the instant ``ts``: > 0 is late."""

    type = sa.Float()
    inherit_cache = True
    name = "late_days"


@compiles(late_days, "sqlite")
def _late_sqlite(element, compiler, **kw):
    ts, due = list(element.clauses)
    # 00:00 WIB of the day after ``due`` is 17:00 UTC on ``due``
    return (f"(julianday({compiler.process(ts, **kw)}) - (julianday({compiler.process(due, **kw)})"
            " + 17.0 / 24.0))")


@compiles(late_days, "postgresql")
def _late_pg(element, compiler, **kw):
    ts, due = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(ts, **kw)} - (({compiler.process(due, **kw)} + 1)"
            "::timestamp - INTERVAL '7 hours'))) / 86400.0)")


# --- small helpers --------------------------------------------------------------------------------

def canonical_json(value: Any) -> str:
    """The one serialisation hashed at approval: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def data_hash(figures: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(figures).encode()).hexdigest()


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _avg(value: Any, digits: int = 1) -> float | None:
    return round(float(value), digits) if value is not None else None


def _pct(part: int, whole: int) -> float:
    return round(part * 100.0 / whole, 1) if whole else 0.0


def quarter_of(day: dt.date) -> tuple[int, int]:
    """(year, TW) of a date: TW I is January–March … TW IV October–December."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_range(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of calendar quarter TW ``quarter`` of ``year``."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1–4, got {quarter}")
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return dt.date(year, first_month, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period compared with ``start..end``: the previous semester, quarter or year when the
    period is a whole one of those (same span a year earlier for a partial year such as the annual
    evaluation's 1 January–30 November), else the same number of days just before ``start``."""
    from portal.meetings.services import previous_semester, semester_of

    if (start, end) == semester_of(start):
        return previous_semester(start)
    year, q = quarter_of(start)
    if (start, end) == quarter_range(year, q):
        return quarter_range(year - 1, 4) if q == 1 else quarter_range(year, q - 1)
    if start == dt.date(start.year, 1, 1) and end.year == start.year:
        return dt.date(start.year - 1, 1, 1), end.replace(year=start.year - 1)
    prev_end = start - dt.timedelta(days=1)
    return prev_end - (end - start), prev_end


def quarter_blocks(start: dt.date, end: dt.date) -> list[list[tuple[dt.date, dt.date]]]:
    """Calendar-month pieces of the period (the first and last may be partial), grouped by calendar
    quarter (TW I Jan–Mar … TW IV Oct–Dec)."""
    out: list[list[tuple[dt.date, dt.date]]] = []
    last: tuple[int, int] | None = None
    for seg in monitoring.month_ranges(start, end):
        key = quarter_of(seg[0])
        if key != last:
            out.append([])
            last = key
        out[-1].append(seg)
    return out


def _in_period(start: dt.date, end: dt.date) -> list:
    return stats.period_filter(start, end)


def _end_instant(end: dt.date) -> dt.datetime:
    return date_start_utc(end + dt.timedelta(days=1))


# --- sections -------------------------------------------------------------------------------------

def source_digest(start: dt.date, end: dt.date) -> dict[str, Any]:
    """A cheap fingerprint of the source rows: any change to a complaint of the period changes it."""
    c = Complaint
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c.version), 0), sa.func.max(c.updated_at),
                  sa.func.coalesce(sa.func.sum(c.id), 0))
        .where(*_in_period(start, end))
    ).one()
    last = row[2]
    if isinstance(last, dt.datetime):
        last = last.replace(tzinfo=None).isoformat(timespec="microseconds")
    return {"rows": int(row[0]), "versions": int(row[1]), "last_update": last, "ids": int(row[3])}


def staff_entries(start: dt.date, end: dt.date) -> dict[str, int]:
    """Complaints staff entered in the portal (``PRV-``: walk-in, phone, letter …) in the period, and those
    of them with no SP4N-LAPOR! number recorded yet ("belum tercatat di SP4N-LAPOR!").

    Both are already inside the recap (which counts every complaint of the period); they are shown
    beside it, never subtracted, so the recap stays equal to the dashboard's and the API's.
    """
    from portal.complaints.lapor_sync import LaporLink

    c = Complaint
    linked = sa.exists().where(LaporLink.complaint_id == c.id)
    n, missing = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((~linked, 1), else_=0)), 0))
        .where(*_in_period(start, end), c.source == "staff")).one()
    return {"dicatat_petugas": int(n), "belum_tercatat_lapor": int(missing)}


def monthly_summary(start: dt.date, end: dt.date) -> dict[str, Any]:
    """One month (or a part of one): received plus the recap, and the staff entries not yet in LAPOR!."""
    r = stats.recap(start, end)
    received = sum(r[k] for k in stats.STATUS_KEYS)
    return {"start": _iso(start), "end": _iso(end), "received": received, **r,
            "belum_tercatat_lapor": staff_entries(start, end)["belum_tercatat_lapor"]}


def category_handling(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Tabel 2 (2) and (3): per category, mean days to finish and faster/on time/slower counts."""
    c = Complaint
    late = late_days(c.finished_at, c.due_date)
    q = (sa.select(
        c.category_id,
        sa.func.count().label("n"),
        sa.func.avg(stats.days_between(c.submitted_at, c.finished_at)).label("mean_days"),
        sa.func.min(c.norm_days).label("norm_min"),
        sa.func.max(c.norm_days).label("norm_max"),
        sa.func.sum(sa.case((late <= -1.0, 1), else_=0)).label("faster"),
        sa.func.sum(sa.case((sa.and_(late > -1.0, late <= 0.0), 1), else_=0)).label("on_time"),
        sa.func.sum(sa.case((late > 0.0, 1), else_=0)).label("slower"),
    ).where(*_in_period(start, end), c.status == Status.SELESAI, c.finished_at.is_not(None),
            c.due_date.is_not(None))
        .group_by(c.category_id))
    rows = db.session.execute(q).all()
    paths = _category_paths({r.category_id for r in rows if r.category_id})
    out = []
    for r in rows:
        norm = r.norm_min if r.norm_min == r.norm_max else None
        out.append({"category": paths.get(r.category_id, "Tanpa kategori"), "norm_days": norm,
                    "n": int(r.n), "mean_days": _avg(r.mean_days), "faster": int(r.faster or 0),
                    "on_time": int(r.on_time or 0), "slower": int(r.slower or 0)})
    out.sort(key=lambda x: (-x["n"], x["category"]))
    return out


def _category_paths(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Category.id, Category.path).where(Category.id.in_(ids))).tuples().all())


def quarters(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Tabel 2's automatic components for each three-month block of the period."""
    out = []
    for i, months in enumerate(quarter_blocks(start, end), 1):
        q_start, q_end = months[0][0], months[-1][1]
        cats = category_handling(q_start, q_end)
        totals = {k: sum(c[k] for c in cats) for k in ("n", "faster", "on_time", "slower")}
        year, tw = quarter_of(q_start)
        out.append({
            "no": i, "year": year, "tw": tw, "label": f"TW {ROMAN[tw]} {year}",
            "start": _iso(q_start), "end": _iso(q_end),
            "months": [monthly_summary(s, e) for s, e in months],
            "summary": monthly_summary(q_start, q_end),
            "categories": cats,
            "handling_totals": totals,
        })
    return out


def indicators(start: dt.date, end: dt.date) -> dict[str, Any]:
    """The monitoring indicators of roadmap §3.5 over the whole period.

    ``numbered`` holds them keyed "1.1" … "23" (:mod:`portal.complaints.indicators`, the one
    source); the named keys below are kept for the charts and the comparison.
    """
    c = Complaint
    period = _in_period(start, end)
    late = late_days(c.finished_at, c.due_date)
    values = monitoring.monitoring(start, end, today=end)
    on_time = db.session.scalar(sa.select(sa.func.count()).where(
        *period, c.status == Status.SELESAI, c.finished_at.is_not(None), c.due_date.is_not(None), late <= 0.0)) or 0
    channels = monitoring.channel_counts(start, end)
    by_channel = [{"channel": ch.value, "label": indonesian(ch.label), "n": channels.get(ch, 0)} for ch in Channel]
    groups = [{"key": key, "label": label, "n": sum(channels.get(ch, 0) for ch in chs)}
              for key, label, chs in CHANNEL_GROUPS]
    per_category = [{"category": k, "n": n} for k, n in values["22"].items()]
    top = values["23"]
    finished = values["8"]
    return {
        "numbered": monitoring.numbered(values),
        "n": values["n"],
        "labels": [[k, label, digits] for k, label, digits in monitoring.LABELS],
        "by_channel": by_channel,
        "channel_groups": groups,
        "received": values["2"],
        "finished": finished,
        "over_60": values["16"],
        "finished_on_time": int(on_time),
        "finished_on_time_pct": _pct(int(on_time), finished),
        "rating_mean": values["20"],
        "n_rating": values["n"]["20"],
        "per_category": per_category,
        "top_category": {"category": top, "n": values["22"][top]} if top else None,
    }


def satisfaction(start: dt.date, end: dt.date) -> dict[str, Any]:
    """The SKM/IKM of the period (PermenPANRB 14/2017, :mod:`portal.complaints.survey`): the index,
    its quality category, respondents, element values with the lowest flagged, the roadmap's
    target, and per OPD (responses of the period's months: a month counts when it starts inside)."""
    from portal.complaints import survey

    whole = survey.ikm(start, end)
    whole["per_opd"] = [{k: r[k] for k in ("code", "name", "n", "ikm", "category", "label", "priorities")}
                        for r in survey.ikm_per_opd(start, end)]
    whole["meets_target"] = whole["ikm"] is not None and whole["ikm"] >= whole["target"]
    return whole


#: the key figures compared with the previous period: (key, label, higher is better, digits)
KEY_FIGURES = [
    ("received", "Laporan diterima", None, 0),
    ("total", "Total (tanpa Arsip dan Tunda)", None, 0),
    ("selesai", "Selesai", True, 0),
    ("persen_tl", "%TL", True, 1),
    ("rtl_hari", "RTL (hari)", False, 1),
    ("rv_hari", "RV (hari)", False, 1),
    ("rhp", "RHP", True, 2),
    ("finished_on_time_pct", "Selesai tepat waktu (%)", True, 1),
    ("over_60", "Melebihi 60 hari", False, 0),
    ("ikm", "IKM (Survei Kepuasan Masyarakat)", True, 2),
]


def key_figures(province: dict[str, Any], ind: dict[str, Any], ikm: dict[str, Any] | None = None
                ) -> dict[str, Any]:
    """The compared figures; a mean over no data is ``None`` (printed "–", never 0,00)."""
    return {"received": ind["received"], "total": province["total"], "selesai": province["selesai"],
            "persen_tl": province["persen_tl"] if province["total"] else None,
            "rtl_hari": province["rtl_hari"] if province["n_rtl"] else None,
            "rv_hari": province["rv_hari"] if province["n_rv"] else None,
            "rhp": province["rhp"] if province["n_rhp"] else None,
            "finished_on_time_pct": ind["finished_on_time_pct"], "over_60": ind["over_60"],
            "ikm": ikm["ikm"] if ikm else None}


def comparison(current: dict[str, Any], previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Current against previous key figures, with the change and whether it is an improvement."""
    rows = []
    for key, label, higher_better, digits in KEY_FIGURES:
        cur = current.get(key)
        prev = previous.get(key) if previous else None
        delta = round(cur - prev, digits) if cur is not None and prev is not None else None
        better = None
        if delta and higher_better is not None:
            better = (delta > 0) == higher_better
        rows.append({"key": key, "label": label, "digits": digits, "current": cur, "previous": prev,
                     "delta": delta, "better": better})
    return rows


# --- the whole ------------------------------------------------------------------------------------

def compile_figures(start: dt.date, end: dt.date, previous: tuple[dt.date, dt.date] | None = None,
                    progress: Progress | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Every figure of the report for ``start..end`` (WIB dates, inclusive), JSON-able."""
    from portal.core.timeutil import today_wib
    from portal.meetings.report import kemenpanrb

    today = today or today_wib()
    step = progress or (lambda _n, _msg: None)
    if previous is None:
        previous = previous_period(start, end)
    step(1, "Rekap per OPD dan provinsi")
    province = stats.recap(start, end)
    per_opd = stats.recap_per_opd(start, end)
    step(2, "Komponen Tabel 2 per triwulan")
    qs = quarters(start, end)
    step(3, "Indikator pemantauan §3.5")
    ind = indicators(start, end)
    step(4, "Indikator evaluasi KemenPANRB")
    evaluation = kemenpanrb.evaluate(start, end, province, per_opd, ind["received"], today)
    ikm = satisfaction(start, end)
    step(5, "Periode sebelumnya")
    p_start, p_end = previous
    prev_province = stats.recap(p_start, p_end)
    prev_ind = indicators(p_start, p_end)
    prev_opd = {r["code"]: {"total": r["total"], "persen_tl": r["persen_tl"], "rhp": r["rhp"]}
                for r in stats.recap_per_opd(p_start, p_end)}
    prev_ikm = satisfaction(p_start, p_end)
    current_keys = key_figures(province, ind, ikm)
    previous_keys = key_figures(prev_province, prev_ind, prev_ikm)
    return {
        "version": 2,
        "period": {"start": _iso(start), "end": _iso(end)},
        "previous_period": {"start": _iso(p_start), "end": _iso(p_end)},
        "province": province,
        "per_opd": per_opd,
        "quarters": qs,
        "indicators": ind,
        "kemenpanrb": evaluation,
        "ikm": ikm,
        "key_figures": current_keys,
        "previous": {"province": prev_province, "key_figures": previous_keys, "per_opd": prev_opd,
                     "ikm": {k: prev_ikm[k] for k in ("n", "ikm", "category")}},
        "comparison": comparison(current_keys, previous_keys),
        "staff_entries": staff_entries(start, end),
        "source": source_digest(start, end),
    }


# --- the meeting's own sections -------------------------------------------------------------------

def quarter_written(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The written analyses (Tabel 2 components 4–6) of the quarterly reports inside the period,
    so the semiannual report carries what staff wrote for its two quarters."""
    from portal.meetings.report.models import WRITTEN_SECTIONS, PeriodicKind, PeriodicReport

    out = []
    for block in quarter_blocks(start, end):
        year, tw = quarter_of(block[0][0])
        rep = db.session.scalar(sa.select(PeriodicReport).where(
            PeriodicReport.kind == PeriodicKind.QUARTERLY, PeriodicReport.year == year,
            PeriodicReport.quarter == tw))
        if rep is None:
            continue
        written = rep.written()
        if any(written[k].strip() for k in WRITTEN_SECTIONS):
            out.append({"label": f"TW {ROMAN[tw]} {year}", "status": indonesian(rep.status.label), **written})
    return out


def compile_meeting(meeting: Any) -> dict[str, Any]:
    """Agenda, speakers, attendance per OPD, minutes, decisions, action items and photos."""
    from portal.meetings.models import InvitationKind

    invited: dict[int, dict[str, Any]] = {}
    for inv in meeting.invitations:
        if inv.kind != InvitationKind.PARTICIPANT or inv.opd is None:
            continue
        rec = invited.setdefault(inv.opd.id, {"code": inv.opd.code, "name": inv.opd.name, "invited": 0,
                                              "present": 0, "representative": 0})
        rec["invited"] += 1
    attendees = []
    for att in meeting.attendances:
        if att.opd is not None:
            rec = invited.setdefault(att.opd.id, {"code": att.opd.code, "name": att.opd.name, "invited": 0,
                                                  "present": 0, "representative": 0})
            rec["present"] += 1
            rec["representative"] += int(att.is_representative)
        attendees.append({"name": att.name, "position": att.position,
                          "opd": att.opd.name if att.opd else None, "representative": att.is_representative})
    per_opd = sorted(invited.values(), key=lambda r: r["name"])
    opds_invited = sum(1 for r in per_opd if r["invited"])
    opds_present = sum(1 for r in per_opd if r["invited"] and r["present"])
    minutes = meeting.minutes
    actions = []
    for item in meeting.action_items:
        origin = item.carried_from
        actions.append({
            "title": item.title, "description": item.description,
            "opd_code": item.owner_opd.code, "opd": item.owner_opd.name,
            "due_date": _iso(item.due_date) if item.due_date else None,
            "status": item.status.value, "status_label": indonesian(item.status.label),
            "carried_from": (origin.meeting.title if origin is not None else None),
            "carried_over": item.carried_over_at is not None,
            "last_note": item.progress[-1].note if item.progress else None,
        })
    return {
        "id": meeting.id,
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "date": _iso(meeting.date_wib),
        "venue": meeting.venue,
        "mode": indonesian(meeting.mode.label),
        "status": indonesian(meeting.status.label),
        "agenda": [{"title": a.title, "minutes": a.duration_minutes, "presenter": a.presenter,
                    "carry_over": a.is_carry_over} for a in meeting.agenda_items],
        "speakers": [{"name": s.name, "title": s.title, "institution": s.institution, "topic": s.topic}
                     for s in meeting.speakers],
        "attendance": {"per_opd": per_opd, "opds_invited": opds_invited, "opds_present": opds_present,
                       "rate": _pct(opds_present, opds_invited), "people": len(attendees)},
        "attendees": attendees,
        "minutes": ({"status": indonesian(minutes.status.label), "html": minutes.body_html, "version": minutes.version}
                    if minutes is not None and (minutes.body_md or "").strip() else None),
        "decisions": [d.text for d in meeting.decisions],
        "action_items": actions,
        "photos": [{"id": p.id, "stored_name": p.stored_name, "caption": p.caption,
                    "width": p.width, "height": p.height} for p in meeting.photos],
    }


def compile_report(meeting: Any, progress: Progress | None = None, today: dt.date | None = None
                   ) -> dict[str, Any]:
    """The figures for the meeting's reporting period plus the meeting's own sections."""
    from portal.core.timeutil import today_wib

    today = today or today_wib()
    step = progress or (lambda _n, _msg: None)
    figures = compile_figures(meeting.period_start, meeting.period_end, progress=step, today=today)
    figures["quarter_written"] = quarter_written(meeting.period_start, meeting.period_end)
    step(6, "Bagian rapat")
    figures["meeting"] = compile_meeting(meeting)
    figures["compiled_on"] = _iso(today)
    return figures


#: steps reported by :func:`compile_report`, plus rendering and storing the PDF
STEPS = 8

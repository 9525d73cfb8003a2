"""KemenPANRB's five evaluation indicators (docs/DOMAIN.md §11) for the province, the evaluated instansi,
each with its evidence, plus per-OPD supporting facts and the roadmap targets beside the actuals.

KemenPANRB gives no thresholds for the five indicators, so nothing here passes or fails: each
indicator carries its facts, or ``None`` where there is no data (printed "belum ada data").
The only comparisons are the roadmap's own targets (docs/DOMAIN.md §12): 90 % finished and 100 % of first
responses on time, and the *laju verifikasi* split at 3 working days (docs/DOMAIN.md §11, §14).

Definitions fixed here:

- *Account activity*: a liaison account is active in the period when it recorded at least one
  action on a complaint in the period (an event in the complaint's trail or a follow-up it
  wrote). The portal keeps only each account's latest sign-in, shown as a fact beside it.
- *First response within 5 working days*: over complaints of the period dispatched to an OPD,
  whose 5th working day after dispatch has passed or that already have a follow-up; within when
  the first follow-up came on or before that day (WIB dates).
- *Laju verifikasi*: verified complaints of the period, within when verified on or before the 3rd
  working day after submission; the mean is in calendar days from submission, as RV.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from portal.complaints.models import Complaint, ComplaintEvent, FollowUp
from portal.core.timeutil import date_start_utc, wib_date
from portal.core.workdays import get_calendar
from portal.extensions import db
from portal.people.liaisons import serving
from portal.people.models import OPD, Liaison, User

#: the roadmap's targets (docs/DOMAIN.md §12)
TARGET_FINISHED_PCT = 90.0
TARGET_FIRST_RESPONSE_PCT = 100.0
#: working days for verification and forwarding, first follow-up (docs/DOMAIN.md §4.2, §4.3)
VERIFY_DAYS = 3
FIRST_RESPONSE_DAYS = 5


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100.0 / whole, 1) if whole else None


def _period(start: dt.date, end: dt.date) -> list:
    from portal.complaints import stats

    return stats.period_filter(start, end)


def _iso_dt(value: dt.datetime | None) -> str | None:
    return value.replace(tzinfo=None).isoformat(timespec="seconds") if value else None


def account_activity(start: dt.date, end: dt.date) -> dict[int, dict[str, Any]]:
    """Per OPD id: its liaison accounts serving in the period, those active, their actions."""
    lo, hi = date_start_utc(start), date_start_utc(end + dt.timedelta(days=1))
    terms = db.session.execute(
        sa.select(Liaison.opd_id, User.id, User.last_login_at).join(User, User.id == Liaison.user_id)
        .where(serving(start, end))).all()
    user_ids = {uid for _o, uid, _l in terms}
    actions: dict[int, int] = {}
    if user_ids:
        for uid, n in db.session.execute(
                sa.select(ComplaintEvent.actor_id, sa.func.count()).where(
                    ComplaintEvent.actor_id.in_(user_ids), ComplaintEvent.at >= lo, ComplaintEvent.at < hi)
                .group_by(ComplaintEvent.actor_id)):
            actions[uid] = actions.get(uid, 0) + int(n)
        for uid, n in db.session.execute(
                sa.select(FollowUp.author_id, sa.func.count()).where(
                    FollowUp.author_id.in_(user_ids), FollowUp.created_at >= lo, FollowUp.created_at < hi)
                .group_by(FollowUp.author_id)):
            actions[uid] = actions.get(uid, 0) + int(n)
    out: dict[int, dict[str, Any]] = {}
    seen: set[tuple[int, int]] = set()
    for opd_id, uid, last in terms:
        if (opd_id, uid) in seen:
            continue
        seen.add((opd_id, uid))
        rec = out.setdefault(opd_id, {"liaisons": 0, "active": 0, "actions": 0, "last_login": None})
        rec["liaisons"] += 1
        n = actions.get(uid, 0)
        rec["active"] += int(n > 0)
        rec["actions"] += n
        if last is not None and (rec["last_login"] is None or last > rec["last_login"]):
            rec["last_login"] = last
    return out


def _followup_quality(start: dt.date, end: dt.date, today: dt.date) -> dict[int | None, dict[str, int]]:
    """Per OPD id: first responses counted and within 5 working days; finished and within norm;
    returns (bukan kewenangan) of the period's complaints."""
    from portal.meetings.report.build import late_days

    cal = get_calendar()
    c = Complaint
    out: dict[int | None, dict[str, int]] = {}

    def rec(opd_id: int | None) -> dict[str, int]:
        return out.setdefault(opd_id, {"first_n": 0, "first_ok": 0, "finished": 0, "finished_ok": 0,
                                       "returned": 0})

    for opd_id, dispatched, first in db.session.execute(
            sa.select(c.opd_id, c.dispatched_at, c.first_followup_at).where(
                *_period(start, end), c.dispatched_at.is_not(None), c.opd_id.is_not(None))):
        deadline = cal.add_working_days(wib_date(dispatched), FIRST_RESPONSE_DAYS)
        if first is None and deadline >= today:
            continue  # still within its five days
        r = rec(opd_id)
        r["first_n"] += 1
        r["first_ok"] += int(first is not None and wib_date(first) <= deadline)
    late = late_days(c.finished_at, c.due_date)
    from portal.complaints.models import Status

    for opd_id, n, ok in db.session.execute(
            sa.select(c.opd_id, sa.func.count(), sa.func.sum(sa.case((late <= 0.0, 1), else_=0)))
            .where(*_period(start, end), c.status == Status.SELESAI, c.finished_at.is_not(None),
                   c.due_date.is_not(None)).group_by(c.opd_id)):
        r = rec(opd_id)
        r["finished"] += int(n)
        r["finished_ok"] += int(ok or 0)
    # a return is recorded against the OPD that returned it (the event's actor's OPD), else the
    # complaint's current OPD
    for opd_id, n in db.session.execute(
            sa.select(sa.func.coalesce(User.opd_id, c.opd_id), sa.func.count())
            .select_from(ComplaintEvent).join(c, c.id == ComplaintEvent.complaint_id)
            .outerjoin(User, User.id == ComplaintEvent.actor_id)
            .where(*_period(start, end), ComplaintEvent.kind == "returned")
            .group_by(sa.func.coalesce(User.opd_id, c.opd_id))):
        rec(opd_id)["returned"] += int(n)
    return out


def verification_rate(start: dt.date, end: dt.date) -> dict[str, Any]:
    """The *laju verifikasi* (docs/DOMAIN.md §11): verified within / after 3 working days, and the mean days."""
    from portal.complaints import stats

    cal = get_calendar()
    c = Complaint
    within = after = 0
    for submitted, verified in db.session.execute(
            sa.select(c.submitted_at, c.verified_at).where(*_period(start, end), c.verified_at.is_not(None))):
        if wib_date(verified) <= cal.add_working_days(wib_date(submitted), VERIFY_DAYS):
            within += 1
        else:
            after += 1
    mean = db.session.scalar(sa.select(sa.func.avg(stats.days_between(c.submitted_at, c.verified_at)))
                             .where(*_period(start, end), c.verified_at.is_not(None)))
    return {"within": within, "after": after, "n": within + after,
            "mean_days": round(float(mean), 1) if mean is not None else None}


def evaluate(start: dt.date, end: dt.date, province: dict[str, Any], per_opd: list[dict[str, Any]],
             received: int, today: dt.date) -> dict[str, Any]:
    """The five indicators for the province with their evidence, the targets and per-OPD facts."""
    from portal.meetings.evaluation import operations as ev

    sk = ev.current_sk(end)
    sk_facts = ev.sk_summary(sk, end)
    plan = ev.plan_for(end.year) or ev.plan_for(start.year)
    plan_facts = ev.plan_status(plan, end)

    activity = account_activity(start, end)
    quality = _followup_quality(start, end, today)
    liaisons = sum(a["liaisons"] for a in activity.values())
    active = sum(a["active"] for a in activity.values())
    logins = [a["last_login"] for a in activity.values() if a["last_login"] is not None]
    account = ({"liaisons": liaisons, "active": active, "actions": sum(a["actions"] for a in activity.values()),
                "opds_with_liaison": len(activity), "last_login": _iso_dt(max(logins) if logins else None)}
               if liaisons else None)

    total = province["total"]
    data = ({"received": received, "total": total, "selesai": province["selesai"], "proses": province["proses"],
             "persen_tl": province["persen_tl"],
             "rtl_hari": province["rtl_hari"] if province["n_rtl"] else None,
             "rv_hari": province["rv_hari"] if province["n_rv"] else None,
             "rhp": province["rhp"] if province["n_rhp"] else None} if received else None)

    sums = {k: sum(q[k] for q in quality.values()) for k in ("first_n", "first_ok", "finished", "finished_ok",
                                                              "returned")}
    follow = ({**sums, "first_pct": _pct(sums["first_ok"], sums["first_n"]),
               "finished_pct": _pct(sums["finished_ok"], sums["finished"])}
              if sums["first_n"] or sums["finished"] or sums["returned"] else None)

    verif = verification_rate(start, end)
    targets = [
        {"key": "finished", "label": "Laporan selesai (Selesai ÷ Total)", "target": TARGET_FINISHED_PCT,
         "actual": _pct(province["selesai"], total), "part": province["selesai"], "whole": total},
        {"key": "first_response", "label": "Tanggapan pertama paling lama 5 hari kerja",
         "target": TARGET_FIRST_RESPONSE_PCT, "actual": _pct(sums["first_ok"], sums["first_n"]),
         "part": sums["first_ok"], "whole": sums["first_n"]},
    ]

    opds = {o.id: o for o in db.session.scalars(sa.select(OPD))}
    by_code = {o.code: o for o in opds.values()}
    plan_owned: dict[str, dict[str, int]] = {}
    for row in (plan_facts or {}).get("rows", []):
        if row["owner_code"]:
            r = plan_owned.setdefault(row["owner_code"], {"items": 0, "done": 0})
            r["items"] += 1
            r["done"] += int(row["progress"] >= 100)
    supporting = []
    for rec in per_opd:
        opd = by_code[rec["code"]]
        a = activity.get(opd.id)
        q = quality.get(opd.id, {"first_n": 0, "first_ok": 0, "finished": 0, "finished_ok": 0, "returned": 0})
        supporting.append({
            "code": opd.code, "name": opd.name,
            "liaisons": a["liaisons"] if a else 0, "active": a["active"] if a else 0,
            "actions": a["actions"] if a else 0, "last_login": _iso_dt(a["last_login"]) if a else None,
            "total": rec["total"], "selesai": rec["selesai"],
            "finished_pct": _pct(rec["selesai"], rec["total"]),
            "first_n": q["first_n"], "first_pct": _pct(q["first_ok"], q["first_n"]),
            "norm_n": q["finished"], "norm_pct": _pct(q["finished_ok"], q["finished"]),
            "returned": q["returned"],
            "plan_items": plan_owned.get(opd.code, {}).get("items", 0),
            "plan_done": plan_owned.get(opd.code, {}).get("done", 0),
        })
    return {
        "indicators": [
            {"no": 1, "key": "sk", "label": "Pembuatan/pembaruan SK Tim Koordinasi", "evidence": sk_facts},
            {"no": 2, "key": "account", "label": "Keaktifan akun", "evidence": account},
            {"no": 3, "key": "data", "label": "Data pengelolaan SP4N-LAPOR!", "evidence": data},
            {"no": 4, "key": "quality", "label": "Kualitas tindak lanjut", "evidence": follow},
            {"no": 5, "key": "plan", "label": "Rencana aksi instansi", "evidence": plan_facts},
        ],
        "targets": targets,
        "verification": verif,
        "per_opd": supporting,
    }

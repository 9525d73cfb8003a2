"""The SK register and the rencana aksi: queries and changes (flush only; the request commits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from portal.core.i18n import indonesian
from portal.extensions import db
from portal.meetings.evaluation.models import RencanaAksi, RencanaAksiItem, SkTim, SkTimMember, TeamRole
from portal.people.models import OPD, Liaison, User


class EvaluationError(ValueError):
    """A change the register or the plan refuses, with a message for the user."""


# --- SK Tim Koordinasi -----------------------------------------------------------------------------

def current_sk(on: dt.date) -> SkTim | None:
    """The latest decree signed on or before ``on`` (the one in force then)."""
    return db.session.scalar(sa.select(SkTim).where(SkTim.decree_date <= on)
                             .order_by(SkTim.decree_date.desc(), SkTim.id.desc()).limit(1))


def handovers_since(day: dt.date, until: dt.date | None = None) -> list[Liaison]:
    """Liaison terms that began after ``day`` (and on or before ``until``): each is a roster change
    the decree does not yet name, so the SK is due for its update (docs/DOMAIN.md §13)."""
    q = sa.select(Liaison).where(Liaison.valid_from > day)
    if until is not None:
        q = q.where(Liaison.valid_from <= until)
    return list(db.session.scalars(q.order_by(Liaison.valid_from, Liaison.id)))


def create_sk(*, number: str, title: str, decree_date: dt.date, issuer: str, valid_from: dt.date,
              valid_to: dt.date | None, user: User | None) -> SkTim:
    if valid_to is not None and valid_to < valid_from:
        raise EvaluationError("Akhir masa berlaku tidak boleh sebelum awal masa berlaku.")
    sk = SkTim(number=number.strip(), title=title.strip(), decree_date=decree_date, issuer=issuer.strip(),
               valid_from=valid_from, valid_to=valid_to, updated_by_id=user.id if user else None)
    db.session.add(sk)
    db.session.flush()
    return sk


def add_member(sk: SkTim, *, role: TeamRole, name: str, position: str | None = None,
               opd: OPD | None = None, user: User | None = None) -> SkTimMember:
    if not name.strip():
        raise EvaluationError("Nama anggota wajib diisi.")
    member = SkTimMember(sk=sk, role=role, role_order=role.order, name=name.strip(),
                         position=(position or "").strip() or None, opd=opd)
    db.session.add(member)
    _touch_sk(sk, user)
    db.session.flush()
    return member


def remove_member(member: SkTimMember, user: User | None = None) -> None:
    sk = member.sk
    sk.members.remove(member)
    _touch_sk(sk, user)
    db.session.flush()


def _touch_sk(sk: SkTim, user: User | None) -> None:
    from portal.core.db import utcnow

    sk.updated_at = utcnow()
    if user is not None:
        sk.updated_by_id = user.id


def sk_summary(sk: SkTim | None, end: dt.date) -> dict[str, Any] | None:
    """The decree as JSON-able evidence, with the roster changes after it up to ``end``."""
    if sk is None:
        return None
    changes = handovers_since(sk.decree_date, end)
    return {
        "number": sk.number, "title": sk.title, "decree_date": sk.decree_date.isoformat(), "issuer": sk.issuer,
        "valid_from": sk.valid_from.isoformat(), "valid_to": sk.valid_to.isoformat() if sk.valid_to else None,
        "updated_at": sk.updated_at.replace(tzinfo=None).isoformat(timespec="seconds"),
        "members": [{"role": m.role.value, "role_label": indonesian(m.role.label), "name": m.name,
                     "position": m.position,
                     "opd": m.opd.name if m.opd else None} for m in sk.members],
        "handovers_after": [{"opd": lia.opd.name, "valid_from": lia.valid_from.isoformat()} for lia in changes],
    }


# --- Rencana aksi ----------------------------------------------------------------------------------

def plan_for(year: int) -> RencanaAksi | None:
    return db.session.scalar(sa.select(RencanaAksi).where(RencanaAksi.year == year))


def create_plan(*, year: int, title: str, adopted_on: dt.date | None) -> RencanaAksi:
    if plan_for(year) is not None:
        raise EvaluationError("Rencana aksi tahun ini sudah ada.")
    plan = RencanaAksi(year=year, title=title.strip(), adopted_on=adopted_on)
    db.session.add(plan)
    db.session.flush()
    return plan


def add_item(plan: RencanaAksi, *, title: str, due_date: dt.date, owner: OPD | None = None) -> RencanaAksiItem:
    if not title.strip():
        raise EvaluationError("Kegiatan wajib diisi.")
    item = RencanaAksiItem(plan=plan, title=title.strip(), due_date=due_date, owner_opd=owner, progress=0)
    db.session.add(item)
    db.session.flush()
    return item


def record_progress(item: RencanaAksiItem, progress: int, note: str | None, today: dt.date) -> None:
    if not 0 <= progress <= 100:
        raise EvaluationError("Kemajuan harus 0–100 %.")
    item.progress = progress
    item.note = (note or "").strip() or item.note
    item.done_on = (item.done_on or today) if progress >= 100 else None
    db.session.flush()


def plan_status(plan: RencanaAksi | None, on: dt.date) -> dict[str, Any] | None:
    """The plan as JSON-able evidence at ``on``: items done, overdue (due before ``on``, not done)
    and the mean progress."""
    if plan is None:
        return None
    items = plan.items
    done = sum(1 for i in items if i.is_done and (i.done_on is None or i.done_on <= on))
    overdue = sum(1 for i in items if not i.is_done and i.due_date < on)
    return {
        "year": plan.year, "title": plan.title,
        "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else None,
        "n_items": len(items), "done": done, "overdue": overdue,
        "mean_progress": round(sum(i.progress for i in items) / len(items), 1) if items else None,
        "rows": [{"title": i.title, "owner": i.owner_opd.name if i.owner_opd else None,
                  "owner_code": i.owner_opd.code if i.owner_opd else None,
                  "due_date": i.due_date.isoformat(), "progress": i.progress, "note": i.note} for i in items],
    }

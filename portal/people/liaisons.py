"""The liaison roster: which liaison officers (pejabat penghubung) serve an OPD on a given day.

A term serves on ``day`` when ``valid_from <= day`` and it has not ended before it (``valid_to`` empty or
``>= day``). A handover dated in the future therefore changes nothing until its first day: the serving
liaison keeps receiving invitations and mail until then, the new one only from then on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from portal.core import audit
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.people import PeopleError
from portal.people.models import OPD, Liaison, Role, User


def serving(start: dt.date, end: dt.date | None = None) -> sa.ColumnElement[bool]:
    """Terms serving on ``start`` (or on any day of ``start``…``end``)."""
    end = end or start
    return sa.and_(Liaison.valid_from <= end, sa.or_(Liaison.valid_to.is_(None), Liaison.valid_to >= start))


def current_liaisons(opd: OPD | int, on: dt.date | None = None) -> list[User]:
    """Active users holding a liaison term at the OPD on ``on`` (default today, WIB), longest-serving first."""
    opd_id = opd if isinstance(opd, int) else opd.id
    return current_liaisons_by_opd([opd_id], on).get(opd_id, [])


def current_liaisons_by_opd(opd_ids: Iterable[int] | None = None, on: dt.date | None = None) -> dict[int, list[User]]:
    """:func:`current_liaisons` of many OPDs (all when ``opd_ids`` is ``None``) in one query."""
    q = (sa.select(Liaison.opd_id, User).join(User, Liaison.user_id == User.id)
         .where(serving(on or today_wib()), User.active.is_(True))
         .order_by(Liaison.opd_id, Liaison.valid_from, User.id))
    if opd_ids is not None:
        q = q.where(Liaison.opd_id.in_(list(opd_ids)))
    out: dict[int, list[User]] = {}
    for opd_id, user in db.session.execute(q).tuples():
        users = out.setdefault(opd_id, [])
        if user not in users:
            users.append(user)
    return out


def open_terms(opd: OPD | None = None, user: User | None = None) -> list[Liaison]:
    """Terms not yet given an end (serving now or starting later): the ones a handover ends."""
    q = sa.select(Liaison).where(Liaison.valid_to.is_(None))
    if opd is not None:
        q = q.where(Liaison.opd_id == opd.id)
    if user is not None:
        q = q.where(Liaison.user_id == user.id)
    return list(db.session.scalars(q.options(orm.joinedload(Liaison.user)).order_by(Liaison.id)))


#: what becomes of the outgoing liaisons' accounts at a handover
OLD_ACCOUNT_CHOICES = ("deactivate", "detach", "keep")


def hand_over(opd: OPD, new_user: User, start: dt.date, *, old_account: str = "deactivate", note: str | None = None,
              actor: Any = None) -> Liaison:
    """``new_user`` becomes a liaison of ``opd`` from ``start`` (flushed, not committed; every change audited).

    Unless ``old_account`` is ``keep``, the open terms end the day before ``start`` (never before they began);
    their accounts are then deactivated (``deactivate``, signed out everywhere) or lose the OPD (``detach``).
    The new liaison gets the OPD and an e-mail with the OPD's open-complaint count.

    :raises PeopleError: ``user``/``not_liaison`` (not an active account of role ``opd``) or ``already``.
    """
    if new_user.role != Role.OPD or not new_user.active:
        raise PeopleError("user", "not_liaison")
    if old_account not in OLD_ACCOUNT_CHOICES:
        raise ValueError(old_account)
    current = open_terms(opd)
    if any(row.user_id == new_user.id for row in current):
        raise PeopleError("user", "already")
    if old_account != "keep":
        for row in current:
            end = max(row.valid_from, start - dt.timedelta(days=1))
            audit.record("liaison.end", row, {"valid_to": [None, end.isoformat()]}, actor=actor)
            row.valid_to = end
            old = row.user
            if old_account == "deactivate":
                audit.record("user.deactivate", old, audit.apply(old, {"active": False}), actor=actor)
                old.end_sessions()
            elif old.opd_id == opd.id:
                audit.record("user.update", old, audit.apply(old, {"opd_id": None}), actor=actor)
    term = Liaison(opd=opd, user=new_user, valid_from=start, note=note or None)
    db.session.add(term)
    changes = audit.apply(new_user, {"opd_id": opd.id})
    if changes:
        audit.record("user.update", new_user, changes, actor=actor)
    db.session.flush()
    audit.record("liaison.start", term, {"opd": [None, opd.code], "user": [None, new_user.email],
                                         "valid_from": [None, start.isoformat()]}, actor=actor)
    _mail_new_liaison(opd, new_user, start)
    return term


def end_terms(user: User, day: dt.date, actor: Any = None) -> None:
    """A deactivated account's open terms end on ``day`` (never before they began)."""
    for row in open_terms(user=user):
        end = max(row.valid_from, day)
        audit.record("liaison.end", row, {"valid_to": [None, end.isoformat()]}, actor=actor)
        row.valid_to = end


def _mail_new_liaison(opd: OPD, user: User, start: dt.date) -> None:
    from portal.complaints.models import Complaint, Status
    from portal.core.i18n import tanggal
    from portal.core.mail import queue_email
    from portal.core.urls import public_base_url
    from portal.notifications.service import render_email

    open_count = db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)
                                   .where(Complaint.opd_id.in_(opd.subtree_ids()), Complaint.status.in_(Status.OPEN)))
    body = render_email("emails/handover.txt", user=user, opd=opd, start=tanggal(start), open_count=open_count,
                        base_url=public_base_url())
    queue_email(user.email, f"[LAPOR] Penugasan pejabat penghubung {opd.code}", body, kind="handover")

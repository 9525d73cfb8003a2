"""The liaison roster: which liaison officers (pejabat penghubung) serve an OPD on a given day.

A term serves on ``day`` when ``valid_from <= day`` and it has not ended before it (``valid_to`` empty or
``>= day``). A handover dated in the future therefore changes nothing until its first day: the serving
liaison keeps receiving invitations and mail until then, the new one only from then on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from portal.core.models import OPD, Liaison, User
from portal.core.timeutil import today_wib
from portal.extensions import db


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
    return list(db.session.scalars(q.options(sa.orm.joinedload(Liaison.user)).order_by(Liaison.id)))

"""The liaison roster: which liaison officers (pejabat penghubung) serve an OPD on a given day.

A term serves on ``day`` when ``valid_from <= day`` and it has not ended before it (``valid_to`` empty or
``>= day``). A handover dated in the future therefore changes nothing until its first day: the serving
liaison keeps receiving invitations and mail until then, the new one only from then on. The accounts
change on that day too (:func:`apply_due_handovers`, run by the daily job and at a liaison's first request of
the day): until then the outgoing liaison keeps access to the OPD and the incoming one does not get it.
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
from portal.people.models import OPD, AccountChange, Liaison, Role, User


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
              actor: Any = None, today: dt.date | None = None) -> Liaison:
    """``new_user`` becomes a liaison of ``opd`` from ``start`` (flushed, not committed; every change audited).

    Unless ``old_account`` is ``keep``, the open terms end the day before ``start`` (never before they began;
    a term that has not begun yet and would not begin before ``start`` is cancelled); the outgoing accounts are
    then deactivated (``deactivate``, signed out everywhere) or lose the OPD (``detach``), and the new liaison
    gets the OPD. Those account changes happen on ``start``: at once for a handover dated ``today`` (WIB) or
    earlier, else they are kept on the terms (``pending_account``, ``pending_opd``) and made by
    :func:`apply_due_handovers` on that day. The new liaison gets an e-mail with the OPD's open-complaint count.

    :raises PeopleError: ``user``/``not_liaison`` (not an active account of role ``opd``) or ``already``.
    """
    if new_user.role != Role.OPD or not new_user.active:
        raise PeopleError("user", "not_liaison")
    if old_account not in OLD_ACCOUNT_CHOICES:
        raise ValueError(old_account)
    today = today or today_wib()
    later = start > today
    current = open_terms(opd)
    if any(row.user_id == new_user.id for row in current):
        raise PeopleError("user", "already")
    if old_account != "keep":
        for row in current:
            if row.valid_from > today and row.valid_from >= start:  # replaced before it began
                _cancel(row, actor)
                continue
            end = max(row.valid_from, start - dt.timedelta(days=1))
            change = AccountChange(old_account)
            if later:
                audit.record("liaison.end", row, {"valid_to": [None, end.isoformat()],
                                                  "pending_account": [None, change.value]}, actor=actor)
                row.valid_to, row.pending_account, row.pending_by_id = end, change, getattr(actor, "id", None)
            else:
                audit.record("liaison.end", row, {"valid_to": [None, end.isoformat()]}, actor=actor)
                row.valid_to = end
                _change_account(row.user, opd, change, actor)
    pending_opd = later and new_user.opd_id != opd.id
    term = Liaison(opd=opd, user=new_user, valid_from=start, note=note or None, pending_opd=pending_opd,
                   pending_by_id=getattr(actor, "id", None) if pending_opd else None)
    db.session.add(term)
    if not later:
        _give_opd(new_user, opd, actor)
    db.session.flush()
    changes: dict[str, list[Any]] = {"opd": [None, opd.code], "user": [None, new_user.email],
                                     "valid_from": [None, start.isoformat()]}
    if pending_opd:
        changes["pending_opd"] = [None, True]
    audit.record("liaison.start", term, changes, actor=actor)
    _mail_new_liaison(opd, new_user, start)
    return term


def _cancel(row: Liaison, actor: Any) -> None:
    """A term that has not begun ends the day before it would have: it never serves, and gives no OPD."""
    end = row.valid_from - dt.timedelta(days=1)
    changes: dict[str, list[Any]] = {"valid_to": [None, end.isoformat()]}
    if row.pending_opd:
        changes["pending_opd"] = [True, False]
    audit.record("liaison.cancel", row, changes, actor=actor)
    row.valid_to, row.pending_opd = end, False


def _change_account(user: User, opd: OPD | int, change: AccountChange, actor: Any) -> bool:
    """The outgoing liaison's account: deactivated (signed out everywhere) or without the OPD; audited."""
    opd_id = opd if isinstance(opd, int) else opd.id
    if change == AccountChange.DEACTIVATE:
        changes = audit.apply(user, {"active": False})
        if changes:
            audit.record("user.deactivate", user, changes, actor=actor)
            user.end_sessions()
        return bool(changes)
    if user.opd_id == opd_id:
        audit.record("user.update", user, audit.apply(user, {"opd_id": None}), actor=actor)
        return True
    return False


def _give_opd(user: User, opd: OPD | int, actor: Any) -> bool:
    changes = audit.apply(user, {"opd_id": opd if isinstance(opd, int) else opd.id})
    if changes:
        audit.record("user.update", user, changes, actor=actor)
    return bool(changes)


def _due(today: dt.date) -> sa.ColumnElement[bool]:
    return sa.or_(sa.and_(Liaison.pending_account.is_not(None), Liaison.valid_to < today),
                  sa.and_(Liaison.pending_opd.is_(True), Liaison.valid_from <= today))


def _claim(row: Liaison, column: Any, pending: sa.ColumnElement[bool], cleared: Any) -> bool:
    """Clear one pending change in the database, if it is still there: only one run makes the change."""
    result = db.session.execute(sa.update(Liaison).where(Liaison.id == row.id, pending)
                                .values({column: cleared})
                                .execution_options(synchronize_session="fetch"))
    return bool(getattr(result, "rowcount", 0))


def apply_due_handovers(today: dt.date | None = None, user: User | None = None) -> int:
    """Make the account changes of handovers whose first day is ``today`` or earlier (of ``user`` only, if given).

    Idempotent and safe to run concurrently: each pending change is cleared by a conditional update before it
    is made, so it is made (and audited, with the actor who recorded the handover) once. Flushes; the caller
    commits. Returns the number of accounts changed.
    """
    today = today or today_wib()
    q = sa.select(Liaison).where(_due(today)).options(orm.joinedload(Liaison.user), orm.joinedload(Liaison.pending_by))
    if user is not None:
        q = q.where(Liaison.user_id == user.id)
    changed = 0
    # outgoing accounts first: a liaison moving from one OPD to another loses the old one, then gets the new one
    rows = sorted(db.session.scalars(q.order_by(Liaison.valid_from, Liaison.id)).unique(),
                  key=lambda r: r.pending_account is None)
    for row in rows:
        change, actor = row.pending_account, row.pending_by
        if (change is not None and row.valid_to is not None and row.valid_to < today
                and _claim(row, Liaison.pending_account, Liaison.pending_account.is_not(None), None)):
            changed += _change_account(row.user, row.opd_id, change, actor)
        if (row.pending_opd and row.valid_from <= today
                and _claim(row, Liaison.pending_opd, Liaison.pending_opd.is_(True), False)):
            changed += _give_opd(row.user, row.opd_id, actor)
    db.session.flush()
    return changed


def has_due_handovers(user: User, today: dt.date | None = None) -> bool:
    """Whether :func:`apply_due_handovers` has something to do for ``user`` (one indexed query)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Liaison.user_id == user.id, _due(today or today_wib())))))


def upcoming(user: User, today: dt.date | None = None) -> list[Liaison]:
    """The user's terms that begin after ``today``, or whose account change is still to come, by date."""
    today = today or today_wib()
    q = (sa.select(Liaison).where(Liaison.user_id == user.id,
                                  sa.or_(Liaison.valid_from > today, Liaison.pending_account.is_not(None)))
         .options(orm.joinedload(Liaison.opd)).order_by(Liaison.valid_from, Liaison.id))
    return [row for row in db.session.scalars(q) if not row.cancelled]


def end_terms(user: User, day: dt.date, actor: Any = None) -> None:
    """A deactivated account's open terms end on ``day`` (never before they began; one not begun is cancelled)."""
    for row in open_terms(user=user):
        if row.valid_from > day:
            _cancel(row, actor)
            continue
        end = max(row.valid_from, day)
        audit.record("liaison.end", row, {"valid_to": [None, end.isoformat()]}, actor=actor)
        row.valid_to, row.pending_opd = end, False  # a deactivated account gets no OPD any more


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

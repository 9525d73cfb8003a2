"""Roles and access: one place that loads objects and answers 404/403."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from portal.core.htmx import partial_request, wants_partial  # noqa: F401 (re-exported; see core/htmx.py)
from portal.extensions import db, login_manager
from portal.people.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")

STAFF_ROLES = (Role.KOMINFO, Role.OPD, Role.PIMPINAN, Role.OMBUDSMAN)
READ_ALL_ROLES = (Role.KOMINFO, Role.PIMPINAN, Role.OMBUDSMAN)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The user of a session (or remember cookie) holding ``"<id>:<generation>"`` (see ``User.get_id``).

    A stale generation — the user signed out, changed or had their password reset, or was deactivated
    since — loads nobody, so every copy of an old cookie stops working at once.
    """
    ident, sep, gen = (user_id or "").partition(":")
    if not sep or not ident.isdigit() or not gen.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or int(gen) != (user.session_gen or 0):
        return None
    if user.role == Role.OPD and not _handovers_applied(user):
        return None
    return user


#: the session key holding the day (WIB) the signed-in liaison's due handovers were last applied
HANDOVER_DAY = "_handover_day"


def _handovers_applied(user: User) -> bool:
    """Make a liaison's handover account changes due today before their first request of the day uses them
    (the daily job may not have run yet); ``False`` when that deactivated the account.

    Checked once per session and day: a handover dated in the future only falls due when the day changes.
    """
    from flask import has_request_context, session

    from portal.core.timeutil import today_wib
    from portal.people import liaisons

    today = today_wib()
    if not has_request_context() or session.get(HANDOVER_DAY) == today.isoformat():
        return True
    if db.session.new or db.session.dirty or db.session.deleted:
        return True  # not in the middle of somebody else's change: next request
    if liaisons.has_due_handovers(user, today):
        liaisons.apply_due_handovers(today, user=user)
        db.session.commit()  # the pending changes are cleared even when no account changed
    session[HANDOVER_DAY] = today.isoformat()
    return user.active


def role_required(*roles: Role | str) -> Callable[[F], F]:
    """Sign-in required, and one of ``roles`` (any staff role when none given)."""
    allowed = {Role(r) for r in roles} if roles else set(STAFF_ROLES)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def in_scope(user: User, opd_id: int | None) -> bool:
    """May ``user`` see things of the OPD ``opd_id``?"""
    scope = user.opd_scope()
    return scope is None or (opd_id is not None and opd_id in scope)


def get_or_404(model: type[M], ident: Any, *, opd_attr: str | None = "opd_id",
               by: str | None = None) -> M:
    """Load an object by primary key (or by column ``by``) and check the user's OPD scope.

    Objects outside an OPD user's scope answer 404, so their existence is not revealed.
    """
    if by:
        obj = db.session.scalar(sa.select(model).where(getattr(model, by) == ident))
    else:
        obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    if opd_attr and current_user.is_authenticated and not in_scope(current_user, getattr(obj, opd_attr)):
        abort(404)
    return obj


def get_complaint_or_404(tracking_no: str):
    """A complaint by tracking number, within the signed-in user's scope."""
    from portal.complaints.models import Complaint

    return get_or_404(Complaint, tracking_no, by="tracking_no")


#: characters browsers drop from a URL before resolving it (WHATWG URL: tab and newlines anywhere,
#: C0 controls and space at the ends); a target holding any of them is refused outright
_STRIPPED = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else ``None`` — the one check for every ``next``.

    Judged on the spelling a browser would act on: percent-decoded (repeatedly, so ``%252F`` counts
    too), control characters removed and backslashes read as slashes (``/\\evil``, ``/%09/evil`` and
    ``/%2F/evil`` all become ``//evil``). Refused: anything not starting with one ``/``,
    scheme-relative (``//host``) and absolute URLs. A target that passes is returned unchanged.
    """
    if not target or not isinstance(target, str) or len(target) > 2000 or _STRIPPED.search(target):
        return None
    seen = target
    for _round in range(4):
        decoded = unquote(seen)
        if decoded == seen:
            break
        seen = decoded
    else:
        return None  # still encoded after several rounds: nobody writes a link like that
    seen = _STRIPPED.sub("", seen).replace("\\", "/").strip()
    if not seen.startswith("/") or seen.startswith("//"):
        return None
    parts = urlsplit(seen)
    if parts.scheme or parts.netloc:
        return None
    return target


def is_safe_next(target: str | None) -> bool:
    """Is ``target`` a path on this site? (see :func:`safe_next`)"""
    return safe_next(target) is not None




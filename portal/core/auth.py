"""Roles and access: one place that loads objects and answers 404/403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user

from portal.core.models import Role, User
from portal.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")

STAFF_ROLES = (Role.KOMINFO, Role.OPD, Role.PIMPINAN, Role.OMBUDSMAN)
READ_ALL_ROLES = (Role.KOMINFO, Role.PIMPINAN, Role.OMBUDSMAN)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user and user.active else None


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


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths are accepted as ``next``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    return "\n" not in target and "\r" not in target


def wants_partial() -> bool:
    """An htmx request for a fragment (not a boosted navigation or a history restore)."""
    return partial_request(request.environ)


def partial_request(environ: dict) -> bool:
    """:func:`wants_partial` from the WSGI environ (the cache fast path runs before Flask)."""
    return (environ.get("HTTP_HX_REQUEST") == "true" and environ.get("HTTP_HX_BOOSTED") != "true"
            and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true")

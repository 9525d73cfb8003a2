"""Staff accounts: :func:`create_user` is the one way an account is made, for the web settings page and the
``user create`` command alike (same e-mail normalising, uniqueness, role/OPD rule, password policy, audit)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from portal.core import audit, passwords
from portal.extensions import db
from portal.people import PeopleError
from portal.people.models import OPD, Role, User


def normalise_email(email: str) -> str:
    """The sign-in name as stored: validated (no deliverability check) and lowercased."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise PeopleError("email", "invalid", str(exc)) from exc


def create_user(email: str, role: Role | str, password: str, *, name: str = "", position: str | None = None,
                opd: OPD | None = None, awaiting_handover: bool = False, actor: Any = None) -> User:
    """Add an active account (flushed, not committed) and its ``user.create`` audit row.

    ``awaiting_handover``: a liaison whose term has not begun gets no OPD now; a handover dated on their
    first day gives it then (:func:`portal.people.liaisons.hand_over`), so they reach no complaint before.

    :raises PeopleError: ``email``/``invalid`` or ``taken``; ``opd``/``required`` (role ``opd`` without an
        OPD, unless awaiting a handover) or ``not_allowed`` (another role with one); ``password``/``weak``
        with the policy's reasons.
    """
    email = normalise_email(email)
    role = Role(role)
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise PeopleError("email", "taken", email)
    if role == Role.OPD and opd is None and not awaiting_handover:
        raise PeopleError("opd", "required")
    if awaiting_handover and (role != Role.OPD or opd is not None):
        raise PeopleError("opd", "not_allowed")  # only a liaison awaits a handover, and without an OPD yet
    if role != Role.OPD and opd is not None:
        raise PeopleError("opd", "not_allowed")
    problems = passwords.problems(password, email)
    if problems:
        raise PeopleError("password", "weak", "; ".join(problems))
    user = User(email=email, name=(name or "").strip() or email.split("@")[0], position=position or None,
                role=role, opd=opd, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, {"email": [None, email], "role": [None, role.value],
                                       "opd_id": [None, user.opd_id]}, actor=actor)
    return user

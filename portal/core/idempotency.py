"""Idempotent submits: a second identical POST shows the first one's result instead of acting twice.

A state-changing form carries a fresh random key (``{{ submit_key_field() }}``, the hidden input
:data:`FIELD`). The handler asks :func:`replay` first: a key already handled by this user answers with
the stored result (where it went, what it said). After acting, :func:`remember` stores the result in
the same transaction, so the key is kept exactly when the action is. Two taps racing each other meet
at the complaint's version (one flush fails) or at this table's primary key; the loser rolls back and
finds the winner's result with :func:`replay`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import sqlalchemy as sa
from flask import Flask, request
from flask_login import current_user
from markupsafe import Markup, escape

from portal.core.db import utcnow
from portal.core.models import Submission
from portal.extensions import db

#: the hidden input's name
FIELD = "kunci"
#: a handled key is remembered this long
KEEP = dt.timedelta(days=1)
_VALID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_key() -> str:
    return secrets.token_urlsafe(24)


def posted_key() -> str | None:
    """The key of the current POST (``None`` without one, or a malformed one)."""
    key = request.form.get(FIELD, "")
    return key if _VALID.match(key) else None


def replay(key: str | None) -> Submission | None:
    """The stored result of ``key`` for the signed-in user, if it was handled already."""
    if not key or not current_user.is_authenticated:
        return None
    return db.session.get(Submission, (key, current_user.id))


def remember(key: str | None, url: str, message: str) -> None:
    """Store the result of handling ``key`` (flushed with the action; committed by the request)."""
    if not key or not current_user.is_authenticated:
        return
    db.session.execute(sa.delete(Submission).where(Submission.user_id == current_user.id,
                                                   Submission.created_at < utcnow() - KEEP))
    db.session.add(Submission(key=key, user_id=current_user.id, url=url[:500], message=message))


def field() -> Markup:
    """The hidden input with a fresh key (for templates)."""
    return Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, escape(new_key()))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["submit_key_field"] = field

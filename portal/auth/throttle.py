"""Sign-in throttling per account *and* client, with growing delays (no account lock-out).

A client that keeps failing for one e-mail address waits longer and longer before it may try that
address again (``delay``); every other client, the account's owner included, is not affected. The
e-mail and the address are stored only as HMACs under the secret key. Whether the account exists
plays no part, so the answers reveal nothing about which accounts exist. Flask-Limiter's per-client
rate limit on ``POST /login`` stays in front of this.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app, request
from sqlalchemy.exc import IntegrityError

from portal.core.db import utcnow
from portal.core.models import LoginThrottle
from portal.extensions import db

#: failed attempts a client may make for an account before delays start
FREE_ATTEMPTS = 5
#: the first delay (seconds); each further failure doubles it
BASE_DELAY = 2
#: the longest delay (seconds)
MAX_DELAY = 15 * 60
#: rows untouched for this long are forgotten
KEEP = dt.timedelta(days=1)


def delay(failures: int) -> int:
    """Seconds a client must wait after ``failures`` consecutive failures."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(MAX_DELAY, BASE_DELAY * 2 ** min(failures - FREE_ATTEMPTS, 20))


def _mac(kind: str, value: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _key(email: str) -> tuple[str, str]:
    return _mac("account", email.strip().lower()), _mac("client", request.remote_addr or "-")


def wait_seconds(email: str, now: dt.datetime | None = None) -> int:
    """Seconds this client must still wait before trying ``email`` again (0: go ahead)."""
    account, client = _key(email)
    t = LoginThrottle.__table__
    row = db.session.execute(sa.select(t.c.failures, t.c.last_failed_at)
                             .where(t.c.account == account, t.c.client == client)).first()
    if row is None:
        return 0
    until = row.last_failed_at + dt.timedelta(seconds=delay(row.failures))
    left = (until - (now or utcnow())).total_seconds()
    return max(0, math.ceil(left))


def record_failure(email: str, now: dt.datetime | None = None) -> None:
    """Count a failed attempt of this client for ``email`` (commits: it must survive the answer)."""
    account, client = _key(email)
    now = now or utcnow()
    t = LoginThrottle.__table__
    bump = (sa.update(t).where(t.c.account == account, t.c.client == client)
            .values(failures=t.c.failures + 1, last_failed_at=now))
    if cast("sa.CursorResult[Any]", db.session.execute(bump)).rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.execute(sa.insert(t).values(account=account, client=client, failures=1,
                                                       last_failed_at=now))
        except IntegrityError:  # a concurrent failure inserted it first
            db.session.execute(bump)
    db.session.execute(sa.delete(t).where(t.c.last_failed_at < now - KEEP))
    db.session.commit()


def clear(email: str) -> None:
    """A successful sign-in: this client starts afresh for ``email`` (the caller commits)."""
    account, client = _key(email)
    t = LoginThrottle.__table__
    db.session.execute(sa.delete(t).where(t.c.account == account, t.c.client == client))


def clear_account(email: str) -> None:
    """An admin reset the password: every client starts afresh for ``email`` (the caller commits)."""
    t = LoginThrottle.__table__
    db.session.execute(sa.delete(t).where(t.c.account == _mac("account", email.strip().lower())))

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app, jsonify

from portal.complaints import stats
from portal.core.render import render
from portal.core.timeutil import today_wib
from portal.extensions import db, limiter
from portal.public import bp


@bp.get("/")
def index():
    today = today_wib()
    start = dt.date(today.year, 1, 1)
    recap = stats.recap(start, today)
    return render("public/index.html", recap=recap, start=start, end=today)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Database and Redis reachability, without details."""
    checks = {"database": "ok"}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        checks["database"] = "error"
    r = current_app.extensions.get("portal_redis")
    if r is not None:
        try:
            r.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "error"
    else:
        checks["redis"] = "disabled"
    ok = all(v in ("ok", "disabled") for v in checks.values())
    return jsonify(status="ok" if ok else "error", **checks), (200 if ok else 503)

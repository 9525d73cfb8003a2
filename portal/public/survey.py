"""The reporter's satisfaction survey (SKM) from the tracking page, and the public IKM block.

No account: the one-time code on the receipt and in the closing notice opens the form once. The
form is a plain POST form (works without JavaScript); answers go to
:func:`portal.complaints.survey.submit`, which keeps them apart from the complaint and its reporter.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _

from portal.complaints import survey
from portal.complaints.models import Complaint
from portal.core import cache
from portal.core.render import render
from portal.core.timeutil import today_wib
from portal.extensions import db, limiter
from portal.public import bp
from portal.public.limits import public_limit


def _submit_limit() -> str:
    return current_app.config.get("RATELIMIT_SURVEY", "10/hour")


def _complaint(nomor: str) -> Complaint:
    c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == nomor.strip()))
    if c is None:
        abort(404)
    return c


def _page(c: Complaint, *, code: str = "", errors: dict | None = None, values: dict | None = None,
          suggestion: str = "", status: int = 200):
    return render("public/survey.html", c=c, open=survey.open_for(c), used=survey.is_used(c),
                  elements=survey.ELEMENTS, scale=survey.SCALE, code=code, errors=errors or {},
                  values=values or {}, suggestion=suggestion, status=status)


@bp.get("/lacak/<nomor>/survei")
@public_limit
def survey_form(nomor: str):
    c = _complaint(nomor)
    return _page(c, code=(request.args.get("kode") or "").strip()[:20])


@bp.post("/lacak/<nomor>/survei")
@public_limit
@limiter.limit(_submit_limit, key_func=lambda: request.remote_addr or "-", scope="survey")
def survey_submit(nomor: str):
    c = _complaint(nomor)
    code = (request.form.get("kode") or "").strip()[:20]
    values = {k: request.form.get(k, "") for k in survey.KEYS}
    suggestion = (request.form.get("saran") or "")[:2000]
    errors: dict[str, str] = {}
    if not survey.open_for(c):
        return _page(c, status=409)
    if not survey.code_matches(c, code):
        errors["kode"] = _("Kode survei tidak cocok dengan laporan ini.")
    for k in survey.KEYS:
        if values[k] not in ("1", "2", "3", "4"):
            errors[k] = _("Pilih salah satu nilai 1–4.")
    if errors:
        return _page(c, code=code, errors=errors, values=values, suggestion=suggestion, status=400)
    try:
        survey.submit(c, code, values, suggestion)
    except survey.SurveyError:
        db.session.rollback()
        return _page(c, status=409)
    db.session.commit()
    return redirect(url_for("public.survey_thanks", nomor=c.tracking_no), code=303)


@bp.get("/lacak/<nomor>/survei/terima-kasih")
@public_limit
def survey_thanks(nomor: str):
    c = _complaint(nomor)
    return render("public/survey_thanks.html", c=c)


@bp.app_template_global("public_ikm")
def public_ikm() -> dict:
    """IKM of this year so far (cached), for the dashboard's small block."""
    today = today_wib()
    start = today.replace(month=1, day=1)
    from portal.public.queries import ttl

    return cache.cached(f"pub:ikm:{start}:{today}", ttl(), lambda: survey.ikm(start, today))


@bp.app_template_global("skm_label")
def skm_label(key: str | None) -> str:
    """An SKM element's name (``u1``…``u9``) or a category's label (``A``…``D``), in the UI language."""
    names = dict(survey.ELEMENTS) | {letter: label for _, letter, label in survey.CATEGORIES}
    return str(names.get(key or "", key or "–"))


@bp.app_template_filter("skm_name")
def skm_name(key: str) -> str:
    return skm_label(key)


# --- the index in public: a page and open data (aggregates only) ----------------------------------

def _ikm_period():
    from portal.public import queries

    try:
        return (*queries.parse_period(request.args, default_year=True), None)
    except queries.BadRequest as exc:
        today = today_wib()
        return today.replace(month=1, day=1), today, str(exc)


def _ikm_data(start, end) -> dict:
    from portal.public.queries import ttl

    return cache.cached(f"pub:ikmpage:{start}:{end}", ttl(), lambda: {
        "all": survey.ikm(start, end), "per_opd": survey.ikm_per_opd(start, end)})


@bp.get("/ikm")
@public_limit
def ikm_page():
    start, end, error = _ikm_period()
    return render("public/survey_ikm.html", d=_ikm_data(start, end), start=start, end=end, error=error,
                  status=400 if error else 200)


IKM_COLUMNS = ["code", "name", "n", "ikm", "category", *survey.KEYS, "priorities"]


def _ikm_rows(d: dict) -> list[list]:
    rows = []
    for r in [{"code": "", "name": "Semua", **d["all"]}, *d["per_opd"]]:
        means = {e["key"]: e["mean"] for e in r["elements"]}
        rows.append([r["code"] or "", r["name"] or "", r["n"], r["ikm"], r["category"],
                     *[means.get(k) for k in survey.KEYS], " ".join(r["priorities"])])
    return rows


@bp.get("/data/ikm.<fmt>")
@public_limit
def ikm_data(fmt: str):
    """The IKM aggregates as CSV or JSON: counts and means only, never single responses or suggestions."""
    import io

    from flask import Response, jsonify

    from portal.core import csvsafe

    start, end, error = _ikm_period()
    if error:
        abort(400)
    d = _ikm_data(start, end)
    if fmt == "json":
        return jsonify({"from": start.isoformat(), "to": end.isoformat(), "target": survey.TARGET,
                        "semua": d["all"], "opd": d["per_opd"]})
    if fmt != "csv":
        abort(404)
    buf = io.StringIO()
    w = csvsafe.writer(buf)
    w.writerow(IKM_COLUMNS)
    w.writerows(_ikm_rows(d))
    resp = Response(buf.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="ikm-{start}-{end}.csv"'
    return resp

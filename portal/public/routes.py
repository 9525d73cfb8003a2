"""Citizen-facing pages: dashboard, tracking, the public list, one OPD, charts, health."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import sqlalchemy as sa
from flask import Response, abort, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import orm

from portal.complaints.lapor_sync import LaporLink
from portal.complaints.models import Category, Complaint, Status
from portal.complaints.redaction import is_published, public_view, published_clause
from portal.core import cache
from portal.core.htmx import wants_partial
from portal.core.render import render
from portal.core.timeutil import today_wib
from portal.extensions import db, limiter
from portal.people.models import OPD
from portal.public import bp, charts, queries
from portal.public.limits import public_limit, recompute_limit
from portal.public.pagecache import SORTS, anonymous_cache
from portal.public.queries import BadRequest

PAGE_SIZE = 20
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


def _period_or_default():
    """The period of the query string (default: this year so far) and an error message if any."""
    try:
        start, end = queries.parse_period(request.args, default_year=True)
        return start, end, None
    except BadRequest as exc:
        today = today_wib()
        return dt.date(today.year, 1, 1), today, str(exc)


@bp.app_template_filter("tgl_iso")
def tgl_iso(value: str | None) -> str:
    """An ISO date or datetime string (as in public views) the Indonesian way, in WIB."""
    from portal.core.i18n import tanggal

    if not value:
        return "–"
    if len(value) == 10:
        return tanggal(dt.date.fromisoformat(value))
    return tanggal(dt.datetime.fromisoformat(value), with_time=True)


def _lang() -> str:
    return str(get_locale() or "id")


# --- dashboard ----------------------------------------------------------------------------------

@bp.get("/")
@recompute_limit
@anonymous_cache(params=("from", "to", "sort"))
def index():
    start, end, error = _period_or_default()
    sort = request.args.get("sort", "name").strip()
    if sort.lstrip("-") not in SORTS:
        sort = "name"

    def body() -> str:
        data = queries.dashboard(start, end)
        rows, sort_used = queries.sort_rows(data["per_opd"], sort)
        return render_template("public/_dashboard.html", d=data, rows=rows, sort=sort_used, start=start,
                               end=end, min_ranked=queries.public_stats.MIN_RANKED)

    html = cache.cached(f"pub:dashhtml:{_lang()}:{start}:{end}:{sort}", queries.ttl(), body)
    if wants_partial():
        resp = make_response(html)
        resp.headers.add("Vary", "HX-Request")
        return resp
    return render("public/index.html", body=html, start=start, end=end, sort=sort, error=error)


# --- charts -------------------------------------------------------------------------------------

CHARTS = ("status", "bulanan", "kategori", "kanal", "wilayah", "gender", "disabilitas")


@bp.get("/grafik/<name>.svg")
@recompute_limit
def grafik(name: str):
    """One chart as an SVG document, for ``<img>``; its table alternative is on the page."""
    if name not in CHARTS:
        abort(404)
    try:
        start, end = queries.parse_period(request.args, default_year=True)
    except BadRequest:
        abort(400)
    opd_code = request.args.get("opd") or None
    opd = queries.opd_by_code(opd_code) if opd_code else None
    if opd_code and opd is None:
        abort(404)

    def compute() -> str:
        data = queries.opd_page(opd, start, end) if opd else queries.dashboard(start, end)
        return _chart(name, data)

    key = f"pub:svg:{name}:{_lang()}:{start}:{end}:{opd.code if opd else ''}"
    svg = cache.cached(key, queries.ttl(), compute)
    resp = Response(svg, mimetype="image/svg+xml")
    resp.headers["Content-Security-Policy"] = charts.SVG_CSP
    resp.headers["Cache-Control"] = "public, max-age=30"
    return resp


def _chart(name: str, data: dict) -> str:
    if name == "status":
        return charts.status_bar(data["recap"], _("Laporan per status"))
    if name == "bulanan":
        return charts.monthly_line(data["monthly"], _("Tren bulanan"),
                                   {"count": _("Diterima"), "ditindaklanjuti": _("Ditindaklanjuti"),
                                    "selesai": _("Selesai")})
    if name == "kategori":
        return charts.hbar(data["category"], _("Laporan per kategori"))
    if name == "kanal":
        return charts.share_bar(data["channel"], _("Laporan per kanal"))
    if name == "wilayah" and "region" in data:
        return charts.hbar(data["region"], _("Laporan per wilayah"))
    if name == "gender" and "reporter" in data:
        return charts.share_bar(data["reporter"]["gender"], _("Pelapor menurut jenis kelamin"))
    if name == "disabilitas" and "reporter" in data:
        return charts.share_bar(data["reporter"]["disability"], _("Pelapor penyandang disabilitas"))
    abort(404)


# --- tracking -----------------------------------------------------------------------------------

@bp.get("/lacak")
@public_limit
def lacak_form():
    """Search by tracking number; a plain GET form that redirects to the tracking page."""
    nomor = (request.args.get("nomor") or "").strip()
    error = None
    if "nomor" in request.args:
        if not nomor:
            error = _("Masukkan nomor laporan.")
        elif not _TRACKING.match(nomor):
            error = _("Nomor laporan hanya berisi huruf, angka, titik, garis miring atau tanda hubung.")
        else:
            return redirect(url_for("public.lacak", nomor=nomor), code=303)
    return render("public/lacak_form.html", nomor=nomor, error=error, status=400 if error else 200)


@bp.get("/lacak/<nomor>")
@public_limit
@anonymous_cache(params=())
def lacak(nomor: str):
    complaint = db.session.scalar(
        sa.select(Complaint).where(Complaint.tracking_no == nomor.strip())
        .options(orm.selectinload(Complaint.followups), orm.selectinload(Complaint.events),
                 orm.joinedload(Complaint.reporter), orm.joinedload(Complaint.opd),
                 orm.joinedload(Complaint.category)))
    if complaint is None:
        # a complaint entered in the portal (PRV-…) and later in SP4N-LAPOR!: its LAPOR! number leads to it
        linked = db.session.scalar(
            sa.select(Complaint.tracking_no).join(LaporLink, LaporLink.complaint_id == Complaint.id)
            .where(LaporLink.lapor_no == nomor.strip()))
        if linked is not None:
            return redirect(url_for("public.lacak", nomor=linked), code=303)
        return render("public/lacak_form.html", nomor=nomor, not_found=True, error=None, status=404)
    view = public_view(complaint, detail=True)
    return render("public/lacak.html", v=view, complaint=complaint, published=is_published(complaint))


# --- public list --------------------------------------------------------------------------------

def _list_filters():
    """Filters of /laporan; unknown values are dropped with an error message."""
    errors = []
    f = {"opd": None, "kategori": None, "status": None, "from": None, "to": None, "q": ""}
    try:
        f["from"], f["to"] = queries.parse_period(request.args)
    except BadRequest as exc:
        errors.append(str(exc))
    code = (request.args.get("opd") or "").strip()
    if code:
        f["opd"] = queries.opd_by_code(code)
        if f["opd"] is None:
            errors.append(_("OPD tidak dikenal."))
    cat = (request.args.get("kategori") or "").strip()
    if cat:
        f["kategori"] = db.session.get(Category, int(cat)) if cat.isdigit() else None
        if f["kategori"] is None:
            errors.append(_("Kategori tidak dikenal."))
    st = (request.args.get("status") or "").strip()
    if st:
        try:
            f["status"] = Status(st)
        except ValueError:
            errors.append(_("Status tidak dikenal."))
    f["q"] = (request.args.get("q") or "").strip()[:100]
    return f, errors


def _list_query(f):
    q = sa.select(Complaint).where(Complaint.is_confidential.is_(False))
    from portal.complaints.stats import period_filter

    q = q.where(*period_filter(f["from"], f["to"]))
    if f["opd"] is not None or f["kategori"] is not None or f["q"]:
        # a filter on what an unverified complaint does not show would reveal it
        q = q.where(published_clause())
    if f["opd"] is not None:
        q = q.where(Complaint.opd_id.in_(f["opd"].subtree_ids()))
    if f["kategori"] is not None:
        cat = f["kategori"]
        ids = sa.select(Category.id).where(sa.or_(Category.id == cat.id, Category.path.like(
            cat.path.replace("%", r"\%").replace("_", r"\_") + " > %", escape="\\")))
        q = q.where(Complaint.category_id.in_(ids))
    if f["status"] is not None:
        q = q.where(Complaint.status == f["status"])
    return q


def _complaint_options():
    return (orm.joinedload(Complaint.reporter), orm.joinedload(Complaint.opd),
            orm.joinedload(Complaint.category))


@bp.get("/laporan")
@public_limit
@anonymous_cache(params=("opd", "kategori", "status", "from", "to", "hal"), skip=("q",))
def laporan():
    f, errors = _list_filters()
    try:
        page = max(1, min(int(request.args.get("hal", "1")), 10_000))
    except ValueError:
        page = 1
    q = _list_query(f).order_by(Complaint.submitted_at.desc(), Complaint.id.desc())
    total = None
    if f["q"]:
        items, has_next = _text_search(q, f["q"], page)
    else:
        count_q = sa.select(sa.func.count()).select_from(_list_query(f).subquery())
        key = "pub:listcount:" + "|".join(str(x) for x in (
            f["opd"].code if f["opd"] else "", f["kategori"].id if f["kategori"] else "",
            f["status"] or "", f["from"], f["to"]))
        total = cache.cached(key, queries.ttl(), lambda: int(db.session.scalar(count_q) or 0))
        rows = db.session.scalars(q.options(*_complaint_options()).limit(PAGE_SIZE)
                                  .offset((page - 1) * PAGE_SIZE)).all()
        items = [public_view(c) for c in rows]
        has_next = page * PAGE_SIZE < total
    args = {k: v for k, v in request.args.items() if k != "hal" and v}
    return render("public/laporan.html", partial="public/_laporan_rows.html", items=items, f=f,
                  errors=errors, page=page, has_next=has_next, total=total, args=args,
                  opds=_opd_choices(), categories=_category_choices(), statuses=list(Status))


def _text_search(q, term: str, page: int):
    """Match ``term`` against the REDACTED title and text, so a search cannot confirm hidden data."""
    like = "%" + term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    q = q.where(sa.or_(Complaint.title.ilike(like, escape="\\"), Complaint.text.ilike(like, escape="\\")))
    needle = term.casefold()
    skip = (page - 1) * PAGE_SIZE
    out = []
    scanned = 0
    for c in db.session.scalars(q.options(*_complaint_options()).execution_options(yield_per=200)):
        scanned += 1
        if scanned > 2000:  # a bound on the work one request may cause
            break
        v = public_view(c)
        if needle not in (v.get("title") or "").casefold() and needle not in (v.get("text") or "").casefold():
            continue
        if skip:
            skip -= 1
            continue
        out.append(v)
        if len(out) > PAGE_SIZE:
            break
    return out[:PAGE_SIZE], len(out) > PAGE_SIZE


def _opd_choices():
    return cache.cached("pub:opd_choices", 300, lambda: [
        [o.code, o.name] for o in db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)).order_by(OPD.name))])


def _category_choices():
    return cache.cached("pub:cat_choices", 300, lambda: [
        [c.id, c.path] for c in db.session.scalars(sa.select(Category).where(Category.active.is_(True))
                                                   .order_by(Category.path))])


# --- one OPD ------------------------------------------------------------------------------------

@bp.get("/opd/<code>")
@recompute_limit
@anonymous_cache(params=("from", "to"))
def opd(code: str):
    agency = queries.opd_by_code(code)
    if agency is None:
        abort(404)
    start, end, error = _period_or_default()
    data = queries.opd_page(agency, start, end)
    recent = db.session.scalars(
        sa.select(Complaint).where(Complaint.opd_id.in_(agency.subtree_ids()),
                                   Complaint.is_confidential.is_(False), published_clause())
        .options(*_complaint_options()).order_by(Complaint.submitted_at.desc(), Complaint.id.desc()).limit(10)
    ).all()
    return render("public/opd.html", agency=agency, d=data, start=start, end=end, error=error,
                  recent=[public_view(c) for c in recent])


# --- health -------------------------------------------------------------------------------------

def _calendar_check() -> str:
    from portal.core import workdays

    try:
        problems = workdays.coverage_problems(workdays.get_calendar(), today_wib())
    except Exception:
        current_app.logger.exception("calendar check failed")
        return "error"
    return "missing_cuti_bersama" if problems else "ok"


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Database and Redis reachability and calendar coverage, without details.

    A configured Redis that does not answer makes the portal "degraded" (200): the pages still serve
    (the cache, rate limits and jobs fall back to the process). So does a working-day calendar that
    knows no cuti bersama for this year (or, after 1 July, next year): ``calendar`` is then
    ``"missing_cuti_bersama"`` and every due date may be wrong. A database error is 503.
    """
    checks = {"database": "ok"}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        checks["database"] = "error"
        with contextlib.suppress(Exception):
            db.session.rollback()
    r = current_app.extensions.get("portal_redis")
    if r is not None:
        try:
            r.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "error"
    else:
        checks["redis"] = "disabled"
    if checks["database"] != "ok":
        return jsonify(status="error", **checks), 503
    checks["calendar"] = _calendar_check()
    status = "ok" if checks["redis"] in ("ok", "disabled") and checks["calendar"] == "ok" else "degraded"
    return jsonify(status=status, **checks), 200

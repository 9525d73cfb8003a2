"""Open311 GeoReport v2 under ``/open311/v2/`` (http://wiki.open311.org/GeoReport_v2).

- services are the leaf categories (``service_code`` = the category id), ``metadata`` false;
- requests are complaints (``service_request_id`` = the tracking number); statuses ``open``/``closed``;
  ``agency_responsible`` = the OPD; ``expected_datetime`` = the working-day due date;
- datetimes are W3C with the WIB offset (+07:00); XML starts with the UTF-8 declaration;
- errors are ``[{"code", "description"}]`` / ``<errors><error>…</error></errors>``;
- a confidential complaint shows only its id, status, OPD and dates; coordinates never.
POST creates a complaint (Belum Terverifikasi, source ``open311``) for holders of an API key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from typing import Any

import sqlalchemy as sa
from flask import Response, json, request, url_for
from sqlalchemy import orm

from portal.complaints import tracking
from portal.complaints.contact import ContactError, normalise_phone
from portal.complaints.models import Category, Channel, Complaint, ComplaintType, Reporter, Status
from portal.complaints.operations import record_event, refresh_due_date
from portal.complaints.redaction import is_closed, is_published, published_clause, redactor_for, w3c
from portal.core.db import utcnow
from portal.core.i18n import indonesian
from portal.core.models import ApiKey
from portal.core.timeutil import WIB
from portal.extensions import csrf, db
from portal.public import bp
from portal.public.limits import public_limit
from portal.public.pagecache import anonymous_cache

PREFIX = "/open311/v2"
FORMATS = ("json", "xml")
DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
CHANGESET = "2026-11-22T00:00:00+07:00"
#: datetimes a query may name; outside them (year 1, year 9999) arithmetic and databases overflow
DATE_RANGE = (dt.datetime(1970, 1, 1, tzinfo=dt.UTC), dt.datetime(2999, 12, 31, tzinfo=dt.UTC))
#: characters XML 1.0 forbids (C0 controls except tab, LF, CR; lone surrogates; U+FFFE and U+FFFF)
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """``value`` as text an XML 1.0 document may hold: forbidden characters are dropped."""
    return _XML_FORBIDDEN.sub("", str(value))


# --- serialisation ------------------------------------------------------------------------------

def _xml_value(parent: ET.Element, key: str, value: Any, item_tag: str | None = None) -> None:
    el = ET.SubElement(parent, key)
    if isinstance(value, list):
        for v in value:
            _xml_value(el, item_tag or "item", v)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif value is not None:
        el.text = xml_text(value)


def to_xml(root_tag: str, items: list[dict[str, Any]] | dict[str, Any], item_tag: str | None = None,
           list_tags: dict[str, str] | None = None) -> str:
    root = ET.Element(root_tag)
    list_tags = list_tags or {}

    def fill(el: ET.Element, data: dict[str, Any]) -> None:
        for k, v in data.items():
            if isinstance(v, list):
                sub = ET.SubElement(el, k)
                for x in v:
                    child = ET.SubElement(sub, list_tags.get(k, "item"))
                    if isinstance(x, dict):
                        fill(child, x)
                    else:
                        child.text = xml_text(x)
            else:
                _xml_value(el, k, v)

    if isinstance(items, dict):
        fill(root, items)
    else:
        for item in items:
            fill(ET.SubElement(root, item_tag or "item"), item)
    return XML_DECL + ET.tostring(root, encoding="unicode")


def respond(fmt: str, data, root_tag: str, item_tag: str | None = None, status: int = 200,
            list_tags: dict[str, str] | None = None) -> Response:
    if fmt == "xml":
        body = to_xml(root_tag, data, item_tag, list_tags)
        return Response(body, status=status, mimetype="text/xml", content_type="text/xml; charset=utf-8")
    return Response(json.dumps(data, ensure_ascii=False), status=status,
                    content_type="application/json; charset=utf-8")


def error_response(code: int, description: str, fmt: str = "json") -> Response:
    return respond(fmt, [{"code": code, "description": description}], "errors", "error", status=code)


def _fmt_or_404(fmt: str):
    if fmt not in FORMATS:
        return error_response(404, f"unknown format '{fmt}'; use .json or .xml")
    return None


# --- discovery and services ---------------------------------------------------------------------

@bp.get(f"{PREFIX}/discovery.<fmt>")
@public_limit
def open311_discovery(fmt: str):
    if (err := _fmt_or_404(fmt)) is not None:
        return err
    from portal.core import settings

    base = request.url_root.rstrip("/") + PREFIX + "/"
    data = {
        "changeset": CHANGESET,
        "contact": f"{settings.site().get('name', '')}, {settings.site().get('address', '')}".strip(", "),
        "key_service": "Kunci API diterbitkan oleh Diskominfo (admin Kominfo).",
        "endpoints": [{"specification": SPEC_URL, "url": base, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }
    return respond(fmt, data, "discovery", list_tags={"endpoints": "endpoint", "formats": "format"})


def _leaf_categories() -> list[Category]:
    has_child = sa.select(Category.parent_id).where(Category.parent_id.is_not(None))
    return list(db.session.scalars(
        sa.select(Category).where(Category.active.is_(True), Category.id.not_in(has_child))
        .order_by(Category.path)))


def _service(cat: Category) -> dict[str, Any]:
    parts = cat.path.split(" > ")
    return {
        "service_code": str(cat.id),
        "service_name": cat.name,
        "description": cat.path,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(w for w in (cat.keywords or "").split() if w),
        "group": parts[0],
    }


@bp.get(f"{PREFIX}/services.<fmt>")
@public_limit
def open311_services(fmt: str):
    if (err := _fmt_or_404(fmt)) is not None:
        return err
    return respond(fmt, [_service(c) for c in _leaf_categories()], "services", "service")


def _leaf_by_code(code: str) -> Category | None:
    if not code.isdigit():
        return None
    cat = db.session.get(Category, int(code))
    if cat is None or not cat.active or cat.children:
        return None
    return cat


@bp.get(f"{PREFIX}/services/<code>.<fmt>")
@public_limit
def open311_service_definition(code: str, fmt: str):
    if (err := _fmt_or_404(fmt)) is not None:
        return err
    cat = _leaf_by_code(code)
    if cat is None:
        return error_response(404, f"service_code {code} not found", fmt)
    return respond(fmt, {"service_code": str(cat.id), "attributes": []}, "service_definition",
                   list_tags={"attributes": "attribute"})


# --- requests -----------------------------------------------------------------------------------

def _expected(c: Complaint) -> str | None:
    if c.due_date is None:
        return None
    return dt.datetime.combine(c.due_date, dt.time(), tzinfo=WIB).isoformat()


def _public_note(c: Complaint, clean) -> str | None:
    """What ``status_notes`` may add to the status: the latest follow-up, or a note staff marked public.

    A postpone or archive reason is internal unless its event's note was marked public.
    """
    if c.status in (Status.TUNDA, Status.ARSIP, Status.DITERUSKAN):
        ev = next((e for e in reversed(c.events) if e.to_status == c.status), None)
        return clean(ev.note) if ev is not None and ev.note and ev.note_public else None
    if c.followups:
        return clean(c.followups[-1].text)
    return None


def request_view(c: Complaint) -> dict[str, Any]:
    """One complaint as a GeoReport v2 service request, anonymised.

    Not yet verified: the number, status and date received only (no description, no service);
    confidential: no description, service or address.
    """
    closed = is_closed(c.status)
    out: dict[str, Any] = {
        "service_request_id": c.tracking_no,
        "status": "closed" if closed else "open",
        "status_notes": indonesian(c.status.label),
    }
    if c.status == Status.DITERUSKAN and c.forwarded_to is not None:
        # no wrong door: where it went is public, the content's confidentiality notwithstanding
        out["status_notes"] = f"{indonesian(c.status.label)} ke {c.forwarded_to.name}"
    if not is_published(c):
        out["requested_datetime"] = w3c(c.submitted_at)
        return out
    if not c.is_confidential:
        clean = redactor_for(c)
        note = _public_note(c, clean)
        if note:
            out["status_notes"] = f"{out['status_notes']}: {note}"
        out.update({
            "service_name": c.category.name if c.category else None,
            "service_code": str(c.category_id) if c.category_id else None,
            "description": clean(c.text),
        })
    out.update({
        "agency_responsible": c.opd.name if c.opd else None,
        "service_notice": "",
        "requested_datetime": w3c(c.submitted_at),
        "updated_datetime": w3c(c.updated_at),
        "expected_datetime": _expected(c),
    })
    if not c.is_confidential:
        out.update({"address": clean(c.location) or None, "address_id": None, "zipcode": None,
                    "media_url": None})
    return out


def _parse_dt(value: str, name: str) -> dt.datetime:
    """A W3C datetime; a ``+`` decoded to a space in the query string is put back."""
    raw = value.strip()
    if "T" in raw and " " in raw:
        head, _sep, tail = raw.rpartition(" ")
        raw = f"{head}+{tail}"
    try:
        v = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a W3C datetime, e.g. 2024-04-05T09:30:00+07:00") from exc
    if v.tzinfo is None:
        v = v.replace(tzinfo=WIB)
    try:
        v = v.astimezone(dt.UTC)
    except OverflowError as exc:  # 0001-01-01 in WIB is before the first representable instant
        raise ValueError(f"{name} is out of range") from exc
    if not DATE_RANGE[0] <= v <= DATE_RANGE[1]:
        raise ValueError(f"{name} must lie between {DATE_RANGE[0]:%Y} and {DATE_RANGE[1]:%Y}")
    return v


def _options():
    return (orm.joinedload(Complaint.reporter), orm.joinedload(Complaint.opd),
            orm.joinedload(Complaint.category), orm.selectinload(Complaint.followups),
            orm.selectinload(Complaint.events))


def _canon_list(value: str, lower: bool = False) -> str:
    """A comma-separated value as its sorted distinct items (every spelling of one set alike)."""
    items = {i.strip().lower() if lower else i.strip() for i in value.split(",") if i.strip()}
    return ",".join(sorted(items))


def _canon_date(name: str):
    def canon(value: str) -> str:
        try:
            return _parse_dt(value, name).isoformat()
        except ValueError as exc:
            return f"!{exc}"  # one entry per kind of error

    return canon


#: canonical forms of the list's parameters for the page cache; any other parameter is ignored by
#: the key (and by :func:`_list_requests`)
LIST_CANON = {
    "service_request_id": _canon_list,
    "start_date": _canon_date("start_date"),
    "end_date": _canon_date("end_date"),
    "service_code": _canon_list,
    "status": lambda v: _canon_list(v, lower=True),
}


@bp.route(f"{PREFIX}/requests.<fmt>", methods=["GET", "POST"])
@csrf.exempt
@public_limit
@anonymous_cache(params=tuple(LIST_CANON), canon=LIST_CANON)
def open311_requests(fmt: str):
    """The list (GET; anonymous answers page-cached per data generation, like the other public views)
    or a new request (POST, never cached)."""
    if (err := _fmt_or_404(fmt)) is not None:
        return err
    if request.method == "POST":
        return _create(fmt)
    from portal.core import cache
    from portal.public.pagecache import cache_key
    from portal.public.queries import stale_seconds, ttl

    # the list under the same canonical key, computed by one thread at a time while the others answer
    # with the previous list (at most STATS_STALE_SECONDS old, as the dashboard does): when the page
    # entry expires under load, one request recomputes it instead of all of them (measured: p99 8.5 s)
    key = "pub:o311:" + cache_key(request.endpoint or "", tuple(LIST_CANON), LIST_CANON)
    items = cache.cached(key, ttl(), _list_requests, shared=True, stale=stale_seconds())
    if isinstance(items, str):
        return error_response(400, items, fmt)
    return respond(fmt, items, "service_requests", "request")


def _list_requests() -> list[dict[str, Any]] | str:
    """The GET requests list for the current query string, or an error description."""
    args = request.args
    ids = [i.strip() for i in (args.get("service_request_id") or "").split(",") if i.strip()]
    q = sa.select(Complaint).options(*_options())
    if ids:
        if len(ids) > MAX_REQUESTS:
            return f"at most {MAX_REQUESTS} service_request_id values"
        q = q.where(Complaint.tracking_no.in_(ids))
    else:
        try:
            end = _parse_dt(args["end_date"], "end_date") if args.get("end_date") else None
            start = _parse_dt(args["start_date"], "start_date") if args.get("start_date") else None
        except ValueError as exc:
            return str(exc)
        if start is None and end is None:
            end = utcnow()
        if start is None:
            start = end - dt.timedelta(days=DEFAULT_DAYS)
        if start and end and start > end:
            return "start_date must not be after end_date"
        q = q.where(Complaint.submitted_at >= start)
        if end is not None:
            q = q.where(Complaint.submitted_at <= end)
        codes = [s.strip() for s in (args.get("service_code") or "").split(",") if s.strip()]
        if codes:
            if not all(s.isdigit() for s in codes):
                return "service_code must be a service code from services"
            # filtering by category would reveal the category of a confidential complaint
            # (or of one not yet verified)
            q = q.where(Complaint.category_id.in_([int(s) for s in codes]), Complaint.is_confidential.is_(False),
                        published_clause())
        statuses = [s.strip().lower() for s in (args.get("status") or "").split(",") if s.strip()]
        if any(s not in ("open", "closed") for s in statuses):
            return "status must be open or closed"
        closed = list(Status.CLOSED)
        if statuses and set(statuses) == {"open"}:
            q = q.where(Complaint.status.not_in(closed))
        elif statuses and set(statuses) == {"closed"}:
            q = q.where(Complaint.status.in_(closed))
    q = q.order_by(Complaint.submitted_at.desc(), Complaint.id.desc()).limit(MAX_REQUESTS)
    return [request_view(c) for c in db.session.scalars(q).unique()]


@bp.get(f"{PREFIX}/requests/<nomor>.<fmt>")
@public_limit
def open311_request(nomor: str, fmt: str):
    if (err := _fmt_or_404(fmt)) is not None:
        return err
    c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == nomor).options(*_options()))
    if c is None:
        return error_response(404, f"service_request_id {nomor} not found", fmt)
    return respond(fmt, [request_view(c)], "service_requests", "request")


@bp.route(f"{PREFIX}/<path:rest>", methods=["GET", "POST"])
@csrf.exempt
def open311_unknown(rest: str):
    fmt = "xml" if rest.endswith(".xml") else "json"
    return error_response(404, "unknown Open311 resource", fmt)


# --- POST: create a service request -------------------------------------------------------------

def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def find_key(raw: str | None) -> ApiKey | None:
    if not raw:
        return None
    key = db.session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == hash_key(raw.strip())))
    if key is None or key.revoked_at is not None:
        return None
    return key


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def _create(fmt: str) -> Response:
    form = request.form
    key = find_key(form.get("api_key"))
    if key is None:
        return error_response(403, "api_key was not provided or is not valid", fmt)
    errors = []
    code = (form.get("service_code") or "").strip()
    cat = _leaf_by_code(code) if code else None
    if not code:
        errors.append("service_code was not provided")
    elif cat is None:
        errors.append(f"service_code {code} not found")
    lat, lon = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    address = (form.get("address_string") or "").strip()
    address_id = (form.get("address_id") or "").strip()
    latitude = longitude = None
    if lat or lon:
        try:
            latitude, longitude = float(lat), float(lon)
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise ValueError
        except ValueError:
            errors.append("lat and long must be valid WGS84 coordinates")
    if not (lat and lon) and not address and not address_id:
        errors.append("a location is required: lat and long, address_string or address_id")
    description = (form.get("description") or "").strip()
    if not description:
        errors.append("description was not provided")
    elif len(description) > 4000:
        errors.append("description is longer than 4000 characters")
    email = (form.get("email") or "").strip()
    if email and not _EMAIL.match(email):
        errors.append("email is not valid")
    try:
        phone = normalise_phone(form.get("phone"))
    except ContactError:
        phone = None
        errors.append("phone is not valid")
    name = " ".join(x for x in ((form.get("first_name") or "").strip(), (form.get("last_name") or "").strip())
                    if x)[:200]
    if errors:
        return error_response(400, "; ".join(errors), fmt)
    now = utcnow()
    c = Complaint(
        tracking_no=tracking.new_tracking_no(tracking.Source.OPEN311), submitted_at=now, title=cat.name[:300],
        text=description,
        type=ComplaintType.PENGADUAN, channel=Channel.WEBSITE, category=cat, status=Status.BELUM_TERVERIFIKASI,
        location=(address or address_id)[:300] or None, latitude=latitude, longitude=longitude,
        norm_days=cat.effective_norm(), source="open311", last_activity_at=now,
    )
    c.reporter = Reporter(name=name or None, email=email.lower() or None,
                          phone=phone)
    db.session.add(c)
    refresh_due_date(c)
    record_event(c, "created", None, public=True, to_status=Status.BELUM_TERVERIFIKASI,
                 note=None, changes={"source": [None, "open311"], "api_key": [None, key.prefix]}, at=now)
    key.last_used_at = now
    db.session.commit()
    body = [{"service_request_id": c.tracking_no, "service_notice": "", "account_id": None}]
    resp = respond(fmt, body, "service_requests", "request", status=201)
    resp.headers["Location"] = url_for("public.open311_request", nomor=c.tracking_no, fmt=fmt)
    return resp

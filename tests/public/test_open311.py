"""Open311 GeoReport v2: discovery, services, requests (JSON and XML), errors, POST with API keys."""

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from portal.admin.settings.apikeys import issue, revoke
from portal.complaints.models import Complaint, ComplaintEvent, Status
from portal.core.db import utcnow
from portal.extensions import db

DECL = '<?xml version="1.0" encoding="UTF-8"?>'
W3C = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$"


def _xml(r):
    text = r.get_data(as_text=True)
    assert text.startswith(DECL), text[:60]
    assert "charset=utf-8" in r.headers["Content-Type"].lower()
    return ET.fromstring(text.encode())  # noqa: S314 - our own output


def test_discovery(client):
    j = client.get("/open311/v2/discovery.json").get_json()
    ep = j["endpoints"][0]
    assert ep["specification"] == "http://wiki.open311.org/GeoReport_v2" and ep["url"].endswith("/open311/v2/")
    assert set(ep["formats"]) == {"text/xml", "application/json"} and j["changeset"] and j["contact"]
    root = _xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_are_leaf_categories(client, make):
    leaf = make.category("Infrastruktur > Jalan", 14)
    make.category("Infrastruktur > Jembatan", 60)
    db.session.commit()
    j = client.get("/open311/v2/services.json").get_json()
    assert [s["service_name"] for s in j] == ["Jalan", "Jembatan"]
    s = j[0]
    assert s == {"service_code": str(leaf.id), "service_name": "Jalan", "description": "Infrastruktur > Jalan",
                 "metadata": False, "type": "realtime", "keywords": "", "group": "Infrastruktur"}
    root = _xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == 2
    assert root.find("service/metadata").text == "false" and root.find("service/service_code").text == str(leaf.id)
    d = client.get(f"/open311/v2/services/{leaf.id}.json").get_json()
    assert d == {"service_code": str(leaf.id), "attributes": []}
    assert _xml(client.get(f"/open311/v2/services/{leaf.id}.xml")).tag == "service_definition"
    parent = leaf.parent.id
    r = client.get(f"/open311/v2/services/{parent}.json")
    assert r.status_code == 404 and r.get_json()[0]["code"] == 404


def test_requests_shapes_window_filters(client, seeded, make):
    make.complaint(tracking_no="5000001", status="selesai", submitted_at=utcnow() - dt.timedelta(days=200))
    db.session.commit()
    j = client.get("/open311/v2/requests.json").get_json()
    ids = [x["service_request_id"] for x in j]
    assert "5000001" not in ids and len(ids) == 8  # default window: the last 90 days
    assert ids == sorted(ids, key=lambda i: -next(c.submitted_at for c in seeded["complaints"].values()
                                                    if c.tracking_no == i).timestamp())
    c = seeded["complaints"]["proses"]
    item = next(x for x in j if x["service_request_id"] == c.tracking_no)
    assert item["status"] == "open" and item["agency_responsible"] == c.opd.name
    assert item["service_code"] == str(c.category_id) and item["status_notes"].startswith("Proses")
    assert item["expected_datetime"] == f"{c.due_date.isoformat()}T00:00:00+07:00"
    import re

    for k in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert re.match(W3C, item[k]), item[k]
    assert "lat" not in item and "long" not in item
    closed = client.get("/open311/v2/requests.json?status=closed").get_json()
    assert {x["status"] for x in closed} == {"closed"} and len(closed) == 3  # Selesai, Arsip, Diteruskan
    opened = client.get("/open311/v2/requests.json?status=open").get_json()
    assert len(opened) == 5
    # service_request_id overrides every other filter
    j = client.get("/open311/v2/requests.json?service_request_id=5000001,6000002,nope&status=open"
                   "&start_date=2030-01-01T00:00:00Z").get_json()
    assert sorted(x["service_request_id"] for x in j) == ["5000001", "6000002"]
    start = (utcnow() - dt.timedelta(days=400)).isoformat()
    j = client.get("/open311/v2/requests.json", query_string={"start_date": start}).get_json()
    assert "5000001" in [x["service_request_id"] for x in j]
    j = client.get("/open311/v2/requests.json", query_string={
        "start_date": "2000-01-01T00:00:00+07:00", "end_date": "2000-02-01T00:00:00+07:00"}).get_json()
    assert j == []
    cat = seeded["categories"][0]
    j = client.get(f"/open311/v2/requests.json?service_code={cat.id}").get_json()
    assert j and all(x["service_code"] == str(cat.id) for x in j)
    assert "6009999" not in [x["service_request_id"] for x in j]  # would reveal its category


def test_requests_xml_and_confidential(client, seeded):
    root = _xml(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests"
    reqs = {r.find("service_request_id").text: r for r in root.findall("request")}
    secret = reqs["6009999"]
    tags = {e.tag for e in secret}
    assert tags == {"service_request_id", "status", "status_notes", "agency_responsible", "service_notice",
                    "requested_datetime", "updated_datetime", "expected_datetime"}
    assert secret.find("status_notes").text == "Proses"
    one = _xml(client.get("/open311/v2/requests/6000002.xml"))
    assert one.find("request/status").text == "open" and one.find("request/description").text
    j = client.get("/open311/v2/requests/6009999.json").get_json()
    assert len(j) == 1 and "description" not in j[0] and j[0]["agency_responsible"]


@pytest.mark.parametrize("qs", ["start_date=kemarin", "end_date=2024-13-01T00:00:00Z", "status=pending",
                                "service_code=abc",
                                "start_date=2024-02-01T00:00:00Z&end_date=2024-01-01T00:00:00Z"])
def test_request_errors(client, qs):
    r = client.get(f"/open311/v2/requests.json?{qs}")
    assert r.status_code == 400
    err = r.get_json()
    assert isinstance(err, list) and err[0]["code"] == 400 and err[0]["description"]
    r = client.get(f"/open311/v2/requests.xml?{qs}")
    root = _xml(r)
    assert r.status_code == 400 and root.tag == "errors"
    assert root.find("error/code").text == "400" and root.find("error/description").text


def test_not_found_errors(client):
    r = client.get("/open311/v2/requests/nope.xml")
    assert r.status_code == 404 and _xml(r).find("error/code").text == "404"
    r = client.get("/open311/v2/requests/nope.json")
    assert r.status_code == 404 and r.get_json()[0]["code"] == 404
    assert client.get("/open311/v2/requests.csv").status_code == 404
    assert client.get("/open311/v2/whatever.json").get_json()[0]["code"] == 404


def _form(cat, key, **kw):
    data = {"api_key": key, "service_code": str(cat.id), "description": "Lampu jalan mati sejak seminggu.",
            "address_string": "Kota Serang, Kec. Taktakan", "first_name": "Dewi", "last_name": "Lestari",
            "email": "dewi@contoh.id", "phone": "0812-1111-2222", "lat": "-6.1", "long": "106.1"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_post_creates_a_complaint_for_a_valid_key(client, make):
    cat = make.category("Infrastruktur > Penerangan Jalan", 5)
    key, raw = issue("Aplikasi Kota")
    db.session.commit()
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in key.prefix + "x" * 0 + key.key_hash
    r = client.post("/open311/v2/requests.json", data=_form(cat, raw))
    assert r.status_code == 201, r.data
    body = r.get_json()
    no = body[0]["service_request_id"]
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == no))
    assert c.status == Status.BELUM_TERVERIFIKASI and c.source == "open311" and c.category_id == cat.id
    assert c.reporter.name == "Dewi Lestari" and c.reporter.phone == "+6281211112222" and c.due_date
    assert c.latitude == -6.1 and c.norm_days == 5
    ev = db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id)).all()
    assert [e.kind for e in ev] == ["created"]
    j = client.get(f"/open311/v2/requests/{no}.json").get_json()[0]
    assert j["status"] == "open" and "Dewi" not in json.dumps(j) and "lat" not in j
    r = client.post("/open311/v2/requests.xml", data=_form(cat, raw))
    root = _xml(r)
    assert r.status_code == 201 and root.find("request/service_request_id").text


def test_post_refuses_missing_invalid_and_revoked_keys(client, make):
    cat = make.category("Infrastruktur > Jalan", 14)
    key, raw = issue("Mitra")
    db.session.commit()
    for k in (None, "", "salah"):
        r = client.post("/open311/v2/requests.json", data=_form(cat, k))
        assert r.status_code == 403 and r.get_json()[0]["code"] == 403
    revoke(key)
    db.session.commit()
    r = client.post("/open311/v2/requests.xml", data=_form(cat, raw))
    assert r.status_code == 403 and _xml(r).find("error/code").text == "403"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


@pytest.mark.parametrize("change", [
    {"service_code": None}, {"service_code": "99999"}, {"description": ""},
    {"address_string": None, "lat": None, "long": None}, {"lat": "abc"}, {"email": "bukan-email"},
])
def test_post_bad_input_is_400(client, make, change):
    cat = make.category("Infrastruktur > Jalan", 14)
    _key, raw = issue("Mitra")
    db.session.commit()
    r = client.post("/open311/v2/requests.json", data=_form(cat, raw, **change))
    assert r.status_code == 400 and r.get_json()[0]["code"] == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_the_list_is_page_cached_under_a_canonical_key(app, client, make):
    from portal.core import cache

    make.complaint(tracking_no="O311A", status="proses", submitted_at=dt.datetime.now(dt.UTC))
    db.session.commit()
    first = client.get("/open311/v2/requests.json")
    assert [r["service_request_id"] for r in first.get_json()] == ["O311A"]
    assert first.headers["Cache-Control"] == "public, no-cache" and first.headers["ETag"]
    before = cache.entries()
    spellings = ["?utm_source=x", "?status=OPEN,open&x=1", "?status=open", "?status=%20open%20",
                 "?service_request_id=O311A,%20O311B", "?service_request_id=O311B,O311A,O311A",
                 "?start_date=2025-01-01T00:00:00Z", "?start_date=2025-01-01T07:00:00%2B07:00"]
    for qs in spellings:
        assert client.get(f"/open311/v2/requests.json{qs}").status_code == 200
    # the bare list again, and per set of ids, per status set and per instant one page, one list and
    # one previous-list entry (answered while another thread recomputes)
    assert cache.entries() - before == 3 * 3
    again = client.get("/open311/v2/requests.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_write_reaches_the_cached_list_at_once(app, client, make):
    make.complaint(tracking_no="O311C", status="proses", submitted_at=dt.datetime.now(dt.UTC))
    db.session.commit()
    assert [r["service_request_id"] for r in client.get("/open311/v2/requests.json").get_json()] == ["O311C"]
    make.complaint(tracking_no="O311D", status="proses",
                   submitted_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=-1))
    db.session.commit()
    ids = [r["service_request_id"] for r in client.get("/open311/v2/requests.json").get_json()]
    assert ids == ["O311C", "O311D"]
    assert client.get("/open311/v2/requests.json?status=bogus").status_code == 400  # errors are not stored

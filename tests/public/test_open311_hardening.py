"""Open311 answers hostile input well (docs/INTERFACES.md §6): control characters never break the XML feed, and
datetimes outside any sensible range are the spec's 400, not a 500."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from portal.core.db import utcnow
from portal.extensions import db


def test_control_characters_do_not_break_the_xml_feed(client, make):
    opd = make.opd(code="DPUPR", name="Dinas Pekerjaan Umum")
    cat = make.category("Infrastruktur > Jalan", 14, default_opd=opd)
    now = utcnow()
    make.complaint(tracking_no="6100001", status="proses", opd=opd, category=cat,
                   submitted_at=now - dt.timedelta(days=2), verified_at=now - dt.timedelta(days=1),
                   title="Jalan\x02 rusak\x0b", text="Lubang\x1b[31m besar\x08 di\x0c jalan\ufffe raya\x7f.\n",
                   location="Serang\x01")
    db.session.commit()
    for path in ("/open311/v2/requests.xml", "/open311/v2/requests/6100001.xml"):
        r = client.get(path)
        assert r.status_code == 200
        root = ET.fromstring(r.get_data())  # noqa: S314 - our own output
        desc = root.find("request/description").text
        assert "Lubang[31m besar di jalan raya" in desc
        assert not any(ch in desc for ch in "\x0b\x1b\x08\x0c\ufffe")
    assert client.get("/open311/v2/requests/6100001.json").get_json()[0]["description"].startswith("Lubang\x1b")


@pytest.mark.parametrize("qs", ["start_date=0001-01-01T00:00:00Z", "start_date=0001-01-01T00:00:00",
                                "end_date=0001-01-01T00:00:00Z", "end_date=9999-12-31T23:59:59-07:00",
                                "start_date=9999-12-31T23:59:59Z", "start_date=1969-12-31T23:59:59Z"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_absurd_dates_are_a_400(client, qs, fmt):
    r = client.get(f"/open311/v2/requests.{fmt}?{qs}")
    assert r.status_code == 400
    if fmt == "json":
        assert r.get_json()[0]["code"] == 400

"""HTML the W3C checker would refuse, fixed: repeated ids, wrong autocomplete tokens,
``<time datetime>`` with microseconds."""

import datetime as dt
from collections import Counter
from html.parser import HTMLParser

from portal.core.db import utcnow
from portal.core.i18n import datetime_attr
from portal.extensions import db


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = Counter()
        self.times = []
        self.autocomplete = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids[a["id"]] += 1
        if tag == "time" and "datetime" in a:
            self.times.append(a["datetime"])
        if "autocomplete" in a and a.get("name"):
            self.autocomplete[a["name"]] = a["autocomplete"]


def _parse(html: str) -> _Ids:
    p = _Ids()
    p.feed(html)
    return p


def test_the_complaint_page_repeats_no_id(client, make, login_as):
    opd = make.opd("DPUPR")
    make.complaint("H-1", "proses", opd=opd, dispatched_at=utcnow() - dt.timedelta(days=2),
                   first_followup_at=utcnow() - dt.timedelta(days=1))
    login_as(make.user("kominfo"))
    html = client.get("/admin/laporan/H-1").get_data(as_text=True)
    p = _parse(html)
    assert html.count('name="version"') > 1  # several action forms, each sends the version
    assert [i for i, n in p.ids.items() if n > 1] == []


def test_public_time_elements_carry_whole_seconds(client, make):
    make.complaint("H-2", "belum_terverifikasi", submitted_at=dt.datetime(2025, 2, 3, 1, 2, 3, 456789, tzinfo=dt.UTC))
    db.session.commit()
    p = _parse(client.get("/lacak/H-2").get_data(as_text=True))
    assert p.times and all(".456789" not in t for t in p.times)
    assert "2025-02-03T08:02:03+07:00" in p.times or "2025-02-03T01:02:03+00:00" in p.times


def test_sign_in_uses_a_valid_autocomplete_token_for_an_email_field(client):
    p = _parse(client.get("/login").get_data(as_text=True))
    assert p.autocomplete["email"] == "email"
    assert p.autocomplete["password"] == "current-password"


def test_datetime_attr():
    assert datetime_attr("2025-02-03T01:02:03.456789+00:00") == "2025-02-03T01:02:03+00:00"
    assert datetime_attr(dt.date(2025, 2, 3)) == "2025-02-03"
    assert datetime_attr("2025-02-03") == "2025-02-03"
    assert datetime_attr(None) == ""

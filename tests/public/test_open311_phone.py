"""Open311 POST stores the reporter's phone through the one normaliser (complaints.contact)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.admin.settings.apikeys import issue
from portal.complaints.models import Complaint
from portal.extensions import db
from tests.public.test_open311 import _form


@pytest.mark.parametrize(("phone", "stored"), [("+62 812-1111-2222", "+6281211112222"), ("(0254) 200123", "+62254200123")])
def test_phone_is_normalised_like_staff_entry_and_import(client, make, phone, stored):
    cat = make.category("Infrastruktur > Penerangan Jalan", 5)
    _key, raw = issue("Aplikasi Kota")
    db.session.commit()
    r = client.post("/open311/v2/requests.json", data=_form(cat, raw, phone=phone))
    assert r.status_code == 201, r.data
    c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == r.get_json()[0]["service_request_id"]))
    assert c.reporter.phone == stored


@pytest.mark.parametrize("phone", ["123456", "(000) 000-0000", "+1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6"])
def test_invalid_phone_is_refused_not_stored(client, make, phone):
    cat = make.category("Infrastruktur > Penerangan Jalan", 5)
    _key, raw = issue("Aplikasi Kota")
    db.session.commit()
    r = client.post("/open311/v2/requests.json", data=_form(cat, raw, phone=phone))
    assert r.status_code == 400 and "phone is not valid" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0

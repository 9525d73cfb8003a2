"""The OPD desk's state changes need the complaint's version too: missing → 400."""

from __future__ import annotations

import pytest

from portal.complaints.models import Complaint
from portal.extensions import db


@pytest.mark.parametrize(("path", "data"), [
    ("/tindak-lanjut", {"text": "Sudah ditinjau tim.", "status": "proses"}),
    ("/kembalikan", {"reason": "Bukan kewenangan kami, melainkan Dinas Perhubungan."}),
])
def test_desk_action_without_version_is_a_400(world, login_as, path, data):
    c = world.ca
    before = (c.version, c.status, c.opd_id, len(c.followups))
    resp = login_as(world.user_a).post(f"/admin/opd/laporan/{c.tracking_no}{path}", data=data)
    assert resp.status_code == 400
    db.session.expire_all()
    after = db.session.get(Complaint, c.id)
    assert (after.version, after.status, after.opd_id, len(after.followups)) == before

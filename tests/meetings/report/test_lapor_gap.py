"""Reports count staff-entered complaints not yet in SP4N-LAPOR! beside the recap, never inside it."""

import datetime as dt

from portal.complaints import stats
from portal.complaints.lapor_sync import LaporLink
from portal.extensions import db
from portal.meetings.report import build as report
from tests.meetings.report.conftest import PERIOD


def test_staff_entries_not_in_lapor_are_counted_beside_an_unchanged_recap(seeded, make, client, login_as):
    oct_c, dec_c = seeded["complaints"][0], seeded["complaints"][3]
    for c in (oct_c, dec_c):
        c.source = "staff"
    db.session.add(LaporLink(complaint_id=dec_c.id, lapor_no="7000123"))
    db.session.commit()
    before = stats.recap(*PERIOD)
    figures = report.compile_report(seeded["meeting"], today=dt.date(2026, 3, 10))
    assert figures["staff_entries"] == {"dicatat_petugas": 2, "belum_tercatat_lapor": 1}
    assert figures["province"] == before == stats.recap(*PERIOD)  # the recap formulas are untouched
    tw4 = figures["quarters"][1]
    assert [m["belum_tercatat_lapor"] for m in tw4["months"]] == [1, 0, 0]
    assert tw4["summary"]["belum_tercatat_lapor"] == 1
    login_as(make.user("kominfo"))
    db.session.commit()
    page = client.get("/rapat/laporan-berkala/triwulan/2025/4").get_data(as_text=True)
    assert "Belum tercatat di SP4N-LAPOR!" in page

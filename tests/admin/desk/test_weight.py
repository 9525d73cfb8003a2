"""Page weight: every OPD page is at most 30 KB of HTML + CSS on first load (scripts excluded: cached).

The data is deliberately heavy for a liaison's day: full stages on the home page, long titles, a
complaint with several long follow-ups, attachments and a long history.
"""

import datetime as dt
import re

import pytest

from portal.admin.desk import routes as opd_desk
from portal.complaints import operations as ops
from portal.complaints.models import AnswerTemplate
from portal.core import uploads
from portal.extensions import db
from tests.admin.desk.conftest import file_storage, pdf_bytes, png_bytes

BUDGET = 30 * 1024
LONG_TITLE = "Jalan provinsi ruas Serang–Pandeglang berlubang dan membahayakan pengendara motor " * 3
WORDS = "Warga mengeluhkan kondisi jalan yang rusak parah sejak musim hujan dan sudah beberapa kali terjadi kecelakaan. "


def page_weight(client, url: str) -> tuple[int, int]:
    """(HTML bytes, HTML + linked stylesheet bytes) of a page as a first visit loads it."""
    resp = client.get(url)
    assert resp.status_code == 200, url
    html = resp.get_data()
    total = len(html)
    for href in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html):
        with client.get(href.decode()) as css:
            assert css.status_code == 200
            total += len(css.get_data())
    return len(html), total


@pytest.fixture
def heavy(world, make):
    start = dt.datetime(2025, 1, 6, 2, tzinfo=dt.UTC)
    n = opd_desk.OVERVIEW_SIZE + 3
    for stage in ("belum", "proses", "tunda"):
        for i in range(max(n, opd_desk.PAGE_SIZE if stage == "belum" else n)):
            c = make.complaint(title=f"{i:03d} {LONG_TITLE}", text=WORDS * 5, submitted_at=start)
            ops.dispatch(c, world.kominfo, world.a)
            if stage == "proses":
                ops.add_followup(c, world.user_a, "Sedang ditinjau.")
            elif stage == "tunda":
                ops.postpone(c, world.kominfo, "Menunggu berkas dari pelapor.")
    c = world.ca
    c.title, c.text, c.location = LONG_TITLE[:300], WORDS * 14, "Kec. Ciruas, Kab. Serang, Banten"
    for i in range(5):
        fu = ops.add_followup(c, world.user_a, f"Tindak lanjut ke-{i + 2}. " + WORDS * 5)
        uploads.store([uploads.prepare(file_storage(pdf_bytes(), f"berita-acara-peninjauan-{i}.pdf")),
                       uploads.prepare(file_storage(png_bytes(), f"foto-lokasi-{i}.png"))],
                      complaint=c, followup=fu, user=world.user_a)
    from portal.meetings import services as svc

    meeting = svc.create_meeting(title="Rakor Pengelolaan SP4N-LAPOR! Semester I 2025", day=dt.date(2099, 3, 11))
    for i in range(5):
        svc.add_action(meeting, f"Rencana aksi {i}: perbarui SK tim dan laporkan kemajuan penanganan pengaduan",
                       world.a, dt.date(2099, 4, 1 + i))
    for i in range(8):
        db.session.add(AnswerTemplate(opd_id=world.a.id, title=f"Template {i} untuk pertanyaan berulang",
                                      body=WORDS * 3))
    db.session.commit()
    return world


def test_every_opd_page_fits_the_budget(heavy, login_as, app):
    with app.test_request_context():
        client = login_as(heavy.user_a)
    urls = ["/admin/opd", "/admin/opd?tahap=belum_ditindaklanjuti", "/admin/opd?tahap=proses",
            f"/admin/opd/laporan/{heavy.ca.tracking_no}",
            f"/admin/opd/laporan/{heavy.ca.tracking_no}?template={heavy.ta.id}",
            "/admin/opd/template", f"/admin/opd/template/{heavy.ta.id}"]
    report = {}
    for url in urls:
        html, total = page_weight(client, url)
        report[url] = (html, total)
        assert total <= BUDGET, f"{url}: {total} bytes (HTML {html})"
    # the home page really is full: every stage at its overview limit
    home = client.get("/admin/opd").get_data(as_text=True)
    assert home.count('class="badge badge-') >= 3 * opd_desk.OVERVIEW_SIZE
    print(report)  # shown with -s: the figures for the report

"""Every public page and download, for complaints of every status and role, without leaks."""

import csv
import io
import json

import pytest

from portal.core.db import utcnow
from portal.extensions import db
from tests.conftest import login
from tests.public.conftest import NAME, assert_no_leak


def _pages(seeded):
    numbers = [c.tracking_no for c in seeded["complaints"].values()]
    urls = ["/", "/?sort=-persen_tl", "/?sort=rtl_median", "/laporan", "/laporan?q=jalan", "/laporan?q=rusak",
            "/laporan?status=proses", "/laporan?opd=DPUPR", f"/laporan?kategori={seeded['categories'][0].id}",
            "/lacak", "/data", "/data/laporan.csv", "/data/laporan.json", "/data/statistik.csv",
            "/data/statistik.json", "/api/v1/stats", "/api/v1/stats/opd", "/open311/v2/requests.json",
            "/open311/v2/requests.xml", "/open311/v2/requests.json?status=closed",
            "/open311/v2/requests.json?service_request_id=" + ",".join(numbers),
            f"/open311/v2/requests.json?service_code={seeded['categories'][0].id}"]
    urls += [f"/opd/{o.code}" for o in seeded["opds"]]
    for n in numbers:
        urls += [f"/lacak/{n}", f"/api/v1/complaints/{n}", f"/open311/v2/requests/{n}.json",
                 f"/open311/v2/requests/{n}.xml"]
    return urls


def test_no_public_output_leaks_reporter_data_or_confidential_content(client, seeded):
    for url in _pages(seeded):
        r = client.get(url)
        assert r.status_code == 200, url
        assert_no_leak(r.get_data(as_text=True), url)


@pytest.mark.parametrize("role", ["kominfo", "opd", "pimpinan", "ombudsman"])
def test_signed_in_staff_see_the_same_anonymised_public_pages(client, seeded, make, role):
    user = make.user(role, opd=seeded["opds"][0] if role == "opd" else None)
    db.session.commit()
    login(client, user)
    for url in ("/", "/laporan", "/lacak/6000004", "/lacak/6009999", "/opd/DPUPR", "/api/v1/complaints/6000004"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert_no_leak(r.get_data(as_text=True), f"{url} as {role}")


def test_search_cannot_confirm_hidden_words(client, seeded):
    body = client.get("/laporan?q=Sulastri").get_data(as_text=True)
    assert "0 laporan" in body or "Tidak ada laporan" in body
    assert "6000002" not in body
    body = client.get("/laporan?q=pungutan").get_data(as_text=True)  # only in the confidential one
    assert "6009999" not in body


def test_tracking_page_shows_status_opd_dates_timeline_and_followups(client, seeded):
    c = seeded["complaints"]["proses"]
    body = client.get(f"/lacak/{c.tracking_no}").get_data(as_text=True)
    assert "Proses" in body and c.opd.name in body and "Batas waktu" in body
    assert "Tindak lanjut OPD" in body and "[nama pelapor]" in body and "[nomor telepon]" in body
    assert "[NIK]" in body and "[email]" in body and "Riwayat status" in body


def test_confidential_tracking_shows_only_status_opd_and_dates(client, seeded):
    body = client.get("/lacak/6009999").get_data(as_text=True)
    assert "rahasia" in body.lower() and "UPTD Penerangan Jalan" in body and "Proses" in body
    assert "Kategori" not in body and "Isi laporan" not in body and "Jalan rusak" not in body


def test_lacak_form_redirects_and_validates(client, seeded):
    r = client.get("/lacak?nomor=+6000002+")
    assert r.status_code == 303 and r.headers["Location"].endswith("/lacak/6000002")
    assert client.get("/lacak?nomor=").status_code == 400
    assert client.get("/lacak?nomor=%3Cscript%3E").status_code == 400
    r = client.get("/lacak/0000000")
    assert r.status_code == 404 and b"tidak ditemukan" in r.data


def test_complaint_text_is_escaped(client, make):
    make.complaint(tracking_no="7000001", text="<script>alert(1)</script><b>tebal</b>", title="<i>x</i>",
                   status="proses", verified_at=utcnow())
    db.session.commit()
    for url in ("/lacak/7000001", "/laporan"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "&lt;script&gt;" in body and "<i>x</i>" not in body


def test_list_excludes_confidential_and_filters(client, seeded):
    body = client.get("/laporan").get_data(as_text=True)
    assert "6009999" not in body and "6000001" in body and "7 laporan" in body  # Diteruskan included
    body = client.get("/laporan?status=selesai").get_data(as_text=True)
    assert "6000003" in body and "6000002" not in body
    body = client.get("/laporan?status=bogus&from=2024-99-01").get_data(as_text=True)
    assert "Status tidak dikenal" in body


def test_list_htmx_returns_rows_only(client, seeded):
    r = client.get("/laporan?status=proses", headers={"HX-Request": "true"})
    assert b"<html" not in r.data and b"6000002" in r.data


def test_dashboard_sorting_ranks_only_opds_with_enough_complaints(client, seeded):
    body = client.get("/?sort=-persen_tl").get_data(as_text=True)
    assert "tidak diperingkat" in body and 'aria-sort="descending"' in body
    assert "diperbarui pukul" in body and 'hx-trigger="every 30s"' in body


def test_opd_page(client, seeded):
    body = client.get("/opd/dpupr").get_data(as_text=True)
    assert "Dinas Pekerjaan Umum" in body and "UPTD Penerangan Jalan" in body and "Laporan terbaru" in body
    assert client.get("/opd/NOPE").status_code == 404


def test_charts_are_svg_with_their_own_csp(client, seeded):
    for name in ("status", "bulanan", "kategori", "kanal", "wilayah", "gender", "disabilitas"):
        r = client.get(f"/grafik/{name}.svg")
        assert r.status_code == 200 and r.mimetype == "image/svg+xml"
        assert "script-src 'none'" in r.headers["Content-Security-Policy"]
        assert b"<script" not in r.data
        assert_no_leak(r.get_data(as_text=True), name)
    assert client.get("/grafik/kategori.svg?opd=DPUPR").status_code == 200
    assert client.get("/grafik/nope.svg").status_code == 404
    assert client.get("/grafik/status.svg?from=x").status_code == 400
    r = client.get("/")
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]


def test_open_data_csv_and_json(client, seeded):
    r = client.get("/data/laporan.csv")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 8  # every status (Diteruskan too) and the secret one
    secret = next(x for x in rows if x["id"] == "6009999")
    assert secret["confidential"] == "true" and secret["text"] == "" and secret["category"] == ""
    assert secret["status"] == "proses" and secret["opd"] == "UPTPJU"
    j = json.loads(client.get("/data/laporan.json").get_data(as_text=True))
    assert len(j["complaints"]) == 8
    j = json.loads(client.get("/data/laporan.json?from=2000-01-01&to=2000-01-02").get_data(as_text=True))
    assert j["complaints"] == []
    assert client.get("/data/laporan.csv?from=nope").status_code == 400
    stats = json.loads(client.get("/data/statistik.json").get_data(as_text=True))
    assert stats["recap"]["total"] >= 1 and stats["opd"]
    r = client.get("/data/statistik.csv")
    assert "SEMUA OPD" in r.get_data(as_text=True)
    assert b"Kamus data" in client.get("/data").data


def test_english_switch(client, seeded):
    r = client.get("/?lang=en")
    assert r.status_code == 200 and b'lang="en"' in r.data


def test_reporter_name_check_helper_sees_name():
    assert NAME.split()[0] == "Sulastri"

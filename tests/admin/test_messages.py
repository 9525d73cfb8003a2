"""Every message in the UI language: WTForms' own validation messages, and the open-data period."""

from __future__ import annotations

import pytest
from wtforms.i18n import messages_path

from portal.core.form_messages import INDONESIAN
from tests.admin.conftest import recent

HX = {"HX-Request": "true"}


def test_every_wtforms_message_has_an_indonesian_text():
    import re
    from pathlib import Path

    pot = (Path(messages_path()) / "wtforms.pot").read_text()
    singulars = re.findall(r'^msgid "(.+)"$', pot, re.M)
    assert singulars and all(m.replace('\\"', '"') in INDONESIAN for m in singulars)


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("id", "Isian ini wajib diisi.", "This field is required."),
    ("en", "This field is required.", "Isian ini wajib diisi."),
])
def test_a_required_field_is_reported_in_the_ui_language(world, make, login_as, lang, expected, absent):
    c = make.complaint(tracking_no="7400001", submitted_at=recent(1))
    client = login_as(world.kominfo)
    client.get(f"/admin/?lang={lang}")  # the language switch keeps it in the session
    resp = client.post(f"/admin/laporan/7400001/aksi/tunda?lang={lang}",
                       data={"version": c.version, "kind": "lainnya", "reason": "", "ctx": "page"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert expected in html and absent not in html


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Pilihan tidak valid."),
    ("en", "Not a valid choice."),
])
def test_a_bad_choice_is_reported_in_the_ui_language(world, make, login_as, lang, expected):
    c = make.complaint(tracking_no="7400002", submitted_at=recent(1))
    client = login_as(world.kominfo)
    resp = client.post(f"/admin/laporan/7400002/aksi/arsip?lang={lang}",
                       data={"version": c.version, "reason": "entah", "ctx": "page"})
    assert resp.status_code == 422 and expected in resp.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/data/laporan.csv", "/data/statistik.csv"])
@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Tanggal awal (from) tidak boleh setelah tanggal akhir (to)."),
    ("en", "The start date (from) cannot be after the end date (to)."),
])
def test_a_reversed_period_on_a_download_answers_the_page_with_a_message(client, path, lang, expected):
    resp = client.get(f"{path}?from=2025-06-30&to=2025-01-01&lang={lang}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    assert expected in html and 'value="2025-06-30"' in html and 'aria-invalid="true"' in html


def test_a_reversed_period_on_a_json_endpoint_stays_json(client):
    resp = client.get("/data/laporan.json?from=2025-06-30&to=2025-01-01")
    assert resp.status_code == 400 and resp.mimetype == "application/json"

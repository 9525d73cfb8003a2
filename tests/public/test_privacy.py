"""Privacy (docs/DOMAIN.md §6) that holds against real texts — audiences, spellings, internal notes, unverified
complaints, open data without reporter attributes, CSV formula injection, and the leak sweeps."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.complaints import operations as ops
from portal.complaints.models import Status
from portal.complaints.redaction import EMAIL_MASK, NIK_MASK, PHONE_MASK, Audience, redact, redactor_for
from portal.core import csvsafe
from portal.core.db import utcnow
from portal.core.models import OutboxMessage
from portal.extensions import db
from tests.conftest import login
from tests.public.conftest import EMAIL, LEAKS, NAME, NIK, PHONE, assert_no_leak


def assert_no_identity(body: str, where: str) -> None:
    """The reporter's identity in none of its spellings (what the OPD must not read of an anonymous one)."""
    for s in LEAKS:
        if s.startswith("RAHASIA") or s in ("lampiran-rahasia", "-6.123456", "106.654321"):
            continue
        assert s not in body, f"{s!r} leaked in {where}"


# --- spellings: property tests ------------------------------------------------------------------

#: what people put between digits
SEPARATORS = ["", " ", "  ", ".", "-", "\u2013", "\u2014", "\u2212", "/", "\u00a0", "\n", "\r\n", "\t", "_",
              " - ", "\u200b", "\u202f"]
#: non-sensitive text around the value; every number in it must survive
CONTEXT = ("Pada 05/04/2024 pukul 09.30 di RT 03/RW 05 No. 12, tahun 2023-2024, biaya Rp 15.000.000 "
           "dan 1.500.000.000 rupiah, 3 hari.")
CONTEXT_DIGITS = re.sub(r"\D", "", CONTEXT)
FULLWIDTH = str.maketrans("0123456789@.", "０１２３４５６７８９＠．")


def _spell(digits: str, draw) -> str:
    """``digits`` with a random separator (or none) between any two, maybe spaced, maybe full-width."""
    out = [digits[0]]
    for ch in digits[1:]:
        out.append(draw(st.sampled_from(SEPARATORS)) if draw(st.booleans()) else "")
        out.append(ch)
    text = "".join(out)
    if draw(st.booleans()):
        text = text.translate(FULLWIDTH)
    return text


@st.composite
def phones(draw):
    """An Indonesian mobile or landline number in a national or international form."""
    kind = draw(st.sampled_from(["mobile", "landline"]))
    if kind == "mobile":
        rest = "8" + draw(st.sampled_from(["1", "2", "5", "7", "9"])) + draw(
            st.text(alphabet="0123456789", min_size=8, max_size=9))
    else:
        rest = draw(st.sampled_from(["21", "254", "22", "31"])) + draw(st.sampled_from("2345678")) + draw(
            st.text(alphabet="0123456789", min_size=6, max_size=6))
    prefix = draw(st.sampled_from(["0", "+62", "62", "0062", "+62 (0)", "(+62) ", "+62-"]))
    body = _spell(rest, draw)
    if kind == "landline" and draw(st.booleans()) and prefix == "0":
        area = rest[:3] if rest.startswith("254") else rest[:2]
        body = f"(0{area}) " + _spell(rest[len(area):], draw)
        prefix = ""
    return prefix + body, rest


@st.composite
def niks(draw):
    digits = draw(st.sampled_from("123456789")) + draw(st.text(alphabet="0123456789", min_size=15, max_size=15))
    return _spell(digits, draw), digits


@st.composite
def emails(draw):
    local = draw(st.from_regex(r"[a-z][a-z0-9]{2,8}(\.[a-z]{2,5})?", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z]{3,8}", fullmatch=True))
    tld = draw(st.sampled_from(["com", "id", "co.id", "go.id"]))
    at = draw(st.sampled_from(["@", " @ ", "＠", " [at] ", "(at)", " (at) ", " at ", "[@]", " {at} "]))
    dot = draw(st.sampled_from([".", " [dot] ", "(dot)", " dot ", " . ", "．", " [titik] "]))
    address = local + at + domain + dot + tld.replace(".", dot)
    if draw(st.booleans()):
        address = address.upper()
    return address, [local.split(".")[0], domain]


def _others(out: str) -> str:
    return re.sub(r"\D", "", out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phone=phones(), before=st.sampled_from(["HP ", "Hubungi ", "WA: ", "telp.", "(", "no "]))
def test_phone_in_any_spelling_is_removed_and_the_rest_kept(phone, before):
    spelled, _rest = phone
    out = redact(f"{CONTEXT} {before}{spelled} terima kasih. {CONTEXT}")
    assert PHONE_MASK in out, (spelled, out)
    assert _others(out) == CONTEXT_DIGITS * 2, (spelled, out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nik=niks())
def test_nik_in_any_spelling_is_removed_and_the_rest_kept(nik):
    spelled, _digits = nik
    out = redact(f"{CONTEXT} NIK saya {spelled}, atas nama warga. {CONTEXT}")
    assert NIK_MASK in out or PHONE_MASK in out, (spelled, out)
    assert _others(out) == CONTEXT_DIGITS * 2, (spelled, out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(email=emails())
def test_email_in_any_obfuscation_is_removed(email):
    address, parts = email
    out = redact(f"{CONTEXT} Balas ke {address} ya. {CONTEXT}")
    assert EMAIL_MASK in out, (address, out)
    assert _others(out) == CONTEXT_DIGITS * 2, (address, out)
    rest = out.casefold().replace(CONTEXT.casefold(), "")
    for part in parts:  # as a word: "ala" may well sit inside "balas"
        assert not re.search(rf"(?<![^\W_]){re.escape(part.casefold())}(?![^\W_])", rest), (address, out)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nik=niks(), phone=phones())
def test_the_reporters_own_values_go_in_any_spelling(nik, phone):
    spelled_nik, nik_digits = nik
    spelled_phone, rest = phone
    out = redact(f"nomor {spelled_nik} / {spelled_phone}. {CONTEXT}", names=["Sulastri Wibowo"],
                 values=[nik_digits, "0" + rest])
    assert _others(out) == CONTEXT_DIGITS, out


def test_real_looking_spellings():
    text = ("NIK 3602/0415/0590/0003, 3602.0415.0590.0003 dan 3602\u00a00415\u00a00590\u00a00003 dan 3602\n0415\n"
            "0590\n0003; HP 0813\u20139876\u20135432, (0813) 9876-5432, 0 8 1 3 9 8 7 6 5 4 3 2, +62 (813) 9876 5432, "
            "０８１３９８７６５４３２; email sulastri.w [at] contoh [dot] id, sulastri.w @ contoh.id, sulastri.w＠contoh.id. "
            "SULÁSTRI Wibowo menunggu sejak 05/04/2024, Rp 15.000.000, RT 03/RW 05.")
    out = redact(text, names=[NAME], values=[NIK, PHONE, EMAIL])
    assert_no_leak(out, "redact")
    assert "3602" not in out and "9876" not in out and "contoh" not in out and "ulastri" not in out
    assert "05/04/2024" in out and "Rp 15.000.000" in out and "RT 03/RW 05" in out


# --- audiences ----------------------------------------------------------------------------------

def test_audience_policy(make):
    c = make.complaint(title=f"Saya {NAME} 0813 9876 5432", text=f"NIK {NIK}", is_anonymous=True,
                       reporter={"name": NAME, "nik": NIK, "phone": PHONE, "email": EMAIL})
    assert NAME not in redactor_for(c, Audience.OPD)(c.title)
    assert redactor_for(c, Audience.FULL)(c.title) == c.title
    c.is_anonymous = False
    assert redactor_for(c, Audience.OPD)(c.title) == c.title
    assert NAME not in redactor_for(c, Audience.PUBLIC)(c.title)


def test_opd_desk_and_mail_never_show_an_anonymous_reporter(client, seeded):
    anon = seeded["complaints"]["selesai"]
    assert anon.is_anonymous and anon.opd.code == "DPUPR"
    liaison = next(u for u in anon.opd.users) if hasattr(anon.opd, "users") else None
    from portal.people.models import User

    liaison = liaison or db.session.scalar(sa.select(User).where(User.opd_id == anon.opd_id))
    login(client, liaison)
    body = client.get(f"/admin/opd/laporan/{anon.tracking_no}").get_data(as_text=True)
    assert_no_identity(body, "the anonymous complaint's desk page")
    assert "Anonim" in body and "Jalan rusak, pelapor" in body and "[nama pelapor]" in body
    # a complaint that is not anonymous: the OPD reads the reporter as written
    named = seeded["complaints"]["belum_ditindaklanjuti"]
    assert named.opd_id == anon.opd_id and not named.is_anonymous
    assert NAME in client.get(f"/admin/opd/laporan/{named.tracking_no}").get_data(as_text=True)
    # every complaint anonymous: the desk's lists carry nobody's identity
    for c in seeded["complaints"].values():
        c.is_anonymous = True
    db.session.commit()
    for url in ["/admin/opd", *(f"/admin/opd?tahap={s.value}" for s in Status),
                *(f"/admin/opd/laporan/{c.tracking_no}" for c in seeded["complaints"].values()
                  if c.opd_id == anon.opd_id)]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert_no_identity(r.get_data(as_text=True), url)
    client.post("/logout")


def test_outbox_mail_to_the_opd_carries_no_reporter_data(app, seeded, make):
    from portal.notifications.service import notify_dispatch, queue_digests, queue_reminders

    anon = seeded["complaints"]["belum_ditindaklanjuti"]
    anon.is_anonymous = True
    anon.opd.email = "dpupr@uji.go.id"
    make.user("opd", opd=anon.opd, email="penghubung@uji.go.id")
    anon.due_date = utcnow().date()
    db.session.flush()
    assert notify_dispatch(anon) >= 1
    queue_digests()
    queue_reminders()
    db.session.commit()
    mails = db.session.scalars(sa.select(OutboxMessage)).all()
    assert mails
    for m in mails:
        assert_no_identity(m.subject + m.body_text + (m.body_html or ""), f"mail {m.kind}")


# --- internal notes -----------------------------------------------------------------------------

def test_notes_are_internal_unless_marked_public(client, make):
    kominfo = make.user("kominfo")
    opd = make.opd(code="DPMPTSP", name="Dinas Perizinan")
    c = make.complaint(tracking_no="8100001", reporter={"name": NAME, "phone": PHONE})
    ops.verify(c, kominfo, note="cek dengan Pak Kabid dulu")
    ops.dispatch(c, kominfo, opd, note=f"Hubungi {NAME} di 0813-9876-5432 bila perlu", note_public=True)
    db.session.commit()
    user = make.user("opd", opd=opd)
    db.session.commit()
    login(client, user)
    client.get("/admin/opd")  # sanity: the OPD desk works
    ops.return_to_admin(c, user, "bukan kewenangan: urusan Dinas Perhubungan")
    db.session.commit()
    client.post("/logout")
    for url in ("/lacak/8100001", "/api/v1/complaints/8100001"):
        body = client.get(url).get_data(as_text=True)
        assert "Pak Kabid" not in body and "Dinas Perhubungan" not in body, url
        assert "Hubungi [nama pelapor] di [nomor telepon] bila perlu" in body, url
        assert_no_leak(body, url)
    timeline = client.get("/api/v1/complaints/8100001").json["timeline"]
    # "verified" is internal since verify and forward became one step: the forwarding is public
    assert [e["kind"] for e in timeline] == ["dispatched", "returned"]
    assert "note" not in timeline[1]


def test_staff_switch_publishes_a_note_and_shows_what_the_public_reads(client, make):
    kominfo = make.user("kominfo")
    c = make.complaint(tracking_no="8100002", reporter={"name": NAME})
    db.session.commit()
    login(client, kominfo)
    page = client.get("/admin/laporan/8100002").get_data(as_text=True)
    assert 'name="public_note"' in page and "pratinjau-catatan" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/admin/laporan/8100002/pratinjau-catatan/verifikasi",
                    data={"csrf_token": token, "note": f"Sudah dikonfirmasi {NAME}", "public_note": "y"})
    assert r.status_code == 200 and "Publik akan membaca" in r.get_data(as_text=True)
    assert "Sudah dikonfirmasi [nama pelapor]" in r.get_data(as_text=True) and NAME not in r.get_data(as_text=True)
    r = client.post("/admin/laporan/8100002/pratinjau-catatan/verifikasi", data={"csrf_token": token, "note": "x"})
    assert "internal" in r.get_data(as_text=True)
    assert client.post("/admin/laporan/8100002/pratinjau-catatan/verifikasi", data={"note": "x"}).status_code == 400
    make.opd(code="DLH", name="Dinas Lingkungan Hidup")
    db.session.commit()
    r = client.post("/admin/laporan/8100002/aksi/verifikasi",
                    data={"csrf_token": token, "version": c.version, "ctx": "page", "type": "pengaduan",
                          "opd": "DLH", "note": f"Sudah dikonfirmasi {NAME}", "public_note": "y"})
    assert r.status_code in (200, 303)
    # verified and forwarded in one step (as LAPOR! does): the public note rides on the forwarding
    events = db.session.get(type(c), c.id).events
    assert not next(e for e in events if e.kind == "verified").is_public
    assert next(e for e in events if e.kind == "dispatched").note_public
    page = client.get("/admin/laporan/8100002").get_data(as_text=True)
    assert "Publik membaca:" in page and "Sudah dikonfirmasi [nama pelapor]" in page
    client.post("/logout")
    assert "Sudah dikonfirmasi [nama pelapor]" in client.get("/lacak/8100002").get_data(as_text=True)


def test_events_without_a_public_label_are_not_on_the_public_timeline(client, make):
    from portal.complaints.models import ComplaintEvent

    c = make.complaint(tracking_no="8100003", status="proses", verified_at=utcnow())
    db.session.add(ComplaintEvent(complaint=c, kind="updated", is_public=True, changes={"title": ["a", "b"]},
                                  note="dari impor"))
    db.session.commit()
    timeline = client.get("/api/v1/complaints/8100003").json["timeline"]
    assert all(e["kind"] != "updated" for e in timeline)


# --- unverified stays private -------------------------------------------------------------------

def test_unverified_complaint_is_only_number_status_and_date_and_follows_verification(client, make):
    kominfo = make.user("kominfo")
    cat = make.category("Infrastruktur > Jembatan", 14)
    c = make.complaint(tracking_no="8200001", title="JUDUL-BELUM-VERIF", text="ISI-BELUM-VERIF kasar",
                       location="LOKASI-BELUM-VERIF", category=cat)
    db.session.commit()
    hidden = ("JUDUL-BELUM-VERIF", "ISI-BELUM-VERIF", "LOKASI-BELUM-VERIF")
    api = client.get("/api/v1/complaints/8200001").json
    assert set(api) == {"id", "status", "status_label", "submitted_at"} and api["status"] == "belum_terverifikasi"
    before = client.get("/lacak/8200001")
    assert "Belum Terverifikasi" in before.get_data(as_text=True)
    urls = ["/lacak/8200001", "/laporan", "/laporan?q=kasar", f"/laporan?kategori={cat.id}",
            "/data/laporan.csv", "/data/laporan.json", "/open311/v2/requests/8200001.json",
            "/open311/v2/requests/8200001.xml", "/open311/v2/requests.json?service_request_id=8200001",
            f"/open311/v2/requests.json?service_code={cat.id}"]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        for s in hidden:
            assert s not in body, (s, url)
    assert "8200001" in client.get("/laporan").get_data(as_text=True)
    for url in ("/data/laporan.json", "/api/v1/complaints/8200001", "/open311/v2/requests/8200001.json"):
        assert "Jembatan" not in client.get(url).get_data(as_text=True), url
    o311 = client.get("/open311/v2/requests/8200001.json").json[0]
    assert "description" not in o311 and "service_code" not in o311
    # verified only: still Belum Terverifikasi, still private (the served, cached page too)
    ops.verify(c, kominfo, category=cat)
    db.session.commit()
    again = client.get("/lacak/8200001")
    assert "JUDUL-BELUM-VERIF" not in again.get_data(as_text=True)
    # verified and forwarded publishes it: the cached page and the API follow at once
    ops.dispatch(c, kominfo, make.opd(code="DISHUB", name="Dinas Perhubungan"))
    db.session.commit()
    after = client.get("/lacak/8200001", headers={"If-None-Match": before.headers.get("ETag", "")})
    assert after.status_code == 200 and "JUDUL-BELUM-VERIF" in after.get_data(as_text=True)
    assert client.get("/api/v1/complaints/8200001").json["title"] == "JUDUL-BELUM-VERIF"


def test_archived_before_verification_stays_private(client, make):
    kominfo = make.user("kominfo")
    c = make.complaint(tracking_no="8200002", title="KATA-KASAR")
    ops.archive(c, kominfo, "Laporan tidak jelas")
    db.session.commit()
    for url in ("/lacak/8200002", "/api/v1/complaints/8200002", "/open311/v2/requests/8200002.json"):
        body = client.get(url).get_data(as_text=True)
        assert "KATA-KASAR" not in body and "tidak jelas" not in body, url


# --- open data: no reporter attributes, aggregates safe -----------------------------------------

def test_open_data_rows_carry_no_reporter_attribute(client, seeded):
    j = json.loads(client.get("/data/laporan.json").get_data(as_text=True))
    for row in j["complaints"]:
        for key in ("gender", "has_disability", "disability", "anonymous", "reporter", "name", "nik", "phone",
                    "email", "latitude", "longitude"):
            assert key not in row, key
    header = client.get("/data/laporan.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert not {"gender", "disability", "anonymous"} & set(header.split(","))
    api = client.get(f"/api/v1/complaints/{seeded['complaints']['selesai'].tracking_no}").json
    assert "anonymous" not in api


def test_aggregates_minus_rows_reveal_nothing_of_hidden_complaints(client, seeded, make):
    """For every breakdown: aggregate counts minus what the per-complaint rows show leaves only the
    unknown bucket, so a confidential (or unverified) complaint's category, channel, region, gender
    and disability cannot be recovered."""
    # a second confidential complaint with attributes that would stand out
    make.complaint(tracking_no="6009998", status="proses", opd=seeded["opds"][1], verified_at=utcnow(),
                   category=seeded["categories"][1], channel="sms", location="Kabupaten Lebak, Kec. X",
                   is_confidential=True, reporter={"name": "X", "gender": "L", "has_disability": True},
                   submitted_at=utcnow() - dt.timedelta(days=2))
    db.session.commit()
    stats = json.loads(client.get("/data/statistik.json").get_data(as_text=True))
    rows = json.loads(client.get("/data/laporan.json").get_data(as_text=True))["complaints"]
    shown = [r for r in rows if "category" in r]  # rows that show attributes
    hidden_n = len(rows) - len(shown)
    assert hidden_n >= 3  # two confidential, one unverified

    def diff(breakdown, row_key, unknown_key):
        agg = {b["key"]: b["count"] for b in breakdown}
        for r in shown:
            k = r.get(row_key) or ""
            agg[k] = agg.get(k, 0) - 1
        return {k: v for k, v in agg.items() if v}

    assert diff(stats["category"], "category", "") == {"": hidden_n}
    assert diff(stats["channel"], "channel", "") == {"": hidden_n}
    region = {b["key"]: b["count"] for b in stats["region"]}
    assert "Kabupaten Lebak" not in region
    gender = {b["key"]: b["count"] for b in stats["reporter"]["gender"]}
    disability = {b["key"]: b["count"] for b in stats["reporter"]["disability"]}
    # only the published complaints' reporters can be counted as L/P or with a disability
    published_reporters = len(shown)
    assert gender["L"] + gender["P"] <= published_reporters and gender["L"] == 0
    assert disability["ya"] == published_reporters  # the seeded published reporters all have one
    assert gender[""] >= hidden_n


# --- CSV formula injection ----------------------------------------------------------------------

def test_csv_cells_are_neutralised_and_numbers_stay_numbers():
    assert csvsafe.safe_row(["=1+1", "+62", "-x", "@SUM(A1)", "\tx", "\rx", "ok", -5, 2.5, None, True]) == [
        "'=1+1", "'+62", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "ok", -5, 2.5, "", "true"]
    assert csvsafe.line(["=HYPERLINK(\"http://x\")", 3]) == "'=HYPERLINK(\"\"http://x\"\")\",3\r\n".replace(
        "'=HYPERLINK(\"\"", "\"'=HYPERLINK(\"\"", 1)


def test_open_data_and_import_error_csv_neutralise_formulas(client, make):
    make.complaint(tracking_no="8300001", status="proses", verified_at=utcnow(),
                   title='=HYPERLINK("http://jahat.example","klik")', text="@SUM(1+1) dan seterusnya")
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/data/laporan.csv").get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in rows if r["id"] == "8300001")
    assert row["title"] == """'=HYPERLINK("http://jahat.example","klik")""" and row["text"].startswith("'@SUM")
    for r in rows:
        for v in r.values():
            assert not v.startswith(csvsafe.FORMULA_START), v
    stats = client.get("/data/statistik.csv").get_data(as_text=True)
    assert "\n=" not in stats and ",=" not in stats

    from portal.complaints.models import ImportBatch

    kominfo = make.user("kominfo")
    batch = ImportBatch(user_id=kominfo.id, filename="x.csv", sha256="0" * 64, status="failed",
                        error_report=[{"row": 2, "id": "=cmd|' /C calc'!A0", "message": "-tanggal tidak dikenal"}])
    db.session.add(batch)
    db.session.commit()
    login(client, kominfo)
    body = client.get(f"/admin/impor/{batch.id}/kesalahan.csv").get_data(as_text=True).lstrip("\ufeff")
    (_head, line) = list(csv.reader(io.StringIO(body)))
    assert line == ["2", "'=cmd|' /C calc'!A0", "'-tanggal tidak dikenal"]


# --- the sweep: every JSON/CSV and the served pages, for every status -----------------------------

def test_every_public_download_is_clean_for_every_status(client, seeded):
    for url in ("/data/laporan.csv", "/data/laporan.json", "/data/statistik.csv", "/data/statistik.json",
                "/api/v1/stats", "/api/v1/stats/opd", "/open311/v2/requests.json", "/open311/v2/requests.xml",
                "/open311/v2/services.json"):
        assert_no_leak(client.get(url).get_data(as_text=True), url)
    for status in Status:
        c = seeded["complaints"][status.value]
        for url in (f"/api/v1/complaints/{c.tracking_no}", f"/lacak/{c.tracking_no}"):
            body = client.get(url).get_data(as_text=True)
            assert_no_leak(body, url)
            # notes are internal: the seeded status notes never reach the public
            assert "Catatan untuk" not in body, url

"""Fixtures of the OPD desk tests: two OPDs (one with a unit), their users, complaints and files."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from portal.complaints import operations as ops
from portal.complaints.models import AnswerTemplate
from portal.core import uploads
from portal.extensions import db

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    """The factory's users get a cheap hash: scrypt costs ~0.2 s per user, and every test builds seven."""
    import functools

    from werkzeug.security import generate_password_hash

    from portal.people import models

    monkeypatch.setattr(models, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


def png_bytes(size=(8, 8), text: str | None = None) -> bytes:
    from PIL import PngImagePlugin

    info = None
    if text:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", text)
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_gps(size=(16, 12)) -> bytes:
    """A JPEG whose EXIF holds a camera model and GPS coordinates (Serang, Banten)."""
    img = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Kamera Uji"  # Model
    exif[0x010E] = "rumah pelapor"  # ImageDescription
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (6.0, 7.0, 12.0), 3: "E", 4: (106.0, 9.0, 0.0)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue()


def pdf_bytes(pad: int = 0, metadata: dict[str, str] | None = None) -> bytes:
    """A one-page PDF (``pad`` bytes of document information make it bigger)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({**({"/Subject": "x" * pad} if pad else {}), **(metadata or {})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def file_storage(data: bytes, name: str, content_type: str = "application/octet-stream") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


@pytest.fixture
def world(make):
    """OPD A (with unit A1) and OPD B, each with a liaison, a dispatched complaint, a follow-up with an
    attachment, and an answer template; plus Kominfo, pimpinan and ombudsman users."""
    kominfo = make.user("kominfo")
    a = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang")
    a1 = make.opd("UPTJALAN", "UPT Jalan Wilayah I", parent=a)
    b = make.opd("DINKES", "Dinas Kesehatan")
    ns = SimpleNamespace(kominfo=kominfo, a=a, a1=a1, b=b,
                         user_a=make.user("opd", opd=a, email="a@uji.go.id"),
                         user_a1=make.user("opd", opd=a1, email="a1@uji.go.id"),
                         user_b=make.user("opd", opd=b, email="b@uji.go.id"),
                         pimpinan=make.user("pimpinan"), ombudsman=make.user("ombudsman"))
    for key, opd, title in (("ca", a, "Jalan berlubang di Ciruas"), ("ca1", a1, "Drainase tersumbat di Kragilan"),
                            ("cb", b, "Antrean puskesmas terlalu lama")):
        c = make.complaint(title=title, text=f"Isi {title}.",
                           reporter={"name": f"Pelapor {key}", "phone": "+6281200000000", "email": f"{key}@warga.id"})
        ops.dispatch(c, kominfo, opd)
        setattr(ns, key, c)
    for key, c, opd, user in (("fa", ns.ca, a, ns.user_a), ("fb", ns.cb, b, ns.user_b)):
        fu = ops.add_followup(c, user, f"Tindak lanjut awal {opd.code}.")
        prepared = uploads.prepare(file_storage(png_bytes(), f"bukti-{opd.code}.png"))
        (att,) = uploads.store([prepared], complaint=c, followup=fu, user=user)
        setattr(ns, key, fu)
        setattr(ns, "att_" + key[1], att)
    ns.ta = AnswerTemplate(opd_id=a.id, title="Jalan rusak", body="Tim UPT Jalan telah meninjau lokasi.")
    ns.tb = AnswerTemplate(opd_id=b.id, title="Antrean", body="Puskesmas menambah loket pendaftaran.")
    db.session.add_all([ns.ta, ns.tb])
    db.session.commit()
    return ns


EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run"

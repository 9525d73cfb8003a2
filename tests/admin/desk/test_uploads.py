"""Upload handling: type by content, size limits, metadata stripped, random names outside static/."""

import io
from pathlib import Path

import pytest
from PIL import Image

from portal.core import uploads
from portal.extensions import db
from tests.admin.desk.conftest import GPS_IFD, file_storage, jpeg_with_gps, pdf_bytes, png_bytes


@pytest.fixture(autouse=True)
def _request(request):
    """Messages are translated, which needs a request (the locale)."""
    if "app" not in request.fixturenames:
        yield
        return
    with request.getfixturevalue("app").test_request_context():
        yield


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.mark.parametrize("data, name, expected", [
    (pdf_bytes(), "surat.pdf", "application/pdf"),
    (png_bytes(), "foto.png", "image/png"),
    (jpeg_with_gps(), "foto.jpg", "image/jpeg"),
    (png_bytes(), "foto.pdf", "image/png"),  # the name lies, the content decides
], ids=["pdf", "png", "jpeg", "png-named-pdf"])
def test_type_comes_from_content(app, data, name, expected):
    prepared = uploads.prepare(file_storage(data, name))
    assert prepared.content_type == expected
    assert prepared.original_name.endswith("." + uploads.EXTENSIONS[expected])


@pytest.mark.parametrize("data, name, message", [
    (EXE, "laporan.pdf", "bukan PDF, JPEG atau PNG"),
    (b"ini hanya teks biasa\n" * 10, "foto.png", "bukan PDF, JPEG atau PNG"),
    (b"", "kosong.pdf", "kosong"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "rusak.png", "rusak"),
    (b"\xff\xd8\xff\xe0" + b"garbage" * 20, "rusak.jpg", "rusak"),
    (b"%PDF-1.4\n" + b"a" * 100, "terpotong.pdf", "rusak"),
], ids=["exe-named-pdf", "text-named-png", "empty", "broken-png", "broken-jpeg", "truncated-pdf"])
def test_invalid_uploads_refused(app, data, name, message):
    with pytest.raises(uploads.UploadError, match=message):
        uploads.prepare(file_storage(data, name))


@pytest.mark.app_config(UPLOAD_MAX_BYTES=2048)
def test_size_limit_from_config(app):
    uploads.prepare(file_storage(pdf_bytes(pad=1500), "kecil.pdf"))
    with pytest.raises(uploads.UploadError, match="melebihi"):
        uploads.prepare(file_storage(pdf_bytes(pad=3000), "besar.pdf"))


def test_too_many_files(app):
    files = [file_storage(pdf_bytes(), f"{i}.pdf") for i in range(uploads.MAX_FILES + 1)]
    with pytest.raises(uploads.UploadError, match="Paling banyak"):
        uploads.prepare_all(files)
    assert uploads.prepare_all([file_storage(b"", "")]) == []  # an untouched file input


def test_exif_and_gps_stripped_from_jpeg(app):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as img:  # the fixture really carries GPS
        assert img.getexif().get_ifd(GPS_IFD)
    prepared = uploads.prepare(file_storage(original, "rumah.jpg"))
    with Image.open(io.BytesIO(prepared.data)) as img:
        assert img.format == "JPEG" and img.size == (16, 12)
        assert not img.getexif()
        assert "exif" not in img.info and "comment" not in img.info
    assert b"Kamera Uji" not in prepared.data and b"Exif" not in prepared.data


def test_png_text_chunks_stripped(app):
    prepared = uploads.prepare(file_storage(png_bytes(text="alamat rumah pelapor"), "x.png"))
    assert b"alamat rumah" not in prepared.data
    with Image.open(io.BytesIO(prepared.data)) as img:
        assert "Comment" not in img.info


def test_exif_orientation_applied_before_stripping(app):
    img = Image.new("RGB", (20, 10), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    prepared = uploads.prepare(file_storage(out.getvalue(), "miring.jpg"))
    with Image.open(io.BytesIO(prepared.data)) as clean:
        assert clean.size == (10, 20)


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.png", "passwd.png"),
    ("C:\\Users\\x\\foto bukti.PNG", "foto bukti.png"),
    ("\x00\x1b[31m.png", "[31m.png"),
    ("", "lampiran.png"),
    ("tanpa-ekstensi", "tanpa-ekstensi.png"),
])
def test_clean_name(name, expected):
    assert uploads.clean_name(name, "image/png") == expected


def test_store_writes_random_names_under_upload_dir(app, make):
    c = make.complaint(opd=make.opd())
    items = [uploads.prepare(file_storage(pdf_bytes(), "surat.pdf")), uploads.prepare(file_storage(png_bytes(), "foto.png"))]
    atts = uploads.store(items, complaint=c)
    db.session.commit()
    folder = Path(app.config["UPLOAD_DIR"])
    static = Path(app.static_folder).resolve()
    for att, item in zip(atts, items, strict=True):
        path = folder / att.stored_name
        assert path.read_bytes() == item.data
        assert att.sha256 == item.sha256 and att.size == len(item.data)
        assert len(att.stored_name.split(".")[0]) == 32 and att.original_name not in att.stored_name
        assert static not in path.resolve().parents
    assert atts[0].stored_name != atts[1].stored_name


def test_discard_on_error_removes_files(app, make):
    c = make.complaint(opd=make.opd())
    atts = uploads.store([uploads.prepare(file_storage(pdf_bytes(), "a.pdf"))], complaint=c)
    path = Path(app.config["UPLOAD_DIR"]) / atts[0].stored_name
    assert path.exists()
    with pytest.raises(RuntimeError), uploads.discard_on_error(atts):
        raise RuntimeError("commit failed")
    assert not path.exists()


def test_pdf_metadata_is_stripped(app):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(300, 300)
    writer.add_metadata({"/Author": "Budi Santoso", "/Creator": "Scanner Rumah Pelapor", "/Title": "KTP 3601"})
    writer.xmp_metadata = None
    raw = io.BytesIO()
    writer.write(raw)
    data = raw.getvalue()
    assert b"Budi Santoso" in data
    prepared = uploads.prepare(file_storage(data, "surat.pdf"))
    out = prepared.data
    assert b"Budi Santoso" not in out and b"Scanner Rumah" not in out and b"KTP 3601" not in out
    reader = PdfReader(io.BytesIO(out))
    assert len(reader.pages) == 1 and not reader.metadata
    assert "/Metadata" not in reader.trailer["/Root"]


def test_pdf_that_does_not_parse_is_refused(app):
    bogus = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    with pytest.raises(uploads.UploadError, match="rusak"):
        uploads.prepare(file_storage(bogus, "palsu.pdf"))

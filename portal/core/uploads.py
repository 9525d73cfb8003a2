"""Uploaded attachments: checked by content, cleaned, stored outside ``static/`` under random names.

Only PDF, JPEG and PNG are accepted. The type comes from the file's first bytes (magic numbers),
never from its name; images must also decode with Pillow and are re-encoded, which drops EXIF
(GPS included), XMP, ICC profiles and text chunks; PDFs are re-written page by page with pypdf, which
drops their document information and XMP metadata. Files land in ``UPLOAD_DIR`` as
``<token_hex>.<ext>`` and are only ever served through an authorised route, as downloads.

Use it in two steps so that nothing touches the disk before the whole request is valid::

    prepared = [uploads.prepare(f) for f in files]        # UploadError -> show the message
    ...                                                   # the domain operation
    atts = uploads.store(prepared, complaint=c, followup=fu, user=u)
    with uploads.discard_on_error(atts):
        db.session.commit()
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.complaints.models import Attachment, Complaint, FollowUp
from portal.extensions import db
from portal.people.models import User

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: larger images are refused before decoding (decompression bombs)
MAX_PIXELS = 40_000_000
MAX_FILES = 5

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


class UploadError(ValueError):
    """A file that cannot be accepted; ``str(err)`` is a message for the uploader."""


@dataclass(frozen=True)
class PreparedUpload:
    """A validated, cleaned file, not yet written."""

    original_name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def detect_type(data: bytes) -> str | None:
    """The content type from the magic bytes, or ``None`` when not PDF, JPEG or PNG."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def detect_image_type(data: bytes) -> str | None:
    """JPEG, PNG or WebP from the magic bytes (meeting photos also accept WebP), else ``None``."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    found = detect_type(data)
    return found if found in (JPEG, PNG) else None


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def clean_name(name: str | None, content_type: str) -> str:
    """A display name: no directories or control characters, and the extension of the real type."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = (stem or "lampiran")[:200]
    return f"{stem}.{EXTENSIONS[content_type]}"


def _clean_image(data: bytes, content_type: str) -> bytes:
    return clean_image(data, content_type).data


def clean_image(data: bytes, content_type: str | None = None, *, to: str | None = None, max_side: int | None = None,
                quality: int = 88) -> CleanImage:
    """The one image cleaner (attachments, meeting photos, photos embedded in the rakor PDF).

    Decodes fully with only the plugin of the detected type, and re-encodes without any metadata
    (EXIF/GPS, XMP, ICC, comments, text chunks); orientation is applied first. ``to``: the output type
    (JPEG or PNG; default the input's, WebP becoming JPEG), ``max_side``: downscale to fit.
    Raises :class:`UploadError` when the data is not a readable JPEG, PNG or WebP within the pixel limit.
    """
    content_type = content_type or detect_image_type(data)
    if content_type not in _PIL_FORMATS:
        raise UploadError(_l("Gambar rusak atau tidak dapat dibaca."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the plugin of the detected type may decode it (no other format, no plugin scan).
            formats = [_PIL_FORMATS[content_type]]
            with Image.open(io.BytesIO(data), formats=formats) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise UploadError(_l("Resolusi gambar terlalu besar."))
                probe.verify()
            with Image.open(io.BytesIO(data), formats=formats) as img:
                img.load()
                upright = ImageOps.exif_transpose(img)
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as err:
        raise UploadError(_l("Gambar rusak atau tidak dapat dibaca.")) from err
    # A fresh image carries pixels only: no EXIF/GPS, XMP, ICC profile, comments or text chunks.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if upright.mode == "P" and upright.getpalette():
        clean.putpalette(upright.getpalette())
    options = {}
    if "transparency" in upright.info and upright.mode in ("P", "L", "RGB"):
        options["transparency"] = upright.info["transparency"]  # pixels, not metadata
    if max_side:
        clean.thumbnail((max_side, max_side))
    out_type = to or (PNG if content_type == PNG else JPEG)
    out = io.BytesIO()
    if out_type == JPEG:
        if clean.mode not in ("L", "RGB", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=quality, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True, **options)
    return CleanImage(out.getvalue(), out_type, clean.width, clean.height)


#: page entries that carry authoring data (XMP, application private data) rather than the page itself
_PDF_PAGE_METADATA = ("/Metadata", "/PieceInfo", "/LastModified")


def _clean_pdf(data: bytes) -> bytes:
    """The PDF re-written page by page (pypdf): its document information (author, creator tool,
    dates …), XMP metadata, earlier incremental revisions, attachments and document-level scripts stay
    behind, as images lose their EXIF."""
    # A real PDF ends with an end-of-file marker near its end (incremental saves append more).
    if b"%%EOF" not in data[-2048:]:
        raise UploadError(_l("Berkas PDF rusak atau tidak lengkap."))
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about every small defect it repairs
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise UploadError(_l("Berkas PDF terkunci kata sandi; unggah versi tanpa kata sandi."))
            writer = PdfWriter()
            for page in reader.pages:
                added = writer.add_page(page)
                for key in _PDF_PAGE_METADATA:
                    added.pop(key, None)
            if not writer.pages:
                raise UploadError(_l("Berkas PDF rusak atau tidak lengkap."))
            writer.metadata = None  # no /Info at all (pypdf would add its own /Producer)
            out = io.BytesIO()
            writer.write(out)
    except UploadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise UploadError(_l("Berkas PDF rusak atau tidak lengkap.")) from exc
    return out.getvalue()


def prepare(file, *, limit: int | None = None) -> PreparedUpload:
    """Read, check and clean one uploaded file (a werkzeug ``FileStorage``)."""
    limit = limit or max_bytes()
    data = file.stream.read(limit + 1)
    if not data:
        raise UploadError(_l("Berkas %(name)s kosong.", name=file.filename or ""))
    if len(data) > limit:
        raise UploadError(_l("Berkas %(name)s melebihi %(mb)s MB.", name=file.filename or "",
                             mb=round(limit / 1024 / 1024, 1)))
    content_type = detect_type(data)
    if content_type is None:
        raise UploadError(_l("Berkas %(name)s bukan PDF, JPEG atau PNG.", name=file.filename or ""))
    data = _clean_pdf(data) if content_type == PDF else _clean_image(data, content_type)
    return PreparedUpload(clean_name(file.filename, content_type), content_type, data)


def prepare_all(files: Iterable) -> list[PreparedUpload]:
    """Every non-empty file field of a multi-file input; raises on the first bad one."""
    chosen = [f for f in files if f is not None and getattr(f, "filename", None)]
    if len(chosen) > MAX_FILES:
        raise UploadError(_l("Paling banyak %(n)s lampiran sekaligus.", n=MAX_FILES))
    return [prepare(f) for f in chosen]


def store(prepared: Iterable[PreparedUpload], *, complaint: Complaint, followup: FollowUp | None = None,
          user: User | None = None) -> list[Attachment]:
    """Write the files under random names and add their rows (flushed, not committed)."""
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[Attachment] = []
    try:
        for item in prepared:
            stored = f"{secrets.token_hex(16)}.{EXTENSIONS[item.content_type]}"
            path = folder / stored
            with open(path, "xb") as fh:  # never overwrite
                fh.write(item.data)
            att = Attachment(complaint=complaint, followup=followup, original_name=item.original_name,
                             stored_name=stored, content_type=item.content_type, size=len(item.data),
                             sha256=item.sha256, uploaded_by_id=user.id if user else None)
            db.session.add(att)
            rows.append(att)
    except BaseException:
        remove_files(rows)
        raise
    db.session.flush()
    return rows


def remove_files(attachments: Iterable[Attachment]) -> None:
    for att in attachments:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(upload_dir() / att.stored_name)


@contextlib.contextmanager
def discard_on_error(attachments: list[Attachment]) -> Iterator[None]:
    """Remove the written files when the commit (or anything in the block) fails."""
    try:
        yield
    except BaseException:
        remove_files(attachments)
        raise


def path_of(att: Attachment) -> Path:
    name = Path(att.stored_name).name  # stored names are ours, but never trust a path
    return upload_dir() / name


def send_attachment(att: Attachment) -> Response:
    """The file as a download that browsers will not sniff or render inline."""
    path = path_of(att)
    if not path.is_file():
        abort(404)
    resp = send_file(path, mimetype=att.content_type, as_attachment=True, download_name=att.original_name,
                     max_age=0, conditional=True, etag=att.sha256)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp

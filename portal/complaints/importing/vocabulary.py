"""The LAPOR! export's vocabulary: its columns, and the values of its coded columns.

Header names and coded values are matched case- and space-insensitively (:func:`header_key`); each
table maps every known spelling (LAPOR!'s own, older exports', common abbreviations) to the portal's
enum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.complaints.models import CHANNEL_LABELS, STATUS_LABELS, Channel, ComplaintType, Gender
from portal.core.i18n import indonesian


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("tracking_no", "ID Laporan", True),
    Column("submitted_at", "Tanggal Laporan", True),
    Column("title", "Judul"),
    Column("text", "Isi Laporan", True),
    Column("category", "Kategori"),
    Column("type", "Jenis"),
    Column("channel", "Sumber"),
    Column("status", "Status", True),
    Column("opd", "Instansi Tujuan"),
    Column("name", "Nama Pelapor"),
    Column("nik", "NIK"),
    Column("phone", "No HP"),
    Column("email", "Email Pelapor"),
    Column("gender", "Jenis Kelamin"),
    Column("has_disability", "Disabilitas"),
    Column("is_anonymous", "Anonim"),
    Column("is_confidential", "Rahasia"),
    Column("location", "Lokasi"),
    Column("verified_at", "Tanggal Verifikasi"),
    Column("dispatched_at", "Tanggal Disposisi"),
    Column("first_followup_at", "Tanggal Tindak Lanjut"),
    Column("finished_at", "Tanggal Selesai"),
    Column("followup", "Tindak Lanjut"),
    Column("rating", "Rating"),
    Column("solution_rating", "Rating Solusi"),
    Column("norm_days", "Batas Hari Kerja"),
)
LABELS = {c.key: c.label for c in COLUMNS}


def header_key(text: object) -> str:
    """Case- and space-insensitive form of a header or a coded value."""
    return " ".join(str(text if text is not None else "").replace("\ufeff", "").split()).lower()


BY_HEADER = {header_key(c.label): c for c in COLUMNS}

#: complaint columns the import mirrors (when their column is in the file)
MIRRORED = ("submitted_at", "title", "text", "type", "channel", "category_id", "status", "opd_id",
            "location", "is_anonymous", "is_confidential", "verified_at", "dispatched_at",
            "first_followup_at", "finished_at", "rating", "solution_rating")
#: file column -> complaint column, where they differ
COLUMN_OF = {"category": "category_id", "opd": "opd_id"}
REPORTER_FIELDS = ("name", "nik", "phone", "email", "gender", "has_disability")
DATE_FIELDS = ("submitted_at", "verified_at", "dispatched_at", "first_followup_at", "finished_at")
MAX_LENGTHS = {"tracking_no": 40, "title": 300, "location": 300, "name": 200}


def _coded(mapping: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for spelling, value in mapping.items():
        out[spelling] = value  # exact spellings first: the common case needs no folding
        out[header_key(spelling)] = value
        out[header_key(spelling).replace("-", " ")] = value
    return out


def lookup(table: dict[str, Any], value: str) -> Any:
    found = table.get(value)
    return found if found is not None else table.get(header_key(value))


STATUS_VALUES = _coded({**{indonesian(label): s for s, label in STATUS_LABELS.items()},
                        **{s.value.replace("_", " "): s for s in STATUS_LABELS}})
TYPE_VALUES = _coded({"Pengaduan": ComplaintType.PENGADUAN, "Aspirasi": ComplaintType.ASPIRASI,
                      "Permintaan Informasi": ComplaintType.PERMINTAAN_INFORMASI,
                      "Informasi": ComplaintType.PERMINTAAN_INFORMASI,
                      "permintaan_informasi": ComplaintType.PERMINTAAN_INFORMASI})
CHANNEL_VALUES = _coded({
    **{indonesian(label): ch for ch, label in CHANNEL_LABELS.items()},
    **{ch.value.replace("_", " "): ch for ch in CHANNEL_LABELS},
    "Web": Channel.WEBSITE, "Aplikasi": Channel.APLIKASI_MOBILE, "Mobile": Channel.APLIKASI_MOBILE,
    "Android": Channel.APLIKASI_MOBILE, "iOS": Channel.APLIKASI_MOBILE, "SMS 1708": Channel.SMS,
    "Medsos": Channel.MEDIA_SOSIAL, "Twitter": Channel.MEDIA_SOSIAL, "X": Channel.MEDIA_SOSIAL,
    "Instagram": Channel.MEDIA_SOSIAL, "Facebook": Channel.MEDIA_SOSIAL, "E-mail": Channel.EMAIL,
    "Pos": Channel.SURAT, "Telpon": Channel.TELEPON, "Telp": Channel.TELEPON,
    "Langsung": Channel.TATAP_MUKA, "Datang Langsung": Channel.TATAP_MUKA, "Walk-in": Channel.TATAP_MUKA,
})
GENDER_VALUES = _coded({"L": Gender.L, "Laki-laki": Gender.L, "Laki laki": Gender.L, "Lakilaki": Gender.L,
                        "Pria": Gender.L, "P": Gender.P, "Perempuan": Gender.P, "Wanita": Gender.P})
YES_NO = _coded({"Ya": True, "Y": True, "Yes": True, "True": True, "1": True, "Benar": True,
                 "Tidak": False, "T": False, "Tdk": False, "No": False, "N": False, "False": False, "0": False})


"""The complaint service's standard (standar pelayanan, docs/DOMAIN.md §14 S2) in public, with live compliance.

Kominfo edits the text (Markdown, Indonesian and English); every publication is a new
:class:`ServiceStandard` row kept with its date, so the public sees the current text and every
earlier version. Beside the text, the share of complaints of the last 12 months that met the
three service times (verification and forwarding in 3 working days, first follow-up in 5,
completion within the norm), from the stored due dates and the working-day calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import orm

from portal.complaints.models import Complaint
from portal.core import cache
from portal.core.db import UTCDateTime, utcnow
from portal.core.render import render
from portal.core.timeutil import date_start_utc, today_wib, wib_date
from portal.extensions import db
from portal.people.models import User
from portal.public import bp
from portal.public.limits import public_limit


class ServiceStandard(db.Model):
    """One published version of the service standard's text."""

    __tablename__ = "service_standard"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: when this version was published (it is current until the next one)
    published_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow,
                                                             index=True)
    #: the text in Indonesian, Markdown (sanitised when rendered)
    body_id: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)
    #: the text in English, Markdown; empty = show the Indonesian text
    body_en: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    #: what changed, in a line (shown in the public list of versions)
    note: orm.Mapped[str] = orm.mapped_column(sa.String(300), nullable=False, default="")
    author_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)

    author: orm.Mapped[User | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<ServiceStandard {self.id} {self.published_at:%Y-%m-%d}>"

    def body(self, lang: str) -> str:
        return self.body_en if lang == "en" and self.body_en.strip() else self.body_id


#: the text before Kominfo publishes a version: the model decree's annex (docs/DOMAIN.md §14, S2)
DEFAULT_ID = """\
## Jenis pelayanan
Pengelolaan pengaduan pelayanan publik SP4N-LAPOR! (Layanan Aspirasi dan Pengaduan Online Rakyat).

## Persyaratan
1. Formulir pengaduan atau laporan melalui kanal LAPOR! (situs, aplikasi, SMS 1708, media sosial, surel,
   surat, telepon, tatap muka), dengan identitas pelapor (KTP/SIM/KTM) bila tidak memilih anonim.
2. Pencatatan pada buku registrasi dan berkas elektronik data pelapor.

## Prosedur
1. **Pelaporan.** Masyarakat menyampaikan laporan. Administrator memverifikasi kejelasan dan kelengkapannya
   lalu meneruskannya ke instansi/OPD yang berwenang **paling lambat 3 hari kerja** setelah laporan diterima.
2. **Tindak lanjut.** Laporan yang diteruskan dipublikasikan dan pelapor diberi tahu. OPD melakukan
   koordinasi internal dan merumuskan tindak lanjut **paling lambat 5 hari kerja**, lalu menyampaikannya
   kepada pelapor di halaman tindak lanjut laporan.
3. **Penutupan.** Laporan dianggap selesai bila sudah ada tindak lanjut dan telah berjalan **10 hari kerja**
   tanpa balasan dari pelapor maupun administrator.

## Waktu pelayanan
Verifikasi dan penerusan 3 hari kerja; tindak lanjut pertama 5 hari kerja; penyelesaian menurut jenisnya:
permintaan informasi dan permintaan normatif **5** hari kerja, pengaduan tanpa pemeriksaan lapangan **14** hari
kerja, pengaduan yang memerlukan pemeriksaan lapangan **60** hari kerja.

## Biaya/tarif
Gratis, tidak dipungut biaya.

## Produk pelayanan
Jawaban dan tindak lanjut atas pengaduan, aspirasi atau permintaan informasi, yang dapat dilacak dengan nomor
laporan.

## Pengaduan atas layanan pengaduan
Keluhan tentang layanan ini dapat disampaikan melalui Kotak SP4N-LAPOR! di loket pelayanan Diskominfo atau
sebagai laporan LAPOR! yang ditujukan kepada Diskominfo.

## Jaminan pelayanan dan keamanan
- Setiap pengaduan dijamin kerahasiaannya; pelapor dapat memilih **anonim** (identitas tidak diketahui, juga
  oleh OPD) atau **rahasia** (isi laporan tidak dipublikasikan).
- Ditangani oleh petugas yang berkompeten dan segera ditindaklanjuti oleh pejabat yang berwenang, dengan proses
  yang cepat, akurat, sistematis dan prosedural.

## Pengawasan
Kepala Dinas melakukan pengawasan secara berkala melalui rapat evaluasi; rapat koordinasi pengelola
SP4N-LAPOR! diadakan dua kali setahun; Ombudsman RI mengawasi pelaksanaannya.

## Evaluasi kinerja
Survei Kepuasan Masyarakat (SKM) yang berkelanjutan; hasilnya dipakai untuk perbaikan pelayanan.
"""

DEFAULT_EN = """\
## Service
Handling of public-service complaints through SP4N-LAPOR! (the citizens' online aspiration and complaint
service).

## Requirements
1. A complaint form or a report through a LAPOR! channel (website, app, SMS 1708, social media, email,
   letter, phone, walk-in), with the reporter's identity (ID card) unless they choose to be anonymous.
2. Registration in the log book and the electronic file of reporters.

## Procedure
1. **Report.** A citizen submits a report. The administrator verifies that it is clear and complete and
   forwards it to the competent agency **within 3 working days** of receipt.
2. **Follow-up.** Forwarded reports are published and the reporter is notified. The agency coordinates
   internally and drafts its follow-up **within 5 working days**, then answers the reporter on the report's
   follow-up page.
3. **Closure.** A report counts as finished once it has a follow-up and **10 working days** have passed
   without a reply from the reporter or the administrator.

## Service times
Verification and forwarding 3 working days; first follow-up 5 working days; completion by kind: information
and normative requests **5** working days, complaints needing no field inspection **14**, complaints needing a
field inspection **60** working days.

## Cost
Free of charge.

## Product
An answer and follow-up to the complaint, aspiration or information request, traceable by its report number.

## Complaints about the complaint service
Complaints about this service can be put in the SP4N-LAPOR! box at Diskominfo's service desk or submitted as a
LAPOR! report addressed to Diskominfo.

## Guarantees
- Every complaint is kept confidential; reporters may choose to be **anonymous** (identity hidden, even from
  the agency) or **confidential** (the report's content is not published).
- Handled by competent staff and followed up promptly by the responsible officials, quickly, accurately,
  systematically and by the procedure.

## Supervision
The Head of the agency supervises periodically through evaluation meetings; the SP4N-LAPOR! coordination
meeting is held twice a year; the Ombudsman of the Republic of Indonesia oversees the service.

## Performance evaluation
A continuous public satisfaction survey (SKM); its results feed improvements of the service.
"""


def current() -> ServiceStandard | None:
    return db.session.scalar(sa.select(ServiceStandard)
                             .order_by(ServiceStandard.published_at.desc(), ServiceStandard.id.desc()).limit(1))


def versions() -> list[ServiceStandard]:
    return list(db.session.scalars(sa.select(ServiceStandard)
                                   .order_by(ServiceStandard.published_at.desc(), ServiceStandard.id.desc())))


def publish(body_id: str, body_en: str, note: str, author: User | None) -> ServiceStandard:
    """A new version, current from now; earlier ones stay. Only flushes."""
    row = ServiceStandard(body_id=body_id.strip(), body_en=(body_en or "").strip(), note=(note or "").strip(),
                          author=author, published_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def render_markdown(text: str) -> Markup:
    """Staff-written Markdown as safe HTML, through the codebase's one sanitiser (nh3).

    Headings move one level down (``##`` → ``<h3>``): the text sits under the page's own ``<h2>``.
    """
    from portal.core.markdown import markdown_html

    return markdown_html(text, shift_headings=True)


# --- compliance ----------------------------------------------------------------------------------

#: the three service times measured, with the deadline key of :func:`operations.deadlines`
MEASURES = ("verifikasi", "tindak_lanjut", "selesai")


def compliance(today: dt.date | None = None) -> dict:
    """Share of the last 12 months' complaints (by submission) that met each service time.

    A complaint counts for a service time once it is decided: done on time (``met``), done late
    (``missed``), or not done and past its due day (``overdue``); one still within its time, or
    closed without that stage (archived or postponed before forwarding), does not count.
    """
    from portal.complaints.operations import deadlines
    from portal.core.workdays import get_calendar

    today = today or today_wib()
    start = today - dt.timedelta(days=364)
    cal = get_calendar()
    counts: dict[str, dict[str, Any]] = {k: {"met": 0, "total": 0} for k in MEASURES}
    q = (sa.select(Complaint).where(Complaint.submitted_at >= date_start_utc(start),
                                    Complaint.submitted_at < date_start_utc(today + dt.timedelta(days=1)))
         .options(orm.load_only(Complaint.status, Complaint.submitted_at, Complaint.verified_at,
                                Complaint.dispatched_at, Complaint.first_followup_at, Complaint.finished_at,
                                Complaint.due_date, Complaint.norm_days, raiseload=True))
         .execution_options(yield_per=500))
    for c in db.session.scalars(q):
        for d in deadlines(c, today, cal):
            if d["state"] in ("met", "missed", "overdue"):
                counts[d["key"]]["total"] += 1
                counts[d["key"]]["met"] += d["state"] == "met"
    for v in counts.values():
        v["share"] = round(100 * v["met"] / v["total"], 1) if v["total"] else None
    return {"from": start.isoformat(), "to": today.isoformat(), **counts}


def cached_compliance() -> dict:
    from portal.public.queries import agg_ttl

    today = today_wib()
    return cache.cached(f"pub:standard:compliance:{today}", agg_ttl(), lambda: compliance(today))


# --- public pages --------------------------------------------------------------------------------

def _lang() -> str:
    return str(get_locale() or "id")


@bp.get("/standar-layanan")
@public_limit
def standard():
    row = current()
    lang = _lang()
    text = row.body(lang) if row else (DEFAULT_EN if lang == "en" else DEFAULT_ID)
    return render("public/standard.html", row=row, body=render_markdown(text), c=cached_compliance(),
                  versions=versions(), wib_date=wib_date)


@bp.get("/standar-layanan/versi/<int:version_id>")
@public_limit
def standard_version(version_id: int):
    row = db.session.get(ServiceStandard, version_id)
    if row is None:
        abort(404)
    return render("public/standard_version.html", row=row, body=render_markdown(row.body(_lang())),
                  is_current=current() is row)

"""Forwarding out (no wrong door): a complaint outside the province's authority goes to the competent
instansi — a kabupaten/kota, the national admin, the Ombudsman, a vertical agency, a state company
(docs/DOMAIN.md §5) — instead of being archived.

Diteruskan is a terminal status of its own: the complaint leaves the province's queues and its Total
(like Arsip), is counted apart as "Diteruskan", and its public page, the API (``forwarded_to``) and
Open311 (closed, with the destination in ``status_notes``) say where it went. Reopening it (a mistake)
brings it back to Belum Terverifikasi; the events keep the history.

Operations only ``flush()``; the request commits.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.complaints import lapor_sync
from portal.complaints import operations as ops
from portal.complaints.lapor_sync import SyncKind
from portal.complaints.models import Complaint, Instansi, Status
from portal.core.db import utcnow
from portal.core.timeutil import date_start_utc, today_wib, wib_date
from portal.extensions import db
from portal.people.models import User

#: where an out-of-authority complaint may come from: not yet forwarded to an OPD, returned by one
#: (bukan kewenangan), dispatched but without a follow-up yet, or postponed
FORWARDABLE = (Status.BELUM_TERVERIFIKASI, Status.BELUM_DITINDAKLANJUTI, Status.TUNDA)

KINDS = {
    "kabupaten_kota": "Kabupaten/kota",
    "nasional": "Admin nasional",
    "ombudsman": "Ombudsman",
    "vertikal": "Instansi vertikal",
    "bumn": "BUMN / badan",
    "lainnya": "Lainnya",
}

#: the list the migration and the demo data seed: Banten's regencies and cities, the national admin,
#: the regional Ombudsman and the vertical agencies complaints most often belong to
DEFAULT_INSTANSI: tuple[tuple[str, str], ...] = (
    ("Kabupaten Pandeglang", "kabupaten_kota"),
    ("Kabupaten Lebak", "kabupaten_kota"),
    ("Kabupaten Tangerang", "kabupaten_kota"),
    ("Kabupaten Serang", "kabupaten_kota"),
    ("Kota Tangerang", "kabupaten_kota"),
    ("Kota Cilegon", "kabupaten_kota"),
    ("Kota Serang", "kabupaten_kota"),
    ("Kota Tangerang Selatan", "kabupaten_kota"),
    ("Admin Nasional SP4N-LAPOR! (KemenPANRB)", "nasional"),
    ("Ombudsman RI Perwakilan Banten", "ombudsman"),
    ("BPN / Kantor Pertanahan", "vertikal"),
    ("Kepolisian Daerah Banten", "vertikal"),
    ("PLN UID Banten", "bumn"),
    ("BPJS Kesehatan", "bumn"),
    ("BPJS Ketenagakerjaan", "bumn"),
    ("Kementerian Agama Kanwil Banten", "vertikal"),
    ("Balai Besar Pelaksanaan Jalan Nasional", "vertikal"),
)


def active_instansi() -> list[Instansi]:
    return list(db.session.scalars(sa.select(Instansi).where(Instansi.active.is_(True)).order_by(Instansi.name)))


def ensure_defaults() -> int:
    """Add the default entries that are missing (demo data, fresh installs); how many were added."""
    have = set(db.session.scalars(sa.select(Instansi.name)))
    added = 0
    for name, kind in DEFAULT_INSTANSI:
        if name not in have:
            db.session.add(Instansi(name=name, kind=kind))
            added += 1
    db.session.flush()
    return added


def can_forward(complaint: Complaint) -> bool:
    """Offered while no OPD has answered it: a complaint with a follow-up is the OPD's to return first."""
    return complaint.status in FORWARDABLE and complaint.first_followup_at is None


def forward(complaint: Complaint, actor: User | None, instansi: Instansi, reason: str, *,
            on: dt.date | None = None, note_public: bool = False) -> None:
    """Teruskan: hand a complaint outside the province's authority to ``instansi`` (status Diteruskan).

    ``on`` is the day it was forwarded (default today, never in the future nor before the report);
    the reason is internal unless ``note_public``; the destination itself is always public.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ops.TransitionError(_("alasan penerusan wajib diisi"))
    if not instansi.active:
        raise ops.TransitionError(_("%(name)s tidak aktif", name=instansi.name))
    if not can_forward(complaint):
        raise ops.TransitionError(_("%(status)s: tidak dapat diteruskan ke instansi lain",
                                    status=complaint.status.label))
    today = today_wib()
    day = on or today
    if day > today:
        raise ops.TransitionError(_("tanggal penerusan tidak boleh di masa depan"))
    if day < wib_date(complaint.submitted_at):
        raise ops.TransitionError(_("tanggal penerusan sebelum tanggal laporan"))
    now = utcnow()
    at = now if day == today else max(date_start_utc(day) + dt.timedelta(hours=12), complaint.submitted_at)
    old_opd = complaint.opd.code if complaint.opd else None
    changes = {"forwarded_to": [None, instansi.name]}
    if old_opd:
        changes["opd"] = [old_opd, None]
    if complaint.verified_at is None:
        # screening and forwarding are the admin's one step (docs/DOMAIN.md §4.2)
        complaint.verified_at = at
    ops._set_status(complaint, Status.DITERUSKAN, actor, note=reason, kind="forwarded", changes=changes,
                    at=at, note_public=note_public)
    complaint.forwarded_to = instansi
    complaint.forwarded_to_id = instansi.id
    complaint.forwarded_at = at
    complaint.status_reason = reason
    complaint.opd = None
    complaint.opd_id = None
    complaint.returned_at = None
    complaint.last_activity_at = now
    complaint.stage_due_date = None
    lapor_sync.note(complaint, SyncKind.DITERUSKAN, actor, status=Status.DITERUSKAN, detail=instansi.name, at=at)

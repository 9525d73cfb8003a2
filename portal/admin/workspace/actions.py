"""The Kominfo actions on a complaint (verify & forward, dispatch, postpone, archive, forward out, reopen,
reporter reply, finish): one function each, applied by the complaint page, the queue's inline panel and the
bulk bar alike. The bulk bar fills each row's form of the single action from its own fields and applies the
same function (by action key, never by a label). Functions only flush; the route commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.admin.workspace.forms import (
    ARCHIVE_REASONS,
    ActionForm,
    ArchiveForm,
    BulkForm,
    DispatchForm,
    ForwardForm,
    NoteForm,
    PostponeForm,
    ReplyForm,
    VerifyForm,
)
from portal.complaints import operations as ops
from portal.complaints.forwarding import can_forward
from portal.complaints.models import Category, Complaint, ComplaintType, PostponeReason, ReplyChannel, Status
from portal.core.db import utcnow
from portal.extensions import db
from portal.people.models import OPD, User

S = Status


@dataclass(frozen=True)
class Action:
    form: type[ActionForm]
    label: str
    apply: Callable[[Complaint, Any, User], str]
    #: statuses in which the action is offered (the operations module has the final word)
    offered: tuple[Status, ...]


def category_or_none(value: Any) -> Category | None:
    if not value:
        return None
    cat = db.session.get(Category, int(value))
    if cat is None or not cat.active:
        raise ops.TransitionError(_("Kategori tidak dikenal."))
    return cat


def opd_by_code(code: str | None) -> OPD:
    opd = db.session.scalar(sa.select(OPD).where(OPD.code == (code or "")))
    if opd is None:
        raise ops.TransitionError(_("OPD tidak dikenal."))
    return opd


def do_verify(c: Complaint, form: VerifyForm, actor: User) -> str:
    from portal.notifications import notify_dispatch

    opd = opd_by_code(form.opd.data)
    ops.verify(c, actor, type=ComplaintType(form.type.data), category=category_or_none(form.category.data),
               norm_days=int(form.norm.data) if form.norm.data else None, note=form.note.data or None, opd=opd,
               note_public=bool(form.public_note.data))
    notify_dispatch(c)
    return _("Laporan #%(no)s diverifikasi dan diteruskan ke %(opd)s.", no=c.tracking_no, opd=opd.name)


def do_dispatch(c: Complaint, form: DispatchForm, actor: User) -> str:
    from portal.notifications import notify_dispatch

    opd = opd_by_code(form.opd.data)
    ops.dispatch(c, actor, opd, note=form.note.data or None, note_public=bool(form.public_note.data))
    notify_dispatch(c)
    return _("Laporan #%(no)s didisposisikan ke %(opd)s.", no=c.tracking_no, opd=opd.name)


def do_postpone(c: Complaint, form: PostponeForm, actor: User) -> str:
    from portal.notifications import notify_postpone

    ops.postpone(c, actor, form.reason.data, kind=PostponeReason(form.kind.data),
                 note_public=bool(form.public_note.data))
    sent = notify_postpone(c, form.reason.data)
    if sent:
        return _("Laporan #%(no)s ditunda; alasan dikirim ke email pelapor.", no=c.tracking_no)
    return _("Laporan #%(no)s ditunda. Pelapor tidak mencantumkan email: sampaikan alasan melalui "
             "kanal %(ch)s.", no=c.tracking_no, ch=c.channel.label)


def do_reply(c: Complaint, form: ReplyForm, actor: User) -> str:
    from portal.complaints.replies import log_reporter_reply
    from portal.core.timeutil import date_start_utc

    at = None
    if form.received_on.data:
        # a day alone is that day's noon WIB, and never later than now
        at = min(date_start_utc(form.received_on.data) + dt.timedelta(hours=12), utcnow())
    log_reporter_reply(c, actor, ReplyChannel(form.via.data), form.text.data, received_at=at)
    return _("Tanggapan pelapor atas laporan #%(no)s dicatat; hitungan 10 hari kerja penutupan dimulai lagi.",
             no=c.tracking_no)


def do_archive(c: Complaint, form: ArchiveForm, actor: User) -> str:
    labels = dict(ARCHIVE_REASONS)
    reason = str(labels[form.reason.data])
    dup = None
    if form.reason.data == "duplikat":
        dup = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == form.duplicate_of.data))
        if dup is None:
            raise ops.TransitionError(_("Laporan #%(no)s tidak ditemukan.", no=form.duplicate_of.data))
        reason = f"{reason} #{dup.tracking_no}"
    if form.note.data:
        reason = f"{reason}: {form.note.data}"
    ops.archive(c, actor, reason, duplicate_of=dup, note_public=bool(form.public_note.data))
    return _("Laporan #%(no)s diarsipkan.", no=c.tracking_no)


def do_forward(c: Complaint, form: ForwardForm, actor: User) -> str:
    from portal.complaints.forwarding import forward
    from portal.complaints.models import Instansi

    inst = db.session.get(Instansi, int(form.instansi.data)) if str(form.instansi.data).isdigit() else None
    if inst is None:
        raise ops.TransitionError(_("Instansi tidak dikenal."))
    forward(c, actor, inst, form.reason.data, on=form.forwarded_on.data,
            note_public=bool(form.public_note.data))
    return _("Laporan #%(no)s diteruskan ke %(name)s.", no=c.tracking_no, name=inst.name)


def do_reopen(c: Complaint, form: NoteForm, actor: User) -> str:
    ops.reopen(c, actor, note=form.note.data or None, note_public=bool(form.public_note.data))
    return _("Laporan #%(no)s dibuka kembali.", no=c.tracking_no)


def do_finish(c: Complaint, form: NoteForm, actor: User) -> str:
    ops.finish(c, actor, note=form.note.data or None, note_public=bool(form.public_note.data))
    return _("Laporan #%(no)s ditutup sebagai selesai.", no=c.tracking_no)


ACTIONS: dict[str, Action] = {
    "verifikasi": Action(VerifyForm, "Verifikasi", do_verify, (S.BELUM_TERVERIFIKASI,)),
    # an unverified complaint is verified and forwarded in one action ("verifikasi")
    "disposisi": Action(DispatchForm, "Disposisi", do_dispatch,
                        (S.BELUM_DITINDAKLANJUTI, S.PROSES, S.TUNDA)),
    "tunda": Action(PostponeForm, "Tunda", do_postpone,
                    (S.BELUM_TERVERIFIKASI, S.BELUM_DITINDAKLANJUTI, S.PROSES)),
    "arsip": Action(ArchiveForm, "Arsipkan", do_archive,
                    (S.BELUM_TERVERIFIKASI, S.BELUM_DITINDAKLANJUTI, S.PROSES, S.TUNDA)),
    # out of the province's authority: forwarded, never archived (portal/complaints/forwarding.py)
    "teruskan": Action(ForwardForm, "Teruskan ke instansi lain", do_forward,
                       (S.BELUM_TERVERIFIKASI, S.BELUM_DITINDAKLANJUTI, S.TUNDA)),
    "buka": Action(NoteForm, "Buka kembali", do_reopen, (S.ARSIP, S.SELESAI, S.TUNDA, S.DITERUSKAN)),
    "tanggapan": Action(ReplyForm, "Catat tanggapan pelapor", do_reply,
                        (S.BELUM_DITINDAKLANJUTI, S.PROSES, S.SELESAI, S.TUNDA)),
    "selesai": Action(NoteForm, "Tutup selesai", do_finish, (S.BELUM_DITINDAKLANJUTI, S.PROSES)),
}


def offered_actions(c: Complaint) -> list[str]:
    out = [key for key, a in ACTIONS.items() if c.status in a.offered]
    if "selesai" in out and c.first_followup_at is None:
        out.remove("selesai")
    if "teruskan" in out and not can_forward(c):
        out.remove("teruskan")
    return out


# --- bulk ----------------------------------------------------------------------------------------

#: the bulk bar's actions -> the single actions they apply, row by row
BULK_ACTIONS = {"verify": "verifikasi", "dispatch": "disposisi", "postpone": "tunda", "archive": "arsip"}
#: minutes a bulk change can be undone
UNDO_MINUTES = 10


def row_form(key: str, bulk: BulkForm, c: Complaint | None = None) -> ActionForm:
    """The single action's form, filled from the bulk bar (for ``c``, or a sample to check the bar)."""
    data = {"version": str(c.version) if c else "1", "ctx": "queue"}
    match key:
        case "verifikasi":
            data |= {"type": c.type.value if c else ComplaintType.PENGADUAN.value, "opd": bulk.opd.data or ""}
        case "disposisi":
            data |= {"opd": bulk.opd.data or ""}
        case "tunda":
            data |= {"kind": PostponeReason.LAINNYA.value, "reason": bulk.reason.data or ""}
        case "arsip":
            data |= {"reason": bulk.archive_reason.data or "", "note": bulk.reason.data or ""}
    form = ACTIONS[key].form(formdata=MultiDict(data), meta={"csrf": False})
    form.validate()
    return form


def form_problem(key: str, form: ActionForm) -> str | None:
    """What is missing in the bulk bar for this action (in the UI language), else ``None``."""
    if form.errors:
        return "; ".join(f"{form[k].label.text}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
    if key == "arsip" and form.reason.data == "duplikat":
        return _("Duplikat diarsipkan satu per satu (isi ID laporan yang diduplikasi).")
    if key in ("verifikasi", "disposisi"):
        try:
            opd_by_code(form.opd.data)
        except ops.TransitionError as exc:
            return str(exc)
    return None


def _archive_reason(bulk: BulkForm) -> str:
    return str(dict(ARCHIVE_REASONS).get(bulk.archive_reason.data or "", ""))


def _target_opd(bulk: BulkForm) -> str:
    """The name of the OPD a bulk verify/dispatch sends to (its code when unknown)."""
    return db.session.scalar(sa.select(OPD.name).where(OPD.code == bulk.opd.data)) or bulk.opd.data


def bulk_summary(key: str, n: int, bulk: BulkForm) -> str:
    """What a bulk action did, in words ("12 laporan diarsipkan (alasan: …)")."""
    if key == "arsip":
        reason = _archive_reason(bulk)
        if bulk.reason.data:
            reason = f"{reason}: {bulk.reason.data}"
        return _("%(n)s laporan diarsipkan (alasan: %(r)s).", n=n, r=reason)
    if key == "tunda":
        return _("%(n)s laporan ditunda (alasan: %(r)s).", n=n, r=bulk.reason.data)
    opd = _target_opd(bulk)
    if key == "verifikasi":
        return _("%(n)s laporan diverifikasi dan diteruskan ke %(opd)s.", n=n, opd=opd)
    return _("%(n)s laporan didisposisikan ke %(opd)s.", n=n, opd=opd)


def bulk_intro(key: str, n: int, bulk: BulkForm) -> str:
    """The confirmation question for a bulk action."""
    if key == "arsip":
        reason = _archive_reason(bulk)
        return _("Arsipkan %(n)s laporan berikut dengan alasan \u201c%(r)s\u201d?", n=n, r=reason)
    if key == "tunda":
        return _("Tunda %(n)s laporan berikut dengan alasan \u201c%(r)s\u201d?", n=n, r=bulk.reason.data)
    opd = _target_opd(bulk)
    if key == "verifikasi":
        return _("Verifikasi dan teruskan %(n)s laporan berikut ke %(opd)s?", n=n, opd=opd)
    return _("Disposisikan %(n)s laporan berikut ke %(opd)s?", n=n, opd=opd)

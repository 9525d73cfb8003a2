"""Reporter replies received outside LAPOR! (phone, letter, e-mail …), logged by staff.

A reply is a ``reporter_reply`` event on the complaint (monitoring indicator 11 counts the
complaints that have one) and counts as activity: it restarts the 10-working-day closure clock
(``last_activity_at``, see ``portal/complaints/daily.py``). Operations only ``flush()``.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from portal.complaints.models import Complaint, ComplaintEvent, ReplyChannel, Status
from portal.complaints.operations import TransitionError, record_event
from portal.core.db import utcnow
from portal.people.models import User

#: the event kind indicator 11 counts
REPLY_KIND = "reporter_reply"


def log_reporter_reply(complaint: Complaint, actor: User, via: ReplyChannel, text: str,
                       received_at: dt.datetime | None = None) -> ComplaintEvent:
    """Record that the reporter answered (by ``via``) and restart the closure clock.

    The note is internal (it may quote the reporter); the event is not public.
    """
    text = (text or "").strip()
    if not text:
        raise TransitionError(_("isi tanggapan pelapor wajib diisi"))
    if complaint.status == Status.ARSIP:
        raise TransitionError(_("laporan yang diarsipkan tidak menerima tanggapan"))
    now = utcnow()
    at = received_at or now
    if at > now:
        raise TransitionError(_("waktu tanggapan tidak boleh di masa depan"))
    if at < complaint.submitted_at:
        raise TransitionError(_("waktu tanggapan sebelum laporan masuk"))
    event = record_event(complaint, REPLY_KIND, actor, changes={"via": via.value}, note=text, at=at)
    if complaint.last_activity_at is None or at > complaint.last_activity_at:
        complaint.last_activity_at = at
    # a change to a frozen report's source must show: bump updated_at (and the version) even when
    # the reply is older than the last activity
    complaint.updated_at = now
    return event

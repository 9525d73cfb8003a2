"""Kotak keluar: the e-mails the portal queued and sent, read-only, for Kominfo.

A demo (or an operator checking an SMTP outage) sees what would go out: subject, recipient, kind,
status and time, and each message's text with its attachments' names. Nothing here changes a row.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, request
from sqlalchemy import orm

from portal.admin import bp
from portal.core.auth import role_required
from portal.core.models import OutboxMessage
from portal.core.render import render
from portal.extensions import db
from portal.people.models import Role

PER_PAGE = 50
STATUSES = ("pending", "sent", "failed")


@bp.get("/kotak-keluar")
@role_required(Role.KOMINFO)
def outbox():
    status = request.args.get("status", "")
    kind = request.args.get("jenis", "")
    page = max(request.args.get("hal", 1, type=int) or 1, 1)
    q = sa.select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status in STATUSES:
        q = q.where(OutboxMessage.status == status)
    if kind:
        q = q.where(OutboxMessage.kind == kind[:32])
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.order_by(None).subquery()))
    rows = db.session.scalars(q.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    kinds = db.session.scalars(sa.select(OutboxMessage.kind).distinct().order_by(OutboxMessage.kind)).all()
    return render("admin/settings/outbox.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                  status_filter=status, kind=kind, kinds=kinds, statuses=STATUSES)


@bp.get("/kotak-keluar/<int:message_id>")
@role_required(Role.KOMINFO)
def outbox_message(message_id: int):
    msg = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.id == message_id)
                            .options(orm.selectinload(OutboxMessage.attachments)))
    if msg is None:
        abort(404)
    return render("admin/settings/outbox_message.html", msg=msg)

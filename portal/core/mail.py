"""Outgoing e-mail through the outbox table: queued in the request's transaction, sent later.

``queue_email`` only adds rows (the caller's commit makes them durable, together with the change
that caused them). ``send_pending`` delivers due messages over SMTP and retries failures with
back-off, so an SMTP outage loses nothing. Run it from the ``outbox send`` CLI command (cron,
or an RQ job when Redis is present).
"""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from portal.core.db import utcnow
from portal.core.models import OutboxAttachment, OutboxMessage
from portal.extensions import db

MAX_ATTEMPTS = 8


def queue_email(to: str, subject: str, body_text: str, *, kind: str, body_html: str | None = None,
                attachments: list[tuple[str, str, bytes]] | None = None) -> OutboxMessage:
    """Add a message to the outbox (flushed, not committed)."""
    msg = OutboxMessage(kind=kind, to_addr=to, subject=subject[:300], body_text=body_text, body_html=body_html,
                        status="pending", next_attempt_at=utcnow())
    for filename, content_type, data in attachments or []:
        msg.attachments.append(OutboxAttachment(filename=filename, content_type=content_type, data=data))
    db.session.add(msg)
    db.session.flush()
    return msg


def _build(msg: OutboxMessage) -> EmailMessage:
    em = EmailMessage()
    em["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    em["To"] = msg.to_addr
    em["Subject"] = msg.subject
    em["Message-ID"] = f"<outbox-{msg.id}@{current_app.config['MAIL_DEFAULT_SENDER'].split('@')[-1]}>"
    em.set_content(msg.body_text)
    if msg.body_html:
        em.add_alternative(msg.body_html, subtype="html")
    for att in msg.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        if att.content_type.startswith("text/calendar"):
            method = "CANCEL" if "method=cancel" in att.content_type.lower().replace(" ", "") else "REQUEST"
            em.add_attachment(att.data, maintype="text", subtype="calendar", filename=att.filename,
                              params={"method": method})
        else:
            em.add_attachment(att.data, maintype=maintype, subtype=subtype or "octet-stream",
                              filename=att.filename)
    return em


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** attempts, 240))


def send_pending(limit: int = 200) -> dict[str, int]:
    """Send due messages; each outcome is committed on its own so a crash loses nothing."""
    cfg = current_app.config
    sent = failed = 0
    if not cfg.get("MAIL_ENABLED", True):
        return {"sent": 0, "failed": 0}
    ids = db.session.scalars(
        sa.select(OutboxMessage.id).where(OutboxMessage.status == "pending",
                                          OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    smtp = None
    try:
        for mid in ids:
            msg = db.session.get(OutboxMessage, mid)
            try:
                if smtp is None:
                    smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10)
                    if cfg.get("MAIL_USE_TLS"):
                        smtp.starttls()
                    if cfg.get("MAIL_USERNAME"):
                        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
                smtp.send_message(_build(msg))
                msg.status = "sent"
                msg.sent_at = utcnow()
                msg.attempts += 1
                sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                msg.attempts += 1
                msg.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                msg.next_attempt_at = utcnow() + backoff(msg.attempts)
                if msg.attempts >= MAX_ATTEMPTS:
                    msg.status = "failed"
                failed += 1
                smtp = None
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                current_app.logger.info("smtp quit failed")
    return {"sent": sent, "failed": failed}

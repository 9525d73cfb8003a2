"""A real SMTP server (aiosmtpd) on a free loopback port for the notification tests."""

from __future__ import annotations

import socket

import pytest


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        msg = message_from_bytes(envelope.content, policy=default)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "msg": msg})
        return "250 OK"

    def to(self, address: str) -> list:
        return [m["msg"] for m in self.messages if address in m["to"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """Start aiosmtpd; point the app's mail settings at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_ENABLED=True, MAIL_USE_TLS=False,
                      MAIL_USERNAME=None)
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()

"""E-mail notifications of the complaint workflow, all through the outbox (:mod:`portal.core.mail`).

- :func:`notify_dispatch` — to the OPD's current liaisons when a complaint is dispatched to it;
- :func:`notify_postpone` — to the reporter (when they gave an e-mail) with the reason;
- :func:`queue_digests` — the daily digest of at-risk and overdue complaints to each OPD and Kominfo;
- :func:`queue_reminders` — a reminder to the liaisons before a deadline.

Messages never contain the reporter's personal data. Digests and reminders are idempotent per day:
running the daily job twice queues nothing new.
"""

from portal.notifications.service import (  # noqa: F401
    liaison_emails,
    notify_dispatch,
    notify_postpone,
    queue_digests,
    queue_reminders,
)

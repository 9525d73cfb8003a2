"""The administrative audit trail: one :class:`~portal.core.models.AuditLog` row per change, ``{field: [old, new]}``,
added to the session of the change (so it commits, or rolls back, with it)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from portal.core.models import AuditLog
from portal.extensions import db


def record(action: str, obj: Any, changes: dict[str, list[Any]] | None = None, actor: Any = None) -> AuditLog:
    """Log ``action`` (e.g. ``user.create``) on ``obj`` by ``actor`` (a user, or ``None`` for the command line)."""
    row = AuditLog(actor_id=getattr(actor, "id", None), action=action, object_type=obj.__tablename__,
                   object_id=str(getattr(obj, "id", None) or getattr(obj, "key", "")), changes=changes or {})
    db.session.add(row)
    return row


def apply(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on ``obj``; return what changed, JSON-ready (dates as ISO text, enums as values)."""
    out = {}
    for key, new in values.items():
        old = getattr(obj, key)
        if old != new:
            setattr(obj, key, new)
            out[key] = [plain(old), plain(new)]
    return out


def plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value

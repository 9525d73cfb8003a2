"""The rakor's calendar files read by parsers independent of the one that writes them (icalendar):
``vobject`` and ``ics`` (docs/INTERFACES.md). Invitation (REQUEST), reschedule (same UID, next SEQUENCE) and
cancellation (METHOD:CANCEL, STATUS:CANCELLED), from the outbox and from the download link."""

from __future__ import annotations

import datetime as dt

import ics
import vobject

from portal.core.models import OutboxMessage
from portal.extensions import db
from portal.meetings import services as svc
from tests.meetings.test_routes import login

WIB = dt.timezone(dt.timedelta(hours=7))


def _sent(rakor):
    invs = svc.invite(rakor.meeting, [rakor.busy.id, rakor.weak.id])
    for inv in invs:
        inv.sent_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    return [i for i in invs if i.email]


def _outbox_ics(kind: str, to: str) -> str:
    msg = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == kind,
                                                            OutboxMessage.to_addr == to)).one()
    return next(a for a in msg.attachments if a.filename.endswith(".ics")).data.decode()


def _both(text: str) -> dict:
    """The same facts read by vobject and by ics; they must agree."""
    v = vobject.readOne(text)
    ev = v.vevent
    c = ics.Calendar(text)
    (e,) = c.events
    seq = [line.value for line in e.extra if line.name == "SEQUENCE"]
    facts = {
        "method": v.method.value, "uid": ev.uid.value, "sequence": int(ev.sequence.value),
        "start": ev.dtstart.value, "end": ev.dtend.value, "summary": ev.summary.value,
        "status": ev.status.value, "location": ev.location.value, "description": ev.description.value,
        "organizer": ev.organizer.value, "attendees": [a.value for a in ev.contents.get("attendee", [])],
    }
    assert c.method == facts["method"]
    assert e.uid == facts["uid"] and int(seq[0]) == facts["sequence"]
    assert e.begin.datetime == facts["start"] and e.end.datetime == facts["end"]
    assert e.name == facts["summary"] and e.status == facts["status"] and e.location == facts["location"]
    assert e.description == facts["description"]
    assert sorted(f"mailto:{a.email}" for a in e.attendees) == sorted(facts["attendees"])
    assert v.vtimezone is not None  # the zone travels with the event
    return facts


def test_invitation_download_parses_with_vobject_and_ics(client, rakor):
    invs = _sent(rakor)
    m = rakor.meeting
    login(client, rakor.kominfo)
    resp = client.get(f"/rapat/{m.id}/undangan/{invs[0].id}/rakor.ics")
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    f = _both(resp.get_data(as_text=True))
    assert f["method"] == "REQUEST" and f["status"] == "CONFIRMED" and f["sequence"] == 0
    assert f["uid"] == f"rakor-{m.id}-undangan-{invs[0].id}@{f['uid'].split('@')[1]}"
    assert f["start"] == m.starts_at and f["start"].utcoffset() == dt.timedelta(hours=7)
    assert f["end"] == m.ends_at and f["summary"] == m.title
    assert f["attendees"] == [f"mailto:{invs[0].email}"] and f["organizer"].startswith("mailto:")
    assert svc.format_code(invs[0].code) in f["description"]


def test_reschedule_and_cancel_parse_with_vobject_and_ics(client, rakor):
    invs = _sent(rakor)
    m = rakor.meeting
    login(client, rakor.kominfo)
    first = _both(client.get(f"/rapat/{m.id}/undangan/{invs[0].id}/rakor.ics").get_data(as_text=True))
    form = {"title": m.title, "date": "2099-03-18", "start": "09:00", "end": "13:00", "venue": m.venue,
            "mode": "tatap_muka", "period_start": m.period_start.isoformat(), "period_end": m.period_end.isoformat(),
            "reminder_days": "2"}
    assert client.post(f"/rapat/{m.id}/ubah", data=form).status_code == 303
    moved = _both(_outbox_ics("reschedule", invs[0].email))
    assert (moved["method"], moved["uid"], moved["sequence"]) == ("REQUEST", first["uid"], 1)
    assert moved["start"] == dt.datetime(2099, 3, 18, 9, tzinfo=WIB)
    assert moved["end"] == dt.datetime(2099, 3, 18, 13, tzinfo=WIB)
    assert client.post(f"/rapat/{m.id}/batal", data={"reason": "Bertepatan dengan agenda Gubernur."}
                       ).status_code == 303
    for inv in invs:
        gone = _both(_outbox_ics("cancellation", inv.email))
        assert (gone["method"], gone["status"], gone["sequence"]) == ("CANCEL", "CANCELLED", 2)
        assert gone["uid"].startswith(f"rakor-{m.id}-undangan-{inv.id}@")
        assert gone["start"] == moved["start"]

"""The action functions (portal.admin.workspace.actions): the bulk bar applies the single action's own
function to a form filled from its fields, keyed by action, never by a (translated) label."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.admin.workspace import actions
from portal.admin.workspace.forms import BulkForm
from portal.complaints.models import ComplaintEvent, Status
from portal.extensions import db


def _bulk(app, **data) -> BulkForm:
    with app.test_request_context():
        form = BulkForm(formdata=MultiDict(data), meta={"csrf": False})
        form.opd.choices = [("DPUPR", "DPUPR")]
        return form


def test_every_bulk_action_is_a_single_action():
    assert set(actions.BULK_ACTIONS.values()) <= set(actions.ACTIONS)
    assert all(callable(actions.ACTIONS[k].apply) for k in actions.BULK_ACTIONS.values())


def test_bulk_row_form_goes_through_the_single_archive_function(app, world, make):
    c = make.complaint(status="belum_terverifikasi")
    bulk = _bulk(app, action="archive", archive_reason="tidak_jelas", reason="tanpa lokasi")
    with app.test_request_context():
        form = actions.row_form("arsip", bulk, c)
        assert actions.form_problem("arsip", form) is None
        message = actions.ACTIONS["arsip"].apply(c, form, world.kominfo)
    assert c.status == Status.ARSIP and c.tracking_no in message
    event = db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id)).all()[-1]
    assert event.actor_id == world.kominfo.id and event.to_status == Status.ARSIP
    assert "tanpa lokasi" in (event.note or "")


def test_bulk_bar_missing_fields_are_reported_per_action(app, world, make):
    bulk = _bulk(app, action="dispatch", opd="NOPE")
    with app.test_request_context():
        assert actions.form_problem("disposisi", actions.row_form("disposisi", bulk)) == "OPD tidak dikenal."
        dup = _bulk(app, action="archive", archive_reason="duplikat")
        assert actions.form_problem("arsip", actions.row_form("arsip", dup))

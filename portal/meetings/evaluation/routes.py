"""Kominfo pages of the SK Tim Koordinasi register and the rencana aksi. Leadership and the
Ombudsman read them; only Kominfo changes them (POST with CSRF, one commit per request)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.auth import role_required
from portal.core.render import render
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.meetings import bp
from portal.meetings.evaluation import operations as ev
from portal.meetings.evaluation.forms import EmptyForm, ItemForm, MemberForm, PlanForm, ProgressForm, SkForm
from portal.meetings.evaluation.models import RencanaAksi, RencanaAksiItem, SkTim, SkTimMember, TeamRole
from portal.people.models import OPD, Role

READERS = (Role.KOMINFO, Role.PIMPINAN, Role.OMBUDSMAN)


def _opd_choices() -> list[tuple[str, str]]:
    opds = db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)).order_by(OPD.name))
    return [("", "—"), *((str(o.id), o.name) for o in opds)]


def _opd(value: str | None) -> OPD | None:
    return db.session.get(OPD, int(value)) if value and value.isdigit() else None


def _done(endpoint: str, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint), code=303)


def _refused(endpoint: str, message: str):
    db.session.rollback()
    flash(message, "error")
    return redirect(url_for(endpoint), code=303)


@bp.get("/sk-tim")
@role_required(*READERS)
def sk_register():
    today = today_wib()
    decrees = db.session.scalars(sa.select(SkTim).order_by(SkTim.decree_date.desc(), SkTim.id.desc())).all()
    current = ev.current_sk(today)
    member_form = MemberForm()
    member_form.opd.choices = _opd_choices()
    return render("meetings/evaluation/sk_register.html", decrees=decrees, current=current,
                  handovers=ev.handovers_since(current.decree_date, today) if current else [],
                  form=SkForm(), member_form=member_form, empty=EmptyForm(),
                  may_write=current_user.role == Role.KOMINFO)


@bp.post("/sk-tim")
@role_required(Role.KOMINFO)
def sk_create():
    form = SkForm()
    if not form.validate_on_submit():
        return _refused("meetings.sk_register", _("Data SK belum lengkap atau tidak sah."))
    try:
        ev.create_sk(number=form.number.data, title=form.title.data, decree_date=form.decree_date.data,
                     issuer=form.issuer.data, valid_from=form.valid_from.data, valid_to=form.valid_to.data,
                     user=current_user)
    except ev.EvaluationError as exc:
        return _refused("meetings.sk_register", str(exc))
    return _done("meetings.sk_register", _("SK Tim Koordinasi dicatat."))


@bp.post("/sk-tim/<int:sk_id>/anggota")
@role_required(Role.KOMINFO)
def sk_member_add(sk_id: int):
    sk = db.session.get(SkTim, sk_id) or abort(404)
    form = MemberForm()
    form.opd.choices = _opd_choices()
    if not form.validate_on_submit():
        return _refused("meetings.sk_register", _("Data anggota belum lengkap."))
    try:
        ev.add_member(sk, role=TeamRole(form.role.data), name=form.name.data, position=form.position.data,
                      opd=_opd(form.opd.data), user=current_user)
    except ev.EvaluationError as exc:
        return _refused("meetings.sk_register", str(exc))
    return _done("meetings.sk_register", _("Anggota tim ditambahkan."))


@bp.post("/sk-tim/anggota/<int:member_id>/hapus")
@role_required(Role.KOMINFO)
def sk_member_remove(member_id: int):
    member = db.session.get(SkTimMember, member_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ev.remove_member(member, current_user)
    return _done("meetings.sk_register", _("Anggota tim dihapus."))


@bp.get("/rencana-aksi")
@role_required(*READERS)
def rencana_aksi():
    today = today_wib()
    plans = db.session.scalars(sa.select(RencanaAksi).order_by(RencanaAksi.year.desc())).all()
    item_form = ItemForm()
    item_form.owner.choices = [("", _("Admin Instansi (Diskominfo)")), *_opd_choices()[1:]]
    return render("meetings/evaluation/rencana_aksi.html", plans=plans, today=today,
                  states={p.id: ev.plan_status(p, today) for p in plans},
                  form=PlanForm(year=today.year), item_form=item_form, progress_form=ProgressForm(),
                  may_write=current_user.role == Role.KOMINFO)


@bp.post("/rencana-aksi")
@role_required(Role.KOMINFO)
def rencana_aksi_create():
    form = PlanForm()
    if not form.validate_on_submit():
        return _refused("meetings.rencana_aksi", _("Data rencana aksi belum lengkap."))
    try:
        ev.create_plan(year=form.year.data, title=form.title.data, adopted_on=form.adopted_on.data)
    except ev.EvaluationError as exc:
        return _refused("meetings.rencana_aksi", str(exc))
    return _done("meetings.rencana_aksi", _("Rencana aksi dibuat."))


@bp.post("/rencana-aksi/<int:plan_id>/kegiatan")
@role_required(Role.KOMINFO)
def rencana_aksi_item_add(plan_id: int):
    plan = db.session.get(RencanaAksi, plan_id) or abort(404)
    form = ItemForm()
    if not form.validate_on_submit():
        return _refused("meetings.rencana_aksi", _("Data kegiatan belum lengkap."))
    try:
        ev.add_item(plan, title=form.title.data, due_date=form.due_date.data, owner=_opd(form.owner.data))
    except ev.EvaluationError as exc:
        return _refused("meetings.rencana_aksi", str(exc))
    return _done("meetings.rencana_aksi", _("Kegiatan ditambahkan."))


@bp.post("/rencana-aksi/kegiatan/<int:item_id>/kemajuan")
@role_required(Role.KOMINFO)
def rencana_aksi_progress(item_id: int):
    item = db.session.get(RencanaAksiItem, item_id) or abort(404)
    form = ProgressForm()
    if not form.validate_on_submit():
        return _refused("meetings.rencana_aksi", _("Kemajuan harus 0–100 %."))
    try:
        ev.record_progress(item, form.progress.data, form.note.data, today_wib())
    except ev.EvaluationError as exc:
        return _refused("meetings.rencana_aksi", str(exc))
    return _done("meetings.rencana_aksi", _("Kemajuan kegiatan dicatat."))

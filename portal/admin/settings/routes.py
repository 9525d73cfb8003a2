"""People and settings (Kominfo only): OPDs, users, liaison roster with handover, categories, holidays.

Every change writes an :class:`~portal.core.models.AuditLog` row ``{field: [old, new]}`` in the
same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import orm

from portal.admin import bp
from portal.admin.workspace.forms import CategoryForm, HandoverForm, HolidayForm, OPDForm, PasswordResetForm, UserForm
from portal.auth import throttle
from portal.auth.forms import EmptyForm
from portal.complaints.models import Category, Complaint, Status
from portal.core import audit as audit_log
from portal.core import passwords, workdays
from portal.core.auth import role_required
from portal.core.i18n import tanggal
from portal.core.models import AuditLog, HolidayOverride
from portal.core.render import render
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.people import PeopleError, liaisons
from portal.people.accounts import create_user
from portal.people.liaisons import current_liaisons_by_opd, open_terms
from portal.people.models import OPD, Liaison, Role, User


def audit(action: str, obj: Any, changes: dict[str, list[Any]] | None = None) -> AuditLog:
    """An audit row by the signed-in user (:func:`portal.core.audit.record`)."""
    return audit_log.record(action, obj, changes, actor=current_user)


#: apply values to an object and return what changed, JSON-ready
_diff = audit_log.apply


def _opd_choices(exclude: int | None = None) -> list[tuple[str, str]]:
    opds = db.session.scalars(sa.select(OPD).order_by(OPD.name)).all()
    return [("", "—")] + [(str(o.id), f"{o.name} ({o.code})") for o in opds if o.id != exclude]


@bp.get("/pengaturan")
@role_required(Role.KOMINFO)
def settings():
    counts = {
        "opd": db.session.scalar(sa.select(sa.func.count()).select_from(OPD)),
        "user": db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.active.is_(True))),
        "category": db.session.scalar(sa.select(sa.func.count()).select_from(Category)),
        "holiday": db.session.scalar(sa.select(sa.func.count()).select_from(HolidayOverride)),
    }
    recent = db.session.scalars(sa.select(AuditLog).options(orm.joinedload(AuditLog.actor))
                                .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(20)).all()
    return render("admin/settings/index.html", counts=counts, recent=recent)


# --- OPDs ----------------------------------------------------------------------------------------

def _opd_tree() -> list[tuple[OPD, int]]:
    opds = db.session.scalars(sa.select(OPD).order_by(OPD.name)).all()
    by_parent: dict[int | None, list[OPD]] = {}
    for o in opds:
        by_parent.setdefault(o.parent_id, []).append(o)
    out: list[tuple[OPD, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for o in by_parent.get(parent, []):
            out.append((o, depth))
            walk(o.id, depth + 1)

    walk(None, 0)
    return out


def _opd_values(form: OPDForm) -> dict[str, Any]:
    return {"code": form.code.data, "name": form.name.data,
            "parent_id": int(form.parent.data) if form.parent.data else None,
            "aliases": [a.strip() for a in (form.aliases.data or "").split(",") if a.strip()],
            "email": form.email.data or None, "active": bool(form.active.data)}


@bp.route("/pengaturan/opd", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def people_opds():
    form = OPDForm()
    form.parent.choices = _opd_choices()
    status = 200
    if form.validate_on_submit():
        if db.session.scalar(sa.select(OPD).where(OPD.code == form.code.data)):
            form.code.errors.append(_("Kode sudah dipakai."))
        else:
            opd = OPD(code=form.code.data, name=form.name.data)
            db.session.add(opd)
            changes = _diff(opd, _opd_values(form))
            db.session.flush()
            audit("opd.create", opd, changes)
            db.session.commit()
            flash(_("OPD %(c)s ditambahkan.", c=opd.code), "success")
            return redirect(url_for("admin.people_opds"), code=303)
    if request.method == "POST":
        status = 422
    return render("admin/settings/opds.html", form=form, tree=_opd_tree(), liaisons=current_liaisons_by_opd(),
                  status=status)


@bp.route("/pengaturan/opd/<int:opd_id>", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def people_opd(opd_id: int):
    opd = db.session.get(OPD, opd_id) or abort(404)
    form = OPDForm(obj=None if request.method == "POST" else opd)
    if request.method == "GET":
        form.aliases.data = ", ".join(opd.aliases or [])
        form.parent.data = str(opd.parent_id or "")
    form.parent.choices = _opd_choices(exclude=opd.id)
    status = 200
    if form.validate_on_submit():
        values = _opd_values(form)
        clash = db.session.scalar(sa.select(OPD).where(OPD.code == values["code"], OPD.id != opd.id))
        if clash:
            form.code.errors.append(_("Kode sudah dipakai."))
        elif values["parent_id"] and values["parent_id"] in opd.subtree_ids():
            form.parent.errors.append(_("Induk tidak boleh unit di bawahnya sendiri."))
        else:
            changes = _diff(opd, values)
            if changes:
                audit("opd.update", opd, changes)
            db.session.commit()
            flash(_("OPD %(c)s disimpan.", c=opd.code), "success")
            return redirect(url_for("admin.people_opd", opd_id=opd.id), code=303)
    if request.method == "POST":
        status = 422
    return _opd_page(opd, form=form, status=status)


def _opd_page(opd: OPD, form: OPDForm | None = None, handover: HandoverForm | None = None, status: int = 200,
              head=None):
    from portal.admin.settings.escalation import head_form

    if form is None:
        form = OPDForm(obj=opd)
        form.aliases.data = ", ".join(opd.aliases or [])
        form.parent.data = str(opd.parent_id or "")
        form.parent.choices = _opd_choices(exclude=opd.id)
    if handover is None:
        handover = HandoverForm(formdata=None, valid_from=today_wib())
    handover.user.choices = _liaison_candidates(opd)
    roster = db.session.scalars(sa.select(Liaison).where(Liaison.opd_id == opd.id)
                                .options(orm.joinedload(Liaison.user))
                                .order_by(Liaison.valid_to.is_(None).desc(), Liaison.valid_from.desc())).all()
    open_count = db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)
                                   .where(Complaint.opd_id == opd.id, Complaint.status.in_(Status.OPEN)))
    return render("admin/settings/opd.html", opd=opd, form=form, handover=handover, roster=roster,
                  open_count=open_count, status=status, head_form=head or head_form(opd), today=today_wib(),
                  day_after=lambda d: d + dt.timedelta(days=1))


def _liaison_candidates(opd: OPD) -> list[tuple[str, str]]:
    current = {row.user_id for row in open_terms(opd)}
    users = db.session.scalars(sa.select(User).where(User.role == Role.OPD, User.active.is_(True))
                               .options(orm.joinedload(User.opd)).order_by(User.name)).all()
    return [("", "—")] + [(str(u.id), f"{u.name} <{u.email}>" + (f" · {u.opd.code}" if u.opd else ""))
                          for u in users if u.id not in current]


@bp.post("/pengaturan/opd/<int:opd_id>/serah-terima")
@role_required(Role.KOMINFO)
def people_handover(opd_id: int):
    """A new liaison takes over; the old term ends (history kept) and the old account loses access — on the
    handover's first day: one dated in the future only schedules the account changes."""
    opd = db.session.get(OPD, opd_id) or abort(404)
    form = HandoverForm()
    form.user.choices = _liaison_candidates(opd)
    if not form.validate_on_submit():
        return _opd_page(opd, handover=form, status=422)
    new_user = db.session.get(User, int(form.user.data)) if form.user.data.isdigit() else None
    try:
        if new_user is None:
            raise PeopleError("user", "not_liaison")
        liaisons.hand_over(opd, new_user, form.valid_from.data, old_account=form.old_account.data,
                           note=form.note.data, actor=current_user)
    except PeopleError as exc:
        form.user.errors.append(_("Orang ini sudah menjadi penghubung OPD ini.") if exc.code == "already"
                                else _("Pilih akun pejabat penghubung (peran OPD) yang aktif."))
        return _opd_page(opd, handover=form, status=422)
    db.session.commit()
    if form.valid_from.data > today_wib():
        flash(_("%(n)s menjadi pejabat penghubung %(o)s mulai %(d)s; perubahan akun dijadwalkan pada tanggal itu.",
                n=new_user.name, o=opd.name, d=tanggal(form.valid_from.data)), "success")
    else:
        flash(_("%(n)s kini pejabat penghubung %(o)s.", n=new_user.name, o=opd.name), "success")
    return redirect(url_for("admin.people_opd", opd_id=opd.id), code=303)


# --- users ---------------------------------------------------------------------------------------

@bp.route("/pengaturan/pengguna", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def people_users():
    form = UserForm()
    form.opd.choices = _opd_choices()
    status = 200
    if form.validate_on_submit():
        opd = db.session.get(OPD, int(form.opd.data)) if form.opd.data.isdigit() else None
        try:
            user = create_user(form.email.data, form.role.data, form.password.data, name=form.name.data,
                               position=form.position.data, opd=opd, awaiting_handover=form.awaiting.data,
                               actor=current_user)
        except PeopleError as exc:
            _user_error(form, exc)
        else:
            db.session.commit()
            flash(_("Akun %(e)s dibuat.", e=user.email), "success")
            return redirect(url_for("admin.people_users"), code=303)
    if request.method == "POST":
        status = 422
    users = db.session.scalars(sa.select(User).options(orm.joinedload(User.opd))
                               .order_by(User.active.desc(), User.role, User.name)).all()
    return render("admin/settings/users.html", form=form, users=users, empty=EmptyForm(),
                  reset=PasswordResetForm(formdata=None), status=status)


def _user_error(form: UserForm, exc: PeopleError) -> None:
    if exc.field == "email":
        form.email.errors.append(_("Email sudah terdaftar.") if exc.code == "taken" else _("Alamat email tidak valid."))
    elif exc.field == "password":
        form.password.errors.append(_("Kata sandi ditolak: %(p)s", p=exc.detail))
    else:
        form.opd.errors.append(_("Pejabat penghubung wajib memiliki OPD.") if exc.code == "required"
                               else _("Hanya peran OPD yang terikat pada OPD."))


@bp.post("/pengaturan/pengguna/<int:user_id>/status")
@role_required(Role.KOMINFO)
def people_user_toggle(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("Anda tidak dapat menonaktifkan akun sendiri."), "error")
        return redirect(url_for("admin.people_users"), code=303)
    activate = not user.active
    audit("user.activate" if activate else "user.deactivate", user, _diff(user, {"active": activate}))
    if not activate:  # signed out everywhere (reactivating does not revive old sessions); terms end today
        user.end_sessions()
        liaisons.end_terms(user, today_wib(), actor=current_user)
    db.session.commit()
    flash(_("Akun %(e)s %(s)s.", e=user.email, s=_("diaktifkan") if activate else _("dinonaktifkan")), "success")
    return redirect(url_for("admin.people_users"), code=303)


@bp.post("/pengaturan/pengguna/<int:user_id>/sandi")
@role_required(Role.KOMINFO)
def people_user_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = PasswordResetForm()
    if form.validate_on_submit():
        problems = passwords.problems(form.password.data, user.email)
        if not problems:
            user.set_password(form.password.data)  # ends the user's sessions
            throttle.clear_account(user.email)
            audit("user.password_reset", user, {"password": ["***", "***"]})
            db.session.commit()
            flash(_("Kata sandi %(e)s diatur ulang.", e=user.email), "success")
            return redirect(url_for("admin.people_users"), code=303)
        flash(_("Kata sandi ditolak: %(p)s", p="; ".join(problems)), "error")
    else:
        flash(_("Kata sandi wajib diisi."), "error")
    return redirect(url_for("admin.people_users"), code=303)


# --- categories ----------------------------------------------------------------------------------

def _category_choices(exclude: Category | None = None) -> list[tuple[str, str]]:
    cats = db.session.scalars(sa.select(Category).order_by(Category.path)).all()
    skip = set()
    if exclude is not None:
        skip = {c.id for c in cats if c.path == exclude.path or c.path.startswith(exclude.path + " > ")}
    return [("", _("— tingkat teratas —"))] + [(str(c.id), c.path) for c in cats if c.id not in skip]


def _category_values(form: CategoryForm) -> dict[str, Any]:
    parent = db.session.get(Category, int(form.parent.data)) if form.parent.data else None
    default_opd = int(form.default_opd.data) if form.default_opd.data else None
    keywords = "\n".join(k.strip() for k in (form.keywords.data or "").splitlines() if k.strip())
    return {"name": form.name.data, "parent_id": parent.id if parent else None,
            "path": f"{parent.path} > {form.name.data}" if parent else form.name.data,
            "norm_days": int(form.norm_days.data) if form.norm_days.data else None,
            "default_opd_id": default_opd, "keywords": keywords, "active": bool(form.active.data)}


def _repath(cat: Category) -> None:
    for child in cat.children:
        child.path = f"{cat.path} > {child.name}"
        _repath(child)


@bp.route("/pengaturan/kategori", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def people_categories():
    form = CategoryForm()
    form.parent.choices = _category_choices()
    form.default_opd.choices = _opd_choices()
    status = 200
    if form.validate_on_submit():
        values = _category_values(form)
        if db.session.scalar(sa.select(Category).where(Category.path == values["path"])):
            form.name.errors.append(_("Kategori dengan jalur ini sudah ada."))
        else:
            cat = Category(name=values["name"], path=values["path"], keywords="")
            db.session.add(cat)
            changes = _diff(cat, values)
            db.session.flush()
            audit("category.create", cat, changes)
            db.session.commit()
            flash(_("Kategori %(p)s ditambahkan.", p=cat.path), "success")
            return redirect(url_for("admin.people_categories"), code=303)
    if request.method == "POST":
        status = 422
    cats = db.session.scalars(sa.select(Category).options(orm.joinedload(Category.default_opd))
                              .order_by(Category.path)).all()
    return render("admin/settings/categories.html", form=form, cats=cats, status=status)


@bp.route("/pengaturan/kategori/<int:category_id>", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def people_category(category_id: int):
    cat = db.session.get(Category, category_id) or abort(404)
    form = CategoryForm(obj=None if request.method == "POST" else cat)
    form.parent.choices = _category_choices(exclude=cat)
    form.default_opd.choices = _opd_choices()
    if request.method == "GET":
        form.parent.data = str(cat.parent_id or "")
        form.norm_days.data = str(cat.norm_days or "")
        form.default_opd.data = str(cat.default_opd_id or "")
    status = 200
    if form.validate_on_submit():
        values = _category_values(form)
        clash = db.session.scalar(sa.select(Category).where(Category.path == values["path"],
                                                            Category.id != cat.id))
        if clash:
            form.name.errors.append(_("Kategori dengan jalur ini sudah ada."))
        else:
            changes = _diff(cat, values)
            if "path" in changes:
                _repath(cat)
            if changes:
                audit("category.update", cat, changes)
            db.session.commit()
            flash(_("Kategori %(p)s disimpan.", p=cat.path), "success")
            return redirect(url_for("admin.people_category", category_id=cat.id), code=303)
    if request.method == "POST":
        status = 422
    return render("admin/settings/category.html", cat=cat, form=form, status=status)


# --- holidays ------------------------------------------------------------------------------------

@bp.route("/pengaturan/libur", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def people_holidays():
    form = HolidayForm()
    status = 200
    if form.validate_on_submit():
        if db.session.scalar(sa.select(HolidayOverride).where(HolidayOverride.date == form.date.data)):
            form.date.errors.append(_("Tanggal ini sudah punya koreksi; hapus dulu yang lama."))
        else:
            row = HolidayOverride(date=form.date.data, name=form.name.data,
                                  is_working_day=bool(form.is_working_day.data))
            db.session.add(row)
            db.session.flush()
            audit("holiday.create", row, {"date": [None, row.date.isoformat()], "name": [None, row.name],
                                          "is_working_day": [None, row.is_working_day]})
            moved = _recompute(row.date)
            db.session.commit()
            workdays.invalidate()
            flash(_("Koreksi kalender %(d)s disimpan; tenggat %(n)s laporan terbuka dihitung ulang.",
                    d=row.date.isoformat(), n=moved), "success")
            return redirect(url_for("admin.people_holidays", tahun=row.date.year), code=303)
    if request.method == "POST":
        status = 422
    year = request.args.get("tahun", type=int) or today_wib().year
    year = min(max(year, 2000), 2100)
    overrides = db.session.scalars(sa.select(HolidayOverride).order_by(HolidayOverride.date)).all()
    cal = workdays.get_calendar()
    return render("admin/settings/holidays.html", form=form, overrides=overrides, year=year,
                  holidays=cal.holidays_in(year), empty=EmptyForm(), status=status,
                  coverage_problems=workdays.coverage_problems(cal, today_wib()),
                  package_version=workdays.package_version())


def _recompute(day) -> int:
    """Stored due dates follow an override edit (flushed, not committed): how many moved."""
    from portal.complaints.recompute import recompute_due_dates

    workdays.invalidate()
    moved = recompute_due_dates([day])
    workdays.invalidate()
    return moved


@bp.post("/pengaturan/libur/<int:holiday_id>/hapus")
@role_required(Role.KOMINFO)
def people_holiday_delete(holiday_id: int):
    row = db.session.get(HolidayOverride, holiday_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    audit("holiday.delete", row, {"date": [row.date.isoformat(), None], "name": [row.name, None]})
    day = row.date
    db.session.delete(row)
    db.session.flush()
    moved = _recompute(day)
    db.session.commit()
    workdays.invalidate()
    flash(_("Koreksi kalender dihapus; tenggat %(n)s laporan terbuka dihitung ulang.", n=moved), "success")
    return redirect(url_for("admin.people_holidays"), code=303)


from portal.admin.settings import escalation as _escalation  # noqa: E402,F401 - the escalation settings
from portal.admin.settings import instansi as _instansi  # noqa: E402,F401 - registers the instansi page

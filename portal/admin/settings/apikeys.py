"""Open311 API keys that Kominfo issues and revokes (docs/INTERFACES.md §6).

A key is shown once, when issued; only its SHA-256 is stored (:class:`portal.core.models.ApiKey`).
Page: ``/admin/kunci-api`` (endpoint ``admin.apikeys``). CLI: ``flask --app portal apikey create --name N``
and ``apikey revoke PREFIX_OR_ID``, added to ``app.cli`` when the admin blueprint is registered.
"""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask import abort, flash, request
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.admin import bp
from portal.core.auth import role_required
from portal.core.db import utcnow
from portal.core.models import ApiKey, AuditLog
from portal.core.render import htmx_redirect, render
from portal.extensions import db
from portal.people.models import Role

KEY_PREFIX = "lpr_"


def hash_key(raw: str) -> str:
    from portal.public.open311 import hash_key as _hash

    return _hash(raw)


def issue(name: str, user_id: int | None = None) -> tuple[ApiKey, str]:
    """A new key: returns the row (only the hash stored) and the raw key, to show once."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name.strip()[:200], prefix=raw[:12], key_hash=hash_key(raw), created_by_id=user_id)
    db.session.add(key)
    db.session.flush()
    return key, raw


def revoke(key: ApiKey) -> bool:
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    return True


class IssueForm(FlaskForm):
    name = StringField(_l("Nama sistem atau mitra"), validators=[DataRequired(), Length(max=200)])


class EmptyForm(FlaskForm):
    pass


def _audit(action: str, key: ApiKey) -> None:
    db.session.add(AuditLog(actor_id=current_user.id, action=action, object_type="api_key",
                            object_id=str(key.id), changes={"name": [None, key.name], "prefix": [None, key.prefix]}))


@bp.route("/kunci-api", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def apikeys():
    form = IssueForm()
    new_key = None
    if request.method == "POST" and form.validate_on_submit():
        key, new_key = issue(form.name.data, current_user.id)
        _audit("api_key.issue", key)
        db.session.commit()
        form = IssueForm(formdata=None)
    keys = db.session.scalars(sa.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc()))
    resp = render("admin/settings/apikeys.html", form=form, keys=list(keys), new_key=new_key, revoke_form=EmptyForm())
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/kunci-api/<int:key_id>/cabut")
@role_required(Role.KOMINFO)
def apikey_revoke(key_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    key = db.session.get(ApiKey, key_id)
    if key is None:
        abort(404)
    if revoke(key):
        _audit("api_key.revoke", key)
        db.session.commit()
        flash(_("Kunci %(prefix)s… dicabut.", prefix=key.prefix), "success")
    return htmx_redirect("admin.apikeys")


# --- CLI ----------------------------------------------------------------------------------------

apikey_cli = AppGroup("apikey", help="Open311 API keys.")


@apikey_cli.command("create")
@click.option("--name", required=True, help="Who the key is for.")
def apikey_create_cmd(name: str) -> None:
    """Issue a key; it is printed once and never stored in clear."""
    if not name.strip():
        raise click.UsageError("--name must not be empty")
    key, raw = issue(name)
    db.session.commit()
    click.echo(f"Created API key {key.prefix}… (id {key.id}) for {key.name}")
    click.echo(raw)


@apikey_cli.command("revoke")
@click.argument("ident")
def apikey_revoke_cmd(ident: str) -> None:
    """Revoke a key by its id or its prefix."""
    q = sa.select(ApiKey).where(ApiKey.prefix == ident)
    if ident.isdigit():
        q = sa.select(ApiKey).where(sa.or_(ApiKey.id == int(ident), ApiKey.prefix == ident))
    keys = db.session.scalars(q).all()
    if len(keys) != 1:
        raise click.ClickException(f"no single API key matches {ident!r}")
    if not revoke(keys[0]):
        click.echo(f"API key {keys[0].prefix}… was already revoked")
        return
    db.session.commit()
    click.echo(f"Revoked API key {keys[0].prefix}…")


@apikey_cli.command("list")
def apikey_list_cmd() -> None:
    """List keys (prefix, name, state)."""
    for k in db.session.scalars(sa.select(ApiKey).order_by(ApiKey.id)):
        state = "revoked" if k.revoked_at else "active"
        click.echo(f"{k.id}\t{k.prefix}…\t{state}\t{k.name}")


@bp.record_once
def _register_cli(state) -> None:
    if "apikey" not in state.app.cli.commands:
        state.app.cli.add_command(apikey_cli)

"""SP4N-LAPOR! transparency & coordination portal."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from portal import config as config_mod

ROOT = Path(__file__).resolve().parent.parent
#: every module that defines tables (Alembic autogenerate needs them all imported)
MODEL_MODULES = (
    "portal.core.models",
    "portal.people.models",
    "portal.complaints.models",
    "portal.complaints.summary",
    "portal.complaints.summary_more",
    "portal.meetings.models",
    "portal.meetings.report.models",
    "portal.meetings.evaluation.models",
    "portal.public.standard",
    "portal.complaints.survey",
    "portal.complaints.lapor_sync",
    "portal.complaints.escalation",
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application factory; ``config`` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config_mod.from_env(app.instance_path))
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config_mod.ensure_secret_key(app.config, app.instance_path)

    from portal.core import cache, expiry, i18n, logs, security
    from portal.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    expiry.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Asia/Jakarta")
    htmx.init_app(app)
    _init_redis(app)
    limiter.init_app(app)
    from portal.public import pagecache

    pagecache.init_app(app)  # inside ProxyFix (security), so it sees the client's address and scheme
    security.init_app(app)
    i18n.init_app(app)
    logs.init_app(app)
    cache.init_app(app)
    from portal.core import idempotency

    idempotency.init_app(app)
    from portal.core import form_messages

    form_messages.init_app(app)

    _import_models()
    from portal import cli
    from portal.admin import bp as admin_bp
    from portal.auth import bp as auth_bp
    from portal.meetings import bp as meetings_bp
    from portal.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(meetings_bp, url_prefix="/rapat")
    cli.init_app(app)
    from portal.complaints.summary import stats_cli

    app.cli.add_command(stats_cli)
    from portal.public.exports import exports_cli

    app.cli.add_command(exports_cli)
    _register_hooks(app)
    return app


def _import_models() -> None:
    """Every model module, so metadata (and Alembic) sees all tables."""
    import importlib

    for name in MODEL_MODULES:
        importlib.import_module(name)


def _init_redis(app: Flask) -> None:
    """Redis backs rate limits, the aggregate cache and the job queue when ``REDIS_URL`` is set.

    Without it all three run in-process. With it, a Redis outage degrades to in-process too:
    Flask-Limiter falls back to memory, the cache to a local dict, jobs to a thread.
    """
    url = app.config.get("REDIS_URL")
    app.extensions["portal_redis"] = None
    # RATELIMIT_KEY_PREFIX: one prefix in every mode, the cache fast path builds the same keys as Flask-Limiter
    if not url:
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
        return
    import redis

    timeout = float(app.config["REDIS_TIMEOUT"])
    app.extensions["portal_redis"] = redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
    )
    if app.config.get("RATELIMIT_STORAGE_URI") in (None, "", "memory://"):
        app.config["RATELIMIT_STORAGE_URI"] = url
    if not app.config.get("RATELIMIT_STORAGE_OPTIONS"):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True


def _register_hooks(app: Flask) -> None:
    from portal.core import settings

    @app.context_processor
    def _inject() -> dict[str, Any]:
        from flask_babel import get_locale

        return {"site": settings.site(), "nav_endpoints": app.view_functions.keys(),
                "lang": str(get_locale() or "id")}

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page)


def _error_page(err: Any):
    from flask import render_template
    from werkzeug.exceptions import HTTPException, InternalServerError

    if not isinstance(err, HTTPException):
        err = InternalServerError()
    logging.getLogger("portal").info("http error %s", err.code)
    return render_template("errors/error.html", error=err), err.code

"""gunicorn settings for the portal (``make serve`` / ``gunicorn -c gunicorn.conf.py "portal:create_app()"``).

Every value can be overridden from the environment, so one file serves a laptop, a province's VM
and a container:

- ``BIND`` (default ``127.0.0.1:$PORT``, ``PORT`` default 8000) — nginx proxies to it;
- ``WEB_CONCURRENCY`` — worker processes, default 2 × CPU cores + 1;
- ``GUNICORN_THREADS`` — threads per worker (gthread), default 4: requests mostly wait on the database;
- ``GUNICORN_TIMEOUT`` — seconds before a stuck worker is killed and replaced, default 60 (PDFs and
  imports run as background jobs, not in requests);
- ``FORWARDED_ALLOW_IPS`` — proxies whose X-Forwarded-* headers gunicorn trusts, default 127.0.0.1;
- ``GUNICORN_MAX_REQUESTS`` — recycle a worker after this many requests, default 0 (never), with a
  jitter of half that value so workers never restart together;
- ``GUNICORN_PRELOAD`` — ``1`` (default): the app is built once in the master and the workers are
  forked from it, so a (re)started worker serves at once instead of importing and building the app
  (about 1 s on a loaded machine); ``0`` builds it in each worker (needed for ``--reload``).

The access log has no query strings (``%(U)s`` is the path only: searches and filters can carry names)
and no client addresses or user agents (personal data); the request id ties a line to the app's logs.
With ``LOG_JSON=1`` the app writes its own JSON line per request and the access log is off.
"""

import multiprocessing
import os

_port = os.environ.get("PORT", "8000")
bind = os.environ.get("BIND", f"127.0.0.1:{_port}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# no periodic recycling by default: at 1,000 req/s a recycle every 5,000 requests restarted every worker
# every few seconds (issue 19). When set, the wide jitter keeps the workers from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 2
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() in {"1", "true", "yes", "on"}
limit_request_line = 4094
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

_json_logs = os.environ.get("LOG_JSON", "").strip().lower() in {"1", "true", "yes", "on"}
accesslog = None if _json_logs or os.environ.get("ACCESS_LOG", "1") == "0" else "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "portal-lapor"


def _portal_app(app):
    """The portal's Flask app (``None`` for another app under this config, e.g. bench/bare_app.py)."""
    return app if "sqlalchemy" in getattr(app, "extensions", {}) else None


def _warm(app, log) -> None:
    from portal.core.warmup import warm

    log.info("warmed up: %s", warm(app))


def when_ready(server):
    """With preload the master warms the app (mappers, locales, templates, holidays) before forking."""
    if server.cfg.preload_app and (app := _portal_app(server.app.wsgi())) is not None:
        _warm(app, server.log)


def post_worker_init(worker):
    """Without preload each worker warms its own app once it is loaded."""
    if not worker.cfg.preload_app and (app := _portal_app(worker.wsgi)) is not None:
        _warm(app, worker.log)


def post_fork(server, worker):
    """A forked worker opens its own database connections (none inherited from the master)."""
    if not server.cfg.preload_app:  # gunicorn's own setting (``--preload`` on the command line counts)
        return
    app = _portal_app(server.app.wsgi())
    if app is None:
        return
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)

"""A worker's once-per-process work done before it serves (portal/core/warmup.py, gunicorn.conf.py)."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from types import SimpleNamespace

from portal.core import warmup, workdays

ROOT = Path(__file__).resolve().parents[2]


def test_warm_compiles_every_template_and_fills_this_and_next_years_holidays(app):
    workdays._package_holidays.cache_clear()
    app.jinja_env.cache.clear()
    took = warmup.warm(app)
    assert set(took) == {"mappers", "locales", "templates", "calendar"}
    names = app.jinja_env.list_templates(filter_func=lambda n: n.endswith(warmup.SUFFIXES))
    assert len(names) > 50 and len(app.jinja_env.cache) >= len(names)
    import datetime as dt

    year = dt.date.today().year
    before = workdays._package_holidays.cache_info().hits
    for y in (year, year + 1):
        workdays._package_holidays(y)
    assert workdays._package_holidays.cache_info().hits == before + 2, "this or next year was not preloaded"


def test_a_failing_step_is_logged_and_never_stops_the_worker(app, monkeypatch, caplog):
    monkeypatch.setattr(warmup, "_calendar", lambda: 1 / 0)
    with caplog.at_level(logging.WARNING):
        took = warmup.warm(app)
    assert "calendar" in took and "warm-up step calendar failed" in caplog.text


def _gunicorn_conf(monkeypatch, preload: str):
    monkeypatch.setenv("GUNICORN_PRELOAD", preload)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_test", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def test_gunicorn_warms_the_master_with_preload_and_each_worker_without(app, monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "warm", lambda a: calls.append(a) or {})
    log = logging.getLogger("test.gunicorn")
    conf = _gunicorn_conf(monkeypatch, "1")

    def hooks(preload: bool, wsgi=app) -> None:  # gunicorn's own setting decides (``--preload`` included)
        cfg = SimpleNamespace(preload_app=preload)
        conf.when_ready(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: wsgi), log=log, cfg=cfg))
        conf.post_worker_init(SimpleNamespace(wsgi=wsgi, log=log, cfg=cfg))

    hooks(True)
    assert calls == [app]
    hooks(False)
    assert calls == [app, app]
    import flask

    hooks(True, flask.Flask("bare"))  # bench/bare_app.py: left alone
    hooks(False, flask.Flask("bare"))
    assert calls == [app, app]

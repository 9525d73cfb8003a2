"""htmx requests are told apart one way (htmx-flask's ``request.htmx``) and answered through htmx-flask."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import request

ROOT = Path(__file__).resolve().parents[2]
RAW_READ = re.compile(r"""(?:headers\.get\(|environ\.get\()\s*["'](?:HX-|HTTP_HX_)""")


def test_no_hand_read_htmx_request_headers():
    """Only portal/core/htmx.py looks at htmx's request headers; the rest asks it (or ``request.htmx``)."""
    offenders = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        if path.name == "htmx.py" and path.parent.name == "core":
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if RAW_READ.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_no_hand_written_htmx_response_headers():
    """Response headers (HX-Redirect, HX-Push-Url, HX-Retarget …) through htmx_flask.make_response."""
    setter = re.compile(r"""headers\[\s*["']HX-(?!Reselect)""")  # HX-Reselect: not offered by htmx-flask 0.1
    offenders = [f"{p.relative_to(ROOT)}:{no}" for p in sorted((ROOT / "portal").rglob("*.py"))
                 for no, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if setter.search(line)]
    assert not offenders, offenders


HEADERS = [
    ({}, False),
    ({"HX-Request": "true"}, True),
    ({"HX-Request": "true", "HX-Boosted": "true"}, False),
    ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ({"HX-Request": "false"}, False),
]


@pytest.mark.parametrize(("headers", "partial"), HEADERS)
def test_partial_detection_agrees_before_and_inside_flask(app, headers, partial):
    from portal.core.htmx import partial_request, wants_partial

    with app.test_request_context("/", headers=headers):
        assert wants_partial() is partial
        assert partial_request(request.environ) is partial
        assert bool(request.htmx) is (headers.get("HX-Request") == "true")


def test_htmx_redirect_header(app):
    from portal.core.render import htmx_redirect

    with app.test_request_context("/", method="POST", headers={"HX-Request": "true"}):
        resp = htmx_redirect("/lacak")
        assert resp.status_code == 200 and resp.headers["HX-Redirect"] == "/lacak"
    with app.test_request_context("/", method="POST"):
        resp = htmx_redirect("/lacak")
        assert resp.status_code == 303 and resp.headers["Location"].endswith("/lacak")

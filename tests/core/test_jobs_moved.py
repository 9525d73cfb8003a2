"""Jobs queued before an upgrade that moved their function still run after it (portal/core/jobs.py MOVED)."""

from __future__ import annotations

import pytest

from portal.core import jobs


@pytest.mark.parametrize("old", sorted(jobs.MOVED))
def test_every_old_job_path_resolves_to_the_current_function(old):
    assert jobs._resolve(old) is jobs._resolve(jobs.MOVED[old])
    assert jobs.MOVED[old] not in jobs.MOVED  # one step: the target itself is current


def test_the_paths_the_portal_enqueues_today_resolve():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "portal"
    paths = {m.group(1) for f in root.rglob("*.py")
             for m in re.finditer(r'enqueue\(\s*"[a-z-]+",\s*"(portal\.[\w.]+)"', f.read_text(encoding="utf-8"))}
    assert len(paths) >= 4
    for path in paths:
        assert callable(jobs._resolve(path)), path
        assert path not in jobs.MOVED


def test_a_job_queued_under_an_old_path_runs(app, make, monkeypatch):
    from portal.core.models import Job
    from portal.extensions import db
    from portal.meetings.report import operations

    ran = []
    monkeypatch.setattr(operations, "generate_pdf_job", lambda job_id, report_id: ran.append(report_id) or {"ok": 1})
    job = jobs.enqueue("rakor-report-pdf", "portal.meetings.report_ops.generate_pdf_job", 7)
    assert ran == [7]
    assert db.session.get(Job, job.id).status == "done"

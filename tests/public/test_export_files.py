"""Full open-data exports: written once per data generation, served as a file with ETag and Range."""

from __future__ import annotations

import pytest

from portal.extensions import db


@pytest.fixture
def exports_app(app, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    return app


@pytest.mark.parametrize("name", ["laporan.csv", "laporan.json"])
def test_full_export_is_written_once_and_served_with_etag(exports_app, client, make, tmp_path, name,
                                                          monkeypatch):
    from portal.public import opendata

    for i in range(3):
        make.complaint(tracking_no=f"EXP{i}", status="selesai")
    db.session.commit()
    runs = []
    real = opendata._complaints
    monkeypatch.setattr(opendata, "_complaints", lambda *a: runs.append(1) or real(*a))
    first = client.get(f"/data/{name}")
    assert first.status_code == 200 and first.headers["ETag"]
    assert b"EXP2" in first.data and first.headers["Accept-Ranges"] == "bytes"
    assert "filename=laporan-publik." in first.headers["Content-Disposition"]
    again = client.get(f"/data/{name}")
    assert again.data == first.data and len(runs) == 1  # served from the file, not recomputed
    assert client.get(f"/data/{name}", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    files = list((tmp_path / "exports").glob("laporan-g*"))
    assert len(files) == 1

    make.complaint(tracking_no="EXP9", status="selesai")  # a new data generation: a new file
    db.session.commit()
    fresh = client.get(f"/data/{name}")
    assert b"EXP9" in fresh.data and fresh.headers["ETag"] != first.headers["ETag"] and len(runs) == 2


def test_full_export_answers_range_requests(exports_app, client, make):
    make.complaint(tracking_no="RNG1", status="selesai")
    db.session.commit()
    whole = client.get("/data/laporan.csv").data
    part = client.get("/data/laporan.csv", headers={"Range": "bytes=3-12"})
    assert part.status_code == 206
    assert part.data == whole[3:13]
    assert part.headers["Content-Range"] == f"bytes 3-12/{len(whole)}"
    assert client.get("/data/laporan.csv", headers={"Range": f"bytes={len(whole) + 5}-"}).status_code == 416


def test_a_period_export_still_streams(exports_app, client, make, tmp_path):
    make.complaint(tracking_no="PER1", status="selesai")
    db.session.commit()
    resp = client.get("/data/laporan.csv?from=2025-01-01&to=2025-12-31")
    assert resp.status_code == 200 and b"PER1" in resp.data
    assert resp.headers["Cache-Control"] == "no-store"
    assert not list((tmp_path / "exports").glob("laporan-g*"))


@pytest.mark.db_commits  # the writer runs in a thread, on a connection of its own
@pytest.mark.parametrize("name, mimetype", [("laporan.csv", "text/plain"), ("laporan.json", "application/json")])
def test_a_large_first_export_is_written_in_the_background_while_clients_are_asked_to_retry(
        exports_app, client, make, tmp_path, monkeypatch, name, mimetype):
    import time

    monkeypatch.setitem(exports_app.config, "EXPORT_INLINE_ROWS", 1)  # as if there were a million
    for i in range(3):
        make.complaint(tracking_no=f"BIG{i}", status="selesai")
    db.session.commit()
    first = client.get(f"/data/{name}")
    assert first.status_code == 503 and first.headers["Retry-After"] == "60"
    assert first.mimetype == mimetype and "disiapkan" in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "no-store"
    deadline = time.monotonic() + 20
    while not list((tmp_path / "exports").glob(f"laporan-g*.{name.rsplit('.', 1)[1]}")):
        assert time.monotonic() < deadline, "the background writer wrote nothing"
        time.sleep(0.1)
    again = client.get(f"/data/{name}")
    assert again.status_code == 200 and b"BIG2" in again.data


def test_the_exports_command_and_the_daily_job_write_the_files_ahead(exports_app, client, make, runner, tmp_path,
                                                                      monkeypatch):
    from portal.public import opendata

    make.complaint(tracking_no="AHEAD1", status="selesai")
    db.session.commit()
    out = runner.invoke(args=["exports", "build"])
    assert out.exit_code == 0 and "laporan.csv: written" in out.output and "laporan.json: written" in out.output
    assert len(list((tmp_path / "exports").glob("laporan-g*"))) == 2
    monkeypatch.setattr(opendata, "_complaints", lambda *a: pytest.fail("recomputed instead of served"))
    assert b"AHEAD1" in client.get("/data/laporan.csv").data
    make.complaint(tracking_no="AHEAD2", status="selesai")  # a new generation: the daily job writes it
    db.session.commit()
    monkeypatch.undo()
    out = runner.invoke(args=["daily", "--today", "2026-12-02"])
    assert out.exit_code == 0 and "open data: laporan.csv: written" in out.output
    assert len(list((tmp_path / "exports").glob("laporan-g*"))) == 4

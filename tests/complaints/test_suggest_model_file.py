"""The suggestion model is trained once (``suggest train`` / the daily cron) and loaded from disk by workers."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from portal import demo
from portal.complaints import suggest
from portal.extensions import db


@pytest.fixture(autouse=True)
def _fresh_model():
    suggest.clear_cache()
    yield
    suggest.clear_cache()


def _history():
    opds, cats = demo.ensure_reference_data()
    db.session.commit()
    demo.generate_complaints(200, random.Random(3), opds, cats, dt.datetime.now(dt.UTC))
    db.session.commit()


def test_workers_load_the_trained_file_instead_of_training(app, runner, tmp_path, monkeypatch):
    app.config["SUGGEST_MODEL_DIR"] = str(tmp_path / "models")
    _history()
    out = runner.invoke(args=["suggest", "train"])
    assert out.exit_code == 0, out.output
    path = suggest.model_path()
    assert path is not None and path.is_file()

    suggest.clear_cache()  # another worker process: nothing in memory
    monkeypatch.setattr(suggest, "train", lambda *a, **kw: pytest.fail("a worker trained the model"))
    model = suggest.get_model(block=False)
    assert model is not None and model.category is not None
    assert suggest.suggest("Lampu penerangan jalan di depan rumah padam")["source"] == "model"


def test_a_newer_file_replaces_the_loaded_model(app, tmp_path):
    app.config["SUGGEST_MODEL_DIR"] = str(tmp_path / "models")
    _history()
    first = suggest.retrain()
    path = suggest.model_path()
    assert suggest.get_model(block=False).trained_at == first.trained_at
    newer = suggest.TrainedModel(category=None, opd=None, samples=1, trained_at=first.trained_at + 10)
    suggest.save(newer, path)
    import os

    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert suggest.get_model(block=False).samples == 1


def test_only_one_process_trains_when_there_is_no_file(app, tmp_path, monkeypatch):
    app.config["SUGGEST_MODEL_DIR"] = str(tmp_path / "models")
    path = suggest.model_path()
    path.parent.mkdir(parents=True)
    path.with_suffix(".lock").touch()  # another worker is training
    started = []
    monkeypatch.setattr(suggest.threading, "Thread", lambda *a, **kw: started.append(1) or pytest.fail("trained"))
    assert suggest.get_model(block=False) is None
    assert started == []

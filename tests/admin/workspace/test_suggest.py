"""Category and OPD suggestions: a model trained on generated complaints, keywords as fallback."""

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


def test_keyword_fallback_without_history(world, app):
    out = suggest.suggest("Ada jalan berlubang besar di depan pasar")
    assert out["source"] == "keywords"
    assert out["categories"][0].id == world.road.id
    assert out["opds"][0].code == "DPUPR"
    assert suggest.suggest("")["categories"] == []


def test_model_top3_contains_the_right_answer(app):
    opds, cats = demo.ensure_reference_data()
    db.session.commit()
    rng = random.Random(7)
    demo.generate_complaints(600, rng, opds, cats, dt.datetime.now(dt.UTC))
    db.session.commit()
    model = suggest.retrain()
    assert model.category is not None and model.opd is not None and model.samples > 100
    out = suggest.suggest("Lampu penerangan jalan di depan rumah kami padam sudah seminggu, gelap sekali")
    assert out["source"] == "model"
    assert len(out["categories"]) == 3
    assert "Infrastruktur > Penerangan Jalan" in [s.label for s in out["categories"]]
    assert "UPTPJU" in [s.code for s in out["opds"]] or "DPUPR" in [s.code for s in out["opds"]]
    confs = [s.confidence for s in out["categories"]]
    assert confs == sorted(confs, reverse=True) and 0 < confs[0] <= 1


def test_suggest_cli(app, runner):
    demo.ensure_reference_data()
    db.session.commit()
    out = runner.invoke(args=["suggest", "train"])
    assert out.exit_code == 0 and "trained on 0" in out.output
    out = runner.invoke(args=["suggest", "try", "pungutan seragam di sekolah"])
    assert "Pendidikan > Pungutan Sekolah" in out.output

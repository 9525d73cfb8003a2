"""Top-1 / top-3 accuracy of the category and OPD suggestions on a held-out split of demo data.

Usage::

    .venv/bin/python bench/suggest_accuracy.py --complaints 5000 --holdout 0.2

Builds a throw-away SQLite database with :mod:`portal.demo`, trains
:mod:`portal.complaints.suggest` on the dispatched complaints outside the held-out set, and
scores the held-out ones (only those with a known category / OPD). The keyword fallback is
scored on the same set for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from portal import create_app, demo
from portal.complaints import suggest
from portal.complaints.models import Category, Complaint
from portal.extensions import db


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--complaints", type=int, default=5000)
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/suggest.db", "TESTING": True})
    with app.app_context():
        db.create_all()
        opds, cats = demo.ensure_reference_data()
        db.session.commit()
        demo.generate_complaints(args.complaints, random.Random(args.seed), opds, cats, dt.datetime.now(dt.UTC))
        db.session.commit()
        rows = db.session.execute(sa.select(Complaint.id, Complaint.title, Complaint.text, Complaint.category_id,
                                            Complaint.opd_id).where(Complaint.dispatched_at.is_not(None))).all()
        rng = random.Random(args.seed)
        rng.shuffle(rows)
        n_test = int(len(rows) * args.holdout)
        test, held = rows[:n_test], {r.id for r in rows[:n_test]}
        t0 = time.perf_counter()
        model = suggest.train(exclude_ids=held)
        train_s = time.perf_counter() - t0
        all_cats = db.session.scalars(sa.select(Category)).all()
        score = {k: [0, 0, 0] for k in ("category", "opd", "category_kw", "opd_kw")}  # top1, top3, n
        t0 = time.perf_counter()
        for r in test:
            text = suggest._normalise(f"{r.title or ''} {r.text}")
            for key, mdl, truth in (("category", model.category, r.category_id), ("opd", model.opd, r.opd_id)):
                if truth is None:
                    continue
                top = [c for c, _p in suggest._top(mdl, text, 3)]
                score[key][0] += top[0] == truth
                score[key][1] += truth in top
                score[key][2] += 1
            kw = suggest.keyword_scores(text, all_cats)[:3]
            kw_cats = [c.id for c, _p in kw]
            kw_opds = list(dict.fromkeys(c.default_opd_id for c, _p in kw if c.default_opd_id))
            for key, got, truth in (("category_kw", kw_cats, r.category_id), ("opd_kw", kw_opds, r.opd_id)):
                if truth is None:
                    continue
                score[key][0] += bool(got) and got[0] == truth
                score[key][1] += truth in got
                score[key][2] += 1
        per = (time.perf_counter() - t0) / max(len(test), 1) * 1000
    print(f"{args.complaints} demo complaints, {len(rows)} dispatched; trained on {model.samples} in {train_s:.1f} s; "
          f"held out {len(test)}; {per:.1f} ms per scored complaint")
    for key, (t1, t3, n) in score.items():
        print(f"{key:12} top-1 {t1 / max(n, 1):6.1%}   top-3 {t3 / max(n, 1):6.1%}   (n={n})")


if __name__ == "__main__":
    main()

"""Category and OPD suggestions from a complaint's text (roadmap §3.6.3).

A scikit-learn pipeline — TF-IDF over words and word pairs, then a linear classifier with
probabilities (logistic loss trained by SGD) — is trained on complaints already dispatched. With
too little history it falls back to the categories' keywords (the OPD then being the
category's default OPD). Suggestions are shown with their confidence and never applied
without a click.

The trained model is cached per process (and per database); :func:`retrain` refreshes it on
demand, ``flask --app portal suggest train`` from the command line.
"""

from __future__ import annotations

import re
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.complaints.models import Category, Complaint, Status
from portal.core.models import OPD
from portal.extensions import db

#: below this many labelled complaints (or two classes) the keyword fallback is used
MIN_SAMPLES = 30
#: newest dispatched complaints used for training
TRAIN_LIMIT = 10000
MODEL_TTL = 6 * 3600
TOP_K = 3

_lock = threading.Lock()
_models: dict[str, TrainedModel] = {}


@dataclass
class Suggestion:
    id: int
    code: str | None
    label: str
    confidence: float

    def __getitem__(self, key: str) -> Any:  # templates may use s.id or s['id']
        return getattr(self, key)


@dataclass
class TrainedModel:
    category: Any | None  #: fitted pipeline predicting category ids
    opd: Any | None  #: fitted pipeline predicting OPD ids
    samples: int
    trained_at: float


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").lower()).strip()


def _import_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    return TfidfVectorizer, SGDClassifier, make_pipeline


def build_pipeline():
    """TF-IDF over words and word pairs + a linear model with probabilities (logistic loss, SGD).

    Character n-grams with a full logistic regression were many times slower to train for no
    gain on the demo data; SGD trains 10,000 complaints in seconds.
    """
    TfidfVectorizer, SGDClassifier, make_pipeline = _import_sklearn()
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=100000),
        SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=15, tol=None, random_state=0),
    )


def training_data(limit: int = TRAIN_LIMIT, exclude_ids: set[int] | None = None
                  ) -> tuple[list[str], list[int | None], list[int | None]]:
    """Texts, category ids and OPD ids of the newest dispatched complaints."""
    c = Complaint
    stmt = (sa.select(c.id, c.title, c.text, c.category_id, c.opd_id)
            .where(c.dispatched_at.is_not(None), c.status != Status.ARSIP,
                   sa.or_(c.category_id.is_not(None), c.opd_id.is_not(None)))
            .order_by(c.dispatched_at.desc()).limit(limit))
    texts, cats, opds = [], [], []
    for row in db.session.execute(stmt):
        if exclude_ids and row.id in exclude_ids:
            continue
        texts.append(_normalise(f"{row.title or ''} {row.text}"))
        cats.append(row.category_id)
        opds.append(row.opd_id)
    return texts, cats, opds


def _fit(texts: list[str], labels: list[int | None]):
    pairs = [(t, y) for t, y in zip(texts, labels, strict=True) if y is not None]
    if len(pairs) < MIN_SAMPLES or len({y for _t, y in pairs}) < 2:
        return None
    model = build_pipeline()
    with warnings.catch_warnings():  # convergence chatter is not an error for suggestions
        warnings.simplefilter("ignore")
        model.fit([t for t, _y in pairs], [y for _t, y in pairs])
    return model


def train(limit: int = TRAIN_LIMIT, exclude_ids: set[int] | None = None) -> TrainedModel:
    texts, cats, opds = training_data(limit, exclude_ids)
    return TrainedModel(category=_fit(texts, cats), opd=_fit(texts, opds), samples=len(texts),
                        trained_at=time.time())


def _key() -> str:
    return str(db.engine.url)


_training: set[str] = set()


def get_model(block: bool = True) -> TrainedModel | None:
    """The cached model of this process and database, trained on first use.

    With ``block=False`` (web requests) a missing or stale model is trained in a background
    thread and ``None`` (or the stale model) is returned meanwhile: the keywords answer.
    """
    key = _key()
    with _lock:
        model = _models.get(key)
    fresh = model is not None and time.time() - model.trained_at <= MODEL_TTL
    if fresh:
        return model
    if block:
        model = train()
        with _lock:
            _models[key] = model
        return model
    with _lock:
        if key in _training:
            return model
        _training.add(key)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=_train_in_background, args=(app, key), daemon=True).start()
    return model


def _train_in_background(app, key: str) -> None:
    try:
        with app.app_context():
            model = train()
            with _lock:
                _models[key] = model
            db.session.remove()
    except Exception:  # logged; the keywords keep answering
        app.logger.exception("suggest: background training failed")
    finally:
        with _lock:
            _training.discard(key)


def retrain() -> TrainedModel:
    with _lock:
        _models.pop(_key(), None)
    model = get_model(block=True)
    assert model is not None
    return model


def clear_cache() -> None:
    with _lock:
        _models.clear()


def _top(model, text: str, k: int) -> list[tuple[int, float]]:
    proba = model.predict_proba([text])[0]
    classes = model.classes_
    order = proba.argsort()[::-1][:k]
    return [(int(classes[i]), float(proba[i])) for i in order]


def keyword_scores(text: str, categories: list[Category]) -> list[tuple[Category, float]]:
    """Categories whose keywords occur in the text, by share of matching keywords."""
    words = set(re.findall(r"\w+", text.lower()))
    low = text.lower()
    scored = []
    for cat in categories:
        kws = [k.strip().lower() for k in re.split(r"[\n,]", cat.keywords or "") if k.strip()]
        if not kws:
            continue
        hits = sum(1 for k in kws if (k in words if " " not in k else k in low))
        if hits:
            scored.append((cat, hits))
    total = sum(h for _c, h in scored) or 1
    scored.sort(key=lambda p: (-p[1], p[0].path))
    return [(cat, hits / total) for cat, hits in scored]


def suggest(text: str, k: int = TOP_K) -> dict[str, Any]:
    """``{"categories": [Suggestion…], "opds": [Suggestion…], "source": "model"|"keywords"}``."""
    text = _normalise(text)
    out: dict[str, Any] = {"categories": [], "opds": [], "source": "keywords"}
    if not text:
        return out
    try:
        block = bool(current_app.config.get("TESTING") or current_app.config.get("JOBS_EAGER"))
        model = get_model(block=block) or TrainedModel(None, None, 0, time.time())
    except Exception:  # training must never break a page
        current_app.logger.exception("suggest: training failed")
        model = TrainedModel(None, None, 0, time.time())
    cats_by_id = {c.id: c for c in db.session.scalars(sa.select(Category).where(Category.active.is_(True)))}
    opds_by_id = {o.id: o for o in db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)))}
    if model.category is not None:
        out["source"] = "model"
        out["categories"] = [Suggestion(cid, None, cats_by_id[cid].path, p)
                             for cid, p in _top(model.category, text, k + 2) if cid in cats_by_id][:k]
    if model.opd is not None:
        out["source"] = "model"
        out["opds"] = [Suggestion(oid, opds_by_id[oid].code, opds_by_id[oid].name, p)
                       for oid, p in _top(model.opd, text, k + 2) if oid in opds_by_id][:k]
    if not out["categories"]:
        scored = keyword_scores(text, list(cats_by_id.values()))[:k]
        out["categories"] = [Suggestion(c.id, None, c.path, p) for c, p in scored]
        if not out["opds"]:
            seen: dict[int, Suggestion] = {}
            for cat, p in scored:
                opd = cat.default_opd
                if opd is not None and opd.active and opd.id not in seen:
                    seen[opd.id] = Suggestion(opd.id, opd.code, opd.name, p)
            out["opds"] = list(seen.values())[:k]
    return out

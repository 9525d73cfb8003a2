"""Category and OPD suggestions from a complaint's text (roadmap §3.6.3).

A scikit-learn pipeline — TF-IDF over words and word pairs, then a linear classifier with
probabilities (logistic loss trained by SGD) — is trained on complaints already dispatched. With
too little history it falls back to the categories' keywords (the OPD then being the
category's default OPD). Suggestions are shown with their confidence and never applied
without a click.

The model is trained by ``flask --app portal suggest train`` (cron, daily: deploy/cron) or
:func:`retrain`, and saved to ``SUGGEST_MODEL_DIR`` (default ``instance/models``; off under TESTING)
as one file per database. Web workers LOAD that file (again when it changes) instead of training;
only when there is none yet does one process (a lock file) train it in the background and save it
for the others. Without a model directory the model is cached per process, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.complaints.models import Category, Complaint, Status
from portal.extensions import db
from portal.people.models import OPD

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
#: ``{key: mtime_ns}`` of the model file each loaded model came from
_loaded: dict[str, int] = {}
#: seconds after which another process's training lock is considered abandoned
LOCK_SECONDS = 600


def model_path() -> Path | None:
    """The model file of this database, or ``None`` when models are not kept on disk."""
    d = current_app.config.get("SUGGEST_MODEL_DIR")
    if d is None:
        if current_app.config.get("TESTING"):
            return None
        d = Path(current_app.instance_path) / "models"
    if not d:
        return None
    name = hashlib.sha1(_key().encode()).hexdigest()[:12]  # noqa: S324 - a file name
    return Path(d) / f"suggest-{name}.pickle"


def save(model: TrainedModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with open(tmp, "wb") as fh:
        pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _load_from_disk(key: str, path: Path) -> TrainedModel | None:
    """The model file when it is newer than what this process holds (a stat per call, a read per change)."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    with _lock:
        if _loaded.get(key) == mtime and key in _models:
            return _models[key]
    try:
        with open(path, "rb") as fh:
            model = pickle.load(fh)  # noqa: S301 - our own file in the instance folder
    except Exception:
        current_app.logger.warning("suggest: model file unreadable, ignored")
        return None
    with _lock:
        _models[key] = model
        _loaded[key] = mtime
    return model


def _claim_training(path: Path) -> bool:
    """Whether this process may train (no other process is): an O_EXCL lock file next to the model."""
    lock = path.with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        if time.time() - lock.stat().st_mtime > LOCK_SECONDS:
            lock.unlink()
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def get_model(block: bool = True) -> TrainedModel | None:
    """The model of this database: from the model file when there is one, else cached per process.

    With ``block=False`` (web requests) a missing model is trained in a background thread (by one
    process, saved for the others) and ``None`` is returned meanwhile: the keywords answer.
    """
    key = _key()
    path = model_path()
    if path is not None:
        model = _load_from_disk(key, path)
        if model is not None:
            return model
    with _lock:
        model = _models.get(key)
    fresh = model is not None and time.time() - model.trained_at <= MODEL_TTL
    if fresh:
        return model
    if block:
        model = train()
        with _lock:
            _models[key] = model
        if path is not None:
            save(model, path)
        return model
    with _lock:
        if key in _training:
            return model
        if path is not None and not _claim_training(path):
            return model
        _training.add(key)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=_train_in_background, args=(app, key, path), daemon=True).start()
    return model


def _train_in_background(app, key: str, path: Path | None = None) -> None:
    try:
        with app.app_context():
            model = train()
            with _lock:
                _models[key] = model
            if path is not None:
                save(model, path)
            db.session.remove()
    except Exception:  # logged; the keywords keep answering
        app.logger.exception("suggest: background training failed")
    finally:
        with _lock:
            _training.discard(key)
        if path is not None:
            with contextlib.suppress(OSError):
                path.with_suffix(".lock").unlink()


def retrain() -> TrainedModel:
    """Train now (this process) and save the model file the web workers load."""
    model = train()
    with _lock:
        _models[_key()] = model
    path = model_path()
    if path is not None:
        save(model, path)
    return model


def clear_cache() -> None:
    with _lock:
        _models.clear()
        _loaded.clear()


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

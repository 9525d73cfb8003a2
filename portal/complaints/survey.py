"""The public satisfaction survey (Survei Kepuasan Masyarakat, PermenPANRB 14/2017) and its index (IKM).

After a complaint is finished its reporter answers the nine SKM elements on the 1–4 scale, reached
from the tracking page with a one-time code (on the receipt and in the closing notice). The code is
derived from the complaint (an HMAC of the secret key), so it needs no storage; its use is recorded
in :class:`SurveyCodeUse` (the complaint and nothing else), and the answers in
:class:`SurveyResponse` carry only the complaint's OPD and month — no complaint, no reporter, no
time of day, and a random id — so no result can be traced back to a reporter. Staff enter paper
questionnaires the same way (OPD and month).

IKM (the regulation's method, equal weights): the mean perceived value of each element over the
respondents, IKM = mean of the nine element means × 25, and its quality category.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import uuid
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from portal.complaints.models import Complaint, Status
from portal.core.timeutil import today_wib, wib_date
from portal.extensions import db
from portal.people.models import OPD

#: the nine SKM elements (PermenPANRB 14/2017), in the regulation's order
ELEMENTS: tuple[tuple[str, Any], ...] = (
    ("u1", _l("Persyaratan")),
    ("u2", _l("Sistem, mekanisme dan prosedur")),
    ("u3", _l("Waktu penyelesaian")),
    ("u4", _l("Biaya/tarif")),
    ("u5", _l("Produk spesifikasi jenis pelayanan")),
    ("u6", _l("Kompetensi pelaksana")),
    ("u7", _l("Perilaku pelaksana")),
    ("u8", _l("Penanganan pengaduan, saran dan masukan")),
    ("u9", _l("Sarana dan prasarana")),
)
KEYS = tuple(k for k, _ in ELEMENTS)
#: the answer scale: 1 tidak baik … 4 sangat baik
SCALE = ((1, _l("Tidak baik")), (2, _l("Kurang baik")), (3, _l("Baik")), (4, _l("Sangat baik")))
#: quality categories: (lowest IKM, letter, label) — PermenPANRB 14/2017, interval of the converted value
CATEGORIES = ((88.31, "A", _l("Sangat Baik")), (76.61, "B", _l("Baik")), (65.00, "C", _l("Kurang Baik")),
              (25.00, "D", _l("Tidak Baik")))
#: the roadmap's target for user satisfaction (docs/DOMAIN.md §12), in percent
TARGET = 95.0


class SurveyCodeUse(db.Model):
    """A complaint whose survey code has been used (one response per complaint); nothing else."""

    __tablename__ = "survey_code_use"

    complaint_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("complaint.id", ondelete="CASCADE"),
                                                      primary_key=True, autoincrement=False)

    def __repr__(self) -> str:
        return f"<SurveyCodeUse {self.complaint_id}>"


class SurveyResponse(db.Model):
    """One SKM questionnaire: nine answers and a suggestion, with the OPD and month only."""

    __tablename__ = "survey_response"
    __table_args__ = tuple(sa.CheckConstraint(f"{k} BETWEEN 1 AND 4", name=f"{k}_range") for k in KEYS)

    #: random, so the order of responses says nothing about which complaint one belongs to
    id: orm.Mapped[str] = orm.mapped_column(sa.String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    #: the OPD that handled the complaint (none: the province's admin)
    opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True, index=True)
    #: the first day of the month the response belongs to (the complaint's finishing month)
    period: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False, index=True)
    #: ``online`` (the reporter, with the code) or ``paper`` (entered by staff)
    source: orm.Mapped[str] = orm.mapped_column(sa.String(8), nullable=False, default="online")
    u1: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    u2: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    u3: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    u4: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    u5: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    u6: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    u7: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    u8: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    u9: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    #: the open suggestion (saran), free text; never published individually
    suggestion: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")

    opd: orm.Mapped[OPD | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<SurveyResponse {self.period:%Y-%m} opd={self.opd_id}>"


class SurveyError(ValueError):
    """The survey cannot be answered (shown to the reporter)."""


# --- the one-time code ---------------------------------------------------------------------------

def code_for(complaint: Complaint) -> str:
    """The complaint's survey code, ``XXXX-XXXX`` (base32 of an HMAC of the secret key)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(key, f"skm:{complaint.id}:{complaint.tracking_no}".encode(), hashlib.sha256).digest()
    raw = base64.b32encode(mac)[:8].decode()
    return f"{raw[:4]}-{raw[4:]}"


def _norm(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_matches(complaint: Complaint, code: str) -> bool:
    return hmac.compare_digest(_norm(code), _norm(code_for(complaint)))


def is_used(complaint: Complaint) -> bool:
    return db.session.get(SurveyCodeUse, complaint.id) is not None


def open_for(complaint: Complaint) -> bool:
    """A finished complaint whose code is not used yet."""
    return complaint.status == Status.SELESAI and not is_used(complaint)


def _values(answers: dict[str, Any]) -> dict[str, int]:
    out = {}
    for k in KEYS:
        try:
            v = int(answers.get(k))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SurveyError(k) from None
        if not 1 <= v <= 4:
            raise SurveyError(k)
        out[k] = v
    return out


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def submit(complaint: Complaint, code: str, answers: dict[str, Any], suggestion: str = "") -> SurveyResponse:
    """The reporter's response; marks the code used. Only flushes."""
    if complaint.status != Status.SELESAI:
        raise SurveyError("not_finished")
    if not code_matches(complaint, code):
        raise SurveyError("code")
    values = _values(answers)
    if is_used(complaint):
        raise SurveyError("used")
    db.session.add(SurveyCodeUse(complaint_id=complaint.id))
    try:
        db.session.flush()  # the primary key refuses a second response for the same complaint
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise SurveyError("used") from None
    finished = wib_date(complaint.finished_at) if complaint.finished_at else today_wib()
    row = SurveyResponse(opd_id=complaint.opd_id, period=month_of(finished), source="online",
                         suggestion=(suggestion or "").strip()[:2000], **values)
    db.session.add(row)
    db.session.flush()
    return row


def enter_paper(opd: OPD | None, period: dt.date, answers: dict[str, Any], suggestion: str = "") -> SurveyResponse:
    """A paper questionnaire entered by staff. Only flushes."""
    row = SurveyResponse(opd_id=opd.id if opd else None, period=month_of(period), source="paper",
                         suggestion=(suggestion or "").strip()[:2000], **_values(answers))
    db.session.add(row)
    db.session.flush()
    return row


# --- the index -----------------------------------------------------------------------------------

def category(value: float | None) -> tuple[str, str] | None:
    """``(letter, label)`` of an IKM value (already rounded to two decimals)."""
    if value is None:
        return None
    for low, letter, label in CATEGORIES:
        if value >= low:
            return letter, str(label)
    return "D", str(CATEGORIES[-1][2])


def ikm_from_sums(n: int, sums: dict[str, int]) -> dict[str, Any]:
    """IKM from the respondent count and the per-element sums of values."""
    if not n:
        return {"n": 0, "elements": [], "ikm": None, "nrr": None, "category": None, "label": None,
                "priorities": [], "target": TARGET}
    means = {k: sums[k] / n for k in KEYS}
    nrr = sum(means.values()) / len(KEYS)
    ikm = round(nrr * 25 + 1e-9, 2)
    lowest = min(round(v, 2) for v in means.values())
    elements = [{"key": k, "label": str(label), "mean": round(means[k], 2), "converted": round(means[k] * 25, 2),
                 "priority": round(means[k], 2) == lowest} for k, label in ELEMENTS]
    letter, cat_label = category(ikm)  # type: ignore[misc]
    return {"n": n, "elements": elements, "ikm": ikm, "nrr": round(nrr, 3), "category": letter, "label": cat_label,
            "priorities": [e["key"] for e in elements if e["priority"]], "target": TARGET}


def _filters(start: dt.date | None, end: dt.date | None, opd_ids: list[int] | None) -> list:
    out = []
    if start is not None:
        out.append(SurveyResponse.period >= month_of(start))
    if end is not None:
        out.append(SurveyResponse.period <= end)
    if opd_ids is not None:
        out.append(SurveyResponse.opd_id.in_(opd_ids))
    return out


def ikm(start: dt.date | None = None, end: dt.date | None = None, opd: OPD | None = None,
        opd_ids: list[int] | None = None) -> dict[str, Any]:
    """IKM over the responses whose month lies in ``start``–``end`` (and of ``opd`` and its units,
    or of the OPDs ``opd_ids``)."""
    cols = [sa.func.count()] + [sa.func.coalesce(sa.func.sum(getattr(SurveyResponse, k)), 0) for k in KEYS]
    ids = opd.subtree_ids() if opd else (list(opd_ids) if opd_ids is not None else None)
    row = db.session.execute(sa.select(*cols).where(*_filters(start, end, ids))).one()
    return ikm_from_sums(int(row[0]), {k: int(v) for k, v in zip(KEYS, row[1:], strict=True)})


def ikm_per_opd(start: dt.date | None = None, end: dt.date | None = None) -> list[dict[str, Any]]:
    """IKM per OPD (as answered: responses of a unit count for the unit), OPDs by name."""
    cols = [SurveyResponse.opd_id, sa.func.count()] + [sa.func.sum(getattr(SurveyResponse, k)) for k in KEYS]
    rows = db.session.execute(sa.select(*cols).where(*_filters(start, end, None))
                              .group_by(SurveyResponse.opd_id)).all()
    names = {o.id: o for o in db.session.scalars(sa.select(OPD).where(
        OPD.id.in_([r[0] for r in rows if r[0] is not None])))}
    out = []
    for r in rows:
        o = names.get(r[0])
        res = ikm_from_sums(int(r[1]), {k: int(v) for k, v in zip(KEYS, r[2:], strict=True)})
        out.append({"code": o.code if o else None, "name": o.name if o else None, **res})
    out.sort(key=lambda x: (x["name"] is None, x["name"] or ""))
    return out


def notify_finished(complaint: Complaint) -> int:
    """The closing notice to the reporter (by e-mail when they gave one), with the survey code."""
    from portal.core.mail import queue_email
    from portal.notifications.service import base_url, render_email

    email = complaint.reporter.email if complaint.reporter else None
    if not email or is_used(complaint):
        return 0
    body = render_email("emails/finished.txt", c=complaint, code=code_for(complaint), base_url=base_url())
    queue_email(email, f"[LAPOR] Laporan #{complaint.tracking_no} selesai", body, kind="finished")
    return 1

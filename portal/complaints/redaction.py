"""Anonymisation: the ONE place that decides what of a complaint may be public.

Every public output (pages, CSV, JSON, Open311) goes through :func:`public_view` (a whole
complaint) or :func:`redact` (a piece of free text). The rules:

- never public: the reporter's name, NIK, phone, e-mail, exact coordinates, attachments;
- a confidential (rahasia) complaint shows only its status, OPD and dates;
- free text (titles, complaint text, follow-ups, public notes) is cleaned of NIKs, Indonesian
  phone numbers in every common spelling, e-mail addresses and the reporter's own name (and every
  part of it of three letters or more).

Templates still escape whatever this returns: complaint text is user input.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from portal.complaints.contact import is_valid_phone
from portal.complaints.models import Complaint, Status
from portal.core.i18n import N_, indonesian
from portal.core.timeutil import to_wib

NIK_MASK = "[NIK]"
PHONE_MASK = "[nomor telepon]"
EMAIL_MASK = "[email]"
NAME_MASK = "[nama pelapor]"


class Audience(enum.StrEnum):
    """Who reads a text: it decides what :func:`redactor_for` removes."""

    #: citizens, open data, the API, Open311: the reporter and every PII shape removed
    PUBLIC = "public"
    #: an OPD liaison (pages and mail): the reporter removed only when the complaint is anonymous
    OPD = "opd"
    #: Kominfo, Ombudsman, leadership: everything (the reporter's data masked on the page, reveals logged)
    FULL = "full"


# --- normalising: how people type ---------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
_ASCII_SPACE = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\x0b": " ", "\x0c": " "})


def _normal_char(ch: str) -> str:
    """One character as the detectors read it: NFKC (full-width ＠ and digits, NBSP), dashes as ``-``,
    every space as `` ``, format characters (zero-width space, soft hyphen) dropped, accents off."""
    if unicodedata.category(ch) == "Cf":
        return ""
    if ch in _DASHES:
        return "-"
    if ch.isspace():
        return " "
    n = unicodedata.normalize("NFKC", ch)
    n = "".join(c for c in unicodedata.normalize("NFKD", n) if not unicodedata.combining(c))
    return "".join("-" if c in _DASHES else " " if c.isspace() else c for c in n)


def _normalise(text: str) -> tuple[str, list[int] | None]:
    """``text`` as the detectors read it, and for each of its characters the original's index
    (``None``: the same positions, plain ASCII)."""
    if text.isascii():
        return text.translate(_ASCII_SPACE), None
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        n = ch if ch.isascii() and not ch.isspace() else _normal_char(ch)
        out.append(n)
        index.extend([i] * len(n))
    return "".join(out), index


# --- detectors (on the normalised text) ---------------------------------------------------------

_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|et|@)\s*[\])}>]\s*|\s+(?:at|et)\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\[({<]\s*(?:dot|titik|\.)\s*[\])}>]\s*|\s+(?:dot|titik)\s+)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
#: an e-mail address, plain (RFC 5322 local part) or as people obfuscate it: ``nama [at] contoh [dot] id``,
#: ``nama @ contoh.id``, ``nama(at)contoh(dot)co(dot)id``; the last label is a TLD (letters)
_EMAIL = re.compile(
    rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,24}}\b",
    re.IGNORECASE)
_MAYBE_EMAIL = re.compile(r"@|[\[({<]\s*(?:at|et)\s*[\])}>]|\s(?:at|et)\s", re.IGNORECASE)

#: digits joined by what people put between them: spaces, dots, dashes, slashes, brackets, ``+``
_RUN = re.compile(r"(?<![\d+])(?:\+\s*|\(\s*\+?\s*)?\d(?:[\s.\-/()_]{0,3}\d)*")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d{2}"
#: not glued to other digits (``3602 05.04.2024 0003`` is a NIK, not a date)
_ALONE_BEFORE = r"(?<!\d)(?<!\d[\s.\-/])"
_ALONE_AFTER = r"(?!\d)(?![\s.\-/]\d)"
#: dates and year ranges that a run of digits may legitimately be made of; they split runs
#: (a date may be followed by its time: ``05/04/2024 09:30``)
_DATE = re.compile(
    rf"{_ALONE_BEFORE}(?:{_YEAR}[-./]{_MONTH}[-./]{_DAY}|{_DAY}[-./]{_MONTH}[-./]{_YEAR})"
    r"(?!\d)(?![\s.\-/]\d(?!\d?[.:][0-5]\d))"
    rf"|{_ALONE_BEFORE}{_YEAR}\s*[-/]\s*{_YEAR}{_ALONE_AFTER}")
#: a time, split off only where it reads as one: after ``pukul``/``jam`` or a date, or before ``WIB``
_TIME = re.compile(r"(?<!\d)(?:[01]?\d|2[0-3])[.:][0-5]\d(?!\d)")
_TIME_BEFORE = re.compile(r"(?:\b(?:pukul|jam|pkl|pk)\.?|#)\s*$", re.IGNORECASE)
_TIME_AFTER = re.compile(r"\s*(?:WIB|WITA|WIT)\b", re.IGNORECASE)


def _bar_dates(norm: str) -> str:
    """``norm`` with dates and times overwritten by ``#`` (same length, so spans still line up)."""
    barred = _DATE.sub(lambda m: "#" * len(m.group(0)), norm)
    if ":" not in barred and "." not in barred:
        return barred
    out = barred
    for m in _TIME.finditer(barred):
        if _TIME_BEFORE.search(barred[max(0, m.start() - 8):m.start()]) or _TIME_AFTER.match(barred, m.end()):
            out = out[:m.start()] + "#" * (m.end() - m.start()) + out[m.end():]
    return out


#: an amount in rupiah: thousands grouped by dots, never starting like a phone number (0…, 62…)
_MONEY = re.compile(r"^(?!0|62)\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?$")
_MONEY_BEFORE = re.compile(r"(?:Rp\.?|IDR)\s*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_NAME_RUN = re.compile(re.escape(NAME_MASK) + r"(?:[ \u00a0]+" + re.escape(NAME_MASK) + ")+")


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", value or ""))


def _is_phone(run: str, digits: str) -> bool:
    """An Indonesian phone number, national or international, as ``phonenumbers`` knows them."""
    plus = run.lstrip(" (").startswith("+")
    if plus or digits.startswith("00"):
        candidate = "+" + (digits[2:] if digits.startswith("00") and not plus else digits)
    elif digits.startswith("62") and len(digits) >= 10:
        candidate = "+" + digits
    elif digits.startswith("0") and 9 <= len(digits) <= 14:
        candidate = digits
    else:
        return False
    return is_valid_phone(candidate)


def _known_variants(values: Iterable[str]) -> list[str]:
    """The reporter's own NIK and phone as digit strings, national and international."""
    out: set[str] = set()
    for value in values:
        d = _digits(value)
        if len(d) < 6:
            continue
        out.add(d)
        if d.startswith("62"):
            out.add("0" + d[2:])
            out.add(d[2:])
        if d.startswith("0"):
            out.add("62" + d[1:])
            out.add(d[1:])
    return sorted(out, key=len, reverse=True)


def _digit_spans(norm: str, known: list[str]) -> list[tuple[int, int, str]]:
    """Spans of NIKs, phone numbers, long digit runs and the reporter's own numbers."""
    spans = []
    # the reporter's own numbers first, dates or not (a NIK may look like one: 36.01.01…)
    for m in _RUN.finditer(norm) if known else ():
        d = _digits(m.group(0))
        if any(k in d for k in known):
            spans.append((m.start(), m.end(), NIK_MASK if len(d) == 16 else PHONE_MASK))
    # a whole run that is a NIK or a valid phone number, whatever dates it seems to contain
    for m in _RUN.finditer(norm):
        d = _digits(m.group(0))
        if len(d) == 16:
            spans.append((m.start(), m.end(), NIK_MASK))
        elif len(d) >= 9 and _is_phone(m.group(0), d):
            spans.append((m.start(), m.end(), PHONE_MASK))
    barred = _bar_dates(norm)
    for m in _RUN.finditer(barred):
        run = m.group(0)
        d = _digits(run)
        if len(d) < 9:
            continue
        if len(d) == 16:
            spans.append((m.start(), m.end(), NIK_MASK))
        elif _is_phone(run, d) or (len(d) >= 10 and not _is_money(norm, m)):
            spans.append((m.start(), m.end(), PHONE_MASK))
    return spans


def _is_money(norm: str, m: re.Match[str]) -> bool:
    """``Rp 15.000.000.000`` or ``1.500.000.000`` is an amount, not a number to hide."""
    if not _MONEY.match(m.group(0).strip(" ()")):
        return False
    return len(_digits(m.group(0))) <= 12 or bool(_MONEY_BEFORE.search(norm[max(0, m.start() - 5):m.start()]))


def _name_spans(norm: str, parts: set[str]) -> list[tuple[int, int, str]]:
    folded = norm.casefold()
    if not any(p in folded for p in parts):  # cheap: most texts never name the reporter
        return []
    return [(m.start(), m.end(), NAME_MASK) for m in _WORD.finditer(norm) if m.group(0).casefold() in parts]

def _spans(text: str, parts: set[str], values: list[str], known: list[str]) -> str:
    """``text`` with every detected span replaced by its mask; the rest kept exactly as typed."""
    norm, index = _normalise(text)
    spans: list[tuple[int, int, str]] = []
    if _MAYBE_EMAIL.search(norm):
        spans += [(m.start(), m.end(), EMAIL_MASK) for m in _EMAIL.finditer(norm)]
        for value in values:
            if "@" in value:
                local = re.escape(value.split("@", 1)[0])
                spans += [(m.start(), m.end(), EMAIL_MASK)
                          for m in re.finditer(rf"(?<![\w.]){local}(?![\w])", norm, re.IGNORECASE)]
    if sum(ch.isdigit() for ch in norm) >= 6:
        spans += _digit_spans(norm, known)
    if parts:
        spans += _name_spans(norm, parts)
    if not spans:
        return text
    if index is not None:
        spans = [(index[s], index[e - 1] + 1, mask) for s, e, mask in spans]
    spans.sort(key=lambda s: (s[0], -s[1]))
    out, pos = [], 0
    for s, e, mask in spans:
        if s < pos:  # inside (or overlapping) a span already masked
            if e > pos:
                pos = e
            continue
        out.append(text[pos:s])
        out.append(mask)
        pos = e
    out.append(text[pos:])
    result = "".join(out)
    # "Sulastri Wibowo" is one name: one mask
    return _NAME_RUN.sub(NAME_MASK, result) if parts else result


def _name_parts(names: Iterable[str | None]) -> set[str]:
    """Every part (three letters or more) of the reporter's names, casefolded, accents off."""
    parts: set[str] = set()
    for name in names:
        norm, _index = _normalise(name or "")
        for p in _WORD.findall(norm):
            if len(p) >= 3:
                parts.add(p.casefold())
    return parts


def redact(text: str | None, names: Iterable[str | None] = (), values: Iterable[str | None] = ()) -> str:
    """``text`` without e-mail addresses, NIKs, phone numbers, long digit runs and ``names``.

    ``values`` are the reporter's own identifiers (NIK, phone, e-mail), removed in any spelling.
    Every pass first checks cheaply whether it can match at all (open data runs this on millions).
    """
    vals = [v for v in values if v]
    return _redact(text, _name_parts(names), vals, _known_variants(v for v in vals if "@" not in v))


def _redact(text: str | None, parts: set[str], values: list[str], known: list[str] | None = None) -> str:
    """:func:`redact` with the name parts and identifiers already prepared (once per complaint)."""
    if not text:
        return ""
    if known is None:
        known = _known_variants(v for v in values if "@" not in v)
    return _spans(text, parts, values, known)


def _identity(text: str | None) -> str:
    return text or ""


def redactor_for(complaint: Complaint, audience: Audience = Audience.PUBLIC):
    """A one-argument clean-up for the texts of ``complaint`` as ``audience`` may read them.

    PUBLIC: the reporter's own values and every PII shape removed. OPD: the same for an anonymous
    complaint (anonymous means hidden from the OPD too), the text as written otherwise. FULL: as written.
    """
    if audience == Audience.FULL or (audience == Audience.OPD and not complaint.is_anonymous):
        return _identity
    rep = complaint.reporter
    parts = _name_parts([rep.name] if rep is not None and rep.name else [])
    values = [v for v in (rep.nik, rep.phone, rep.email) if v] if rep is not None else []
    known = _known_variants(v for v in values if "@" not in v)

    def clean(text: str | None) -> str:
        return _redact(text, parts, values, known)

    return clean


def audience_of(user) -> Audience:
    """The audience a signed-in user belongs to (anonymous visitors: PUBLIC)."""
    from portal.people.models import Role

    if user is None or not getattr(user, "is_authenticated", False):
        return Audience.PUBLIC
    return Audience.OPD if user.role == Role.OPD else Audience.FULL


def w3c(value: dt.datetime | None) -> str | None:
    """A W3C datetime in WIB: ``2024-04-05T09:30:00+07:00``."""
    if value is None:
        return None
    return to_wib(value).replace(microsecond=0).isoformat()  # type: ignore[union-attr]


def is_closed(status: Status) -> bool:
    return status in Status.CLOSED


def region_of(location: str | None) -> str | None:
    """The kabupaten/kota part of a free-text location (its first comma-separated part)."""
    if not location:
        return None
    first = location.split(",")[0].strip()
    return first or None


def is_published(complaint: Complaint) -> bool:
    """Verified and forwarded (docs/DOMAIN.md §6: LAPOR! publishes then); before, only number, status, date.

    Unpublished: still Belum Terverifikasi (a complaint verified but not yet dispatched keeps that
    status), or postponed/archived before anyone verified or dispatched it (screened out as abusive
    or unclear).
    """
    c = complaint
    if c.status == Status.BELUM_TERVERIFIKASI:
        return False
    if c.status in (Status.TUNDA, Status.ARSIP):
        return c.verified_at is not None or c.dispatched_at is not None
    return True


def published_clause():
    """:func:`is_published` as a SQL condition."""
    import sqlalchemy as sa

    return sa.and_(
        Complaint.status != Status.BELUM_TERVERIFIKASI,
        sa.or_(Complaint.status.not_in([Status.TUNDA, Status.ARSIP]),
               Complaint.verified_at.is_not(None), Complaint.dispatched_at.is_not(None)))


def public_view(complaint: Complaint, *, detail: bool = False) -> dict[str, Any]:
    """The anonymised public view of one complaint, as plain JSON-ready values.

    With ``detail`` the public timeline and the OPD's follow-ups are included. A complaint not yet
    verified yields only its number, status and date received; a confidential one only its status,
    OPD and dates, whatever ``detail`` says. No reporter attribute (gender, disability, anonymity) is
    ever part of it: those exist only in aggregates (docs/PRIVACY.md).
    """
    c = complaint
    if not is_published(c):
        return {"id": c.tracking_no, "status": c.status.value, "status_label": indonesian(c.status.label),
                "submitted_at": w3c(c.submitted_at)}
    opd = c.opd
    view: dict[str, Any] = {
        "id": c.tracking_no,
        "status": c.status.value,
        "status_label": indonesian(c.status.label),
        "closed": is_closed(c.status),
        "opd": opd.code if opd else None,
        "opd_name": opd.name if opd else None,
        "submitted_at": w3c(c.submitted_at),
        "verified_at": w3c(c.verified_at),
        "dispatched_at": w3c(c.dispatched_at),
        "first_followup_at": w3c(c.first_followup_at),
        "finished_at": w3c(c.finished_at),
        "updated_at": w3c(c.updated_at),
        "due_date": c.due_date.isoformat() if c.due_date else None,
        "confidential": bool(c.is_confidential),
    }
    if c.status == Status.DITERUSKAN:
        # no wrong door: where it went is public, whatever the content's confidentiality
        view["forwarded_to"] = c.forwarded_to.name if c.forwarded_to else None
        view["forwarded_at"] = w3c(c.forwarded_at)
    if c.is_confidential:
        return view
    clean = redactor_for(c)
    view.update({
        "title": clean(c.title) or None,
        "text": clean(c.text),
        "type": c.type.value,
        "type_label": indonesian(c.type.label),
        "channel": c.channel.value,
        "channel_label": indonesian(c.channel.label),
        "category": c.category.path if c.category else None,
        "category_id": c.category_id,
        "location": clean(c.location) or None,
        "region": clean(region_of(c.location)) or None,
        "norm_days": c.norm_days,
        "rating": c.rating,
    })
    if detail:
        view["followups"] = [
            {"at": w3c(f.created_at), "opd": f.opd.code if f.opd else None,
             "opd_name": f.opd.name if f.opd else None, "text": clean(f.text)}
            for f in c.followups
        ]
        view["timeline"] = public_timeline(c, clean)
    return view


#: the public label of each event kind; kinds without one (updates, reveals …) are never public
_EVENT_LABELS = {
    "created": N_("Laporan diterima"),
    "imported": N_("Laporan diterima"),
    "verified": N_("Laporan diverifikasi"),
    "dispatched": N_("Didisposisikan ke OPD"),
    "followup": N_("Tindak lanjut OPD"),
    "status": N_("Status berubah"),
    "returned": N_("Dikembalikan ke admin (bukan kewenangan)"),
    "reopened": N_("Dibuka kembali"),
    "forwarded": N_("Diteruskan ke instansi lain"),
}


def public_timeline(complaint: Complaint, clean=None) -> list[dict[str, Any]]:
    """Public events (status changes) with their public labels, oldest first.

    A note is shown only when staff marked it public (``note_public``), redacted, and never for a
    confidential complaint; an OPD's "bukan kewenangan" reason never (no switch is offered for it).
    """
    clean = clean or redactor_for(complaint)
    out = []
    for ev in complaint.events:
        if not ev.is_public or ev.kind not in _EVENT_LABELS:
            continue
        item = {
            "at": w3c(ev.at),
            "kind": ev.kind,
            "label": _EVENT_LABELS[ev.kind],
            "from_status": ev.from_status.value if ev.from_status else None,
            "to_status": ev.to_status.value if ev.to_status else None,
            "to_status_label": indonesian(ev.to_status.label) if ev.to_status else None,
        }
        if ev.kind == "dispatched":
            opd_change = (ev.changes or {}).get("opd")
            if isinstance(opd_change, list) and opd_change:
                item["opd"] = opd_change[-1]
        if ev.kind == "forwarded":
            dest = (ev.changes or {}).get("forwarded_to")
            if isinstance(dest, list) and dest:
                item["forwarded_to"] = dest[-1]
        if ev.note and ev.note_public and ev.kind != "returned" and not complaint.is_confidential:
            item["note"] = clean(ev.note)
        out.append(item)
    return out


def public_timeline_note(complaint: Complaint, event) -> str | None:
    """What the public reads of ``event``'s note (for staff pages: "publik membaca: …"), or ``None``."""
    if not (event.is_public and event.note and event.note_public) or event.kind not in _EVENT_LABELS:
        return None
    if event.kind == "returned" or complaint.is_confidential or not is_published(complaint):
        return None
    return redactor_for(complaint)(event.note)


#: columns of the open-data CSV, in order (the data dictionary documents each)
CSV_COLUMNS = [
    "id", "submitted_at", "status", "status_label", "opd", "opd_name", "category", "type", "channel",
    "region", "title", "text", "verified_at", "dispatched_at", "first_followup_at", "finished_at",
    "due_date", "rating", "confidential",
]


def csv_row(view: dict[str, Any]) -> list[Any]:
    """One open-data row; cells neutralised against formula injection by :mod:`portal.core.csvsafe`."""
    from portal.core.csvsafe import safe_row

    return safe_row(view.get(k) for k in CSV_COLUMNS)

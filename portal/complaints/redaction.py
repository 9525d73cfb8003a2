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
import re
from collections.abc import Iterable
from typing import Any

from portal.complaints.models import Complaint, Status
from portal.core.timeutil import to_wib

NIK_MASK = "[NIK]"
PHONE_MASK = "[nomor telepon]"
EMAIL_MASK = "[email]"
NAME_MASK = "[nama pelapor]"

#: RFC 5322 local-part characters, a dotted domain
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
#: an address someone obfuscated: ``nama [at] contoh [dot] id``, ``nama(at)contoh.id``
_EMAIL_OBFUSCATED = re.compile(
    r"[A-Za-z0-9._%+-]+\s*[\[(]\s*(?:at|et)\s*[\])]\s*[A-Za-z0-9-]+"
    r"(?:\s*(?:\.|[\[(]\s*(?:dot|titik)\s*[\])])\s*[A-Za-z0-9-]+)+", re.IGNORECASE)
_SEP = r"[ .\-]?"
#: 16 digits (a NIK), separated anywhere by single spaces, dots or dashes
_NIK = re.compile(rf"(?<![\d])\d(?:{_SEP}\d){{15}}(?![\d])")
#: mobile: 08…, +62 8…, 62 8…, 0062 8…, +62 (0)8…; landline: (0254) 123456, 021-5551234, +62 21 …
_PHONE = re.compile(
    r"(?<![\d+])(?:"
    # international prefix, then a mobile (8…) or area code (2–7…) number
    r"(?:\+\s?62|00\s?62|62)\s?(?:\(0\)\s?)?[-.]?\(?[2-9]\)?(?:[ .\-()]{0,2}\d){6,12}"
    # national mobile
    r"|\(?08\)?(?:[ .\-()]{0,2}\d){7,12}"
    # national landline with area code
    r"|\(0[2-7]\d{1,3}\)\s?[-.]?\s?\d{3,4}[ .\-]?\d{2,5}"
    r"|0[2-7]\d{1,3}[ .\-]\d{3,4}[ .\-]?\d{3,5}"
    r"|0[2-7]\d{8,10}"
    r")(?![\d])"
)
#: any other long run of digits with separators (account numbers, a phone spelled oddly …)
_LONG_DIGITS = re.compile(r"(?<![\d+])\+?\d(?:[ .\-]?\d){9,}(?![\d])")
_MONEY_BEFORE = re.compile(r"(?:Rp\.?|IDR)\s*$", re.IGNORECASE)
#: dates and times that a long digit run may legitimately be made of
_DATE_LIKE = re.compile(r"(?<!\d)(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{4})(?!\d)")


_WORD = re.compile(r"[^\W\d_]+")


def _name_parts(names: Iterable[str | None]) -> set[str]:
    """Every part (three letters or more) of the reporter's names, casefolded."""
    parts: set[str] = set()
    for name in names:
        for p in _WORD.findall(name or ""):
            if len(p) >= 3:
                parts.add(p.casefold())
    return parts


def _sub_names(text: str, parts: set[str]) -> str:
    folded = text.casefold()
    if not any(p in folded for p in parts):  # cheap: most texts never name the reporter
        return text
    return _WORD.sub(lambda m: NAME_MASK if m.group(0).casefold() in parts else m.group(0), text)


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _literal_patterns(text: str, values: Iterable[str | None]) -> list[tuple[re.Pattern[str], str]]:
    """The reporter's own NIK/phone as digits with any separators (belt and braces).

    Patterns are only built when the digits of ``text`` contain the value at all.
    """
    text_digits = _digits(text)
    out = []
    for value in values:
        d = _digits(value)
        if len(d) < 6:
            continue
        variants = {d}
        if d.startswith("62"):
            variants.add("0" + d[2:])
        if d.startswith("0"):
            variants.add("62" + d[1:])
        for v in variants:
            if v not in text_digits:
                continue
            pat = r"(?<!\d)" + r"[ .\-()+]{0,2}".join(re.escape(ch) for ch in v) + r"(?!\d)"
            out.append((re.compile(pat), NIK_MASK if len(d) == 16 else PHONE_MASK))
    return out


#: an amount in rupiah: thousands grouped by dots, never starting like a phone number (0…, 62…)
_MONEY = re.compile(r"^(?!0|62)\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?$")


def _is_money(text: str, m: re.Match[str]) -> bool:
    """``Rp 15.000.000.000`` is an amount, not a number to hide."""
    return bool(_MONEY.match(m.group(0)) and _MONEY_BEFORE.search(text[max(0, m.start() - 5):m.start()]))


def _sub_long_digits(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        if _is_money(text, m):
            return m.group(0)
        if _DATE_LIKE.search(m.group(0)) and len(_digits(m.group(0))) <= 14:
            return m.group(0)
        return NIK_MASK if len(_digits(m.group(0))) == 16 else PHONE_MASK

    return _LONG_DIGITS.sub(repl, text)


_MAYBE_EMAIL = re.compile(r"@|[\[(]\s*(?:at|et)\s*[\])]", re.IGNORECASE)


def redact(text: str | None, names: Iterable[str | None] = (), values: Iterable[str | None] = ()) -> str:
    """``text`` without e-mail addresses, NIKs, phone numbers, long digit runs and ``names``.

    ``values`` are the reporter's own identifiers (NIK, phone, e-mail) removed literally too.
    Every pass first checks cheaply whether it can match at all (open data runs this on millions).
    """
    return _redact(text, _name_parts(names), [v for v in values if v])


def _redact(text: str | None, parts: set[str], values: list[str]) -> str:
    """:func:`redact` with the name parts and identifiers already prepared (once per complaint)."""
    if not text:
        return ""
    out = text
    if _MAYBE_EMAIL.search(out):
        for value in values:
            if "@" in value:
                out = re.sub(re.escape(value), EMAIL_MASK, out, flags=re.IGNORECASE)
        out = _EMAIL.sub(EMAIL_MASK, out)
        out = _EMAIL_OBFUSCATED.sub(EMAIL_MASK, out)
    if len(_digits(out)) >= 7:  # no NIK or phone number has fewer digits
        for pat, mask in _literal_patterns(out, (v for v in values if "@" not in v)):
            out = pat.sub(mask, out)
        out = _NIK.sub(NIK_MASK, out)
        out = _PHONE.sub(lambda m: m.group(0) if _is_money(out, m) else PHONE_MASK, out)
        out = _sub_long_digits(out)
    if parts:
        out = _sub_names(out, parts)
    return out


def redactor_for(complaint: Complaint):
    """A one-argument redact function that also knows this complaint's reporter."""
    rep = complaint.reporter
    parts = _name_parts([rep.name] if rep is not None and rep.name else [])
    values = [v for v in (rep.nik, rep.phone, rep.email) if v] if rep is not None else []

    def clean(text: str | None) -> str:
        return _redact(text, parts, values)

    return clean


def w3c(value: dt.datetime | None) -> str | None:
    """A W3C datetime in WIB: ``2024-04-05T09:30:00+07:00``."""
    if value is None:
        return None
    return to_wib(value).replace(microsecond=0).isoformat()  # type: ignore[union-attr]


def is_closed(status: Status) -> bool:
    return status in (Status.SELESAI, Status.ARSIP)


def region_of(location: str | None) -> str | None:
    """The kabupaten/kota part of a free-text location (its first comma-separated part)."""
    if not location:
        return None
    first = location.split(",")[0].strip()
    return first or None


def public_view(complaint: Complaint, *, detail: bool = False) -> dict[str, Any]:
    """The anonymised public view of one complaint, as plain JSON-ready values.

    With ``detail`` the public timeline and the OPD's follow-ups are included. A confidential
    complaint yields only its status, OPD and dates, whatever ``detail`` says.
    """
    c = complaint
    opd = c.opd
    view: dict[str, Any] = {
        "id": c.tracking_no,
        "status": c.status.value,
        "status_label": c.status.label,
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
    if c.is_confidential:
        return view
    clean = redactor_for(c)
    view.update({
        "title": clean(c.title) or None,
        "text": clean(c.text),
        "type": c.type.value,
        "type_label": c.type.label,
        "channel": c.channel.value,
        "channel_label": c.channel.label,
        "category": c.category.path if c.category else None,
        "category_id": c.category_id,
        "location": clean(c.location) or None,
        "region": clean(region_of(c.location)) or None,
        "norm_days": c.norm_days,
        "rating": c.rating,
        "anonymous": bool(c.is_anonymous),
    })
    if detail:
        view["followups"] = [
            {"at": w3c(f.created_at), "opd": f.opd.code if f.opd else None,
             "opd_name": f.opd.name if f.opd else None, "text": clean(f.text)}
            for f in c.followups
        ]
        view["timeline"] = public_timeline(c, clean)
    return view


_EVENT_LABELS = {
    "created": "Laporan diterima",
    "imported": "Laporan diterima",
    "verified": "Laporan diverifikasi",
    "dispatched": "Didisposisikan ke OPD",
    "followup": "Tindak lanjut OPD",
    "status": "Status berubah",
    "returned": "Dikembalikan ke admin (bukan kewenangan)",
    "reopened": "Dibuka kembali",
}


def public_timeline(complaint: Complaint, clean=None) -> list[dict[str, Any]]:
    """Public events (status changes), oldest first; notes redacted, never for confidential ones."""
    clean = clean or redactor_for(complaint)
    out = []
    for ev in complaint.events:
        if not ev.is_public:
            continue
        item = {
            "at": w3c(ev.at),
            "kind": ev.kind,
            "label": _EVENT_LABELS.get(ev.kind, ev.kind.replace("_", " ").capitalize()),
            "from_status": ev.from_status.value if ev.from_status else None,
            "to_status": ev.to_status.value if ev.to_status else None,
            "to_status_label": ev.to_status.label if ev.to_status else None,
        }
        if ev.kind == "dispatched":
            opd_change = (ev.changes or {}).get("opd")
            if isinstance(opd_change, list) and opd_change:
                item["opd"] = opd_change[-1]
        if not complaint.is_confidential and ev.note and ev.kind != "followup":
            item["note"] = clean(ev.note)
        out.append(item)
    return out


#: columns of the open-data CSV, in order (the data dictionary documents each)
CSV_COLUMNS = [
    "id", "submitted_at", "status", "status_label", "opd", "opd_name", "category", "type", "channel",
    "region", "title", "text", "verified_at", "dispatched_at", "first_followup_at", "finished_at",
    "due_date", "rating", "confidential",
]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_row(view: dict[str, Any]) -> list[Any]:
    return [_cell(view.get(k)) for k in CSV_COLUMNS]

"""The English catalogue is complete and compiled, and pages switch language.

Msgids are Indonesian (the default locale). After adding or changing UI text run ``scripts/i18n.sh``,
translate the new entries in ``portal/translations/en/LC_MESSAGES/messages.po`` and run it again.
"""

from __future__ import annotations

import importlib
import re
from configparser import RawConfigParser
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext, refresh
from flask_babel.speaklater import LazyString

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portal" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")
HOW_TO_FIX = "run scripts/i18n.sh, translate the new entries in messages.po (no fuzzy flags), run it again"


def _load(path: Path):
    with path.open("rb") as fh:
        return read_mo(fh) if path.suffix == ".mo" else read_po(fh)


@cache
def po_catalog():
    return _load(PO)


def _key(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]  # (singular, plural) for ngettext


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def translated() -> dict[str, tuple[str, ...]]:
    return {_key(m.id): _strings(m) for m in po_catalog() if m.id}


def test_every_template_msgid_has_an_english_translation():
    pot_ids = {_key(m.id) for m in _load(POT) if m.id}
    po = {_key(m.id): m for m in po_catalog() if m.id}
    missing = sorted(pot_ids - po.keys())
    empty = sorted(k for k in pot_ids & po.keys() if not all(_strings(po[k])))
    fuzzy = sorted(k for k in pot_ids & po.keys() if po[k].fuzzy)
    assert not (missing or empty or fuzzy), (
        f"{HOW_TO_FIX}\nnot in messages.po: {missing[:20]}\nempty: {empty[:20]}\nfuzzy: {fuzzy[:20]}")


def _extract_source_msgids() -> set[str]:
    """What ``pybabel extract`` would find now, with the method map of babel.cfg."""
    cfg = RawConfigParser()
    cfg.read(ROOT / "babel.cfg")
    method_map, options_map = [], {}
    for section in cfg.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        method_map.append((pattern, method))
        options_map[pattern] = dict(cfg.items(section))
    return {_key(msgid) for _file, _line, msgid, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=()) if _key(msgid)}


def test_catalogue_is_up_to_date_with_the_source():
    new = sorted(_extract_source_msgids() - translated().keys())
    assert not new, f"UI strings without an English translation ({HOW_TO_FIX}): {new[:30]}"


SKIP_MODULES = ("portal.complaints.importing",)  # its labels are LAPOR!'s column headings: data, not UI text


def _run_time_labels() -> dict[str, object]:
    """Enum ``.label`` values and module-level ``*LABELS`` dicts of ``portal``: label → its Indonesian text."""
    import enum
    import inspect
    import pkgutil

    import portal

    labels: dict[str, object] = {}
    for info in pkgutil.walk_packages(portal.__path__, "portal."):
        if info.name.startswith((*SKIP_MODULES, "portal.translations")):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, enum.Enum) \
                    and isinstance(inspect.getattr_static(obj, "label", None), property):
                for member in obj:
                    labels[f"{obj.__module__}.{obj.__name__}.{member.name}"] = member.label
            elif isinstance(obj, dict) and name.upper() == name and name.endswith("LABELS"):
                for key, value in obj.items():
                    if isinstance(value, (str, LazyString)):
                        labels[f"{module.__name__}.{name}[{key!r}]"] = value
    return labels


def test_run_time_labels_are_in_the_catalogue(app):
    """Enum ``.label`` values and ``*_LABELS`` dicts that templates show: lazy (``_l``) or msgids (``N_``)."""
    with force_locale("id"):
        labels = {where: str(label) for where, label in _run_time_labels().items()}
    assert len(labels) > 50
    done = {k for k, v in translated().items() if all(v)}
    missing = sorted({text for text in labels.values() if text not in done})
    assert not missing, f"labels translated at run time but missing in the catalogue ({HOW_TO_FIX}): {missing}"


def test_enum_labels_are_lazy_and_follow_the_locale(app):
    """Labels are defined once next to their enum with ``_l()``: shown in the page's language."""
    from portal.complaints.models import Channel, Status

    not_lazy = sorted(where for where, label in _run_time_labels().items()
                      if not where.startswith("portal.complaints.redaction._EVENT_LABELS")  # N_(): JSON data
                      and not isinstance(label, LazyString))
    assert not not_lazy, f"labels not defined with _l(): {not_lazy}"
    with app.test_request_context("/"):
        with force_locale("en"):
            assert str(Status.SELESAI.label) == translated()["Selesai"][0]
            assert str(Channel.TATAP_MUKA.label) == translated()["Tatap Muka"][0]
        with force_locale("id"):
            assert str(Status.SELESAI.label) == "Selesai"


def test_placeholders_survive_translation():
    bad = []
    for m in po_catalog():
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        for text in _strings(m):
            if text and sorted(PLACEHOLDER.findall(ids[-1])) != sorted(PLACEHOLDER.findall(text)) \
                    and sorted(PLACEHOLDER.findall(ids[0])) != sorted(PLACEHOLDER.findall(text)):
                bad.append((m.id, text))
    assert not bad, bad[:10]


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo holds exactly the .po's translations (i.e. it was compiled after the last edit)."""
    mo = {_key(m.id): _strings(m) for m in _load(MO) if m.id}
    po = {k: v for k, v in translated().items() if all(v)}
    stale = sorted(k for k in po if mo.get(k) != po[k])
    assert not stale, f"messages.mo is out of date (run scripts/i18n.sh): {stale[:20]}"


def test_gettext_through_the_app(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            assert gettext("Masuk") == "Sign in"
            assert gettext("Dasbor") == "Dashboard"
            assert (gettext("Laporan #%(no)s diverifikasi dan diteruskan ke %(opd)s.", no="7", opd="DPUPR")
                    == "Report #7 verified and forwarded to DPUPR.")
        with force_locale("id"):
            assert gettext("Dasbor") == "Dasbor"


# --- pages ---------------------------------------------------------------------------------------

PUBLIC_PAGES = [
    # path, Indonesian text, English text
    ("/", "Dasbor", "Dashboard"),
    ("/login", "Kata sandi", "Password"),
    ("/lacak", "Lacak laporan", "Track a report"),
    ("/laporan", "Laporan publik", "Public reports"),
    ("/data", "Kamus data: laporan", "Data dictionary: reports"),
    ("/rakor", "Laporan rapat koordinasi", "Coordination meeting reports"),
    ("/standar-layanan", "Kepatuhan 12 bulan terakhir", "Compliance over the last 12 months"),
    ("/ikm", "Seluruh OPD", "All OPDs"),
]


def _get(client, path: str) -> str:
    # The ``app`` fixture keeps one app context (and so one ``g``) for the whole test, and Flask-Babel
    # caches the request's locale on ``g``; forget it so each request selects its own, as in production.
    refresh()
    resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.get_data(as_text=True)


def _post(client, path: str, data: dict):
    refresh()
    return client.post(path, data=data)


@pytest.mark.parametrize(("path", "indonesian", "english"), PUBLIC_PAGES, ids=[p[0] for p in PUBLIC_PAGES])
def test_public_pages_in_both_languages(app, path, indonesian, english):
    client = app.test_client()
    default = _get(client, path)
    assert '<html lang="id">' in default
    assert indonesian in default
    assert english not in default

    sep = "&" if "?" in path else "?"
    en = _get(client, f"{path}{sep}lang=en")
    assert '<html lang="en">' in en
    assert english in en
    assert "Staff sign-in" in en  # the nav link to /login
    for word in ("Dasbor", "Data Terbuka", "Langsung ke konten"):
        assert word not in en, f"{word!r} left untranslated on {path}"


def test_login_page_in_english(app):
    body = _get(app.test_client(), "/login?lang=en")
    assert "Sign in" in body and "Password" in body and "Masuk" not in body


def test_language_switch_is_remembered(app):
    client = app.test_client()
    resp = _post(client, "/bahasa", {"lang": "en", "next": "/lacak"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/lacak")
    body = _get(client, "/lacak")
    assert '<html lang="en">' in body and "Track a report" in body
    _post(client, "/bahasa", {"lang": "id"})
    assert "Lacak laporan" in _get(client, "/lacak")
    # an unknown language is ignored
    assert '<html lang="id">' in _get(client, "/lacak?lang=xx")

#!/usr/bin/env bash
# Refresh the translation catalogues: extract → update → compile.
#
#   scripts/i18n.sh            # after adding or changing UI strings
#   scripts/i18n.sh --check    # also fail when an English msgstr is missing or fuzzy
#
# Msgids are Indonesian (the default locale); translate the new entries in
# portal/translations/en/LC_MESSAGES/messages.po (remove the "fuzzy" flag once checked),
# then run this script again so the .mo is compiled, and commit .pot, .po and .mo together.
# tests/test_i18n.py fails while any English msgstr is empty or fuzzy.
# Labels shown at run time (enum ``.label``s, ``*_LABELS`` dicts) are written with ``_l()`` (lazy_gettext)
# next to their enum, or marked ``N_()`` when they stay Indonesian data; extraction finds both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
BABEL=${PYBABEL:-.venv/bin/pybabel}
DIR=portal/translations
POT=$DIR/messages.pot

NEW_POT=$(mktemp)
trap 'rm -f "$NEW_POT"' EXIT
"$BABEL" -q extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file \
    --project "SP4N-LAPOR! Portal" --copyright-holder "Diskominfo" -o "$NEW_POT" .
# keep the old template (and its date) when nothing but the creation date changed
if [ -f "$POT" ] && diff -q <(grep -v '^"POT-Creation-Date' "$POT") <(grep -v '^"POT-Creation-Date' "$NEW_POT") >/dev/null; then
  :
else
  cp "$NEW_POT" "$POT"
fi
for lang in en; do
  if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
    "$BABEL" -q update -i "$POT" -d "$DIR" -l "$lang" --ignore-obsolete
  else
    "$BABEL" -q init -i "$POT" -d "$DIR" -l "$lang"
  fi
done
"$BABEL" compile -d "$DIR" --statistics

if [ "${1:-}" = "--check" ]; then
  "$PY" - "$DIR" <<'PY'
import sys
from pathlib import Path
from babel.messages.pofile import read_po
bad = 0
for po in sorted(Path(sys.argv[1]).glob("*/LC_MESSAGES/messages.po")):
    with po.open("rb") as fh:
        cat = read_po(fh)
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(strings):
            bad += 1
            print(f"{po}: {'fuzzy' if m.fuzzy else 'untranslated'}: {m.id!r}")
sys.exit(1 if bad else 0)
PY
fi

#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into DATABASE_URL and UPLOAD_DIR, then check row counts.
#
#   DATABASE_URL=postgresql+psycopg://user@host/lapor UPLOAD_DIR=/srv/portal/uploads scripts/restore.sh /var/backups/portal/20261122T010000Z
#
# Stop the portal and its workers first. The target database must exist (it may be empty); its tables
# are replaced (pg_restore --clean --if-exists). The current uploads folder is kept as UPLOAD_DIR.before-restore-<time>.
# Exits non-zero when a checksum or the row counts do not match.
set -euo pipefail
SRC=${1:?usage: restore.sh BACKUP_DIR}
URL=${DATABASE_URL:?set DATABASE_URL}
UPLOADS=${UPLOAD_DIR:-instance/uploads}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-$HERE/../.venv/bin/python}
[ -x "$PY" ] || PY=python3

(cd "$SRC" && sha256sum --quiet -c SHA256SUMS)

case "$URL" in
  postgresql*|postgres*)
    [ -f "$SRC/db.dump" ] || { echo "no db.dump in $SRC" >&2; exit 2; }
    PGURL=$(printf '%s' "$URL" | sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#')
    pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
      --dbname="$PGURL" "$SRC/db.dump"
    ;;
  sqlite:///*)
    [ -f "$SRC/db.sqlite" ] || { echo "no db.sqlite in $SRC" >&2; exit 2; }
    TARGET=${URL#sqlite:///}
    mkdir -p "$(dirname "$TARGET")"
    cp "$SRC/db.sqlite" "$TARGET.restoring" && mv "$TARGET.restoring" "$TARGET"
    ;;
  *) echo "unsupported DATABASE_URL" >&2; exit 2 ;;
esac

if [ -d "$UPLOADS" ] && [ -n "$(ls -A "$UPLOADS" 2>/dev/null)" ]; then
  mv "$UPLOADS" "$UPLOADS.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
fi
mkdir -p "$UPLOADS"
tar -C "$UPLOADS" -xzf "$SRC/uploads.tar.gz"

"$PY" "$HERE/db_counts.py" "$URL" > "$SRC/.counts-restored.txt"
if diff -u "$SRC/counts.txt" "$SRC/.counts-restored.txt"; then
  rm -f "$SRC/.counts-restored.txt"
  echo "restored $SRC: row counts match"
else
  echo "row counts differ after restore" >&2
  exit 1
fi

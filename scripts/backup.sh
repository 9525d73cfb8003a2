#!/usr/bin/env bash
# Back up the portal: the database (pg_dump custom format, or SQLite's online backup) and the uploads.
#
#   DATABASE_URL=postgresql+psycopg://user@host/lapor UPLOAD_DIR=/srv/portal/uploads scripts/backup.sh /var/backups/portal
#
# Writes DEST/<UTC timestamp>/{db.dump|db.sqlite, uploads.tar.gz, counts.txt, SHA256SUMS} and prints the folder.
# counts.txt (rows per table) lets a restore be checked. Keep a copy off the machine; see docs/DEPLOY.md.
set -euo pipefail
DEST=${1:-backups}
URL=${DATABASE_URL:?set DATABASE_URL}
UPLOADS=${UPLOAD_DIR:-instance/uploads}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$DEST/$STAMP"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-$HERE/../.venv/bin/python}
[ -x "$PY" ] || PY=python3
umask 077
mkdir -p "$OUT"

case "$URL" in
  postgresql*|postgres*)
    PGURL=$(printf '%s' "$URL" | sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#')
    pg_dump --format=custom --compress=6 --no-owner --no-privileges --dbname="$PGURL" --file="$OUT/db.dump"
    ;;
  sqlite:///*)
    "$PY" - "$URL" "$OUT/db.sqlite" <<'PYEOF'
import sqlite3, sys
src = sqlite3.connect(sys.argv[1].removeprefix("sqlite:///"))
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)  # consistent online copy, even while the portal writes
dst.close(); src.close()
PYEOF
    ;;
  *) echo "unsupported DATABASE_URL" >&2; exit 2 ;;
esac

if [ -d "$UPLOADS" ]; then
  tar -C "$UPLOADS" -czf "$OUT/uploads.tar.gz" .
else
  tar -czf "$OUT/uploads.tar.gz" --files-from /dev/null
fi
"$PY" "$HERE/db_counts.py" "$URL" > "$OUT/counts.txt"
(cd "$OUT" && sha256sum -- * > SHA256SUMS)
echo "$OUT"

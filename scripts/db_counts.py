"""Rows per table of a database URL, one ``table count`` line each (for backup/restore checks)."""

import sys

import sqlalchemy as sa


def main(url: str) -> None:
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    eng = sa.create_engine(url)
    with eng.connect() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            print(name, conn.scalar(sa.text(f'SELECT COUNT(*) FROM "{name}"')))
    eng.dispose()


if __name__ == "__main__":
    main(sys.argv[1])

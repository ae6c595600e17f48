"""SQL statements of the warehouse, one per file, loaded by name.

Each ``sql/<verb_object>.sql`` holds one statement with a header comment naming its purpose and its
``:named`` bind parameters. Where SQLite and PostgreSQL need different text, a file
``<name>.<dialect>.sql`` (``sqlite`` or ``postgresql``) sits beside the portable one and wins for that
dialect. Statements are run through SQLAlchemy ``text()``; never build SQL with f-strings.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy import BindParameter, String, TextClause, bindparam, text

SQL_DIR = Path(__file__).resolve().parent


class UnknownStatement(LookupError):
    """Raised when no ``sql/<name>.sql`` file exists."""


@cache
def _read(name: str, dialect: str | None) -> str:
    candidates = [SQL_DIR / f"{name}.{dialect}.sql"] if dialect else []
    candidates.append(SQL_DIR / f"{name}.sql")
    for path in candidates:
        if path.is_file():
            return _without_comment_lines(path.read_text(encoding="utf-8"))
    raise UnknownStatement(f"no SQL statement {name!r}: expected file {SQL_DIR / (name + '.sql')}")


def _without_comment_lines(sql_text: str) -> str:
    # text() would read ":name" in the header comment as a bind parameter; whole-line comments go.
    return "\n".join(line for line in sql_text.splitlines() if not line.lstrip().startswith("--"))


def statement(name: str, dialect: str | None = None) -> TextClause:
    """Return the statement ``name`` as a ``TextClause``, preferring the dialect's own file.

    Args:
        name: file stem under ``sql/``, e.g. ``"upsert_tickets"``.
        dialect: SQLAlchemy dialect name (``engine.dialect.name``), or None for the portable file.
    """
    return text(_read(name, dialect))


def expanding_texts(name: str) -> BindParameter:
    """The bind parameter ``:name`` of an ``IN :name`` over text values (ids, platforms, digests).

    Typed as text: an empty list renders as ``IN (SELECT CAST(NULL AS VARCHAR) WHERE 1!=1)``, which
    PostgreSQL compares with a text column; untyped, SQLAlchemy casts it to INTEGER and PostgreSQL refuses
    "character varying = integer" (a detect run that judged a release with nothing else explaining errors).
    """
    return bindparam(name, expanding=True, type_=String())

"""Open the published warehouse for reading, always at its current version.

Inside one Python process ``duckdb.connect(path)`` returns the database instance already open
for that path while any connection to it is alive, so a long-lived reader (a dashboard, a
notebook) that reconnects after ``cbw publish`` replaced the file would keep reading the old,
unlinked file. :func:`connect_published` instead opens a fresh in-memory DuckDB and ATTACHes the
file READ_ONLY: an attached file is opened anew on every call, so each reconnect reads the
version published at that moment, and connections opened earlier keep the version they opened
until they are closed.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from customer_behaviour.publish import default_build_path, default_published_path, quote_literal

#: The catalog name the published file is attached as (and made the default with USE).
ALIAS = "published"


def published_path() -> Path:
    """Where the published file is: ``CBW_PUBLISHED_PATH``, else beside the build file."""
    return default_published_path(default_build_path())


def connect_published(path: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published file's current version; ``gold.<mart>`` and
    ``silver.audit_*`` resolve as in the build file. Close it when done (a reader that keeps
    it open keeps its version)."""
    target = Path(path) if path is not None else published_path()
    if not target.is_file():
        raise FileNotFoundError(2, "no published warehouse (run cbw publish)", str(target))
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {quote_literal(str(target))} as {ALIAS} (read_only)")
        con.execute(f"use {ALIAS}")
    except Exception:
        con.close()
        raise
    return con

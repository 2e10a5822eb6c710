"""Reading the published warehouse for the dashboard: one query, one short-lived connection.

Every query opens the published file anew through :func:`connect_published` and closes it, so a
page shown after ``cbw publish`` reads the new version. Results are cached per file version
(path, size, modification time), never across a publish.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from customer_behaviour.serving import connect_published, published_path


def published_file() -> Path:
    return published_path()


def file_version(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


@st.cache_data(show_spinner=False, max_entries=256)
def _query(sql: str, params: tuple, version: tuple[str, int, int]) -> pd.DataFrame | None:
    con = connect_published(version[0])
    try:
        return con.execute(sql, list(params)).df()
    except duckdb.CatalogException:
        return None  # the mart is not in this file (built before it existed)
    finally:
        con.close()


def query(sql: str, params: tuple = ()) -> pd.DataFrame | None:
    """The rows of ``sql`` on the current published file; None when a table it names is absent."""
    return _query(sql, tuple(params), file_version(published_file()))

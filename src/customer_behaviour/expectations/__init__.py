"""Great Expectations suites of the warehouse, kept as code: one suite per table, named like the
table (``gold.mart_rfm``). ``customer_behaviour.validate`` runs them against a built DuckDB file.

- ``core``: TableSuite and the helpers that state a rule (keys, rates, sets, SQL checks).
- ``sets``: the closed sets of enums, tied to dbt vars and seeds by tests/test_validate.py.
- ``silver``: the silver facts the marts are built from.
- ``gold``: every gold mart (customer value, behaviour, predictive).
"""

from __future__ import annotations

from . import gold, silver
from .core import FLOAT_TOLERANCE, MAX_SINGLE_VALUE_SHARE, TableSuite


def all_suites() -> list[TableSuite]:
    """Every suite, silver first (a broken parent explains a broken mart)."""
    return [*silver.suites(), *gold.suites()]


__all__ = ["FLOAT_TOLERANCE", "MAX_SINGLE_VALUE_SHARE", "TableSuite", "all_suites"]

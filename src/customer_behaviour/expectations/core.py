"""Building blocks of the expectation suites: one ``TableSuite`` per table, and short helpers
that turn a business rule ("rates lie in [0, 1]", "one row per purchasing customer") into Great
Expectations expectations.

Checks that GX has a built-in expectation for use it (column-level: they run as SQL aggregates
inside DuckDB). Checks across rows or tables use ``UnexpectedRowsExpectation``: a SQL query over
``{batch}`` (the table under test) that returns the rows breaking the rule, so the work stays in
DuckDB and the report can show the offending rows. A query may name other tables fully qualified
(``gold.fct_orders``); it must return no rows when the rule holds.

Not every source system fills every table (var ``source_capabilities`` in dbt_project.yml: Online
Retail has no events, REES46 no offers or devices). A suite ``requires`` the capabilities its
table is built from, and ``needs()`` marks single checks that hold only where the source provides
one (a device mix); for a source without them the validation reports them as not applicable.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import great_expectations.expectations as gxe
from great_expectations import ExpectationSuite
from great_expectations.expectations import Expectation

# Rates and shares computed as float sums or ratios may exceed 1 (or fall below a bound) by
# rounding: mart_revenue_concentration's cumulative share of the last entity is 1 + 4e-14 on the
# demo data. 1e-9 absorbs that and nothing a real defect produces (a rate of 1.2, a share of 2).
FLOAT_TOLERANCE = 1e-9

# Distribution guard against a broken join: when a join to a dimension breaks, every row falls
# into one bucket (all customers 'No Spend', every session 'unknown' device, one RFM segment). A
# column guarded with no_dominant_value() fails when one value holds more than this share of
# the rows. 0.9 leaves room for real skew (the largest legitimate share on the demo data is 53%
# mobile sessions; 43% 'No Spend' customers) while catching "~100% in one bucket".
MAX_SINGLE_VALUE_SHARE = 0.9


@dataclass(frozen=True)
class TableSuite:
    """The expectations of one table, named ``<schema>.<table>`` like the table itself."""

    schema: str
    table: str
    # Columns that identify a row: checked unique and present, and shown beside every failing
    # value in the report.
    key: tuple[str, ...]
    expectations: tuple[Expectation, ...] = field(default=())
    # Capabilities of the source system (keys of var source_capabilities) the table is built
    # from: without any of them the table is empty by design and the suite does not apply.
    requires: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    def missing(self, provided: Collection[str]) -> list[str]:
        """The capabilities the suite requires that the source does not provide."""
        return [c for c in self.requires if c not in provided]

    def not_applicable(self, provided: Collection[str]) -> list[Expectation]:
        """The checks marked with needs() whose capability the source does not provide."""
        return [e for e in self.expectations if not _applies(e, provided)]

    def to_gx(self, provided: Collection[str] | None = None) -> ExpectationSuite:
        """A fresh GX ExpectationSuite (GX binds a suite's expectations to one context) of
        the checks that apply to a source providing ``provided`` (default: every check)."""
        return ExpectationSuite(
            name=self.name,
            expectations=[
                e.copy(deep=True)
                for e in self.expectations
                if provided is None or _applies(e, provided)
            ],
            meta={"key": list(self.key)},
        )


def requirement(expectation: Expectation) -> str | None:
    """The capability a check needs (set by needs()), or None."""
    return (expectation.meta or {}).get("requires")


def _applies(expectation: Expectation, provided: Collection[str]) -> bool:
    needed = requirement(expectation)
    return needed is None or needed in provided


def table_suite(
    name: str,
    key: Sequence[str],
    *checks: Iterable[Expectation],
    requires: Sequence[str] = (),
) -> TableSuite:
    """A suite for table ``name`` ('gold.mart_rfm'): the table is not empty and ``key`` is
    unique and never null, plus ``checks`` (each helper returns a list of expectations).
    ``requires``: the source capabilities the table is built from (see TableSuite)."""
    schema, table = name.split(".")
    expectations: list[Expectation] = [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=1, description="The table is not empty (an emptied mart is a broken build)."
        ),
        *unique_key(*key),
    ]
    for group in checks:
        expectations.extend(group)
    return TableSuite(
        schema=schema,
        table=table,
        key=tuple(key),
        expectations=tuple(expectations),
        requires=tuple(requires),
    )


def needs(capability: str, *checks: Iterable[Expectation]) -> list[Expectation]:
    """``checks`` hold only where the source provides ``capability`` (e.g. a device mix needs
    'devices': REES46 logs no device, so every session's device is 'unknown')."""
    marked = []
    for group in checks:
        for expectation in group:
            expectation.meta = {**(expectation.meta or {}), "requires": capability}
            marked.append(expectation)
    return marked


def unique_key(*columns: str) -> list[Expectation]:
    """The key columns are never null and identify exactly one row."""
    if len(columns) == 1:
        unique: Expectation = gxe.ExpectColumnValuesToBeUnique(column=columns[0])
    else:
        unique = gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns))
    return [*not_null(*columns), unique]


def not_null(*columns: str) -> list[Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def in_set(column: str, values: Iterable[str | int]) -> list[Expectation]:
    """Every non-null value is one of ``values``."""
    return [gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values))]


def all_present(column: str, values: Iterable[str | int]) -> list[Expectation]:
    """Every one of ``values`` occurs (a tier that vanished means the tiering broke)."""
    return [gxe.ExpectColumnDistinctValuesToContainSet(column=column, value_set=list(values))]


def between(column: str, min_value: float | None, max_value: float | None) -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=min_value, max_value=max_value)
    ]


def rates(*columns: str) -> list[Expectation]:
    """Rates, shares and probabilities lie in [0, 1] (nulls allowed: undefined rates)."""
    return [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1 + FLOAT_TOLERANCE)
        for c in columns
    ]


def non_negative(*columns: str) -> list[Expectation]:
    """Money and counts that cannot be negative."""
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in columns]


def row_count(value: int) -> list[Expectation]:
    return [gxe.ExpectTableRowCountToEqual(value=value)]


def sql(description: str, query: str, column: str | None = None) -> list[Expectation]:
    """A rule written as the SQL query returning the rows that break it (none = pass).

    ``{batch}`` is the table under test. Literal braces would have to be doubled, so keep the
    queries free of DuckDB struct/map literals.
    """
    return [
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=query.strip(),
            description=description,
            meta={"column": column} if column else {},
        )
    ]


def rows_match(parent_query: str, parent: str) -> list[Expectation]:
    """The table has exactly as many rows as ``parent_query`` (a scalar count) says."""
    return sql(
        f"One row per {parent}: the row count equals the parent's.",
        f"""
        select rows_here, rows_expected
        from (
            select
                (select count(*) from {{batch}}) as rows_here,
                ({parent_query.strip()}) as rows_expected
        )
        where rows_here is distinct from rows_expected
        """,
    )


def no_dominant_value(
    column: str, where: str = "true", max_share: float = MAX_SINGLE_VALUE_SHARE
) -> list[Expectation]:
    """No single value of ``column`` holds more than ``max_share`` of the rows (``where``)."""
    return sql(
        f"No single {column} holds more than {max_share:.0%} of the rows"
        f"{'' if where == 'true' else f' where {where}'} (catches a broken join that puts "
        "every row in one bucket).",
        f"""
        select {column}, count(*) as rows, count(*) / sum(count(*)) over () as share
        from {{batch}}
        where {where}
        group by {column}
        qualify count(*) / sum(count(*)) over () > {max_share}
        """,
        column=column,
    )


def sums_to_one(column: str, per: Sequence[str] = ()) -> list[Expectation]:
    """``column`` sums to 1 (within FLOAT_TOLERANCE x 1000) over the table, or per ``per``."""
    group = ", ".join(per)
    return sql(
        f"{column} sums to 1{' per ' + group if per else ''}.",
        f"""
        select {group + "," if per else ""} sum({column}) as total
        from {{batch}}
        {"group by " + group if per else ""}
        having abs(sum({column}) - 1) > {FLOAT_TOLERANCE * 1000}
        """,
        column=column,
    )


def non_increasing(column: str, per: Sequence[str], order_by: str) -> list[Expectation]:
    """Along ``order_by`` within each ``per`` group, ``column`` never increases (a closed
    funnel: no step has more entrants than the step before it)."""
    group = ", ".join(per)
    return sql(
        f"{column} never increases along {order_by} per {group}.",
        f"""
        select {group}, {order_by}, {column},
            lag({column}) over (partition by {group} order by {order_by}) as previous_{column}
        from {{batch}}
        qualify {column} > lag({column}) over (partition by {group} order by {order_by})
        """,
        column=column,
    )

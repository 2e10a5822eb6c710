"""Compare a warehouse built on Apache Spark with the same warehouse built on DuckDB.

Every table of the given schemas (default: gold) that the DuckDB file holds is read from both
engines and compared as a bag of rows: the same columns, the same number of rows, and equal
values row for row after both sides are sorted on every column (text, numbers, dates and
timestamps exactly; floating-point numbers within ``--rel-tol`` relative, default 1e-9). A
table missing on Spark is a difference. The engines' own row hashes (``ENGINE_HASH_COLUMNS``:
``source_row_id``, ``fingerprint``; in silver only) are left out. One line per table is
printed, with the first differing rows of a table that differs; the exit status is 1 when any
table differs.

    cbw compare-engines --duckdb warehouse.duckdb --spark-warehouse spark-warehouse

The Spark side is read through a local Spark session on the same warehouse folder and Derby
metastore as the spark target of profiles.yml (CBW_SPARK_WAREHOUSE); run it when no other
Spark process holds that metastore.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

#: Columns whose values are each engine's own row hash (DuckDB ``hash``, Spark ``xxhash64``):
#: they identify rows within one warehouse and are left out of the comparison (no gold table
#: has one). docs/spark.md, "What is the same, what differs".
ENGINE_HASH_COLUMNS = ("source_row_id", "fingerprint")
#: The same hash inside a JSON text of a whole row (raw_record), removed before comparing.
_HASH_IN_JSON = re.compile(r'"source_row_id":"[^"]*",?')


@dataclass
class TableComparison:
    """The outcome of one table: equal, or what differs."""

    table: str
    duckdb_rows: int
    spark_rows: int | None
    problems: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.problems

    def line(self) -> str:
        spark = "missing" if self.spark_rows is None else f"{self.spark_rows:,}"
        head = f"{self.table}: {'equal' if self.equal else 'DIFFERS'} "
        head += f"(duckdb {self.duckdb_rows:,} rows, spark {spark})"
        return "\n    ".join([head, *self.problems[:4]])


def normalise(value: Any) -> Any:
    """One Python value for what the two engines return for the same SQL value: NaN as None,
    timestamps without a zone (both engines run in UTC), arrays as lists, structs as tuples of
    (key, value); decimals stay exact."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and '"source_row_id":' in value:
        return _HASH_IN_JSON.sub("", value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dict):
        return tuple((k, normalise(v)) for k, v in value.items())
    if hasattr(value, "asDict"):  # a pyspark Row (a struct)
        return tuple((k, normalise(v)) for k, v in value.asDict().items())
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    return value


def _sort_key(row: Sequence[Any]) -> tuple:
    return tuple((v is None, type(v).__name__, repr(v)) for v in row)


def values_equal(a: Any, b: Any, rel_tol: float) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        fa, fb = float(a), float(b)
        return fa == fb or math.isclose(fa, fb, rel_tol=rel_tol, abs_tol=0.0)
    if isinstance(a, decimal.Decimal) and isinstance(b, decimal.Decimal):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        return all(values_equal(x, y, rel_tol) for x, y in zip(a, b, strict=True))
    return a == b


def compare_rows(
    table: str,
    columns: Sequence[str],
    duck_rows: Iterable[Sequence[Any]],
    spark_rows: Iterable[Sequence[Any]],
    rel_tol: float = 1e-9,
) -> TableComparison:
    """Compare two bags of rows with the same column order."""
    left = sorted((tuple(normalise(v) for v in r) for r in duck_rows), key=_sort_key)
    right = sorted((tuple(normalise(v) for v in r) for r in spark_rows), key=_sort_key)
    result = TableComparison(table, len(left), len(right))
    if len(left) != len(right):
        result.problems.append(
            f"row counts differ: {len(left):,} on DuckDB, {len(right):,} on Spark"
        )
    shown = 0
    for a, b in zip(left, right, strict=False):
        if all(values_equal(x, y, rel_tol) for x, y in zip(a, b, strict=True)):
            continue
        diffs = [
            (c, x, y)
            for c, x, y in zip(columns, a, b, strict=True)
            if not values_equal(x, y, rel_tol)
        ]
        if shown < 3:
            result.problems.append(
                "first rows that differ, (column, duckdb, spark): "
                + ", ".join(f"({c}, {x!r}, {y!r})" for c, x, y in diffs[:5])
            )
        shown += 1
        if shown >= 3:
            break
    if shown and len(left) == len(right):
        result.problems.insert(0, "values differ")
    return result


def spark_session(warehouse: str):
    """A local Spark session on the spark target's warehouse folder and Derby metastore."""
    from pyspark.sql import SparkSession

    warehouse = os.path.abspath(warehouse)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("cbw-compare-engines")
        .enableHiveSupport()
        .config("spark.sql.warehouse.dir", warehouse)
        .config(
            "spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse} -Duser.timezone=UTC"
        )
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def compare_warehouses(
    duckdb_path: str,
    spark: Any,
    schemas: Sequence[str] = ("gold",),
    rel_tol: float = 1e-9,
    exclude: Sequence[str] = (),
    ignore_columns: Sequence[str] = ENGINE_HASH_COLUMNS,
) -> list[TableComparison]:
    """Compare every table of `schemas` in the DuckDB file with the Spark table of that name
    (all columns but `ignore_columns`)."""
    results = []
    with duckdb.connect(duckdb_path, read_only=True) as con:
        tables = con.sql(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in (select unnest($schemas)) and table_type = 'BASE TABLE' "
            "order by 1",
            params={"schemas": list(schemas)},
        ).fetchall()
        for (table,) in tables:
            if table in exclude:
                continue
            rel = con.sql(f"select * from {table}")
            all_columns = rel.columns
            columns = [c for c in all_columns if c not in ignore_columns]
            duck_rows = rel.select(*columns).fetchall()
            if not spark.catalog.tableExists(table):
                results.append(TableComparison(table, len(duck_rows), None, ["missing on Spark"]))
                continue
            frame = spark.table(table)
            missing = [c for c in all_columns if c not in frame.columns]
            extra = [c for c in frame.columns if c not in all_columns]
            if missing or extra:
                results.append(
                    TableComparison(
                        table,
                        len(duck_rows),
                        frame.count(),
                        [f"columns differ: not on Spark {missing}, only on Spark {extra}"],
                    )
                )
                continue
            spark_rows = [tuple(r[c] for c in columns) for r in frame.select(*columns).collect()]
            results.append(compare_rows(table, columns, duck_rows, spark_rows, rel_tol))
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duckdb", required=True, help="the DuckDB warehouse file")
    parser.add_argument(
        "--spark-warehouse",
        default=os.environ.get("CBW_SPARK_WAREHOUSE", "spark-warehouse"),
        help="the spark target's warehouse folder (default: $CBW_SPARK_WAREHOUSE, spark-warehouse)",
    )
    parser.add_argument(
        "--schemas", nargs="+", default=["gold"], help="schemas to compare (default gold)"
    )
    parser.add_argument("--rel-tol", type=float, default=1e-9, help="relative tolerance of floats")


def run(args: argparse.Namespace) -> int:
    spark = spark_session(args.spark_warehouse)
    results = compare_warehouses(args.duckdb, spark, args.schemas, args.rel_tol)
    for r in results:
        print(r.line())
    differing = [r for r in results if not r.equal]
    print(f"{len(results) - len(differing)} of {len(results)} tables equal on DuckDB and Spark")
    return 1 if differing else 0

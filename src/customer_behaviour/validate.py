"""Validate a built warehouse with the Great Expectations suites of the gold marts and silver facts.

    python -m customer_behaviour.validate [--db warehouse.duckdb] [--out reports/validation]

Every suite in ``customer_behaviour.expectations`` runs inside DuckDB through GX's SQL datasource
(duckdb-engine): expectations become SQL aggregates and the cross-row checks are SQL queries, so a
10M-row mart is never pulled into pandas. The file is opened read-only, so run this after `dbt
build` has finished (DuckDB lets one process write a file or many read it), or on a copy.

Prints a table of what failed (suite, check, column, observed value, sample rows), writes
``index.html`` (every check, readable in a browser), ``results.json`` (the same, for machines)
and ``gx/<suite>.json`` (GX's own validation results) to --out, and exits 1 when a check fails
(2 when the warehouse cannot be opened).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import html
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # GX (~3-9 s to import) only when validating, so `cbw --help` stays fast
    import sqlalchemy
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.datasource.fluent import SQLDatasource
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    from customer_behaviour.expectations import TableSuite

DEFAULT_OUT = Path("reports/validation")
SAMPLE_ROWS = 5


@dataclass
class CheckResult:
    """One expectation's outcome, flattened for the console, HTML and JSON reports."""

    suite: str
    check: str  # expectation type, e.g. expect_column_values_to_be_between
    rule: str  # what it demands, in words or arguments
    column: str
    success: bool
    observed: str
    sample_rows: list[Any] = field(default_factory=list)
    error: str | None = None


@dataclass
class Report:
    db_path: str
    seconds: float
    checks: list[CheckResult]
    gx_results: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.success]

    @property
    def success(self) -> bool:
        return not self.failures

    def suite_names(self) -> list[str]:
        return list(dict.fromkeys(c.suite for c in self.checks))


# --------------------------------------------------------------------------------------------
# Great Expectations over DuckDB
# --------------------------------------------------------------------------------------------


def _keep_one_connection_open(execution_engine: SqlAlchemyExecutionEngine) -> sqlalchemy.Connection:
    """Workaround for great_expectations issue #11579 (also reported as #10738): GX's SQL
    datasource over duckdb-engine returns empty results.

    SqlAlchemyExecutionEngine.execute_query() runs a query in ``with self.get_connection()`` and
    fetches the rows after that block has handed the connection back to the pool; duckdb-engine's
    cursor lives on the connection, so the rows are gone and resolve_metric_bundle() fails with
    IndexError ("list index out of range", every expectation "Observed: N/A"). GX already keeps
    one connection open for sqlite, mssql, bigquery and databricks (_PERSISTED_CONNECTION_DIALECTS)
    but not for duckdb. This does the same for this engine: every query of the validation runs on
    one connection that stays open until the caller closes it.

    Remove it when GX persists the connection for duckdb:
    tests/test_validate.py::test_gx_over_duckdb_still_needs_the_connection_workaround starts
    failing then.
    """
    connection = execution_engine.engine.connect()

    @contextmanager
    def get_connection() -> Iterator[sqlalchemy.Connection]:
        yield connection

    execution_engine.get_connection = get_connection  # type: ignore[method-assign]
    return connection


def open_warehouse(
    context: Any, db_path: Path, keep_connection_open: bool = True
) -> tuple[SQLDatasource, sqlalchemy.Connection | None]:
    """The warehouse as a GX SQL datasource (read-only), plus the connection GX must keep."""
    datasource = context.data_sources.add_sql(
        name="warehouse",
        connection_string=f"duckdb:///{db_path.resolve()}",
        # No TimeZone setting (profiles.yml sets UTC): the checks compare naive UTC timestamps
        # and dates only, and setting it needs the icu extension.
        kwargs={"connect_args": {"read_only": True}},
    )
    engine = datasource.get_execution_engine()
    connection = _keep_one_connection_open(engine) if keep_connection_open else None
    return datasource, connection


def close_warehouse(datasource: SQLDatasource, connection: sqlalchemy.Connection | None) -> None:
    """Release the file: GX holds two SQLAlchemy engines (the datasource's, used to test the
    connection, and the execution engine's), each with pooled DuckDB connections. Until all are
    closed DuckDB keeps the file open with duckdb-engine's configuration, and another connection
    with a different one (dbt's, a plain duckdb.connect) is refused."""
    if connection is not None:
        connection.close()
    datasource.get_execution_engine().engine.dispose()
    datasource.get_engine().dispose()


def _gx_context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _existing_tables(connection: sqlalchemy.Connection) -> set[str]:
    rows = connection.exec_driver_sql(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {name for (name,) in rows}


def _validate_suite(
    datasource: SQLDatasource, suite: TableSuite, sample_rows: int
) -> list[ExpectationValidationResult]:
    """Run one suite on its table. Column expectations report failing values with the row's key
    (SUMMARY); SQL checks return their offending rows (COMPLETE, at most 200 fetched by GX)."""
    import great_expectations as gx
    from great_expectations.expectations import UnexpectedRowsExpectation

    # A query asset rather than a table asset: duckdb-engine 0.17's column reflection fails on
    # SQLAlchemy >= 2.0.45 (DuckDB has no pg_catalog.pg_collation: duckdb_engine#1379,
    # duckdb#22069) and GX's fallback then drops the schema; a query asset takes its columns
    # from the query's result. DuckDB pushes the subquery down, nothing extra is read.
    asset = datasource.add_query_asset(name=suite.name, query=f"select * from {suite.name}")
    batch = asset.add_batch_definition_whole_table("whole table").get_batch()
    expectations = suite.to_gx().expectations
    column_checks = [e for e in expectations if not isinstance(e, UnexpectedRowsExpectation)]
    sql_checks = [e for e in expectations if isinstance(e, UnexpectedRowsExpectation)]
    results: list[ExpectationValidationResult] = []
    if column_checks:
        outcome = batch.validate(
            gx.ExpectationSuite(name=suite.name, expectations=column_checks),
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": list(suite.key),
                "partial_unexpected_count": sample_rows,
            },
        )
        results.extend(outcome.results)
    if sql_checks:
        outcome = batch.validate(
            gx.ExpectationSuite(name=suite.name, expectations=sql_checks),
            result_format={"result_format": "COMPLETE"},
        )
        results.extend(outcome.results)
    return results


def validate(
    db_path: Path | str,
    suites: Sequence[TableSuite] | None = None,
    sample_rows: int = SAMPLE_ROWS,
) -> Report:
    """Validate the warehouse file ``db_path`` with ``suites`` (default: all)."""
    from customer_behaviour.expectations import all_suites

    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"no warehouse at {db_path}: build it first (scripts/build.sh)")
    suites = list(all_suites() if suites is None else suites)
    started = time.perf_counter()
    context = _gx_context()
    datasource, connection = open_warehouse(context, db_path)
    checks: list[CheckResult] = []
    gx_results: dict[str, list[dict]] = {}
    try:
        existing = _existing_tables(connection)
        for suite in suites:
            if suite.name not in existing:
                checks.append(
                    CheckResult(
                        suite=suite.name,
                        check="table_exists",
                        rule="the table is built",
                        column="",
                        success=False,
                        observed="table is missing",
                    )
                )
                continue
            results = _validate_suite(datasource, suite, sample_rows)
            gx_results[suite.name] = [r.to_json_dict() for r in results]
            checks.extend(_check_result(suite.name, r, sample_rows) for r in results)
    finally:
        close_warehouse(datasource, connection)
    return Report(
        db_path=str(db_path),
        seconds=time.perf_counter() - started,
        checks=checks,
        gx_results=gx_results,
    )


# --------------------------------------------------------------------------------------------
# Flattening GX results
# --------------------------------------------------------------------------------------------


def _error_message(exception_info: dict | None) -> str | None:
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    messages = [
        str(i.get("exception_message")).splitlines()[0]
        for i in infos
        if isinstance(i, dict) and i.get("raised_exception")
    ]
    return "; ".join(dict.fromkeys(messages)) or None


def _rule(check: str, kwargs: dict, description: str | None) -> str:
    if description:
        return description
    shown = {
        k: v
        for k, v in kwargs.items()
        if k not in {"batch_id", "column", "column_list"} and v is not None
    }
    return ", ".join(f"{k}={v}" for k, v in shown.items()) or check.removeprefix("expect_")


def _observed(result: dict) -> str:
    if "unexpected_count" in result:
        return f"{result['unexpected_count']} of {result.get('element_count', '?')} rows unexpected"
    if result.get("partial_missing_list"):
        return "missing: " + ", ".join(map(str, result["partial_missing_list"]))
    if "details" in result and "unexpected_rows" in result.get("details", {}):
        count = result.get("observed_value")
        return f"{count} row{'' if count == 1 else 's'} break{'s' if count == 1 else ''} it"
    return str(result.get("observed_value"))


def _samples(result: dict, limit: int) -> list[Any]:
    rows = (
        result.get("partial_unexpected_index_list")
        or result.get("partial_unexpected_list")
        or (result.get("details") or {}).get("unexpected_rows")
        or []
    )
    return json.loads(json.dumps(list(rows)[:limit], default=str))


def _check_result(suite: str, r: ExpectationValidationResult, sample_rows: int) -> CheckResult:
    config = r.expectation_config
    kwargs = dict(config.kwargs)
    column = kwargs.get("column") or ", ".join(kwargs.get("column_list") or [])
    column = column or (config.meta or {}).get("column") or ""
    result = dict(r.result or {})
    error = _error_message(r.exception_info)
    return CheckResult(
        suite=suite,
        check=config.type,
        rule=_rule(config.type, kwargs, config.description),
        column=column,
        success=bool(r.success) and error is None,
        observed=f"error: {error}" if error else _observed(result),
        sample_rows=[] if r.success else _samples(result, sample_rows),
        error=error,
    )


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_failures(report: Report, width: int = 200) -> str:
    """A plain-text table of the failed checks, then a one-line summary."""
    suites = report.suite_names()
    failed_suites = {c.suite for c in report.failures}
    summary = (
        f"{len(report.checks) - len(report.failures)}/{len(report.checks)} checks passed in "
        f"{len(suites)} suites ({len(failed_suites)} failing) on {report.db_path} "
        f"in {report.seconds:.1f} s"
    )
    if report.success:
        return "validation passed: " + summary
    headers = ("suite", "check", "column", "observed", "sample rows")
    widths = [32, 60, 22, 26]
    widths.append(max(20, width - sum(widths) - 2 * len(widths)))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for c in report.failures:
        check = c.check.removeprefix("expect_")
        if c.check == "unexpected_rows_expectation" or c.check == "table_exists":
            check = c.rule
        cells = (
            c.suite,
            check,
            c.column,
            c.observed,
            "; ".join(json.dumps(s, default=str) for s in c.sample_rows),
        )
        lines.append("  ".join(_cut(v, w).ljust(w) for v, w in zip(cells, widths, strict=True)))
    return "\n".join([*lines, "", "VALIDATION FAILED: " + summary])


def write_report(report: Report, out_dir: Path | str) -> Path:
    """Write index.html, results.json and gx/<suite>.json into ``out_dir``; return index.html."""
    out = Path(out_dir)
    (out / "gx").mkdir(parents=True, exist_ok=True)
    for stale in (out / "gx").glob("*.json"):
        stale.unlink()
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    payload = {
        "db_path": report.db_path,
        "generated_at": generated,
        "seconds": round(report.seconds, 3),
        "success": report.success,
        "checks": [asdict(c) for c in report.checks],
    }
    (out / "results.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    for suite, results in report.gx_results.items():
        (out / "gx" / f"{suite}.json").write_text(json.dumps(results, indent=2, default=str))
    index = out / "index.html"
    index.write_text(_html(report, generated))
    return index


def _html(report: Report, generated: str) -> str:
    e = html.escape

    def rows(checks: list[CheckResult], with_suite: bool) -> str:
        out = []
        for c in checks:
            samples = "<br>".join(e(json.dumps(s, default=str)) for s in c.sample_rows)
            suite_cell = f"<td>{e(c.suite)}</td>" if with_suite else ""
            out.append(
                f"<tr class={'pass' if c.success else 'fail'}>{suite_cell}"
                f"<td>{'pass' if c.success else 'FAIL'}</td><td><code>{e(c.check)}</code>"
                f"<br><small>{e(c.rule)}</small></td><td>{e(c.column)}</td>"
                f"<td>{e(c.observed)}</td><td><small>{samples}</small></td></tr>"
            )
        return "\n".join(out)

    head = (
        "<tr>{}<th>status</th><th>check</th><th>column</th><th>observed</th>"
        "<th>sample rows</th></tr>"
    )
    sections = []
    for name in report.suite_names():
        checks = [c for c in report.checks if c.suite == name]
        failed = sum(not c.success for c in checks)
        sections.append(
            f"<details{' open' if failed else ''}><summary class={'fail' if failed else 'pass'}>"
            f"{e(name)}: {len(checks) - failed}/{len(checks)} passed</summary>"
            f"<table>{head.format('')}{rows(checks, False)}</table></details>"
        )
    failures = (
        f"<h2>Failures</h2><table>{head.format('<th>suite</th>')}"
        f"{rows(report.failures, True)}</table>"
        if report.failures
        else "<h2>Every check passed</h2>"
    )
    status = "passed" if report.success else "FAILED"
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><title>Warehouse validation: {status}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin: .5em 0 1em; width: 100%; }}
td, th {{ border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }}
.fail {{ color: #a00; }} .pass {{ color: #060; }} tr.pass {{ color: inherit; }}
summary {{ cursor: pointer; font-weight: 600; margin: .3em 0; }}
</style></head><body>
<h1>Warehouse validation: <span class={"pass" if report.success else "fail"}>{status}</span></h1>
<p>{e(report.db_path)} &middot; {len(report.checks) - len(report.failures)}/{len(report.checks)}
checks passed in {len(report.suite_names())} suites &middot; {report.seconds:.1f} s &middot;
{e(generated)}. Suites: <code>src/customer_behaviour/expectations/</code>.</p>
{failures}
<h2>Suites</h2>
{"".join(sections)}
</body></html>
"""


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(os.environ.get("CBW_DUCKDB_PATH", "warehouse.duckdb")),
        help="the built warehouse (default: $CBW_DUCKDB_PATH or warehouse.duckdb)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder for index.html, results.json and gx/ (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--suite",
        action="append",
        metavar="PATTERN",
        help="only suites matching this glob (gold.mart_*); repeatable",
    )
    parser.add_argument(
        "--sample-rows", type=int, default=SAMPLE_ROWS, help="failing rows shown per check"
    )


def run(args: argparse.Namespace) -> int:
    from customer_behaviour.expectations import all_suites

    suites = all_suites()
    if args.suite:
        suites = [s for s in suites if any(fnmatch.fnmatch(s.name, p) for p in args.suite)]
        if not suites:
            print(f"no suite matches {args.suite}", file=sys.stderr)
            return 2
    try:
        report = validate(args.db, suites, sample_rows=args.sample_rows)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    index = write_report(report, args.out)
    print(format_failures(report))
    print(f"report: {index}")
    return 0 if report.success else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m customer_behaviour.validate", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

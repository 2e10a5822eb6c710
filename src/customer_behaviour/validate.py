"""Validate a built warehouse with the Great Expectations suites of the gold marts and silver facts.

    python -m customer_behaviour.validate [--db warehouse.duckdb] [--out reports/validation]

Every suite in ``customer_behaviour.expectations`` runs inside DuckDB through GX's SQL datasource
(duckdb-engine): expectations become SQL aggregates and the cross-row checks are SQL queries, so a
10M-row mart is never pulled into pandas. The file is opened read-only, so run this after `dbt
build` has finished (DuckDB lets one process write a file or many read it), or on a copy.

Which source system the warehouse was built from, and what that source provides, is read from
the warehouse itself (``silver.audit_build_info``, written by every build from var
source_capabilities): a suite of a mart the source cannot fill (Online Retail has no events, no
offers) is reported as *not applicable*, never as failed; a mart the source can fill and that is
empty or wrong fails. ``--source-system`` overrides it (a warehouse built before that table
existed). When the warehouse has ``silver.audit_data_health``, its warn and fail rows are shown
too, and a fail fails the validation.

Prints a table of what failed (suite, check, column, observed value, sample rows) and a summary
(source, not applicable suites, health findings), writes ``index.html`` (every check, readable in
a browser), ``results.json`` (the same, for machines) and ``gx/<suite>.json`` (GX's own
validation results) to --out, and exits 1 when a check fails (2 when the warehouse cannot be
opened).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import html
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import yaml

if TYPE_CHECKING:  # GX (~3-9 s to import) only when validating, so `cbw --help` stays fast
    import sqlalchemy
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.datasource.fluent import SQLDatasource
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    from customer_behaviour.expectations import TableSuite

DEFAULT_OUT = Path("reports/validation")
SAMPLE_ROWS = 5
# Written by every dbt build (models/silver/audit/audit_build_info.sql).
BUILD_INFO_TABLE = "silver.audit_build_info"
# Data health findings (check_name, relation_name, status ok/warn/fail, observed_share,
# message), when the warehouse has them: warn is shown, fail fails the validation.
HEALTH_TABLE = "silver.audit_data_health"
# dbt_project.yml, for --source-system (var source_capabilities); the package is installed
# from the repository (pip install -e .).
PROJECT_FILE = Path(__file__).resolve().parents[2] / "dbt_project.yml"

PASSED, FAILED, NOT_APPLICABLE = "passed", "failed", "not applicable"


@dataclass
class CheckResult:
    """One expectation's outcome, flattened for the console, HTML and JSON reports."""

    suite: str
    check: str  # expectation type, e.g. expect_column_values_to_be_between
    rule: str  # what it demands, in words or arguments
    column: str
    status: str  # PASSED, FAILED or NOT_APPLICABLE (the source cannot fill what it checks)
    observed: str
    sample_rows: list[Any] = field(default_factory=list)
    error: str | None = None

    @property
    def success(self) -> bool:
        """Not failed: passed, or not applicable to the warehouse's source."""
        return self.status != FAILED


@dataclass
class BuildInfo:
    """The source system a warehouse was built from and what it provides."""

    source_system: str
    provided: list[str]
    missing: list[str]
    as_of_date: str | None
    # where this came from: BUILD_INFO_TABLE, "--source-system", or "assumed" (neither: every
    # suite applies)
    origin: str


@dataclass
class HealthFinding:
    """One row of HEALTH_TABLE."""

    check_name: str
    relation_name: str
    status: str  # ok, warn or fail
    observed_share: float | None
    message: str

    @property
    def failed(self) -> bool:
        return self.status not in {"ok", "warn"}


@dataclass
class Report:
    db_path: str
    seconds: float
    checks: list[CheckResult]
    gx_results: dict[str, list[dict]] = field(default_factory=dict)
    build: BuildInfo | None = None
    # None: the warehouse has no HEALTH_TABLE
    health: list[HealthFinding] | None = None

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == FAILED]

    @property
    def not_applicable(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == NOT_APPLICABLE]

    @property
    def health_findings(self) -> list[HealthFinding]:
        """The health rows to look at (warn and fail), failures first."""
        return sorted(
            (h for h in self.health or [] if h.status != "ok"),
            key=lambda h: (not h.failed, h.check_name, h.relation_name),
        )

    @property
    def success(self) -> bool:
        return not self.failures and not any(h.failed for h in self.health or [])

    def suite_names(self) -> list[str]:
        return list(dict.fromkeys(c.suite for c in self.checks))

    def suites_not_applicable(self) -> list[str]:
        """Suites every check of which is not applicable (the source cannot fill the table)."""
        return [
            name
            for name in self.suite_names()
            if all(c.status == NOT_APPLICABLE for c in self.checks if c.suite == name)
        ]


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


def project_capabilities(project_file: Path = PROJECT_FILE) -> dict[str, dict[str, bool]]:
    """var source_capabilities of dbt_project.yml: {source_system: {capability: bool}}."""
    return yaml.safe_load(project_file.read_text())["vars"]["source_capabilities"]


def _capabilities_of(source_system: str, origin: str) -> BuildInfo:
    capabilities = project_capabilities()
    if source_system not in capabilities:
        known = ", ".join(sorted(capabilities))
        raise ValueError(f"unknown source system {source_system!r} (known: {known})")
    entry = capabilities[source_system]
    return BuildInfo(
        source_system=source_system,
        provided=sorted(c for c, provided in entry.items() if provided),
        missing=sorted(c for c, provided in entry.items() if not provided),
        as_of_date=None,
        origin=origin,
    )


def _build_info(
    connection: sqlalchemy.Connection, existing: set[str], source_system: str | None
) -> tuple[BuildInfo, list[CheckResult]]:
    """What the warehouse was built from: ``source_system`` when given, else the one row of
    BUILD_INFO_TABLE; without either every suite applies (a warehouse built before the table
    existed). A BUILD_INFO_TABLE without exactly one row is a failed check."""
    from customer_behaviour.expectations.sets import CAPABILITIES

    if source_system:
        return _capabilities_of(source_system, "--source-system"), []
    assumed = BuildInfo("unknown", list(CAPABILITIES), [], None, "assumed")
    if BUILD_INFO_TABLE not in existing:
        return assumed, []
    rows = connection.exec_driver_sql(
        "select source_system, provided_capabilities, missing_capabilities, "
        f"cast(as_of_date as varchar) from {BUILD_INFO_TABLE}"
    ).fetchall()
    if len(rows) != 1:
        problem = CheckResult(
            suite=BUILD_INFO_TABLE,
            check="one_row",
            rule="one row naming the source system the warehouse was built from",
            column="",
            status=FAILED,
            observed=f"{len(rows)} rows",
        )
        return assumed, [problem]
    system, provided, missing, as_of_date = rows[0]
    info = BuildInfo(system, sorted(provided), sorted(missing), as_of_date, BUILD_INFO_TABLE)
    return info, []


def _health(connection: sqlalchemy.Connection, existing: set[str]) -> list[HealthFinding] | None:
    """Every row of HEALTH_TABLE, or None when the warehouse has no such table."""
    if HEALTH_TABLE not in existing:
        return None
    rows = connection.exec_driver_sql(
        "select check_name, relation_name, lower(status), observed_share, message "
        f"from {HEALTH_TABLE} order by check_name, relation_name"
    ).fetchall()
    return [
        HealthFinding(
            check_name=str(name),
            relation_name=str(relation),
            status=str(status),
            observed_share=None if share is None else float(share),
            message=str(message or ""),
        )
        for name, relation, status, share, message in rows
    ]


def _not_applicable(
    suite: str, check: str, rule: str, column: str, info: BuildInfo, needs: str
) -> CheckResult:
    return CheckResult(
        suite=suite,
        check=check,
        rule=rule,
        column=column,
        status=NOT_APPLICABLE,
        observed=f"source {info.source_system} provides no {needs}",
    )


def _validate_suite(
    datasource: SQLDatasource, suite: TableSuite, sample_rows: int, provided: Sequence[str]
) -> list[ExpectationValidationResult]:
    """Run one suite's checks that apply to a source providing ``provided`` on its table.
    Column expectations report failing values with the row's key (SUMMARY); SQL checks return
    their offending rows (COMPLETE, at most 200 fetched by GX)."""
    import great_expectations as gx
    from great_expectations.expectations import UnexpectedRowsExpectation

    # A query asset rather than a table asset: duckdb-engine 0.17's column reflection fails on
    # SQLAlchemy >= 2.0.45 (DuckDB has no pg_catalog.pg_collation: duckdb_engine#1379,
    # duckdb#22069) and GX's fallback then drops the schema; a query asset takes its columns
    # from the query's result. DuckDB pushes the subquery down, nothing extra is read.
    asset = datasource.add_query_asset(name=suite.name, query=f"select * from {suite.name}")
    batch = asset.add_batch_definition_whole_table("whole table").get_batch()
    expectations = suite.to_gx(provided).expectations
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
    source_system: str | None = None,
) -> Report:
    """Validate the warehouse file ``db_path`` with ``suites`` (default: all). The source system
    (what it provides) is read from the warehouse unless ``source_system`` overrides it."""
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
        build, problems = _build_info(connection, existing, source_system)
        checks.extend(problems)
        health = _health(connection, existing)
        for suite in suites:
            if suite.name not in existing:
                checks.append(
                    CheckResult(
                        suite=suite.name,
                        check="table_exists",
                        rule="the table is built",
                        column="",
                        status=FAILED,
                        observed="table is missing",
                    )
                )
                continue
            missing = suite.missing(build.provided)
            if missing:
                rule = f"needs {', '.join(suite.requires)} from the source"
                checks.append(
                    _not_applicable(
                        suite.name, "source_capability", rule, "", build, ", ".join(missing)
                    )
                )
                continue
            results = _validate_suite(datasource, suite, sample_rows, build.provided)
            gx_results[suite.name] = [r.to_json_dict() for r in results]
            checks.extend(_check_result(suite.name, r, sample_rows) for r in results)
            for e in suite.not_applicable(build.provided):
                meta = e.meta or {}
                column = getattr(e, "column", None) or meta.get("column") or ""
                rule = e.description or e.expectation_type
                checks.append(
                    _not_applicable(
                        suite.name, e.expectation_type, rule, column, build, meta["requires"]
                    )
                )
    finally:
        close_warehouse(datasource, connection)
    return Report(
        db_path=str(db_path),
        seconds=time.perf_counter() - started,
        checks=checks,
        gx_results=gx_results,
        build=build,
        health=health,
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
        status=PASSED if r.success and error is None else FAILED,
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


def _summary(report: Report) -> str:
    applicable = [c for c in report.checks if c.status != NOT_APPLICABLE]
    failing_suites = {c.suite for c in report.failures}
    return (
        f"{len(applicable) - len(report.failures)}/{len(applicable)} checks passed in "
        f"{len(report.suite_names())} suites ({len(failing_suites)} failing) on {report.db_path} "
        f"in {report.seconds:.1f} s"
    )


def _source_line(report: Report) -> str | None:
    build = report.build
    if build is None:
        return None
    if build.origin == "assumed":
        return (
            f"source system: unknown (no {BUILD_INFO_TABLE}: built before it existed?), so "
            "every suite applies; --source-system names it"
        )
    as_of = f", as of {build.as_of_date}" if build.as_of_date else ""
    lacks = f"; provides no {', '.join(build.missing)}" if build.missing else ""
    return f"source system: {build.source_system} (from {build.origin}{as_of}){lacks}"


def _not_applicable_line(report: Report) -> str | None:
    suites = report.suites_not_applicable()
    checks = [c for c in report.not_applicable if c.suite not in suites]
    if not suites and not checks:
        return None
    parts = []
    if suites:
        parts.append(f"{len(suites)} suites ({', '.join(suites)})")
    if checks:
        named = ", ".join(f"{c.suite}.{c.column}" if c.column else c.suite for c in checks)
        parts.append(f"{len(checks)} checks (on {named})")
    system = report.build.source_system if report.build else "?"
    return f"not applicable to source {system}, not counted: " + " and ".join(parts)


def _health_lines(report: Report, width: int) -> list[str]:
    if report.health is None:
        return []
    findings = report.health_findings
    counts = {s: sum(h.status == s for h in report.health) for s in ("ok", "warn", "fail")}
    lines = [
        f"data health ({HEALTH_TABLE}): {counts['fail']} fail, {counts['warn']} warn, "
        f"{counts['ok']} ok"
    ]
    for h in findings:
        share = "" if h.observed_share is None else f" ({h.observed_share:.1%})"
        text = f"  {h.status.upper():<4}  {h.check_name} on {h.relation_name}{share}: {h.message}"
        lines.append(text if len(text) <= width else text[: width - 1] + "…")
    return lines


def format_failures(report: Report, width: int = 200) -> str:
    """A plain-text table of the failed checks, then a summary: checks passed, the source
    system and what is not applicable to it, and the data health findings."""
    tail = [
        ("validation passed: " if report.success else "VALIDATION FAILED: ") + _summary(report),
        *filter(None, [_source_line(report), _not_applicable_line(report)]),
        *_health_lines(report, width),
    ]
    if not report.failures:
        return "\n".join(tail)
    headers = ("suite", "check", "column", "observed", "sample rows")
    widths = [32, 60, 22, 26]
    widths.append(max(20, width - sum(widths) - 2 * len(widths)))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for c in report.failures:
        check = c.check.removeprefix("expect_")
        if c.check in {"unexpected_rows_expectation", "table_exists", "one_row"}:
            check = c.rule
        cells = (
            c.suite,
            check,
            c.column,
            c.observed,
            "; ".join(json.dumps(s, default=str) for s in c.sample_rows),
        )
        lines.append("  ".join(_cut(v, w).ljust(w) for v, w in zip(cells, widths, strict=True)))
    return "\n".join([*lines, "", *tail])


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
        "build": asdict(report.build) if report.build else None,
        "checks": [{**asdict(c), "success": c.success} for c in report.checks],
        "health": None if report.health is None else [asdict(h) for h in report.health],
    }
    (out / "results.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    for suite, results in report.gx_results.items():
        (out / "gx" / f"{suite}.json").write_text(json.dumps(results, indent=2, default=str))
    index = out / "index.html"
    index.write_text(_html(report, generated))
    return index


_STATUS_CELL = {PASSED: ("pass", "pass"), FAILED: ("fail", "FAIL"), NOT_APPLICABLE: ("na", "n/a")}


def _html(report: Report, generated: str) -> str:
    e = html.escape

    def rows(checks: list[CheckResult], with_suite: bool) -> str:
        out = []
        for c in checks:
            samples = "<br>".join(e(json.dumps(s, default=str)) for s in c.sample_rows)
            suite_cell = f"<td>{e(c.suite)}</td>" if with_suite else ""
            css, label = _STATUS_CELL[c.status]
            out.append(
                f"<tr class={css}>{suite_cell}"
                f"<td>{label}</td><td><code>{e(c.check)}</code>"
                f"<br><small>{e(c.rule)}</small></td><td>{e(c.column)}</td>"
                f"<td>{e(c.observed)}</td><td><small>{samples}</small></td></tr>"
            )
        return "\n".join(out)

    head = (
        "<tr>{}<th>status</th><th>check</th><th>column</th><th>observed</th>"
        "<th>sample rows</th></tr>"
    )
    not_applicable = set(report.suites_not_applicable())
    sections = []
    for name in report.suite_names():
        checks = [c for c in report.checks if c.suite == name]
        failed = sum(c.status == FAILED for c in checks)
        applicable = sum(c.status != NOT_APPLICABLE for c in checks)
        if name in not_applicable:
            css, verdict = "na", f"not applicable: {checks[0].observed}"
        else:
            css = "fail" if failed else "pass"
            verdict = f"{applicable - failed}/{applicable} passed"
            if applicable < len(checks):
                verdict += f", {len(checks) - applicable} not applicable"
        sections.append(
            f"<details{' open' if failed else ''}><summary class={css}>"
            f"{e(name)}: {e(verdict)}</summary>"
            f"<table>{head.format('')}{rows(checks, False)}</table></details>"
        )
    failures = (
        f"<h2>Failures</h2><table>{head.format('<th>suite</th>')}"
        f"{rows(report.failures, True)}</table>"
        if report.failures
        else "<h2>Every applicable check passed</h2>"
    )
    source = _source_line(report)
    na_line = _not_applicable_line(report)
    status = "passed" if report.success else "FAILED"
    applicable = [c for c in report.checks if c.status != NOT_APPLICABLE]
    passed = len(applicable) - len(report.failures)
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><title>Warehouse validation: {status}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin: .5em 0 1em; width: 100%; }}
td, th {{ border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }}
.fail, .warn {{ color: #a00; }} .pass {{ color: #060; }} .na {{ color: #666; }}
tr.pass {{ color: inherit; }} .warn {{ color: #a60; }}
summary {{ cursor: pointer; font-weight: 600; margin: .3em 0; }}
</style></head><body>
<h1>Warehouse validation: <span class={"pass" if report.success else "fail"}>{status}</span></h1>
<p>{e(report.db_path)} &middot; {passed}/{len(applicable)}
checks passed in {len(report.suite_names())} suites &middot; {report.seconds:.1f} s &middot;
{e(generated)}. Suites: <code>src/customer_behaviour/expectations/</code>.</p>
{f"<p>{e(source)}.</p>" if source else ""}
{f"<p class=na>{e(na_line)}.</p>" if na_line else ""}
{failures}
{_html_health(report)}
<h2>Suites</h2>
{"".join(sections)}
</body></html>
"""


def _html_health(report: Report) -> str:
    """The "Health checks" section: the warn and fail rows of HEALTH_TABLE."""
    if report.health is None:
        return ""
    e = html.escape
    findings = report.health_findings
    ok = sum(h.status == "ok" for h in report.health)
    intro = (
        f"<p>{len(findings)} findings of {len(report.health)} checks in "
        f"<code>{HEALTH_TABLE}</code> ({ok} ok); a fail fails the validation, a warn does "
        "not.</p>"
    )
    if not findings:
        return f"<h2>Health checks</h2>{intro}"
    body = "\n".join(
        f"<tr class={'fail' if h.failed else 'warn'}><td>{e(h.status)}</td>"
        f"<td>{e(h.check_name)}</td><td>{e(h.relation_name)}</td>"
        f"<td>{'' if h.observed_share is None else f'{h.observed_share:.2%}'}</td>"
        f"<td>{e(h.message)}</td></tr>"
        for h in findings
    )
    return (
        f"<h2>Health checks</h2>{intro}<table><tr><th>status</th><th>check</th>"
        f"<th>relation</th><th>observed share</th><th>message</th></tr>{body}</table>"
    )


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
    parser.add_argument(
        "--source-system",
        metavar="NAME",
        help=f"the source system the warehouse was built from (default: read from "
        f"{BUILD_INFO_TABLE}); decides which suites apply (var source_capabilities)",
    )
    # `cbw validate` ends through end_process() once its output is out (cli.main calls it).
    parser.set_defaults(_end_process=end_process)


def run(args: argparse.Namespace) -> int:
    from customer_behaviour.expectations import all_suites

    suites = all_suites()
    if args.suite:
        suites = [s for s in suites if any(fnmatch.fnmatch(s.name, p) for p in args.suite)]
        if not suites:
            print(f"no suite matches {args.suite}", file=sys.stderr)
            return 2
    try:
        report = validate(
            args.db,
            suites,
            sample_rows=args.sample_rows,
            source_system=getattr(args, "source_system", None),
        )
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    index = write_report(report, args.out)
    print(format_failures(report))
    print(f"report: {index}")
    return 0 if report.success else 1


def end_process(code: int) -> NoReturn:
    """End the process with ``code`` once its output is flushed, skipping the interpreter's
    teardown: the last step of `cbw validate` / `python -m customer_behaviour.validate`.

    With great_expectations and duckdb-engine in one interpreter, DuckDB's binding (nanobind)
    prints ~40 "nanobind: leaked ..." lines at exit, which a user reads as a crash. Nothing is
    left open (close_warehouse disposes every engine and connection): the lines appear after
    `import great_expectations; import duckdb_engine` alone, with no connection ever made, and
    after neither import on its own (the smallest trigger found: sqlalchemy.orm and
    altair.datasets, both imported by GX, then duckdb_engine). They name DuckDB's own
    module-level types (DuckDBPyConnection, the 27 DuckDBPyType constants), which are still
    referenced when nanobind checks at the very end of Python's module teardown; the order of
    that teardown depends on what was imported. So the command flushes its output and logging
    and leaves with os._exit. validate() and run() return normally (tests call them
    in-process); tests/test_validate.py runs the command and checks that its output ends clean.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m customer_behaviour.validate", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    end_process(main())

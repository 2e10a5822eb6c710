"""Whoever can drop a file into the landing folder, or set a var, cannot run SQL: every file
name, path and var reaches SQL quoted (macros/utils/sql_string.sql). A hostile name is read as
data or stops the build with a clear error; a hostile var is a compiler error naming it. Either
way nothing runs: no table created, no file written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT, DbtRun, connect, failures
from test_landing_files import SILVER, data_rows, failing_run, invoke

from customer_behaviour.generate import generate

# The name that once ran SQL during `dbt build`: it closed read_csv's string, wrote a file and
# created a table. Here it is the name of a day file of events (no delivery date in it).
PAYLOAD = (
    "*.csv', ignore_errors=true); copy (select 42 as owned) to 'pwned.csv'; "
    "create table main.pwned as select 42 as owned; "
    "select count(columns(*)) from read_csv('pwned.csv"
)
HOSTILE_NAMES = {
    "events_2024-01-02.csv": PAYLOAD,
    "orders_2024-01-03.csv": "orders_2024-01-03'); drop table x; --.csv",
    "order_lines_2024-01-03.csv": 'order_lines_2024-01-03 it\'s a; "quoted" [1] ?name ü.csv',
}


def side_effects(run_dir: Path, db_path: Path) -> list[str]:
    """Traces of the payload: a pwned.csv anywhere it could land, a pwned table anywhere."""
    found = [
        str(p)
        for folder in {Path.cwd(), REPO_ROOT, run_dir}
        for p in folder.rglob("pwned.csv")
        if p.is_file()
    ]
    if db_path.exists():
        con = connect(db_path)
        try:
            found += [
                f"{schema}.{name}"
                for schema, name in con.execute(
                    "select table_schema, table_name from information_schema.tables "
                    "where table_name ilike '%pwned%'"
                ).fetchall()
            ]
        finally:
            con.close()
    return found


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """A landing folder with files named to break out of a SQL string, built once (silver).
    (A landing path with a quote: test_landing_files.py.)"""
    work = tmp_path_factory.mktemp("landing_hostile")
    landing = work / "landing"
    generate(
        {"layout": "landing", "out": str(landing), "customers": 30, "days": 5, "progress": False}
    )
    renamed = {}
    for plain, hostile in HOSTILE_NAMES.items():
        table = plain.rsplit("_", 1)[0]
        target = landing / table / hostile
        (landing / table / plain).rename(target)
        renamed[f"{table}/{hostile}"] = target
    # Not run_dbt: the build's outcome is what the tests check (and side effects either way).
    result = invoke(
        ["build", "--select", *SILVER],
        work,
        {"bronze_source": "landing", "landing_path": str(landing)},
    )
    return work, renamed, result


def test_hostile_file_names_are_read_as_data(hostile_build):
    work, renamed, result = hostile_build
    assert result.success, "\n".join(failures(result))
    run = DbtRun(db_path=work / "wh.duckdb", result=result)
    files = run.df("select source_file, entry_status, rows_landed from silver.audit_landing_files")
    landed = dict(zip(files.source_file, files.rows_landed, strict=True))
    for name, path in renamed.items():
        assert landed[name] == data_rows(path), name
    events = run.df("select distinct source_file from silver.stg_demo__events")
    assert f"events/{PAYLOAD}" in set(events.source_file)
    assert (run.df("select rows_unaccounted from silver.audit_reconciliation").sum() == 0).all()


def test_hostile_file_names_run_no_sql(hostile_build):
    work, _, _ = hostile_build
    assert side_effects(work, work / "wh.duckdb") == []


@pytest.mark.parametrize(
    ("vars", "expected"),
    [
        (
            {"as_of_date": "2024-01-01' as date); create table pwned as select 42 as owned; --"},
            "var as_of_date must be a date written YYYY-MM-DD",
        ),
        ({"as_of_date": "2023-02-29"}, "var as_of_date must be a date written YYYY-MM-DD"),
        ({"as_of_date": "2024-1-5"}, "got: 2024-1-5"),
        (
            {"bronze_source": "landing", "landing_path": "land\x00ing"},
            "var landing_path: contains a NUL character",
        ),
        (
            {"bronze_source": "landing", "landing_path": "C:\\landing"},
            "var landing_path: C:\\landing contains a backslash",
        ),
        (
            {"bronze_source": "landing", "landing_ignore_patterns": "*.txt"},
            "var landing_ignore_patterns must be a list",
        ),
    ],
)
def test_a_var_that_cannot_reach_sql_safely_stops_dbt_naming_it(tmp_path, vars, expected):
    message = failing_run(["parse", "--no-partial-parse"], tmp_path, vars)
    assert expected in message
    assert side_effects(tmp_path, tmp_path / "wh.duckdb") == []


def test_vars_reach_sql_as_quoted_literals(tmp_path):
    vars = {
        "as_of_date": "2024-02-29",
        "devices": ["desktop", "mob'ile"],
        "landing_path": "it's [a] *path",
    }
    inline = (
        "{{ as_of_date() }} | {{ sql_list(var('devices')) }} | "
        "{{ sql_string(landing_folder_pattern('events'), 'test') }}"
    )
    result = invoke(["compile", "--inline", inline], tmp_path, vars)
    assert result.success, result.exception
    compiled = result.result.results[0].node.compiled_code
    assert compiled == (
        "cast('2024-02-29' as date) | ('desktop', 'mob''ile') | 'it''s [[]a] [*]path/events/*'"
    )

"""Shared pytest fixtures: run dbt in-process and open the warehouse it built.

The demo warehouse is built once per test session (``demo_warehouse``) into a temporary DuckDB
file; tests query it through ``DbtRun.df`` / ``DbtRun.scalar``. dbt-duckdb keeps its connection
open inside this process and DuckDB refuses a second connection to the same file with a different
configuration, so tests connect exactly as dbt-duckdb does (no connect-time config) and then
apply profiles.yml's `settings` with SET, as dbt-duckdb does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SEEDS = REPO_ROOT / "seeds" / "bronze"

_SESSION = pytest.StashKey[pytest.Session]()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_SESSION] = session


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End the process once pytest is done, without interpreter teardown: DuckDB's bindings
    print "nanobind: leaked ..." lines at teardown for the connections dbt keeps cached in this
    process, after pytest's summary line, which CI expects to be the last line (`cbw validate`
    ends the same way, validate.end_process)."""
    session = config.stash.get(_SESSION, None)
    if session is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(session.exitstatus))


# profiles.yml `settings`, applied after connecting (as dbt-duckdb applies them).
DUCKDB_SETTINGS = {
    "TimeZone": "UTC",
    "preserve_insertion_order": False,
    "memory_limit": os.environ.get("CBW_MEMORY_LIMIT", "4GB"),
}


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a warehouse file that can coexist with in-process dbt's own."""
    con = duckdb.connect(str(db_path), read_only=False)
    for key, value in DUCKDB_SETTINGS.items():
        con.execute(f"SET {key} = '{value}'")
    return con


@dataclass
class DbtRun:
    """A finished in-process dbt invocation against one DuckDB file."""

    db_path: Path
    result: dbtRunnerResult

    def connect(self) -> duckdb.DuckDBPyConnection:
        return connect(self.db_path)

    def df(self, sql: str) -> pd.DataFrame:
        con = self.connect()
        try:
            return con.sql(sql).df()
        finally:
            con.close()

    def scalar(self, sql: str):
        con = self.connect()
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()


def table_fingerprints(run: DbtRun, skip_staging: bool = False) -> dict[str, tuple[int, str]]:
    """Row count and md5 of the full content of every silver and gold table, rows in a
    canonical order, every column: equal fingerprints = identical tables."""
    tables = run.df(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('silver', 'gold') and table_type = 'BASE TABLE'"
    )
    out = {}
    for schema, name in tables.itertuples(index=False):
        if skip_staging and name.startswith("stg_"):
            continue
        if name == "int_run_scope":
            continue  # what the last run changed: bookkeeping, not data (its manifest is compared)
        columns = run.df(
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position"
        ).column_name
        row = ", ".join(f'"{c}"' for c in columns)
        out[f"{schema}.{name}"] = tuple(
            run.df(
                f"select count(*) as n, md5(coalesce(string_agg(cast(({row}) as varchar), "
                f"chr(10) order by cast(({row}) as varchar)), '')) as h from {schema}.{name}"
            ).iloc[0]
        )
    return out


def failures(result: dbtRunnerResult) -> list[str]:
    """Names and messages of every node that did not pass, for a readable assertion."""
    if result.result is None:
        return [repr(result.exception)]
    return [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in result.result
        if str(r.status) not in {"success", "pass", "skipped"}
    ]


def run_dbt(
    args: list[str],
    db_path: Path,
    work_dir: Path,
    vars: dict | None = None,
    env: dict[str, str] | None = None,
) -> DbtRun:
    """Invoke dbt in-process on the repo's project against ``db_path``; fail on any error."""
    saved = dict(os.environ)
    os.environ.update({"CBW_DUCKDB_PATH": str(db_path), "CBW_TARGET": "dev", **(env or {})})
    cli = [
        *args,
        "--project-dir",
        str(REPO_ROOT),
        "--profiles-dir",
        str(REPO_ROOT),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        "--no-partial-parse",
    ]
    if vars:
        import json

        cli += ["--vars", json.dumps(vars)]
    try:
        result = dbtRunner().invoke(cli)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    problems = failures(result)
    assert result.success and not problems, (
        "dbt " + " ".join(args) + " failed:\n" + "\n".join(problems)
    )
    return DbtRun(db_path=db_path, result=result)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtRun]:
    """The warehouse built from the committed demo seeds with `dbt build` (all tests run)."""
    work = tmp_path_factory.mktemp("demo_build")
    yield run_dbt(["build", "--full-refresh"], work / "warehouse.duckdb", work)


@pytest.fixture(scope="session")
def bronze() -> dict[str, pd.DataFrame]:
    """The committed demo seeds read as landed text (every column a string, empty -> NaN)."""
    return {
        path.stem.removeprefix("raw_"): pd.read_csv(path, dtype=str, keep_default_na=False).replace(
            "", pd.NA
        )
        for path in sorted(SEEDS.glob("raw_*.csv"))
    }


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: real public data lives in ../shared/data beside the repo")
    return path

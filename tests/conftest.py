"""Shared pytest fixtures: run dbt in-process and open the warehouse it built.

The demo warehouse is built once per test session (``demo_warehouse``) into a temporary DuckDB
file; tests query it through ``DbtRun.df`` / ``DbtRun.scalar``. dbt-duckdb keeps its connection
open inside this process and DuckDB refuses a second connection to the same file with a different
configuration, so tests connect exactly as dbt-duckdb does (no connect-time config) and then
apply profiles.yml's `settings` with SET, as dbt-duckdb does.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt.constants import DEFAULT_ENV_PLACEHOLDER
from dbt.contracts.graph.manifest import Manifest

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


# --------------------------------------------------------------------------------------------
# One parse per configuration
# --------------------------------------------------------------------------------------------
# A full parse of the project costs about 5 s of CPU, and the suite runs dbt some 50 times in
# few configurations, so each configuration is parsed once (`dbt parse --no-partial-parse`,
# never dbt's partial parsing, which would read whatever an earlier run left in a target
# folder) and every later invocation gets a copy of that manifest (dbtRunner(manifest=...)).
# A manifest depends on the vars, on the environment variables the project reads (all CBW_*;
# profiles.yml's target and the env_var() calls the parse recorded) and on the catalog name
# dbt-duckdb derives from the warehouse file's name (every relation carries it): those are
# the key. The project's files do not change during a test session.


@dataclass
class Parse:
    """A successful `dbt parse`: its manifest and the target folder holding its artifacts."""

    manifest: Manifest
    target: Path


_PARSES: dict[str, Parse] = {}


def _parse_key(db_path: Path, vars: dict | None) -> str:
    env = {k: v for k, v in os.environ.items() if k.startswith("CBW_") and k != "CBW_DUCKDB_PATH"}
    return json.dumps({"catalog": db_path.stem, "vars": vars or {}, "env": env}, sort_keys=True)


def _project_args(work_dir: Path, target: Path, vars: dict | None) -> list[str]:
    return [
        "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT),
        "--target-path", str(target), "--log-path", str(work_dir / "logs"),
        "--no-partial-parse",
        *(["--vars", json.dumps(vars)] if vars else []),
    ]  # fmt: skip


class ParseError(Exception):
    """dbt could not parse the project in this configuration."""


def parsed(db_path: Path, work_dir: Path, vars: dict | None = None) -> Parse:
    """The project parsed for this configuration, once per session (call inside dbt_env)."""
    key = _parse_key(db_path, vars)
    hit = _PARSES.get(key)
    # the env_var() values the parse read (the placeholder: unset, the default used)
    if hit is not None and all(
        os.environ.get(k, DEFAULT_ENV_PLACEHOLDER) == v for k, v in hit.manifest.env_vars.items()
    ):
        return hit
    target = work_dir / "parse"
    result = dbtRunner().invoke(["parse", "--quiet", *_project_args(work_dir, target, vars)])
    if not result.success:
        raise ParseError(str(result.exception))
    _PARSES[key] = Parse(manifest=result.result, target=target)
    return _PARSES[key]


def parsed_target(work_dir: Path, vars: dict | None = None) -> Path:
    """The target folder (manifest.json, semantic_manifest.json) of the project's parse in a
    configuration, for a warehouse file named like the demo's (warehouse.duckdb)."""
    db_path = work_dir / "warehouse.duckdb"
    with dbt_env(db_path):
        return parsed(db_path, work_dir, vars).target


def _copy(manifest: Manifest) -> Manifest:
    """A deep copy for one invocation to change (a run adds inline nodes and compiled code).
    Not copy.deepcopy: dbt 1.11's Manifest.__reduce_ex__ leaves out `fixtures` and shifts the
    lookups after it into the wrong fields."""
    memo: dict = {}
    return Manifest(
        **{
            f.name: copy.deepcopy(getattr(manifest, f.name), memo)
            for f in dataclasses.fields(Manifest)
            if f.init and not f.name.startswith("_")
        }
    )


@contextmanager
def dbt_env(db_path: Path, env: dict[str, str] | None = None) -> Iterator[None]:
    """The environment of one in-process dbt invocation, restored afterwards."""
    saved = dict(os.environ)
    os.environ.update({"CBW_DUCKDB_PATH": str(db_path), "CBW_TARGET": "dev", **(env or {})})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def invoke_dbt(
    args: list[str],
    db_path: Path,
    work_dir: Path,
    vars: dict | None = None,
    env: dict[str, str] | None = None,
) -> dbtRunnerResult:
    """Invoke dbt in-process on the repo's project against ``db_path``, whatever the outcome.
    Every command but `parse` reuses the configuration's parse; when that parse fails, the
    command runs on its own so that it reports the error as it would."""
    cli = [*args, *_project_args(work_dir, work_dir / "target", vars)]
    with dbt_env(db_path, env):
        manifest = None
        if args[0] != "parse":
            with suppress(ParseError):
                manifest = _copy(parsed(db_path, work_dir, vars).manifest)
        return dbtRunner(manifest=manifest).invoke(cli)


def run_dbt(
    args: list[str],
    db_path: Path,
    work_dir: Path,
    vars: dict | None = None,
    env: dict[str, str] | None = None,
) -> DbtRun:
    """Invoke dbt in-process on the repo's project against ``db_path``; fail on any error."""
    result = invoke_dbt(args, db_path, work_dir, vars, env)
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

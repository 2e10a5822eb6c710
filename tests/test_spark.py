"""The same warehouse on Apache Spark (docs/spark.md): built with `cbw spark-build` on the spark
target, every gold table equals the DuckDB build's (same keys, row counts and values; floats
within 1e-9 relative, `cbw compare-engines`).

- the demo seeds, locally (local[2]), against the demo warehouse every other test uses;
- generated landing data with late, duplicate and conflicting events and a customer landing
  after their events, loaded day by day (files out of date order) on Spark, against a DuckDB
  full refresh of all of it: day-by-day on Spark equals a full refresh (DuckDB's own day-by-day
  equals its full refresh in test_incremental.py);
- the same build on a Spark standalone master and worker on loopback, started and stopped here.

Each Spark build runs in a subprocess (a Spark session keeps its master and warehouse for the
life of its process). Skipped with the reason when Java 17+ or the Spark packages are missing
(tests/spark_support.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run_dbt
from spark_support import PYTHON, StandaloneCluster, require_spark, run_logged, spark_env
from test_incremental import (
    copy_days_until,
    day_of,
    inject_late_and_duplicate_events,
    land_customer_after_events,
)

from customer_behaviour.generate import generate

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def spark_build(
    work: Path,
    name: str,
    vars: dict | None = None,
    master: str | None = None,
    models_only: bool = False,
) -> str:
    """`cbw spark-build` (dbt build, the predictive step, dbt build of their dependants) into
    the Spark warehouse work/spark-warehouse; returns its output. models_only: no data or unit
    tests (the demo build runs them all on Spark; the landing builds compare results)."""
    work.mkdir(parents=True, exist_ok=True)
    command = [
        PYTHON,
        "-m",
        "customer_behaviour",
        "spark-build",
        "--target-path",
        str(work / "target"),
    ]
    if vars:
        command += ["--vars", json.dumps(vars)]
    if models_only:
        command += ["--", "--exclude-resource-type", "test", "unit_test"]
    return run_logged(command, spark_env(work / "spark-warehouse", master), work / f"{name}.log")


def assert_gold_equal(duckdb_path: Path, work: Path) -> str:
    """`cbw compare-engines` of every gold table; fails with its report when one differs. The
    DuckDB file is compared through a copy (with its WAL): this process keeps it open, locked."""
    copy = work / "duckdb_copy.duckdb"
    for suffix in ("", ".wal"):
        source = Path(f"{duckdb_path}{suffix}")
        if source.exists():
            shutil.copy2(source, f"{copy}{suffix}")
    duckdb_path = copy
    out = run_logged(
        [PYTHON, "-m", "customer_behaviour", "compare-engines", "--duckdb", str(duckdb_path),
         "--spark-warehouse", str(work / "spark-warehouse")],
        spark_env(work / "spark-warehouse"),
        work / "compare.log",
    )  # fmt: skip
    assert "DIFFERS" not in out and " tables equal on DuckDB and Spark" in out, out
    return out


def test_demo_on_spark_equals_duckdb(demo_warehouse, tmp_path):
    require_spark()
    spark_build(tmp_path, "spark_build")
    report = assert_gold_equal(demo_warehouse.db_path, tmp_path)
    equal = report.strip().splitlines()[-1]
    assert not equal.startswith("0 of"), report


def _landing(tmp_path: Path) -> tuple[Path, list[str]]:
    everything = tmp_path / "all_days"
    generate(
        {"layout": "landing", "out": str(everything), "customers": 150, "days": 14,
         "progress": False}
    )  # fmt: skip
    inject_late_and_duplicate_events(everything)
    days = sorted({day_of(p) for p in everything.glob("events/*.csv")})
    return everything, days


def test_day_by_day_on_spark_equals_a_full_refresh(tmp_path):
    require_spark()
    everything, days = _landing(tmp_path)
    daily_days = days[-3:]
    late_customer = land_customer_after_events(everything, daily_days[0])
    assert late_customer
    held_back = everything / "events" / f"events_{daily_days[1]}.csv"
    vars_ = {"bronze_source": "landing"}
    full = run_dbt(
        ["build", "--full-refresh", "--exclude-resource-type", "test", "unit_test"],
        tmp_path / "full.duckdb",
        tmp_path / "duckdb_full",
        vars={**vars_, "landing_path": str(everything)},
    )

    daily = tmp_path / "daily_landing"
    work = tmp_path / "spark"
    for i, day in enumerate(daily_days):
        is_last = i == len(daily_days) - 1
        copy_days_until(everything, daily, day, None if is_last else held_back)
        spark_build(work, f"day_{i}", {**vars_, "landing_path": str(daily)}, models_only=True)
    assert_gold_equal(full.db_path, work)


def test_spark_build_on_a_standalone_cluster(tmp_path):
    require_spark()
    everything, _ = _landing(tmp_path)
    vars_ = {"bronze_source": "landing", "landing_path": str(everything)}
    full = run_dbt(
        ["build", "--full-refresh", "--exclude-resource-type", "test", "unit_test"],
        tmp_path / "full.duckdb",
        tmp_path / "duckdb_full",
        vars=vars_,
    )
    work = tmp_path / "spark"
    with StandaloneCluster(tmp_path / "cluster") as master:
        spark_build(work, "cluster_build", vars_, master=master, models_only=True)
    # the work ran in the worker's executors, not in the driver
    worker_log = (tmp_path / "cluster" / "worker.log").read_text(errors="replace")
    assert "Asked to launch executor" in worker_log and "customer_behaviour" in worker_log
    assert_gold_equal(full.db_path, work)

"""The semantic layer (models/gold/semantic): the core metrics parse, and MetricFlow's answers
equal the marts' where both state the same figure.

dbt-metricflow 0.15.0 is in the lock (requirements.txt): the ``mf`` command beside this Python
(or ``$CBW_MF``, or on the PATH) answers the MetricFlow test; a missing one is a broken install
and fails the test.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT, parsed_target

CORE_METRICS = {
    "revenue",
    "cancelled_returned_revenue",
    "net_revenue",
    "orders",
    "average_order_value",
    "customers",
    "sessions",
    "active_users",
    "view_to_cart_rate",
    "cart_to_checkout_rate",
    "checkout_to_purchase_rate",
    "session_conversion_rate",
}


@pytest.fixture(scope="module")
def semantic_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`dbt parse` (which validates the semantic models and metrics) -> semantic_manifest.json."""
    target = parsed_target(tmp_path_factory.mktemp("semantic_parse"))
    return json.loads((target / "semantic_manifest.json").read_text())


def test_parse_defines_the_core_metrics_on_a_time_spine(semantic_manifest: dict) -> None:
    metrics = {m["name"]: m for m in semantic_manifest["metrics"]}
    assert set(metrics) >= CORE_METRICS, CORE_METRICS - set(metrics)
    assert all(m["description"] for m in metrics.values())
    spines = semantic_manifest["project_configuration"]["time_spines"]
    assert [s["node_relation"]["alias"] for s in spines] == ["dim_dates"]
    models = {m["name"] for m in semantic_manifest["semantic_models"]}
    assert {"orders", "customers", "sessions", "session_funnel_steps"} <= models


def find_mf() -> str | None:
    candidates = [os.environ.get("CBW_MF"), str(Path(sys.executable).with_name("mf"))]
    found = [c for c in candidates if c and Path(c).is_file()]
    return found[0] if found else shutil.which("mf")


def mf_query(mf: str, db: Path, out: Path, *args: str) -> list[dict[str, str]]:
    env = {**os.environ, "CBW_DUCKDB_PATH": str(db), "DBT_PROFILES_DIR": str(REPO_ROOT)}
    done = subprocess.run(
        [mf, "query", "--quiet", "--csv", str(out), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and out.is_file(), done.stdout[-1500:] + done.stderr[-1500:]
    with out.open() as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def mf() -> str:
    """The mf command (checked before the demo build is asked for)."""
    found = find_mf()
    assert found is not None, (
        "no mf command beside this Python: dbt-metricflow is in requirements.txt; reinstall "
        "with scripts/build.sh (or set CBW_MF to an mf installed with the pinned stack)"
    )
    return found


@pytest.mark.slow
def test_metricflow_answers_equal_the_marts(mf: str, demo_warehouse, tmp_path: Path) -> None:
    dbt = Path(mf).with_name("dbt")
    # MetricFlow reads target/semantic_manifest.json of the project, written by its own dbt.
    parsed = subprocess.run(
        [str(dbt), "parse", "--profiles-dir", str(REPO_ROOT), "--quiet"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert parsed.returncode == 0, parsed.stdout[-1500:]
    # dbt-duckdb keeps the demo file open in this process: MetricFlow reads a checkpointed copy.
    con = demo_warehouse.connect()
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    db = Path(shutil.copy(demo_warehouse.db_path, tmp_path / "warehouse.duckdb"))

    daily = mf_query(
        mf, db, tmp_path / "active.csv", "--metrics", "active_users", "--group-by",
        "metric_time__day",
    )  # fmt: skip
    dau = {
        str(day)[:10]: n
        for day, n in demo_warehouse.df(
            "select activity_date, dau from gold.mart_active_users where dau > 0"
        ).itertuples(index=False)
    }
    assert daily and len(daily) == len(dau)
    assert {row["metric_time__day"][:10]: int(row["active_users"]) for row in daily} == dau

    rates = mf_query(
        mf, db, tmp_path / "rates.csv", "--metrics",
        "view_to_cart_rate,cart_to_checkout_rate,checkout_to_purchase_rate",
    )[0]  # fmt: skip
    mart = dict(
        demo_warehouse.df(
            "select step_name, conversion_from_previous from gold.mart_funnel_steps "
            "where funnel_level = 'session' and segment_type = 'all' and step_number > 1"
        ).itertuples(index=False)
    )
    assert float(rates["view_to_cart_rate"]) == pytest.approx(mart["cart"], abs=1e-9)
    assert float(rates["cart_to_checkout_rate"]) == pytest.approx(mart["checkout"], abs=1e-9)
    assert float(rates["checkout_to_purchase_rate"]) == pytest.approx(mart["purchase"], abs=1e-9)

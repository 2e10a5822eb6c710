"""A green build that is hollow is news: the health checks of audit_data_health and the
on-run-end report. Small landing folders written by the demo generator, then damaged."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import connect, failures, invoke_dbt

from customer_behaviour.generate import generate


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing_health")
    generate({"layout": "landing", "out": str(out), "customers": 40, "days": 4, "progress": False})
    return out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("health_scratch")


def private_copy(landing: Path, scratch: Path) -> Path:
    """A copy of the landing folder for one test to damage, always at the same path (tests
    run one at a time), so the tests' dbt runs share one parse of the project."""
    copy = scratch / "landing"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(landing, copy)
    return copy


def blank_column(folder: Path, column: str) -> None:
    """Empty one column in every file of a landing table (a GA-like export without it)."""
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
            header = list(rows[0].keys()) if rows else None
        if header is None:
            continue
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            for row in rows:
                writer.writerow({**row, column: ""})


def build(landing: Path, work: Path, select: str = "+audit_data_health", **extra_vars):
    return invoke_dbt(
        ["build", "--select", select, "--indirect-selection", "cautious"],
        work / "wh.duckdb",
        work,
        {"bronze_source": "landing", "landing_path": str(landing), **extra_vars},
    )


def test_a_products_file_without_prices_fails_the_build_naming_the_share_and_reason(
    landing, scratch, tmp_path
):
    copy = private_copy(landing, scratch)
    blank_column(copy / "products", "list_price")
    result = build(copy, tmp_path)
    assert not result.success, "every product quarantined must fail the build"
    problems = "\n".join(failures(result))
    assert "audit_data_health_has_no_failed_check" in problems

    con = connect(tmp_path / "wh.duckdb")
    try:
        rows = con.execute(
            "select relation_name, status, observed_share, message from silver.audit_data_health "
            "order by relation_name"
        ).fetchall()
    finally:
        con.close()
    found = {row[0]: row for row in rows}
    assert found["products"][1] == "fail" and found["products"][2] == 1.0
    assert "products: 250 of 250 landed rows quarantined" in found["products"][3]
    assert "top reasons: invalid_price 250" in found["products"][3]
    # every order line then names an unknown product: nothing of it is usable either
    assert found["order_lines"][1] == "fail" and "unknown_product" in found["order_lines"][3]


def test_events_without_device_warn_that_every_segment_is_unknown(
    landing, scratch, tmp_path, capfd
):
    copy = private_copy(landing, scratch)
    blank_column(copy / "events", "device")
    result = build(copy, tmp_path)
    assert result.success, failures(result)
    statuses = {str(r.node.name): str(r.status) for r in result.result}
    assert statuses["audit_data_health_has_no_warning"] == "warn"
    out = capfd.readouterr().out
    assert "data health warn: int_events_sessionized.device: all" in out


def test_a_gold_mart_empty_while_its_inputs_are_not_is_a_warning(landing, tmp_path, capfd):
    # as_of_date before the first order: dim_customers has customers, mart_rfm no purchaser
    result = build(landing, tmp_path, "+mart_rfm", as_of_date="2000-01-01")
    assert result.success, failures(result)
    out = capfd.readouterr().out
    assert "data health warn: gold mart mart_rfm is empty while its inputs are not" in out
    assert "dim_customers: 40 rows" in out

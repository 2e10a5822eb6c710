"""The quality gate (customer_behaviour.validate) passes the demo warehouse and catches marts
broken on purpose; on a source system that cannot fill a mart (Online Retail: no events, no
offers) it reports that mart's suite as not applicable, and fails a mart the source can fill.

Each test validates its own copy of a warehouse: dbt-duckdb keeps the original open in this
process, and DuckDB refuses a second connection to it with another configuration (GX's
duckdb-engine connects read-only with its own user agent). The copy is taken after a CHECKPOINT
through a connection configured exactly like dbt's (conftest.connect), so it is complete.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import REPO_ROOT, DbtRun, connect, run_dbt, shared_data
from test_incremental_online_retail import VARS as ONLINE_RETAIL_VARS
from test_incremental_online_retail import land

from customer_behaviour import validate as gate
from customer_behaviour.expectations import all_suites, sets
from customer_behaviour.expectations.core import requirement

pytestmark = pytest.mark.slow


def checkpointed_copy(run: DbtRun, copy: Path) -> Path:
    """A complete copy of the warehouse ``run`` built (checkpointed first)."""
    con = connect(run.db_path)
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    shutil.copyfile(run.db_path, copy)
    return copy


def modified_copy(original: Path, path: Path, sql: str) -> Path:
    """A copy of ``original`` at ``path`` with ``sql`` applied."""
    shutil.copyfile(original, path)
    con = duckdb.connect(str(path))
    try:
        con.execute(sql)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def pristine(demo_warehouse: DbtRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkpointed copy of the demo warehouse, never modified."""
    return checkpointed_copy(
        demo_warehouse, tmp_path_factory.mktemp("validate") / "pristine.duckdb"
    )


@pytest.fixture
def warehouse_copy(pristine: Path, tmp_path: Path) -> Callable[[str], Path]:
    """A fresh copy of the demo warehouse with ``sql`` applied (the copy to break)."""
    return lambda sql: modified_copy(pristine, tmp_path / "broken.duckdb", sql)


# Online Retail: the first days of the shared files (skipped when ../shared is absent), with the
# vars a short extract needs (tests/test_incremental_online_retail.py says why). Only the models
# and seeds are built: validation, not dbt's tests, is under test here.
ONLINE_RETAIL_DAYS = 3


@pytest.fixture(scope="module")
def online_retail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkpointed copy of a warehouse built from 3 Online Retail day files, never modified."""
    days = sorted(shared_data("online_retail", "by-day").glob("*.csv"))[:ONLINE_RETAIL_DAYS]
    work = tmp_path_factory.mktemp("validate_online_retail")
    for day in days:
        land(day, work / "landing")
    run = run_dbt(
        ["build", "--exclude-resource-type", "test", "unit_test"],
        work / "warehouse.duckdb",
        work,
        # three day files: one-day holdout and horizon, so the CLV holdout check and the
        # classifiers have cutoffs inside the data
        vars={
            **ONLINE_RETAIL_VARS,
            "online_retail_path": str(work / "landing"),
            "clv_holdout_days": 1,
            "classifier_horizon_days": 1,
        },
    )
    return checkpointed_copy(run, work / "pristine.duckdb")


# The suites Online Retail cannot fill: every table built from events or offers.
NO_EVENTS_NO_OFFERS = {s.name for s in all_suites() if {"events", "offers"} & set(s.requires)}


def suites_named(*names: str):
    wanted = set(names)
    chosen = [s for s in all_suites() if s.name in wanted]
    assert {s.name for s in chosen} == wanted
    return chosen


def failed(report: gate.Report) -> set[tuple[str, str, str]]:
    return {(c.suite, c.check, c.column) for c in report.failures}


def run_gate(db: Path, out: Path, capsys, suites: list[str] | None = None) -> tuple[int, str, str]:
    """The command's run() on ``db``: exit code, console output, index.html."""
    args = argparse.Namespace(db=db, out=out, suite=suites, sample_rows=5)
    code = gate.run(args)
    return code, capsys.readouterr().out, (out / "index.html").read_text()


ONE_SUITE = ["gold.mart_rfm_segments"]  # a quick one, where the suites are not under test


# --------------------------------------------------------------------------------------------
# The untouched warehouse passes, and the report says so
# --------------------------------------------------------------------------------------------


def test_demo_warehouse_passes_every_suite(pristine: Path, tmp_path: Path, capsys) -> None:
    code, out, html = run_gate(pristine, tmp_path / "report", capsys)
    assert code == 0, out
    assert "validation passed" in out
    assert "source system: demo (from silver.audit_build_info" in out
    assert "not applicable" not in out
    assert html.count("<details") == len(all_suites())
    assert (tmp_path / "report" / "results.json").is_file()
    assert len(list((tmp_path / "report" / "gx").glob("*.json"))) == len(all_suites())


def test_every_gold_table_and_silver_fact_has_a_suite(pristine: Path) -> None:
    con = duckdb.connect(str(pristine), read_only=True)
    try:
        gold = {
            f"gold.{t}"
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'gold'"
            ).fetchall()
        }
    finally:
        con.close()
    suites = {s.name for s in all_suites()}
    silver_facts = {
        "silver.int_events_sessionized",
        "silver.int_orders_deduplicated",
        "silver.int_customers_deduplicated",
    }
    assert gold - suites == set(), "gold tables without an expectation suite"
    assert suites - gold - silver_facts == set(), "suites of tables the build does not make"


# --------------------------------------------------------------------------------------------
# Marts broken on purpose are caught, by the check meant for them, with the rows to look at
# --------------------------------------------------------------------------------------------


def test_a_duplicated_key_is_caught(warehouse_copy) -> None:
    db = warehouse_copy(
        """
        -- CTAS drops the primary key constraint, as a broken incremental load could
        create or replace table gold.mart_rfm as
        select * from gold.mart_rfm
        union all
        (select * from gold.mart_rfm order by customer_id limit 1)
        """
    )
    report = gate.validate(db, suites_named("gold.mart_rfm", "gold.mart_rfm_segments"))
    assert ("gold.mart_rfm", "expect_column_values_to_be_unique", "customer_id") in failed(report)
    # the row count no longer ties to the purchasing customers, nor the segments to the rows
    assert ("gold.mart_rfm", "unexpected_rows_expectation", "") in failed(report)
    assert ("gold.mart_rfm_segments", "unexpected_rows_expectation", "customers") in failed(report)
    unique = next(c for c in report.failures if c.check == "expect_column_values_to_be_unique")
    assert unique.observed == "2 of 2259 rows unexpected"
    assert unique.sample_rows, "the report shows the duplicated customer"


def test_a_rate_above_one_is_caught(warehouse_copy) -> None:
    db = warehouse_copy(
        """
        update gold.mart_funnel_steps set conversion_from_previous = 1.2
        where funnel_level = 'session' and segment_type = 'all' and step_number = 2
        """
    )
    report = gate.validate(db, suites_named("gold.mart_funnel_steps"))
    assert failed(report) == {
        ("gold.mart_funnel_steps", "expect_column_values_to_be_between", "conversion_from_previous")
    }
    (check,) = report.failures
    assert check.observed.startswith("1 of ")
    assert check.sample_rows == [
        {
            "funnel_level": "session",
            "segment_type": "all",
            "segment_value": "all",
            "step_number": 2,
            "conversion_from_previous": 1.2,
        }
    ]


def test_a_step_with_more_entrants_than_the_step_before_is_caught(warehouse_copy) -> None:
    db = warehouse_copy(
        """
        update gold.mart_funnel_steps as f set entrants = previous.entrants + 1
        from gold.mart_funnel_steps as previous
        where (f.funnel_level, f.segment_type, f.segment_value) = ('customer', 'device', 'mobile')
            and f.step_number = 3
            and (previous.funnel_level, previous.segment_type, previous.segment_value)
                = (f.funnel_level, f.segment_type, f.segment_value)
            and previous.step_number = 2
        """
    )
    report = gate.validate(db, suites_named("gold.mart_funnel_steps"))
    funnel = [c for c in report.failures if c.rule.startswith("entrants never increases")]
    assert len(funnel) == 1, gate.format_failures(report)
    (row,) = funnel[0].sample_rows
    assert (row["segment_value"], row["step_number"]) == ("mobile", 3)
    assert row["entrants"] == row["previous_entrants"] + 1


def test_transition_probabilities_that_do_not_sum_to_one_are_caught(warehouse_copy) -> None:
    db = warehouse_copy(
        "update gold.mart_step_transitions set probability = probability / 2 "
        "where from_state = 'cart' and to_state = 'exit'"
    )
    report = gate.validate(db, suites_named("gold.mart_step_transitions"))
    (check,) = report.failures
    assert check.rule == "probability sums to 1 per from_state."
    assert [r["from_state"] for r in check.sample_rows] == ["cart"]


def test_a_broken_join_that_puts_every_customer_in_one_tier_is_caught(warehouse_copy) -> None:
    # what dim_customers looks like when its join to the orders matches nothing
    db = warehouse_copy(
        "update gold.dim_customers set spend_tier_3 = 'No Spend', spend_tier_4 = 'No Spend'"
    )
    report = gate.validate(db, suites_named("gold.dim_customers"))
    rules = " ".join(c.rule for c in report.failures)
    assert "Purchasers (a completed order by as_of_date) are exactly the customers" in rules
    assert (
        "gold.dim_customers",
        "expect_column_distinct_values_to_contain_set",
        "spend_tier_4",
    ) in (failed(report))


def test_a_broken_tiering_that_puts_every_purchaser_in_one_tier_is_caught(warehouse_copy):
    db = warehouse_copy(
        "update gold.dim_customers set spend_tier_3 = 'Low', spend_tier_4 = 'Low' "
        "where spend_tier_4 <> 'No Spend'"
    )
    report = gate.validate(db, suites_named("gold.dim_customers"))
    rules = " ".join(c.rule for c in report.failures)
    assert "No single spend_tier_4 holds more than 90% of the rows where" in rules
    assert "No single spend_tier_3 holds more than 90% of the rows where" in rules


def test_a_mart_that_lost_rows_to_its_parent_is_caught(warehouse_copy) -> None:
    db = warehouse_copy(
        "delete from gold.dim_customers where customer_id in "
        "(select customer_id from gold.dim_customers order by 1 limit 3)"
    )
    report = gate.validate(db, suites_named("gold.dim_customers"))
    (check,) = [c for c in report.failures if c.rule.startswith("One row per silver customer")]
    (row,) = check.sample_rows
    assert row["rows_expected"] - row["rows_here"] == 3


def test_a_missing_mart_fails_and_the_command_exits_non_zero(warehouse_copy, tmp_path, capsys):
    db = warehouse_copy("drop table gold.mart_activity_heatmap")
    args = argparse.Namespace(
        db=db, out=tmp_path / "report", suite=["gold.mart_activity_*"], sample_rows=5
    )
    assert gate.run(args) == 1
    out = capsys.readouterr().out
    assert "gold.mart_activity_heatmap" in out and "table is missing" in out
    assert "VALIDATION FAILED" in out
    assert "FAILED" in (tmp_path / "report" / "index.html").read_text()


def test_a_warehouse_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    args = argparse.Namespace(
        db=tmp_path / "nope.duckdb", out=tmp_path / "r", suite=None, sample_rows=5
    )
    assert gate.run(args) == 2


# --------------------------------------------------------------------------------------------
# What the source provides: a mart it cannot fill is not applicable, one it can fill must pass
# --------------------------------------------------------------------------------------------


def statuses(report: gate.Report) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in report.checks:
        out.setdefault(c.suite, set()).add(c.status)
    return out


def test_online_retail_passes_with_event_and_offer_suites_not_applicable(
    online_retail: Path, tmp_path: Path, capsys
) -> None:
    code, out, html = run_gate(online_retail, tmp_path / "r", capsys)
    assert code == 0, out
    assert "validation passed" in out
    assert "source system: online_retail (from silver.audit_build_info" in out
    assert (
        "provides no acquisition_channels, checkout_step, countries, devices, events, offers, "
        "page_types" in out
    )
    report = json.loads((tmp_path / "r" / "results.json").read_text())
    assert report["build"]["source_system"] == "online_retail"
    by_suite: dict[str, set[str]] = {}
    for c in report["checks"]:
        by_suite.setdefault(c["suite"], set()).add(c["status"])
    assert {n for n, s in by_suite.items() if s == {gate.NOT_APPLICABLE}} == NO_EVENTS_NO_OFFERS
    # the silver events, 5 offer tables (with the visitor x offer fact), 15 event tables (the
    # session facts: funnel steps, step events, item funnels, paths, transitions; segments;
    # the engagement ratios and their revenue mart)
    assert len(NO_EVENTS_NO_OFFERS) == 21
    assert {n for n, s in by_suite.items() if s == {gate.PASSED}} == (
        {s.name for s in all_suites()} - NO_EVENTS_NO_OFFERS
    )
    assert "not applicable to source online_retail, not counted: 21 suites" in out
    assert html.count("<summary class=na>") == 21
    assert "gold.fct_sessions: not applicable: source online_retail provides no events" in html


def test_a_mart_the_source_can_fill_fails_when_empty(online_retail: Path, tmp_path: Path) -> None:
    """Online Retail provides orders: an empty fct_orders is a broken build, not 'no data'."""
    db = modified_copy(online_retail, tmp_path / "broken.duckdb", "delete from gold.fct_orders")
    report = gate.validate(db, suites_named("gold.fct_orders", "gold.fct_sessions"))
    assert ("gold.fct_orders", "expect_table_row_count_to_be_between", "") in failed(report)
    assert statuses(report)["gold.fct_sessions"] == {gate.NOT_APPLICABLE}


def test_an_empty_event_mart_fails_where_the_source_has_events(warehouse_copy) -> None:
    """The demo source has events: the mart that is not applicable on Online Retail fails."""
    db = warehouse_copy("delete from gold.mart_funnel_steps")
    report = gate.validate(db, suites_named("gold.mart_funnel_steps"))
    assert ("gold.mart_funnel_steps", "expect_table_row_count_to_be_between", "") in failed(report)


def test_the_source_is_read_from_the_warehouse_and_a_flag_overrides_it(
    online_retail: Path, pristine: Path, tmp_path: Path
) -> None:
    event_suites = suites_named("gold.fct_sessions", "gold.mart_channel_attribution")
    # Without silver.audit_build_info nothing says the events are missing: they fail.
    db = modified_copy(
        online_retail, tmp_path / "no_info.duckdb", "drop table silver.audit_build_info"
    )
    report = gate.validate(db, event_suites)
    assert report.build.origin == "assumed"
    assert {c.suite for c in report.failures} == {s.name for s in event_suites}
    # --source-system names it
    report = gate.validate(db, event_suites, source_system="online_retail")
    assert report.success and len(report.not_applicable) == 2
    # and overrides the table: the demo warehouse read as REES46 (events, but no devices or
    # traffic sources) skips only the checks of a device and traffic source mix
    report = gate.validate(pristine, event_suites, source_system="rees46")
    skipped = {(c.suite, c.column) for c in report.not_applicable}
    assert skipped == {("gold.fct_sessions", "device"), ("gold.fct_sessions", "traffic_source")}
    assert report.success


def test_an_unknown_source_system_exits_2(pristine: Path, tmp_path: Path, capsys) -> None:
    args = argparse.Namespace(
        db=pristine, out=tmp_path / "r", suite=None, sample_rows=5, source_system="sap"
    )
    assert gate.run(args) == 2
    assert "unknown source system 'sap'" in capsys.readouterr().err


def test_capabilities_are_those_of_dbt_project_and_the_suites_name_only_those() -> None:
    capabilities = gate.project_capabilities(REPO_ROOT / "dbt_project.yml")
    assert set(capabilities) == {"demo", "online_retail", "rees46"}
    for system, entry in capabilities.items():
        assert list(entry) == sets.CAPABILITIES, system
        assert all(isinstance(v, bool) for v in entry.values()), system
    assert all(capabilities["demo"].values())
    named = {c for s in all_suites() for c in s.requires}
    named |= {requirement(e) for s in all_suites() for e in s.expectations} - {None}
    assert named <= set(sets.CAPABILITIES)


# --------------------------------------------------------------------------------------------
# Data health findings (silver.audit_data_health) are shown; a fail fails the validation
# --------------------------------------------------------------------------------------------

HEALTH_TABLE = """
create or replace table silver.audit_data_health as
select * from (values
    ('unknown_device_share', 'gold.fct_sessions', 'ok', 0.02, 'sessions with a known device'),
    ('unknown_country_share', 'gold.dim_customers', 'warn', 0.31,
        '31% of customers have no country'),
    {fail}
) as t(check_name, relation_name, status, observed_share, message)
"""
FAIL_ROW = "('orders_per_day_drop', 'gold.fct_orders', 'fail', 0.95, 'orders fell by 95%')"
WARN_ONLY = "('orders_per_day_drop', 'gold.fct_orders', 'ok', null, 'orders per day steady')"


def test_health_warnings_are_shown_and_do_not_fail(warehouse_copy, tmp_path, capsys) -> None:
    db = warehouse_copy(HEALTH_TABLE.format(fail=WARN_ONLY))
    code, out, html = run_gate(db, tmp_path / "r", capsys, ONE_SUITE)
    assert code == 0, out
    assert "data health (silver.audit_data_health): 0 fail, 1 warn, 2 ok" in out
    assert "WARN  unknown_country_share on gold.dim_customers (31.0%): 31% of" in out
    assert "steady" not in out and "known device" not in out  # ok rows stay quiet
    assert "<h2>Health checks</h2>" in html and "31% of customers have no country" in html


def test_a_failed_health_check_fails_validation(warehouse_copy, tmp_path, capsys) -> None:
    db = warehouse_copy(HEALTH_TABLE.format(fail=FAIL_ROW))
    code, out, html = run_gate(db, tmp_path / "r", capsys, ONE_SUITE)
    assert code == 1
    assert "VALIDATION FAILED" in out
    assert "FAIL  orders_per_day_drop on gold.fct_orders (95.0%): orders fell by 95%" in out
    assert "WARN  unknown_country_share" in out
    assert "orders fell by 95%" in html.split("<h2>Health checks</h2>")[1]


def test_without_a_health_table_there_is_no_health_section(pristine, tmp_path, capsys) -> None:
    older = tmp_path / "without_health.duckdb"  # a warehouse built before the health checks
    shutil.copy(pristine, older)
    con = connect(older)
    con.execute("drop table silver.audit_data_health")
    con.close()
    code, out, html = run_gate(older, tmp_path / "r", capsys, ONE_SUITE)
    assert code == 0
    assert "data health" not in out
    assert "Health checks" not in html


# --------------------------------------------------------------------------------------------
# The command's output ends with the report, not with DuckDB's binding complaining at exit
# --------------------------------------------------------------------------------------------


def test_cbw_validate_ends_clean(pristine: Path, tmp_path: Path) -> None:
    """GX and duckdb-engine in one interpreter make DuckDB's nanobind binding print "nanobind:
    leaked ..." at interpreter exit (validate.end_process says why); the command must not."""
    cbw = Path(sys.executable).with_name("cbw")
    command = [str(cbw)] if cbw.is_file() else [sys.executable, "-m", "customer_behaviour"]
    done = subprocess.run(
        [*command, "validate", "--db", str(pristine), "--out", str(tmp_path / "r")]
        + ["--suite", "gold.mart_rfm_segments"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nanobind" not in done.stdout + done.stderr
    assert done.stdout.rstrip().endswith(f"report: {tmp_path / 'r' / 'index.html'}")


# --------------------------------------------------------------------------------------------
# The GX over duckdb-engine workaround (great_expectations#11579)
# --------------------------------------------------------------------------------------------


def _row_count_result(db: Path, keep_connection_open: bool):
    import great_expectations.expectations as gxe

    context = gate._gx_context()
    datasource, connection = gate.open_warehouse(context, db, keep_connection_open)
    try:
        asset = datasource.add_query_asset(name="orders", query="select * from gold.fct_orders")
        batch = asset.add_batch_definition_whole_table("all").get_batch()
        return batch.validate(gxe.ExpectTableRowCountToBeBetween(min_value=1))
    finally:
        gate.close_warehouse(datasource, connection)


def test_gx_over_duckdb_computes_metrics_with_the_connection_workaround(pristine: Path) -> None:
    result = _row_count_result(pristine, keep_connection_open=True)
    con = duckdb.connect(str(pristine), read_only=True)
    try:
        (orders,) = con.execute("select count(*) from gold.fct_orders").fetchone()
    finally:
        con.close()
    assert result.success and result.result["observed_value"] == orders


def test_gx_over_duckdb_still_needs_the_connection_workaround(pristine: Path) -> None:
    """Documents the upstream bug. When this fails, GX fixed #11579: delete
    validate._keep_one_connection_open and this test."""
    result = _row_count_result(pristine, keep_connection_open=False)
    assert not result.success
    assert "list index out of range" in str(result.exception_info)


# --------------------------------------------------------------------------------------------
# The suites' closed sets are the project's, not a copy that drifts
# --------------------------------------------------------------------------------------------


def test_suite_sets_match_dbt_vars_and_reference_seeds() -> None:
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]
    assert project["event_types"] == sets.EVENT_TYPES
    assert [*project["devices"], "unknown"] == sets.DEVICES
    assert [*project["traffic_sources"], "unknown"] == sets.TRAFFIC_SOURCES
    assert project["order_statuses"] == sets.ORDER_STATUSES
    assert [*project["subscription_statuses"], "unknown"] == sets.SUBSCRIPTION_STATUSES
    assert project["offer_types"] == sets.OFFER_TYPES
    assert [s["step_name"] for s in project["funnel_steps"]] == sets.FUNNEL_STEPS
    assert project["behaviour_segment_types"] == sets.SEGMENT_TYPES
    brackets = sorted(project["age_group_brackets"])
    assert [
        f"under {brackets[0]}",
        *(f"{lo}-{hi - 1}" for lo, hi in zip(brackets, brackets[1:], strict=False)),
        f"{brackets[-1]}+",
        "unknown",
    ] == sets.AGE_GROUPS

    import csv

    seeds = REPO_ROOT / "seeds" / "reference"
    with open(seeds / "rfm_segment_rules.csv", newline="") as f:
        rules = list(csv.DictReader(f))
    assert [r["segment_name"] for r in rules] == sets.RFM_SEGMENTS
    assert set(sets.ENGAGEMENT_LEVELS) == {r["engagement_level"] for r in rules}
    with open(seeds / "clv_action_rules.csv", newline="") as f:
        actions = list(csv.DictReader(f))
    assert set(sets.RECOMMENDED_ACTIONS) == {r["recommended_action"] for r in actions}
    assert set(sets.CLV_MATRIX_TIERS) == {r["clv_tier"] for r in actions}

"""Bad landing files get a clear answer: each malformed case either has its bad rows
quarantined with a reason and the file name, or stops the build with an error naming the file
and the problem. Never a silent skip. Every case uses small files the test writes itself."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO_ROOT, connect, failures, run_dbt
from dbt.cli.main import dbtRunner

from customer_behaviour.generate import generate

SILVER = ["+path:models/silver", "--exclude", "path:models/gold"]


@pytest.fixture(scope="module")
def clean_landing(tmp_path_factory) -> Path:
    """A small, valid landing folder (canonical format) written by the demo generator."""
    out = tmp_path_factory.mktemp("landing_clean")
    generate({"layout": "landing", "out": str(out), "customers": 40, "days": 6, "progress": False})
    return out


@pytest.fixture
def landing(clean_landing, tmp_path) -> Path:
    """A private copy of the clean landing folder for one test to damage."""
    copy = tmp_path / "landing"
    shutil.copytree(clean_landing, copy)
    return copy


def first_file(landing: Path, table: str) -> Path:
    return sorted((landing / table).glob("*.csv"))[0]


def largest_file(landing: Path, table: str) -> Path:
    """The table's file with the most rows (small generated days can be header-only)."""
    return max(sorted((landing / table).glob("*.csv")), key=lambda p: p.stat().st_size)


def build_landing(landing: Path, work: Path, select: list[str] = SILVER):
    return run_dbt(
        ["build", *(["--select", *select] if select else [])],
        work / "wh.duckdb",
        work,
        vars={"bronze_source": "landing", "landing_path": str(landing)},
    )


def failing_build(landing: Path, work: Path) -> str:
    """Run the landing file checks, expect failure, return dbt's error text."""
    saved = dict(os.environ)
    os.environ["CBW_DUCKDB_PATH"] = str(work / "wh.duckdb")
    try:
        result = dbtRunner().invoke(
            [
                "run", "--select", "+audit_landing_files",
                "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT),
                "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
                "--vars", f'{{"bronze_source": "landing", "landing_path": "{landing}"}}',
            ]
        )  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert not result.success, "the build should have stopped"
    return "\n".join(failures(result))


def test_clean_landing_folder_builds_and_reconciles(landing, tmp_path):
    run = build_landing(landing, tmp_path)
    audit = run.df("select * from silver.audit_reconciliation")
    assert (audit.rows_unaccounted == 0).all()
    assert set(audit.source_table) == {f"landing.{t}" for t in audit.entity}
    files = run.df("select * from silver.audit_landing_files")
    assert len(files) == sum(1 for _ in landing.glob("*/*.csv"))
    assert (files.header_lines == 1).all()


@pytest.mark.parametrize(
    ("case", "damage", "expected"),
    [
        ("wrong_delimiter", lambda t: t.replace(",", ";"), "no header line"),
        (
            "missing_column",
            lambda t: "\n".join(line.rsplit(",", 1)[0] for line in t.splitlines()) + "\n",
            "no header line",
        ),
        (
            "extra_column",
            lambda t: "\n".join(line + ",x" for line in t.splitlines()) + "\n",
            "no header line",
        ),
        ("empty_file", lambda t: "", "empty file"),
        ("concatenated_files", lambda t: t + t, "2 header lines"),
    ],
)
def test_a_file_we_cannot_load_stops_the_build_naming_the_file(
    landing, tmp_path, case, damage, expected
):
    target = first_file(landing, "orders")
    target.write_text(damage(target.read_text()))
    message = failing_build(landing, tmp_path)
    assert f"landing file {target.parent.name}/{target.name}" in message
    assert expected in message


def quarantined(run, reason: str):
    return run.df(f"select * from silver.audit_quarantined_rows where reason_code = '{reason}'")


@pytest.mark.parametrize("cut", ["before_quoted_field", "inside_quoted_field"])
def test_cut_off_last_line_is_quarantined_with_file_and_line(landing, tmp_path, cut):
    target = largest_file(landing, "events")
    lines = target.read_text().splitlines()
    last = lines[-1]
    # The user agent (last field) is quoted: cut before it, or in the middle of it.
    end = last.index(',"') if cut == "before_quoted_field" else last.index(',"') + 10
    target.write_text("\n".join(lines) + "\n" + last[:end])
    run = build_landing(landing, tmp_path)
    rows = run.df(
        "select * from silver.audit_quarantined_rows "
        "where reason_code in ('too_few_fields', 'unterminated_quote')"
    )
    assert list(rows.source_file) == [f"{target.parent.name}/{target.name}"]
    assert f'"line_number":{len(lines) + 1}' in rows.raw_record.iloc[0]
    assert (run.df("select rows_unaccounted from silver.audit_reconciliation").sum() == 0).all()


def test_invalid_utf8_line_is_quarantined_not_dropped(landing, tmp_path):
    target = first_file(landing, "events")
    data = target.read_bytes().splitlines(keepends=True)
    data[2] = data[2].replace(b"page_view", b"page_vi\xffew", 1).replace(b"e", b"\xfe", 1)
    target.write_bytes(b"".join(data))
    run = build_landing(landing, tmp_path)
    rows = quarantined(run, "invalid_encoding")
    assert list(rows.source_file) == [f"{target.parent.name}/{target.name}"]
    audit = run.df("select * from silver.audit_reconciliation where entity = 'events'").iloc[0]
    assert audit.rows_unaccounted == 0 and audit.rows_quarantined >= 1


def test_header_only_file_is_accepted_with_zero_rows(landing, tmp_path):
    target = first_file(landing, "orders")
    target.write_text(target.read_text().splitlines()[0] + "\n")
    run = build_landing(landing, tmp_path)
    files = run.df(
        f"select * from silver.audit_landing_files where source_file = 'orders/{target.name}'"
    )
    assert files.rows_landed.tolist() == [0]


def test_dates_in_another_format_are_quarantined_with_the_file_name(landing, tmp_path):
    target = largest_file(landing, "orders")
    header, *rows = target.read_text().splitlines()
    # 2024-01-01T10:11:12.000Z -> 01/01/2024 10:11 (a US-style export)
    fixed = []
    for row in rows:
        fields = row.split(",")
        date, time = fields[2][:10], fields[2][11:16]
        fields[2] = f"{date[5:7]}/{date[8:10]}/{date[:4]} {time}"
        fixed.append(",".join(fields))
    target.write_text("\n".join([header, *fixed]) + "\n")
    run = build_landing(landing, tmp_path)
    rows_q = quarantined(run, "invalid_timestamp")
    rows_q = rows_q[rows_q.source_file == f"orders/{target.name}"]
    assert len(rows_q) == len(rows) > 0
    assert (run.df("select rows_unaccounted from silver.audit_reconciliation").sum() == 0).all()


def test_parquet_landing_gives_the_same_silver_as_csv(clean_landing, tmp_path):
    pq = tmp_path / "landing_pq"
    for csv_path in clean_landing.glob("*/*.csv"):
        (pq / csv_path.parent.name).mkdir(parents=True, exist_ok=True)
        con = connect(tmp_path / "convert.duckdb")
        parquet_path = pq / csv_path.parent.name / csv_path.with_suffix(".parquet").name
        con.execute(
            f"copy (select * from read_csv('{csv_path}', all_varchar=true, header=true)) "
            f"to '{parquet_path}' (format parquet)"
        )
        con.close()
    csv_run = build_landing(clean_landing, tmp_path / "csv")
    pq_run = run_dbt(
        ["build", "--select", *SILVER],
        tmp_path / "pq" / "wh.duckdb",
        tmp_path / "pq",
        vars={"bronze_source": "landing", "landing_path": str(pq), "landing_format": "parquet"},
    )
    sql = "select * exclude (source_row_id) from silver.int_events_sessionized order by event_id"
    a, b = csv_run.df(sql), pq_run.df(sql)
    assert len(a) > 0
    assert a.drop(columns=[]).equals(b)


def freshness(landing: Path, work: Path) -> dict[str, str]:
    saved = dict(os.environ)
    os.environ["CBW_DUCKDB_PATH"] = str(work / "wh.duckdb")
    try:
        result = dbtRunner().invoke(
            [
                "source", "freshness", "--select", "source:landing",
                "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT),
                "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
                "--vars", f'{{"bronze_source": "landing", "landing_path": "{landing}"}}',
            ]
        )  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {r.node.name: str(r.status) for r in result.result}


def test_source_freshness_reads_the_newest_delivery_date_in_file_names(clean_landing, tmp_path):
    import datetime as dt

    # Freshness is about the wall clock by nature: a folder delivered up to today is fresh...
    today = tmp_path / "today"
    start = dt.date.today() - dt.timedelta(days=3)
    generate(
        {"layout": "landing", "out": str(today), "customers": 20, "days": 4,
         "start_date": start.isoformat(), "progress": False}
    )  # fmt: skip
    fresh = freshness(today, tmp_path / "fresh")
    assert set(fresh) == {"events", "orders", "order_lines", "customers"}
    assert set(fresh.values()) == {"pass"}
    # ...and the demo folder, delivered in 2024, is stale.
    assert set(freshness(clean_landing, tmp_path / "stale").values()) == {"error"}


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Append rows (column -> value, missing columns empty) to a landing CSV file."""
    with path.open(newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([[row.get(column, "") for column in header] for row in rows])


def test_future_inexact_and_conflicting_rows_are_quarantined_with_their_reasons(landing, tmp_path):
    """Planted in a small landing folder: an event dated 2100 and one 23 hours after its
    delivery day (within the 24-hour tolerance); a quantity of 2.7 and a price of 19.999 (never
    rounded) beside 2.0 and 2.50 (fine); an event and an order redelivered in a later file with
    other content (the earlier copy wins, the redelivery is quarantined as a conflict) and an
    exact redelivery (deduplicated). Every landed row stays accounted for."""
    first_day, later_day = "2024-01-02", "2024-01-05"
    first = landing / "events" / f"events_{first_day}.csv"
    later = landing / "events" / f"events_{later_day}.csv"
    product_id = next(
        row["product_id"]
        for row in csv.DictReader((landing / "products" / "products.csv").open())
        if float(row["list_price"]) > 0
    )
    page_view = {"visitor_id": "v_planted", "event_type": "page_view", "page_path": "/"}
    add = {"visitor_id": "v_planted", "event_type": "add_to_cart", "product_id": product_id}
    append_rows(
        first,
        [
            {**page_view, "event_id": "e_conflict", "event_time": f"{first_day}T10:00:00Z",
             "device": "mobile"},
            {**page_view, "event_id": "e_exact", "event_time": f"{first_day}T10:05:00Z"},
        ],
    )  # fmt: skip
    append_rows(
        later,
        [
            {**page_view, "event_id": "e_conflict", "event_time": f"{first_day}T10:00:00Z",
             "device": "desktop"},
            {**page_view, "event_id": "e_exact", "event_time": f"{first_day}T10:05:00Z"},
            {**page_view, "event_id": "e_2100", "event_time": "2100-01-01T00:00:00Z"},
            {**page_view, "event_id": "e_next_day", "event_time": "2024-01-06T23:00:00Z"},
            {**add, "event_id": "e_qty_2_7", "event_time": f"{later_day}T09:00:00Z",
             "quantity": "2.7", "price": "2.50"},
            {**add, "event_id": "e_price_19_999", "event_time": f"{later_day}T09:00:00Z",
             "quantity": "1", "price": "19.999"},
            {**add, "event_id": "e_qty_2_0", "event_time": f"{later_day}T09:00:00Z",
             "quantity": "2.0", "price": "2.50"},
        ],
    )  # fmt: skip
    # An order of an earlier day delivered again with another status.
    customers = {
        row["customer_id"]
        for path in (landing / "customers").glob("*.csv")
        for row in csv.DictReader(path.open())
    }
    order = next(
        row
        for path in sorted((landing / "orders").glob("*.csv"))
        if path.name < f"orders_{later_day}.csv"
        for row in csv.DictReader(path.open())
        if row["status"] == "completed" and row["customer_id"] in customers
    )
    append_rows(landing / "orders" / f"orders_{later_day}.csv", [{**order, "status": "cancelled"}])

    run = build_landing(landing, tmp_path)
    reasons = dict(
        run.df(
            "select record_key, reason_code from silver.audit_quarantined_rows "
            "where entity = 'events' and record_key like 'e\\_%' escape '\\'"
        ).itertuples(index=False)
    )
    assert reasons == {
        "e_conflict": "conflicting_redelivery",
        "e_2100": "timestamp_after_delivery",
        "e_qty_2_7": "invalid_quantity",
        "e_price_19_999": "invalid_price",
    }
    conflict = run.df(
        "select source_file, raw_record from silver.audit_quarantined_rows "
        "where record_key = 'e_conflict'"
    ).iloc[0]
    assert conflict.source_file == f"events/{later.name}" and '"desktop"' in conflict.raw_record
    kept = run.df(
        "select event_id, device, quantity, price, arrived_on from silver.int_events_deduplicated "
        "where event_id in ('e_conflict', 'e_exact', 'e_next_day', 'e_qty_2_0')"
    ).set_index("event_id")
    assert kept.loc["e_conflict", "device"] == "mobile"  # the earliest delivered copy
    assert str(kept.loc["e_exact", "arrived_on"])[:10] == first_day
    assert "e_next_day" in kept.index
    staged = run.df(
        "select quantity, price from silver.stg_demo__events where event_id = 'e_qty_2_0'"
    )
    assert staged.values.tolist() == [[2, 2.5]]
    order_reason = run.df(
        "select reason_code, raw_record from silver.audit_quarantined_rows "
        f"where entity = 'orders' and record_key = '{order['order_id']}'"
    )
    assert order_reason.reason_code.tolist() == ["conflicting_redelivery"]
    assert '"cancelled"' in order_reason.raw_record.iloc[0]
    assert run.scalar("select max(event_date) from silver.int_events_sessionized").year == 2024

    audit = run.df("select * from silver.audit_reconciliation").set_index("entity")
    assert (audit.rows_unaccounted == 0).all()
    assert audit.loc["events", "rows_conflicting"] == 1
    assert audit.loc["orders", "rows_conflicting"] == 1
    assert audit.rows_conflicting.sum() == 2
    assert audit.loc["events", "rows_deduplicated"] >= 1  # e_exact's redelivery among them

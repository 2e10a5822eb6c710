"""Bad landing files get a clear answer: each malformed case either has its bad rows
quarantined with a reason and the file name, or stops the build with an error naming the file
and the problem. Never a silent skip. Every case uses small files the test writes itself."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pytest
from conftest import connect, failures, invoke_dbt, run_dbt
from dbt.cli.main import dbtRunnerResult

from customer_behaviour.generate import generate

SILVER = ["+path:models/silver", "--exclude", "path:models/gold"]


@pytest.fixture(scope="module")
def clean_landing(tmp_path_factory) -> Path:
    """A small, valid landing folder (canonical format) written by the demo generator."""
    out = tmp_path_factory.mktemp("landing_clean")
    generate({"layout": "landing", "out": str(out), "customers": 40, "days": 6, "progress": False})
    return out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("landing_scratch")


@pytest.fixture
def landing(clean_landing, scratch) -> Path:
    """A private copy of the clean landing folder for one test to damage. Always at the same
    path (tests run one at a time), so the tests' dbt runs share one parse of the project."""
    copy = scratch / "landing"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(clean_landing, copy)
    return copy


@pytest.fixture(scope="module")
def clean_build(clean_landing, tmp_path_factory):
    """Silver built once from the clean landing folder."""
    return build_landing(clean_landing, tmp_path_factory.mktemp("landing_clean_build"))


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


def invoke(args: list[str], work: Path, vars: dict) -> dbtRunnerResult:
    """Run dbt in-process against work/wh.duckdb, whatever the outcome."""
    return invoke_dbt(args, work / "wh.duckdb", work, vars)


def failing_run(args: list[str], work: Path, vars: dict) -> str:
    """Run dbt in-process, expect failure, return dbt's error text."""
    result = invoke(args, work, vars)
    assert not result.success, "the build should have stopped"
    if result.result is None:  # stopped before running any node (parsing)
        return str(result.exception)
    return "\n".join(failures(result))


def failing_build(landing: Path, work: Path) -> str:
    """Run the landing file checks, expect failure, return dbt's error text."""
    return failing_run(
        ["run", "--select", "+audit_landing_files"],
        work,
        {"bronze_source": "landing", "landing_path": str(landing)},
    )


def test_clean_landing_folder_builds_and_reconciles(clean_landing, clean_build):
    landing, run = clean_landing, clean_build
    audit = run.df("select * from silver.audit_reconciliation")
    assert (audit.rows_unaccounted == 0).all()
    assert set(audit.source_table) == {f"landing.{t}" for t in audit.entity}
    files = run.df("select * from silver.audit_landing_files")
    assert len(files) == sum(1 for _ in landing.glob("*/*.csv"))
    assert (files.header_lines == 1).all()


FILE_WE_CANNOT_LOAD = pytest.mark.parametrize(
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


@FILE_WE_CANNOT_LOAD
def test_a_file_we_cannot_load_stops_the_build_naming_the_file(
    landing, tmp_path, case, damage, expected
):
    target = first_file(landing, "orders")
    target.write_text(damage(target.read_text()))
    message = failing_build(landing, tmp_path)
    assert f"landing file {target.parent.name}/{target.name}" in message
    assert expected in message


# --------------------------------------------------------------------------------------------
# Bad rows are quarantined: one landing folder holds every case, each in files of its own,
# built once (silver). Each test checks its own files; the reconciliation checks them all.
# --------------------------------------------------------------------------------------------


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Append rows (column -> value, missing columns empty) to a landing CSV file."""
    with path.open(newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([[row.get(column, "") for column in header] for row in rows])


FIRST_DAY, LATER_DAY = "2024-01-02", "2024-01-05"  # the days the planted rows arrive


def plant_future_inexact_and_conflicting_rows(landing: Path) -> dict[str, str]:
    """Plant in events of FIRST_DAY and LATER_DAY: an event dated 2100 and one 23 hours after
    its delivery day (within the 24-hour tolerance); a quantity of 2.7 and a price of 19.999
    (never rounded) beside 2.0 and 2.50 (fine); an event redelivered in a later file with
    other content (the earlier copy wins, the redelivery is quarantined as a conflict) and an
    exact redelivery (deduplicated). And an order of an earlier day delivered again on
    LATER_DAY with another status. Returns that order."""
    first = landing / "events" / f"events_{FIRST_DAY}.csv"
    later = landing / "events" / f"events_{LATER_DAY}.csv"
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
            {**page_view, "event_id": "e_conflict", "event_time": f"{FIRST_DAY}T10:00:00Z",
             "device": "mobile"},
            {**page_view, "event_id": "e_exact", "event_time": f"{FIRST_DAY}T10:05:00Z"},
        ],
    )  # fmt: skip
    append_rows(
        later,
        [
            {**page_view, "event_id": "e_conflict", "event_time": f"{FIRST_DAY}T10:00:00Z",
             "device": "desktop"},
            {**page_view, "event_id": "e_exact", "event_time": f"{FIRST_DAY}T10:05:00Z"},
            {**page_view, "event_id": "e_2100", "event_time": "2100-01-01T00:00:00Z"},
            {**page_view, "event_id": "e_next_day", "event_time": "2024-01-06T23:00:00Z"},
            {**add, "event_id": "e_qty_2_7", "event_time": f"{LATER_DAY}T09:00:00Z",
             "quantity": "2.7", "price": "2.50"},
            {**add, "event_id": "e_price_19_999", "event_time": f"{LATER_DAY}T09:00:00Z",
             "quantity": "1", "price": "19.999"},
            {**add, "event_id": "e_qty_2_0", "event_time": f"{LATER_DAY}T09:00:00Z",
             "quantity": "2.0", "price": "2.50"},
        ],
    )  # fmt: skip
    customers = {
        row["customer_id"]
        for path in (landing / "customers").glob("*.csv")
        for row in csv.DictReader(path.open())
    }
    order, source = next(
        (row, path)
        for path in sorted((landing / "orders").glob("*.csv"))
        if path.name < f"orders_{LATER_DAY}.csv"
        for row in csv.DictReader(path.open())
        if row["status"] == "completed" and row["customer_id"] in customers
    )
    append_rows(landing / "orders" / f"orders_{LATER_DAY}.csv", [{**order, "status": "cancelled"}])
    return {**order, "source_file": source.name}


def cut_off_last_line(target: Path, cut: str) -> int:
    """End the file in a partial last line; returns its line number. The user agent (last
    field) is quoted: cut before it, or in the middle of it."""
    lines = target.read_text().splitlines()
    last = lines[-1]
    end = last.index(',"') if cut == "before_quoted_field" else last.index(',"') + 10
    target.write_text("\n".join(lines) + "\n" + last[:end])
    return len(lines) + 1


def us_style_dates(target: Path) -> int:
    """Rewrite every order date of the file 2024-01-01T10:11:12.000Z -> 01/01/2024 10:11 (a
    US-style export); returns the number of rows."""
    header, *rows = target.read_text().splitlines()
    fixed = []
    for row in rows:
        fields = row.split(",")
        date, time = fields[2][:10], fields[2][11:16]
        fields[2] = f"{date[5:7]}/{date[8:10]}/{date[:4]} {time}"
        fixed.append(",".join(fields))
    target.write_text("\n".join([header, *fixed]) + "\n")
    return len(rows)


CUTS = ["before_quoted_field", "inside_quoted_field"]


@pytest.fixture(scope="module")
def damaged(clean_landing, tmp_path_factory) -> tuple[Path, object, dict]:
    """The clean folder with every quarantine case, each in files no other case touches, and
    silver built once from it: (folder, run, what each case damaged)."""
    work = tmp_path_factory.mktemp("landing_damaged")
    landing = work / "landing"
    shutil.copytree(clean_landing, landing)
    cases: dict = {"order": plant_future_inexact_and_conflicting_rows(landing)}
    used = {
        f"events/events_{FIRST_DAY}.csv",
        f"events/events_{LATER_DAY}.csv",
        f"orders/orders_{LATER_DAY}.csv",
        f"orders/{cases['order']['source_file']}",
    }

    def take(path: Path) -> Path:
        name = f"{path.parent.name}/{path.name}"
        assert name not in used, f"{name} is damaged twice"
        used.add(name)
        return path

    # an invalid UTF-8 line in the first events file
    utf8 = cases["invalid_utf8"] = take(first_file(landing, "events"))
    data = utf8.read_bytes().splitlines(keepends=True)
    data[2] = data[2].replace(b"page_view", b"page_vi\xffew", 1).replace(b"e", b"\xfe", 1)
    utf8.write_bytes(b"".join(data))
    # a header-only file: the first orders file
    header_only = cases["header_only"] = take(first_file(landing, "orders"))
    header_only.write_text(header_only.read_text().splitlines()[0] + "\n")
    # the largest events files left whose last line has a quoted field: a cut-off last line
    by_size = sorted(
        (landing / "events").glob("*.csv"), key=lambda p: p.stat().st_size, reverse=True
    )
    quoted_last = [
        p for p in by_size
        if f"events/{p.name}" not in used and ',"' in p.read_text().splitlines()[-1]
    ]  # fmt: skip
    assert len(quoted_last) >= len(CUTS), "too few events files to cut off"
    for cut, target in zip(CUTS, quoted_last, strict=False):
        cases[cut] = (take(target), cut_off_last_line(target, cut))
    # the largest orders file left: dates in another format
    dates = cases["dates"] = take(
        max(
            (
                p
                for p in sorted((landing / "orders").glob("*.csv"))
                if f"orders/{p.name}" not in used
            ),
            key=lambda p: p.stat().st_size,
        )
    )
    cases["dates_rows"] = us_style_dates(dates)
    return landing, build_landing(landing, work), cases


def quarantined(run, reason: str):
    return run.df(f"select * from silver.audit_quarantined_rows where reason_code = '{reason}'")


@pytest.mark.parametrize("cut", CUTS)
def test_cut_off_last_line_is_quarantined_with_file_and_line(damaged, cut):
    _, run, cases = damaged
    target, line_number = cases[cut]
    rows = run.df(
        "select * from silver.audit_quarantined_rows "
        "where reason_code in ('too_few_fields', 'unterminated_quote')"
    )
    # one row for each cut-off file, none from any other file
    assert sorted(rows.source_file) == sorted(f"events/{cases[c][0].name}" for c in CUTS)
    row = rows[rows.source_file == f"{target.parent.name}/{target.name}"]
    assert f'"line_number":{line_number}' in row.raw_record.iloc[0]
    assert (run.df("select rows_unaccounted from silver.audit_reconciliation").sum() == 0).all()


def test_invalid_utf8_line_is_quarantined_not_dropped(damaged):
    _, run, cases = damaged
    target = cases["invalid_utf8"]
    rows = quarantined(run, "invalid_encoding")
    assert list(rows.source_file) == [f"{target.parent.name}/{target.name}"]
    audit = run.df("select * from silver.audit_reconciliation where entity = 'events'").iloc[0]
    assert audit.rows_unaccounted == 0 and audit.rows_quarantined >= 1


def test_header_only_file_is_accepted_with_zero_rows(damaged):
    _, run, cases = damaged
    target = cases["header_only"]
    files = run.df(
        f"select * from silver.audit_landing_files where source_file = 'orders/{target.name}'"
    )
    assert files.rows_landed.tolist() == [0]


def test_dates_in_another_format_are_quarantined_with_the_file_name(damaged):
    _, run, cases = damaged
    target = cases["dates"]
    rows_q = quarantined(run, "invalid_timestamp")
    rows_q = rows_q[rows_q.source_file == f"orders/{target.name}"]
    assert len(rows_q) == cases["dates_rows"] > 0
    assert (run.df("select rows_unaccounted from silver.audit_reconciliation").sum() == 0).all()


def test_future_inexact_and_conflicting_rows_are_quarantined_with_their_reasons(damaged):
    """The rows plant_future_inexact_and_conflicting_rows planted: each quarantined with its
    reason or kept as it should be; every landed row stays accounted for."""
    landing, run, cases = damaged
    order = cases["order"]
    later = landing / "events" / f"events_{LATER_DAY}.csv"
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
    assert str(kept.loc["e_exact", "arrived_on"])[:10] == FIRST_DAY
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


def test_parquet_landing_gives_the_same_silver_as_csv(clean_landing, clean_build, tmp_path):
    pq = tmp_path / "landing_pq"
    for csv_path in clean_landing.glob("*/*.csv"):
        target = pq / csv_path.parent.name / csv_path.with_suffix(".parquet").name
        target.parent.mkdir(parents=True, exist_ok=True)
        con = connect(tmp_path / "convert.duckdb")
        con.execute(
            f"copy (select * from read_csv('{csv_path}', all_varchar=true, header=true)) "
            f"to '{target}' (format parquet)"
        )
        con.close()
    csv_run = clean_build
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
    result = invoke(
        ["source", "freshness", "--select", "source:landing"],
        work,
        {"bronze_source": "landing", "landing_path": str(landing)},
    )
    # the sources' results (the on-run-end hook is a result too)
    return {r.node.name: str(r.status) for r in result.result if r.node.resource_type == "source"}


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


# --------------------------------------------------------------------------------------------
# Every entry of a table folder is read, ignored on purpose, or named in an error
# --------------------------------------------------------------------------------------------


def data_rows(path: Path) -> int:
    """Data rows of a landing CSV, plain or gzip, header excluded: counted without DuckDB."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def gzip_file(path: Path, name: str) -> Path:
    """Replace a landing file by its gzip-compressed copy named `name`."""
    target = path.with_name(name)
    target.write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()
    return target


IGNORE = ["_SUCCESS", "*.md"]


@pytest.fixture(scope="module")
def mixed_landing(clean_landing, tmp_path_factory) -> tuple[Path, object]:
    """The clean folder with gzip and upper-case CSV files and entries ignored on purpose, at
    a path with a quote, a space, brackets and a star, built once (silver)."""
    work = tmp_path_factory.mktemp("landing_mixed")
    landing = work / "land'ing [x] *dir"
    shutil.copytree(clean_landing, landing)
    events = sorted((landing / "events").glob("*.csv"))
    gzip_file(events[1], events[1].name + ".gz")
    events[2].rename(events[2].with_name(events[2].name.upper()))
    orders = largest_file(landing, "orders")
    gzip_file(orders, orders.name.upper() + ".GZ")
    (landing / "products" / "_SUCCESS").touch()
    (landing / "customers" / "README.md").write_text("delivered by the CRM export\n")
    run = run_dbt(
        ["build", "--select", *SILVER],
        work / "wh.duckdb",
        work,
        vars={
            "bronze_source": "landing",
            "landing_path": str(landing),
            "landing_ignore_patterns": IGNORE,
        },
    )
    return landing, run


def test_compressed_and_upper_case_csv_files_are_read_and_reconciled(mixed_landing):
    landing, run = mixed_landing
    read = [
        p
        for p in landing.glob("*/*")
        if p.name.lower().endswith(".csv") or p.name.lower().endswith(".csv.gz")
    ]
    assert {p.name for p in read} >= {"events_2024-01-02.csv.gz", "EVENTS_2024-01-03.CSV"}
    assert any(p.name.endswith(".CSV.GZ") for p in read)
    files = run.df("select * from silver.audit_landing_files where entry_status = 'read'")
    assert dict(zip(files.source_file, files.rows_landed, strict=True)) == {
        f"{p.parent.name}/{p.name}": data_rows(p) for p in read
    }
    audit = run.df("select * from silver.audit_reconciliation").set_index("entity")
    for table in audit.index:
        assert audit.rows_landed[table] == sum(data_rows(p) for p in read if p.parent.name == table)
    assert (audit.rows_unaccounted == 0).all()


def test_a_landing_path_with_a_quote_space_and_wildcards_is_read_as_itself(mixed_landing):
    landing, run = mixed_landing
    listed = run.df("select source_file from silver.audit_landing_files")
    assert sorted(listed.source_file) == sorted(
        f"{p.parent.name}/{p.name}" for p in landing.glob("*/*")
    )


def test_the_date_in_a_compressed_file_name_is_its_arrival_date(mixed_landing):
    _, run = mixed_landing
    arrived = run.df(
        "select distinct arrived_on from silver.stg_demo__events "
        "where source_file = 'events/events_2024-01-02.csv.gz'"
    )
    assert [str(d)[:10] for d in arrived.arrived_on] == ["2024-01-02"]


def test_entries_matching_an_ignore_pattern_are_listed_as_ignored_not_read(mixed_landing):
    _, run = mixed_landing
    ignored = run.df(
        "select source_file, rows_landed from silver.audit_landing_files "
        "where entry_status = 'ignored' order by source_file"
    )
    assert list(ignored.source_file) == ["customers/README.md", "products/_SUCCESS"]
    assert ignored.rows_landed.isna().all()


def test_an_entry_the_build_does_not_read_stops_it_naming_every_one(landing, tmp_path):
    (landing / "events" / "2024").mkdir()
    shutil.copy(first_file(landing, "events"), landing / "events" / "2024")
    (landing / "events" / "events_2024-01-09.csv").mkdir()  # a folder named like a file
    (landing / "orders" / "readme.txt").write_text("see the wiki\n")
    (landing / "order_lines" / "order_lines_2024-01-02.zip").write_bytes(b"PK\x03\x04")
    (landing / "customers" / ".DS_Store").touch()  # ignored by default
    for path in (landing / "offers").iterdir():
        path.unlink()
    message = failing_build(landing, tmp_path)
    assert "landing entry events/2024: a folder" in message
    assert "landing entry events/events_2024-01-09.csv: a folder" in message
    assert "landing entry orders/readme.txt: not a file the build reads" in message
    assert "landing entry order_lines/order_lines_2024-01-02.zip: not a file" in message
    assert "landing entry offers/: no file to read" in message
    assert "move its files up" in message and "landing_ignore_patterns" in message
    assert ".DS_Store" not in message


# --------------------------------------------------------------------------------------------
# Source adapters: the Online Retail folder follows the same rules
# --------------------------------------------------------------------------------------------

ONLINE_RETAIL_HEADER = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
)


def online_retail_day(day: str, lines: int) -> str:
    """A day file of `lines` invoice lines in the UCI Online Retail layout."""
    return ONLINE_RETAIL_HEADER + "".join(
        f'5{day[-2:]}{i:03d},85123A,"WHITE HANGING HEART, T-LIGHT",{i + 1},{day} 08:26:00,2.55,'
        f"17850.0,United Kingdom\n"
        for i in range(lines)
    )


@pytest.fixture
def online_retail_folder(tmp_path) -> Path:
    folder = tmp_path / "online retail's days"
    folder.mkdir()
    (folder / "2011-01-04.csv").write_text(online_retail_day("2011-01-04", 3))
    (folder / "2011-01-05.csv.gz").write_bytes(
        gzip.compress(online_retail_day("2011-01-05", 4).encode())
    )
    (folder / "2011-01-06.CSV").write_text(online_retail_day("2011-01-06", 2))
    (folder / "2011-01-07 it's; [x] *.csv").write_text(online_retail_day("2011-01-07", 1))
    (folder / ".DS_Store").touch()
    return folder


def test_online_retail_reads_every_csv_and_gzip_file_of_its_folder(online_retail_folder, tmp_path):
    run = run_dbt(
        ["run", "--select", "base_online_retail__invoice_lines"],
        tmp_path / "wh.duckdb",
        tmp_path,
        vars={"source_system": "online_retail", "online_retail_path": str(online_retail_folder)},
    )
    rows = run.df(
        "select source_file, count(*) as n from silver.base_online_retail__invoice_lines "
        "group by all"
    )
    assert dict(zip(rows.source_file, rows.n, strict=True)) == {
        "2011-01-04.csv": 3,
        "2011-01-05.csv.gz": 4,
        "2011-01-06.CSV": 2,
        "2011-01-07 it's; [x] *.csv": 1,
    }


def test_online_retail_folder_with_a_subfolder_or_other_file_stops_naming_it(
    online_retail_folder, tmp_path
):
    subfolder = online_retail_folder / "2011"
    subfolder.mkdir()
    (subfolder / "2011-01-10.csv").write_text(online_retail_day("2011-01-10", 1))
    (online_retail_folder / "notes.txt").write_text("\n")
    message = failing_run(
        ["run", "--select", "base_online_retail__invoice_lines"],
        tmp_path,
        {"source_system": "online_retail", "online_retail_path": str(online_retail_folder)},
    )
    assert "online_retail entry 2011: a folder" in message
    assert "online_retail entry notes.txt: not a file the build reads" in message


@FILE_WE_CANNOT_LOAD
def test_an_online_retail_file_we_cannot_load_stops_the_build_naming_the_file(
    online_retail_folder, tmp_path, case, damage, expected
):
    """The bad-file table holds for every source: the source adapters read through the same
    base-model mechanism (landed_rows) as the landing folder."""
    target = online_retail_folder / "2011-01-04.csv"
    target.write_text(damage(target.read_text()))
    message = failing_run(
        ["run", "--select", "base_online_retail__invoice_lines"],
        tmp_path,
        {"source_system": "online_retail", "online_retail_path": str(online_retail_folder)},
    )
    assert f"online_retail file {target.name}: {expected}" in message
    assert "2011-01-06.CSV" not in message


def test_online_retail_reads_only_the_files_it_has_not_loaded(online_retail_folder, tmp_path):
    """Incremental like every base model: a new day file is read and the loaded ones are not
    read again (a loaded file that went bad afterwards is not even checked)."""
    vars = {"source_system": "online_retail", "online_retail_path": str(online_retail_folder)}
    select = ["run", "--select", "base_online_retail__invoice_lines"]
    run_dbt(select, tmp_path / "wh.duckdb", tmp_path, vars=vars)
    (online_retail_folder / "2011-01-04.csv").write_text("")  # loaded: never read again
    (online_retail_folder / "2011-01-10.csv").write_text(online_retail_day("2011-01-10", 5))
    run = run_dbt(select, tmp_path / "wh.duckdb", tmp_path, vars=vars)
    rows = run.df(
        "select source_file, count(*) as n from silver.base_online_retail__invoice_lines "
        "group by all"
    )
    assert dict(zip(rows.source_file, rows.n, strict=True)) == {
        "2011-01-04.csv": 3,
        "2011-01-05.csv.gz": 4,
        "2011-01-06.CSV": 2,
        "2011-01-07 it's; [x] *.csv": 1,
        "2011-01-10.csv": 5,
    }

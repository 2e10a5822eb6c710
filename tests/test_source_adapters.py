"""Source adapters (models/silver/staging/online_retail, models/silver/staging/rees46).

The silver layer is built on the public files in ../shared/data (skipped when absent) and
checked against figures computed independently with pandas from the raw files, with the
treatments of docs/source_adapters.md re-implemented here. Small hand-written files check what
the public files do not show: a cut-off line in a day file, and a file with the wrong header.
Every source system must give the six canonical staging relations the columns of stg_demo__*.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import SEEDS, DbtRun, run_dbt, shared_data

ENTITIES = ["customers", "products", "offers", "orders", "order_lines", "events"]

# The shared intermediate models' unit tests are source-independent (run on the demo build)
# and some give stg_demo__* as fixtures, which do not exist for another source system.
SHARED_UNIT_TESTS = "test_type:unit,path:models/silver/intermediate"

ONLINE_RETAIL_COLUMNS = [
    "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
    "CustomerID", "Country",
]  # fmt: skip
SHIPPING_CODES = {"POST", "DOT", "C2"}
NON_PRODUCT_CODES = r"M|D|S|B|AMAZONFEE|BANK CHARGES|CRUK|PADS|GIFT_0001_\d+"
REES46_EVENT_TYPES = {
    "view": "product_view",
    "cart": "add_to_cart",
    "remove_from_cart": "remove_from_cart",
    "purchase": "purchase",
}
SESSION_TIMEOUT = pd.Timedelta(minutes=30)


def build_silver(system: str, work: Path, *also: str, **paths: str) -> DbtRun:
    """`dbt build` of silver (staging, intermediate, audit, with their tests) for one system,
    and of the models (with their parents) named in `also`."""
    return run_dbt(
        [
            "build", "-s", "+path:models/silver", *(f"+{model}" for model in also),
            "--indirect-selection", "cautious", "--exclude", SHARED_UNIT_TESTS,
        ],
        work / "warehouse.duckdb",
        work,
        vars={"source_system": system, **paths},
    )  # fmt: skip


def columns_of(run: DbtRun, model: str) -> dict[str, str]:
    rows = run.df(
        "select column_name, data_type from information_schema.columns "
        f"where table_schema = 'silver' and table_name = '{model}'"
    )
    return dict(zip(rows["column_name"], rows["data_type"], strict=True))


def reconciliation(run: DbtRun) -> pd.DataFrame:
    return run.df("select * from silver.audit_reconciliation").set_index("entity")


# --- the canonical contract ----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_staging_columns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Columns and types of stg_demo__*, built on empty bronze tables (no seeding needed)."""
    work = tmp_path_factory.mktemp("demo_staging")
    db_path = work / "warehouse.duckdb"
    con = duckdb.connect(str(db_path))
    con.execute("create schema bronze")
    for seed in sorted(SEEDS.glob("raw_*.csv")):
        header = seed.open(encoding="utf-8").readline().strip().split(",")
        con.execute(
            f"create table bronze.{seed.stem} ({', '.join(f'{c} varchar' for c in header)})"
        )
    con.close()
    run = run_dbt(
        ["run", "-s", "path:models/silver/staging/demo"],
        db_path,
        work,
        vars={"source_system": "demo", "bronze_source": "seeds"},
    )
    return {entity: columns_of(run, f"stg_demo__{entity}") for entity in ENTITIES}


def assert_canonical_columns(run: DbtRun, system: str, demo: dict[str, dict[str, str]]) -> None:
    for entity in ENTITIES:
        assert columns_of(run, f"stg_{system}__{entity}") == demo[entity], entity


# --- Online Retail on the shared files ------------------------------------------------------


@pytest.fixture(scope="module")
def online_retail_folder() -> Path:
    return shared_data("online_retail", "by-day")


@pytest.fixture(scope="module")
def online_retail(online_retail_folder, tmp_path_factory) -> DbtRun:
    work = tmp_path_factory.mktemp("online_retail")
    return build_silver(
        "online_retail",
        work,
        "dim_customers",
        "dim_products",
        "mart_concentration_summary",
        online_retail_path=str(online_retail_folder),
    )


@pytest.fixture(scope="module")
def online_retail_lines(online_retail_folder) -> pd.DataFrame:
    """Every invoice line of the day files, with the adapter's treatments computed in pandas."""
    df = pd.concat(
        [
            pd.read_csv(path, dtype=str, keep_default_na=False)
            for path in sorted(online_retail_folder.glob("*.csv"))
        ],
        ignore_index=True,
    )
    code = df["StockCode"].str.strip().str.upper()
    quantity = pd.to_numeric(df["Quantity"], errors="coerce")
    price = pd.to_numeric(df["UnitPrice"], errors="coerce").round(2)
    cancellation = df["InvoiceNo"].str.strip().str.upper().str.startswith("C")
    customer = df["CustomerID"].str.strip().str.replace(r"\.0*$", "", regex=True)
    is_product_line = (
        ~code.isin(SHIPPING_CODES)
        & ~code.str.fullmatch(NON_PRODUCT_CODES)
        & (code != "")
        & quantity.notna()
        & (quantity != 0)
        & ((quantity < 0) == cancellation)
        & (price > 0)
    )
    return df.assign(
        customer=customer,
        is_cancellation=cancellation,
        is_product_line=is_product_line,
        is_usable=is_product_line & (customer != ""),
        amount=quantity.abs() * price,
    )


@pytest.mark.slow
def test_online_retail_staging_has_the_canonical_columns(online_retail, demo_staging_columns):
    assert_canonical_columns(online_retail, "online_retail", demo_staging_columns)


@pytest.mark.slow
def test_online_retail_reconciles_every_invoice_line(online_retail, online_retail_lines):
    audit = reconciliation(online_retail)
    assert (audit["rows_unaccounted"] == 0).all(), audit
    lines = audit.loc["order_lines"]
    assert lines["source_table"] == "online_retail.invoice_lines"
    assert lines["rows_landed"] == len(online_retail_lines)
    usable = online_retail_lines[online_retail_lines["is_usable"]]
    kept = usable.drop_duplicates(subset=ONLINE_RETAIL_COLUMNS)
    assert lines["rows_kept"] == len(kept)
    assert lines["rows_deduplicated"] == len(usable) - len(kept) > 0
    assert lines["rows_quarantined"] == len(online_retail_lines) - len(usable)


@pytest.mark.slow
def test_online_retail_quarantines_guest_lines_and_non_products(online_retail, online_retail_lines):
    reasons = online_retail.df(
        "select reason_code, count(*) as n from silver.audit_quarantined_rows "
        "where entity = 'order_lines' group by all"
    ).set_index("reason_code")["n"]
    df = online_retail_lines
    guest = df["is_product_line"] & (df["customer"] == "")
    assert reasons["missing_customer_id"] == guest.sum()
    shipping = df["StockCode"].str.strip().str.upper().isin(SHIPPING_CODES)
    assert reasons["shipping_line"] == shipping.sum()
    stock_written_off = (pd.to_numeric(df["Quantity"]) < 0) & ~df["is_cancellation"]
    assert reasons["stock_adjustment_line"] == stock_written_off.sum() > 0


@pytest.mark.slow
def test_online_retail_customers_invoices_and_revenue_match_pandas(
    online_retail, online_retail_lines
):
    df = online_retail_lines
    kept = df[df["is_usable"]].drop_duplicates(subset=ONLINE_RETAIL_COLUMNS)
    completed = kept[~kept["is_cancellation"]]
    credit_notes = kept[kept["is_cancellation"]]

    customers = online_retail.scalar("select count(*) from silver.int_customers_deduplicated")
    assert customers == df.loc[df["customer"] != "", "customer"].nunique()

    orders = online_retail.df(
        "select order_status, count(*) as orders, sum(subtotal_amount)::double as revenue "
        "from silver.int_orders_deduplicated group by all"
    ).set_index("order_status")
    assert orders.loc["completed", "orders"] == completed["InvoiceNo"].nunique()
    assert orders.loc["credit_note", "orders"] == credit_notes["InvoiceNo"].nunique()
    assert orders.loc["completed", "revenue"] == pytest.approx(completed["amount"].sum(), abs=0.01)
    assert orders.loc["credit_note", "revenue"] == pytest.approx(
        credit_notes["amount"].sum(), abs=0.01
    )


@pytest.mark.slow
def test_online_retail_net_revenue_subtracts_credit_notes_per_customer_and_product(
    online_retail, online_retail_lines
):
    """Net = sales - credit notes (C invoices), per customer and per product, recomputed from
    the raw day files; gross and cancelled/returned add up to it in every mart that shows
    revenue. No link from a credit note to its invoice is needed: it names the customer and
    the stock code."""
    df = online_retail_lines
    kept = df[df["is_usable"]].drop_duplicates(subset=ONLINE_RETAIL_COLUMNS)
    kept = kept.assign(
        product=kept["StockCode"].str.strip().str.upper(),
        gross=kept["amount"].where(~kept["is_cancellation"], 0.0),
        credited=kept["amount"].where(kept["is_cancellation"], 0.0),
    )
    kept = kept.assign(net=kept["gross"] - kept["credited"])
    for key, model, prefix, suffix in [
        ("customer", "dim_customers", "lifetime_", "_spend"),
        ("product", "dim_products", "", "_revenue"),
    ]:
        id_column = f"{key}_id"
        expected = kept.groupby(key)[["gross", "credited", "net"]].sum()
        got = online_retail.df(
            f"select {id_column}, {prefix}gross{suffix}::double as gross, "
            f"{prefix}cancelled_returned{suffix}::double as credited, "
            f"{prefix}net{suffix}::double as net from gold.{model}"
        ).set_index(id_column)
        got = got.loc[got.index.isin(expected.index)]
        assert len(got) == len(expected), model
        diff = (got[["gross", "credited", "net"]] - expected.loc[got.index]).abs().max()
        assert (diff < 0.01).all(), (model, diff)
    net = kept.groupby("customer")["net"].sum()
    assert (net < 0).sum() > 0 and kept["credited"].sum() > 100_000  # the data has both
    summary = online_retail.df(
        "select total_gross_revenue::double as gross, "
        "total_cancelled_returned_revenue::double as credited, "
        "total_net_revenue::double as net, negative_net_entity_count as negatives "
        "from gold.mart_concentration_summary where dimension = 'customer'"
    ).iloc[0]
    assert summary["gross"] == pytest.approx(kept["gross"].sum(), abs=0.01)
    assert summary["credited"] == pytest.approx(kept["credited"].sum(), abs=0.01)
    assert summary["net"] == pytest.approx(net.sum(), abs=0.01)
    assert summary["negatives"] == (net < 0).sum()


# --- REES46 on the shared file ---------------------------------------------------------------


@pytest.fixture(scope="module")
def rees46_file() -> Path:
    return shared_data("rees46", "2019-Oct-sample.csv")


@pytest.fixture(scope="module")
def rees46(rees46_file, tmp_path_factory) -> DbtRun:
    work = tmp_path_factory.mktemp("rees46")
    return build_silver("rees46", work, rees46_path=str(rees46_file))


@pytest.fixture(scope="module")
def rees46_raw(rees46_file) -> tuple[list[str], list[list[str]], list[tuple[int, list[str]]]]:
    """(header, rows with every field, (line number, fields) of rows without) from the bytes."""
    text = rees46_file.read_bytes().decode("utf-8")
    assert "\r\n" in text, "the public sample has Windows line endings"
    records = list(csv.reader(io.StringIO(text, newline="")))
    header, body = records[0], records[1:]
    good = [r for r in body if len(r) == len(header)]
    bad = [(n, r) for n, r in enumerate(body, start=2) if len(r) != len(header)]
    return header, good, bad


@pytest.fixture(scope="module")
def rees46_events(rees46_raw) -> pd.DataFrame:
    """Usable events as the adapter keeps them, in pandas: exact duplicates once, price > 0."""
    header, good, _ = rees46_raw
    df = pd.DataFrame(good, columns=header).drop_duplicates()
    df = df[pd.to_numeric(df["price"]) > 0].copy()
    df["event_type"] = df["event_type"].map(REES46_EVENT_TYPES)
    df["event_at"] = pd.to_datetime(df["event_time"].str.removesuffix(" UTC"))
    df["price"] = pd.to_numeric(df["price"])
    return df


@pytest.mark.slow
def test_rees46_staging_has_the_canonical_columns(rees46, demo_staging_columns):
    assert_canonical_columns(rees46, "rees46", demo_staging_columns)


@pytest.mark.slow
def test_rees46_reconciles_and_quarantines_the_cut_off_line(rees46, rees46_raw, rees46_file):
    _, good, bad = rees46_raw
    assert len(bad) == 1, "the public sample ends in one cut-off line"
    line_number, fields = bad[0]

    audit = reconciliation(rees46)
    assert (audit["rows_unaccounted"] == 0).all(), audit
    assert audit.loc["events", "rows_landed"] == len(good) + 1

    cut_off = rees46.df(
        "select source_file, quarantine_reason, raw_record->>'csv_line' as csv_line, "
        "cast(raw_record->>'line_number' as integer) as line_number "
        "from silver.stg_rees46__events where quarantine_reason = 'too_few_fields'"
    )
    assert len(cut_off) == 1
    assert cut_off.loc[0, "line_number"] == line_number
    assert cut_off.loc[0, "csv_line"] == ",".join(fields)
    assert Path(cut_off.loc[0, "source_file"]).name == rees46_file.name
    quarantined = rees46.scalar(
        "select count(*) from silver.audit_quarantined_rows where reason_code = 'too_few_fields'"
    )
    assert quarantined == 1


@pytest.mark.slow
def test_rees46_funnel_counts_by_event_type_match_pandas(rees46, rees46_events):
    silver = rees46.df(
        "select event_type, count(*) as n from silver.int_events_sessionized group by all"
    ).set_index("event_type")["n"]
    expected = rees46_events["event_type"].value_counts()
    assert silver.sort_index().to_dict() == expected.sort_index().to_dict()


@pytest.mark.slow
def test_rees46_customers_orders_and_revenue_match_pandas(rees46, rees46_raw, rees46_events):
    header, good, _ = rees46_raw
    customers = rees46.scalar("select count(*) from silver.int_customers_deduplicated")
    assert customers == pd.DataFrame(good, columns=header)["user_id"].nunique()

    purchases = rees46_events[rees46_events["event_type"] == "purchase"]
    orders = rees46.df(
        "select count(*) as orders, sum(subtotal_amount)::double as revenue, "
        "(select sum(quantity) from silver.int_order_lines_deduplicated) as units "
        "from silver.int_orders_deduplicated"
    ).iloc[0]
    assert orders["orders"] == len(purchases.groupby(["user_id", "user_session"]))
    assert orders["units"] == len(purchases)
    assert orders["revenue"] == pytest.approx(purchases["price"].sum(), abs=0.01)


@pytest.mark.slow
def test_rees46_sessions_follow_our_rule_and_keep_the_store_session(rees46, rees46_events):
    """Our sessions are a 30-minute-gap cut per user; the store's user_session stays beside it
    in raw_record, so the two can be compared (docs/source_adapters.md)."""
    ev = rees46_events.sort_values(["user_id", "event_at"])
    gap = ev.groupby("user_id")["event_at"].diff()
    ours = rees46.scalar("select count(distinct session_id) from silver.int_events_sessionized")
    assert ours == int((gap.isna() | (gap > SESSION_TIMEOUT)).sum())

    store = rees46.scalar(
        "select count(distinct staged.raw_record->>'user_session') "
        "from silver.int_events_sessionized as kept "
        "inner join silver.stg_rees46__events as staged "
        "on kept.source_row_id = staged.source_row_id"
    )
    assert store == rees46_events["user_session"].nunique()


# --- hand-written files: what the public files do not show --------------------------------


HEADER = ",".join(ONLINE_RETAIL_COLUMNS)
FIRST_LINE = "536365,85123A,WHITE HEART T-LIGHT,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
DAY_ONE = (
    f"{HEADER}\n{FIRST_LINE}{FIRST_LINE}"  # an exact duplicate
    "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom\n"
)
CUT_OFF_LINE = "536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,130"
DAY_TWO = (
    f"{HEADER}\n536370,22728,ALARM CLOCK BAKELIKE PINK,24,2010-12-02 08:45:00,3.75,12583.0,France\n"
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("online_retail_scratch")


@pytest.fixture
def by_day(scratch: Path) -> Path:
    """An empty Online Retail folder for one test, always at the same path (tests run one at
    a time), so the tests' dbt runs share one parse of the project."""
    folder = scratch / "by-day"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def test_online_retail_cut_off_line_is_quarantined_with_file_and_line(by_day, tmp_path):
    folder = by_day
    (folder / "2010-12-01.csv").write_text(DAY_ONE + CUT_OFF_LINE)  # no newline at the end
    (folder / "2010-12-02.csv").write_text(DAY_TWO)
    run = run_dbt(
        ["run", "-s", "+stg_online_retail__order_lines"],
        tmp_path / "warehouse.duckdb",
        tmp_path,
        vars={"source_system": "online_retail", "online_retail_path": str(folder)},
    )
    lines = run.df(
        "select source_file, quarantine_reason, order_id, line_number, "
        "raw_record->>'csv_line' as csv_line, "
        "cast(raw_record->>'line_number' as integer) as file_line "
        "from silver.stg_online_retail__order_lines"
    )
    assert len(lines) == 5  # 3 + 1 data lines, headers dropped, the cut-off line kept
    rejected = lines[lines["quarantine_reason"].notna()].reset_index()
    assert len(rejected) == 1
    assert rejected.loc[0, "quarantine_reason"] == "too_few_fields"
    assert Path(rejected.loc[0, "source_file"]).name == "2010-12-01.csv"
    assert rejected.loc[0, "file_line"] == 5
    assert rejected.loc[0, "csv_line"] == CUT_OFF_LINE
    # The exact duplicate shares its order line's number, so silver keeps it once.
    kept = lines[lines["quarantine_reason"].isna()]
    assert len(kept) == 4
    assert len(kept.drop_duplicates(["order_id", "line_number"])) == 3


def test_online_retail_files_with_another_header_stop_the_build_naming_them(by_day, tmp_path):
    """Another delimiter in the FIRST file of the glob would make DuckDB's sniffer read every
    file as one column; a renamed column reads fine but is not our data. Both stop the build."""
    folder = by_day
    (folder / "2010-12-01.csv").write_text(DAY_ONE.replace(HEADER, HEADER.replace(",", ";")))
    (folder / "2010-12-02.csv").write_text(DAY_TWO.replace("InvoiceNo", "Invoice"))
    (folder / "2010-12-03.csv").write_text(DAY_TWO)
    with pytest.raises(AssertionError) as failure:
        run_dbt(
            ["run", "-s", "base_online_retail__invoice_lines"],
            tmp_path / "warehouse.duckdb",
            tmp_path,
            vars={"source_system": "online_retail", "online_retail_path": str(folder)},
        )
    message = str(failure.value)
    assert re.search(r"online_retail file \S*2010-12-01\.csv: no header line", message)
    assert re.search(r"online_retail file \S*2010-12-02\.csv: no header line", message)
    assert "2010-12-03.csv" not in message

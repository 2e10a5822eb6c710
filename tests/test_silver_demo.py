"""The silver layer on the built-in demo data, checked against figures computed independently
in pandas from the bronze CSVs (not from dbt's output)."""

from __future__ import annotations

import pandas as pd
import pytest

EVENT_TYPES = {
    "page_view", "product_view", "add_to_cart", "remove_from_cart", "begin_checkout",
    "purchase", "login", "search", "offer_impression", "offer_click",
}  # fmt: skip
PRODUCT_EVENTS = {"product_view", "add_to_cart", "remove_from_cart"}
SESSION_TIMEOUT = pd.Timedelta(minutes=30)


def parse_utc(text: pd.Series) -> pd.Series:
    """Every timestamp form silver accepts -> naive UTC; anything else -> NaT."""
    t = text.str.strip()
    out = pd.to_datetime(t, utc=True, format="ISO8601", errors="coerce")
    slashes = pd.to_datetime(t, utc=True, format="%Y/%m/%d %H:%M:%S", errors="coerce")
    digits = t.str.fullmatch(r"\d{13}|\d{10}", na=False)
    epoch = pd.Series(pd.NaT, index=t.index, dtype="datetime64[ns, UTC]")
    ms = t.where(digits).astype("Float64")
    epoch[digits] = pd.to_datetime(
        ms[digits].where(t[digits].str.len() == 13, ms[digits] * 1000), unit="ms", utc=True
    )
    return out.fillna(slashes).where(~digits, epoch).dt.tz_localize(None)


def clean_enum(text: pd.Series) -> pd.Series:
    return text.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)


def usable_ids(df: pd.DataFrame, key: str, ok: pd.Series) -> set[str]:
    return set(df.loc[ok & df[key].notna(), key].str.strip())


def kept_events(bronze: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Silver's event rules, re-implemented in pandas from the raw CSVs."""
    customers, products, offers = bronze["customers"], bronze["products"], bronze["offers"]
    customer_ids = usable_ids(customers, "customer_id", parse_utc(customers["signup_time"]).notna())
    product_ids = usable_ids(
        products, "product_id", pd.to_numeric(products["list_price"], errors="coerce") > 0
    )
    offer_ids = set(offers["offer_id"].dropna().str.strip())  # demo offers are all valid

    ev = bronze["events"].copy()
    ev["event_at"] = parse_utc(ev["event_time"].fillna(""))
    ev["event_type"] = clean_enum(ev["event_type"])
    price = pd.to_numeric(ev["price"], errors="coerce")
    quantity = pd.to_numeric(ev["quantity"], errors="coerce")
    ok = (
        ev["event_id"].notna()
        & ev["visitor_id"].notna()
        & ev["event_at"].notna()
        & ev["event_type"].isin(EVENT_TYPES)
        & ~(ev["price"].notna() & ~(price > 0))
        & ~(ev["quantity"].notna() & ~(quantity > 0))
        & ~(ev["event_type"].isin(PRODUCT_EVENTS) & ev["product_id"].isna())
        & (ev["customer_id"].isna() | ev["customer_id"].str.strip().isin(customer_ids))
        & (ev["product_id"].isna() | ev["product_id"].str.strip().isin(product_ids))
        & (ev["offer_id"].isna() | ev["offer_id"].str.strip().isin(offer_ids))
    )
    valid = ev[ok]
    return valid.sort_values(["event_id", "event_at"]).drop_duplicates("event_id")


def count_sessions(events: pd.DataFrame) -> int:
    ev = events.sort_values(["visitor_id", "event_at", "event_id"])
    gap = ev.groupby("visitor_id")["event_at"].diff()
    return int((gap.isna() | (gap > SESSION_TIMEOUT)).sum())


@pytest.mark.slow
def test_reconciliation_accounts_for_every_landed_row(demo_warehouse, bronze):
    audit = demo_warehouse.df("select * from silver.audit_reconciliation").set_index("source_table")
    assert set(audit.index) == {f"raw_{t}" for t in bronze}
    for table, raw in bronze.items():
        row = audit.loc[f"raw_{table}"]
        assert row.rows_landed == len(raw), table
        assert row.rows_unaccounted == 0, table
        assert row.rows_kept + row.rows_deduplicated + row.rows_quarantined == len(raw), table
    # The demo data has defects in every fact table: silver must have found some.
    for table in ("events", "orders", "order_lines"):
        assert audit.loc[f"raw_{table}"].rows_quarantined > 0, table
    assert audit.loc["raw_events"].rows_deduplicated > 0
    assert audit.loc["raw_events"].rows_bot_flagged > 0


@pytest.mark.slow
def test_kept_events_and_sessions_match_an_independent_pandas_computation(demo_warehouse, bronze):
    expected = kept_events(bronze)
    silver = demo_warehouse.df(
        "select count(*) as events, count(distinct session_id) as sessions "
        "from silver.int_events_sessionized"
    ).iloc[0]
    assert silver.events == len(expected)
    assert silver.sessions == count_sessions(expected)


@pytest.mark.slow
def test_distinct_customers_match_pandas(demo_warehouse, bronze):
    customers = bronze["customers"]
    ok = parse_utc(customers["signup_time"].fillna("")).notna()
    expected = customers.loc[ok & customers["customer_id"].notna(), "customer_id"].nunique()
    assert (
        demo_warehouse.scalar("select count(*) from silver.int_customers_deduplicated") == expected
    )


@pytest.mark.slow
def test_every_quarantined_row_names_table_reason_and_raw_values(demo_warehouse):
    q = demo_warehouse.df("select * from silver.audit_quarantined_rows")
    assert q["reason_code"].notna().all() and q["raw_record"].notna().all()
    reasons = set(q["reason_code"])
    # Each documented event defect of the demo data lands under its own reason.
    for reason in (
        "invalid_timestamp",
        "missing_event_type",
        "invalid_price",
        "unknown_product",
        "unknown_customer",
    ):
        assert reason in reasons, reason


@pytest.mark.slow
def test_stitching_gives_anonymous_events_to_the_customer_who_logs_in_later(demo_warehouse):
    stitched = demo_warehouse.df(
        """
        select count(*) as n
        from silver.int_events_sessionized as e
        where e.is_stitched
          and e.event_at < (
              select min(l.event_at) from silver.int_events_sessionized as l
              where l.visitor_id = e.visitor_id and l.logged_in_customer_id = e.customer_id
          )
        """
    ).n.iloc[0]
    assert stitched > 0


@pytest.mark.slow
def test_rebuild_gives_byte_for_byte_identical_tables(demo_warehouse, tmp_path):
    from conftest import run_dbt, table_fingerprints

    again = run_dbt(
        ["build", "--full-refresh", "--exclude", "test_type:data", "test_type:unit"],
        tmp_path / "warehouse.duckdb",  # named as the demo's: the same parse serves both
        tmp_path,
    )
    first, second = table_fingerprints(demo_warehouse), table_fingerprints(again)
    assert len(first) >= 15
    assert first == second


@pytest.mark.slow
def test_an_event_dated_2100_in_the_seeds_is_quarantined_and_as_of_date_stays(bronze, tmp_path):
    """The seeds have no delivery date: the latest plausible day is derived from the data (the
    day by which 99.9% of the events had happened, plus the tolerance), never the wall clock.
    One event dated 2100 is quarantined as timestamp_after_delivery; the as-of date every mart
    uses stays the seeds' last event day (it used to jump to 2100)."""
    from conftest import connect, run_dbt

    db_path = tmp_path / "warehouse.duckdb"
    run_dbt(["seed"], db_path, tmp_path)
    con = connect(db_path)
    con.execute(
        "insert into bronze.raw_events (event_id, event_time, visitor_id, event_type, page_path) "
        "values ('e_2100', '2100-01-01T00:00:00.000Z', 'v_2100', 'page_view', '/')"
    )
    con.close()
    silver = ["--select", "+path:models/silver", "--exclude", "resource_type:seed"]
    run = run_dbt(["build", *silver, "--indirect-selection", "cautious"], db_path, tmp_path)
    quarantined = run.df(
        "select reason_code from silver.audit_quarantined_rows where record_key = 'e_2100'"
    )
    assert quarantined.reason_code.tolist() == ["timestamp_after_delivery"]
    audit = run.df("select * from silver.audit_reconciliation where entity = 'events'").iloc[0]
    assert audit.rows_landed == len(bronze["events"]) + 1 and audit.rows_unaccounted == 0

    last_seed_day = parse_utc(bronze["events"]["event_time"].fillna("")).max().date()
    shown = run_dbt(["show", "--inline", "select {{ as_of_date() }} as d"], db_path, tmp_path)
    as_of_date = next(iter(shown.result.result)).agate_table.rows[0][0]
    assert as_of_date == last_seed_day

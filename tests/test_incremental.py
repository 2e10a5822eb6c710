"""The core guarantee of incremental builds: loading the landing days one at a time gives
exactly the same tables as one full refresh over all days, with late, too-late and redelivered
(duplicate) events in the files, a file landing out of date order, and a customer row landing
after its events."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from conftest import run_dbt, table_fingerprints

from customer_behaviour.generate import generate

DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
INCREMENTAL_DAYS = 3


def day_of(path: Path) -> str | None:
    match = DATE.search(path.name)
    return match.group(1) if match else None


def inject_late_and_duplicate_events(landing: Path) -> None:
    """Append to the last day's events file: a redelivered copy of an event from the day
    before (a cross-file duplicate), two events re-sent under new ids with timestamps 2 days
    (within the lookback) and 10 days (beyond it) before the delivery day, an event of the day
    before redelivered with other content (a conflict: the first copy wins) and an event dated
    2100 (after its delivery)."""
    files = sorted((landing / "events").glob("*.csv"))
    previous, last = files[-2], files[-1]
    rows = previous.read_text().splitlines()[1:4]
    late_day = day_of(last)
    redelivered = rows[0]
    late = rows[1].replace(rows[1].split(",")[0], "e_late_within_lookback", 1)
    too_late = rows[2].replace(rows[2].split(",")[0], "e_late_beyond_lookback", 1)
    # Move the two re-sent events' timestamps to 2 and 10 days before the delivery day.
    import datetime as dt

    delivery = dt.date.fromisoformat(late_day)
    late = re.sub(r"\d{4}-\d{2}-\d{2}T", f"{delivery - dt.timedelta(days=2)}T", late, count=1)
    too_late = re.sub(
        r"\d{4}-\d{2}-\d{2}T", f"{delivery - dt.timedelta(days=10)}T", too_late, count=1
    )
    with last.open("a") as handle:
        handle.write("\n".join([redelivered, late, too_late]) + "\n")

    header, _ = read_rows(last)
    column = {name: i for i, name in enumerate(header)}

    def page_view(event_id: str, event_time: str, device: str) -> list[str]:
        row = [""] * len(header)
        for name, value in {
            "event_id": event_id, "event_time": event_time, "visitor_id": "v_planted",
            "event_type": "page_view", "page_path": "/", "device": device,
        }.items():  # fmt: skip
            row[column[name]] = value
        return row

    previous_day = day_of(previous)
    original = page_view("e_conflicting", f"{previous_day}T10:00:00Z", "mobile")
    write_rows(previous, header, [*read_rows(previous)[1], original])
    conflicting = page_view("e_conflicting", f"{previous_day}T10:00:00Z", "desktop")
    future = page_view("e_dated_2100", "2100-01-01T00:00:00Z", "mobile")
    write_rows(last, header, [*read_rows(last)[1], conflicting, future])


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def inject_changes_to_built_sessions(landing: Path) -> dict[str, str]:
    """Make the last day change sessions built on earlier days in three ways an incremental
    fct_sessions must follow:
      - late order: a completed order and its lines move from an earlier day to the last day's
        files (its purchase event landed two or more days before the order, so the session's
        revenue appears later; the customer has no events since, so only the order can
        re-open the session);
      - new bot: a visitor with sessions on earlier days sends 31 events in one minute on the
        last day (more than the bot threshold: every session of the visitor must go);
      - login: an anonymous visitor of the day before logs in on the last day, so the earlier
        events are re-attributed to the customer (stitching).
    Returns the ids involved."""
    days = sorted(
        {day_of(p) for p in (landing / "events").glob("*.csv")}
        & {day_of(p) for p in (landing / "orders").glob("*.csv")}
    )
    previous, last = days[-2:]

    events_header, previous_events = read_rows(landing / "events" / f"events_{previous}.csv")
    _, last_events = read_rows(landing / "events" / f"events_{last}.csv")
    column = {name: i for i, name in enumerate(events_header)}
    recent_customers = {row[column["customer_id"]] for row in [*previous_events, *last_events]}
    purchase_customers = {
        row[column["order_id"]]: row[column["customer_id"]]
        for path in (landing / "events").glob("*.csv")
        for row in read_rows(path)[1]
        if row[column["event_type"]] == "purchase"
    }

    _, last_orders = read_rows(landing / "orders" / f"orders_{last}.csv")
    for earlier in reversed(days[:-2]):  # the latest day with a suitable order
        orders_header, earlier_orders = read_rows(landing / "orders" / f"orders_{earlier}.csv")
        status, customer = orders_header.index("status"), orders_header.index("customer_id")
        suitable = [
            row
            for row in earlier_orders
            if row[status] == "completed"
            and row[customer] not in recent_customers
            and purchase_customers.get(row[0]) == row[customer]  # a clean purchase event
        ]
        if suitable:
            moved = suitable[0]
            break
    order_id = moved[0]
    write_rows(
        landing / "orders" / f"orders_{earlier}.csv",
        orders_header,
        [row for row in earlier_orders if row is not moved],
    )
    write_rows(landing / "orders" / f"orders_{last}.csv", orders_header, [*last_orders, moved])
    lines_header, earlier_lines = read_rows(landing / "order_lines" / f"order_lines_{earlier}.csv")
    _, last_lines = read_rows(landing / "order_lines" / f"order_lines_{last}.csv")
    write_rows(
        landing / "order_lines" / f"order_lines_{earlier}.csv",
        lines_header,
        [row for row in earlier_lines if row[0] != order_id],
    )
    write_rows(
        landing / "order_lines" / f"order_lines_{last}.csv",
        lines_header,
        [*last_lines, *(row for row in earlier_lines if row[0] == order_id)],
    )

    page_views = [row for row in previous_events if row[column["event_type"]] == "page_view"]
    bot_template = next(row for row in page_views if row[column["customer_id"]])
    bot_visitor = bot_template[column["visitor_id"]]
    anonymous = next(
        row
        for row in page_views
        if not row[column["customer_id"]] and row[column["visitor_id"]] != bot_visitor
    )
    login_visitor = anonymous[column["visitor_id"]]
    customer_id = bot_template[column["customer_id"]]
    added = []
    for i in range(31):
        row = list(bot_template)
        row[column["event_id"]] = f"e_new_bot_{i:02d}"
        row[column["event_time"]] = f"{last}T12:00:{i:02d}.000Z"
        added.append(row)
    login = list(anonymous)
    login[column["event_id"]] = "e_login_next_day"
    login[column["event_time"]] = f"{last}T08:00:00.000Z"
    login[column["customer_id"]] = customer_id
    added.append(login)
    write_rows(landing / "events" / f"events_{last}.csv", events_header, [*last_events, *added])
    return {
        "order_id": order_id,
        "bot_visitor": bot_visitor,
        "login_visitor": login_visitor,
        "customer_id": customer_id,
    }


def land_customer_after_events(landing: Path, first_daily_day: str) -> str:
    """Move the row of a customer with events on the first day of the day-by-day load and
    earlier to the last day's customers file: until then its events (and orders) are
    quarantined as unknown_customer; the run that lands the row must carry them to gold,
    although they were delivered days before the newest events gold has seen. Returns the id."""
    header, _ = read_rows(next((landing / "events").glob("*.csv")))
    column = {name: i for i, name in enumerate(header)}
    customers_with_events = sorted(
        {
            row[column["customer_id"]]
            for path in (landing / "events").glob("*.csv")
            if day_of(path) <= first_daily_day
            for row in read_rows(path)[1]
            if row[column["customer_id"]]
        }
    )
    last = max(day_of(p) for p in (landing / "events").glob("*.csv"))
    target = landing / "customers" / f"customers_{last}.csv"
    for path in sorted((landing / "customers").glob("*.csv")):
        header, rows = read_rows(path)
        moved = [row for row in rows if row[0] in customers_with_events]
        if moved and path != target:
            customer = moved[0]
            write_rows(path, header, [row for row in rows if row is not customer])
            existing = read_rows(target)[1] if target.exists() else []
            write_rows(target, header, [*existing, customer])
            return customer[0]
    raise AssertionError("no customer with events to land late")


def copy_days_until(
    source: Path, target: Path, last_day: str, held_back: Path | None = None
) -> None:
    """Land every file dated up to last_day (and the undated ones), except held_back."""
    for path in source.glob("*/*.csv"):
        day = day_of(path)
        if path == held_back:
            continue
        if day is None or day <= last_day:
            (target / path.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target / path.parent.name / path.name)


@pytest.mark.slow
def test_day_by_day_load_equals_full_refresh(tmp_path):
    everything = tmp_path / "all_days"
    generate(
        {"layout": "landing", "out": str(everything), "customers": 150, "days": 14,
         "progress": False}
    )  # fmt: skip
    inject_late_and_duplicate_events(everything)
    changed = inject_changes_to_built_sessions(everything)
    days = sorted({day_of(p) for p in everything.glob("events/*.csv")})
    daily_days = days[-(INCREMENTAL_DAYS + 1) :]
    late_customer = land_customer_after_events(everything, daily_days[0])
    # Out of date order: the events file of the second daily day lands only with the last day.
    held_back = everything / "events" / f"events_{daily_days[1]}.csv"
    vars_ = {"bronze_source": "landing"}
    exclude = ["--exclude-resource-type", "test", "unit_test"]

    full = run_dbt(
        ["build", "--full-refresh", *exclude],
        tmp_path / "full.duckdb",
        tmp_path / "full",
        vars={**vars_, "landing_path": str(everything)},
    )

    daily_folder = tmp_path / "daily_landing"
    for i, day in enumerate(daily_days):
        is_last = i == len(daily_days) - 1
        copy_days_until(everything, daily_folder, day, None if is_last else held_back)
        daily = run_dbt(
            ["build", *(["--full-refresh"] if i == 0 else []), *exclude],
            tmp_path / "daily.duckdb",
            tmp_path / "daily",
            vars={**vars_, "landing_path": str(daily_folder)},
        )
        if i == len(daily_days) - 2:
            waiting = daily.scalar(
                "select count(*) from silver.int_events_validated "
                f"where customer_id = '{late_customer}' and quarantine_reason = 'unknown_customer'"
            )
            assert waiting > 0, "the late customer's events should wait in quarantine"

    late = full.df("select * from silver.audit_late_events")
    assert late.events_late.sum() > 0 and late.events_too_late.sum() >= 1
    kept = set(full.df("select event_id from silver.int_events_sessionized").event_id)
    too_late = full.df(
        "select record_key from silver.audit_quarantined_rows "
        "where reason_code = 'arrived_too_late'"
    )
    assert "e_late_within_lookback" in kept
    assert "e_late_beyond_lookback" in set(too_late.record_key)
    assert "e_late_beyond_lookback" not in kept
    audit = full.df("select * from silver.audit_reconciliation where entity = 'events'").iloc[0]
    assert audit.rows_deduplicated > 0 and audit.rows_unaccounted == 0
    assert audit.rows_conflicting == 1
    reasons = dict(
        full.df(
            "select record_key, reason_code from silver.audit_quarantined_rows "
            "where record_key in ('e_conflicting', 'e_dated_2100')"
        ).itertuples(index=False)
    )
    assert reasons == {
        "e_conflicting": "conflicting_redelivery",
        "e_dated_2100": "timestamp_after_delivery",
    }
    kept_device = full.scalar(
        "select device from silver.int_events_sessionized where event_id = 'e_conflicting'"
    )
    assert kept_device == "mobile"  # the first delivered copy

    # The three changes to already-built sessions took effect (then equal tables prove the
    # incremental fct_sessions followed them exactly).
    sessions = full.df(
        "select visitor_id, customer_id, orders, revenue from gold.fct_sessions "
        f"where visitor_id in ('{changed['bot_visitor']}', '{changed['login_visitor']}')"
    )
    assert changed["bot_visitor"] not in set(sessions.visitor_id)
    assert (sessions.customer_id == changed["customer_id"]).all() and len(sessions) >= 2
    order_sessions = full.scalar(
        "select count(*) from gold.fct_sessions as s inner join silver.int_events_sessionized "
        f"as e using (session_id) where e.order_id = '{changed['order_id']}' and s.revenue > 0"
    )
    assert order_sessions >= 1
    # The last run rebuilt only what it touched (the run scope), not every visitor.
    scope = daily.df(
        "select count(*) filter (where change != 'unchanged') as touched, count(*) as visitors "
        "from silver.int_run_scope where scope = 'visitor'"
    ).iloc[0]
    assert 0 < scope.touched < scope.visitors / 2, scope
    # The customer that landed after its events: its events reached gold in the last run.
    late_customer_sessions = daily.scalar(
        f"select count(*) from gold.fct_sessions where customer_id = '{late_customer}'"
    )
    assert late_customer_sessions > 0
    guard = run_dbt(
        ["test", "--select", "fct_sessions_covers_every_kept_event"],
        tmp_path / "daily.duckdb",
        tmp_path / "daily",
        vars={**vars_, "landing_path": str(daily_folder)},
    )
    assert guard.result.success

    expected = table_fingerprints(full, skip_staging=True)
    actual = table_fingerprints(daily, skip_staging=True)
    assert len(expected) > 15
    differing = sorted(k for k in expected if expected[k] != actual.get(k))
    assert not differing, f"day-by-day differs from full refresh in: {differing}"

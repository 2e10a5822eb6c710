"""The core guarantee of incremental builds: loading the landing days one at a time gives
exactly the same tables as one full refresh over all days, with late, too-late and redelivered
(duplicate) events in the files."""

from __future__ import annotations

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
    before (a cross-file duplicate), and two events re-sent under new ids with timestamps 2 days
    (within the lookback) and 10 days (beyond it) before the delivery day."""
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


def copy_days_until(source: Path, target: Path, last_day: str) -> None:
    for path in source.glob("*/*.csv"):
        day = day_of(path)
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
    vars_ = {"bronze_source": "landing"}
    exclude = ["--exclude-resource-type", "test", "unit_test"]

    full = run_dbt(
        ["build", "--full-refresh", *exclude],
        tmp_path / "full.duckdb",
        tmp_path / "full",
        vars={**vars_, "landing_path": str(everything)},
    )

    daily_folder = tmp_path / "daily_landing"
    days = sorted({day_of(p) for p in everything.glob("events/*.csv")})
    for i, day in enumerate(days[-(INCREMENTAL_DAYS + 1) :]):
        copy_days_until(everything, daily_folder, day)
        daily = run_dbt(
            ["build", *(["--full-refresh"] if i == 0 else []), *exclude],
            tmp_path / "daily.duckdb",
            tmp_path / "daily",
            vars={**vars_, "landing_path": str(daily_folder)},
        )

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

    expected = table_fingerprints(full, skip_staging=True)
    actual = table_fingerprints(daily, skip_staging=True)
    assert len(expected) > 15
    differing = sorted(k for k in expected if expected[k] != actual.get(k))
    assert not differing, f"day-by-day differs from full refresh in: {differing}"

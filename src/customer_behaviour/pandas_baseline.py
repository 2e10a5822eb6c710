"""A straightforward pandas implementation of the warehouse's core path, the baseline that
``bench-warehouse`` puts beside the dbt layers.

What an analyst would write in a notebook, vectorised but without tricks: read the landing
CSVs with ``pd.read_csv`` (every column text), parse timestamps, clean the enums, drop unusable
rows, dedupe events by ``event_id`` (first landed copy wins), sessionize with a 30-minute gap per
visitor (a gap of exactly 30 minutes stays in the session, as in ``int_events_sessionized``),
count sessions through the closed, ordered funnel view -> cart -> checkout -> purchase, and
score RFM with ``pd.qcut`` on completed orders.

It deliberately does much less than the warehouse: no quarantine table or reconciliation, no
reference checks against customers/products, no identity stitching, no bot flagging (so bots
stay in its funnel), no contracts or tests, two outputs instead of ~40 marts. Speed-ups of dbt
over this baseline therefore flatter pandas, not dbt.

Stages map to the medallion layers: ``bronze`` = read the CSVs, ``silver`` = parse, clean,
dedupe, sessionize, ``gold`` = funnel counts and RFM. Run as a child process by the benchmark:

    python -m customer_behaviour.pandas_baseline LANDING_DIR [--json]

It prints one JSON line with seconds and peak resident memory per step (VmHWM after a reset of
the high-water mark before each step, as bench_models measures).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

SESSION_TIMEOUT = pd.Timedelta(minutes=30)
FUNNEL_STEPS: list[tuple[str, str]] = [
    ("view", "product_view"),
    ("cart", "add_to_cart"),
    ("checkout", "begin_checkout"),
    ("purchase", "purchase"),
]
EVENT_TYPES = {
    "page_view",
    "product_view",
    "add_to_cart",
    "remove_from_cart",
    "begin_checkout",
    "purchase",
    "login",
    "search",
    "offer_impression",
    "offer_click",
}
# Only the columns the baseline uses are read (any pandas user would pass usecols).
EVENT_COLUMNS = ["event_id", "event_time", "visitor_id", "customer_id", "event_type"]
ORDER_COLUMNS = ["order_id", "customer_id", "order_time", "status", "total_amount"]
STAGE_LAYER = {
    "read_events": "bronze",
    "read_orders": "bronze",
    "clean_events": "silver",
    "dedupe_events": "silver",
    "sessionize": "silver",
    "clean_orders": "silver",
    "funnel": "gold",
    "rfm": "gold",
}


# --------------------------------------------------------------------------------------------
# the pipeline
# --------------------------------------------------------------------------------------------


def landing_files(landing: Path, table: str) -> list[Path]:
    """The table's landed CSV files in arrival order (file names carry the arrival date)."""
    folder = Path(landing) / table
    return sorted(folder.glob(f"{table}_*.csv")) + sorted(folder.glob(f"{table}.csv"))


def read_landing(landing: Path, table: str, columns: list[str]) -> pd.DataFrame:
    """All landed files of ``table`` as text columns, empty fields as missing, arrival order."""
    files = landing_files(landing, table)
    if not files:
        raise FileNotFoundError(f"no {table}_*.csv files in {Path(landing) / table}")
    frames = [
        pd.read_csv(f, dtype=str, usecols=columns, keep_default_na=False, na_values=[""])
        for f in files
    ]
    return pd.concat(frames, ignore_index=True)[columns]


def parse_timestamp_utc(text: pd.Series) -> pd.Series:
    """UTC timestamps from every accepted text form; anything else becomes NaT.

    ISO 8601 with 'Z' or an offset and 'Y/m/d H:M:S' are parsed by pandas' ISO parser; a
    string of 10-16 digits is epoch milliseconds."""
    parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    epoch = text.str.fullmatch(r"\d{10,16}").fillna(False).astype(bool)
    if epoch.any():
        ms = pd.to_datetime(pd.to_numeric(text[epoch]), unit="ms", utc=True)
        parsed = parsed.copy()
        parsed[epoch] = ms.dt.as_unit(parsed.dt.unit)
    return parsed


def clean_events(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed events: trimmed ids, lower-case event types, UTC event_at; unusable rows dropped
    (no id, no visitor, unparseable time, missing or unknown event type)."""
    ev = pd.DataFrame(
        {
            "event_id": raw["event_id"].str.strip(),
            "visitor_id": raw["visitor_id"].str.strip(),
            "customer_id": raw["customer_id"].str.strip(),
            "event_type": raw["event_type"].str.strip().str.lower(),
            "event_at": parse_timestamp_utc(raw["event_time"].str.strip()),
        }
    )
    usable = (
        ev["event_id"].notna()
        & ev["visitor_id"].notna()
        & ev["event_at"].notna()
        & ev["event_type"].isin(EVENT_TYPES)
    )
    return ev[usable]


def dedupe_events(events: pd.DataFrame) -> pd.DataFrame:
    """One row per event_id: the first landed copy (rows are in arrival order)."""
    return events.drop_duplicates(subset="event_id", keep="first")


def sessionize(events: pd.DataFrame, timeout: pd.Timedelta = SESSION_TIMEOUT) -> pd.DataFrame:
    """Events in (visitor, time, event_id) order with ``session_id`` (an integer, global) and
    ``visitor_session_number``. A new session starts at a visitor's first event and after a gap
    of MORE than ``timeout``; a gap of exactly ``timeout`` stays in the session."""
    ev = events.sort_values(["visitor_id", "event_at", "event_id"], ignore_index=True)
    first_of_visitor = ev["visitor_id"].ne(ev["visitor_id"].shift())
    gap = ev["event_at"].diff()
    new_session = first_of_visitor | (gap > timeout)
    ev["session_id"] = new_session.cumsum()
    ev["visitor_session_number"] = new_session.astype("int64").groupby(ev["visitor_id"]).cumsum()
    return ev


def funnel_counts(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions reaching each funnel step. Closed and ordered: a session reaches step k at its
    first step-k event at or after the time it reached step k-1."""
    rows = []
    reached: pd.Series | None = None
    for number, (name, event_type) in enumerate(FUNNEL_STEPS, start=1):
        step = sessions.loc[sessions["event_type"] == event_type, ["session_id", "event_at"]]
        if reached is not None:
            step = step.join(reached.rename("previous_at"), on="session_id", how="inner")
            step = step[step["event_at"] >= step["previous_at"]]
        reached = step.groupby("session_id")["event_at"].min()
        rows.append({"step_number": number, "step_name": name, "sessions": len(reached)})
    out = pd.DataFrame(rows)
    total = sessions["session_id"].nunique()
    out["share_of_sessions"] = out["sessions"] / total if total else float("nan")
    out["conversion_from_previous"] = out["sessions"] / out["sessions"].shift().fillna(total)
    return out


def clean_orders(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed orders, one row per order_id (first landed copy), unusable rows dropped."""
    orders = pd.DataFrame(
        {
            "order_id": raw["order_id"].str.strip(),
            "customer_id": raw["customer_id"].str.strip(),
            "order_at": parse_timestamp_utc(raw["order_time"].str.strip()),
            "status": raw["status"].str.strip().str.lower(),
            "total_amount": pd.to_numeric(raw["total_amount"], errors="coerce"),
        }
    )
    usable = (
        orders["order_id"].notna()
        & orders["customer_id"].notna()
        & orders["order_at"].notna()
        & (orders["total_amount"] >= 0)
    )
    return orders[usable].drop_duplicates(subset="order_id", keep="first")


def _quintile(values: pd.Series, best_high: bool) -> pd.Series:
    """Score 1-5 with pd.qcut on the rank (method='first', so ties cannot collapse edges)."""
    if len(values) < 2:
        return pd.Series(5 if best_high else 1, index=values.index, dtype="int64")
    labels = [1, 2, 3, 4, 5] if best_high else [5, 4, 3, 2, 1]
    return pd.qcut(values.rank(method="first"), 5, labels=labels).astype("int64")


def rfm_scores(orders: pd.DataFrame, as_of_date: pd.Timestamp) -> pd.DataFrame:
    """One row per customer with a completed order on or before ``as_of_date`` (a UTC date):
    recency_days, frequency, monetary and 1-5 scores by quintile (pd.qcut); recent, frequent
    and high-spending is 5."""
    as_of = pd.Timestamp(as_of_date)
    as_of = as_of.tz_localize("UTC") if as_of.tzinfo is None else as_of.tz_convert("UTC")
    as_of = as_of.normalize()
    done = orders[
        (orders["status"] == "completed") & (orders["order_at"] < as_of + pd.Timedelta(days=1))
    ]
    rfm = done.groupby("customer_id").agg(
        last_order_at=("order_at", "max"),
        frequency=("order_id", "count"),
        monetary=("total_amount", "sum"),
    )
    rfm["recency_days"] = (as_of - rfm["last_order_at"].dt.normalize()).dt.days
    rfm["r_score"] = _quintile(rfm["recency_days"], best_high=False)
    rfm["f_score"] = _quintile(rfm["frequency"], best_high=True)
    rfm["m_score"] = _quintile(rfm["monetary"], best_high=True)
    rfm["rfm_code"] = (
        rfm["r_score"].astype(str) + rfm["f_score"].astype(str) + rfm["m_score"].astype(str)
    )
    return rfm.reset_index()


# --------------------------------------------------------------------------------------------
# measured run
# --------------------------------------------------------------------------------------------


def _status_kb(key: str) -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    """Reset the kernel's resident-set high-water mark (VmHWM); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class StageTimer:
    """Times named steps; peak MB per step = VmHWM after resetting it just before the step."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        gc.collect()
        reset = _reset_peak()
        rss0 = _status_kb("VmRSS")
        t0 = time.perf_counter()
        yield
        seconds = time.perf_counter() - t0
        peak = _status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.steps.append(
            {
                "step": name,
                "layer": STAGE_LAYER.get(name, "other"),
                "seconds": seconds,
                "rss_before_mb": rss0 / 1024,
                "peak_mb": peak / 1024,
                "memory_method": "VmHWM after reset" if reset else "ru_maxrss (no reset)",
            }
        )


def run_pipeline(
    landing: Path, timer: StageTimer | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """The whole baseline on a landing folder: (funnel counts, RFM table, row counts)."""
    timer = timer or StageTimer()
    step: Callable[[str], Any] = timer.step
    with step("read_events"):
        raw_events = read_landing(landing, "events", EVENT_COLUMNS)
    with step("read_orders"):
        raw_orders = read_landing(landing, "orders", ORDER_COLUMNS)
    counts = {"events_landed": len(raw_events), "orders_landed": len(raw_orders)}
    with step("clean_events"):
        events = clean_events(raw_events)
        del raw_events
    with step("dedupe_events"):
        events = dedupe_events(events)
    with step("sessionize"):
        sessions = sessionize(events)
        del events
    with step("clean_orders"):
        orders = clean_orders(raw_orders)
        del raw_orders
    with step("funnel"):
        funnel = funnel_counts(sessions)
    with step("rfm"):
        as_of = sessions["event_at"].max().normalize()
        rfm = rfm_scores(orders, as_of)
    counts.update(
        events_kept=len(sessions),
        sessions=int(sessions["session_id"].nunique()),
        orders_kept=len(orders),
        rfm_customers=len(rfm),
    )
    return funnel, rfm, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pandas_baseline", description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path, help="landing folder (events/, orders/ ... CSVs)")
    parser.add_argument("--json", action="store_true", help="print one JSON line (benchmark)")
    args = parser.parse_args(argv)
    timer = StageTimer()
    t0 = time.perf_counter()
    funnel, rfm, counts = run_pipeline(args.landing, timer)
    total = time.perf_counter() - t0
    result = {
        "status": "ok",
        "seconds": total,
        "steps": timer.steps,
        "counts": counts,
        "funnel": funnel.to_dict(orient="records"),
        # Resetting VmHWM before each step also resets ru_maxrss: the whole run's peak is
        # the largest step peak.
        "peak_mb": max(
            [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]
            + [s["peak_mb"] for s in timer.steps]
        ),
    }
    if args.json:
        print(json.dumps(result, default=str))
        return 0
    for s in timer.steps:
        print(f"{s['layer']:<7} {s['step']:<14} {s['seconds']:8.2f} s {s['peak_mb']:9.0f} MB")
    print(f"total {total:.2f} s, peak {result['peak_mb']:.0f} MB; {counts}")
    print(funnel.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

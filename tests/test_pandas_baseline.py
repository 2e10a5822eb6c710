"""The pandas baseline of bench-warehouse on a tiny hand-made landing folder (fast, no dbt):
timestamp forms, dedupe, the 30-minute session cut, closed funnel counts and qcut RFM."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from customer_behaviour import pandas_baseline as pb

EVENT_HEADER = (
    "event_id,event_time,visitor_id,customer_id,event_type,page_path,product_id,price,"
    "quantity,offer_id,order_id,device,country,traffic_source,user_agent"
)
ORDER_HEADER = (
    "order_id,customer_id,order_time,status,subtotal_amount,discount_amount,shipping_amount,"
    "total_amount,offer_id"
)


def _event(eid: str, time: str, visitor: str, event_type: str, customer: str = "") -> str:
    return f'{eid},{time},{visitor},{customer},{event_type},/,,,,,,desktop,GB,direct,"UA, x"'


# Visitor va: session 1 = e01..e05 (a gap of exactly 30 min stays in the session) and runs the
# whole funnel; e06 comes 30 min + 1 ms after e05 -> session 2, whose cart precedes its view
# (closed, ordered funnel: reaches view only). Visitor vb: one session, view -> cart, with a
# redelivered duplicate of e11 in the next day's file, an unparseable time and an empty type.
# Visitor vc: one page_view in the epoch-millisecond form, mixed-case event type.
DAY1 = [
    _event("e01", "2024-03-01T10:00:00.000Z", "va", "page_view"),
    _event("e02", "2024-03-01T10:30:00.000Z", "va", "product_view"),  # gap exactly 30 min
    _event("e03", "2024-03-01 11:31:00+01:00", "va", "add_to_cart"),  # 10:31 UTC
    _event("e04", "2024/03/01 10:40:00", "va", "begin_checkout"),
    _event("e05", "2024-03-01T10:45:00.000Z", "va", "purchase", "C1"),
    _event("e06", "2024-03-01T11:15:00.001Z", "va", "add_to_cart"),  # 30 min + 1 ms: new
    _event("e07", "2024-03-01T11:16:00.000Z", "va", "product_view"),
    _event("e11", "2024-03-01T12:00:00.000Z", "vb", "product_view"),
    _event("e12", "2024-03-01T12:05:00.000Z", "vb", "add_to_cart"),
    _event("e13", "not-a-date", "vb", "purchase"),  # unusable: time
    _event("e14", "2024-03-01T12:06:00.000Z", "vb", ""),  # unusable: no type
]
DAY2 = [
    _event("e11", "2024-03-01T12:00:00.000Z", "vb", "product_view"),  # redelivered copy
    _event("e21", "1709287200000", "vc", " Page_View "),  # epoch ms = 2024-03-01 10:00 UTC
]

# Completed orders of 10 customers: K01 has 1 order, K02 2, ... K10 10; order j of customer i is
# on day 1 + j and worth 10 * i. Plus a cancelled order and an exact duplicate.
ORDERS = [
    f"O{i:02d}{j:02d},K{i:02d},2024-03-{1 + j:02d}T09:00:00Z,completed,0,0,0,{10 * i}.00,"
    for i in range(1, 11)
    for j in range(1, i + 1)
]
ORDERS += ["O9901,K01,2024-03-20T09:00:00Z, Cancelled ,0,0,0,999.00,", ORDERS[0]]


@pytest.fixture()
def landing(tmp_path: Path) -> Path:
    (tmp_path / "events").mkdir()
    (tmp_path / "orders").mkdir()
    (tmp_path / "events" / "events_2024-03-01.csv").write_text("\n".join([EVENT_HEADER, *DAY1]))
    (tmp_path / "events" / "events_2024-03-02.csv").write_text("\n".join([EVENT_HEADER, *DAY2]))
    (tmp_path / "orders" / "orders_2024-03-01.csv").write_text("\n".join([ORDER_HEADER, *ORDERS]))
    return tmp_path


def test_parse_timestamp_utc_reads_every_accepted_form() -> None:
    text = pd.Series(
        [
            "2024-03-04T12:34:56.123Z",
            "2024-03-04 13:34:56+01:00",
            "2024/03/04 12:34:56",
            "1709555696123",
            "not-a-date",
            "2024-13-45 99:00:00",
            None,
        ],
        dtype="str",
    )
    got = pb.parse_timestamp_utc(text)
    want = pd.Timestamp("2024-03-04 12:34:56", tz="UTC")
    assert got.iloc[0] == want + pd.Timedelta(milliseconds=123)
    assert got.iloc[1] == want
    assert got.iloc[2] == want
    assert got.iloc[3] == want + pd.Timedelta(milliseconds=123)
    assert got.iloc[4:].isna().all()


def test_read_clean_and_dedupe(landing: Path) -> None:
    raw = pb.read_landing(landing, "events", pb.EVENT_COLUMNS)
    assert len(raw) == len(DAY1) + len(DAY2)
    events = pb.clean_events(raw)
    assert set(raw["event_id"]) - set(events["event_id"]) == {"e13", "e14"}
    assert events.loc[events["event_id"] == "e21", "event_type"].item() == "page_view"
    deduped = pb.dedupe_events(events)
    assert deduped["event_id"].is_unique
    assert len(deduped) == len(events) - 1  # the redelivered e11
    assert deduped.index[deduped["event_id"] == "e11"].item() < len(DAY1)  # first copy kept


def test_session_cut_at_thirty_minute_gap(landing: Path) -> None:
    events = pb.dedupe_events(pb.clean_events(pb.read_landing(landing, "events", pb.EVENT_COLUMNS)))
    ev = pb.sessionize(events).set_index("event_id")
    va1 = ev.loc[["e01", "e02", "e03", "e04", "e05"], "session_id"]
    assert va1.nunique() == 1  # a gap of exactly 30 minutes stays in the session
    assert ev.loc["e06", "session_id"] != ev.loc["e05", "session_id"]  # 30 min + 1 ms cuts
    assert ev.loc["e06", "session_id"] == ev.loc["e07", "session_id"]
    assert ev.loc["e06", "visitor_session_number"] == 2
    assert ev.loc["e11", "session_id"] == ev.loc["e12", "session_id"]
    assert ev.loc["e11", "session_id"] != ev.loc["e01", "session_id"]  # per visitor
    assert ev["session_id"].nunique() == 4  # va x2, vb, vc


def test_funnel_counts_closed_and_ordered(landing: Path) -> None:
    events = pb.dedupe_events(pb.clean_events(pb.read_landing(landing, "events", pb.EVENT_COLUMNS)))
    funnel = pb.funnel_counts(pb.sessionize(events)).set_index("step_name")
    # view: va-1, va-2 (view after its cart), vb; cart: va-1, vb (va-2's cart precedes its
    # view); checkout and purchase: va-1 only.
    assert funnel["sessions"].to_dict() == {"view": 3, "cart": 2, "checkout": 1, "purchase": 1}
    assert funnel.loc["view", "share_of_sessions"] == pytest.approx(3 / 4)
    assert funnel.loc["cart", "conversion_from_previous"] == pytest.approx(2 / 3)


def test_rfm_qcut_scores(landing: Path) -> None:
    orders = pb.clean_orders(pb.read_landing(landing, "orders", pb.ORDER_COLUMNS))
    assert orders["order_id"].is_unique  # duplicate row dropped
    rfm = pb.rfm_scores(orders, pd.Timestamp("2024-03-31")).set_index("customer_id")
    assert len(rfm) == 10  # the cancelled order does not count
    assert rfm.loc["K01", "frequency"] == 1 and rfm.loc["K10", "frequency"] == 10
    assert rfm.loc["K03", "monetary"] == pytest.approx(90.0)
    assert rfm.loc["K04", "recency_days"] == 31 - 5  # last order 2024-03-05
    # Ten distinct values -> two customers per quintile, in order.
    assert rfm["f_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert rfm["m_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # Later last order = smaller recency_days = better = higher r_score.
    assert rfm["r_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert rfm.loc["K10", "rfm_code"] == "555"


def test_rfm_qcut_with_ties_keeps_five_scores() -> None:
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(20)],
            "customer_id": [f"K{i}" for i in range(20)],
            "order_at": pd.Timestamp("2024-03-01", tz="UTC"),
            "status": "completed",
            "total_amount": 10.0,  # everyone ties on every measure
        }
    )
    rfm = pb.rfm_scores(orders, pd.Timestamp("2024-03-10"))
    for col in ("r_score", "f_score", "m_score"):
        assert rfm[col].value_counts().sort_index().tolist() == [4, 4, 4, 4, 4]


def test_command_line_json(landing: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "customer_behaviour.pandas_baseline", str(landing), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == "ok"
    assert [s["step"] for s in result["steps"]] == list(pb.STAGE_LAYER)
    assert {s["layer"] for s in result["steps"]} == {"bronze", "silver", "gold"}
    assert result["counts"]["events_landed"] == len(DAY1) + len(DAY2)
    assert [r["sessions"] for r in result["funnel"]] == [3, 2, 1, 1]

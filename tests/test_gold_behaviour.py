"""Gold behaviour marts on the built-in demo data, checked against figures recomputed in pandas
(and numpy for the Markov chain) straight from silver, not from the marts' own SQL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

PROJECT_VARS = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "dbt_project.yml").read_text()
)["vars"]
STEP_EVENTS = {s["event_type"]: i + 1 for i, s in enumerate(PROJECT_VARS["funnel_steps"])}


@pytest.fixture(scope="module")
def events(demo_warehouse) -> pd.DataFrame:
    """Silver events of people (bots left out) up to as_of_date, in session order."""
    ev = demo_warehouse.df(
        """
        select session_id, visitor_id, customer_id, event_type, page_type, event_number_in_session,
               event_at, event_date
        from silver.int_events_sessionized
        where not is_bot
        """
    )
    # as_of_date defaults to the last event date: nothing is cut.
    assert PROJECT_VARS["as_of_date"] is None
    return ev.sort_values(["session_id", "event_number_in_session"], ignore_index=True)


@pytest.fixture(scope="module")
def session_customers(events) -> pd.Series:
    """session_id -> the customer of its last identified event (NaN when anonymous)."""
    return events.groupby("session_id")["customer_id"].last()


def closed_funnel_reached(step_events: pd.DataFrame, unit: str) -> list[pd.Series]:
    """Per step, unit -> when it reached the step: step k at the first step-k event at or after
    it reached step k-1."""
    reached = step_events[step_events.step_number == 1].groupby(unit)["event_at"].min()
    steps = [reached]
    for k in range(2, len(STEP_EVENTS) + 1):
        candidates = step_events[step_events.step_number == k].join(
            reached.rename("previous_at"), on=unit, how="inner"
        )
        in_order = candidates[candidates.event_at >= candidates.previous_at]
        reached = in_order.groupby(unit)["event_at"].min()
        steps.append(reached)
    return steps


def closed_funnel(step_events: pd.DataFrame, unit: str) -> list[int]:
    """Units reaching each step of the closed funnel."""
    return [len(reached) for reached in closed_funnel_reached(step_events, unit)]


def funnel_entrants(run, funnel_level: str) -> list[int]:
    return run.df(
        f"""
        select entrants from gold.mart_funnel_steps
        where funnel_level = '{funnel_level}' and segment_type = 'all'
        order by step_number
        """
    ).entrants.tolist()


@pytest.mark.slow
def test_fct_sessions_has_one_row_per_non_bot_session_in_silver(demo_warehouse, events):
    bots = demo_warehouse.scalar(
        "select count(distinct session_id) from silver.int_events_sessionized where is_bot"
    )
    assert bots > 0  # the demo data has bots, and they must be left out
    sessions = demo_warehouse.scalar("select count(*) from gold.fct_sessions")
    assert sessions == events.session_id.nunique()


@pytest.mark.slow
def test_session_funnel_step_counts_match_a_pandas_closed_funnel(demo_warehouse, events):
    steps = events[events.event_type.isin(STEP_EVENTS)].assign(
        step_number=lambda d: d.event_type.map(STEP_EVENTS)
    )
    expected = closed_funnel(steps, "session_id")
    assert funnel_entrants(demo_warehouse, "session") == expected
    # The closed funnel is not the raw count: some sessions buy without a recorded checkout.
    raw_purchases = events.loc[events.event_type == "purchase", "session_id"].nunique()
    assert expected[-1] < raw_purchases


@pytest.mark.slow
def test_session_funnel_steps_match_a_pandas_closed_funnel_and_fct_sessions_pivots_them(
    demo_warehouse, events
):
    steps = events[events.event_type.isin(STEP_EVENTS)].assign(
        step_number=lambda d: d.event_type.map(STEP_EVENTS)
    )
    names = [s["step_name"] for s in PROJECT_VARS["funnel_steps"]]
    expected = (
        pd.concat(
            reached.rename("reached_at").reset_index().assign(step_number=k, step_name=name)
            for k, (reached, name) in enumerate(
                zip(closed_funnel_reached(steps, "session_id"), names, strict=True), start=1
            )
        )
        .sort_values(["session_id", "step_number"])
        .reset_index(drop=True)
    )
    actual = demo_warehouse.df(
        "select session_id, reached_at, step_number, step_name "
        "from gold.fct_session_funnel_steps order by session_id, step_number"
    )
    assert len(actual) > 0
    pd.testing.assert_frame_equal(actual, expected[actual.columns], check_dtype=False)
    # fct_sessions: one step time column per step and funnel_depth = the last step reached.
    sessions = demo_warehouse.df(
        "select session_id, funnel_depth, "
        + ", ".join(f"{name}_step_reached_at" for name in names)
        + " from gold.fct_sessions"
    ).set_index("session_id")
    depth = expected.groupby("session_id").step_number.max()
    assert (sessions.funnel_depth == depth.reindex(sessions.index).fillna(0)).all()
    for k, name in enumerate(names, start=1):
        at = expected[expected.step_number == k].set_index("session_id").reached_at
        pd.testing.assert_series_equal(
            sessions[f"{name}_step_reached_at"].dropna().sort_index(),
            at.sort_index(),
            check_names=False,
            check_dtype=False,
        )


@pytest.mark.slow
def test_customer_funnel_counts_each_customer_once_across_sessions(
    demo_warehouse, events, session_customers
):
    steps = events[events.event_type.isin(STEP_EVENTS)].assign(
        step_number=lambda d: d.event_type.map(STEP_EVENTS),
        session_customer=lambda d: d.session_id.map(session_customers),
    )
    steps = steps[steps.session_customer.notna()]
    expected = closed_funnel(steps, "session_customer")
    assert funnel_entrants(demo_warehouse, "customer") == expected
    # Customers who finish the funnel over several sessions make the customer funnel convert
    # better than its sessions do.
    sessions = funnel_entrants(demo_warehouse, "session")
    assert expected[-1] / expected[0] > sessions[-1] / sessions[0]


@pytest.mark.slow
def test_top_five_session_paths_match_pandas(demo_warehouse, events):
    max_steps = PROJECT_VARS["session_path_max_steps"]
    pages = events[events.page_type.notna()]
    pages = pages[pages.page_type != pages.groupby("session_id").page_type.shift()]
    paths = pages.groupby("session_id").page_type.agg(
        lambda p: " > ".join(p.iloc[:max_steps]) + (" > ..." if len(p) > max_steps else "")
    )
    sessions = pd.DataFrame({"session_id": events.session_id.unique()})
    sessions["session_path"] = sessions.session_id.map(paths).fillna("(no pages)")
    converted = set(events.loc[events.event_type == "purchase", "session_id"])
    sessions["converting"] = sessions.session_id.isin(converted)
    expected = (
        sessions.groupby("session_path")
        .agg(sessions=("session_id", "size"), converting_sessions=("converting", "sum"))
        .reset_index()
        .sort_values(["sessions", "session_path"], ascending=[False, True])
        .head(5)
        .reset_index(drop=True)
    )
    actual = demo_warehouse.df(
        "select session_path, sessions, converting_sessions from gold.mart_session_paths "
        "where path_rank <= 5 order by path_rank"
    )
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)


@pytest.mark.slow
def test_dau_and_mau_of_one_day_match_pandas(demo_warehouse, events, session_customers):
    window = PROJECT_VARS["active_window_days"]
    orders = demo_warehouse.df(
        "select customer_id, cast(ordered_at as date) as activity_date "
        "from silver.int_orders_deduplicated"
    )
    starts = events.groupby("session_id").event_date.min()
    activity = pd.concat(
        [
            events.loc[events.customer_id.notna(), ["customer_id", "event_date"]].rename(
                columns={"event_date": "activity_date"}
            ),
            pd.DataFrame({"customer_id": session_customers, "activity_date": starts}).dropna(),
            orders,
        ]
    )
    activity["activity_date"] = pd.to_datetime(activity.activity_date)
    day = activity.activity_date.max() - pd.Timedelta(days=45)
    in_window = activity[
        (activity.activity_date > day - pd.Timedelta(days=window)) & (activity.activity_date <= day)
    ]
    expected_dau = activity.loc[activity.activity_date == day, "customer_id"].nunique()
    expected_mau = in_window.customer_id.nunique()

    actual = demo_warehouse.df(
        f"select dau, mau from gold.mart_active_users where activity_date = '{day.date()}'"
    ).iloc[0]
    assert expected_dau > 0 and expected_mau > expected_dau
    assert (actual.dau, actual.mau) == (expected_dau, expected_mau)


@pytest.mark.slow
def test_removal_effects_match_a_numpy_absorbing_chain(demo_warehouse):
    """Rebuild the channel chain from fct_sessions in pandas and solve it exactly with the
    fundamental matrix; the mart's recursive-CTE walk must agree within 1e-9."""
    s = demo_warehouse.df(
        "select session_id, customer_id, visitor_id, traffic_source, has_purchased, started_at "
        "from gold.fct_sessions"
    )
    s["person"] = ("customer:" + s.customer_id).fillna("visitor:" + s.visitor_id)
    s = s.sort_values(["person", "started_at", "session_id"], ignore_index=True)
    s["journey"] = (
        s.groupby("person")
        .has_purchased.transform(lambda b: b.astype(int).cumsum().shift(1))
        .fillna(0)
        .astype(int)
    )
    s["journey_id"] = s.person + "#" + s.journey.astype(str)
    converted = s.groupby("journey_id").has_purchased.any()
    touches = s[s.traffic_source != s.groupby("journey_id").traffic_source.shift()]
    nxt = touches.groupby("journey_id").traffic_source.shift(-1)
    end = touches.journey_id.map(converted).map({True: "conversion", False: "exit"})
    moves = pd.concat(
        [
            pd.DataFrame({"f": "start", "t": touches.groupby("journey_id").traffic_source.first()}),
            pd.DataFrame({"f": touches.traffic_source, "t": nxt.fillna(end)}),
        ]
    )
    counts = moves.groupby(["f", "t"]).size().unstack(fill_value=0)
    channels = sorted(set(touches.traffic_source))
    transient = ["start", *channels]
    probs = counts.reindex(index=transient, columns=[*transient, "conversion", "exit"]).fillna(0)
    probs = probs.div(probs.sum(axis=1), axis=0)

    def p_convert(removed: str | None) -> float:
        q = probs[transient].to_numpy().copy()
        r = probs["conversion"].to_numpy()
        if removed is not None:
            q[:, transient.index(removed)] = 0.0  # moves into the channel now go to exit
        absorbed = np.linalg.solve(np.eye(len(transient)) - q, r)
        return float(absorbed[0])

    base = p_convert(None)
    expected = pd.Series({c: 1 - p_convert(c) / base for c in channels})
    mart = demo_warehouse.df("select * from gold.mart_channel_attribution").set_index(
        "traffic_source"
    )
    assert sorted(mart.index) == channels
    np.testing.assert_allclose(mart.removal_effect[channels], expected[channels], atol=1e-9)
    conversions = int(converted.sum())
    assert conversions == int(s.has_purchased.sum())
    assert mart.markov_conversions.sum() == pytest.approx(conversions, abs=1e-6)
    assert mart.first_touch_conversions.sum() == mart.last_touch_conversions.sum() == conversions

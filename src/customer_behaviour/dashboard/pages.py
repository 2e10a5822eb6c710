"""The dashboard's pages: one per business question of the README's question -> mart table.

A page selects from gold marts (``select ... from gold.<mart>``), filters and draws. It computes
no business figure: rates, shares, tiers, segments, Gini and retention come from the marts as
they are. A mart that is empty for the current source (Online Retail has no events) or missing
from the file is said so on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from customer_behaviour.dashboard.data import published_file, query

FUNNEL_SEGMENTS = ["all", "device", "country", "traffic_source", "rfm_segment", "month"]


@dataclass(frozen=True)
class Page:
    url_path: str
    title: str
    render: Callable[[], None]


PAGES: list[Page] = []


def page(url_path: str, title: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(render: Callable[[], None]) -> Callable[[], None]:
        PAGES.append(Page(url_path, title, render))
        return render

    return register


# --------------------------------------------------------------------------------------------
# helpers: reading a mart, saying when it is empty, filters, charts
# --------------------------------------------------------------------------------------------


def mart(
    name: str, sql: str | None = None, params: tuple = (), optional: bool = False
) -> pd.DataFrame | None:
    """Rows of ``gold.<name>`` (or of ``sql`` over it); None, with a note on the page, when the
    mart is missing or empty. An ``optional`` mart (built only by some versions of the
    warehouse) that is missing gets a quiet caption instead of a warning."""
    df = query(sql or f"select * from gold.{name}", params)
    if df is None:
        if optional:
            st.caption(f"`gold.{name}` is not in this warehouse.")
        else:
            st.warning(f"`gold.{name}` is not in the published file: rebuild and publish.")
        return None
    if df.empty:
        st.info(
            f"`gold.{name}` is empty for the current source (for example Online Retail has "
            "no web events), so there is nothing to show here."
        )
        return None
    return df


def date_filter(label: str, dates: pd.Series) -> tuple[dt.date, dt.date]:
    """A date range in the sidebar, bounded by the mart's own dates."""
    first, last = pd.to_datetime(dates).min().date(), pd.to_datetime(dates).max().date()
    chosen = st.sidebar.date_input(
        label, value=(first, last), min_value=first, max_value=last, key=f"dates-{label}"
    )
    if isinstance(chosen, tuple | list) and len(chosen) == 2:
        return chosen[0], chosen[1]
    return first, last  # half a range picked so far


def in_range(df: pd.DataFrame, column: str, bounds: tuple[dt.date, dt.date]) -> pd.DataFrame:
    dates = pd.to_datetime(df[column]).dt.date
    return df[(dates >= bounds[0]) & (dates <= bounds[1])]


def bars(
    df: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    sort: list | str | None = None,
) -> None:
    encoding = {
        "x": alt.X(x, sort=sort, title=x.replace("_", " ")),
        "y": alt.Y(y, title=y.replace("_", " "), stack=None),
        "tooltip": [c for c in (x, y, color) if c],
    }
    if color:
        encoding["color"] = alt.Color(color, title=color.replace("_", " "))
        encoding["xOffset"] = alt.XOffset(color)
    st.altair_chart(alt.Chart(df).mark_bar().encode(**encoding), width="stretch")


def heatmap(
    df: pd.DataFrame, x: str, y: str, value: str, x_sort="ascending", y_sort="ascending"
) -> None:
    chart = (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:O", sort=x_sort, title=x.replace("_", " ")),
            y=alt.Y(f"{y}:O", sort=y_sort, title=y.replace("_", " ")),
            color=alt.Color(f"{value}:Q", title=value.replace("_", " ")),
            tooltip=[x, y, value],
        )
    )
    st.altair_chart(chart, width="stretch")


def lines(df: pd.DataFrame, x: str, y: list[str] | str, color: str | None = None) -> None:
    st.line_chart(df, x=x, y=y, color=color)


def figure(label: str, value: float | int | None, fmt: str = "{:,.0f}") -> None:
    st.metric(label, "n/a" if value is None or pd.isna(value) else fmt.format(value))


# --------------------------------------------------------------------------------------------
# pages
# --------------------------------------------------------------------------------------------


@page("funnel", "Funnel and drop-off")
def funnel() -> None:
    st.title("Where users drop off")
    st.caption("gold.mart_funnel_steps: view → cart → checkout → purchase, per segment")
    df = mart("mart_funnel_steps")
    if df is None:
        return
    level = st.sidebar.radio("Funnel level", sorted(df["funnel_level"].unique()), key="fl")
    types = [t for t in FUNNEL_SEGMENTS if t in set(df["segment_type"])]
    segment_type = st.sidebar.selectbox("Segment by", types, index=min(1, len(types) - 1))
    rows = df[(df["funnel_level"] == level) & (df["segment_type"] == segment_type)]
    values = sorted(rows["segment_value"].unique())
    chosen = st.sidebar.multiselect("Segments", values, default=values[:8], key="fseg")
    rows = rows[rows["segment_value"].isin(chosen)].sort_values(["segment_value", "step_number"])
    steps = list(rows.sort_values("step_number")["step_name"].unique())
    bars(rows, "step_name", "conversion_from_start", color="segment_value", sort=steps)
    st.subheader("Drop-off from the previous step")
    bars(rows, "step_name", "drop_off_rate_from_previous", color="segment_value", sort=steps)
    st.dataframe(
        rows[
            [
                "segment_value",
                "step_number",
                "step_name",
                "entrants",
                "drop_off_from_previous",
                "conversion_from_previous",
                "drop_off_rate_from_previous",
                "conversion_from_start",
            ]
        ],
        hide_index=True,
    )


@page("time-to-action", "Time to action")
def time_to_action() -> None:
    st.title("How fast users act")
    st.caption("gold.mart_time_to_action: median and 90th percentile minutes between steps")
    df = mart("mart_time_to_action")
    if df is None:
        return
    types = [t for t in FUNNEL_SEGMENTS if t in set(df["segment_type"])]
    segment_type = st.sidebar.selectbox("Segment by", types, key="tta-seg")
    rows = df[df["segment_type"] == segment_type]
    for level, level_rows in rows.groupby("funnel_level", sort=True):
        st.subheader(f"{level} level")
        bars(level_rows, "step_pair", "median_minutes", color="segment_value")
        st.dataframe(
            level_rows[
                ["step_pair", "segment_value", "unit_count", "median_minutes", "p90_minutes"]
            ],
            hide_index=True,
        )


@page("paths", "Paths and transitions")
def paths() -> None:
    st.title("Most common session paths and step transitions")
    top = st.sidebar.slider("Top paths", 5, 50, 15, key="top-paths")
    df = mart(
        "mart_session_paths",
        "select * from gold.mart_session_paths where path_rank <= ? order by path_rank",
        (top,),
    )
    if df is not None:
        st.subheader("Top paths (gold.mart_session_paths)")
        bars(df, "session_path", "sessions", sort="-y")
        st.dataframe(
            df[["path_rank", "session_path", "sessions", "share_of_sessions", "conversion_rate"]],
            hide_index=True,
        )
    transitions = mart("mart_step_transitions")
    if transitions is not None:
        st.subheader("Step transitions (gold.mart_step_transitions)")
        heatmap(transitions, "to_state", "from_state", "probability")
        st.dataframe(transitions, hide_index=True)
    channels = mart("mart_channel_attribution")
    if channels is not None:
        st.subheader("Channel attribution (gold.mart_channel_attribution)")
        bars(channels, "traffic_source", "markov_conversions", sort="-y")


@page("active-users", "Active users")
def active_users() -> None:
    st.title("Who is active: DAU, WAU, MAU")
    df = mart("mart_active_users", "select * from gold.mart_active_users order by activity_date")
    if df is None:
        return
    rows = in_range(df, "activity_date", date_filter("Activity dates", df["activity_date"]))
    if rows.empty:
        st.info("No days in the chosen range.")
        return
    last = rows.iloc[-1]
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        figure("DAU (last day)", last["dau"])
    with c2:
        figure("WAU", last["wau"])
    with c3:
        figure("MAU", last["mau"])
    with c4:
        figure("Stickiness (DAU/MAU)", last["stickiness"], "{:.1%}")
    lines(rows, "activity_date", ["dau", "wau", "mau"])
    st.subheader("Stickiness")
    lines(rows, "activity_date", "stickiness")


@page("spend-tiers", "Spend tiers and segments")
def spend_tiers() -> None:
    st.title("Customers by spend tier and segment")
    st.caption("gold.dim_customers: tiers and segments as the warehouse assigned them")
    tier = st.sidebar.radio("Tiering", ["spend_tier_4", "spend_tier_3"], key="tiering")
    by = st.sidebar.selectbox(
        "Break down by",
        ["customer_segment", "subscription_status", "age_group", "acquisition_channel"],
        key="tier-by",
    )
    df = mart(
        "dim_customers",
        f"select {tier} as spend_tier, {by} as segment, count(*) as customers, "
        "sum(lifetime_gross_spend) as lifetime_gross_spend, "
        "sum(lifetime_net_spend) as lifetime_net_spend "
        "from gold.dim_customers group by all order by all",
    )
    if df is None:
        return
    bars(df, "spend_tier", "customers", color="segment")
    st.subheader("Lifetime net spend")
    bars(df, "spend_tier", "lifetime_net_spend", color="segment")
    st.dataframe(df, hide_index=True)
    summary = mart(
        "mart_concentration_summary",
        "select * from gold.mart_concentration_summary where dimension = 'customer'",
    )
    if summary is not None:
        st.subheader("Share of net revenue per spend tier (gold.mart_concentration_summary)")
        shares = summary.melt(
            value_vars=[c for c in summary.columns if c.startswith("spend_tier_")],
            var_name="spend_tier",
            value_name="revenue_share",
        )
        bars(shares, "spend_tier", "revenue_share")


@page("rfm", "RFM and value matrix")
def rfm() -> None:
    st.title("RFM segments and the value × engagement matrix")
    segments = mart("mart_rfm_segments", "select * from gold.mart_rfm_segments order by revenue")
    if segments is not None:
        levels = sorted(segments["engagement_level"].unique())
        chosen = st.sidebar.multiselect("Engagement level", levels, default=levels, key="rfm-l")
        segments = segments[segments["engagement_level"].isin(chosen)]
        st.subheader("Segments (gold.mart_rfm_segments)")
        bars(segments, "segment_name", "customers", color="engagement_level", sort="-y")
        bars(segments, "segment_name", "revenue_share", color="engagement_level", sort="-y")
        st.dataframe(segments, hide_index=True)
    matrix = mart("mart_customer_value_matrix")
    if matrix is not None:
        st.subheader("CLV tier × engagement (gold.mart_customer_value_matrix)")
        heatmap(matrix, "engagement_level", "clv_tier", "customers")
        st.dataframe(
            matrix[
                [
                    "clv_tier",
                    "engagement_level",
                    "customers",
                    "revenue",
                    "predicted_clv",
                    "average_p_alive",
                    "churn_risk_customers",
                    "recommended_action",
                ]
            ],
            hide_index=True,
        )


@page("clv", "CLV and churn")
def clv() -> None:
    st.title("Customer lifetime value, churn risk and how well the model predicts")
    fit = mart("clv_model_fit")
    if fit is not None:
        st.subheader("Model fit (gold.clv_model_fit)")
        st.dataframe(fit, hide_index=True)
    report = mart("clv_holdout_report")
    if report is not None:
        st.subheader("Holdout report (gold.clv_holdout_report)")
        first = report.iloc[0]
        c1, c2, c3 = st.columns(3)
        with c1:
            figure("Predicted / actual purchases", first["predicted_to_actual_ratio"], "{:.2f}")
        with c2:
            figure("P(alive) AUC", first["p_alive_auc"], "{:.3f}")
        with c3:
            figure("Days-idle AUC", first["days_idle_auc"], "{:.3f}")
        st.dataframe(report, hide_index=True)
    validation = mart(
        "classifier_validation",
        "select * from gold.classifier_validation order by target, scorer",
        optional=True,
    )
    if validation is not None:
        st.subheader(
            "Churn and big-spender classifiers against baselines (gold.classifier_validation)"
        )
        bars(validation, "scorer", "auc", color="target")
        st.dataframe(validation, hide_index=True)
    scores = mart(
        "customer_churn_scores",
        "select * from gold.customer_churn_scores where churn_decile = 1 "
        "order by churn_probability desc limit 100",
        optional=True,
    )
    if scores is not None:
        st.subheader("Highest churn risk: top decile (gold.customer_churn_scores)")
        st.dataframe(scores, hide_index=True)
    customers = mart("customer_clv", "select * from gold.customer_clv order by clv desc")
    if customers is None:
        return
    tiers = sorted(customers["clv_tier"].dropna().unique())
    chosen = st.sidebar.multiselect("CLV tier", tiers, default=tiers, key="clv-tier")
    customers = customers[customers["clv_tier"].isin(chosen)]
    c1, c2 = st.columns(2)
    with c1:
        figure("Customers", len(customers))
    with c2:
        figure("Flagged churn risk", int(customers["churn_risk"].fillna(False).sum()))
    st.subheader("Predicted CLV against P(alive) (gold.customer_clv)")
    chart = (
        alt.Chart(customers.head(2000))
        .mark_circle(size=30)
        .encode(
            x=alt.X("p_alive", title="P(alive)"),
            y=alt.Y("clv", title="predicted CLV"),
            color="clv_tier",
            tooltip=["customer_id", "clv", "p_alive", "churn_risk"],
        )
    )
    st.altair_chart(chart, width="stretch")
    st.dataframe(customers.head(100), hide_index=True)


@page("offers", "Offers")
def offers() -> None:
    st.title("Which offers get clicked and convert, by whom")
    df = mart("mart_offer_engagement")
    if df is not None:
        st.caption(
            "gold.mart_offer_engagement: one row per offer category × customer activity × "
            "spend tier × discount per dollar tier"
        )
        tier = st.sidebar.selectbox(
            "Spend tier", sorted(df["spend_tier_4"].dropna().unique()), key="offer-tier"
        )
        discount = st.sidebar.selectbox(
            "Discount per dollar tier",
            sorted(df["discount_per_dollar_tier"].dropna().unique()),
            key="offer-discount",
        )
        rows = df[(df["spend_tier_4"] == tier) & (df["discount_per_dollar_tier"] == discount)]
        st.subheader(f"CTR, active vs inactive customers ({tier} spenders, {discount} discount)")
        bars(rows, "offer_category", "ctr", color="customer_activity")
        st.subheader("Conversion rate")
        bars(rows, "offer_category", "conversion_rate", color="customer_activity")
        st.dataframe(rows, hide_index=True)
        category = st.sidebar.selectbox(
            "Offer category (tier × discount grid)",
            sorted(df["offer_category"].dropna().unique()),
            key="offer-category",
        )
        activity = st.sidebar.radio(
            "Customers", sorted(df["customer_activity"].unique()), key="offer-activity"
        )
        grid = df[(df["offer_category"] == category) & (df["customer_activity"] == activity)]
        st.subheader(f"CTR by spend tier × discount per dollar tier: {category}, {activity}")
        heatmap(grid, "discount_per_dollar_tier", "spend_tier_4", "ctr")


@page("concentration", "Revenue concentration")
def concentration() -> None:
    st.title("How concentrated revenue is, and when it comes in")
    summary = mart("mart_concentration_summary")
    if summary is not None:
        dims = list(summary["dimension"])
        dimension = st.sidebar.selectbox("Dimension", dims, key="conc-dim")
        row = summary[summary["dimension"] == dimension].iloc[0]
        c1, c2, c3 = st.columns(3)
        with c1:
            figure("Top 20 % share of net revenue", row["top_20_pct_revenue_share"], "{:.1%}")
        with c2:
            figure("Gini coefficient", row["gini_coefficient"], "{:.3f}")
        with c3:
            figure(f"{dimension}s", row["entity_count"])
        curve = mart(
            "mart_revenue_concentration",
            "select lorenz_population_share, lorenz_revenue_share "
            "from gold.mart_revenue_concentration where dimension = ? "
            "order by lorenz_population_share",
            (dimension,),
        )
        if curve is not None:
            st.subheader("Lorenz curve (gold.mart_revenue_concentration)")
            lines(curve, "lorenz_population_share", "lorenz_revenue_share")
    grid = mart("mart_activity_heatmap")
    if grid is not None:
        measure = st.sidebar.selectbox(
            "Heatmap measure", ["events", "sessions", "orders", "revenue"], key="heat"
        )
        st.subheader(f"Hour × weekday: {measure} (gold.mart_activity_heatmap)")
        days = list(grid.sort_values("day_of_week")["day_name"].unique())
        heatmap(grid.astype({measure: float}), "hour_of_day", "day_name", measure, y_sort=days)


@page("cohorts", "Cohort retention")
def cohorts() -> None:
    st.title("Cohort retention")
    df = mart(
        "mart_cohort_retention",
        "select * from gold.mart_cohort_retention order by acquisition_cohort_month",
    )
    if df is None:
        return
    rows = in_range(
        df,
        "acquisition_cohort_month",
        date_filter("Cohort months", df["acquisition_cohort_month"]),
    )
    rows = rows.assign(cohort=pd.to_datetime(rows["acquisition_cohort_month"]).dt.strftime("%Y-%m"))
    heatmap(rows, "months_since_acquisition", "cohort", "retention_rate")
    st.subheader("Cumulative net revenue per customer")
    lines(rows, "months_since_acquisition", "cumulative_revenue_per_customer", color="cohort")
    st.dataframe(rows.drop(columns="cohort"), hide_index=True)


@page("bought-together", "Bought together")
def bought_together() -> None:
    st.title("Products bought together")
    rules = mart(
        "product_association_rules",
        "select * from gold.product_association_rules order by level, rule_rank",
    )
    if rules is not None:
        level = st.sidebar.radio("Rule level", sorted(rules["level"].unique()), key="rules-l")
        rows = rules[rules["level"] == level].head(20)
        st.subheader("Top association rules (gold.product_association_rules)")
        rows = rows.assign(rule=rows["antecedent"] + " → " + rows["consequent"])
        bars(rows, "rule", "lift", sort="-y")
        st.dataframe(
            rows[["rule_rank", "antecedent", "consequent", "support", "confidence", "lift"]],
            hide_index=True,
        )
    pairs = mart(
        "product_pairs", "select * from gold.product_pairs order by basket_count desc limit 20"
    )
    if pairs is not None:
        st.subheader("Most frequent pairs (gold.product_pairs)")
        st.dataframe(
            pairs[
                [
                    "antecedent_product_name",
                    "consequent_product_name",
                    "basket_count",
                    "support",
                    "confidence",
                    "lift",
                ]
            ],
            hide_index=True,
        )


# --------------------------------------------------------------------------------------------
# the app
# --------------------------------------------------------------------------------------------


def render(url_path: str) -> None:
    """Draw one page by its URL path (tests run a page alone with this)."""
    st.sidebar.caption(f"Published file: {published_file()}")
    next(p for p in PAGES if p.url_path == url_path).render()


def main() -> None:
    st.set_page_config(page_title="Customer behaviour", layout="wide")
    if not published_file().is_file():
        st.error(f"No published warehouse at {published_file()}: run `bash scripts/build.sh`.")
        return
    st.sidebar.caption(f"Published file: {published_file()}")
    navigation = st.navigation(
        [
            st.Page(p.render, title=p.title, url_path=p.url_path, default=i == 0)
            for i, p in enumerate(PAGES)
        ]
    )
    navigation.run()

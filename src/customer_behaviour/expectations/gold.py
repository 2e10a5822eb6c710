"""Suites of the gold marts: what a BI user may take for granted when reading them.

dbt's tests already prove structure (types, keys, accepted values) at build time; these suites
restate the promises a reader relies on (keys, ranges, sets) and add the meaning across rows and
tables: row counts tied to their parents, funnels that never widen, probabilities that sum to 1,
distributions no broken join could produce.
"""

from __future__ import annotations

from .core import (
    FLOAT_TOLERANCE,
    TableSuite,
    all_present,
    between,
    in_set,
    needs,
    no_dominant_value,
    non_increasing,
    non_negative,
    not_null,
    rates,
    row_count,
    rows_match,
    sql,
    sums_to_one,
    table_suite,
)
from .sets import (
    AGE_GROUPS,
    CLV_MATRIX_TIERS,
    CUSTOMER_SEGMENTS,
    DEVICES,
    DISCOUNT_PER_DOLLAR_TIERS,
    ENGAGEMENT_LEVELS,
    FUNNEL_STEPS,
    OFFER_TYPES,
    ORDER_STATUSES,
    RECOMMENDED_ACTIONS,
    RFM_SEGMENTS,
    SEGMENT_TYPES,
    SPEND_TIERS_3,
    SPEND_TIERS_4,
    TRAFFIC_SOURCES,
    TRANSITION_FROM_STATES,
    TRANSITION_TO_STATES,
)

# Purchasing customers: at least one completed order on or before as_of_date (the population of
# mart_rfm, fct_customer_purchase_summary and customer_clv).
PURCHASING_CUSTOMERS = """
    select count(distinct customer_id)
    from gold.fct_orders
    where order_status = 'completed'
        and order_date <= (select max(as_of_date) from gold.dim_customers)
"""
# Sessions of people (bots left out), the population of fct_sessions and the session marts.
SESSIONS = "select count(*) from gold.fct_sessions"
TOL = FLOAT_TOLERANCE


def customer_value() -> list[TableSuite]:
    return [
        table_suite(
            "gold.dim_customers",
            ["customer_id"],
            rows_match("select count(*) from silver.int_customers_deduplicated", "silver customer"),
            in_set("spend_tier_3", SPEND_TIERS_3),
            in_set("spend_tier_4", SPEND_TIERS_4),
            in_set("customer_segment", CUSTOMER_SEGMENTS),
            in_set("age_group", AGE_GROUPS),
            all_present("spend_tier_4", SPEND_TIERS_4),
            # net spend may be negative (credit notes for sales from before the data)
            non_negative(
                "lifetime_gross_spend",
                "lifetime_cancelled_returned_spend",
                "lifetime_orders",
                "orders_placed",
            ),
            # Among purchasers: most customers of an event log (REES46: every visitor) never
            # buy. A broken join that makes everyone 'No Spend' fails all_present above and the
            # purchaser check below.
            no_dominant_value("spend_tier_4", where="spend_tier_4 <> 'No Spend'"),
            no_dominant_value("spend_tier_3", where="spend_tier_3 <> 'No Spend'"),
            sql(
                "Purchasers (a completed order by as_of_date) are exactly the customers with a "
                "spend tier; everyone else is 'No Spend'.",
                """
                select customer_id, is_purchaser, spend_tier_3, spend_tier_4, lifetime_net_spend
                from {batch}
                where coalesce(is_purchaser, false) <> (spend_tier_4 <> 'No Spend')
                    or (spend_tier_3 = 'No Spend') <> (spend_tier_4 = 'No Spend')
                """,
                column="spend_tier_4",
            ),
            requires=["customers"],
        ),
        table_suite(
            "gold.dim_products",
            ["product_id"],
            rows_match("select count(*) from silver.int_products_deduplicated", "silver product"),
            not_null("category"),
            non_negative(
                "list_price",
                "orders_count",
                "units_sold",
                "gross_revenue",
                "cancelled_returned_revenue",
            ),
            requires=["products"],
        ),
        table_suite(
            "gold.dim_offers",
            ["offer_id"],
            rows_match("select count(*) from silver.int_offers_deduplicated", "silver offer"),
            in_set("offer_type", OFFER_TYPES),
            in_set("discount_per_dollar_tier", DISCOUNT_PER_DOLLAR_TIERS),
            non_negative("discount_value", "min_spend", "discount_per_dollar"),
            requires=["offers"],
        ),
        table_suite(
            "gold.fct_orders",
            ["order_id"],
            rows_match("select count(*) from silver.int_orders_deduplicated", "silver order"),
            not_null("customer_id", "ordered_at"),
            in_set("order_status", ORDER_STATUSES),
            non_negative(
                "subtotal_amount",
                "discount_amount",
                "shipping_amount",
                "total_amount",
                "gross_amount",
                "cancelled_returned_amount",
            ),
            between("customer_order_number", 1, None),
            requires=["orders"],
        ),
        table_suite(
            "gold.fct_order_lines",
            ["order_id", "line_number"],
            rows_match(
                "select count(*) from silver.int_order_lines_deduplicated", "silver order line"
            ),
            not_null("customer_id", "product_id"),
            in_set("order_status", ORDER_STATUSES),
            non_negative(
                "quantity",
                "unit_price",
                "line_amount",
                "gross_line_amount",
                "cancelled_returned_line_amount",
            ),
            sql(
                "An order's lines share out exactly its net_amount (to the cent).",
                """
                select o.order_id, o.net_amount, sum(l.net_line_amount) as sum_of_lines
                from {batch} as l
                join gold.fct_orders as o using (order_id)
                group by o.order_id, o.net_amount
                having abs(sum(l.net_line_amount) - o.net_amount) >= 0.01
                """,
                column="net_line_amount",
            ),
            requires=["order_lines"],
        ),
        table_suite(
            "gold.fct_customer_offers",
            ["customer_id", "offer_id"],
            non_negative(
                "impressions", "clicks", "redemptions", "discount_given", "redemption_net_amount"
            ),
            requires=["offers"],
        ),
        table_suite(
            "gold.fct_visitor_offers",
            ["visitor_id", "offer_id"],
            non_negative("impressions", "clicks"),
            sql(
                "Every row has an impression or a click, and the customers' impressions "
                "(fct_customer_offers) are among the visitors' (anonymous visitors add more).",
                """
                select offer_id, visitor_impressions, customer_impressions
                from (
                    select
                        offer_id,
                        sum(impressions) as visitor_impressions,
                        count(*) filter (where impressions + clicks = 0) as empty_rows
                    from {batch}
                    group by offer_id
                ) as visitors
                full outer join (
                    select offer_id, sum(impressions) as customer_impressions
                    from gold.fct_customer_offers
                    group by offer_id
                ) as customers using (offer_id)
                where visitors.empty_rows > 0
                    or coalesce(customer_impressions, 0) > coalesce(visitor_impressions, 0)
                """,
                column="impressions",
            ),
            requires=["events", "offers"],
        ),
        table_suite(
            "gold.mart_rfm",
            ["customer_id"],
            rows_match(PURCHASING_CUSTOMERS, "purchasing customer (completed order by as_of_date)"),
            in_set("segment_name", RFM_SEGMENTS),
            in_set("engagement_level", ENGAGEMENT_LEVELS),
            between("r_score", 1, 5),
            between("f_score", 1, 5),
            between("m_score", 1, 5),
            between("frequency", 1, None),
            # monetary is lifetime net spend: credit notes can make it negative
            non_negative("recency_days"),
            no_dominant_value("segment_name"),
            sql(
                "rfm_code is the three scores side by side.",
                """
                select customer_id, rfm_code, r_score, f_score, m_score
                from {batch}
                where rfm_code is distinct from concat(r_score, f_score, m_score)
                """,
                column="rfm_code",
            ),
            requires=["orders"],
        ),
        table_suite(
            "gold.mart_rfm_segments",
            ["segment_name"],
            row_count(len(RFM_SEGMENTS)),
            in_set("segment_name", RFM_SEGMENTS),
            in_set("engagement_level", ENGAGEMENT_LEVELS),
            rates("customer_share", "revenue_share"),
            # revenue is net: credit notes can make a segment's total negative
            non_negative("customers"),
            sums_to_one("customer_share"),
            sums_to_one("revenue_share"),
            sql(
                "The segments' customers add up to mart_rfm's rows.",
                """
                select customers, rfm_rows
                from (
                    select
                        (select sum(customers) from {batch}) as customers,
                        (select count(*) from gold.mart_rfm) as rfm_rows
                )
                where customers is distinct from rfm_rows
                """,
                column="customers",
            ),
            requires=["orders"],
        ),
        table_suite(
            "gold.mart_offer_performance",
            ["offer_id"],
            rows_match("select count(*) from gold.dim_offers", "offer of dim_offers"),
            in_set("offer_type", OFFER_TYPES),
            in_set("discount_per_dollar_tier", DISCOUNT_PER_DOLLAR_TIERS),
            rates("ctr", "conversion_rate", "conversion_wilson_lower_bound"),
            non_negative(
                "impressions", "clicks", "redemptions", "customers_reached", "total_discount_given"
            ),
            sql(
                "Funnel of an offer: clicks <= impressions, converted <= reached, and the Wilson "
                "lower bound never above the rate it bounds.",
                f"""
                select offer_id, impressions, clicks, customers_reached, converted_customers,
                    conversion_rate, conversion_wilson_lower_bound
                from {{batch}}
                where clicks > impressions
                    or converted_customers > customers_reached
                    or conversion_wilson_lower_bound > conversion_rate + {TOL}
                """,
            ),
            requires=["offers"],
        ),
        table_suite(
            "gold.mart_offer_engagement",
            ["offer_category", "customer_activity", "spend_tier_4", "discount_per_dollar_tier"],
            in_set("customer_activity", ["active", "inactive"]),
            in_set("spend_tier_4", SPEND_TIERS_4),
            in_set("discount_per_dollar_tier", DISCOUNT_PER_DOLLAR_TIERS),
            rates("ctr", "conversion_rate"),
            non_negative("impressions", "clicks", "redemptions", "total_savings"),
            sql(
                "clicks <= impressions and converted customers <= customers reached.",
                """
                select offer_category, customer_activity, spend_tier_4, discount_per_dollar_tier,
                    impressions, clicks, customers_reached, converted_customers
                from {batch}
                where clicks > impressions or converted_customers > customers_reached
                """,
            ),
            requires=["offers"],
        ),
        table_suite(
            "gold.mart_revenue_concentration",
            ["dimension", "entity_id"],
            in_set("dimension", ["customer", "product", "category"]),
            non_negative("gross_revenue", "cancelled_returned_revenue"),
            # revenue shares leave [0, 1] where entities have negative net (credit notes for
            # sales from before the data); the dbt tests check them in [0, 1] otherwise
            rates("top_population_share", "lorenz_population_share"),
            sums_to_one("revenue_share", per=["dimension"]),
            requires=["order_lines"],
        ),
        table_suite(
            "gold.mart_concentration_summary",
            ["dimension"],
            row_count(3),
            in_set("dimension", ["customer", "product", "category"]),
            rates(
                "top_1_pct_revenue_share",
                "top_10_pct_revenue_share",
                "top_20_pct_revenue_share",
                "gini_coefficient",
                "hhi",
                "spend_tier_low_revenue_share",
                "spend_tier_medium_revenue_share",
                "spend_tier_high_revenue_share",
                "spend_tier_vip_revenue_share",
            ),
            sql(
                "Top shares grow with the population: top 1% <= top 10% <= top 20%.",
                f"""
                select dimension, top_1_pct_revenue_share, top_10_pct_revenue_share,
                    top_20_pct_revenue_share
                from {{batch}}
                where top_1_pct_revenue_share > top_10_pct_revenue_share + {TOL}
                    or top_10_pct_revenue_share > top_20_pct_revenue_share + {TOL}
                """,
            ),
            requires=["order_lines"],
        ),
        table_suite(
            "gold.mart_cohort_retention",
            ["acquisition_cohort_month", "months_since_acquisition"],
            rates("retention_rate"),
            non_negative("months_since_acquisition", "cohort_customers", "active_customers"),
            sql(
                "A cohort never has more active customers than members.",
                """
                select acquisition_cohort_month, months_since_acquisition, cohort_customers,
                    active_customers
                from {batch}
                where active_customers > cohort_customers
                """,
                column="active_customers",
            ),
            requires=["orders"],
        ),
    ]


def behaviour() -> list[TableSuite]:
    return [
        table_suite(
            "gold.dim_dates",
            ["date_day"],
            # the semantic layer's time spine: every day from 2000-01-01 to 2049-12-31
            row_count(18263),
            not_null("week_start_date", "month_start_date"),
        ),
        table_suite(
            "gold.fct_sessions",
            ["session_id"],
            rows_match(
                """
                select count(distinct session_id)
                from silver.int_events_sessionized
                where not is_bot
                    and event_date <= (select max(as_of_date) from gold.dim_customers)
                """,
                "non-bot session of silver",
            ),
            not_null("visitor_id", "device", "traffic_source", "started_at", "ended_at"),
            in_set("device", DEVICES),
            in_set("traffic_source", TRAFFIC_SOURCES),
            between("funnel_depth", 0, len(FUNNEL_STEPS)),
            non_negative("duration_seconds", "revenue", "orders", "page_views"),
            needs("devices", no_dominant_value("device")),
            needs("traffic_sources", no_dominant_value("traffic_source")),
            requires=["events"],
        ),
        table_suite(
            "gold.fct_session_funnel_steps",
            ["session_id", "step_number"],
            not_null("visitor_id", "reached_at"),
            in_set("step_name", FUNNEL_STEPS),
            between("step_number", 1, len(FUNNEL_STEPS)),
            sql(
                "A closed funnel: a session's steps are 1 .. its fct_sessions.funnel_depth, "
                "reached in order; step_name agrees with var funnel_steps.",
                f"""
                select sessions.session_id, sessions.funnel_depth, steps.steps,
                    steps.deepest, steps.out_of_order, steps.misnamed
                from gold.fct_sessions as sessions
                full outer join (
                    select
                        session_id,
                        count(*) as steps,
                        max(step_number) as deepest,
                        count(*) filter (
                            where reached_at < previous_reached_at
                        ) as out_of_order,
                        count(*) filter (
                            where step_name is distinct from {FUNNEL_STEPS}[step_number]
                        ) as misnamed
                    from (
                        select
                            *,
                            lag(reached_at) over (
                                partition by session_id order by step_number
                            ) as previous_reached_at
                        from {{batch}}
                    )
                    group by session_id
                ) as steps
                    on sessions.session_id = steps.session_id
                where sessions.session_id is null
                    or coalesce(steps.steps, 0) != sessions.funnel_depth
                    or coalesce(steps.deepest, 0) != sessions.funnel_depth
                    or steps.out_of_order > 0
                    or steps.misnamed > 0
                """,
                column="step_number",
            ),
            requires=["events"],
        ),
        table_suite(
            "gold.fct_session_step_events",
            ["session_id", "step_number", "event_at"],
            not_null("visitor_id"),
            between("step_number", 2, len(FUNNEL_STEPS)),
            sql(
                "A session's first event of a step after the first is no later than the moment "
                "its closed funnel reached that step (fct_session_funnel_steps), and a step "
                "reached there has an event here.",
                """
                select steps.session_id, steps.step_number, steps.reached_at, events.first_at
                from gold.fct_session_funnel_steps as steps
                left join (
                    select session_id, step_number, min(event_at) as first_at
                    from {batch}
                    group by session_id, step_number
                ) as events
                    on steps.session_id = events.session_id
                    and steps.step_number = events.step_number
                where steps.step_number > 1
                    and (events.first_at is null or events.first_at > steps.reached_at)
                """,
                column="event_at",
            ),
            requires=["events"],
        ),
        table_suite(
            "gold.dim_session_segments",
            ["session_id", "segment_type"],
            not_null("segment_value"),
            in_set("segment_type", SEGMENT_TYPES),
            all_present("segment_type", SEGMENT_TYPES),
            rows_match(
                f"select count(*) * {len(SEGMENT_TYPES)} from gold.fct_sessions",
                "session x segment type",
            ),
            requires=["events"],
        ),
        table_suite(
            "gold.fct_customer_daily_activity",
            ["customer_id", "activity_date"],
            # spend is net revenue: a day with only a credit note is negative
            non_negative("events", "sessions", "orders", "days_since_last_activity"),
        ),
        table_suite(
            "gold.mart_funnel_steps",
            ["funnel_level", "segment_type", "segment_value", "step_number"],
            in_set("funnel_level", ["session", "customer"]),
            in_set("segment_type", SEGMENT_TYPES),
            in_set("step_name", FUNNEL_STEPS),
            between("step_number", 1, len(FUNNEL_STEPS)),
            non_negative("entrants", "segment_units", "drop_off_from_previous"),
            rates(
                "conversion_from_previous", "drop_off_rate_from_previous", "conversion_from_start"
            ),
            non_increasing(
                "entrants",
                per=["funnel_level", "segment_type", "segment_value"],
                order_by="step_number",
            ),
            sql(
                "step_number and step_name agree with var funnel_steps (1 = view ... "
                "4 = purchase); entrants never exceed the segment's units.",
                f"""
                select funnel_level, segment_type, segment_value, step_number, step_name,
                    entrants, segment_units
                from {{batch}}
                where step_name is distinct from {FUNNEL_STEPS}[step_number]
                    or entrants > segment_units
                """,
            ),
            requires=["events"],
        ),
        table_suite(
            "gold.fct_session_item_funnels",
            ["grain", "item_id", "session_id"],
            not_null("visitor_id"),
            in_set("grain", ["product", "category"]),
            between("funnel_depth", 0, len(FUNNEL_STEPS)),
            sql(
                "An item goes no further in a session than the session itself (its "
                "fct_sessions.funnel_depth): the item's step events are the session's.",
                """
                select items.grain, items.item_id, items.session_id, items.funnel_depth
                from {batch} as items
                inner join gold.fct_sessions as sessions
                    on items.session_id = sessions.session_id
                where items.funnel_depth > sessions.funnel_depth
                """,
                column="funnel_depth",
            ),
            requires=["events"],
        ),
        table_suite(
            "gold.mart_product_funnel",
            ["grain", "item_id", "step_number"],
            in_set("grain", ["product", "category"]),
            in_set("step_name", FUNNEL_STEPS),
            non_negative("entrants", "carts_abandoned"),
            rates("conversion_from_previous", "conversion_from_start", "cart_abandonment_rate"),
            non_increasing("entrants", per=["grain", "item_id"], order_by="step_number"),
            requires=["events"],
        ),
        table_suite(
            "gold.mart_step_transitions",
            ["from_state", "to_state"],
            in_set("from_state", TRANSITION_FROM_STATES),
            in_set("to_state", TRANSITION_TO_STATES),
            rates("probability"),
            non_negative("transitions"),
            sums_to_one("probability", per=["from_state"]),
            sql(
                "Every session leaves 'start' exactly once.",
                """
                select start_transitions, sessions
                from (
                    select
                        (select sum(transitions) from {batch} where from_state = 'start')
                            as start_transitions,
                        (select count(*) from gold.fct_sessions) as sessions
                )
                where start_transitions is distinct from sessions
                """,
                column="transitions",
            ),
            requires=["events"],
        ),
        table_suite(
            "gold.fct_session_step_transitions",
            ["session_id", "from_state", "to_state"],
            not_null("visitor_id"),
            in_set("from_state", TRANSITION_FROM_STATES),
            in_set("to_state", TRANSITION_TO_STATES),
            between("transitions", 1, None),
            sql(
                "Every session of fct_sessions leaves 'start' exactly once, and only they do.",
                """
                select sessions.session_id, starts.starts
                from gold.fct_sessions as sessions
                full outer join (
                    select session_id, sum(transitions) as starts
                    from {batch}
                    where from_state = 'start'
                    group by session_id
                ) as starts
                    on sessions.session_id = starts.session_id
                where sessions.session_id is null or starts.starts is distinct from 1
                """,
                column="transitions",
            ),
            requires=["events"],
        ),
        table_suite(
            "gold.fct_session_paths",
            ["session_id"],
            not_null("visitor_id", "session_path", "has_purchased"),
            rows_match(SESSIONS, "session of fct_sessions"),
            needs("page_types", between("path_length", 1, None)),
            requires=["events"],
        ),
        table_suite(
            "gold.mart_session_paths",
            ["session_path"],
            rates("share_of_sessions", "conversion_rate"),
            # sessions without a page type have the path '(no pages)' of length 0: every
            # session of a source whose events carry none (REES46)
            needs("page_types", between("path_length", 1, None)),
            sums_to_one("share_of_sessions"),
            sql(
                "Every session has exactly one path: the paths' sessions add up to fct_sessions.",
                f"""
                select paths_sessions, sessions
                from (
                    select
                        (select sum(sessions) from {{batch}}) as paths_sessions,
                        ({SESSIONS}) as sessions
                )
                where paths_sessions is distinct from sessions
                """,
                column="sessions",
            ),
            requires=["events"],
        ),
        table_suite(
            "gold.mart_active_users",
            ["activity_date"],
            rates("stickiness"),
            non_negative("dau", "wau", "mau", "customers_to_date"),
            sql(
                "dau <= wau <= mau <= customers to date.",
                """
                select activity_date, dau, wau, mau, customers_to_date
                from {batch}
                where not (dau <= wau and wau <= mau and mau <= customers_to_date)
                """,
            ),
        ),
        table_suite(
            "gold.fct_activity_quarter_hours",
            ["quarter_hour_started_at"],
            not_null("activity_date"),
            non_negative("events", "sessions", "orders"),
            sql(
                "The quarter hours hold every non-bot event and every session up to as_of_date "
                "(the heatmap's totals).",
                """
                select events, expected_events, sessions, expected_sessions
                from (
                    select
                        (select sum(events) from {batch}) as events,
                        (
                            select count(*) from silver.int_events_sessionized
                            where not is_bot
                                and event_date <= (select max(as_of_date) from gold.dim_customers)
                        ) as expected_events,
                        (select sum(sessions) from {batch}) as sessions,
                        (select count(*) from gold.fct_sessions) as expected_sessions
                )
                where events is distinct from expected_events
                    or sessions is distinct from expected_sessions
                """,
                column="events",
            ),
        ),
        table_suite(
            "gold.mart_activity_heatmap",
            ["day_of_week", "hour_of_day"],
            row_count(7 * 24),
            between("day_of_week", 1, 7),
            between("hour_of_day", 0, 23),
            # revenue is net: credit notes dated in an hour subtract
            non_negative("events", "sessions", "orders"),
        ),
        table_suite(
            "gold.mart_channel_attribution",
            ["traffic_source"],
            in_set("traffic_source", TRAFFIC_SOURCES),
            rates("conversion_probability_without", "removal_effect"),
            non_negative("journeys", "converting_journeys", "markov_conversions"),
            sql(
                "Credit models share out the same conversions: Markov, first-touch and last-touch "
                "credit each add up to the same total (within 0.001).",
                """
                select markov, first_touch, last_touch
                from (
                    select sum(markov_conversions) as markov,
                        sum(first_touch_conversions) as first_touch,
                        sum(last_touch_conversions) as last_touch
                    from {batch}
                )
                where abs(markov - first_touch) > 0.001 or first_touch <> last_touch
                """,
                column="markov_conversions",
            ),
            sql(
                "converting journeys <= journeys",
                """
                select traffic_source, journeys, converting_journeys
                from {batch}
                where converting_journeys > journeys
                """,
            ),
            requires=["events"],
        ),
        table_suite(
            "gold.mart_time_to_action",
            ["step_pair", "segment_type", "segment_value"],
            in_set("segment_type", SEGMENT_TYPES),
            in_set("funnel_level", ["session", "customer"]),
            non_negative("unit_count", "median_minutes", "p90_minutes"),
            sql(
                "median <= 90th percentile",
                """
                select step_pair, segment_type, segment_value, median_minutes, p90_minutes
                from {batch}
                where median_minutes > p90_minutes
                """,
            ),
            requires=["events"],
        ),
    ]


def predictive() -> list[TableSuite]:
    return [
        table_suite(
            "gold.fct_customer_purchase_summary",
            ["customer_id"],
            rows_match(PURCHASING_CUSTOMERS, "purchasing customer (completed order by as_of_date)"),
            non_negative("frequency", "recency", "t", "monetary_value"),
            between("completed_orders", 1, None),
            sql(
                "recency (first to last repeat purchase) never exceeds T (first purchase to "
                "as_of_date).",
                """
                select customer_id, recency, t
                from {batch}
                where recency > t
                """,
                column="recency",
            ),
            requires=["orders"],
        ),
        table_suite(
            "gold.fct_basket_items",
            ["order_id", "product_id"],
            not_null("customer_id", "category"),
            non_negative("quantity", "net_amount"),
            requires=["order_lines"],
        ),
        table_suite(
            "gold.customer_clv",
            ["customer_id"],
            rows_match(
                "select count(*) from gold.fct_customer_purchase_summary",
                "customer of fct_customer_purchase_summary",
            ),
            # 'Unknown': no CLV, because a model could not be fitted for lack of data (its
            # reason is in clv_model_fit; e.g. a few days of Online Retail have fewer repeat
            # customers than Gamma-Gamma needs).
            in_set("clv_tier", CLV_MATRIX_TIERS),
            rates("p_alive"),
            non_negative(
                "clv",
                "expected_purchases_90d",
                "expected_purchases_365d",
                "expected_average_order_value",
            ),
            no_dominant_value("clv_tier", where="clv_tier <> 'Unknown'"),
            sql(
                "clv_tier is 'Unknown' exactly when there is no CLV.",
                """
                select customer_id, clv, clv_tier
                from {batch}
                where (clv_tier = 'Unknown') <> (clv is null)
                """,
                column="clv_tier",
            ),
            requires=["orders"],
        ),
        table_suite(
            "gold.clv_model_fit",
            ["model"],
            row_count(2),
            in_set("model", ["bgnbd", "gamma_gamma"]),
            non_negative("customers_used"),
        ),
        table_suite(
            "gold.fct_customer_purchase_holdout",
            ["customer_id"],
            not_null("calibration_end_date", "as_of_date"),
            non_negative("frequency", "recency", "t", "frequency_holdout", "duration_holdout"),
            sql(
                "No calibration purchase after the cutoff (recency <= T), and the cutoff is "
                "before as_of_date.",
                """
                select customer_id, recency, t, calibration_end_date, as_of_date
                from {batch}
                where recency > t or calibration_end_date >= as_of_date
                    or last_purchase_date > calibration_end_date
                """,
                column="recency",
            ),
            requires=["orders"],
        ),
        table_suite(
            "gold.fct_customer_classifier_features",
            ["customer_id", "cutoff_role"],
            in_set("cutoff_role", ["train", "test", "score"]),
            non_negative("days_since_last_purchase", "tenure_days", "purchase_days"),
            # a cart (checkout) can happen in a session without a product view (cart): these
            # two ratios of session counts may pass 1
            non_negative("cart_to_view_ratio", "checkout_to_cart_ratio"),
            rates("purchase_to_session_ratio", "mobile_session_share"),
            sql(
                "The score rows are the purchasing customers at as_of_date.",
                f"""
                select count(*) as score_rows
                from {{batch}}
                where cutoff_role = 'score'
                having count(*) <> ({PURCHASING_CUSTOMERS})
                """,
                column="cutoff_role",
            ),
            requires=["orders"],
        ),
        table_suite(
            "gold.clv_holdout_report",
            ["model"],
            row_count(1),
            not_null("fit_status", "verdict", "message", "holdout_days"),
            non_negative("customers", "customers_buying_in_holdout", "actual_purchases"),
            rates("p_alive_auc", "days_idle_auc"),
            requires=["orders"],
        ),
        table_suite(
            "gold.fct_customer_engagement_ratios",
            ["customer_id"],
            non_negative("cart_to_view_ratio", "checkout_to_cart_ratio", "sessions"),
            rates("purchase_to_session_ratio"),
            between("sessions_per_active_day", 1, None),
            requires=["events"],
        ),
        table_suite(
            "gold.mart_engagement_ratio_revenue",
            ["ratio_name", "ratio_decile"],
            row_count(40),
            between("ratio_decile", 1, 10),
            between("ratio_revenue_rank_correlation", -1 - TOL, 1 + TOL),
            requires=["events"],
        ),
        table_suite(
            "gold.customer_churn_scores",
            ["customer_id"],
            rows_match(
                "select count(*) from gold.fct_customer_classifier_features "
                "where cutoff_role = 'score'",
                "score row of fct_customer_classifier_features",
            ),
            rates("churn_probability", "big_spender_probability"),
            between("churn_decile", 1, 10),
            between("big_spender_decile", 1, 10),
            requires=["orders"],
        ),
        table_suite(
            "gold.classifier_validation",
            ["target", "scorer"],
            row_count(8),
            in_set("status", ["ok", "not_available", "insufficient_data"]),
            rates("auc", "top_decile_precision", "positive_rate"),
            non_negative("top_decile_lift"),
            requires=["orders"],
        ),
        table_suite(
            "gold.classifier_calibration",
            ["target", "probability_decile"],
            between("probability_decile", 1, 10),
            rates("mean_predicted_probability", "observed_rate"),
            requires=["orders"],
        ),
        table_suite(
            "gold.classifier_feature_importance",
            ["target", "feature"],
            not_null("auc_drop_mean"),
            requires=["orders"],
        ),
        table_suite(
            "gold.mart_customer_value_matrix",
            ["clv_tier", "engagement_level"],
            row_count(len(CLV_MATRIX_TIERS) * len(ENGAGEMENT_LEVELS)),
            in_set("clv_tier", CLV_MATRIX_TIERS),
            in_set("engagement_level", ENGAGEMENT_LEVELS),
            in_set("recommended_action", RECOMMENDED_ACTIONS),
            rates("share_of_customers", "share_of_revenue", "average_p_alive"),
            non_negative("customers", "churn_risk_customers"),
            sql(
                "The matrix's customers add up to mart_rfm's purchasing customers.",
                """
                select customers, rfm_rows
                from (
                    select
                        (select sum(customers) from {batch}) as customers,
                        (select count(*) from gold.mart_rfm) as rfm_rows
                )
                where customers is distinct from rfm_rows
                """,
                column="customers",
            ),
            requires=["orders"],
        ),
        table_suite(
            "gold.product_pairs",
            ["antecedent_product_id", "consequent_product_id"],
            rates("support", "antecedent_support", "consequent_support", "confidence"),
            non_negative("basket_count", "lift"),
            requires=["order_lines"],
        ),
        table_suite(
            "gold.product_association_rules",
            ["level", "antecedent", "consequent"],
            in_set("level", ["product", "category"]),
            rates("support", "antecedent_support", "consequent_support", "confidence"),
            non_negative("lift", "basket_count"),
            requires=["order_lines"],
        ),
        table_suite(
            "gold.product_frequent_itemsets",
            ["level", "itemset"],
            in_set("level", ["product", "category"]),
            rates("support"),
            between("n_items", 1, None),
            requires=["order_lines"],
        ),
    ]


def suites() -> list[TableSuite]:
    return [*customer_value(), *behaviour(), *predictive()]

{#
    The churn / big-spender classifiers' features per customer at a cutoff date, and their
    labels from the window after it. Returns a select statement (a CTE body) with one row per
    customer with a counted purchase (fct_orders.is_counted) on or before `cutoff`.

    No leakage: every feature reads only rows dated on or before the cutoff (orders by
    order_date, sessions by the date they ended, offer clicks by event_date) and, for sessions
    and clicks, attributed to the customer by an identification on or before it
    (customer_identified_at: a login after the cutoff that stitches earlier anonymous sessions
    to the customer is after the cutoff too); only the label
    columns (future_*) read the window (cutoff, cutoff + horizon_days]. With
    source_provides('events') false (Online Retail) the event features are null and nothing of
    the event models is read.

    `cutoff_role` is a label for the row ('train', 'test', 'score'); `cutoff` a SQL date
    expression; `horizon_days` the label window length (var classifier_horizon_days).
#}
{% macro customer_classifier_features(cutoff_role, cutoff, horizon_days) -%}
    {%- set has_events = source_provides('events') -%}
    {%- set has_offers = source_provides('offers') -%}
    with

    feature_window as (

        select
            cast({{ cutoff }} as date) as cutoff_date,
            cast({{ dbt.dateadd('day', horizon_days, 'cast(' ~ cutoff ~ ' as date)') }} as date)
                as label_end_date

    ),

    feature_orders as (

        select
            orders.customer_id,
            orders.order_date,
            orders.net_amount,
            orders.is_counted
        from {{ ref('fct_orders') }} as orders
        cross join feature_window
        where orders.order_date <= feature_window.cutoff_date
            and orders.customer_id is not null

    ),

    feature_order_summary as (

        select
            feature_orders.customer_id,
            count(distinct feature_orders.order_date) filter (where feature_orders.is_counted)
                as purchase_days,
            count(*) filter (where feature_orders.is_counted) as completed_orders,
            sum(feature_orders.net_amount) as net_spend,
            coalesce(sum(feature_orders.net_amount) filter (
                where feature_orders.order_date
                > cast({{ dbt.dateadd('day', -horizon_days, 'feature_window.cutoff_date') }} as date)
            ), 0) as last_period_net_spend,
            min(feature_orders.order_date) filter (where feature_orders.is_counted)
                as first_purchase_date,
            max(feature_orders.order_date) filter (where feature_orders.is_counted)
                as last_purchase_date
        from feature_orders
        cross join feature_window
        group by feature_orders.customer_id
        having count(*) filter (where feature_orders.is_counted) > 0

    ),

    feature_rfm as (

        select
            *,
            ntile(5) over (
                order by last_purchase_date, customer_id
            ) as recency_score,
            ntile(5) over (order by purchase_days, customer_id) as frequency_score,
            ntile(5) over (order by net_spend, customer_id) as monetary_score
        from feature_order_summary

    ),

    {%- if has_events %}

    feature_sessions as (

        {{ customer_session_ratios(cutoff) | indent(8) }}

    ),

    {%- endif %}
    {%- if has_offers %}

    feature_offer_clicks as (

        select
            events.customer_id,
            count(*) as offer_clicks
        from {{ ref('int_events_sessionized') }} as events
        cross join feature_window
        where events.event_type = 'offer_click'
            and events.event_date <= feature_window.cutoff_date
            and cast(events.customer_identified_at as date) <= feature_window.cutoff_date
            and events.customer_id is not null
            and not events.is_bot
        group by events.customer_id

    ),

    {%- endif %}

    feature_labels as (

        select
            orders.customer_id,
            count(*) filter (where orders.is_counted) as future_completed_orders,
            sum(orders.net_amount) as future_net_spend
        from {{ ref('fct_orders') }} as orders
        cross join feature_window
        where orders.order_date > feature_window.cutoff_date
            and orders.order_date <= feature_window.label_end_date
            and orders.customer_id is not null
        group by orders.customer_id

    )

    select
        feature_rfm.customer_id,
        '{{ cutoff_role }}' as cutoff_role,
        cast({{ dbt.datediff('feature_rfm.last_purchase_date', 'feature_window.cutoff_date', 'day') }}
            as integer) as days_since_last_purchase,
        cast({{ dbt.datediff('feature_rfm.first_purchase_date', 'feature_window.cutoff_date', 'day') }}
            as integer) as tenure_days,
        cast(feature_rfm.purchase_days as integer) as purchase_days,
        cast(feature_rfm.completed_orders as integer) as completed_orders,
        cast(feature_rfm.net_spend as double) as net_spend,
        -- divided in double (Spark's decimal division rounds to 6 places)
        cast(feature_rfm.net_spend as double) / feature_rfm.completed_orders
            as average_order_value,
        cast(feature_rfm.last_period_net_spend as double) as last_period_net_spend,
        cast(feature_rfm.recency_score as integer) as recency_score,
        cast(feature_rfm.frequency_score as integer) as frequency_score,
        cast(feature_rfm.monetary_score as integer) as monetary_score,
        {%- if has_events %}
        cast(coalesce(feature_sessions.sessions, 0) as integer) as sessions,
        feature_sessions.cart_to_view_ratio,
        feature_sessions.checkout_to_cart_ratio,
        feature_sessions.purchase_to_session_ratio,
        feature_sessions.sessions_per_active_day,
        cast(feature_sessions.mean_seconds_to_cart as double) as mean_seconds_to_cart,
        cast(feature_sessions.mobile_session_share as double) as mobile_session_share,
        cast(feature_sessions.countries_seen as integer) as countries_seen,
        {%- else %}
        cast(null as integer) as sessions,
        cast(null as double) as cart_to_view_ratio,
        cast(null as double) as checkout_to_cart_ratio,
        cast(null as double) as purchase_to_session_ratio,
        cast(null as double) as sessions_per_active_day,
        cast(null as double) as mean_seconds_to_cart,
        cast(null as double) as mobile_session_share,
        cast(null as integer) as countries_seen,
        {%- endif %}
        {%- if has_offers %}
        cast(coalesce(feature_offer_clicks.offer_clicks, 0) as integer) as offer_clicks,
        {%- else %}
        cast(null as integer) as offer_clicks,
        {%- endif %}
        cast(coalesce(feature_labels.future_completed_orders, 0) as integer)
            as future_completed_orders,
        cast(coalesce(feature_labels.future_net_spend, 0) as double) as future_net_spend,
        feature_window.cutoff_date,
        feature_window.label_end_date
    from feature_rfm
    cross join feature_window
    {%- if has_events %}
    left join feature_sessions
        on feature_rfm.customer_id = feature_sessions.customer_id
    {%- endif %}
    {%- if has_offers %}
    left join feature_offer_clicks
        on feature_rfm.customer_id = feature_offer_clicks.customer_id
    {%- endif %}
    left join feature_labels
        on feature_rfm.customer_id = feature_labels.customer_id
{%- endmacro %}

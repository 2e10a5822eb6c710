{#
    One row per session of a person (bot visitors left out), up to as_of_date.

    Session attributes
      customer_id      the customer of the session's last identified event (the person at the
                       end of the session, who checks out), null for anonymous sessions.
      device, country_code, traffic_source
                       the first known value in event order (per-event values can be
                       unreadable: 'unknown' / 'ZZ' only when no event of the session has one).
      entry/exit page  the first / last event that has a page.

    Engagement (GA4-like, vars engaged_session_min_seconds / engaged_session_min_page_views):
      is_engaged = duration >= min seconds  or  page views >= min page views  or  purchased
      is_bounce  = not is_engaged
    Duration is first to last event (a single-event session lasts 0 s).

    Funnel (var funnel_steps), two views of the same events:
      has_viewed_product ... has_purchased   the event happened in the session (raw);
      <step>_step_reached_at, funnel_depth   the closed, ordered funnel: the session reaches
                                             step k at its first step-k event at or after it
                                             reached step k-1; a skipped step stops the funnel.
                                             Pivoted from fct_session_funnel_steps, its one
                                             home (funnel_depth = the last step reached).

    Orders and revenue: the orders created by the session's purchase events (order_id), any
    status, counted once; revenue = their fct_orders.net_amount (the net revenue rule:
    cancelled and returned orders bring none; shipping is not revenue).
#}
{#-
    Landing folder, incremental by the run scope (macros/utils/run_scope.sql): the visitors
    int_run_scope has in scope this run (a new, late, re-delivered or re-stitched event, an
    order or cancellation of one of their purchases, a visitor turned bot) lose their rows and
    are rebuilt from all of their events; other visitors are not read.
-#}
{{ config(**run_scope_config('visitor', 'visitor_id')) }}
{%- set steps = var('funnel_steps') -%}

with

-- Two imports of the same events, each with only its own rows: referenced once each, they
-- stream from the table instead of being materialized (10M events x every column).
events as (

    {{ behaviour_events_in_run_scope() }}

),

purchase_events as (

    {{ behaviour_events_in_run_scope() }}
        and event_type = 'purchase'
        and order_id is not null

),

orders as (

    select * from {{ ref('fct_orders') }}

),

funnel_steps_reached as (

    select * from {{ ref('fct_session_funnel_steps') }}
    where {{ in_run_scope('visitor', 'visitor_id') }}

),

session_order_ids as (

    select distinct
        session_id,
        order_id
    from purchase_events

),

session_orders as (

    select
        session_order_ids.session_id,
        count(*) as orders,
        sum(orders.net_amount) as revenue
    from session_order_ids
    inner join orders on session_order_ids.order_id = orders.order_id
    group by all

),

session_funnel as (

    select
        session_id,
        {%- for step in steps %}
            max(reached_at) filter (where step_number = {{ loop.index }})
                as {{ step.step_name }}_step_reached_at,
        {%- endfor %}
        -- closed funnel: the steps reached are 1 .. the last one
        max(step_number) as funnel_depth
    from funnel_steps_reached
    group by all

),

session_aggregates as (

    select
        session_id,
        any_value(visitor_id) as visitor_id,
        max_by(customer_id, event_number_in_session) filter (
            where customer_id is not null
        ) as customer_id,
        max_by(customer_identified_at, event_number_in_session) filter (
            where customer_id is not null
        ) as customer_identified_at,
        min_by(page_path, event_number_in_session) filter (where page_path is not null)
            as entry_page_path,
        min_by(page_type, event_number_in_session) filter (where page_path is not null)
            as entry_page_type,
        max_by(page_path, event_number_in_session) filter (where page_path is not null)
            as exit_page_path,
        max_by(page_type, event_number_in_session) filter (where page_path is not null)
            as exit_page_type,
        coalesce(
            min_by(device, event_number_in_session) filter (where device != 'unknown'),
            'unknown'
        ) as device,
        coalesce(
            min_by(country_code, event_number_in_session) filter (where country_code != 'ZZ'),
            'ZZ'
        ) as country_code,
        coalesce(
            min_by(traffic_source, event_number_in_session) filter (
                where traffic_source != 'unknown'
            ),
            'unknown'
        ) as traffic_source,
        any_value(visitor_session_number) as visitor_session_number,
        count(*) as events,
        count(*) filter (
            where event_type in {{ sql_list(var('page_view_event_types')) }}
        ) as page_views,
        count(*) filter (where event_type = 'product_view') as product_views,
        bool_or(event_type = 'product_view') as has_viewed_product,
        bool_or(event_type = 'add_to_cart') as has_added_to_cart,
        bool_or(event_type = 'begin_checkout') as has_begun_checkout,
        bool_or(event_type = 'purchase') as has_purchased,
        min(event_at) as started_at,
        max(event_at) as ended_at,
        max(arrived_on) as last_event_arrived_on
    from events
    group by all

),

sessions_measured as (

    select
        session_aggregates.*,
        cast({{ milliseconds_between('started_at', 'ended_at') }} as double) / 1000 as duration_seconds,  -- noqa: LT05
        coalesce(session_orders.orders, 0) as orders,
        coalesce(session_orders.revenue, 0) as revenue,
        (
            {{ milliseconds_between('started_at', 'ended_at') }}
            >= {{ var('engaged_session_min_seconds') }} * 1000
            or session_aggregates.page_views >= {{ var('engaged_session_min_page_views') }}
            or session_aggregates.has_purchased
        ) as is_engaged,
        {%- for step in steps %}
            session_funnel.{{ step.step_name }}_step_reached_at,
        {%- endfor %}
        coalesce(session_funnel.funnel_depth, 0) as funnel_depth
    from session_aggregates
    left join session_orders on session_aggregates.session_id = session_orders.session_id
    left join session_funnel on session_aggregates.session_id = session_funnel.session_id

),

final as (

    select
        -- ids
        session_id,
        visitor_id,
        customer_id,
        -- strings
        device,
        country_code,
        traffic_source,
        entry_page_path,
        entry_page_type,
        exit_page_path,
        exit_page_type,
        -- numerics
        cast(visitor_session_number as bigint) as visitor_session_number,
        cast(duration_seconds as double) as duration_seconds,
        cast(events as bigint) as events,
        cast(page_views as bigint) as page_views,
        cast(product_views as bigint) as product_views,
        cast(funnel_depth as integer) as funnel_depth,
        cast(orders as bigint) as orders,
        cast(revenue as decimal(18, 2)) as revenue,
        -- booleans
        has_viewed_product,
        has_added_to_cart,
        has_begun_checkout,
        has_purchased,
        customer_id is not null as is_identified,
        is_engaged,
        not is_engaged as is_bounce,
        -- dates and timestamps
        cast(started_at as date) as session_date,
        started_at,
        {%- for step in steps %}
            {{ step.step_name }}_step_reached_at,
        {%- endfor %}
        ended_at,
        customer_identified_at,
        last_event_arrived_on
    from sessions_measured

)

select * from final

{#
    One row per customer x offer the customer was shown, clicked or redeemed by as_of_date.

    Shown / clicked: non-bot offer_impression / offer_click events carrying the offer, counted
    for the event's (stitched) customer; anonymous visitors are not customers and are left out.
    Redeemed: completed orders with the offer (the net spend rule: cancelled and returned
    orders are not redemptions). is_converted: reached (at least one impression) and redeemed.
#}
{#-
    Landing folder, incremental by the run scope (macros/utils/run_scope.sql): the customers
    int_run_scope has in scope this run (new, late or re-stitched events, orders, cancellations)
    lose their rows and are rebuilt from all of their offer events and orders; other customers
    are not read.
-#}
{{ config(**run_scope_config('customer', 'customer_id')) }}

with

as_of as (

    select {{ as_of_date() }} as as_of_date

),

offer_events as (

    select events.*
    from {{ ref('int_events_sessionized') }} as events
    cross join as_of
    where
        events.event_type in ('offer_impression', 'offer_click')
        and events.offer_id is not null
        and events.customer_id is not null
        and not events.is_bot
        and events.event_date <= as_of.as_of_date
        and {{ in_run_scope('customer', 'events.customer_id') }}

),

redemptions as (

    select orders.*
    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where
        orders.is_counted
        and orders.offer_id is not null
        and orders.order_date <= as_of.as_of_date
        and {{ in_run_scope('customer', 'orders.customer_id') }}

),

events_per_pair as (

    select
        customer_id,
        offer_id,
        count(*) filter (where event_type = 'offer_impression') as impressions,
        count(*) filter (where event_type = 'offer_click') as clicks,
        min(event_at) filter (where event_type = 'offer_impression') as first_impression_at
    from offer_events
    group by all

),

redemptions_per_pair as (

    select
        customer_id,
        offer_id,
        count(*) as redemptions,
        sum(discount_amount) as discount_given,
        sum(net_amount) as redemption_net_amount,
        min(ordered_at) as first_redeemed_at
    from redemptions
    group by all

),

final as (

    select
        -- ids
        coalesce(events_per_pair.customer_id, redemptions_per_pair.customer_id) as customer_id,
        coalesce(events_per_pair.offer_id, redemptions_per_pair.offer_id) as offer_id,
        -- numerics
        cast(coalesce(events_per_pair.impressions, 0) as integer) as impressions,
        cast(coalesce(events_per_pair.clicks, 0) as integer) as clicks,
        cast(coalesce(redemptions_per_pair.redemptions, 0) as integer) as redemptions,
        cast(coalesce(redemptions_per_pair.discount_given, 0) as decimal(18, 2)) as discount_given,
        cast(coalesce(redemptions_per_pair.redemption_net_amount, 0) as decimal(18, 2))
            as redemption_net_amount,
        -- booleans
        coalesce(events_per_pair.impressions, 0) > 0 as is_reached,
        coalesce(events_per_pair.impressions, 0) > 0
        and coalesce(redemptions_per_pair.redemptions, 0) > 0 as is_converted,
        -- timestamps
        events_per_pair.first_impression_at,
        redemptions_per_pair.first_redeemed_at
    from events_per_pair
    full outer join redemptions_per_pair
        on
            events_per_pair.customer_id = redemptions_per_pair.customer_id
            and events_per_pair.offer_id = redemptions_per_pair.offer_id

)

select * from final

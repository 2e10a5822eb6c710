{#
    One row per visitor x offer the visitor was shown or clicked (offer_impression /
    offer_click events carrying the offer; bot visitors left out, up to as_of_date), anonymous
    visitors included: the per-event work of mart_offer_performance's reach and clicks, which
    adds these up instead of reading every event.
#}
{#-
    Landing folder, incremental by the run scope (macros/utils/run_scope.sql), as fct_sessions:
    the visitors in scope are rebuilt from all of their offer events.
-#}
{{ config(**run_scope_config('visitor', 'visitor_id')) }}

with

offer_events as (

    {{ behaviour_events_in_run_scope() }}
        and event_type in ('offer_impression', 'offer_click')
        and offer_id is not null

),

final as (

    select
        -- ids
        visitor_id,
        offer_id,
        -- numerics
        cast(count(*) filter (where event_type = 'offer_impression') as integer) as impressions,
        cast(count(*) filter (where event_type = 'offer_click') as integer) as clicks
    from offer_events
    group by visitor_id, offer_id

)

select * from final

{#
    One row per kept event (its keys only), with `customer_id` resolved across the visitor's history
    (identity stitching). The rule, applied in event order per visitor_id:
      1. an event that carries a customer_id keeps it (the visitor was logged in);
      2. an anonymous event belongs to the customer of the visitor's NEXT identified event, so
         once a visitor logs in, its earlier anonymous events become that customer's,
         retroactively (on a shared device, each stretch goes to whoever logged in next);
      3. anonymous events after the visitor's last identified event belong to that last
         customer (the cookie is still theirs);
      4. a visitor that never identifies stays anonymous (customer_id null).
    `logged_in_customer_id` keeps what the event itself carried.
#}
{#- A view, and narrow (the keys and the two customer columns): int_events_sessionized reads
    it for the visitors it (re)builds, sorts these few columns per visitor, and joins the
    session columns back to the full event rows by event_id. Sorting every column of 10M
    events three times was the slowest step of the build. -#}
{{ config(materialized='view') }}
with

events as (

    select
        event_id,
        visitor_id,
        event_at,
        customer_id
    from {{ ref('int_events_deduplicated') }}

),

final as (

    select
        event_id,
        visitor_id,
        event_at,
        customer_id as logged_in_customer_id,
        coalesce(
            customer_id,
            first_value(customer_id ignore nulls) over (
                partition by visitor_id
                order by event_at, event_id
                rows between current row and unbounded following
            ),
            last_value(customer_id ignore nulls) over (
                partition by visitor_id
                order by event_at, event_id
                rows between unbounded preceding and current row
            )
        ) as customer_id
    from events

)

select * from final

{#
    Online Retail has no web events (only invoices): an empty relation with the canonical event
    columns (as stg_demo__events), so the shared silver and every mart build; behaviour marts
    (sessions, funnels, paths, active users from events) are empty.
#}
select
    cast(null as varchar) as source_row_id,
    cast(null as json) as raw_record,
    cast(null as varchar) as source_file,
    cast(null as varchar) as event_id,
    cast(null as varchar) as visitor_id,
    cast(null as varchar) as customer_id,
    cast(null as varchar) as product_id,
    cast(null as varchar) as offer_id,
    cast(null as varchar) as order_id,
    cast(null as varchar) as event_type,
    cast(null as varchar) as page_path,
    cast(null as varchar) as page_type,
    cast(null as varchar) as device,
    cast(null as varchar) as country_code,
    cast(null as varchar) as traffic_source,
    cast(null as varchar) as user_agent,
    cast(null as decimal(18, 2)) as price,
    cast(null as integer) as quantity,
    cast(null as date) as arrived_on,
    cast(null as timestamp) as event_at,
    cast(null as varchar) as quarantine_reason
where false

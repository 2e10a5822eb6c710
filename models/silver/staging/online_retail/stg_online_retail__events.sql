{#
    Online Retail has no web events (only invoices): an empty relation with the canonical event
    columns (as stg_demo__events), so the shared silver and every mart build; behaviour marts
    (sessions, funnels, paths, active users from events) are empty.
#}
select
    cast(null as string) as source_row_id,
    cast(null as {{ type_json() }}) as raw_record,
    cast(null as string) as source_file,
    cast(null as string) as event_id,
    cast(null as string) as visitor_id,
    cast(null as string) as customer_id,
    cast(null as string) as product_id,
    cast(null as string) as offer_id,
    cast(null as string) as order_id,
    cast(null as string) as event_type,
    cast(null as string) as page_path,
    cast(null as string) as page_type,
    cast(null as string) as device,
    cast(null as string) as country_code,
    cast(null as string) as traffic_source,
    cast(null as string) as user_agent,
    cast(null as decimal(18, 2)) as price,
    cast(null as integer) as quantity,
    cast(null as date) as arrived_on,
    cast(null as timestamp) as event_at,
    cast(null as string) as quarantine_reason
where false

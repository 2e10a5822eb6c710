{#
    One row per user_id in the REES46 log: the source has no customer table, so the customer is
    built from the events (every readable line with a user_id, whatever its event type).

      signed_up_at   the user's first event (UTC): the log has no signup date
      updated_at     the user's last event
      gender U, country_code ZZ, acquisition_channel / subscription_status `unknown`,
      birth_year null: not in the log.

    Events dated after their delivery (is_after_delivery) do not count for the first and last
    event. Row-level quarantine reasons: timestamp_after_delivery (every dated event of the
    user is after its delivery), invalid_timestamp (no readable event_time on any line).
#}
with

events as (

    select
        *,
        case when is_after_delivery is not true then event_at end as plausible_event_at
    from {{ ref('base_rees46__events_typed') }}
    where visitor_id is not null

),

customers as (

    select
        customer_id,
        min(source_file) as source_file,
        min(plausible_event_at) as first_event_at,
        max(plausible_event_at) as last_event_at,
        bool_or(is_after_delivery) as has_event_after_delivery,
        count(*) as events_landed
    from events
    group by all

),

recorded as (

    select
        *,
        {{ json_object([
            ('user_id', 'customer_id'),
            ('events_landed', 'events_landed'),
        ]) }} as raw_record
    from customers

),

final as (

    select
        {{ landed_row_id(['source_file', 'raw_record']) }} as source_row_id,
        raw_record,
        source_file,
        customer_id,
        'U' as gender,
        'ZZ' as country_code,
        'unknown' as acquisition_channel,
        'unknown' as subscription_status,
        cast(null as integer) as birth_year,
        first_event_at as signed_up_at,
        last_event_at as updated_at,
        case
            when first_event_at is null and has_event_after_delivery
                then 'timestamp_after_delivery'
            when first_event_at is null then 'invalid_timestamp'
        end as quarantine_reason
    from recorded

)

select * from final

{#
    One row per landed customer row (a customer may land several times: later rows are updated
    versions, resolved in int_customers_deduplicated). Typed and cleaned, with a row-level
    `quarantine_reason`. An implausible birth year is a cleaning case, not a quarantine case:
    it becomes null and the row is kept (so does a birth year that is not a whole number:
    exact_cast, never rounded). A row whose signup or update time is after its delivery
    (is_after_delivery) is quarantined as timestamp_after_delivery: an update dated 2100 would
    otherwise be the customer's latest version for ever.
#}

with

source as (

    select
        *,
        {{ landed_values() }} as landed_values
    from {{ ref('base_demo__customers') }}

),

typed as (

    select
        source_row_id,
        read_error,
        read_error_record,
        landed_values,
        source_file,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_enum('gender') }} as gender_raw,
        upper({{ clean_text('country') }}) as country_code,
        {{ clean_enum('acquisition_channel') }} as acquisition_channel_raw,
        {{ clean_enum('subscription_status') }} as subscription_status_raw,
        {{ exact_cast('birth_year', 'integer') }} as birth_year_raw,
        {{ parse_timestamp_utc('signup_time') }} as signed_up_at,
        {{ parse_timestamp_utc('updated_time') }} as updated_at_raw
    from source

),

cleaned as (

    select
        source_row_id,
        read_error,
        read_error_record,
        landed_values,
        source_file,
        customer_id,
        case when gender_raw in {{ sql_list(var('genders')) }} then upper(gender_raw) else 'U' end
            as gender,
        case
            when {{ regexp_full_match('country_code', "'[A-Z]{2}'") }} then country_code
            else 'ZZ'
        end as country_code,
        case
            when acquisition_channel_raw in {{ sql_list(var('acquisition_channels')) }}
                then acquisition_channel_raw
            else 'unknown'
        end as acquisition_channel,
        case
            when subscription_status_raw in {{ sql_list(var('subscription_statuses')) }}
                then subscription_status_raw
            else 'unknown'
        end as subscription_status,
        case
            when birth_year_raw between {{ var('earliest_birth_year') }}
                and extract(year from signed_up_at) - {{ var('min_customer_age_years') }}
                then birth_year_raw
        end as birth_year,
        signed_up_at,
        coalesce(updated_at_raw, signed_up_at) as updated_at,
        case
            when read_error is not null then read_error
            when customer_id is null then 'missing_customer_id'
            when signed_up_at is null then 'invalid_timestamp'
            when {{ is_after_delivery(
                'greatest(signed_up_at, updated_at_raw)', arrival_date('source_file'), 'typed'
            ) }} then 'timestamp_after_delivery'
        end as quarantine_reason
    from typed

),

final as (

    {{ select_staged_rows() }}

)

select * from final

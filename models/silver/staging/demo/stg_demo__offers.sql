{#
    One row per landed offer row: typed and cleaned, with a row-level `quarantine_reason`.
    Amounts are cast exactly (exact_cast): more than two decimals is invalid_amount, never
    rounded. Validity dates are not checked against the delivery date: an offer may be
    scheduled ahead.
#}

with

source as (

    select
        *,
        {{ landed_values() }} as landed_values
    from {{ ref('base_demo__offers') }}

),

typed as (

    select
        source_row_id,
        read_error,
        read_error_record,
        landed_values,
        source_file,
        {{ clean_text('offer_id') }} as offer_id,
        {{ clean_text('offer_name') }} as offer_name,
        {{ clean_enum('offer_category') }} as offer_category,
        {{ clean_enum('offer_type') }} as offer_type,
        {{ exact_cast('discount_value', 'decimal(18, 2)') }} as discount_value,
        {{ exact_cast('min_spend', 'decimal(18, 2)') }} as min_spend,
        {{ parse_date('valid_from') }} as valid_from_date,
        {{ parse_date('valid_to') }} as valid_to_date
    from source

),

cleaned as (

    select
        *,
        case
            when read_error is not null then read_error
            when offer_id is null then 'missing_offer_id'
            when offer_type is null or offer_type not in {{ sql_list(var('offer_types')) }}
                then 'invalid_offer_type'
            when discount_value is null or discount_value < 0 then 'invalid_amount'
            when min_spend is null or min_spend <= 0 then 'invalid_amount'
            when valid_from_date is null or valid_to_date is null then 'invalid_timestamp'
            when valid_to_date < valid_from_date then 'invalid_validity_window'
        end as quarantine_reason
    from typed

),

final as (

    {{ select_staged_rows() }}

)

select * from final

{#
    One row per landed Online Retail invoice line (lines DuckDB could not read included): the
    canonical order-line columns and the line's row-level treatment as quarantine_reason (see
    base_online_retail__invoice_lines_typed). Cancellation lines carry the absolute quantity.
#}
with

lines as (

    select * from {{ ref('base_online_retail__invoice_lines_typed') }}

),

final as (

    select
        source_row_id,
        raw_record,
        source_file,
        order_id,
        product_id,
        line_number,
        quantity,
        unit_price,
        line_amount,
        line_quarantine_reason as quarantine_reason
    from lines

)

select * from final

{#
    One row per order line (order_id, line_number) that passed validation.
#}
with

order_lines as (

    select * from {{ ref('int_order_lines_validated') }}
    where quarantine_reason is null

),

final as (

    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        line_amount,
        source_row_id
    from order_lines
    qualify row_number() over (
            partition by order_id, line_number
            order by source_row_id
        ) = 1

)

select * from final

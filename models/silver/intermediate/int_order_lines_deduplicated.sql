{#
    One row per order line (order_id, line_number) that passed validation. The valid copies of
    a line left after int_order_lines_validated are exact redeliveries (other content:
    conflicting_redelivery there); the earliest delivered one is kept (kept_copy_order).
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
            order by {{ kept_copy_order('order_lines') }}
        ) = 1

)

select * from final

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

numbered as (

    select
        *,
        row_number() over (
            partition by order_id, line_number
            order by {{ kept_copy_order('order_lines') }}
        ) as copy_number
    from order_lines

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
    from numbered
    where copy_number = 1

)

select * from final

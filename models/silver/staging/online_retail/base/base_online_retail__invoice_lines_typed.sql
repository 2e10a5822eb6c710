{#
    One row per landed Online Retail line (base_online_retail__invoice_lines): typed, keys
    derived, and the line's treatment as a row-level `line_quarantine_reason` (null = a product
    line of an order). The four staging models of this source read it:
    stg_online_retail__order_lines (one row each), __orders (per invoice), __customers (per
    CustomerID) and __products (per stock code). Treatments, first match wins (counts measured
    on the shared sample in docs/source_adapters.md):

      read_error              a line DuckDB could not read (too_few_fields, ...)
      missing_order_id        no InvoiceNo
      timestamp_after_delivery  InvoiceDate after the end of the day in its file's name
                              (YYYY-MM-DD.csv) plus var future_timestamp_tolerance_hours
                              (is_after_delivery; any kind of line)
      shipping_line           POST / DOT / C2 (postage, carriage): not a product; its amount is
                              the order's shipping_amount
      non_product_line        M, D, S, B, AMAZONFEE, BANK CHARGES, CRUK, PADS, gift vouchers:
                              manual adjustments, fees, discounts, samples, bad debt, vouchers
      missing_product_id      no StockCode
      invalid_quantity        unreadable, not a whole number (never rounded), zero, or
                              positive on a cancellation
      stock_adjustment_line   negative quantity on an invoice that is not a cancellation (stock
                              written off: damages, "?", ...; all without customer and price)
      invalid_price           unreadable, zero or negative UnitPrice, or more decimals than
                              the money type holds (2; never rounded). The shared files have
                              one price with three decimals (0.001, on a PADS line: a
                              non_product_line, whatever its price)
      invalid_timestamp       InvoiceDate unreadable
      missing_customer_id     a guest line: the order cannot be attributed to a customer

    Cancellations (InvoiceNo starting with C) are not a reason: they are orders with status
    `cancelled` whose lines carry the absolute quantity (the sign is kept in raw_record).
    Exact duplicate lines (all eight values equal) share order_id and line_number, so
    int_order_lines_deduplicated keeps one copy; `is_duplicate_copy` marks the others so order
    amounts count each line once.
#}
{%- set shipping_codes = var('online_retail_shipping_stock_codes') -%}
{%- set non_product_pattern = var('online_retail_non_product_stock_code_pattern') -%}
{%- set timezone = var('online_retail_timezone') -%}

with

lines as (

    select * from {{ ref('base_online_retail__invoice_lines') }}

),

typed as (

    select
        -- lineage
        source_row_id,
        {{ landed_values_json(landed_values()) }} as raw_record,
        source_file,
        read_error,

        -- ids
        upper({{ clean_text('invoice_no') }}) as order_id,
        upper({{ clean_text('stock_code') }}) as product_id,
        -- 17850.0 -> 17850
        regexp_replace({{ clean_text('customer_id') }}, '\.0*$', '') as customer_id,

        -- strings
        {{ clean_text('description') }} as description,
        {{ clean_text('country') }} as country_name,

        -- numerics
        {{ exact_cast('quantity', 'integer') }} as signed_quantity,
        {{ exact_cast('unit_price', 'decimal(18, 2)') }} as unit_price,

        -- timestamps: UK local wall-clock time -> UTC
        {{ local_to_utc(
            try_strptime_utc('trim(invoice_date)', [
                '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S'
            ]),
            sql_string(timezone, 'var online_retail_timezone')
        ) }} as invoiced_at
    from lines

),

classified as (

    select
        *,
        {{ starts_with('order_id', "'C'") }} as is_cancellation,
        coalesce(product_id in {{ sql_list(shipping_codes) }}, false) as is_shipping_line,
        coalesce(
            {{ regexp_full_match('product_id', sql_string(
                non_product_pattern, 'var online_retail_non_product_stock_code_pattern'
            )) }},
            false
        ) as is_non_product_line,
        -- The whole table is read every run, so a file without a date in its name gets the
        -- day derived from all lines (latest_plausible_at).
        coalesce(
            {{ is_after_delivery('invoiced_at', arrival_date('source_file'), 'typed') }}, false
        ) as is_after_delivery
    from typed

),

final as (

    select
        source_row_id,
        raw_record,
        source_file,
        order_id,
        -- Position among the invoice's distinct lines (by landed values: the files carry no
        -- line order). Exact duplicates share it, so they deduplicate.
        cast(dense_rank() over (partition by order_id order by raw_record) as integer)
            as line_number,
        product_id,
        customer_id,
        description,
        country_name,
        signed_quantity,
        abs(signed_quantity) as quantity,
        unit_price,
        abs(signed_quantity) * unit_price as line_amount,
        is_cancellation,
        is_shipping_line,
        is_non_product_line,
        row_number() over (partition by raw_record order by source_row_id) > 1 as is_duplicate_copy,
        is_after_delivery,
        invoiced_at,
        case
            when read_error is not null then read_error
            when order_id is null then 'missing_order_id'
            when is_after_delivery then 'timestamp_after_delivery'
            when is_shipping_line then 'shipping_line'
            when is_non_product_line then 'non_product_line'
            when product_id is null then 'missing_product_id'
            when signed_quantity is null or signed_quantity = 0 then 'invalid_quantity'
            when signed_quantity < 0 and not is_cancellation then 'stock_adjustment_line'
            when signed_quantity > 0 and is_cancellation then 'invalid_quantity'
            when unit_price is null or unit_price <= 0 then 'invalid_price'
            when invoiced_at is null then 'invalid_timestamp'
            when customer_id is null then 'missing_customer_id'
        end as line_quarantine_reason
    from classified

)

select * from final

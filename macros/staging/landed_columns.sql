{#
    The landed columns of each bronze table of the canonical (demo) format, in file order: the
    contract for seeds and landing files alike. Staging models, the landing file reader
    (landing_read), the landing file checks and raw_record all read it from here
    (audit_landing_files fails the build if a file's header differs from these; the column
    lists of models/bronze/_landing__sources.yml document the same names).
#}
{% macro landed_columns(table_name=none) -%}
    {%- set tables = {
        'customers': ['customer_id', 'signup_time', 'birth_year', 'gender', 'country',
                      'acquisition_channel', 'subscription_status', 'updated_time'],
        'products': ['product_id', 'product_name', 'category', 'category_path', 'brand',
                     'list_price'],
        'offers': ['offer_id', 'offer_name', 'offer_category', 'offer_type', 'discount_value',
                   'min_spend', 'valid_from', 'valid_to'],
        'events': ['event_id', 'event_time', 'visitor_id', 'customer_id', 'event_type',
                   'page_path', 'product_id', 'price', 'quantity', 'offer_id', 'order_id',
                   'device', 'country', 'traffic_source', 'user_agent'],
        'orders': ['order_id', 'customer_id', 'order_time', 'status', 'subtotal_amount',
                   'discount_amount', 'shipping_amount', 'total_amount', 'offer_id'],
        'order_lines': ['order_id', 'line_number', 'product_id', 'quantity', 'unit_price',
                        'line_amount'],
    } -%}
    {{ return(tables if table_name is none else tables[table_name]) }}
{%- endmacro %}

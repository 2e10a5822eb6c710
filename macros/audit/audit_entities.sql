{#
    The canonical silver entities and, for each, the models that hold its rows at each stage.
    The audit models iterate over this list, so they work for every source system.

      staged     one row per landed row (the source system's staging model)
      validated  the same rows with the final quarantine_reason (reference checks and
                 conflicting_redelivery added: int_<entity>_validated)
      kept       the entity's final silver model
      record_key the row's key as one text expression: what makes a kept row unique (valid rows
                 beyond the first per key are deduplicated) and what quarantine shows
#}
{% macro audit_entities() -%}
    {{ return([
        {'entity': 'customers', 'staged': staged('customers'), 'validated': ref('int_customers_validated'),
         'kept': ref('int_customers_deduplicated'),
         'record_key': 'customer_id'},
        {'entity': 'products', 'staged': staged('products'), 'validated': ref('int_products_validated'),
         'kept': ref('int_products_deduplicated'),
         'record_key': 'product_id'},
        {'entity': 'offers', 'staged': staged('offers'), 'validated': ref('int_offers_validated'),
         'kept': ref('int_offers_deduplicated'), 'record_key': 'offer_id'},
        {'entity': 'orders', 'staged': staged('orders'), 'validated': ref('int_orders_validated'),
         'kept': ref('int_orders_deduplicated'), 'record_key': 'order_id'},
        {'entity': 'order_lines', 'staged': staged('order_lines'),
         'validated': ref('int_order_lines_validated'),
         'kept': ref('int_order_lines_deduplicated'),
         'record_key': "order_id || '#' || cast(line_number as string)"},
        {'entity': 'events', 'staged': staged('events'), 'validated': ref('int_events_validated'),
         'kept': ref('int_events_sessionized'), 'record_key': 'event_id'},
    ]) }}
{%- endmacro %}


{#
    Name of the bronze table an entity's rows landed in, for the source system in use.
    Source adapters register their tables here.
#}
{% macro source_table_name(entity) -%}
    {%- set names = {
        'demo': {
            'customers': 'raw_customers', 'products': 'raw_products', 'offers': 'raw_offers',
            'orders': 'raw_orders', 'order_lines': 'raw_order_lines', 'events': 'raw_events',
        },
        'online_retail': {
            'customers': 'online_retail.invoice_lines', 'products': 'online_retail.invoice_lines',
            'offers': 'none', 'orders': 'online_retail.invoice_lines',
            'order_lines': 'online_retail.invoice_lines', 'events': 'none',
        },
        'rees46': {
            'customers': 'rees46.events', 'products': 'rees46.events', 'offers': 'none',
            'orders': 'rees46.events', 'order_lines': 'rees46.events', 'events': 'rees46.events',
        },
    } -%}
    {%- set system = var('source_system') -%}
    {%- if system == 'demo' and var('bronze_source') == 'landing' -%}
        {{ return('landing.' ~ entity) }}
    {%- endif -%}
    {%- if system not in names or entity not in names[system] -%}
        {{ exceptions.raise_compiler_error(
            "source_table_name: no bronze table registered for source system '" ~ system
            ~ "', entity '" ~ entity ~ "' (macros/audit/audit_entities.sql)") }}
    {%- endif -%}
    {{ return(names[system][entity]) }}
{%- endmacro %}

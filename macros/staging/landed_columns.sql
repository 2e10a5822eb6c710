{#
    The one column specification of every landed table: the columns of its dbt source in
    models/bronze/_<source>__sources.yml, in file order. The base models (landed_rows: the
    reader and the header check), the staging models, raw_record and the demo generator
    (customer_behaviour.generate reads _landing__sources.yml) all take the columns from there.

      landed_columns(source, table)      column names as bronze names them (invoice_no)
      landed_file_header(source, table)  the names in the file's header line, in order: a
                                         column's config.meta.file_column (InvoiceNo) when the
                                         file names it otherwise, else its name

    Read from the parsed project (graph), so only at execution; while parsing both are empty
    lists (nothing runs then).
#}
{% macro landed_columns(source_name, table_name) -%}
    {{ return(landed_column_specs(source_name, table_name) | map(attribute='name') | list) }}
{%- endmacro %}


{% macro landed_file_header(source_name, table_name) -%}
    {%- set names = [] -%}
    {%- for c in landed_column_specs(source_name, table_name) -%}
        {%- set meta = c.get('config', {}).get('meta', {}) or c.get('meta', {}) -%}
        {%- do names.append(meta.get('file_column', c['name'])) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{% macro landed_column_specs(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- for node in graph.sources.values()
        if node.source_name == source_name and node.name == table_name -%}
        {%- if not node.columns -%}
            {{ exceptions.raise_compiler_error(
                "source " ~ source_name ~ "." ~ table_name ~ " lists no columns in "
                ~ node.original_file_path ~ ": its columns are the landed file's, in order") }}
        {%- endif -%}
        {{ return(node.columns.values() | list) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "no source " ~ source_name ~ "." ~ table_name ~ " in models/bronze (landed_columns)") }}
{%- endmacro %}

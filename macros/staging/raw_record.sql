{#
    Lineage columns every staging model carries for each landed row:

      source_row_id  landed_row_id: one scheme for every row the warehouse derives from landed
                     data (base models: a landed line; adapters' derived entities: an invoice,
                     a customer, ...)
      raw_record     the row's landed values as JSON (what quarantine shows a user):
                     landed_values_json
#}


{#
    The row id of every landed or derived row: hex of a 64-bit hash of `columns` (SQL
    expressions; the base models hash source_file, line_number and every landed value) plus
    the row's occurrence among rows of the same source_file with the same hash (exact duplicate
    lines get -1, -2, ...). It depends only on the file and the row, so a day-by-day load and a
    full refresh give the same ids. Two different rows sharing the 64-bit hash (odds about
    n^2 / 2^65: 3e-6 at 10M rows) would share an id and fail the unique test on it: a loud
    error, never a silent merge.
#}
{% macro landed_row_id(columns) -%}
    {%- set values_hash = columns_hash(columns) -%}
    printf('%016x-%d', {{ values_hash }}, row_number() over (
        partition by source_file, {{ values_hash }} order by {{ values_hash }}
    ))
{%- endmacro %}


{#
    The landed values of a base model's row (every column but the lineage ones: landed_rows),
    as a struct: cheap to carry through a staging model (no copy of the text), written out as
    JSON only where needed.

      landed_values()       SQL: the struct, in a select over a base model
      landed_values_json()  SQL: raw_record of such a row: the unreadable line's
                            read_error_record, else the landed values as JSON

    The staging models of the built-in schema (stg_demo__*, 10M events and more) write
    raw_record only for the rows they quarantine (the rows an auditor needs it for; null for
    the rows staging keeps):

        source CTE:   {{ landed_values() }} as landed_values
        final select: {{ select_staged_rows() }}
#}
{% macro landed_values() -%}
    {{ struct_except([
        'source_row_id', 'source_file', 'source_line_number', 'read_error', 'read_error_record'
    ]) }}
{%- endmacro %}


{% macro landed_values_json(values='landed_values') -%}
    coalesce(read_error_record, {{ struct_to_json(values) }})
{%- endmacro %}


{#-
    The last select of a stg_demo__* model: source_row_id, raw_record (landed values of the
    rows it quarantines), then every typed column of `relation`, without the landed values.
-#}
{% macro select_staged_rows(relation='cleaned') -%}
    select
        source_row_id,
        case when quarantine_reason is not null then {{ landed_values_json() }} end as raw_record,
        {{ star_except(
            ['source_row_id', 'read_error', 'read_error_record', 'landed_values'], relation
        ) }}
    from {{ relation }}
{%- endmacro %}


{#-
    The last select of an int_*_validated model. A row staging kept has no raw_record; if a
    reference check quarantines it, the audit gets its staged (typed) values as JSON instead,
    next to the reason. `entity`: the model's staging entity, whose columns (source_row_id and
    raw_record first, as select_staged_rows writes them) `relation` has.
-#}
{% macro select_validated_rows(relation='final', entity=none) -%}
    select
        {{ relation }}.source_row_id,
        coalesce(
            {{ relation }}.raw_record,
            case
                when {{ relation }}.quarantine_reason is not null
                    then {{ row_json(relation, staged(entity)) }}
            end
        ) as raw_record,
        {{ star_except(['source_row_id', 'raw_record'], relation) }}
    from {{ relation }}
{%- endmacro %}

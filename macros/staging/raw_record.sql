{#
    Lineage columns every staging model carries for each landed row:

      raw_record     the row's landed values as JSON text (what quarantine shows a user)
      source_row_id  md5 of the landing file and raw_record, plus the row's occurrence among
                     identical rows of that file: exact duplicates get distinct ids, and the id
                     is the same whether the files are loaded all at once or one day at a time

    `columns` is the landed column list, written out in the staging model (not looked up in the
    database, so unit tests and a cold parse work).
#}
{% macro raw_record(columns) -%}
    to_json(struct_pack(
        {%- for c in columns %}
        {{ c }} := {{ c }}{{ "," if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}


{% macro source_row_id(raw_record_column='raw_record') -%}
    md5(coalesce(source_file, '') || {{ raw_record_column }}) || '-' || cast(
        row_number() over (partition by source_file, {{ raw_record_column }}) as varchar
    )
{%- endmacro %}

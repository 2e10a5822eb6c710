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


{#
    Cheap lineage for the built-in schema's staging models (stg_demo__*), which carry the
    volume (10M events and more). Per row it costs one 64-bit hash and a window over that hash,
    instead of a JSON document and an md5 for every row:

        source CTE:   {{ landed_row_hash(raw_columns) }} as landed_row_hash,
                      {{ landed_values(raw_columns) }}
        typed CTE:    {{ landed_row_id() }} as source_row_id
        final select: {{ raw_record_when(raw_columns, 'quarantine_reason is not null') }}
                          as raw_record

    landed_row_id   hex of hash(source_file, every landed value) plus the row's occurrence
                    among identical rows of that file (exact duplicate lines get -1, -2, ...).
                    It depends only on the file and the row, so a day-by-day load and a full
                    refresh give the same ids. Two different rows sharing the 64-bit hash (odds
                    about n^2 / 2^65: 3e-6 at 10M rows) would share an id and fail the unique
                    test on it: a loud error, never a silent merge.
    raw_record      the landed text values as JSON, only for rows staging quarantines (the rows
                    an auditor needs them for); null for the rows staging keeps.
#}
{% macro landed_row_hash(columns) -%}
    hash(source_file, {{ columns | join(', ') }})
{%- endmacro %}


{% macro landed_values(columns) -%}
    {%- for c in columns %}{{ c }} as landed__{{ c }}{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}


{% macro landed_value_names(columns) -%}
    {%- for c in columns %}landed__{{ c }}{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}


{% macro landed_row_id(hash_column='landed_row_hash') -%}
    printf('%016x-%d', {{ hash_column }}, row_number() over (
        partition by source_file, {{ hash_column }}
    ))
{%- endmacro %}


{% macro raw_record_when(columns, condition) -%}
    case when {{ condition }} then to_json(struct_pack(
        {%- for c in columns %}
        {{ c }} := landed__{{ c }}{{ "," if not loop.last }}
        {%- endfor %}
    )) end
{%- endmacro %}


{#-
    The last select of a stg_demo__* model: source_row_id, raw_record (landed values of the
    rows it quarantines), then every typed column of `relation`, without the landed__ copies.
-#}
{% macro select_staged_rows(columns, relation='cleaned') -%}
    select
        source_row_id,
        {{ raw_record_when(columns, 'quarantine_reason is not null') }} as raw_record,
        {{ relation }}.* exclude (source_row_id, {{ landed_value_names(columns) }})
    from {{ relation }}
{%- endmacro %}


{#-
    The last select of an int_*_validated model. A row staging kept has no raw_record; if a
    reference check quarantines it, the audit gets its staged (typed) values as JSON instead,
    next to the reason.
-#}
{% macro select_validated_rows(relation='final') -%}
    select
        {{ relation }}.* replace (
            coalesce(
                {{ relation }}.raw_record,
                case when {{ relation }}.quarantine_reason is not null then to_json({{ relation }}) end
            ) as raw_record
        )
    from {{ relation }}
{%- endmacro %}

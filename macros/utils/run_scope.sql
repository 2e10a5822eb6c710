{#
    The run scope (model int_run_scope) and how incremental gold models use it. One rule for
    every such model: on an incremental run, the rows of every key in scope are deleted first
    (pre_hook) and rebuilt from all of that key's data; keys out of scope are not read. A key
    whose data is gone (a visitor turned bot) is deleted and nothing is inserted for it.

        {{ config(**run_scope_config('visitor', 'visitor_id')) }}
        ...
        where {{ in_run_scope('visitor', 'visitor_id') }}

    On the seeds (landing_materialization() = table) and on a full refresh the models are
    rebuilt whole and the scope is not read.
#}

{#- The vars the incremental gold facts apply to the data (a test checks the list against the
    models and the macros they call). They are part of every fingerprint, so changing one puts
    every key in scope: the next run rebuilds the facts whole, no --full-refresh needed. -#}
{% macro run_scope_settings() -%}
    {{ return([
        'funnel_steps', 'product_event_types', 'page_view_event_types',
        'session_path_max_steps', 'engaged_session_min_seconds',
        'engaged_session_min_page_views', 'active_window_days', 'weekly_active_window_days',
    ]) }}
{%- endmacro %}


{#- run_scope_settings() with their values, as one SQL string literal. -#}
{% macro run_scope_settings_literal() -%}
    {%- set settings = {} -%}
    {%- for name in run_scope_settings() -%}
        {%- do settings.update({name: var(name)}) -%}
    {%- endfor -%}
    {{ sql_string(tojson(settings), 'run scope settings') }}
{%- endmacro %}


{#- The config of a model incremental by the run scope, for config(**...). -#}
{% macro run_scope_config(scope, key_column) -%}
    {{ return({
        'materialized': landing_materialization(),
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': "{{ delete_run_scope('" ~ scope ~ "', '" ~ key_column ~ "') }}",
    }) }}
{%- endmacro %}


{#- The keys of one scope ('visitor', 'customer', 'day') this run changed, as a select of one
    varchar column `scope_key`. -#}
{% macro run_scope_keys(scope) -%}
    select run_scope.scope_key
    from {{ ref('int_run_scope') }} as run_scope
    where
        run_scope.scope = {{ sql_string(scope, 'run scope') }}
        and run_scope.change != 'unchanged'
{%- endmacro %}


{#- Predicate: the row's key is in this run's scope (always true on a full build). The ref is
    made on every build so dbt orders the model after int_run_scope. -#}
{% macro in_run_scope(scope, key_column) -%}
    {%- set scope_relation = ref('int_run_scope') -%}
    {%- if is_incremental() -%}
        {{ key_column }} in ({{ run_scope_keys(scope) }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- pre_hook: delete the rows of every key in scope before they are rebuilt. -#}
{% macro delete_run_scope(scope, key_column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key_column }} in ({{ run_scope_keys(scope) }})
    {%- endif -%}
{%- endmacro %}


{#- The manifest relation (previous run's fingerprints), or none before the first complete
    run. Resolved at execution: at parse time there is nothing to read. -#}
{% macro run_scope_manifest() -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {{ return(adapter.get_relation(
        database=this.database, schema=this.schema, identifier='run_scope_manifest')) }}
{%- endmacro %}


{#
    on-run-end: store this run's fingerprints as the manifest the next run compares with, when
    int_run_scope and every model that reads it succeeded in this run (a failed or partial run
    keeps the previous manifest, so no change is ever lost, at worst rebuilt twice).
#}
{% macro record_run_scope(results) -%}
    {%- if not execute or results is none -%}{{ return('') }}{%- endif -%}
    {%- set scope_nodes = graph.nodes.values() | selectattr('name', 'equalto', 'int_run_scope')
        | list -%}
    {%- if scope_nodes | length != 1 -%}{{ return('') }}{%- endif -%}
    {%- set scope_node = scope_nodes[0] -%}
    {%- set required = [scope_node.unique_id] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and scope_node.unique_id in node.depends_on.nodes -%}
            {%- do required.append(node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set succeeded = [] -%}
    {%- for result in results -%}
        {%- if result.status == 'success' -%}
            {%- do succeeded.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for unique_id in required -%}
        {%- if unique_id not in succeeded -%}{{ return('') }}{%- endif -%}
    {%- endfor -%}
    {%- set scope_relation = adapter.quote(scope_node.schema) ~ '.' ~ adapter.quote(scope_node.alias) -%}
    {%- do replace_table_as(
        adapter.quote(scope_node.schema) ~ '.run_scope_manifest',
        'select scope, scope_key, fingerprint from ' ~ scope_relation
        ~ ' where fingerprint is not null'
    ) -%}
{%- endmacro %}

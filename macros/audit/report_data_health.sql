{#
    on-run-end: print the build's health findings in the dbt output, so a green build that is
    hollow says so (see audit_data_health):
      - every warn / fail row of audit_data_health, when it was built in this run;
      - every gold model built in this run that is empty while each of its model and seed
        inputs has rows (a mart that should have something and has nothing).
    Only prints (exceptions.warn); the build fails through the tests on audit_data_health.
#}
{% macro report_data_health(results) %}
    {%- if not execute or results is none -%}{{ return('') }}{%- endif -%}
    {%- set built = {} -%}
    {%- for result in results -%}
        {%- if result.node.resource_type == 'model' and result.status == 'success' -%}
            {%- do built.update({result.node.unique_id: result.node}) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for node in built.values() if node.name == 'audit_data_health' -%}
        {%- set findings = run_query(
            "select status, message from " ~ adapter.quote(node.schema) ~ "."
            ~ adapter.quote(node.alias) ~ " where status != 'ok' order by status, message"
        ) -%}
        {%- for row in findings.rows -%}
            {%- do exceptions.warn("data health " ~ row[0] ~ ": " ~ row[1]) -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- for node in built.values() if node.fqn[1] == 'gold' -%}
        {%- if row_count(node) == 0 -%}
            {%- set inputs = [] -%}
            {%- set empty_inputs = [] -%}
            {%- for parent_id in node.depends_on.nodes -%}
                {%- set parent = graph.nodes.get(parent_id) -%}
                {%- if parent is not none and parent.resource_type in ['model', 'seed'] -%}
                    {%- set parent_rows = row_count(parent) -%}
                    {%- do inputs.append(parent.name ~ ': ' ~ parent_rows ~ ' rows') -%}
                    {%- if parent_rows == 0 -%}{%- do empty_inputs.append(parent.name) -%}{%- endif -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if inputs and not empty_inputs -%}
                {%- do exceptions.warn(
                    "data health warn: gold mart " ~ node.name ~ " is empty while its inputs"
                    ~ " are not (" ~ inputs | join(', ') ~ ")") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#- Rows in a model's or seed's relation (the graph node's schema and alias). -#}
{% macro row_count(node) %}
    {%- set sql = "select count(*) from " ~ adapter.quote(node.schema) ~ "."
        ~ adapter.quote(node.alias or node.name) -%}
    {{ return(run_query(sql).columns[0].values()[0]) }}
{% endmacro %}

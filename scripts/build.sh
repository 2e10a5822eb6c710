#!/usr/bin/env bash
# Install everything (pinned, into .venv) and build the warehouse on the built-in demo data:
# seeds -> bronze -> silver -> gold, with every dbt test, then the docs site, then the
# Great Expectations validation of the marts (report in reports/validation/).
# The warehouse is written to $CBW_DUCKDB_PATH (default: warehouse.duckdb in the project root).
source "$(dirname "$0")/_env.sh"

DB="${CBW_DUCKDB_PATH:-warehouse.duckdb}"
echo "==> dbt build (target ${CBW_TARGET:-dev}, file $DB)"
dbt build --full-refresh
echo "==> dbt docs generate"
dbt docs generate --quiet
echo "==> validate the marts (Great Expectations)"
python -m customer_behaviour.validate --db "$DB" --out reports/validation
echo "==> done: query it read-only with"
echo "    .venv/bin/python -c \"import duckdb; print(duckdb.connect('$DB', read_only=True).sql('show all tables'))\""

#!/usr/bin/env bash
# Install everything (pinned, into .venv) and build the warehouse on the built-in demo data:
# seeds -> bronze -> silver -> gold, with every dbt test, then the docs site.
# The warehouse is written to $CBW_DUCKDB_PATH (default: warehouse.duckdb in the project root).
source "$(dirname "$0")/_env.sh"

echo "==> dbt build (target ${CBW_TARGET:-dev}, file ${CBW_DUCKDB_PATH:-warehouse.duckdb})"
dbt build --full-refresh
echo "==> dbt docs generate"
dbt docs generate --quiet
echo "==> done: query it with  .venv/bin/python -c \"import duckdb; print(duckdb.connect('${CBW_DUCKDB_PATH:-warehouse.duckdb}', read_only=True).sql('show all tables'))\""

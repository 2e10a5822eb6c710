#!/usr/bin/env bash
# Run every test: pytest, which also builds the warehouse in-process (dbt unit tests, data
# tests and contracts included) on the demo data and on ../shared/data when it is present.
# Extra arguments go to pytest (e.g. scripts/test.sh -k sessions).
source "$(dirname "$0")/_env.sh"

exec python -m pytest "$@"

#!/usr/bin/env bash
# Build the warehouse on Apache Spark (docs/spark.md): install the pinned packages (.venv, with
# the Spark engine's requirements-spark.txt), then `cbw spark-build`: dbt build on the spark
# target, the predictive models on the Spark driver, dbt build of what reads them. Needs Java
# 17+. Local by default (local[2]); CBW_SPARK_MASTER=spark://host:7077 for a cluster,
# CBW_SPARK_WAREHOUSE for where the tables go. Arguments go to cbw spark-build, e.g.
#   bash scripts/build_spark.sh --vars '{bronze_source: landing, landing_path: /data/landing}'
export CBW_WITH_SPARK=1
source "$(dirname "$0")/_env.sh"

if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
    echo "error: Spark needs a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)" >&2
    exit 1
fi
echo "==> cbw spark-build (master ${CBW_SPARK_MASTER:-local[2]}, warehouse ${CBW_SPARK_WAREHOUSE:-spark-warehouse})"
python -m customer_behaviour spark-build "$@"

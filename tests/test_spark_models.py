"""`cbw spark-models` on Spark: the predictive dbt Python models run on the Spark driver give the
tables the DuckDB build gives (docs/spark.md, "Predictive models on Spark").

The Spark check loads only the models' inputs (fct_customer_purchase_summary,
fct_customer_purchase_holdout, fct_customer_classifier_features, fct_basket_items) of the DuckDB
demo warehouse into a fresh local Spark warehouse, runs the step in a subprocess (one JVM and one
Derby metastore per warehouse, nothing left in this process), and compares the nine tables it
writes with DuckDB's: same columns, Spark types as the YAML's, same rows, floats within 1e-9
relative. It is skipped when pyspark or java is missing. The DuckDB warehouse is the session's
demo build (conftest), or CBW_TEST_DEMO_DUCKDB: a demo warehouse built before (read only).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from conftest import REPO_ROOT
from spark_support import require_spark

from customer_behaviour import spark_models

pytestmark = [pytest.mark.spark, pytest.mark.slow]

# each model's key (the order rows are compared in)
KEYS = {
    "clv_model_fit": ["model"],
    "customer_clv": ["customer_id"],
    "clv_holdout_report": ["model"],
    "customer_churn_scores": ["customer_id"],
    "classifier_validation": ["target", "scorer"],
    "classifier_calibration": ["target", "probability_decile"],
    "classifier_feature_importance": ["target", "feature"],
    "product_frequent_itemsets": ["level", "itemset"],
    "product_association_rules": ["level", "antecedent", "consequent"],
}
INPUTS = [
    "fct_customer_purchase_summary",
    "fct_customer_purchase_holdout",
    "fct_customer_classifier_features",
    "fct_basket_items",
]


def _args(tmp_path: Path, vars: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(
        vars=vars,
        target="spark",
        target_path=str(tmp_path / "target-spark"),
        project_dir=str(REPO_ROOT),
        models=[],
    )


@pytest.fixture(scope="module")
def duckdb_file(request: pytest.FixtureRequest) -> Path:
    prebuilt = os.environ.get("CBW_TEST_DEMO_DUCKDB")
    if prebuilt:
        return Path(prebuilt)
    return request.getfixturevalue("demo_warehouse").db_path


# --------------------------------------------------------------------------------------------
# without Spark: what the step runs, in which order, with which settings
# --------------------------------------------------------------------------------------------


def test_models_in_dependency_order_with_the_vars_dbt_renders(tmp_path: Path) -> None:
    """dbt parse on the spark target: the nine Python models are left to the step, with the
    YAML config rendered from --vars, and a model comes after the models it refs."""
    pytest.importorskip("dbt.adapters.spark", reason="dbt-spark is not installed")
    args = _args(tmp_path, vars='{"association_min_confidence": 0.3, "clv_horizon_months": 6}')
    models = spark_models.python_models(spark_models.dbt_parse(args), args.project_dir)
    names = [m.name for m in models]
    assert sorted(names) == sorted(KEYS)
    assert names.index("clv_model_fit") < names.index("customer_clv")
    assert names.index("product_frequent_itemsets") < names.index("product_association_rules")
    config = {m.name: m.config for m in models}
    assert float(config["product_association_rules"]["association_min_confidence"]) == 0.3
    assert int(config["customer_clv"]["clv_horizon_months"]) == 6
    by_name = {m.name: m for m in models}
    assert by_name["customer_clv"].refs == ("fct_customer_purchase_summary", "clv_model_fit")
    assert dict(by_name["product_frequent_itemsets"].columns)["items"] == "varchar[]"


def test_spark_types_of_the_yaml_types() -> None:
    assert spark_models.spark_type("varchar") == "string"
    assert spark_models.spark_type("varchar[]") == "array<string>"
    assert spark_models.spark_type("integer") == "int"
    assert spark_models.spark_type("decimal(18, 2)") == "decimal(18, 2)"
    assert spark_models.spark_type("bigint") == "bigint"


def test_a_cycle_is_an_error() -> None:
    def model(name: str, *refs: str) -> spark_models.PythonModel:
        return spark_models.PythonModel(name, Path(name), refs, {}, "gold", name, ())

    ordered = spark_models.dependency_order({"b": model("b", "a", "x"), "a": model("a", "x")})
    assert [m.name for m in ordered] == ["a", "b"]
    with pytest.raises(spark_models.UserError, match="cycle"):
        spark_models.dependency_order({"a": model("a", "b"), "b": model("b", "a")})


# --------------------------------------------------------------------------------------------
# on Spark: the nine tables equal DuckDB's
# --------------------------------------------------------------------------------------------

# Runs in a subprocess: load the inputs (Parquet files) as Spark tables in the profile's session,
# run the step, dump each result table (Parquet) and its Spark schema.
STEP_SCRIPT = textwrap.dedent(
    """
    import argparse, json, sys
    from pathlib import Path
    from customer_behaviour import spark_models
    work, project = Path(sys.argv[1]), sys.argv[2]
    args = argparse.Namespace(vars=None, target="spark", target_path=str(work / "target"),
                              project_dir=project, models=[])
    spark_models.dbt_parse(args)  # sets dbt's flags, which reading the profile needs
    spark = spark_models.spark_session(args)
    spark.sql("create database if not exists gold")
    for f in sorted((work / "inputs").glob("*.parquet")):
        spark.read.parquet(str(f)).write.format("parquet").saveAsTable("gold." + f.stem)
    spark_models.run(args)
    types = {}
    for name in json.loads(sys.argv[3]):
        frame = spark.table("gold." + name)
        types[name] = [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
        frame.write.parquet(str(work / "out" / name))
    (work / "types.json").write_text(json.dumps(types))
    """
)


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


def test_spark_models_equal_duckdb(tmp_path: Path, duckdb_file: Path) -> None:
    require_spark()
    work = tmp_path / "spark"
    (work / "inputs").mkdir(parents=True)
    duck = duckdb.connect(str(duckdb_file), read_only=True)
    try:
        for name in INPUTS:
            duck.sql(f"copy (select * from gold.{name}) to '{work / 'inputs' / name}.parquet'")
    finally:
        duck.close()

    env = {
        **os.environ,
        "CBW_SPARK_WAREHOUSE": str(work / "warehouse"),
        "CBW_SPARK_SHUFFLE_PARTITIONS": "2",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    step = subprocess.run(
        [sys.executable, "-c", STEP_SCRIPT, str(work), str(REPO_ROOT), json.dumps(list(KEYS))],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert step.returncode == 0, step.stdout[-3000:] + step.stderr[-3000:]
    for name in KEYS:
        assert f"gold.{name}:" in step.stdout  # the step's line for each model

    spark_types = json.loads((work / "types.json").read_text())
    duck = duckdb.connect(str(duckdb_file), read_only=True)
    try:
        for name, key in KEYS.items():
            columns = duck.sql(
                "select column_name, data_type from information_schema.columns "
                f"where table_schema = 'gold' and table_name = '{name}' order by ordinal_position"
            ).fetchall()
            assert [(c, spark_models.spark_type(t)) for c, t in columns] == [
                tuple(x) for x in spark_types[name]
            ], name
            order = ", ".join(key)
            expected = duck.sql(f"select * from gold.{name} order by {order}").fetchall()
            actual = duck.sql(
                f"select * from read_parquet('{work / 'out' / name}/*.parquet') order by {order}"
            ).fetchall()
            assert len(actual) == len(expected), name
            for row_e, row_a in zip(expected, actual, strict=True):
                assert all(_close(e, a) for e, a in zip(row_e, row_a, strict=True)), (
                    name,
                    row_e,
                    row_a,
                )
    finally:
        duck.close()

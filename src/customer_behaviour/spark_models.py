"""Run the predictive dbt Python models on Spark: read their inputs from Spark, run the models'
own ``model(dbt, session)`` functions on the driver, write each result to Spark as gold.<model>.

dbt-spark runs dbt Python models only on Databricks, so on the ``spark`` target the models in
python_models/gold/predictive are materialized ``python_model_table`` (dbt_project.yml): dbt
keeps them in the graph (``ref()``, YAML tests, build order) but runs nothing and checks the
table this step writes:

- ``dbt parse`` of the project on the target, with the same ``--vars`` as the dbt build, gives
  each model its configuration exactly as dbt renders it (the YAML ``config:`` from vars) and
  its inputs (the model's ``dbt.ref()`` calls), so the step and dbt cannot disagree on a var;
- each model file is run as it is (nothing of its logic is copied): ``dbt.ref(name).df()`` is
  the Spark table read through Arrow into DuckDB, so the model gets the pandas frame it gets from
  dbt-duckdb, and ``session`` is an in-memory DuckDB connection, as on dbt-duckdb;
- the result is cast to the column types of the model's YAML (the types of the DuckDB build)
  and written as a Parquet table, in dependency order (product_frequent_itemsets before
  product_association_rules, clv_model_fit before customer_clv).

The Spark session is the one dbt opens for the target (the profile's server_side_parameters).
The whole of each input is collected on the driver: the inputs are per-customer summaries and
basket lines, the same frames the DuckDB build fits on (docs/spark.md).
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from customer_behaviour.cli import UserError

#: The materialization of the dbt Python models on Spark (dbt_project.yml): dbt runs nothing,
#: this step writes the table.
SPARK_MATERIALIZATION = "python_model_table"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "models",
        nargs="*",
        metavar="MODEL",
        help="run only these Python models (default: all of them, in dependency order)",
    )
    add_dbt_arguments(parser)


def add_dbt_arguments(parser: argparse.ArgumentParser) -> None:
    """The dbt options the step shares with the dbt build (cbw spark-build passes them on)."""
    parser.add_argument(
        "--vars",
        default=None,
        help="dbt vars, as for dbt (YAML or JSON): the same as the dbt build's",
    )
    parser.add_argument("--target", default="spark", help="dbt target (default: spark)")
    parser.add_argument(
        "--target-path",
        default="target-spark",
        help="dbt target path for the parse (default: target-spark)",
    )
    parser.add_argument(
        "--project-dir", default=".", help="the dbt project folder (default: the current one)"
    )


# --------------------------------------------------------------------------------------------
# what to run: from dbt's manifest
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PythonModel:
    name: str
    path: Path  # the .py file
    refs: tuple[str, ...]  # names passed to dbt.ref(), in the file's order
    config: dict[str, Any]  # what dbt.config.get() returns (rendered from vars by dbt)
    schema: str  # where the result goes on the target
    identifier: str
    columns: tuple[tuple[str, str], ...]  # (name, data_type) from the model's YAML


def parse_vars(text: str | None) -> dict[str, Any]:
    """``--vars`` as dbt reads it (a YAML mapping; JSON is YAML)."""
    if not text:
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UserError(f"--vars is not YAML or JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UserError(f"--vars must be a mapping, got {text}")
    return value


def dbt_parse(args: argparse.Namespace) -> dict[str, Any]:
    """``dbt parse`` on the target with the vars; the manifest (as manifest.json holds it)."""
    from dbt.cli.main import dbtRunner

    command = ["parse", "--target", args.target, "--target-path", args.target_path]
    command += ["--project-dir", args.project_dir]
    if args.vars:
        command += ["--vars", args.vars]
    result = dbtRunner().invoke(command)
    if not result.success:
        raise UserError(f"dbt {' '.join(command)} failed: {result.exception or 'see above'}")
    manifest_path = Path(args.project_dir, args.target_path, "manifest.json")
    return json.loads(manifest_path.read_text())


def python_models(manifest: dict[str, Any], project_dir: str) -> list[PythonModel]:
    """The dbt Python models that dbt leaves to this step on the target (materialized
    SPARK_MATERIALIZATION there), in dependency order (a model after the models it refs)."""
    found: dict[str, PythonModel] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node.get("language") != "python":
            continue
        if node["config"].get("materialized") != SPARK_MATERIALIZATION:
            continue
        found[node["name"]] = PythonModel(
            name=node["name"],
            path=Path(project_dir, node["original_file_path"]),
            refs=tuple(ref["name"] for ref in node["refs"]),
            config=node["config"],
            schema=node["schema"],
            identifier=node["alias"] or node["name"],
            columns=tuple(
                (column["name"], column["data_type"]) for column in node["columns"].values()
            ),
        )
    if not found:
        raise UserError(
            f"no dbt Python model is materialized '{SPARK_MATERIALIZATION}' on this target: "
            "dbt runs them itself there (the step is for the spark target)"
        )
    return dependency_order(found)


def dependency_order(models: dict[str, PythonModel]) -> list[PythonModel]:
    """Models after the models they ref (ties by name, so the order is always the same)."""
    done: list[PythonModel] = []
    waiting = dict(sorted(models.items()))
    while waiting:
        ready = [m for m in waiting.values() if not any(r in waiting for r in m.refs)]
        if not ready:
            raise UserError(f"the Python models ref each other in a cycle: {sorted(waiting)}")
        for model in ready:
            done.append(model)
            del waiting[model.name]
    return done


def relation_of(manifest: dict[str, Any], name: str) -> str:
    """schema.identifier of the enabled node (model, seed, snapshot) named ``name``."""
    for node in manifest["nodes"].values():
        if node["name"] == name and node["resource_type"] in ("model", "seed", "snapshot"):
            return f"{node['schema']}.{node['alias'] or node['name']}"
    raise UserError(f"ref('{name}') names no enabled model on this target")


# --------------------------------------------------------------------------------------------
# types: the YAML data_type (DuckDB's spelling, the DuckDB build's types) and Spark's
# --------------------------------------------------------------------------------------------

SPARK_TYPES = {"varchar": "string", "integer": "int", "varchar[]": "array<string>"}


def spark_type(data_type: str) -> str:
    """The Spark type of a YAML data_type (integer, bigint, double, date, boolean and
    decimal(p, s) are spelled the same)."""
    return SPARK_TYPES.get(data_type.strip().lower(), data_type.strip().lower())


# --------------------------------------------------------------------------------------------
# running one model: the `dbt` object a dbt Python model receives, over Spark tables
# --------------------------------------------------------------------------------------------


class _Config:
    """``dbt.config``: ``dbt.config(materialized=...)`` is parse-time only (a no-op here, as
    at run time on dbt-duckdb); ``dbt.config.get(key)`` is the rendered config."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)


class ModelContext:
    """The ``dbt`` argument of a dbt Python model: ``ref()`` reads the Spark table into the
    DuckDB connection (a relation: ``.df()`` is dbt-duckdb's frame), ``config`` as above."""

    def __init__(self, model: PythonModel, read: Callable[[str], Any], this: str) -> None:
        self.config = _Config(model.config)
        self._model = model
        self._read = read
        self.this = this

    def ref(self, *names: str, **_: Any) -> Any:
        name = names[-1]
        if name not in self._model.refs:
            raise UserError(f"{self._model.path} refs {name}, which dbt did not parse as its ref")
        return self._read(name)

    def is_incremental(self) -> bool:
        return False


def spark_to_duckdb(spark_frame: Any, con: Any) -> Any:
    """A Spark DataFrame as a DuckDB relation on ``con``, through Arrow. Spark hands out
    timestamps in the session time zone (UTC); they become DuckDB's naive TIMESTAMP, as the
    warehouse stores them."""
    import pyarrow as pa

    table = spark_frame.toArrow()
    fields = [
        pa.field(f.name, pa.timestamp(f.type.unit), f.nullable)
        if pa.types.is_timestamp(f.type) and f.type.tz is not None
        else f
        for f in table.schema
    ]
    return con.from_arrow(table.cast(pa.schema(fields)))


def typed_result(result: Any, model: PythonModel, con: Any) -> Any:
    """The model's result (a pandas frame or a DuckDB relation, as dbt-duckdb accepts) as a
    DuckDB relation with the YAML's columns and types; a different column list is an error."""
    relation = con.from_df(result) if hasattr(result, "to_numpy") else result
    expected = [name for name, _ in model.columns]
    if list(relation.columns) != expected:
        raise UserError(
            f"{model.name} returned columns {list(relation.columns)}, its YAML documents {expected}"
        )
    return relation.project(
        ", ".join(f'cast("{name}" as {data_type}) as "{name}"' for name, data_type in model.columns)
    )


def write_spark_table(spark: Any, relation: Any, model: PythonModel) -> int:
    """Write the typed DuckDB relation as the Parquet table schema.identifier (replacing it)."""
    table = relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()
    schema = ", ".join(f"`{name}` {spark_type(t)}" for name, t in model.columns)
    # pyspark cannot convert an Arrow table without rows that has a timestamp column
    # ("cannot construct ChunkedArray from empty vector"): an empty result is written as an
    # empty frame of the same schema (a small source can leave a model without rows).
    rows = table if table.num_rows else []
    frame = spark.createDataFrame(rows, schema=schema)
    spark.sql(f"create database if not exists `{model.schema}`")
    name = f"`{model.schema}`.`{model.identifier}`"
    frame.write.mode("overwrite").format("parquet").saveAsTable(name)
    return table.num_rows


def run_models(
    spark: Any,
    manifest: dict[str, Any],
    models: Iterable[PythonModel],
    log: Callable[[str], None] = print,
) -> dict[str, int]:
    """Run each model on the driver and write its table; rows written per model."""
    import duckdb

    written: dict[str, int] = {}
    for model in models:
        started = time.perf_counter()
        con = duckdb.connect(":memory:")
        try:

            def read(name: str, con: Any = con) -> Any:
                return spark_to_duckdb(spark.table(relation_of(manifest, name)), con)

            dbt = ModelContext(model, read, this=f"{model.schema}.{model.identifier}")
            result = runpy.run_path(str(model.path))["model"](dbt, con)
            written[model.name] = write_spark_table(spark, typed_result(result, model, con), model)
        finally:
            con.close()
        log(
            f"cbw spark-models: {model.schema}.{model.identifier}: {written[model.name]} rows "
            f"in {time.perf_counter() - started:.1f}s"
        )
    return written


# --------------------------------------------------------------------------------------------
# the Spark session of the target
# --------------------------------------------------------------------------------------------


def spark_session(args: argparse.Namespace) -> Any:
    """The SparkSession dbt-spark's session method opens for the target: the profile's
    server_side_parameters, Hive support (the metastore of the warehouse). After dbt_parse:
    reading the profile needs the flags of a dbt invocation (its profiles dir)."""
    from dbt.config.runtime import load_profile

    profile = load_profile(
        os.path.abspath(args.project_dir), parse_vars(args.vars), target_override=args.target
    )
    credentials = profile.credentials
    if getattr(credentials, "method", None) != "session":
        raise UserError(
            f"target {args.target} is not a Spark target with method: session (the step runs "
            "the models in this process, on the driver of the profile's Spark session)"
        )
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for parameter, value in credentials.server_side_parameters.items():
        builder = builder.config(parameter, value)
    return builder.getOrCreate()


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    manifest = dbt_parse(args)
    models = python_models(manifest, args.project_dir)
    if args.models:
        unknown = sorted(set(args.models) - {m.name for m in models})
        if unknown:
            raise UserError(
                f"not a Python model this step runs: {', '.join(unknown)} "
                f"(they are {', '.join(m.name for m in models)})"
            )
        models = [m for m in models if m.name in args.models]
    spark = spark_session(args)
    run_models(spark, manifest, models)
    print(f"cbw spark-models: {len(models)} models in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    import sys

    from customer_behaviour.cli import module_main

    sys.exit(module_main(sys.modules[__name__], "cbw spark-models"))

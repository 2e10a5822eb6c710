"""Build the warehouse on Spark: `dbt build` of everything but the predictive Python models and
their dependants, then `cbw spark-models` (the Python models on the driver), then `dbt build` of
the models themselves (dbt checks the tables and runs their YAML tests) and their dependants
(mart_customer_value_matrix ...).

dbt-spark cannot run dbt Python models outside Databricks; docs/spark.md, "Predictive models on
Spark". All three steps run in this process, so they share one Spark session (one JVM, one
metastore connection). Arguments after `--` go to both dbt builds (e.g. --full-refresh).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from customer_behaviour import spark_models
from customer_behaviour.cli import UserError

#: The Python models (materialized python_model_table on Spark) and everything downstream.
AFTER_THE_STEP = f"config.materialized:{spark_models.SPARK_MATERIALIZATION}+"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    spark_models.add_dbt_arguments(parser)
    parser.add_argument(
        "dbt_args",
        nargs=argparse.REMAINDER,
        metavar="-- DBT_ARGS",
        help="more arguments for both dbt builds (not a selection: the build is the project)",
    )


def dbt_build(args: argparse.Namespace, selection: list[str], phase: str) -> None:
    """One dbt build; its run results are kept as <target-path>/run_results_<phase>.json (the
    next build overwrites run_results.json), for the per-model timings of both builds."""
    from dbt.cli.main import dbtRunner

    command = ["build", "--target", args.target, "--target-path", args.target_path]
    command += ["--project-dir", args.project_dir]
    if args.vars:
        command += ["--vars", args.vars]
    command += selection + extra_dbt_args(args)
    result = dbtRunner().invoke(command)
    results = Path(args.project_dir, args.target_path, "run_results.json")
    if results.exists():
        shutil.copy2(results, results.with_name(f"run_results_{phase}.json"))
    if not result.success:
        raise UserError(f"dbt {' '.join(selection)} failed (see its log above)")


def extra_dbt_args(args: argparse.Namespace) -> list[str]:
    extra = [a for a in (args.dbt_args or []) if a != "--"]
    chosen = {"-s", "--select", "--exclude", "--selector", "-m", "--models"} & set(extra)
    if chosen:
        raise UserError(f"{sorted(chosen)[0]} cannot be given: cbw spark-build builds the project")
    return extra


def run(args: argparse.Namespace) -> Any:
    extra_dbt_args(args)  # a bad argument fails before anything is built
    dbt_build(args, ["--exclude", AFTER_THE_STEP], "before_models")
    args.models = []
    spark_models.run(args)
    dbt_build(args, ["--select", AFTER_THE_STEP], "after_models")
    return 0


if __name__ == "__main__":
    import sys

    from customer_behaviour.cli import module_main

    sys.exit(module_main(sys.modules[__name__], "cbw spark-build"))

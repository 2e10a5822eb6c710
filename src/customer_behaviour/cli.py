"""`cbw` command line: the parts of the warehouse that are not `dbt` commands.

Each subcommand lives in its own module exposing ``add_arguments(parser)`` and ``run(args)``.
A mistake of the user's is answered in one line on stderr with exit status 2, never with a
traceback: a bad argument through argparse (the argument types below), a bad combination of
arguments or a path that cannot be used through ``UserError`` / the path errors caught in
``run_guarded``. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import math
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any, NoReturn

# subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("customer_behaviour.generate", "write deterministic demo data (seeds or landing)"),
    "validate": (
        "customer_behaviour.validate",
        "validate a built warehouse with the Great Expectations suites",
    ),
    "publish": (
        "customer_behaviour.publish",
        "copy gold and the audit tables of a green build into the file readers open",
    ),
    "dashboard": (
        "customer_behaviour.dashboard",
        "start the dashboard (Streamlit) over the published warehouse",
    ),
    "bench-warehouse": (
        "customer_behaviour.bench_warehouse",
        "time full and incremental dbt builds at scale against a pandas implementation",
    ),
    "spark-build": (
        "customer_behaviour.spark_build",
        "build the warehouse on Spark: dbt build, the predictive models, then their dependants",
    ),
    "spark-models": (
        "customer_behaviour.spark_models",
        "run the predictive dbt Python models on Spark (the driver) and write their gold tables",
    ),
    "bench-spark": (
        "customer_behaviour.bench_spark",
        "time the full and one-day builds on Spark beside DuckDB on the same landing data",
    ),
    "compare-engines": (
        "customer_behaviour.compare_engines",
        "compare a warehouse built on Spark with the same one built on DuckDB",
    ),
    "bench-models": (
        "customer_behaviour.bench_models",
        "time CLV fitting and rule mining against lifetimes / mlxtend",
    ),
}

#: Errors about a path the user gave (an output folder under a file, no permission, ...).
PATH_ERRORS = (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError)


class UserError(ValueError):
    """An expected mistake of the user's (arguments that do not go together, a value out of
    range): the command prints the message on one line and exits 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``prog: error: message``) instead of the
    usage block followed by the message."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# --------------------------------------------------------------------------------------------
# argument types: argparse turns their ArgumentTypeError into
#   cbw generate: error: argument --customers: must be a positive integer, got -5
# --------------------------------------------------------------------------------------------


def _bounded(
    convert: Callable[[str], float],
    what: str,
    *,
    above: float | None = None,
    at_least: float | None = None,
    at_most: float | None = None,
) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            value = None
        if (
            value is None
            or not math.isfinite(value)
            or (above is not None and not value > above)
            or (at_least is not None and not value >= at_least)
            or (at_most is not None and not value <= at_most)
        ):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
        return value

    parse.__name__ = what  # argparse names the type in some messages
    return parse


positive_int = _bounded(int, "a positive integer", above=0)
non_negative_int = _bounded(int, "a non-negative integer", at_least=0)
positive_float = _bounded(float, "a positive number", above=0)
non_negative_float = _bounded(float, "a non-negative number", at_least=0)
fraction = _bounded(float, "a number in (0, 1]", above=0, at_most=1)
probability = _bounded(float, "a number in [0, 1]", at_least=0, at_most=1)


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, got {text}") from None


# --------------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------------


def run_guarded(prog: str, run: Callable[[argparse.Namespace], Any], args: Any) -> int:
    """``run(args)``; a ``UserError`` or a path error becomes one line on stderr and exit 2."""
    try:
        return int(run(args) or 0)
    except UserError as exc:
        message = str(exc)
    except PATH_ERRORS as exc:
        if exc.filename is None:
            raise
        message = f"{exc.strerror}: {exc.filename}"
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="cbw", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sp = sub.add_parser(name, help=help_text, description=module.__doc__)
        module.add_arguments(sp)
        sp.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code = run_guarded(f"cbw {args.command}", args._run, args)
    # A subcommand may end the process itself once its output is out (validate.end_process).
    end_process = getattr(args, "_end_process", None)
    if end_process is not None:
        end_process(code)
    return code


def module_main(module: ModuleType, prog: str, argv: list[str] | None = None) -> int:
    """``python -m customer_behaviour.<module>``: the subcommand alone, with the same checks."""
    parser = OneLineParser(prog=prog, description=(module.__doc__ or "\n").splitlines()[0])
    module.add_arguments(parser)
    return run_guarded(prog, module.run, parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

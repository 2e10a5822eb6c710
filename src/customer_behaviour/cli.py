"""`cbw` command line: the parts of the warehouse that are not `dbt` commands.

Each subcommand lives in its own module exposing ``add_arguments(parser)`` and ``run(args)``;
modules are imported lazily so ``cbw --help`` stays fast and a missing optional dependency only
affects its own subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("customer_behaviour.generate", "write deterministic demo data (seeds or landing)"),
    "validate": (
        "customer_behaviour.validate",
        "validate a built warehouse with the Great Expectations suites",
    ),
    "bench-warehouse": (
        "customer_behaviour.bench_warehouse",
        "time full and incremental dbt builds at scale against a pandas implementation",
    ),
    "bench-models": (
        "customer_behaviour.bench_models",
        "time CLV fitting and rule mining against lifetimes / mlxtend",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cbw", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sp = sub.add_parser(name, help=help_text, description=module.__doc__)
        module.add_arguments(sp)
        sp.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code = int(args._run(args) or 0)
    # A subcommand may end the process itself once its output is out (validate.end_process).
    end_process = getattr(args, "_end_process", None)
    if end_process is not None:
        end_process(code)
    return code


if __name__ == "__main__":
    sys.exit(main())

"""Start the dashboard: a Streamlit app over the published warehouse (``cbw dashboard``).

The app only reads gold marts of the published file (``warehouse.published.duckdb``), one page
per business question of the README; it computes no figure itself. This module is the CLI side
and imports no Streamlit, so ``cbw`` works where the dashboard is not installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from customer_behaviour import cli
from customer_behaviour.publish import default_build_path, default_published_path

APP = Path(__file__).with_name("app.py")


def streamlit_command(port: int | None = None, address: str | None = None) -> list[str]:
    """``python -m streamlit run app.py`` with the server options (headless: no browser)."""
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false"]
    if port is not None:
        command += ["--server.port", str(port)]
    if address is not None:
        command += ["--server.address", address]
    return command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="the published file to read (default: $CBW_PUBLISHED_PATH, else "
        "warehouse.published.duckdb beside $CBW_DUCKDB_PATH / warehouse.duckdb)",
    )
    parser.add_argument("--port", type=cli.positive_int, default=8501, help="default 8501")
    parser.add_argument(
        "--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )


def run(args: argparse.Namespace) -> int:
    path = args.db or default_published_path(default_build_path())
    if not path.is_file():
        raise cli.UserError(f"no published warehouse at {path}: run bash scripts/build.sh first")
    if importlib.util.find_spec("streamlit") is None:
        raise cli.UserError("streamlit is not installed: pip install -r requirements.txt")
    env = {**os.environ, "CBW_PUBLISHED_PATH": str(path.resolve())}
    print(f"dashboard over {path} at http://{args.address}:{args.port}", flush=True)
    # Become the Streamlit server (no child left behind when a stop signal reaches only us).
    command = streamlit_command(args.port, args.address)
    os.execve(command[0], command, env)


def main(argv: list[str] | None = None) -> int:
    return cli.module_main(sys.modules[__name__], "dashboard", argv)


if __name__ == "__main__":
    sys.exit(main())

"""`cbw` answers a user's mistake in one line on stderr with exit status 2, before starting
any work, and keeps the traceback for real bugs."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from customer_behaviour import bench_models, bench_warehouse, generate
from customer_behaviour.cli import main

SRC = Path(__file__).resolve().parents[1] / "src"

BAD_ARGUMENTS = [
    ("generate", "--customers", "-5"),
    ("generate", "--customers", "0"),
    ("generate", "--customers", "many"),
    ("generate", "--anonymous-visitors", "-1"),
    ("generate", "--days", "0"),
    ("generate", "--days", "-3"),
    ("generate", "--seed", "-1"),
    ("generate", "--start-date", "9999-12-30"),
    ("generate", "--start-date", "1970-12-31"),
    ("generate", "--start-date", "2024-02-30"),
    ("bench-warehouse", "--events", "-5"),
    ("bench-warehouse", "--events", "0"),
    ("bench-warehouse", "--customers", "0"),
    ("bench-warehouse", "--days", "0"),
    ("bench-warehouse", "--seed", "-1"),
    ("bench-warehouse", "--start-date", "9998-12-31"),
    ("bench-warehouse", "--threads", "0"),
    ("bench-warehouse", "--parse-attempts", "0"),
    ("bench-warehouse", "--dbt-timeout", "0"),
    ("bench-warehouse", "--seed-mem-gb", "-1"),
    ("bench-warehouse", "--max-load", "inf"),
    ("bench-warehouse", "--max-wait", "-1"),
    ("bench-models", "--sizes", "1000", "-3"),
    ("bench-models", "--order-lines", "0"),
    ("bench-models", "--min-support", "0"),
    ("bench-models", "--min-support", "1.5"),
    ("bench-models", "--min-confidence", "-0.1"),
    ("bench-models", "--apriori-mem-gb", "nan"),
    ("bench-models", "--timeout", "0"),
    ("bench-models", "--seed", "-1"),
]


@pytest.fixture
def nothing_starts(monkeypatch):
    """Make every command fail loudly if it gets as far as doing work."""

    def started(*args, **kwargs):
        raise AssertionError("the command started although its arguments are bad")

    monkeypatch.setattr(generate, "_Generator", started)
    monkeypatch.setattr(bench_warehouse.tempfile, "mkdtemp", started)  # its work dir
    monkeypatch.setattr(bench_warehouse, "_run", started)
    monkeypatch.setattr(bench_models, "run", started)


@pytest.mark.parametrize("argv", BAD_ARGUMENTS, ids=" ".join)
def test_a_bad_argument_is_one_line_and_exit_2_before_anything_starts(argv, nothing_starts, capsys):
    command, option = argv[0], argv[1]
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"cbw {command}: error: ") and option in err, err


def test_the_messages_say_what_is_wrong(capsys):
    for argv, expected in [
        (
            ["generate", "--customers", "-5"],
            "cbw generate: error: argument --customers: must be a positive integer, got -5",
        ),
        (
            ["generate", "--start-date", "9999-12-30", "--days", "1"],
            "cbw generate: error: 1 days from --start-date 9999-12-30 end after 9998-12-31",
        ),
        (["generate", "--layout", "landing"], "cbw generate: error: --out is required"),
    ]:
        with contextlib.suppress(SystemExit):
            main(argv)
        assert capsys.readouterr().err.startswith(expected)


def test_the_calendar_bounds_are_inclusive(tmp_path):
    """The last day allowed and the first start allowed both generate."""
    last = generate.LATEST_LAST_DATE
    for start, days in [(last, 1), (generate.EARLIEST_START_DATE, 2)]:
        out = tmp_path / start.isoformat()
        config = {"out": out, "customers": 5, "days": days, "start_date": start}
        assert generate.generate(config)["raw_events"] > 0


def test_a_path_that_cannot_be_used_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    argv = ["generate", "--out", str(blocker / "sub"), "--customers", "5", "--days", "2"]
    assert main([*argv, "--no-progress"]) == 2
    assert capsys.readouterr().err == f"cbw generate: error: Not a directory: {blocker / 'sub'}\n"


def test_a_bug_keeps_its_traceback(monkeypatch):
    def bug(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(generate, "_Generator", bug)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["generate", "--out", "unused", "--customers", "5"])

    def unnamed_os_error(*args, **kwargs):
        raise FileNotFoundError("no file name attached")

    monkeypatch.setattr(generate, "_Generator", unnamed_os_error)
    with pytest.raises(FileNotFoundError):
        main(["generate", "--out", "unused", "--customers", "5"])


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "--customers", "-5"],
        ["generate", "--start-date", "9999-12-30"],
        ["bench-warehouse", "--events", "-5"],
    ],
    ids=" ".join,
)
def test_the_installed_command_answers_without_a_traceback(argv, tmp_path):
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    proc = subprocess.run(
        [sys.executable, "-m", "customer_behaviour", *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""  # nothing started, not even a header line
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []

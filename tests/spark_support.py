"""What the Spark tests need: a Java 17+ runtime and the Spark engine's packages.

``require_spark()`` skips the calling test with the reason when Spark cannot run here. A
missing Java runtime is installed from the Debian packages (``apt-get install -y
openjdk-17-jre-headless``) when the test may (root, apt-get present), as the browser test
installs Chromium; the packages come from requirements-spark.txt, which scripts/test.sh
installs (CBW_WITH_SPARK=1). Spark builds run in subprocesses: a Spark session lives as long as
its process, with one warehouse folder and one master, and each test wants its own.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
JAVA_PACKAGE = "openjdk-17-jre-headless"


def _java_major(java: str) -> int | None:
    done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2)) if major == 1 and found.group(2) else major


def _find_java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").exists():
        return str(Path(home, "bin", "java"))
    return shutil.which("java")


@functools.cache
def _spark_problem() -> str | None:
    """Why Spark cannot run here, or None when it can (installing Java when missing)."""
    # dbt.adapters is always there (dbt-duckdb), so find_spec of the dotted name is safe
    for module, what in (("pyspark", "pyspark"), ("dbt.adapters.spark", "dbt-spark")):
        if importlib.util.find_spec(module) is None:
            return f"{what} is not installed (pip install --no-deps -r requirements-spark.txt)"
    java = _find_java()
    if java is None:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            return (
                f"no Java runtime, and apt-get cannot install {JAVA_PACKAGE} here "
                "(not Debian, or not root)"
            )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-q"],
            ["apt-get", "install", "-y", "-q", JAVA_PACKAGE],
        ):
            try:
                done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
            except subprocess.TimeoutExpired:
                return f"no Java runtime: {' '.join(command)} did not finish in 15 minutes"
            if done.returncode != 0:
                return f"no Java runtime: {' '.join(command)} failed: {done.stderr[-300:]}"
        java = _find_java()
        if java is None:
            return f"apt-get installed {JAVA_PACKAGE} but no java executable is on the PATH"
    major = _java_major(java)
    if major is None or major < 17:
        return f"Spark 4 needs Java 17 or newer; {java} is version {major}"
    return None


def require_spark() -> None:
    """Skip the calling test, with the reason, when Spark cannot run here."""
    problem = _spark_problem()
    if problem:
        pytest.skip(f"Spark tests skipped: {problem}")


def spark_env(warehouse: Path, master: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a subprocess that builds on the spark target in `warehouse`."""
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "CBW_SPARK_WAREHOUSE": str(warehouse),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])
        ),
        **extra,
    }
    if master:
        # the executors connect back to the driver on loopback, where the cluster listens
        env.update(CBW_SPARK_MASTER=master, SPARK_LOCAL_IP="127.0.0.1")
    return env


def run_logged(command: list[str], env: dict[str, str], log: Path, timeout: int = 1800) -> str:
    """Run a command in the repo, its output to `log`; fail the test with the output's tail
    when it fails. Returns the output."""
    with log.open("w") as out:
        done = subprocess.run(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        )
    text = log.read_text(errors="replace")
    assert done.returncode == 0, f"{' '.join(command)} failed ({done.returncode}):\n{text[-4000:]}"
    return text


PYTHON = sys.executable


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandaloneCluster:
    """A Spark standalone master and one worker on loopback, started and stopped by the test
    (``with StandaloneCluster(tmp) as master_url: ...``). The worker gets one core less than the
    machine has, at least one, and 2 GB."""

    def __init__(self, work: Path, cores: int = 1, memory: str = "2g") -> None:
        import pyspark

        self.spark_class = str(Path(pyspark.__file__).parent / "bin" / "spark-class")
        self.work = work
        self.cores, self.memory = cores, memory
        self.processes: list[subprocess.Popen] = []
        self.port = _free_port()
        self.url = f"spark://127.0.0.1:{self.port}"

    def _start(self, name: str, args: list[str], ready: str, timeout: float = 120) -> None:
        import time

        log = self.work / f"{name}.log"
        env = {
            **os.environ,
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_WORKER_DIR": str(self.work / "work"),
        }
        out = log.open("w")
        self.processes.append(
            subprocess.Popen(
                [self.spark_class, *args], stdout=out, stderr=subprocess.STDOUT, env=env
            )
        )
        deadline = time.monotonic() + timeout
        while ready not in log.read_text(errors="replace"):
            assert self.processes[-1].poll() is None, (
                f"Spark {name} exited:\n{log.read_text()[-2000:]}"
            )
            assert time.monotonic() < deadline, (
                f"Spark {name} not ready in {timeout} s:\n{log.read_text()[-2000:]}"
            )
            time.sleep(0.5)

    def __enter__(self) -> str:
        self.work.mkdir(parents=True, exist_ok=True)
        self._start(
            "master",
            [
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--webui-port",
                str(_free_port()),
            ],
            "I have been elected leader",
        )
        self._start(
            "worker",
            [
                "org.apache.spark.deploy.worker.Worker",
                self.url,
                "--host",
                "127.0.0.1",
                "--cores",
                str(self.cores),
                "--memory",
                self.memory,
                "--webui-port",
                str(_free_port()),
            ],
            "Successfully registered with master",
        )
        return self.url

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

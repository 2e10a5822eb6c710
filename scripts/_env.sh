# Sourced by build.sh and test.sh: make sure .venv exists with exactly the pinned packages.
# Safe to run again: it reinstalls only when requirements.txt or pyproject.toml changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Supported Pythons: 3.11 to 3.13 (requires-python in pyproject.toml; the lock in
# requirements.txt is installed and tested on each).
SUPPORTED="3.11, 3.12 or 3.13"
is_supported() {
    "$1" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' >/dev/null 2>&1
}

# $PYTHON when set (and then only it), else the first supported python on PATH.
pick_python() {
    if [ -n "${PYTHON:-}" ]; then
        if is_supported "$PYTHON"; then
            echo "$PYTHON"
            return 0
        fi
        echo "error: PYTHON=$PYTHON is not a Python $SUPPORTED" >&2
        return 1
    fi
    for candidate in python3.11 python3.12 python3.13 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 && is_supported "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: Python $SUPPORTED is required (none on PATH; set PYTHON=/path/to/python3.x)" >&2
    return 1
}

VENV="$ROOT/.venv"
STAMP="$VENV/.installed-from"
WANT="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
    echo "==> installing pinned packages into .venv (first run takes a few minutes)"
    if [ ! -x "$VENV/bin/python" ]; then
        PICKED="$(pick_python)"
        "$PICKED" -m venv "$VENV"
    elif ! is_supported "$VENV/bin/python"; then
        echo "error: .venv was made with an unsupported Python; remove it and run again" >&2
        exit 1
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
    echo "$WANT" > "$STAMP"
fi

# The Spark engine's packages (requirements-spark.txt) when the caller asks for them
# (CBW_WITH_SPARK=1: scripts/test.sh, scripts/build_spark.sh); reinstalled when that file changes.
if [ "${CBW_WITH_SPARK:-0}" = 1 ]; then
    SPARK_STAMP="$VENV/.installed-spark-from"
    SPARK_WANT="$(sha256sum requirements-spark.txt | cut -d' ' -f1)"
    if [ "$(cat "$SPARK_STAMP" 2>/dev/null)" != "$SPARK_WANT" ]; then
        echo "==> installing the Spark engine's pinned packages (requirements-spark.txt)"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
            -r requirements-spark.txt
        echo "$SPARK_WANT" > "$SPARK_STAMP"
    fi
fi

export PATH="$VENV/bin:$PATH"
export DBT_PROFILES_DIR="$ROOT"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false

# Sourced by build.sh and test.sh: make sure .venv exists with exactly the pinned packages.
# Safe to run again: it reinstalls only when requirements.txt or pyproject.toml changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

pick_python() {
    for candidate in "${PYTHON:-}" python3.11 python3 python; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

VENV="$ROOT/.venv"
STAMP="$VENV/.installed-from"
WANT="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
    echo "==> installing pinned packages into .venv (first run takes a few minutes)"
    [ -x "$VENV/bin/python" ] || "$(pick_python)" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
    echo "$WANT" > "$STAMP"
fi

export PATH="$VENV/bin:$PATH"
export DBT_PROFILES_DIR="$ROOT"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false

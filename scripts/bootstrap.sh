# Sourced by start.sh and test.sh: make .venv hold Shelfwise with the given extras, installing
# only when pyproject.toml changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${1:-}"
python="${SHELFWISE_PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Shelfwise needs Python 3.11 or newer as '$python' (set SHELFWISE_PYTHON)." >&2
    exit 1
fi
if [ ! -x "$root/.venv/bin/python" ]; then
    echo "creating $root/.venv" >&2
    "$python" -m venv "$root/.venv"
fi
stamp="$root/.venv/.installed${extras:+-$extras}"
wanted="$(sha256sum "$root/pyproject.toml" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "installing Shelfwise${extras:+ [$extras]} into .venv" >&2
    "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root${extras:+[$extras]}"
    echo "$wanted" > "$stamp"
fi
export PATH="$root/.venv/bin:$PATH"

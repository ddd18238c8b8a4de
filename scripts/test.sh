#!/usr/bin/env bash
# Install the test dependencies, then run lint, type checks and the whole suite on SQLite and on
# PostgreSQL (127.0.0.1:5432; a fresh database per run). Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh" "test"
cd "$root"

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && ! python -c \
    'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null; then
    echo "PostgreSQL is not reachable at 127.0.0.1:5432; the suite needs it." >&2
    exit 1
fi

# The browser tests drive Debian's chromium (Playwright's own browser download fails on this
# network). Installed only when missing, quietly.
if [ ! -x /usr/bin/chromium ]; then
    echo "== installing Debian chromium for the browser tests"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

echo "== ruff"
ruff check src tests bench
ruff format --check src tests bench
echo "== mypy --strict"
mypy src/shelfwise
echo "== pytest"
set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests" >&2
    exit 1
fi
exit "$status"

#!/usr/bin/env bash
# Install what is missing, then run Shelfwise on the embedded default (SQLite, demo data).
# Extra arguments go to `shelfwise serve` (e.g. --port 8080).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh" ""
exec shelfwise serve "$@"

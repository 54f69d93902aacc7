#!/usr/bin/env bash
# Build the course site: install, execute every notebook, render _build/html (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
.venv/bin/jupyter-book build . -W -n --keep-going
echo "The site is in _build/html/index.html"

#!/usr/bin/env bash
# Build the course site: install, execute every notebook, render _build/html (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
# Execute the notebooks two at a time into the build's cache; the build then renders them (and would
# execute, and fail on, any notebook that did not run).
.venv/bin/python scripts/execute_notebooks.py --jobs 2 || true
.venv/bin/jupyter-book build . -W -n --keep-going
echo "The site is in _build/html/index.html"

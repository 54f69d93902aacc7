#!/usr/bin/env bash
# Build the course site: install, execute every notebook, render _build/html (warnings are errors).
# In the instructor's repository the site is rendered from the student edition (`python -m autograder
# publish`, in _build/edition), so readers see exactly what students get; in the edition, from itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
# Execute the notebooks two at a time into the build's cache; the build then renders them (and would
# execute, and fail on, any notebook that did not run).
.venv/bin/python scripts/execute_notebooks.py --jobs 2 || true
source=.
if [ -d autograder ]; then
  .venv/bin/python -m autograder publish _build/edition --force
  source=_build/edition
fi
.venv/bin/jupyter-book build "$source" --path-output . -W -n --keep-going
echo "The site is in _build/html/index.html"
